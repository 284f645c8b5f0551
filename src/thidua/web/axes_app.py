"""django-axes (the login throttling) under a Vietnamese name in the admin; its own strings
are translated in locale/vi, as it ships no Vietnamese."""

from axes.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AppConfig):
    verbose_name = _("Chống dò mật khẩu")
