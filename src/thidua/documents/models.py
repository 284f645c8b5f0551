"""Texts the leader secretary writes for the documents (the year-end report's sections, the
year's own legal grounds, the conference's discussion); everything else is generated."""

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
# What was said at the conference, one contribution per line, as the conference minutes
# record it between the report and the scores (nothing in the data says it).
DISCUSSION = "discussion"
TEXTS = [
    *SECTIONS,
    (GROUNDS, _("Căn cứ riêng của năm")),
    (DISCUSSION, _("Ý kiến thảo luận tại hội nghị")),
]
#: The texts kept on the documents page (the report's sections have their own page).
PAGE_TEXTS = (GROUNDS, DISCUSSION)


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


class IssuedDocument(models.Model):
    """A document as issued: its number from the register of its issuing body (the cluster)
    for the year it is issued in, its frozen bytes and their digest. Issued means frozen: what
    was signed is served as it was, whatever the data says later; changing it is a correction
    (a new number that names the one it replaces)."""

    cycle = models.ForeignKey("org.Cycle", on_delete=models.CASCADE, related_name="issued")
    # the register: the issuing body's, per calendar year of issue (a late 2020 document
    # issued in 2021 takes 2021's next number, one sequence with 2021's own documents)
    cluster = models.ForeignKey("org.Cluster", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField(_("năm phát hành"))
    key = models.CharField(max_length=80)
    number = models.PositiveIntegerField(_("số"))
    issued_at = models.DateTimeField(_("phát hành lúc"), default=timezone.now)
    issued_by = models.ForeignKey(
        "org.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reference = models.CharField(_("số, ký hiệu"), max_length=40)  # "03/BB-CTĐ"
    filename = models.CharField(max_length=200)
    content = models.BinaryField()
    digest = models.CharField(max_length=64)
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    reason = models.TextField(_("lý do đính chính"), blank=True)

    class Meta:
        constraints = [
            # one register per issuing body and year of issue
            models.UniqueConstraint(
                fields=["cluster", "year", "number"], name="issued_number_once_a_year"
            ),
        ]
        ordering = ["cycle", "number"]

    def __str__(self) -> str:
        return f"{self.cycle} – {self.number:02d} {self.key}"
