"""Target resolution in training and outside it: a practice-range name resolving to this
machine is expected in training (a note, explained) and stays a warning outside it; a name
that does not resolve is explained in words, with the practice-range hint for reserved
test names, instead of the socket module's exception."""

from __future__ import annotations

import socket

from forensics.environment.net import resolution_check

RANGE = "range.test"


def loopback(host: str) -> list[str]:
    return ["127.0.0.1"]


def unknown(host: str) -> list[str]:
    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


def test_a_range_name_on_loopback_is_expected_in_training_only() -> None:
    training = resolution_check(["https://shop.range.test/"], loopback, RANGE)
    (note,) = training.reasons
    assert note.code == "target-practice-range" and not note.warning
    assert "训练中属正常" in note.zh and "expected in training" in note.en

    casework = resolution_check(["https://shop.range.test/"], loopback)
    (warning,) = casework.reasons
    assert warning.code == "target-private-ip" and warning.warning
    # Another name on loopback is warned about even in training.
    other = resolution_check(["https://shop.example.com/"], loopback, RANGE)
    assert [r.code for r in other.reasons] == ["target-private-ip"]


def test_an_unresolved_name_is_explained_in_words() -> None:
    check = resolution_check(["https://shop.range.test/"], unknown)
    (reason,) = check.reasons
    assert reason.code == "target-unresolved" and reason.warning
    assert "gaierror" not in reason.zh and "Errno" not in reason.zh
    assert "DNS 中不存在该名称" in reason.zh and "在练习靶场训练" in reason.zh
    assert "practice range" in reason.en
    # The sealed record keeps the exception as raised.
    assert "gaierror" in check.data["resolutions"]["shop.range.test"]["error"]
    public = resolution_check(["https://shop.example.net/"], unknown)
    assert "练习靶场" not in public.reasons[0].zh
