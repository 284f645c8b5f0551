"""The sign-in backend: Django's, reading the signed-in user of every request with one plain
SQL statement (the ORM's compiling of it cost more than running it: a hall of phones casting
at once makes this the busiest read there is)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        model = get_user_model()
        found = model.objects.raw(
            f"SELECT * FROM {model._meta.db_table} WHERE id = %s",  # noqa: S608 - the model's table
            [user_id],
        )
        user = next(iter(found), None)
        return user if user is not None and self.user_can_authenticate(user) else None
