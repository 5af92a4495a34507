"""Info pack documents: what a pack shows, how it is gathered, and the pure renderer (data -> HTML -> PDF).

A pack follows igma ch. 6 "Ondersteuning van werkgevers" and Flora §4.10: the programme, the
intended results, what we expect and offer, questions and answers, the key contacts, the follow-up
schedule for the employer and for the individual, and an onboarding step plan (Flora IV.2.A.b).

`gather_pack_data` reads the database once and returns a frozen `PackData`; `render_pack_html` and
`render_pack_pdf` are pure functions of that data (pretix `base/invoice.py`). Client data is limited
to what she consented to share (Flora III.1.B, §8): her first name, the agreement's shareable text and
her own follow-up calendar, only while her consent to share with the employer is in force; never
gender, closing reason, notes or her own contact details. A version made after she withdrew that
consent is built with `withhold_client`, so it shows none of it whatever the records say by then.

WeasyPrint fetches nothing from the network: `StaticOnlyFetcher` serves files under our static
directories and data: URIs, and refuses every other URL (an uploaded logo is inlined as a data: URI).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
import mimetypes
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse, path2url

from crm.choices import Language, Schedule
from crm.models import Contact, Employer
from outreach.mentors.services import mentor_page_url
from outreach.packs.defaults import PROFILE_FIELDS
from outreach.packs.models import InfoPackKind, ProgrammeProfile, StaffCard
from placements.choices import ConsentPurpose, StepStatus, Track
from placements.models import AftercareStep, Placement

# WeasyPrint reports every layout step at INFO; keep its warnings (such as a refused URL) only.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

DEFAULT_LOGO = "outreach/logo.svg"
MAX_LOGO_BYTES = 1024 * 1024
TEMPLATE = "outreach/packs/pack.html"
# Steps a coach skipped or cancelled are no longer part of the schedule the employer reads.
_OFF_SCHEDULE = (StepStatus.SKIPPED, StepStatus.CANCELLED)
# The working hours as employers read them; the staff screens use the Schedule choices' own labels.
SCHEDULE_LABELS: dict[str, Promise] = {
    Schedule.DAY: pgettext_lazy("employer", "Daytime"),
    Schedule.SHIFTS: pgettext_lazy("employer", "Shifts"),
    Schedule.EVENING: pgettext_lazy("employer", "Evenings"),
    Schedule.NIGHT: pgettext_lazy("employer", "Nights"),
    Schedule.WEEKEND: pgettext_lazy("employer", "Weekends"),
    Schedule.SPLIT: pgettext_lazy("employer", "Split shifts"),
}


class PackDataError(Exception):
    """The data for a pack is missing or unusable; the message is shown on the failed pack."""


# --- The data a pack shows ----------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """A paragraph (one item) or a bullet list of a programme text."""

    items: tuple[str, ...]
    is_list: bool = False


@dataclass(frozen=True)
class QuestionAnswer:
    """One question of the Q&A on working with the target group."""

    question: str
    answer: tuple[Block, ...]


@dataclass(frozen=True)
class ContactLine:
    """A person or line the employer can call, with role, phone and mail."""

    role: str
    name: str
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class ScheduleLine:
    """One follow-up moment on the schedule, planned or done."""

    due_on: dt.date
    activity: str
    done_on: dt.date | None = None
    joint: bool = False


@dataclass(frozen=True)
class PlacementFacts:
    """What the employer reads about the placement; the client's part only with her consent."""

    job_title: str
    start_on: dt.date
    planned_end_on: dt.date | None
    hours_per_week: Decimal | None
    schedule: str
    employment_measure: str
    colleague_first_name: str = ""
    shared: tuple[Block, ...] = ()
    employer_steps: tuple[ScheduleLine, ...] = ()
    # The client's own follow-up calendar is hers: shown only with her consent (Flora §8.2, employer user).
    client_schedule_shared: bool = False
    client_steps: tuple[ScheduleLine, ...] = ()


@dataclass(frozen=True)
class PackData:
    """Everything a pack shows, in its language; the renderer needs nothing else."""

    language: str
    kind: str
    version: int | None  # None for a preview
    issued_on: dt.date
    organisation_name: str
    logo: str  # a data: URI, or a path under our static directories
    employer_name: str
    texts: Mapping[str, tuple[Block, ...]]
    questions: tuple[QuestionAnswer, ...]
    onboarding: tuple[str, ...]
    contacts: tuple[ContactLine, ...]
    website: str = ""
    placement: PlacementFacts | None = None
    # The workplace mentor's personal page (a placement pack with a working mentor link).
    mentor_page: str = ""

    @property
    def title(self) -> str:
        """The document title in the active language (the renderer activates the pack's)."""
        if self.kind == InfoPackKind.PLACEMENT:
            return pgettext("employer", "Information pack for the placement")
        return pgettext("employer", "Information pack for employers")


def text_blocks(text: str) -> tuple[Block, ...]:
    """Split a programme text into paragraphs (blank-line separated) and "- " bullet lists."""
    blocks = []
    for chunk in text.replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in chunk.strip().split("\n") if line.strip()]
        if not lines:
            continue
        if all(line.startswith("- ") for line in lines):
            blocks.append(Block(tuple(line[2:].strip() for line in lines), is_list=True))
        else:
            blocks.append(Block(("\n".join(lines),)))
    return tuple(blocks)


def question_blocks(text: str) -> tuple[QuestionAnswer, ...]:
    """Split the Q&A text: every blank-line separated block is a question line and its answer."""
    pairs = []
    for chunk in text.replace("\r\n", "\n").split("\n\n"):
        question, _sep, answer = chunk.strip().partition("\n")
        if question.strip():
            pairs.append(QuestionAnswer(question.strip(), text_blocks(answer)))
    return tuple(pairs)


def step_lines(text: str) -> tuple[str, ...]:
    """One onboarding step per non-empty line."""
    return tuple(line.strip().removeprefix("- ") for line in text.splitlines() if line.strip())


# --- The pure renderer ----------------------------------------------------------------------------


class FetchRefused(ValueError):
    """WeasyPrint asked for a URL outside our static files."""


def static_roots() -> tuple[Path, ...]:
    """The directories the PDF renderer may read files from: our STATICFILES_DIRS."""
    roots = []
    for entry in settings.STATICFILES_DIRS:
        path = entry[1] if isinstance(entry, tuple | list) else entry
        roots.append(Path(path).resolve())
    return tuple(roots)


def static_base_url() -> str:
    """The base URL relative asset paths resolve against in a PDF: the first static directory."""
    return path2url(str(static_roots()[0])).rstrip("/") + "/"


class StaticOnlyFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves our static files and data: URIs and refuses everything else."""

    def __init__(self, roots: Sequence[Path] | None = None) -> None:
        super().__init__(timeout=1, allowed_protocols=("file", "data"), allow_redirects=False)
        self.roots = tuple(Path(root).resolve() for root in (roots if roots is not None else static_roots()))
        self.served: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        """Serve the URL from disk or a data: URI; anything else raises FetchRefused and is logged by WeasyPrint."""
        try:
            response = self._serve(url)
        except Exception:
            self.refused.append(url)
            raise
        self.served.append(url)
        return response

    def open(self, url: Any, data: Any = None, timeout: Any = None) -> URLFetcherResponse:
        """Never fall back to urllib's opener, whatever WeasyPrint calls."""
        return self.fetch(getattr(url, "full_url", url))

    def _serve(self, url: str) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            mime, body = _decode_data_uri(url)
            return URLFetcherResponse(url, body, {"Content-Type": mime})
        if scheme == "file":
            path = self._local_path(url)
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})
        raise FetchRefused(f"Refused to fetch {url!r}: a pack may only use our static files.")

    def _local_path(self, url: str) -> Path:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise FetchRefused(f"Refused to fetch {url!r}: not a local file.")
        path = Path(url2pathname(parts.path)).resolve()
        if not any(path.is_relative_to(root) for root in self.roots) or not path.is_file():
            raise FetchRefused(f"Refused to fetch {url!r}: outside our static files.")
        return path


def _decode_data_uri(url: str) -> tuple[str, bytes]:
    """The media type and bytes of a data: URI (RFC 2397)."""
    header, sep, payload = url[5:].partition(",")
    if not sep:
        raise FetchRefused("Malformed data: URI.")
    params = header.split(";")
    mime = params[0] or "text/plain"
    body = base64.b64decode(payload) if "base64" in params[1:] else unquote_to_bytes(payload)
    return mime, body


def _css_string(text: str) -> str:
    """A CSS string literal; anything but plain ASCII letters, digits and spaces is hex-escaped."""
    # The space after a hex escape ends it and is consumed (CSS Syntax 4.3.7), so a real space survives.
    escaped = "".join(ch if ch.isascii() and (ch.isalnum() or ch == " ") else f"\\{ord(ch):x} " for ch in text)
    return f'"{escaped}"'


def _page_counter(label: str) -> str:
    """A "Page %(page)s of %(pages)s" label as CSS content: the words as strings, the numbers as counters."""
    parts = []
    for piece in re.split(r"(%\((?:page|pages)\)s)", label):
        if piece in ("%(page)s", "%(pages)s"):
            parts.append(f"counter({piece[2:-2]})")
        elif piece:
            parts.append(_css_string(piece))
    return " ".join(parts)


def _page_css(data: PackData) -> SafeString:
    """The @page margin boxes, in the active language: organisation, title, version and date left; page X of Y right."""
    if data.version:
        version = pgettext("employer", "Version %(version)s") % {"version": data.version}
    else:
        version = pgettext("employer", "Preview - not a stored version")
    footer = " · ".join([data.organisation_name, data.title, version, date_format(data.issued_on, "DATE_FORMAT")])
    page = _page_counter(pgettext("employer", "Page %(page)s of %(pages)s"))
    css = f"@page {{ @bottom-left {{ content: {_css_string(footer)}; }} @bottom-right {{ content: {page}; }} }}"
    return mark_safe(css)  # noqa: S308  # every user-supplied character is CSS-escaped above


def render_pack_html(data: PackData, *, asset_base: str = "") -> str:
    """The pack as an HTML page in its language; `asset_base` prefixes static paths (empty for the PDF)."""
    logo = data.logo if data.logo.startswith("data:") or "://" in data.logo else asset_base + data.logo
    with translation.override(data.language):
        context = {
            "pack": data,
            "asset_base": asset_base,
            "logo_src": logo,
            "page_css": _page_css(data),
            "is_preview": data.version is None,
        }
        return render_to_string(TEMPLATE, context)


def html_to_pdf(html: str, *, fetcher: StaticOnlyFetcher | None = None) -> bytes:
    """Lay out HTML as a PDF with WeasyPrint; resources come only through the restricted fetcher."""
    document = HTML(string=html, base_url=static_base_url(), url_fetcher=fetcher or StaticOnlyFetcher())
    pdf: bytes = document.write_pdf()
    return pdf


def render_pack_pdf(data: PackData, *, fetcher: StaticOnlyFetcher | None = None) -> bytes:
    """The pack as PDF bytes: a pure function of the data."""
    return html_to_pdf(render_pack_html(data), fetcher=fetcher)


# --- Gathering the data ---------------------------------------------------------------------------


def programme_profile(language: str) -> ProgrammeProfile:
    """The organisation's texts in a language, or a PackDataError that says what is missing."""
    profile = ProgrammeProfile.objects.filter(language=language).first()
    if profile is None:
        raise PackDataError(
            _("There are no programme texts in %(language)s: an administrator adds them under Programme profiles.")
            % {"language": Language(language).label if language in Language.values else language}
        )
    return profile


def logo_source(profile: ProgrammeProfile) -> str:
    """The profile's uploaded logo inlined as a data: URI, or the default static logo."""
    if not profile.logo:
        return DEFAULT_LOGO
    try:
        with profile.logo.open("rb") as handle:
            body = handle.read(MAX_LOGO_BYTES + 1)
    except OSError as exc:
        raise PackDataError(_("The logo file cannot be read: %(error)s") % {"error": exc}) from exc
    if len(body) > MAX_LOGO_BYTES:
        raise PackDataError(_("The logo is larger than 1 MB; upload a smaller one."))
    mime = mimetypes.guess_type(profile.logo.name or "")[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(body).decode('ascii')}"


def staff_line(role: str, user: Any, cards: Mapping[int, StaffCard]) -> ContactLine:
    """A staff member as employers see her: the phone and mail on her staff card, else her account mail."""
    card = cards.get(user.pk)
    name = user.get_full_name() or user.get_username()
    return ContactLine(role, name, card.phone if card else "", (card.email if card else "") or user.email)


def _organisation_lines(profile: ProgrammeProfile) -> list[ContactLine]:
    """The office and the on-call line, when the profile gives them."""
    lines = []
    if profile.contact_phone or profile.contact_email:
        office = pgettext("employer", "General enquiries")
        lines.append(ContactLine(office, profile.organisation_name, profile.contact_phone, profile.contact_email))
    if profile.on_call_phone:
        on_call = pgettext("employer", "On-call line (urgent, outside office hours)")
        lines.append(ContactLine(on_call, profile.organisation_name, profile.on_call_phone))
    return lines


def _contact_lines(
    *, employer: Employer, placement: Placement | None, profile: ProgrammeProfile
) -> tuple[ContactLine, ...]:
    """Key contacts, roles in the active language: coach, case manager and mentor for a placement, else the owner."""
    staff: list[tuple[str, Any]] = []
    mentor: Contact | None = None
    if placement is not None:
        staff.append((pgettext("employer", "Job coach"), placement.coach))
        if placement.client.case_manager is not None:
            staff.append((pgettext("employer", "Case manager"), placement.client.case_manager))
        mentor = placement.mentor
    elif employer.owner is not None:
        staff.append((pgettext("employer", "Your contact person"), employer.owner))
    cards = {card.user_id: card for card in StaffCard.objects.filter(user__in=[user for _role, user in staff])}
    lines = [staff_line(role, user, cards) for role, user in staff]
    if mentor is not None:
        role = pgettext("employer", "Workplace mentor")
        lines.append(ContactLine(role, mentor.full_name, mentor.phone, mentor.email))
    return tuple(lines + _organisation_lines(profile))


def _schedule(
    steps: Iterable[AftercareStep], language: str
) -> tuple[tuple[ScheduleLine, ...], tuple[ScheduleLine, ...]]:
    """The employer's follow-up (employer and joint steps) and the client's, planned and done, by date."""
    employer_steps: list[ScheduleLine] = []
    client_steps: list[ScheduleLine] = []
    for step in steps:
        activity = step.label(language)
        done_on = (
            timezone.localdate(step.completed_at) if step.status == StepStatus.DONE and step.completed_at else None
        )
        line = ScheduleLine(step.due_on, activity, done_on, joint=step.track == Track.JOINT)
        (client_steps if step.track == Track.CLIENT else employer_steps).append(line)
    return tuple(employer_steps), tuple(client_steps)


def placement_steps(placement: Placement) -> list[AftercareStep]:
    """The placement's steps on the schedule (skipped and cancelled ones left out), by due date."""
    return list(
        AftercareStep.objects.filter(placement=placement)
        .exclude(status__in=_OFF_SCHEDULE)
        .select_related("template")
        .order_by("due_on", "pk")
    )


def schedule_fingerprint(steps: Iterable[AftercareStep]) -> str:
    """A hash of what the schedule says (which steps, on which days); a step being done does not change it."""
    rows = sorted(f"{s.pk}|{s.track}|{s.due_on.isoformat()}|{s.template_id or ''}|{s.title}" for s in steps)
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()


def _placement_facts(
    placement: Placement, *, language: str, as_of: dt.date, withhold_client: bool = False
) -> PlacementFacts:
    """The placement as the employer may read it, in the active language; client data only under consent."""
    consented = not withhold_client and placement.client.has_consent(ConsentPurpose.SHARE_WITH_EMPLOYER, on=as_of)
    agreement = placement.client.current_agreement()
    shared = agreement.shareable_text(on=as_of) if agreement is not None and consented else ""
    employer_steps, client_steps = _schedule(placement_steps(placement), language)
    return PlacementFacts(
        job_title=placement.job_title,
        start_on=placement.start_on,
        planned_end_on=placement.planned_end_on,
        hours_per_week=placement.hours_per_week.normalize() if placement.hours_per_week is not None else None,
        schedule=str(SCHEDULE_LABELS.get(placement.schedule, "")),
        employment_measure=placement.employment_measure,
        colleague_first_name=placement.client.first_name if consented else "",
        shared=text_blocks(shared),
        employer_steps=employer_steps,
        client_schedule_shared=consented,
        client_steps=client_steps if consented else (),
    )


def gather_pack_data(
    *,
    employer: Employer,
    placement: Placement | None,
    language: str,
    version: int | None,
    issued_on: dt.date,
    as_of: dt.date | None = None,
    withhold_client: bool = False,
) -> PackData:
    """Read everything a pack shows from the database, in the pack's language; nothing of the client with
    `withhold_client` (a version made after she withdrew her consent to share, Flora §8)."""
    # Errors about missing texts or a bad logo are for the staff member, in her language; the rest is the pack's.
    profile = programme_profile(language)
    logo = logo_source(profile)
    if placement is not None:
        placement = Placement.objects.select_related("client__case_manager", "coach", "mentor").get(pk=placement.pk)
    texts = {name: text_blocks(getattr(profile, name)) for name in PROFILE_FIELDS}
    with translation.override(language):
        contacts = _contact_lines(employer=employer, placement=placement, profile=profile)
        facts = (
            _placement_facts(placement, language=language, as_of=as_of or issued_on, withhold_client=withhold_client)
            if placement
            else None
        )
    return PackData(
        language=language,
        kind=InfoPackKind.PLACEMENT if placement is not None else InfoPackKind.GENERAL,
        version=version,
        issued_on=issued_on,
        organisation_name=profile.organisation_name,
        logo=logo,
        employer_name=employer.name,
        texts=MappingProxyType(texts),
        questions=question_blocks(profile.questions_and_answers),
        onboarding=step_lines(profile.onboarding_plan),
        contacts=contacts,
        website=profile.website,
        placement=facts,
        mentor_page=(mentor_page_url(placement) or "") if placement is not None else "",
    )
