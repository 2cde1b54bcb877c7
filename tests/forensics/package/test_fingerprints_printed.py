"""The fingerprints an expert compares with paper: README.txt and the report's signature page
print the same numbers as ``openssl x509 -noout -fingerprint -sha256`` on the package's
own certificate files, and the README's re-compute commands print them too."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest

from forensics.package import layout as L
from tests.forensics.package.conftest import Exported

_FP_LINE = re.compile(r"^   SHA-256 ((?:[0-9A-F]{2}:){31}[0-9A-F]{2})$")


def _openssl_fp(pem: bytes) -> str:
    """What the standard tool prints for the first certificate of ``pem``."""
    proc = subprocess.run(
        ["openssl", "x509", "-noout", "-fingerprint", "-sha256"],
        input=pem,
        capture_output=True,
        check=True,
        timeout=30,
    )
    return proc.stdout.decode().strip().split("=", 1)[1]


def _split(pem: bytes) -> list[bytes]:
    end = b"-----END CERTIFICATE-----"
    return [part.strip() + b"\n" + end + b"\n" for part in pem.split(end) if part.strip()]


def _readme_sections(readme: str) -> dict[str, list[tuple[str, str]]]:
    """Title line → [(fingerprint, re-compute command)] from the fingerprint section."""
    section = readme.split("指纹 / Fingerprints to compare", 1)[1].split("\n====", 1)[0]
    lines = section.splitlines()
    out: dict[str, list[tuple[str, str]]] = {}
    for i, line in enumerate(lines):
        m = _FP_LINE.match(line)
        if m:
            out.setdefault(lines[i - 2], []).append((m.group(1), lines[i + 1].strip()))
    return out


@pytest.fixture
def unpacked(exported: Exported, tmp_path: Path) -> Path:
    out = tmp_path / "unpacked"
    with zipfile.ZipFile(exported.path) as zf:
        zf.extractall(out)
    return out


def test_readme_fingerprints_equal_openssl_on_the_package_files(
    exported: Exported, unpacked: Path
) -> None:
    readme = (unpacked / L.LAYOUT_2.readme).read_text()
    sections = _readme_sections(readme)
    certs = unpacked / "certs"
    lead, second = exported.world.lead.officer, exported.world.second.officer

    lead_chain = _split((certs / f"{lead.key_fp}.pem").read_bytes())
    assert len(lead_chain) == 2  # the officer's certificate, then the agency CA
    agency_ca = _openssl_fp(lead_chain[-1])
    # ... which is the CA the officers' data home holds: the same certificate, not a copy.
    assert agency_ca == _openssl_fp((exported.world.home / "ca" / "ca-cert.pem").read_bytes())
    assert sections["执法机关 CA / Agency CA: 示例市市场监督管理局 CA"][0][0] == agency_ca

    for officer, label in ((lead, "张明（31000001）"), (second, "李华（31000002）")):
        pem = (certs / f"{officer.key_fp}.pem").read_bytes()
        ((printed, _),) = sections[f"执法人员证书 / Officer certificate: {label}"]
        assert printed == _openssl_fp(pem)

    ((tsa_root, _),) = sections["时间戳根证书 / TSA root: Quzheng built-in TSA (内置时间戳服务)"]
    assert tsa_root == _openssl_fp(exported.tsa.trust_anchor_path.read_bytes())
    tsa_files = sorted(certs.glob("tsa-*.pem"))
    assert tsa_files and tsa_root in {
        _openssl_fp(c) for f in tsa_files for c in _split(f.read_bytes())
    }

    # Every re-compute command, run as written in the unpacked package, prints its value.
    commands = [entry for entries in sections.values() for entry in entries]
    assert len(commands) == 4
    for value, command in commands:
        assert command.endswith("-noout -fingerprint -sha256"), command
        proc = subprocess.run(
            command, shell=True, cwd=unpacked, capture_output=True, text=True, timeout=30
        )
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip().split("=", 1)[1] == value, command

    assert "--trust-fingerprint <agency CA SHA-256> --trust-fingerprint <TSA root SHA-256>" in (
        readme
    )
    assert "openssl x509 -in certs/" in readme


def test_readme_exit_codes(unpacked: Path) -> None:
    readme = (unpacked / L.LAYOUT_2.readme).read_text()
    for text in (
        "0 = 通过；1 = 未通过（内容被改动或伪造）；2 = 无法读取或密码错误",
        "3 = 内容完好，但信任未建立",
        "4 = 文件封签完好，但内容未校验（加密证据包未提供密码）",
        "0 = PASS; 1 = FAIL (altered or forged); 2 = unreadable input or wrong password",
        "3 = intact, but trust not established",
        "4 = the file's seal is intact, but the contents were not checked",
    ):
        assert text in readme, text


def test_report_signature_page_prints_the_same_fingerprints(unpacked: Path) -> None:
    readme = (unpacked / L.LAYOUT_2.readme).read_text()
    printed = [v for entries in _readme_sections(readme).values() for v, _ in entries]
    proc = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(unpacked / L.REPORT), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    pages = proc.stdout.split("\f")
    page = next(p for p in pages if "证书指纹（SHA-256，供核对）" in p)
    assert "签名" in page and "以上笔录内容经核对无误" in page  # on the signature page
    flat = re.sub(r"\s+", "", page)
    for value in printed:
        assert value in flat, value  # the two printed lines join into openssl's form
    assert "时间戳根证书：Quzhengbuilt-inTSA（内置时间戳服务" in flat
    assert "执法机关CA：示例市市场监督管理局CA" in flat
