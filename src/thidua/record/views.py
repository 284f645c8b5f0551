"""The record download (everyone who may read a cycle's results may check them), and the
Ministry server's page where its admins register the clusters' keys and take records in."""

from django import forms
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thidua.core import record as core_record
from thidua.core.policy import Action
from thidua.errors import DomainError
from thidua.org.authz import require
from thidua.org.forms import show_errors
from thidua.org.lookups import cycle_view
from thidua.org.models import Cycle
from thidua.record import selectors, services
from thidua.record.export import export

MAX_RECORD_BYTES = 12 * 1024 * 1024  # as much as the server takes in one request


@cycle_view(Action.VIEW_RESULTS)
def download(request, cycle: Cycle):
    response = HttpResponse(core_record.encode(export(cycle)), content_type="application/json")
    name = f"ban-ghi-{cycle.cluster.code}-{cycle.year}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class KeyForm(forms.Form):
    cluster_code = forms.SlugField(label=gettext_lazy("Mã cụm"), max_length=40)
    year = forms.IntegerField(label=gettext_lazy("Năm"), min_value=2000, max_value=2100)
    fingerprint = forms.CharField(
        label=gettext_lazy("Dấu vân tay khóa ký (như in trên giấy)"), max_length=100
    )
    note = forms.CharField(label=gettext_lazy("Ghi chú"), max_length=255, required=False)


class ReceiveForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Tệp bản ghi (.json hoặc .json.gz)"))
    anchor = forms.CharField(
        label=gettext_lazy("Mã kiểm chứng in trên biên bản đã ký"), max_length=200
    )


def received(request):
    """Register a cluster laptop's key, take a record in, and see what was received."""
    require(request.user, Action.RECEIVE_RECORDS)
    key_form = KeyForm(request.POST if request.POST.get("action") == "register" else None)
    receive_form = ReceiveForm(
        request.POST if request.POST.get("action") == "receive" else None,
        request.FILES if request.POST.get("action") == "receive" else None,
    )
    taken = None
    if key_form.is_bound and key_form.is_valid():
        try:
            services.register_key(actor=request.user, **key_form.cleaned_data)
        except DomainError as error:
            show_errors(key_form, error)
        else:
            return redirect("records")
    if receive_form.is_bound and receive_form.is_valid():
        upload = receive_form.cleaned_data["file"]
        try:
            document = core_record.parse(upload.read(MAX_RECORD_BYTES + 1))
            taken = services.receive(
                actor=request.user,
                document=document,
                anchor=receive_form.cleaned_data["anchor"],
            )
        except core_record.Unreadable as error:
            receive_form.add_error("file", error.phrase.render(_))
        except DomainError as error:
            show_errors(receive_form, error)
    failed = key_form.errors or receive_form.errors
    return render(
        request,
        "record/received.html",
        {
            "key_form": key_form,
            "receive_form": receive_form,
            "taken": taken,
            "keys": selectors.registered_keys(),
            "received": selectors.received_records(),
        },
        status=400 if failed else 200,
    )


def quarantined_file(request, pk: int):
    """A quarantined record as it was received, for people to look into."""
    require(request.user, Action.RECEIVE_RECORDS)
    item = get_object_or_404(selectors.quarantined(), pk=pk)
    response = HttpResponse(bytes(item.content), content_type="application/gzip")
    name = f"ban-ghi-cach-ly-{item.cluster_code}-{item.year}-{item.pk}.json.gz"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
