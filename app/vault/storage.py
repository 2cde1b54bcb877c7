"""The vault's object store: one S3 bucket with Object Lock (docs/vault.md "Storage").

Packages are stored under ``packages/<sha256>.qzp`` and their detached seals under
``seals/<sha256 of the package>.seal.json``: content-addressed, so a retried deposit names
the same key. Every stored version is under COMPLIANCE retention (the bucket's default
retention, and an explicit retention on the version as the deposit completes): nobody — not
the vault, not its administrator through the S3 API — can delete or overwrite it before
its retention ends. An overwrite through S3 only adds a version; the vault reads the
version its index names.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import IO, TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from app.vault.config import VaultConfig
from forensics.errors import InputError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


class StorageError(InputError):
    """The object store refused or could not be reached."""


def package_key(sha256: str) -> str:
    return f"packages/{sha256}.qzp"


def seal_key(sha256: str) -> str:
    return f"seals/{sha256}.seal.json"


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _fail(what: str, exc: Exception) -> StorageError:
    detail = _code(exc) if isinstance(exc, ClientError) else type(exc).__name__
    return StorageError(
        f"object store: {what} failed ({detail}: {exc})", f"对象存储：{what} 失败（{detail}）"
    )


@dataclass(frozen=True)
class Stored:
    key: str
    version_id: str
    size: int
    sha256: str  # from the object's metadata, as the vault wrote it


class Multipart:
    """One multipart upload: invisible as an object until ``complete``."""

    def __init__(self, s3: S3Client, bucket: str, key: str, upload_id: str) -> None:
        self._s3, self._bucket, self.key, self.upload_id = s3, bucket, key, upload_id
        self._parts: dict[int, str] = {}

    def upload_part(self, number: int, data: bytes | IO[bytes]) -> None:
        """Upload one part: bytes, or a seekable file-like window (read, rewound on retry)."""
        try:
            r = self._s3.upload_part(
                Bucket=self._bucket,
                Key=self.key,
                UploadId=self.upload_id,
                PartNumber=number,
                Body=data,
            )
        except (ClientError, BotoCoreError) as exc:
            raise _fail(f"upload of part {number}", exc) from None
        self._parts[number] = r["ETag"]

    def complete(self) -> str:
        """Make the object appear; returns its version id."""
        parts = [{"PartNumber": n, "ETag": e} for n, e in sorted(self._parts.items())]
        try:
            r = self._s3.complete_multipart_upload(
                Bucket=self._bucket,
                Key=self.key,
                UploadId=self.upload_id,
                MultipartUpload={"Parts": parts},  # type: ignore[typeddict-item]
            )
        except (ClientError, BotoCoreError) as exc:
            raise _fail("completing the upload", exc) from None
        return str(r.get("VersionId", ""))

    def abort(self) -> None:
        # What is left is invisible either way; the sweep aborts stale uploads.
        with contextlib.suppress(ClientError, BotoCoreError):
            self._s3.abort_multipart_upload(
                Bucket=self._bucket, Key=self.key, UploadId=self.upload_id
            )


class ObjectStore:
    def __init__(self, cfg: VaultConfig) -> None:
        self.bucket = cfg.bucket
        self.retention_days = cfg.retention_days
        self.s3: S3Client = boto3.client(
            "s3",
            endpoint_url=cfg.s3_endpoint,
            aws_access_key_id=cfg.access_key,
            aws_secret_access_key=cfg.secret_key,
            region_name=cfg.region,
            config=Config(
                s3={"addressing_style": "path"},
                retries={"max_attempts": 3, "mode": "standard"},
                max_pool_connections=32,
            ),
        )

    # -- the bucket -------------------------------------------------------------------------

    def create_bucket(self) -> None:
        """Create the bucket with Object Lock and a COMPLIANCE default retention (set-up)."""
        try:
            self.s3.create_bucket(Bucket=self.bucket, ObjectLockEnabledForBucket=True)
        except ClientError as exc:
            if _code(exc) not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise _fail(f"creating bucket {self.bucket}", exc) from None
        except BotoCoreError as exc:
            raise _fail(f"creating bucket {self.bucket}", exc) from None
        self.require_object_lock()
        try:
            self.s3.put_object_lock_configuration(
                Bucket=self.bucket,
                ObjectLockConfiguration={
                    "ObjectLockEnabled": "Enabled",
                    "Rule": {
                        "DefaultRetention": {"Mode": "COMPLIANCE", "Days": self.retention_days}
                    },
                },
            )
        except (ClientError, BotoCoreError) as exc:
            raise _fail("setting the default retention", exc) from None

    def require_object_lock(self) -> None:
        """The vault refuses to run against a bucket without Object Lock."""
        enabled = ""
        try:
            conf = self.s3.get_object_lock_configuration(Bucket=self.bucket)
            enabled = str(conf.get("ObjectLockConfiguration", {}).get("ObjectLockEnabled", ""))
        except ClientError as exc:
            if _code(exc) not in ("ObjectLockConfigurationNotFoundError", "NoSuchBucket"):
                raise _fail(f"reading bucket {self.bucket}", exc) from None
        except BotoCoreError as exc:
            raise _fail(f"reading bucket {self.bucket}", exc) from None
        if enabled != "Enabled":
            raise StorageError(
                f"bucket {self.bucket} does not exist or has no S3 Object Lock: the vault keeps "
                "evidence only where it cannot be deleted ('quzheng vault init' creates one)",
                f"存储桶 {self.bucket} 不存在或未启用 S3 对象锁定：保管库只把证据存放在不可删除之处"
                "（可用 quzheng vault init 创建）",
            )

    # -- objects ------------------------------------------------------------------------------

    def retain_until(self, now: datetime | None = None) -> datetime:
        return (now or datetime.now(UTC)) + timedelta(days=self.retention_days)

    def head(self, key: str) -> Stored | None:
        try:
            r = self.s3.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _code(exc) in ("404", "NoSuchKey", "NotFound"):
                return None
            raise _fail(f"reading {key}", exc) from None
        except BotoCoreError as exc:
            raise _fail(f"reading {key}", exc) from None
        meta = r.get("Metadata", {})
        return Stored(
            key, str(r.get("VersionId", "")), int(r["ContentLength"]), meta.get("sha256", "")
        )

    def start_upload(self, key: str, sha256: str) -> Multipart:
        try:
            r = self.s3.create_multipart_upload(
                Bucket=self.bucket,
                Key=key,
                ContentType="application/zip",
                Metadata={"sha256": sha256},
            )
        except (ClientError, BotoCoreError) as exc:
            raise _fail(f"starting the upload of {key}", exc) from None
        return Multipart(self.s3, self.bucket, key, r["UploadId"])

    def put_locked(self, key: str, data: bytes, sha256: str, until: datetime) -> str:
        try:
            r = self.s3.put_object(
                Bucket=self.bucket,
                Key=key,
                Body=data,
                ContentType="application/json",
                Metadata={"sha256": sha256},
                ObjectLockMode="COMPLIANCE",
                ObjectLockRetainUntilDate=until,
            )
        except (ClientError, BotoCoreError) as exc:
            raise _fail(f"storing {key}", exc) from None
        return str(r.get("VersionId", ""))

    def lock(self, key: str, version_id: str, until: datetime) -> None:
        """COMPLIANCE retention on one version until ``until`` (never shortened: S3 refuses)."""
        try:
            cur = self.s3.get_object_retention(Bucket=self.bucket, Key=key, VersionId=version_id)
            have = cur.get("Retention", {}).get("RetainUntilDate")
            if have is not None and have >= until:
                return
        except ClientError as exc:
            if _code(exc) not in (
                "ObjectLockConfigurationNotFoundError",
                "NoSuchObjectLockConfiguration",
            ):
                raise _fail(f"reading the retention of {key}", exc) from None
        except BotoCoreError as exc:
            raise _fail(f"reading the retention of {key}", exc) from None
        try:
            self.s3.put_object_retention(
                Bucket=self.bucket,
                Key=key,
                VersionId=version_id,
                Retention={"Mode": "COMPLIANCE", "RetainUntilDate": until},
            )
        except (ClientError, BotoCoreError) as exc:
            raise _fail(f"locking {key}", exc) from None

    def retention(self, key: str, version_id: str) -> tuple[str, datetime | None]:
        try:
            r = self.s3.get_object_retention(Bucket=self.bucket, Key=key, VersionId=version_id)
        except (ClientError, BotoCoreError) as exc:
            raise _fail(f"reading the retention of {key}", exc) from None
        ret = r.get("Retention", {})
        return str(ret.get("Mode", "")), ret.get("RetainUntilDate")

    def read(self, key: str, version_id: str) -> bytes:
        return b"".join(self.stream(key, version_id))

    def stream(self, key: str, version_id: str, chunk: int = 1 << 20) -> Iterator[bytes]:
        try:
            r = self.s3.get_object(Bucket=self.bucket, Key=key, VersionId=version_id)
        except ClientError as exc:
            if _code(exc) in ("NoSuchKey", "NoSuchVersion", "404"):
                raise StorageError(
                    f"object {key} (version {version_id}) is missing from the bucket",
                    f"存储桶中缺少对象 {key}（版本 {version_id}）",
                ) from None
            raise _fail(f"reading {key}", exc) from None
        except BotoCoreError as exc:
            raise _fail(f"reading {key}", exc) from None
        body = r["Body"]
        try:
            yield from body.iter_chunks(chunk)
        except BotoCoreError as exc:
            raise _fail(f"reading {key}", exc) from None
        finally:
            body.close()

    def abort_stale_uploads(self, older_than: timedelta) -> int:
        """Abort multipart uploads an interrupted deposit left (never objects)."""
        cutoff = datetime.now(UTC) - older_than
        n = 0
        try:
            r = self.s3.list_multipart_uploads(Bucket=self.bucket, Prefix="packages/")
        except (ClientError, BotoCoreError) as exc:
            raise _fail("listing unfinished uploads", exc) from None
        for up in r.get("Uploads", []):
            started: Any = up.get("Initiated")
            if isinstance(started, datetime) and started < cutoff:
                Multipart(self.s3, self.bucket, str(up["Key"]), str(up["UploadId"])).abort()
                n += 1
        return n
