"""The interface language and its Qt translators.

Chinese (zh_CN) is the default when ``ui.language`` says so, or — with the setting empty —
when ``QUZHENG_LANG`` or the system locale is Chinese; English otherwise. Translations are
Qt ``.ts`` sources in ``resources/i18n``; the ``.qm`` files are build outputs
(``scripts/compile_translations.py``). When a ``.qm`` is missing or older than its
``.ts``, it is compiled with PySide6's ``lrelease`` into the user's cache folder.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Final

import platformdirs
from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from app.installation import Installation
from forensics.childenv import child_environment

logger = logging.getLogger(__name__)

LANGUAGES: Final = ("zh_CN", "en")
I18N_DIR: Final = Path(__file__).resolve().parents[2] / "resources" / "i18n"


def choose_language(inst: Installation) -> str:
    configured = str(inst.setting("ui.language")).strip()
    if configured in LANGUAGES:
        return configured
    env = os.environ.get("QUZHENG_LANG", "")
    if env:
        return "zh_CN" if env.lower().startswith("zh") else "en"
    return "zh_CN" if QLocale.system().name().lower().startswith("zh") else "en"


def short(lang: str) -> str:
    """'zh' or 'en', as the core's ``diagnostics()`` and reports take it."""
    return "zh" if lang.startswith("zh") else "en"


def lrelease_command() -> list[str]:
    import PySide6

    exe = Path(PySide6.__file__).resolve().parent / (
        "lrelease.exe" if sys.platform == "win32" else "lrelease"
    )
    return [str(exe)]


def compile_ts(ts: Path, qm: Path) -> None:
    """``lrelease ts -qm qm`` (raises ``OSError`` / ``CalledProcessError`` on failure)."""
    qm.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [*lrelease_command(), "-silent", str(ts), "-qm", str(qm)],
        check=True,
        capture_output=True,
        timeout=60,
        env=child_environment(),
    )


def _fresh(qm: Path, ts: Path) -> bool:
    return qm.is_file() and (not ts.is_file() or qm.stat().st_mtime >= ts.stat().st_mtime)


def qm_file(lang: str, i18n_dir: Path = I18N_DIR, cache: Path | None = None) -> Path | None:
    """The compiled translation for ``lang``: the shipped one, else one compiled now."""
    ts = i18n_dir / f"quzheng_{lang}.ts"
    shipped = i18n_dir / f"quzheng_{lang}.qm"
    if _fresh(shipped, ts):
        return shipped
    if not ts.is_file():
        return None
    cache = cache or Path(platformdirs.user_cache_dir("quzheng", appauthor=False)) / "i18n"
    cached = cache / f"quzheng_{lang}.qm"
    if _fresh(cached, ts):
        return cached
    try:
        compile_ts(ts, cached)
    except (OSError, subprocess.SubprocessError) as exc:
        logger.warning("could not compile %s: %s", ts, exc)
        return None
    return cached


# The translators installed through this module, newest last: what ``switch_language``
# replaces.
_active: list[QTranslator] = []


def install_translators(app: QCoreApplication, lang: str) -> list[QTranslator]:
    """Install Qt's own strings (buttons of standard dialogs) and ours; keep the result
    alive for as long as the translation is wanted."""
    installed: list[QTranslator] = []
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    candidates: list[tuple[str, str]] = []
    if lang != "en":
        candidates.append((f"qtbase_{lang}", qt_dir))
    ours = qm_file(lang)
    for name, folder in candidates:
        tr = QTranslator(app)
        if tr.load(name, folder):
            app.installTranslator(tr)
            installed.append(tr)
    if ours is not None:
        tr = QTranslator(app)
        if tr.load(str(ours)):
            app.installTranslator(tr)
            installed.append(tr)
        else:
            logger.warning("translation %s did not load", ours)
    _active.extend(installed)
    return installed


def remove_translators(app: QCoreApplication, translators: list[QTranslator]) -> None:
    for tr in list(translators):
        app.removeTranslator(tr)
        if tr in _active:
            _active.remove(tr)


def active_translators() -> list[QTranslator]:
    """The translators this module has installed and not removed."""
    return list(_active)


def switch_language(app: QCoreApplication, lang: str) -> list[QTranslator]:
    """Apply ``lang`` at once: the translators installed before are removed and ``lang``'s
    installed. Qt then sends every widget a LanguageChange event; widgets that set their
    texts in a ``retranslate`` method answer it (``changeEvent``)."""
    remove_translators(app, _active)
    return install_translators(app, lang)
