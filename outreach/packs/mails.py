"""The info pack mail: one delivery's text in the pack's language, with the PDF attached."""

from __future__ import annotations

from outreach.mail.render import Mail, render_mail
from outreach.packs.models import InfoPackDelivery, ProgrammeProfile


def _sender(delivery: InfoPackDelivery) -> tuple[str, str]:
    """The name and reply address of the person who sent the pack (her staff card first)."""
    user = delivery.requested_by
    if user is None:
        return "", ""
    card = getattr(user, "staff_card", None)
    return user.get_full_name() or user.get_username(), (card.email if card else "") or user.email


def pack_mail(delivery: InfoPackDelivery) -> Mail:
    """The mail for one delivery in the pack's language, with the PDF attached."""
    pack = delivery.pack
    profile = ProgrammeProfile.objects.filter(language=pack.language).first()
    sender_name, sender_email = _sender(delivery)
    context = {
        "contact_name": delivery.contact.full_name,
        "kind": pack.kind,
        "version": pack.version,
        "job_title": pack.placement.job_title if pack.placement is not None else "",
        "organisation": profile.organisation_name if profile else "",
        "phone": profile.contact_phone if profile else "",
        "sender_name": sender_name,
    }
    with pack.pdf.open("rb") as handle:
        attachment = (pack.filename, handle.read(), "application/pdf")
    mail = render_mail(
        "info_pack",
        to=delivery.recipient_email,
        language=pack.language,
        context=context,
        reply_to=(sender_email,) if sender_email else (),
        attachments=(attachment,),
    )
    mail.headers["X-Werkbrug-Pack"] = f"{pack.pk}:{delivery.pk}"
    return mail
