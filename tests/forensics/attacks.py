"""The forger's kit: the strongest forgeries of a sealed package we know how to build.

Every tool works with the real pieces: the case store (SQLite, written directly where an
attacker who owns a copy of a case would), the real ledger format, real ECDSA keys, real
RFC 3161 tokens from real TSAs, and the real exporter (``export_package``). The result is
meant to be *structurally perfect* — ``sha256sum -c`` and ``openssl dgst -verify`` accept
it (``check_with_standard_tools``) — so that only a verifier that knows whom to trust, and
what a complete case looks like, can reject it.

The attackers:

- a **stranger** holds no key of the agency but copies its officers' names, badges and
  agency into self-signed certificates (or certificates of a look-alike "agency CA") and
  re-signs a whole case with them (``resign_case``);
- an **insider** holds the genuine keys and cuts a session's tail (``truncate_session_tail``),
  plants an unsealed file in a package (``plant_file``) or back-dates a case and has it
  stamped again (``backdate_case``);
- an honest **machine with its clock set back** seals a capture (``clock_set_back``).
"""

from __future__ import annotations

import base64
import copy
import dataclasses
import hashlib
import io
import json
import re
import shutil
import sqlite3
import subprocess
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import pyzipper
from cryptography.x509.oid import NameOID

from app.reporting import report_hook
from forensics.canonical import canonical_bytes, format_time, parse_time, utc_now
from forensics.case import Case
from forensics.hashing import Digests, digest_file, digest_stream
from forensics.identity import (
    IdentityStore,
    Profile,
    Signer,
    cert_fingerprint,
    load_certs_pem,
    verify_signature,
)
from forensics.ledger import STAMPED_KINDS, parse_record
from forensics.package import ExportResult, ReportHook, export_package
from forensics.package import layout as L
from forensics.package.wacz_signing import signed_data
from forensics.stamping import TsaConfig, stamp_pending
from forensics.timestamp import request_token, token_info_to_json
from tests.conftest import PASSPHRASE, World

TokenMode = Literal["keep", "drop", "restamp"]
Entry = dict[str, Any]

PLANTED = "evidence/999999-planted.png"
# A real PNG (1x1), so the planted file looks like any other screenshot.
PLANTED_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGNgYPgPAAEDAQAIicLsAAAAAElFTkSuQmCC"
)


# -- the strangers ------------------------------------------------------------------------


@dataclass(frozen=True)
class Strangers:
    """Look-alikes of the case's officers: same name, badge and agency, their own keys."""

    ids: IdentityStore
    lead: Signer
    second: Signer
    by_genuine_key: dict[str, Signer]  # genuine officer's key fingerprint -> look-alike


def stranger_identities(tmp: Path, world: World, *, lookalike_ca: bool = False) -> Strangers:
    """An identity store in another folder whose officers copy the genuine officers' name,
    badge and agency exactly. Their certificates are self-signed — or, with ``lookalike_ca``,
    issued by a CA of the stranger's own making whose name copies the agency CA's exactly,
    so the chain reads like the genuine one, name for name."""
    ids = IdentityStore(tmp / "forger")
    if lookalike_ca:
        genuine_ca = load_certs_pem((world.home / "ca" / "ca-cert.pem").read_bytes(), "ca")[0]
        cn, org = (
            str(genuine_ca.subject.get_attributes_for_oid(oid)[0].value)
            for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME)
        )
        ids.init_ca(cn, PASSPHRASE, agency=org)
    out: dict[str, Signer] = {}
    for genuine in (world.lead, world.second):
        p = genuine.officer.profile
        ids.init_officer(Profile(p.name, p.badge, p.agency, p.role), PASSPHRASE)
        if lookalike_ca:
            ids.issue(p.badge, PASSPHRASE)
        out[genuine.officer.key_fp] = ids.unlock(p.badge, PASSPHRASE)
    return Strangers(ids, out[world.lead.officer.key_fp], out[world.second.officer.key_fp], out)


# -- rewriting a case's ledger ------------------------------------------------------------


def _case_dir(case: Case | Path) -> Path:
    """The case's directory; an open ``Case`` is closed first (the attacker rewrites the
    SQLite file behind its back, and its caches would be stale)."""
    if isinstance(case, Case):
        d = case.store.dir
        case.close()
        return d
    return case


def reopen(case_dir: Path) -> Case:
    """Open a case directory as the application does (recovery included)."""
    return Case.open(case_dir.parent, str(case_dir))


def copy_case(case: Case | Path, dst_home: Path) -> Path:
    """The attacker's own copy of a case directory (the original is closed and left as is)."""
    src = _case_dir(case)
    dst = dst_home / "cases" / src.name
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("case.lock"))
    return dst


def read_records(case_dir: Path) -> list[dict[str, Any]]:
    db = sqlite3.connect(case_dir / "case.sqlite")
    try:
        return [json.loads(str(r)) for (r,) in db.execute("SELECT record FROM ledger ORDER BY seq")]
    finally:
        db.close()


_SEQ_PATH = re.compile(r"^([^/]+)/([0-9]{6})(-.*)$")


def rewrite_ledger(
    case_dir: Path,
    *,
    signers: Mapping[str, Signer] | None = None,
    edit: Callable[[Entry], None] | None = None,
    keep: Callable[[Entry], bool] | None = None,
    requeue: bool = False,
) -> None:
    """Rewrite a (closed) case's ledger the way its own software would have written it.

    ``keep`` chooses the entries that survive (seq is renumbered, item paths
    ``folder/<seq>-name`` follow), ``edit`` changes an entry in place, then every entry is
    chained again (``prev``, ``hash``) and signed again — by ``signers[original actor key]``,
    co-signatures likewise — unless it came out byte for byte the same. The item index is
    rebuilt from the ledger. The stamp queue keeps its seal points (with their new hashes);
    ``requeue`` queues every seal point that no surviving ``timestamp`` entry stamps.
    """
    records = read_records(case_dir)
    kept = [r for r in records if keep is None or keep(r["entry"])]
    new_seq = {int(r["entry"]["seq"]): i for i, r in enumerate(kept)}
    out: list[tuple[int, str, str, Entry]] = []  # seq, hash, record line, entry
    prev: str | None = None
    for seq, rec in enumerate(kept):
        entry: Entry = copy.deepcopy(rec["entry"])
        old = int(entry["seq"])
        if edit is not None:
            edit(entry)
        if entry["kind"] == "timestamp" and seq != old:
            raise ValueError("a kept timestamp entry cannot move (its token names its seq)")
        entry["seq"], entry["prev"] = seq, prev
        for item in entry["items"]:
            m = _SEQ_PATH.match(str(item["path"]))
            if m and int(m[2]) == old:
                item["path"] = f"{m[1]}/{seq:06d}{m[3]}"
        message = canonical_bytes(entry)
        digest = hashlib.sha256(message).hexdigest()
        if message == canonical_bytes(rec["entry"]):
            sig, cosig = rec["sig"], rec["cosig"]
        else:
            assert signers is not None, "an entry changed: who signs it?"
            signer = signers[str(rec["entry"]["actor"]["key"])]
            assert signer.officer.key_fp == entry["actor"]["key"], "actor is not the signer"
            sig = signer.sign(message)
            cosig = []
            for co in rec["cosig"]:
                s = signers[str(co["actor"]["key"])]
                cosig.append({"actor": s.officer.actor(), **s.sign(message)})
        record = {"entry": entry, "hash": digest, "sig": sig, "cosig": cosig}
        out.append((seq, digest, canonical_bytes(record).decode("utf-8"), entry))
        prev = digest

    db = sqlite3.connect(case_dir / "case.sqlite", isolation_level=None)
    try:
        queued = {int(s) for (s,) in db.execute("SELECT seq FROM stamp_queue")}
        db.execute("BEGIN IMMEDIATE")
        db.execute("DELETE FROM ledger")
        db.execute("DELETE FROM items")
        db.execute("DELETE FROM stamp_queue")
        stamped = {int(e["data"]["stamped_seq"]) for *_, e in out if e["kind"] == "timestamp"}
        for seq, digest, line, entry in out:
            db.execute(
                "INSERT INTO ledger (seq, hash, record) VALUES (?, ?, ?)", (seq, digest, line)
            )
            for i in entry["items"]:
                db.execute(
                    "INSERT INTO items (path, seq, sha256, sm3, size, media_type)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (i["path"], seq, i["sha256"], i["sm3"], i["size"], i["media_type"]),
                )
            was_queued = any(new_seq.get(q) == seq for q in queued)
            seal_point = entry["kind"] in STAMPED_KINDS and seq not in stamped
            if was_queued or (requeue and seal_point):
                db.execute("INSERT INTO stamp_queue (seq, hash) VALUES (?, ?)", (seq, digest))
        db.execute("COMMIT")
    finally:
        db.close()


def _replace_strings(value: Any, table: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return table.get(value, value)
    if isinstance(value, list):
        return [_replace_strings(v, table) for v in value]
    if isinstance(value, dict):
        return {k: _replace_strings(v, table) for k, v in value.items()}
    return value


def resign_case(
    case: Case | Path,
    mapping: Mapping[str, Signer],
    *,
    tokens: TokenMode = "keep",
    restamp: TsaConfig | None = None,
) -> Case:
    """The stranger's full re-signature of a case store; returns the case, open again.

    Every genuine officer key (``mapping``'s keys) becomes its look-alike's everywhere in the
    ledger — ``actor.key``, ``officer.add``'s ``key``/``cert_sha256``/``self_signed``,
    ``session.end``'s ``signers``, co-signatures — the look-alikes' certificates replace the
    genuine ones in ``certs/``, and the chain is hashed and signed again. Tokens:

    - ``keep``: timestamp entries and their ``.tsr`` stay as they were (re-signed);
    - ``drop``: timestamp entries go, seq is renumbered, nothing is queued;
    - ``restamp``: timestamp entries go, every seal point is queued again and stamped at
      ``restamp`` (another TSA the verifier trusts) by the look-alike of the case's lead.
    """
    case_dir = _case_dir(case)
    records = read_records(case_dir)
    table: dict[str, str] = {}
    for r in records:
        e = r["entry"]
        if e["kind"] == "officer.add" and e["data"]["key"] in mapping:
            s = mapping[e["data"]["key"]]
            table[str(e["data"]["key"])] = s.officer.key_fp
            table[str(e["data"]["cert_sha256"])] = cert_fingerprint(s.officer.cert)
    missing = set(mapping) - set(table)
    assert not missing, f"not officers of the case: {missing}"
    by_new_key = {s.officer.key_fp: s for s in mapping.values()}

    def edit(entry: Entry) -> None:
        new = _replace_strings(entry, table)
        entry.clear()
        entry.update(new)
        if entry["kind"] == "officer.add" and entry["data"]["key"] in by_new_key:
            cert = by_new_key[entry["data"]["key"]].officer.cert
            entry["data"]["self_signed"] = cert.issuer == cert.subject

    drop_tokens = tokens in ("drop", "restamp")
    rewrite_ledger(
        case_dir,
        signers=mapping,
        edit=edit,
        keep=(lambda e: e["kind"] != "timestamp") if drop_tokens else None,
        requeue=tokens == "restamp",
    )
    if tokens == "drop":
        db = sqlite3.connect(case_dir / "case.sqlite")
        with db:
            db.execute("DELETE FROM stamp_queue")
        db.close()
    for genuine, s in mapping.items():
        (case_dir / "certs" / f"{genuine}.pem").unlink(missing_ok=True)
        (case_dir / "certs" / f"{s.officer.key_fp}.pem").write_text(s.officer.chain_pem())
    forged = reopen(case_dir)
    if tokens == "restamp":
        assert restamp is not None, "restamp needs the other TSA"
        lead = mapping[str(records[0]["entry"]["actor"]["key"])]
        outcome = stamp_pending(forged, lead, restamp)
        assert outcome.pending == 0, outcome.reason_en
    return forged


def export_as(
    case: Case,
    signer: Signer,
    out: Path,
    *,
    tsa: TsaConfig | None,
    password: str | None = None,
    report: ReportHook | None = None,
) -> ExportResult:
    """The real exporter, with the real report (or ``report``), signed by ``signer``."""
    return export_package(
        case, signer, out, password=password, tsa=tsa, report=report or report_hook("zh")
    )


# -- the insider --------------------------------------------------------------------------


@dataclass
class Truncated:
    case: Case  # open again, cut
    session_start: int  # seq of the cut session's session.start
    report: ReportHook  # the report as it was before the cut, bound to the new package


def truncate_session_tail(case: Case | Path) -> Truncated:
    """Cut a session that holds two captures or more after its last-but-one capture.

    The last capture entry of the session and everything after it (the "after" check,
    ``session.end``, later entries, their tokens and queue rows) go. Seal points left
    without a token are queued again, so the insider's export stamps them and the package
    looks complete.

    The report refuses an unclosed session, so the insider's report hook prints the
    report of the ledger as it was before the cut (a closed session), bound — footer and
    QR code — to the package and manifest the exporter gives it. The cut files stay in the
    blob store (the case is opened without recovery) so that report can show them."""
    case_dir = _case_dir(case)
    before = [parse_record(json.dumps(r)) for r in read_records(case_dir)]
    captures: dict[str, list[int]] = {}
    for rec in before:
        if rec.kind.startswith("capture.") and rec.entry.get("session"):
            captures.setdefault(str(rec.entry["session"]), []).append(rec.seq)
    session, seqs = next((s, q) for s, q in captures.items() if len(q) >= 2)
    cut = max(seqs)
    start = next(
        r.seq for r in before if r.kind == "session.start" and r.entry["session"] == session
    )
    rewrite_ledger(case_dir, keep=lambda e: int(e["seq"]) < cut, requeue=True)

    def report(
        c: Case, _records: object, out: Path, package_id: str, sha256: str, sm3: str
    ) -> None:
        from forensics.report import ReportBinding, ReportSource, build_report

        source = dataclasses.replace(ReportSource.from_case(c), records=before)
        build_report(source, out, lang="zh", binding=ReportBinding(package_id, sha256, sm3))

    return Truncated(Case.open(case_dir.parent, str(case_dir), recover=False), start, report)


def backdate_case(
    case: Case | Path,
    signers: Mapping[str, Signer],
    tsa: TsaConfig,
    *,
    days: int = 1,
) -> Case:
    """An insider moves every entry's ``time`` back by ``days``, signs the chain again with
    the genuine keys (``signers`` by key fingerprint), drops the old tokens and has every
    seal point stamped again, now, at the genuine TSA. Returns the case, open again."""
    case_dir = _case_dir(case)
    records = read_records(case_dir)

    def edit(entry: Entry) -> None:
        entry["time"] = format_time(parse_time(str(entry["time"])) - timedelta(days=days))

    rewrite_ledger(
        case_dir, signers=signers, edit=edit, keep=lambda e: e["kind"] != "timestamp", requeue=True
    )
    backdated = reopen(case_dir)
    outcome = stamp_pending(backdated, signers[str(records[0]["entry"]["actor"]["key"])], tsa)
    assert outcome.pending == 0, outcome.reason_en
    return backdated


def _zip_members(path: Path, password: str | None = None) -> dict[str, bytes]:
    with pyzipper.AESZipFile(path) as zf:
        if password:
            zf.setpassword(password.encode())
        return {n: zf.read(n) for n in zf.namelist()}


def _digests(data: bytes) -> Digests:
    return digest_stream(io.BytesIO(data))


def _stamp_json(digest_hex: str, tsa: TsaConfig) -> dict[str, Any]:
    stamp = request_token(bytes.fromhex(digest_hex), tsa.urls, tsa.trust_roots, tsa.timeout)
    return {
        "token_der_b64": base64.b64encode(stamp.token_der).decode(),
        "tsa_url": stamp.url,
        **token_info_to_json(stamp.info),
    }


def plant_file(
    src: Path,
    dst: Path,
    signer: Signer,
    tsa: TsaConfig,
    *,
    name: str = PLANTED,
    data: bytes = PLANTED_PNG,
    case: Case | None = None,
) -> str:
    """Add an unsealed file to a (plain) package, and make every package-level list agree.

    The file joins ``custody/manifest.json``, ``datapackage.json`` (resource with SHA-256,
    and the SM3 map), ``SHA256SUMS`` and ``SM3SUMS``; with ``case`` the report is built
    again and bound to the new manifest; ``datapackage-digest.json`` is signed again by
    ``signer`` (the genuine exporting officer: an insider) with a fresh token from ``tsa``,
    and the detached seal is made again for ``dst``. No ledger entry names the file.
    Returns its path in the package."""
    members = _zip_members(src)
    assert name not in members
    members[name] = data

    manifest = json.loads(members[L.MANIFEST])
    manifest["files"] = sorted(
        [*manifest["files"], {"path": name, **_digests(data).as_json()}],
        key=lambda f: str(f["path"]),
    )
    members[L.MANIFEST] = canonical_bytes(manifest) + b"\n"
    dp = json.loads(members[L.DATAPACKAGE])
    package_id = str(dp["quzheng"]["package_id"])
    if case is not None:
        hook = report_hook("zh")
        assert hook is not None
        md = _digests(members[L.MANIFEST])
        with tempfile.TemporaryDirectory(prefix="qz-forged-report-") as d:
            pdf = Path(d) / "report.pdf"
            hook(case, case.ledger.records(), pdf, package_id, md.sha256, md.sm3)
            members[L.REPORT] = pdf.read_bytes()

    lay = L.layout(int(dp["quzheng"]["format"]))

    def sums() -> None:
        summed = sorted(n for n in members if n not in lay.not_in_sums)
        for sums_name, algo in ((L.SHA256SUMS, "sha256"), (L.SM3SUMS, "sm3")):
            members[sums_name] = "".join(
                f"{getattr(_digests(members[n]), algo)}  {n}\n" for n in summed
            ).encode()

    if L.DATAPACKAGE in lay.not_in_sums:
        sums()  # format 2: datapackage.json lists the sums files
    listed = sorted(n for n in members if n not in lay.not_in_datapackage)
    digests = {n: _digests(members[n]) for n in members}
    dp["resources"] = [
        {
            "name": n.replace("/", "-").lower(),
            "path": n,
            "hash": f"sha256:{digests[n].sha256}",
            "bytes": digests[n].size,
        }
        for n in listed
    ]
    dp["quzheng"]["sm3"] = {n: digests[n].sm3 for n in listed}
    dp_bytes = json.dumps(dp, ensure_ascii=False, indent=2).encode() + b"\n"
    members[L.DATAPACKAGE] = dp_bytes
    dp_d = _digests(dp_bytes)

    dg = json.loads(members[L.DIGEST])
    sig = signer.sign(dp_bytes)
    dg["hash"] = f"sha256:{dp_d.sha256}"
    dg["quzheng"].update(
        sha256=dp_d.sha256,
        sm3=dp_d.sm3,
        signer=signer.officer.actor(),
        signature_alg=sig["alg"],
        signature_der_b64=sig["value"],
        timestamp=_stamp_json(dp_d.sha256, tsa),
    )
    if "signedData" in dg:  # format 2: the web-archive tools' signature, made again too
        dg["signedData"] = signed_data(signer, dg["hash"], dp["created"], dp["software"])
    members[L.DIGEST] = json.dumps(dg, ensure_ascii=False, indent=2).encode() + b"\n"

    if L.DATAPACKAGE not in lay.not_in_sums:
        sums()  # format 1: the sums files list datapackage.json
    first = [L.DATAPACKAGE, L.DIGEST, L.SHA256SUMS, L.SM3SUMS, lay.readme]
    order = first + sorted(n for n in members if n not in first)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as zf:
        for n in order:
            info = zipfile.ZipInfo(n, date_time=(2026, 1, 1, 0, 0, 0))
            info.external_attr = 0o444 << 16
            zf.writestr(info, members[n])
    write_seal(dst, signer, tsa, package_id)
    return name


def write_seal(
    package: Path, signer: Signer, tsa: TsaConfig | None, package_id: str, encrypted: bool = False
) -> Path:
    """The detached seal of ``package``, as the exporter writes it."""
    whole = digest_file(package)
    body = {
        "v": L.PACKAGE_FORMAT,
        "file": package.name,
        "package_id": package_id,
        "size": whole.size,
        "sha256": whole.sha256,
        "sm3": whole.sm3,
        "encrypted": encrypted,
        "signer": signer.officer.actor(),
    }
    sig = signer.sign(canonical_bytes(body))
    seal = {
        "seal": body,
        "signature_alg": sig["alg"],
        "signature_der_b64": sig["value"],
        "signer_cert_pem": signer.officer.chain_pem(),
        "timestamp": _stamp_json(whole.sha256, tsa) if tsa is not None else None,
    }
    path = package.with_name(package.name + ".seal.json")
    path.write_text(json.dumps(seal, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


# -- the machine whose clock is set back --------------------------------------------------


@contextmanager
def clock_set_back(case: Case, by: timedelta) -> Iterator[Callable[[], datetime]]:
    """A test clock: while inside, the case's ledger dates entries ``by`` earlier than the
    real time (the ledger's injected clock, ``Ledger.now``; nothing else — not the system
    clock, not the TSA's). Yields the clock, for ``stamp_pending(now=…)``."""

    def clock() -> datetime:
        return utc_now() - by

    before = case.ledger.now
    case.ledger.now = clock
    try:
        yield clock
    finally:
        case.ledger.now = before


# -- proof that a forgery is complete -----------------------------------------------------


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=60)


def _openssl_verify_sig(work: Path, cert_pem: bytes, data: Path, sig_der: bytes) -> None:
    (work / "signer.pem").write_bytes(cert_pem)
    (work / "signer.sig").write_bytes(sig_der)
    r = _run(
        ["openssl", "x509", "-in", "signer.pem", "-pubkey", "-noout", "-out", "signer.pub"], work
    )
    assert r.returncode == 0, r.stderr
    r = _run(
        [
            "openssl",
            "dgst",
            "-sha256",
            "-verify",
            "signer.pub",
            "-signature",
            "signer.sig",
            str(data),
        ],
        work,
    )
    assert r.returncode == 0 and "Verified OK" in r.stdout, r.stdout + r.stderr


def _openssl_ts(work: Path, token: bytes, roots: Path, chain: Path, *target: str) -> None:
    (work / "token.tsr").write_bytes(token)
    r = _run(
        ["openssl", "ts", "-verify", *target, "-in", "token.tsr", "-token_in",
         "-CAfile", str(roots), "-untrusted", str(chain)],
        work,
    )  # fmt: skip
    assert r.returncode == 0 and "Verification: OK" in r.stdout, r.stdout + r.stderr


def check_with_standard_tools(
    package: Path,
    work: Path,
    *,
    password: str | None = None,
    tsa_roots: Sequence[bytes] = (),
    ledger_tokens: bool = False,
) -> None:
    """Assert the package is structurally perfect, as an expert with standard tools sees it.

    ``sha256sum -c SHA256SUMS`` passes, every SM3SUMS line holds, ``openssl dgst -verify``
    accepts the exporting officer's signature over datapackage.json (README.txt's
    commands), the ledger is a complete chain (seq, prev, hash) whose every signature and
    co-signature verifies with the certificate the package carries for it; and, with
    ``tsa_roots``, ``openssl ts -verify`` accepts the manifest's token (and with
    ``ledger_tokens`` every ledger token). The detached seal, if any, matches the file and
    its signature (and token) verify."""
    out = work / "extracted"
    out.mkdir(parents=True)
    with pyzipper.AESZipFile(package) as zf:
        if password:
            zf.setpassword(password.encode())
        zf.extractall(out)
    r = _run(["sha256sum", "-c", "--strict", L.SHA256SUMS], out)
    assert r.returncode == 0 and "FAILED" not in r.stdout, r.stdout + r.stderr
    for line in (out / L.SM3SUMS).read_text().splitlines():
        value, name = line.split("  ", 1)
        assert hashlib.new("sm3", (out / name).read_bytes()).hexdigest() == value, name

    digest = json.loads((out / L.DIGEST).read_text())["quzheng"]
    lay = L.layout(int(digest["format"]))
    key = digest["signer"]["key"]
    cert_pem = (out / lay.officer_cert(key)).read_bytes()
    _openssl_verify_sig(
        work, cert_pem, out / L.DATAPACKAGE, base64.b64decode(digest["signature_der_b64"])
    )

    prev = None
    lines = (out / L.LEDGER).read_text().splitlines()
    for i, line in enumerate(lines):
        rec = json.loads(line)
        entry = rec["entry"]
        message = canonical_bytes(entry)
        assert entry["seq"] == i and entry["prev"] == prev, f"chain broken at {i}"
        assert hashlib.sha256(message).hexdigest() == rec["hash"], f"hash of entry {i}"
        for sig in [rec["sig"], *rec["cosig"]]:
            fp = (sig.get("actor") or entry["actor"])["key"]
            cert = load_certs_pem((out / lay.officer_cert(fp)).read_bytes(), fp)[0]
            assert verify_signature(cert, message, sig), f"signature on entry {i}"
        prev = rec["hash"]

    if tsa_roots:
        roots = work / "tsa-roots.pem"
        roots.write_bytes(b"".join(tsa_roots))
        chain = work / "tsa-chain.pem"
        chain.write_bytes(
            b"".join(p.read_bytes() for p in sorted((out / lay.certs_dir).glob("tsa-*.pem")))
        )
        token = digest.get("timestamp")
        assert token, "the manifest carries no token"
        _openssl_ts(
            work, base64.b64decode(token["token_der_b64"]), roots, chain,
            "-data", str(out / L.DATAPACKAGE),
        )  # fmt: skip
        if ledger_tokens:
            tokens = sorted((out / lay.tokens_dir).glob("*.tsr"))
            assert tokens, "no ledger tokens"
            for tsr in tokens:
                entry_hash = json.loads(lines[int(tsr.stem)])["hash"]
                _openssl_ts(work, tsr.read_bytes(), roots, chain, "-digest", entry_hash)

    seal_path = package.with_name(package.name + ".seal.json")
    if seal_path.is_file():
        seal = json.loads(seal_path.read_text())
        whole = digest_file(package)
        body = seal["seal"]
        assert (body["size"], body["sha256"], body["sm3"]) == (whole.size, whole.sha256, whole.sm3)
        (work / "seal-body.json").write_bytes(canonical_bytes(body))
        _openssl_verify_sig(
            work,
            seal["signer_cert_pem"].encode(),
            work / "seal-body.json",
            base64.b64decode(seal["signature_der_b64"]),
        )
        if tsa_roots and seal.get("timestamp"):
            _openssl_ts(
                work, base64.b64decode(seal["timestamp"]["token_der_b64"]),
                work / "tsa-roots.pem", work / "tsa-chain.pem", "-data", str(package),
            )  # fmt: skip
