"""Where the vault keeps its packages and its index (docs/vault.md "Configuration").

Read from the environment, so several stateless instances behind one address share one
configuration: ``QUZHENG_VAULT_S3_ENDPOINT`` (an S3-compatible endpoint: Ceph RGW, MinIO, a
cloud's WORM storage), ``QUZHENG_VAULT_S3_ACCESS_KEY`` / ``…_SECRET_KEY``,
``QUZHENG_VAULT_S3_REGION`` (default us-east-1), ``QUZHENG_VAULT_BUCKET`` (default
``quzheng-vault``), ``QUZHENG_VAULT_PG_DSN`` (a libpq connection string),
``QUZHENG_VAULT_RETENTION_DAYS`` (COMPLIANCE retention of every deposit; default 3650),
``QUZHENG_VAULT_PART_MIB`` (multipart part size, at least 5; default 16) and
``QUZHENG_VAULT_SPOOL`` (where a deposit is spooled while verified; default the temp dir).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from forensics.errors import InputError

DEFAULT_BUCKET = "quzheng-vault"
DEFAULT_RETENTION_DAYS = 3650
DEFAULT_PART_MIB = 16


def _need(env: Mapping[str, str], key: str) -> str:
    value = env.get(key, "").strip()
    if not value:
        raise InputError(
            f"the vault is not configured: set {key} (docs/vault.md)",
            f"保管库未配置：请设置 {key}（见 docs/vault.md）",
        )
    return value


def _int(env: Mapping[str, str], key: str, default: int, least: int) -> int:
    raw = env.get(key, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = least - 1
    if value < least:
        raise InputError(
            f"{key}={raw!r} is not a whole number of at least {least}",
            f"{key}={raw!r} 不是不小于 {least} 的整数",
        )
    return value


@dataclass(frozen=True)
class VaultConfig:
    s3_endpoint: str
    access_key: str
    secret_key: str
    pg_dsn: str
    bucket: str = DEFAULT_BUCKET
    region: str = "us-east-1"
    retention_days: int = DEFAULT_RETENTION_DAYS
    part_size: int = DEFAULT_PART_MIB << 20
    spool: Path = Path(tempfile.gettempdir())

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> VaultConfig:
        e = os.environ if env is None else env
        return cls(
            s3_endpoint=_need(e, "QUZHENG_VAULT_S3_ENDPOINT"),
            access_key=_need(e, "QUZHENG_VAULT_S3_ACCESS_KEY"),
            secret_key=_need(e, "QUZHENG_VAULT_S3_SECRET_KEY"),
            pg_dsn=_need(e, "QUZHENG_VAULT_PG_DSN"),
            bucket=e.get("QUZHENG_VAULT_BUCKET", "").strip() or DEFAULT_BUCKET,
            region=e.get("QUZHENG_VAULT_S3_REGION", "").strip() or "us-east-1",
            retention_days=_int(e, "QUZHENG_VAULT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS, 1),
            part_size=_int(e, "QUZHENG_VAULT_PART_MIB", DEFAULT_PART_MIB, 5) << 20,
            spool=Path(e.get("QUZHENG_VAULT_SPOOL", "").strip() or tempfile.gettempdir()),
        )
