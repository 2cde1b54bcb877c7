"""The certificate fingerprints an expert compares with paper before trusting a package.

A verifier with no anchor for a package's agency CA or TSA answers "intact, trust not
established" and prints these; the paper report (电子数据提取笔录) and README.txt print the
same, so the expert compares them and then runs ``quzheng verify --trust-fingerprint``.

Each fingerprint is the SHA-256 of a certificate's DER, as ``openssl x509 -fingerprint
-sha256 -noout`` prints it:

* the agency CA: the last certificate of an officer's chain when it has more than one
  (``custody/certs/<key>.pem``, leaf first), once per CA;
* each officer's certificate (as its ``officer.add`` entry names it);
* each TSA root: the top of the chain of every time-stamp token, once per root, marked
  ``builtin`` when the token came from a Quzheng built-in TSA.

Everything here may come from a hostile package: unreadable certificates and tokens are
skipped, never raised.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from asn1crypto import cms, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from forensics.ledger import Record
from forensics.timeproof import is_ca
from forensics.trust import BUILTIN_TSA_POLICY
from forensics.x509names import issued_by_name, self_issued, subject_text

if TYPE_CHECKING:
    from forensics.case import Case

# The built-in TSA is also recognised by its certificate name (its tokens name its policy).
BUILTIN_TSA_CN = "Quzheng built-in TSA"
# Where the package of the current format (docs/package-format.md) holds the certificates;
# the ledger's item path of a token is the same in every format.
CERTS_DIR = "certs/"
TOKENS_DIR = "custody/timestamps/"
MAX_TOKEN_BYTES = 1 << 20
_MAX_CHAIN = 12
_HEX64 = re.compile(r"^[0-9a-f]{64}$")

# (what a certificate is, for the roles below)
CA, OFFICER, TSA_ROOT = "agency_ca", "officer", "tsa_root"


@dataclass(frozen=True)
class CertPrint:
    """One certificate to compare: its role, who it names, and its SHA-256 (lowercase hex).

    ``name`` is the officer's name, the TSA's name ("Quzheng built-in TSA" for the built-in
    one) or the CA's common name; ``file`` and ``index`` say where the package holds the
    certificate (``index`` counts from 1 in that PEM file), "" and 0 when unknown.
    """

    role: str
    name: str
    badge: str
    subject: str
    sha256: str
    builtin: bool = False
    self_issued: bool = False
    file: str = ""
    index: int = 0


@dataclass(frozen=True)
class TrustFingerprints:
    cas: tuple[CertPrint, ...] = ()
    officers: tuple[CertPrint, ...] = ()
    tsa_roots: tuple[CertPrint, ...] = ()

    @property
    def all(self) -> tuple[CertPrint, ...]:
        return self.cas + self.officers + self.tsa_roots


def openssl_hex(sha256: str) -> str:
    """``ab12…`` → ``AB:12:…``, as ``openssl x509 -fingerprint -sha256`` prints it."""
    h = sha256.upper()
    return ":".join(h[i : i + 2] for i in range(0, len(h), 2))


def openssl_lines(sha256: str, pairs: int = 16) -> list[str]:
    """The openssl form in lines of ``pairs`` bytes, each line but the last ending in ":",
    so the lines joined without spaces are exactly what openssl prints."""
    parts = openssl_hex(sha256).split(":")
    lines = [":".join(parts[i : i + pairs]) for i in range(0, len(parts), pairs)]
    return [line + ":" for line in lines[:-1]] + lines[-1:]


def _sha256(cert: x509.Certificate) -> str:
    return hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest()


def _load_pem(data: bytes | None) -> list[x509.Certificate]:
    if not data:
        return []
    try:
        return list(x509.load_pem_x509_certificates(data))
    except (ValueError, TypeError):
        return []


def _common_name(cert: x509.Certificate) -> str:
    try:
        cn = asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER)).subject.native.get(
            "common_name", ""
        )
    except Exception:  # asn1crypto raises many types on malformed input
        return ""
    if isinstance(cn, list):  # several CN attributes
        cn = cn[0] if cn else ""
    return cn if isinstance(cn, str) else ""


def _token_parts(token: bytes) -> tuple[tuple[bytes, ...], str]:
    """The DER of the certificates a token carries, and its TSTInfo policy ("" when
    unreadable)."""
    try:
        signed = cms.ContentInfo.load(token)["content"]
        ders = tuple(
            bytes(c.chosen.dump()) for c in signed["certificates"] or [] if c.name == "certificate"
        )
    except Exception:  # asn1crypto raises many types on garbage
        return (), ""
    try:
        econtent = signed["encap_content_info"]["content"]
        policy = str(tsp.TSTInfo.load(bytes(econtent.contents))["policy"].dotted)
    except Exception:
        policy = ""
    return ders, policy


def _load_der(ders: Sequence[bytes]) -> list[x509.Certificate]:
    out = []
    for der in ders:
        try:
            out.append(x509.load_der_x509_certificate(der))
        except ValueError:
            continue
    return out


def _top(leaf: x509.Certificate, pool: Sequence[x509.Certificate]) -> x509.Certificate:
    """The last certificate reached from ``leaf`` by issuer name within ``pool``."""
    cert, seen = leaf, {_sha256(leaf)}
    for _ in range(_MAX_CHAIN):
        if self_issued(cert):
            break
        parent = next((p for p in pool if _sha256(p) not in seen and issued_by_name(cert, p)), None)
        if parent is None:
            break
        cert = parent
        seen.add(_sha256(cert))
    return cert


def _locate(cert: x509.Certificate, files: Mapping[str, list[x509.Certificate]]) -> tuple[str, int]:
    der = cert.public_bytes(Encoding.DER)
    for name, certs in sorted(files.items()):
        for i, c in enumerate(certs, 1):
            if c.public_bytes(Encoding.DER) == der:
                return name, i
    return "", 0


def _officer_prints(
    records: Iterable[Record], officer_chain: Callable[[str], bytes | None], certs_dir: str
) -> tuple[list[CertPrint], list[CertPrint]]:
    cas: dict[str, CertPrint] = {}
    officers: dict[str, CertPrint] = {}
    for rec in records:
        key = rec.data_str("key")
        if rec.kind != "officer.add" or not _HEX64.match(key):
            continue
        if key in officers:
            continue
        name, badge, claimed = (rec.data_str(k) for k in ("name", "badge", "cert_sha256"))
        file = f"{certs_dir}{key}.pem"
        chain = _load_pem(officer_chain(key))
        # The signed ledger names the certificate; a chain file whose leaf is another one
        # (a hostile package) is not read for its subject or CA.
        sealed = claimed.lower() if _HEX64.match(claimed.lower()) else ""
        leaf = chain[0] if chain else None
        matches = leaf is not None and (not sealed or _sha256(leaf) == sealed)
        sha = sealed or (_sha256(leaf) if leaf is not None else "")
        if not sha:
            continue
        officers[key] = CertPrint(
            OFFICER,
            name,
            badge,
            subject_text(leaf) if leaf is not None and matches else "",
            sha,
            self_issued=leaf is not None and matches and self_issued(leaf),
            file=file if matches else "",
            index=1 if matches else 0,
        )
        if matches and len(chain) > 1:
            ca = chain[-1]
            fp = _sha256(ca)
            cas.setdefault(
                fp,
                CertPrint(
                    CA,
                    _common_name(ca) or subject_text(ca),
                    "",
                    subject_text(ca),
                    fp,
                    self_issued=self_issued(ca),
                    file=file,
                    index=len(chain),
                ),
            )
    return list(cas.values()), list(officers.values())


def _tsa_prints(tokens: Iterable[bytes], tsa_chains: Mapping[str, bytes]) -> list[CertPrint]:
    files = {name: _load_pem(pem) for name, pem in tsa_chains.items()}
    extra = [c for certs in files.values() for c in certs]
    roots: dict[str, CertPrint] = {}
    seen: set[tuple[tuple[bytes, ...], str]] = set()
    for token in tokens:
        parts = _token_parts(token)
        if parts in seen:  # a TSA's tokens carry the same certificates: read them once
            continue
        seen.add(parts)
        ders, policy = parts
        certs = _load_der(ders)
        leaves = [c for c in certs if not is_ca(c)]
        if not leaves:
            continue
        leaf = leaves[0]
        builtin = policy == BUILTIN_TSA_POLICY or _common_name(leaf) == BUILTIN_TSA_CN
        top = _top(leaf, [*certs, *extra])
        fp = _sha256(top)
        known = roots.get(fp)
        if known is not None:
            if builtin and not known.builtin:
                roots[fp] = replace(known, builtin=True, name=BUILTIN_TSA_CN)
            continue
        file, index = _locate(top, files)
        roots[fp] = CertPrint(
            TSA_ROOT,
            BUILTIN_TSA_CN if builtin else (_common_name(leaf) or subject_text(leaf)),
            "",
            subject_text(top),
            fp,
            builtin=builtin,
            self_issued=self_issued(top),
            file=file,
            index=index,
        )
    return list(roots.values())


def trust_fingerprints(
    records: Iterable[Record],
    officer_chain: Callable[[str], bytes | None],
    tokens: Iterable[bytes],
    tsa_chains: Mapping[str, bytes] | None = None,
    certs_dir: str = CERTS_DIR,
) -> TrustFingerprints:
    """The fingerprints of a case from raw parts.

    ``records``: the ledger (``officer.add`` entries are read); ``officer_chain(key)``: the
    PEM chain (leaf first) of the officer with that key fingerprint, or None;
    ``tokens``: DER time-stamp tokens; ``tsa_chains``: package path → PEM of the
    ``certs/tsa-*.pem`` files, which may hold a root a token does not carry; ``certs_dir``:
    the package folder the officers' certificate files are named in.
    """
    records = list(records)
    cas, officers = _officer_prints(records, officer_chain, certs_dir)
    return TrustFingerprints(
        tuple(cas), tuple(officers), tuple(_tsa_prints(tokens, tsa_chains or {}))
    )


def token_items(records: Iterable[Record]) -> list[dict[str, Any]]:
    """The items of ``timestamp`` entries that are tokens (``custody/timestamps/…``)."""
    out = []
    for rec in records:
        items = rec.entry.get("items") if rec.kind == "timestamp" else None
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and str(item.get("path", "")).startswith(TOKENS_DIR):
                out.append(item)
    return out


def package_fingerprints(
    records: Iterable[Record],
    read: Callable[[str], bytes | None],
    names: Iterable[str],
    certs_dir: str = CERTS_DIR,
) -> TrustFingerprints:
    """The fingerprints of a package: ``read(path)`` gives the bytes (or None) of a member
    or of the member holding a ledger item path, ``names`` lists the members (for the
    ``tsa-*.pem`` chain files in ``certs_dir``)."""
    records = list(records)

    def chain(key: str) -> bytes | None:
        return read(f"{certs_dir}{key}.pem")

    def tokens() -> Iterable[bytes]:
        for item in token_items(records):
            data = read(str(item["path"]))
            if data is not None:
                yield data

    tsa_files = [n for n in names if n.startswith(f"{certs_dir}tsa-") and n.endswith(".pem")]
    chains = {n: data for n in tsa_files if (data := read(n)) is not None}
    return trust_fingerprints(records, chain, tokens(), chains, certs_dir)


def case_fingerprints(case: Case) -> TrustFingerprints:
    """The fingerprints of a live case: its certs folder and the tokens in its store."""
    certs = case.store.dir / "certs"
    records = case.ledger.records()

    def chain(key: str) -> bytes | None:
        try:
            return (certs / f"{key}.pem").read_bytes()
        except OSError:
            return None

    def tokens() -> Iterable[bytes]:
        for item in token_items(records):
            sha = str(item.get("sha256", ""))
            if _HEX64.match(sha):
                try:
                    yield case.store.blob_path(sha).read_bytes()
                except OSError:
                    continue

    return trust_fingerprints(records, chain, tokens())
