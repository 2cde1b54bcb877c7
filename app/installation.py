"""The installation: one data home and everything built from it, built once and passed down.

Callers take an ``Installation`` instead of a bare ``home`` and ask it, by name, for what
they need: its identities and trust (``ids``, ``trust_policy``), where cases live
(``cases``, ``open_case``), typed settings (``setting``, ``setting_list``; written with ``set_setting``), the recording
proxy's port (``proxy_port``), the time-stamp configuration (``tsa_config``) and the
clean-environment check's servers (``env_servers``). Nothing else assembles these from
``home``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from app import settings
from app.i18n import t
from app.paths import cases_home, data_home, secure_home
from forensics.case import Case, cases_dir
from forensics.environment import DEFAULT_ECHO_URLS
from forensics.errors import InputError
from forensics.identity import IdentityStore, Signer
from forensics.stamping import TsaConfig, load_config
from forensics.trust import TrustPolicy

TSA_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class EnvServers:
    """Who the clean-environment check asks: NTP servers and public-IP echo services."""

    ntp: tuple[str, ...]
    echo: tuple[str, ...]


@dataclass(frozen=True)
class Installation:
    home: Path

    def __post_init__(self) -> None:
        """The home is its owner's alone: created 0700, an older one tightened once
        (``app.paths.secure_home``), and so are the cases of a ``data.dir`` elsewhere."""
        try:
            cases = cases_home(self.home)
        except InputError:  # a damaged config.json is reported where the setting is read
            cases = self.home
        secure_home(self.home, (cases_dir(cases),) if cases != self.home else ())

    @classmethod
    def current(cls) -> Installation:
        """The data home of this run (``QUZHENG_HOME``, else the OS default)."""
        return cls(data_home())

    @cached_property
    def ids(self) -> IdentityStore:
        return IdentityStore(self.home)

    @property
    def cases(self) -> Path:
        """Where cases are kept (``data.dir``, else the data home); read when asked, since
        the setting can change while the program runs."""
        return cases_home(self.home)

    def open_case(
        self,
        ref: str,
        *,
        acting: Signer | None = None,
        say: Callable[[str], None] | None = None,
        **kwargs: Any,
    ) -> Case:
        """Open a case. A command that acts as an officer of it (``acting``) first completes
        or undoes an export a crash interrupted (``forensics.package.export_pending``) and
        seals what an interrupted capture left in its work folder (``app.capture.leftovers``);
        ``say`` hears what was done and the warnings of a partial repair."""
        case = Case.open(self.cases, ref, **kwargs)
        if acting is not None:
            from app.capture.leftovers import recover
            from forensics.package.export_pending import finish_interrupted_export

            try:
                for finished in finish_interrupted_export(case):
                    if say is not None:
                        say(t(*finished))
                for warning in recover(case, acting, say=say):
                    if say is not None:
                        say(warning)
            except BaseException:
                case.close()
                raise
        return case

    def setting(self, key: str) -> str | int:
        return settings.get(self.home, key)

    def setting_list(self, key: str) -> list[str]:
        return settings.get_list(self.home, key)

    def set_setting(self, key: str, value: str) -> str | int:
        """Write one setting to the data home (parsed and checked as ``app.settings``
        declares it) and return the value stored. Nothing here caches a setting: the next
        read (``setting``, ``cases``, ``proxy_port`` …) sees the new value."""
        return settings.set_value(self.home, key, value)

    def browser_choice(self) -> tuple[str, str | None]:
        """The capture browser settings: engine ("auto", "chromium", "qtwebengine") and the
        configured program (None: found in the usual places)."""
        path = str(self.setting("browser.path")).strip()
        return str(self.setting("browser.engine")).strip() or "auto", path or None

    def proxy_port(self) -> int:
        """A free loopback port for the recording proxy, from ``proxy.port_range``."""
        return settings.proxy_port(self.home)

    def trust_policy(
        self,
        pins: Iterable[str] = (),
        *,
        training: bool = False,
        max_stamp_gap_s: int | None = None,
    ) -> TrustPolicy:
        """What verification trusts here (verifier guide §2.2)."""
        policy = self.ids.trust_policy(pins, accept_training=training)
        return policy.with_max_gap(max_stamp_gap_s) if max_stamp_gap_s is not None else policy

    def tsa_config(self, timeout: float = TSA_TIMEOUT_S) -> TsaConfig:
        """The TSAs to ask (``tsa.urls`` or ``QUZHENG_TSA_URLS``) and the roots their tokens
        must chain to (every TSA root trusted here, the built-in one included)."""
        return load_config(self.setting_list("tsa.urls"), self.ids.trusted_tsa_pems(), timeout)

    def env_servers(self) -> EnvServers:
        echo = self.setting_list("env.echo_urls") or list(DEFAULT_ECHO_URLS)
        return EnvServers(tuple(self.setting_list("ntp.servers")), tuple(echo))
