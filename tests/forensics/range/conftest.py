"""Fixtures: a range per test module on a fake clock, and clients trusting only its CA."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from forensics.range import RangeServer
from forensics.range.client import Fetched, RangeConnection, client_context, fetch

SEED = 2026


class FakeClock:
    """A clock the test moves by hand (the range reads it from its own threads)."""

    def __init__(self, start: float = 1_767_225_600.0) -> None:
        self._t = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._t

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._t += seconds


@pytest.fixture(scope="session")
def range_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Shared by every module: the CA is made once and segments are cached once.
    return tmp_path_factory.mktemp("range-data")


@pytest.fixture(scope="module")
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="module")
def server(range_data: Path, clock: FakeClock) -> Iterator[RangeServer]:
    with RangeServer(range_data, seed=SEED, now=clock) as running:
        yield running


type Get = Callable[..., Fetched]


@pytest.fixture
def get(server: RangeServer) -> Iterator[Get]:
    """``get(host, path, method=..., body=..., headers=...)`` over kept-alive HTTP/1.1."""
    context = client_context(server.ca_cert_path)
    connections: dict[str, RangeConnection] = {}

    def request(host: str, path: str, **kwargs: object) -> Fetched:
        connection = connections.get(host)
        if connection is None or connection.sock is None:
            connection = RangeConnection(host, server.port, context)
            connections[host] = connection
        return fetch(connection, path, **kwargs)  # type: ignore[arg-type]

    yield request
    for connection in connections.values():
        connection.close()
