"""forensics.fingerprints from a live case, from a package's files, and from raw parts:
the same numbers either way; a foreign TSA, a token without its root, self-signed officers
and garbage are handled."""

from __future__ import annotations

import hashlib
import secrets
import zipfile
from pathlib import Path

from asn1crypto import cms
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from forensics.case import Case
from forensics.fingerprints import (
    BUILTIN_TSA_CN,
    BUILTIN_TSA_POLICY,
    CA,
    OFFICER,
    TSA_ROOT,
    case_fingerprints,
    openssl_hex,
    openssl_lines,
    package_fingerprints,
    trust_fingerprints,
)
from forensics.identity import IdentityStore, Profile
from forensics.ledger import parse_record
from forensics.package import layout as L
from forensics.timestamp import (
    TimeStampAuthority,
    build_request,
    create_tsa_identity,
    token_from_response,
)
from forensics.timestamp.tsa import DEFAULT_POLICY_OID
from tests.conftest import PASSPHRASE, World
from tests.forensics.package.conftest import Exported


def _sha(cert: x509.Certificate) -> str:
    return hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest()


def _token(authority: TimeStampAuthority) -> bytes:
    request = build_request(hashlib.sha256(b"entry").digest(), secrets.randbits(63))
    return token_from_response(authority.respond(request))


def _shas(fps: object) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(c.sha256 for c in getattr(fps, k)) for k in ("cas", "officers", "tsa_roots"))


def test_builtin_tsa_marks_match_the_tsa() -> None:
    assert BUILTIN_TSA_POLICY == DEFAULT_POLICY_OID
    assert create_tsa_identity.__defaults__ and BUILTIN_TSA_CN in create_tsa_identity.__defaults__


def test_openssl_form() -> None:
    sha = bytes([0x4F, 0xCD, *range(30)]).hex()
    assert openssl_hex(sha).startswith("4F:CD:00:01:") and len(openssl_hex(sha)) == 95
    lines = openssl_lines(sha)
    assert len(lines) == 2 and lines[0].endswith(":") and "".join(lines) == openssl_hex(sha)


def test_case_and_package_agree(exported: Exported, tmp_path: Path) -> None:
    world = exported.world
    with zipfile.ZipFile(exported.path) as zf:
        names = zf.namelist()
        records = [parse_record(x) for x in zf.read(L.LEDGER).decode().splitlines()]
        lay = L.LAYOUT_2  # the ledger names tokens by item path, the ZIP by member name
        from_package = package_fingerprints(
            records,
            lambda n: zf.read(lay.member(n)) if lay.member(n) in names else None,
            names,
        )
    from_case = case_fingerprints(exported.case)
    assert _shas(from_package) == _shas(from_case)

    ca = x509.load_pem_x509_certificate((world.home / "ca" / "ca-cert.pem").read_bytes())
    assert [c.sha256 for c in from_package.cas] == [_sha(ca)]
    assert [(o.role, o.name, o.badge, o.sha256) for o in from_package.officers] == [
        (OFFICER, "张明", "31000001", _sha(world.lead.officer.cert)),
        (OFFICER, "李华", "31000002", _sha(world.second.officer.cert)),
    ]
    (root,) = from_package.tsa_roots
    assert root.role == TSA_ROOT and root.builtin and root.self_issued
    assert root.name == "Quzheng built-in TSA"
    assert root.sha256 == _sha(exported.tsa.identity.root)
    assert root.file.startswith("certs/tsa-") and root.index >= 2
    assert from_package.cas[0].role == CA and from_package.cas[0].index == 2


def test_foreign_tsa_and_a_token_without_its_root(tmp_path: Path) -> None:
    identity = create_tsa_identity(tmp_path / "tsa", name="Example Time-Stamping Authority")
    authority = TimeStampAuthority(identity, policy_oid="1.3.6.1.4.1.55555.1")
    token = _token(authority)
    (root,) = trust_fingerprints([], lambda key: None, [token]).tsa_roots
    assert not root.builtin and root.name == "Example Time-Stamping Authority"
    assert root.sha256 == _sha(identity.root) and root.self_issued

    # The same token carrying only the TSA's own certificate (as many public TSAs send it).
    ci = cms.ContentInfo.load(token)
    signed = ci["content"]
    leaf_der = identity.cert.public_bytes(Encoding.DER)
    signed["certificates"] = [c for c in signed["certificates"] if c.chosen.dump() == leaf_der]
    bare = ci.dump(force=True)
    (top,) = trust_fingerprints([], lambda key: None, [bare]).tsa_roots
    assert top.sha256 == _sha(identity.cert) and not top.self_issued  # flagged: not a root
    chain_pem = b"".join(c.public_bytes(Encoding.PEM) for c in identity.chain)
    name = "custody/certs/tsa-0123456789abcdef.pem"
    (found,) = trust_fingerprints([], lambda key: None, [bare], {name: chain_pem}).tsa_roots
    assert found.sha256 == _sha(identity.root) and found.self_issued
    assert (found.file, found.index) == (name, len(identity.chain))


def test_self_signed_officers_have_no_agency_ca(tmp_path: Path) -> None:
    home = tmp_path / "home"
    ids = IdentityStore(home)
    for name, badge in (("赵一", "41000001"), ("钱二", "41000002")):
        ids.init_officer(Profile(name, badge, "示例局"), PASSPHRASE)
    a, b = ids.unlock("41000001", PASSPHRASE), ids.unlock("41000002", PASSPHRASE)
    with Case.create(home, a, title="t", number="n", cause="c", officers=[b.officer]) as case:
        fps = case_fingerprints(case)
    assert fps.cas == () and fps.tsa_roots == ()
    assert [o.sha256 for o in fps.officers] == [_sha(a.officer.cert), _sha(b.officer.cert)]
    assert all(o.self_issued and o.index == 1 for o in fps.officers)


def test_garbage_is_skipped(world: World, case: Case) -> None:
    records = case.ledger.records()
    fps = trust_fingerprints(
        records, lambda key: b"-----BEGIN CERTIFICATE-----\nnot base64\n", [b"", b"\x30\x03junk"]
    )
    # The officers' sealed cert_sha256 stands; nothing is read from the broken chain.
    assert [o.sha256 for o in fps.officers] == [
        _sha(world.lead.officer.cert),
        _sha(world.second.officer.cert),
    ]
    assert all(o.file == "" for o in fps.officers) and fps.cas == () and fps.tsa_roots == ()
    forged = [parse_record(r.line()) for r in records]  # copies, changed below
    for rec in forged:
        if rec.kind == "officer.add":
            rec.entry["data"]["key"] = "../../etc/passwd"
    asked: list[str] = []

    def chain(key: str) -> bytes | None:
        asked.append(key)
        return None

    assert trust_fingerprints(forged, chain, []).officers == ()
    assert asked == []  # a key that is not a fingerprint is never looked up
