"""Vietnamese sorting."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from thidua.core.text import collation_key

CUM_II = ["Hà Giang", "Điện Biên", "Lai Châu", "Lạng Sơn", "Lào Cai", "Sơn La", "Cao Bằng"]


def test_provinces_sort_in_vietnamese_order():
    assert sorted(CUM_II, key=collation_key) == [
        "Cao Bằng",
        "Điện Biên",
        "Hà Giang",
        "Lai Châu",
        "Lạng Sơn",
        "Lào Cai",
        "Sơn La",
    ]


def test_letters_before_tones():
    assert sorted(["ă", "a", "â", "b", "đ", "d"], key=collation_key) == [
        "a",
        "ă",
        "â",
        "b",
        "d",
        "đ",
    ]
    assert sorted(["á", "à", "ạ", "a", "ả", "ã"], key=collation_key) == [
        "a",
        "à",
        "ả",
        "ã",
        "á",
        "ạ",
    ]
    assert sorted(["ơ", "ô", "o", "ư", "u"], key=collation_key) == ["o", "ô", "ơ", "u", "ư"]
    assert sorted(["Lai Châu", "Lai"], key=collation_key) == ["Lai", "Lai Châu"]


@given(st.text())
def test_composed_and_decomposed_text_sort_alike(text):
    assert collation_key(unicodedata.normalize("NFC", text)) == collation_key(
        unicodedata.normalize("NFD", text)
    )


VIETNAMESE = st.text(alphabet="aăâbdđeêoôơuưAĂĐƯ àáảãạằẳẵắặ-.", max_size=6)


@given(VIETNAMESE, VIETNAMESE)
def test_only_equal_texts_share_a_key(first, second):
    """The key is a total order: sorting never depends on the order of the input."""
    same = unicodedata.normalize("NFC", first) == unicodedata.normalize("NFC", second)
    assert (collation_key(first) == collation_key(second)) == same
