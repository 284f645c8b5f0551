"""A record's documents (their digests) are built once per version of the cycle
(`record.export._documents`): sound only because what they print is audited, so that a write
which changes one also makes a new version. The casts of an open poll write no audit entry:
they change no document either."""

import datetime

from tests.voting import phones
from thidua.audit import versions
from thidua.record import export as record_export

CAST = "/clusters/cum-2/2020/conference/polls/co-bo-cong-an/cast/"


def _digests(documents) -> dict[str, str]:
    return {document.key: document.digest for document in documents}


def test_the_documents_are_built_once_per_version_and_casts_change_none(
    cycle, client_for, retime_conference, django_assert_max_num_queries
):
    year = cycle("cum-2", 2020)
    built = _digests(record_export._digests(year))
    assert len(built) > 10  # the minutes, the vote counts, the score sheets…
    assert _digests(record_export.export(year).documents) == built
    version = versions.version(year)
    for delegate in ("hagiang.daibieu3", "laocai.daibieu"):  # the poll the demo leaves open
        signed = phones.form(delegate, "co-bo-cong-an", {"choice": "lang-son"})
        assert client_for(delegate).post(CAST, signed).status_code == 200
    assert versions.version(year) == version
    assert _digests(record_export._digests(year)) == built  # built again: the same files
    with django_assert_max_num_queries(100):  # read back (72), not built again (~290)
        assert _digests(record_export.export(year).documents) == built

    # a write the minutes print: a new version
    retime_conference(year, datetime.time(7, 30), datetime.time(11, 0))
    assert versions.version(year) != version
    now = _digests(record_export.export(year).documents)
    assert now == _digests(record_export._digests(year))
    assert now != built
