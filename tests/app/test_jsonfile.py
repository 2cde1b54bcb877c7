"""Small JSON files in the data home (app/jsonfile.py): the settings and the training
bindings read and write through it."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from app import settings
from app.desk import training
from app.installation import Installation
from app.jsonfile import read_json, write_json
from forensics.errors import InputError


def test_absent_is_none_and_a_write_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "home" / "x.json"
    assert read_json(path, "x file", "x 文件") is None
    write_json(path, {"案号": "示例〔2026〕1号", "n": 3})
    assert read_json(path, "x file", "x 文件") == {"案号": "示例〔2026〕1号", "n": 3}
    assert [p.name for p in path.parent.iterdir()] == ["x.json"]  # no temporary file left


@pytest.mark.parametrize(
    ("name", "read"),
    [
        ("config.json", lambda home: settings.get(home, "ui.language")),
        ("training.json", lambda home: training.binding(Installation(home), "some-case")),
    ],
)
def test_a_damaged_file_is_named_in_both_languages(tmp_path: Path, name: str, read: object) -> None:
    (tmp_path / name).write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read(tmp_path)  # type: ignore[operator]
    assert str(tmp_path / name) in caught.value.message_en
    assert "damaged" in caught.value.message_en and "已损坏" in caught.value.message_zh


def test_settings_and_bindings_survive_their_round_trip(tmp_path: Path) -> None:
    assert settings.set_value(tmp_path, "ui.language", "en") == "en"
    assert settings.get(tmp_path, "ui.language") == "en"
    exercise = training.exercises()[0].id
    inst = Installation(tmp_path)
    training.bind(inst, "case-1", exercise)
    bound = training.binding(inst, "case-1")
    assert bound is not None and bound.exercise_id == exercise
    training.unbind(inst, "case-1")
    assert training.binding(inst, "case-1") is None


def test_a_setting_written_through_the_installation_reads_back_through_it(
    tmp_path: Path,
) -> None:
    inst = Installation(tmp_path)
    assert inst.set_setting("video.segment_seconds", "30") == 30
    assert inst.setting("video.segment_seconds") == 30
    assert inst.set_setting("ntp.servers", " ntp1.example , ntp2.example ")
    assert inst.env_servers().ntp == ("ntp1.example", "ntp2.example")
    assert inst.set_setting("data.dir", str(tmp_path / "cases")) == str(tmp_path / "cases")
    assert inst.cases == tmp_path / "cases"
    with socket.socket() as s:  # a loopback port free right now
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inst.set_setting("proxy.port_range", str(port))
    assert inst.proxy_port() == port
    with pytest.raises(InputError):
        inst.set_setting("video.segment_seconds", "soon")
    assert inst.setting("video.segment_seconds") == 30  # a refused value changes nothing
