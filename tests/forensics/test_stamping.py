"""Trusted time on the ledger, against the built-in TSA over real HTTP on 127.0.0.1."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from forensics.case import Case
from forensics.ledger import ItemSpec
from forensics.stamping import TsaConfig, pending_count, stamp_pending, token_path
from forensics.timestamp import TimeStampAuthority, TsaServer, create_tsa_identity
from forensics.verify import VerificationReport, verify_case_dir
from tests.conftest import World
from tests.forensics.timestamp.conftest import make_identity, token_for


@pytest.fixture
def tsa(tmp_path: Path) -> Iterator[TsaServer]:
    with TsaServer(tmp_path / "tsa") as server:
        yield server


def _config(tsa: TsaServer) -> TsaConfig:
    return TsaConfig((tsa.url,), (tsa.trust_anchor_path.read_bytes(),), timeout=5.0)


def _verify(case: Case, world: World, roots: list[bytes]) -> VerificationReport:
    lines = [line for _, _, line in case.store.ledger_rows()]
    return verify_case_dir(case.store.dir, lines, world.ids.trusted_cas(), roots)


def _seal(case: Case, world: World, text: bytes) -> int:
    rec = case.seal_stream(
        world.lead,
        io.BytesIO(text),
        name="page.html",
        media_type="text/html",
        kind="capture.snapshot",
        data={"url": "https://shop.range.test/"},
    )
    return rec.seq


def test_seal_points_are_stamped_and_verify(
    case: Case, world: World, tsa: TsaServer, tmp_path: Path
) -> None:
    seq = _seal(case, world, b"<html>1</html>")
    outcome = stamp_pending(case, world.lead, _config(tsa))
    assert outcome.stamped == [seq] and outcome.pending == 0
    rec = case.ledger.records()[-1]
    assert rec.kind == "timestamp"
    data = rec.entry["data"]
    assert data["stamped_seq"] == seq and data["queued"] is False
    assert data["stamped_hash"] == case.ledger.records()[seq].hash
    assert data["gen_time"].endswith("Z") and data["serial"] and data["tsa_name"]
    assert rec.entry["items"][0]["path"] == token_path(seq)
    report = _verify(case, world, [tsa.trust_anchor_path.read_bytes()])
    assert report.bottom_line, report.errors
    assert "timestamps-complete" in {f.code for f in report.findings}

    # The same token verifies with OpenSSL against the entry hash.
    token = case.store.blob_path(rec.entry["items"][0]["sha256"])
    chain = tmp_path / "tsa-chain.pem"
    ident = create_tsa_identity(tmp_path / "tsa")
    chain.write_bytes(ident.cert.public_bytes(serialization.Encoding.PEM))
    proc = subprocess.run(
        [
            "openssl", "ts", "-verify", "-digest", data["stamped_hash"], "-in", str(token),
            "-token_in", "-CAfile", str(tsa.trust_anchor_path), "-untrusted", str(chain),
        ],
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert proc.returncode == 0 and "Verification: OK" in proc.stdout, proc.stderr


def test_offline_tsa_queues_then_catches_up(case: Case, world: World, tmp_path: Path) -> None:
    server = TsaServer(tmp_path / "tsa")
    server.start()
    config = _config(server)
    server.stop()
    seqs = [_seal(case, world, b"a"), _seal(case, world, b"b")]
    outcome = stamp_pending(case, world.lead, config)
    assert outcome.stamped == [] and outcome.pending == 2 and outcome.error is not None
    assert "127.0.0.1" in outcome.reason_en
    report = _verify(case, world, list(config.trust_roots))
    assert report.bottom_line  # sealed evidence stays intact while tokens are queued
    assert {f.code for f in report.findings} >= {"entry-unstamped"}

    with TsaServer(tmp_path / "tsa") as again:
        outcome = stamp_pending(case, world.lead, _config(again))
        assert outcome.stamped == seqs and pending_count(case) == 0
        stamps = [r for r in case.ledger.records() if r.kind == "timestamp"]
        assert all(r.entry["data"]["queued"] is True for r in stamps)
        assert all(r.entry["data"]["attempts_before"] == 1 for r in stamps)
        report = _verify(case, world, [again.trust_anchor_path.read_bytes()])
        assert report.bottom_line, report.errors
        assert "timestamps-complete" in {f.code for f in report.findings}


def _stamped_case(case: Case, world: World, tsa: TsaServer) -> tuple[int, int]:
    a = _seal(case, world, b"first")
    b = _seal(case, world, b"second")
    assert stamp_pending(case, world.lead, _config(tsa)).stamped == [a, b]
    return a, b


def _token_blob(case: Case, seq: int) -> Path:
    row = case.store.query("SELECT sha256 FROM items WHERE path=?", (token_path(seq),))
    return case.store.blob_path(str(row[0][0]))


def _codes(report: VerificationReport, subject: str) -> set[str]:
    return {f.code for f in report.errors if f.subject == subject}


def test_flipped_byte_in_token(case: Case, world: World, tsa: TsaServer) -> None:
    a, _ = _stamped_case(case, world, tsa)
    blob = _token_blob(case, a)
    blob.chmod(0o644)
    data = bytearray(blob.read_bytes())
    data[-40] ^= 0x01
    blob.write_bytes(bytes(data))
    report = _verify(case, world, [tsa.trust_anchor_path.read_bytes()])
    codes = _codes(report, token_path(a))
    assert "item-sha256" in codes
    assert codes & {"token-signature-invalid", "token-malformed"}


def test_token_of_another_entry(case: Case, world: World, tsa: TsaServer) -> None:
    a, b = _stamped_case(case, world, tsa)
    blob_b = _token_blob(case, b)
    blob_b.chmod(0o644)
    blob_b.write_bytes(_token_blob(case, a).read_bytes())
    report = _verify(case, world, [tsa.trust_anchor_path.read_bytes()])
    assert "token-imprint-mismatch" in _codes(report, token_path(b))


def test_token_from_untrusted_tsa(case: Case, world: World, tsa: TsaServer, tmp_path: Path) -> None:
    a, _ = _stamped_case(case, world, tsa)
    other = create_tsa_identity(tmp_path / "other-tsa")
    report = _verify(case, world, [other.root_path.read_bytes()])
    assert "token-tsa-untrusted" in _codes(report, token_path(a))


def test_tsa_certificate_without_critical_eku(case: Case, world: World, tmp_path: Path) -> None:
    seq = _seal(case, world, b"eku")
    ident = make_identity(tmp_path / "no-eku", eku="noncritical")
    assert isinstance(ident.key, ec.EllipticCurvePrivateKey)
    entry_hash = case.ledger.records()[seq].hash
    token = token_for(TimeStampAuthority(ident, strict=False), bytes.fromhex(entry_hash))
    digests = case.store.ingest_stream(io.BytesIO(token))
    case.ledger.append(
        world.lead,
        "timestamp",
        {"stamped_seq": seq, "stamped_hash": entry_hash, "queued": False},
        [ItemSpec(digests, "t.tsr", "application/timestamp-reply", path=token_path(seq))],
    )
    report = _verify(case, world, [ident.root_path.read_bytes()])
    assert "token-tsa-eku-missing" in _codes(report, token_path(seq))


def test_entry_clock_ahead_of_the_tsa_is_a_finding(world: World, tsa: TsaServer) -> None:
    """An entry dated 10 minutes after the TSA fixed its hash: a manipulated or wrong clock."""
    from datetime import UTC, datetime, timedelta

    ahead = lambda: datetime.now(UTC) + timedelta(minutes=10)  # noqa: E731
    with Case.create(
        world.home, world.lead, title="时钟", officers=[world.second.officer], now=ahead
    ) as case:
        seq = _seal(case, world, b"clock")
        assert stamp_pending(case, world.lead, _config(tsa)).stamped == [seq]
        report = _verify(case, world, [tsa.trust_anchor_path.read_bytes()])
        assert "token-before-entry" in _codes(report, token_path(seq))
        # Within the tolerance it is no finding.
        lines = [line for _, _, line in case.store.ledger_rows()]
        lenient = verify_case_dir(
            case.store.dir, lines, world.ids.trusted_cas(), [tsa.trust_anchor_path.read_bytes()],
            time_tolerance_us=15 * 60 * 1_000_000,
        )  # fmt: skip
        assert "token-before-entry" not in {f.code for f in lenient.findings}
