"""``quzheng train …``: scoring, leaderboards, tamper challenges and grading (docs/admin-guide.md §8).

Each command returns its exit code and prints in the user's language (``--lang`` or the
locale): 0 done; 1 the scored package fails verification (its score is still printed);
2 unreadable input, a wrong password or a usage error — reported as one line on stderr.
Trust (agency CAs, TSA roots) comes from the data home, as for ``quzheng verify``.

Wiring (the lead's ``build_parser``): ``add_train_parser(sub, _Parser)`` adds the ``train``
command with its four subcommands; each calls the function of the same name below.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.i18n import cli_lang, t
from app.installation import Installation
from app.secrets import read_secret
from forensics.errors import QuzhengError


def _lang(lang: str | None) -> str:
    return lang or cli_lang()


def _fail(exc: QuzhengError, lang: str) -> int:
    print(f"quzheng: {exc.diagnostics(lang)}", file=sys.stderr, flush=True)
    return exc.exit_code


def _password(password_file: Path | None, lang: str) -> str | None:
    if password_file is None:
        return None
    return read_secret(
        password_file, "QUZHENG_PACKAGE_PASSWORD", "Package password", "证据包密码", lang
    )


def _trust() -> dict[str, Any]:
    return {"policy": Installation.current().trust_policy(training=True)}


def score_command(
    package: Path,
    exercise: str,
    *,
    json_out: bool = False,
    lang: str | None = None,
    password_file: Path | None = None,
    range_seed: int | None = None,
) -> int:
    """``quzheng train score FILE.qzp --exercise EX [--json]``."""
    from forensics.training import score_package

    lang = _lang(lang)
    try:
        table = score_package(
            Path(package),
            exercise,
            password=_password(password_file, lang),
            range_seed=range_seed,
            **_trust(),
        )
    except QuzhengError as exc:
        return _fail(exc, lang)
    if json_out:
        print(json.dumps(table.to_json(), ensure_ascii=False, indent=2), flush=True)
    else:
        print(table.render(lang), flush=True)
    return 0 if table.integrity_ok else 1


def board_command(
    packages: Sequence[Path],
    exercise: str,
    out_dir: Path,
    *,
    lang: str | None = None,
    password_file: Path | None = None,
    range_seed: int | None = None,
) -> int:
    """``quzheng train board FILE.qzp... --exercise EX --out DIR``."""
    from forensics.training import leaderboard

    lang = _lang(lang)
    try:
        board = leaderboard(
            [Path(p) for p in packages],
            exercise,
            Path(out_dir),
            password=_password(password_file, lang),
            range_seed=range_seed,
            **_trust(),
        )
    except QuzhengError as exc:
        return _fail(exc, lang)
    print(board.render(lang), flush=True)
    written = [board.csv_path, board.html_path, board.json_path]
    if board.pdf_path is not None:
        written.append(board.pdf_path)
    for p in written:
        print(t("Written: ", "已写入：", lang) + str(p), flush=True)
    return 0


def tamper_command(
    package: Path,
    count: int,
    seed: int,
    out_dir: Path,
    *,
    classes: Sequence[str] = (),
    lang: str | None = None,
    password_file: Path | None = None,
) -> int:
    """``quzheng train tamper FILE.qzp --count N --seed S --out DIR [--class C]...``."""
    from forensics.training import CLASSES, make_tamper_set

    lang = _lang(lang)
    try:
        key = make_tamper_set(
            Path(package),
            count,
            seed,
            Path(out_dir),
            tuple(classes) or CLASSES,
            password=_password(password_file, lang),
        )
    except QuzhengError as exc:
        return _fail(exc, lang)
    folder = Path(out_dir) / "challenges"
    print(
        t(
            f"{len(key.challenges)} challenge(s) written to {folder}",
            f"已生成 {len(key.challenges)} 道篡改题：{folder}",
            lang,
        ),
        flush=True,
    )
    print(t("Answer sheet template: ", "答题模板：", lang) + str(folder / "answers-template.json"))
    print(t("Answer key: ", "答案：", lang) + str(key.path))
    print(
        t(
            "Hand out the challenges folder only; keep the answer key apart.",
            "只分发 challenges 目录；答案文件请另行保管。",
            lang,
        ),
        flush=True,
    )
    if key.skipped_classes:
        print(
            t("Classes this package cannot carry: ", "此证据包无法制作的类型：", lang)
            + ", ".join(key.skipped_classes),
            flush=True,
        )
    return 0


def grade_command(
    answers: Path, key: Path, *, json_out: bool = False, lang: str | None = None
) -> int:
    """``quzheng train grade ANSWERS.json --key KEY.json [--json]``."""
    from forensics.training import grade

    lang = _lang(lang)
    try:
        report = grade(Path(answers), Path(key))
    except QuzhengError as exc:
        return _fail(exc, lang)
    if json_out:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2), flush=True)
    else:
        print(report.render(lang), flush=True)
    return 0


# -- argparse wiring ----------------------------------------------------------------------


def add_train_parser(
    sub: Any, parser_class: type[argparse.ArgumentParser] = argparse.ArgumentParser
) -> argparse.ArgumentParser:
    """Add ``train`` with ``score``, ``board``, ``tamper`` and ``grade`` to ``sub`` (the
    subparsers object of the main parser); each sets ``func`` to take the parsed args.
    Nothing of ``forensics.training`` is imported here: building the parser stays cheap."""
    train = sub.add_parser("train", help="training: scores, leaderboards, tamper challenges")
    tsub = train.add_subparsers(dest="train_cmd", required=True, parser_class=parser_class)

    sc = tsub.add_parser("score", help="score a package against an exercise")
    sc.add_argument("package", type=Path)
    sc.add_argument("--exercise", required=True, help="exercise id or file")
    sc.add_argument("--json", action="store_true")
    sc.add_argument("--lang", choices=["zh", "en"])
    sc.add_argument("--password-file", type=Path)
    sc.add_argument("--range-seed", type=int, help="seed of the practice range used")
    sc.set_defaults(
        func=lambda a: score_command(
            a.package, a.exercise, json_out=a.json, lang=a.lang,
            password_file=a.password_file, range_seed=a.range_seed,
        )
    )  # fmt: skip

    bd = tsub.add_parser("board", help="rank packages: CSV, HTML and PDF leaderboard")
    bd.add_argument("packages", nargs="+", type=Path)
    bd.add_argument("--exercise", required=True)
    bd.add_argument("--out", required=True, type=Path)
    bd.add_argument("--lang", choices=["zh", "en"])
    bd.add_argument("--password-file", type=Path)
    bd.add_argument("--range-seed", type=int)
    bd.set_defaults(
        func=lambda a: board_command(
            a.packages, a.exercise, a.out, lang=a.lang,
            password_file=a.password_file, range_seed=a.range_seed,
        )
    )  # fmt: skip

    tp = tsub.add_parser("tamper", help="make tamper challenges and their answer key")
    tp.add_argument("package", type=Path)
    tp.add_argument("--count", type=int, required=True)
    tp.add_argument("--seed", type=int, required=True)
    tp.add_argument("--out", required=True, type=Path)
    tp.add_argument(
        "--class",
        dest="classes",
        action="append",
        default=[],
        metavar="CLASS",
        help="only this class (repeatable): evidence-byte, screenshot-replaced, entry-removed, "
        "entries-reordered, rechained-stranger, token-moved, clock-manipulated",
    )
    tp.add_argument("--lang", choices=["zh", "en"])
    tp.add_argument("--password-file", type=Path)
    tp.set_defaults(
        func=lambda a: tamper_command(
            a.package, a.count, a.seed, a.out, classes=a.classes, lang=a.lang,
            password_file=a.password_file,
        )
    )  # fmt: skip

    gr = tsub.add_parser("grade", help="grade a trainee's answers to tamper challenges")
    gr.add_argument("answers", type=Path)
    gr.add_argument("--key", required=True, type=Path)
    gr.add_argument("--json", action="store_true")
    gr.add_argument("--lang", choices=["zh", "en"])
    gr.set_defaults(func=lambda a: grade_command(a.answers, a.key, json_out=a.json, lang=a.lang))
    return train  # type: ignore[no-any-return]
