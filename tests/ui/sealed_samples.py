"""Sealed material the viewers show: a real clean-environment check of this machine (loopback
only: the clock and egress checks fail fast and warn, as they do without internet), as the
ledger entry holds it, and a page snapshot as Chromium writes one."""

from __future__ import annotations

import base64
import quopri
import textwrap
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from forensics.environment.snapshot import snapshot

TARGET = "https://shop.range.test/"


@cache
def _snapshot_json() -> dict[str, Any]:
    snap = snapshot(
        [TARGET], ntp_servers=["127.0.0.1"], echo_urls=["http://127.0.0.1:9/"], timeout=0.5
    )
    data: dict[str, Any] = snap.to_json()
    return data


def env_check_data(phase: str = "before") -> dict[str, Any]:
    """The ``env.check`` entry's data for a check taken now (``seal_snapshot``'s shape)."""
    snap = _snapshot_json()
    data: dict[str, Any] = {"phase": phase, "snapshot": snap, "warnings": list(snap["warnings"])}
    if phase == "after":
        data |= {"compared_with": 5, "changes": []}
    return data


def page_html(resources: str) -> str:
    """A shop page whose stylesheet, image and script would reach ``resources`` (a URL)."""
    return (
        "<html><head><title>示例旗舰店</title>"
        f"<link rel='stylesheet' href='{resources}/style.css'></head><body>"
        "<h1>示例旗舰店 正品保证</h1><p>售价 199 元</p>"
        f"<img src='{resources}/tracker.png'>"
        "<script>document.body.insertAdjacentText('beforeend', 'SCRIPT-RAN')</script>"
        "</body></html>"
    )


def write_mhtml(
    path: Path, url: str, html: str, parts: Mapping[str, tuple[str, bytes]] | None = None
) -> Path:
    """A page snapshot as Chromium writes one (MIME multipart/related): the page
    quoted-printable, and ``parts`` (URL → media type and bytes) base64, as its resources."""
    body = quopri.encodestring(html.encode("utf-8")).decode("ascii").replace("\n", "\r\n")
    boundary = "----MultipartBoundary--quzhengTest----"
    resources = "".join(
        f"--{boundary}\r\nContent-Type: {media}\r\nContent-Transfer-Encoding: base64\r\n"
        f"Content-Location: {where}\r\n\r\n"
        + "\r\n".join(textwrap.wrap(base64.b64encode(data).decode("ascii"), 76))
        + "\r\n\r\n"
        for where, (media, data) in (parts or {}).items()
    )
    path.write_text(
        "From: <Saved by Blink>\r\n"
        f"Snapshot-Content-Location: {url}\r\n"
        "Subject: =?utf-8?Q?test?=\r\n"
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/related;\r\n\ttype="text/html";\r\n\tboundary="{boundary}"\r\n'
        "\r\n\r\n"
        f"--{boundary}\r\n"
        "Content-Type: text/html\r\n"
        "Content-ID: <frame-1@mhtml.blink>\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n"
        f"Content-Location: {url}\r\n\r\n"
        f"{body}\r\n"
        f"{resources}"
        f"--{boundary}--\r\n",
        encoding="ascii",
        newline="",
    )
    return path
