"""A Quzheng package in ReplayWeb.page, the reference WACZ viewer (issue #20).

The package is the real thing: ``quzheng demo`` captures the practice-range shop and exports
``case.qzp``; renamed ``case.wacz`` it is loaded in ReplayWeb.page (``replay.py``), which
must replay the shop's item page as archived, with its product title, price and the reviews
its script fetched from the API host.

For the signature, what wabac.js (ReplayWeb.page's engine) accepts as a WACZ
``signedData`` is shown by signing a copy of the demo package's ``datapackage-digest.json``
by hand with a throwaway key, both ways wabac.js knows (an ECDSA P-384 ``publicKey``, or a
``domainCert`` X.509 certificate, here P-256), and that the harness tells a signature
wabac.js verified from one it only displayed. The recipe (``signed_data`` below; see
wabac.js ``src/wacz/certutils.ts`` and ``src/wacz/waczimporter.ts``):

* ``signedData.hash`` is the digest's ``hash``, character for character (it is compared as
  a string with ``datapackage-digest.json``'s ``hash``; the digest's ``path`` must be
  ``datapackage.json``), else the signedData is ignored;
* the signed bytes are that string in UTF-8 (``TextEncoder().encode(hash)``), not the
  bytes of datapackage.json;
* ECDSA with SHA-256; ``signature`` is base64 of the raw ``r || s`` (IEEE P1363, as WebCrypto
  verifies), not DER;
* either ``publicKey``: base64 SPKI DER of a **P-384** key (imported with ``namedCurve:
  "P-384"``: a P-256 key throws and the signature is never checked), or no ``publicKey``
  and ``domain`` + ``domainCert``: PEM certificate(s) joined by a blank line, the first
  one's key (any curve WebCrypto knows) verifies;
* ``created`` and ``software`` are only displayed.

The real exporter writes ``signedData`` in the certificate form with the exporting
officer's P-256 key (forensics/package/wacz_signing.py): ``test_exported_package_is_signed_
and_verified`` shows ReplayWeb.page verifying a package exactly as exported.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID
from warcio.archiveiterator import ArchiveIterator

from tests.interop.replay import Replay, open_in_replaywebpage

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("replay_ready")]

DIGEST = "datapackage-digest.json"


@dataclass(frozen=True)
class ShopItem:
    url: str
    title: str  # <h1 id="title">
    price: str  # <span id="price">
    review: str  # the first review text, fetched by the page's script from the API host


def _member(package: Path, name: str) -> bytes:
    with zipfile.ZipFile(package) as zf:
        return zf.read(name)


def shop_item(package: Path) -> ShopItem:
    """The first item page the package lists, and what its archived responses say."""
    pages = [json.loads(line) for line in _member(package, "pages/pages.jsonl").splitlines()]
    url = next(p["url"] for p in pages[1:] if "/item/" in p["url"])
    item_id = url.rstrip("/").rsplit("/", 1)[1]
    html = reviews = None
    with zipfile.ZipFile(package) as zf:
        for name in zf.namelist():
            if not (name.startswith("archive/") and name.endswith(".warc.gz")):
                continue
            with zf.open(name) as f:
                for rec in ArchiveIterator(f):
                    if rec.rec_type != "response":
                        continue
                    target = rec.rec_headers.get_header("WARC-Target-URI")
                    if target == url:
                        html = rec.content_stream().read().decode()
                    elif target.endswith(f"/v1/items/{item_id}/reviews"):
                        reviews = json.loads(rec.content_stream().read())
    assert html is not None and reviews is not None, f"{url} or its reviews not archived"
    title = re.search(r'<h1 id="title">([^<]+)</h1>', html)
    price = re.search(r'<span class="price" id="price">([^<]+)</span>', html)
    assert title and price, "the practice range's item page changed its markup"
    return ShopItem(url, title.group(1), price.group(1), reviews["reviews"][0]["text"])


def as_wacz(package: Path, dst_dir: Path) -> Path:
    dst = dst_dir / "case.wacz"
    shutil.copyfile(package, dst)
    return dst


def with_digest(package: Path, dst: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    """A copy of ``package`` whose datapackage-digest.json is changed (all else as is)."""
    with zipfile.ZipFile(package) as zf:
        members = [(info, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as zf:
        for info, data in members:
            if info.filename == DIGEST:
                digest = json.loads(data)
                change(digest)
                data = json.dumps(digest, ensure_ascii=False, indent=2).encode() + b"\n"
            zf.writestr(info, data)
    return dst


# --- the signedData recipe ------------------------------------------------------------------


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def p1363(key: ec.EllipticCurvePrivateKey, message: bytes) -> bytes:
    """ECDSA-SHA256 as WebCrypto verifies it: raw r || s, each the curve's size."""
    r, s = decode_dss_signature(key.sign(message, ec.ECDSA(hashes.SHA256())))
    size = (key.curve.key_size + 7) // 8
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def spki_b64(key: ec.EllipticCurvePrivateKey) -> str:
    return b64(
        key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


def self_signed(key: ec.EllipticCurvePrivateKey, cn: str) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )


CREATED = "2026-01-01T00:00:00Z"
SOFTWARE = "Quzheng interop test"


def signed_data(
    hash_: str,
    key: ec.EllipticCurvePrivateKey,
    *,
    cert: x509.Certificate | None = None,
    domain: str = "",
    signature: bytes | None = None,
) -> dict[str, str]:
    """wabac.js's signedData for the digest ``hash_`` (publicKey form, or domainCert form
    when ``cert`` is given)."""
    sig = p1363(key, hash_.encode("utf-8")) if signature is None else signature
    data = {"hash": hash_, "created": CREATED, "software": SOFTWARE, "signature": b64(sig)}
    if cert is None:
        data["publicKey"] = spki_b64(key)
    else:
        data["domain"] = domain
        data["domainCert"] = cert.public_bytes(serialization.Encoding.PEM).decode("ascii")
    return data


# --- the tests ------------------------------------------------------------------------------


def test_shop_item_replays(demo_package: Path, tmp_path: Path) -> None:
    item = shop_item(demo_package)
    replay = open_in_replaywebpage(
        as_wacz(demo_package, tmp_path), item.url, expect_text=item.review
    )
    assert item.title in replay.text, replay.text
    assert item.price in replay.text, replay.text
    assert item.review in replay.text, "the page's script got no archived API response"
    assert replay.frame_url.endswith("mp_/" + item.url)


def test_exported_package_is_signed_and_verified(demo_package: Path, tmp_path: Path) -> None:
    item = shop_item(demo_package)
    replay = open_in_replaywebpage(
        as_wacz(demo_package, tmp_path), item.url, expect_text=item.title
    )
    digest = json.loads(_member(demo_package, DIGEST))
    assert replay.signed, replay.verify
    assert replay.signature_verified, replay.records
    assert replay.verify["datapackageHash"] == digest["hash"]


def _signed_copy(
    demo_package: Path,
    tmp_path: Path,
    make: Callable[[str], dict[str, str]],
    *,
    hash_check: bool = False,
) -> tuple[Replay, dict[str, str]]:
    item = shop_item(demo_package)
    made: dict[str, str] = {}

    def sign(digest: dict[str, Any]) -> None:
        assert digest["path"] == "datapackage.json"
        made.update(make(digest["hash"]))
        digest["signedData"] = made

    package = with_digest(demo_package, tmp_path / "case.wacz", sign)
    replay = open_in_replaywebpage(package, item.url, expect_text=item.title, hash_check=hash_check)
    return replay, made


def test_signed_data_with_p384_public_key_verifies(demo_package: Path, tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP384R1())
    replay, made = _signed_copy(
        demo_package, tmp_path, lambda h: signed_data(h, key), hash_check=True
    )
    assert replay.signed and replay.signature_verified, (replay.verify, replay.records)
    # and the digest's hash is wabac.js's own of datapackage.json, as is pages.jsonl's
    assert replay.member_hash_matched("datapackage.json") is True, replay.records
    assert replay.member_hash_matched("pages/pages.jsonl") is True, replay.records
    assert replay.verify["numInvalid"] == 0
    shown = replay.verify
    assert shown["datapackageHash"] == made["hash"]
    assert shown["publicKey"] == made["publicKey"]
    assert (shown["created"], shown["software"]) == (CREATED, SOFTWARE)


def test_signed_data_with_p256_domain_cert_verifies(demo_package: Path, tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())  # an officer's key is P-256
    cert = self_signed(key, "interop.quzheng.test")
    replay, _ = _signed_copy(
        demo_package,
        tmp_path,
        lambda h: signed_data(h, key, cert=cert, domain="interop.quzheng.test"),
    )
    assert replay.signed and replay.signature_verified, (replay.verify, replay.records)
    shown = replay.verify
    assert shown["domain"] == "interop.quzheng.test"
    assert shown["publicKey"] == spki_b64(key)
    assert (
        shown["certFingerprint"]
        == hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()
    )
    assert replay.record("domain") == {
        "id": "domain",
        "expected": "interop.quzheng.test",
        "matched": "interop.quzheng.test",  # the certificate's CN, as wabac.js read it
    }


def _der(key: ec.EllipticCurvePrivateKey, message: bytes) -> bytes:
    return key.sign(message, ec.ECDSA(hashes.SHA256()))


@pytest.mark.parametrize(
    "case",
    ["der-signature", "signs-datapackage-bytes", "other-key", "p256-public-key"],
)
def test_wrong_signed_data_is_not_verified(demo_package: Path, tmp_path: Path, case: str) -> None:
    """ReplayWeb.page's page shows a signed-looking archive for several of these (its
    "hashes verified" counts the signature whatever came out): the harness must not."""
    p384 = ec.generate_private_key(ec.SECP384R1())
    datapackage = _member(demo_package, "datapackage.json")

    def make(hash_: str) -> dict[str, str]:
        if case == "der-signature":
            return signed_data(hash_, p384, signature=_der(p384, hash_.encode()))
        if case == "signs-datapackage-bytes":
            return signed_data(hash_, p384, signature=p1363(p384, datapackage))
        if case == "other-key":
            other = ec.generate_private_key(ec.SECP384R1())
            return signed_data(hash_, p384, signature=p1363(other, hash_.encode()))
        p256 = ec.generate_private_key(ec.SECP256R1())
        return signed_data(hash_, p256)

    replay, made = _signed_copy(demo_package, tmp_path, make)
    assert not replay.signature_verified, replay.records
    assert replay.verify["datapackageHash"] == made["hash"]  # it did read the signedData
    if case == "p256-public-key":
        # importKey("spki", …, {namedCurve: "P-384"}) throws: nothing but the hash is kept
        assert "publicKey" not in replay.verify and replay.record("signature") is None
    else:
        assert replay.signed  # what ReplayWeb.page shows: package hash and key
        assert replay.record("signature") == {
            "id": "signature",
            "expected": True,
            "matched": False,
        }


def test_changed_datapackage_is_caught_by_its_hash_not_the_signature(
    demo_package: Path, tmp_path: Path
) -> None:
    """The signature covers the ``hash`` string only: datapackage.json changed after signing
    still has a verifying signature, and only wabac.js's hash check (off in ReplayWeb.page
    as published) sees the change."""
    key = ec.generate_private_key(ec.SECP384R1())
    signed = tmp_path / "signed.wacz"
    made: dict[str, str] = {}

    def sign(digest: dict[str, Any]) -> None:
        made.update(signed_data(digest["hash"], key))
        digest["signedData"] = made

    with_digest(demo_package, signed, sign)
    with zipfile.ZipFile(signed) as zf:
        members = [(info, zf.read(info)) for info in zf.infolist()]
    changed = tmp_path / "case.wacz"
    with zipfile.ZipFile(changed, "w", zipfile.ZIP_STORED) as zf:
        for info, data in members:
            if info.filename == "datapackage.json":
                data = data.replace(b'"title": "Quzheng package', b'"title": "Quzheng packagE', 1)
            zf.writestr(info, data)
    assert _member(changed, "datapackage.json") != _member(signed, "datapackage.json")
    item = shop_item(demo_package)
    replay = open_in_replaywebpage(changed, item.url, expect_text=item.title, hash_check=True)
    assert replay.signature_verified, replay.records
    assert replay.member_hash_matched("datapackage.json") is False, replay.records
    assert replay.verify["numInvalid"] == 1
