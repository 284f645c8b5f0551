"""Texts the leader secretary writes for the documents (the year-end report's sections, the
year's own legal grounds); everything else is generated."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

SECTIONS = [
    ("situation", _("Đặc điểm tình hình")),
    ("results", _("Kết quả thực hiện phong trào thi đua")),
    ("shortcomings", _("Tồn tại, hạn chế và nguyên nhân")),
    ("next_year", _("Phương hướng, nhiệm vụ năm tới")),
]

# The year's own grounds, one per line (the Ministry's guidance for the year, the cluster's
# rules), cited by the proposals after the rule set's laws and decrees.
GROUNDS = "grounds"
TEXTS = [*SECTIONS, (GROUNDS, _("Căn cứ riêng của năm"))]


class ReportSection(models.Model):
    cycle = models.ForeignKey("org.Cycle", on_delete=models.CASCADE, related_name="report_sections")
    key = models.CharField(max_length=20, choices=TEXTS)
    text = models.TextField(blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "key"], name="report_section_once"),
        ]

    def __str__(self) -> str:
        return f"{self.cycle} – {self.key}"
