"""Shared fixtures: a temporary data home with two officers and an agency CA."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

# Qt must never try to reach a display in tests.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.desk import access as desk_access
from forensics import childenv, keywrap
from forensics.case import Case
from forensics.identity import IdentityStore, Profile, Signer
from forensics.timestamp import TsaServer

if TYPE_CHECKING:
    from tests.forensics.report.builders import FullCase

# The suite makes hundreds of officer keys: in this process they are wrapped under a cheap
# scrypt cost. The production cost (keywrap.PRODUCTION_COST) is checked by
# tests/forensics/test_keywrap.py, and child processes (CLI, demo) keep it.
keywrap.KEY_COST = keywrap.ScryptCost(n=2**10, r=8, p=1)

PASSPHRASE = "correct horse battery"
AGENCY = "示例市市场监督管理局"


@pytest.fixture(autouse=True)
def _process_state() -> Iterator[None]:
    """``ui.entry.main`` sets the umask 077 for its process, a capture moves secrets out of
    ``os.environ`` (``forensics.childenv``): a test that does either in this process must
    not change what the tests after it see; nor does the officer a main window unlocked
    (``app.desk.access``)."""
    old = os.umask(0o077)
    os.umask(old)
    yield
    os.umask(old)
    childenv.forget_scrubbed()  # a capture's scrubbed passphrase never reaches the next test
    desk_access.set_officer(None)  # an officer unlocked by a window's test stays in that test


@dataclass
class World:
    home: Path
    ids: IdentityStore
    lead: Signer
    second: Signer
    stranger: Signer  # a valid officer who is not on the case


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    home = tmp_path / "home"
    monkeypatch.setenv("QUZHENG_HOME", str(home))
    monkeypatch.setenv("QUZHENG_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("QUZHENG_LANG", "en")
    ids = IdentityStore(home)
    ids.init_ca("示例市市场监督管理局 CA", PASSPHRASE, agency=AGENCY)
    for name, badge in (("张明", "31000001"), ("李华", "31000002"), ("王五", "31000099")):
        ids.init_officer(Profile(name, badge, AGENCY), PASSPHRASE)
        ids.issue(badge, PASSPHRASE)
    return World(
        home,
        ids,
        ids.unlock("31000001", PASSPHRASE),
        ids.unlock("31000002", PASSPHRASE),
        ids.unlock("31000099", PASSPHRASE),
    )


@pytest.fixture
def tsa(tmp_path: Path) -> Iterator[TsaServer]:
    """The built-in TSA, listening on 127.0.0.1 with its own identity."""
    with TsaServer(tmp_path / "tsa") as server:
        yield server


@pytest.fixture
def case(world: World) -> Iterator[Case]:
    c = Case.create(
        world.home,
        world.lead,
        title="测试案件",
        number="测试〔2026〕1号",
        cause="涉嫌销售假冒商品",
        officers=[world.second.officer],
    )
    yield c
    c.close()


@pytest.fixture
def full(world: World, tmp_path: Path) -> Iterator[FullCase]:
    """A case with one of everything the report shows (``build_full_case``), closed after the
    test; shared by the report's, the stream section's and the timeline's tests."""
    from tests.forensics.report.builders import build_full_case

    work = tmp_path / "work"
    work.mkdir()
    fc = build_full_case(world.home, world.ids, world.lead, world.second, world.stranger, work)
    yield fc
    fc.case.close()
