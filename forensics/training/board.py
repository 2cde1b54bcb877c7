"""A leaderboard: many packages scored against one exercise, as CSV, HTML and PDF.

Ranked by total (high first), then by session time (fast first). A package that cannot be
read or opened is listed last with its reason instead of stopping the board. The CSV is
UTF-8 with a byte-order mark so that spreadsheet programs show the Chinese text; the HTML
is one self-contained file; the PDF embeds the app's CJK font when it is installed
(``resources/fonts``) and is skipped otherwise.
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import forensics
from forensics.errors import InputError, QuzhengError
from forensics.training.exercise import Exercise, Text, load_exercise
from forensics.training.score import ScoreTable, score_package
from forensics.training.text import fmt_duration, fmt_points
from forensics.trust import TrustPolicy

FONT_PATH: Final = (
    Path(forensics.__file__).resolve().parent.parent
    / "resources"
    / "fonts"
    / "QuzhengSans-Regular.ttf"
)
_FONT_NAME: Final = "QuzhengTrainingSans"


@dataclass(frozen=True)
class BoardRow:
    rank: int | None  # None: not ranked (unreadable)
    file: str
    path: str
    table: ScoreTable | None
    error: Text | None = None

    @property
    def total(self) -> float:
        return self.table.total if self.table else 0.0


@dataclass(frozen=True)
class Leaderboard:
    exercise: Exercise
    rows: tuple[BoardRow, ...]
    csv_path: Path
    html_path: Path
    pdf_path: Path | None
    json_path: Path

    def render(self, lang: str = "zh") -> str:
        zh = lang.startswith("zh")
        lines = [f"{self.exercise.title.get(lang)} ({self.exercise.id})"]
        for r in self.rows:
            rank = str(r.rank) if r.rank is not None else "-"
            if r.table is None:
                why = r.error.get(lang) if r.error else ""
                lines.append(f"{rank:>3}  {r.file}  0  {why}")
                continue
            t = r.table
            lines.append(
                f"{rank:>3}  {r.file}  {fmt_points(t.total)} / {t.max_total}  {t.trainee}  "
                + (("合格" if zh else "passed") if t.passed else ("不合格" if zh else "not passed"))
            )
        return "\n".join(lines)


def leaderboard(
    paths: Sequence[Path],
    exercise: Exercise | str | Path,
    out_dir: Path,
    *,
    password: str | None = None,
    policy: TrustPolicy,
    range_seed: int | None = None,
    pdf: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> Leaderboard:
    """Score every package and write ``leaderboard.csv``, ``.html``, ``.json`` (and ``.pdf``).

    ``progress(done, total)`` is called after each package is scored.
    """
    ex = exercise if isinstance(exercise, Exercise) else load_exercise(exercise)
    if not paths:
        raise InputError("no packages to rank", "没有需要排名的证据包")
    missing = [str(p) for p in paths if not Path(p).is_file()]
    if missing:
        raise InputError(f"no such package file(s): {missing}", f"证据包文件不存在：{missing}")
    out_dir.mkdir(parents=True, exist_ok=True)
    scored: list[BoardRow] = []
    for n, p in enumerate(paths, 1):
        try:
            table = score_package(
                Path(p), ex, password=password, policy=policy, range_seed=range_seed
            )
            scored.append(BoardRow(None, Path(p).name, str(p), table))
        except QuzhengError as exc:  # e.g. an encrypted package without its password
            scored.append(
                BoardRow(None, Path(p).name, str(p), None, Text(exc.message_zh, exc.message_en))
            )
        if progress is not None:
            progress(n, len(paths))
    ranked = sorted(
        (r for r in scored if r.table is not None),
        key=lambda r: (
            -r.total,
            r.table.duration_s if r.table and r.table.duration_s is not None else 1 << 40,
            r.file,
        ),
    )
    rows: list[BoardRow] = []
    for i, r in enumerate(ranked):
        prev = rows[-1] if rows else None
        same = (
            prev is not None
            and prev.table is not None
            and r.table is not None
            and prev.total == r.total
            and prev.table.duration_s == r.table.duration_s
        )
        rank = prev.rank if same and prev is not None else i + 1
        rows.append(BoardRow(rank, r.file, r.path, r.table))
    rows += [r for r in scored if r.table is None]
    csv_path = out_dir / "leaderboard.csv"
    html_path = out_dir / "leaderboard.html"
    json_path = out_dir / "leaderboard.json"
    csv_path.write_bytes(_csv(ex, rows))
    html_path.write_text(_html(ex, rows), encoding="utf-8")
    json_path.write_text(
        json.dumps(_json(ex, rows), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    pdf_path = out_dir / "leaderboard.pdf" if pdf and FONT_PATH.is_file() else None
    if pdf_path is not None:
        _pdf(ex, rows, pdf_path)
    return Leaderboard(ex, tuple(rows), csv_path, html_path, pdf_path, json_path)


def _criteria_header(ex: Exercise) -> list[str]:
    return ["integrity", *(c.id for c in ex.criteria)]


def _csv(ex: Exercise, rows: list[BoardRow]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(
        [
            "名次 rank", "证据包 file", "学员 trainee", "案号 case number", "总分 total",
            "满分 max", "合格 passed", "完整性 integrity", "用时 time",
            *_criteria_header(ex), "说明 note",
        ]
    )  # fmt: skip
    for r in rows:
        t = r.table
        if t is None:
            w.writerow(
                ["", r.file, "", "", "0", str(ex.max_points), "no", "unreadable", "",
                 *([""] * (len(ex.criteria) + 1)), r.error.zh + " / " + r.error.en if r.error else ""]
            )  # fmt: skip
            continue
        points = {c.id: fmt_points(c.points) for c in t.rows}
        w.writerow(
            [
                str(r.rank), r.file, t.trainee, t.case_number, fmt_points(t.total),
                str(t.max_total), "yes" if t.passed else "no",
                "pass" if t.integrity_ok else "FAIL" if t.readable else "unreadable",
                fmt_duration(t.duration_s) if t.duration_s is not None else "",
                *(points.get(k, "") for k in _criteria_header(ex)),
                t.rule.zh + " / " + t.rule.en if t.rule else "",
            ]
        )  # fmt: skip
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


def _json(ex: Exercise, rows: list[BoardRow]) -> dict[str, Any]:
    return {
        "format": 1,
        "exercise": {"id": ex.id, "version": ex.version, "title": ex.title.as_json()},
        "rows": [
            {
                "rank": r.rank,
                "file": r.file,
                "score": r.table.to_json() if r.table else None,
                "error": r.error.as_json() if r.error else None,
            }
            for r in rows
        ],
    }


_CSS = """
body{font-family:"Quzheng Sans","Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em}
table{border-collapse:collapse}th,td{border:1px solid #999;padding:.3em .6em}
th{background:#eee}td.n{text-align:right}tr.fail td{color:#a00}caption{font-size:1.3em;margin:.5em}
"""


def _html(ex: Exercise, rows: list[BoardRow]) -> str:
    e = html.escape
    labels = {c.id: c.label for c in ex.criteria}
    head = "".join(
        f"<th title='{e(labels[k].en) if k in labels else 'integrity'}'>"
        f"{e(labels[k].zh) if k in labels else '完整性'}</th>"
        for k in _criteria_header(ex)
    )
    body = []
    for r in rows:
        t = r.table
        if t is None:
            why = f"{r.error.zh} / {r.error.en}" if r.error else ""
            body.append(
                f"<tr class='fail'><td></td><td>{e(r.file)}</td><td colspan='{len(ex.criteria) + 7}'>"
                f"{e(why)}</td></tr>"
            )
            continue
        cells = {c.id: c for c in t.rows}
        crit = "".join(
            f"<td class='n' title='{e(cells[k].reason.zh)} / {e(cells[k].reason.en)}'>"
            f"{fmt_points(cells[k].points)}</td>"
            if k in cells
            else "<td></td>"
            for k in _criteria_header(ex)
        )
        cls = "" if t.integrity_ok else " class='fail'"
        body.append(
            f"<tr{cls}><td class='n'>{r.rank}</td><td>{e(r.file)}</td><td>{e(t.trainee)}</td>"
            f"<td class='n'><b>{fmt_points(t.total)}</b> / {t.max_total}</td>"
            f"<td>{'合格 passed' if t.passed else '不合格 not passed'}</td>"
            f"<td>{fmt_duration(t.duration_s) if t.duration_s is not None else ''}</td>"
            f"{crit}<td>{e(t.rule.zh) if t.rule else ''}</td></tr>"
        )
    return (
        "<!DOCTYPE html>\n<html lang='zh-CN'><head><meta charset='utf-8'>"
        f"<title>{e(ex.title.zh)} — 排行榜 Leaderboard</title><style>{_CSS}</style></head><body>"
        f"<table><caption>{e(ex.title.zh)} / {e(ex.title.en)} — 排行榜 Leaderboard</caption>"
        "<tr><th>名次<br>Rank</th><th>证据包<br>File</th><th>学员<br>Trainee</th>"
        "<th>总分<br>Total</th><th>结论<br>Result</th><th>用时<br>Time</th>"
        f"{head}<th>说明<br>Note</th></tr>\n" + "\n".join(body) + "\n</table></body></html>\n"
    )


def _pdf(ex: Exercise, rows: list[BoardRow], path: Path) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    try:
        pdfmetrics.getFont(_FONT_NAME)
    except KeyError:
        pdfmetrics.registerFont(TTFont(_FONT_NAME, str(FONT_PATH)))
    style = ParagraphStyle("t", fontName=_FONT_NAME, fontSize=14, leading=18)
    small = ParagraphStyle("s", fontName=_FONT_NAME, fontSize=8, leading=10)
    data: list[list[Any]] = [
        [
            Paragraph(x, small)
            for x in (
                "名次 Rank",
                "证据包 File",
                "学员 Trainee",
                "总分 Total",
                "结论 Result",
                "用时 Time",
                "完整性 Integrity",
            )
        ]
    ]
    for r in rows:
        t = r.table
        if t is None:
            why = f"{r.error.zh}" if r.error else ""
            data.append(
                [
                    "-",
                    Paragraph(html.escape(r.file), small),
                    Paragraph(html.escape(why), small),
                    "0",
                    "",
                    "",
                    "",
                ]
            )
            continue
        data.append(
            [
                str(r.rank),
                Paragraph(html.escape(r.file), small),
                Paragraph(html.escape(t.trainee), small),
                f"{fmt_points(t.total)} / {t.max_total}",
                Paragraph("合格" if t.passed else "不合格", small),
                fmt_duration(t.duration_s) if t.duration_s is not None else "",
                Paragraph("通过" if t.integrity_ok else "未通过", small),
            ]
        )
    grid = Table(data, repeatRows=1)
    grid.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), _FONT_NAME),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
            ]
        )
    )
    doc = SimpleDocTemplate(str(path), pagesize=landscape(A4), title=f"{ex.title.zh} 排行榜")
    doc.build(
        [Paragraph(html.escape(f"{ex.title.zh} / {ex.title.en} — 排行榜 Leaderboard"), style), grid]
    )
