"""The info pack admin: generate, preview, download and send, for the staff roles and rows they may see."""

from __future__ import annotations

import pytest
from django.test import Client

from outreach.packs import services as pack_services
from outreach.packs.models import InfoPack, InfoPackDelivery, ProgrammeProfile
from tests.crm.factories import EmployerFactory
from tests.outreach.packs.helpers import NOW, placement_scenario

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/outreach/infopack/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _login(user):
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("rows", [1, 15])
def test_the_pack_changelist_runs_a_constant_number_of_queries(adam, rows, django_assert_max_num_queries):
    for _ in range(rows):
        pack_services.generate_info_pack(actor=adam, employer=EmployerFactory(), languages=["nl"], now=NOW)
    client = _login(adam)

    with django_assert_max_num_queries(14):
        response = client.get(CHANGELIST)

    assert response.status_code == 200
    assert response.content.decode().count('class="field-links"') == rows


def test_a_coach_generates_a_placement_pack_from_the_admin(alice, django_capture_on_commit_callbacks):
    scenario = placement_scenario(coach=alice, consent=False)
    client = _login(alice)

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(f"{CHANGELIST}generate/", {"placement": scenario.placement.pk, "languages": ["nl"]})

    assert response.status_code == 302
    assert InfoPack.objects.get().placement == scenario.placement
    assert len(callbacks) == 1


def test_the_generate_page_previews_without_storing_anything(alice):
    scenario = placement_scenario(coach=alice, consent=False)

    response = _login(alice).post(
        f"{CHANGELIST}generate/", {"employer": scenario.employer.pk, "languages": ["sv"], "_preview": "1"}
    )

    assert response.status_code == 200
    assert "Informationspaket för arbetsgivare" in response.content.decode()
    assert not InfoPack.objects.exists()


def test_a_coach_cannot_pick_another_coachs_placement(alice, bob):
    theirs = placement_scenario(coach=bob, consent=False)

    response = _login(alice).post(f"{CHANGELIST}generate/", {"placement": theirs.placement.pk})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not InfoPack.objects.exists()


def test_download_preview_and_send_pages_work_for_a_built_pack(rita, alice, django_capture_on_commit_callbacks):
    scenario = placement_scenario(coach=alice, consent=False, owner=rita)
    [pack] = pack_services.generate_info_pack(actor=rita, placement=scenario.placement, languages=["nl"], now=NOW)
    pack_services.build_info_pack(pack_id=pack.pk, now=NOW)
    client = _login(rita)

    download = client.get(f"{CHANGELIST}{pack.pk}/download/")
    preview = client.get(f"{CHANGELIST}{pack.pk}/preview/")
    form = client.get(f"{CHANGELIST}{pack.pk}/send/")
    with django_capture_on_commit_callbacks() as callbacks:
        sent = client.post(f"{CHANGELIST}{pack.pk}/send/", {"contacts": [scenario.mentor.pk]})

    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert "Opvolgingsschema" in preview.content.decode()
    assert scenario.mentor.email in form.content.decode()
    assert sent.status_code == 302 and len(callbacks) == 1
    assert InfoPackDelivery.objects.get().contact == scenario.mentor


def test_a_coach_gets_404_for_another_coachs_pack(alice, bob):
    theirs = placement_scenario(coach=bob, consent=False)
    [pack] = pack_services.generate_info_pack(actor=bob, placement=theirs.placement, languages=["nl"])

    assert _login(alice).get(f"{CHANGELIST}{pack.pk}/preview/").status_code == 404


def test_only_administrators_edit_the_programme_texts(adam, rita):
    profile = ProgrammeProfile.objects.get(language="nl")
    url = f"/admin/outreach/programmeprofile/{profile.pk}/change/"

    assert _login(adam).get(url).status_code == 200
    assert _login(rita).get(url).status_code in (302, 403)
