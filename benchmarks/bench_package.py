"""Package export and verification on a large case (issue 9 targets), in one run.

A case holding ``QZ_BENCH_PACKAGE_MB`` MiB (default 1024) of evidence in 64 MiB files is
exported plain and encrypted, then verified; each is compared with a baseline on the same
files in the same run: ``7zz a -tzip -mx0`` (stored), ``7zz a -tzip -mx0 -mem=AES256``, and
``openssl dgst -sm3``. Peak memory is measured per child process.

Targets: export ≥ 0.8× 7-Zip stored, encrypted export ≥ 0.5× 7-Zip AES, verify ≥ 0.8× openssl
SM3, memory < 200 MB. Export and verify must compute SM3 over every byte (the package's seal
and the evidence digests), so SM3's speed is their ceiling; the 7-Zip baselines compute CRC32
only — the printed ratios show how far that ceiling is from them on this machine.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PASS = "benchmark passphrase"
CHILD = """
import json, sys, time
from pathlib import Path
op, home, case_id, out = sys.argv[1:5]
from forensics.case import Case
from forensics.identity import IdentityStore
from forensics.trust import TrustPolicy
from forensics.package import export_package, verify_package
t0 = time.perf_counter()
if op.startswith("export"):
    signer = IdentityStore(Path(home)).unlock("B0001", "benchmark passphrase")
    with Case.open(Path(home), case_id) as case:
        export_package(case, signer, Path(out), password="package pw 123" if op == "export-aes" else None)
else:
    report = verify_package(Path(out), TrustPolicy(), password="package pw 123" if op == "verify-aes" else None)
    assert report.entries > 0
from benchmarks.memory import peak_rss_mb
print(json.dumps({"s": time.perf_counter() - t0, "rss": peak_rss_mb()}))
"""


def _child(op: str, home: Path, case_id: str, out: Path) -> tuple[float, float]:
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, op, str(home), case_id, str(out)],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    return float(r["s"]), float(r["rss"])


def _timed(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - t0


def main() -> int:
    from forensics.case import Case
    from forensics.identity import IdentityStore, Profile

    mb = int(os.environ.get("QZ_BENCH_PACKAGE_MB", "1024"))
    if shutil.which("7zz") is None:
        print("7zz not found: apt-get install 7zip")
        return 1
    with tempfile.TemporaryDirectory(
        prefix="qz-bench-pkg-", dir=os.environ.get("QZ_BENCH_DIR")
    ) as d:
        work = Path(d)
        home = work / "home"
        ids = IdentityStore(home)
        ids.init_officer(Profile("基准", "B0001", "bench"), PASS)
        signer = ids.unlock("B0001", PASS)
        files = []
        with Case.create(home, signer, title="bench") as case:
            case_id = case.case_id
            for i in range(max(1, mb // 64)):
                p = work / f"evidence-{i:03d}.bin"
                with open(p, "wb") as f:
                    for _ in range(64):
                        f.write(os.urandom(1 << 20))
                case.import_file(signer, p)
                files.append(p)
        size_mb = sum(p.stat().st_size for p in files) / 1e6

        t_7z = _timed(["7zz", "a", "-tzip", "-mx0", str(work / "base.zip"), *map(str, files)])
        t_7z_aes = _timed(
            [
                "7zz",
                "a",
                "-tzip",
                "-mx0",
                "-mem=AES256",
                f"-p{PASS}",
                str(work / "base-aes.zip"),
                *map(str, files),
            ]
        )
        t_sm3 = _timed(["openssl", "dgst", "-sm3", *map(str, files)])
        t_exp, m_exp = _child("export", home, case_id, work / "p.qzp")
        t_aes, m_aes = _child("export-aes", home, case_id, work / "p-aes.qzp")
        t_ver, m_ver = _child("verify", home, case_id, work / "p.qzp")

        ratio_exp, ratio_aes, ratio_ver = t_7z / t_exp, t_7z_aes / t_aes, t_sm3 / t_ver
        peak = max(m_exp, m_aes, m_ver)
        print(f"case: {size_mb:.0f} MB in {len(files)} files")
        print(
            f"export          {size_mb / t_exp:7.0f} MB/s   7zz stored {size_mb / t_7z:7.0f} MB/s   ratio {ratio_exp:.2f} (target 0.80)"
        )
        print(
            f"export AES-256  {size_mb / t_aes:7.0f} MB/s   7zz AES    {size_mb / t_7z_aes:7.0f} MB/s   ratio {ratio_aes:.2f} (target 0.50)"
        )
        print(
            f"verify          {size_mb / t_ver:7.0f} MB/s   openssl SM3 {size_mb / t_sm3:6.0f} MB/s   ratio {ratio_ver:.2f} (target 0.80)"
        )
        print(
            f"peak RSS: export {m_exp:.0f} MB, encrypted export {m_aes:.0f} MB, verify {m_ver:.0f} MB (target < 200)"
        )
        ok = ratio_exp >= 0.8 and ratio_aes >= 0.5 and ratio_ver >= 0.8 and peak < 200
        print("targets met" if ok else "TARGET MISSED")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
