"""The API: session or token authentication, the same `can()` checks, JSON refusals."""

import pytest
from django.test import Client

from thidua.core.policy import TOKEN_SCOPES
from thidua.errors import DomainError
from thidua.org import services
from thidua.org.models import Cycle, Handover, Membership

pytestmark = pytest.mark.django_db


def test_token_authentication(api_as, get_user):
    client = api_as("laocai.canbo")
    assert client.get("/api/me").json() == {
        "username": "laocai.canbo",
        "name": get_user("laocai.canbo").display_name,
        "kind": "officer",
        "unit": "lao-cai",
    }


def test_wrong_or_revoked_tokens_are_refused(get_user):
    assert Client(headers={"Authorization": "Bearer td_nope"}).get("/api/me").status_code == 401
    user = get_user("laocai.canbo")
    token, key = services.create_api_token(actor=user, name="old", scopes=TOKEN_SCOPES)
    services.revoke_api_token(actor=user, token=token)
    assert Client(headers={"Authorization": f"Bearer {key}"}).get("/api/me").status_code == 401
    _token, key = services.create_api_token(actor=user, name="new", scopes=TOKEN_SCOPES)
    user.is_active = False
    user.save()
    assert Client(headers={"Authorization": f"Bearer {key}"}).get("/api/me").status_code == 401


def test_session_writes_need_the_csrf_token(get_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(get_user("laocai.thuky"))
    assert client.get("/api/cycles/cum-2/2021").status_code == 200
    response = client.post(
        "/api/cycles/cum-2/2021/phases/planning/close", content_type="application/json"
    )
    assert response.status_code == 403
    assert Cycle.objects.get(cluster__code="cum-2", year=2021).phase_is_open


def test_token_writes_need_no_csrf_token(api_as):
    response = api_as("laocai.thuky").post(
        "/api/cycles/cum-2/2021/phases/planning/close", content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["state"] == "idle"


def test_cluster_detail(api_as):
    data = api_as("sonla.canbo").get("/api/clusters/cum-2").json()
    years = {cycle["year"]: cycle for cycle in data["cycles"]}
    assert years[2020]["leader"] == "ha-giang"
    assert years[2021]["leader"] == "lao-cai"
    handover = next(item for item in data["handovers"] if item["from_year"] == 2020)
    assert (handover["year"], handover["leader"], handover["method"]) == (
        2021,
        "lao-cai",
        "elected",
    )


def test_stands_for(api_as):
    data = api_as("sonla.canbo").get("/api/units/tuyen-quang-2025/stands-for?year=2020").json()
    assert data == {
        "unit": "tuyen-quang-2025",
        "year": 2020,
        "units": ["ha-giang", "tuyen-quang"],
        "partial": False,
    }


def test_refusals_are_json(api_as):
    response = api_as("hagiang.thuky").post(
        "/api/cycles/cum-2/2021/phases/planning/close", content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "Bạn không có quyền đóng giai đoạn."
    assert set(response.json()) == {"detail", "code"}  # the reason's stable code beside it
    hidden = api_as("hanoi.canbo").get("/api/cycles/cum-2/2020")
    assert hidden.status_code == 403
    assert api_as("hanoi.canbo").get("/api/cycles?cluster=cum-2").json() == []


def test_phase_conflict_is_409(api_as):
    response = api_as("laocai.thuky").post(
        "/api/cycles/cum-2/2021/phases/scoring/open", content_type="application/json"
    )
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "another_phase_open"


def test_bad_cycle_writes_nothing_and_speaks_english_on_request(api_as):
    client = api_as("admin")
    before = Cycle.objects.count(), Membership.objects.count(), Handover.objects.count()
    payload = {
        "cluster": "cum-2",
        "year": 2022,
        "members": ["son-la", "tuyen-quang-2025"],
        "leader": "cao-bang",
    }
    response = client.post("/api/cycles", payload, content_type="application/json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {(error["code"], error["field"]) for error in errors} == {
        ("member_not_in_year", "members"),
        ("leader_not_member", "leader"),
    }
    english = client.post(
        "/api/cycles", payload, content_type="application/json", headers={"Accept-Language": "en"}
    )
    assert (
        "Công an tỉnh Tuyên Quang (from 01/07/2025) did not exist in 2022."
        in english.json()["detail"]
    )
    unknown = client.post(
        "/api/cycles", {**payload, "members": ["atlantis"]}, content_type="application/json"
    )
    assert unknown.json()["errors"][0]["message"] == "Không có đơn vị mã atlantis."
    assert (Cycle.objects.count(), Membership.objects.count(), Handover.objects.count()) == before


def test_create_cycle(api_as):
    response = api_as("admin").post(
        "/api/cycles",
        {"cluster": "cum-2", "year": 2022, "members": ["son-la", "lai-chau"], "leader": "son-la"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["rule_set"] == "thi-dua-cand@1"
    assert (
        api_as("sonla.canbo")
        .post(
            "/api/cycles",
            {
                "cluster": "cum-2",
                "year": 2023,
                "members": ["son-la", "lai-chau"],
                "leader": "son-la",
            },
            content_type="application/json",
        )
        .status_code
        == 403
    )


def test_lineage_event_overlap_via_api(api_as):
    response = api_as("admin").post(
        "/api/lineage-events",
        {
            "kind": "merge",
            "effective_date": "2025-08-01",
            "sources": ["ha-giang", "cao-bang"],
            "targets": ["lao-cai-2025"],
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert {error["code"] for error in response.json()["errors"]} == {
        "source_already_ended",
        "target_already_created",
    }


def test_openapi_schema_for_signed_in_users(client_for):
    schema = client_for("quansat").get("/api/openapi.json").json()
    assert "/api/cycles/{cluster}/{year}" in schema["paths"]


def test_api_docs_use_vendored_assets(client_for):
    page = client_for("quansat").get("/api/docs").content.decode()
    assert "swagger-ui-bundle" in page
    assert "cdn." not in page
    assert "https://" not in page


@pytest.mark.parametrize("year", [10000, 1999, -5, 99999999999999999999])
def test_a_year_out_of_range_is_refused_not_a_crash(api_as, year):
    client = api_as("admin")
    response = client.get(f"/api/units/son-la/stands-for?year={year}")
    assert response.status_code == 400
    assert response.json()["detail"] == f"Năm {year} nằm ngoài khoảng 2000–2100."
    before = Cycle.objects.count()
    response = client.post(
        "/api/cycles",
        {"cluster": "cum-2", "year": year, "members": ["son-la", "lai-chau"], "leader": "son-la"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "year_out_of_range"
    assert Cycle.objects.count() == before
    assert client.get("/api/units/son-la/stands-for?year=2100").status_code == 200


def test_a_token_reads_and_writes_only_its_scopes_until_it_expires(get_user, client):
    """Scopes: `read`, and writing one stage; an expiry always. Refusals say why and change
    nothing; the tokens page lists scopes, expiry and last use."""
    from datetime import timedelta

    from django.utils import timezone

    from thidua.org.models import ApiToken

    user = get_user("laocai.thuky")
    close = "/api/cycles/cum-2/2021/phases/planning/close"
    _token, reader = services.create_api_token(actor=user, name="chỉ đọc")
    as_reader = Client(headers={"Authorization": f"Bearer {reader}"})
    assert as_reader.get("/api/cycles/cum-2/2021").status_code == 200
    refused = as_reader.post(close, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Khóa API “chỉ đọc” không có quyền write:org."
    _token, stats = services.create_api_token(actor=user, name="số liệu", scopes=["write:stats"])
    as_stats = Client(headers={"Authorization": f"Bearer {stats}"})
    assert as_stats.post(close, content_type="application/json").status_code == 403
    assert as_stats.get("/api/cycles/cum-2/2021").status_code == 403  # no `read` either
    assert Cycle.objects.get(cluster__code="cum-2", year=2021).phase_is_open
    token, writer = services.create_api_token(actor=user, name="ghi", scopes=["write:org"], days=1)
    assert token.expires_at - timezone.now() <= timedelta(days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    expired = Client(headers={"Authorization": f"Bearer {writer}"}).post(
        close, content_type="application/json"
    )
    assert expired.status_code == 401
    assert "đã hết hạn" in expired.json()["detail"]
    assert Cycle.objects.get(cluster__code="cum-2", year=2021).phase_is_open
    for scopes, days in ([["write:everything"], 30], [[], 30], [["read"], 0], [["read"], 400]):
        with pytest.raises(DomainError):
            services.create_api_token(actor=user, name="x", scopes=scopes, days=days)
    client.force_login(user)
    page = client.get("/accounts/tokens/").content.decode()
    assert "quyền: write:org" in page
    assert "hết hạn" in page
    made = client.post("/accounts/tokens/", {"name": "phần mềm", "scopes": ["read"], "days": "7"})
    assert made.status_code == 200
    assert ApiToken.objects.get(user=user, name="phần mềm").scopes == ["read"]


def test_a_token_lists_and_downloads_the_documents(api_as):
    """The documents API authorises the token's user (request.auth), as every other router:
    a script with a token gets what its user may see, not a refusal meant for anonymous."""
    client = api_as("sonla.canbo")
    listed = client.get("/api/cycles/cum-2/2020/documents")
    assert listed.status_code == 200, listed.content
    ready = next(d for d in listed.json() if d["ready"])
    assert client.get(ready["url"]).status_code == 200
    outsider = api_as("hanoi.canbo")
    assert outsider.get("/api/cycles/cum-2/2020/documents").status_code == 403


def test_api_handlers_authorise_request_auth_never_request_user():
    """django-ninja sets `request.auth` for both a token and a session; `request.user` is
    anonymous under a token, so a check on it refuses every script (as the documents API
    did)."""
    from pathlib import Path

    import thidua

    src = Path(thidua.__file__).parent
    found = [
        f"{path.relative_to(src)}:{number}"
        for path in [src / "api.py", *src.glob("*/api.py")]
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if "request.user" in line
    ]
    assert not found, found
