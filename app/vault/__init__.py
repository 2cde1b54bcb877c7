"""The agency vault: sealed packages on S3 Object Lock storage, indexed in PostgreSQL (docs/vault.md)."""
