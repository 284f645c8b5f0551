"""Statistics: the indicator catalog, units' reports and the cluster's published figures."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from thidua.core import indicators as core
from thidua.core import plausibility
from thidua.org.models import EnteredOnBehalf


class Indicator(models.Model):
    """One line of the statistics table; a rate names its numerator and denominator."""

    class Kind(models.TextChoices):
        COUNT = core.Kind.COUNT.value, _("Số đếm")
        AMOUNT = core.Kind.AMOUNT.value, _("Số lượng")
        RATE = core.Kind.RATE.value, _("Tỷ lệ")

    class Direction(models.TextChoices):
        LOWER = core.Direction.LOWER.value, _("Càng thấp càng tốt")
        HIGHER = core.Direction.HIGHER.value, _("Càng cao càng tốt")
        NEUTRAL = core.Direction.NEUTRAL.value, _("Không xếp tốt/xấu")

    code = models.SlugField(_("mã"), max_length=64, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=255)
    section = models.CharField(_("nhóm"), max_length=120)
    section_en = models.CharField(_("nhóm (tiếng Anh)"), max_length=120)
    measure = models.CharField(_("đơn vị tính"), max_length=40)
    measure_en = models.CharField(_("đơn vị tính (tiếng Anh)"), max_length=40)
    kind = models.CharField(_("loại"), max_length=8, choices=Kind)
    direction = models.CharField(
        _("chiều đánh giá"), max_length=8, choices=Direction, default=Direction.NEUTRAL
    )
    decimals = models.PositiveSmallIntegerField(_("số chữ số thập phân"), default=0)
    numerator = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tử số"),
    )
    denominator = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("mẫu số"),
    )
    scope = models.TextField(_("phạm vi số liệu"), blank=True)
    position = models.PositiveIntegerField(_("thứ tự"), default=0)
    active = models.BooleanField(_("đang dùng"), default=True)
    # Plausibility (core.plausibility): a change against last year that reaches both set
    # thresholds is warned about and asks for an explanation; neither set, never checked.
    plausible_relative = models.DecimalField(
        _("ngưỡng biến động tương đối (%)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Cảnh báo khi số liệu thay đổi từ mức này (% so với cùng kỳ) trở lên."),
    )
    plausible_absolute = models.DecimalField(
        _("ngưỡng biến động tuyệt đối"),
        max_digits=20,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_(
            "…và thay đổi ít nhất chừng này, theo đơn vị tính của chỉ tiêu "
            "(với tỷ lệ: điểm phần trăm)."
        ),
    )

    class Meta:
        verbose_name = _("chỉ tiêu thống kê")
        verbose_name_plural = _("chỉ tiêu thống kê")
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="rate", numerator__isnull=False, denominator__isnull=False)
                    | (~Q(kind="rate") & Q(numerator__isnull=True, denominator__isnull=True))
                ),
                name="indicator_rate_has_parts",
                violation_error_message=_("Chỉ tiêu tỷ lệ cần có tử số và mẫu số, và chỉ nó."),
            ),
            models.CheckConstraint(
                condition=Q(decimals__lte=4), name="indicator_decimals_at_most_4"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def save(self, *args, **kwargs) -> None:
        # The thresholds are checked on every save, so that the admin cannot bypass it either.
        self.clean_thresholds()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        for part in (self.numerator, self.denominator):
            if part is not None and part.kind == core.Kind.RATE:
                raise ValidationError(_("Tử số và mẫu số phải là số đếm hoặc số lượng."))
        self.clean_thresholds()

    def clean_thresholds(self) -> None:
        problems = plausibility.threshold_problems(self.threshold)
        if problems:
            errors: dict[str, list[str]] = {}
            for problem in problems:
                field = (
                    "plausible_relative"
                    if problem.code == "plausible_relative_not_positive"
                    else "plausible_absolute"
                )
                errors.setdefault(field, []).append(problem.render(gettext))
            raise ValidationError(errors)

    @property
    def threshold(self) -> plausibility.Threshold:
        return plausibility.Threshold(
            relative=self.plausible_relative, absolute=self.plausible_absolute
        )

    @property
    def label(self) -> str:
        return self.name_en if (get_language() or "vi").startswith("en") else self.name

    @property
    def measure_label(self) -> str:
        return self.measure_en if (get_language() or "vi").startswith("en") else self.measure

    @property
    def label_with_measure(self) -> str:
        """ "Heroin seized (kg)": the measure once, also when the name already ends with it
        ("Crimes against social order (cases)")."""
        label, measure = self.label, self.measure_label
        return label if label.endswith(f"({measure})") else f"{label} ({measure})"

    @property
    def section_label(self) -> str:
        return self.section_en if (get_language() or "vi").startswith("en") else self.section

    def as_core(self, codes: dict[int, str]) -> core.Indicator:
        return core.Indicator(
            code=self.code,
            name=self.name,
            kind=core.Kind(self.kind),
            direction=core.Direction(self.direction),
            decimals=self.decimals,
            numerator=codes.get(self.numerator_id) if self.numerator_id else None,
            denominator=codes.get(self.denominator_id) if self.denominator_id else None,
        )


class Report(EnteredOnBehalf):
    """A unit's figures for one period of one year.

    Written during the reporting phase of the unit's cycle; the figures of earlier years that
    were collected before thidua (the baseline) carry no cycle. A submitted report is read-only
    for the unit until the leader secretary returns it; once the reporting phase closes, all
    reports are read-only.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Bản nháp")
        SUBMITTED = "submitted", _("Đã nộp")
        RETURNED = "returned", _("Trả lại để sửa")
        AWAITING = core.AWAITING, _("Nhập thay, chờ đơn vị xác nhận")

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="reports")
    year = models.PositiveIntegerField(_("năm"))
    period = models.CharField(
        _("kỳ báo cáo"), max_length=2, choices=[(p.value, p.value) for p in core.Period]
    )
    cycle = models.ForeignKey(
        "org.Cycle", on_delete=models.PROTECT, null=True, blank=True, related_name="reports"
    )
    status = models.CharField(_("tình trạng"), max_length=10, choices=Status, default=Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    returned_reason = models.TextField(_("lý do trả lại"), blank=True)
    source = models.CharField(_("nguồn số liệu"), max_length=255, blank=True)
    # indicator code → the unit's explanation of a figure that jumps against last year
    # (core.plausibility); a rate computed from its counts may have one too
    notes = models.JSONField(_("giải trình biến động"), default=dict, blank=True)
    # the year report only: the unit's own words on its emulation movement, which the
    # year-end report's draft quotes (core.narrative), never rewritten
    highlights = models.TextField(_("những điểm nổi bật của phong trào thi đua"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("báo cáo số liệu")
        verbose_name_plural = _("báo cáo số liệu")
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "period"], name="report_once"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.period} {self.year}"


class ReportValue(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="values")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(max_digits=20, decimal_places=4)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="report_value_once"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code}={self.value}"


class PublishedFigure(models.Model):
    """A cluster figure as published (e.g. in its year-end report or the press), kept to be
    checked against the total computed from the units' reports."""

    cycle = models.ForeignKey("org.Cycle", on_delete=models.CASCADE, related_name="published")
    period = models.CharField(max_length=2, choices=[(p.value, p.value) for p in core.Period])
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(max_digits=20, decimal_places=4)
    source = models.CharField(_("nguồn"), max_length=255)

    class Meta:
        verbose_name = _("số liệu công bố của cụm")
        verbose_name_plural = _("số liệu công bố của cụm")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "period", "indicator"], name="published_figure_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code}={self.value} ({self.source})"
