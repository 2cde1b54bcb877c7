"""An export killed between its package and its ledger entry (issue #21): the export entry
enters the case's ledger only once the package and its seal are on disk, so a crash in
between must neither leave a package the ledger does not know of nor an entry for a file
that does not exist. The real ``quzheng export`` runs in a child process and is SIGKILLed
at the OS boundary, just after a file is renamed into place; the next command that acts as
an officer completes the export (both files in place and matching) or removes what it
wrote (anything less)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from forensics.case import Case
from forensics.ledger_checks import VerificationReport
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
sig = signal.SIGSTOP if os.environ.get("QZ_STOP") else signal.SIGKILL
stopped = []
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
            if done > 0 and not stopped:
                stopped.append(done)
                os.kill(os.getpid(), sig)
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


def pending(case: Case) -> list[str]:
    """The export notes the case holds (read with the case to this process alone)."""
    return [k for k in case.store.left_pending if k.startswith(PENDING)]


def passes(report: VerificationReport) -> None:
    assert report.bottom_line, [(f.code, f.en) for f in report.errors]


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
        assert exports(case) == [] and pending(case)
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
        assert not pending(case) and case.store.stamp_queue() == []
        # The case itself verifies: the export's token, kept aside while the entries were
        # pending (a recovery in between moves blobs no entry names), is in the blob store.
        passes(case.verify(policy(world, tsa)))
    passes(verify_package(out, policy(world, tsa)))


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
        assert len(exports(case)) == 1 and not pending(case)
        passes(case.verify(policy(world, tsa)))
    passes(verify_package(out, policy(world, tsa)))


def test_an_export_still_running_elsewhere_is_left_alone(
    world: World, tsa: TsaServer, ready: str, tmp_path: Path
) -> None:
    """Another process acting on the case while an export runs (here: stopped mid-write)
    neither completes nor undoes it; its note then makes that export fail cleanly (the
    ledger went on), and the next export works."""
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "x.qzp"
    env = {
        **os.environ, "QUZHENG_OFFICER": "31000001", "QUZHENG_TSA_URLS": tsa.url,
        "QZ_KILL_AFTER": "zip", "QZ_STOP": "1", "PYTHONPATH": str(ROOT),
    }  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_EXPORT, "export", "--case", ready, "--out", str(out)],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while Path(f"/proc/{proc.pid}/stat").read_text().split(") ")[1][0] != "T":
            assert proc.poll() is None and time.monotonic() < deadline, "never stopped"
            time.sleep(0.05)
        written = sorted(p.name for p in out_dir.iterdir())
        assert written and all(n.endswith(".tmp") for n in written)  # mid-write
        plain = {**os.environ, "QUZHENG_OFFICER": "31000001", "QUZHENG_TSA_URLS": tsa.url}
        note = subprocess.run(
            [sys.executable, "-m", "app.cli", "note", "--case", ready, "meanwhile"],
            env=plain, cwd=ROOT, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert note.returncode == 0, note.stderr
        assert "interrupted" not in note.stderr
        assert sorted(p.name for p in out_dir.iterdir()) == written  # untouched
    finally:
        os.kill(proc.pid, signal.SIGCONT)
    _, err = proc.communicate(timeout=180)
    assert proc.returncode == 2 and "Traceback" not in err
    assert "extended" in err or "已被追加" in err, err
    assert list(out_dir.iterdir()) == []
    with Case.open(world.home, ready) as case:
        assert exports(case) == [] and not pending(case)
    again = subprocess.run(
        [sys.executable, "-m", "app.cli", "export", "--case", ready, "--out", str(out)],
        env=plain, cwd=ROOT, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    passes(verify_package(out, policy(world, tsa)))
