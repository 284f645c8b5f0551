"""URL map. Every page but the login and the language switch needs a signed-in user.

Each app lists its routes in its own `urls.py`: `urlpatterns` for the site's top level and
`cycle_urls` for a cycle's pages, all under `clusters/<code>/<year>/` here (their views get
the cycle from `thidua.org.lookups.cycle_view`). No namespaces: templates use the bare
names. docs/urls.txt holds every path and name (`python -m thidua.urlmap --check`).
"""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from thidua.api import api
from thidua.audit import urls as audit
from thidua.documents import urls as documents
from thidua.org import urls as org
from thidua.org.forms import SignInForm
from thidua.record import urls as record
from thidua.scoring import urls as scoring
from thidua.stats import urls as stats
from thidua.voting import urls as voting
from thidua.web import urls as web

admin.site.site_header = "thidua"
admin.site.site_title = "thidua"

CYCLE = "clusters/<slug:code>/<int:year>/"

urlpatterns = [
    path(CYCLE, include(voting.hall_urls)),  # the phones' cast, resolved first
    path("", include(web.urlpatterns)),
    path("", include(record.urlpatterns)),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=SignInForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("", include(org.urlpatterns)),
    path("", include(voting.urlpatterns)),
    path(CYCLE, include(org.cycle_urls)),
    path(CYCLE, include(stats.cycle_urls)),
    path(CYCLE, include(audit.cycle_urls)),
    path(CYCLE, include(scoring.cycle_urls)),
    path(CYCLE, include(record.cycle_urls)),
    path(CYCLE, include(voting.cycle_urls)),
    path(CYCLE, include(documents.cycle_urls)),
    path(CYCLE, include(web.cycle_urls)),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]
