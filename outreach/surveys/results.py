"""Survey results as plain data: per placement, per employer, or per question across the network for a period.

Answers are grouped by the question's stable key, so the versions of a template add up; the
wording shown is the newest version's. Two queries whatever the number of answers: the answers
with their question, then nothing more (the grouping happens here). Exports escape formulae
(common/spreadsheets.py), as every export does (DESIGN "Non-negotiables").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

import tablib
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import pgettext

from common.spreadsheets import escape_formula, write_csv, write_xlsx
from outreach.surveys.models import Answer, Question, QuestionType, SurveyInvitation

NUMERIC = (QuestionType.SCALE, QuestionType.NPS, QuestionType.NUMBER)
CHOICE = (QuestionType.YES_NO, QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE)
TEXT = (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT)


@dataclass
class QuestionResult:
    """What the answers to one question say: how many, the average, the spread and the free texts."""

    key: str
    question: str
    type: str
    order: tuple[str, int]
    count: int = 0
    average: float | None = None
    nps: int | None = None
    distribution: list[dict[str, Any]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    _numbers: list[Decimal] = field(default_factory=list, repr=False)
    _counts: dict[str, int] = field(default_factory=dict, repr=False)


def answers_for(
    *,
    invitations: QuerySet[SurveyInvitation],
    placement: Any = None,
    employer: Any = None,
    kind: str | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> QuerySet[Answer]:
    """The answers given through the invitations (already limited to what the user may see), filtered."""
    answers = Answer.objects.filter(response__invitation__in=invitations)
    if placement is not None:
        answers = answers.filter(response__invitation__placement=placement)
    if employer is not None:
        answers = answers.filter(response__invitation__employer=employer)
    if kind:
        answers = answers.filter(response__template__kind=kind)
    if start is not None:
        answers = answers.filter(response__submitted_at__gte=start)
    if end is not None:
        answers = answers.filter(response__submitted_at__lt=end)
    return answers


def _yes_no(key: str, language: str) -> str:
    """Yes or No in a language, as the survey page offered them."""
    with translation.override(language):
        labels = {"yes": pgettext("employer", "Yes"), "no": pgettext("employer", "No")}
    return labels.get(key, key)


def _label(question: Question, key: str, language: str) -> str:
    if question.type == QuestionType.YES_NO:
        return _yes_no(key, language)
    if question.type in (QuestionType.SCALE, QuestionType.NPS):
        return key
    return dict(question.choices(language)).get(key, key)


def _finish(result: QuestionResult, question: Question, language: str) -> dict[str, Any]:
    """Averages, NPS and the ordered distribution of one question's collected answers."""
    if result._numbers:
        result.average = round(float(sum(result._numbers)) / len(result._numbers), 2)
    if result.type == QuestionType.NPS and result._numbers:
        promoters = sum(1 for n in result._numbers if n >= 9)
        detractors = sum(1 for n in result._numbers if n <= 6)
        result.nps = round(100 * (promoters - detractors) / len(result._numbers))
    if result.type == QuestionType.SCALE:
        keys = [str(n) for n in range(1, 6)]
    elif result.type == QuestionType.NPS:
        keys = [str(n) for n in range(11)]
    elif result.type == QuestionType.YES_NO:
        keys = ["yes", "no"]
    else:
        keys = question.option_keys()
    if result.type not in TEXT and result.type != QuestionType.NUMBER:
        result.distribution = [
            {"key": key, "label": _label(question, key, language), "count": result._counts.get(key, 0)} for key in keys
        ]
    data = asdict(result)
    for private in ("_numbers", "_counts", "order"):
        data.pop(private)
    return data


def summarise(answers: QuerySet[Answer], *, language: str = "en") -> list[dict[str, Any]]:
    """One summary per question key, in survey order, with the newest wording in the language."""
    results: dict[str, QuestionResult] = {}
    newest: dict[str, Question] = {}
    rows = answers.select_related("question__template").order_by("question__template__version", "-response_id")
    for answer in rows:
        question = answer.question
        key = question.key
        newest[key] = question
        result = results.setdefault(key, QuestionResult(key=key, question="", type=question.type, order=("", 0)))
        result.count += 1
        result.order = (question.template.kind, question.order)
        result.question = question.text(language)
        if question.type in NUMERIC and answer.number is not None:
            result._numbers.append(answer.number)
            if question.type != QuestionType.NUMBER:
                bucket = str(int(answer.number))
                result._counts[bucket] = result._counts.get(bucket, 0) + 1
        elif question.type in CHOICE:
            for choice in answer.choices:
                result._counts[choice] = result._counts.get(choice, 0) + 1
        elif answer.text:
            result.texts.append(answer.text)
    ordered = sorted(results.values(), key=lambda r: r.order)
    return [_finish(result, newest[result.key], language) for result in ordered]


def results_dataset(results: list[dict[str, Any]]) -> tablib.Dataset:
    """The summaries as a table: one row per question; every text cell formula-escaped."""
    data = tablib.Dataset(headers=["key", "question", "type", "answers", "average", "nps", "distribution", "free_text"])
    for row in results:
        spread = "; ".join(f"{item['label']}: {item['count']}" for item in row["distribution"])
        data.append(
            [
                row["key"],
                escape_formula(row["question"]),
                row["type"],
                row["count"],
                "" if row["average"] is None else row["average"],
                "" if row["nps"] is None else row["nps"],
                escape_formula(spread),
                escape_formula("\n".join(row["texts"])),
            ]
        )
    return data


def export_results(results: list[dict[str, Any]], *, file_format: str) -> tuple[bytes, str]:
    """The summaries as CSV or XLSX bytes, with the content type."""
    data = results_dataset(results)
    if file_format == "xlsx":
        return (
            write_xlsx(data, title="Survey results"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    return write_csv(data), "text/csv; charset=utf-8"
