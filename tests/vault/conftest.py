"""The vault against the real engines: one single-node Ceph RGW + PostgreSQL per test session,
started by scripts/vault-dev.sh in a temporary directory and stopped cleanly at the end.
Each test gets a bucket and a database of its own."""

from __future__ import annotations

import os
import secrets
import stat
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import psycopg
import pytest

from app.reporting import report_hook
from app.vault.client import VaultClient
from app.vault.config import VaultConfig
from app.vault.server import VaultHTTPServer
from app.vault.service import Vault
from app.vault.storage import ObjectStore
from forensics.case import Case
from forensics.identity import Profile, Signer
from forensics.package import export_package
from forensics.stamping import TsaConfig
from forensics.timestamp import TsaServer
from forensics.trust import TrustPolicy
from tests.conftest import AGENCY, PASSPHRASE, World
from tests.forensics.package.conftest import build_case

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "vault-dev.sh"
VAULT_BADGE = "VAULT01"


def _reachable_by_postgres(d: Path) -> None:
    """pytest's temporary directories are 0700: let the postgres user through (o+x)."""
    stop = Path(tempfile.gettempdir()).resolve()
    for p in [d, *d.parents]:
        if p == stop or p == p.parent:
            break
        st = p.stat()
        if st.st_uid == os.geteuid() and not st.st_mode & stat.S_IXOTH:
            p.chmod(stat.S_IMODE(st.st_mode) | stat.S_IXOTH)


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    d = tmp_path_factory.mktemp("vault-cluster")
    _reachable_by_postgres(d)
    done = subprocess.run(
        [str(SCRIPT), "start", str(d / "c")], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        # Not a skip: CI installs the engines (scripts/bootstrap.sh); missing ones are a failure.
        pytest.fail(f"the vault's development cluster did not start: {done.stderr.strip()}")
    env = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    try:
        yield env
    finally:
        subprocess.run([str(SCRIPT), "stop", str(d / "c")], check=False, timeout=120)


@pytest.fixture
def vault_cfg(cluster: dict[str, str], tmp_path: Path) -> VaultConfig:
    """A fresh bucket (with Object Lock) and a fresh database, on the session's cluster."""
    name = f"t{secrets.token_hex(6)}"
    with psycopg.connect(cluster["QUZHENG_VAULT_PG_DSN"], autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    spool = tmp_path / "spool"
    spool.mkdir()
    cfg = replace(
        VaultConfig.from_env(cluster),
        pg_dsn=cluster["QUZHENG_VAULT_PG_DSN"].replace("dbname=postgres", f"dbname={name}"),
        bucket=f"vault-{name}",
        retention_days=1,
        part_size=5 << 20,
        spool=spool,
    )
    ObjectStore(cfg).create_bucket()
    return cfg


def env_of(cfg: VaultConfig) -> dict[str, str]:
    return {
        "QUZHENG_VAULT_S3_ENDPOINT": cfg.s3_endpoint,
        "QUZHENG_VAULT_S3_ACCESS_KEY": cfg.access_key,
        "QUZHENG_VAULT_S3_SECRET_KEY": cfg.secret_key,
        "QUZHENG_VAULT_PG_DSN": cfg.pg_dsn,
        "QUZHENG_VAULT_BUCKET": cfg.bucket,
        "QUZHENG_VAULT_RETENTION_DAYS": str(cfg.retention_days),
        "QUZHENG_VAULT_PART_MIB": str(cfg.part_size >> 20),
        "QUZHENG_VAULT_SPOOL": str(cfg.spool),
    }


@dataclass
class Agency:
    world: World
    tsa: TsaServer
    tsa_config: TsaConfig
    vault_signer: Signer
    policy: TrustPolicy
    tmp: Path

    def package(self, name: str = "case.qzp", **case_kw: str) -> tuple[Case, Path]:
        """A complete case of the lead's and second's, exported as a sealed package."""
        case = build_case(self.world, self.tmp, self.tsa_config)
        result = export_package(
            case, self.world.lead, self.tmp / name, tsa=self.tsa_config, report=report_hook("zh")
        )
        return case, result.path


@pytest.fixture
def agency(world: World, tsa: TsaServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Agency:
    """The world's agency with its TSA trusted for evidence and a vault identity."""
    root = tsa.trust_anchor_path.read_bytes()
    world.ids.trust_tsa(root, "agency-tsa")
    world.ids.init_officer(Profile("保管库", VAULT_BADGE, AGENCY, "vault"), PASSPHRASE)
    world.ids.issue(VAULT_BADGE, PASSPHRASE)
    monkeypatch.setenv("QUZHENG_TSA_URLS", tsa.url)
    config = TsaConfig((tsa.url,), (root,), 5.0)
    return Agency(
        world,
        tsa,
        config,
        world.ids.unlock(VAULT_BADGE, PASSPHRASE),
        world.ids.trust_policy(),
        tmp_path,
    )


@dataclass
class Running:
    vault: Vault
    url: str
    server: VaultHTTPServer

    def client(self, signer: Signer | None) -> VaultClient:
        return VaultClient(self.url, signer)


@pytest.fixture
def running(vault_cfg: VaultConfig, agency: Agency) -> Iterator[Running]:
    """The vault service in this process (threads), on a free loopback port."""
    vault = Vault(vault_cfg, agency.policy, agency.vault_signer, agency.tsa_config)
    server = VaultHTTPServer(("127.0.0.1", 0), vault)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield Running(vault, f"http://127.0.0.1:{server.server_address[1]}", server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
        vault.close()


def rows(cfg: VaultConfig, sql: str) -> list[tuple[object, ...]]:
    with psycopg.connect(cfg.pg_dsn) as conn:
        return list(conn.execute(sql).fetchall())  # type: ignore[arg-type]


Maker = Callable[..., tuple[Case, Path]]
