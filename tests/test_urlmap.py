"""URLs are promises (QR codes, API clients, calendar links): the live URL map must be the
committed docs/urls.txt, so a changed path or name is a decision, not an accident."""

from thidua import urlmap


def test_the_url_map_is_the_committed_snapshot():
    changes = urlmap.diff(urlmap.SNAPSHOT.read_text(encoding="utf-8"), urlmap.text())
    assert not changes, (
        "The URL map differs from docs/urls.txt; if the change is meant, run "
        f"`python -m thidua.urlmap` and commit docs/urls.txt:\n{changes}"
    )


def test_the_snapshot_names_every_route_once_with_its_view():
    rows = urlmap.lines()
    assert rows == sorted(set(rows))
    assert all(len(row.split(" ")) == 3 for row in rows)
    assert "/clusters/<slug:code>/<int:year>/ cycle thidua.org.views.cycle_detail" in rows
