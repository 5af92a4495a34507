"""The workplace mentor's page: issuing and revoking her link, and what she does on it (issue 14; Flora IV.3,
the employer's part B).

The link is valid from the first info pack for the placement (`issue_link`, called by the pack service)
until MENTOR_LINK_DAYS_AFTER_END after the placement ends (MentorLink.works: not revoked, not
expired, placement not cancelled, still the placement's mentor). GET only shows (and notes when she
last opened it, `record_open`); her posts confirm a visit, propose another date, or raise a concern.
A concern makes an urgent follow-up for the coach (an employer-track step due today), tells the coach
and her case manager at once through the one mail pipeline, and is logged on the employer's timeline
without its words (they are casework: the timeline is read by relationship managers too, Flora III.1.B).
Every form carries a key drawn when it was shown, so a double click or a second tab stores it once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common import links
from common.types import Actor, actor_user
from common.urls import absolute_url
from crm.choices import Initiator, InteractionKind
from crm.models import Interaction
from crm.services import log_interaction
from outreach.mail.queue import Publisher, queued_fields
from outreach.mentors.models import (
    ANSWER_MAX_LENGTH,
    CONCERN_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    MentorConcern,
    MentorLink,
    MentorMail,
    MentorMailKind,
    Urgency,
    VisitReply,
    VisitReplyKind,
)
from placements.choices import OPEN_STEP_STATUSES, PlacementStatus, StepKind, StepStatus, Track
from placements.models import AftercareStep, Placement
from placements.scheduling import local_date
from placements.services import add_step, complete_step

PURPOSE = "werkbrug.mentor"
# The page notes when the mentor last opened it at most this often: reopening it is not worth a write each time.
OPEN_WRITE_INTERVAL = dt.timedelta(minutes=1)
# A form key is drawn by the page (secrets.token_urlsafe(24)); anything else is refused.
KEY_LENGTH = (16, 64)
# The steps the mentor sees and answers: the employer's track (joint steps are on it too).
MENTOR_TRACKS = (Track.EMPLOYER, Track.JOINT)
VISIT_KINDS = (StepKind.VISIT, StepKind.THREE_WAY)
# How far ahead she may propose a date.
PROPOSE_WITHIN = dt.timedelta(days=366)

# --- The link ----------------------------------------------------------------------------------------------------


def link_text(link: MentorLink) -> str:
    """The link's token (prefix + secret), derived from the stored seed like the survey links."""
    return links.link_for(link.token_prefix, link.token_seed, purpose=PURPOSE)


def link_url(link: MentorLink) -> str:
    """The personal page's absolute address (SITE_URL), for mails, packs and the coach to copy."""
    return absolute_url(reverse("mentor-page", args=[link_text(link)]))


def current_link(placement: Placement, *, now: dt.datetime | None = None) -> MentorLink | None:
    """The working link of the placement's mentor, or None."""
    if placement.mentor_id is None:
        return None
    now = now or timezone.now()
    live = MentorLink.objects.live().filter(placement=placement, contact_id=placement.mentor_id)
    link = live.select_related("placement").first()
    return link if link is not None and link.works(now=now) else None


def mentor_page_url(placement: Placement, *, now: dt.datetime | None = None) -> str | None:
    """The mentor's page for mails and packs (absolute, like survey_url), or None without a working link."""
    link = current_link(placement, now=now)
    return link_url(link) if link is not None else None


def issued_page_url(placement: Placement, *, now: dt.datetime | None = None) -> str | None:
    """The mentor's page for a mail that means the placement is on (a check-in): issued now when she has no working
    link; None when there is no mentor or the placement was cancelled."""
    try:
        link = issue_link(placement=placement, actor=None, now=now)
    except ValidationError:
        return None
    return link_url(link)


def _check_issuable(placement: Placement) -> None:
    if placement.mentor_id is None:
        raise ValidationError({"mentor": _("Record the workplace mentor first: the link is hers.")})
    if placement.status == PlacementStatus.CANCELLED:
        raise ValidationError({"placement": _("The placement was cancelled: its mentor gets no link.")})


@transaction.atomic
def issue_link(*, placement: Placement, actor: Actor, now: dt.datetime | None = None) -> MentorLink:
    """The mentor's working link, made now if she has none (idempotent): at the first info pack, a check-in mail,
    or the coach's button. A live link that expired is revoked and replaced.

    No row lock: the pack services lock the employer and the placement in their own orders, so a third
    lock here could deadlock with them. Two requests at once are settled by the one-live-link constraint.
    """
    now = now or timezone.now()
    placement = Placement.objects.select_related("mentor").get(pk=placement.pk)
    _check_issuable(placement)
    mentor = placement.mentor
    assert mentor is not None  # _check_issuable
    live = MentorLink.objects.live().filter(placement=placement, contact=mentor).first()
    if live is not None:
        live.placement = placement
        if live.works(now=now):
            return live
        MentorLink.objects.filter(pk=live.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=actor_user(actor)
        )
    token = links.new_token(purpose=PURPOSE)
    try:
        with transaction.atomic():
            return MentorLink.objects.create(
                placement=placement,
                contact=mentor,
                token_prefix=token.prefix,
                token_seed=token.seed,
                token_hash=token.hash,
                created_at=now,
                created_by=actor_user(actor),
            )
    except IntegrityError:
        # Another request issued her link at the same moment: that one is hers.
        return MentorLink.objects.live().select_related("placement").get(placement=placement, contact=mentor)


@transaction.atomic
def revoke_link(*, placement: Placement, actor: Actor, now: dt.datetime | None = None) -> int:
    """Stop every live link of the placement at once; how many were revoked (0 when there was none)."""
    now = now or timezone.now()
    return MentorLink.objects.live().filter(placement=placement).update(revoked_at=now, revoked_by=actor_user(actor))


@transaction.atomic
def reissue_link(*, placement: Placement, actor: Actor, now: dt.datetime | None = None) -> MentorLink:
    """A new link with a new seed for the placement's mentor; the old one stops working."""
    now = now or timezone.now()
    _check_issuable(placement)
    revoke_link(placement=placement, actor=actor, now=now)
    return issue_link(placement=placement, actor=actor, now=now)


def find_link(link: str, *, now: dt.datetime) -> MentorLink | None:
    """The working link a visitor presents; None for malformed, unknown, tampered, revoked and expired alike."""
    parts = links.split_link(link)
    if parts is None:
        return None
    prefix, secret = parts
    # No ORDER BY: at most one candidate's hash matches, and ordering five tables' columns costs Django about
    # 0.4 ms of CPU to compile on every page and post.
    candidates = (
        MentorLink.objects.live()
        .filter(token_prefix=prefix)
        .select_related("placement__client", "placement__coach", "placement__employer", "contact")
        .order_by()
    )
    for candidate in candidates:
        if links.secret_matches(secret, candidate.token_hash):
            return candidate if candidate.works(now=now) else None
    return None


def record_open(*, link: MentorLink, now: dt.datetime) -> bool:
    """Note that the mentor opened her page (her browser posts once it loaded), at most once per OPEN_WRITE_INTERVAL."""
    stale = Q(last_opened_at__isnull=True) | Q(last_opened_at__lt=now - OPEN_WRITE_INTERVAL)
    written = MentorLink.objects.filter(stale, pk=link.pk).update(last_opened_at=now)
    if written:
        link.last_opened_at = now
    return bool(written)


# --- What she sees -----------------------------------------------------------------------------------------------


def mentor_steps(placement: Placement) -> list[AftercareStep]:
    """The open steps of the employer's track, by date, without the follow-ups her own concerns made."""
    return list(
        AftercareStep.objects.filter(placement=placement, track__in=MENTOR_TRACKS, status__in=OPEN_STEP_STATUSES)
        .filter(mentor_concerns__isnull=True)
        .select_related("template")
        .order_by("due_on", "pk")
    )


def is_visit(step: AftercareStep) -> bool:
    """A step the mentor confirms or proposes another date for: a workplace visit or a three-way meeting."""
    return step.kind in VISIT_KINDS


def concern_answered_at(concern: MentorConcern) -> dt.datetime | None:
    """When the coach answered: marked answered on the page, or the follow-up done in the step list."""
    if concern.answered_at is not None:
        return concern.answered_at
    step = concern.step
    return step.completed_at if step is not None and step.status == StepStatus.DONE else None


# --- What she does -----------------------------------------------------------------------------------------------


def _check_key(key: str) -> str:
    key = (key or "").strip()
    low, high = KEY_LENGTH
    if not low <= len(key) <= high or not all(ch.isalnum() or ch in "-_" for ch in key):
        raise ValidationError({"key": _("The form has expired: reload the page and try again.")})
    return key


def _mentor_step(link: MentorLink, step_pk: int | str) -> AftercareStep:
    """An open employer-track visit of the link's placement, or a ValidationError (never another placement's)."""
    try:
        pk = int(step_pk)
    except (TypeError, ValueError):
        pk = 0
    step = next((s for s in mentor_steps(link.placement) if s.pk == pk and is_visit(s)), None)
    if step is None:
        raise ValidationError({"step": _("This visit is no longer planned; reload the page to see the schedule.")})
    return step


def _mentor_name(link: MentorLink) -> str:
    return str(link.contact.full_name)


@dataclass(frozen=True)
class Stored:
    """What a post stored, and whether this post stored it (False: the same form was posted before)."""

    row: MentorConcern | VisitReply
    created: bool


def _existing(model: type[MentorConcern] | type[VisitReply], link: MentorLink, key: str) -> Stored | None:
    row = model.objects.filter(link=link, idempotency_key=key).first()
    return Stored(row, created=False) if row is not None else None


def _store_once(
    model: type[MentorConcern] | type[VisitReply],
    link: MentorLink,
    key: str,
    build: Callable[[], MentorConcern | VisitReply],
) -> Stored:
    """Insert the row `build` makes under its form key, with whatever it writes alongside, all or nothing; a second
    post of the same form finds the first row instead and writes nothing."""
    earlier = _existing(model, link, key)
    if earlier is not None:
        return earlier
    try:
        with transaction.atomic():
            row = build()
    except IntegrityError:
        # Two tabs posted at the same moment: the other one stored it (and what goes with it; ours is rolled back).
        earlier = _existing(model, link, key)
        if earlier is None:
            raise
        return earlier
    return Stored(row, created=True)


def _store_reply(link: MentorLink, key: str, step: AftercareStep, kind: str, now: dt.datetime, **extra: Any) -> Stored:
    """A visit reply stored once per form key (_store_once), for the step's present date."""
    return _store_once(
        VisitReply,
        link,
        key,
        lambda: VisitReply.objects.create(
            link=link, idempotency_key=key, step=step, kind=kind, for_due_on=step.due_on, created_at=now, **extra
        ),
    )


def confirm_visit(*, link: MentorLink, step_pk: int | str, key: str, now: dt.datetime | None = None) -> VisitReply:
    """The mentor confirms a planned visit on its date; the coach sees it on the placement page."""
    now = now or timezone.now()
    key = _check_key(key)
    step = _mentor_step(link, step_pk)
    with transaction.atomic():
        stored = _store_reply(link, key, step, VisitReplyKind.CONFIRMED, now)
    assert isinstance(stored.row, VisitReply)
    return stored.row


def _check_proposal(step: AftercareStep, proposed_on: dt.date | None, note: str, today: dt.date) -> str:
    errors: dict[str, str] = {}
    if proposed_on is None:
        errors["proposed_on"] = _("Give the date that suits you better, as day, month and year.")
    elif proposed_on < today:
        errors["proposed_on"] = _("The date has passed: give a date from today on.")
    elif proposed_on > today + PROPOSE_WITHIN:
        errors["proposed_on"] = _("Give a date within a year.")
    elif proposed_on == step.due_on:
        errors["proposed_on"] = _("That is the planned date: use Confirm instead.")
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        errors["note"] = _("Keep the note under %(count)s characters.") % {"count": NOTE_MAX_LENGTH}
    if errors:
        raise ValidationError(errors)
    return note


def propose_date(
    *,
    link: MentorLink,
    step_pk: int | str,
    proposed_on: dt.date | None,
    note: str,
    key: str,
    now: dt.datetime | None = None,
) -> VisitReply:
    """The mentor proposes another date for a planned visit: the step stays where it is, the coach is told by mail
    and sees it on the placement page, and accepts by moving the step herself."""
    now = now or timezone.now()
    key = _check_key(key)
    step = _mentor_step(link, step_pk)
    note = _check_proposal(step, proposed_on, note, local_date(now))
    with transaction.atomic():
        stored = _store_reply(link, key, step, VisitReplyKind.PROPOSED, now, proposed_on=proposed_on, note=note)
        reply = stored.row
        assert isinstance(reply, VisitReply)
        if stored.created:
            _queue_mails(MentorMailKind.PROPOSAL, [link.placement.coach], now=now, reply=reply)
    return reply


def _check_concern(link: MentorLink, what_happened: str, urgency: str, call_back: bool, phone: str) -> tuple[str, str]:
    """The concern's text and phone, or every problem at once; a call back needs a number, typed or on her record."""
    errors: dict[str, str] = {}
    text = (what_happened or "").strip()
    phone = (phone or "").strip()
    if not text:
        errors["what_happened"] = _("Say in a few words what happened.")
    elif len(text) > CONCERN_MAX_LENGTH:
        errors["what_happened"] = _("Keep it under %(count)s characters.") % {"count": CONCERN_MAX_LENGTH}
    if urgency not in Urgency.values:
        errors["urgency"] = _("Choose how urgent it is.")
    if len(phone) > 40 or (phone and not all(ch.isdigit() or ch in "+-() ./" for ch in phone)):
        errors["phone"] = _("Give a phone number of digits, spaces and +, like +31 6 1234 5678.")
    elif call_back and not phone and not link.contact.phone:
        errors["phone"] = _("Give the number to call you back on.")
    if errors:
        raise ValidationError(errors)
    return text, phone


def raise_concern(
    *,
    link: MentorLink,
    what_happened: str,
    urgency: str,
    call_back: bool,
    phone: str,
    key: str,
    now: dt.datetime | None = None,
) -> MentorConcern:
    """Store the mentor's concern once per form; the first post makes the coach's urgent follow-up, logs it on the
    employer's timeline and mails the coach and the client's case manager at once."""
    now = now or timezone.now()
    key = _check_key(key)
    text, phone = _check_concern(link, what_happened, urgency, call_back, phone)
    concern = MentorConcern(
        link=link,
        idempotency_key=key,
        placement=link.placement,
        what_happened=text,
        urgency=urgency,
        call_back=call_back,
        phone=phone,
        created_at=now,
    )
    with transaction.atomic():
        stored = _store_once(MentorConcern, link, key, lambda: _with_follow_up(concern, link, now))
        if stored.created:
            placement = link.placement
            recipients = [placement.coach, placement.client.case_manager]
            _queue_mails(
                MentorMailKind.CONCERN, [user for user in recipients if user is not None], now=now, concern=concern
            )
    assert isinstance(stored.row, MentorConcern)
    return stored.row


def _with_follow_up(concern: MentorConcern, link: MentorLink, now: dt.datetime) -> MentorConcern:
    """The coach's urgent step and the timeline line, then the concern itself, which names both in the one INSERT
    (no UPDATE after it); `_store_once` rolls all three back when the form's key was stored meanwhile."""
    concern.step = _concern_step(concern, link.placement, now)
    concern.interaction = _log(link, concern_summary(concern), now)
    concern.save(force_insert=True)
    return concern


def _concern_step(concern: MentorConcern, placement: Placement, now: dt.datetime) -> AftercareStep | None:
    """An employer-track call due today, assigned to the coach and marked as the mentor's concern.

    Written in the site's language like every step title typed by staff. A placement that has not
    started yet takes no steps (placements.services.add_step): the mails still go out.
    """
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Concern from the workplace mentor (%(urgency)s)") % {
            "urgency": concern.get_urgency_display().lower()
        }
        reason = _("Raised by %(name)s on the mentor's page.") % {"name": _mentor_name(concern.link)}
    try:
        with transaction.atomic():
            step = add_step(
                placement=placement,
                actor=None,
                title=title,
                due_on=local_date(now),
                reason=reason,
                kind=StepKind.CALL,
                track=Track.EMPLOYER,
                assignee=placement.coach,
                now=now,
            )
    except ValidationError:
        return None
    # Due today: the follow-up lists and reminders treat it as due now, not at the next sweep.
    AftercareStep.objects.filter(pk=step.pk, status=StepStatus.PLANNED).update(status=StepStatus.DUE)
    step.status = StepStatus.DUE
    return step


@transaction.atomic
def answer_concern(
    *, concern: MentorConcern, actor: Actor, answer: str, now: dt.datetime | None = None
) -> MentorConcern:
    """The coach marks a concern answered with a short answer; its follow-up is done with the answer as outcome.
    The mentor sees on her page when it was answered."""
    now = now or timezone.now()
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("Say in a few words how you answered.")})
    if len(answer) > ANSWER_MAX_LENGTH:
        raise ValidationError({"answer": _("Keep it under %(count)s characters.") % {"count": ANSWER_MAX_LENGTH}})
    values = {"answered_at": now, "answered_by": actor_user(actor), "answer": answer}
    if not MentorConcern.objects.filter(pk=concern.pk, answered_at__isnull=True).update(**values):
        raise ValidationError({"answer": _("This concern was already answered.")})
    for field, value in values.items():
        setattr(concern, field, value)
    if concern.step_id is not None:
        step = AftercareStep.objects.filter(pk=concern.step_id, status__in=OPEN_STEP_STATUSES).first()
        if step is not None:
            complete_step(step=step, actor=actor, outcome=answer, now=now)
    return concern


# --- The timeline and the mails ----------------------------------------------------------------------------------


def concern_summary(concern: MentorConcern) -> str:
    """The timeline line of a concern, in the active language: who, how urgent; never what she wrote (casework)."""
    return _("%(name)s raised a concern on the mentor's page (%(urgency)s); the coach follows it up.") % {
        "name": _mentor_name(concern.link),
        "urgency": concern.get_urgency_display().lower(),
    }


def word_mentor_interactions(interactions: Sequence[Interaction]) -> dict[int, str]:
    """The timeline lines, in the reader's language, of the concerns the mentor's page logged; one query at most."""
    pks = [
        interaction.pk
        for interaction in interactions
        if interaction.kind == InteractionKind.EMAIL and interaction.initiated_by == Initiator.EMPLOYER
    ]
    if not pks:
        return {}
    concerns = MentorConcern.objects.filter(interaction_id__in=pks).select_related("link__contact")
    return {concern.interaction_id: concern_summary(concern) for concern in concerns if concern.interaction_id}


def _log(link: MentorLink, summary_of: str, now: dt.datetime) -> Interaction:
    """Log what the mentor did on the employer's timeline, stored in the site's language (crm.timeline rewords it)."""
    return log_interaction(
        employer=link.placement.employer,
        actor=None,
        kind=InteractionKind.EMAIL,
        summary=summary_of,
        contact=link.contact,
        occurred_at=now,
        complete_open_steps=False,
        now=now,
        initiated_by=Initiator.EMPLOYER,
    )


def _queue_mails(
    kind: str,
    users: Sequence[Any],
    *,
    now: dt.datetime,
    concern: MentorConcern | None = None,
    reply: VisitReply | None = None,
) -> list[MentorMail]:
    """One mail per staff member with an address, all inserted at once and published after commit (staff mails are
    in the site's language)."""
    seen: set[int] = set()
    rows = []
    queued = queued_fields()
    for user in users:
        pk = getattr(user, "pk", None)
        email = str(getattr(user, "email", "") or "")
        if pk is None or pk in seen or not email:
            continue
        seen.add(pk)
        rows.append(
            MentorMail(
                kind=kind,
                recipient=user,
                recipient_email=email,
                language=settings.LANGUAGE_CODE[:2],
                concern=concern,
                reply=reply,
                created_at=now,
                queued_at=now,
                **queued,
            )
        )
    # One INSERT for the coach's and the case manager's rows; PostgreSQL and SQLite (3.35+) return their keys.
    MentorMail.objects.bulk_create(rows)
    Publisher().publish(MentorMail, [row.pk for row in rows])
    return rows


def deliver_mentor_mail(*, mail_pk: int, now: dt.datetime | None = None) -> str:
    """Send one mail about the mentor's page at most once; its new status, "retry", or ""."""
    # The mails module links to the placement page through outreach.followups.mails, which puts the mentor's
    # link in the check-in mail with this module: imported here, the two do not import each other at load.
    from outreach.mail.send import deliver
    from outreach.mentors.mails import load_mail, mentor_mail

    return deliver(MentorMail, mail_pk, load=load_mail, build=mentor_mail, now=now)
