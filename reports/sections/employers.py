"""What employers said: the end-of-placement evaluation, per question, per added value, per sector and over time.

The evaluation asks what igma's final evaluation asks (ch. 6 "Ondersteuning van werkgevers": were the
expectations met, the goals reached) and draws on Flora's question bank (analysis §4.9, E1-E25); each
question names the added value it measures among the five employers named (Flora IV.3 werkgever C,
analysis §4.8), which the dimension table groups by.

Answers are grouped by the question's stable key, so the versions of the survey add up, and the wording
shown is the newest version's (as outreach.surveys.results does). Every figure is aggregated in SQL. Each
evaluation is one employer's view of one placement, so a figure stands for as many employers as there are
evaluations behind it, and one behind fewer than five is hidden like any small group.

Which evaluations a reader counts: the network lead and relationship managers every one, narrowed by
the relationship manager and sector of the employer invited; a coach or case manager those about the
placements she may see (the placements' visibility rule, through Scope.placement_q).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any, cast

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.choices import Sector
from outreach.surveys.models import Answer, Question, QuestionType, SurveyKind, SurveyResponse, ValueDimension
from outreach.surveys.results import NUMERIC
from reports.drill import Rows
from reports.scope import Scope
from reports.sections.network import buckets, during, find_bucket, key_of, truncated
from reports.tables import Cell, Chart, Row, Section, Table

KEY = "employers"
OVER_CLIENTS = False
# The section's name: its page's heading, the navigation between the pages, the PDF's heading.
TITLE = gettext_lazy("What employers said")

KIND = SurveyKind.EMPLOYER_END
# How each numeric question is answered, as the reader sees it.
SCALES = {QuestionType.SCALE: "1–5", QuestionType.NPS: "0–10"}


# --- The evaluations a reader counts ---------------------------------------------------------------


def visible_q(scope: Scope, prefix: str) -> Q:
    """The evaluations the reader counts, seen from a model `prefix` away from the invitation ("invitation__").

    A coach or case manager counts those about the placements she may see, with the report's filters
    (Scope.placement_q); the network lead and a relationship manager count every one, narrowed by the
    relationship manager and sector of the invited employer, and by the coach of the placement's client.
    The gender filter is about clients and does not apply to employers' answers.
    """
    if scope.reads_clients and not scope.sees_network:
        return dataclasses.replace(scope, gender=None).placement_q(f"{prefix}placement__")
    rule = scope.employer_q(f"{prefix}employer__")
    if scope.coach_id:
        rule &= Q(**{f"{prefix}placement__client__coach_id": scope.coach_id})
    return rule


def _answers(scope: Scope) -> QuerySet[Answer]:
    """The answers to the end-of-placement evaluation submitted within the period that the reader counts."""
    return Answer.objects.filter(
        visible_q(scope, "response__invitation__"),
        during("response__submitted_at", scope.period.start, scope.period.end),
        response__template__kind=KIND,
    )


def _scale(answers: QuerySet[Answer]) -> QuerySet[Answer]:
    """Only the answers on a 1-5 scale."""
    return answers.filter(question__type=QuestionType.SCALE, number__isnull=False)


def _responses(scope: Scope) -> QuerySet[SurveyResponse]:
    """The evaluations submitted within the period that the reader counts, newest first."""
    return SurveyResponse.objects.filter(
        visible_q(scope, "invitation__"),
        during("submitted_at", scope.period.start, scope.period.end),
        template__kind=KIND,
    ).order_by("-submitted_at", "-pk")


def _average(value: Any, responses: int, href: str = "") -> Cell:
    """An average of answers, counted over the employers (evaluations) behind it."""
    return Cell(None if value is None else float(value), "average", responses, href)


# --- The tables ------------------------------------------------------------------------------------


def _questions() -> tuple[dict[str, Question], dict[str, tuple[int, int]]]:
    """Per numeric question key, its newest version, and its place (newest template first, then survey order).

    One query over the questions of every version (a few dozen rows).
    """
    newest: dict[str, Question] = {}
    for question in (
        Question.objects.filter(template__kind=KIND, type__in=NUMERIC)
        .select_related("template")
        .order_by("template__version", "order")
    ):
        newest[question.key] = question
    top = max((question.template.version for question in newest.values()), default=0)
    place = {key: (top - question.template.version, question.order) for key, question in newest.items()}
    return newest, place


def _by_question(scope: Scope) -> Table:
    """Per numeric question (by key, across versions): the answers and their average. Two queries."""
    found = {
        row["question__key"]: row
        for row in cast(
            Iterable[dict[str, Any]],
            _answers(scope)
            .filter(question__type__in=NUMERIC, number__isnull=False)
            .values("question__key")
            .annotate(n=Count("pk"), average=Avg("number"))
            .order_by(),
        )
    }
    newest, place = _questions()
    language = translation.get_language() or "en"
    keys = sorted((key for key in newest if place[key][0] == 0 or key in found), key=lambda key: place[key])
    rows = []
    for key in keys:
        question = newest[key]
        n = found.get(key, {}).get("n", 0)
        href = scope.drill(KEY, "by_question", key, "average")
        rows.append(
            Row(
                key,
                question.text(language),
                [
                    Cell(n, "count", n, scope.drill(KEY, "by_question", key, "answers")),
                    _average(found.get(key, {}).get("average"), n, href),
                    Cell(SCALES.get(QuestionType(question.type), _("number")), "text", None),
                ],
            )
        )
    return Table(
        "by_question",
        _("The evaluation's questions"),
        [_("Answers"), _("Average"), _("Answered on")],
        rows,
        column_keys=["answers", "average", "scale"],
        note=_(
            "The numeric questions of the employers' evaluation at the end of a placement: 1-5 scales, the "
            "0-10 recommendation and numbers (such as weeks). Each answer is one employer's, about one "
            "placement; a figure over fewer than 5 answers is hidden. Versions of the survey add up by "
            "question; the wording is the newest version's."
        ),
        row_heading=_("Question"),
    )


def _by_dimension(scope: Scope) -> Table:
    """Per added-value dimension: the 1-5 answers and their average. One query."""
    found = {
        row["question__dimension"]: row
        for row in cast(
            Iterable[dict[str, Any]],
            _scale(_answers(scope))
            .exclude(question__dimension="")
            .values("question__dimension")
            .annotate(n=Count("pk"), responses=Count("response_id", distinct=True), average=Avg("number"))
            .order_by(),
        )
    }
    rows = []
    for dimension in ValueDimension:
        if not dimension.value:
            continue
        row = found.get(dimension.value, {})
        responses = row.get("responses", 0)
        rows.append(
            Row(
                dimension.value,
                str(dimension.label),
                [
                    Cell(
                        row.get("n", 0),
                        "count",
                        responses,
                        scope.drill(KEY, "by_dimension", dimension.value, "answers"),
                    ),
                    _average(
                        row.get("average"), responses, scope.drill(KEY, "by_dimension", dimension.value, "average")
                    ),
                ],
            )
        )
    return Table(
        "by_dimension",
        _("What employers valued"),
        [_("Answers"), _("Average (1-5)")],
        rows,
        column_keys=["answers", "average"],
        note=_(
            "The 1-5 answers grouped by the added value each question measures: the overall judgement and the "
            "five added values employers named (Flora IV.3 werkgever C). The recommendation (0-10) and numbers "
            "are left out. An evaluation answers several questions of a dimension, so a figure is hidden when "
            "fewer than 5 evaluations stand behind it."
        ),
        chart=Chart("bar", columns=[1]),
        row_heading=_("Added value"),
    )


def _by_sector(scope: Scope) -> Table:
    """Per sector of the employer: the 1-5 answers and their average. One query."""
    found = {
        row["response__invitation__employer__sector"]: row
        for row in cast(
            Iterable[dict[str, Any]],
            _scale(_answers(scope))
            .values("response__invitation__employer__sector")
            .annotate(n=Count("pk"), responses=Count("response_id", distinct=True), average=Avg("number"))
            .order_by(),
        )
    }
    sectors: list[tuple[str, str]] = [(value, str(label)) for value, label in Sector.choices]
    sectors.append(("", _("Sector not recorded")))
    rows = []
    for value, label in sectors:
        row = found.get(value, {})
        responses = row.get("responses", 0)
        rows.append(
            Row(
                value,
                label,
                [
                    Cell(row.get("n", 0), "count", responses, scope.drill(KEY, "by_sector", value, "answers")),
                    _average(row.get("average"), responses, scope.drill(KEY, "by_sector", value, "average")),
                ],
            )
        )
    return Table(
        "by_sector",
        _("Evaluations per sector"),
        [_("Answers"), _("Average (1-5)")],
        rows,
        column_keys=["answers", "average"],
        note=_(
            "All 1-5 answers of the evaluations, by the sector of the employer who answered. A figure is "
            "hidden when fewer than 5 evaluations stand behind it."
        ),
        chart=Chart("bar", columns=[1]),
        row_heading=_("Sector"),
    )


def _over_time(scope: Scope) -> Table:
    """Per quarter (or year) of the period: the evaluations and the average of their 1-5 answers. One query."""
    unit, found_buckets = buckets(scope.period, finest="quarter")
    scale = Q(question__type=QuestionType.SCALE, number__isnull=False)
    found = {
        key_of(row["bucket"], unit): row
        for row in cast(
            Iterable[dict[str, Any]],
            _answers(scope)
            .annotate(bucket=truncated("response__submitted_at", unit))
            .values("bucket")
            .annotate(responses=Count("response_id", distinct=True), average=Avg("number", filter=scale))
            .order_by(),
        )
    }
    rows = []
    for bucket in found_buckets:
        row = found.get(bucket.key, {})
        responses = row.get("responses", 0)
        rows.append(
            Row(
                bucket.key,
                bucket.label,
                [
                    Cell(responses, "count", responses, scope.drill(KEY, "over_time", bucket.key, "responses")),
                    _average(row.get("average"), responses, scope.drill(KEY, "over_time", bucket.key, "average")),
                ],
            )
        )
    per = _("quarter") if unit == "quarter" else _("year")
    return Table(
        "over_time",
        _("Evaluations per %(unit)s") % {"unit": per},
        [_("Evaluations"), _("Average (1-5)")],
        rows,
        column_keys=["responses", "average"],
        note=_(
            "The evaluations submitted in each %(unit)s and the average of all their 1-5 answers. A period of "
            "more than 24 quarters is shown per year; the first and last %(unit)s count only the days within "
            "the period."
        )
        % {"unit": per},
        chart=Chart("line", columns=[1]),
        row_heading=_("Period"),
    )


def build(scope: Scope) -> Section:
    """The section's tables for the scope: five queries whatever the number of answers."""
    intro = _(
        "What employers said in the evaluation at the end of a placement: per question, per added value "
        "they named, per sector and over time. Only evaluations submitted within the period count."
    )
    if scope.reads_clients and not scope.sees_network:
        intro += " " + _("You read the evaluations about the placements you may see.")
    if scope.gender is not None:
        intro += " " + _("The gender filter is about clients and does not apply to employers' answers.")
    return Section(
        KEY,
        str(TITLE),
        intro,
        [_by_question(scope), _by_dimension(scope), _by_sector(scope), _over_time(scope)],
        source=_(
            "Questions: Flora analysis §4.9 (E1-E25) and igma ch. 6, final evaluation. Added values: Flora IV.3 "
            "werkgever C (analysis §4.8)."
        ),
    )


# --- Drill-downs -----------------------------------------------------------------------------------


def rows(scope: Scope, table: str, row: str, column: str) -> Rows | None:
    """The evaluations behind one figure; None when the figure has none to show."""
    responses = _responses(scope)
    answers = _answers(scope)
    if table == "by_question" and column in ("answers", "average"):
        question = Question.objects.filter(template__kind=KIND, key=row, type__in=NUMERIC).order_by(
            "-template__version"
        )
        newest = question.first()
        if newest is None:
            return None
        behind = answers.filter(question__key=row, number__isnull=False)
        title = newest.text(translation.get_language() or "en")
    elif table == "by_dimension" and column in ("answers", "average"):
        if not row or row not in ValueDimension.values:
            return None
        behind = _scale(answers).filter(question__dimension=row)
        title = str(ValueDimension(row).label)
    elif table == "by_sector" and column in ("answers", "average"):
        if row and row not in Sector.values:
            return None
        behind = _scale(answers).filter(response__invitation__employer__sector=row)
        title = str(Sector(row).label) if row else _("Sector not recorded")
    elif table == "over_time" and column in ("responses", "average"):
        bucket = find_bucket(scope.period, row, finest="quarter")
        if bucket is None:
            return None
        behind = answers.filter(during("response__submitted_at", bucket.first, bucket.last))
        title = _("Evaluations: %(period)s") % {"period": bucket.label}
    else:
        return None
    return Rows("responses", responses.filter(pk__in=behind.values("response_id")), title)
