"""Trust anchors are stored under their fingerprint: trusting another root, or running the
built-in TSA in a home that already trusts one, never replaces a root already trusted."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from forensics.identity import BUILTIN_TSA_LABEL, IdentityStore, cert_fingerprint
from forensics.package import verify_package
from forensics.timestamp import create_tsa_identity
from forensics.x509names import subject_text
from tests.forensics.package.conftest import Exported

ROOT = Path(__file__).resolve().parents[3]


def _root_fp(pem: bytes) -> str:
    from forensics.identity import load_certs_pem

    return cert_fingerprint(load_certs_pem(pem, "root")[0])


def _serve_tsa_once(home: Path) -> None:
    """Run 'quzheng tsa serve' in ``home`` until it has trusted its root, then stop it."""
    env = {**os.environ, "QUZHENG_HOME": str(home), "PYTHONPATH": str(ROOT)}
    before = set((home / "trust" / "tsa").glob("*.pem"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "tsa", "serve", "--port", "0"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if (home / "tsa").is_dir() and len(set((home / "trust" / "tsa").glob("*.pem"))) > len(
                before
            ):
                time.sleep(0.3)  # the labels file follows the certificate
                break
            time.sleep(0.1)
        assert proc.poll() is None, "tsa serve stopped by itself"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_tsa_serve_in_a_home_that_trusts_another_root_keeps_both(
    exported: Exported, tmp_path: Path
) -> None:
    home = exported.world.home
    ids = IdentityStore(home)
    explicit = exported.tsa_roots[0]  # the root that stamped the package
    other_builtin = create_tsa_identity(tmp_path / "elsewhere").root_path.read_bytes()
    # Written the way earlier versions stored anchors: under their label.
    (home / "trust" / "tsa").mkdir(parents=True, exist_ok=True)
    (home / "trust" / "tsa" / "test-tsa.pem").write_bytes(explicit)
    (home / "trust" / "tsa" / f"{BUILTIN_TSA_LABEL}.pem").write_bytes(other_builtin)
    assert verify_package(exported.path, ids.trust_policy()).bottom_line

    _serve_tsa_once(home)

    served = (home / "tsa" / "root.pem").read_bytes()
    assert _root_fp(served) != _root_fp(other_builtin)
    policy = IdentityStore(home).trust_policy()
    builtin = {_root_fp(p) for p in policy.builtin_tsa_roots}
    # Both built-in roots are trusted (for training), the explicit one still for evidence.
    assert builtin == {_root_fp(other_builtin), _root_fp(served)}
    assert {_root_fp(p) for p in policy.tsa_roots} == {_root_fp(explicit)}
    assert verify_package(exported.path, policy).bottom_line
    # Every anchor file is named by its fingerprint; the old names are gone.
    names = sorted(p.name for p in (home / "trust" / "tsa").glob("*.pem"))
    assert names == sorted(f"{_root_fp(p)}.pem" for p in (explicit, other_builtin, served))


def test_trusting_another_root_under_the_same_label_keeps_the_first(
    exported: Exported, tmp_path: Path
) -> None:
    ids = IdentityStore(exported.world.home)
    ids.trust_tsa(exported.tsa_roots[0], "agency-tsa")
    assert verify_package(exported.path, ids.trust_policy()).bottom_line
    intruder = create_tsa_identity(tmp_path / "intruder").root_path.read_bytes()
    ids.trust_tsa(intruder, "agency-tsa")  # same label, another root
    policy = ids.trust_policy()
    assert {_root_fp(p) for p in policy.tsa_roots} == {
        _root_fp(exported.tsa_roots[0]),
        _root_fp(intruder),
    }
    assert verify_package(exported.path, policy).bottom_line
    # Trusting a built-in root explicitly as well makes it count for evidence.
    builtin = create_tsa_identity(tmp_path / "b").root_path.read_bytes()
    ids.trust_tsa(builtin, BUILTIN_TSA_LABEL)
    assert _root_fp(builtin) in {_root_fp(p) for p in ids.trust_policy().builtin_tsa_roots}
    ids.trust_tsa(builtin, "explicitly-trusted")
    assert _root_fp(builtin) in {_root_fp(p) for p in ids.trust_policy().tsa_roots}


def test_identity_list_shows_label_and_fingerprint(exported: Exported) -> None:
    home = exported.world.home
    ids = IdentityStore(home)
    ids.trust_tsa(exported.tsa_roots[0], "省局时间戳服务")
    env = {**os.environ, "QUZHENG_HOME": str(home), "PYTHONPATH": str(ROOT), "QUZHENG_LANG": "en"}
    out = subprocess.run(
        [sys.executable, "-m", "app.cli", "identity", "list"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    anchors = ids.trust_anchors()
    assert len(anchors) == 2  # the agency CA and the TSA root
    for a in anchors:
        line = next(x for x in out.splitlines() if a.fingerprint in x)
        assert ",".join(a.labels) in line and subject_text(a.cert) in line
    assert "agency-ca\t" in out and "tsa\t省局时间戳服务\t" in out
