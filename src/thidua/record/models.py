"""What a Ministry server keeps about the records it takes in from the clusters' laptops."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegisteredKey(models.Model):
    """A laptop's signing key the server accepts a cluster year's records from: registered by
    an admin after comparing its fingerprint with the one printed on the signed minutes (or
    given by the cluster), at least its first 128 bits."""

    cluster_code = models.SlugField(_("cụm"), max_length=40)
    year = models.PositiveIntegerField(_("năm"))
    fingerprint = models.CharField(_("dấu vân tay"), max_length=64)
    registered_by = models.ForeignKey(
        "org.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    registered_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("khóa ký đã đăng ký")
        verbose_name_plural = _("khóa ký đã đăng ký")
        ordering = ["-year", "cluster_code", "registered_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cluster_code", "year", "fingerprint"], name="key_registered_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cluster_code}/{self.year} {self.fingerprint[:8]}"


class ReceivedRecord(models.Model):
    """Every record the server was given, and what became of it. A fork is kept whole (the
    file) for people to look into; the cycle's data stays as it was."""

    class Outcome(models.TextChoices):
        IMPORTED = "imported", _("Đã nhập")
        EXTENDED = "extended", _("Đã cập nhật (bản ghi nối tiếp)")
        UNCHANGED = "unchanged", _("Không đổi (đã nhận rồi)")
        OLDER = "older", _("Không đổi (bản ghi cũ hơn)")
        QUARANTINED = "quarantined", _("Cách ly: rẽ nhánh khác với bản đã nhận")

    cluster_code = models.SlugField(max_length=40)
    year = models.PositiveIntegerField()
    outcome = models.CharField(max_length=12, choices=Outcome)
    entries = models.PositiveIntegerField()
    head = models.CharField(max_length=64)
    fingerprints = models.JSONField(default=list)  # the keys the record's chain registers
    server_fingerprints = models.JSONField(default=list)  # those of the chain held here
    diverges_at = models.PositiveIntegerField(null=True, blank=True)  # a fork's first entry
    anchor = models.CharField(max_length=64)  # as the admin typed it, normalised
    content = models.BinaryField(null=True, blank=True)  # a fork's file, gzip-compressed
    received_by = models.ForeignKey(
        "org.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bản ghi đã nhận")
        verbose_name_plural = _("bản ghi đã nhận")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.cluster_code}/{self.year} {self.outcome}"
