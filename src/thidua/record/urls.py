"""The record download, and the Ministry server's page that takes records in."""

from django.urls import path

from thidua.record import views

urlpatterns = [
    path("records/", views.received, name="records"),
    path("records/<int:pk>/file/", views.quarantined_file, name="record_quarantined"),
]

# under clusters/<code>/<year>/
cycle_urls = [
    path("record.json", views.download, name="record"),
]
