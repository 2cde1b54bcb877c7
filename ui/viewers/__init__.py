"""Viewers of sealed items: image (zoom), video (playback with marks), text/HTML/JSON,
traffic (the requests in a WARC segment). They read the sealed files, never write them."""

from __future__ import annotations

from app.desk.timeline import ItemRef

IMAGE, VIDEO, TEXT, TRAFFIC, ENTRY = "image", "video", "text", "traffic", "entry"


def viewer_kind(item: ItemRef | None) -> str:
    if item is None:
        return ENTRY
    mt = item.media_type.lower()
    if mt.startswith("image/"):
        return IMAGE
    if mt.startswith("video/"):
        return VIDEO
    if mt == "application/warc" or item.path.endswith((".warc", ".warc.gz")):
        return TRAFFIC
    return TEXT
