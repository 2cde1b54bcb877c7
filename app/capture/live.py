"""Live-stream facts for capture entries (REQUIREMENTS §A3: platform, room ID, anchor
account, stream URL).

Two sources, kept apart in the entry so a reviewer sees which is which:

- declared: what the officers entered as the case's target when they opened it
  (``case.open``: platform, shop, account, room) — the room and anchor they came to record;
- observed: what the browser did — the stream URLs it requested in this session (playlists
  and manifests such as ``.m3u8``, ``.mpd``, ``.flv``, and media requests), and the page's
  video players (source, playing or not, picture size).

An entry carries a ``live`` block only when something was observed (a stream was requested
or a player is on the page): a still of a shop page says nothing about live streams.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping
from typing import Any, Final
from urllib.parse import urlsplit

MAX_STREAM_URLS: Final = 20
# Paths that name a stream rather than one of its pieces.
_MANIFEST_SUFFIXES: Final = (".m3u8", ".mpd", ".flv", ".f4m", ".ism/manifest")
# Pieces of a stream: reported by their folder when no manifest was seen (e.g. MSE players
# that fetch WebM or fMP4 segments by script).
_SEGMENT_SUFFIXES: Final = (".ts", ".m4s", ".webm", ".m4v", ".aac", ".mp4")
# The case target's keys that a live block repeats (declared by the officers).
_DECLARED: Final = {"platform": "platform", "room": "room_id", "account": "anchor_account"}

# Runs in the isolated world; objects do not survive runJavaScript: JSON text.
PLAYERS_JS: Final = """JSON.stringify(Array.from(document.querySelectorAll('video'))
  .slice(0, 8).map((v) => ({
    src: v.currentSrc || v.src || '',
    playing: !v.paused && !v.ended && v.readyState > 2,
    width: v.videoWidth, height: v.videoHeight,
    position_ms: Number.isFinite(v.currentTime) ? Math.round(v.currentTime * 1000) : null,
  })))"""
# What a player entry may hold, and of which type (the page's values are not trusted; the
# ledger's canonical JSON has no floating-point numbers).
_PLAYER_FIELDS: Final = {
    "src": str,
    "playing": bool,
    "width": int,
    "height": int,
    "position_ms": int,
}
MAX_SRC_CHARS: Final = 2000


def stream_kind(url: str, resource: str = "") -> str | None:
    """ "manifest", "segment" or ``None``: what a requested URL is to a live stream."""
    path = urlsplit(url).path.lower()
    if path.endswith(_MANIFEST_SUFFIXES):
        return "manifest"
    if path.endswith(_SEGMENT_SUFFIXES) or resource == "Media":
        return "segment"
    return None


class StreamLog:
    """The stream URLs the browser asked for, in order (thread-safe: written on the GUI
    thread, read by the recorder's encoder thread when a segment closes)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._manifests: dict[str, None] = {}
        self._folders: dict[str, None] = {}

    def saw(self, url: str, resource: str = "") -> None:
        kind = stream_kind(url, resource)
        if kind is None:
            return
        if kind == "manifest":
            seen, key = self._manifests, url.split("#")[0]
        else:
            parts = urlsplit(url)
            folder = parts.path.rsplit("/", 1)[0] + "/"
            seen, key = self._folders, f"{parts.scheme}://{parts.netloc}{folder}"
        with self._lock:
            # Bounded: a player that re-fetches its playlist with a fresh token each time
            # would otherwise add a URL every few seconds for the whole session.
            if len(seen) < MAX_STREAM_URLS:
                seen.setdefault(key, None)

    def urls(self) -> list[str]:
        """Manifests first; the folders of stream pieces when no manifest was seen."""
        with self._lock:
            found = list(self._manifests) or list(self._folders)
        return found[:MAX_STREAM_URLS]


def parse_players(raw: object) -> list[dict[str, Any]]:
    """The result of ``PLAYERS_JS`` (anything else: no players)."""
    try:
        players = json.loads(raw) if isinstance(raw, str) else []
    except ValueError:
        return []
    if not isinstance(players, list):
        return []
    out = []
    for player in players[:8]:
        if not isinstance(player, dict):
            continue
        clean: dict[str, Any] = {}
        for key, kind in _PLAYER_FIELDS.items():
            value = player.get(key)
            if kind is int and isinstance(value, float) and value.is_integer():
                value = int(value)  # JavaScript numbers arrive as floats
            if isinstance(value, kind) and (kind is not int or not isinstance(value, bool)):
                clean[key] = value[:MAX_SRC_CHARS] if isinstance(value, str) else value
        out.append(clean)
    return out


def live_facts(
    target: Mapping[str, str],
    page_url: str,
    stream_urls: Iterable[str],
    players: list[dict[str, Any]] | None = None,
) -> dict[str, Any] | None:
    """The ``live`` block of an entry, or ``None`` when no stream was observed."""
    streams = list(stream_urls)
    shown = [p for p in players or [] if p.get("src") or p.get("playing")]
    if not streams and not shown:
        return None
    declared = {out: target[key] for key, out in _DECLARED.items() if target.get(key)}
    block: dict[str, Any] = {
        "platform": declared.get("platform") or urlsplit(page_url).hostname or "",
        "room_id": declared.get("room_id", ""),
        "anchor_account": declared.get("anchor_account", ""),
        "page_url": page_url,
        "stream_urls": streams,
        "declared": declared,
        "how": (
            "platform, room and anchor as declared in the case target (case.open); "
            "stream URLs as requested by the browser in this session"
        ),
    }
    if players is not None:
        block["players"] = shown
    return block
