"""Survey links: common.links with the survey's purpose, "werkbrug.survey" (the links already sent keep working).

The token design (prefix, HMAC-derived secret from a stored seed, SHA-256 hash, constant-time
compare) is common.links'; the workplace mentor's page uses the same functions with its own purpose.
"""

from __future__ import annotations

from common import links
from common.links import LINK_LENGTH, PREFIX_LENGTH, Token, hash_secret, secret_matches, split_link

PURPOSE = "werkbrug.survey"

__all__ = [
    "LINK_LENGTH",
    "PREFIX_LENGTH",
    "PURPOSE",
    "Token",
    "derive_secret",
    "hash_secret",
    "link_for",
    "new_token",
    "secret_matches",
    "split_link",
]


def derive_secret(seed: str) -> str:
    """The secret part of a survey link."""
    return links.derive_secret(seed, purpose=PURPOSE)


def new_token() -> Token:
    """Draw a new survey link."""
    return links.new_token(purpose=PURPOSE)


def link_for(prefix: str, seed: str) -> str:
    """The link of a stored invitation, for its mails."""
    return links.link_for(prefix, seed, purpose=PURPOSE)
