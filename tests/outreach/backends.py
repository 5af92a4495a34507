"""A mail backend for tests that fails on cue, the way an SMTP server does, then delivers to the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from django.core.mail.backends.locmem import EmailBackend


class FlakyBackend(EmailBackend):
    """Raises the queued errors one send at a time (or always, with `always`), then behaves like locmem."""

    failures: ClassVar[list[BaseException]] = []
    always: ClassVar[BaseException | None] = None
    attempts: ClassVar[int] = 0

    def send_messages(self, messages: Sequence[Any]) -> int:
        FlakyBackend.attempts += 1
        if FlakyBackend.always is not None:
            raise FlakyBackend.always
        if FlakyBackend.failures:
            raise FlakyBackend.failures.pop(0)
        return super().send_messages(messages)
