"""Tampering with an exported package: each attack exits 1 with the finding that names it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from app.cli import main
from forensics.package import layout as L
from tests.forensics.package.conftest import Exported, rewrite


def _run(
    ex: Exported, path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int, set[tuple[str, str]]]:
    ids = ex.world.ids
    for pem in ex.tsa_roots:
        ids.trust_tsa(pem, "test-tsa")
    code = main(["verify", str(path), "--json"])
    out = json.loads(capsys.readouterr().out)
    return code, {(f["code"], f["subject"]) for f in out["findings"] if f["severity"] == "error"}


def _tampered(ex: Exported, change, name: str = "t.qzp") -> Path:  # type: ignore[no-untyped-def]
    dst = ex.tmp / name
    rewrite(ex.path, dst, change)
    return dst


def _evidence_name(members: dict[str, bytes]) -> str:
    return next(n for n in members if n.startswith("evidence/") and n.endswith(".png"))


def test_untouched(exported: Exported, capsys: pytest.CaptureFixture[str]) -> None:
    code, errors = _run(exported, exported.path, capsys)
    assert (code, errors) == (0, set())


def test_file_changed(exported: Exported, capsys: pytest.CaptureFixture[str]) -> None:
    names: list[str] = []

    def change(m: dict[str, bytes]) -> None:
        n = _evidence_name(m)
        names.append(n)
        m[n] = m[n][:-1] + bytes([m[n][-1] ^ 1])

    code, errors = _run(exported, _tampered(exported, change), capsys)
    assert code == 1
    assert {
        ("file-sha256", names[0]),
        ("item-sha256", names[0]),
        ("sums-mismatch", names[0]),
    } <= errors


def test_file_added(exported: Exported, capsys: pytest.CaptureFixture[str]) -> None:
    code, errors = _run(
        exported, _tampered(exported, lambda m: m.update({"evidence/extra.png": b"x"})), capsys
    )
    assert code == 1 and ("file-unlisted", "evidence/extra.png") in errors


def test_file_removed(exported: Exported, capsys: pytest.CaptureFixture[str]) -> None:
    names: list[str] = []

    def change(m: dict[str, bytes]) -> None:
        names.append(_evidence_name(m))
        del m[names[0]]

    code, errors = _run(exported, _tampered(exported, change), capsys)
    assert code == 1 and {("file-missing", names[0]), ("item-missing", names[0])} <= errors


def test_file_renamed(exported: Exported, capsys: pytest.CaptureFixture[str]) -> None:
    names: list[str] = []

    def change(m: dict[str, bytes]) -> None:
        names.append(_evidence_name(m))
        m["evidence/renamed.png"] = m.pop(names[0])

    code, errors = _run(exported, _tampered(exported, change), capsys)
    assert code == 1
    assert {("file-missing", names[0]), ("file-unlisted", "evidence/renamed.png")} <= errors


def test_sums_rewritten_to_match_changed_file(
    exported: Exported, capsys: pytest.CaptureFixture[str]
) -> None:
    import hashlib

    names: list[str] = []

    def change(m: dict[str, bytes]) -> None:
        n = _evidence_name(m)
        names.append(n)
        m[n] = m[n] + b"appended"
        for sums_name, algo in ((L.SHA256SUMS, "sha256"), (L.SM3SUMS, "sm3")):
            value = hashlib.new(algo, m[n]).hexdigest()
            m[sums_name] = "".join(
                (f"{value}  {n}" if line.endswith("  " + n) else line) + "\n"
                for line in m[sums_name].decode().splitlines()
            ).encode()

    code, errors = _run(exported, _tampered(exported, change), capsys)
    assert code == 1
    assert ("sums-mismatch", names[0]) not in errors  # the attacker fixed that one…
    assert {("file-sha256", names[0]), ("item-sha256", names[0])} <= errors  # …not these


def test_manifest_edited(exported: Exported, capsys: pytest.CaptureFixture[str]) -> None:
    def change(m: dict[str, bytes]) -> None:
        dp = json.loads(m[L.DATAPACKAGE])
        dp["title"] = "改过的标题"
        m[L.DATAPACKAGE] = json.dumps(dp, ensure_ascii=False, indent=2).encode()

    code, errors = _run(exported, _tampered(exported, change), capsys)
    assert code == 1 and ("manifest-hash-mismatch", L.DATAPACKAGE) in errors


def test_ledger_edited(exported: Exported, capsys: pytest.CaptureFixture[str]) -> None:
    def change(m: dict[str, bytes]) -> None:
        lines = m[L.LEDGER].decode().splitlines()
        i = next(i for i, line in enumerate(lines) if '"kind":"note"' in line)
        lines[i] = lines[i].replace("正品保证", "仿品")
        m[L.LEDGER] = ("\n".join(lines) + "\n").encode()

    code, errors = _run(exported, _tampered(exported, change), capsys)
    codes = {c for c, _ in errors}
    assert code == 1 and {"file-sha256", "entry-hash-mismatch", "signature-invalid"} <= codes


def test_ledger_truncated(exported: Exported, capsys: pytest.CaptureFixture[str]) -> None:
    def change(m: dict[str, bytes]) -> None:
        lines = m[L.LEDGER].decode().splitlines()
        m[L.LEDGER] = ("\n".join(lines[:-3]) + "\n").encode()

    code, errors = _run(exported, _tampered(exported, change), capsys)
    assert code == 1 and ("ledger-head-mismatch", L.LEDGER) in errors


def test_tokens_swapped(exported: Exported, capsys: pytest.CaptureFixture[str]) -> None:
    tokens: list[str] = []

    def change(m: dict[str, bytes]) -> None:
        tokens.extend(sorted(n for n in m if n.startswith("timestamps/"))[:2])
        a, b = tokens
        m[a], m[b] = m[b], m[a]

    code, errors = _run(exported, _tampered(exported, change), capsys)
    assert code == 1
    assert {("token-imprint-mismatch", tokens[0]), ("token-imprint-mismatch", tokens[1])} <= errors


def test_report_replaced(exported: Exported, capsys: pytest.CaptureFixture[str]) -> None:
    def change(m: dict[str, bytes]) -> None:
        m[L.REPORT] = b"%PDF-1.4 forged report"

    code, errors = _run(exported, _tampered(exported, change), capsys)
    assert code == 1 and ("file-sha256", L.REPORT) in errors


def test_package_truncated(exported: Exported, capsys: pytest.CaptureFixture[str]) -> None:
    cut = exported.tmp / "cut.qzp"
    data = exported.path.read_bytes()
    cut.write_bytes(data[: len(data) * 2 // 3])
    shutil.copy(exported.result.seal_path, exported.tmp / "cut.qzp.seal.json")
    code, errors = _run(exported, cut, capsys)
    assert code == 1 and ("seal-sha256-mismatch", "cut.qzp") in errors
