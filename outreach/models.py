"""The models of outreach's sub-packages, imported here so Django registers them under the app."""

from outreach.followups.models import MAILED_KINDS, CoachDigest, FollowUpNotice, NoticeKind
from outreach.mail.models import MailStatus, OutgoingMail
from outreach.mentors.models import (
    MentorConcern,
    MentorLink,
    MentorMail,
    MentorMailKind,
    Urgency,
    VisitReply,
    VisitReplyKind,
)
from outreach.packs.models import (
    InfoPack,
    InfoPackDelivery,
    InfoPackKind,
    InfoPackStatus,
    InfoPackTrigger,
    ProgrammeProfile,
    StaffCard,
)
from outreach.surveys.models import (
    Answer,
    Question,
    QuestionType,
    SurveyInvitation,
    SurveyKind,
    SurveyMail,
    SurveyMailKind,
    SurveyResponse,
    SurveyTemplate,
)

__all__ = [
    "MAILED_KINDS",
    "Answer",
    "CoachDigest",
    "FollowUpNotice",
    "InfoPack",
    "InfoPackDelivery",
    "InfoPackKind",
    "InfoPackStatus",
    "InfoPackTrigger",
    "MailStatus",
    "MentorConcern",
    "MentorLink",
    "MentorMail",
    "MentorMailKind",
    "NoticeKind",
    "OutgoingMail",
    "ProgrammeProfile",
    "Question",
    "QuestionType",
    "StaffCard",
    "SurveyInvitation",
    "SurveyKind",
    "SurveyMail",
    "SurveyMailKind",
    "SurveyResponse",
    "SurveyTemplate",
    "Urgency",
    "VisitReply",
    "VisitReplyKind",
]
