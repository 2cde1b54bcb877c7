"""The clean-environment check of a capture session: what one check is (``EnvCheck``), the
installation's own (``default_env_check``), and sealing one snapshot as ``env.check``
(``seal_env_check``, before and after the capture)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from app.capture.sealer import Sealer
from app.installation import Installation
from forensics.case import Case
from forensics.environment import Resolver
from forensics.identity import Signer


class EnvCheck(Protocol):
    """Makes one clean-environment snapshot (``forensics.environment.snapshot``)."""

    def __call__(
        self,
        targets: Sequence[str],
        disclosure: Mapping[str, object],
        profile_dir: Path,
        *,
        browser: Mapping[str, Any] | None = None,
    ) -> Any: ...


def default_env_check(
    inst: Installation | Path,
    resolver: Resolver | None = None,
    timeout: float = 3.0,
    *,
    practice_domain: str | None = None,
) -> EnvCheck:
    """The clean-environment check with the installation's NTP servers and echo services
    (``inst.env_servers()``), as ``quzheng env check`` runs it. The one assembly of that
    check for capture sessions (headless, GUI workspace). A bare data home is taken as
    its ``Installation``."""
    from forensics.environment import snapshot

    servers = (inst if isinstance(inst, Installation) else Installation(inst)).env_servers()
    ntp, echo = list(servers.ntp), list(servers.echo)

    def check(
        targets: Sequence[str],
        disclosure: Mapping[str, object],
        profile_dir: Path,
        *,
        browser: Mapping[str, Any] | None = None,
    ) -> Any:
        return snapshot(
            targets,
            ntp_servers=ntp,
            echo_urls=echo,
            browser_profile=profile_dir,
            capture_browser=browser,
            proxy_disclosure=disclosure,
            resolver=resolver,
            practice_domain=practice_domain,
            timeout=timeout,
        )

    return check


def seal_env_check(
    take: Callable[[], Any],
    phase: str,
    *,
    case: Case,
    signer: Signer,
    session: str | None,
    sealer: Sealer,
    warn: Callable[[str], None],
) -> None:
    """Take one snapshot (``take``: the session's ``EnvCheck`` applied to its targets, proxy
    disclosure and browser profile) and seal it as ``env.check`` through the session's
    sealer (``phase``: "before" or "after"); waits for the seal."""
    try:
        from forensics.environment import seal_snapshot
    except ImportError:  # the clean-environment check is not installed in this build
        warn("clean-environment check not available")
        return
    snap = take()
    sealer.submit(lambda: seal_snapshot(case, signer, snap, phase=phase, session=session)).result()
