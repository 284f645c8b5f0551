"""The app's URLs and a bare Django endpoint doing one INSERT: the baseline a cast is
compared with (same server, same database, same run)."""

from django.contrib.auth.decorators import login_not_required
from django.db import connection, transaction
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from thidua.urls import urlpatterns as app_urls


@login_not_required
@csrf_exempt
def bare_insert(request):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_ping (payload) VALUES (%s)", [request.body[:100].decode()]
        )
    return HttpResponse(status=201)


urlpatterns = [path("bench/insert/", bare_insert), *app_urls]
