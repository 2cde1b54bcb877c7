"""The recording proxy, run as a child process: ``python -m forensics.capture.proxy …``.

It speaks to the app over its standard streams:

- stdout carries JSON lines, one event each: ``listening`` first (port and the disclosure
  of REQUIREMENTS.md §B3), then ``segment`` for every closed segment, ``warning`` for
  things the record should mention, ``error`` for failures (``fatal: true`` means the proxy
  stops: capture fails closed), ``refused`` for clients turned away (``clientauth``),
  and ``stopped`` last.
- stdin's first line is the per-session client secret (``clientauth``): only a client that
  presents it (the capture browser) is admitted; it never appears on the command line or
  in the environment, which other local processes can read.
- stdin then carries commands, one a line: ``roll`` closes the open segment now. End of input
  (the app closed the pipe or died) stops the proxy gracefully, like SIGTERM: the open
  segment is closed and reported before exit.
- stderr carries human-readable logs only.

Exit status: 0 after a graceful stop, 2 when it could not start, 3 when recording failed.

The mitmproxy addon set is deliberately minimal (core, proxyserver, next_layer, tlsconfig,
our client check and our recording addon): none of them modifies what it relays (the
client check only consumes the ``Proxy-Authorization`` header addressed to the proxy). mitmproxy's default addons that rewrite
requests or responses (anticache, anticomp, modify_headers, map_remote, …) are not loaded.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import importlib.util
import json
import logging
import platform
import signal
import socket
import ssl
import sys
import threading
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import forensics
from forensics.capture.addon import RecordingAddon
from forensics.capture.ca import ensure_ca, system_trust_file
from forensics.capture.clientauth import DISCLOSED, MIN_SECRET_CHARS, ClientAuth
from forensics.capture.traffic_writer import Writer, remove_tree, spool_dir_for
from forensics.capture.warc import (
    DEFAULT_SEGMENT_BYTES,
    DEFAULT_SEGMENT_SECONDS,
    LOCK_PREFIX,
    OPEN_SUFFIX,
    RunLock,
    SegmentWriter,
)
from forensics.errors import QuzhengError

logger = logging.getLogger("forensics.capture.proxy")

# Bodies above this size are streamed by mitmproxy itself even if an addon forgot to set
# a stream callable; ours streams every body, so this is a safety net only.
STREAM_LARGE_BODIES = "1m"

_stdout_lock = threading.Lock()


def emit(event: dict[str, object]) -> None:
    """Write one JSON line to the app. A vanished reader means nobody can seal: stop."""
    line = json.dumps(event, ensure_ascii=False, sort_keys=True) + "\n"
    with _stdout_lock:
        try:
            sys.stdout.write(line)
            sys.stdout.flush()
        except (OSError, ValueError):
            _request_shutdown()


_shutdown_hook: list[Any] = []


def _request_shutdown() -> None:
    for hook in _shutdown_hook:
        hook()


def addon_code_digest() -> tuple[str, list[tuple[str, str]]]:
    """SHA-256 over our code loaded in this process, in ``sha256sum`` manifest form.

    Returns (hash of the manifest text, [(sha256, relative path)…]). An expert can repeat
    it with ``sha256sum`` over the source tree and compare the manifest line by line.
    """
    root = Path(forensics.__file__).resolve().parent.parent
    files: dict[str, str] = {}
    for name, module in list(sys.modules.items()):
        spec_name = getattr(getattr(module, "__spec__", None), "name", None) or name
        if spec_name != "forensics" and not spec_name.startswith("forensics."):
            continue
        path = getattr(module, "__file__", None)
        if not path:
            continue
        try:
            data = Path(path).read_bytes()
            rel = Path(path).resolve().relative_to(root).as_posix()
        except (OSError, ValueError):
            # Frozen builds: hash the code object the loader provides instead of the file.
            spec = importlib.util.find_spec(spec_name)
            loader = spec.loader if spec else None
            get_code = getattr(loader, "get_code", None)
            code = get_code(spec_name) if get_code else None
            if code is None:
                continue
            import marshal

            data = marshal.dumps(code)
            rel = spec_name
        files[rel] = hashlib.sha256(data).hexdigest()
    manifest = [(digest, rel) for rel, digest in sorted(files.items())]
    text = "".join(f"{digest}  {rel}\n" for digest, rel in manifest)
    return hashlib.sha256(text.encode("utf-8")).hexdigest(), manifest


def _parse_map(values: Sequence[str]) -> dict[str, tuple[str, int]]:
    out: dict[str, tuple[str, int]] = {}
    for value in values:
        suffix, sep, target = value.partition("=")
        host, colon, port = target.rpartition(":")
        if not sep or not colon or not suffix or not host or not port.isdigit():
            raise ValueError(f"--map-host wants SUFFIX=IP:PORT, got {value!r}")
        out[suffix.lower().strip(".")] = (host.strip("[]"), int(port))
    return out


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m forensics.capture.proxy", description=__doc__)
    p.add_argument("--work-dir", type=Path, required=True, help="where segments are written")
    p.add_argument("--confdir", type=Path, required=True, help="mitmproxy CA folder")
    p.add_argument("--listen-port", type=int, default=0, help="0 picks a free port")
    p.add_argument(
        "--map-host",
        action="append",
        default=[],
        metavar="SUFFIX=IP:PORT",
        help="connect *.SUFFIX to IP:PORT, keeping the name for SNI and Host",
    )
    p.add_argument(
        "--upstream-ca",
        action="append",
        default=[],
        type=Path,
        help="extra trust anchor for upstream servers (PEM), added to the system store",
    )
    p.add_argument("--segment-seconds", type=float, default=DEFAULT_SEGMENT_SECONDS)
    p.add_argument("--segment-bytes", type=int, default=DEFAULT_SEGMENT_BYTES)
    p.add_argument("--operator", default="", help='"name (badge)" for the warcinfo record')
    return p


def _trust_bundle(spool_dir: Path, extra: Sequence[Path]) -> tuple[Path, list[tuple[str, str]]]:
    """System anchors plus the extra ones, in one PEM file mitmproxy can load."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    system = system_trust_file()
    parts = [system.read_bytes()]
    fields = [("upstream-trust-system", str(system))]
    for path in extra:
        data = path.read_bytes()
        for cert in x509.load_pem_x509_certificates(data):
            fields.append(
                (
                    "upstream-trust-extra",
                    f"sha256:{cert.fingerprint(hashes.SHA256()).hex()} "
                    f"{cert.subject.rfc4514_string()}",
                )
            )
        parts.append(data)
    bundle = spool_dir / "upstream-trust.pem"
    bundle.write_bytes(b"\n".join(parts))
    fields.append(("upstream-trust-sha256", hashlib.sha256(bundle.read_bytes()).hexdigest()))
    return bundle, fields


class _Announce:
    """Reports the listening address once mitmproxy's servers are up."""

    def __init__(self, info: dict[str, Any], ca: dict[str, str], mitm_version: str) -> None:
        self.info = info
        self.ca = ca
        self.mitm_version = mitm_version
        self.ok = False

    def running(self) -> None:
        from mitmproxy import ctx

        master: Any = ctx.master
        addrs = master.addons.get("proxyserver").listen_addrs()
        if not addrs:
            emit(
                {
                    "event": "error",
                    "fatal": True,
                    "kind": "startup",
                    "message": "The capture proxy could not listen on 127.0.0.1.",
                    "message_zh": "抓包代理无法在 127.0.0.1 上监听。",
                }
            )
            master.shutdown()
            return
        host, port = addrs[0][0], addrs[0][1]
        self.info["listen"] = f"{host}:{port}"
        digest, manifest = addon_code_digest()
        self.info["addon_sha256"] = digest
        self.info["addon_files"] = manifest
        self.ok = True
        emit(
            {
                "event": "listening",
                "host": host,
                "port": port,
                "ca_sha256": self.ca["sha256"],
                "ca_spki_sha256_b64": self.ca["spki"],
                "ca_subject": self.ca["subject"],
                "mitmproxy": self.mitm_version,
                "quzheng": forensics.__version__,
                "addon_sha256": digest,
                "addon_files": [{"sha256": d, "path": p} for d, p in manifest],
                "client_auth": DISCLOSED,
                "pid": _pid(),
            }
        )


def _pid() -> int:
    import os

    return os.getpid()


def _warcinfo_fields(info: dict[str, Any], static: list[tuple[str, str]]) -> list[tuple[str, str]]:
    fields = [
        ("software", f"Quzheng/{forensics.__version__} capture proxy (mitmproxy/{info['mitm']})"),
        ("format", "WARC File Format 1.1"),
        (
            "conformsTo",
            "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        ),
        ("operator", info["operator"]),
        ("hostname", socket.gethostname()),
        ("os", platform.platform()),
        ("python", platform.python_version()),
        ("openssl", info["openssl"]),
        ("quzheng-version", forensics.__version__),
        ("mitmproxy-version", info["mitm"]),
        ("proxy-listen", info.get("listen", "")),
        ("addon-sha256", info.get("addon_sha256", "")),
    ]
    fields += [("addon-file", f"{d}  {p}") for d, p in info.get("addon_files", [])]
    fields += static
    return fields


async def _serve(args: argparse.Namespace, run_id: str, run_started: float, secret: str) -> int:
    from mitmproxy import options
    from mitmproxy.addons import core, next_layer, proxyserver, tlsconfig
    from mitmproxy.master import Master

    proxyserver_addon: Any = proxyserver.Proxyserver
    from mitmproxy.version import VERSION
    from OpenSSL import SSL

    work_dir: Path = args.work_dir
    map_hosts = _parse_map(args.map_host)
    spool_dir = spool_dir_for(work_dir, run_id)
    bundle, trust_fields = _trust_bundle(spool_dir, args.upstream_ca)

    opts: Any = options.Options(
        listen_host="127.0.0.1",
        listen_port=args.listen_port,
        mode=["regular"],
        confdir=str(args.confdir),
        ssl_insecure=False,
        ssl_verify_upstream_trusted_ca=str(bundle),
        upstream_cert=True,
        http3=False,
    )
    master: Any = Master(opts)  # mitmproxy's API is only partly typed
    loop = asyncio.get_running_loop()
    _shutdown_hook.append(master.shutdown)

    ca = ensure_ca(args.confdir)
    info: dict[str, Any] = {
        "operator": args.operator,
        "mitm": VERSION,
        "openssl": SSL.SSLeay_version(SSL.SSLEAY_VERSION).decode("ascii", "replace"),
    }
    static: list[tuple[str, str]] = []

    def warcinfo(filename: str, seq: int) -> list[tuple[str, str]]:
        seg = [("isPartOf", f"quzheng-proxy-run-{run_id}"), ("segment-sequence", str(seq))]
        return _warcinfo_fields(info, static) + seg

    segments = SegmentWriter(
        work_dir,
        run_id,
        run_started,
        warcinfo,
        segment_seconds=args.segment_seconds,
        segment_bytes=args.segment_bytes,
    )
    writer = Writer(segments, spool_dir, emit, on_fatal=master.shutdown)
    addon = RecordingAddon(writer, emit, map_hosts)
    client_auth = ClientAuth(secret, emit)

    master.addons.add(
        core.Core(),
        proxyserver_addon(),
        next_layer.NextLayer(),
        tlsconfig.TlsConfig(),
    )
    opts.update(
        stream_large_bodies=STREAM_LARGE_BODIES,
        connection_strategy="eager",
        store_streamed_bodies=False,
    )
    ca_disclosed = {"sha256": ca.sha256, "spki": ca.spki_sha256_b64, "subject": ca.subject}
    static += [
        ("proxy-ca-sha256", ca.sha256),
        ("proxy-ca-spki-sha256-b64", ca.spki_sha256_b64),
        ("proxy-ca-subject", ca.subject),
        (
            "proxy-options",
            f"mode=regular listen_host=127.0.0.1 stream_large_bodies={STREAM_LARGE_BODIES} "
            "connection_strategy=eager ssl_insecure=false upstream_cert=true http2=true "
            "http3=false client_auth=per-session-secret",
        ),
        *trust_fields,
        *[
            ("upstream-map", f"{suffix}={host}:{port}")
            for suffix, (host, port) in sorted(map_hosts.items())
        ],
    ]
    announce = _Announce(info, ca_disclosed, VERSION)
    # The client check first: its verdict is on the flow before the recording addon sees it.
    master.addons.add(announce, client_auth, addon)

    writer.start()
    stop_reason = ["stdin closed"]

    def stdin_reader() -> None:
        for raw in sys.stdin:
            command = raw.strip()
            if command == "roll":
                addon.roll()
            elif command == "stop":
                stop_reason[0] = "stop command"
                break
            elif command:
                emit({"event": "warning", "kind": "unknown-command", "command": command[:100]})
        master.shutdown()

    threading.Thread(target=stdin_reader, name="stdin", daemon=True).start()
    for signum in (signal.SIGTERM, signal.SIGINT):
        # Windows has no add_signal_handler: there, end of stdin is the way to stop.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, _on_signal, master, stop_reason, signum)

    await master.run()
    if writer.failed.is_set():
        emit({"event": "stopped", "reason": "recording failed", "exit": 3})
        return 3
    if not announce.ok:
        return 2
    # Nothing open remains: the spool (and the trust bundle in it) can go.
    if not any(work_dir.glob(f"*-{run_id}-*{OPEN_SUFFIX}")):
        remove_tree(spool_dir)
    emit({"event": "stopped", "reason": stop_reason[0], "exit": 0})
    return 0


def _on_signal(master: Any, reason: list[str], signum: int) -> None:
    reason[0] = f"signal {signal.Signals(signum).name}"
    master.shutdown()


class _QuietShutdown(logging.Filter):
    """mitmproxy's client tasks are cancelled at shutdown; asyncio logs that as an error."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, asyncio.CancelledError) and "CancelledError" not in str(
            record.msg
        )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("asyncio").addFilter(_QuietShutdown())
    try:
        work_dir: Path = args.work_dir
        work_dir.mkdir(parents=True, exist_ok=True)
        for ca_file in args.upstream_ca:
            if not ca_file.is_file():
                raise ValueError(f"upstream CA file not found: {ca_file}")
        _parse_map(args.map_host)
        if args.segment_seconds <= 0 or args.segment_bytes <= 0:
            raise ValueError("segment limits must be positive")
        secret = sys.stdin.readline().strip()
        if len(secret) < MIN_SECRET_CHARS:
            raise ValueError("no client secret on the first line of standard input")
    except (OSError, ValueError) as exc:
        emit(
            {
                "event": "error",
                "fatal": True,
                "kind": "startup",
                "message": str(exc),
                "message_zh": f"抓包代理无法启动：{exc}",
            }
        )
        return 2
    run_id = uuid.uuid4().hex[:12]
    lock = RunLock(work_dir / f"{LOCK_PREFIX}{run_id}.lock")
    if not lock.acquire():
        emit({"event": "error", "fatal": True, "kind": "startup", "message": "run lock busy"})
        return 2
    try:
        code = asyncio.run(_serve(args, run_id, time.time(), secret))
    except (OSError, ssl.SSLError, ValueError, RuntimeError, QuzhengError) as exc:
        emit(
            {
                "event": "error",
                "fatal": True,
                "kind": "startup",
                "message": f"The capture proxy failed: {exc}",
                "message_zh": f"抓包代理运行失败：{exc}",
            }
        )
        code = 2
    leftover = any(work_dir.glob(f"*-{run_id}-*{OPEN_SUFFIX}"))
    lock.release(unlink=not leftover)
    return code


if __name__ == "__main__":
    sys.exit(main())
