"""Test material: a small sealed case with each kind of item, and WARC and MP4 files."""

from __future__ import annotations

import io
import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QLineEdit, QTableView, QWidget

from app.capture.sealer import Item, Sealer
from forensics.case import Case
from forensics.entry_data import SessionStartData
from forensics.identity import Signer


def write_warc(path: Path, pages: list[tuple[str, bytes]]) -> Path:
    """A WARC with a request and a response record per page, linked as the proxy links them."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as f:
        writer = WARCWriter(f, gzip=True)
        for url, body in pages:
            req_headers = StatusAndHeaders(
                "GET / HTTP/1.1", [("Host", url.split("/")[2]), ("Cookie", "sid=officer")],
                is_http_request=True,
            )  # fmt: skip
            req = writer.create_warc_record(
                url, "request", payload=io.BytesIO(b""), length=0, http_headers=req_headers
            )
            resp_headers = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))],
                protocol="HTTP/1.1",
            )  # fmt: skip
            resp = writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(body),
                length=len(body),
                http_headers=resp_headers,
                warc_headers_dict={"WARC-IP-Address": "127.0.0.1"},
            )
            req.rec_headers.add_header(
                "WARC-Concurrent-To", resp.rec_headers.get_header("WARC-Record-ID")
            )
            writer.write_record(req)
            writer.write_record(resp)
    return path


def write_mp4(path: Path, seconds: int = 1, fps: int = 5) -> Path:
    import av
    from PIL import Image

    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for n in range(seconds * fps):
            img = Image.new("RGB", (64, 48), (n * 40 % 255, 80, 160))
            for packet in stream.encode(av.VideoFrame.from_image(img)):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def write_png(path: Path, width: int = 320, height: int = 1200) -> Path:
    from PySide6.QtGui import QColor, QImage

    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#3b6ea5"))
    assert image.save(str(path), "PNG")
    return path


def fill_case(case: Case, lead: Signer, tmp: Path) -> str:
    """A session with a screenshot, a traffic segment, a video segment with a mark, a note
    and an imported JSON file (sealed the way the capture engine seals them)."""
    session = case.start_session(lead, SessionStartData("test", ()))
    png = write_png(tmp / "shot.png")
    case.seal_file(
        lead, png, kind="capture.screenshot", media_type="image/png", session=session,
        data={"url": "https://shop.range.test/item/1", "title": "商品"},
    )  # fmt: skip
    warc = write_warc(
        tmp / "traffic.warc.gz",
        [
            ("https://shop.range.test/", "<h1>示例旗舰店</h1>".encode()),
            ("https://shop.range.test/item/1", b"<p>price 199</p>"),
        ],
    )
    case.seal_file(
        lead, warc, kind="capture.traffic", media_type="application/warc", session=session,
        folder="archive", data={"segment": "traffic-1"},
    )  # fmt: skip
    mp4 = write_mp4(tmp / "video.mp4")
    case.seal_file(
        lead, mp4, kind="capture.video", media_type="video/mp4", session=session,
        data={"recording": "rec-1", "segment": 0, "duration_us": 1_000_000},
    )  # fmt: skip
    case.ledger.append(
        lead, "mark",
        {"recording": "rec-1", "segment": 0, "segment_at_us": 400_000, "at_us": 400_000,
         "note": "主播口播“正品”"},
        session=session,
    )  # fmt: skip
    case.note(lead, "页面标称“正品保证”", session=session)
    listing = tmp / "listing.json"
    listing.write_text('{"price": 199, "title": "示例"}', encoding="utf-8")
    case.import_file(lead, listing, session=session)
    return session


def complete_case(home: Path, lead: Signer, second: Signer, tmp: Path) -> Case:
    """A case the report can be finalised for: every §A1 field, a closed session."""
    case = Case.create(
        home,
        lead,
        title="某网店销售假冒“示例”品牌商品案",
        number="示市监案〔2026〕12号",
        cause="涉嫌销售侵犯注册商标专用权的商品",
        target={"platform": "练习靶场", "shop": "示例旗舰店", "url": "https://shop.range.test/"},
        location="示例市市场监督管理局 取证室",
        purpose="固定网店销售假冒商品的电子数据",
        officers=[second.officer],
    )
    session = fill_case(case, lead, tmp)
    case.end_session(session, [lead, second])
    return case


ENGLISH = re.compile(r"\b[A-Za-z]{3,}\s+[a-z]{3,}\b")
ALLOWED = ("quzheng range serve", "Quzheng", "MSE WebM")


def visible_texts(widget: QWidget) -> list[str]:
    """What a person reads: titles, labels, buttons, group boxes, placeholders, actions,
    table headers."""
    texts = [widget.windowTitle()]
    texts += [re.sub(r"<[^>]+>", " ", w.text()) for w in widget.findChildren(QLabel)]
    texts += [b.text() for b in widget.findChildren(QAbstractButton)]
    texts += [g.title() for g in widget.findChildren(QGroupBox)]
    texts += [e.placeholderText() for e in widget.findChildren(QLineEdit)]
    texts += [a.text() for a in widget.findChildren(QAction)]
    for view in widget.findChildren(QTableView):
        model = view.model()
        if model is not None:
            texts += [
                str(model.headerData(c, Qt.Orientation.Horizontal))
                for c in range(model.columnCount())
            ]
    return [t for t in texts if t]


def untranslated(widget: QWidget) -> list[str]:
    """Texts with an English phrase left in them (URLs, paths and names excepted)."""
    out = []
    for text in visible_texts(widget):
        cleaned = text
        for ok in ALLOWED:
            cleaned = cleaned.replace(ok, "")
        cleaned = re.sub(r"https?://\S+|\S+@\S+|/\S+", "", cleaned)
        if ENGLISH.search(cleaned):
            out.append(text)
    return out


def seal_page(case: Case, signer: Signer, session: str, url: str, title: str, name: str) -> None:
    """Seal a full-page capture of ``url`` through the capture engine's own sealer."""
    sealer = Sealer(case, signer, session)
    try:
        sealer.seal_items(
            "capture.fullpage",
            {"url": url, "title": title},
            [Item(name, "image/png", data=b"\x89PNG\r\n\x1a\n " + Path(name).stem.encode())],
        ).result(timeout=30)
    finally:
        sealer.close()
