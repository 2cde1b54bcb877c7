"""Only the capture browser may use the recording proxy: a per-session secret (issue #16).

Anything on the computer can connect to a port on 127.0.0.1. Without this, another local
program (``curl -x``, malware, a second browser) could send requests through the proxy
and have them sealed into the session's WARC, indistinguishable from the browser's.

So the proxy requires HTTP proxy authentication (``Proxy-Authorization: Basic``, RFC 9110
§11.7.1) with a secret made afresh for each proxy run by the app
(``controller.RecordingProxy``) and handed to the child on its standard input — never on
its command line or in its environment, which other local processes can read under
``/proc``. The capture browser answers the proxy's challenge with it
(``app.capture.browser``).

- A ``CONNECT`` without the right credentials gets ``407`` and no tunnel; the upstream
  server is never contacted. Requests inside an admitted tunnel (HTTP/1, HTTP/2,
  WebSocket, raw TCP) belong to the client that opened it.
- A plain-HTTP proxy request carries its credentials itself; without them it gets ``407``
  and is never forwarded.
- Refused flows are marked (``NOT_RECORDED``): the recording addon writes nothing about
  them, so nothing of them is sealed.
- The ``Proxy-Authorization`` header is addressed to the proxy (hop by hop): it is removed
  once checked, so the secret is neither forwarded nor recorded.
- Each refusal is reported to the app as a ``refused`` event — the first ``MAX_DETAILED``
  with their details, then only the running count, at most every ``SUMMARY_SECONDS`` and
  once more at shutdown — so a flood can fill neither memory nor the ledger.

Chromium answers a proxy challenge only after it got one; from then on it sends the
credentials with every new connection (its proxy auth cache). So that the browser's own
first challenge is not mistaken for an intruder, the browser first loads
``http://PRIME_HOST/`` (``app.capture.browser``): the proxy answers that address itself,
never forwards or records it, and does not report its unauthenticated challenge.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import time
import weakref
from collections.abc import Callable
from typing import Any, Final

from forensics.capture.warc import warc_date

PROXY_USER: Final = "quzheng"
"""The user name of the proxy credentials (the secret is the password)."""
PRIME_HOST: Final = "proxy-auth.quzheng.invalid"
"""Answered by the proxy itself: the browser authenticates on it before it captures."""
NOT_RECORDED: Final = "quzheng.not-recorded"
"""``flow.metadata`` key: the recording addon leaves this flow alone."""
MAX_DETAILED: Final = 10
SUMMARY_SECONDS: Final = 5.0
MIN_SECRET_CHARS: Final = 32
DISCLOSED: Final = (
    "per-session secret (HTTP proxy Basic authentication); requests without it are "
    "refused with 407, never forwarded or recorded, and reported"
)


class ClientAuth:
    """mitmproxy addon, loaded before the recording addon: admits the capture browser only."""

    def __init__(
        self,
        secret: str,
        emit: Callable[[dict[str, object]], None],
        *,
        user: str = PROXY_USER,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if len(secret) < MIN_SECRET_CHARS or ":" in user:
            raise ValueError("the proxy's client secret is missing or too short")
        self._expected = f"{user}:{secret}".encode()
        self._emit = emit
        self._clock = clock
        # Client connections admitted by an authenticated CONNECT (what runs in the tunnel).
        self._admitted: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()
        self.refused = 0
        self._reported = 0
        self._last_summary = 0.0

    # ---- checks

    def _credentials(self, flow: Any) -> str:
        """The credentials given: ``valid``, ``none`` or ``wrong``. The header is removed
        once read (it is addressed to the proxy only)."""
        headers = flow.request.headers
        value = headers.get("Proxy-Authorization")
        if value is None:
            return "none"
        del headers["Proxy-Authorization"]
        scheme, _, token = value.strip().partition(" ")
        try:
            given = base64.b64decode(token.strip(), validate=True)
        except (binascii.Error, ValueError):
            return "wrong"
        if scheme.lower() == "basic" and hmac.compare_digest(given, self._expected):
            return "valid"
        return "wrong"

    def _refuse(self, flow: Any, credentials: str, *, report: bool = True) -> None:
        from mitmproxy import http

        flow.metadata[NOT_RECORDED] = True
        if report:
            self._report(flow, credentials)
        if flow.request.stream and flow.killable:
            # A large body mitmproxy would stream: an answer now is not possible, and
            # buffering it would let a refused client fill memory. Close the connection.
            flow.kill()
            return
        flow.response = http.Response.make(
            407,
            b"Quzheng recording proxy: this proxy serves the capture browser only.\n",
            {"Proxy-Authenticate": 'Basic realm="quzheng-capture"', "Connection": "close"},
        )

    def _report(self, flow: Any, credentials: str) -> None:
        self.refused += 1
        if self.refused <= MAX_DETAILED:
            req = flow.request
            peer = flow.client_conn.peername
            self._emit(
                {
                    "event": "refused",
                    "n": self.refused,
                    "time": warc_date(time.time()),
                    "client": f"{peer[0]}:{peer[1]}" if peer else "",
                    "method": str(req.method)[:16],
                    # The authority only: the path is the other program's business.
                    "host": f"{req.host}:{req.port}"[:300],
                    "credentials": credentials,
                }
            )
            self._reported = self.refused
            return
        now = self._clock()
        if now - self._last_summary >= SUMMARY_SECONDS:
            self._summary(now)

    def _summary(self, now: float) -> None:
        self._last_summary = now
        self._reported = self.refused
        self._emit({"event": "refused", "n": self.refused, "time": warc_date(time.time())})

    # ---- hooks

    def http_connect(self, flow: Any) -> None:
        credentials = self._credentials(flow)
        if credentials == "valid":
            self._admitted[flow.client_conn] = True
        else:
            self._refuse(flow, credentials)

    def requestheaders(self, flow: Any) -> None:
        if flow.client_conn in self._admitted:
            return  # inside a tunnel this client opened with the secret
        credentials = self._credentials(flow)
        priming = flow.request.host == PRIME_HOST  # never forwarded, whatever the method
        if credentials != "valid":
            # The browser's very first challenge happens on the priming address.
            self._refuse(flow, credentials, report=not (priming and credentials == "none"))
        elif priming:
            from mitmproxy import http

            flow.metadata[NOT_RECORDED] = True
            flow.response = http.Response.make(
                200, b"ok\n", {"Content-Type": "text/plain", "Cache-Control": "no-store"}
            )

    def tcp_start(self, flow: Any) -> None:
        # Raw TCP only ever follows a CONNECT, which was checked; a second wall all the same.
        if flow.client_conn not in self._admitted:
            flow.metadata[NOT_RECORDED] = True

    def done(self) -> None:
        if self.refused > self._reported:
            self._summary(self._clock())
