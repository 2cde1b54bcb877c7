"""Trusted time on the ledger, against the built-in TSA over real HTTP on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import io
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from forensics.case import Case
from forensics.ledger import ItemSpec
from forensics.ledger_checks import VerificationReport, verify_case_dir
from forensics.stamping import (
    BackgroundStamper,
    StampOutcome,
    TsaConfig,
    pending_count,
    stamp_pending,
    token_path,
)
from forensics.timestamp import TimeStampAuthority, TsaServer, create_tsa_identity
from forensics.trust import TrustPolicy
from forensics.verdict import Verdict
from tests.conftest import World
from tests.forensics.timestamp.conftest import make_identity, token_for


def _config(tsa: TsaServer) -> TsaConfig:
    return TsaConfig((tsa.url,), (tsa.trust_anchor_path.read_bytes(),), timeout=5.0)


def _verify(case: Case, world: World, roots: list[bytes]) -> VerificationReport:
    lines = [line for _, _, line in case.store.ledger_rows()]
    return verify_case_dir(case.store.dir, lines, TrustPolicy.of(world.ids.trusted_cas(), roots))


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
    assert outcome.tokens == {seq: rec.seq}  # the windows name the token's entry
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
    assert {f.code for f in report.findings} >= {"seal-point-unstamped"}

    with TsaServer(tmp_path / "tsa") as again:
        outcome = stamp_pending(case, world.lead, _config(again))
        assert outcome.stamped == seqs and pending_count(case) == 0
        stamps = [r for r in case.ledger.records() if r.kind == "timestamp"]
        assert all(r.entry["data"]["queued"] is True for r in stamps)
        assert all(r.entry["data"]["attempts_before"] == 1 for r in stamps)
        report = _verify(case, world, [again.trust_anchor_path.read_bytes()])
        assert report.bottom_line, report.errors
        assert "timestamps-complete" in {f.code for f in report.findings}


def _wait(predicate: Callable[[], bool], timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _token_entry(case: Case, seq: int) -> int | None:
    """The seq of the ``timestamp`` entry holding the token over entry ``seq``, if any."""
    rows = case.store._query("SELECT seq FROM items WHERE path=?", (token_path(seq),))
    return int(str(rows[0][0])) if rows else None


def test_background_stamper_stamps_each_seal_point_as_it_is_sealed(
    case: Case, world: World, tsa: TsaServer
) -> None:
    stamper = BackgroundStamper(case, world.lead, _config(tsa))
    try:
        first = _seal(case, world, b"first")
        stamper.poke()
        # The first seal point's token is in the store before the second is sealed.
        assert _wait(lambda: _token_entry(case, first) is not None)
        second = _seal(case, world, b"second")
        stamper.poke()
        assert _wait(lambda: _token_entry(case, second) is not None)
        third = _seal(case, world, b"third")  # no poke: close() makes a last attempt
    finally:
        outcome = stamper.close(15)
    assert outcome.stamped == [first, second, third] and outcome.pending == 0
    first_token, second_token = _token_entry(case, first), _token_entry(case, second)
    assert first_token is not None and second_token is not None
    assert first < first_token < second < second_token < third
    stamps = [r for r in case.ledger.records() if r.kind == "timestamp"]
    assert [r.entry["data"]["queued"] for r in stamps] == [False, False, False]
    report = _verify(case, world, [tsa.trust_anchor_path.read_bytes()])
    assert report.bottom_line, report.errors
    assert "timestamps-complete" in {f.code for f in report.findings}


def test_background_stamper_keeps_the_queue_while_the_tsa_is_unreachable(
    case: Case, world: World, tmp_path: Path
) -> None:
    with socket.socket() as s:  # a closed port on 127.0.0.1: the TSA is down
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    down = TsaServer(tmp_path / "tsa", port=port)  # its identity now, its server later
    config = TsaConfig((f"http://127.0.0.1:{port}/",), (down.trust_anchor_path.read_bytes(),), 5.0)
    outcomes: list[StampOutcome] = []
    stamper = BackgroundStamper(case, world.lead, config, retry_after=0.3)
    stamper.listen(outcomes.append)
    try:
        seqs = [_seal(case, world, b"a"), _seal(case, world, b"b")]
        stamper.poke()
        assert _wait(lambda: any(o.error is not None for o in outcomes))
        assert pending_count(case) == 2 and not outcomes[-1].stamped
        assert "127.0.0.1" in outcomes[-1].reason_en
        assert all(_token_entry(case, seq) is None for seq in seqs)

        # The TSA is back on its address: a later poke (and the stamper's retries) stamp them.
        with down:
            stamper.poke()
            assert _wait(lambda: pending_count(case) == 0)
            outcome = stamper.close(15)
    finally:
        stamper.close(15)
    assert outcome.stamped == seqs and outcome.pending == 0 and outcome.error is None
    stamps = [r for r in case.ledger.records() if r.kind == "timestamp"]
    assert [r.entry["data"]["stamped_seq"] for r in stamps] == seqs
    # Obtained late, and the record says so: only while the TSA was unreachable.
    assert all(r.entry["data"]["queued"] is True for r in stamps)
    assert all(r.entry["data"]["attempts_before"] >= 1 for r in stamps)
    report = _verify(case, world, list(config.trust_roots))
    assert report.bottom_line, report.errors


def _stamped_case(case: Case, world: World, tsa: TsaServer) -> tuple[int, int]:
    a = _seal(case, world, b"first")
    b = _seal(case, world, b"second")
    assert stamp_pending(case, world.lead, _config(tsa)).stamped == [a, b]
    return a, b


def _token_blob(case: Case, seq: int) -> Path:
    row = case.store._query("SELECT sha256 FROM items WHERE path=?", (token_path(seq),))
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
    # Intact, but proven only to a root this verifier does not trust: never PASS, never FAIL.
    assert report.verdict is Verdict.UNTRUSTED, report.errors
    untrusted = {(f.code, f.subject) for f in report.findings if f.severity == "untrusted"}
    assert ("token-tsa-untrusted", token_path(a)) in untrusted


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
        assert "token-before-entry" in _codes(report, f"ledger entry {seq}")
        # Within the tolerance it is no finding.
        lines = [line for _, _, line in case.store.ledger_rows()]
        policy = TrustPolicy.of(world.ids.trusted_cas(), [tsa.trust_anchor_path.read_bytes()])
        lenient = verify_case_dir(
            case.store.dir, lines, dataclasses.replace(policy, time_tolerance_s=15 * 60)
        )
        assert "token-before-entry" not in {f.code for f in lenient.findings}
