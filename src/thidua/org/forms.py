"""Forms: they parse what people type; the rules live in the services and the core."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from thidua.core.cycles import FIRST_YEAR, LAST_YEAR
from thidua.core.lineage import named_with_dates
from thidua.core.messages import format_day
from thidua.core.paperwork import RANKS
from thidua.core.text import collation_key
from thidua.errors import DomainError
from thidua.org import selectors
from thidua.org.models import Handover, LineageEvent, RuleSet, TitleLevel, TitleState, Unit


class VietnameseOrder(ModelChoiceIterator):
    """Units listed in Vietnamese alphabetical order (Đ after D, not after Y)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for unit in sorted(self.queryset, key=unit_order):
            yield self.choice(unit)


class UnitChoiceField(forms.ModelChoiceField):
    iterator = VietnameseOrder

    def label_from_instance(self, unit: Unit) -> str:
        return unit_label(unit)


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    iterator = VietnameseOrder
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, unit: Unit) -> str:
        return unit_label(unit)


def unit_label(unit: Unit) -> str:
    """A unit's name with its validity, so that old and new units of one name differ."""
    named = named_with_dates(unit.name, unit.valid_from, unit.valid_to)
    return named if isinstance(named, str) else named.render(gettext)


def unit_order(unit: Unit) -> tuple:
    """By short name in Vietnamese order, the older unit of a name first."""
    return (collation_key(unit.short_name), unit.valid_from or date.min)


def show_errors(form: forms.Form, error: DomainError) -> None:
    """Put a service's refusal on the form, each message on its field where it has one."""
    for field, messages in error.by_field().items():
        form.add_error(field if field in form.fields else None, messages)


class CycleForm(forms.Form):
    members = UnitMultipleChoiceField(queryset=Unit.objects.all(), label=_("Đơn vị thành viên"))
    leader = UnitChoiceField(queryset=Unit.objects.all(), label=_("Cụm trưởng"), required=False)
    deputy = UnitChoiceField(queryset=Unit.objects.all(), label=_("Cụm phó"), required=False)
    title = forms.CharField(label=_("Tên cụm trong năm"), max_length=200, required=False)
    decision_ref = forms.CharField(
        label=_("Văn bản phân công cụm trưởng"), max_length=200, required=False
    )
    note = forms.CharField(
        label=_("Ghi chú"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class CycleCreateForm(CycleForm):
    year = forms.IntegerField(label=_("Năm"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    rule_set = forms.ModelChoiceField(
        queryset=RuleSet.objects.all(),
        label=_("Bộ quy tắc"),
        required=False,
        help_text=_("Để trống: bộ quy tắc có hiệu lực ngày 31/12 của năm."),
    )

    field_order = ["year", "members", "leader", "deputy", "rule_set", "title", "decision_ref"]


class HandoverForm(forms.Form):
    leader = UnitChoiceField(queryset=Unit.objects.none(), label=_("Cụm trưởng năm sau"))
    deputy = UnitChoiceField(
        queryset=Unit.objects.none(), label=_("Cụm phó năm sau"), required=False
    )
    method = forms.ChoiceField(choices=Handover.Method.choices, label=_("Hình thức"))
    decision_ref = forms.CharField(label=_("Biên bản, văn bản"), max_length=200, required=False)
    note = forms.CharField(
        label=_("Ghi chú"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, eligible, can_assign: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = eligible
        self.fields["deputy"].queryset = eligible
        if not can_assign:
            # Only the Ministry's admins record an assignment; a secretary records an election.
            del self.fields["method"]


class LineageEventForm(forms.Form):
    kind = forms.ChoiceField(choices=LineageEvent.Kind.choices, label=_("Loại sự kiện"))
    effective_date = forms.DateField(
        label=_("Ngày hiệu lực"),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    sources = UnitMultipleChoiceField(queryset=Unit.objects.all(), label=_("Đơn vị cũ"))
    targets = UnitMultipleChoiceField(queryset=Unit.objects.all(), label=_("Đơn vị mới"))
    legal_basis = forms.CharField(label=_("Căn cứ"), max_length=255, required=False)
    note = forms.CharField(
        label=_("Ghi chú"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


def rank_field(label) -> forms.ChoiceField:
    """A rank of the People's Public Security, or none (a civilian)."""
    return forms.ChoiceField(
        label=label, required=False, choices=[("", "—"), *((rank, rank) for rank in RANKS)]
    )


class UnitProfileForm(forms.ModelForm):
    head_rank = rank_field(_("Cấp bậc thủ trưởng"))

    class Meta:
        model = Unit
        fields = ["head_rank", "head_name", "head_title", "address", "phone", "email"]


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Tên khóa (dùng để làm gì)"), max_length=100)
    scopes = forms.MultipleChoiceField(
        label=_("Quyền của khóa"),
        choices=[
            ("read", _("Đọc")),
            ("write:org", _("Ghi: tổ chức, năm thi đua")),
            ("write:stats", _("Ghi: báo cáo số liệu")),
            ("write:scoring", _("Ghi: chấm điểm")),
            ("write:voting", _("Ghi: hội nghị, bỏ phiếu")),
            ("write:documents", _("Ghi: văn bản")),
        ],
        initial=["read"],
        widget=forms.CheckboxSelectMultiple,
    )
    days = forms.IntegerField(label=_("Hết hạn sau (ngày)"), min_value=1, max_value=366, initial=30)


_DAY = {
    "input_formats": ["%d/%m/%Y", "%Y-%m-%d"],
    "widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
}


class TitleRecordForm(forms.Form):
    """One line of the register of titles, entered by hand."""

    unit = UnitChoiceField(queryset=Unit.objects.none(), label=_("Đơn vị"), to_field_name="code")
    year = forms.IntegerField(label=_("Năm"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    title_code = forms.SlugField(label=_("Mã danh hiệu"), max_length=40)
    title = forms.CharField(label=_("Tên danh hiệu"), max_length=200)
    level = forms.ChoiceField(label=_("Cấp"), choices=TitleLevel.choices)
    state = forms.ChoiceField(label=_("Trạng thái"), choices=TitleState.choices)
    number = forms.CharField(label=_("Số quyết định"), max_length=60, required=False)
    signed_on = forms.DateField(label=_("Ngày quyết định"), required=False, **_DAY)
    issuer = forms.CharField(label=_("Cơ quan ban hành"), max_length=200, required=False)
    source = forms.CharField(label=_("Nguồn"), max_length=255, required=False)
    # a person's line (the unit above is the person's); all empty for the unit's own line
    full_name = forms.CharField(
        label=_("Họ và tên cá nhân"),
        max_length=100,
        required=False,
        help_text=_("Để trống nếu là danh hiệu của đơn vị."),
    )
    rank = forms.CharField(label=_("Cấp bậc"), max_length=60, required=False)
    position = forms.CharField(label=_("Chức vụ"), max_length=100, required=False)
    person_key = forms.CharField(
        label=_("Mã cá nhân"),
        max_length=80,
        required=False,
        help_text=_("Chỉ cần khi đơn vị có hai người trùng họ tên (ví dụ số hiệu)."),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class DecisionForm(forms.Form):
    """A decision on a year's proposals: which lines it awards, which it does not."""

    number = forms.CharField(label=_("Số quyết định"), max_length=60)
    signed_on = forms.DateField(label=_("Ngày quyết định"), **_DAY)
    issuer = forms.CharField(label=_("Cơ quan ban hành"), max_length=200)
    pdf = forms.FileField(label=_("Tệp PDF của quyết định"), required=False)


class SignInForm(AuthenticationForm):
    """Django's sign-in form; an account closed at a merger is told, once its password is
    right, where its person now works instead of "wrong name or password"."""

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            closed = selectors.closed_account(self.cleaned_data.get("username") or "")
            if closed is not None and closed.check_password(self.cleaned_data.get("password")):
                raise forms.ValidationError(
                    _(
                        "Tài khoản này đã đóng từ ngày %(day)s vì %(unit)s đã sáp nhập vào "
                        "%(successor)s. Hãy đăng nhập bằng tài khoản của %(successor)s; chưa có "
                        "thì đề nghị thư ký thi đua của %(successor)s cấp."
                    )
                    % {
                        "day": format_day(closed.closed_on) if closed.closed_on else "—",
                        "unit": closed.unit.name if closed.unit else "—",
                        "successor": closed.successor.name,
                    },
                    code="account_merged",
                ) from None
            raise


class MergerForm(forms.Form):
    """Apply a merger of the cycle's year: which accounts of the merged units go to the new
    unit (the others are closed, pointing to it)."""

    event = forms.ModelChoiceField(queryset=LineageEvent.objects.none(), label=_("Sáp nhập"))
    move = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Tài khoản chuyển sang đơn vị mới (các tài khoản khác bị đóng)"),
    )

    def __init__(self, *args, events, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.accounts = {str(user.pk): user for user in accounts}
        self.fields["event"].queryset = LineageEvent.objects.filter(
            pk__in=[event.pk for event in events]
        )
        self.fields["event"].label_from_instance = lambda event: (
            f"{event} – "
            + ", ".join(link.unit.short_name for link in event.links.all() if link.role == "source")
            + " → "
            + ", ".join(link.unit.short_name for link in event.links.all() if link.role == "target")
        )
        self.fields["move"].choices = [
            (pk, f"{user.username} ({user.unit.short_name}, {user.get_kind_display()})")
            for pk, user in self.accounts.items()
        ]

    def clean_move(self):
        return [self.accounts[pk] for pk in self.cleaned_data["move"]]
