"""Fixtures for the clean-environment check: a plain-text IP echo service and an SNTP
responder on 127.0.0.1, ports where nothing listens, and quiet stand-ins for the
machine's edges (processes, interfaces, commands) so most tests do not depend on the
host. No test touches the internet."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from forensics.environment import Interface, Proc
from tests.forensics.environment.echo_service import echo_services
from tests.forensics.timestamp.sntp_responder import sntp_responders

NTP_TO_UNIX = 2_208_988_800


@pytest.fixture
def echo_server() -> Iterator[Callable[..., str]]:
    """Start an HTTP "what is my IP" service answering every GET with ``body``."""
    with echo_services() as start:
        yield start


@pytest.fixture
def sntp() -> Iterator[Callable[..., str]]:
    """Start an SNTP responder whose clock runs ``skew`` seconds ahead of ours."""
    with sntp_responders() as start:
        yield start


@pytest.fixture
def closed_url() -> str:
    """An http URL on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/ip"


@pytest.fixture
def dead_ntp() -> str:
    """A UDP port on 127.0.0.1 where nothing listens."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{s.getsockname()[1]}"


def fake_resolver(table: dict[str, list[str]]) -> Callable[[str], Sequence[str]]:
    def resolve(host: str) -> Sequence[str]:
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return table[host]

    return resolve


def quiet_run(args: Sequence[str], timeout: float) -> str:
    """gsettings as on a machine without a system proxy."""
    return "'none'\n"


@pytest.fixture
def hosts_file(tmp_path: Path) -> Path:
    path = tmp_path / "hosts"
    path.write_text("# static table\n127.0.0.1 localhost\n::1 localhost ip6-localhost\n")
    return path


@pytest.fixture
def edges(tmp_path: Path, hosts_file: Path) -> dict[str, Any]:
    """Keyword arguments for ``snapshot()`` that pin every edge of the machine."""
    resolv = tmp_path / "resolv.conf"
    resolv.write_text(
        "# generated\nsearch example.org\nnameserver 223.5.5.5\nnameserver 119.29.29.29\n"
    )
    return {
        "hosts_path": hosts_file,
        "resolv_conf": resolv,
        "etc_environment": tmp_path / "environment",  # absent, as on many systems
        "environ": {"PATH": "/usr/bin", "LANG": "C.UTF-8"},
        "processes": lambda: [Proc(1, "systemd", "root"), Proc(4242, "python3", "officer")],
        "interfaces": lambda: [
            Interface("lo", True, ("127.0.0.1", "::1")),
            Interface("eth0", True, ("192.0.2.20",)),
        ],
        "run": quiet_run,
        "resolver": fake_resolver({"shop.example.com": ["203.0.113.80"]}),
        "timeout": 1.0,
    }
