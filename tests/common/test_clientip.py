"""The client address: X-Forwarded-For only as far as the trusted proxies vouch for it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from common.clientip import client_address


def _request(remote: str = "10.0.0.5", forwarded: str | None = None) -> Any:
    extra: dict[str, Any] = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_header_is_ignored(settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(_request(forwarded="198.51.100.1")) == "10.0.0.5"


def test_behind_one_proxy_the_last_entry_is_the_client(settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    # The first entry is whatever the visitor sent herself; the proxy appended the real address.
    assert client_address(_request(forwarded="198.51.100.1, 203.0.113.9")) == "203.0.113.9"


def test_behind_two_proxies_the_entry_before_the_inner_proxy_is_the_client(settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(_request(forwarded="198.51.100.1, 203.0.113.9, 192.0.2.40")) == "203.0.113.9"


def test_fewer_entries_than_proxies_take_the_leftmost(settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(_request(forwarded="203.0.113.9")) == "203.0.113.9"


@pytest.mark.parametrize("forwarded", ["", "  ", "not-an-address", "203.0.113.9, <script>"])
def test_a_missing_or_malformed_header_falls_back_to_the_socket_address(settings: Any, forwarded: str) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(_request(forwarded=forwarded)) == "10.0.0.5"


def test_ipv6_addresses_are_normalised(settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(_request(forwarded="2001:DB8:0:0::1")) == "2001:db8::1"
