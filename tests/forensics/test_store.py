from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest

from forensics.case import Case
from forensics.errors import InputError
from forensics.store import CaseStore
from tests.conftest import World


def test_blob_is_write_once_and_read_only(case: Case) -> None:
    d = case.store.ingest_stream(io.BytesIO(b"evidence"))
    path = case.store.blob_path(d.sha256)
    assert path.read_bytes() == b"evidence"
    assert stat.S_IMODE(path.stat().st_mode) == 0o400  # read-only, owner's alone
    # The same content again writes nothing new and leaves the first copy untouched.
    inode = path.stat().st_ino
    assert case.store.ingest_stream(io.BytesIO(b"evidence")) == d
    assert path.stat().st_ino == inode
    assert list((case.store.dir / "tmp").iterdir()) == []


def test_wal_and_full_sync(case: Case) -> None:
    assert case.store._query("PRAGMA journal_mode") == [("wal",)]
    assert case.store._query("PRAGMA synchronous") == [(2,)]  # FULL


def test_recovery_cleans_tmp_and_moves_unsealed_blobs(case: Case, world: World) -> None:
    sealed = case.seal_stream(
        world.lead,
        io.BytesIO(b"sealed"),
        name="a.txt",
        media_type="text/plain",
        kind="import.file",
        data={},
    )
    unsealed = case.store.ingest_stream(io.BytesIO(b"never sealed"))
    (case.store.dir / "tmp" / "x.part").write_bytes(b"partial")
    case_dir = case.store.dir
    case.close()
    with Case.open(world.home, case_dir.name) as again:
        assert list((case_dir / "tmp").iterdir()) == []
        assert not again.store.blob_path(unsealed.sha256).exists()
        assert (case_dir / "orphans" / unsealed.sha256).read_bytes() == b"never sealed"
        sha = sealed.entry["items"][0]["sha256"]
        assert again.store.blob_path(sha).read_bytes() == b"sealed"


def test_corrupt_index_is_a_clear_error(case: Case) -> None:
    case_dir = case.store.dir
    case.close()
    for extra in ("case.sqlite-wal", "case.sqlite-shm"):
        if (case_dir / extra).exists():
            os.unlink(case_dir / extra)
    (case_dir / "case.sqlite").write_bytes(b"this is not a database" * 100)
    with pytest.raises(InputError) as exc:
        CaseStore(case_dir)
    assert "damaged" in exc.value.message_en


def test_missing_case_dir(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        CaseStore(tmp_path / "nope")
