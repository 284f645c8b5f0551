"""The append-only audit log of every write: one hash chain per cycle (see core.audit)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from thidua.core.audit import Link


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
    # The chain the entry is a link of: its cycle ("cum-2/2020"), or "" for the installation's
    # own entries; `seq` counts from 1 in each chain. A copy carried into a chain from another
    # (`origin`: the chain, number and hash it copies) has the payload of the original.
    chain = models.CharField(max_length=80, blank=True)
    seq = models.PositiveBigIntegerField()
    origin = models.JSONField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("mục nhật ký")
        verbose_name_plural = _("nhật ký")
        ordering = ["id"]
        indexes = [models.Index(fields=["cycle", "id"])]
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_entry_once_in_chain"),
        ]

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

    def link(self) -> Link:
        """The entry as the chain's check sees it."""
        return Link(self.seq, self.prev_hash, self.hash, self.payload(), self.origin)


class AuditHead(models.Model):
    """A chain's last hash and length; locking it orders the writers of that chain only."""

    chain = models.CharField(max_length=80, unique=True)
    hash = models.CharField(max_length=64)
    count = models.PositiveBigIntegerField(default=0)
    # The fingerprint of the key the chain registered last (its entries are signed by it).
    key = models.CharField(max_length=64, blank=True)
    # The seal of the head as restored from a record, kept while this installation has not
    # extended the chain (it cannot sign with the key of the laptop that wrote it).
    seal = models.JSONField(null=True, blank=True)
    # A cycle's chain taken in from a cluster's laptop: its source of truth stays there, so
    # nothing here writes to it (a newer record from the laptop extends it).
    mirror = models.BooleanField(default=False)
    # The digest of the indicator catalog the chain logged last (`AuditAction.CATALOG`).
    catalog = models.CharField(max_length=64, blank=True)
    # This installation's MAC of (chain, count, hash), keyed from SECRET_KEY, which is kept
    # outside the database (`audit.services.head_mac`): a chain re-hashed in the database
    # is refused before anything extends or seals it.
    mac = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"{self.chain or '—'} {self.count}: {self.hash}"


class PageCache(models.Model):
    """What a page computed for a cycle at one version (`audit.versions.cached`): a pickle,
    sealed with a key derived from SECRET_KEY. Not Django's database cache, which unpickles
    whatever the table holds: whoever could write the database could then run code in the
    server; here a value whose seal does not hold is computed again, never unpickled."""

    key = models.CharField(max_length=200, primary_key=True)
    value = models.BinaryField()

    def __str__(self) -> str:
        return self.key
