"""The data of ``import.file``: a file from outside sealed as it is (``Case.import_file``),
with the EXIF of a picture and a flag when its EXIF time is far from the import."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from forensics.entry_data.fields import flag, obj, plain, text


@dataclass(frozen=True)
class ImportData:
    source_name: str
    source_path: str
    exif: dict[str, Any] | None = None  # forensics.media.read_exif: camera, original_time, gps…
    exif_time_far_from_import: bool = False

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"source_name": self.source_name, "source_path": self.source_path}
        if self.exif:
            out["exif"] = dict(self.exif)
        if self.exif_time_far_from_import:
            out["exif_time_far_from_import"] = True
        return out

    @classmethod
    def from_json(cls, raw: object) -> ImportData:
        d = obj(raw)
        exif = plain(d.get("exif"))
        return cls(
            source_name=text(d.get("source_name")),
            source_path=text(d.get("source_path")),
            exif=exif or None,
            exif_time_far_from_import=flag(d.get("exif_time_far_from_import")),
        )
