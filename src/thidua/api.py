"""The API at /api/: django-ninja, session or bearer-token authentication, same `can()` checks.

OpenAPI schema at /api/openapi.json, interactive docs at /api/docs (both for signed-in users).
"""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.utils import timezone
from ninja import NinjaAPI
from ninja.security import HttpBearer, SessionAuth

from thidua import __version__
from thidua.documents.api import router as documents_router
from thidua.errors import DomainError, Refused
from thidua.org.api import router as org_router
from thidua.org.models import ApiToken
from thidua.org.selectors import token_for_key
from thidua.scoring.api import router as scoring_router
from thidua.stats.api import router as stats_router
from thidua.voting.api import router as voting_router


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <key>` with a key made by `thidua apitoken` or the tokens page."""

    def authenticate(self, request, token):
        found = token_for_key(token)
        if found is None:
            return None
        now = timezone.now()
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
    auth=[TokenAuth(), ActiveSessionAuth()],
    docs_decorator=login_required,
    urls_namespace="api",
)
api.add_router("/", org_router)
api.add_router("/", stats_router)
api.add_router("/", scoring_router)
api.add_router("/", voting_router)
api.add_router("/", documents_router)


@api.exception_handler(DomainError)
def domain_error(request, error: DomainError):
    return api.create_response(
        request,
        {"detail": str(error), "errors": error.as_json()},
        status=error.status,
    )


@api.exception_handler(Refused)
def refused(request, error: Refused):
    return api.create_response(request, {"detail": error.message()}, status=403)
