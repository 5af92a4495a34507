"""Personal links for people who never sign in (survey invitees, workplace mentors): pure functions.

A link is `prefix + secret`. The prefix (8 characters) finds the row through an index; the secret
is checked against a SHA-256 hash with `hmac.compare_digest` (STYLE "Public links and documents").
The secret is derived as HMAC-SHA256(SECRET_KEY, purpose + seed) from a 256-bit seed drawn with
`secrets`: the database holds the seed and the hash, never the link, so a copy of the database alone
opens nothing, while a mail task can still put the same link in every mail it sends (rotating the
link per mail would break the link in the first mail). Reissuing draws a new seed.

`purpose` separates the kinds of link: a seed of one kind never yields a valid secret of another,
and each kind keeps its own prefix ("werkbrug.survey" for the survey links, so links already sent
keep working).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings

PREFIX_LENGTH = 8
# A link is the prefix plus a 43-character secret; anything of another shape is refused before a query.
LINK_LENGTH = PREFIX_LENGTH + 43


@dataclass(frozen=True)
class Token:
    """A fresh link's parts: what is stored (prefix, seed, hash) and the link itself (never stored)."""

    prefix: str
    seed: str
    hash: str
    link: str


def derive_secret(seed: str, *, purpose: str) -> str:
    """The secret part of a link, from the stored seed, the link's purpose and the site's SECRET_KEY (256 bits)."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{purpose}:{seed}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def hash_secret(secret: str) -> str:
    """The SHA-256 hex digest stored for a secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_token(*, purpose: str) -> Token:
    """Draw a new link: an 8-character lookup prefix and a secret from a 256-bit random seed."""
    prefix = secrets.token_urlsafe(6)[:PREFIX_LENGTH]
    seed = secrets.token_urlsafe(32)
    secret = derive_secret(seed, purpose=purpose)
    return Token(prefix=prefix, seed=seed, hash=hash_secret(secret), link=prefix + secret)


def link_for(prefix: str, seed: str, *, purpose: str) -> str:
    """The link of a stored row, for its mails and documents."""
    return prefix + derive_secret(seed, purpose=purpose)


def split_link(link: str) -> tuple[str, str] | None:
    """(prefix, secret) of a well-formed link, None otherwise."""
    if len(link) != LINK_LENGTH or not all(ch.isalnum() or ch in "-_" for ch in link):
        return None
    return link[:PREFIX_LENGTH], link[PREFIX_LENGTH:]


def secret_matches(secret: str, stored_hash: str) -> bool:
    """Compare a presented secret with the stored hash in constant time."""
    return hmac.compare_digest(hash_secret(secret), stored_hash)
