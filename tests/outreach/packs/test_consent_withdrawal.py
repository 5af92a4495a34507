"""A withdrawn consent to share takes effect at once on placement packs built before it (Flora III.1.B, §8).

A version that may show the client's first name or the agreement's shareable text is no longer sent,
mailed from the queue or served; sending makes a version without her details, and the pack sweep makes
one without anyone acting, once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from outreach.api.views import pdf_response
from outreach.mail.models import MailStatus
from outreach.packs import services as pack_services
from outreach.packs.models import InfoPack, InfoPackDelivery, InfoPackStatus
from placements.choices import ConsentPurpose
from placements.services.clients import withdraw_consent
from tests.outreach.packs.helpers import NOW, SHARED_TEXT, Scenario, pdf_text, placement_scenario, today

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _at_now() -> Any:
    """The pages and the mail queue read the clock: it is the scenario's day."""
    with time_machine.travel(NOW, tick=False):
        yield


def _built(pack: InfoPack) -> InfoPack:
    built = pack_services.build_info_pack(pack_id=pack.pk, now=NOW)
    assert built is not None and built.status == InfoPackStatus.READY
    return built


def _pdf(pack: InfoPack) -> str:
    with pack.pdf.open("rb") as handle:
        return pdf_text(handle.read())


def _shared_pack(coach: User) -> tuple[Scenario, InfoPack]:
    """A placement whose client consents to sharing, and its version 1 built with her details."""
    scenario = placement_scenario(coach=coach, consent=True)
    [pack] = pack_services.generate_info_pack(actor=coach, placement=scenario.placement, languages=["nl"], now=NOW)
    pack = _built(pack)
    text = _pdf(pack)
    assert "Amina" in text and SHARED_TEXT in text
    return scenario, pack


def _withdraw(scenario: Scenario, coach: User) -> None:
    withdraw_consent(
        client=scenario.placement.client,
        purpose=ConsentPurpose.SHARE_WITH_EMPLOYER,
        withdrawn_on=today(),
        actor=coach,
        now=NOW,
    )


def test_sending_a_version_built_before_the_withdrawal_refuses_and_makes_one_without_her(alice, mailoutbox):
    scenario, old = _shared_pack(alice)
    _withdraw(scenario, alice)

    with pytest.raises(ValidationError) as error:
        pack_services.send_info_pack(pack=old, contacts=[scenario.mentor], actor=alice, now=NOW)

    message = " ".join(error.value.messages)
    assert "withdrew her consent" in message and "Send version 2 instead" in message
    assert not InfoPackDelivery.objects.exists()
    new = _built(InfoPack.objects.get(placement=scenario.placement, version=2))
    text = _pdf(new)
    assert "Amina" not in text and SHARED_TEXT not in text
    assert pack_services.withheld_reason(new) == ""
    # Asking again points at the same new version instead of making another.
    with pytest.raises(ValidationError, match="Send version 2 instead"):
        pack_services.send_info_pack(pack=old, contacts=[scenario.mentor], actor=alice, now=NOW)
    assert InfoPack.objects.filter(placement=scenario.placement).count() == 2

    [delivery] = pack_services.send_info_pack(pack=new, contacts=[scenario.mentor], actor=alice, now=NOW)
    assert pack_services.deliver_info_pack(delivery_id=delivery.pk) == MailStatus.SENT
    [mail] = mailoutbox
    [(_name, content, _mime)] = mail.attachments
    assert "Amina" not in pdf_text(content)


def test_a_delivery_queued_before_the_withdrawal_is_skipped_not_mailed(alice, mailoutbox):
    scenario, old = _shared_pack(alice)
    [delivery] = pack_services.send_info_pack(pack=old, contacts=[scenario.mentor], actor=alice, now=NOW)
    _withdraw(scenario, alice)

    assert pack_services.deliver_info_pack(delivery_id=delivery.pk) == MailStatus.SKIPPED
    delivery.refresh_from_db()
    assert "withdrew her consent" in delivery.closed_reason
    assert mailoutbox == []


def test_the_old_version_is_not_served_to_staff_or_through_the_api(alice, rita):
    scenario, old = _shared_pack(alice)
    staff = Client()
    staff.force_login(alice)
    pdf_url = reverse("outreach:placement-pack-pdf", args=[scenario.placement.pk, old.pk])
    preview_url = reverse("outreach:placement-pack-preview", args=[scenario.placement.pk, old.pk])
    document_url = reverse("outreach:placement-pack-document", args=[scenario.placement.pk, old.pk])
    assert staff.get(pdf_url).status_code == 200

    _withdraw(scenario, alice)

    assert staff.get(pdf_url).status_code == 404
    preview = staff.get(preview_url).content.decode()
    assert "withdrew her consent" in preview and pdf_url not in preview
    document = staff.get(document_url).content.decode()
    assert "Amina" not in document and SHARED_TEXT not in document
    api = APIClient()
    api.force_authenticate(alice)
    response = api.get(f"/api/v1/outreach/info-packs/{old.pk}/download/")
    assert response.status_code == 409 and "withdrew her consent" in response.json()["detail"]
    admin = Client()
    admin.force_login(rita)
    download = admin.get(f"/admin/outreach/infopack/{old.pk}/download/")
    assert download.status_code == 302
    # Whatever serves a pack goes through pdf_response, which refuses it too.
    with pytest.raises(Http404):
        pdf_response(old)


def test_the_sweep_rebuilds_without_her_details_once(alice):
    scenario, old = _shared_pack(alice)
    assert pack_services.reconcile_placement_packs(now=NOW)["renewed"] == 0
    _withdraw(scenario, alice)

    counts = pack_services.reconcile_placement_packs(now=NOW)
    again = pack_services.reconcile_placement_packs(now=NOW)

    assert counts == {"offered": 0, "renewed": 1, "refused": 0, "requeued": 0}
    assert again == {"offered": 0, "renewed": 0, "refused": 0, "requeued": 0}
    new = _built(InfoPack.objects.get(placement=scenario.placement, version=2))
    text = _pdf(new)
    assert "Amina" not in text and SHARED_TEXT not in text
    assert "Medewerker bakkerij" in text
    assert pack_services.withheld_reason(old, now=NOW) != "" and pack_services.withheld_reason(new, now=NOW) == ""


def test_with_consent_in_force_nothing_is_withheld_or_rebuilt(alice, mailoutbox):
    scenario, pack = _shared_pack(alice)

    first = pack_services.reconcile_placement_packs(now=NOW)
    second = pack_services.reconcile_placement_packs(now=NOW)

    assert first == second == {"offered": 0, "renewed": 0, "refused": 0, "requeued": 0}
    assert list(InfoPack.objects.filter(placement=scenario.placement).values_list("version", flat=True)) == [1]
    assert pack_services.withheld_reason(pack, now=NOW) == ""
    [delivery] = pack_services.send_info_pack(pack=pack, contacts=[scenario.mentor], actor=alice, now=NOW)
    assert pack_services.deliver_info_pack(delivery_id=delivery.pk) == MailStatus.SENT


def test_a_version_made_after_the_withdrawal_never_shows_her_even_if_she_consents_before_it_is_built(alice):
    scenario = placement_scenario(coach=alice, consent=True)
    _withdraw(scenario, alice)
    [pack] = pack_services.generate_info_pack(actor=alice, placement=scenario.placement, languages=["nl"], now=NOW)
    scenario.placement.client.consents.create(
        purpose=ConsentPurpose.SHARE_WITH_EMPLOYER, given_on=today(), note="Given again"
    )

    text = _pdf(_built(pack))

    assert "Amina" not in text and SHARED_TEXT not in text
    # Consent given again is a change too: the sweep makes a version with her details, once.
    assert pack_services.reconcile_placement_packs(now=NOW)["renewed"] == 1
    assert pack_services.reconcile_placement_packs(now=NOW)["renewed"] == 0
