"""Tamper challenges: every class, over many seeds, is found by verify_package at its place."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from forensics.ledger_checks import VerificationReport
from forensics.package import layout as L
from forensics.package import verify_package
from forensics.training import CLASSES, AnswerKey, TamperError, Text, make_tamper_set
from forensics.trust import TrustPolicy
from tests.forensics.training.conftest import Built


def verify(built: Built, path: Path) -> VerificationReport:
    return verify_package(path, policy=TrustPolicy.of(built.ids.trusted_cas(), built.tsa_roots))


def sums_agree(path: Path) -> bool:
    """What a careless check (`sha256sum -c SHA256SUMS`, the manifest's hashes) sees."""
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    sums = {}
    for line in members["SHA256SUMS"].decode().splitlines():
        value, _, name = line.partition("  ")
        sums[name] = value
    dp = json.loads(members["datapackage.json"])
    lay = L.layout(dp["quzheng"]["format"])
    listed = {n for n in members if n not in lay.not_in_sums}
    digest = json.loads(members["datapackage-digest.json"])
    return (
        set(sums) == listed
        and all(hashlib.sha256(members[n]).hexdigest() == v for n, v in sums.items())
        and all(
            r["hash"] == "sha256:" + hashlib.sha256(members[r["path"]]).hexdigest()
            for r in dp["resources"]
        )
        and digest["hash"] == "sha256:" + hashlib.sha256(members["datapackage.json"]).hexdigest()
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_challenge_is_caught_by_verify(complete: Built, tmp_path: Path, seed: int) -> None:
    key = make_tamper_set(complete.path, 10, seed, tmp_path / "set")
    assert {c.cls for c in key.challenges} == set(CLASSES)
    assert key.path == tmp_path / "set" / "answer-key.json"
    for c in key.challenges:
        path = tmp_path / "set" / "challenges" / c.file
        assert sums_agree(path), c.file
        report = verify(complete, path)
        errors = {(f.code, f.subject) for f in report.errors}
        assert not report.bottom_line, (c.cls, c.location)
        # The primary finding names the place; the others follow (a re-encoded image may
        # by chance keep its size).
        assert c.expected[0] in errors, (c.cls, c.location, sorted(errors))
        assert {e for e in c.expected if e[0] != "item-size"} <= errors, (c.cls, sorted(errors))


def test_same_seed_same_challenges(complete: Built, tmp_path: Path) -> None:
    a = make_tamper_set(complete.path, 7, 42, tmp_path / "a")
    b = make_tamper_set(complete.path, 7, 42, tmp_path / "b")
    c = make_tamper_set(complete.path, 7, 43, tmp_path / "c")

    def plan(k: AnswerKey) -> list[tuple[str, str, str]]:
        return [(x.file, x.cls, x.location) for x in k.challenges]

    assert plan(a) == plan(b) != plan(c)
    assert [x.file for x in a.challenges] == [f"challenge-{i:02d}.qzp" for i in range(1, 8)]
    # The key round-trips through its JSON file; the trainee's folder holds no key.
    on_disk = AnswerKey.from_json(json.loads((tmp_path / "a" / "answer-key.json").read_text()))
    assert plan(on_disk) == plan(a)
    handed_out = sorted(p.name for p in (tmp_path / "a" / "challenges").iterdir())
    assert "answer-key.json" not in handed_out and "answers-template.json" in handed_out


def test_named_classes_only(complete: Built, tmp_path: Path) -> None:
    key = make_tamper_set(complete.path, 4, 9, tmp_path / "set", ["token-moved", "entry-removed"])
    assert {c.cls for c in key.challenges} == {"token-moved", "entry-removed"}


def test_bad_requests_are_clear_errors(complete: Built, tmp_path: Path) -> None:
    with pytest.raises(TamperError, match="unknown tamper class"):
        make_tamper_set(complete.path, 3, 1, tmp_path / "x", ["photoshop"])
    with pytest.raises(TamperError, match="number of challenges"):
        make_tamper_set(complete.path, 0, 1, tmp_path / "y")
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("x")
    with pytest.raises(TamperError, match="not an empty folder"):
        make_tamper_set(complete.path, 3, 1, busy)
    with pytest.raises(TamperError, match="no such package"):
        make_tamper_set(tmp_path / "none.qzp", 3, 1, tmp_path / "z")


def test_tail_truncation_with_stranger_signed_manifest_is_caught(
    complete: Built, tmp_path: Path
) -> None:
    from forensics.package.reader import PackageReader
    from forensics.training import tamper

    with PackageReader(complete.path) as reader:
        src = tamper._Source(reader)
        last = src.records[-1]
        plan = tamper._Plan(
            "entry-removed", "", (), Text("", ""), (),
            records=src.records[:-1],
            files={str(i["path"]): None for i in last.entry["items"]},
        )  # fmt: skip
        stranger = tamper._Stranger(5, src.records[0].entry["actor"], "")
        changed, _, order = tamper._cover_up(src, plan, stranger)
        tamper._write_zip(src, tmp_path / "cut.qzp", order, changed)
    assert not verify(complete, tmp_path / "cut.qzp").bottom_line
