from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from forensics.case import IMPORT_BATCH_BYTES, IMPORT_BATCH_FILES, Case, SealItem, import_batches
from forensics.errors import InputError, PolicyError
from forensics.ledger_checks import verify_case_dir
from forensics.trust import TrustPolicy
from tests.conftest import World


def _jpeg_with_exif(path: Path, when: str, gps: bool = True) -> None:
    img = Image.new("RGB", (32, 24), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "Canon"  # Make
    exif[0x0110] = "EOS R6"  # Model
    exif[0x0132] = when  # DateTime
    ifd = exif.get_ifd(0x8769)
    ifd[0x9003] = when  # DateTimeOriginal
    if gps:
        gps_ifd = exif.get_ifd(0x8825)
        gps_ifd[1] = "N"
        gps_ifd[2] = (31.0, 13.0, 30.0)
        gps_ifd[3] = "E"
        gps_ifd[4] = (121.0, 28.0, 12.0)
    img.save(path, "JPEG", exif=exif)


def test_import_reads_exif_and_flags_far_time(case: Case, world: World, tmp_path: Path) -> None:
    photo = tmp_path / "现场照片.jpg"
    _jpeg_with_exif(photo, "2020:01:02 10:11:12")
    rec = case.import_file(world.lead, photo)
    data = rec.entry["data"]
    assert rec.kind == "import.file"
    assert data["exif"]["camera"] == "Canon EOS R6"
    assert data["exif"]["original_time"] == "2020:01:02 10:11:12"
    assert data["exif"]["gps"] == {"lat": "31.225000", "lon": "121.470000"}
    assert data["exif_time_far_from_import"] is True
    item = rec.entry["items"][0]
    assert item["media_type"] == "image/jpeg"
    assert item["path"] == f"evidence/{rec.seq:06d}-现场照片.jpg"


def test_recent_exif_time_not_flagged(case: Case, world: World, tmp_path: Path) -> None:
    photo = tmp_path / "p.jpg"
    _jpeg_with_exif(photo, datetime.now(UTC).strftime("%Y:%m:%d %H:%M:%S"), gps=False)
    # EXIF has no zone: the import assumes Beijing time, so 'now in UTC' is 8 h off — within a day.
    data = case.import_file(world.lead, photo).entry["data"]
    assert "exif_time_far_from_import" not in data
    assert "gps" not in data["exif"]


def test_session_needs_two_officers(case: Case, world: World) -> None:
    session = case.start_session(world.lead)
    with pytest.raises(PolicyError) as exc:
        case.end_session(session, [world.lead])
    assert "two officers" in exc.value.message_en
    with pytest.raises(PolicyError):
        case.end_session(session, [world.lead, world.lead])
    with pytest.raises(PolicyError):
        case.end_session(session, [world.lead, world.stranger])
    rec = case.end_session(session, [world.lead, world.second])
    assert rec.entry["data"]["signers"] == [world.lead.officer.key_fp, world.second.officer.key_fp]
    assert len(rec.cosig) == 1
    lines = [line for _, _, line in case.store.ledger_rows()]
    assert verify_case_dir(
        case.store.dir, lines, TrustPolicy.of(world.ids.trusted_cas())
    ).bottom_line


def test_training_case_may_allow_one_officer(world: World) -> None:
    with Case.create(world.home, world.lead, title="训练", training=True) as c:
        session = c.start_session(world.lead)
        with pytest.raises(PolicyError):
            c.end_session(session, [world.lead])  # still refused unless asked for
        rec = c.end_session(session, [world.lead], allow_single_officer=True)
        assert rec.entry["data"]["training_single_officer"] is True
        lines = [line for _, _, line in c.store.ledger_rows()]
        policy = TrustPolicy.of(world.ids.trusted_cas())
        # A training case is exercise material: not PASS unless the verifier accepts training.
        assert verify_case_dir(c.store.dir, lines, policy).verdict.exit_code == 3
        report = verify_case_dir(c.store.dir, lines, policy.for_training())
        assert report.bottom_line
        warnings = {f.code for f in report.findings if f.severity == "warning"}
        assert "session-single-officer" in warnings


def test_non_training_case_refuses_single_officer_flag(case: Case, world: World) -> None:
    session = case.start_session(world.lead)
    with pytest.raises(PolicyError):
        case.end_session(session, [world.lead], allow_single_officer=True)


def test_stranger_cannot_import(case: Case, world: World, tmp_path: Path) -> None:
    f = tmp_path / "x.txt"
    f.write_text("x")
    with pytest.raises(PolicyError):
        case.import_file(world.stranger, f)


def test_unsafe_names_are_confined(case: Case, world: World) -> None:
    rec = case.seal_stream(
        world.lead,
        io.BytesIO(b"x"),
        name="../../etc/passwd",
        media_type="text/plain",
        kind="import.file",
        data={},
    )
    path = rec.entry["items"][0]["path"]
    assert path.startswith("evidence/") and ".." not in path.split("/")[1:] and path.count("/") == 1


def test_seal_several_items_in_one_entry(case: Case, world: World, tmp_path: Path) -> None:
    f = tmp_path / "page.mhtml"
    f.write_bytes(b"mhtml")
    items = [
        SealItem("page.mhtml", "multipart/related", path=f),
        SealItem("dom.html", "text/html; charset=utf-8", data=b"<html></html>"),
        SealItem("extra.txt", "text/plain", stream=io.BytesIO(b"extra")),
    ]
    session = case.start_session(world.lead)
    rec = case.seal(
        world.lead, "capture.snapshot", {"url": "https://a.test/"}, items, session=session
    )
    assert [(i["path"].split("-", 1)[1], i["media_type"]) for i in rec.entry["items"]] == [
        ("page.mhtml", "multipart/related"),
        ("dom.html", "text/html; charset=utf-8"),
        ("extra.txt", "text/plain"),
    ]
    assert all(i["path"].startswith(f"evidence/{rec.seq:06d}-") for i in rec.entry["items"])
    assert rec.entry["session"] == session
    note = case.seal(world.lead, "note", {"text": "no files"})
    assert note.entry["items"] == []


def test_seal_writes_no_entry_when_an_item_is_missing(
    case: Case, world: World, tmp_path: Path
) -> None:
    before = len(case.ledger.records())
    items = [
        SealItem("a.txt", "text/plain", data=b"a"),
        SealItem("b.txt", "text/plain", path=tmp_path / "nope.txt"),
    ]
    with pytest.raises(InputError):
        case.seal(world.lead, "capture.snapshot", {"url": "https://a.test/"}, items)
    assert len(case.ledger.records()) == before


def test_received_case_refuses_every_seal(case: Case, world: World) -> None:
    case.store.set_meta("received", "1")
    with pytest.raises(PolicyError, match="received case"):
        case.seal(world.lead, "note", {"text": "x"})
    with pytest.raises(PolicyError, match="received case"):
        case.seal_stream(
            world.lead,
            io.BytesIO(b"x"),
            name="x",
            media_type="text/plain",
            kind="import.file",
            data={},
        )


def test_empty_title_and_note(world: World, case: Case) -> None:
    with pytest.raises(InputError):
        Case.create(world.home, world.lead, title="  ")
    with pytest.raises(InputError):
        case.note(world.lead, " ")


def test_stranger_cannot_note_or_stamp(case: Case, world: World) -> None:
    from forensics.stamping import TsaConfig, stamp_pending

    before = case.store.head()
    with pytest.raises(PolicyError):
        case.note(world.stranger, "不是本案人员")
    with pytest.raises(PolicyError):
        stamp_pending(case, world.stranger, TsaConfig((), ()))
    assert case.store.head() == before  # nothing appended


def test_add_officer_rules(case: Case, world: World) -> None:
    """Only an officer of the case adds one; nobody twice; the lead only as the case opens."""
    before = len(case.ledger.records())
    with pytest.raises(PolicyError, match="not an officer of this case"):
        case.add_officer(world.stranger, world.stranger.officer)  # a stranger adding themself
    with pytest.raises(PolicyError, match="already an officer"):
        case.add_officer(world.lead, world.second.officer, role="recorder")
    with pytest.raises(InputError, match="cannot be added"):
        case.add_officer(world.second, world.stranger.officer, role="lead")
    assert len(case.ledger.records()) == before
    rec = case.add_officer(world.second, world.stranger.officer, role="assistant")
    assert rec.entry["actor"]["key"] == world.second.officer.key_fp
    assert case.officers()[world.stranger.officer.key_fp].role == "assistant"
    lines = [line for _, _, line in case.store.ledger_rows()]
    report = verify_case_dir(case.store.dir, lines, TrustPolicy.of(world.ids.trusted_cas()))
    assert report.bottom_line, report.errors


def test_import_files_seals_each_file_in_order(case: Case, world: World, tmp_path: Path) -> None:
    """A batch import: one ``import.file`` entry per file, in order, each naming the file's
    own digests; the blobs are in place, read-only; the case verifies."""
    paths = []
    for i in range(12):
        p = tmp_path / f"item-{i:02d}.bin"
        p.write_bytes(bytes([i]) * (1000 + i))
        paths.append(p)
    paths.append(tmp_path / "dup.bin")
    paths[-1].write_bytes(paths[0].read_bytes())  # the same content twice: one blob
    before = case.store.head()
    recs = case.import_files(world.lead, paths)
    assert before is not None and [r.seq for r in recs] == list(
        range(before[0] + 1, before[0] + 1 + len(paths))
    )
    for rec, p in zip(recs, paths, strict=True):
        (item,) = rec.items
        assert rec.kind == "import.file" and rec.data["source_name"] == p.name
        assert item.sha256 == hashlib.sha256(p.read_bytes()).hexdigest()
        assert item.size == p.stat().st_size
        blob = case.store.blob_path(item.sha256)
        assert blob.read_bytes() == p.read_bytes() and blob.stat().st_mode & 0o777 == 0o400
    assert list((case.store.dir / "tmp").iterdir()) == []
    lines = [line for _, _, line in case.store.ledger_rows()]
    report = verify_case_dir(case.store.dir, lines, TrustPolicy.of(world.ids.trusted_cas()))
    assert report.bottom_line, report.errors


def test_import_files_seals_all_or_none(case: Case, world: World, tmp_path: Path) -> None:
    good = tmp_path / "good.bin"
    good.write_bytes(b"x" * 5000)
    missing = tmp_path / "gone.bin"
    head = case.store.head()
    with pytest.raises(InputError) as err:
        case.import_files(world.lead, [good, missing, good])
    assert str(missing) in err.value.message_en
    assert case.store.head() == head  # not even the file before the missing one
    assert list((case.store.dir / "tmp").iterdir()) == []


def test_import_batches_bound_files_and_bytes(tmp_path: Path) -> None:
    small = []
    for i in range(IMPORT_BATCH_FILES + 3):
        p = tmp_path / f"s{i}"
        p.write_bytes(b"s")
        small.append(p)
    big = tmp_path / "big"
    with open(big, "wb") as f:
        f.truncate(IMPORT_BATCH_BYTES + 1)  # sparse: larger than a batch alone
    batches = list(import_batches([*small, big, small[0]]))
    assert [len(b) for b in batches] == [IMPORT_BATCH_FILES, 3, 1, 1]
    assert batches[2] == [big] and [p for b in batches for p in b] == [*small, big, small[0]]
