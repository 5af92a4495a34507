"""Rendering a mail in the recipient's language: one template per mail, the first line its subject."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from crm.choices import Language

LANGUAGES = tuple(Language.values)


@dataclass(frozen=True)
class Mail:
    """A rendered mail, ready to send."""

    to: str
    subject: str
    body: str
    language: str
    reply_to: tuple[str, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)
    # (file name, content, MIME type)
    attachments: tuple[tuple[str, bytes, str], ...] = ()


def mail_language(language: str | None) -> str:
    """The language a mail is written in: the recipient's when we have its texts, else the site's."""
    code = (language or "")[:2].lower()
    return code if code in LANGUAGES else settings.LANGUAGE_CODE[:2]


def render_mail(name: str, *, to: str, language: str, context: dict[str, Any], **extra: Any) -> Mail:
    """Render `outreach/email/<name>.txt` with the recipient's language active; the first line is the subject."""
    language = mail_language(language)
    with translation.override(language):
        text = render_to_string(f"outreach/email/{name}.txt", {**context, "language": language})
    subject, _sep, body = text.strip().partition("\n")
    # A subject is one line: a newline would be a header injection (Django refuses it anyway).
    return Mail(to=to, subject=" ".join(subject.split()), body=body.strip() + "\n", language=language, **extra)
