"""The sign-in backend: Django's, loading the user with their unit in the one read every
request makes (the page header shows the unit; a phone's cast stays within its statements)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        user = get_user_model().objects.select_related("unit").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
