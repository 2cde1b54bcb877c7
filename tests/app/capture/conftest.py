"""Fixtures for the capture engine tests.

Qt WebEngine reads its proxy flags once per process, when the ``QApplication`` starts, so
every test that drives the real browser runs a scenario in a child process
(``scenarios.py``): the real recording proxy (its own child), the practice range over TLS
and the browser live there; the case, the built-in TSA and every assertion stay here.
Tests of the parts without a browser (tasks, sealer, recorder) run in this process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from app.capture.tasks import SyncRunner, set_runner
from forensics.case import Case
from forensics.ledger_checks import VerificationReport, verify_case_dir
from forensics.timestamp import TsaServer
from forensics.trust import TrustPolicy
from tests.conftest import PASSPHRASE, World

ROOT = Path(__file__).resolve().parents[3]
SCENARIO_TIMEOUT_S = 240


@pytest.fixture
def sync_tasks() -> Iterator[None]:
    old = set_runner(SyncRunner())
    yield
    set_runner(old)


@pytest.fixture(scope="session")
def shared_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The proxy CA (per installation) and the range's data (its CA, cached segments),
    made once for the whole run."""
    return {
        "ca_dir": tmp_path_factory.mktemp("proxy-ca"),
        "range_dir": tmp_path_factory.mktemp("range-data"),
    }


def verify(case: Case, world: World, tsa: TsaServer | None = None) -> VerificationReport:
    lines = [line for _, _, line in case.store.ledger_rows()]
    roots = [tsa.trust_anchor_path.read_bytes()] if tsa else []
    return verify_case_dir(case.store.dir, lines, TrustPolicy.of(world.ids.trusted_cas(), roots))


Scenario = Callable[..., dict[str, Any]]


@pytest.fixture
def scenario(
    world: World, tsa: TsaServer, tmp_path: Path, shared_dirs: dict[str, Path]
) -> Scenario:
    """``scenario(name, case_id=…, **settings)`` runs ``scenarios.<name>`` in a child
    process and returns the JSON it wrote (its exit status must be 0)."""

    def run(name: str, **config: Any) -> dict[str, Any]:
        result_path = tmp_path / f"{name}-result.json"
        config.update(
            home=str(world.home),
            passphrase=PASSPHRASE,
            badges=["31000001", "31000002"],
            tsa_url=tsa.url,
            tsa_root=str(tsa.trust_anchor_path),
            ca_dir=str(shared_dirs["ca_dir"]),
            range_dir=str(shared_dirs["range_dir"]),
            result=str(result_path),
        )
        config_path = tmp_path / f"{name}-config.json"
        config_path.write_text(json.dumps(config), encoding="utf-8")
        env = dict(os.environ)
        env.update(QT_QPA_PLATFORM="offscreen", QUZHENG_HOME=str(world.home), PYTHONPATH=str(ROOT))
        proc = subprocess.run(
            [sys.executable, "-m", "tests.app.capture.scenarios", name, str(config_path)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=SCENARIO_TIMEOUT_S,
        )
        detail = f"stdout:\n{proc.stdout[-6000:]}\nstderr:\n{proc.stderr[-6000:]}"
        assert proc.returncode == 0, detail
        result: dict[str, Any] = json.loads(result_path.read_text(encoding="utf-8"))
        result["_stdout"] = proc.stdout
        result["_stderr"] = proc.stderr
        return result

    return run
