"""The agreement, the score sheets with their evidence and facts, and the results."""

from django.urls import path

from thidua.scoring import views

# under clusters/<code>/<year>/; facts/, evidence/ and review/ come before <scorer>/<target>/
cycle_urls = [
    path("agreement/", views.agreement, name="agreement"),
    path("agreement/copy/", views.agreement_copy, name="agreement_copy"),
    path("agreement/targets/", views.agreement_targets, name="agreement_targets"),
    path("agreement/rules/", views.agreement_rules, name="agreement_rules"),
    path("agreement/sign/", views.agreement_sign, name="agreement_sign"),
    path("agreement/confirm/<slug:unit>/", views.agreement_confirm, name="agreement_confirm"),
    path("agreement/excuse/<slug:unit>/", views.agreement_excuse, name="agreement_excuse"),
    path("agreement/export.xlsx", views.agreement_export, name="agreement_export"),
    path("agreement/import/", views.agreement_import, name="agreement_import"),
    path("scoring/", views.scoring_home, name="scoring"),
    path("scoring/facts/", views.facts, name="facts"),
    path("scoring/evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("scoring/evidence/upload/<slug:unit>/", views.evidence_upload, name="evidence_upload"),
    path("scoring/review/<slug:unit>/", views.review, name="review"),
    path("scoring/review/<slug:unit>/file/", views.review_file, name="review_file"),
    path("scoring/review/item/<int:pk>/answer/", views.review_answer, name="review_answer"),
    path("scoring/review/item/<int:pk>/finalise/", views.review_finalise, name="review_finalise"),
    path(
        "scoring/review/item/<int:pk>/attachment/",
        views.review_attachment,
        name="review_attachment",
    ),
    path("scoring/<slug:scorer>/<slug:target>/", views.sheet, name="sheet"),
    path(
        "scoring/<slug:scorer>/<slug:target>/preview/",
        views.sheet_preview,
        name="sheet_preview",
    ),
    path("scoring/<slug:scorer>/<slug:target>/reopen/", views.sheet_reopen, name="sheet_reopen"),
    path(
        "scoring/<slug:scorer>/<slug:target>/on-behalf/",
        views.sheet_on_behalf,
        name="sheet_on_behalf",
    ),
    path("scoring/<slug:scorer>/<slug:target>/confirm/", views.sheet_confirm, name="sheet_confirm"),
    path("scoring/<slug:scorer>/<slug:target>/excuse/", views.sheet_excuse, name="sheet_excuse"),
    path("results/", views.results, name="results"),
    path("results/export.xlsx", views.results_export, name="results_export"),
    path("results/<slug:unit>/", views.results_unit, name="results_unit"),
]
