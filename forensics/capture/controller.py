"""The app's side of the recording proxy: start it, read its events, stop it.

Usage (the lead seals each closed segment as ``capture.traffic``)::

    recover_open_segments(work_dir)            # first: seal these as capture.recovered
    with RecordingProxy(work_dir, confdir, operator="张三 (12345678)",
                        on_segment=seal_traffic) as proxy:
        browser.set_proxy(proxy.proxy_url, spki=proxy.disclosure["ca_spki_sha256_b64"])
        ...                                     # capture
    # leaving the block stops the proxy gracefully: the open segment is closed and
    # reported through on_segment before stop() returns.

Only the capture browser may use the proxy: each ``RecordingProxy`` makes a new secret,
hands it to the child on its standard input and gives it to the browser
(``credentials``; ``clientauth`` has the details). Other clients are refused, and each
refusal is counted (``refused_count``, the first few in ``refusals``) and passed to
``on_refused``. The browser's own background requests to its vendor's services (sign-in,
update checks: credential-less, so refused as well) are no intruders: they are counted
apart (``background_count``, the first few in ``background_refusals``), logged at info
level only, and not passed to ``on_refused``.

``on_segment``, ``on_error`` and ``on_refused`` run on the reader thread, one at a time,
in the order the proxy reported; hand work to the sealer from there, do not block for long.
"""

from __future__ import annotations

import base64
import collections
import contextlib
import json
import logging
import os
import queue
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Final, Self

import forensics
from forensics.capture.ca import CaInfo, ensure_ca
from forensics.capture.clientauth import MAX_DETAILED, PROXY_USER
from forensics.capture.warc import DEFAULT_SEGMENT_BYTES, DEFAULT_SEGMENT_SECONDS
from forensics.childenv import child_environment
from forensics.entry_data import SensitiveUse, TrafficData
from forensics.errors import CaptureError, InputError

logger = logging.getLogger(__name__)

_STDERR_TAIL: Final = 200


@dataclass(frozen=True)
class SegmentPart:
    """A part of a segmented record (a response still arriving when a segment closed)
    that a segment holds: docs/package-format.md §4."""

    uri: str
    origin_id: str
    """The WARC-Record-ID of the series' first part (the response record)."""
    record_id: str
    segment_number: int
    payload_from: int
    payload_to: int
    """The part's payload bytes: ``[payload_from, payload_to)`` of the response body."""
    payload_sha256: str
    last: bool
    truncated: str | None

    @classmethod
    def from_json(cls, item: object) -> SegmentPart:
        """Raises ValueError when ``item`` is not a well-formed part."""
        if not isinstance(item, dict):
            raise ValueError("part is not an object")
        texts = {}
        for key in ("uri", "origin_id", "record_id", "payload_sha256"):
            value = item.get(key)
            if not isinstance(value, str):
                raise ValueError(key)
            texts[key] = value
        numbers = {}
        for key in ("segment_number", "payload_from", "payload_to"):
            value = item.get(key)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(key)
            numbers[key] = value
        last, truncated = item.get("last"), item.get("truncated")
        if not isinstance(last, bool) or not (truncated is None or isinstance(truncated, str)):
            raise ValueError("last/truncated")
        if numbers["segment_number"] < 1 or numbers["payload_to"] < numbers["payload_from"]:
            raise ValueError("segment_number/payload range")
        return cls(
            uri=texts["uri"],
            origin_id=texts["origin_id"],
            record_id=texts["record_id"],
            segment_number=numbers["segment_number"],
            payload_from=numbers["payload_from"],
            payload_to=numbers["payload_to"],
            payload_sha256=texts["payload_sha256"],
            last=last,
            truncated=truncated,
        )

    def to_json(self) -> dict[str, object]:
        return {
            "uri": self.uri,
            "origin_id": self.origin_id,
            "record_id": self.record_id,
            "segment_number": self.segment_number,
            "payload_from": self.payload_from,
            "payload_to": self.payload_to,
            "payload_sha256": self.payload_sha256,
            "last": self.last,
            "truncated": self.truncated,
        }


@dataclass(frozen=True)
class SegmentInfo:
    """A closed, fsynced segment the proxy reported. Its file no longer changes."""

    path: Path
    records: int
    """Records other than the segment's warcinfo."""
    bytes: int
    urls: tuple[str, ...]
    hosts: tuple[str, ...]
    sensitive: tuple[SensitiveUse, ...]
    started: str
    ended: str
    partials: tuple[SegmentPart, ...] = ()
    """Parts of responses still arriving when the segment closed, or ending in it after
    an earlier part (WARC 1.1 record segmentation)."""

    @classmethod
    def from_event(cls, event: Mapping[str, object]) -> SegmentInfo:
        """Parse a ``segment`` event; ``CaptureError`` if it is malformed."""

        def bad(what: str) -> CaptureError:
            return CaptureError(
                f"The capture proxy reported a malformed segment event ({what}).",
                f"抓包代理报告的分段信息格式错误（{what}）。",
            )

        def strings(key: str) -> tuple[str, ...]:
            value = event.get(key)
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise bad(key)
            return tuple(value)

        uses = []
        sensitive = event.get("sensitive", [])
        if not isinstance(sensitive, list):
            raise bad("sensitive")
        for item in sensitive:
            if not isinstance(item, dict):
                raise bad("sensitive")
            url, headers = item.get("url"), item.get("headers")
            if not isinstance(url, str) or not isinstance(headers, list):
                raise bad("sensitive")
            uses.append(SensitiveUse(url, tuple(str(h) for h in headers)))
        path, records, size = event.get("path"), event.get("records"), event.get("bytes", 0)
        started, ended = event.get("started"), event.get("ended")
        if not isinstance(path, str) or not isinstance(records, int) or not isinstance(size, int):
            raise bad("path/records/bytes")
        if not isinstance(started, str) or not isinstance(ended, str):
            raise bad("started/ended")
        partials = event.get("partials", [])
        if not isinstance(partials, list):
            raise bad("partials")
        try:
            parts = tuple(SegmentPart.from_json(p) for p in partials)
        except ValueError as exc:
            raise bad(f"partials: {exc}") from exc
        return cls(
            path=Path(path),
            records=records,
            bytes=size,
            urls=strings("urls"),
            hosts=strings("hosts"),
            sensitive=tuple(uses),
            started=started,
            ended=ended,
            partials=parts,
        )

    def ledger_data(self) -> dict[str, object]:
        """The ``data`` of the ``capture.traffic`` entry that seals this segment."""
        return TrafficData(
            segment=self.path.name,
            records=self.records,
            started=self.started,
            ended=self.ended,
            urls=self.urls,
            hosts=self.hosts,
            sensitive=self.sensitive,
            # Written only when there are any: entries without parts keep their earlier shape.
            partials=tuple(p.to_json() for p in self.partials),
        ).to_json()


def proxy_command(python: str = sys.executable) -> list[str]:
    """How the child is started. A frozen build replaces this with its own entry point."""
    return [python, "-m", "forensics.capture.proxy"]


class RecordingProxy:
    """The recording proxy child process (``python -m forensics.capture.proxy``)."""

    def __init__(
        self,
        work_dir: Path,
        confdir: Path,
        map_hosts: Mapping[str, str] | None = None,
        upstream_cas: Sequence[Path] = (),
        segment_seconds: float = DEFAULT_SEGMENT_SECONDS,
        segment_bytes: int = DEFAULT_SEGMENT_BYTES,
        operator: str = "",
        *,
        on_segment: Callable[[SegmentInfo], None] | None = None,
        on_error: Callable[[CaptureError], None] | None = None,
        on_refused: Callable[[dict[str, object]], None] | None = None,
        startup_timeout: float = 30.0,
        command: Sequence[str] | None = None,
        listen_port: int = 0,
    ) -> None:
        if not 0 <= listen_port < 65536:
            raise InputError(f"bad proxy port {listen_port}", f"代理端口无效：{listen_port}")
        self.listen_port = listen_port
        self.work_dir = Path(work_dir)
        self.confdir = Path(confdir)
        self.map_hosts = dict(map_hosts or {})
        self.upstream_cas = [Path(p) for p in upstream_cas]
        self.segment_seconds = segment_seconds
        self.segment_bytes = segment_bytes
        self.operator = operator
        self.on_segment = on_segment
        self.on_error = on_error
        self.on_refused = on_refused
        # Per proxy run, so per session; never on a command line, in a log or a record.
        self._secret = secrets.token_urlsafe(32)
        self._refusals: list[dict[str, object]] = []
        self._refused_count = 0
        self._background: list[dict[str, object]] = []
        self._background_count = 0
        self.startup_timeout = startup_timeout
        self._command = list(command) if command else proxy_command()
        self._proc: subprocess.Popen[bytes] | None = None
        self._reader: threading.Thread | None = None
        self._stderr_reader: threading.Thread | None = None
        self._stderr: collections.deque[str] = collections.deque(maxlen=_STDERR_TAIL)
        self._events: queue.Queue[dict[str, object] | None] = queue.Queue()
        self._listening = threading.Event()
        self._lock = threading.Lock()
        self._segments: list[SegmentInfo] = []
        self._listen_event: dict[str, object] = {}
        self.ca: CaInfo | None = None
        self.error: CaptureError | None = None
        self.stopped_event: dict[str, object] | None = None

    # ---- properties

    @property
    def port(self) -> int:
        port = self._listen_event.get("port")
        if not isinstance(port, int):
            raise CaptureError("The capture proxy is not running.", "抓包代理未运行。")
        return port

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def credentials(self) -> tuple[str, str]:
        """(user, secret) the browser answers the proxy's challenge with."""
        return PROXY_USER, self._secret

    @property
    def proxy_authorization(self) -> str:
        """The ``Proxy-Authorization`` value of a legitimate internal client."""
        token = base64.b64encode(f"{PROXY_USER}:{self._secret}".encode()).decode("ascii")
        return f"Basic {token}"

    @property
    def authenticated_proxy_url(self) -> str:
        """``http://user:secret@127.0.0.1:port``, for clients that take a proxy URL."""
        return f"http://{PROXY_USER}:{self._secret}@127.0.0.1:{self.port}"

    @property
    def refused_count(self) -> int:
        """How many requests of other clients the proxy refused so far."""
        with self._lock:
            return self._refused_count

    @property
    def refusals(self) -> list[dict[str, object]]:
        """The first refused requests, with client address, method, host and time."""
        with self._lock:
            return [dict(r) for r in self._refusals]

    @property
    def background_count(self) -> int:
        """How many of the browser's own background requests the proxy refused so far."""
        with self._lock:
            return self._background_count

    @property
    def background_refusals(self) -> list[dict[str, object]]:
        """The first refused background requests of the browser: method, host and time."""
        with self._lock:
            return [dict(r) for r in self._background]

    @property
    def pid(self) -> int:
        if self._proc is None:
            raise CaptureError("The capture proxy is not running.", "抓包代理未运行。")
        return self._proc.pid

    @property
    def disclosure(self) -> dict[str, object]:
        """What the record must say about the proxy (REQUIREMENTS.md §B3, §A8)."""
        ev = self._listen_event
        if not ev:
            raise CaptureError("The capture proxy is not running.", "抓包代理未运行。")
        return {
            "software": "mitmproxy",
            "mitmproxy": ev.get("mitmproxy"),
            "quzheng": ev.get("quzheng", forensics.__version__),
            "listen": f"{ev.get('host')}:{ev.get('port')}",
            "ca_sha256": ev.get("ca_sha256"),
            "ca_spki_sha256_b64": ev.get("ca_spki_sha256_b64"),
            "ca_subject": ev.get("ca_subject"),
            "addon_sha256": ev.get("addon_sha256"),
            "addon_files": ev.get("addon_files"),
            "modifies_traffic": False,
            "client_auth": ev.get("client_auth"),
        }

    @property
    def segments(self) -> list[SegmentInfo]:
        with self._lock:
            return list(self._segments)

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def returncode(self) -> int | None:
        return None if self._proc is None else self._proc.poll()

    def stderr_tail(self) -> str:
        return "\n".join(self._stderr)

    # ---- lifecycle

    def _args(self) -> list[str]:
        args = [
            *self._command,
            "--work-dir",
            str(self.work_dir),
            "--confdir",
            str(self.confdir),
            "--listen-port",
            str(self.listen_port),
            "--segment-seconds",
            str(self.segment_seconds),
            "--segment-bytes",
            str(self.segment_bytes),
            "--operator",
            self.operator,
        ]
        for suffix, target in sorted(self.map_hosts.items()):
            args += ["--map-host", f"{suffix}={target}"]
        for ca in self.upstream_cas:
            args += ["--upstream-ca", str(ca)]
        return args

    def start(self) -> None:
        if self._proc is not None:
            raise CaptureError("The capture proxy was already started.", "抓包代理已启动。")
        self.ca = ensure_ca(self.confdir)
        try:
            self.work_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CaptureError(
                f"The capture work folder {self.work_dir} cannot be created: {exc}",
                f"无法创建抓包工作目录 {self.work_dir}：{exc}",
            ) from exc
        env = child_environment()  # never a passphrase: the child parses hostile traffic
        # The child imports forensics from the same place as we do.
        root = str(Path(forensics.__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        env["PYTHONIOENCODING"] = "utf-8"
        try:
            self._proc = subprocess.Popen(
                self._args(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
            )
        except OSError as exc:
            raise CaptureError(
                f"The capture proxy could not be started: {exc}",
                f"无法启动抓包代理：{exc}",
            ) from exc
        assert self._proc.stdout is not None and self._proc.stderr is not None
        self._send(self._secret)  # the first line: the child admits only who knows it
        self._reader = threading.Thread(
            target=self._read_events, args=(self._proc.stdout,), name="proxy-events", daemon=True
        )
        self._stderr_reader = threading.Thread(
            target=self._read_stderr, args=(self._proc.stderr,), name="proxy-stderr", daemon=True
        )
        self._reader.start()
        self._stderr_reader.start()
        deadline = time.monotonic() + self.startup_timeout
        while not self._listening.wait(0.05):
            if self._proc.poll() is not None or time.monotonic() > deadline:
                timed_out = self._proc.poll() is None
                self.kill()
                detail = self.error.message_en if self.error else self.stderr_tail()[-2000:]
                why = "did not start in time" if timed_out else "exited during start-up"
                raise CaptureError(
                    f"The capture proxy {why}. {detail}".strip(),
                    f"抓包代理未能启动（{'超时' if timed_out else '启动时退出'}）。{detail}".strip(),
                )

    def roll(self) -> None:
        """Close the open segment now (e.g. at a mark); it is reported like any other."""
        self._send("roll")

    def _send(self, line: str) -> None:
        proc = self._proc
        if proc is None or proc.stdin is None or proc.poll() is not None:
            return
        try:
            proc.stdin.write(line.encode("utf-8") + b"\n")
            proc.stdin.flush()
        except OSError:
            pass

    def stop(self, timeout: float = 60.0) -> list[SegmentInfo]:
        """Stop gracefully: the open segment is closed and reported before this returns."""
        proc = self._proc
        if proc is None:
            return self.segments
        if proc.poll() is None and proc.stdin is not None:
            with contextlib.suppress(OSError):
                proc.stdin.close()  # end of input: the child's signal to finish
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                logger.warning("capture proxy did not stop in %ss; terminating", timeout)
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        self._finish()
        return self.segments

    def kill(self) -> None:
        """SIGKILL the child (tests, and a hung proxy). Its open segment awaits recovery."""
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        self._finish()

    def _finish(self) -> None:
        proc = self._proc
        assert proc is not None
        for thread in (self._reader, self._stderr_reader):
            if thread is not None:
                thread.join(10)
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream is not None and not stream.closed:
                with contextlib.suppress(OSError):
                    stream.close()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._proc is not None and self._proc.returncode is None:
            self.stop()
        elif self._proc is not None:
            self._finish()

    # ---- events

    def events(self, timeout: float | None = None) -> Iterator[dict[str, object]]:
        """Every event the proxy reported, as it arrives, until the proxy has exited.

        ``timeout`` bounds the wait for each next event (``queue.Empty`` is not raised: the
        iteration simply ends). One consumer at a time.
        """
        while True:
            try:
                item = self._events.get(timeout=timeout)
            except queue.Empty:
                return
            if item is None:
                self._events.put(None)  # later callers end too
                return
            yield item

    def _read_events(self, stream: IO[bytes]) -> None:
        for raw in stream:
            try:
                event = json.loads(raw.decode("utf-8"))
                if not isinstance(event, dict):
                    raise ValueError("not an object")
            except ValueError:
                logger.warning("capture proxy wrote a non-JSON line: %r", raw[:200])
                continue
            self._events.put(event)
            kind = event.get("event")
            try:
                if kind == "listening":
                    self._listen_event = event
                    self._listening.set()
                elif kind == "segment":
                    info = SegmentInfo.from_event(event)
                    with self._lock:
                        self._segments.append(info)
                    if self.on_segment is not None:
                        self.on_segment(info)
                elif kind == "error":
                    err = CaptureError(
                        str(event.get("message", "capture proxy error")),
                        str(event.get("message_zh", event.get("message", "抓包代理错误"))),
                    )
                    if event.get("fatal"):
                        self.error = err
                    if self.on_error is not None:
                        self.on_error(err)
                elif kind == "stopped":
                    self.stopped_event = event
                elif kind == "refused":
                    self._refused(event)
                elif kind == "background":
                    self._background_refused(event)
                elif kind == "warning":
                    logger.warning("capture proxy: %s", event)
            except Exception:  # a failing callback must not stop the reader
                logger.exception("capture proxy event handler failed for %s", kind)
        self._events.put(None)

    @staticmethod
    def _detail(event: dict[str, object]) -> tuple[int, dict[str, object]] | None:
        """A refusal event's running count and its plain fields (None when malformed)."""
        n = event.get("n")
        if not isinstance(n, int):
            return None
        return n, {k: v for k, v in event.items() if k != "event" and isinstance(v, str | int)}

    def _refused(self, event: dict[str, object]) -> None:
        parsed = self._detail(event)
        if parsed is None:
            return
        n, detail = parsed
        with self._lock:
            self._refused_count = max(self._refused_count, n)
            if "client" in detail and len(self._refusals) < MAX_DETAILED:
                self._refusals.append(detail)
        logger.warning("capture proxy refused a client: %s", detail)
        if self.on_refused is not None:
            self.on_refused(detail)

    def _background_refused(self, event: dict[str, object]) -> None:
        """The browser's own background request, refused: no intruder, nobody is told."""
        parsed = self._detail(event)
        if parsed is None:
            return
        n, detail = parsed
        with self._lock:
            self._background_count = max(self._background_count, n)
            if "method" in detail and len(self._background) < MAX_DETAILED:
                self._background.append(detail)
        if "method" in detail:
            logger.info("capture proxy refused a background request of the browser: %s", detail)
        else:
            logger.debug("capture proxy: %d background requests of the browser refused", n)

    def _read_stderr(self, stream: IO[bytes]) -> None:
        for raw in stream:
            line = raw.decode("utf-8", "replace").rstrip()
            self._stderr.append(line)
            logger.debug("capture proxy: %s", line)
