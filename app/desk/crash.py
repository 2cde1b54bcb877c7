"""Why the capture workspace ended, in words: its exit code or signal, and the last line our
own code wrote (a Python exception), never a line of Chromium's log, which the browser's
processes write to the same stream and which says nothing to an officer."""

from __future__ import annotations

import re
import signal

from forensics.errors import CaptureError

# Chromium's log lines: "[1206/153012.123456:ERROR:gpu_init.cc(523)] …" (also with pid:tid),
# and its "DevTools listening on ws://…" line.
_BROWSER_LOG = re.compile(r"^\[[\d/.:]+:(?:[A-Z]+|VERBOSE\d*):[^\]]*\]|^DevTools listening on ")
_EXCEPTION = re.compile(
    r"^(?:[a-z_][\w.]*\.)?([A-Z]\w*(?:Error|Exception|Exit|Interrupt))(?::\s*(.*))?$"
)

_SIGNALS: dict[int, tuple[str, str]] = {
    signal.SIGKILL: (
        "it was killed (SIGKILL; often the system ran out of memory)",
        "被强制终止（SIGKILL，常见原因是系统内存不足）",
    ),
    signal.SIGSEGV: ("it crashed (SIGSEGV)", "程序崩溃（SIGSEGV）"),
    signal.SIGABRT: ("it aborted (SIGABRT)", "程序异常中止（SIGABRT）"),
    signal.SIGTERM: ("it was asked to stop (SIGTERM)", "被要求退出（SIGTERM）"),
}


def last_own_line(stderr: str) -> str:
    """The last line of ``stderr`` that is not the browser's log: our exception, if any."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    ours = [ln for ln in lines if not _BROWSER_LOG.match(ln)]
    exceptions = [ln for ln in ours if _EXCEPTION.match(ln)]
    return (exceptions or [""])[-1]


def crash_error(code: int, stderr: str) -> CaptureError:
    """The error the window shows for a workspace that ended unexpectedly."""
    if code < 0 and -code in _SIGNALS:
        en, zh = _SIGNALS[-code]
    elif code < 0:
        en, zh = f"it was stopped by signal {-code}", f"被信号 {-code} 终止"
    else:
        en, zh = f"it exited with code {code}", f"退出码 {code}"
    own = last_own_line(stderr)
    match = _EXCEPTION.match(own) if own else None
    if match is not None:
        cause = match.group(2) or match.group(1)
        en += f"; last error: {cause}"
        zh += f"；最后的错误：{cause}"
    return CaptureError(
        f"The capture workspace ended unexpectedly: {en}. Everything sealed before stays "
        "sealed; the next session repairs what the interruption left.",
        f"取证工作区意外退出：{zh}。此前已封存的内容不受影响；下次操作本案时会修复中断留下的内容。",
    )
