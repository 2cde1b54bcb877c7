"""Media types and metadata of imported files (EXIF via exifread)."""

from __future__ import annotations

import contextlib
import logging
import mimetypes
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import exifread

_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF8", 0, "image/gif"),
    (b"%PDF-", 0, "application/pdf"),
    (b"PK\x03\x04", 0, "application/zip"),
    (b"WARC/", 0, "application/warc"),
    (b"\x1f\x8b", 0, "application/gzip"),
    (b"ftyp", 4, "video/mp4"),
    (b"\x1aE\xdf\xa3", 0, "video/webm"),
    (b"RIFF", 0, "application/octet-stream"),
)


def sniff_media_type(path: Path) -> str:
    """The media type from the file's first bytes, falling back to its extension."""
    try:
        with open(path, "rb") as f:
            head = f.read(32)
    except OSError:
        head = b""
    for magic, offset, mtype in _MAGIC:
        if head[offset : offset + len(magic)] == magic:
            if mtype == "application/octet-stream":
                break
            if mtype == "application/gzip" and path.name.endswith(".warc.gz"):
                return "application/warc"
            return mtype
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def _ratio(v: Any) -> float:
    return float(v.num) / float(v.den) if getattr(v, "den", 0) else 0.0


def _gps(tags: dict[str, Any]) -> dict[str, str] | None:
    try:
        lat = tags["GPS GPSLatitude"].values
        lon = tags["GPS GPSLongitude"].values
        lat_v = _ratio(lat[0]) + _ratio(lat[1]) / 60 + _ratio(lat[2]) / 3600
        lon_v = _ratio(lon[0]) + _ratio(lon[1]) / 60 + _ratio(lon[2]) / 3600
        if str(tags.get("GPS GPSLatitudeRef", "N")).startswith("S"):
            lat_v = -lat_v
        if str(tags.get("GPS GPSLongitudeRef", "E")).startswith("W"):
            lon_v = -lon_v
    except (KeyError, IndexError, TypeError, AttributeError, ValueError, ZeroDivisionError):
        return None
    # Canonical JSON has no floats: coordinates are decimal strings.
    return {"lat": f"{lat_v:.6f}", "lon": f"{lon_v:.6f}"}


def read_exif(path: Path) -> dict[str, Any]:
    """Camera, original time and GPS of an image, as strings; {} when there is no EXIF.

    exifread reads only the header blocks it needs, so large files are not loaded.
    A damaged EXIF block never fails an import: it yields what could be read.
    """
    try:
        with open(path, "rb") as f:
            # exifread logs warnings for damaged blocks; they are not ours to show.
            logging.getLogger("exifread").setLevel(logging.ERROR)
            tags = exifread.process_file(f, details=False)
    except Exception:  # exifread raises many types on hostile input
        return {}
    out: dict[str, Any] = {}
    make = str(tags.get("Image Make", "")).strip()
    model = str(tags.get("Image Model", "")).strip()
    if make or model:
        out["camera"] = f"{make} {model}".strip()
    original = tags.get("EXIF DateTimeOriginal") or tags.get("Image DateTime")
    if original is not None:
        out["original_time"] = str(original).strip()
        offset = tags.get("EXIF OffsetTimeOriginal")
        if offset is not None:
            out["original_time_offset"] = str(offset).strip()
    gps = _gps(tags)
    if gps:
        out["gps"] = gps
    return out


def exif_time_utc(exif: dict[str, Any], default_offset_hours: int = 8) -> datetime | None:
    """The EXIF original time as UTC (EXIF has no zone: Beijing time assumed unless given)."""
    text = exif.get("original_time")
    if not isinstance(text, str):
        return None
    try:
        local = datetime.strptime(text, "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    hours = default_offset_hours
    minutes = 0
    off = exif.get("original_time_offset")
    if isinstance(off, str) and len(off) == 6 and off[0] in "+-":
        with contextlib.suppress(ValueError):
            sign = -1 if off[0] == "-" else 1
            hours, minutes = sign * int(off[1:3]), sign * int(off[4:6])
    return (local - timedelta(hours=hours, minutes=minutes)).replace(tzinfo=UTC)


__all__ = ["exif_time_utc", "read_exif", "sniff_media_type"]
