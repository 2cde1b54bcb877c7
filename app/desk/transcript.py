"""Transcripts of speech in a recording (REQUIREMENTS §A10): typed by the officer, sealed
as a ``derive`` entry that names the recording segment's hash, with time codes.

The file is WebVTT (UTF-8): players show it beside the video, and people can read it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from forensics.entry_data import Parent, TranscriptData, TranscriptLine
from forensics.errors import InputError

_CODE = re.compile(r"^(?:(\d+):)?([0-5]?\d):([0-5]\d)(?:[.,](\d{1,3}))?$")


@dataclass(frozen=True)
class Line:
    start_ms: int
    end_ms: int
    speaker: str
    text: str


def parse_time_code(text: str) -> int:
    """``1:02:03.5``, ``02:03`` or ``2:03,250`` → milliseconds."""
    m = _CODE.match(text.strip())
    if m is None:
        raise InputError(
            f"not a time code: {text!r} (use mm:ss or hh:mm:ss.mmm)",
            f"时间码格式错误：{text!r}（应为 分:秒 或 时:分:秒.毫秒）",
        )
    hours, minutes, seconds, frac = m.groups()
    ms = int((frac or "0").ljust(3, "0"))
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + ms


def format_time_code(ms: int) -> str:
    hours, rest = divmod(max(0, ms), 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def check_lines(lines: Sequence[Line], duration_ms: int | None = None) -> None:
    if not lines:
        raise InputError("the transcript is empty", "转写内容为空")
    for n, line in enumerate(lines, 1):
        if not line.text.strip():
            raise InputError(f"line {n} has no text", f"第 {n} 行没有文字")
        if line.end_ms <= line.start_ms:
            raise InputError(f"line {n} ends before it starts", f"第 {n} 行结束时间早于开始时间")
        if duration_ms is not None and line.start_ms > duration_ms:
            raise InputError(
                f"line {n} starts after the end of the recording",
                f"第 {n} 行开始时间超出录像时长",
            )


def to_webvtt(lines: Sequence[Line]) -> bytes:
    out = ["WEBVTT", ""]
    for n, line in enumerate(lines, 1):
        out.append(str(n))
        out.append(f"{format_time_code(line.start_ms)} --> {format_time_code(line.end_ms)}")
        text = line.text.strip().replace("-->", "→")
        out.append(f"<v {line.speaker.strip()}>{text}" if line.speaker.strip() else text)
        out.append("")
    return "\n".join(out).encode("utf-8")


def derive_data(
    parent: Mapping[str, Any], lines: Sequence[Line], reason: str, language: str = "zh"
) -> dict[str, Any]:
    """The ``derive`` entry's data: the parent recording by hash, the reason, the lines.

    ``parent`` is the recording segment's ledger item with the seq of its entry
    (``seq``, ``path``, ``sha256``, ``sm3``).
    """
    if not reason.strip():
        raise InputError("say why the transcript is made", "请填写转写原因")
    return TranscriptData(
        reason=reason.strip(),
        language=language,
        parent=Parent.of_item(int(parent["seq"]), parent),
        lines=tuple(TranscriptLine(x.start_ms, x.end_ms, x.speaker, x.text) for x in lines),
    ).to_json()
