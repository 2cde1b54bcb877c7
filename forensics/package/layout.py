"""Fixed names and bounds of the sealed evidence package (docs/package-format.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from forensics.errors import InputError

PACKAGE_FORMAT = 2  # what the exporter writes
WACZ_VERSION = "1.1.1"
EXTENSION = ".qzp"
# A package is a WACZ: it may also be named as one, for web-archive tools.
EXTENSIONS = (EXTENSION, ".wacz")

# Names every format shares.
DATAPACKAGE = "datapackage.json"
DIGEST = "datapackage-digest.json"
SHA256SUMS = "SHA256SUMS"
SM3SUMS = "SM3SUMS"
LEDGER = "custody/ledger.jsonl"
MANIFEST = "custody/manifest.json"  # the evidence manifest the report is bound to
REPORT = "report/report.pdf"
CDXJ = "indexes/index.cdxj"
PAGES = "pages/pages.jsonl"
# Where the ledger puts time-stamp tokens (an item path, sealed in the signed entries).
LEDGER_TOKENS_DIR = "custody/timestamps/"


@dataclass(frozen=True)
class Layout:
    """Where one package format puts its files (docs/package-format.md §2)."""

    format: int
    readme: str
    certs_dir: str
    tokens_dir: str  # member folder of the tokens the ledger names under LEDGER_TOKENS_DIR
    # What each list leaves out: itself, and what would make a cycle.
    not_in_sums: frozenset[str]
    not_in_datapackage: frozenset[str]
    # K2 looks at members under these folders (None: every member).
    accounted: tuple[str, ...] | None

    @property
    def required(self) -> tuple[str, ...]:
        return (DATAPACKAGE, DIGEST, SHA256SUMS, SM3SUMS, self.readme, LEDGER, MANIFEST)

    def member(self, item_path: str) -> str:
        """The member that holds the ledger item ``item_path``."""
        if item_path.startswith(LEDGER_TOKENS_DIR):
            return self.tokens_dir + item_path[len(LEDGER_TOKENS_DIR) :]
        return item_path

    def officer_cert(self, key_fp: str) -> str:
        return f"{self.certs_dir}{key_fp}.pem"

    def tsa_chain(self, leaf_fp: str) -> str:
        return f"{self.certs_dir}tsa-{leaf_fp[:16]}.pem"

    def is_tsa_chain(self, name: str) -> bool:
        rest = name.removeprefix(self.certs_dir)
        return (
            rest != name
            and rest.startswith("tsa-")
            and rest.endswith(".pem")
            and _HEX16.match(rest[4:-4]) is not None
        )

    def officer_cert_key(self, name: str) -> str | None:
        """The key fingerprint an officer certificate member is named for (None if not one)."""
        rest = name.removeprefix(self.certs_dir)
        if rest == name or not rest.endswith(".pem") or not _HEX64.match(rest[:-4]):
            return None
        return rest[:-4]


# Format 1: the README at the top, certificates and tokens under custody/; the sums list
# datapackage.json (which does not list them).
LAYOUT_1 = Layout(
    format=1,
    readme="README.txt",
    certs_dir="custody/certs/",
    tokens_dir=LEDGER_TOKENS_DIR,
    not_in_sums=frozenset({SHA256SUMS, SM3SUMS}),
    not_in_datapackage=frozenset({DATAPACKAGE, DIGEST, SHA256SUMS, SM3SUMS}),
    accounted=("evidence/", "archive/", "custody/"),
)
# Format 2: every file at depth two but the WACZ manifest, its digest and the sums files;
# datapackage.json lists every file but itself and its digest (WACZ 1.1.1), the sums files
# list every file but those two and themselves; the signature covers datapackage.json.
LAYOUT_2 = Layout(
    format=2,
    readme="report/README.txt",
    certs_dir="certs/",
    tokens_dir="timestamps/",
    not_in_sums=frozenset({SHA256SUMS, SM3SUMS, DATAPACKAGE, DIGEST}),
    not_in_datapackage=frozenset({DATAPACKAGE, DIGEST}),
    accounted=None,
)
LAYOUTS = {1: LAYOUT_1, 2: LAYOUT_2}
SUPPORTED_FORMATS = frozenset(LAYOUTS)  # what the verifier judges, each by its own rules

_HEX16 = re.compile(r"^[0-9a-f]{16}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def layout(fmt: int) -> Layout:
    return LAYOUTS[fmt]


def layout_named_by(datapackage: object, what: str) -> Layout:
    """The layout of the format a parsed ``datapackage.json`` names (``quzheng.format``).
    A format this program does not know is a clear error: nothing is judged, read or
    imported under another format's rules."""
    qz = datapackage.get("quzheng") if isinstance(datapackage, dict) else None
    fmt = qz.get("format") if isinstance(qz, dict) else None
    if isinstance(fmt, int) and not isinstance(fmt, bool) and fmt in LAYOUTS:
        return LAYOUTS[fmt]
    shown = "none" if fmt is None else repr(fmt)[:40]
    known = ", ".join(str(v) for v in sorted(LAYOUTS))
    raise InputError(
        f"{what}: package format {shown} is not one this verifier knows ({known}); "
        "use a Quzheng version that reads it",
        f"{what}：证据包格式 {shown} 不是本校验工具支持的格式（{known}），"
        "请使用能读取该格式的取证工具版本",
    )


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
