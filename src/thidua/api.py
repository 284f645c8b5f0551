"""The API at /api/: django-ninja, session or bearer-token authentication, same `can()` checks.

OpenAPI schema at /api/openapi.json, interactive docs at /api/docs (both for signed-in users).
"""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.security import HttpBearer, SessionAuth

from thidua import __version__
from thidua.core.messages import Problem, gettext_noop
from thidua.core.policy import token_allows
from thidua.documents.api import router as documents_router
from thidua.errors import DomainError, Refused
from thidua.org.api import router as org_router
from thidua.org.models import ApiToken
from thidua.org.selectors import token_for_key
from thidua.scoring.api import router as scoring_router
from thidua.stats.api import router as stats_router
from thidua.voting.api import router as voting_router


class TokenRefused(Exception):
    """A bearer token that is known but expired: 401, saying so."""


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <key>` with a key made by `thidua apitoken` or the tokens page.
    Each router has its own: a token reads with `read` and writes its stage only with
    `write:<stage>` (403, saying which scope it lacks); an expired token is refused (401)."""

    def __init__(self, stage: str):
        super().__init__()
        self.stage = stage

    def authenticate(self, request, token):
        found = token_for_key(token)
        if found is None:
            return None
        now = timezone.now()
        if found.expires_at is not None and found.expires_at <= now:
            raise TokenRefused(
                _("Khóa API “%(name)s” đã hết hạn; tạo khóa mới ở trang Khóa API.")
                % {"name": found.name}
            )
        write = request.method not in ("GET", "HEAD", "OPTIONS")
        if not token_allows(found.scopes, self.stage, write):
            scope = f"write:{self.stage}" if write else "read"
            raise Refused(
                Problem(
                    "token_scope",
                    gettext_noop("Khóa API “%(name)s” không có quyền %(scope)s."),
                    {"name": found.name, "scope": scope},
                )
            )
        if found.last_used_at is None or now - found.last_used_at > timedelta(minutes=1):
            # at most one write a minute per token: a burst of calls stays read-only here
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        return found.user


class ActiveSessionAuth(SessionAuth):
    """The browser's session (with its CSRF check on writes), for active users only."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


api = NinjaAPI(
    title="thidua API",
    version=__version__,
    # The bearer token first: a token request carries no session cookie to CSRF-check.
    auth=[TokenAuth("org"), ActiveSessionAuth()],
    docs_decorator=login_required,
    urls_namespace="api",
)
for stage, router in [
    ("org", org_router),
    ("stats", stats_router),
    ("scoring", scoring_router),
    ("voting", voting_router),
    ("documents", documents_router),
]:
    api.add_router("/", router, auth=[TokenAuth(stage), ActiveSessionAuth()])


@api.exception_handler(DomainError)
def domain_error(request, error: DomainError):
    return api.create_response(
        request,
        {"detail": str(error), "errors": error.as_json()},
        status=error.status,
    )


@api.exception_handler(TokenRefused)
def token_refused(request, error: TokenRefused):
    return api.create_response(request, {"detail": str(error)}, status=401)


@api.exception_handler(Refused)
def refused(request, error: Refused):
    return api.create_response(
        request, {"detail": error.message(), "code": error.problem.code}, status=403
    )
