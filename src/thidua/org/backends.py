"""Sign-in: Django's backend, reading the signed-in user with one plain SQL statement, and the
session's claim for the one view that reads the user's row inside its own statement."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.utils.crypto import constant_time_compare

from thidua.org.models import session_auth_hash


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        # plain SQL: the ORM's compiling of it cost more than running it, on every request
        model = get_user_model()
        found = model.objects.raw(
            f"SELECT * FROM {model._meta.db_table} WHERE id = %s",  # noqa: S608 - the model's table
            [user_id],
        )
        user = next(iter(found), None)
        return user if user is not None and self.user_can_authenticate(user) else None


@dataclass(frozen=True)
class SessionClaim:
    """Who a request's session says is signed in, before it is checked. The phones' cast
    reads the user's row in the same statement as its elector row (one round trip less for
    a hall casting at once) and checks the claim with `holds`, as Django's `get_user` does:
    an allowed backend, an active user, the session's hash equal to the user's (which
    changes with the password and the session epoch)."""

    user_id: int
    auth_hash: str

    @classmethod
    def of(cls, request) -> SessionClaim | None:
        session = request.session
        try:
            user_id = get_user_model()._meta.pk.to_python(session[SESSION_KEY])
            backend = session[BACKEND_SESSION_KEY]
        except (KeyError, ValidationError):
            return None
        if backend not in settings.AUTHENTICATION_BACKENDS:
            return None
        return cls(user_id, session.get(HASH_SESSION_KEY) or "")

    def holds(self, *, password: str, session_epoch: int, is_active: bool) -> bool:
        expected = session_auth_hash(password, session_epoch)
        return is_active and constant_time_compare(self.auth_hash, expected)
