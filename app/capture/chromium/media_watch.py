"""``MediaWatch``: tells when the capture browser cannot play what the page asked for.

A page may ask for media this browser cannot decode (a codec Debian's Chromium lacks, such
as HEVC/H.265), media that is not media at all, or encrypted media (EME/DRM) it may have no
key system for. The officer must know at once — the recording will not show what the
page's visitors see — and the session seals it as a ``note`` (``CaptureSession.attach``).

The watch only listens: it enables CDP's Media domain on the page's session
(``Media.enable``, what DevTools' Media panel uses) and reads its events. Nothing is
injected into the page and nothing in it changes. Events used:

- ``Media.playerEventsAdded``: ``kLoad`` gives the player's URL (what the page asked to
  play; a ``blob:`` URL for Media Source Extensions);
- ``Media.playerPropertiesChanged``: ``kFrameUrl``, ``kVideoTracks``/``kAudioTracks``
  (each track's ``codec`` and ``encryption scheme``), older browsers' ``kVideoCodecName``/
  ``kAudioCodecName``, and ``kIsVideoDecryptingDemuxerStream``/
  ``kIsAudioDecryptingDemuxerStream``;
- ``Media.playerMessagesLogged``: messages of level ``error`` are failures; the demuxer's
  messages of any level name the codec of a track it could not use ("failed to create a
  valid/supported video decoder configuration … codec: hevc");
- ``Media.playerErrorsRaised``: the player's errors (``errorType`` such as
  ``PipelineStatus::DEMUXER_ERROR_NO_SUPPORTED_STREAMS``, ``code``, ``cause``, ``data``).

A finding is a plain dict of strings, integers, booleans and lists (canonical JSON: no
floats): ``kind`` ("error": the player failed; "encrypted": a track is encrypted and needs
a key system), ``player_id``, ``player_url``, ``frame_url``, ``page_url``, ``media``
(``video_codec``, ``audio_codec``, ``unsupported`` tracks, ``encryption``), ``error``
(``type``, ``code``, ``causes``, ``messages``), ``drm`` (the failure is about decryption),
``time`` (RFC 3339 UTC) and the officer's text, ``en`` and ``zh``.

One finding per player and kind of error (a failing player logs the same failure several
ways); at most ``limit`` per session (``dropped`` counts the rest). An error message
without a player error is held ``grace_s`` seconds: the player's error usually follows and
takes the message along; if none comes the message is a finding of its own.

``on_finding`` is called on the engine's thread (or the grace timer's): it must be quick
and thread-safe.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from forensics.canonical import format_time, utc_now

if TYPE_CHECKING:
    from app.capture.chromium.engine import ChromiumEngine

logger = logging.getLogger(__name__)

Finding = dict[str, Any]
FindingCallback = Callable[[Finding], None]

EVENTS: Final = (
    "Media.playerEventsAdded",
    "Media.playerPropertiesChanged",
    "Media.playerMessagesLogged",
    "Media.playerErrorsRaised",
)
"""What the watch listens to (``Media.enable`` is sent after the last is subscribed)."""

_DECRYPTING: Final = {
    "kIsVideoDecryptingDemuxerStream": "video",
    "kIsAudioDecryptingDemuxerStream": "audio",
}

MAX_FINDINGS: Final = 20
MAX_PLAYERS: Final = 256  # players remembered at once (the oldest are forgotten)
MAX_TEXT: Final = 500  # characters kept of any one message or URL
MAX_MESSAGES: Final = 5  # error messages kept per player
GRACE_S: Final = 2.0

_DRM = re.compile(
    r"\b(cdm|key ?system|widevine|playready|fairplay|clear ?key|eme|license|licence|"
    r"decrypt\w*|encrypted|media ?keys?)\b",
    re.IGNORECASE,
)
_UNSUPPORTED = re.compile(
    r"failed to create a valid/supported (video|audio) decoder configuration.*?"
    r"codec:\s*([A-Za-z0-9_.\-]+)",
    re.IGNORECASE | re.DOTALL,
)
_CREATED = re.compile(
    r"created (video|audio) stream, config codec:\s*([A-Za-z0-9_.\-]+)", re.IGNORECASE
)
_NO_DECODER = re.compile(
    r"(?:no|failed to (?:select|initialize)) .*?(video|audio) decoder.*?codec:\s*([A-Za-z0-9_.\-]+)",
    re.IGNORECASE | re.DOTALL,
)


def _text(value: Any, limit: int = MAX_TEXT) -> str:
    s = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _plain(value: Any, depth: int = 0) -> Any:
    """``value`` as canonical-JSON-safe data: no floats (as text), bounded."""
    if isinstance(value, bool | int | str) or value is None:
        return _text(value) if isinstance(value, str) else value
    if isinstance(value, float):
        return repr(value)
    if depth >= 3:
        return _text(value)
    if isinstance(value, dict):
        return {str(k)[:100]: _plain(v, depth + 1) for k, v in list(value.items())[:20]}
    if isinstance(value, list | tuple):
        return [_plain(v, depth + 1) for v in list(value)[:20]]
    return _text(str(value))


class _Player:
    def __init__(self, player_id: str) -> None:
        self.player_id = player_id
        self.url = ""
        self.frame_url = ""
        self.codecs: dict[str, str] = {}  # "video"/"audio" → codec
        self.unsupported: dict[str, str] = {}  # track → codec the demuxer could not use
        self.encryption: dict[str, str] = {}  # track → scheme ("CENC", "CBCS", …)
        self.messages: list[str] = []  # recent error-level messages
        self.reported: set[str] = set()  # kinds of finding already given
        self.pending: Finding | None = None  # an error message waiting for its error
        self.pending_at = 0.0


class MediaWatch:
    """Turns the Media domain's events into findings (see the module docstring)."""

    def __init__(
        self,
        on_finding: FindingCallback,
        *,
        page_url: Callable[[], str] = lambda: "",
        now: Callable[[], datetime] = utc_now,
        limit: int = MAX_FINDINGS,
        grace_s: float = GRACE_S,
    ) -> None:
        self._on_finding = on_finding
        self._page_url = page_url
        self._now = now
        self._limit = limit
        self._grace_s = grace_s
        self._lock = threading.Lock()
        self._players: OrderedDict[str, _Player] = OrderedDict()
        self._timers: list[threading.Timer] = []
        self.findings: list[Finding] = []
        self.dropped = 0

    # -- wiring ----------------------------------------------------------------------------

    def start(self, engine: ChromiumEngine) -> Future[None]:
        """Subscribe to the Media domain's events of the engine's page; enable it last (it
        then replays the players that exist already). A failure is logged, not raised."""
        future: Future[None] | None = None
        for i, event in enumerate(EVENTS):
            last = i == len(EVENTS) - 1
            future = engine.subscribe(
                event,
                functools.partial(self._on_event, event),
                enable="Media.enable" if last else "",
            )
        assert future is not None
        future.add_done_callback(_log_failure)
        return future

    def _on_event(self, event: str, params: dict[str, Any]) -> None:
        self.handle(event, params)

    def stop(self) -> None:
        """Cancel the grace timers (pending messages are given now)."""
        self.flush()

    # -- events ----------------------------------------------------------------------------

    def handle(self, event: str, params: dict[str, Any]) -> list[Finding]:
        """One CDP event of the Media domain; returns the findings it gave (also handed to
        ``on_finding``)."""
        player_id = params.get("playerId")
        if not isinstance(player_id, str) or not player_id:
            return []
        out: list[Finding] = []
        with self._lock:
            player = self._player(player_id)
            if event == "Media.playerEventsAdded":
                self._events(player, params.get("events"))
            elif event == "Media.playerPropertiesChanged":
                self._properties(player, params.get("properties"), out)
            elif event == "Media.playerMessagesLogged":
                self._messages(player, params.get("messages"))
            elif event == "Media.playerErrorsRaised":
                self._errors(player, params.get("errors"), out)
            out.extend(self._due_locked(final=False))
        self._give(out)
        return out

    def flush(self) -> list[Finding]:
        """Give every held error message now (no player error came for it)."""
        with self._lock:
            for timer in self._timers:
                timer.cancel()
            self._timers.clear()
            out = self._due_locked(final=True)
        self._give(out)
        return out

    # -- state (under the lock) ------------------------------------------------------------

    def _player(self, player_id: str) -> _Player:
        player = self._players.get(player_id)
        if player is None:
            player = self._players[player_id] = _Player(player_id)
            while len(self._players) > MAX_PLAYERS:
                self._players.popitem(last=False)
        else:
            self._players.move_to_end(player_id)
        return player

    def _events(self, player: _Player, events: Any) -> None:
        for item in events if isinstance(events, list) else []:
            value = item.get("value") if isinstance(item, dict) else None
            try:
                data = json.loads(value) if isinstance(value, str) else None
            except ValueError:
                continue
            if isinstance(data, dict) and data.get("event") == "kLoad":
                url = data.get("url")
                if isinstance(url, str):
                    player.url = _text(url)

    def _properties(self, player: _Player, properties: Any, out: list[Finding]) -> None:
        for prop in properties if isinstance(properties, list) else []:
            if not isinstance(prop, dict):
                continue
            name, value = prop.get("name"), prop.get("value")
            if not isinstance(name, str) or not isinstance(value, str):
                continue
            if name == "kFrameUrl":
                player.frame_url = _text(value)
            elif name in ("kVideoCodecName", "kAudioCodecName"):
                player.codecs["video" if name.startswith("kVideo") else "audio"] = _text(value, 60)
            elif name in ("kVideoTracks", "kAudioTracks"):
                track = "video" if name.startswith("kVideo") else "audio"
                self._tracks(player, track, value)
            elif name in _DECRYPTING and value == "true":
                player.encryption.setdefault(_DECRYPTING[name], "encrypted")
        if player.encryption and "encrypted" not in player.reported:
            detail: dict[str, Any] = {
                "type": "encrypted",
                "code": None,
                "causes": [],
                "messages": [],
            }
            self._found(player, "encrypted", detail, out)

    def _tracks(self, player: _Player, track: str, value: str) -> None:
        try:
            tracks = json.loads(value)
        except ValueError:
            return
        for info in tracks if isinstance(tracks, list) else []:
            if not isinstance(info, dict):
                continue
            codec = info.get("codec")
            if isinstance(codec, str) and codec:
                player.codecs[track] = _text(codec, 60)
            scheme = info.get("encryption scheme")
            if isinstance(scheme, str) and scheme and scheme.lower() != "unencrypted":
                player.encryption[track] = _text(scheme, 60)

    def _messages(self, player: _Player, messages: Any) -> None:
        for item in messages if isinstance(messages, list) else []:
            if not isinstance(item, dict) or not isinstance(item.get("message"), str):
                continue
            message: str = item["message"]
            for pattern, bad in ((_UNSUPPORTED, True), (_NO_DECODER, True), (_CREATED, False)):
                match = pattern.search(message)
                if match:
                    track, codec = match.group(1).lower(), match.group(2)
                    player.codecs.setdefault(track, _text(codec, 60))
                    if bad:
                        player.unsupported[track] = _text(codec, 60)
                    break
            if item.get("level") != "error":
                continue
            player.messages = [*player.messages, _text(message)][-MAX_MESSAGES:]
            if player.pending is None and "message" not in player.reported:
                player.pending = {"message": _text(message)}
                player.pending_at = time.monotonic()
                self._arm_timer()

    def _errors(self, player: _Player, errors: Any, out: list[Finding]) -> None:
        for error in errors if isinstance(errors, list) else []:
            if not isinstance(error, dict):
                continue
            error_type = _text(error.get("errorType") or error.get("type") or "unknown", 200)
            code = error.get("code")
            causes = [
                _text(c.get("errorType") or "", 200)
                for c in (error.get("cause") or [])
                if isinstance(c, dict)
            ][:5]
            data = error.get("data")
            detail: dict[str, Any] = {
                "type": error_type,
                "code": code if isinstance(code, int) and not isinstance(code, bool) else None,
                "causes": causes,
                "messages": list(player.messages),
            }
            if isinstance(data, dict) and data:
                detail["data"] = _plain(data)
            player.pending = None  # the player's error takes the messages along
            self._found(player, error_type, detail, out)
            player.reported.add("message")

    def _due_locked(self, *, final: bool) -> list[Finding]:
        out: list[Finding] = []
        now = time.monotonic()
        for player in list(self._players.values()):
            if player.pending is None:
                continue
            if final or now - player.pending_at >= self._grace_s:
                detail = {
                    "type": "error message",
                    "code": None,
                    "causes": [],
                    "messages": list(player.messages),
                }
                player.pending = None
                self._found(player, "message", detail, out)
        return out

    def _arm_timer(self) -> None:
        if self._grace_s <= 0:
            return
        timer = threading.Timer(self._grace_s + 0.05, self._timer_fired)
        timer.daemon = True
        timer.name = "quzheng-media-watch"
        self._timers = [t for t in self._timers if t.is_alive()]
        self._timers.append(timer)
        timer.start()

    def _timer_fired(self) -> None:
        with self._lock:
            out = self._due_locked(final=False)
        self._give(out)

    # -- findings --------------------------------------------------------------------------

    def _found(self, player: _Player, kind: str, error: dict[str, Any], out: list[Finding]) -> None:
        if kind in player.reported:
            return
        player.reported.add(kind)
        if len(self.findings) >= self._limit:
            self.dropped += 1
            return
        finding = self._finding(player, "encrypted" if kind == "encrypted" else "error", error)
        self.findings.append(finding)
        out.append(finding)

    def _finding(self, player: _Player, kind: str, error: dict[str, Any]) -> Finding:
        try:
            page_url = _text(self._page_url() or "")
        except Exception:  # the page's URL is a courtesy; the finding stands without it
            page_url = ""
        text = " ".join([str(error.get("type") or ""), *error.get("messages", [])])
        drm = bool(player.encryption) or bool(_DRM.search(text))
        media = {
            "video_codec": player.codecs.get("video"),
            "audio_codec": player.codecs.get("audio"),
            "unsupported": [f"{t}: {c}" for t, c in sorted(player.unsupported.items())],
            "encryption": [f"{t}: {s}" for t, s in sorted(player.encryption.items())],
        }
        finding: Finding = {
            "kind": kind,
            "player_id": player.player_id,
            "player_url": player.url,
            "frame_url": player.frame_url,
            "page_url": page_url or player.frame_url,
            "media": media,
            "error": error,
            "drm": drm,
            "time": format_time(self._now()),
        }
        finding["en"], finding["zh"] = describe_finding(finding)
        return finding

    def _give(self, findings: list[Finding]) -> None:
        for finding in findings:
            try:
                self._on_finding(finding)
            except Exception:
                logger.exception("a media finding could not be handed over")


def describe_finding(finding: Finding) -> tuple[str, str]:
    """The officer's text of a finding: (English, Chinese)."""
    media = finding.get("media") or {}
    what = ", ".join(
        str(x)
        for x in (
            *(media.get("unsupported") or ()),
            *(
                f"{t}: {media[f'{t}_codec']}"
                for t in ("video", "audio")
                if media.get(f"{t}_codec")
                and not any(u.startswith(f"{t}:") for u in media.get("unsupported") or ())
            ),
        )
    )
    url = finding.get("player_url") or finding.get("frame_url") or ""
    where = f" — {url}" if url else ""
    if finding.get("kind") == "encrypted":
        scheme = ", ".join(media.get("encryption") or ()) or "encrypted"
        return (
            f"The page plays encrypted (DRM) media ({scheme}); this browser may be unable to "
            f"decrypt it, and the recording may not show it{where}",
            f"页面播放加密（DRM）媒体（{scheme}）；本浏览器可能无法解密，录像中可能看不到{where}",
        )
    error = finding.get("error") or {}
    why = str(error.get("type") or "error")
    messages = error.get("messages") or []
    if messages:
        why += f": {messages[-1]}"
    kind_en = "encrypted (DRM) media" if finding.get("drm") else "media"
    kind_zh = "加密（DRM）媒体" if finding.get("drm") else "媒体"
    codec_en = f" ({what})" if what else ""
    codec_zh = f"（{what}）" if what else ""
    return (
        f"The browser could not play {kind_en} the page asked for{codec_en}: {why}{where}",
        f"浏览器无法播放页面请求的{kind_zh}{codec_zh}：{why}{where}",
    )


def _log_failure(future: Future[None]) -> None:
    exc = future.exception()
    if exc is not None:
        logger.warning("the media watch could not start: %s", exc)
