from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "thidua.org"
    label = "org"
    verbose_name = _("Tổ chức")

    def ready(self):
        from django.contrib import admin

        from thidua.org.admin import require_admin_role

        # The Django admin follows the app's authorisation: staff status alone is not enough.
        require_admin_role(admin.site)
