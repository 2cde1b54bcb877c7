"""Training and competition (电子数据取证大比武): exercises, scoring, leaderboards, tamper
challenges and their grading.

* ``load_exercise`` / ``list_exercises`` — exercise files in ``resources/exercises`` (format 1);
* ``score_package`` → ``ScoreTable`` — every point won or lost, from the package alone;
* ``evaluate_progress`` → ``Progress`` — a live case's checklist, from its ledger alone;
* ``leaderboard`` → ``Leaderboard`` — many packages ranked, written as CSV, HTML, JSON, PDF;
* ``make_tamper_set`` → ``AnswerKey`` — copies of a package, each with one hidden manipulation;
* ``grade`` → ``GradeReport`` — a trainee's findings against the key.
"""

from forensics.training.board import BoardRow, Leaderboard, leaderboard
from forensics.training.exercise import (
    Criterion,
    Exercise,
    ExerciseError,
    Text,
    list_exercises,
    load_exercise,
)
from forensics.training.grade import AnswersError, GradeReport, GradeRow, grade
from forensics.training.progress import Progress, Tick, evaluate_progress
from forensics.training.score import CriterionScore, Detail, ScoreTable, score_package
from forensics.training.tamper import (
    CLASS_LABELS,
    CLASSES,
    AnswerKey,
    Challenge,
    TamperError,
    answers_template,
    make_tamper_set,
)

__all__ = [
    "CLASSES",
    "CLASS_LABELS",
    "AnswerKey",
    "AnswersError",
    "BoardRow",
    "Challenge",
    "Criterion",
    "CriterionScore",
    "Detail",
    "Exercise",
    "ExerciseError",
    "GradeReport",
    "GradeRow",
    "Leaderboard",
    "Progress",
    "ScoreTable",
    "TamperError",
    "Text",
    "Tick",
    "answers_template",
    "evaluate_progress",
    "grade",
    "leaderboard",
    "list_exercises",
    "load_exercise",
    "make_tamper_set",
    "score_package",
]
