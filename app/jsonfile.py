"""Small JSON files in the data home (settings, training bindings): read whole, absent means
nothing set, damaged is a clear error naming the file; written whole and swapped in at once,
so a crash leaves the old file or the new one, never half of one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from forensics.atomic import write_atomic
from forensics.errors import InputError


def read_json(path: Path, what_en: str, what_zh: str) -> Any:
    """The file's JSON value, or None when there is no file."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        raise InputError(
            f"{what_en} {path} is damaged; fix or delete it",
            f"{what_zh} {path} 已损坏，请修复或删除",
        ) from None


def write_json(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(value, ensure_ascii=False, indent=2) + "\n")
