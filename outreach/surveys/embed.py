"""Answering a placement's surveys from another public page: the workplace mentor's own page.

The mentor answers the mid-placement check-in and, once it is due, the end-of-placement evaluation
from her page (issue "the employer's side"), with the same questions, the same checks and the same
single answer as through the survey link: the questions are rendered by one include
(templates/outreach/surveys/_questions.html, which the survey page uses too), the answers are
checked by `parse_answers` and stored by `submit_response`, which claims the invitation first.

An invitation can be answered here while it can be answered through its link: not answered, not
cancelled, not expired (`SurveyInvitation.objects.answerable`). The evaluation invitation is made
when its step is due (the follow-up sweep's evaluation notice, which outreach.tasks hands to
`take_evaluation_notices`) or by a coach through the API's invite; a mid-placement check-in only
through the API's invite with kind mid_placement: nothing makes one on its own.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.utils import translation
from django.utils.translation import pgettext, pgettext_lazy

from crm.models import Contact
from outreach.surveys.answers import field_name, parse_answers
from outreach.surveys.models import Question, QuestionType, SurveyInvitation, SurveyKind
from outreach.surveys.services import submit_response
from placements.models import Placement

# The surveys a placement's mentor answers from her page.
PLACEMENT_KINDS = (SurveyKind.MID_PLACEMENT, SurveyKind.EMPLOYER_END)
NPS_KEYS = [str(number) for number in range(11)]
# Answered in one input, which carries its own aria-describedby (a choice question's fieldset carries it).
TEXT_TYPES = (QuestionType.NUMBER, QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT)
# The heading of each survey on the mentor's page.
TITLES = {
    SurveyKind.MID_PLACEMENT: pgettext_lazy("employer", "How is it going? A short check-in"),
    SurveyKind.EMPLOYER_END: pgettext_lazy("employer", "Your evaluation"),
}
# The key of the error when the invitation no longer takes an answer (answered in another tab, cancelled, expired).
REFUSED = NON_FIELD_ERRORS


def open_invitations(
    placement: Placement, *, now: dt.datetime, contact: Contact | None = None
) -> list[SurveyInvitation]:
    """The placement's check-in and evaluation invitations the contact can answer now, oldest first.

    The contact is the placement's mentor unless another is given: an invitation sent to someone else
    at the employer (the coach chose another contact) is hers to answer through her own link.
    """
    contact_id = contact.pk if contact is not None else placement.mentor_id
    if contact_id is None:
        return []
    return list(
        SurveyInvitation.objects.answerable(now=now)
        .filter(placement=placement, contact_id=contact_id, template__kind__in=PLACEMENT_KINDS)
        .select_related("template")
        .prefetch_related("template__questions")
        .order_by("created_at", "pk")
    )


def questions_of(invitation: SurveyInvitation) -> list[Question]:
    """The invitation's questions in order (prefetched by `open_invitations`)."""
    return sorted(invitation.template.questions.all(), key=lambda question: question.order)


def question_rows(
    questions: list[Question],
    language: str,
    data: Any = None,
    errors: dict[str, str] | None = None,
    *,
    prefix: str = "",
) -> list[dict[str, Any]]:
    """What the include needs per question: its wording in the language, the values given so far, its error.

    `id` is the id of the question's (first) input, where the error summary links to; `describedby` names
    the help and the error that aria-describedby points to; `prefix` keeps the ids of two forms on one
    page apart.
    """
    errors = errors or {}
    rows = []
    for question in questions:
        name, error, help_text = field_name(question), errors.get(question.key, ""), question.help(language)
        described = [f"{prefix}{name}-help" if help_text else "", f"{prefix}{name}-error" if error else ""]
        rows.append(
            {
                "q": question,
                "name": name,
                "id": f"{prefix}{name}",
                "text": question.text(language),
                "help": help_text,
                "choices": question.choices(language),
                "values": data.getlist(name) if data is not None else [],
                "error": error,
                "describedby": " ".join(part for part in described if part),
            }
        )
    return rows


def question_context(
    invitation: SurveyInvitation,
    *,
    language: str,
    data: Any = None,
    errors: dict[str, str] | None = None,
    prefix: str = "",
    questions: list[Question] | None = None,
) -> dict[str, Any]:
    """The context of templates/outreach/surveys/_questions.html for one invitation.

    After a refused post, pass the posted data (a QueryDict) and the errors of `submit_on_page`, so
    nothing typed is lost and each error is linked from the summary at the top.
    """
    rows = question_rows(
        questions if questions is not None else questions_of(invitation), language, data, errors, prefix=prefix
    )
    return {
        "invitation": invitation,
        "rows": rows,
        "nps_keys": NPS_KEYS,
        "text_types": [str(kind) for kind in TEXT_TYPES],
        "errors": any(row["error"] for row in rows),
        "error_list": [
            (row["id"], f"{number}. {row['text']} — {row['error']}")
            for number, row in enumerate(rows, start=1)
            if row["error"]
        ],
        "id_prefix": prefix,
    }


def submit_on_page(
    invitation: SurveyInvitation, data: Any, *, now: dt.datetime, language: str | None = None
) -> tuple[bool, dict[str, str]]:
    """Check and store the answers posted for an invitation, once: (True, {}) when stored.

    (False, errors by question key) when an answer needs correcting, worded in the language; nothing
    is stored. (False, {REFUSED: message}) when the invitation takes no answer any more (answered
    before, in another tab or through the survey link, cancelled or expired): nothing is stored, as
    the survey page refuses a second answer.
    """
    language = language or invitation.language
    with translation.override(language):
        answers, errors = parse_answers(questions_of(invitation), data)
        if errors:
            return False, errors
        if submit_response(invitation=invitation, answers=answers, language=language, now=now) is None:
            return False, {REFUSED: pgettext("employer", "This survey was already answered or is closed.")}
    return True, {}


# --- The surveys section of the mentor's page (templates/outreach/surveys/_page_surveys.html) ------------------


def posted_invitation(placement: Placement, data: Any, *, now: dt.datetime, contact: Contact | None = None) -> Any:
    """The open invitation a form of the page posted for (its `invitation` field), or None."""
    wanted = str(data.get("invitation", ""))
    return next((i for i in open_invitations(placement, now=now, contact=contact) if str(i.pk) == wanted), None)


def answer_from_page(
    placement: Placement, data: Any, *, now: dt.datetime, language: str, contact: Contact | None = None
) -> tuple[bool, dict[str, str]]:
    """Store the answers the page posted for one of the placement's open invitations, once (`submit_on_page`).

    An invitation that is not open for this placement and contact (answered in another tab, another
    placement's, made up) is refused like a second answer: (False, {REFUSED: message}).
    """
    invitation = posted_invitation(placement, data, now=now, contact=contact)
    if invitation is None:
        with translation.override(language):
            return False, {REFUSED: pgettext("employer", "This survey was already answered or is closed.")}
    return submit_on_page(invitation, data, now=now, language=language)


def page_surveys(
    placement: Placement,
    *,
    now: dt.datetime,
    language: str,
    contact: Contact | None = None,
    data: Any = None,
    errors: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """The context of each open survey on the page, in order; after a refused post, pass the posted data and
    the errors: the survey they were for shows them with what was typed, the others start empty."""
    wanted = str(data.get("invitation", "")) if data is not None else ""
    surveys = []
    for invitation in open_invitations(placement, now=now, contact=contact):
        mine = str(invitation.pk) == wanted
        context = question_context(
            invitation,
            language=language,
            data=data if mine else None,
            errors=errors if mine else None,
            prefix=f"survey-{invitation.pk}-",
        )
        with translation.override(language):
            title = str(TITLES.get(SurveyKind(invitation.template.kind), invitation.template.name))
        surveys.append({**context, "title": title})
    return surveys
