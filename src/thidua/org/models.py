"""Organisation: units and their lineage, clusters, cluster years (cycles), people, rule sets.

Writes go through `thidua.org.services`; reads through `thidua.org.selectors`.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from thidua.core import deadlines as core_deadlines
from thidua.core import eligibility as core_eligibility
from thidua.core import lineage as core_lineage
from thidua.core import paperwork as core_paperwork
from thidua.core import phases as core_phases
from thidua.core import score_ballots as core_score_ballots
from thidua.core.cycles import FIRST_YEAR, LAST_YEAR


class UnitKind(models.TextChoices):
    PROVINCIAL_POLICE = "provincial_police", _("Công an tỉnh, thành phố")
    MINISTRY_DEPARTMENT = "ministry_department", _("Đơn vị thuộc Bộ Công an")
    OTHER = "other", _("Khác")


class Unit(models.Model):
    """A member unit, e.g. Công an tỉnh Hà Giang; its validity ends when it is merged."""

    code = models.SlugField(_("mã"), max_length=64, unique=True)
    name = models.CharField(_("tên đầy đủ"), max_length=200)
    short_name = models.CharField(_("tên ngắn"), max_length=100)
    kind = models.CharField(
        _("loại đơn vị"), max_length=32, choices=UnitKind, default=UnitKind.PROVINCIAL_POLICE
    )
    valid_from = models.DateField(_("tồn tại từ ngày"), null=True, blank=True)
    valid_to = models.DateField(_("tồn tại đến ngày"), null=True, blank=True)
    # Profile, kept by the unit itself and used on documents.
    head_rank = models.CharField(_("cấp bậc thủ trưởng"), max_length=60, blank=True)
    head_title = models.CharField(_("chức vụ thủ trưởng"), max_length=100, blank=True)
    head_name = models.CharField(_("họ tên thủ trưởng"), max_length=100, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=40, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        ordering = ["short_name", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                name="unit_validity_ordered",
                violation_error_message=_("Ngày kết thúc phải sau ngày bắt đầu."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def span(self) -> core_lineage.UnitSpan:
        return core_lineage.UnitSpan(self.code, self.name, self.valid_from, self.valid_to)

    def is_active(self, on: date | None = None) -> bool:
        return self.span().valid_on(on or timezone.localdate())


class LineageEvent(models.Model):
    """A merge, split or rename of units with its effective date."""

    class Kind(models.TextChoices):
        MERGE = core_lineage.EventKind.MERGE.value, _("Sáp nhập")
        SPLIT = core_lineage.EventKind.SPLIT.value, _("Chia tách")
        RENAME = core_lineage.EventKind.RENAME.value, _("Đổi tên")

    kind = models.CharField(_("loại sự kiện"), max_length=16, choices=Kind)
    effective_date = models.DateField(_("ngày hiệu lực"))
    legal_basis = models.CharField(_("căn cứ"), max_length=255, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    recorded_by = models.ForeignKey(
        "org.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("ghi nhận lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("sự kiện sáp nhập, chia tách")
        verbose_name_plural = _("sự kiện sáp nhập, chia tách")
        ordering = ["effective_date", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.effective_date:%d/%m/%Y}"


class LineageLink(models.Model):
    """A unit's part in a lineage event: as a source (it ends) or a target (it begins)."""

    class Role(models.TextChoices):
        SOURCE = "source", _("Đơn vị cũ")
        TARGET = "target", _("Đơn vị mới")

    event = models.ForeignKey(LineageEvent, on_delete=models.CASCADE, related_name="links")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="lineage_links")
    role = models.CharField(max_length=8, choices=Role)

    class Meta:
        constraints = [
            # A unit ends at most once and begins at most once: overlapping events are refused
            # by the database too, not only by the service.
            models.UniqueConstraint(fields=["unit", "role"], name="lineage_unit_once_per_role"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.unit}"


class Cluster(models.Model):
    """An emulation cluster (cụm thi đua); its members and leader are set per year."""

    code = models.SlugField(_("mã"), max_length=64, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    parent_body = models.CharField(_("cơ quan chủ quản"), max_length=200, default="Bộ Công an")
    movement = models.CharField(
        _("phong trào thi đua"), max_length=200, default="Vì an ninh Tổ quốc"
    )
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("cụm thi đua")
        verbose_name_plural = _("cụm thi đua")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class RuleSet(models.Model):
    """Versioned rules (scoring, titles, vote thresholds) with an effective period.

    A cycle references the rule set it runs under; once any cycle does, the rule set is
    frozen: a change in the law is a new version, never an edit under a past cycle. The one
    change left is giving an open-ended rule set its end date (no earlier than 31/12 of the
    last year run under it), so that the next version can follow it.
    """

    code = models.SlugField(_("mã"), max_length=64)
    version = models.PositiveIntegerField(_("phiên bản"))
    name = models.CharField(_("tên"), max_length=200)
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=255, blank=True)
    effective_from = models.DateField(_("hiệu lực từ ngày"))
    effective_to = models.DateField(_("hiệu lực đến ngày"), null=True, blank=True)
    data = models.JSONField(_("nội dung"), default=dict, blank=True)

    class Meta:
        verbose_name = _("bộ quy tắc")
        verbose_name_plural = _("bộ quy tắc")
        ordering = ["code", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="ruleset_code_version"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="ruleset_period_ordered",
                violation_error_message=_("Ngày hết hiệu lực phải sau ngày có hiệu lực."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    def save(self, *args, **kwargs) -> None:
        # Enforced on every save, so that the Django admin cannot bypass it either.
        self.clean()
        super().save(*args, **kwargs)

    def covers(self, day: date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )

    def clean(self) -> None:
        super().clean()
        try:  # a list the documents cannot cite is refused where it is typed
            core_paperwork.grounds_for(self.data.get("grounds") or [], self.effective_from.year)
        except core_paperwork.GroundsError as error:
            raise ValidationError({"data": str(error)}) from error
        problems = core_deadlines.check_offsets(self.data.get(core_deadlines.KEY))
        if problems:
            raise ValidationError({"data": [problem.render() for problem in problems]})
        try:  # eligibility rules that cannot be read are refused where they are typed
            core_eligibility.rule_book(self.data)
        except core_eligibility.RuleError as error:
            raise ValidationError(
                {"data": [problem.render() for problem in error.problems]}
            ) from error
        unlevelled = [
            str(title.get("name") or title.get("code"))
            for title in (self.data.get("voting") or {}).get("titles", [])
            if title.get("level") not in TitleLevel.values
        ]
        if unlevelled:  # the register files each proposal under its title's level
            raise ValidationError(
                {
                    "data": _("Danh hiệu chưa ghi cấp khen thưởng (%(levels)s): %(titles)s.")
                    % {"levels": ", ".join(TitleLevel.values), "titles": ", ".join(unlevelled)}
                }
            )
        score_vote = ((self.data or {}).get("voting") or {}).get("score_vote")
        problems = core_score_ballots.vote_problems(score_vote) if score_vote else []
        if problems:
            raise ValidationError({"data": [problem.render() for problem in problems]})
        if self.pk is None:
            return
        stored = RuleSet.objects.filter(pk=self.pk).first()
        last_year = (
            stored.cycles.aggregate(last=models.Max("year"))["last"] if stored is not None else None
        )
        if last_year is None:
            return
        frozen = ("code", "version", "effective_from", "data")
        ends = stored.effective_to is None and self.effective_to is not None
        if any(getattr(stored, name) != getattr(self, name) for name in frozen) or (
            stored.effective_to != self.effective_to and not ends
        ):
            raise ValidationError(
                _(
                    "Bộ quy tắc này đã được dùng cho một năm thi đua nên không thể sửa; "
                    "hãy tạo phiên bản mới."
                ),
                code="ruleset_frozen",
            )
        # The one change allowed: an end date, when the next decree's rules take over, not
        # before the end of the last cluster year run under these rules.
        if ends and self.effective_to < date(last_year, 12, 31):
            raise ValidationError(
                {
                    "effective_to": ValidationError(
                        _(
                            "Bộ quy tắc này được dùng cho năm thi đua %(year)s nên chỉ có thể "
                            "hết hiệu lực từ ngày 31/12/%(year)s trở đi."
                        ),
                        code="ruleset_ends_too_early",
                        params={"year": last_year},
                    )
                }
            )


class Cycle(models.Model):
    """One cluster in one year (năm thi đua), standing at one phase, open or closed."""

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="cycles")
    year = models.PositiveIntegerField(_("năm"))
    title = models.CharField(_("tên cụm trong năm"), max_length=200)
    rule_set = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="cycles")
    leader = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="led_cycles", verbose_name=_("cụm trưởng")
    )
    deputy = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="deputy_cycles",
        null=True,
        blank=True,
        verbose_name=_("cụm phó"),
    )
    members = models.ManyToManyField(Unit, through="Membership", related_name="cycles")
    phase = models.CharField(
        _("giai đoạn"),
        max_length=16,
        choices=[(phase.value, phase.value) for phase in core_phases.PHASES],
        default=core_phases.Phase.PLANNING.value,
    )
    phase_is_open = models.BooleanField(_("giai đoạn đang mở"), default=True)
    note = models.TextField(_("ghi chú"), blank=True)
    created_by = models.ForeignKey(
        "org.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("năm thi đua")
        verbose_name_plural = _("năm thi đua")
        ordering = ["cluster__code", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "year"], name="cycle_cluster_year"),
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_YEAR) & Q(year__lte=LAST_YEAR), name="cycle_year_range"
            ),
            models.CheckConstraint(
                condition=Q(deputy__isnull=True) | ~Q(deputy=F("leader")),
                name="cycle_deputy_not_leader",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} – {self.year}"

    @property
    def position(self) -> core_phases.Position:
        return core_phases.Position(core_phases.Phase(self.phase), self.phase_is_open)

    @property
    def state(self) -> str:
        return self.position.state


class Membership(models.Model):
    """A unit's membership of a cycle: from its start, or from the day it joined (a unit
    formed by a merger during the year, `org.services.apply_merger`)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="memberships")
    joined_on = models.DateField(_("tham gia từ ngày"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "unit"], name="membership_once"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} ∈ {self.cycle}"


class PhaseEvent(models.Model):
    """The log of phase openings, closings and re-openings (with their reason)."""

    class Action(models.TextChoices):
        OPEN = "open", _("Mở")
        CLOSE = "close", _("Đóng")
        REOPEN = "reopen", _("Mở lại")

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="phase_events")
    phase = models.CharField(max_length=16)
    action = models.CharField(max_length=8, choices=Action)
    actor = models.ForeignKey(
        "org.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.phase} ({self.cycle})"


class PhaseDeadline(models.Model):
    """The deadline the leader unit set for one phase of a cycle (else the rule set's default),
    or for its mid-year review (`core.deadlines.Milestone`): the same machinery."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="deadlines")
    phase = models.CharField(
        _("giai đoạn"),
        max_length=16,
        choices=[(phase.value, phase.value) for phase in core_phases.PHASES]
        + [(step.value, step.value) for step in core_deadlines.Milestone],
    )
    due = models.DateField(_("thời hạn"))
    set_by = models.ForeignKey(
        "org.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("thời hạn giai đoạn")
        verbose_name_plural = _("thời hạn giai đoạn")
        ordering = ["cycle", "due"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "phase"], name="deadline_cycle_phase"),
        ]

    def __str__(self) -> str:
        return f"{self.phase} {self.due} ({self.cycle})"


class Handover(models.Model):
    """Who leads a cluster in a year, and how that was decided.

    Recorded at the end of the previous year's conference (elected) or by the Ministry
    (assigned); a later record for the same cluster and year supersedes an earlier one, and
    both stay in the history.
    """

    class Method(models.TextChoices):
        ELECTED = "elected", _("Bầu tại hội nghị")
        ASSIGNED = "assigned", _("Bộ Công an phân công")

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="handovers")
    year = models.PositiveIntegerField(_("năm đảm nhận"))
    leader = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("cụm trưởng")
    )
    deputy = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("cụm phó"),
    )
    method = models.CharField(_("hình thức"), max_length=16, choices=Method)
    decision_ref = models.CharField(_("văn bản, biên bản"), max_length=200, blank=True)
    from_cycle = models.ForeignKey(
        Cycle, on_delete=models.PROTECT, null=True, blank=True, related_name="handovers_out"
    )
    note = models.TextField(_("ghi chú"), blank=True)
    recorded_by = models.ForeignKey(
        "org.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("ghi nhận lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("bàn giao cụm trưởng")
        verbose_name_plural = _("bàn giao cụm trưởng")
        ordering = ["cluster", "year", "recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.cluster} {self.year}: {self.leader}"


class EnteredOnBehalf(models.Model):
    """What a member unit submits (its year report, its score sheets) when the leader unit's
    secretary entered it on its behalf ("nhập thay"), with why: it counts once the unit
    confirms it, or once the leader records why the unit could not. The mark stays once
    settled."""

    on_behalf_by = models.ForeignKey(
        "org.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người nhập thay"),
    )
    on_behalf_reason = models.TextField(_("lý do nhập thay"), blank=True)
    confirmed_by = models.ForeignKey(
        "org.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người xác nhận"),
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    excuse = models.TextField(_("lý do đơn vị không xác nhận được"), blank=True)

    class Meta:
        abstract = True

    @property
    def on_behalf(self) -> bool:
        return bool(self.on_behalf_reason)


class UserKind(models.TextChoices):
    ADMIN = "admin", _("Quản trị viên Bộ")
    SECRETARY = "secretary", _("Thư ký thi đua của đơn vị")
    DIRECTOR = "director", _("Thủ trưởng (Giám đốc) đơn vị")
    OFFICER = "officer", _("Cán bộ đơn vị")
    DELEGATE = "delegate", _("Đại biểu")
    OBSERVER = "observer", _("Quan sát viên")


UNIT_BOUND_KINDS = (UserKind.SECRETARY, UserKind.OFFICER, UserKind.DELEGATE, UserKind.DIRECTOR)


class User(AbstractUser):
    """A person: belongs to one unit; what they may do follows from their unit's roles."""

    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("đơn vị"),
    )
    kind = models.CharField(
        _("loại tài khoản"), max_length=16, choices=UserKind, default=UserKind.OFFICER
    )
    # Raised to end every session of this person at once (e.g. a delegate's check-in key
    # given again): sessions carry a hash of it and are refused when it no longer matches.
    session_epoch = models.PositiveIntegerField(default=0)
    # Set when the account was closed because its unit merged into another: where its
    # person now works (the sign-in page points there), and from which day.
    successor = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("đơn vị kế thừa"),
    )
    closed_on = models.DateField(_("đóng tài khoản từ ngày"), null=True, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind__in=[kind.value for kind in UNIT_BOUND_KINDS])
                | Q(unit__isnull=False),
                name="user_unit_required_for_kind",
                violation_error_message=_(
                    "Cán bộ, thư ký, đại biểu và thủ trưởng phải thuộc một đơn vị."
                ),
            )
        ]

    def get_full_name(self) -> str:
        """Vietnamese order: family and middle names first, given name last."""
        return f"{self.last_name} {self.first_name}".strip()

    @property
    def display_name(self) -> str:
        return self.name_shown(self.last_name, self.first_name, self.username)

    @staticmethod
    def name_shown(last_name: str, first_name: str, username: str) -> str:
        """The name pages show, from the columns alone (a list of hundreds read without
        making a User of each row)."""
        return f"{last_name} {first_name}".strip() or username

    def get_session_auth_hash(self) -> str:
        """Django checks this against the hash each session keeps: with the epoch in it, a
        raised epoch ends every earlier session on its next request."""
        return session_auth_hash(self.password, self.session_epoch)


def session_auth_hash(password: str, session_epoch: int) -> str:
    """A user's session hash from the two columns it depends on: the phones' cast checks a
    session against the row it read in its own statement, without building a User."""
    return salted_hmac(
        "thidua.org.User.session", f"{password}:{session_epoch}", algorithm="sha256"
    ).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the API; only its SHA-256 is stored. It reads (scope `read`) and
    writes only the stages its scopes name (`write:stats`, …), until it expires."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("tên"), max_length=100)
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("khóa truy cập API")
        verbose_name_plural = _("khóa truy cập API")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class CalendarToken(models.Model):
    """The secret in a person's calendar feed address; only its SHA-256 is stored. Revoking
    it (or making a new one) ends the old address."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="calendar_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d})"


class Reminder(models.Model):
    """A reminder of a phase's deadline, sent to one person on one day (at most once): the
    in-app notification list, and the proof that the e-mail went out."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="reminders")
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="reminders")
    phase = models.CharField(max_length=16)
    day = models.DateField()
    due = models.DateField()
    text = models.CharField(max_length=300)
    emailed = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-day", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "cycle", "phase", "day"], name="reminder_once_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.phase} {self.day}"


# --- the register of titles -----------------------------------------------------------------


class TitleLevel(models.TextChoices):
    GOVERNMENT = "government", _("Chính phủ")
    MINISTRY = "ministry", _("Bộ Công an")
    UNIT = "unit", _("Cơ sở")


class TitleState(models.TextChoices):
    PROPOSED = "proposed", _("Đề nghị")
    AWARDED = "awarded", _("Được tặng")
    NOT_AWARDED = "not_awarded", _("Không được tặng")


def decision_path(instance: Decision, filename: str) -> str:
    return f"decisions/{instance.signed_on:%Y}/{filename}"


class Decision(models.Model):
    """A decision on proposed titles (quyết định khen thưởng): one decision may cover units of
    many clusters and is recorded once. Recorded by the Ministry's emulation office, or by a
    cycle's leader unit on its behalf (`on_behalf`)."""

    number = models.CharField(_("số quyết định"), max_length=60)
    signed_on = models.DateField(_("ngày quyết định"))
    issuer = models.CharField(_("cơ quan ban hành"), max_length=200)
    pdf = models.FileField(_("tệp PDF của quyết định"), upload_to=decision_path, blank=True)
    recorded_by = models.ForeignKey(
        "org.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    on_behalf = models.BooleanField(_("cụm trưởng ghi thay Bộ"), default=False)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("quyết định khen thưởng")
        verbose_name_plural = _("quyết định khen thưởng")
        ordering = ["-signed_on", "number"]
        constraints = [
            models.UniqueConstraint(fields=["number", "issuer"], name="decision_once"),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.issuer})"


class Person(models.Model):
    """An officer named in the register of titles (cá nhân), as officials write them: full
    name and the unit they belong to; the rank (cấp bậc) and position (chức vụ) of each year
    are on that year's line, as its decision writes them (they change with promotions).

    Not a login: nominated officers generally have no account. A person is found again by
    (unit, key): the key is the name without accents ("nguyen-van-an") unless the leader gives
    another (e.g. the officer's number) to tell apart two officers of one unit with one name.
    A small model under the unit rather than name fields on every line, so that a person's
    years are one history (the eligibility rules read consecutive years) and a corrected
    spelling of the name is corrected once."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="people", verbose_name=_("đơn vị")
    )
    key = models.SlugField(_("mã cá nhân"), max_length=80)
    full_name = models.CharField(_("họ và tên"), max_length=100)

    class Meta:
        verbose_name = _("cá nhân")
        verbose_name_plural = _("cá nhân")
        ordering = ["unit__short_name", "key"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "key"], name="person_once_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.unit.short_name})"


class TitleRecord(models.Model):
    """One line of the register: a unit's (or a person's) title of a year, proposed, then
    awarded or not by a decision. A year with no line is unknown, never "not awarded".
    A person's line names the `person` (whose unit is `person.unit`) and leaves `unit` empty;
    `rank` and `position` are the person's as written for that year."""

    cluster = models.ForeignKey(
        Cluster, on_delete=models.PROTECT, null=True, blank=True, related_name="title_records"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="title_records"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="title_records"
    )
    rank = models.CharField(_("cấp bậc"), max_length=60, blank=True)
    position = models.CharField(_("chức vụ"), max_length=100, blank=True)
    year = models.PositiveIntegerField(_("năm"))
    title_code = models.SlugField(_("mã danh hiệu"), max_length=40)
    title = models.CharField(_("danh hiệu"), max_length=200)
    level = models.CharField(_("cấp"), max_length=16, choices=TitleLevel)
    state = models.CharField(
        _("trạng thái"), max_length=16, choices=TitleState, default=TitleState.PROPOSED
    )
    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, null=True, blank=True, related_name="records"
    )
    # the conference whose vote proposed it, when it came from one
    cycle = models.ForeignKey(
        Cycle, on_delete=models.PROTECT, null=True, blank=True, related_name="title_records"
    )
    source = models.CharField(_("nguồn"), max_length=255, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("danh hiệu thi đua")
        verbose_name_plural = _("sổ danh hiệu thi đua")
        ordering = ["-year", "title_code", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=False, person__isnull=True)
                | Q(unit__isnull=True, person__isnull=False),
                name="title_record_unit_or_person",
            ),
            models.CheckConstraint(
                condition=Q(state="proposed") | Q(decision__isnull=False),
                name="title_record_decided_by_decision",
            ),
            models.UniqueConstraint(
                fields=["unit", "year", "title_code"],
                condition=Q(unit__isnull=False),
                name="title_record_unit_once",
            ),
            models.UniqueConstraint(
                fields=["person", "year", "title_code"],
                condition=Q(person__isnull=False),
                name="title_record_person_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.title}: {self.unit or self.person}"
