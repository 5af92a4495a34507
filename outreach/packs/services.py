"""Info pack workflows: generate a version, build its PDF, preview it, mail it, and keep placement packs current.

Versions count per employer (general pack) or per placement (placement pack); one request makes one
version in each requested language, all read from the same data, and old versions are kept. A
Celery task builds each row (claim pending -> building, render outside any transaction, store the
PDF, its hash and size); a failed build keeps its error on the row.

Placement packs follow the placement (igma ch. 6: a schedule of the follow-up for the individual and
the employer). placements never imports outreach and there are no signals (DESIGN "Architecture"),
so the reaction is driven from here: `on_placement_activated` offers a pack (builds version 1 for
staff to send; nothing reaches the employer until a person chooses the recipients) and
`on_schedule_changed` builds a new version when the follow-up schedule moved, keeping the old one.
Both are idempotent and are called by `reconcile_placement_packs`, a beat sweep that compares every
running placement's schedule fingerprint with its latest pack. The database is the source of truth,
so activations and re-plans done anywhere (admin, API, shell) are caught within one sweep interval
without wrapping each entry point; the outreach API and admin also call them directly.

A withdrawal of the client's consent to share with the employer takes effect at once everywhere
(Flora III.1.B, §8), also on versions built before it: see "A withdrawn consent" below.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common.types import Actor, actor_user
from crm.choices import InteractionKind, Language
from crm.models import Contact, Employer, Interaction
from crm.services import log_interaction
from outreach.mail.models import OPEN_MAIL_STATUSES
from outreach.mail.queue import Publisher, queued_fields
from outreach.mail.render import Mail
from outreach.mail.send import Skip, deliver, describe_error
from outreach.mentors.services import issue_link
from outreach.packs.mails import pack_mail
from outreach.packs.models import (
    InfoPack,
    InfoPackDelivery,
    InfoPackKind,
    InfoPackStatus,
    InfoPackTrigger,
    ProgrammeProfile,
)
from outreach.packs.render import (
    gather_pack_data,
    placement_steps,
    render_pack_html,
    render_pack_pdf,
    schedule_fingerprint,
)
from placements.choices import ConsentPurpose, PlacementStatus
from placements.models import AftercareStep, ConsentRecord, Placement

logger = logging.getLogger(__name__)

# A placement pack is made while the placement runs or is about to.
PACKABLE_PLACEMENT_STATUSES = (PlacementStatus.PLANNED, PlacementStatus.ACTIVE)

# Starts the fingerprint of a placement pack made while the client's consent to share was withdrawn.
WITHDRAWN_MARK = "withdrawn:"


# --- A withdrawn consent (Flora III.1.B, §8) ------------------------------------------------------
#
# A withdrawal takes effect at once everywhere, so a stored version that may show her first name or
# the agreement's shareable text is never mailed or served once she withdrew: one rule,
# `withheld_reason`, used by sending, delivering and every PDF download. placements never calls
# outreach, so the reaction is the pack sweep's: a pack's fingerprint also says whether it was made
# while her consent was withdrawn, so a withdrawal changes it and the sweep builds a version without
# her details, once.


def share_withdrawn(client_ids: Iterable[int], *, on: dt.date) -> set[int]:
    """The clients among these who withdrew their consent to share with the employer and gave none since."""
    records = ConsentRecord.objects.filter(client_id__in=list(client_ids), purpose=ConsentPurpose.SHARE_WITH_EMPLOYER)
    withdrawn = set(records.filter(withdrawn_on__lte=on).values_list("client_id", flat=True))
    return withdrawn - set(records.in_force(on=on).values_list("client_id", flat=True))


def pack_fingerprint(steps: Iterable[AftercareStep], *, withdrawn: bool) -> str:
    """What a placement pack is made from: its schedule, marked when her consent to share was withdrawn."""
    fingerprint = schedule_fingerprint(steps)
    return WITHDRAWN_MARK + fingerprint[len(WITHDRAWN_MARK) :] if withdrawn else fingerprint


def made_without_client_data(pack: InfoPack) -> bool:
    """True for a placement pack made while her consent was withdrawn: its build shows nothing of her."""
    return pack.schedule_fingerprint.startswith(WITHDRAWN_MARK)


def _placement_fingerprint(placement: Placement, now: dt.datetime) -> str:
    withdrawn = share_withdrawn([placement.client_id], on=timezone.localdate(now))
    return pack_fingerprint(placement_steps(placement), withdrawn=bool(withdrawn))


def withheld_reason(pack: InfoPack, *, now: dt.datetime | None = None) -> str:
    """Why this stored version may not be sent or served again, or "" (Flora III.1.B, §8).

    A placement pack made before the client withdrew her consent to share with the employer may
    show her first name and the agreement's shareable text, so it is withheld while the withdrawal
    stands (whether or not it was mailed before; what left cannot be called back). A version made
    after the withdrawal is built without her details and is never withheld.
    """
    if pack.placement_id is None or made_without_client_data(pack):
        return ""
    client_id = Placement.objects.filter(pk=pack.placement_id).values_list("client_id", flat=True).get()
    if not share_withdrawn([client_id], on=timezone.localdate(now or timezone.now())):
        return ""
    return _(
        "The client withdrew her consent to share her details with the employer after version %(version)s was "
        "made, so it is no longer sent or shown."
    ) % {"version": pack.version}


def renew_withheld_pack(*, pack: InfoPack, actor: Actor, now: dt.datetime | None = None) -> InfoPack | None:
    """The newest version of the pack's placement made without her details, generated now if there is none yet.

    Made in the languages of the latest version; None when no new version can be made (the
    placement ended or the employer is flagged), in which case nothing can be sent.
    """
    placement = pack.placement
    if placement is None:
        return None
    latest = InfoPack.objects.filter(placement=placement).order_by("-version", "language").first() or pack
    if made_without_client_data(latest):
        return latest
    languages = InfoPack.objects.filter(placement=placement, version=latest.version)
    try:
        made = generate_info_pack(
            actor=actor,
            placement=placement,
            languages=list(languages.values_list("language", flat=True)),
            now=now,
        )
    except ValidationError:
        return None
    return made[0]


# --- Generating versions --------------------------------------------------------------------------


def default_languages(*, employer: Employer, placement: Placement | None = None) -> list[str]:
    """The languages of the people who will read the pack: the mentor and the employer's active contacts."""
    languages: list[str] = []
    if placement is not None and placement.mentor is not None:
        languages.append(placement.mentor.preferred_language)
    for language in employer.contacts.filter(is_active=True).values_list("preferred_language", flat=True):
        if language not in languages:
            languages.append(language)
    return languages or [settings.LANGUAGE_CODE[:2]]


def _check_languages(languages: Sequence[str]) -> list[str]:
    """Known languages with programme texts, without duplicates; a clear error otherwise."""
    wanted = list(dict.fromkeys(languages))
    unknown = [code for code in wanted if code not in Language.values]
    if not wanted or unknown:
        raise ValidationError({"languages": _("Choose one or more of: English, Dutch, Swedish.")})
    present = set(ProgrammeProfile.objects.filter(language__in=wanted).values_list("language", flat=True))
    missing = [str(Language(code).label) for code in wanted if code not in present]
    if missing:
        raise ValidationError(
            {"languages": _("There are no programme texts in %(languages)s yet.") % {"languages": ", ".join(missing)}}
        )
    return wanted


def _check_scope(employer: Employer, placement: Placement | None) -> None:
    """Refuse packs for employers we may not engage and placements that no longer run."""
    if employer.do_not_engage:
        raise ValidationError({"employer": _("This employer is flagged do-not-engage.")})
    if placement is not None and placement.status not in PACKABLE_PLACEMENT_STATUSES:
        raise ValidationError(
            {
                "placement": _("A pack is made for a planned or active placement, not a %(status)s one.")
                % {"status": placement.get_status_display().lower()}
            }
        )


def _enqueue_build(pack_id: int) -> None:
    """Build the pack once the transaction that created it has committed."""
    from outreach.tasks import build_info_pack

    build_info_pack.delay_on_commit(pack_id)


@transaction.atomic
def generate_info_pack(
    *,
    actor: Actor,
    employer: Employer | None = None,
    placement: Placement | None = None,
    languages: Sequence[str] | None = None,
    trigger: str = InfoPackTrigger.MANUAL,
    now: dt.datetime | None = None,
) -> list[InfoPack]:
    """Make the next version of a general or placement pack, one row per language, and queue the builds."""
    now = now or timezone.now()
    if placement is not None:
        employer = placement.employer
    if employer is None:
        raise ValidationError({"employer": _("Choose an employer or a placement.")})
    _check_scope(employer, placement)
    wanted = _check_languages(languages or default_languages(employer=employer, placement=placement))
    # Lock the employer row so two requests cannot take the same version number.
    Employer.objects.select_for_update().filter(pk=employer.pk).first()
    scope = InfoPack.objects.of_scope(employer_id=employer.pk, placement_id=placement.pk if placement else None)
    version = (scope.aggregate(last=Max("version"))["last"] or 0) + 1
    fingerprint = _placement_fingerprint(placement, now) if placement is not None else ""
    packs = [
        InfoPack.objects.create(
            employer=employer,
            placement=placement,
            kind=InfoPackKind.PLACEMENT if placement is not None else InfoPackKind.GENERAL,
            language=language,
            version=version,
            trigger=trigger,
            schedule_fingerprint=fingerprint,
            requested_by=actor_user(actor),
            created_at=now,
        )
        for language in wanted
    ]
    if placement is not None and placement.mentor_id is not None:
        # From the first pack on, the mentor has her personal page; the pack carries its link (issue 14).
        issue_link(placement=placement, actor=actor, now=now)
    for pack in packs:
        _enqueue_build(pack.pk)
    return packs


@transaction.atomic
def retry_info_pack(*, pack: InfoPack, actor: Actor) -> InfoPack:
    """Queue a failed pack's build again; the version and language stay the same."""
    if not InfoPack.objects.filter(pk=pack.pk, status=InfoPackStatus.FAILED).update(
        status=InfoPackStatus.PENDING, claimed_at=None
    ):
        raise ValidationError({"status": _("Only a failed pack can be built again.")})
    _enqueue_build(pack.pk)
    pack.refresh_from_db()
    return pack


# --- Building ------------------------------------------------------------------------------------


def _claim_build(pack_id: int, now: dt.datetime) -> bool:
    """Take a pending pack, or one whose builder died past the task time limit; True when we won."""
    stale = now - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    claimable = Q(status=InfoPackStatus.PENDING) | Q(status=InfoPackStatus.BUILDING, claimed_at__lt=stale)
    return bool(
        InfoPack.objects.filter(claimable, pk=pack_id).update(status=InfoPackStatus.BUILDING, claimed_at=now, error="")
    )


def _render(pack: InfoPack, now: dt.datetime) -> bytes:
    """Gather the pack's data and render its PDF."""
    data = gather_pack_data(
        employer=pack.employer,
        placement=pack.placement,
        language=pack.language,
        version=pack.version,
        issued_on=timezone.localdate(pack.created_at),
        as_of=timezone.localdate(now),
        withhold_client=made_without_client_data(pack),
    )
    return render_pack_pdf(data)


def build_info_pack(*, pack_id: int, now: dt.datetime | None = None) -> InfoPack | None:
    """Render one pack's PDF and store it with its hash and size; None when another worker has it or it is gone."""
    now = now or timezone.now()
    if not _claim_build(pack_id, now):
        return None
    pack = InfoPack.objects.select_related("employer", "placement").get(pk=pack_id)
    try:
        pdf = _render(pack, now)
    except Exception as exc:  # a failed build shows its error on the row, whatever it was
        logger.exception("Info pack %s failed to build", pack_id)
        InfoPack.objects.filter(pk=pack_id, status=InfoPackStatus.BUILDING).update(
            status=InfoPackStatus.FAILED, error=describe_error(exc)
        )
        pack.refresh_from_db()
        return pack
    pack.pdf.save(pack.filename, ContentFile(pdf), save=False)
    InfoPack.objects.filter(pk=pack_id, status=InfoPackStatus.BUILDING).update(
        status=InfoPackStatus.READY,
        pdf=pack.pdf.name,
        sha256=hashlib.sha256(pdf).hexdigest(),
        size=len(pdf),
        built_at=timezone.now(),
        error="",
    )
    pack.refresh_from_db()
    return pack


def preview_info_pack(
    *,
    actor: Actor,
    employer: Employer,
    placement: Placement | None,
    language: str,
    asset_base: str,
    now: dt.datetime | None = None,
) -> str:
    """The pack as it would be built now, as HTML for staff; nothing is stored."""
    if placement is not None:
        employer = placement.employer
    _check_languages([language])
    today = timezone.localdate(now or timezone.now())
    data = gather_pack_data(
        employer=employer, placement=placement, language=language, version=None, issued_on=today, as_of=today
    )
    return render_pack_html(data, asset_base=asset_base)


# --- Sending -------------------------------------------------------------------------------------


def _ready_versions(pack: InfoPack) -> dict[str, InfoPack]:
    """The built rows of the pack's version, by language."""
    rows = InfoPack.objects.of_scope(employer_id=pack.employer_id, placement_id=pack.placement_id).filter(
        version=pack.version, status=InfoPackStatus.READY
    )
    return {row.language: row for row in rows}


def _recipient_row(contact: Contact, pack: InfoPack, versions: dict[str, InfoPack]) -> InfoPack:
    """The row a contact receives (the version in her language), or a ValidationError saying why she cannot."""
    name = contact.full_name
    if contact.employer_id != pack.employer_id:
        raise ValidationError(_("%(name)s works at another employer.") % {"name": name})
    if not contact.is_active:
        raise ValidationError(_("%(name)s is no longer an active contact.") % {"name": name})
    if not contact.email:
        raise ValidationError(_("%(name)s has no email address.") % {"name": name})
    row = versions.get(contact.preferred_language)
    if row is None:
        language = Language(contact.preferred_language).label
        raise ValidationError(
            _("Version %(version)s is not ready in %(language)s, the language of %(name)s: generate it first.")
            % {"version": pack.version, "language": language, "name": name}
        )
    return row


def send_info_pack(
    *, pack: InfoPack, contacts: Iterable[Contact], actor: Actor, now: dt.datetime | None = None
) -> list[InfoPackDelivery]:
    """Mail a pack version to the chosen contacts, each in her own language, and queue one send per contact.

    A version withheld since the client withdrew her consent to share (`withheld_reason`) is refused:
    a version without her details is made first (committed, so it builds) and the sender is told to
    send that one once it is built (Flora III.1.B, §8).
    """
    now = now or timezone.now()
    reason = withheld_reason(pack, now=now)
    if reason:
        renewed = renew_withheld_pack(pack=pack, actor=actor, now=now)
        if renewed is not None:
            reason += " " + _("Send version %(version)s instead, made without her details, once it is built.") % {
                "version": renewed.version
            }
        raise ValidationError({"pack": reason})
    return _send_info_pack(pack=pack, contacts=contacts, actor=actor, now=now)


@transaction.atomic
def _send_info_pack(
    *, pack: InfoPack, contacts: Iterable[Contact], actor: Actor, now: dt.datetime
) -> list[InfoPackDelivery]:
    chosen = list({contact.pk: contact for contact in contacts}.values())
    if not chosen:
        raise ValidationError({"contacts": _("Choose at least one contact.")})
    if pack.status != InfoPackStatus.READY:
        raise ValidationError({"pack": _("This pack is not built yet; send it once it is ready.")})
    versions = _ready_versions(pack)
    targets, errors = [], []
    for contact in chosen:
        try:
            targets.append((contact, _recipient_row(contact, pack, versions)))
        except ValidationError as exc:
            errors.extend(exc.messages)
    busy = InfoPackDelivery.objects.filter(
        pack__in=[row for _contact, row in targets],
        contact__in=chosen,
        status__in=OPEN_MAIL_STATUSES,
    ).select_related("contact")
    errors += [_("%(name)s is already being sent this pack.") % {"name": d.contact.full_name} for d in busy]
    if errors:
        raise ValidationError({"contacts": errors})
    deliveries = [
        InfoPackDelivery.objects.create(
            pack=row,
            contact=contact,
            recipient_email=contact.email,
            language=row.language,
            requested_by=actor_user(actor),
            created_at=now,
            queued_at=now,
            **queued_fields(),
        )
        for contact, row in targets
    ]
    Publisher().publish(InfoPackDelivery, [delivery.pk for delivery in deliveries])
    return deliveries


# --- The send on the employer's timeline -----------------------------------------------------------
#
# A mailed pack is logged as an interaction on the employer. Its words are staff-facing, so they are
# not in the contact's language (the mail is) nor in whatever language the mail worker runs in: the
# stored summary is in the site's language (what the admin, the API and exports show), and the
# timeline words the line again for whoever reads it, in her language, from the delivery the
# interaction belongs to (`word_pack_sends`, registered with crm.timeline by the outreach app).


def sent_summary(delivery: InfoPackDelivery) -> str:
    """The timeline line of a mailed pack, in the active language."""
    pack = delivery.pack
    return _("Info pack mailed: %(kind)s pack, version %(version)s (%(language)s), to %(name)s <%(email)s>.") % {
        "kind": pack.get_kind_display().lower(),
        "version": pack.version,
        "language": pack.get_language_display(),
        "name": delivery.contact.full_name,
        "email": delivery.recipient_email,
    }


def word_pack_sends(interactions: Sequence[Interaction]) -> dict[int, str]:
    """The timeline lines, in the reader's language, of the interactions that log a mailed pack; one query at most."""
    mails = [interaction.pk for interaction in interactions if interaction.kind == InteractionKind.EMAIL]
    if not mails:
        return {}
    deliveries = InfoPackDelivery.objects.filter(interaction_id__in=mails).select_related("pack", "contact")
    return {delivery.interaction_id: sent_summary(delivery) for delivery in deliveries if delivery.interaction_id}


def _record_sent(delivery: InfoPackDelivery, now: dt.datetime) -> None:
    """Log the mail as an interaction on the employer, authored by who asked (runs with the row marked sent)."""
    with translation.override(settings.LANGUAGE_CODE):
        summary = sent_summary(delivery)
    interaction = log_interaction(
        employer=delivery.pack.employer,
        actor=delivery.requested_by,
        kind=InteractionKind.EMAIL,
        summary=summary,
        contact=delivery.contact,
        occurred_at=now,
        complete_open_steps=False,
        now=now,
    )
    InfoPackDelivery.objects.filter(pk=delivery.pk).update(interaction=interaction)


def _load_delivery(pk: int) -> InfoPackDelivery:
    return InfoPackDelivery.objects.select_related(
        "pack__employer", "pack__placement", "contact", "requested_by__staff_card"
    ).get(pk=pk)


def _pack_mail_unless_withheld(delivery: InfoPackDelivery, now: dt.datetime | None) -> Mail | Skip:
    """The delivery's mail, or a Skip when its version was withheld after it was queued (Flora §8)."""
    reason = withheld_reason(delivery.pack, now=now)
    return Skip(reason) if reason else pack_mail(delivery)


def deliver_info_pack(*, delivery_id: int, now: dt.datetime | None = None) -> str:
    """Mail one delivery at most once through the one mail life cycle; its new status, "retry", or ""."""
    return deliver(
        InfoPackDelivery,
        delivery_id,
        load=_load_delivery,
        build=lambda delivery: _pack_mail_unless_withheld(delivery, now),
        now=now,
        on_sent=_record_sent,
    )


# --- Keeping placement packs current -------------------------------------------------------------


def on_placement_activated(*, placement: Placement, actor: Actor, now: dt.datetime | None = None) -> list[InfoPack]:
    """Offer a pack for a placement that started: version 1 in its readers' languages, for staff to send."""
    if placement.status != PlacementStatus.ACTIVE or InfoPack.objects.filter(placement=placement).exists():
        return []
    return generate_info_pack(actor=actor, placement=placement, trigger=InfoPackTrigger.ACTIVATION, now=now)


@transaction.atomic
def on_schedule_changed(*, placement: Placement, actor: Actor, now: dt.datetime | None = None) -> list[InfoPack]:
    """Make a new version when the follow-up schedule differs from the latest pack's; old versions are kept.

    The fingerprint also says whether her consent to share was withdrawn, so a withdrawal (or consent
    given again) makes one new version too (Flora III.1.B, §8).
    """
    placement = (
        Placement.objects.select_for_update(of=("self",)).select_related("employer", "mentor").get(pk=placement.pk)
    )
    latest = InfoPack.objects.filter(placement=placement).order_by("-version").first()
    if placement.status != PlacementStatus.ACTIVE:
        return []
    if latest is None:
        return on_placement_activated(placement=placement, actor=actor, now=now)
    if latest.schedule_fingerprint == _placement_fingerprint(placement, now or timezone.now()):
        return []
    languages = InfoPack.objects.filter(placement=placement, version=latest.version).values_list("language", flat=True)
    return generate_info_pack(
        actor=actor, placement=placement, languages=list(languages), trigger=InfoPackTrigger.SCHEDULE_CHANGE, now=now
    )


def placements_needing_packs(*, now: dt.datetime | None = None) -> dict[int, bool]:
    """Running placements with no pack yet, or whose schedule moved or whose client withdrew (or gave again) her
    consent to share since their latest pack: pk -> has a pack."""
    running = Placement.objects.running().filter(employer__do_not_engage=False)
    latest = InfoPack.objects.filter(placement=OuterRef("pk")).order_by("-version").values("schedule_fingerprint")[:1]
    rows = list(running.annotate(fingerprint=Subquery(latest)).values_list("pk", "client_id", "fingerprint"))
    packed: dict[int, str | None] = {pk: fingerprint for pk, _client, fingerprint in rows}
    withdrawn = share_withdrawn({client for _pk, client, _fp in rows}, on=timezone.localdate(now or timezone.now()))
    clients = {pk: client for pk, client, _fp in rows}
    by_placement: dict[int, list[AftercareStep]] = {pk: [] for pk in packed}
    steps = AftercareStep.objects.filter(placement__in=running).exclude(status__in=["skipped", "cancelled"])
    for step in steps.only("pk", "placement_id", "track", "due_on", "template_id", "title"):
        by_placement.setdefault(step.placement_id, []).append(step)
    return {
        pk: fingerprint is not None
        for pk, fingerprint in packed.items()
        if fingerprint != pack_fingerprint(by_placement[pk], withdrawn=clients[pk] in withdrawn)
    }


def requeue_lost_builds(*, now: dt.datetime | None = None) -> int:
    """Enqueue again the builds whose message was lost: pending past MAIL_REQUEUE_AFTER_SECONDS, or a builder
    that died past the task time limit (the build claims either; a second message finds nothing to do)."""
    now = now or timezone.now()
    lost = InfoPack.objects.filter(
        Q(status=InfoPackStatus.PENDING, created_at__lt=now - dt.timedelta(seconds=settings.MAIL_REQUEUE_AFTER_SECONDS))
        | Q(status=InfoPackStatus.BUILDING, claimed_at__lt=now - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT))
    )
    pks = list(lost.order_by("pk").values_list("pk", flat=True)[: settings.MAIL_REQUEUE_BATCH])
    for pk in pks:
        _enqueue_build(pk)
    return len(pks)


def reconcile_placement_packs(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Offer packs for new running placements, renew those whose schedule changed or whose client withdrew her
    consent to share (the new version is built without her details, Flora §8), and enqueue lost builds (beat)."""
    counts = {"offered": 0, "renewed": 0, "refused": 0, "requeued": requeue_lost_builds(now=now)}
    needing = placements_needing_packs(now=now)
    for placement in Placement.objects.filter(pk__in=list(needing)).order_by("pk"):
        try:
            made = on_schedule_changed(placement=placement, actor=None, now=now)
        except ValidationError as exc:
            counts["refused"] += 1
            logger.warning("No info pack for placement %s: %s", placement.pk, "; ".join(exc.messages))
            continue
        if made:
            counts["renewed" if needing[placement.pk] else "offered"] += 1
    return counts
