"""What the public pages reached by a personal link share (the survey page, the workplace mentor's page).

No sign-in: the link is the credential. The pages are never indexed, send no referrer and are never
cached (STYLE "Public links and documents"); views and posts are counted per client address in the
shared Redis cache; each page speaks the language asked for, else its visitor's, else the browser's.
"""

from __future__ import annotations

import logging
from typing import TypeVar

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone, translation
from django.utils.text import capfirst

from common.clientip import client_address
from crm.choices import Language

logger = logging.getLogger(__name__)
LANGUAGES = tuple(Language.values)
Response = TypeVar("Response", bound=HttpResponseBase)


def page_language(request: HttpRequest, known: str | None) -> str:
    """?lang= when it names one of ours, else the visitor's known language, else the browser's (Accept-Language).

    A link that does not work never reveals its row, so its page speaks the browser's language
    whatever the reason (unknown, expired, used, revoked): the pages stay the same for all of them.
    """
    asked = request.GET.get("lang", "")
    if asked in LANGUAGES:
        return asked
    if known:
        return known
    browser = translation.get_language_from_request(request)
    return browser if browser in LANGUAGES else settings.LANGUAGE_CODE


def native_language_names() -> list[tuple[str, str]]:
    """Each of our languages by its own name (English, Nederlands, Svenska), for the language switch."""
    # Django spells some names in lower case, as in running text ("svenska"); a menu item starts with a capital.
    return [(code, capfirst(translation.get_language_info(code)["name_local"])) for code, _name in settings.LANGUAGES]


def private(response: Response) -> Response:
    """Not indexed, no referrer to other sites, never cached."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response


def rate_limited(request: HttpRequest) -> bool:
    """Count this request against its client address for the current minute; True beyond the limit.

    Posts and views (GET and HEAD, which is how a link is guessed) are counted apart, views more
    generously: SURVEY_POSTS_PER_MINUTE and SURVEY_GETS_PER_MINUTE, one budget for all public pages.
    The address is common.clientip's, so behind a trusted proxy each visitor has a counter of her own.
    """
    posting = request.method == "POST"
    kind, limit = ("post", settings.SURVEY_POSTS_PER_MINUTE) if posting else ("get", settings.SURVEY_GETS_PER_MINUTE)
    window = int(timezone.now().timestamp() // 60)
    key = f"survey-{kind}:{client_address(request)}:{window}"
    try:
        count = _count(caches[settings.SURVEY_RATE_LIMIT_CACHE], key)
    except Exception:
        # A cache outage must not stop employers answering; the links still work.
        logger.exception("Public page rate limit unavailable")
        return False
    return bool(count > limit)


# A window's counter outlives its minute, so a request at the turn of the minute still finds it.
WINDOW_KEY_SECONDS = 120


def _count(cache: BaseCache, key: str) -> int:
    """Add one to the counter under `key` (created at 0 for WINDOW_KEY_SECONDS) and return it.

    On Redis in one round trip: SET NX and INCR sent together in a pipeline, where the cache API's
    add() and incr() take three (incr() first asks whether the key exists). Any other cache backend
    goes through its API.
    """
    if not isinstance(cache, RedisCache):
        cache.add(key, 0, timeout=WINDOW_KEY_SECONDS)
        return int(cache.incr(key))
    stored_key = cache.make_and_validate_key(key)
    client = cache._cache.get_client(stored_key, write=True)
    pipe = client.pipeline(transaction=False)
    pipe.set(stored_key, 0, ex=WINDOW_KEY_SECONDS, nx=True)
    pipe.incr(stored_key)
    _created, count = pipe.execute()
    return int(count)
