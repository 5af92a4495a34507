"""Helpers for the survey tests: an invitation with its link, complete answers, an isolated rate-limit cache."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.utils import timezone

from outreach.surveys.answers import field_name
from outreach.surveys.links import link_for
from outreach.surveys.models import QuestionType, SurveyInvitation, SurveyTemplate
from outreach.surveys.services import invite_for_placement
from placements.models import Placement

# A dedicated Redis database for the tests, so they never touch the broker's keys.
TEST_REDIS = "redis://127.0.0.1:6379/13"


def survey_caches() -> dict[str, Any]:
    """CACHES with the survey alias on the real Redis, under a key prefix of its own for one test."""
    return {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "surveys": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": TEST_REDIS,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        },
    }


def invite(
    placement: Placement, *, now: dt.datetime | None = None, kind: str = "employer_end"
) -> tuple[SurveyInvitation, str]:
    """Invite the placement's mentor; returns the invitation and its link."""
    invitation = invite_for_placement(placement=placement, actor=None, now=now or timezone.now(), kind=kind)
    return invitation, link_for(invitation.token_prefix, invitation.token_seed)


ANSWER_FOR = {
    QuestionType.SCALE: "4",
    QuestionType.NPS: "9",
    QuestionType.NUMBER: "6",
    QuestionType.YES_NO: "yes",
    QuestionType.SHORT_TEXT: "Fine",
    QuestionType.LONG_TEXT: "More visits in the first month.",
}


def full_answers(template: SurveyTemplate) -> dict[str, Any]:
    """A valid answer to every question of a template, as form data."""
    data: dict[str, Any] = {}
    for question in template.questions.all():
        if question.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
            data[field_name(question)] = question.option_keys()[0]
        else:
            data[field_name(question)] = ANSWER_FOR[QuestionType(question.type)]
    return data
