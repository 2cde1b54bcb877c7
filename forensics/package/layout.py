"""Fixed names and bounds of the sealed evidence package (docs/package-format.md)."""

from __future__ import annotations

import re

PACKAGE_FORMAT = 1  # what the exporter writes
SUPPORTED_FORMATS = frozenset({1})  # what the verifier judges, each by its own rules
WACZ_VERSION = "1.1.1"
EXTENSION = ".qzp"
# A package is a WACZ: it may also be named as one, for web-archive tools.
EXTENSIONS = (EXTENSION, ".wacz")

DATAPACKAGE = "datapackage.json"
DIGEST = "datapackage-digest.json"
SHA256SUMS = "SHA256SUMS"
SM3SUMS = "SM3SUMS"
README = "README.txt"
LEDGER = "custody/ledger.jsonl"
MANIFEST = "custody/manifest.json"  # the evidence manifest the report is bound to
REPORT = "report/report.pdf"
CDXJ = "indexes/index.cdxj"
PAGES = "pages/pages.jsonl"
CERTS_DIR = "custody/certs/"

# Files the sums files do not list (themselves), and files datapackage.json does not list
# (itself and its digest, which would make a cycle, and the sums files, which list it).
NOT_IN_SUMS = frozenset({SHA256SUMS, SM3SUMS})
NOT_IN_DATAPACKAGE = frozenset({DATAPACKAGE, DIGEST, SHA256SUMS, SM3SUMS})
REQUIRED = (DATAPACKAGE, DIGEST, SHA256SUMS, SM3SUMS, README, LEDGER, MANIFEST)

# Bounds for hostile packages: far above any real case, far below what hurts a laptop.
MAX_MEMBERS = 200_000
MAX_NAME = 512
MAX_CONTROL_BYTES = 64 << 20  # each JSON / sums / ledger file read into memory
MAX_TOTAL_BYTES = 1 << 40  # 1 TiB declared uncompressed
MAX_RATIO = 100  # uncompressed / compressed for deflated members (zip bombs)
MAX_LEDGER_LINES = 200_000  # ledger entries; each costs ~1 KiB once parsed
MAX_SEAL_BYTES = 1 << 20  # a detached seal or a transfer record (a few KiB in truth)

_SAFE_COMPONENT = re.compile(r"^[^\x00-\x1f\x7f/\\:*?\"<>|]+$")


def is_safe_name(name: str) -> bool:
    """A member name that stays inside any extraction folder on every OS."""
    if not name or len(name) > MAX_NAME or name.startswith("/") or "\\" in name:
        return False
    parts = name.split("/")
    return all(p not in ("", ".", "..") and _SAFE_COMPONENT.match(p) for p in parts)
