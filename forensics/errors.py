"""One error base for the core. ``diagnostics()`` is the text a person reads."""

from __future__ import annotations


class QuzhengError(Exception):
    """Base of every error a public core function raises.

    ``message_en`` / ``message_zh`` are shown to the user; ``str()`` is the English text.
    """

    exit_code = 2

    def __init__(self, message_en: str, message_zh: str | None = None) -> None:
        super().__init__(message_en)
        self.message_en = message_en
        self.message_zh = message_zh or message_en

    def diagnostics(self, lang: str = "en") -> str:
        return self.message_zh if lang.startswith("zh") else self.message_en


class InputError(QuzhengError):
    """Unreadable or malformed input: a missing file, a corrupt store, a bad argument."""


class NotFoundError(InputError):
    """A case, officer or item that does not exist."""


class AuthError(InputError):
    """A wrong passphrase or password, or a key that cannot be unlocked."""


class PolicyError(QuzhengError):
    """A rule of evidence refused the action (e.g. the two-officer rule)."""


class NotAMember(PolicyError):
    """An officer who is not an officer of the case tried to act on it."""

    def __init__(self, badge: str) -> None:
        super().__init__(
            f"officer {badge} is not an officer of this case",
            f"执法人员 {badge} 不是本案的办案人员",
        )
        self.badge = badge


class IntegrityError(QuzhengError):
    """Evidence failed verification. Raised by ``require_valid()`` gates."""

    exit_code = 1


class CaptureError(QuzhengError):
    """Evidence could no longer be written: capture stops (fails closed)."""
