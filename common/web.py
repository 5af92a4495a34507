"""What every staff page shares: the htmx request type, the staff-view decorator, service errors on forms,
and the hook through which outreach fills a section of a crm or placements page.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponseBase
from django.template.loader import select_template
from django.views.decorators.http import require_http_methods
from django_htmx.middleware import HtmxDetails

View = Callable[..., HttpResponseBase]


class HtmxHttpRequest(HttpRequest):
    """A request that went through django-htmx's middleware (for type checking)."""

    htmx: HtmxDetails


def staff_view(permission: str, *methods: str) -> Callable[[View], View]:
    """Sign-in required, then the permission (403 without it), then the allowed HTTP methods."""

    def decorate(view: View) -> View:
        allowed = require_http_methods(list(methods or ("GET",)))(view)
        return login_required(permission_required(permission, raise_exception=True)(allowed))

    return decorate


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's refusal on the form: on the field it names when the form has it, else above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def outreach_section(name: str, *, app: str) -> str:
    """The template of a section the outreach app fills (packs, evaluations), or the app's placeholder until it does.

    crm and placements never import outreach (DESIGN "Architecture"): outreach fills a section by
    adding `templates/outreach/workspace/<name>.html`, which gets the page's context (`employer`, or
    `placement`); until then `<app>/sections/<name>.html` says there is nothing yet.
    """
    return select_template([f"outreach/workspace/{name}.html", f"{app}/sections/{name}.html"]).template.name
