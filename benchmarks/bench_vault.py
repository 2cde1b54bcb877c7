"""The agency vault against the real engines (issue 24 targets), on a development cluster
that scripts/vault-dev.sh starts in a temporary directory (Ceph RGW + PostgreSQL).

1. Deposit of one large package (default 1 GiB; ``QZ_BENCH_VAULT_MB``) through
   ``quzheng vault serve`` — streamed, verified, stored under lock, indexed, receipt signed
   and time-stamped — against a plain boto3 multipart upload of the same bytes to the same
   bucket, in alternating rounds. Target: ratio (plain time / deposit time) ≥ 0.8; the
   service's peak RSS during the deposit < 300 MB.
2. Listing and searching with 10,000 packages indexed: p99 of signed list requests < 100 ms.
3. 8 concurrent deposits of 8 packages: all succeed.

Each deposit round runs against a fresh bucket and database (a package is deposited once).
"""

from __future__ import annotations

import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROUNDS = 2
PASSPHRASE = "benchmark passphrase"
AGENCY = "基准市市场监督管理局"
ROOT = Path(__file__).resolve().parents[1]


def _identities(home: Path, tsa_root: bytes) -> None:
    from forensics.identity import IdentityStore, Profile

    ids = IdentityStore(home)
    ids.init_ca("基准 CA", PASSPHRASE, agency=AGENCY)
    for name, badge in (("甲", "B0001"), ("乙", "B0002"), ("保管库", "VAULT01")):
        ids.init_officer(Profile(name, badge, AGENCY), PASSPHRASE)
        ids.issue(badge, PASSPHRASE)
    ids.trust_tsa(tsa_root, "bench-tsa")


def _make_file(path: Path, mb: int) -> None:
    block = os.urandom(1 << 20)
    with open(path, "wb") as f:
        for i in range(mb):
            f.write(i.to_bytes(8, "little") + block[8:])


def _package(home: Path, tsa: Any, src: Path | None, out: Path, number: str) -> Path:
    from app.reporting import report_hook
    from forensics.case import Case
    from forensics.identity import IdentityStore
    from forensics.package import export_package
    from forensics.stamping import stamp_pending

    ids = IdentityStore(home)
    lead = ids.unlock("B0001", PASSPHRASE)
    with Case.create(
        home, lead, title="基准案件", number=number, party="某公司", cause="涉嫌销售假冒商品",
        purpose="基准测试", location="基准市 取证室", target={"platform": "练习靶场"},
        officers=[ids.officer("B0002")],
    ) as case:  # fmt: skip
        if src is None:
            src = out.with_suffix(".bin")
            src.write_bytes(os.urandom(64 << 10))
        case.import_file(lead, src)
        stamp_pending(case, lead, tsa)
        return export_package(case, lead, out, tsa=tsa, report=report_hook("zh")).path


def _start_vault(env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    with socket_port() as port:
        pass
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "vault", "serve", "--as", "VAULT01", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if "listening" not in line:
        proc.kill()
        raise SystemExit(f"vault serve did not start: {line} {proc.communicate()[1]}")
    return proc, f"http://127.0.0.1:{port}"


class socket_port:
    def __enter__(self) -> int:
        import socket

        self.s = socket.socket()
        self.s.bind(("127.0.0.1", 0))
        return int(self.s.getsockname()[1])

    def __exit__(self, *exc: object) -> None:
        self.s.close()


def _fresh(cluster: dict[str, str]) -> Any:
    """A config with a new object-lock bucket and a new database."""
    import psycopg

    from app.vault.config import VaultConfig
    from app.vault.storage import ObjectStore

    name = f"b{secrets.token_hex(5)}"
    with psycopg.connect(cluster["QUZHENG_VAULT_PG_DSN"], autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    cfg = replace(
        VaultConfig.from_env(cluster),
        pg_dsn=cluster["QUZHENG_VAULT_PG_DSN"].replace("dbname=postgres", f"dbname={name}"),
        bucket=f"bench-{name}",
        retention_days=1,
    )
    ObjectStore(cfg).create_bucket()
    from app.vault.schema import migrate

    with psycopg.connect(cfg.pg_dsn) as conn:
        migrate(conn)
    return cfg


def _env(cfg: Any, home: Path, tsa_url: str, spool: Path) -> dict[str, str]:
    return {
        **os.environ,
        "QUZHENG_HOME": str(home),
        "QUZHENG_PASSPHRASE": PASSPHRASE,
        "QUZHENG_TSA_URLS": tsa_url,
        "QUZHENG_VAULT_S3_ENDPOINT": cfg.s3_endpoint,
        "QUZHENG_VAULT_S3_ACCESS_KEY": cfg.access_key,
        "QUZHENG_VAULT_S3_SECRET_KEY": cfg.secret_key,
        "QUZHENG_VAULT_PG_DSN": cfg.pg_dsn,
        "QUZHENG_VAULT_BUCKET": cfg.bucket,
        "QUZHENG_VAULT_RETENTION_DAYS": "1",
        "QUZHENG_VAULT_SPOOL": str(spool),
    }


def _peak_rss(pid: int, stop: threading.Event, out: list[float]) -> None:
    import psutil

    p = psutil.Process(pid)
    peak = 0
    while not stop.is_set():
        try:
            peak = max(peak, sum(c.memory_info().rss for c in [p, *p.children(recursive=True)]))
        except psutil.Error:
            break
        time.sleep(0.05)
    out.append(peak / (1 << 20))


def bench_deposit(work: Path, cluster: dict[str, str], home: Path, tsa: Any, tsa_url: str) -> bool:
    from boto3.s3.transfer import TransferConfig

    from app.vault.client import VaultClient
    from app.vault.storage import ObjectStore
    from forensics.identity import IdentityStore

    mb = int(os.environ.get("QZ_BENCH_VAULT_MB", "1024"))
    src = work / "large.bin"
    _make_file(src, mb)
    pkg = _package(home, tsa, src, work / "large.qzp", "基准〔2026〕1号")
    src.unlink()
    size = pkg.stat().st_size
    lead = IdentityStore(home).unlock("B0001", PASSPHRASE)
    from forensics.package import verify_package

    policy = IdentityStore(home).trust_policy()
    plain, dep, rss, alone = [], [], [], []
    for r in range(ROUNDS):
        t0 = time.perf_counter()
        verify_package(pkg, policy)  # what any deposit must at least spend: the verification
        alone.append(time.perf_counter() - t0)
        cfg = _fresh(cluster)
        store = ObjectStore(cfg)
        t0 = time.perf_counter()
        store.s3.upload_file(
            str(pkg), cfg.bucket, f"plain/{r}.qzp",
            Config=TransferConfig(multipart_threshold=cfg.part_size, multipart_chunksize=cfg.part_size),
        )  # fmt: skip
        plain.append(time.perf_counter() - t0)
        spool = work / f"spool-{r}"
        spool.mkdir()
        proc, url = _start_vault(_env(cfg, home, tsa_url, spool))
        stop, peak = threading.Event(), []
        watcher = threading.Thread(target=_peak_rss, args=(proc.pid, stop, peak))
        watcher.start()
        try:
            t0 = time.perf_counter()
            VaultClient(url, lead).deposit(pkg)
            dep.append(time.perf_counter() - t0)
        finally:
            stop.set()
            watcher.join()
            proc.terminate()
            err = proc.communicate(timeout=60)[1]
            if err.strip():
                print(err[-3000:])
        rss.append(peak[0])
    ratio = statistics.median(plain) / statistics.median(dep)
    mib = size / (1 << 20)
    print(f"package {mib:.0f} MiB: plain multipart {statistics.median(plain):.2f} s "
          f"({mib / statistics.median(plain):.0f} MiB/s), deposit {statistics.median(dep):.2f} s "
          f"({mib / statistics.median(dep):.0f} MiB/s); ratio {ratio:.2f} (target ≥ 0.8)")  # fmt: skip
    print(f"service peak RSS during the deposit: {max(rss):.0f} MB (target < 300 MB)")
    print(f"verification alone of the same package (quzheng verify, in process): "
          f"{statistics.median(alone):.2f} s — SHA-256 and SM3 of every member and of the whole "
          f"file; the deposit hashes the same while the body arrives")  # fmt: skip
    return ratio >= 0.8 and max(rss) < 300


def _index_many(cfg: Any, key_fp: str, badge: str, n: int) -> None:
    import psycopg

    now = datetime.now(UTC)
    with psycopg.connect(cfg.pg_dsn) as conn, conn.cursor() as cur:
        with cur.copy(
            "COPY cases (case_id, number, title, party, platform, agency, opened_at) FROM STDIN"
        ) as cp:
            for i in range(n):
                cp.write_row((f"c{i:06d}", f"基准〔2026〕{i}号", f"案件 {i}", f"当事人 {i % 97}",
                              ("淘宝", "抖音", "快手")[i % 3], AGENCY, now))  # fmt: skip
        with cur.copy("COPY case_members (case_id, key_fp, badge, name) FROM STDIN") as cp:
            for i in range(n):
                cp.write_row((f"c{i:06d}", key_fp, badge, "甲"))
        with cur.copy(
            "COPY packages (sha256, case_id, package_id, file_name, size, sm3, object_key,"
            " object_version, seal_sha256, seal_key, seal_version, retain_until, deposited_at,"
            " verified_at, verdict) FROM STDIN"
        ) as cp:
            for i in range(n):
                sha = f"{i:064x}"
                at = now - timedelta(minutes=i)
                cp.write_row((sha, f"c{i:06d}", f"p{i}", f"{i}.qzp", 1000, "", f"packages/{sha}.qzp",
                              "v", sha, f"seals/{sha}.seal.json", "v", now + timedelta(days=1),
                              at, at, "pass"))  # fmt: skip
        conn.commit()
        conn.execute("ANALYZE")


def bench_list(cluster: dict[str, str], home: Path, tsa_url: str, work: Path) -> bool:
    from app.vault.client import VaultClient
    from forensics.identity import IdentityStore

    cfg = _fresh(cluster)
    ids = IdentityStore(home)
    lead = ids.unlock("B0001", PASSPHRASE)
    _index_many(cfg, lead.officer.key_fp, "B0001", 10_000)
    spool = work / "spool-list"
    spool.mkdir()
    proc, url = _start_vault(_env(cfg, home, tsa_url, spool))
    client = VaultClient(url, lead)
    queries: list[dict[str, Any]] = [
        {}, {"case_number": "〔2026〕77"}, {"party": "当事人 5"}, {"platform": "抖音"},
        {"officer": "B0001", "limit": 50}, {"since": "2020-01-01", "until": "2100-01-01"},
    ]  # fmt: skip
    times = []
    try:
        first = client.search()
        assert len(first) == 100, len(first)
        for i in range(300):
            t0 = time.perf_counter()
            client.search(**queries[i % len(queries)])
            times.append(time.perf_counter() - t0)
    finally:
        proc.terminate()
        proc.communicate(timeout=60)
    times.sort()
    p50, p99 = times[len(times) // 2] * 1000, times[int(len(times) * 0.99) - 1] * 1000
    print(f"list/search with 10,000 indexed: p50 {p50:.1f} ms, p99 {p99:.1f} ms (target < 100)")
    return p99 < 100


def bench_concurrent(
    cluster: dict[str, str], home: Path, tsa: Any, tsa_url: str, work: Path
) -> bool:
    from app.vault.client import VaultClient
    from forensics.identity import IdentityStore

    pkgs = [
        _package(home, tsa, None, work / f"small-{i}.qzp", f"并发〔2026〕{i}号") for i in range(8)
    ]
    cfg = _fresh(cluster)
    spool = work / "spool-conc"
    spool.mkdir()
    proc, url = _start_vault(_env(cfg, home, tsa_url, spool))
    lead = IdentityStore(home).unlock("B0001", PASSPHRASE)
    errors: list[str] = []

    def one(p: Path) -> None:
        try:
            VaultClient(url, lead).deposit(p)
        except Exception as exc:  # counted, reported
            errors.append(f"{p.name}: {exc}")

    try:
        t0 = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(one, pkgs))
        took = time.perf_counter() - t0
        listed = len(VaultClient(url, lead).search())
    finally:
        proc.terminate()
        proc.communicate(timeout=60)
    print(f"8 concurrent deposits: {8 - len(errors)} succeeded in {took:.2f} s, {listed} listed"
          + (f"; errors: {errors}" if errors else ""))  # fmt: skip
    return not errors and listed == 8


def main() -> int:
    from forensics.stamping import TsaConfig
    from forensics.timestamp import TsaServer

    ok = True
    with tempfile.TemporaryDirectory(prefix="bench-vault-") as tmp:
        work = Path(tmp)
        work.chmod(0o755)  # the postgres user runs the cluster's database
        cdir = work / "cluster"
        done = subprocess.run([str(ROOT / "scripts" / "vault-dev.sh"), "start", str(cdir)],
                              capture_output=True, text=True, check=False)  # fmt: skip
        if done.returncode != 0:
            print(f"the development cluster did not start: {done.stderr.strip()}")
            return 1
        cluster = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
        try:
            with TsaServer(work / "tsa") as tsa_server:
                root = tsa_server.trust_anchor_path.read_bytes()
                tsa = TsaConfig((tsa_server.url,), (root,), 10.0)
                home = work / "home"
                _identities(home, root)
                ok &= bench_deposit(work, cluster, home, tsa, tsa_server.url)
                ok &= bench_list(cluster, home, tsa_server.url, work)
                ok &= bench_concurrent(cluster, home, tsa, tsa_server.url, work)
        finally:
            subprocess.run([str(ROOT / "scripts" / "vault-dev.sh"), "stop", str(cdir)], check=False)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
