"""Exercise files (``resources/exercises/*.toml``, format 1): scenario, briefing, tasks, rubric.

An exercise is read once, checked strictly (unknown keys, wrong types and impossible
values are errors that name the file and the key), and becomes a frozen ``Exercise``. The
format is documented in ``resources/exercises/README.md``; TOML and JSON files with the same
structure are accepted. Every criterion refers only to what a sealed package shows.
"""

from __future__ import annotations

import json
import re
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import forensics
from forensics.errors import InputError, os_reason
from forensics.ledger import KINDS
from forensics.training.urls import UrlPattern

EXERCISE_FORMAT: Final = 1
EXERCISES_DIR: Final = Path(forensics.__file__).resolve().parent.parent / "resources" / "exercises"
DEFAULT_RANGE_SEED: Final = 2026

CRITERION_TYPES: Final = (
    "capture",
    "visited",
    "traffic",
    "content",
    "items",
    "recording",
    "stream_claims",
    "env_check",
    "officers",
    "case_fields",
    "time_limit",
)
CLAIM_SOURCES: Final = ("recording", "stream")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_MAX_FILE_BYTES = 1 << 20


class ExerciseError(InputError):
    """An exercise that does not exist or whose file is malformed."""


@dataclass(frozen=True)
class Text:
    """A text in both languages."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.zh if lang.startswith("zh") else self.en

    def as_json(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}


@dataclass(frozen=True)
class Criterion:
    """One line of the rubric. Which fields matter depends on ``type`` (see the README)."""

    id: str
    type: str
    weight: int
    label: Text
    hint: Text | None = None
    kinds: tuple[str, ...] = ()
    url: UrlPattern | None = None
    min_count: int = 1
    hosts: tuple[str, ...] = ()
    contains: tuple[str, ...] = ()
    media_type: str | None = None
    min_seconds: int = 0
    claims: tuple[str, ...] = ()
    sources: tuple[str, ...] = CLAIM_SOURCES
    sample_seconds: int = 1
    min_officers: int = 2
    fields: tuple[str, ...] = ()
    minutes: int = 0


@dataclass(frozen=True)
class Integrity:
    """Points for a package that verifies, and what a failure does to the total."""

    weight: int
    on_fail: str = "zero"  # "zero": the total is 0; "cap": the total is at most ``cap``
    cap: int = 0


@dataclass(frozen=True)
class Exercise:
    id: str
    version: int
    title: Text
    scenario: Text
    briefing: Text
    tasks: tuple[Text, ...]
    integrity: Integrity
    criteria: tuple[Criterion, ...]
    range_seed: int = DEFAULT_RANGE_SEED
    pass_mark: int = 60
    source: str = ""

    @property
    def max_points(self) -> int:
        return self.integrity.weight + sum(c.weight for c in self.criteria)


# -- loading ------------------------------------------------------------------------------


def list_exercises(directory: Path | None = None) -> list[Exercise]:
    """Every exercise in ``directory`` (default: the app's ``resources/exercises``)."""
    base = directory or EXERCISES_DIR
    files = sorted([*base.glob("*.toml"), *base.glob("*.json")]) if base.is_dir() else []
    return [load_exercise(p) for p in files]


def load_exercise(ref: str | Path) -> Exercise:
    """An exercise by id (``shop-counterfeit-listing``) or by the path of its file."""
    path = Path(ref)
    if not path.is_file():
        name = str(ref)
        if _ID.match(name):
            for ext in (".toml", ".json"):
                candidate = EXERCISES_DIR / f"{name}{ext}"
                if candidate.is_file():
                    path = candidate
                    break
    if not path.is_file():
        known = ", ".join(e.id for e in _safe_list())
        raise ExerciseError(
            f"unknown exercise {str(ref)!r} (known: {known or 'none'})",
            f"未知的练习 {str(ref)!r}（现有：{known or '无'}）",
        )
    try:
        raw_bytes = path.read_bytes()[: _MAX_FILE_BYTES + 1]
    except OSError as exc:
        raise ExerciseError(
            f"cannot read exercise file {path}: {exc.strerror}",
            f"无法读取练习文件 {path}：{os_reason(exc)[1]}",
        ) from None
    if len(raw_bytes) > _MAX_FILE_BYTES:
        raise ExerciseError(f"{path}: exercise file too large", f"{path}：练习文件过大")
    try:
        text = raw_bytes.decode("utf-8")
        raw = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (UnicodeDecodeError, ValueError) as exc:  # TOMLDecodeError is a ValueError
        raise ExerciseError(
            f"{path}: not a valid exercise file ({exc})",
            f"{path}：练习文件格式错误（{exc}）",
        ) from None
    return parse_exercise(raw, str(path))


def _safe_list() -> list[Exercise]:
    try:
        return list_exercises()
    except ExerciseError:
        return []


def parse_exercise(raw: object, source: str = "<exercise>") -> Exercise:
    """Check and convert the parsed file. Raises ``ExerciseError`` naming the bad key."""
    p = _Parser(source)
    top = p.table(raw, "")
    fmt = p.integer(top, "format", "")
    if fmt != EXERCISE_FORMAT:
        raise p.error(
            "",
            f"format {fmt} is not supported (this version reads format {EXERCISE_FORMAT})",
            f"不支持格式 {fmt}（本版本读取格式 {EXERCISE_FORMAT}）",
        )
    ex_id = p.string(top, "id", "")
    if not _ID.match(ex_id):
        raise p.error(
            "id", "must be lowercase letters, digits and '-'", "只能包含小写字母、数字和“-”"
        )
    integrity_raw = p.table(top.get("integrity"), "integrity")
    on_fail = p.string(integrity_raw, "on_fail", "integrity", default="zero")
    if on_fail not in ("zero", "cap"):
        raise p.error("integrity.on_fail", "must be 'zero' or 'cap'", "只能是 zero 或 cap")
    integrity = Integrity(
        weight=p.integer(integrity_raw, "weight", "integrity", minimum=0),
        on_fail=on_fail,
        cap=p.integer(integrity_raw, "cap", "integrity", default=0, minimum=0),
    )
    p.no_extra(integrity_raw, "integrity", {"weight", "on_fail", "cap"})
    criteria_raw = top.get("criteria")
    if not isinstance(criteria_raw, list) or not criteria_raw:
        raise p.error("criteria", "at least one criterion is needed", "至少需要一项评分标准")
    criteria = tuple(_criterion(p, c, i) for i, c in enumerate(criteria_raw))
    ids = [c.id for c in criteria]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise p.error("criteria", f"duplicate ids {dupes}", f"评分标准编号重复 {dupes}")
    tasks_raw = top.get("tasks", [])
    if not isinstance(tasks_raw, list):
        raise p.error("tasks", "must be a list", "必须是列表")
    ex = Exercise(
        id=ex_id,
        version=p.integer(top, "version", "", default=1, minimum=1),
        title=p.text(top, "title", ""),
        scenario=p.text(top, "scenario", ""),
        briefing=p.text(top, "briefing", ""),
        tasks=tuple(p.text_value(t, f"tasks[{i}]") for i, t in enumerate(tasks_raw)),
        integrity=integrity,
        criteria=criteria,
        range_seed=p.integer(top, "range_seed", "", default=DEFAULT_RANGE_SEED, minimum=0),
        pass_mark=p.integer(top, "pass_mark", "", default=60, minimum=0),
        source=source,
    )
    p.no_extra(
        top,
        "",
        {
            "format", "id", "version", "title", "scenario", "briefing", "tasks", "integrity",
            "criteria", "range_seed", "pass_mark",
        },
    )  # fmt: skip
    if ex.pass_mark > ex.max_points:
        raise p.error("pass_mark", "is above the maximum score", "高于满分")
    # Placeholders must name range facts, checked once here rather than at scoring time.
    from forensics.training.facts import range_facts

    facts = range_facts(ex.range_seed)
    for c in ex.criteria:
        for value in (*c.contains, *((c.url.path,) if c.url and c.url.path else ())):
            unknown = unknown_placeholders(value, facts)
            if unknown:
                raise p.error(
                    f"criteria.{c.id}",
                    f"unknown placeholder(s) {unknown} (known: {sorted(facts)})",
                    f"未知的占位符 {unknown}",
                )
    return ex


_COMMON = {"id", "type", "weight", "label", "hint"}
_ALLOWED: dict[str, set[str]] = {
    "capture": {"kinds", "url", "min_count"},
    "visited": {"url", "min_count"},
    "traffic": {"hosts"},
    "content": {"url", "contains"},
    "items": {"kinds", "media_type", "min_count"},
    "recording": {"min_seconds"},
    "stream_claims": {"claims", "sources", "sample_seconds"},
    "env_check": set(),
    "officers": {"min_officers"},
    "case_fields": {"fields"},
    "time_limit": {"minutes"},
}
_REQUIRED: dict[str, set[str]] = {
    "capture": {"kinds", "url"},
    "visited": {"url"},
    "traffic": {"hosts"},
    "content": {"url", "contains"},
    "items": {"kinds"},
    "recording": {"min_seconds"},
    "stream_claims": {"claims"},
    "case_fields": {"fields"},
    "time_limit": {"minutes"},
}
CLAIM_KINDS: Final = (
    "authenticity",
    "price",
    "discount_code",
    "compensation",
    "scarcity",
    "authorisation",
)


def _criterion(p: _Parser, raw: object, index: int) -> Criterion:
    where = f"criteria[{index}]"
    t = p.table(raw, where)
    cid = p.string(t, "id", where)
    if not _ID.match(cid):
        raise p.error(f"{where}.id", "must be lowercase letters, digits and '-'", "格式错误")
    where = f"criteria.{cid}"
    ctype = p.string(t, "type", where)
    if ctype not in CRITERION_TYPES:
        raise p.error(
            f"{where}.type",
            f"unknown type {ctype!r} (known: {', '.join(CRITERION_TYPES)})",
            f"未知的类型 {ctype!r}",
        )
    p.no_extra(t, where, _COMMON | _ALLOWED[ctype])
    missing = sorted(k for k in _REQUIRED.get(ctype, set()) if k not in t)
    if missing:
        raise p.error(where, f"missing {missing}", f"缺少 {missing}")
    kinds = p.strings(t, "kinds", where)
    bad = [k for k in kinds if k not in KINDS]
    if bad:
        raise p.error(
            f"{where}.kinds", f"unknown ledger entry kinds {bad}", f"未知的账本条目类型 {bad}"
        )
    url = None
    if "url" in t:
        u = p.table(t["url"], f"{where}.url")
        p.no_extra(u, f"{where}.url", {"host", "path"})
        path = p.string(u, "path", f"{where}.url", default="") or None
        if path is not None:
            try:
                re.compile(string.Template(path).safe_substitute())
            except re.error as exc:
                raise p.error(
                    f"{where}.url.path", f"bad regular expression ({exc})", "正则表达式错误"
                ) from None
        url = UrlPattern(p.string(u, "host", f"{where}.url").lower(), path)
    media_type = p.string(t, "media_type", where, default="") or None
    if media_type is not None:
        try:
            re.compile(media_type)
        except re.error as exc:
            raise p.error(
                f"{where}.media_type", f"bad regular expression ({exc})", "正则表达式错误"
            ) from None
    claims = p.strings(t, "claims", where)
    bad = [c for c in claims if c not in CLAIM_KINDS]
    if bad:
        raise p.error(
            f"{where}.claims",
            f"unknown claims {bad} (known: {list(CLAIM_KINDS)})",
            f"未知的口播 {bad}",
        )
    sources = p.strings(t, "sources", where) or CLAIM_SOURCES
    if any(s not in CLAIM_SOURCES for s in sources):
        raise p.error(
            f"{where}.sources",
            f"sources are {list(CLAIM_SOURCES)}",
            "来源只能是 recording 或 stream",
        )
    return Criterion(
        id=cid,
        type=ctype,
        weight=p.integer(t, "weight", where, minimum=0),
        label=p.text(t, "label", where),
        hint=p.text(t, "hint", where) if "hint" in t else None,
        kinds=kinds,
        url=url,
        min_count=p.integer(t, "min_count", where, default=1, minimum=1),
        hosts=tuple(h.lower() for h in p.strings(t, "hosts", where)),
        contains=p.strings(t, "contains", where),
        media_type=media_type,
        min_seconds=p.integer(t, "min_seconds", where, default=0, minimum=0),
        claims=claims,
        sources=sources,
        sample_seconds=p.integer(t, "sample_seconds", where, default=1, minimum=1),
        min_officers=p.integer(t, "min_officers", where, default=2, minimum=1),
        fields=p.strings(t, "fields", where),
        minutes=p.integer(t, "minutes", where, default=0, minimum=0),
    )


def unknown_placeholders(value: str, facts: Mapping[str, str]) -> list[str]:
    names = {
        m.group("named") or m.group("braced")
        for m in string.Template.pattern.finditer(value)
        if m.group("named") or m.group("braced")
    }
    return sorted(n for n in names if n not in facts)


class _Parser:
    """Typed access to the raw table, with errors that name the file and the key."""

    def __init__(self, source: str) -> None:
        self.source = source

    def error(self, key: str, en: str, zh: str) -> ExerciseError:
        at = f" [{key}]" if key else ""
        return ExerciseError(f"{self.source}{at}: {en}", f"{self.source}{at}：{zh}")

    @staticmethod
    def _key(where: str, key: str) -> str:
        return f"{where}.{key}" if where else key

    def table(self, value: object, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.error(where, "must be a table", "必须是表")
        return value

    def no_extra(self, t: Mapping[str, Any], where: str, allowed: set[str]) -> None:
        extra = sorted(set(t) - allowed)
        if extra:
            raise self.error(where, f"unknown keys {extra}", f"未知的键 {extra}")

    def integer(
        self,
        t: Mapping[str, Any],
        key: str,
        where: str,
        default: int | None = None,
        minimum: int | None = None,
    ) -> int:
        value = t.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.error(self._key(where, key), "must be an integer", "必须是整数")
        if minimum is not None and value < minimum:
            raise self.error(
                self._key(where, key), f"must be at least {minimum}", f"不能小于 {minimum}"
            )
        return value

    def string(self, t: Mapping[str, Any], key: str, where: str, default: str | None = None) -> str:
        value = t.get(key, default)
        if not isinstance(value, str):
            raise self.error(self._key(where, key), "must be a string", "必须是字符串")
        return value

    def strings(self, t: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
        value = t.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(self._key(where, key), "must be a list of strings", "必须是字符串列表")
        return tuple(value)

    def text_value(self, value: object, where: str) -> Text:
        if not isinstance(value, dict) or set(value) != {"zh", "en"}:
            raise self.error(where, "must have exactly 'zh' and 'en'", "必须且只能包含 zh 与 en")
        zh, en = value["zh"], value["en"]
        if not isinstance(zh, str) or not isinstance(en, str) or not zh.strip() or not en.strip():
            raise self.error(
                where, "'zh' and 'en' must be non-empty strings", "zh 与 en 必须是非空字符串"
            )
        return Text(zh.strip(), en.strip())

    def text(self, t: Mapping[str, Any], key: str, where: str) -> Text:
        return self.text_value(t.get(key), self._key(where, key))
