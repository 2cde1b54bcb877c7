"""Viewers of sealed items: image (zoom), video (playback with marks), page snapshot (the
MHTML rendered, scripts off, offline), text/HTML/JSON, traffic (the requests in a WARC
segment), and the clean-environment check. They read the sealed files, never write them."""

from __future__ import annotations

from app.desk.timeline import ItemRef

IMAGE, VIDEO, TEXT, TRAFFIC, ENTRY = "image", "video", "text", "traffic", "entry"
SNAPSHOT, ENV_CHECK = "snapshot", "env_check"
CHAT = "chat"  # a live room's chat list (capture.chat, ui/viewers/chat.py)


def viewer_kind(item: ItemRef | None, entry_kind: str = "") -> str:
    """The viewer for ``item`` (None: the entry itself, of ledger kind ``entry_kind``)."""
    if item is None:
        return ENV_CHECK if entry_kind == "env.check" else ENTRY
    mt = item.media_type.lower()
    if mt.startswith("image/"):
        return IMAGE
    if mt.startswith("video/"):
        return VIDEO
    if mt == "application/warc" or item.path.endswith((".warc", ".warc.gz")):
        return TRAFFIC
    if mt in ("multipart/related", "application/x-mimearchive") or item.path.lower().endswith(
        (".mhtml", ".mht")
    ):
        return SNAPSHOT
    if mt.split(";")[0].strip() == "application/json" and item.path.startswith("chat/"):
        return CHAT
    return TEXT
