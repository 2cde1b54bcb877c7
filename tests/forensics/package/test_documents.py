"""The typed package documents: the exporter writes them, the verifier parses the same
classes (docs/package-format.md §2.3–2.5)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from forensics.errors import InputError
from forensics.package import layout as L
from forensics.package.documents import DataPackage, PackageDigest, Seal
from tests.forensics.package.conftest import Exported

GOLDEN = Path(__file__).resolve().parents[2] / "golden"


@pytest.mark.parametrize("fmt", ["format-1", "format-2"])
def test_written_documents_read_back_to_the_same_bytes(fmt: str) -> None:
    """What an exporter wrote (both formats' golden samples, made by the real code) parses
    into the typed documents and serialises to exactly the bytes on disk: nothing the
    exporter writes is unknown to the reader, and nothing is read by probing."""
    pkg = GOLDEN / fmt / "case.qzp"
    with zipfile.ZipFile(pkg) as zf:
        dp_bytes, dg_bytes = zf.read(L.DATAPACKAGE), zf.read(L.DIGEST)
    assert DataPackage.parse(json.loads(dp_bytes)).to_bytes() == dp_bytes
    assert PackageDigest.parse(json.loads(dg_bytes)).to_bytes() == dg_bytes
    seal_bytes = pkg.with_name(pkg.name + ".seal.json").read_bytes()
    assert Seal.parse(json.loads(seal_bytes), "seal").to_bytes() == seal_bytes


def test_fresh_export_round_trips(exported: Exported) -> None:
    with zipfile.ZipFile(exported.path) as zf:
        dp = DataPackage.parse(json.loads(zf.read(L.DATAPACKAGE)))
        dg = PackageDigest.parse(json.loads(zf.read(L.DIGEST)))
    assert dp.format == L.PACKAGE_FORMAT and dp.package_id == exported.result.package_id
    assert {r.path for r in dp.resources} >= {L.LEDGER, L.SHA256SUMS, L.SM3SUMS}
    assert dg.signer.key and dg.signed_data is not None and dg.timestamp is not None
    seal = Seal.parse(json.loads(exported.result.seal_path.read_bytes()), "seal")
    assert (seal.body.sha256, seal.body.size) == (exported.result.sha256, exported.result.size)


def test_wrong_types_are_absent_values_not_crashes() -> None:
    dp = DataPackage.parse(
        {
            "resources": [{"path": "a", "hash": "md5:00", "bytes": "12"}, "junk"],
            "quzheng": {"format": True, "ledger_head": [], "sm3": {"a": 5}, "officers": "x"},
        }
    )
    (res,) = dp.resources
    assert (res.sha256, res.bytes) == (None, None)
    assert dp.format is None and dp.ledger_head is None and dp.sm3 == {} and dp.officers == ()
    dg = PackageDigest.parse(["not", "an", "object"])
    assert dg.hash is None and dg.signer.key is None and dg.timestamp is None
    with pytest.raises(InputError, match="resources"):
        DataPackage.parse({"resources": "all"})
    with pytest.raises(InputError, match="seal object"):
        Seal.parse({"seal": "x"}, "case.qzp.seal.json")


def test_the_seal_signature_covers_the_body_as_received() -> None:
    body = {"v": 2, "file": "a.qzp", "extra": "signed too"}
    seal = Seal.parse({"seal": body}, "s")
    assert b"signed too" in seal.signed  # a re-serialisation would have dropped it
