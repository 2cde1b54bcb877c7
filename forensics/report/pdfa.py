"""PDF/A-2b for the report, as far as open-source reportlab allows (ISO 19005-2, level B).

reportlab (open-source) writes no PDF/A itself; this adds what level B asks of a document
whose other parts reportlab already writes conformingly:

- an XMP metadata stream in the catalog (uncompressed, as §6.6.2.1 requires) with
  ``pdfaid:part`` 2 and ``pdfaid:conformance`` B, and the same title, author, subject,
  keywords, creator, producer and dates as the document information dictionary (§6.6.3);
- an sRGB output intent (``GTS_PDFA1``) whose ICC profile is the sRGB profile LittleCMS
  makes (Pillow's ``ImageCms``: no file to find or ship), for the DeviceRGB/DeviceGray
  colours and JPEG pictures the report draws (§6.2.3);

The rest holds by construction and is checked by tests/forensics/report/test_pdfa.py:
every font embedded (TrueType subsets; never a standard 14 font), no encryption, a file
identifier in the trailer, no JavaScript, no external content, no LZW.
"""

from __future__ import annotations

import functools
from typing import Any
from xml.sax.saxutils import escape

from reportlab.pdfbase.pdfdoc import (
    PDFArray,
    PDFCatalog,
    PDFDictionary,
    PDFName,
    PDFStream,
    PDFString,
    PDFZCompress,
)

SRGB_CONDITION = "sRGB IEC61966-2.1"


@functools.cache
def srgb_profile() -> bytes:
    """The sRGB ICC profile (LittleCMS's built-in, through Pillow)."""
    from PIL import ImageCms

    profile: bytes = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return profile


def _xmp_date(ts: Any) -> str:
    y, mo, d, h, mi, s = ts.YMDhms
    sign = "-" if ts.dhh < 0 else "+"
    return f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}{sign}{abs(ts.dhh):02d}:{ts.dmm:02d}"


def xmp_packet(info: Any, ts: Any) -> bytes:
    """The XMP metadata of a PDF/A-2b file with the same facts as its info dictionary."""
    x = escape
    date = _xmp_date(ts)
    body = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about=""
 xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"
 xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
 xmlns:xmp="http://ns.adobe.com/xap/1.0/">
<pdfaid:part>2</pdfaid:part>
<pdfaid:conformance>B</pdfaid:conformance>
<dc:format>application/pdf</dc:format>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{x(info.title)}</rdf:li></rdf:Alt></dc:title>
<dc:creator><rdf:Seq><rdf:li>{x(info.author)}</rdf:li></rdf:Seq></dc:creator>
<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{x(info.subject)}</rdf:li></rdf:Alt></dc:description>
<pdf:Keywords>{x(info.keywords)}</pdf:Keywords>
<pdf:Producer>{x(info.producer)}</pdf:Producer>
<pdf:Trapped>{x(info.trapped)}</pdf:Trapped>
<xmp:CreatorTool>{x(info.creator)}</xmp:CreatorTool>
<xmp:CreateDate>{date}</xmp:CreateDate>
<xmp:ModifyDate>{date}</xmp:ModifyDate>
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
    return body.encode("utf-8")


def make_pdfa(canvas: Any) -> None:
    """Add the PDF/A-2b metadata and output intent to ``canvas``'s document (call before
    ``Canvas.save``)."""
    doc = canvas._doc
    catalog = doc.Catalog
    metadata = PDFStream(
        PDFDictionary({"Type": PDFName("Metadata"), "Subtype": PDFName("XML")}),
        xmp_packet(doc.info, doc._timeStamp),
        filters=[],  # §6.6.2.1: the metadata stream is not filtered
    )
    catalog.Metadata = metadata
    icc = PDFStream(PDFDictionary({"N": 3}), srgb_profile(), filters=[PDFZCompress])
    intent = PDFDictionary(
        {
            "Type": PDFName("OutputIntent"),
            "S": PDFName("GTS_PDFA1"),
            "OutputConditionIdentifier": PDFString(SRGB_CONDITION),
            "Info": PDFString(SRGB_CONDITION),
            "RegistryName": PDFString("http://www.color.org"),
            "DestOutputProfile": doc.Reference(icc),
        }
    )
    catalog.OutputIntents = PDFArray([intent])
    # reportlab's catalog writes only the keys it names: name this one too (inline array).
    catalog.__NoDefault__ = [*PDFCatalog.__NoDefault__, "OutputIntents"]
