"""The practice range (靶场): a simulated online shop and live-stream room, served locally.

The app is shown working end to end without the internet — in the demo, in tests and in
training — against these targets. One TLS socket on 127.0.0.1 serves every virtual host
under ``range.test``, chosen by the Host header / ``:authority``:

* ``shop.range.test`` — a Chinese e-commerce shop of a fictional counterfeit brand: home
  page, 营业执照 page, listing and search, product pages (price, sales, images; reviews
  fetched from the API), a very long page (over 20,000 px) with lazy images, a login with
  a test account and a members' page, a price that changes every few seconds, and a "bot
  check" page that shows a challenge instead of content;
* ``api.range.test`` — the JSON API the pages call with ``fetch`` (CORS for range origins);
* ``img.range.test`` — product photos, logo and banner, drawn deterministically;
* ``live.range.test`` — a live room: an HLS stream, a chat over a WebSocket, a player page.

The server uses its own CA (``<data_dir>/tls/range-ca.pem``), apart from the proxy's CA and
officers' keys, name-constrained to ``range.test``, ``localhost`` and 127.0.0.0/8. Nothing
edits the hosts file: clients connect to 127.0.0.1 with the right SNI and Host (the
recording proxy maps ``*.range.test`` to the range itself).

Everything shown comes from the seed (``content.build_content``) and the injected clock;
``RangeServer.manifest`` says what appears where and when.

The live stream
---------------
``/hls/live.m3u8`` is a live sliding-window playlist of 2-second MPEG-TS segments (H.264 +
AAC tone) made lazily with PyAV and cached on disk. Every frame shows a clock (stream time),
the anchor's claims at scheduled times (a loop of three minutes) and a strip of black and
white blocks encoding the claim id and frame number (``markers.read_marker``), so a test can
tell what was on screen when without OCR.

The player page cannot use hls.js (no CDN, no internet), and Chromium / Qt WebEngine has no
native HLS and, as shipped with Qt, no H.264. ``/static/live.js`` therefore plays, in order
of preference: the HLS playlist natively (Safari and some Android browsers); the same
segments as WebM (VP9 + Opus, ``/webm/<n>.webm``) appended to a Media Source buffer, which
open-codec Chromium plays; or, failing both, still frames (``/frames/<frame>.jpg``) updated
five times a second. All three show the same pictures, claims and markers.
"""

from __future__ import annotations

from forensics.range.content import (
    API_HOST,
    DOMAIN,
    IMG_HOST,
    LIVE_HOST,
    SHOP_HOST,
    Claim,
    Content,
    build_content,
    is_valid_credit_code,
)
from forensics.range.errors import RangeError
from forensics.range.manifest import Manifest, Page
from forensics.range.markers import FrameMarker, read_marker
from forensics.range.server import RangeServer

__all__ = [
    "API_HOST",
    "DOMAIN",
    "IMG_HOST",
    "LIVE_HOST",
    "SHOP_HOST",
    "Claim",
    "Content",
    "FrameMarker",
    "Manifest",
    "Page",
    "RangeError",
    "RangeServer",
    "build_content",
    "is_valid_credit_code",
    "read_marker",
]
