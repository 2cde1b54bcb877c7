"""The clean-environment check (清洁性检查, REQUIREMENTS §B): a sealed snapshot of the
capture machine before and after a session, and what changed between the two.

``snapshot()`` checks the machine (system, network, egress IP, DNS, target resolution,
hosts file, proxy settings, VPN, processes, browser profile, clock, recording proxy) and
never raises for what it finds: each sub-check has a status ("ok", "warning",
"unavailable") and its reasons in Chinese and English. ``compare()`` lists the changes
between two checks; ``seal_snapshot()`` appends an ``env.check`` ledger entry.
"""

from forensics.environment.compare import Change, compare
from forensics.environment.host import FLAGGED_TOOLS, FRESH_PROFILE_SECONDS, Tool, match_tool
from forensics.environment.model import (
    OK,
    STATUSES,
    UNAVAILABLE,
    WARNING,
    Check,
    CommandRunner,
    Interface,
    InterfaceLister,
    Proc,
    ProcessLister,
    Reason,
    Resolver,
)
from forensics.environment.net import DEFAULT_ECHO_URLS
from forensics.environment.seal import PHASES, find_before, seal_snapshot
from forensics.environment.snapshot import SECTIONS, SNAPSHOT_FORMAT, EnvSnapshot, snapshot

__all__ = [
    "DEFAULT_ECHO_URLS",
    "FLAGGED_TOOLS",
    "FRESH_PROFILE_SECONDS",
    "OK",
    "PHASES",
    "SECTIONS",
    "SNAPSHOT_FORMAT",
    "STATUSES",
    "UNAVAILABLE",
    "WARNING",
    "Change",
    "Check",
    "CommandRunner",
    "EnvSnapshot",
    "Interface",
    "InterfaceLister",
    "Proc",
    "ProcessLister",
    "Reason",
    "Resolver",
    "Tool",
    "compare",
    "find_before",
    "match_tool",
    "seal_snapshot",
    "snapshot",
]
