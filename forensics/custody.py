"""Transfer of custody between agencies (REQUIREMENTS.md §E2).

The sender seals a ``custody.transfer`` entry naming the receiver, the reason and the
package's whole-file hashes, and hands over ``FILE.qzp.transfer.json`` beside the package:
that signed ledger record and the sender's certificate chain. The receiver verifies the
package, imports it read-only as a received case, registers as its receiving officer and
seals ``custody.receive`` carrying the sender's transfer record verbatim — so a re-export
keeps the whole chain, both signatures included.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from cryptography import x509

from forensics.atomic import write_atomic
from forensics.canonical import canonical_bytes
from forensics.case import Case, cases_dir, officer_data
from forensics.entry_data import ReceiveData, TransferData
from forensics.errors import InputError, IntegrityError, PolicyError
from forensics.hashing import digest_file
from forensics.identifiers import (
    check_case_id,
    check_package_id,
    check_seq,
    check_sha256,
    inside,
)
from forensics.identity import Signer, check_badge, verify_signature
from forensics.ledger import Record, entry_hash, parse_record
from forensics.package import layout as L
from forensics.package.checks import read_seal_json, verify_package
from forensics.package.documents import Seal, SealBody
from forensics.package.layout import is_safe_name
from forensics.package.reader import PackageReader
from forensics.store import CaseStore
from forensics.trust import TrustPolicy


def transfer_record_path(package: Path) -> Path:
    return package.with_name(package.name + ".transfer.json")


def record_transfer(
    case: Case,
    signer: Signer,
    package: Path,
    *,
    to_name: str,
    to_agency: str,
    reason: str,
    to_badge: str = "",
) -> Record:
    """Seal the sender's transfer entry and write the transfer record beside the package."""
    if not to_name.strip() or not to_agency.strip() or not reason.strip():
        raise InputError(
            "a transfer needs the receiver's name, agency and the reason",
            "移交需要接收人姓名、单位和移交原因",
        )
    case.require_member(signer)  # a stranger's signature would make the case fail forever
    whole = digest_file(package)
    seal = _read_seal(package)
    if seal.sha256 != whole.sha256:
        raise IntegrityError(
            f"{package.name} does not match its seal; it cannot be transferred",
            f"{package.name} 与其封签不符，不能移交",
        )
    rec = case.ledger.append(
        signer,
        "custody.transfer",
        TransferData(
            to_name=to_name,
            to_badge=to_badge,
            to_agency=to_agency,
            reason=reason,
            package_file=package.name,
            package_id=seal.package_id or "",
            package_sha256=whole.sha256,
            package_sm3=whole.sm3,
            package_size=whole.size,
        ).to_json(),
    )
    out = transfer_record_path(package)
    write_atomic(
        out,
        json.dumps(
            {"record": rec.line(), "sender_chain_pem": signer.officer.chain_pem()},
            ensure_ascii=False,
            indent=2,
        )
        + "\n",
    )
    return rec


def _read_seal(package: Path) -> SealBody:
    path = package.with_name(package.name + ".seal.json")
    try:
        return Seal.parse(read_seal_json(path), path.name).body  # bounded: size, depth, values
    except InputError as exc:
        raise InputError(
            f"the package's seal {path.name} is missing or unreadable: {exc.message_en}",
            f"证据包封签 {path.name} 缺失或无法读取：{exc.message_zh}",
        ) from None


def check_transfer_record(line: str, chain_pem: bytes) -> Record:
    """The sender's signed transfer record: its hash and signature must hold."""
    rec = parse_record(line)
    try:
        certs = x509.load_pem_x509_certificates(chain_pem) if chain_pem else []
    except ValueError:
        raise InputError(
            "the transfer record's certificate chain is unreadable",
            "移交记录中的证书链无法读取",
        ) from None
    if rec.kind != "custody.transfer" or entry_hash(rec.entry) != rec.hash:
        raise IntegrityError("the transfer record was altered", "移交记录被改动")
    if not certs or not verify_signature(certs[0], _canonical(rec), rec.sig):
        raise IntegrityError("the transfer record's signature is not valid", "移交记录的签名无效")
    return rec


def _canonical(rec: Record) -> bytes:
    return canonical_bytes(rec.entry)


def import_package(
    home: Path,
    package: Path,
    receiver: Signer,
    policy: TrustPolicy,
    *,
    password: str | None = None,
    reason: str = "",
) -> Case:
    """Verify under ``policy`` (PASS only: a package whose trust is not established is not
    received), then import read-only as a received case; seal ``custody.receive``."""
    report = verify_package(package, policy, password=password)
    report.require_valid()
    transfer: dict[str, object] = {}
    tpath = transfer_record_path(package)
    if tpath.is_file():
        try:
            raw = read_seal_json(tpath)  # bounded: size, depth, values
            line, chain_text = raw["record"], raw["sender_chain_pem"]
            if not isinstance(line, str) or not isinstance(chain_text, str):
                raise TypeError
            chain = chain_text.encode()
        except InputError as exc:
            raise InputError(
                f"{tpath.name} is unreadable: {exc.message_en}",
                f"{tpath.name} 无法读取：{exc.message_zh}",
            ) from None
        except (KeyError, TypeError, IndexError, UnicodeEncodeError):
            raise InputError(f"{tpath.name} is unreadable", f"{tpath.name} 无法读取") from None
        trec = check_transfer_record(line, chain)
        whole = digest_file(package)
        if TransferData.from_json(trec.data).package_sha256 != whole.sha256:
            raise IntegrityError(
                "the transfer record names another package file", "移交记录所指的证据包文件不符"
            )
        transfer = {"record": line, "sender_chain_pem": chain.decode()}
    with PackageReader(package, password) as reader:
        # Everything that names a place on disk is checked before anything is created.
        lines = reader.read_lines(L.LEDGER)
        records = [parse_record(x) for x in lines]
        case_id = _received_identifiers(records)
        seal = _read_seal(package) if _seal_path(package).is_file() else None
        package_id = (seal.package_id or "") if seal is not None else ""
        if package_id != "":
            check_package_id(package_id)
        lay = reader.layout()
        certs = _received_certs(reader, lay)
        root = cases_dir(home)
        target = inside(root, case_id)
        cert_files = [(inside(target, "certs", Path(n).name), n) for n in certs]
        if target.exists():
            raise PolicyError(
                f"case {case_id} already exists here; a package cannot be received twice",
                f"本机已有案件 {case_id}，不能重复接收",
            )
        store = CaseStore(target, create=True)
        try:
            opened = records[0].data
            for key, value in (
                ("case_id", case_id),
                ("title", str(opened.get("title", ""))),
                ("number", str(opened.get("number", ""))),
                ("status", "received"),
                ("received", "1"),
                ("training", "1" if opened.get("training") is True else "0"),
            ):
                store.set_meta(key, value)
            for dest, name in cert_files:
                dest.write_bytes(reader.read_control(name))
            with store.write_transaction() as db:
                for rec, line in zip(records, lines, strict=True):
                    items = []
                    for item in rec.entry["items"]:
                        with reader.open(lay.member(item["path"])) as f:
                            d = store.ingest_stream(f)
                        if d.sha256 != item["sha256"]:
                            raise IntegrityError(
                                f"{item['path']} changed during import", "导入时文件发生变化"
                            )
                        items.append({**d.as_json(), "path": item["path"],
                                      "media_type": item["media_type"]})  # fmt: skip
                    store.insert_record(db, rec.seq, rec.hash, line, items)
        except BaseException:
            store.close()
            shutil.rmtree(target, ignore_errors=True)
            raise
    store.close()
    case = Case.open(home, str(target))
    whole = digest_file(package)
    (case.store.dir / "certs" / f"{receiver.officer.key_fp}.pem").write_text(
        receiver.officer.chain_pem()
    )

    case.ledger.append(
        receiver,
        "officer.add",
        officer_data(receiver.officer, "receiver").to_json(),
    )
    case.ledger.append(
        receiver,
        "custody.receive",
        ReceiveData(
            package_file=package.name,
            package_id=str(package_id),
            package_sha256=whole.sha256,
            package_sm3=whole.sm3,
            verified="pass",
            reason=reason,
            transfer=transfer,
        ).to_json(),
    )
    return case


def _seal_path(package: Path) -> Path:
    return package.with_name(package.name + ".seal.json")


def _received_identifiers(records: list[Record]) -> str:
    """Every identifier of a received ledger, by type and shape; returns the case id.

    Only what the export of a real case contains is accepted: one case id (a UUID, the
    shape ``Case.create`` makes) on every entry, seq numbers ``0…n-1``, item paths that are
    safe member names, 64-hex SHA-256 digests, string media types, valid badges."""
    if not records:
        raise InputError("the received ledger is empty", "接收的账本为空")
    case_id = check_case_id(records[0].entry["case"])
    for i, rec in enumerate(records):
        where = f"ledger entry {i}"
        if rec.entry["case"] != case_id:
            raise InputError(
                f"{where} names another case id {str(rec.entry['case'])[:80]!r}",
                f"账本第 {i} 条记载了另一个案件编号",
            )
        if check_seq(rec.entry["seq"]) != i:
            raise InputError(f"{where} has seq {rec.seq}", f"账本第 {i} 条的序号为 {rec.seq}")
        actor, items = rec.entry["actor"], rec.entry["items"]
        if not isinstance(actor, dict) or not isinstance(items, list):
            raise InputError(
                f"{where}: actor or items malformed", f"账本第 {i} 条：操作人或证据项格式错误"
            )
        badges = [actor.get("badge", "")]
        if rec.kind == "officer.add":
            badges.append(rec.data.get("badge", ""))
        for badge in badges:
            if badge != "":
                if not isinstance(badge, str):
                    raise InputError(
                        f"{where}: a badge is not text", f"账本第 {i} 条：执法证号不是文本"
                    )
                check_badge(badge)
        for item in items:
            if not isinstance(item, dict):
                raise InputError(
                    f"{where}: an item is not an object", f"账本第 {i} 条：证据项格式错误"
                )
            path = item.get("path")
            if not isinstance(path, str) or not is_safe_name(path):
                raise InputError(
                    f"{where}: unsafe item path {str(path)[:80]!r}",
                    f"账本第 {i} 条：证据路径不安全 {str(path)[:80]!r}",
                )
            check_sha256(item.get("sha256"), f"{where}: {path}")
            if not isinstance(item.get("media_type"), str):
                raise InputError(
                    f"{where}: {path}: the media type is not text",
                    f"账本第 {i} 条：{path}：媒体类型不是文本",
                )
    return case_id


def _received_certs(reader: PackageReader, lay: L.Layout) -> list[str]:
    """The officers' certificate members to keep (``<certs>/<key>.pem``; TSA chains and
    anything else in the certificates folder are not written)."""
    return [n for n in reader.names if lay.officer_cert_key(n) is not None]
