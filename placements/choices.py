"""Choice lists for clients, placements and aftercare."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    """Self-described gender, for the gender-sensitive reports (igma ch. 6; Flora II.4, III.5)."""

    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    NON_BINARY = "non_binary", _("Non-binary")
    SELF_DESCRIBED = "self_described", _("Self-described")
    NOT_SAID = "", _("Prefers not to say")


class ClientStatus(models.TextChoices):
    """Where a client is in the programme."""

    INTAKE = "intake", _("Intake")
    ACTIVE = "active", _("In coaching")
    PLACED = "placed", _("Placed")
    AFTERCARE = "aftercare", _("Aftercare")
    PAUSED = "paused", _("Paused")
    CLOSED = "closed", _("Closed")


class ClosingReason(models.TextChoices):
    """Why a client's file was closed (igma ch. 5 good governance: early leaving and where clients go)."""

    NONE = "", _("Not closed")
    GOAL_REACHED = "goal_reached", _("Goal reached")
    AUTONOMOUS = "autonomous", _("Works independently")
    REFERRED = "referred", _("Referred elsewhere")
    HANDED_BACK = "handed_back", _("Handed back to the pathway counsellor")
    DROPPED_OUT = "dropped_out", _("Dropped out")
    MOVED = "moved", _("Moved away")
    OTHER = "other", _("Other")


class Destination(models.TextChoices):
    """Where a client went when she left (igma ch. 5)."""

    NONE = "", _("Unknown")
    EMPLOYMENT = "employment", _("Employment")
    EDUCATION = "education", _("Education or training")
    SELF_EMPLOYED = "self_employed", _("Self-employment")
    OTHER_PROGRAMME = "other_programme", _("Another programme")
    NOT_WORKING = "not_working", _("Not working")


class ConsentPurpose(models.TextChoices):
    """What a client may agree to, separately and revocably (Flora III.1.B; §8)."""

    COACHING = "coaching", _("Coaching and keeping this file")
    WORKPLACE_VISITS = "workplace_visits", _("Workplace visits by the coach")
    SHARE_WITH_EMPLOYER = "share_with_employer", _("Sharing agreed information with the employer")
    REFERENCE = "reference", _("Being named as a reference")


class ConsentSource(models.TextChoices):
    """How a consent (or its withdrawal) reached us, so it can be shown later (Flora III.1.B)."""

    SIGNED_FORM = "signed_form", _("Signed form")
    IN_CONVERSATION = "conversation", _("In a conversation, noted by the coach")
    EMAIL = "email", _("By email")
    OTHER = "other", _("Other")


class PlacementStatus(models.TextChoices):
    """The life of an employment episode."""

    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    ENDED_EARLY = "ended_early", _("Ended early")
    CANCELLED = "cancelled", _("Cancelled")


class EndedBy(models.TextChoices):
    """Who ended a placement early (Flora IV.1 category B: ended on the employer's initiative)."""

    NONE = "", _("Not ended")
    CLIENT = "client", _("The client")
    EMPLOYER = "employer", _("The employer")
    ORGANISATION = "organisation", _("Our organisation")
    MUTUAL = "mutual", _("By mutual agreement")


class LadderMove(models.TextChoices):
    """How a client came to a ladder step: from a lower step, from a higher one, or neither (igma ch. 5)."""

    NONE = "", _("Started on the ladder")
    UP = "up", _("Moved up")
    DOWN = "down", _("Moved down")


class EndCause(models.TextChoices):
    """Why a placement ended early, coded for the outcome report (Flora IV.2.A.a work attitudes; IV.3
    werkgever C #3 communication and language; II.4 care and working hours)."""

    NONE = "", _("Not recorded")
    WORK_ATTITUDE = "work_attitude", _("Work attitudes (punctuality, absence, rules)")
    SKILLS = "skills", _("The work did not match her skills")
    LANGUAGE = "language", _("Language and communication")
    RELATIONS = "relations", _("Relations at work")
    HEALTH = "health", _("Health")
    CARE = "care", _("Care for children or family")
    CONDITIONS = "conditions", _("Working hours or conditions")
    MOBILITY = "mobility", _("Getting to work")
    OTHER_WORK = "other_work", _("She found other work or training")
    ECONOMIC = "economic", _("The employer's economic reasons")
    OTHER = "other", _("Another reason")


class Track(models.TextChoices):
    """Whom a follow-up is with (Flora IV.3 werkgever D: two tracks with their own end)."""

    CLIENT = "client", _("Client")
    EMPLOYER = "employer", _("Employer")
    JOINT = "joint", _("Joint")


class StepKind(models.TextChoices):
    """What kind of follow-up a step is."""

    CALL = "call", _("Call")
    VISIT = "visit", _("Workplace visit")
    THREE_WAY = "three_way", _("Three-way meeting")
    EMAIL_CHECKIN = "email_checkin", _("Email check-in")
    EMPLOYER_EVALUATION = "employer_evaluation", _("Employer evaluation")
    REVIEW = "review", _("Review")
    CLOSING = "closing", _("Closing")


class Anchor(models.TextChoices):
    """What a step's offset counts from."""

    START = "start", _("Start of the placement")
    END = "end", _("End of the placement")


class AssigneeRole(models.TextChoices):
    """Who a generated step is assigned to."""

    COACH = "coach", _("Coach")
    CASE_MANAGER = "case_manager", _("Case manager")


class StepStatus(models.TextChoices):
    """The life of one follow-up step."""

    PLANNED = "planned", _("Planned")
    DUE = "due", _("Due")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Skipped")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STEP_STATUSES = (StepStatus.PLANNED, StepStatus.DUE)
