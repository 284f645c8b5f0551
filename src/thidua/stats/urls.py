"""Statistics: the cluster table, a unit's report, Excel in and out."""

from django.urls import path

from thidua.stats import views

# under clusters/<code>/<year>/; the fixed names come before <unit>, which would match them
cycle_urls = [
    path("stats/", views.cluster_stats, name="stats"),
    path("stats/export.xlsx", views.export_table, name="stats_export"),
    path("stats/template.xlsx", views.export_template, name="stats_template"),
    path("stats/import/", views.import_stats, name="stats_import"),
    path("stats/<slug:unit>/", views.report_form, name="report"),
    path("stats/<slug:unit>/preview/", views.report_preview, name="report_preview"),
    path("stats/<slug:unit>/return/", views.report_return, name="report_return"),
    path("stats/<slug:unit>/on-behalf/", views.report_on_behalf, name="report_on_behalf"),
    path("stats/<slug:unit>/confirm/", views.report_confirm, name="report_confirm"),
    path("stats/<slug:unit>/excuse/", views.report_excuse, name="report_excuse"),
]
