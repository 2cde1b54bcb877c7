"""The report as PDF/A-2b (ISO 19005-2 level B), checked structurally with qpdf's JSON view
of the file (no veraPDF here): what forensics/report/pdfa.py adds and what reportlab must
keep writing for it to hold. The report is that of the golden package (real capture).
"""

from __future__ import annotations

import base64
import io
import json
import re
import struct
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import pytest
from PIL import ImageCms

from forensics.report import ReportSource, build_report

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "tests" / "golden" / "format-2" / "case.qzp"
NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
}
STANDARD_14 = ("Helvetica", "Times", "Courier", "Symbol", "ZapfDingbats")


class Pdf:
    """qpdf's JSON (v2) of a file: objects by reference, stream data decoded."""

    def __init__(self, path: Path) -> None:
        proc = subprocess.run(
            ["qpdf", "--json", "--json-stream-data=inline", "--decode-level=generalized",
             str(path)],
            capture_output=True, text=True, check=True, timeout=120,
        )  # fmt: skip
        doc = json.loads(proc.stdout)
        self.raw = path.read_bytes()
        self.objects: dict[str, Any] = doc["qpdf"][1]
        self.trailer: dict[str, Any] = self.objects["trailer"]["value"]

    def get(self, ref: str) -> dict[str, Any]:
        obj = self.objects[f"obj:{ref}"]
        value: dict[str, Any] = obj["value"] if "value" in obj else obj["stream"]["dict"]
        return value

    def data(self, ref: str) -> bytes:
        return base64.b64decode(self.objects[f"obj:{ref}"]["stream"]["data"])

    def dicts(self) -> list[dict[str, Any]]:
        out = []
        for obj in self.objects.values():
            value = obj.get("value", obj.get("stream", {}).get("dict"))
            if isinstance(value, dict):
                out.append(value)
        return out


def pdf_text(value: str) -> str:
    """A PDF string as qpdf's JSON gives it (``u:`` text or ``b:`` hex UTF-16BE)."""
    if value.startswith("u:"):
        return value[2:]
    raw = bytes.fromhex(value[2:])
    return raw[2:].decode("utf-16-be") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1")


def cmap_encodings(font: bytes) -> list[tuple[int, int]]:
    """The (platform, encoding) of every subtable of a TrueType program's cmap."""
    (count,) = struct.unpack(">H", font[4:6])
    for i in range(count):
        tag, _sum, offset, _len = struct.unpack(">4sIII", font[12 + 16 * i : 28 + 16 * i])
        if tag == b"cmap":
            (n,) = struct.unpack(">H", font[offset + 2 : offset + 4])
            return [
                struct.unpack(">HH", font[offset + 4 + 8 * j : offset + 8 + 8 * j])
                for j in range(n)
            ]
    return []


@pytest.fixture(scope="module")
def pdf(tmp_path_factory: pytest.TempPathFactory) -> Pdf:
    out = tmp_path_factory.mktemp("pdfa") / "report.pdf"
    with zipfile.ZipFile(PACKAGE) as zf:
        lines = zf.read("custody/ledger.jsonl").decode().splitlines()

        def opener(item: dict[str, Any]) -> Any:
            try:
                return zf.open(str(item["path"]))
            except KeyError:
                return None

        build_report(ReportSource.from_lines(lines, opener, PACKAGE.name), out, lang="zh")
    return Pdf(out)


def test_header_trailer_and_no_encryption(pdf: Pdf) -> None:
    first, second = pdf.raw.split(b"\n")[:2]
    assert re.fullmatch(rb"%PDF-1\.[0-7]", first)  # §6.1.2
    assert second.startswith(b"%") and sum(b > 127 for b in second[1:5]) == 4
    ids = pdf.trailer["/ID"]  # §6.1.3
    assert len(ids) == 2 and all(i.startswith("b:") and len(i) > 10 for i in ids)
    assert "/Encrypt" not in pdf.trailer
    assert pdf.raw.rstrip().endswith(b"%%EOF")


def test_xmp_metadata_says_pdfa_2b_and_matches_the_info(pdf: Pdf) -> None:
    catalog = pdf.get(pdf.trailer["/Root"])
    meta_ref = catalog["/Metadata"]
    meta = pdf.get(meta_ref)
    assert meta["/Type"] == "/Metadata" and meta["/Subtype"] == "/XML"
    assert "/Filter" not in meta  # §6.6.2.1
    xml = pdf.data(meta_ref)
    assert xml.startswith('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'.encode())
    assert xml.rstrip().endswith(b'<?xpacket end="w"?>')
    desc = ET.fromstring(xml.split(b"?>", 1)[1].rsplit(b"<?xpacket", 1)[0]).find(
        "rdf:RDF/rdf:Description", NS
    )
    assert desc is not None
    assert desc.findtext("pdfaid:part", namespaces=NS) == "2"
    assert desc.findtext("pdfaid:conformance", namespaces=NS) == "B"
    info = pdf.get(pdf.trailer["/Info"])
    same = {  # §6.6.3: the info dictionary and the XMP say the same
        "/Title": desc.findtext("dc:title/rdf:Alt/rdf:li", namespaces=NS),
        "/Author": desc.findtext("dc:creator/rdf:Seq/rdf:li", namespaces=NS),
        "/Subject": desc.findtext("dc:description/rdf:Alt/rdf:li", namespaces=NS),
        "/Keywords": desc.findtext("pdf:Keywords", namespaces=NS),
        "/Producer": desc.findtext("pdf:Producer", namespaces=NS),
        "/Creator": desc.findtext("xmp:CreatorTool", namespaces=NS),
    }
    for key, xmp in same.items():
        assert pdf_text(info[key]) == xmp, key
    assert "电子数据提取笔录" in str(same["/Title"])
    created = pdf_text(info["/CreationDate"])  # D:YYYYMMDDhhmmss+hh'mm'
    m = re.fullmatch(r"D:(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)([+-]\d\d)'(\d\d)'", created)
    assert m
    y, mo, d, h, mi, s, tz, tm = m.groups()
    want = f"{y}-{mo}-{d}T{h}:{mi}:{s}{tz}:{tm}"
    assert desc.findtext("xmp:CreateDate", namespaces=NS) == want
    assert desc.findtext("xmp:ModifyDate", namespaces=NS) == want
    assert pdf_text(info["/ModDate"]) == created


def test_srgb_output_intent(pdf: Pdf) -> None:
    catalog = pdf.get(pdf.trailer["/Root"])
    (intent,) = catalog["/OutputIntents"]
    assert intent["/S"] == "/GTS_PDFA1" and intent["/Type"] == "/OutputIntent"
    assert pdf_text(intent["/OutputConditionIdentifier"]) == "sRGB IEC61966-2.1"
    ref = intent["/DestOutputProfile"]
    assert pdf.get(ref)["/N"] == 3
    profile = ImageCms.ImageCmsProfile(io.BytesIO(pdf.data(ref)))  # a valid ICC profile
    assert profile.profile.xcolor_space.strip() == "RGB"
    assert profile.profile.device_class in ("mntr", "prtr")  # §6.2.3


def test_every_font_embedded_and_symbolic_truetype_rules(pdf: Pdf) -> None:
    fonts = [d for d in pdf.dicts() if d.get("/Type") == "/Font"]
    assert fonts
    for font in fonts:
        base = font["/BaseFont"]
        assert not any(name in base for name in STANDARD_14), base
        desc = pdf.get(font["/FontDescriptor"])
        assert "/FontFile2" in desc, base  # §6.2.11.4: the program is embedded
        assert font["/Subtype"] == "/TrueType"
        if desc["/Flags"] & 4:  # symbolic: §6.2.11.6
            assert "/Encoding" not in font, base
            encodings = cmap_encodings(pdf.data(desc["/FontFile2"]))
            assert len(encodings) == 1 or (3, 0) in encodings, (base, encodings)


def test_nothing_pdfa_forbids(pdf: Pdf) -> None:
    for d in pdf.dicts():
        for key in ("/JavaScript", "/JS", "/Launch", "/EmbeddedFiles", "/TR", "/OPI"):
            assert key not in d, key
        assert d.get("/Filter") not in ("/LZWDecode", ["/LZWDecode"])
        if d.get("/Type") == "/Annot":
            assert int(d.get("/F", 0)) & 4, d  # printed (§6.3.2)
        if d.get("/Type") == "/ExtGState":
            assert d.get("/SMask", "/None") == "/None", d
        if d.get("/Subtype") == "/Image":
            assert "/Alternates" not in d and "/OPI" not in d
            assert d.get("/Interpolate") is not True
