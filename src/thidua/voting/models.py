"""The year-end conference: delegates, the counting board, polls, the roll and the ballots.

Secrecy by construction: the electors (who may vote, fixed at opening, and who has voted) and
the ballots (what was voted) are separate tables with nothing to join them — no voter id, no
sequence number, no time on a ballot. Ballots live in slots created in random order when the
poll opens; a vote fills a random free slot, and closing the poll rewrites the ballots in a
fresh random order.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from thidua.core.ballots import Effect, effect_of


class Conference(models.Model):
    cycle = models.OneToOneField("org.Cycle", on_delete=models.CASCADE, related_name="conference")
    held_on = models.DateField(_("ngày họp"), null=True, blank=True)
    starts_at = models.TimeField(_("giờ khai mạc"), null=True, blank=True)
    ends_at = models.TimeField(_("giờ bế mạc"), null=True, blank=True)
    place = models.CharField(_("địa điểm"), max_length=255, blank=True)
    agenda = models.TextField(_("chương trình"), blank=True)
    chair_name = models.CharField(_("chủ trì hội nghị"), max_length=150, blank=True)
    chair_rank = models.CharField(_("cấp bậc người chủ trì"), max_length=60, blank=True)
    chair_position = models.CharField(_("chức vụ người chủ trì"), max_length=200, blank=True)
    secretary_name = models.CharField(_("thư ký hội nghị"), max_length=150, blank=True)
    secretary_rank = models.CharField(_("cấp bậc thư ký"), max_length=60, blank=True)
    secretary_position = models.CharField(_("chức vụ thư ký"), max_length=200, blank=True)
    # One guest per line, as the minutes list them: rank, name, position, on whose behalf.
    guests = models.TextField(_("khách mời"), blank=True)
    conclusions = models.TextField(_("kết luận của hội nghị"), blank=True)

    class Meta:
        verbose_name = _("hội nghị tổng kết")
        verbose_name_plural = _("hội nghị tổng kết")

    def __str__(self) -> str:
        return f"{self.cycle}"


class Delegate(models.Model):
    """A person voting at the conference for a member unit (đại biểu)."""

    class Board(models.TextChoices):
        NONE = "", _("Không")
        CHAIR = "chair", _("Trưởng ban kiểm phiếu")
        MEMBER = "member", _("Thành viên ban kiểm phiếu")

    # no index of its own: `delegate_once` (conference, user) serves lookups by conference, and
    # a second index let PostgreSQL, before it has statistics of a hall's new delegates, find
    # the casting delegate by reading every delegate of the conference
    conference = models.ForeignKey(
        Conference, on_delete=models.CASCADE, related_name="delegates", db_index=False
    )
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey("org.User", on_delete=models.PROTECT, related_name="delegations")
    checked_in_at = models.DateTimeField(_("điểm danh lúc"), null=True, blank=True)
    login_key_hash = models.CharField(max_length=64, blank=True)
    # The phone's Ed25519 public key (hex), recorded when the delegate signs in with the
    # check-in key: every phone ballot is signed by it, so a copied cookie alone cannot vote.
    device_key = models.CharField(max_length=64, blank=True)
    board = models.CharField(
        _("ban kiểm phiếu"), max_length=8, choices=Board, blank=True, default=""
    )

    class Meta:
        ordering = ["unit__short_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["conference", "user"], name="delegate_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user.display_name} ({self.unit.short_name})"


class JoinFailure(models.Model):
    """A wrong check-in key tried from an address: the join path slows guessing down."""

    address = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.address} {self.at:%H:%M}"


class Poll(models.Model):
    class Purpose(models.TextChoices):
        TITLE = "title", _("Bình xét danh hiệu")
        LEADER = "leader", _("Bầu cụm trưởng")
        DEPUTY = "deputy", _("Bầu cụm phó")
        OTHER = "other", _("Biểu quyết khác")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Chưa mở")
        OPEN = "open", _("Đang bỏ phiếu")
        # an encrypted poll's box is closed and its sums fixed: the counting board decrypts
        COUNTING = "counting", _("Đang giải mã kết quả")
        CLOSED = "closed", _("Đã kiểm phiếu")
        # counted, but the count cannot be right (e.g. more ballots than issued): no result,
        # the reason kept in `result["void"]`, and a re-vote offered
        VOID = "void", _("Kiểm phiếu không hợp lệ")

    class Mode(models.TextChoices):
        ELECTRONIC = "electronic", _("Bỏ phiếu trên điện thoại")
        PAPER = "paper", _("Phiếu giấy")

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="polls")
    code = models.SlugField(max_length=40)
    title = models.CharField(_("nội dung"), max_length=255)
    purpose = models.CharField(max_length=8, choices=Purpose, default=Purpose.TITLE)
    title_code = models.CharField(max_length=40, blank=True)  # e.g. co_chinh_phu
    mode = models.CharField(max_length=12, choices=Mode, default=Mode.ELECTRONIC)
    rules = models.JSONField()  # copied from the rule set at creation; printed on the minutes
    status = models.CharField(max_length=8, choices=Status, default=Status.DRAFT)
    electorate = models.PositiveIntegerField(default=0)  # electors (delegates) fixed at opening
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    runoff_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="runoffs"
    )
    result = models.JSONField(null=True, blank=True)  # the tally, frozen at closing
    # Encrypted polls (docs/ballot-crypto.md): the board's key and the form phones encrypt;
    # after the close, the sums the board decrypts (`sealed_tally`).
    ceremony = models.ForeignKey(
        "KeyCeremony", on_delete=models.PROTECT, null=True, blank=True, related_name="polls"
    )
    public_key = models.CharField(max_length=64, blank=True)
    form = models.JSONField(null=True, blank=True)
    sealed_tally = models.JSONField(null=True, blank=True)
    # Once counted, the paper ballots and absent delegates' written opinions are kept only
    # by their totals (`core.ballots.Totals` and how many were written opinions); a score
    # poll's paper totals sheet, when its pile was entered as totals (`PaperSheet`).
    paper = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["conference", "code"], name="poll_code_once"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def effect(self) -> Effect:
        """What meeting the threshold does (`core.ballots.effect_of`)."""
        return effect_of(self.purpose)

    @property
    def sealed(self) -> bool:
        """Phone ballots are encrypted to the counting board's key."""
        return bool(self.public_key)


class Candidate(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="candidates")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(default=0)
    # why a unit the eligibility rules find not eligible stays on the ballot (typed, audited)
    kept_reason = models.CharField(_("lý do giữ trong danh sách"), max_length=500, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "unit"], name="candidate_once"),
        ]

    def __str__(self) -> str:
        return f"{self.unit}"


class ElectorQuerySet(models.QuerySet):
    def voted(self):
        return self.exclude(method="")


class Elector(models.Model):
    """A delegate on a poll's electorate, fixed when the poll opens — and whether they have
    voted (the roll), never what. The time is kept to the minute, for the delegate's own
    screen ("đã bỏ phiếu lúc 09:42"); ballots carry no time at all."""

    class Method(models.TextChoices):
        NOT_YET = "", _("Chưa bỏ phiếu")
        ELECTRONIC = "electronic", _("Điện thoại")
        PAPER = "paper", _("Phiếu giấy")
        WRITTEN = "written", _("Ý kiến bằng văn bản")

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="electors")
    delegate = models.ForeignKey(Delegate, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=12, choices=Method, blank=True, default="")
    voted_at = models.DateTimeField(null=True, blank=True)

    objects = ElectorQuerySet.as_manager()

    class Meta:
        constraints = [
            # One elector row per delegate per poll; casting turns it from "not yet" to voted
            # in the ballot's transaction, once (an UPDATE … WHERE method = '').
            models.UniqueConstraint(fields=["poll", "delegate"], name="elector_once"),
        ]

    def __str__(self) -> str:
        return f"{self.delegate}{' ✓' if self.voted else ''}"

    @property
    def voted(self) -> bool:
        return self.method != ""


class Reissue(models.Model):
    """A check-in key given again to a delegate (lost phone, new device): its own act, with
    who did it, when, and the reason the secretary typed; listed in the vote-count minutes.
    The delegate's earlier sessions end with it."""

    delegate = models.ForeignKey(Delegate, on_delete=models.CASCADE, related_name="reissues")
    issued_by = models.ForeignKey(
        "org.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(_("lý do cấp lại"))

    class Meta:
        ordering = ["issued_at", "id"]

    def __str__(self) -> str:
        return f"{self.delegate} {self.issued_at:%H:%M}"


class Ballot(models.Model):
    """What one ballot says: no voter, no sequence, no time. A random id, a receipt code."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="ballots")
    filled = models.BooleanField(default=False)
    content = models.JSONField(null=True, blank=True)  # {"choices": [...]} or {"answers": {...}}
    source = models.CharField(max_length=12, blank=True)  # electronic / paper / written
    receipt = models.CharField(max_length=64, blank=True)  # an encrypted ballot's tracker

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "receipt"],
                condition=~models.Q(receipt=""),
                name="ballot_receipt_once",
            ),
        ]
        # the free slots of a poll in id order: a cast takes the first free one after a
        # random id by an index lookup, not by sorting every free slot of the poll
        indexes = [
            models.Index(
                fields=["poll", "id"], condition=models.Q(filled=False), name="ballot_free_slot"
            ),
        ]

    def __str__(self) -> str:
        return self.receipt or "—"


class PaperEntry(models.Model):
    """One board member's entry of a pile of paper ballots (two are reconciled)."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="paper_entries")
    entry = models.PositiveSmallIntegerField()  # 1 or 2
    entered_by = models.ForeignKey("org.User", on_delete=models.PROTECT, related_name="+")
    ballots = models.JSONField(default=list)  # in pile order
    # a score poll's pile entered as totals instead (core.score_ballots.PaperSheet as JSON)
    sheet = models.JSONField(null=True, blank=True)
    issued = models.PositiveIntegerField(default=0)  # paper ballots handed out
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "entry"], name="paper_entry_once"),
        ]

    def __str__(self) -> str:
        return f"{self.poll} #{self.entry}"


class KeyCeremony(models.Model):
    """The counting board's key, made by its members on their own devices, k of n
    (docs/ballot-crypto.md §2): the server relays what they publish and sees nothing secret."""

    class Status(models.TextChoices):
        ANNOUNCING = "announcing", _("Các thành viên công bố khóa")
        SHARING = "sharing", _("Các thành viên gửi phần khóa cho nhau")
        CHECKING = "checking", _("Các thành viên kiểm tra phần khóa và đối chiếu dấu vân tay")
        READY = "ready", _("Khóa sẵn sàng")
        FAILED = "failed", _("Không thành công: làm lại")

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="ceremonies")
    label = models.CharField(max_length=40)
    members = models.PositiveSmallIntegerField()
    threshold = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=12, choices=Status, default=Status.ANNOUNCING)
    public_key = models.CharField(max_length=64, blank=True)
    key_fingerprint = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["conference", "label"], name="ceremony_label_once"),
        ]

    def __str__(self) -> str:
        return f"{self.conference} {self.label}"


class Trustee(models.Model):
    """A counting-board member's place in a ceremony: their number, what they published,
    and whether they confirmed the shares they received and the fingerprints read aloud."""

    ceremony = models.ForeignKey(KeyCeremony, on_delete=models.CASCADE, related_name="trustees")
    index = models.PositiveSmallIntegerField()
    # None in a record restored elsewhere: what the member published stands without an account
    delegate = models.ForeignKey(
        Delegate, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    announcement = models.JSONField(null=True, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True)
    confirmed = models.BooleanField(default=False)

    class Meta:
        ordering = ["index"]
        constraints = [
            models.UniqueConstraint(fields=["ceremony", "index"], name="trustee_index_once"),
            models.UniqueConstraint(fields=["ceremony", "delegate"], name="trustee_once"),
        ]

    def __str__(self) -> str:
        return f"{self.ceremony} #{self.index}"


class TrusteeMessage(models.Model):
    """A share from one member to another, encrypted to the recipient: relayed, never read."""

    ceremony = models.ForeignKey(KeyCeremony, on_delete=models.CASCADE, related_name="messages")
    sender = models.PositiveSmallIntegerField()
    recipient = models.PositiveSmallIntegerField()
    body = models.JSONField()

    class Meta:
        ordering = ["sender", "recipient"]
        constraints = [
            models.UniqueConstraint(
                fields=["ceremony", "sender", "recipient"], name="trustee_message_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ceremony} {self.sender}→{self.recipient}"


class TrusteeComplaint(models.Model):
    """A member's complaint against a share, and its verdict, which anyone can recompute."""

    ceremony = models.ForeignKey(KeyCeremony, on_delete=models.CASCADE, related_name="complaints")
    body = models.JSONField()
    upheld = models.BooleanField()
    filed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.ceremony} {'upheld' if self.upheld else 'unfounded'}"


class Decryption(models.Model):
    """One member's partial decryption of an encrypted poll's sums, with its proofs."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="decryptions")
    trustee = models.ForeignKey(Trustee, on_delete=models.PROTECT, related_name="+")
    body = models.JSONField()
    turnout_typed = models.PositiveIntegerField()

    class Meta:
        ordering = ["trustee__index"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "trustee"], name="decryption_once"),
        ]

    def __str__(self) -> str:
        return f"{self.poll} #{self.trustee.index}"


class SpoiledBallot(models.Model):
    """A ballot its delegate challenged instead of casting: opened by its own randomness,
    published, never counted (cast-as-intended)."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="spoiled")
    body = models.JSONField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.body.get("tracker", "")
