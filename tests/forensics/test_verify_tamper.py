"""One test per attack on a sealed case; each must give exit 1 and a finding naming its target.

The attacker has write access to the case directory but not to the officers' private keys.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from app.cli import main
from forensics.canonical import canonical_bytes
from forensics.case import Case
from forensics.ledger import parse_record
from tests.conftest import PASSPHRASE, World


@dataclass
class Sealed:
    case_id: str
    dir: Path
    blob: Path
    item_path: str
    note_seq: int


@pytest.fixture
def sealed(world: World, tmp_path: Path) -> Sealed:
    src = tmp_path / "listing.html"
    src.write_bytes(b"<html>" + os.urandom(4096) + b"</html>")
    with Case.create(
        world.home, world.lead, title="篡改测试", officers=[world.second.officer]
    ) as case:
        session = case.start_session(world.lead)
        rec = case.import_file(world.lead, src, session=session)
        note = case.note(world.lead, "页面标称正品保证", session=session)
        case.note(world.second, "复核", session=session)
        case.end_session(session, [world.lead, world.second])
        item = rec.entry["items"][0]
        return Sealed(
            case.case_id,
            case.store.dir,
            case.store.blob_path(item["sha256"]),
            item["path"],
            note.seq,
        )


def _verify(capsys: pytest.CaptureFixture[str], case_id: str) -> tuple[int, list[dict[str, str]]]:
    code = main(["verify", case_id, "--json"])
    out = json.loads(capsys.readouterr().out)
    return code, [f for f in out["findings"] if f["severity"] == "error"]


def _rows(case_dir: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(case_dir / "case.sqlite") as db:
        return [
            (int(s), str(r)) for s, r in db.execute("SELECT seq, record FROM ledger ORDER BY seq")
        ]


def _write_rows(case_dir: Path, rows: list[tuple[int, str]]) -> None:
    db = sqlite3.connect(case_dir / "case.sqlite")
    with db:
        db.execute("DELETE FROM ledger")
        for pos, record in rows:
            db.execute(
                "INSERT INTO ledger (seq, hash, record) VALUES (?, ?, ?)",
                (pos, json.loads(record)["hash"], record),
            )
    db.close()


def _edit(case_dir: Path, seq: int, change: Callable[[dict[str, Any]], None]) -> None:
    rows = _rows(case_dir)
    rec = json.loads(rows[seq][1])
    change(rec)
    rows[seq] = (seq, json.dumps(rec, ensure_ascii=False))
    _write_rows(case_dir, rows)


def _codes_for(findings: list[dict[str, str]], subject: str) -> set[str]:
    return {f["code"] for f in findings if f["subject"] == subject}


def test_untouched_case_passes(sealed: Sealed, capsys: pytest.CaptureFixture[str]) -> None:
    code, errors = _verify(capsys, sealed.case_id)
    assert (code, errors) == (0, [])


def test_flipped_byte_in_blob(sealed: Sealed, capsys: pytest.CaptureFixture[str]) -> None:
    os.chmod(sealed.blob, 0o644)
    data = bytearray(sealed.blob.read_bytes())
    data[100] ^= 0x01
    sealed.blob.write_bytes(bytes(data))
    code, errors = _verify(capsys, sealed.case_id)
    assert code == 1
    assert {"item-sha256", "item-sm3"} <= _codes_for(errors, sealed.item_path)


def test_ledger_entry_edited(sealed: Sealed, capsys: pytest.CaptureFixture[str]) -> None:
    _edit(sealed.dir, sealed.note_seq, lambda r: r["entry"]["data"].update(text="页面标称仿品"))
    code, errors = _verify(capsys, sealed.case_id)
    assert code == 1
    subject = f"ledger entry {sealed.note_seq}"
    assert {"entry-hash-mismatch", "signature-invalid"} <= _codes_for(errors, subject)
    # The entry after it no longer links to it either.
    assert "ledger-prev-mismatch" in _codes_for(errors, f"ledger entry {sealed.note_seq + 1}")


def test_ledger_entry_deleted(sealed: Sealed, capsys: pytest.CaptureFixture[str]) -> None:
    rows = _rows(sealed.dir)
    del rows[sealed.note_seq]
    _write_rows(sealed.dir, [(i, r) for i, (_, r) in enumerate(rows)])
    code, errors = _verify(capsys, sealed.case_id)
    assert code == 1
    # The entry now at the gap names the missing one as its predecessor and has the wrong seq.
    codes = _codes_for(errors, f"ledger entry {sealed.note_seq + 1}")
    assert {"ledger-seq-break", "ledger-prev-mismatch"} <= codes


def test_ledger_entry_inserted(
    sealed: Sealed, world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = _rows(sealed.dir)
    before = parse_record(rows[sealed.note_seq][1])
    forged = dict(before.entry)
    forged["data"] = {"text": "补记：当事人已同意"}
    body = canonical_bytes(forged)
    record = {
        "entry": forged,
        "hash": hashlib.sha256(body).hexdigest(),
        "sig": world.stranger.sign(body),
        "cosig": [],
    }
    rows.insert(sealed.note_seq, (0, json.dumps(record, ensure_ascii=False)))
    _write_rows(sealed.dir, [(i, r) for i, (_, r) in enumerate(rows)])
    code, errors = _verify(capsys, sealed.case_id)
    assert code == 1
    assert "ledger-seq-break" in _codes_for(errors, f"ledger entry {sealed.note_seq}")
    assert "signature-invalid" in _codes_for(errors, f"ledger entry {sealed.note_seq}")


def test_ledger_entries_reordered(sealed: Sealed, capsys: pytest.CaptureFixture[str]) -> None:
    rows = _rows(sealed.dir)
    a, b = sealed.note_seq, sealed.note_seq + 1
    rows[a], rows[b] = rows[b], rows[a]
    _write_rows(sealed.dir, [(i, r) for i, (_, r) in enumerate(rows)])
    code, errors = _verify(capsys, sealed.case_id)
    assert code == 1
    assert {"ledger-seq-break", "ledger-prev-mismatch"} <= _codes_for(errors, f"ledger entry {b}")


def test_rechained_with_old_signatures(sealed: Sealed, capsys: pytest.CaptureFixture[str]) -> None:
    rows = _rows(sealed.dir)
    records = [json.loads(r) for _, r in rows]
    records[sealed.note_seq]["entry"]["data"]["text"] = "页面标称仿品"
    prev = records[sealed.note_seq - 1]["hash"]
    for rec in records[sealed.note_seq :]:
        rec["entry"]["prev"] = prev
        rec["hash"] = prev = hashlib.sha256(canonical_bytes(rec["entry"])).hexdigest()
    _write_rows(sealed.dir, [(i, json.dumps(r, ensure_ascii=False)) for i, r in enumerate(records)])
    code, errors = _verify(capsys, sealed.case_id)
    assert code == 1
    assert _codes_for(errors, f"ledger entry {sealed.note_seq}") == {"signature-invalid"}
    assert "signature-invalid" in _codes_for(errors, f"ledger entry {sealed.note_seq + 1}")


def test_signature_swapped(sealed: Sealed, capsys: pytest.CaptureFixture[str]) -> None:
    rows = _rows(sealed.dir)
    a, b = json.loads(rows[1][1]), json.loads(rows[2][1])
    a["sig"], b["sig"] = b["sig"], a["sig"]
    rows[1], rows[2] = (
        (1, json.dumps(a, ensure_ascii=False)),
        (2, json.dumps(b, ensure_ascii=False)),
    )
    _write_rows(sealed.dir, rows)
    code, errors = _verify(capsys, sealed.case_id)
    assert code == 1
    assert "signature-invalid" in _codes_for(errors, "ledger entry 1")
    assert "signature-invalid" in _codes_for(errors, "ledger entry 2")


def test_certificate_replaced_by_another_officers(
    sealed: Sealed, world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    target = sealed.dir / "certs" / f"{world.lead.officer.key_fp}.pem"
    target.write_text(world.stranger.officer.chain_pem())
    code, errors = _verify(capsys, sealed.case_id)
    assert code == 1
    assert "cert-key-mismatch" in _codes_for(errors, f"certs/{world.lead.officer.key_fp}.pem")


def test_certificate_reissued_for_same_key(
    sealed: Sealed, world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """Someone holding the CA key re-issues the officer's certificate under another name."""
    ca_key = serialization.load_pem_private_key(
        (world.home / "ca" / "ca-key.pem").read_bytes(), PASSPHRASE.encode()
    )
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    ca_cert = world.lead.officer.chain[1]
    old = world.lead.officer.cert
    new = (
        x509.CertificateBuilder()
        .subject_name(x509.Name.from_rfc4514_string("CN=冒名者"))
        .issuer_name(ca_cert.subject)
        .public_key(old.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime(2026, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2030, 1, 1, tzinfo=UTC))
        .sign(ca_key, hashes.SHA256())
    )
    pem = new.public_bytes(serialization.Encoding.PEM) + ca_cert.public_bytes(
        serialization.Encoding.PEM
    )
    (sealed.dir / "certs" / f"{world.lead.officer.key_fp}.pem").write_bytes(pem)
    code, errors = _verify(capsys, sealed.case_id)
    assert code == 1
    assert "cert-replaced" in _codes_for(errors, f"certs/{world.lead.officer.key_fp}.pem")


def test_cosignature_stripped(sealed: Sealed, capsys: pytest.CaptureFixture[str]) -> None:
    last = len(_rows(sealed.dir)) - 1
    _edit(sealed.dir, last, lambda r: r.update(cosig=[]))
    code, errors = _verify(capsys, sealed.case_id)
    assert code == 1
    assert {"session-signature-missing", "session-single-officer"} <= _codes_for(
        errors, f"ledger entry {last}"
    )
