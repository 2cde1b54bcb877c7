"""A local single-node Ceph RGW (S3 with Object Lock) and PostgreSQL for development and tests,
each inside one directory of its own (docs/vault.md "Development cluster").

    python -m app.vault.devcluster start DIR    # prints the settings as KEY=VALUE lines
    python -m app.vault.devcluster stop DIR

``scripts/vault-dev.sh`` wraps the same. Everything — configuration, data, sockets, logs,
pid files — stays under DIR; nothing is registered with systemd. The facts this rests on
(Debian 12's Ceph 16, measured) are in the design's FIELD-NOTES.md: one monitor, one
bluestore OSD on a sparse file the OSD creates itself, radosgw on loopback, no mgr (radosgw
does not need it), ``auth = none`` with ``ms_mon_client_mode = crc secure``.

PostgreSQL refuses to run as root: as root the server runs as the ``postgres`` user, so DIR
(and its parents) must be reachable by that user.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from forensics.errors import InputError

CEPH_PROGRAMS = (
    "ceph-mon", "ceph-osd", "radosgw", "radosgw-admin", "monmaptool", "ceph-authtool", "ceph",
)  # fmt: skip
PG_BIN = Path("/usr/lib/postgresql/15/bin")
APT_HINT = (
    "apt-get install -y ceph-mon ceph-mgr ceph-osd radosgw ceph-common postgresql "
    "(scripts/bootstrap.sh installs them)"
)
ACCESS_KEY = "QZVAULTDEVACCESS0001"
SECRET_KEY = "qzvault-dev-secret-0000000000000000000001"  # loopback-only development cluster
_DAEMONS = ("client.rgw.vault", "osd.0", "mon.a")  # stop order


class AlreadyRunning(InputError):
    """The directory's cluster is running: its settings are in cluster.json."""


@dataclass(frozen=True)
class DevCluster:
    """Where the started engines answer."""

    directory: str
    s3_endpoint: str
    access_key: str
    secret_key: str
    pg_dsn: str

    def env(self) -> dict[str, str]:
        """The settings ``quzheng vault serve`` reads (docs/vault.md)."""
        return {
            "QUZHENG_VAULT_S3_ENDPOINT": self.s3_endpoint,
            "QUZHENG_VAULT_S3_ACCESS_KEY": self.access_key,
            "QUZHENG_VAULT_S3_SECRET_KEY": self.secret_key,
            "QUZHENG_VAULT_PG_DSN": self.pg_dsn,
        }


def missing_programs() -> list[str]:
    missing = [p for p in CEPH_PROGRAMS if shutil.which(p) is None]
    if not (PG_BIN / "initdb").is_file():
        missing.append(str(PG_BIN / "initdb"))
    return missing


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(args: list[str], d: Path, what: str, timeout: float = 120) -> str:
    try:
        done = subprocess.run(
            args, capture_output=True, text=True, timeout=timeout, check=False, cwd=d
        )
    except subprocess.TimeoutExpired:
        raise InputError(f"{what}: no answer in {timeout:.0f} s", f"{what}：超时") from None
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise InputError(
            f"{what} failed ({done.returncode}): {' | '.join(tail)} (logs in {d / 'log'})",
            f"{what} 失败（{done.returncode}）：{' | '.join(tail)}",
        )
    return done.stdout


def _ceph_conf(d: Path, mon_port: int, rgw_port: int, fsid: str) -> str:
    return f"""[global]
fsid = {fsid}
mon host = 127.0.0.1:{mon_port}
mon initial members = a
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc secure
run dir = {d}/run
admin socket = {d}/run/$name.asok
pid file = {d}/run/$name.pid
log file = {d}/log/$name.log
log to stderr = false
err to stderr = false
mon cluster log file = {d}/log/cluster.log
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
mon allow pool size one = true
mon warn on pool no redundancy = false
mon allow pool delete = true
paxos propose interval = 0.05
osd crush chooseleaf type = 0
osd objectstore = bluestore
bluestore block create = true
bluestore block size = 8589934592
bluestore fsck on mount = false
osd memory target = 536870912
bluestore cache autotune = false
bluestore cache size = 134217728
keyring = {d}/keyring

[mon.a]
mon data = {d}/mon

[osd.0]
osd data = {d}/osd0

[client.rgw.vault]
rgw frontends = beast endpoint=127.0.0.1:{rgw_port}
rgw data = {d}/rgw
rgw enable usage log = false
"""


def _pg_user() -> str | None:
    """The user the PostgreSQL server runs as: ``postgres`` when we are root."""
    return "postgres" if os.geteuid() == 0 else None


def _as_pg(args: list[str]) -> list[str]:
    user = _pg_user()
    return ["runuser", "-u", user, "--", *args] if user else args


def _start_pg(d: Path) -> str:
    pg = d / "pg"
    user = _pg_user()
    if not (pg / "data" / "PG_VERSION").is_file():
        pg.mkdir(parents=True, exist_ok=True)
        if user:
            ent = pwd.getpwnam(user)
            os.chown(pg, ent.pw_uid, ent.pw_gid)
            probe = subprocess.run(
                ["runuser", "-u", user, "--", "test", "-w", str(pg)], check=False
            )
            if probe.returncode != 0:
                raise InputError(
                    f"the postgres user cannot reach {pg}: make its parent directories "
                    "searchable (chmod o+x) or choose another directory",
                    f"postgres 用户无法访问 {pg}：请让上级目录可进入（chmod o+x）或换一个目录",
                )
        _run(
            _as_pg([str(PG_BIN / "initdb"), "-D", str(pg / "data"), "-A", "trust", "-U", "vault"]),
            d,
            "initdb",
        )
    _run(
        _as_pg(
            [
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(pg / "data"),
                "-l",
                str(pg / "server.log"),
                "-o",
                f"-k {pg} -c listen_addresses=''",
                "-w",
                "start",
            ]
        ),
        d,
        "pg_ctl start",
    )
    return f"host={pg} user=vault dbname=postgres"


def start(directory: Path) -> DevCluster:
    """Start (or restart) the cluster in ``directory``; returns where it answers. A failed
    start stops what it started."""
    try:
        return _start(directory)
    except AlreadyRunning:
        raise
    except InputError:
        stop(directory)
        raise


def _start(directory: Path) -> DevCluster:
    missing = missing_programs()
    if missing:
        raise InputError(
            f"the vault's development cluster needs {', '.join(missing)}: {APT_HINT}",
            f"保管库开发集群缺少 {', '.join(missing)}：{APT_HINT}",
        )
    d = directory.resolve()
    d.mkdir(parents=True, exist_ok=True)
    state = d / "cluster.json"
    running = [n for n in _DAEMONS if _pid_alive(d / "run" / f"{n}.pid")]
    if running:
        raise AlreadyRunning(
            f"the cluster in {d} is already running ({', '.join(running)}): its settings are in "
            f"{state}; stop it first to restart it",
            f"{d} 中的集群已在运行（{', '.join(running)}）：设置见 {state}；如需重启请先停止",
        )
    if state.is_file():
        info = DevCluster(**json.loads(state.read_text()))
        conf = d / "ceph.conf"
    else:
        for sub in ("run", "log", "mon", "osd0", "rgw"):
            (d / sub).mkdir(exist_ok=True)
        mon_port, rgw_port, fsid = _free_port(), _free_port(), str(uuid.uuid4())
        conf = d / "ceph.conf"
        conf.write_text(_ceph_conf(d, mon_port, rgw_port, fsid))
        _run(
            ["monmaptool", "--create", "--add", "a", f"127.0.0.1:{mon_port}", "--fsid", fsid,
             str(d / "monmap")],
            d,
            "monmaptool",
        )  # fmt: skip
        _run(
            ["ceph-authtool", "--create-keyring", str(d / "keyring"), "--gen-key", "-n", "mon.",
             "--cap", "mon", "allow *"],
            d,
            "ceph-authtool",
        )  # fmt: skip
        _run(["ceph-mon", "-c", str(conf), "--mkfs", "-i", "a", "--monmap", str(d / "monmap")], d,
             "ceph-mon --mkfs")  # fmt: skip
        info = DevCluster(str(d), f"http://127.0.0.1:{rgw_port}", ACCESS_KEY, SECRET_KEY, "")
    c = ["-c", str(conf)]
    _run(["ceph-mon", *c, "-i", "a"], d, "ceph-mon")
    if not (d / "osd0" / "whoami").is_file():
        osd_uuid = str(uuid.uuid4())
        _run(["ceph", *c, "osd", "new", osd_uuid], d, "ceph osd new")
        _run(["ceph-osd", *c, "-i", "0", "--mkfs", "--osd-uuid", osd_uuid], d, "ceph-osd --mkfs")
    _run(["ceph-osd", *c, "-i", "0"], d, "ceph-osd")
    _run(["radosgw", *c, "-n", "client.rgw.vault"], d, "radosgw")
    _wait_http(info.s3_endpoint, d)
    if not state.is_file():
        _run(
            ["radosgw-admin", *c, "user", "create", "--uid", "vault", "--display-name", "vault",
             "--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY],
            d,
            "radosgw-admin user create",
        )  # fmt: skip
    dsn = _start_pg(d)
    info = DevCluster(**{**asdict(info), "pg_dsn": dsn})
    state.write_text(json.dumps(asdict(info), indent=2))
    return info


def _wait_http(url: str, d: Path, timeout: float = 90) -> None:
    host, port = url.removeprefix("http://").split(":")
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with socket.create_connection((host, int(port)), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise InputError(
        f"radosgw did not answer on {url} within {timeout:.0f} s (logs in {d / 'log'})",
        f"radosgw 未在 {timeout:.0f} 秒内于 {url} 应答",
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _pid_alive(pid_file: Path) -> bool:
    try:
        return _alive(int(pid_file.read_text().strip()))
    except (OSError, ValueError):
        return False


def stop(directory: Path, timeout: float = 30) -> None:
    """Stop the cluster's daemons cleanly (SIGTERM, then wait); the data stays."""
    d = directory.resolve()
    if (d / "pg" / "data" / "postmaster.pid").is_file():
        _run(
            _as_pg([str(PG_BIN / "pg_ctl"), "-D", str(d / "pg" / "data"), "-m", "fast", "-w",
                    "stop"]),
            d,
            "pg_ctl stop",
        )  # fmt: skip
    for name in _DAEMONS:
        pid_file = d / "run" / f"{name}.pid"
        try:
            pid = int(pid_file.read_text().strip())
        except (OSError, ValueError):
            continue
        if _alive(pid):
            os.kill(pid, signal.SIGTERM)
            end = time.monotonic() + timeout
            while _alive(pid) and time.monotonic() < end:
                time.sleep(0.05)
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        pid_file.unlink(missing_ok=True)


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("start", "stop"):
        print("usage: python -m app.vault.devcluster start|stop DIR", file=sys.stderr)
        return 2
    try:
        if argv[0] == "start":
            for k, v in start(Path(argv[1])).env().items():
                print(f"{k}={v}")
        else:
            stop(Path(argv[1]))
    except InputError as exc:
        print(f"vault-dev: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
