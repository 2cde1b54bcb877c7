"""An export fails closed and says what happened (issue #21).

Targets that cannot work are refused before anything is sealed; the export entry enters the
case's ledger only once the package and its seal are on disk, so a package or seal that
cannot be written leaves no file and no entry; a backup that fails after the package
is complete is a warning with the package path, never a failed export. Failures are real
(a folder that is a file, ``/proc``, a name too long for the file system, a folder removed
while the export runs) or injected only at the OS boundary (``os.replace`` raising ENOSPC).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from app.reporting import report_hook
from forensics.case import Case
from forensics.entry_data import NoteData
from forensics.errors import CaptureError, InputError
from forensics.ledger import Record
from forensics.package import export_package, verify_package
from forensics.package import layout as L
from forensics.package.export import ReportHook, backup_package
from forensics.package.reader import PackageReader
from forensics.report.model import build_model
from forensics.report.narrative import describe
from forensics.report.source import ReportSource
from forensics.stamping import TsaConfig
from forensics.timestamp import TsaServer
from forensics.trust import TrustPolicy
from tests.conftest import World
from tests.forensics.package.conftest import build_case
from tests.legacy import seal_failed_export_as_before

NAME_MAX = 255


@pytest.fixture
def config(tsa: TsaServer) -> TsaConfig:
    return TsaConfig((tsa.url,), (tsa.trust_anchor_path.read_bytes(),), 5.0)


@pytest.fixture
def case(world: World, tmp_path: Path, config: TsaConfig) -> Iterator[Case]:
    """A complete case never exported: its traffic still waits for its HAR."""
    src = tmp_path / "src"
    src.mkdir()
    c = build_case(world, src, config)
    yield c
    c.close()


def _policy(world: World, config: TsaConfig) -> TrustPolicy:
    return TrustPolicy.of(world.ids.trusted_cas(), list(config.trust_roots))


def _verifies(path: Path, world: World, config: TsaConfig) -> bool:
    report = verify_package(path, _policy(world, config))
    assert report.bottom_line, [(f.code, f.en) for f in report.errors]
    return True


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def _refuses_writing(folder: Path) -> bool:
    """``folder`` refuses a new file for real, root included (``/proc`` on Linux)."""
    if not folder.is_dir():
        return False
    probe = folder / "qz-test-probe"
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError:
        return True
    probe.unlink()
    return False


PROC = Path("/proc")
needs_proc = pytest.mark.skipif(
    not _refuses_writing(PROC), reason="needs a folder that refuses files even to root"
)
LONG = "长" * 80 + "abcdef.qzp"  # 250 bytes: the package name fits, its seal's name does not


def _refusal_cases() -> list[object]:
    def out_in_missing_folder(t: Path) -> tuple[Path, Path | None, Path]:
        return t / "missing" / "x.qzp", None, t / "missing"

    def out_in_a_file(t: Path) -> tuple[Path, Path | None, Path]:
        (t / "afile").write_text("not a folder")
        return t / "afile" / "x.qzp", None, t / "afile"

    def out_in_proc(t: Path) -> tuple[Path, Path | None, Path]:
        return PROC / "x.qzp", None, PROC

    def out_name_too_long(t: Path) -> tuple[Path, Path | None, Path]:
        assert len(LONG.encode()) <= NAME_MAX < len((LONG + ".seal.json").encode())
        return t / LONG, None, t / LONG

    def out_exists(t: Path) -> tuple[Path, Path | None, Path]:
        (t / "x.qzp").write_bytes(b"earlier")
        return t / "x.qzp", None, t / "x.qzp"

    def stale_seal_exists(t: Path) -> tuple[Path, Path | None, Path]:
        (t / "x.qzp.seal.json").write_text("{}")
        return t / "x.qzp", None, t / "x.qzp.seal.json"

    def dangling_link(t: Path) -> tuple[Path, Path | None, Path]:
        (t / "x.qzp").symlink_to(t / "elsewhere.qzp")
        return t / "x.qzp", None, t / "x.qzp"

    def backup_folder_missing(t: Path) -> tuple[Path, Path | None, Path]:
        return t / "x.qzp", t / "no-disk" / "x.qzp", t / "no-disk"

    def backup_folder_is_a_file(t: Path) -> tuple[Path, Path | None, Path]:
        (t / "afile").write_text("not a folder")
        return t / "x.qzp", t / "afile" / "x.qzp", t / "afile"

    def backup_in_proc(t: Path) -> tuple[Path, Path | None, Path]:
        return t / "x.qzp", PROC / "x.qzp", PROC

    def backup_name_too_long(t: Path) -> tuple[Path, Path | None, Path]:
        (t / "b").mkdir()
        return t / "x.qzp", t / "b" / LONG, t / "b"

    def backup_is_the_package(t: Path) -> tuple[Path, Path | None, Path]:
        return t / "x.qzp", t / "." / "x.qzp", t / "x.qzp"

    def backup_is_the_seal(t: Path) -> tuple[Path, Path | None, Path]:
        return t / "x.qzp", t / "x.qzp.seal.json", t / "x.qzp.seal.json"

    def backup_folder_is_the_package_folder(t: Path) -> tuple[Path, Path | None, Path]:
        return t / "x.qzp", t, t / "x.qzp"  # a folder: the copy would be the package

    def backup_seal_exists(t: Path) -> tuple[Path, Path | None, Path]:
        (t / "b").mkdir()
        (t / "b" / "x.qzp.seal.json").write_text("{}")
        return t / "x.qzp", t / "b" / "x.qzp", t / "b" / "x.qzp.seal.json"

    fns: list[Callable[[Path], tuple[Path, Path | None, Path]]] = [
        out_in_missing_folder, out_in_a_file, out_in_proc, out_name_too_long, out_exists,
        stale_seal_exists, dangling_link, backup_folder_missing, backup_folder_is_a_file,
        backup_in_proc, backup_name_too_long, backup_is_the_package, backup_is_the_seal,
        backup_folder_is_the_package_folder, backup_seal_exists,
    ]  # fmt: skip
    return [
        pytest.param(f, id=f.__name__, marks=[needs_proc] if "proc" in f.__name__ else [])
        for f in fns
    ]


@pytest.mark.parametrize("target", _refusal_cases())
def test_refused_before_anything_is_sealed(
    case: Case,
    world: World,
    config: TsaConfig,
    tmp_path: Path,
    target: Callable[[Path], tuple[Path, Path | None, Path]],
) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out, backup, named = target(out_dir)
    head, rows = case.store.head(), len(case.ledger.records())
    before = _tree(out_dir)
    with pytest.raises(InputError) as err:
        export_package(case, world.lead, out, tsa=config, report=report_hook("zh"), backup=backup)
    # Nothing sealed (not even the HAR derived before the export), nothing written.
    assert case.store.head() == head and len(case.ledger.records()) == rows
    assert _tree(out_dir) == before
    # The message names the path, in both languages, and leaks no temporary name.
    shown = LONG if named.name == LONG else str(named)
    for msg in (err.value.message_en, err.value.message_zh):
        assert shown in msg, msg
        assert ".tmp" not in msg
    assert err.value.message_zh != err.value.message_en


def _fail_replace(
    monkeypatch: pytest.MonkeyPatch, target: Path, err: int = errno.ENOSPC
) -> list[Path]:
    """``os.replace`` onto ``target`` fails as a full disk would; the rest works."""
    real = os.replace
    hit: list[Path] = []

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if Path(dst) == target:
            hit.append(Path(dst))
            raise OSError(err, os.strerror(err))
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    return hit


def _exports(case: Case) -> list[int]:
    return [r.seq for r in case.ledger.records() if r.kind == "package.export"]


@pytest.mark.parametrize("what", ["package", "seal"])
def test_disk_full_leaves_no_entry(
    case: Case,
    world: World,
    config: TsaConfig,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    what: str,
) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "x.qzp"
    hit = _fail_replace(monkeypatch, out if what == "package" else out_dir / "x.qzp.seal.json")
    with pytest.raises(CaptureError) as err:
        export_package(case, world.lead, out, tsa=config, report=report_hook("zh"))
    assert hit, "the injected failure was not reached"
    # No package, no seal, no temporary file, and no export entry: nothing that could pass
    # for an export, in the folder or in the ledger.
    assert _tree(out_dir) == set()
    assert _exports(case) == [] and case.store.stamp_queue() == []
    assert "No space left" in err.value.message_en and "not sealed" in err.value.message_en
    assert err.value.message_zh.endswith("；未留下任何文件，账本未记录本次导出")
    # The case is intact, and a retry under the same name works.
    monkeypatch.undo()
    assert case.verify(_policy(world, config)).bottom_line
    again = export_package(case, world.lead, out, tsa=config, report=report_hook("en"))
    assert _verifies(again.path, world, config)
    assert len(_exports(case)) == 1


def test_folder_removed_while_exporting_leaves_no_entry(
    case: Case, world: World, config: TsaConfig, tmp_path: Path
) -> None:
    """A real failure, nothing patched: the target's disk goes away after the checks."""
    out_dir = tmp_path / "usb"
    out_dir.mkdir()
    hook = report_hook("zh")
    assert hook is not None

    def pull_the_disk(
        c: Case, recs: Sequence[Record], pdf: Path, pid: str, sha: str, sm3: str
    ) -> None:
        hook(c, recs, pdf, pid, sha, sm3)
        if sha != "0" * 64:  # the real report, while the package is being written
            out_dir.rmdir()

    with pytest.raises(CaptureError) as err:
        export_package(case, world.lead, out_dir / "x.qzp", tsa=config, report=pull_the_disk)
    assert not out_dir.exists()
    assert str(out_dir / "x.qzp") in err.value.message_en
    assert _exports(case) == []


def test_the_entry_is_appended_after_the_package_and_seal_are_on_disk(
    case: Case, world: World, config: TsaConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The package carries its own export entry and that entry's time-stamp; the case's
    ledger gets them, the same lines, only once the package and its seal are in place."""
    out = tmp_path / "x.qzp"
    hook = report_hook("zh")
    assert hook is not None
    carried: list[list[str]] = []

    def report(c: Case, recs: Sequence[Record], pdf: Path, pid: str, sha: str, sm3: str) -> None:
        hook(c, recs, pdf, pid, sha, sm3)
        if sha != "0" * 64:
            carried.append([r.kind for r in recs[-2:]])
            assert _exports(c) == []  # the package is being built: no entry yet

    real, seen = os.replace, []

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        real(src, dst)
        if Path(dst) in (out, out.with_name("x.qzp.seal.json")):
            seen.append((Path(dst).name, _exports(case)))  # just renamed into place

    monkeypatch.setattr(os, "replace", replace)
    res = export_package(case, world.lead, out, tsa=config, report=report)
    monkeypatch.undo()
    assert carried == [["package.export", "timestamp"]]
    assert seen == [("x.qzp.seal.json", []), ("x.qzp", [])]  # the seal first
    export, token = case.ledger.records()[-2:]
    assert (export.kind, token.kind) == ("package.export", "timestamp")
    assert export.data["package_id"] == res.package_id and token.data["stamped_seq"] == export.seq
    assert case.store.stamp_queue() == []  # stamped in the package, not queued again
    with PackageReader(out) as reader:
        lines = reader.read_lines(L.LEDGER)
    assert lines[-2:] == [export.line(), token.line()]
    assert [r.line() for r in case.ledger.records()] == lines
    assert _verifies(out, world, config) and case.verify(_policy(world, config)).bottom_line


def test_an_entry_appended_meanwhile_fails_the_export_cleanly(
    case: Case, world: World, config: TsaConfig, tmp_path: Path
) -> None:
    """Another writer extends the case while the package is written (another process of the
    officer's, say): the package's ledger would be a fork, so it is removed and nothing is
    sealed; the other writer's entry stands; a second export works."""
    out = tmp_path / "x.qzp"
    hook = report_hook("zh")
    assert hook is not None

    def report(c: Case, recs: Sequence[Record], pdf: Path, pid: str, sha: str, sm3: str) -> None:
        hook(c, recs, pdf, pid, sha, sm3)
        if sha != "0" * 64:
            with Case.open(world.home, c.case_id) as other:
                other.ledger.append(world.second, "note", NoteData("meanwhile").to_json())

    with pytest.raises(CaptureError) as err:
        export_package(case, world.lead, out, tsa=config, report=report)
    assert "extended" in err.value.message_en and "已被追加" in err.value.message_zh
    assert _tree(tmp_path) >= set() and not out.exists()
    assert not out.with_name("x.qzp.seal.json").exists()
    assert _exports(case) == [] and case.ledger.records()[-1].data == {"text": "meanwhile"}
    again = export_package(case, world.lead, out, tsa=config, report=hook)
    assert _verifies(again.path, world, config)


def test_an_export_failed_in_an_earlier_version_reads_as_failed(
    case: Case, world: World, config: TsaConfig, tmp_path: Path
) -> None:
    """Earlier versions sealed the export entry first and, when the package could not be
    written, a ``package.export-failed`` note after it; such cases still read truthfully:
    the report never prints that attempt as an export, and the note speaks one language."""
    failed, note = seal_failed_export_as_before(case, world.lead, "x.qzp", "No space left")
    done = export_package(
        case, world.lead, tmp_path / "x.qzp", tsa=config, report=report_hook("en")
    )
    assert _verifies(done.path, world, config)
    model = build_model(ReportSource.from_case(case))
    exports = [r for r in model.records if r.kind == "package.export"]
    assert [r.seq for r in exports] == [failed.seq, exports[1].seq]
    zh_failed = describe("zh", exports[0], model)
    assert zh_failed.startswith("导出证据包未成功") and f"第 {note.seq} 条" in zh_failed
    assert describe("en", exports[0], model).startswith("Package export did not complete")
    assert describe("zh", exports[1], model).startswith("导出证据包：")
    zh_note = describe("zh", model.records[note.seq], model)
    assert zh_note.startswith("导出失败") and "Export failed" not in zh_note
    assert describe("en", model.records[note.seq], model).startswith("Export failed")


def _backup_dies(hook: ReportHook, folder: Path) -> ReportHook:
    def report(c: Case, recs: Sequence[Record], pdf: Path, pid: str, sha: str, sm3: str) -> None:
        hook(c, recs, pdf, pid, sha, sm3)
        if sha != "0" * 64:
            folder.rmdir()  # the backup disk is pulled out while the package is written

    return report


def test_backup_failing_after_the_package_is_a_warning(
    case: Case, world: World, config: TsaConfig, tmp_path: Path
) -> None:
    out_dir, backup_dir = tmp_path / "out", tmp_path / "backup"
    out_dir.mkdir()
    backup_dir.mkdir()
    res = export_package(
        case,
        world.lead,
        out_dir / "x.qzp",
        tsa=config,
        report=_backup_dies(report_hook("zh"), backup_dir),
        backup=backup_dir / "x.qzp",
    )
    # The export happened and is sealed; only the backup failed, and it says so.
    assert res.backup_path is None and isinstance(res.backup_error, CaptureError)
    assert str(backup_dir / "x.qzp") in res.backup_error.message_en
    (warning,) = [w for w in res.warnings if "backup" in w]
    assert str(res.path) in warning and "written and sealed" in warning
    assert _tree(out_dir) == {"x.qzp", "x.qzp.seal.json"}
    assert _verifies(res.path, world, config)
    assert [r.kind for r in case.ledger.records()].count("package.export") == 1
    # The backup alone is retried, into a folder, under the package's name.
    backup_dir.mkdir()
    copy = backup_package(res.path, backup_dir)
    assert copy == backup_dir / "x.qzp" and copy.read_bytes() == res.path.read_bytes()
    assert (backup_dir / "x.qzp.seal.json").read_bytes() == res.seal_path.read_bytes()
    assert _verifies(copy, world, config)
    with pytest.raises(InputError):  # never over an earlier copy
        backup_package(res.path, backup_dir)


def test_backup_seal_failing_leaves_no_half_backup(
    case: Case,
    world: World,
    config: TsaConfig,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out_dir, backup_dir = tmp_path / "out", tmp_path / "backup"
    out_dir.mkdir()
    backup_dir.mkdir()
    hit = _fail_replace(monkeypatch, backup_dir / "x.qzp.seal.json")
    res = export_package(
        case, world.lead, out_dir / "x.qzp", tsa=config, report=report_hook("zh"), backup=backup_dir
    )
    assert hit and res.backup_error is not None and res.backup_path is None
    assert "No space left" in res.backup_error.message_en
    assert _tree(backup_dir) == set()  # the copied package went with its failed seal
    monkeypatch.undo()
    assert _verifies(res.path, world, config)


def test_backup_package_refuses_a_package_that_no_longer_matches_its_seal(
    case: Case, world: World, config: TsaConfig, tmp_path: Path
) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    res = export_package(case, world.lead, out_dir / "x.qzp", tsa=config)
    data = bytearray(res.path.read_bytes())
    data[len(data) // 2] ^= 1
    res.path.write_bytes(bytes(data))
    (tmp_path / "b").mkdir()
    with pytest.raises(InputError) as err:
        backup_package(res.path, tmp_path / "b")
    assert "seal" in err.value.message_en and _tree(tmp_path / "b") == set()
