"""Site-wide middleware."""

import json

from django.conf import settings
from django.contrib.auth import middleware
from django.http import JsonResponse
from django.middleware import locale
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext

from thidua.errors import DomainError


class LoginRequiredMiddleware(middleware.LoginRequiredMiddleware):
    """Every page needs a signed-in user, except the login page and the language switch.

    The API (`/api/`) is left to its own authentication (session or bearer token), which
    answers 401 in JSON instead of redirecting to the login page.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        if not getattr(view_func, "login_required", True):
            # before Django's own check, which reads the user first: the phones' cast
            # (`login_not_required`, it checks the session itself) must not pay that read
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class LocaleMiddleware(locale.LocaleMiddleware):
    """Pages are in Vietnamese unless the person chose English with the language switch.

    A browser's own language preference is not followed for pages (an English-language
    browser in a Vietnamese office still gets Vietnamese); API clients may ask for English
    with `Accept-Language: en`.
    """

    def process_request(self, request):
        if request.path_info.startswith("/api/"):
            return super().process_request(request)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        try:
            language = translation.get_supported_language_variant(chosen or "")
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        return None


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def _body_has_nul(request) -> bool:
    if request.content_type == "application/json":
        if b"\x00" not in request.body and b"\\u0000" not in request.body:
            return False
        try:
            return _has_nul(json.loads(request.body))
        except ValueError:
            return False  # not JSON: the endpoint refuses it with its own reason
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        # (a file part whose name holds a NUL is dropped by Django's parser itself)
        return any(_has_nul(key) or _has_nul(value) for key, value in request.POST.lists())
    return False


class NulCharacterMiddleware:
    """A request carrying a NUL character (in its path, query or fields) is refused with a
    reason before it reaches a view: no text in thidua contains one, and PostgreSQL cannot
    store it, so letting it through would end in a server error instead of a clear answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = [item for pair in request.GET.lists() for item in pair]
        if "\x00" in request.path or _has_nul(query) or _body_has_nul(request):
            message = gettext("Yêu cầu chứa ký tự NUL, không hợp lệ; không có gì được lưu.")
            if request.path_info.startswith("/api/"):
                errors = [{"code": "nul_character", "field": None, "message": message}]
                return JsonResponse({"detail": message, "errors": errors}, status=400)
            return render(request, "refused.html", {"messages_": [message]}, status=400)
        return self.get_response(request)


class DomainErrorMiddleware:
    """A refusal a page did not handle itself (e.g. a write in a closed phase) is shown as a
    page saying why, with its status (409 for a wrong state), instead of a server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DomainError):
            return render(
                request,
                "refused.html",
                {"messages_": exception.messages()},
                status=exception.status,
            )
        return None


class ConferenceScopeMiddleware:
    """A delegate signed in with a conference QR code reaches that conference only (and can
    sign out or switch language); anything else sends them back to it."""

    ALWAYS = ("/accounts/logout/", "/i18n/", "/static/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        scope = request.session.get("conference_scope") if hasattr(request, "session") else None
        if scope and not request.path_info.startswith((scope, *self.ALWAYS)):
            return redirect(scope)
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Every response says where its scripts, styles and images may come from: this server
    only, and never inline code (`'unsafe-inline'` is absent), so an injected `<script>` or
    `onclick` does not run. Charts get their data through `json_script`, not inline code."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response


class CompressedTextMiddleware(GZipMiddleware):
    """Pages, JSON and other text sent gzipped to a browser that accepts it: the Ministry's
    server is reached over provincial links and the hall's phones share one Wi-Fi, and a
    page shrinks five- to ten-fold. Django's own middleware, with its BREACH mitigation
    (random bytes in each gzip header; CSRF tokens are masked per response), limited to
    text: DOCX, XLSX, PDF and images are compressed already (gzipping them again only costs
    the laptop's CPU), and a streamed download is left as it is. Static files never reach
    it: WhiteNoise, before it in MIDDLEWARE, serves them pre-compressed."""

    TEXT = ("text/", "application/json", "application/xml", "image/svg+xml")

    def process_response(self, request, response):
        if response.streaming or not response.get("Content-Type", "").startswith(self.TEXT):
            return response
        return super().process_response(request, response)
