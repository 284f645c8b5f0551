"""The append-only, hash-chained audit log of every write."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnly(Exception):
    """Audit entries are never changed or deleted."""


class AuditEntry(models.Model):
    at = models.DateTimeField(_("lúc"))
    actor = models.CharField(_("người thực hiện"), max_length=150)  # user name, or "system"
    unit = models.CharField(_("đơn vị"), max_length=64, blank=True)  # the actor's unit code
    cycle = models.CharField(_("năm thi đua"), max_length=80, blank=True)  # "cum-2/2020"
    action = models.CharField(_("thao tác"), max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=120)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # Restored from a record (`thidua record import`): kept exactly as another server chained
    # it, so its own hash is checked but it is not a link of this server's chain; the import
    # itself is an ordinary entry naming the first and last restored hash.
    imported = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("mục nhật ký")
        verbose_name_plural = _("nhật ký")
        ordering = ["id"]
        indexes = [models.Index(fields=["cycle", "id"])]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.actor} {self.action} {self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnly("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("audit entries cannot be deleted")

    def payload(self) -> dict:
        """What the entry's hash covers."""
        return {
            "at": self.at.isoformat(),
            "actor": self.actor,
            "unit": self.unit,
            "cycle": self.cycle,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "before": self.before,
            "after": self.after,
        }


class AuditHead(models.Model):
    """One row holding the chain's last hash; locking it orders concurrent writers."""

    hash = models.CharField(max_length=64)
    count = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.count}: {self.hash}"
