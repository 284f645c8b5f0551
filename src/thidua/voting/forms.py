"""Forms of the conference pages."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ConferenceForm(forms.Form):
    """What the minutes need about the conference itself."""

    held_on = forms.DateField(
        label=_("Ngày họp"),
        required=False,
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    place = forms.CharField(label=_("Địa điểm"), max_length=200, required=False)
    agenda = forms.CharField(
        label=_("Chương trình (mỗi dòng một nội dung)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    chair_name = forms.CharField(label=_("Chủ trì hội nghị"), max_length=150, required=False)
    secretary_name = forms.CharField(label=_("Thư ký hội nghị"), max_length=150, required=False)
