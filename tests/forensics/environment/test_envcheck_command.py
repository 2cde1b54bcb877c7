"""``app.envcheck.env_check_command`` — what ``quzheng env check`` runs. (Here beside the
core's tests because it only wires them; it may move to tests/app/.)"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app.envcheck import env_check_command
from app.installation import Installation
from forensics.case import Case
from forensics.errors import InputError, NotFoundError, PolicyError
from tests.conftest import World
from tests.forensics.environment.conftest import fake_resolver


def test_before_and_after_from_the_command(
    case: Case,
    world: World,
    sntp: Callable[[float], str],
    echo_server: Callable[..., str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    echo, ntp = echo_server(), sntp(0.0)

    def run(ref: str, phase: str, lang: str) -> int:
        return env_check_command(
            Installation(world.home), ref, ["https://shop.range.test/"], world.lead, [ntp], [echo], phase, lang,
            resolver=fake_resolver({"shop.range.test": ["203.0.113.80"]}), timeout=1.0,
        )  # fmt: skip

    assert run(case.case_id, "before", "zh") == 0
    out, err = capsys.readouterr()
    assert "正在进行清洁性检查" in out and "[✓] 公网出口 IP：203.0.113.7" in out
    assert "已封存为账本第 3 条" in out
    assert "等待时间戳" in err  # no TSA configured: queued, and said so
    assert run(case.case_id[:8], "after", "en") == 0
    out, _ = capsys.readouterr()
    assert "Compared with the check before capture (entry #3): 0 change(s)." in out
    kinds = [r.kind for r in case.ledger.records()]
    assert kinds.count("env.check") == 2


def test_target_defaults_to_the_case_target(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    with Case.create(
        world.home, world.lead, title="t", target={"url": "https://shop.range.test/x"}
    ) as c:
        env_check_command(
            Installation(world.home), c.case_id, [], world.lead, [], [], "before", "en",
            resolver=fake_resolver({}),
        )  # fmt: skip
        snap = c.ledger.records()[-1].entry["data"]["snapshot"]
    assert snap["targets"] == ["https://shop.range.test/x"]
    assert "shop.range.test" in capsys.readouterr().out


def test_errors_raise_for_the_cli(case: Case, world: World) -> None:
    with pytest.raises(InputError):
        env_check_command(
            Installation(world.home), case.case_id, [], world.lead, [], [], "later", "en"
        )
    with pytest.raises(NotFoundError):
        env_check_command(
            Installation(world.home), "no-such-case", [], world.lead, [], [], "before", "en"
        )
    with pytest.raises(PolicyError):
        env_check_command(
            Installation(world.home), case.case_id, [], world.stranger, [], [], "before", "en"
        )
