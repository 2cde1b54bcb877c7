"""A property over mutated real packages (issue #16): the JSON documents inside are replaced
with generated hostile JSON (deep nesting, wrong types, huge numbers, path-like strings,
unicode), the package is rebuilt with zipfile into a valid ZIP, then one ZIP header field
(version, method, flags, sizes, name length, offset) may be overwritten. Whatever comes out:

- only ``QuzhengError`` subclasses escape ``verify_package`` and ``import_package``;
- nothing is written outside the test's temporary folder, nor anywhere in it but the
  receiver's own cases folder (the canary folders stay as they were);
- traced memory stays under 200 MB per example.
"""

from __future__ import annotations

import contextlib
import json
import struct
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forensics.custody import import_package, transfer_record_path
from forensics.errors import QuzhengError
from forensics.identifiers import is_case_id
from forensics.package import layout as L
from forensics.package import verify_package
from forensics.trust import TrustPolicy
from tests.conftest import PASSPHRASE
from tests.forensics.package.conftest import Exported
from tests.forensics.package.test_hostile_identifiers import receiver_home

MEMORY_BOUND = 200 << 20

PATHS = ["../../x", "/tmp/qz-evil", "C:\\x", "C:x", "\\\\server\\share\\x", "a/../../b", "\x00"]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**400),
    st.floats(allow_nan=False),
    st.sampled_from(PATHS),
    st.text(max_size=40),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@st.composite
def hostile_json(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["deep", "value", "record", "number"]))
    if kind == "deep":
        depth = draw(st.integers(min_value=65, max_value=200_000))
        opener, closer = draw(st.sampled_from([(b"[", b"]"), (b'{"a":', b"}")]))
        return opener * depth + b"0" * (opener == b'{"a":') + closer * depth
    if kind == "number":
        return b"[" + b"9" * draw(st.integers(1, 5000)) + b"e99999]"
    if kind == "value":
        return json.dumps(draw(values), ensure_ascii=draw(st.booleans())).encode()
    # A ledger-like record whose fields have hostile types and shapes.
    entry = {
        "case": draw(st.one_of(st.sampled_from(PATHS), values)),
        "seq": draw(st.one_of(st.integers(-5, 2**70), values)),
        "kind": draw(st.sampled_from(["case.open", "officer.add", "note"])),
        "prev": None,
        "actor": {"key": draw(st.one_of(st.text(max_size=8), values)), "badge": "../x"},
        "items": draw(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "path": st.one_of(st.sampled_from(PATHS), values),
                        "sha256": values,
                        "media_type": values,
                    }
                ),
                max_size=2,
            )
        ),
        "data": draw(values),
    }
    return json.dumps({"entry": entry, "hash": "0" * 64, "sig": {}, "cosig": []}).encode()


TARGETS = [L.DATAPACKAGE, L.DIGEST, L.MANIFEST, "ledger-line", "seal", "transfer", "none"]
FIELDS = {  # central directory offsets (local header offsets in brackets when they differ)
    "version": (6, "<H"),
    "flags": (8, "<H"),
    "method": (10, "<H"),
    "compressed-size": (20, "<I"),
    "size": (24, "<I"),
    "name-length": (28, "<H"),
    "extra-length": (30, "<H"),
    "offset": (42, "<I"),
}


def _rebuild(src: Path, dst: Path, change: dict[str, bytes]) -> None:
    with zipfile.ZipFile(src) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    members.update(change)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def _patch_header(data: bytes, index: int, field: str, value: int, local: bool) -> bytes:
    out = bytearray(data)
    sig = b"PK\x03\x04" if local else b"PK\x01\x02"
    positions = []
    pos = out.find(sig)
    while pos != -1:
        positions.append(pos)
        pos = out.find(sig, pos + 4)
    if not positions:
        return data
    at = positions[index % len(positions)]
    offset, fmt = FIELDS[field]
    if local:  # the local header has no "version made by": every field 2 bytes earlier
        offset = {"offset": 0}.get(field, offset - 2)
        if field in ("offset",):
            return data
    value &= 0xFFFF if fmt == "<H" else 0xFFFFFFFF
    struct.pack_into(fmt, out, at + offset, value)
    return bytes(out)


def _tree(root: Path, skip: Path) -> dict[str, int]:
    out: dict[str, int] = {}
    for p in root.rglob("*"):
        if p == skip or skip in p.parents:
            continue
        out[str(p.relative_to(root))] = p.stat().st_size if p.is_file() else -1
    return out


@pytest.fixture
def fuzz_home(exported: Exported, tmp_path: Path) -> dict[str, Any]:
    police = receiver_home(tmp_path, exported.world, exported.tsa_roots)
    return {
        "police": police,
        "receiver": police.unlock("P0001", PASSPHRASE),
        "policy": TrustPolicy.of(police.trusted_cas(), police.trusted_tsa_pems()),
    }


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    target=st.sampled_from(TARGETS),
    doc=hostile_json(),
    line=st.integers(min_value=0, max_value=50),
    header=st.one_of(
        st.none(),
        st.tuples(
            st.integers(0, 40),
            st.sampled_from(sorted(FIELDS)),
            st.one_of(st.integers(0, 0xFFFFFFFF), st.sampled_from([0, 1, 8, 12, 14, 99, 0x94])),
            st.booleans(),
        ),
    ),
)
def test_mutated_packages_stay_declared_confined_and_bounded(
    exported: Exported,
    fuzz_home: dict[str, Any],
    tmp_path_factory: pytest.TempPathFactory,
    target: str,
    doc: bytes,
    line: int,
    header: tuple[int, str, int, bool] | None,
) -> None:
    work = tmp_path_factory.mktemp("fuzz")
    bad = work / "m.qzp"
    change: dict[str, bytes] = {}
    if target in (L.DATAPACKAGE, L.DIGEST, L.MANIFEST):
        change[target] = doc
    elif target == "ledger-line":
        with zipfile.ZipFile(exported.path) as zf:
            lines = zf.read(L.LEDGER).split(b"\n")
        lines[line % len(lines)] = doc
        change[L.LEDGER] = b"\n".join(lines)
    _rebuild(exported.path, bad, change)
    if header is not None:
        index, field, value, local = header
        bad.write_bytes(_patch_header(bad.read_bytes(), index, field, value, local))
    seal = work / (bad.name + ".seal.json")
    seal.write_bytes(doc if target == "seal" else exported.result.seal_path.read_bytes())
    if target == "transfer":
        transfer_record_path(bad).write_bytes(doc)

    police = fuzz_home["police"]
    root = exported.tmp
    cases = police.home / "cases"
    before = _tree(root, skip=cases)
    before_cases = set(cases.iterdir()) if cases.is_dir() else set()
    tracemalloc.start()
    try:
        with contextlib.suppress(QuzhengError):
            verify_package(bad, fuzz_home["policy"])
        try:
            case = import_package(police.home, bad, fuzz_home["receiver"], fuzz_home["policy"])
        except QuzhengError:
            pass
        else:  # only a package that still passes verification is received
            case.close()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < MEMORY_BOUND, peak
    assert _tree(root, skip=cases) == before
    new = (set(cases.iterdir()) if cases.is_dir() else set()) - before_cases
    assert all(is_case_id(p.name) for p in new), new
    assert not Path("/tmp/qz-evil").exists()
