"""Tamper challenges: copies of a package, each with one hidden manipulation, and the key.

Each copy is made the way a capable attacker would make it: after the manipulation, the
sums files, ``datapackage.json`` and the evidence manifest are rewritten to match, and the
manifest digest is re-signed with a stranger's key (whose certificate is added to the
package) and left without a time-stamp — so ``sha256sum -c`` and a look at the manifest's
signature pass. Only the checks of the ledger itself (continuity, signatures by officers of
the case, items against their sealed digests, time-stamp tokens) can tell; ``verify_package``
must report each manipulation at its place, and the tests hold it to that.

The classes (``CLASSES``):

* ``evidence-byte`` — one byte of a sealed evidence file changed;
* ``screenshot-replaced`` — a captured image replaced by an edited one;
* ``entry-removed`` — one ledger entry (and its files) removed;
* ``entries-reordered`` — two adjacent ledger entries swapped;
* ``rechained-stranger`` — an entry altered (a screenshot swapped and its digests updated,
  or a note rewritten) and the ledger re-chained from there, signed with a stranger's key
  under the officer's name;
* ``token-moved`` — an entry's RFC 3161 token replaced by another entry's token;
* ``clock-manipulated`` — an entry's time moved by minutes to hours and the chain re-hashed
  (the original signatures kept).

Choices (which class, which file or entry, which byte, how far the clock moves) are drawn
from ``random.Random`` seeded with ``seed``: the same package and seed give the same
challenges. Signatures are fresh ECDSA signatures, so the bytes differ from run to run.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import io
import json
import random
import shutil
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from forensics import safejson
from forensics.atomic import atomic_path
from forensics.canonical import canonical_bytes, format_time, parse_time
from forensics.errors import InputError
from forensics.hashing import Digests, digest_file, digest_stream
from forensics.identity import SIG_ALG, key_fingerprint
from forensics.ledger import Record, entry_hash, parse_record
from forensics.package import layout as L
from forensics.package.reader import PackageReader
from forensics.training.exercise import Text

KEY_FORMAT: Final = 1
ANSWERS_FORMAT: Final = 1
CHALLENGES_DIR: Final = "challenges"
KEY_FILE: Final = "answer-key.json"
TEMPLATE_FILE: Final = "answers-template.json"
MAX_COUNT: Final = 999
_MAX_EDIT_BYTES: Final = 64 << 20  # files read into memory to be altered

CLASSES: Final = (
    "evidence-byte",
    "screenshot-replaced",
    "entry-removed",
    "entries-reordered",
    "rechained-stranger",
    "token-moved",
    "clock-manipulated",
)
CLASS_LABELS: Final = {
    "evidence-byte": Text("证据文件被改动一个字节", "one byte of an evidence file changed"),
    "screenshot-replaced": Text(
        "截图被替换为修改过的图片", "a screenshot replaced by an edited image"
    ),
    "entry-removed": Text("账本条目被删除", "a ledger entry removed"),
    "entries-reordered": Text("账本条目顺序被调换", "two ledger entries swapped"),
    "rechained-stranger": Text(
        "账本被改动后用他人密钥重新签名链接",
        "ledger altered, re-chained and signed by a stranger's key",
    ),
    "token-moved": Text("时间戳令牌被移到另一条目", "a time-stamp token moved to another entry"),
    "clock-manipulated": Text(
        "条目时间被篡改（哈希链重算）", "an entry's time manipulated (chain re-hashed)"
    ),
}
_REMOVABLE = ("capture.", "note", "mark", "import.file", "env.check", "derive")


class TamperError(InputError):
    """The challenges cannot be made (bad arguments, or a package that does not fit)."""


@dataclass(frozen=True)
class Challenge:
    file: str
    cls: str
    location: str  # "evidence/…" (a package path) or "entry 7" (a ledger entry)
    accept: tuple[str, ...]  # every location counted as right when grading
    explanation: Text
    # verify_package must report at least one of these (code, subject) as an error.
    expected: tuple[tuple[str, str], ...]
    sha256: str

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "class": self.cls,
            "class_label": CLASS_LABELS[self.cls].as_json(),
            "location": self.location,
            "accept": list(self.accept),
            "explanation": self.explanation.as_json(),
            "expected_findings": [{"code": c, "subject": s} for c, s in self.expected],
            "sha256": self.sha256,
        }


@dataclass(frozen=True)
class AnswerKey:
    seed: int
    source: str
    source_sha256: str
    challenges: tuple[Challenge, ...]
    skipped_classes: tuple[str, ...] = ()
    path: Path | None = None  # where the key was written

    def to_json(self) -> dict[str, Any]:
        return {
            "format": KEY_FORMAT,
            "kind": "quzheng-tamper-key",
            "seed": self.seed,
            "source": {"file": self.source, "sha256": self.source_sha256},
            "classes": {c: CLASS_LABELS[c].as_json() for c in CLASSES},
            "skipped_classes": list(self.skipped_classes),
            "challenges": [c.as_json() for c in self.challenges],
        }

    @classmethod
    def from_json(cls, raw: object) -> AnswerKey:
        bad = TamperError("not a Quzheng answer key", "不是取证练习的答案文件")
        if not isinstance(raw, dict) or raw.get("kind") != "quzheng-tamper-key":
            raise bad
        if raw.get("format") != KEY_FORMAT:
            raise TamperError(
                f"answer key format {raw.get('format')!r} is not supported",
                f"不支持答案文件格式 {raw.get('format')!r}",
            )
        try:
            out = []
            for c in raw["challenges"]:
                if c["class"] not in CLASSES:
                    raise ValueError(c["class"])
                out.append(
                    Challenge(
                        str(c["file"]),
                        str(c["class"]),
                        str(c["location"]),
                        tuple(str(a) for a in c["accept"]),
                        Text(str(c["explanation"]["zh"]), str(c["explanation"]["en"])),
                        tuple((str(f["code"]), str(f["subject"])) for f in c["expected_findings"]),
                        str(c["sha256"]),
                    )
                )
            return cls(
                int(raw["seed"]),
                str(raw["source"]["file"]),
                str(raw["source"]["sha256"]),
                tuple(out),
                tuple(str(s) for s in raw.get("skipped_classes", [])),
            )
        except (KeyError, TypeError, ValueError):
            raise bad from None


# -- the source package ---------------------------------------------------------------------


class _Source:
    """The package read once: member order, control files, ledger, every file's digests."""

    def __init__(self, reader: PackageReader) -> None:
        self.reader = reader
        self.order = reader.names
        for name in (L.DATAPACKAGE, L.DIGEST, L.LEDGER, L.SHA256SUMS, L.SM3SUMS):
            if not reader.has(name):
                raise TamperError(
                    f"{reader.path} is not a complete package: {name} is missing",
                    f"{reader.path} 不是完整的证据包：缺少 {name}",
                )
        try:
            self.layout = reader.layout()
            self.datapackage = _control_json(reader, L.DATAPACKAGE)
            self.digest = _control_json(reader, L.DIGEST)
            self.manifest = _control_json(reader, L.MANIFEST) if reader.has(L.MANIFEST) else None
            self.records = [parse_record(x) for x in reader.read_lines(L.LEDGER)]
        except InputError as exc:
            raise TamperError(
                f"{reader.path}: a control file is malformed ({exc.message_en})",
                f"{reader.path}：控制文件格式错误（{exc.message_zh}）",
            ) from None
        sha = _parse_sums(reader.read_control(L.SHA256SUMS))
        sm3 = _parse_sums(reader.read_control(L.SM3SUMS))
        self.digests: dict[str, Digests] = {}
        for name in self.order:
            if name in sha and name in sm3:
                self.digests[name] = Digests(reader.size(name), sha[name], sm3[name])
        if len(self.records) < 3:
            raise TamperError(
                f"{reader.path}: the ledger is too short for tamper challenges",
                f"{reader.path}：账本过短，无法制作篡改题",
            )

    def read(self, name: str) -> bytes:
        """A member's bytes, by its name or by the ledger item path it holds."""
        with self.reader.open(self.layout.member(name)) as f:
            return f.read()


def _control_json(reader: PackageReader, name: str) -> Any:
    """A control file of the source package, parsed within the bounds (InputError)."""
    return safejson.loads(reader.read_control(name), what=f"{reader.path}: {name}")


def _parse_sums(data: bytes) -> dict[str, str]:
    out = {}
    for line in data.decode("utf-8", errors="replace").splitlines():
        value, sep, name = line.partition("  ")
        if sep:
            out[name] = value
    return out


# -- a planned manipulation -----------------------------------------------------------------


@dataclass
class _Plan:
    cls: str
    location: str
    accept: tuple[str, ...]
    explanation: Text
    expected: tuple[tuple[str, str], ...]
    records: list[Record] | None = None  # the new ledger, when it changes
    files: dict[str, bytes | None] | None = None  # new content, or None to remove


def _entry(seq: int) -> str:
    return f"entry {seq}"


def _label(seq: int) -> str:
    return f"ledger entry {seq}"


def _items(rec: Record) -> list[dict[str, Any]]:
    return [i for i in rec.entry.get("items", []) if isinstance(i, dict)]


def _evidence_items(src: _Source, kinds: Callable[[str], bool]) -> list[tuple[Record, str, str]]:
    out = []
    for rec in src.records:
        if not kinds(rec.kind):
            continue
        for item in _items(rec):
            path = str(item.get("path", ""))
            if (
                path.startswith(("evidence/", "archive/"))
                and src.reader.has(path)
                and 0 < src.reader.size(path) <= _MAX_EDIT_BYTES
            ):
                out.append((rec, path, str(item.get("media_type", ""))))
    return out


def _is_capture(kind: str) -> bool:
    return kind.startswith("capture.") or kind in ("import.file", "derive")


def _plan_evidence_byte(src: _Source, rng: random.Random, stranger: _Stranger) -> _Plan | None:
    candidates = _evidence_items(src, _is_capture)
    if not candidates:
        return None
    rec, path, _ = rng.choice(candidates)
    data = bytearray(src.read(path))
    # Past the header, so the file still opens: a careless look sees nothing wrong.
    offset = rng.randrange(min(64, len(data) // 2), len(data))
    data[offset] ^= rng.randrange(1, 256)
    return _Plan(
        "evidence-byte",
        path,
        (path, _entry(rec.seq)),
        Text(
            f"{path} 第 {offset} 字节被改动；账本第 {rec.seq} 条封存的哈希值与文件不符",
            f"byte {offset} of {path} was changed; it no longer matches the digests sealed in ledger entry {rec.seq}",
        ),
        (("item-sha256", path), ("item-sm3", path)),
        files={path: bytes(data)},
    )


def _images(src: _Source) -> list[tuple[Record, str, str]]:
    return [
        (r, p, mt)
        for r, p, mt in _evidence_items(src, lambda k: k.startswith("capture."))
        if mt in ("image/png", "image/jpeg")
    ]


def _edited_image(data: bytes, media_type: str, rng: random.Random) -> bytes:
    """The same picture with a patch painted over it (a price or a logo "corrected")."""
    from PIL import Image, ImageDraw

    with Image.open(io.BytesIO(data)) as img:
        img.load()
        edited = img.convert("RGB")
    w, h = edited.size
    box_w, box_h = max(2, w // 3), max(2, h // 6)
    x, y = rng.randrange(0, max(1, w - box_w)), rng.randrange(0, max(1, h - box_h))
    colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
    ImageDraw.Draw(edited).rectangle((x, y, x + box_w, y + box_h), fill=colour)
    out = io.BytesIO()
    edited.save(out, format="PNG" if media_type == "image/png" else "JPEG", quality=90)
    return out.getvalue()


def _plan_screenshot(src: _Source, rng: random.Random, stranger: _Stranger) -> _Plan | None:
    candidates = _images(src)
    if not candidates:
        return None
    rec, path, mt = rng.choice(candidates)
    new = _edited_image(src.read(path), mt, rng)
    return _Plan(
        "screenshot-replaced",
        path,
        (path, _entry(rec.seq)),
        Text(
            f"{path}（账本第 {rec.seq} 条 {rec.kind}）被替换为修改过的图片",
            f"{path} (ledger entry {rec.seq}, {rec.kind}) was replaced by an edited picture",
        ),
        (("item-sha256", path), ("item-size", path)),
        files={path: new},
    )


def _plan_removed(src: _Source, rng: random.Random, stranger: _Stranger) -> _Plan | None:
    last = len(src.records) - 1
    candidates = [r for r in src.records[1:last] if r.kind.startswith(_REMOVABLE)]
    if not candidates:
        return None
    rec = rng.choice(candidates)
    records = [r for r in src.records if r is not rec]
    gone = [str(i.get("path")) for i in _items(rec) if src.reader.has(str(i.get("path")))]
    return _Plan(
        "entry-removed",
        _entry(rec.seq),
        (_entry(rec.seq),),
        Text(
            f"账本第 {rec.seq} 条（{rec.kind}）及其文件被删除；序号出现缺口，第 {rec.seq + 1} 条的前序哈希不符",
            f"ledger entry {rec.seq} ({rec.kind}) and its files were removed: the seq numbers have a gap "
            f"and entry {rec.seq + 1} no longer links to its predecessor",
        ),
        (("ledger-seq-break", _label(rec.seq + 1)), ("ledger-prev-mismatch", _label(rec.seq + 1))),
        records=records,
        files=dict.fromkeys(gone),
    )


def _plan_reordered(src: _Source, rng: random.Random, stranger: _Stranger) -> _Plan | None:
    every = list(range(1, len(src.records) - 1))
    if not every:
        return None
    # Preferably a swap that changes the story (evidence, notes, checks), not two tokens.
    telling = [
        k
        for k in every
        if src.records[k].kind.startswith(_REMOVABLE)
        or src.records[k + 1].kind.startswith(_REMOVABLE)
    ]
    k = rng.choice(telling or every)
    records = list(src.records)
    records[k], records[k + 1] = records[k + 1], records[k]
    a, b = src.records[k], src.records[k + 1]
    return _Plan(
        "entries-reordered",
        _entry(k),
        (_entry(k), _entry(k + 1)),
        Text(
            f"账本第 {k} 条（{a.kind}）与第 {k + 1} 条（{b.kind}）顺序被调换；每条自身的签名仍有效",
            f"ledger entries {k} ({a.kind}) and {k + 1} ({b.kind}) were swapped; each one's own "
            "signature still holds",
        ),
        (
            ("ledger-seq-break", _label(k)),
            ("ledger-seq-break", _label(k + 1)),
            ("ledger-prev-mismatch", _label(k)),
            ("ledger-prev-mismatch", _label(k + 1)),
        ),
        records=records,
    )


def _rechain(
    src: _Source,
    records: list[Record],
    start: int,
    sign: Callable[[dict[str, Any]], tuple[dict[str, str], list[dict[str, Any]]]] | None,
) -> list[Record]:
    """Re-hash entries ``start``… (prev links and time-stamp references follow the new
    hashes); ``sign`` re-signs each one, or the old signatures are kept."""
    out = list(records[:start])
    new_hash: dict[int, str] = {r.seq: r.hash for r in out}
    for rec in records[start:]:
        entry = copy.deepcopy(rec.entry)
        if out:
            entry["prev"] = out[-1].hash
        data = entry.get("data")
        if rec.kind == "timestamp" and isinstance(data, dict):
            stamped = data.get("stamped_seq")
            if isinstance(stamped, int) and stamped in new_hash:
                data["stamped_hash"] = new_hash[stamped]
        if sign is not None:
            sig, cosig = sign(entry)
        else:
            sig, cosig = rec.sig, rec.cosig
        digest = entry_hash(entry)
        new_hash[int(entry["seq"])] = digest
        out.append(Record(entry, digest, sig, cosig))
    return out


def _plan_rechained(src: _Source, rng: random.Random, stranger: _Stranger) -> _Plan | None:
    last = len(src.records) - 1
    images = {r.seq: (p, mt) for r, p, mt in _images(src)}
    candidates = [r for r in src.records[1:last] if r.seq in images or r.kind == "note"]
    if not candidates:
        return None
    rec = rng.choice(candidates)
    records = list(src.records)
    entry = copy.deepcopy(rec.entry)
    files: dict[str, bytes | None] = {}
    if rec.seq in images:
        path, mt = images[rec.seq]
        new = _edited_image(src.read(path), mt, rng)
        d = digest_stream(io.BytesIO(new))
        for item in entry["items"]:
            if item.get("path") == path:
                item.update(size=d.size, sha256=d.sha256, sm3=d.sm3)
        files[path] = new
        what = Text(
            f"{path} 被替换，并改写了账本中的哈希值",
            f"{path} was replaced and its digests rewritten in the ledger",
        )
        accept: tuple[str, ...] = (_entry(rec.seq), path)
    else:
        entry["data"] = {**entry.get("data", {}), "text": "页面未见侵权标识。"}
        what = Text("备注内容被改写", "the note's text was rewritten")
        accept = (_entry(rec.seq),)
    records[rec.seq] = Record(entry, rec.hash, rec.sig, rec.cosig)
    # The stranger signs under the officer's name: only the key gives it away.
    records = _rechain(src, records, rec.seq, stranger.sign_entry)
    files[src.layout.officer_cert(stranger.fp)] = stranger.cert_pem
    return _Plan(
        "rechained-stranger",
        _entry(rec.seq),
        accept,
        Text(
            f"账本第 {rec.seq} 条被改动（{what.zh}），其后各条重新计算哈希链，并用非本案人员的密钥冒名签名",
            f"ledger entry {rec.seq} was altered ({what.en}) and every entry from there re-chained "
            "and signed with a stranger's key under the officer's name",
        ),
        (("signer-not-officer", _label(rec.seq)),),
        records=records,
        files=files,
    )


def _tokens(src: _Source) -> list[tuple[Record, int, str]]:
    out = []
    for rec in src.records:
        if rec.kind != "timestamp":
            continue
        stamped = rec.data.get("stamped_seq")
        for item in _items(rec):
            path = str(item.get("path", ""))
            member = src.layout.member(path)
            if isinstance(stamped, int) and path.endswith(".tsr") and src.reader.has(member):
                out.append((rec, stamped, path))
    return out


def _plan_token(src: _Source, rng: random.Random, stranger: _Stranger) -> _Plan | None:
    tokens = _tokens(src)
    if len(tokens) < 2:
        return None
    # An older token put on a later entry: the classic backdating.
    pairs = [(a, b) for a in tokens for b in tokens if a[1] < b[1]]
    (_, a_seq, a_item), (b_rec, b_seq, b_item) = rng.choice(pairs)
    # Named as the package names them (format 2 keeps tokens under timestamps/).
    a_path, b_path = src.layout.member(a_item), src.layout.member(b_item)
    return _Plan(
        "token-moved",
        b_path,
        (b_path, _entry(b_seq), _entry(b_rec.seq)),
        Text(
            f"账本第 {b_seq} 条的时间戳令牌（{b_path}）被换成第 {a_seq} 条的令牌（{a_path}），使其看似更早",
            f"the time-stamp token of entry {b_seq} ({b_path}) was replaced by the token of entry "
            f"{a_seq} ({a_path}), to make it look earlier",
        ),
        (("item-sha256", b_path), ("token-imprint-mismatch", b_path)),
        files={b_path: src.read(a_path)},
    )


def _plan_clock(src: _Source, rng: random.Random, stranger: _Stranger) -> _Plan | None:
    last = len(src.records) - 1
    candidates = [r for r in src.records[1:last] if r.kind.startswith("capture.")]
    if not candidates:
        return None
    rec = rng.choice(candidates)
    shift = rng.randint(10 * 60, 6 * 3600) * rng.choice((-1, 1))
    try:
        old = parse_time(str(rec.entry.get("time")))
    except InputError:
        return None
    new_time = format_time(old + timedelta(seconds=shift))
    records = list(src.records)
    entry = copy.deepcopy(rec.entry)
    entry["time"] = new_time
    records[rec.seq] = Record(entry, rec.hash, rec.sig, rec.cosig)
    records = _rechain(src, records, rec.seq, None)
    minutes = abs(shift) // 60
    direction = Text("提前" if shift < 0 else "推后", "earlier" if shift < 0 else "later")
    return _Plan(
        "clock-manipulated",
        _entry(rec.seq),
        (_entry(rec.seq),),
        Text(
            f"账本第 {rec.seq} 条（{rec.kind}）的时间被{direction.zh} {minutes} 分钟（{new_time}），并重算哈希链；签名与时间戳均不再相符",
            f"the time of ledger entry {rec.seq} ({rec.kind}) was moved {minutes} minutes "
            f"{direction.en} ({new_time}) and the chain re-hashed; its signature and token no longer match",
        ),
        (("signature-invalid", _label(rec.seq)),),
        records=records,
    )


_PLANNERS: Final[dict[str, Callable[[_Source, random.Random, _Stranger], _Plan | None]]] = {
    "evidence-byte": _plan_evidence_byte,
    "screenshot-replaced": _plan_screenshot,
    "entry-removed": _plan_removed,
    "entries-reordered": _plan_reordered,
    "rechained-stranger": _plan_rechained,
    "token-moved": _plan_token,
    "clock-manipulated": _plan_clock,
}


# -- the stranger -------------------------------------------------------------------------


class _Stranger:
    """A key that is no officer's, with a self-signed certificate under an officer's name."""

    def __init__(self, seed: int, actor: dict[str, Any], agency: str) -> None:
        scalar = int.from_bytes(hashlib.sha256(f"quzheng-tamper-stranger:{seed}".encode()).digest())
        order = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
        self.key = ec.derive_private_key(scalar % (order - 1) + 1, ec.SECP256R1())
        self.fp = key_fingerprint(self.key.public_key())
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.COMMON_NAME, str(actor.get("name") or "officer")),
                *([x509.NameAttribute(NameOID.ORGANIZATION_NAME, agency)] if agency else []),
                x509.NameAttribute(NameOID.SERIAL_NUMBER, str(actor.get("badge") or "0")),
            ]
        )
        start = datetime(2026, 1, 1, tzinfo=UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(scalar % (1 << 64) | 1)
            .not_valid_before(start)
            .not_valid_after(start + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        self.cert_pem = cert.public_bytes(serialization.Encoding.PEM)
        self.actor = {
            "name": actor.get("name", ""),
            "badge": actor.get("badge", ""),
            "key": self.fp,
        }

    def sign(self, data: bytes) -> str:
        return base64.b64encode(self.key.sign(data, ec.ECDSA(hashes.SHA256()))).decode()

    def sign_entry(self, entry: dict[str, Any]) -> tuple[dict[str, str], list[dict[str, Any]]]:
        actor = entry.get("actor")
        if isinstance(actor, dict):
            actor["key"] = self.fp
        data = entry.get("data")
        if entry.get("kind") == "session.end" and isinstance(data, dict):
            data["signers"] = [self.fp]
        return {"alg": SIG_ALG, "value": self.sign(canonical_bytes(entry))}, []


# -- writing a copy -------------------------------------------------------------------------


def _cover_up(
    src: _Source, plan: _Plan, stranger: _Stranger
) -> tuple[dict[str, bytes], set[str], list[str]]:
    """The control files rewritten to match the manipulation, as an attacker would."""
    files = dict(plan.files or {})
    removed = {n for n, v in files.items() if v is None}
    changed: dict[str, bytes] = {n: v for n, v in files.items() if v is not None}
    records = plan.records if plan.records is not None else src.records
    if plan.records is not None:
        changed[L.LEDGER] = "".join(r.line() + "\n" for r in records).encode()
    lay = src.layout
    changed[lay.officer_cert(stranger.fp)] = stranger.cert_pem
    order = [n for n in src.order if n not in removed]
    order += sorted(n for n in changed if n not in src.order)
    digests = dict(src.digests)
    for name, data in changed.items():
        digests[name] = digest_stream(io.BytesIO(data))
    head = {"seq": records[-1].seq, "hash": records[-1].hash}

    # (1) the evidence manifest the report is bound to
    if src.manifest is not None and isinstance(src.manifest, dict):
        manifest = copy.deepcopy(src.manifest)
        manifest["ledger_head"] = head
        listed = {str(f.get("path")) for f in manifest.get("files", []) if isinstance(f, dict)}
        for name in changed:
            if name not in listed and name not in lay.not_in_datapackage and name != L.MANIFEST:
                listed.add(name)
        manifest["files"] = [
            {"path": n, **digests[n].as_json()} for n in sorted(listed - removed) if n in digests
        ]
        changed[L.MANIFEST] = canonical_bytes(manifest) + b"\n"
        digests[L.MANIFEST] = digest_stream(io.BytesIO(changed[L.MANIFEST]))

    # (2) datapackage.json: every file's size, SHA-256 and SM3, and the ledger head; in
    # format 2 it lists the sums files, so they are written first
    if L.DATAPACKAGE in lay.not_in_sums:
        _cover_sums(order, digests, changed, lay)
    dp = copy.deepcopy(src.datapackage)
    resources = [
        r for r in dp.get("resources", []) if isinstance(r, dict) and r.get("path") not in removed
    ]
    paths = {str(r.get("path")) for r in resources}
    for name in sorted(changed):
        if name not in paths and name not in lay.not_in_datapackage:
            resources.append({"name": name.replace("/", "-").lower(), "path": name})
    for r in resources:
        d = digests.get(str(r["path"]))
        if d is not None:
            r["hash"] = f"sha256:{d.sha256}"
            r["bytes"] = d.size
    dp["resources"] = sorted(resources, key=lambda r: str(r["path"]))
    qz = dp.setdefault("quzheng", {})
    qz["ledger_head"] = head
    qz["sm3"] = {
        str(r["path"]): digests[str(r["path"])].sm3
        for r in dp["resources"]
        if str(r["path"]) in digests
    }
    dp_bytes = json.dumps(dp, ensure_ascii=False, indent=2).encode() + b"\n"
    changed[L.DATAPACKAGE] = dp_bytes

    # (3) its digest, re-signed by the stranger; the manifest token cannot be forged: dropped
    dg = copy.deepcopy(src.digest)
    dp_d = digest_stream(io.BytesIO(dp_bytes))
    dg["hash"] = f"sha256:{dp_d.sha256}"
    dq = dg.setdefault("quzheng", {})
    dq.update(
        sha256=dp_d.sha256,
        sm3=dp_d.sm3,
        signer=stranger.actor,
        signature_alg=SIG_ALG,
        signature_der_b64=stranger.sign(dp_bytes),
        timestamp=None,
    )
    changed[L.DIGEST] = json.dumps(dg, ensure_ascii=False, indent=2).encode() + b"\n"
    for name in (L.DATAPACKAGE, L.DIGEST):
        digests[name] = digest_stream(io.BytesIO(changed[name]))

    # (4) the sums files (format 1: they list datapackage.json), so `sha256sum -c` passes
    if L.DATAPACKAGE not in lay.not_in_sums:
        _cover_sums(order, digests, changed, lay)
    return changed, removed, order


def _cover_sums(
    order: list[str], digests: dict[str, Digests], changed: dict[str, bytes], lay: L.Layout
) -> None:
    for sums_name, algo in ((L.SHA256SUMS, "sha256"), (L.SM3SUMS, "sm3")):
        lines = [
            f"{digests[n].sha256 if algo == 'sha256' else digests[n].sm3}  {n}\n"
            for n in sorted(order)
            if n not in lay.not_in_sums and n in digests
        ]
        changed[sums_name] = "".join(lines).encode()
        digests[sums_name] = digest_stream(io.BytesIO(changed[sums_name]))


def _write_zip(src: _Source, dst: Path, order: list[str], changed: dict[str, bytes]) -> None:
    with (
        atomic_path(dst) as tmp,
        zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED, allowZip64=True) as zf,
    ):
        for name in order:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o444 << 16
            if name in changed:
                zf.writestr(info, changed[name])
                continue
            info.file_size = src.reader.size(name)
            with (
                src.reader.open(name) as fin,
                zf.open(info, "w", force_zip64=info.file_size > (1 << 31)) as fout,
            ):
                shutil.copyfileobj(fin, fout, 1 << 20)


# -- the generator --------------------------------------------------------------------------


def make_tamper_set(
    package: Path,
    count: int,
    seed: int,
    out_dir: Path,
    classes: Sequence[str] = CLASSES,
    *,
    password: str | None = None,
) -> AnswerKey:
    """Write ``count`` challenges to ``out_dir/challenges/`` and the key to ``out_dir``.

    Classes are dealt in shuffled rounds, so every class appears once ``count`` reaches the
    number of classes. A class that does not fit the package (no screenshot, fewer than two
    tokens) is skipped when the default set is asked for, and is an error when named.
    """
    if not 1 <= count <= MAX_COUNT:
        raise TamperError(
            f"the number of challenges must be 1 to {MAX_COUNT}", f"题目数量须为 1 至 {MAX_COUNT}"
        )
    unknown = [c for c in classes if c not in CLASSES]
    if unknown or not classes:
        raise TamperError(
            f"unknown tamper class(es) {unknown} (known: {', '.join(CLASSES)})",
            f"未知的篡改类型 {unknown}（可选：{', '.join(CLASSES)}）",
        )
    package = Path(package)
    if not package.is_file():
        raise TamperError(f"no such package file: {package}", f"证据包文件不存在：{package}")
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise TamperError(
            f"{out_dir} exists and is not an empty folder", f"{out_dir} 已存在且不是空目录"
        )
    explicit = tuple(classes) != CLASSES
    with PackageReader(package, password) as reader:
        src = _Source(reader)
        opener = src.records[0].entry.get("actor", {})
        agency = next(
            (str(r.data.get("agency", "")) for r in src.records if r.kind == "officer.add"),
            "",
        )
        stranger = _Stranger(seed, opener if isinstance(opener, dict) else {}, agency)
        probe = random.Random(f"quzheng-tamper-probe:{seed}")
        available = [c for c in dict.fromkeys(classes) if _PLANNERS[c](src, probe, stranger)]
        skipped = tuple(c for c in dict.fromkeys(classes) if c not in available)
        if skipped and explicit:
            raise TamperError(
                f"this package does not allow the tamper class(es) {list(skipped)}",
                f"此证据包无法制作以下类型的篡改题：{list(skipped)}",
            )
        if not available:
            raise TamperError("no tamper class fits this package", "此证据包无法制作任何篡改题")
        rng = random.Random(f"quzheng-tamper:{seed}")
        dealt: list[str] = []
        while len(dealt) < count:
            block = list(available)
            rng.shuffle(block)
            dealt += block
        dealt = dealt[:count]
        target = out_dir / CHALLENGES_DIR
        target.mkdir(parents=True, exist_ok=True)
        digits = max(2, len(str(count)))
        challenges = []
        for i, cls in enumerate(dealt, start=1):
            plan = _PLANNERS[cls](src, random.Random(f"quzheng-tamper:{seed}:{i}:{cls}"), stranger)
            assert plan is not None  # available above, and planners depend on the package only
            changed, _, order = _cover_up(src, plan, stranger)
            name = f"challenge-{i:0{digits}d}.qzp"
            _write_zip(src, target / name, order, changed)
            challenges.append(
                Challenge(
                    name, cls, plan.location, plan.accept, plan.explanation, plan.expected,
                    digest_file(target / name).sha256,
                )
            )  # fmt: skip
    key = AnswerKey(seed, package.name, digest_file(package).sha256, tuple(challenges), skipped)
    key_path = out_dir / KEY_FILE
    key_path.write_text(json.dumps(key.to_json(), ensure_ascii=False, indent=2) + "\n", "utf-8")
    (target / TEMPLATE_FILE).write_text(
        json.dumps(answers_template(key), ensure_ascii=False, indent=2) + "\n", "utf-8"
    )
    return AnswerKey(
        key.seed, key.source, key.source_sha256, key.challenges, key.skipped_classes, key_path
    )


def answers_template(key: AnswerKey) -> dict[str, Any]:
    """The sheet a trainee fills in (documented in resources/exercises/README.md)."""
    return {
        "format": ANSWERS_FORMAT,
        "kind": "quzheng-tamper-answers",
        "trainee": "",
        "classes": {c: CLASS_LABELS[c].as_json() for c in CLASSES},
        "answers": [{"file": c.file, "class": "", "location": ""} for c in key.challenges],
    }
