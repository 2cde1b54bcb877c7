"""Peak memory of the current process, measured so a parent's size does not leak in.

``getrusage().ru_maxrss`` survives ``exec``: a child started by a large parent (pytest, a
benchmark driver) reports the parent's resident size before the exec. Linux's ``VmHWM`` is
kept per address space and so starts afresh at ``exec``.
"""

from __future__ import annotations

import resource


def peak_rss_mb() -> float:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
