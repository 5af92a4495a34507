"""The API schema's operations document the errors every endpoint can answer, not only its successes.

drf-spectacular describes what a view returns when it works. A client generated from the schema (or a
contract test such as schemathesis) also meets the errors DRF answers for every view: 401 without valid
credentials, 403 without the permission or the row, 404 for a row that does not exist or is not visible,
400 with field errors for bad input, 429 when throttled. This AutoSchema adds them, with their bodies,
to every operation that can answer them; an operation that documents a status itself keeps its own.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi

# DRF's error body: {"detail": "..."} (common.api.exception_handler keeps DRF's shape).
DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
# A validation error: {"field": ["message", ...], "non_field_errors": [...]}, or a list of messages.
FIELD_ERRORS = {
    "oneOf": [
        {"type": "object", "additionalProperties": {}},
        {"type": "array", "items": {"type": "string"}},
    ]
}
WRITES = ("POST", "PUT", "PATCH")


def _error(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's AutoSchema with the error answers each operation can give."""

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        errors = {
            "401": _error("Not signed in: no valid session or token.", DETAIL),
            "403": _error("Signed in, but not allowed to do this.", DETAIL),
            "429": _error("Too many requests; try again later.", DETAIL),
        }
        if "{" in self.path:
            errors["404"] = _error("No such row, or not one this reader may see.", DETAIL)
        elif self.method == "GET" and self._is_list_view():
            errors["404"] = _error("The page cursor is not valid.", DETAIL)
        if self.method in WRITES or self._has_query_filters():
            errors["400"] = _error("The input is not valid; the answer names each field's problem.", FIELD_ERRORS)
        for status, response in errors.items():
            responses.setdefault(status, response)
        return responses

    def _has_query_filters(self) -> bool:
        """A read with query parameters (filters, pagination, options) answers 400 for a value it cannot use."""
        return self.method == "GET" and any(parameter.get("in") == "query" for parameter in self._get_parameters())
