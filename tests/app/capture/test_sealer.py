"""The session's single ledger writer: strict order, whole entries or none."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from app.capture.actions import encode_png
from app.capture.sealer import Item, Sealer
from forensics.case import Case
from forensics.errors import CaptureError
from tests.app.capture.conftest import verify
from tests.conftest import World


def test_order_is_submission_order(case: Case, world: World) -> None:
    sealer = Sealer(case, world.lead, case.start_session(world.lead))
    futures = []
    lock = threading.Lock()

    def burst(tag: str) -> None:
        for i in range(20):
            with lock:  # submission order is what the chain must show
                futures.append((f"{tag}{i}", sealer.append("note", {"text": f"{tag}{i}"})))

    threads = [threading.Thread(target=burst, args=(t,)) for t in "abc"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seqs = [(text, f.result(10).seq) for text, f in futures]
    assert [s for _, s in seqs] == sorted(s for _, s in seqs)
    sealer.close()
    assert [r.entry["data"]["text"] for r in sealer.records] == [text for text, _ in futures]
    assert verify(case, world).bottom_line


def test_an_entry_with_a_missing_file_is_not_written(
    case: Case, world: World, tmp_path: Path
) -> None:
    sealer = Sealer(case, world.lead)
    before = len(case.ledger.records())
    good = Item("a.txt", "text/plain", data=b"a")
    missing = Item("b.txt", "text/plain", path=tmp_path / "nope.txt")
    with pytest.raises(CaptureError):
        sealer.seal_items("capture.snapshot", {"url": "https://a.test/"}, [good, missing]).result(
            10
        )
    assert len(case.ledger.records()) == before  # no entry naming half of its files
    record = sealer.seal_items("capture.snapshot", {"url": "https://a.test/"}, [good]).result(10)
    assert record.entry["items"][0]["media_type"] == "text/plain"
    sealer.close()
    with pytest.raises(CaptureError):
        sealer.append("note", {"text": "late"}).result(1)


def test_png_encoding_off_the_gui_thread(qapp: object) -> None:
    from PySide6.QtGui import QColor, QImage

    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(QColor("red"))
    box: list[bytes] = []
    t = threading.Thread(target=lambda: box.append(encode_png(image)))
    t.start()
    t.join(10)
    assert box[0][:8] == b"\x89PNG\r\n\x1a\n"
