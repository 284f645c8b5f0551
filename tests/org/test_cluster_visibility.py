"""A cluster's years and hand-overs are shown only to those who may view those years,
on the page and in the API alike; who recorded a hand-over only to admins."""

import pytest

from thidua.org import selectors, services
from thidua.org.models import Cluster, Handover

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorded(get_user, cycle, units):
    """Hà Giang's secretary records at the 2020 conference who leads Cụm II in 2021."""
    Handover.objects.filter(cluster__code="cum-2", year=2021).delete()  # the demo's record
    return services.record_handover(
        actor=get_user("hagiang.thuky"),
        cycle=cycle("cum-2", 2020),
        leader=units["lao-cai"],
        deputy=units["son-la"],
        decision_ref="Biên bản hội nghị",
    )


def test_another_clusters_years_are_not_shown_on_its_page(client_for, recorded):
    response = client_for("hanoi.canbo").get("/clusters/cum-2/")
    assert response.status_code == 200
    assert response.context["cycles"] == []
    assert response.context["handovers"] == []
    page = response.content.decode()
    assert "Công an tỉnh Hà Giang" not in page
    assert "Công an tỉnh Lào Cai" not in page
    assert "Biên bản hội nghị" not in page
    # … but the page does not pretend the cluster has none
    assert response.context["hidden_cycles"] == 2
    assert "Chưa có năm thi đua nào." not in page
    assert "Cụm có 2 năm thi đua chỉ thành viên của cụm xem được." in page
    assert "Bàn giao của cụm chỉ thành viên của cụm xem được." in page


def test_a_unit_page_links_only_the_years_the_reader_may_open(client_for):
    page = client_for("hagiang.thuky").get("/units/ha-noi/").content.decode()
    assert "/clusters/cum-1/2020/" not in page
    assert "– 2020" in page  # the year is still listed, as text
    own = client_for("hanoi.canbo").get("/units/ha-noi/").content.decode()
    assert 'href="/clusters/cum-1/2020/"' in own


def test_members_and_admins_see_the_years_and_handovers(client_for, recorded):
    for username in ("sonla.canbo", "quansat", "admin"):
        response = client_for(username).get("/clusters/cum-2/")
        assert [cycle.year for cycle in response.context["cycles"]] == [2021, 2020], username
        assert recorded in response.context["handovers"], username
        assert "Biên bản hội nghị" in response.content.decode()


def test_the_api_follows_the_same_rule(api_as, recorded):
    other = api_as("hanoi.canbo").get("/api/clusters/cum-2").json()
    assert (other["cycles"], other["handovers"]) == ([], [])
    member = api_as("sonla.canbo").get("/api/clusters/cum-2").json()
    assert [cycle["year"] for cycle in member["cycles"]] == [2021, 2020]
    assert {item["recorded_by"] for item in member["handovers"]} == {None}
    assert any(item["decision_ref"] == "Biên bản hội nghị" for item in member["handovers"])
    admin = api_as("admin").get("/api/clusters/cum-2").json()
    assert "hagiang.thuky" in {item["recorded_by"] for item in admin["handovers"]}


def test_handovers_follow_the_cycle_they_were_recorded_from_or_for(get_user, recorded):
    cluster = Cluster.objects.get(code="cum-2")
    everything = selectors.cluster_overview(get_user("admin"), cluster)
    assert len(everything.handovers) == len(selectors.handovers_of(cluster))
    mine = selectors.cluster_overview(get_user("laocai.canbo"), cluster)
    assert mine.handovers == everything.handovers
    assert selectors.cluster_overview(get_user("hanoi.thuky"), cluster).handovers == []
