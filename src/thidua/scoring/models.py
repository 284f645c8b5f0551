"""The emulation agreement (criteria table, targets, scorers, rules) and the score sheets."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from thidua.core import scoring as core
from thidua.org.models import EnteredOnBehalf


def default_rules() -> dict:
    return {
        "aggregation": core.Aggregation.MEAN.value,
        "zscore": False,
        "step": "0.25",
        "decimals": 2,
        "trim_from": 5,
        "tie_breaks": [],
        "bands": [],
        "gap_threshold": "10",
    }


class Agreement(models.Model):
    """A cycle's giao ước thi đua: editable during planning, frozen once signed."""

    class Assignment(models.TextChoices):
        ALL_MEMBERS = "all", _("Mọi đơn vị chấm chéo các đơn vị còn lại")
        TEAMS = "teams", _("Đoàn kiểm tra chéo chấm từng đơn vị")

    cycle = models.OneToOneField("org.Cycle", on_delete=models.CASCADE, related_name="agreement")
    declared_total = models.DecimalField(
        _("tổng điểm"), max_digits=8, decimal_places=2, default=100
    )
    rules = models.JSONField(_("quy tắc chấm"), default=default_rules)
    assignment = models.CharField(
        _("cách phân công chấm"), max_length=8, choices=Assignment, default=Assignment.ALL_MEMBERS
    )
    signed_at = models.DateTimeField(_("ký lúc"), null=True, blank=True)
    signed_by = models.ForeignKey(
        "org.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_by = models.ManyToManyField(
        "org.Unit", blank=True, related_name="+", verbose_name=_("đơn vị đã thông qua")
    )
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("giao ước thi đua")
        verbose_name_plural = _("giao ước thi đua")

    def __str__(self) -> str:
        return f"{self.cycle}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class Confirmation(models.Model):
    """A member unit's word on the agreement: its director confirmed the content whose digest
    is kept (a later edit makes it stale), or the leader's secretary recorded why the unit
    could not confirm."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="confirmations")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    confirmed_by = models.ForeignKey(
        "org.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("xác nhận lúc"), null=True, blank=True)
    digest = models.CharField(_("mã nội dung đã xác nhận"), max_length=64, blank=True)
    reason = models.TextField(_("lý do chưa xác nhận"), blank=True)
    reason_by = models.ForeignKey(
        "org.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason_at = models.DateTimeField(_("ghi lý do lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("xác nhận giao ước")
        verbose_name_plural = _("xác nhận giao ước")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "unit"], name="confirmation_once"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement} – {self.unit_id}"


class Criterion(models.Model):
    class Kind(models.TextChoices):
        SECTION = core.Kind.SECTION.value, _("Mục")
        PEER = core.Kind.PEER.value, _("Chấm chéo")
        QUANTITATIVE = core.Kind.QUANTITATIVE.value, _("Định lượng theo chỉ tiêu")
        QUALITATIVE = core.Kind.QUALITATIVE.value, _("Đạt / không đạt")
        PER_OCCURRENCE = core.Kind.PER_OCCURRENCE.value, _("Tính theo số lần")
        BONUS_PENALTY = core.Kind.BONUS_PENALTY.value, _("Điểm thưởng, điểm trừ")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="criteria")
    code = models.SlugField(_("mã"), max_length=40)
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("thuộc mục"),
    )
    position = models.PositiveIntegerField(_("thứ tự"), default=0)
    name = models.CharField(_("tên tiêu chí"), max_length=500)
    kind = models.CharField(_("loại"), max_length=16, choices=Kind)
    max_points = models.DecimalField(_("điểm tối đa"), max_digits=8, decimal_places=2)
    min_points = models.DecimalField(_("điểm thấp nhất"), max_digits=8, decimal_places=2, default=0)
    indicator = models.ForeignKey(
        "stats.Indicator",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("chỉ tiêu thống kê"),
    )
    points_each = models.DecimalField(
        _("điểm mỗi lần / mỗi lần thưởng"), max_digits=8, decimal_places=2, default=0
    )
    penalty_each = models.DecimalField(
        _("điểm trừ mỗi lần"), max_digits=8, decimal_places=2, default=0
    )
    guidance = models.TextField(_("hướng dẫn chấm"), blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "code"], name="criterion_code_once"),
            models.CheckConstraint(
                condition=Q(min_points__lte=F("max_points")), name="criterion_min_below_max"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Target(models.Model):
    """Giao chỉ tiêu: a unit's target for a quantitative criterion (0: no target)."""

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="targets")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(max_digits=12, decimal_places=4)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["criterion", "unit"], name="target_once"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.code} {self.unit.code}={self.value}"


class InspectionTeam(models.Model):
    """Kiểm tra chéo: the units that inspect and score one member."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="teams")
    inspected = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    scorers = models.ManyToManyField("org.Unit", related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agreement", "inspected"], name="team_once"),
        ]

    def __str__(self) -> str:
        return f"→ {self.inspected}"


class Fact(models.Model):
    """What an automatic criterion (other than quantitative) is computed from, per unit."""

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="facts")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    achieved = models.BooleanField(null=True, blank=True)
    count = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    penalties = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["criterion", "unit"], name="fact_once"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.code} {self.unit.code}"


class ScoreSheet(EnteredOnBehalf):
    """A scorer unit's scores for one member, or a member's self-assessment."""

    class Kind(models.TextChoices):
        PEER = "peer", _("Chấm chéo")
        SELF = "self", _("Tự chấm")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Bản nháp")
        SUBMITTED = "submitted", _("Đã nộp")
        AWAITING = core.SHEET_AWAITING, _("Nhập thay, chờ đơn vị xác nhận")

    cycle = models.ForeignKey("org.Cycle", on_delete=models.CASCADE, related_name="sheets")
    scorer = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    target = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind)
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "scorer", "target"], name="sheet_once"),
            # A unit never scores itself as a peer; its own sheet is a self-assessment.
            models.CheckConstraint(
                condition=(Q(kind="self") & Q(scorer=F("target")))
                | (Q(kind="peer") & ~Q(scorer=F("target"))),
                name="sheet_never_self_as_peer",
            ),
        ]
        indexes = [
            # the scoring page counts each scorer's submitted sheets on members from this
            # index alone, without reading the sheets (half the time at 50 units)
            models.Index(fields=["cycle", "status", "scorer", "target"], name="sheet_progress"),
        ]

    def __str__(self) -> str:
        return f"{self.scorer.code} → {self.target.code} ({self.kind})"


class Score(models.Model):
    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="+")
    value = models.DecimalField(max_digits=8, decimal_places=2)
    # Why a reviewer scored below the unit's self-assessment (required to submit such a score).
    reason = models.TextField(_("lý do"), blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sheet", "criterion"], name="score_once"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.code}={self.value}"


def evidence_path(instance: Evidence, filename: str) -> str:
    cycle = instance.cycle
    return f"evidence/{cycle.cluster.code}/{cycle.year}/{instance.unit.code}/{filename}"


class Evidence(models.Model):
    """A document a unit attaches to a criterion (PDF, DOCX, image), size-capped."""

    cycle = models.ForeignKey("org.Cycle", on_delete=models.CASCADE, related_name="evidence")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey("org.User", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.name


def explanation_path(instance: Explanation, filename: str) -> str:
    cycle = instance.cycle
    return f"explanations/{cycle.cluster.code}/{cycle.year}/{instance.unit.code}/{filename}"


class Explanation(models.Model):
    """A unit's explanation (*giải trình*) of a reviewer's score below its self-assessment.

    One per (unit, criterion, reviewer); its chain is `thidua.core.review`: filed by the unit,
    answered by the reviewer (keep or change the score, with a reason), finalised by the leader
    unit (by the deputy for the leader's own unit).
    """

    class State(models.TextChoices):
        EXPLAINED = "explained", _("Đã giải trình")
        KEPT = "kept", _("Giữ nguyên điểm")
        CHANGED = "changed", _("Đã điều chỉnh điểm")
        ACCEPTED = "accepted", _("Chấp nhận")
        REFUSED = "refused", _("Không chấp nhận")

    cycle = models.ForeignKey("org.Cycle", on_delete=models.CASCADE, related_name="explanations")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("nội dung giải trình"))
    state = models.CharField(max_length=10, choices=State, default=State.EXPLAINED)
    # the attachment, checked like Evidence (optional)
    file = models.FileField(upload_to=explanation_path, blank=True)
    file_name = models.CharField(max_length=255, blank=True, default="")
    content_type = models.CharField(max_length=100, blank=True, default="")
    size = models.PositiveIntegerField(default=0)
    filed_by = models.ForeignKey(
        "org.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    filed_at = models.DateTimeField(default=timezone.now)
    # the reviewer's answer
    answer_reason = models.TextField(blank=True, default="")
    old_value = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    new_value = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    answered_by = models.ForeignKey(
        "org.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    # the finalisation
    note = models.TextField(blank=True, default="")
    finalised_by = models.ForeignKey(
        "org.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    finalised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["filed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "unit", "criterion", "reviewer"], name="explanation_once"
            ),
            models.CheckConstraint(condition=~Q(unit=F("reviewer")), name="explanation_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.unit.code}/{self.criterion.code} ← {self.reviewer.code} ({self.state})"
