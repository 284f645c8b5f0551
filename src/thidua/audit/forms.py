"""The audit page's filters: what the GET parameters may say (the choices come from the
cycle's own entries, so a filter never offers what would find nothing)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from thidua.core.phases import PHASE_LABELS


class TrailFilter(forms.Form):
    phase = forms.ChoiceField(label=_("Giai đoạn"), required=False)
    unit = forms.ChoiceField(label=_("Đơn vị"), required=False)
    person = forms.ChoiceField(label=_("Người thực hiện"), required=False)
    action = forms.ChoiceField(label=_("Thao tác"), required=False)

    def __init__(self, data, *, units, people, actions):
        """`units`, `people`, `actions`: (value, label) pairs to choose from."""
        super().__init__(data)
        every = [("", _("Tất cả"))]
        self.fields["phase"].choices = every + [
            (phase.value, _(str(label))) for phase, label in PHASE_LABELS.items()
        ]
        self.fields["unit"].choices = every + list(units)
        self.fields["person"].choices = every + list(people)
        self.fields["action"].choices = every + list(actions)

    def chosen(self) -> dict[str, str]:
        """The filters given and valid (one that is not a choice is left out, and shown as
        an error on the form)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}
