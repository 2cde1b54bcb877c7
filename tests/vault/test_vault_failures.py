"""Object Lock holds, the service refuses an unlocked bucket, and a SIGKILL mid-deposit leaves
nothing visible — against the real Ceph RGW and PostgreSQL."""

from __future__ import annotations

import base64
import http.client
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from botocore.exceptions import ClientError

from app.vault.auth import sign_headers
from app.vault.config import VaultConfig
from app.vault.server import H_SEAL
from app.vault.service import Vault
from app.vault.storage import ObjectStore, StorageError, package_key
from tests.conftest import PASSPHRASE
from tests.vault.conftest import ROOT, VAULT_BADGE, Agency, Running, env_of, rows


def test_locked_package_cannot_be_deleted_or_overwritten(running: Running, agency: Agency) -> None:
    case, pkg = agency.package()
    receipt = running.client(agency.world.lead).deposit(pkg)
    sha = receipt["receipt"]["package_sha256"]
    store = running.vault.store
    s3, bucket, key = store.s3, store.bucket, package_key(sha)
    version = str(rows(running.vault.cfg, "SELECT object_version FROM packages")[0][0])
    original = pkg.read_bytes()

    with pytest.raises(ClientError) as err:
        s3.delete_object(Bucket=bucket, Key=key, VersionId=version)
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    with pytest.raises(ClientError):  # GOVERNANCE's bypass does not open COMPLIANCE
        s3.delete_object(Bucket=bucket, Key=key, VersionId=version, BypassGovernanceRetention=True)
    with pytest.raises(ClientError):  # nor can the retention be shortened
        s3.put_object_retention(
            Bucket=bucket, Key=key, VersionId=version,
            Retention={"Mode": "COMPLIANCE", "RetainUntilDate": datetime.now(UTC) + timedelta(minutes=1)},
        )  # fmt: skip
    # An overwrite only adds a version; a delete without a version only adds a marker.
    s3.put_object(Bucket=bucket, Key=key, Body=b"forged")
    s3.delete_object(Bucket=bucket, Key=key)
    got = s3.get_object(Bucket=bucket, Key=key, VersionId=version)["Body"].read()
    assert got == original
    # The vault reads the version it indexed: the fetched package is still the original.
    assert (
        b"".join(running.vault.open_package({"object_key": key, "object_version": version}))
        == original
    )
    assert running.client(agency.world.lead).reverify(sha)["verdict"] == "pass"

    # Bit rot (here: the index made to name the forged version) is found by the sweep and
    # reported, never repaired.
    versions = s3.list_object_versions(Bucket=bucket, Prefix=key)["Versions"]
    forged = next(str(v["VersionId"]) for v in versions if v["Size"] == len(b"forged"))
    with psycopg.connect(running.vault.cfg.pg_dsn) as conn:
        conn.execute("UPDATE packages SET object_version = %s", (forged,))
    swept = running.vault.sweep()
    assert [(r["sha256"], r["verdict"]) for r in swept] == [(sha, "fail")]
    assert "stored bytes have SHA-256" in swept[0]["detail"]
    assert rows(running.vault.cfg, "SELECT verdict FROM packages")[0][0] == "fail"
    assert s3.get_object(Bucket=bucket, Key=key, VersionId=version)["Body"].read() == original
    case.close()


def test_refuses_a_bucket_without_object_lock(vault_cfg: VaultConfig, agency: Agency) -> None:
    plain = replace(vault_cfg, bucket=vault_cfg.bucket + "-plain")
    ObjectStore(plain).s3.create_bucket(Bucket=plain.bucket)
    with pytest.raises(StorageError, match="no S3 Object Lock"):
        Vault(plain, agency.policy)
    with pytest.raises(StorageError, match="does not exist or has no S3 Object Lock"):
        Vault(replace(vault_cfg, bucket="no-such-bucket-here"), agency.policy)


def _serve(cfg: VaultConfig, agency: Agency, port: int) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        **env_of(cfg),
        "QUZHENG_HOME": str(agency.world.home),
        "QUZHENG_PASSPHRASE": PASSPHRASE,
        "QUZHENG_TSA_URLS": agency.tsa.url,
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "vault", "serve", "--as", VAULT_BADGE, "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if "listening" not in line:
        proc.kill()
        pytest.fail(f"vault serve did not start: {line} {proc.communicate()[1]}")
    return proc


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_sigkill_mid_deposit_leaves_nothing_and_retry_succeeds(
    vault_cfg: VaultConfig, agency: Agency
) -> None:
    case, pkg = agency.package()
    seal = pkg.with_name(pkg.name + ".seal.json").read_bytes()
    data = pkg.read_bytes()
    import json

    sha = json.loads(seal)["seal"]["sha256"]
    store = ObjectStore(vault_cfg)
    port = _free_port()
    proc = _serve(vault_cfg, agency, port)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.putrequest("POST", "/v1/deposits")
        headers = {
            **sign_headers(agency.world.lead, "POST", "/v1/deposits", sha),
            H_SEAL: base64.b64encode(seal).decode(),
            "Content-Length": str(len(data)),
        }
        for k, v in headers.items():
            conn.putheader(k, v)
        conn.endheaders()
        conn.send(data[: len(data) // 2])
        # The deposit is under way once its multipart upload exists.
        end = time.monotonic() + 30
        while not store.s3.list_multipart_uploads(Bucket=store.bucket).get("Uploads"):
            assert time.monotonic() < end, "the deposit never started its upload"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        conn.close()
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()

    # Nothing visible: no object, no index row.
    assert store.s3.list_objects_v2(Bucket=store.bucket).get("Contents", []) == []
    assert store.head(package_key(sha)) is None
    assert rows(vault_cfg, "SELECT count(*) FROM packages")[0][0] == 0
    assert rows(vault_cfg, "SELECT count(*) FROM deposits")[0][0] == 0

    # The retry, against a new instance, succeeds.
    port = _free_port()
    proc = _serve(vault_cfg, agency, port)
    try:
        from app.vault.client import VaultClient

        receipt = VaultClient(f"http://127.0.0.1:{port}", agency.world.lead).deposit(pkg)
        assert receipt["receipt"]["package_sha256"] == sha
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
    assert rows(vault_cfg, "SELECT count(*) FROM packages")[0][0] == 1
    assert store.head(package_key(sha)) is not None
    case.close()


def test_cli_deposit_seals_custody_entry(running: Running, agency: Agency, tmp_path: Path) -> None:
    """`quzheng vault deposit` deposits, saves the receipt and seals custody.deposit."""
    case, pkg = agency.package()
    case_id = case.case_id
    case.close()
    env = {**os.environ, "QUZHENG_VAULT_URL": running.url}
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "vault", "deposit", str(pkg), "--as", "31000001"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert pkg.with_name(pkg.name + ".receipt.json").is_file()
    assert f"sealed in case {case_id}" in done.stdout
    log = subprocess.run(
        [sys.executable, "-m", "app.cli", "case", "log", case_id],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert '"kind":"custody.deposit"' in log.stdout
    listed = subprocess.run(
        [sys.executable, "-m", "app.cli", "vault", "list", "--as", "31000001", "--party", "x"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert listed.returncode == 0 and listed.stdout == ""
