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
* ``live.range.test`` — a live room: an HTTP-FLV and an HLS stream, a chat over a WebSocket,
  a player page.

The server uses its own CA (``<data_dir>/tls/range-ca.pem``), apart from the proxy's CA and
officers' keys, name-constrained to ``range.test``, ``localhost`` and 127.0.0.0/8. Nothing
edits the hosts file: clients connect to 127.0.0.1 with the right SNI and Host (the
recording proxy maps ``*.range.test`` to the range itself).

Everything shown comes from the seed (``content.build_content``) and the injected clock;
``RangeServer.manifest`` says what appears where and when.

The live stream
---------------
Like the desktop web of Douyin, Kuaishou or Taobao Live, the room serves H.264 + AAC only,
in two variants on ``live.range.test``:

* ``/flv/live.flv`` — HTTP-FLV, the room's default: one endless response
  (``Content-Type: video/x-flv``; chunked over HTTP/1.1, one stream over HTTP/2) that starts
  with the FLV header, ``onMetaData`` and the AVC and AAC sequence headers, then the newest
  published segment at once (the "GOP cache": it starts on a key frame), then every later
  tag as the range's clock reaches its time, segment after segment, until the client
  disconnects or the range stops. A viewer that falls a segment behind (or a clock that
  jumps) is moved to the live edge. The tags carry the very packets of the MPEG-TS segments
  below, remuxed without re-encoding (``flv``), with the stream's timestamps.
* ``/hls/live.m3u8`` — HLS: a live sliding-window playlist of 2-second MPEG-TS segments
  (``/hls/seg/<n>.ts``).

Segments are made lazily with PyAV and cached on disk. Every frame shows a clock (stream
time), the anchor's claims at scheduled times (a loop of three minutes) and a strip of black
and white blocks encoding the claim id and frame number (``markers.read_marker``), so a
test can tell what was on screen when without OCR. The sound is a drone whose pitch says
which claim is on screen (``video.claim_tone_hz``: 440 Hz with none) with an 880 Hz tick at
every whole second.

The room page (``/room/<id>``, script ``/static/live.js``) plays the FLV with a small
flv.js-style player of its own (no third-party code, no CDN): ``fetch()`` streaming, FLV
tags remuxed to fragmented MP4 in the page, Media Source Extensions, autoplay with sound
(muted if the browser refuses), latency kept to 1-2 s. ``?stream=hls`` plays the HLS
variant instead, natively (``canPlayType('application/vnd.apple.mpegurl')``: Safari,
recent Chromium). A browser that cannot play H.264/AAC (or native HLS, for ``?stream=hls``)
gets what a real site shows: a visible error (``#player-error``, e.g. "此浏览器无法播放
H.264/AAC 直播流") and ``data-player-error`` on the ``<video>`` (``codecs``, ``mse`` or
``hls``). ``/frames/<frame>.jpg`` still serves single frames as JPEG (for tools and
training material; the page no longer uses them).
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
