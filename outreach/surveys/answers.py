"""Survey answers: parsing and validating what an employer posted, a pure function of the question."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

from outreach.surveys.models import Question, QuestionType

TEXT_LIMITS = {QuestionType.SHORT_TEXT: 200, QuestionType.LONG_TEXT: 4000}
NUMBER_LIMIT = Decimal("99999999")


@dataclass
class CleanAnswer:
    """A validated answer, ready to store."""

    question: Question
    number: Decimal | None = None
    text: str = ""
    choices: list[str] = field(default_factory=list)


def field_name(question: Question) -> str:
    """The form field of a question: its stable key."""
    return f"q_{question.key}"


class AnswerError(ValueError):
    """Why an answer was refused: a lazy message and its parameters, worded in the language active when shown."""

    def __init__(self, message: str | Promise, **params: Any) -> None:
        super().__init__(message)
        self.text, self.params = message, params

    def __str__(self) -> str:
        """The message in the active language, its parameters filled in."""
        return str(self.text) % self.params


REQUIRED = pgettext_lazy("employer", "Please answer this question.")
OUT_OF_RANGE = pgettext_lazy("employer", "Choose a value from %(low)s to %(high)s.")
NOT_A_NUMBER = pgettext_lazy("employer", "Enter a number, for example 6.")
NOT_A_CHOICE = pgettext_lazy("employer", "Choose one of the options.")
TOO_LONG = pgettext_lazy("employer", "Please keep it under %(limit)s characters.")


def _whole(raw: str, low: int, high: int) -> Decimal:
    """A whole number within bounds."""
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise AnswerError(OUT_OF_RANGE, low=low, high=high)
    return Decimal(int(raw))


def _number(raw: str) -> Decimal:
    """A number (comma or dot as decimal sign), zero or more."""
    try:
        value = Decimal(raw.replace(",", ".").replace(" ", ""))
    except InvalidOperation as exc:
        raise AnswerError(NOT_A_NUMBER) from exc
    if not value.is_finite() or value < 0 or value > NUMBER_LIMIT:
        raise AnswerError(NOT_A_NUMBER)
    return value.quantize(Decimal("0.01"))


def _one_choice(raw: str, keys: list[str]) -> list[str]:
    if raw not in keys:
        raise AnswerError(NOT_A_CHOICE)
    return [raw]


def parse_answer(question: Question, values: list[str]) -> CleanAnswer | None:
    """One question's submitted values as a clean answer; None when left empty; AnswerError when refused."""
    values = [value.strip() for value in values if value.strip()]
    if not values:
        if question.required:
            raise AnswerError(REQUIRED)
        return None
    raw = values[0]
    kind = question.type
    if kind == QuestionType.SCALE:
        return CleanAnswer(question, number=_whole(raw, 1, 5))
    if kind == QuestionType.NPS:
        return CleanAnswer(question, number=_whole(raw, 0, 10))
    if kind == QuestionType.NUMBER:
        return CleanAnswer(question, number=_number(raw))
    if kind == QuestionType.YES_NO:
        return CleanAnswer(question, choices=_one_choice(raw, ["yes", "no"]))
    if kind == QuestionType.SINGLE_CHOICE:
        return CleanAnswer(question, choices=_one_choice(raw, question.option_keys()))
    if kind == QuestionType.MULTIPLE_CHOICE:
        keys = question.option_keys()
        if any(value not in keys for value in values):
            raise AnswerError(NOT_A_CHOICE)
        return CleanAnswer(question, choices=[key for key in keys if key in values])
    limit = TEXT_LIMITS.get(QuestionType(kind), 4000)
    if len(raw) > limit:
        raise AnswerError(TOO_LONG, limit=limit)
    return CleanAnswer(question, text=raw)


def parse_answers(questions: list[Question], data: Any) -> tuple[list[CleanAnswer], dict[str, str]]:
    """Validate a submitted form (a QueryDict): the clean answers, and a message per failed question key.

    The messages are worded in the active language: the page activates its own.
    """
    answers: list[CleanAnswer] = []
    errors: dict[str, str] = {}
    for question in questions:
        try:
            answer = parse_answer(question, data.getlist(field_name(question)))
        except AnswerError as exc:
            errors[question.key] = str(exc)
            continue
        if answer is not None:
            answers.append(answer)
    return answers, errors
