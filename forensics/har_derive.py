"""HAR 1.2 views of the sealed traffic, sealed as ``derive`` entries naming their WARC.

For every sealed traffic WARC segment of a case (items of ``capture.traffic`` and
``capture.recovered`` entries with media type ``application/warc``) that no HAR has been
derived from yet, ``seal_traffic_hars`` streams the sealed blob through
``forensics.capture.har.write_har`` into a private temporary file and seals it as one
``derive`` entry (``application/json``, folder ``har``: package path
``har/<seq>-<segment>.har``). The WARC stays the evidence; the HAR is a convenience view a
reviewer can open in any browser's tools, and derive again to compare (the conversion is a
function of the WARC bytes, ``max_body_bytes`` and the program version).

The entry's data has the transcript's shape (``derivation``, ``reason``, ``parent`` with
``seq``, ``path``, ``sha256``, ``sm3``, ``format``) and the keys the report reads
(``kind``, ``parent_sha256``), plus what a reviewer needs to derive it again (``tool``,
``max_body_bytes``) and what it holds (``entries``, ``websocket_messages`` …).
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable
from typing import Any, Final

import forensics
from forensics.capture.har import DEFAULT_MAX_BODY, HarSummary, write_har
from forensics.case import Case
from forensics.entries import Item
from forensics.entry_data import Derived, HarData, Parent
from forensics.errors import InputError, IntegrityError, os_reason
from forensics.identity import Signer
from forensics.ledger import Record

HAR_DERIVATION: Final = "har-1.2 from warc"
HAR_KIND: Final = "har"
HAR_FOLDER: Final = "har"
HAR_MEDIA_TYPE: Final = "application/json"
WARC_MEDIA_TYPE: Final = "application/warc"
TRAFFIC_KINDS: Final = ("capture.traffic", "capture.recovered")
HAR_REASON: Final = (
    "HAR 1.2 view of the sealed WARC traffic segment, for review in common tools; "
    "the WARC remains the evidence"
)


def traffic_warcs(case: Case) -> list[tuple[Record, Item]]:
    """Every sealed traffic WARC segment, in ledger order, with the entry that seals it."""
    out = []
    for rec in case.ledger.records():
        if rec.kind not in TRAFFIC_KINDS:
            continue
        for item in rec.items:
            if item.media_type.split(";")[0].strip().lower() == WARC_MEDIA_TYPE:
                out.append((rec, item))
    return out


def derived_har_parents(case: Case) -> set[str]:
    """The SHA-256 of every WARC a HAR has been derived from (in a ``derive`` entry)."""
    done = set()
    for rec in case.ledger.records():
        if rec.kind != "derive":
            continue
        derived = Derived.from_json(rec.data)
        if derived.derivation == HAR_DERIVATION and derived.parent.sha256:
            done.add(derived.parent.sha256)
    return done


def har_name(item: Item) -> str:
    """``<seq>-traffic-….warc.gz`` → ``traffic-….har`` (the ledger adds its own seq)."""
    name = item.name
    head, sep, rest = name.partition("-")
    if sep and head.isdigit():
        name = rest
    for suffix in (".warc.gz", ".warc"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
            break
    return (name or "traffic") + ".har"


def har_data(
    parent: Record, item: Item, summary: HarSummary, max_body_bytes: int
) -> dict[str, Any]:
    """The ``derive`` entry's data for the HAR of ``item`` (sealed by ``parent``)."""
    return HarData(
        derivation=HAR_DERIVATION,
        kind=HAR_KIND,
        reason=HAR_REASON,
        parent=Parent(parent.seq, item.path, item.sha256, item.sm3),
        format="HAR 1.2 (application/json)",
        tool={
            "name": "Quzheng",
            "version": forensics.__version__,
            "converter": "forensics.capture.har",
        },
        max_body_bytes=max_body_bytes,
        entries=summary.entries,
        sensitive_entries=summary.sensitive_entries,
        websocket_messages=summary.websocket_messages,
        websocket_not_embedded=summary.websocket_not_embedded,
        websocket_not_listed=summary.websocket_not_listed,
    ).to_json()


def seal_traffic_hars(
    case: Case,
    signer: Signer,
    *,
    max_body_bytes: int = DEFAULT_MAX_BODY,
    on_error: Callable[[Item, InputError | IntegrityError], None] | None = None,
) -> list[Record]:
    """Seal a HAR 1.2 of every sealed traffic WARC segment that has none yet; return the
    ``derive`` entries sealed, in ledger order (none on a second call, none for a received
    case: it is read-only).

    A segment that cannot be converted (its blob unreadable: ``InputError``; a record
    failing its WARC digest: ``IntegrityError``) raises after the HARs before it are
    sealed; with ``on_error`` it is reported there and skipped instead (the next call tries
    it again). Raises ``NotAMember`` when ``signer`` is not an officer of the case and there
    is work to do; a failure to write the store (``CaptureError``) always raises.
    """
    if case.received:
        return []
    done = derived_har_parents(case)
    todo = []
    for rec, item in traffic_warcs(case):
        if item.sha256 not in done:
            done.add(item.sha256)  # the same bytes sealed twice need one HAR
            todo.append((rec, item))
    if not todo:
        return []
    case.require_member(signer)
    sealed = []
    for rec, item in todo:
        try:
            sealed.append(_seal_one(case, signer, rec, item, max_body_bytes))
        except (InputError, IntegrityError) as exc:
            if on_error is None:
                raise
            on_error(item, exc)
    return sealed


def _seal_one(case: Case, signer: Signer, parent: Record, item: Item, limit: int) -> Record:
    # The HAR holds what the WARC holds (cookies, bodies): it is written beside the case's
    # blobs (the store's private tmp folder, emptied at the next open), mode 0600, unnamed
    # where the OS allows (O_TMPFILE), and removed when sealed or on failure.
    tmp_dir = case.store.dir / "tmp"
    with tempfile.TemporaryFile(dir=tmp_dir if tmp_dir.is_dir() else None) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
        try:
            warc = case.store.open_blob(item.sha256)
        except OSError as exc:
            raise InputError(
                f"{item.path}: the sealed WARC cannot be read: {exc.strerror or exc}",
                f"{item.path}：无法读取已固定的 WARC 文件：{os_reason(exc)[1]}",
            ) from None
        with warc:
            summary = write_har([(item.name, warc)], text, max_body_bytes=limit)
        text.flush()
        text.detach()
        raw.seek(0)
        return case.seal_stream(
            signer,
            raw,
            name=har_name(item),
            media_type=HAR_MEDIA_TYPE,
            kind="derive",
            data=har_data(parent, item, summary, limit),
            folder=HAR_FOLDER,
        )
