"""The user's language for command-line messages (the GUI uses Qt's translator)."""

from __future__ import annotations

import os


def cli_lang() -> str:
    """'zh' or 'en': ``QUZHENG_LANG``, then the POSIX locale variables; Chinese first."""
    for var in ("QUZHENG_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def t(en: str, zh: str, lang: str | None = None) -> str:
    """Pick the message for the current language."""
    return zh if (lang or cli_lang()) == "zh" else en
