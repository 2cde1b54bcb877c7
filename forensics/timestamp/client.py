"""RFC 3161 client: ask the configured TSAs, in order, for a token over an entry hash.

Every answer is verified at receipt (RFC 3161 §2.2) before it is accepted; a TSA that
refuses, fails or sends a token that does not verify is skipped for the next one. When none
gives a valid token, ``TimestampUnavailable`` lists each URL and why: the seal itself stands
and the caller queues the request for later.
"""

from __future__ import annotations

import http.client
import secrets
import socket
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from asn1crypto import tsp

from forensics import __version__
from forensics.errors import InputError, os_reason
from forensics.timestamp.errors import Attempt, TimestampUnavailable, TokenError
from forensics.timestamp.token_check import (
    CertSource,
    TokenInfo,
    _load_config_certs,
    check_time_agreement,
    parse_response,
    response_from_token,
    token_info_to_json,
    verify_token,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "StampResult",
    "TimestampUnavailable",
    "TokenError",
    "TokenInfo",
    "build_request",
    "check_time_agreement",
    "request_token",
    "response_from_token",
    "token_info_to_json",
    "verify_token",
]

DEFAULT_TIMEOUT: Final = 10.0
MAX_REPLY_BYTES: Final = 1024 * 1024  # tokens are a few KB; a megabyte is already abuse
_USER_AGENT: Final = f"Quzheng/{__version__} (RFC 3161)"
_REPLY_TYPES: Final = ("application/timestamp-reply", "application/timestamp-response")


@dataclass(frozen=True)
class StampResult:
    """A verified token and where it came from. ``failures`` are the URLs tried before it
    (failover), worth recording beside the token."""

    token_der: bytes
    info: TokenInfo
    url: str
    failures: tuple[Attempt, ...] = ()


def build_request(digest: bytes, nonce: int) -> bytes:
    """A DER TimeStampReq: SHA-256 imprint ``digest``, ``nonce``, certReq true.

    Encoded with asn1crypto rather than rfc3161-client's TimestampRequestBuilder: that
    builder hashes the data it is given, and the imprint must be the entry hash itself
    (docs/package-format.md §1), which is all we hold."""
    if len(digest) != 32:
        raise InputError(
            "the digest must be 32 bytes of SHA-256", "摘要必须是 32 字节的 SHA-256 值"
        )
    req = tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": {
                "hash_algorithm": {"algorithm": "sha256"},
                "hashed_message": digest,
            },
            "nonce": nonce,
            "cert_req": True,
        }
    )
    return bytes(req.dump())


class _Failed(Exception):
    def __init__(self, code: str, en: str, zh: str, token_code: str | None = None) -> None:
        super().__init__(en)
        self.code, self.en, self.zh, self.token_code = code, en, zh, token_code


def _post(url: str, body: bytes, timeout: float) -> bytes:
    """POST ``body`` as application/timestamp-query; the reply body, within ``timeout``
    seconds in total (connect, send and read) and ``MAX_REPLY_BYTES``."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise _Failed("bad-url", f"not a valid URL ({exc})", f"地址无效（{exc}）") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _Failed("bad-url", "not an http(s) URL", "不是 http(s) 地址")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    deadline = time.monotonic() + timeout
    conn: http.client.HTTPConnection
    if parts.scheme == "https":
        conn = http.client.HTTPSConnection(
            parts.hostname, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        conn = http.client.HTTPConnection(parts.hostname, port, timeout=timeout)
    try:
        conn.connect()
        sock = conn.sock  # kept: the deadline is applied to every read below
        conn.request(
            "POST",
            path,
            body=body,
            headers={
                "Content-Type": "application/timestamp-query",
                "Accept": ", ".join(_REPLY_TYPES),
                "User-Agent": _USER_AGENT,
                "Connection": "close",
            },
        )
        if sock is not None:
            sock.settimeout(max(0.001, deadline - time.monotonic()))
        resp = conn.getresponse()
        if resp.status != 200:
            raise _Failed(
                "http-status",
                f"HTTP {resp.status} {resp.reason}".rstrip(),
                f"HTTP 状态 {resp.status} {resp.reason}".rstrip(),
            )
        chunks: list[bytes] = []
        total = 0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            if sock is not None:
                sock.settimeout(remaining)
            chunk = resp.read1(65536)
            if not chunk:
                break
            total += len(chunk)
            if total > MAX_REPLY_BYTES:
                raise _Failed(
                    "too-large",
                    f"the answer exceeds {MAX_REPLY_BYTES} bytes",
                    f"应答超过 {MAX_REPLY_BYTES} 字节",
                )
            chunks.append(chunk)
        return b"".join(chunks)
    except _Failed:
        raise
    except TimeoutError:
        raise _Failed(
            "timeout",
            f"no answer within {timeout:g} s (timeout)",
            f"{timeout:g} 秒内无应答（超时）",
        ) from None
    except ConnectionRefusedError:
        raise _Failed(
            "connection-refused",
            "connection refused (is the TSA running?)",
            "连接被拒绝（时间戳服务是否在运行？）",
        ) from None
    except socket.gaierror as exc:
        raise _Failed(
            "unresolvable",
            f"the host name cannot be resolved ({exc.strerror or exc})",
            f"无法解析主机名（{os_reason(exc)[1]}）",
        ) from None
    except (OSError, http.client.HTTPException) as exc:
        raise _Failed(
            "network",
            f"network error ({type(exc).__name__}: {exc})",
            f"网络错误（{type(exc).__name__}：{exc}）",
        ) from None
    finally:
        conn.close()


def _attempt(
    url: str, digest: bytes, roots: Sequence[CertSource], timeout: float
) -> tuple[bytes, TokenInfo]:
    nonce = secrets.randbits(64) | 1  # never 0: some TSAs drop a zero nonce
    body = _post(url, build_request(digest, nonce), timeout)
    try:
        status, token = parse_response(body)
    except TokenError:
        preview = repr(body[:32]) + ("…" if len(body) > 32 else "")
        raise _Failed(
            "not-rfc3161",
            f"the answer is not an RFC 3161 response ({len(body)} bytes: {preview})",
            f"应答不是 RFC 3161 时间戳应答（{len(body)} 字节：{preview}）",
        ) from None
    if status.status not in (0, 1):
        en, zh = status.describe()
        raise _Failed("status-rejected", f"the TSA refused: {en}", f"时间戳服务拒绝：{zh}")
    if token is None:
        raise _Failed(
            "not-rfc3161", "the TSA granted but sent no token", "时间戳服务应答为准许，但未附时间戳"
        )
    try:
        return token, verify_token(token, digest, roots, nonce=nonce)
    except TokenError as exc:
        raise _Failed(
            "token-invalid",
            f"the token failed verification: {exc.message_en}",
            f"时间戳未通过验证：{exc.message_zh}",
            token_code=exc.code,
        ) from None


def request_token(
    digest: bytes,
    urls: Sequence[str],
    trust_roots: Sequence[CertSource],
    timeout: float = DEFAULT_TIMEOUT,
) -> StampResult:
    """Get a verified token over ``digest`` (the SHA-256 entry hash) from the first of
    ``urls`` that gives one. ``timeout`` bounds each URL's whole exchange, in seconds.

    Raises ``TimestampUnavailable`` (listing every URL and why) when none does, and
    ``InputError`` for a bad digest or trust anchors that cannot be read."""
    if not isinstance(digest, bytes) or len(digest) != 32:
        raise InputError(
            "the digest must be 32 bytes of SHA-256", "摘要必须是 32 字节的 SHA-256 值"
        )
    roots = [a.crypto for a in _load_config_certs(trust_roots, "trust anchors", "信任锚")]
    if not roots:
        raise InputError(
            "no trust anchor is configured for time-stamp verification",
            "未配置用于验证时间戳的信任锚",
        )
    failures: list[Attempt] = []
    for url in urls:
        try:
            token, info = _attempt(url, digest, roots, timeout)
        except _Failed as f:
            failures.append(Attempt(url, f.code, f.en, f.zh, f.token_code))
            continue
        return StampResult(token_der=token, info=info, url=url, failures=tuple(failures))
    raise TimestampUnavailable(tuple(failures))
