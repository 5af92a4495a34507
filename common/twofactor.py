"""An optional second factor for staff: a TOTP code from an authenticator app (django-otp).

Anyone may turn it on from her two-factor page; administrators (staff: they reach the admin site)
must have it when OTP_REQUIRED_FOR_ADMINISTRATORS is on. Once a person has a confirmed device,
every page after the password asks for a code first, until she gives one for this session. Wrong
codes slow down by themselves (django-otp doubles the wait after each failure).

Whether a session still owes a code is decided once, at sign-in, and kept in the session, so the
pages pay no query for it. The API's token endpoint asks for the password only (see README).
"""

from __future__ import annotations

import base64
from typing import Any

import django_otp
import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_totp.models import TOTPDevice

SESSION_KEY = "second_factor"
VERIFY, SET_UP = "verify", "set_up"
# Paths a session that owes a code may still open: the code pages, signing out, the language switch,
# static files, the health check and the employers' survey links.
OPEN_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/healthz", "/s/")


def required_for(user: Any) -> bool:
    """Whether this person must have a second factor: administrators, when the setting says so."""
    return bool(settings.OTP_REQUIRED_FOR_ADMINISTRATORS and (user.is_staff or user.is_superuser))


def _state(user: Any) -> str:
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return VERIFY
    return SET_UP if required_for(user) else ""


def remember_state(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """At sign-in: note whether this session owes a code (or a device) before the workspace opens."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = _state(user)


user_logged_in.connect(remember_state, dispatch_uid="common.twofactor.remember_state")


class SecondFactorMiddleware:
    """Sends a signed-in person who owes a code to the code page, an administrator without a device to set one up."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        owed = request.session.get(SESSION_KEY, "") if hasattr(request, "session") else ""
        if owed and request.user.is_authenticated and not request.path.startswith(OPEN_PREFIXES):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": _("Give the code from your authenticator app first.")}, status=403)
            target = reverse("two-factor-verify" if owed == VERIFY else "two-factor")
            return redirect(f"{target}?next={request.get_full_path()}")
        return self.get_response(request)


class CodeForm(forms.Form):
    """Six digits from the authenticator app."""

    code = forms.CharField(
        label=gettext_lazy("Code from your authenticator app"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}),
    )


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or reverse("home")
    hosts = {request.get_host()}
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts=hosts, require_https=request.is_secure())
    return target if safe else reverse("home")


def _accept(request: HttpRequest, device: TOTPDevice, form: CodeForm) -> bool:
    """Check the code against the device; on success the session is verified and owes nothing."""
    if not form.is_valid():
        return False
    if not device.verify_token(form.cleaned_data["code"]):
        form.add_error("code", _("That code is not right, or it came too late. Try the code your app shows now."))
        return False
    django_otp.login(request, device)
    request.session[SESSION_KEY] = ""
    return True


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The code page after the password, for a person with a second factor."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and _accept(request, device, form):
        return redirect(_next(request))
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": _next(request)})


def _qr_code(url: str) -> str:
    """The otpauth:// address as a QR code image (a data: URL, which the page's policy allows for images)."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Her two-factor page: turn the second factor on (scan, confirm with a code) or off (with a code)."""
    confirmed = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    pending = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    action = request.POST.get("action", "")
    form = CodeForm(request.POST if action in ("confirm", "disable") else None)
    if action == "start" and confirmed is None:
        TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
        pending = TOTPDevice.objects.create(user=request.user, name=_("Authenticator app"), confirmed=False)
    elif action == "confirm" and pending is not None and _accept(request, pending, form):
        pending.confirmed = True
        pending.save(update_fields=["confirmed"])
        messages.success(request, _("Two-step sign-in is on. From now on you give a code after your password."))
        asked = request.POST.get("next") or request.GET.get("next")
        return redirect(_next(request) if asked else reverse("two-factor"))
    elif action == "disable" and confirmed is not None:
        if required_for(request.user):
            messages.error(request, _("Administrators must keep two-step sign-in on."))
        elif _accept(request, confirmed, form):
            TOTPDevice.objects.filter(user=request.user).delete()
            messages.success(request, _("Two-step sign-in is off."))
            return redirect("two-factor")
    context = {
        "confirmed": confirmed,
        "pending": pending if confirmed is None else None,
        "qr_code": _qr_code(pending.config_url) if pending is not None and confirmed is None else "",
        "secret": base64.b32encode(pending.bin_key).decode() if pending is not None and confirmed is None else "",
        "required": required_for(request.user),
        "form": form,
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    return render(request, "registration/two_factor.html", context)
