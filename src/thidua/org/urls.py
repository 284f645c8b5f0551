"""Units, lineage, clusters and their cycles, and the user's API tokens."""

from django.urls import path

from thidua.org import views

urlpatterns = [
    path("accounts/tokens/", views.tokens, name="tokens"),
    path("accounts/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("accounts/calendar/", views.calendar_tokens, name="calendar_tokens"),
    path("calendar/<str:key>.ics", views.calendar_feed, name="calendar_feed"),
    path("units/<slug:code>/", views.unit_detail, name="unit"),
    path("units/<slug:code>/edit/", views.unit_edit, name="unit_edit"),
    path("lineage/", views.lineage_events, name="lineage"),
    path("lineage/new/", views.lineage_event_new, name="lineage_new"),
    path("clusters/<slug:code>/", views.cluster_detail, name="cluster"),
    path("clusters/<slug:code>/cycles/new/", views.cycle_new, name="cycle_new"),
    path("clusters/<slug:code>/register/", views.register_page, name="register"),
    path("clusters/<slug:code>/register/new/", views.register_new, name="register_new"),
    path("clusters/<slug:code>/register/import/", views.register_import, name="register_import"),
    path(
        "clusters/<slug:code>/register/template.xlsx",
        views.register_template,
        name="register_template",
    ),
    path("decisions/<int:pk>/pdf/", views.decision_pdf, name="decision_pdf"),
]

# under clusters/<code>/<year>/
cycle_urls = [
    path("", views.cycle_detail, name="cycle"),
    path("edit/", views.cycle_edit, name="cycle_edit"),
    path("phases/<slug:phase>/<slug:action>/", views.phase_action, name="phase_action"),
    path("deadlines/", views.deadline_set, name="deadline_set"),
    path("handover/", views.handover_new, name="handover_new"),
    path("merger/", views.merger_apply, name="merger_apply"),
    path("register/decision/", views.register_decision, name="register_decision"),
]
