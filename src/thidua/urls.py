"""URL map. Every page but the login and the language switch needs a signed-in user."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path
from django.views.i18n import set_language

from thidua.api import api
from thidua.audit import views as audit
from thidua.documents import views as documents
from thidua.org import views as org
from thidua.record import views as record
from thidua.scoring import views as scoring
from thidua.stats import views as stats
from thidua.voting import views as voting
from thidua.web import dashboard
from thidua.web import views as web

admin.site.site_header = "thidua"
admin.site.site_title = "thidua"

urlpatterns = [
    path("", web.home, name="home"),
    path("about/", web.about, name="about"),
    path("records/", record.received, name="records"),
    path("records/<int:pk>/file/", record.quarantined_file, name="record_quarantined"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/tokens/", org.tokens, name="tokens"),
    path("accounts/tokens/<int:pk>/revoke/", org.token_revoke, name="token_revoke"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("units/<slug:code>/", org.unit_detail, name="unit"),
    path("units/<slug:code>/edit/", org.unit_edit, name="unit_edit"),
    path("dashboard/", dashboard.overview, name="overview"),
    path("lineage/", org.lineage_events, name="lineage"),
    path("lineage/new/", org.lineage_event_new, name="lineage_new"),
    path("clusters/<slug:code>/", org.cluster_detail, name="cluster"),
    path("clusters/<slug:code>/cycles/new/", org.cycle_new, name="cycle_new"),
    path("clusters/<slug:code>/<int:year>/", org.cycle_detail, name="cycle"),
    path("clusters/<slug:code>/<int:year>/edit/", org.cycle_edit, name="cycle_edit"),
    path(
        "clusters/<slug:code>/<int:year>/phases/<slug:phase>/<slug:action>/",
        org.phase_action,
        name="phase_action",
    ),
    path("clusters/<slug:code>/<int:year>/handover/", org.handover_new, name="handover_new"),
    path("clusters/<slug:code>/<int:year>/stats/", stats.cluster_stats, name="stats"),
    path(
        "clusters/<slug:code>/<int:year>/stats/export.xlsx", stats.export_table, name="stats_export"
    ),
    path(
        "clusters/<slug:code>/<int:year>/stats/template.xlsx",
        stats.export_template,
        name="stats_template",
    ),
    path("clusters/<slug:code>/<int:year>/stats/import/", stats.import_stats, name="stats_import"),
    path("clusters/<slug:code>/<int:year>/stats/<slug:unit>/", stats.report_form, name="report"),
    path(
        "clusters/<slug:code>/<int:year>/stats/<slug:unit>/preview/",
        stats.report_preview,
        name="report_preview",
    ),
    path(
        "clusters/<slug:code>/<int:year>/stats/<slug:unit>/return/",
        stats.report_return,
        name="report_return",
    ),
    path("clusters/<slug:code>/<int:year>/audit/", audit.cycle_trail, name="audit_trail"),
    path("clusters/<slug:code>/<int:year>/agreement/", scoring.agreement, name="agreement"),
    path(
        "clusters/<slug:code>/<int:year>/agreement/copy/",
        scoring.agreement_copy,
        name="agreement_copy",
    ),
    path(
        "clusters/<slug:code>/<int:year>/agreement/targets/",
        scoring.agreement_targets,
        name="agreement_targets",
    ),
    path(
        "clusters/<slug:code>/<int:year>/agreement/rules/",
        scoring.agreement_rules,
        name="agreement_rules",
    ),
    path(
        "clusters/<slug:code>/<int:year>/agreement/sign/",
        scoring.agreement_sign,
        name="agreement_sign",
    ),
    path(
        "clusters/<slug:code>/<int:year>/agreement/export.xlsx",
        scoring.agreement_export,
        name="agreement_export",
    ),
    path(
        "clusters/<slug:code>/<int:year>/agreement/import/",
        scoring.agreement_import,
        name="agreement_import",
    ),
    path("clusters/<slug:code>/<int:year>/scoring/", scoring.scoring_home, name="scoring"),
    path("clusters/<slug:code>/<int:year>/scoring/facts/", scoring.facts, name="facts"),
    path(
        "clusters/<slug:code>/<int:year>/scoring/evidence/<int:pk>/",
        scoring.evidence_download,
        name="evidence",
    ),
    path(
        "clusters/<slug:code>/<int:year>/scoring/evidence/upload/<slug:unit>/",
        scoring.evidence_upload,
        name="evidence_upload",
    ),
    path(
        "clusters/<slug:code>/<int:year>/scoring/<slug:scorer>/<slug:target>/",
        scoring.sheet,
        name="sheet",
    ),
    path(
        "clusters/<slug:code>/<int:year>/scoring/<slug:scorer>/<slug:target>/preview/",
        scoring.sheet_preview,
        name="sheet_preview",
    ),
    path(
        "clusters/<slug:code>/<int:year>/scoring/<slug:scorer>/<slug:target>/reopen/",
        scoring.sheet_reopen,
        name="sheet_reopen",
    ),
    path("clusters/<slug:code>/<int:year>/results/", scoring.results, name="results"),
    path("clusters/<slug:code>/<int:year>/record.json", record.download, name="record"),
    path(
        "clusters/<slug:code>/<int:year>/results/export.xlsx",
        scoring.results_export,
        name="results_export",
    ),
    path("conference/join/", voting.join_by_code, name="conference_join_code"),
    path("conference/join/<str:key>/", voting.join, name="conference_join"),
    path("clusters/<slug:code>/<int:year>/conference/", voting.conference, name="conference"),
    path("clusters/<slug:code>/<int:year>/conference/screen/", voting.screen, name="screen"),
    path(
        "clusters/<slug:code>/<int:year>/conference/board-key/",
        voting.board_key,
        name="board_key",
    ),
    path(
        "clusters/<slug:code>/<int:year>/conference/details/",
        voting.conference_details,
        name="conference_details",
    ),
    path(
        "clusters/<slug:code>/<int:year>/conference/polls/new/",
        voting.create_poll,
        name="poll_new",
    ),
    path(
        "clusters/<slug:code>/<int:year>/conference/handover/",
        voting.hand_over,
        name="conference_handover",
    ),
    path(
        "clusters/<slug:code>/<int:year>/conference/delegates/",
        voting.add_delegates,
        name="add_delegates",
    ),
    path(
        "clusters/<slug:code>/<int:year>/conference/delegates/<int:pk>/check-in/",
        voting.check_in,
        name="check_in",
    ),
    path(
        "clusters/<slug:code>/<int:year>/conference/polls/<slug:poll_code>/",
        voting.poll,
        name="poll",
    ),
    path(
        "clusters/<slug:code>/<int:year>/conference/polls/<slug:poll_code>/receipt.txt",
        voting.receipt,
        name="receipt",
    ),
    path(
        "clusters/<slug:code>/<int:year>/conference/polls/<slug:poll_code>/paper/",
        voting.paper_entry,
        name="paper_entry",
    ),
    path(
        "clusters/<slug:code>/<int:year>/conference/polls/<slug:poll_code>/written/",
        voting.written,
        name="written",
    ),
    path(
        "clusters/<slug:code>/<int:year>/conference/polls/<slug:poll_code>/cast/",
        voting.cast,
        name="cast",
    ),
    path(
        "clusters/<slug:code>/<int:year>/conference/device-key/",
        voting.device_key,
        name="device_key",
    ),
    path(
        "clusters/<slug:code>/<int:year>/conference/polls/<slug:poll_code>/<slug:action>/",
        voting.poll_action,
        name="poll_action",
    ),
    path("clusters/<slug:code>/<int:year>/documents/", documents.panel, name="documents"),
    path("clusters/<slug:code>/<int:year>/dashboard/", dashboard.cycle_dashboard, name="dashboard"),
    path(
        "clusters/<slug:code>/<int:year>/documents/report-text/",
        documents.report_text,
        name="report_text",
    ),
    path(
        "clusters/<slug:code>/<int:year>/documents/<slug:key>/issue/",
        documents.issue,
        name="document_issue",
    ),
    path(
        "clusters/<slug:code>/<int:year>/documents/<slug:key>/<slug:kind>/",
        documents.download,
        name="document",
    ),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]
