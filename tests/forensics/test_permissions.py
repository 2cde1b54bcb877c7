"""The data home is its owner's alone: folders 0700, files 0600, sealed blobs 0400, whatever
the umask; a home written by an earlier version is tightened once when opened (issue #16)."""

from __future__ import annotations

import io
import json
import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from app import paths, settings
from app.installation import Installation
from forensics.case import Case
from forensics.identity import IdentityStore, Profile
from tests.conftest import AGENCY, PASSPHRASE
from ui import entry

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX modes")


@pytest.fixture
def umask_022() -> Iterator[None]:
    """The usual desktop umask: without care, new files are 0644 and folders 0755."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def _open_to_others(root: Path) -> list[str]:
    """Every entry under ``root`` (itself included) that the group or others may use."""
    found = [f"{_mode(root):o} {root}"] if _mode(root) & 0o077 else []
    for top, dirs, files in os.walk(root):
        for name in (*dirs, *files):
            p = Path(top) / name
            if not p.is_symlink() and _mode(p) & 0o077:
                found.append(f"{_mode(p):o} {p}")
    return found


def _blobs(case_dir: Path) -> list[Path]:
    return [p for p in (case_dir / "blobs").rglob("*") if p.is_file()]


@pytest.mark.usefixtures("umask_022")
def test_a_home_made_by_the_program_is_private_whatever_the_umask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("QUZHENG_HOME", str(home))
    monkeypatch.setenv("QUZHENG_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("QUZHENG_LANG", "en")
    monkeypatch.setenv("QUZHENG_CA_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("QUZHENG_OFFICER", "31000001")
    for badge in ("31000001", "31000002"):
        assert entry.main(["identity", "init", "--name", "张明", "--badge", badge, "--agency", AGENCY]) == 0  # fmt: skip
    assert entry.main(["identity", "ca", "init", "--name", "示例 CA", "--agency", AGENCY]) == 0
    assert entry.main(["identity", "ca", "issue", "--badge", "31000002"]) == 0
    assert entry.main(["config", "set", "video.segment_seconds", "30"]) == 0
    capsys.readouterr()
    assert entry.main(["case", "new", "--title", "权限", "--officer", "31000002"]) == 0
    case_id = capsys.readouterr().out.strip()
    evidence = tmp_path / "商品页.html"
    evidence.write_text("<h1>正品保证</h1>", encoding="utf-8")
    assert entry.main(["import", str(evidence), "--case", case_id]) == 0
    assert entry.main(["note", "已复核", "--case", case_id]) == 0

    case_dir = home / "cases" / case_id
    assert (home / "config.json").is_file() and (case_dir / "case.sqlite").is_file()
    assert (home / "ca" / "ca-key.pem").is_file() and list((case_dir / "certs").iterdir())
    assert _open_to_others(home) == []
    assert _mode(home) == 0o700 and _mode(case_dir) == 0o700
    assert _mode(home / "identities" / "31000001" / "cert.pem") == 0o600
    (blob,) = _blobs(case_dir)
    assert _mode(blob) == 0o400  # sealed: read-only, and the owner's alone


@pytest.mark.usefixtures("umask_022")
def test_a_library_caller_with_umask_022_still_gets_a_private_case(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The core does not count on the program's umask: the home, the cases, the index and
    its -wal/-shm files, the certificates and the blobs are created private."""
    inst = Installation(tmp_path / "fresh" / "home")
    assert _mode(inst.home) == 0o700  # created by opening the installation
    settings.set_value(inst.home, "video.segment_seconds", "30")
    assert _mode(inst.home / "config.json") == 0o600
    ids = IdentityStore(inst.home)
    ids.init_officer(Profile("张明", "31000001", AGENCY), PASSPHRASE)
    lead = ids.unlock("31000001", PASSPHRASE)
    with Case.create(inst.cases, lead, title="库调用") as case:
        case.seal_stream(
            lead,
            io.BytesIO(b"evidence"),
            name="a.txt",
            media_type="text/plain",
            kind="import.file",
            data={},
        )
        d = case.store.dir
        # While the case is open SQLite keeps its write-ahead log and shared memory.
        for name in ("case.sqlite", "case.sqlite-wal", "case.sqlite-shm", "case.lock"):
            assert _mode(d / name) == 0o600, name
        assert _open_to_others(inst.home / "cases") == []
        (blob,) = _blobs(d)
        assert _mode(blob) == 0o400


@pytest.mark.usefixtures("umask_022")
def test_the_identity_store_alone_writes_keys_certificates_and_anchors_private(
    tmp_path: Path,
) -> None:
    """Used without an Installation (a script, the verifier's own store), the identity store
    still creates its folders 0700 and every file it writes 0600: officer key, certificate
    and profile, the agency CA, issued certificates and trust anchors with their labels."""
    home = tmp_path / "not-yet" / "home"
    ids = IdentityStore(home)
    ids.init_officer(Profile("张明", "31000001", AGENCY), PASSPHRASE)
    ids.init_ca("测试机构 CA", PASSPHRASE, agency=AGENCY)
    ids.issue("31000001", PASSPHRASE)
    ids.trust_tsa(ids.officer("31000001").cert.public_bytes(Encoding.PEM), "test-root")
    assert _mode(tmp_path / "not-yet") == 0o700
    written = [p for p in home.rglob("*") if p.is_file()]
    assert {p.name for p in written} >= {"key.pem", "cert.pem", "profile.json", "ca-key.pem"}
    assert any(p.name.endswith(".labels.json") for p in written)
    assert _open_to_others(home) == []


def _old_home(tmp_path: Path) -> tuple[Path, Path]:
    """A home and a ``data.dir`` as an earlier version left them: 0755 and 0644, blobs
    0444, a browser profile left in work/ by a crashed session."""
    home = tmp_path / "old-home"
    cases_root = tmp_path / "evidence-disk"
    ids = IdentityStore(home)
    ids.init_officer(Profile("张明", "31000001", AGENCY), PASSPHRASE)
    settings.set_value(home, "data.dir", str(cases_root))
    lead = ids.unlock("31000001", PASSPHRASE)
    with Case.create(cases_root, lead, title="旧案件") as case:
        case.seal_stream(
            lead,
            io.BytesIO(b"evidence"),
            name="a.txt",
            media_type="text/plain",
            kind="import.file",
            data={},
        )
        case_dir = case.store.dir
    profile = case_dir / "work" / "session-1" / "browser" / "Local Storage"
    profile.mkdir(parents=True)
    (profile / "leveldb.log").write_text("history")
    for root in (home, cases_root):
        for top, _dirs, files in os.walk(root):
            os.chmod(top, 0o755)
            for name in files:
                p = Path(top) / name
                os.chmod(p, 0o444 if p.parent.parent.name == "blobs" else 0o644)
    return home, case_dir


def test_an_existing_home_is_tightened_once_when_opened(tmp_path: Path) -> None:
    home, case_dir = _old_home(tmp_path)
    outside = tmp_path / "outside.txt"
    outside.write_text("not ours")
    os.chmod(outside, 0o644)
    (home / "link-out").symlink_to(outside)
    assert len(_open_to_others(home)) > 5 and _open_to_others(case_dir)

    inst = Installation(home)
    assert _open_to_others(home) == []
    assert _open_to_others(case_dir.parent) == []  # the cases under data.dir too
    assert _mode(case_dir / "case.sqlite") == 0o600
    assert _mode(case_dir / "work" / "session-1" / "browser") == 0o700
    (blob,) = _blobs(case_dir)
    assert _mode(blob) == 0o400  # still read-only: only the group's and others' bits go
    assert _mode(outside) == 0o644  # a symbolic link is never followed
    marker = json.loads((home / paths.PERM_MARKER).read_text())
    assert str(home.absolute()) in marker["tightened"]
    assert str(case_dir.parent.absolute()) in marker["tightened"]
    # The case still opens, and its evidence reads.
    with inst.open_case(case_dir.name) as case, case.store.open_blob(blob.name) as f:
        assert f.read() == b"evidence"

    # Done once: the next start does not walk the home again ...
    loose = home / "identities" / "31000001" / "profile.json"
    os.chmod(loose, 0o644)
    Installation(home)
    assert _mode(loose) == 0o644
    # ... unless the record of it is gone.
    (home / paths.PERM_MARKER).unlink()
    Installation(home)
    assert _mode(loose) == 0o600


def test_an_entry_that_cannot_be_changed_is_skipped_and_logged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    home, case_dir = _old_home(tmp_path)
    stuck = case_dir / "case.sqlite"
    real_chmod = os.chmod

    def chmod(path: object, mode: int, **kw: object) -> None:
        if Path(str(path)) == stuck:
            raise PermissionError(1, "Operation not permitted", str(path))
        real_chmod(path, mode)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "chmod", chmod)
    with caplog.at_level(logging.WARNING, logger="app.paths"):
        Installation(home)
    monkeypatch.undo()
    assert _open_to_others(home) == []
    assert _open_to_others(case_dir) == [f"644 {stuck}"]
    assert any(str(stuck) in r.getMessage() for r in caplog.records)
