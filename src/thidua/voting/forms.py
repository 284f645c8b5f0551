"""Forms of the conference pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from thidua.org.forms import rank_field


class ConferenceForm(forms.Form):
    """What the minutes need about the conference itself."""

    held_on = forms.DateField(
        label=_("Ngày họp"),
        required=False,
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    starts_at = forms.TimeField(
        label=_("Giờ khai mạc"),
        required=False,
        input_formats=["%H:%M", "%Hh%M", "%H giờ %M"],
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    ends_at = forms.TimeField(
        label=_("Giờ bế mạc"),
        required=False,
        input_formats=["%H:%M", "%Hh%M", "%H giờ %M"],
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    place = forms.CharField(label=_("Địa điểm"), max_length=200, required=False)
    agenda = forms.CharField(
        label=_("Chương trình (mỗi dòng một nội dung)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    chair_rank = rank_field(_("Cấp bậc người chủ trì"))
    chair_name = forms.CharField(label=_("Chủ trì hội nghị"), max_length=150, required=False)
    chair_position = forms.CharField(
        label=_("Chức vụ người chủ trì"),
        max_length=200,
        required=False,
        help_text=_("Ví dụ: Giám đốc Công an tỉnh Hà Giang, Cụm trưởng."),
    )
    secretary_rank = rank_field(_("Cấp bậc thư ký"))
    secretary_name = forms.CharField(label=_("Thư ký hội nghị"), max_length=150, required=False)
    secretary_position = forms.CharField(label=_("Chức vụ thư ký"), max_length=200, required=False)
    guests = forms.CharField(
        label=_("Khách mời (mỗi dòng một người: cấp bậc, họ tên, chức vụ, đơn vị)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    conclusions = forms.CharField(
        label=_("Kết luận của hội nghị (mỗi dòng một ý)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def clean(self):
        """The minutes state when the conference opened and closed: closing comes after."""
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("Giờ bế mạc phải sau giờ khai mạc."))
        return data
