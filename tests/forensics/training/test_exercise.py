"""Exercise files: the bundled ones load; malformed ones fail with one clear error."""

from __future__ import annotations

import contextlib
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forensics.errors import InputError
from forensics.training import ExerciseError, load_exercise
from forensics.training.exercise import EXERCISES_DIR, parse_exercise
from forensics.training.urls import UrlPattern


def raw(name: str = "shop-counterfeit-listing") -> dict[str, Any]:
    return tomllib.loads((EXERCISES_DIR / f"{name}.toml").read_text(encoding="utf-8"))


def test_load_by_id_and_by_path() -> None:
    a = load_exercise("live-room-claims")
    b = load_exercise(EXERCISES_DIR / "live-room-claims.toml")
    assert a == b and a.id == "live-room-claims" and a.range_seed == 2026


def test_json_files_work_too(tmp_path: Path) -> None:
    p = tmp_path / "copy.json"
    p.write_text(json.dumps(raw()), encoding="utf-8")
    assert load_exercise(p).id == "shop-counterfeit-listing"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r.update(format=2), "format 2 is not supported"),
        (lambda r: r.update(colour="red"), "unknown keys ['colour']"),
        (lambda r: r["criteria"][0].update(type="vibes"), "unknown type 'vibes'"),
        (lambda r: r["criteria"][3].update(kinds=["capture.photo"]), "unknown ledger entry kinds"),
        (lambda r: r["criteria"][3]["url"].update(path="/item/${nope}"), "unknown placeholder"),
        (lambda r: r["criteria"][3]["url"].update(path="/item/(["), "bad regular expression"),
        (lambda r: r["criteria"][0].update(weight="ten"), "must be an integer"),
        (lambda r: r.update(title={"zh": "只有中文"}), "exactly 'zh' and 'en'"),
        (lambda r: r["criteria"][1].update(id="env-check"), "duplicate ids"),
        (lambda r: r["criteria"].append({"id": "x", "type": "stream_claims", "weight": 1, "label": {"zh": "x", "en": "x"}, "claims": ["miracle"]}), "unknown claims"),
        (lambda r: r.update(pass_mark=101), "above the maximum"),
    ],
)  # fmt: skip
def test_malformed_exercises_name_the_problem(change: Any, message: str) -> None:
    r = raw()
    change(r)
    with pytest.raises(ExerciseError) as info:
        parse_exercise(r, "test.toml")
    assert message in info.value.message_en and "test.toml" in info.value.message_en
    assert info.value.message_zh


def test_unreadable_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("format = = 1", encoding="utf-8")
    with pytest.raises(ExerciseError, match="not a valid exercise file"):
        load_exercise(bad)
    with pytest.raises(ExerciseError, match="unknown exercise"):
        load_exercise("no-such-exercise")


def test_url_patterns_ignore_the_port() -> None:
    p = UrlPattern("shop.range.test", "/item/[0-9]+")
    assert p.matches("https://shop.range.test:51234/item/42")
    assert p.matches("https://SHOP.range.test/item/42?from=list")
    assert not p.matches("https://shop.range.test/item/42/reviews")
    assert not p.matches("https://evil.test/item/42")
    assert UrlPattern("*.range.test").matches("https://img.range.test/x.jpg")


_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_hostile_exercise_data_raises_only_our_error(data: st.DataObject) -> None:
    r = raw()
    # Replace one value somewhere in the tree with random data.
    target = data.draw(st.sampled_from(["format", "id", "title", "integrity", "criteria", "tasks"]))
    if target == "criteria" and data.draw(st.booleans()):
        i = data.draw(st.integers(0, len(r["criteria"]) - 1))
        k = data.draw(st.sampled_from(sorted(r["criteria"][i])))
        r["criteria"][i][k] = data.draw(_values)
    else:
        r[target] = data.draw(_values)
    with contextlib.suppress(InputError):
        parse_exercise(r)
