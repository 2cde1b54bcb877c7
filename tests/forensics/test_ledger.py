from __future__ import annotations

import contextlib
import itertools
import json
import multiprocessing
import threading
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forensics.canonical import canonical_bytes
from forensics.case import Case
from forensics.errors import InputError
from forensics.identity import IdentityStore
from forensics.ledger import LedgerMoved, entry_hash, parse_record
from tests.conftest import PASSPHRASE, World


def test_chain_links_and_canonical_lines(case: Case, world: World) -> None:
    case.note(world.lead, "第一条")
    records = case.ledger.records()
    assert [r.seq for r in records] == list(range(len(records)))
    assert records[0].kind == "case.open" and records[0].entry["prev"] is None
    for before, after in itertools.pairwise(records):
        assert after.entry["prev"] == entry_hash(before.entry) == before.hash
    line = records[-1].line()
    assert json.loads(line)["entry"]["data"] == {"text": "第一条"}
    assert line == json.dumps(
        json.loads(line), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )


def test_unknown_kind_refused(case: Case, world: World) -> None:
    with pytest.raises(InputError):
        case.ledger.append(world.lead, "capture.everything", {})


def test_threads_seal_in_strict_order(case: Case, world: World) -> None:
    def work(n: int) -> None:
        for i in range(25):
            case.note(world.lead if n % 2 else world.second, f"t{n}-{i}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    records = case.ledger.records()
    assert [r.seq for r in records] == list(range(len(records)))
    assert len([r for r in records if r.kind == "note"]) == 100
    for before, after in itertools.pairwise(records):
        assert after.entry["prev"] == before.hash


def _process_writer(home: str, case_id: str, badge: str, n: int) -> None:
    ids = IdentityStore(Path(home))
    signer = ids.unlock(badge, PASSPHRASE)
    with Case.open(Path(home), case_id) as case:
        for i in range(n):
            case.note(signer, f"{badge}-{i}")


def test_processes_seal_in_strict_order(case: Case, world: World) -> None:
    ctx = multiprocessing.get_context("spawn")
    procs = [
        ctx.Process(target=_process_writer, args=(str(world.home), case.case_id, b, 20))
        for b in ("31000001", "31000002")
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    records = case.ledger.records()
    assert [r.seq for r in records] == list(range(len(records)))
    assert len([r for r in records if r.kind == "note"]) == 40
    for before, after in itertools.pairwise(records):
        assert after.entry["prev"] == before.hash


@given(st.text(max_size=200))
def test_parse_record_only_raises_input_error(text: str) -> None:
    with contextlib.suppress(InputError):
        parse_record(text)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3),
        max_leaves=10,
    )
)
def test_parse_record_on_arbitrary_json(value: object) -> None:
    with contextlib.suppress(InputError):
        parse_record(json.dumps(value))


def test_a_written_line_is_the_canonical_form_of_its_record(case: Case, world: World) -> None:
    """The writer puts a line together from the entry bytes it signed; it is byte for byte
    the canonical JSON of the whole record, as any reader re-serialises it."""
    data = {"text": '中文 \u2028 "quoted" \\ \x01', "n": [1, {"b": None, "a": True}]}
    rec = case.ledger.append(world.lead, "note", data, cosigners=[world.second])
    assert rec.message is not None and rec.cosig
    whole = {"entry": rec.entry, "hash": rec.hash, "sig": rec.sig, "cosig": rec.cosig}
    assert rec.line() == canonical_bytes(whole).decode("utf-8")
    again = parse_record(rec.line())
    assert again.message is None and again.line() == rec.line() and again == rec
    assert case.store.record_line(rec.seq) == rec.line()


def test_commit_appends_prepared_entries_only_as_prepared(case: Case, world: World) -> None:
    """Prepared entries are appended unchanged while the ledger ends where they were
    prepared; never after another entry, never altered, never out of their chain."""
    head = case.ledger.records()[-1]
    first = case.ledger.prepare(head, world.lead, "note", {"text": "一"})
    second = case.ledger.prepare(first, world.lead, "note", {"text": "二"})
    assert case.store.head() == (head.seq, head.hash)  # prepared: not appended
    forged = parse_record(first.line().replace("一", "三"))
    with pytest.raises(InputError):
        case.ledger.commit([forged, second])
    with pytest.raises(InputError):
        case.ledger.commit([second, first])
    case.ledger.commit([first, second])
    assert [r.line() for r in case.ledger.records()[-2:]] == [first.line(), second.line()]
    late = case.ledger.prepare(head, world.lead, "note", {"text": "迟"})
    with pytest.raises(LedgerMoved):
        case.ledger.commit([late])
    assert case.store.head() == (second.seq, second.hash)
