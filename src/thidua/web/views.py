"""The home page: my clusters, my cycles and what I do in each."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from thidua.audit import keys
from thidua.core.policy import Role
from thidua.org import selectors
from thidua.org.authz import roles_for
from thidua.web import tasks, tour

ROLE_LABELS = {
    Role.ADMIN: _("Quản trị viên Bộ"),
    Role.LEADER_SECRETARY: _("Thư ký cụm trưởng"),
    Role.OFFICER: _("Cán bộ đơn vị thành viên"),
    Role.DELEGATE: _("Đại biểu"),
    Role.OBSERVER: _("Quan sát viên"),
}


def home(request):
    cycles = selectors.visible_cycles(request.user)
    rows = [
        {
            "cycle": cycle,
            "roles": [
                ROLE_LABELS[role]
                for role in ROLE_LABELS
                if role in roles_for(request.user, cycle, appointed=False)
            ],
        }
        for cycle in cycles
    ]
    return render(
        request,
        "web/home.html",
        {
            "rows": rows,
            "clusters": selectors.all_clusters(),
            "tasks": tasks.for_user(request.user),
            "reminders": selectors.reminders_of(request.user, limit=10),
            "calendar": selectors.live_calendar_token(request.user) is not None,
        },
    )


@login_not_required
def about(request):
    """What thidua is, and this installation's signing key (public: anyone in the hall may
    compare its fingerprint with the one on the paper minutes)."""
    context = {"fingerprint": keys.installation_fingerprint()}
    if tour.demo_loaded():
        context["illustrative"] = tour.ILLUSTRATIVE
    return render(request, "web/about.html", context)
