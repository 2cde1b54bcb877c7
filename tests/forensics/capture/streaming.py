"""Helpers for the tests of long responses sealed while they run: a reader of an endless
response (through the recording proxy, or straight to the range), and an independent reader
of WARC 1.1 segmented records (warcio, the spec's fields) across segment files."""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from forensics.capture.controller import RecordingProxy
from tests.forensics.capture.conftest import client_context


class EndlessReader:
    """Reads one endless response in a thread of its own, keeping every byte received."""

    def __init__(self, connect: Callable[[], http.client.HTTPConnection], path: str) -> None:
        self._connect = connect
        self._path = path
        self._lock = threading.Lock()
        self._data = bytearray()
        self._stop = threading.Event()
        self.status = 0
        self.error: BaseException | None = None
        self._conn: http.client.HTTPConnection | None = None
        self._thread = threading.Thread(target=self._run, name="endless-reader", daemon=True)

    def start(self) -> EndlessReader:
        self._thread.start()
        return self

    def _run(self) -> None:
        conn = self._conn = self._connect()
        try:
            conn.request("GET", self._path)
            resp = conn.getresponse()
            self.status = resp.status
            while not self._stop.is_set():
                data = resp.read1(64 * 1024)
                if not data:
                    break
                with self._lock:
                    self._data += data
        except BaseException as exc:  # reported to the test through ``error``
            if not self._stop.is_set():
                self.error = exc
        finally:
            conn.close()

    @property
    def received(self) -> bytes:
        with self._lock:
            return bytes(self._data)

    def wait_for(self, size: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.received) < size:
            assert self.error is None, self.error
            assert time.monotonic() < deadline, f"only {len(self.received)} bytes arrived"
            time.sleep(0.02)

    def stop(self) -> bytes:
        """Hang up; what was received until then."""
        self._stop.set()
        sock = self._conn.sock if self._conn is not None else None
        if sock is not None:  # a read waiting for a stream that paused returns now
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self._thread.join(30)
        assert not self._thread.is_alive()
        return self.received


def through_proxy(proxy: RecordingProxy, host: str) -> Callable[[], http.client.HTTPConnection]:
    def connect() -> http.client.HTTPConnection:
        conn = http.client.HTTPSConnection(
            "127.0.0.1", proxy.port, context=client_context(proxy), timeout=60
        )
        conn.set_tunnel(host, 443, headers={"Proxy-Authorization": proxy.proxy_authorization})
        return conn

    return connect


@dataclass
class Part:
    file: str
    record_id: str
    rtype: str
    number: int
    origin: str
    total: int | None
    truncated: str | None
    block_len: int
    payload: bytes  # the response body bytes this part holds (the HTTP head left out)


@dataclass
class Series:
    """A segmented record rebuilt from its parts (in segment-number order)."""

    uri: str
    origin: str
    parts: list[Part] = field(default_factory=list)

    @property
    def payload(self) -> bytes:
        return b"".join(p.payload for p in self.parts)


def read_series(paths: Iterable[Path], uri: str) -> Series:
    """The segmented response for ``uri`` across ``paths``, digests checked by warcio,
    every spec rule of WARC 1.1 segmentation asserted on the way."""
    from warcio.archiveiterator import ArchiveIterator

    parts: list[Part] = []
    for path in paths:
        with path.open("rb") as f:
            for record in ArchiveIterator(f, check_digests="raise"):
                h = record.rec_headers
                number = h.get_header("WARC-Segment-Number")
                if record.rec_type not in ("response", "continuation") or number is None:
                    record.raw_stream.read()
                    continue
                if h.get_header("WARC-Target-URI") != uri:
                    record.raw_stream.read()
                    continue
                body = record.raw_stream.read()
                if record.rec_type == "response":
                    # raw_stream starts after the HTTP head warcio parsed.
                    block_len = int(h.get_header("Content-Length"))
                    origin = h.get_header("WARC-Record-ID")
                    assert number == "1"
                    assert h.get_header("WARC-Segment-Origin-ID") is None
                else:
                    block_len = len(body)
                    origin = h.get_header("WARC-Segment-Origin-ID")
                    assert h.get_header("Content-Type") is None
                assert h.get_header("WARC-Payload-Digest") is None
                total = h.get_header("WARC-Segment-Total-Length")
                parts.append(
                    Part(
                        file=path.name,
                        record_id=h.get_header("WARC-Record-ID"),
                        rtype=record.rec_type,
                        number=int(number),
                        origin=origin,
                        total=int(total) if total is not None else None,
                        truncated=h.get_header("WARC-Truncated"),
                        block_len=block_len,
                        payload=body,
                    )
                )
    assert parts, f"no segmented record for {uri}"
    parts.sort(key=lambda p: p.number)
    first = parts[0]
    assert first.rtype == "response" and first.number == 1
    assert [p.number for p in parts] == list(range(1, len(parts) + 1)), "a part is missing"
    assert {p.origin for p in parts} == {first.record_id}
    assert all(p.rtype == "continuation" for p in parts[1:])
    assert all(p.total is None for p in parts[:-1])
    if parts[-1].total is not None:  # the series ended: its length is the sum of its blocks
        assert parts[-1].total == sum(p.block_len for p in parts)
    return Series(uri, first.record_id, parts)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
