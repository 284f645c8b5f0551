"""Site-wide middleware."""

from django.conf import settings
from django.contrib.auth import middleware
from django.middleware import locale
from django.shortcuts import redirect, render
from django.utils import translation

from thidua.errors import DomainError


class LoginRequiredMiddleware(middleware.LoginRequiredMiddleware):
    """Every page needs a signed-in user, except the login page and the language switch.

    The API (`/api/`) is left to its own authentication (session or bearer token), which
    answers 401 in JSON instead of redirecting to the login page.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
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
