"""Run every benchmark (``python -m benchmarks``) or those named (``python -m benchmarks seal``)."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import benchmarks


def main(argv: list[str]) -> int:
    names = sorted(
        m.name for m in pkgutil.iter_modules(benchmarks.__path__) if m.name.startswith("bench_")
    )
    wanted = [n for n in names if not argv or any(a in n for a in argv)]
    failed = 0
    for name in wanted:
        print(f"=== {name} ===", flush=True)
        module = importlib.import_module(f"benchmarks.{name}")
        failed += 0 if module.main() == 0 else 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
