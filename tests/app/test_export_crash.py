"""An export killed between its package and its ledger entry (issue #21): the export entry
enters the case's ledger only once the package and its seal are on disk, so a crash in
between must neither leave a package the ledger does not know of nor an entry for a file
that does not exist. The real ``quzheng export`` runs in a child process and is SIGKILLed
at the OS boundary, just after a file is renamed into place; the next command that acts as
an officer completes the export (both files in place and matching) or removes what it
wrote (anything less)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from forensics.case import Case
from forensics.package import verify_package
from forensics.package.export_pending import PENDING
from forensics.stamping import TsaConfig
from forensics.timestamp import TsaServer
from forensics.trust import TrustPolicy
from tests.conftest import World
from tests.forensics.package.conftest import build_case

ROOT = Path(__file__).resolve().parents[2]

# ``quzheng export``, killed as the power would go, right after ``os.replace`` put the file
# named by QZ_KILL_AFTER in place (or, for QZ_KILL_AFTER=zip, once the ZIP is being written).
KILLED_EXPORT = """
import os, signal, sys
from pathlib import Path
kill_after = os.environ["QZ_KILL_AFTER"]
real_replace = os.replace
def replace(src, dst):
    real_replace(src, dst)
    if Path(dst).name == kill_after:
        os.kill(os.getpid(), signal.SIGKILL)
os.replace = replace
if kill_after == "zip":
    import forensics.package.export as export
    real_zip = export._write_zip
    def write_zip(tmp, members, password, progress):
        def killed(done, total):
            if done > 0:
                os.kill(os.getpid(), signal.SIGKILL)
        return real_zip(tmp, members, password, killed)
    export._write_zip = write_zip
from app.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.fixture
def ready(world: World, tsa: TsaServer, tmp_path: Path) -> str:
    config = TsaConfig((tsa.url,), (tsa.trust_anchor_path.read_bytes(),), 5.0)
    world.ids.trust_tsa(tsa.trust_anchor_path.read_bytes(), "test-tsa")
    src = tmp_path / "src"
    src.mkdir()
    case = build_case(world, src, config)
    case.close()
    return case.case_id


def killed_export(world: World, tsa: TsaServer, case_id: str, out: Path, after: str) -> None:
    env = {
        **os.environ,
        "QUZHENG_OFFICER": "31000001",
        "QUZHENG_TSA_URLS": tsa.url,
        "QZ_KILL_AFTER": after,
        "PYTHONPATH": str(ROOT),
    }
    proc = subprocess.run(
        [sys.executable, "-c", KILLED_EXPORT, "export", "--case", case_id, "--out", str(out)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == -9, proc.stderr  # killed, as intended, not failed


def exports(case: Case) -> list[int]:
    return [r.seq for r in case.ledger.records() if r.kind == "package.export"]


def policy(world: World, tsa: TsaServer) -> TrustPolicy:
    return TrustPolicy.of(world.ids.trusted_cas(), [tsa.trust_anchor_path.read_bytes()])


def test_killed_after_the_package_is_in_place_completes_at_next_open(
    world: World, tsa: TsaServer, ready: str, tmp_path: Path
) -> None:
    out = tmp_path / "out" / "x.qzp"
    out.parent.mkdir()
    killed_export(world, tsa, ready, out, after="x.qzp")
    seal = out.with_name("x.qzp.seal.json")
    assert out.exists() and seal.exists()
    with Case.open(world.home, ready) as case:  # opened without acting: nothing changes
        assert exports(case) == [] and case.store.get_meta(PENDING) is not None
    # The next command that acts as an officer (here: a note) completes the export first.
    env = {**os.environ, "QUZHENG_OFFICER": "31000001", "QUZHENG_TSA_URLS": tsa.url}
    note = subprocess.run(
        [sys.executable, "-m", "app.cli", "note", "--case", ready, "after the crash"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert note.returncode == 0, note.stderr
    assert "interrupted after its package and seal were written" in note.stderr
    with Case.open(world.home, ready) as case:
        recs = case.ledger.records()
        (seq,) = exports(case)
        assert [r.kind for r in recs if r.seq > seq] == ["timestamp", "note"]
        assert case.store.get_meta(PENDING) is None and case.store.stamp_queue() == []
        # The case itself verifies: the export's token, kept aside while the entries were
        # pending (a recovery in between moves blobs no entry names), is in the blob store.
        mine = case.verify(policy(world, tsa))
        assert mine.bottom_line, [(f.code, f.en) for f in mine.errors]
    report = verify_package(out, policy(world, tsa))
    assert report.bottom_line, [(f.code, f.en) for f in report.errors]


@pytest.mark.parametrize("after", ["x.qzp.seal.json", "zip"])
def test_killed_before_the_package_is_in_place_leaves_nothing(
    world: World, tsa: TsaServer, ready: str, tmp_path: Path, after: str
) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "x.qzp"
    killed_export(world, tsa, ready, out, after=after)
    assert not out.exists()
    # The next export (acting as an officer) undoes the interrupted one, then goes through.
    env = {**os.environ, "QUZHENG_OFFICER": "31000001", "QUZHENG_TSA_URLS": tsa.url}
    again = subprocess.run(
        [sys.executable, "-m", "app.cli", "export", "--case", ready, "--out", str(out)],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert "was interrupted before it was sealed" in again.stderr
    assert sorted(p.name for p in out_dir.iterdir()) == ["x.qzp", "x.qzp.seal.json"]
    with Case.open(world.home, ready) as case:
        assert len(exports(case)) == 1 and case.store.get_meta(PENDING) is None
        mine = case.verify(policy(world, tsa))
        assert mine.bottom_line, [(f.code, f.en) for f in mine.errors]
    report = verify_package(out, policy(world, tsa))
    assert report.bottom_line, [(f.code, f.en) for f in report.errors]
