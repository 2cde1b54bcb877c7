"""Writes the hostile packages beside this file, each named after its attack.

Run once by hand (``python -m tests.forensics.package.hostile.make_hostile``); the files are
committed so the tests read exactly the bytes an attacker would send.
"""

from __future__ import annotations

import io
import stat
import struct
import warnings
import zipfile
from pathlib import Path

import pyzipper

HERE = Path(__file__).resolve().parent
DP = b'{"profile": "data-package", "resources": []}'


def _plain(
    name: str, members: list[tuple[str | zipfile.ZipInfo, bytes]], method: int = zipfile.ZIP_STORED
) -> None:
    with zipfile.ZipFile(HERE / name, "w", method) as zf, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are the point of one file
        for member, data in members:
            zf.writestr(member, data)


def _patch_declared_size(name: str, member: str, size: int) -> None:
    """Make the central directory declare ``size`` bytes for ``member`` (a lying header)."""
    path = HERE / name
    data = bytearray(path.read_bytes())
    sig = b"PK\x01\x02"
    pos = data.find(sig)
    while pos != -1:
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        fname = bytes(data[pos + 46 : pos + 46 + name_len]).decode()
        if fname == member:
            struct.pack_into("<I", data, pos + 24, size)  # uncompressed size
        pos = data.find(sig, pos + 4)
    path.write_bytes(bytes(data))


def main() -> None:
    _plain("zip-slip.qzp", [("datapackage.json", DP), ("../../evil.txt", b"owned")])
    _plain("absolute-path.qzp", [("datapackage.json", DP), ("/tmp/evil.txt", b"owned")])
    link = zipfile.ZipInfo("evidence/link.png")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    _plain("symlink-entry.qzp", [("datapackage.json", DP), (link, b"/etc/passwd")])
    _plain("duplicate-names.qzp", [("datapackage.json", DP), ("datapackage.json", DP + b" ")])
    _plain(
        "zip-bomb.qzp",
        [("datapackage.json", DP), ("evidence/bomb.bin", b"\0" * (64 << 20))],
        zipfile.ZIP_DEFLATED,
    )
    _plain("huge-manifest.qzp", [("datapackage.json", DP)])
    _patch_declared_size("huge-manifest.qzp", "datapackage.json", 100 << 20)
    _plain(
        "malformed-json.qzp",
        [
            ("datapackage.json", b'{"profile": "data-package", "resources": [ '),
            ("datapackage-digest.json", b"{}"),
            ("custody/ledger.jsonl", b"{}\n"),
        ],
    )
    _plain("lying-size.qzp", [("datapackage.json", DP), ("evidence/a.bin", b"A" * 4096)])
    _patch_declared_size("lying-size.qzp", "evidence/a.bin", 16)
    (HERE / "not-a-zip.qzp").write_bytes(b"%PDF-1.4 this is not a package\n" * 10)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("datapackage.json", DP)
        zf.writestr("evidence/big.bin", bytes(range(256)) * 64)
    whole = buf.getvalue()
    (HERE / "truncated.qzp").write_bytes(whole[: len(whole) // 2])
    with pyzipper.AESZipFile(HERE / "wrong-password.qzp", "w", encryption=pyzipper.WZ_AES) as zf:
        zf.setpassword(b"the right password")
        zf.writestr("datapackage.json", DP)


if __name__ == "__main__":
    main()
