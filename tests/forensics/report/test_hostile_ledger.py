"""A ledger from a package is hostile: any data in any entry makes a report or a clear refusal.

Entries are chained with correct hashes (a broken chain is refused before anything is read,
see test_report.py), so what is fuzzed is the data the report interprets.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any, BinaryIO

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from forensics.errors import QuzhengError
from forensics.ledger import KINDS, Record, entry_hash
from forensics.report import ReportSource, build_report

CASE = "00000000-0000-4000-8000-000000000001"
SESSION = "00000000-0000-4000-8000-0000000000aa"
T = "2026-11-28T11:00:00.000000Z"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63) | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=25,
)
known_keys = st.sampled_from(
    [
        "url", "title", "server_ips", "hosts", "urls", "proxy", "tool", "clock", "phase",
        "at_us", "note", "recording", "segment_at_us", "start_us", "text", "exif",
        "exif_time_far_from_import", "parent", "parent_sha256", "derivation", "reason", "kind",
        "stamped_seq", "gen_time", "serial", "tsa_name", "accuracy_us", "policy", "queued",
        "signers", "to_name", "package_sha256", "segment", "verdict", "head_seq", "via",
        "build_sha256", "file_name", "pages", "sha256", "path",
    ]
)  # fmt: skip
data_values = st.dictionaries(known_keys | st.text(max_size=8), json_values, max_size=8)
items = st.lists(
    st.fixed_dictionaries(
        {
            "path": st.sampled_from(["evidence/a.png", "evidence/b.mp4", "custody/x.tsr"])
            | st.text(max_size=20),
            "size": st.integers(-5, 10**12) | json_values,
            "sha256": st.sampled_from(["a" * 64, "b" * 64]) | json_values,
            "sm3": st.text(max_size=64),
            "media_type": st.sampled_from(["image/png", "image/jpeg", "video/mp4", "text/plain"])
            | json_values,
        }
    )
    | json_values,
    max_size=3,
)
entries = st.lists(
    st.tuples(st.sampled_from(sorted(KINDS - {"case.open"})), data_values, items),
    max_size=8,
)


opened_extra = st.fixed_dictionaries(
    {},
    optional={
        "target": json_values,
        "party": json_values,
        "party_not_signed_reason": json_values,
        "agency": json_values,
        "document_number": json_values,
        "training": json_values,
    },
)
officer_extra = st.dictionaries(
    st.sampled_from(["role", "agency", "self_signed", "name"]), json_values
)


def chain(
    raw: list[tuple[str, dict[str, Any], Any]],
    extra: dict[str, Any] | None = None,
    officer: dict[str, Any] | None = None,
) -> list[Record]:
    officers = [
        ("officer.add", {"key": "1" * 64, "name": "张明", "badge": "31000001", "role": "lead"}, []),
        (
            "officer.add",
            {"key": "2" * 64, "name": "李华", "badge": "31000002", **(officer or {})},
            [],
        ),
    ]
    opened = {
        "title": "t",
        "number": "n",
        "cause": "c",
        "purpose": "p",
        "location": "l",
        "target": {"platform": "x"},
        **(extra or {}),
    }
    body = [("case.open", opened, []), *officers, *raw]
    out: list[Record] = []
    prev: str | None = None
    for seq, (kind, data, its) in enumerate(body):
        entry = {
            "v": 1,
            "case": CASE,
            "seq": seq,
            "prev": prev,
            "time": T,
            "actor": {"name": "张明", "badge": "31000001", "key": "1" * 64},
            "session": SESSION if kind.startswith(("session.", "capture.")) else None,
            "kind": kind,
            "data": data,
            "items": its,
        }
        digest = entry_hash(entry)
        out.append(Record(entry, digest, {"alg": "none", "value": ""}, []))
        prev = digest
    return out


@settings(
    max_examples=int(os.environ.get("QZ_FUZZ_EXAMPLES", "15")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(raw=entries, blob=st.binary(max_size=300), extra=opened_extra, officer=officer_extra)
def test_any_entry_data_gives_a_report_or_a_clear_refusal(
    tmp_path: Path,
    raw: list[tuple[str, dict[str, Any], Any]],
    blob: bytes,
    extra: dict[str, Any],
    officer: dict[str, Any],
) -> None:
    def opener(item: dict[str, Any]) -> BinaryIO | None:
        return io.BytesIO(blob) if blob else None

    out = tmp_path / "r.pdf"
    try:
        summary = build_report(ReportSource(chain(raw, extra, officer), opener), out)
    except QuzhengError as exc:
        event("refused")
        assert exc.message_en and exc.message_zh
    else:
        event("reported")
        assert summary.pages >= 1 and out.read_bytes().startswith(b"%PDF-")
