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

The browser's own background requests are refused too, but not reported as intruders.
Chromium's browser process (not a page) makes requests of its own — sign-in, component
and extension update checks, variations, Safe Browsing — even with Playwright's
``--disable-background-networking``/``--disable-component-update`` (measured with
Chromium 156: ``CONNECT accounts.google.com:443``, ``CONNECT update.googleapis.com:443``,
``POST http://update.googleapis.com/service/update2/json``); Chrome and Edge make similar
ones. Playwright answers the proxy's challenge for page requests only, so these carry no
credentials at all. A request refused with *no* ``Proxy-Authorization`` whose host is one
of ``BROWSER_BACKGROUND_HOSTS`` (on port 80 or 443) is refused exactly like any other
(``407`` or the connection closed, ``NOT_RECORDED``, never forwarded) but counted apart
(``background``) and reported as a ``background`` event (the first ``MAX_DETAILED`` with
method, host and time, then the running count), which the app keeps out of the intruder
warning. One with *wrong* credentials, or to any other host, is an intruder as before.

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

BROWSER_BACKGROUND_HOSTS: Final = frozenset(
    {
        # Google Chrome / Chromium: sign-in, component and extension updates, variations
        # seed, Safe Browsing, optimisation hints, autofill, component downloads.
        "accounts.google.com",
        "clients1.google.com",
        "clients2.google.com",
        "clients3.google.com",
        "clients4.google.com",
        "clients5.google.com",
        "clients6.google.com",
        "update.googleapis.com",
        "clientservices.googleapis.com",
        "optimizationguide-pa.googleapis.com",
        "safebrowsing.googleapis.com",
        "content-autofill.googleapis.com",
        ".gvt1.com",  # redirector.gvt1.com and its download mirrors
        # Microsoft Edge: configuration, updates, activity.
        "edge.microsoft.com",
        "msedge.api.cdp.microsoft.com",
        "config.edge.skype.com",
        "edge.activity.windows.com",
        ".msedge.net",
    }
)
"""Hosts of the browser vendors' own background services: an entry is an exact host, or,
starting with ``.``, a domain suffix (any name below it, not the domain itself).

A list of names is acceptable here because it decides only what the officer is told, never
what passes: such a request is refused all the same (nothing of it is forwarded or
recorded). A program that hides behind these names gains nothing but silence — it reaches
nothing, and only a request with no credentials at all qualifies; one with wrong
credentials to these hosts is an intruder like any other. Kept tight on purpose: general
hosts that pages themselves use (``www.google.com``, ``www.googleapis.com``,
``*.gstatic.com``, shared Microsoft telemetry) are not on it, so another program's attempt
on them is still reported.
"""
BACKGROUND_PORTS: Final = frozenset({80, 443})


def is_browser_background_host(host: str, port: int) -> bool:
    """Whether ``host:port`` is one of a browser vendor's background services."""
    if port not in BACKGROUND_PORTS:
        return False
    name = host.strip().rstrip(".").lower()
    if not name or name.startswith("."):
        return False
    if name in BROWSER_BACKGROUND_HOSTS:
        return True
    return any(name.endswith(entry) for entry in BROWSER_BACKGROUND_HOSTS if entry.startswith("."))


class _Tally:
    """Refusals of one kind: the count, and what was reported of it."""

    def __init__(self, event: str) -> None:
        self.event = event
        self.count = 0
        self.reported = 0
        self.last_summary = 0.0


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
        self._refused = _Tally("refused")
        self._background = _Tally("background")

    @property
    def refused(self) -> int:
        """Refused requests of other clients (intruders)."""
        return self._refused.count

    @property
    def background(self) -> int:
        """Refused background requests of the browser itself (``is_browser_background``)."""
        return self._background.count

    @staticmethod
    def is_browser_background(flow: Any, credentials: str) -> bool:
        """A request the browser process made on its own: no credentials at all, to a
        browser vendor's background service (``BROWSER_BACKGROUND_HOSTS``)."""
        req = flow.request
        return credentials == "none" and is_browser_background_host(str(req.host), req.port)

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
        req = flow.request
        detail: dict[str, object] = {
            "time": warc_date(time.time()),
            "method": str(req.method)[:16],
            # The authority only: the path is the other program's business.
            "host": f"{req.host}:{req.port}"[:300],
        }
        if self.is_browser_background(flow, credentials):
            self._count(self._background, detail)
            return
        peer = flow.client_conn.peername
        detail["client"] = f"{peer[0]}:{peer[1]}" if peer else ""
        detail["credentials"] = credentials
        self._count(self._refused, detail)

    def _count(self, tally: _Tally, detail: dict[str, object]) -> None:
        tally.count += 1
        if tally.count <= MAX_DETAILED:
            self._emit({"event": tally.event, "n": tally.count, **detail})
            tally.reported = tally.count
            return
        now = self._clock()
        if now - tally.last_summary >= SUMMARY_SECONDS:
            self._summary(tally, now)

    def _summary(self, tally: _Tally, now: float) -> None:
        tally.last_summary = now
        tally.reported = tally.count
        self._emit({"event": tally.event, "n": tally.count, "time": warc_date(time.time())})

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
        for tally in (self._refused, self._background):
            if tally.count > tally.reported:
                self._summary(tally, self._clock())
