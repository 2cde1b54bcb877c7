"""Where an export writes, checked before anything is sealed, and the backup copy.

``check_targets`` refuses (``InputError``, naming the path) every target that can be known to
fail before the ``package.export`` entry enters the append-only ledger: a missing folder, a
path that is not a folder, a folder that refuses a new file (proved by creating and removing
one there, under a name as long as the longest temporary name the export will use: file
permission bits say nothing to root, and ``/proc``, ``/sys``, read-only mounts and names too
long for the file system refuse even root), a package, seal or backup name already taken, a
backup that would be the package itself.

``copy_backup`` writes the identical copy after the package and its seal are complete; a copy
that fails leaves nothing half-written, and ``backup_package`` retries the backup alone.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

from forensics.atomic import atomic_path, write_atomic
from forensics.errors import CaptureError, InputError, os_reason
from forensics.hashing import CHUNK_SIZE, Digests, digest_file
from forensics.package import layout as L
from forensics.package.checks import read_seal_json
from forensics.package.documents import Seal

SEAL_SUFFIX = ".seal.json"


def seal_path_of(package: Path) -> Path:
    return package.with_name(package.name + SEAL_SUFFIX)


@dataclass(frozen=True)
class Targets:
    out: Path
    seal: Path
    backup: Path | None = None
    backup_seal: Path | None = None


def _refuse_taken(p: Path) -> None:
    # lexists: a dangling link is a name taken too (os.replace would replace the link).
    if os.path.lexists(p):
        raise InputError(f"{p} exists already; choose another name", f"{p} 已存在，请换一个文件名")


def probe_folder(folder: Path, longest: str, what_en: str, what_zh: str) -> None:
    """Prove that ``folder`` takes a new file named like the longest one the export writes
    there (``longest``, as ``atomic_path`` names its temporary file): create it, remove it."""
    if not folder.exists():
        raise InputError(
            f"the {what_en} folder does not exist: {folder}", f"{what_zh}目录不存在：{folder}"
        )
    if not folder.is_dir():
        raise InputError(
            f"the {what_en} folder is not a folder: {folder}", f"{what_zh}目录不是文件夹：{folder}"
        )
    probe = folder / f".{longest}.{secrets.token_hex(6)}.tmp"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise InputError(
                f"the file name {longest} is too long for the folder {folder}",
                f"文件名 {longest} 过长，目录 {folder} 所在的文件系统不接受",
            ) from None
        reason_en, reason_zh = os_reason(exc)
        raise InputError(
            f"cannot write in the {what_en} folder {folder}: {reason_en}",
            f"无法在{what_zh}目录 {folder} 中写入文件：{reason_zh}",
        ) from None
    os.close(fd)
    with contextlib.suppress(OSError):
        probe.unlink()


def _backup_target(out: Path, backup: Path) -> Path:
    """A backup naming an existing folder means: that folder, under the package's name."""
    backup = backup.expanduser()
    if backup.is_dir():
        return backup.resolve() / out.name
    return _resolved(backup)


def _resolved(p: Path) -> Path:
    """``p`` with its folder resolved but its own name kept: a link at that name is a name
    taken, not a way to write elsewhere."""
    p = p.absolute()
    return p.parent.resolve() / p.name


def _same_place(a: Path, b: Path) -> bool:
    if a == b:
        return True
    try:
        same_folder = os.path.samefile(a.parent, b.parent)
    except OSError:
        return False
    # Case-insensitive file systems (Windows, macOS) take X.qzp and x.qzp for one file.
    return same_folder and a.name.casefold() == b.name.casefold()


def check_targets(out: Path, backup: Path | None) -> Targets:
    """Everything about where the export writes that can be checked before sealing."""
    out = _resolved(out)
    if out.suffix.lower() not in L.EXTENSIONS:
        raise InputError(
            f"the package name must end in {' or '.join(L.EXTENSIONS)}: {out}",
            f"证据包文件名须以 {' 或 '.join(L.EXTENSIONS)} 结尾：{out}",
        )
    seal = seal_path_of(out)
    probe_folder(out.parent, seal.name, "package", "证据包")
    _refuse_taken(out)
    _refuse_taken(seal)
    if backup is None:
        return Targets(out, seal)
    dst = check_backup_target(out, backup)
    return Targets(out, seal, dst, seal_path_of(dst))


def check_backup_target(package: Path, backup: Path) -> Path:
    """Where the backup of ``package`` goes, checked: a writable folder, free names, not the
    package or its seal."""
    dst = _backup_target(package, backup)
    dst_seal = seal_path_of(dst)
    probe_folder(dst.parent, dst_seal.name, "backup", "备份")
    for mine in (package, seal_path_of(package)):
        for theirs in (dst, dst_seal):
            if _same_place(mine, theirs):
                raise InputError(
                    f"the backup {dst} would be the package itself; choose another place",
                    f"备份 {dst} 与证据包是同一个文件，请换一个位置",
                )
    _refuse_taken(dst)
    _refuse_taken(dst_seal)
    return dst


def copy_backup(package: Path, seal: Path, dst: Path, expected: Digests) -> Path:
    """An identical copy of the package and its seal at ``dst``, compared after writing
    (REQUIREMENTS.md §C6). On failure nothing is left at ``dst`` or beside it."""
    dst_seal = seal_path_of(dst)
    written = False
    try:
        with atomic_path(dst) as tmp:
            with open(package, "rb") as fin, open(tmp, "wb") as fout:
                shutil.copyfileobj(fin, fout, CHUNK_SIZE)
            if digest_file(tmp) != expected:
                raise CaptureError(
                    f"the backup copy {dst} differs from the package",
                    f"备份副本 {dst} 与证据包不一致",
                )
        written = True
        write_atomic(dst_seal, seal.read_bytes())
    except OSError as exc:
        if written:
            with contextlib.suppress(OSError):
                dst.unlink()
        raise CaptureError(
            f"cannot write the backup copy {dst}: {os_reason(exc)[0]}",
            f"无法写入备份副本 {dst}：{os_reason(exc)[1]}",
        ) from None
    except BaseException:
        if written:
            with contextlib.suppress(OSError):
                dst.unlink()
        raise
    return dst


def backup_package(package: Path, backup: Path) -> Path:
    """Retry the backup alone: copy an exported ``package`` and its seal to ``backup`` (a
    file, or a folder to copy into), after checking the package still matches its seal."""
    package = package.resolve()
    seal = seal_path_of(package)
    if not package.is_file() or not seal.is_file():
        raise InputError(
            f"no package with its seal at {package}", f"{package} 处没有证据包及其封签"
        )
    body = Seal.parse(read_seal_json(seal), seal.name).body
    dst = check_backup_target(package, backup)
    whole = digest_file(package)
    if (whole.size, whole.sha256, whole.sm3) != (body.size, body.sha256, body.sm3):
        raise InputError(
            f"{package} no longer matches its seal; it is not copied",
            f"{package} 与其封签不一致，不予复制",
        )
    return copy_backup(package, seal, dst, whole)
