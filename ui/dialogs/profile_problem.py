"""Why an officer's profile cannot be saved yet: the first-start wizard's officer page and
the new-officer dialog (执法人员 → 新建执法人员档案…) ask for the same name, badge, agency and
passphrase twice, so they refuse them with the same words. The rules are the core's
(``check_badge``, ``check_passphrase``); this only says which one is broken, in one
translation context (``ProfileProblem``) both windows share."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from app.desk.officers import check_passphrase
from forensics.errors import InputError
from forensics.identity import check_badge


def profile_problem(name: str, badge: str, agency: str, passphrase: str, repeat: str) -> str:
    """The first thing wrong with these fields, translated (empty: they may be saved)."""
    if not (name.strip() and agency.strip()):
        return QCoreApplication.translate("ProfileProblem", "Enter the officer's name and agency.")
    try:
        check_badge(badge.strip())
    except InputError:
        return QCoreApplication.translate(
            "ProfileProblem", "The badge number uses letters, digits, '-' or '_' (at most 40)."
        )
    why = check_passphrase(passphrase, repeat)
    if why == "short":
        return QCoreApplication.translate(
            "ProfileProblem", "The passphrase needs at least 10 characters."
        )
    if why == "mismatch":
        return QCoreApplication.translate("ProfileProblem", "The two passphrases differ.")
    return ""
