"""What one sub-check of the clean-environment check records, and the edges it reads.

Every sub-check ends as a ``Check``: its data (JSON-safe: strings, integers, booleans,
lists, dicts, null — canonical JSON forbids floats), a one-line summary and its findings
(``Reason``), each in Chinese and English. Its status is "ok", "warning" or "unavailable";
a check that could not be made says why, it is never dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

OK: Final = "ok"
WARNING: Final = "warning"
UNAVAILABLE: Final = "unavailable"
STATUSES: Final = (OK, WARNING, UNAVAILABLE)


@dataclass(frozen=True)
class Reason:
    """One finding of a sub-check, readable in Chinese and English.

    ``warning`` findings reach the snapshot's overall warning list and make the check's
    status "warning"; the others are notes kept in the record (for example: one of three
    echo services did not answer, or a best-effort source such as ``gsettings`` is absent).
    """

    code: str
    en: str
    zh: str
    warning: bool = True

    def text(self, lang: str = "en") -> str:
        return self.zh if lang.startswith("zh") else self.en

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "en": self.en, "zh": self.zh, "warning": self.warning}


@dataclass(frozen=True)
class Check:
    """The result of one sub-check. ``available`` is False when the check could not be
    made at all; the reasons then say why."""

    name: str
    data: Mapping[str, Any]
    summary_en: str
    summary_zh: str
    reasons: tuple[Reason, ...] = ()
    available: bool = True

    @property
    def status(self) -> str:
        if not self.available:
            return UNAVAILABLE
        return WARNING if any(r.warning for r in self.reasons) else OK

    @property
    def warnings(self) -> list[Reason]:
        return [r for r in self.reasons if r.warning]

    def summary(self, lang: str = "en") -> str:
        return self.summary_zh if lang.startswith("zh") else self.summary_en

    def to_json(self) -> dict[str, Any]:
        return {
            **_plain(dict(self.data)),
            "status": self.status,
            "summary": {"en": self.summary_en, "zh": self.summary_zh},
            "reasons": [r.to_json() for r in self.reasons],
        }


def unavailable(
    name: str,
    code: str,
    en: str,
    zh: str,
    *,
    data: Mapping[str, Any] | None = None,
    warning: bool = True,
) -> Check:
    """A check that could not be made; ``warning`` False for "not applicable here"."""
    return Check(
        name,
        dict(data or {}),
        f"not checked: {en}",
        f"未检查：{zh}",
        (Reason(code, en, zh, warning),),
        available=False,
    )


def _plain(value: Any) -> Any:
    """A deep copy made of dicts and lists, so the frozen record cannot change later."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


# -- the edges of the outside world, injectable ------------------------------------------


@dataclass(frozen=True)
class Proc:
    """A running process: what the record keeps of it."""

    pid: int
    name: str
    user: str | None = None


@dataclass(frozen=True)
class Interface:
    """A network interface: its name, whether it is up (None: unknown), its IP addresses."""

    name: str
    up: bool | None
    addresses: tuple[str, ...] = field(default=())


# A host name → its IP addresses; raises (any exception) when the name does not resolve.
Resolver = Callable[[str], Sequence[str]]
ProcessLister = Callable[[], Iterable[Proc]]
InterfaceLister = Callable[[], Iterable[Interface]]
# argv, timeout in seconds → standard output; raises OSError (FileNotFoundError when the
# command is missing) or subprocess.SubprocessError.
CommandRunner = Callable[[Sequence[str], float], str]
