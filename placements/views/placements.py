"""The placement page: the aftercare timeline for both tracks, the mentor, packs and the evaluation."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from common.web import outreach_section, staff_view
from placements.choices import Track
from placements.models import AftercareStep, Placement


def _two_tracks(steps: list[AftercareStep]) -> tuple[list[AftercareStep], list[AftercareStep]]:
    """The aftercare timeline split into the client's track and the employer's; joint steps are on both."""
    client = [s for s in steps if s.track in (Track.CLIENT, Track.JOINT)]
    employer = [s for s in steps if s.track in (Track.EMPLOYER, Track.JOINT)]
    return client, employer


@staff_view("placements.view_placement")
def placement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The agreement, the aftercare timeline for both tracks, the mentor, packs sent and the evaluation."""
    related = ("client", "employer", "mentor", "coach", "plan", "vacancy")
    placement = get_object_or_404(Placement.objects.visible_to(request.user).select_related(*related), pk=pk)
    steps = list(placement.steps.select_related("assignee", "completed_by", "template").order_by("due_on", "pk"))
    client_track, employer_track = _two_tracks(steps)
    context = {
        "placement": placement,
        "agreement": placement.client.current_agreement(),
        "client_track": client_track,
        "employer_track": employer_track,
        "today": timezone.localdate(),
        "packs_section": outreach_section("placement_packs", app="placements"),
        "evaluation_section": outreach_section("placement_evaluation", app="placements"),
    }
    return render(request, "placements/placement_detail.html", context)
