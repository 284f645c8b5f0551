"""The documents panel, the report's written sections, issuing and downloads."""

from django.urls import path

from thidua.documents import views

# under clusters/<code>/<year>/; <key>/issue/ comes before <key>/<kind>/
cycle_urls = [
    path("documents/", views.panel, name="documents"),
    path("documents/report-text/", views.report_text, name="report_text"),
    path("documents/grounds/", views.grounds, name="document_grounds"),
    path("documents/<slug:key>/issue/", views.issue, name="document_issue"),
    path("documents/<slug:key>/<slug:kind>/", views.download, name="document"),
]
