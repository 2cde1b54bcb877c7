"""A small HTTPS client for the range without touching the hosts file (tests, demo, tools).

It connects to 127.0.0.1:<port> and speaks to ``shop.range.test`` (or another range host)
through SNI and the Host header, trusting the range CA only.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

from forensics.range.errors import RangeError


def client_context(ca_cert_path: Path, alpn: tuple[str, ...] = ("http/1.1",)) -> ssl.SSLContext:
    """A TLS client context that trusts ``ca_cert_path`` and nothing else."""
    context = ssl.create_default_context(cafile=str(ca_cert_path))
    context.set_alpn_protocols(list(alpn))
    return context


class RangeConnection(http.client.HTTPSConnection):
    """``HTTPSConnection`` to a range host, dialled at ``address`` instead of resolving it."""

    def __init__(
        self,
        host: str,
        port: int,
        context: ssl.SSLContext,
        *,
        address: str = "127.0.0.1",
        timeout: float = 30.0,
    ) -> None:
        super().__init__(host, port, context=context, timeout=timeout)
        self._address = address
        self._tls_context = context

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        try:
            self.sock = self._tls_context.wrap_socket(raw, server_hostname=self.host)
        except BaseException:
            raw.close()
            raise


@dataclass(frozen=True)
class Fetched:
    status: int
    headers: Message
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def fetch(
    connection: RangeConnection,
    path: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Fetched:
    """One request on a kept-alive connection; raises ``RangeError`` on network failure."""
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
    except (OSError, http.client.HTTPException) as exc:
        connection.close()
        raise RangeError(
            f"request to {connection.host}{path} failed: {exc}",
            f"请求 {connection.host}{path} 失败：{exc}",
        ) from exc
    return Fetched(response.status, response.headers, data)
