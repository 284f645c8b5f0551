"""A cycle's audit trail."""

from django.urls import path

from thidua.audit import views

# under clusters/<code>/<year>/
cycle_urls = [
    path("audit/", views.cycle_trail, name="audit_trail"),
    path("audit/export.xlsx", views.export, name="audit_export"),
]
