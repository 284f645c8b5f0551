from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "thidua.audit"
    label = "audit"
    verbose_name = _("Nhật ký")

    def ready(self) -> None:
        from django.contrib.admin.models import LogEntry
        from django.db.models.signals import post_migrate, post_save

        post_migrate.connect(_forget_pages, sender=self)
        post_save.connect(_forget_pages, sender=LogEntry)


def _forget_pages(**kwargs) -> None:
    """Pages kept per cycle version are forgotten after a migration (new code may compute
    them otherwise) and after an edit in the admin site (it writes no audit entry)."""
    if kwargs.get("raw"):  # a fixture being loaded
        return
    apps = kwargs.get("apps")  # after a migration: the models as the migrations left them
    try:
        model = apps.get_model("audit", "PageCache") if apps else None
    except LookupError:  # migrated back before the table existed
        return
    if model is None:
        from thidua.audit.models import PageCache as model
    model.objects.all().delete()
