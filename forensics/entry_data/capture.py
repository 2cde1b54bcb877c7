"""The data of the capture entries (REQUIREMENTS.md §A): the page a screenshot, full page or
snapshot shows (``PageData``), and a sealed traffic segment (``TrafficData``).

Producers: the capture engines build ``PageData`` (``app.capture.actions.page_facts`` on Qt
WebEngine, ``app.capture.chromium.actions.page_facts`` on Chromium; each action adds what
it made with ``dataclasses.replace``) and ``app.capture.actions.seal_job`` seals its
``to_json()``; a traffic segment is ``forensics.capture.controller.SegmentInfo.ledger_data``.
Readers: the report, training, the verifier, the windows (``from_json``, never raises).

Nested blocks (viewport, image, area, parts, server, live, warning, …) are kept as recorded:
each is written by one engine step and read as a mapping.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from forensics.entry_data.fields import count, integer, obj, plain, strings, text

PAGE_KINDS = ("capture.screenshot", "capture.fullpage", "capture.snapshot")


def _block(value: object) -> dict[str, Any] | None:
    """A recorded object block, or None when absent (or not an object)."""
    return plain(value) if isinstance(value, dict) else None


def _blocks(value: object) -> tuple[dict[str, Any], ...]:
    return tuple(dict(v) for v in value if isinstance(v, dict)) if isinstance(value, list) else ()


@dataclass(frozen=True)
class PageData:
    """``capture.screenshot`` / ``capture.fullpage`` / ``capture.snapshot``.

    The page's facts (``url`` … ``browser``) come from the engine when the action starts;
    ``live`` and ``warning`` when the page plays a stream; ``image`` / ``area`` / ``parts``
    / ``method`` / ``render_ms`` (pictures) or ``dom_chars`` / ``formats`` (snapshot) from
    the action; ``server`` (the host's IPs and certificate as the sealed traffic recorded
    them) when it is sealed. Optional parts are written only when present.
    """

    url: str
    requested_url: str
    title: str
    captured_at: str
    viewport: dict[str, Any]
    zoom_percent: int
    navigation: tuple[dict[str, Any], ...]
    logged_in_account: str | None  # null when the officers marked none
    browser: dict[str, Any] | None = None  # Chromium only: engine and version
    server: dict[str, Any] | None = None
    live: dict[str, Any] | None = None
    warning: dict[str, Any] | None = None
    image: dict[str, Any] | None = None
    area: dict[str, Any] | None = None
    parts: tuple[dict[str, Any], ...] | None = None  # full page: one per grabbed part
    method: str | None = None
    render_ms: int | None = None
    dom_chars: int | None = None
    formats: dict[str, Any] | None = None

    @property
    def server_ips(self) -> tuple[str, ...]:
        server = self.server or {}
        return (*strings(server.get("ips")), *strings(server.get("ip")))

    @property
    def viewport_height(self) -> int:
        return count(self.viewport.get("height"))

    @property
    def flat_below_first_screen(self) -> bool:
        """A full page whose picture is one flat colour below the first screen."""
        return any(p.get("flat_below_first_screen") is True for p in self.parts or ())

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "url": self.url,
            "requested_url": self.requested_url,
            "title": self.title,
            "captured_at": self.captured_at,
            "viewport": dict(self.viewport),
            "zoom_percent": self.zoom_percent,
            "navigation": [dict(step) for step in self.navigation],
            "logged_in_account": self.logged_in_account,
        }
        blocks = {
            "browser": self.browser,
            "server": self.server,
            "live": self.live,
            "warning": self.warning,
            "image": self.image,
            "area": self.area,
            "formats": self.formats,
        }
        out.update({k: dict(v) for k, v in blocks.items() if v is not None})
        if self.parts is not None:
            out["parts"] = [dict(p) for p in self.parts]
        scalars = {"method": self.method, "render_ms": self.render_ms, "dom_chars": self.dom_chars}
        out.update({k: v for k, v in scalars.items() if v is not None})
        return out

    @classmethod
    def from_json(cls, raw: object) -> PageData:
        d = obj(raw)
        method = d.get("method")
        return cls(
            url=text(d.get("url")),
            requested_url=text(d.get("requested_url")),
            title=text(d.get("title")),
            captured_at=text(d.get("captured_at")),
            viewport=plain(d.get("viewport")),
            zoom_percent=integer(d.get("zoom_percent")) or 0,
            navigation=_blocks(d.get("navigation")),
            logged_in_account=text(d.get("logged_in_account")) or None,
            browser=_block(d.get("browser")),
            server=_block(d.get("server")),
            live=_block(d.get("live")),
            warning=_block(d.get("warning")),
            image=_block(d.get("image")),
            area=_block(d.get("area")),
            parts=_blocks(d.get("parts")) if isinstance(d.get("parts"), list) else None,
            method=method if isinstance(method, str) else None,
            render_ms=integer(d.get("render_ms")),
            dom_chars=integer(d.get("dom_chars")),
            formats=_block(d.get("formats")),
        )


@dataclass(frozen=True)
class SensitiveUse:
    """Credentials of the officer's own that a recorded exchange carried (§A11): the URL
    and the names of the headers (never their values)."""

    url: str
    headers: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"url": self.url, "headers": list(self.headers)}


@dataclass(frozen=True)
class TrafficData:
    """``capture.traffic``: one sealed WARC segment of the recording proxy."""

    segment: str
    records: int
    started: str
    ended: str
    urls: tuple[str, ...]
    hosts: tuple[str, ...]
    sensitive: tuple[SensitiveUse, ...] = ()
    # Parts of responses still arriving when the segment closed (WARC record segmentation,
    # docs/package-format.md §4), as ``forensics.capture.controller.SegmentPart.to_json``
    # writes them; written only when there are any.
    partials: tuple[dict[str, Any], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "segment": self.segment,
            "records": self.records,
            "started": self.started,
            "ended": self.ended,
            "urls": list(self.urls),
            "hosts": list(self.hosts),
            "sensitive": [s.to_json() for s in self.sensitive],
            **({"partials": [dict(p) for p in self.partials]} if self.partials else {}),
        }

    @classmethod
    def from_json(cls, raw: object) -> TrafficData:
        d = obj(raw)
        uses = d.get("sensitive")
        return cls(
            segment=text(d.get("segment")),
            records=count(d.get("records")),
            started=text(d.get("started")),
            ended=text(d.get("ended")),
            urls=strings(d.get("urls")),
            hosts=strings(d.get("hosts")),
            sensitive=tuple(
                SensitiveUse(text(u.get("url")), strings(u.get("headers")))
                for u in (uses if isinstance(uses, list) else ())
                if isinstance(u, dict)
            ),
            partials=_blocks(d.get("partials")),
        )
