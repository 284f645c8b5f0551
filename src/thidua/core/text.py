"""Vietnamese text: sorting names the way a Vietnamese reader expects.

Code-point order puts "Điện Biên" after "Yên Bái"; the Vietnamese alphabet puts Đ right after
D, Ă and Â after A, and orders the tones ngang, huyền, hỏi, ngã, sắc, nặng after the letters.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_RANK = {letter: index for index, letter in enumerate(ALPHABET)}
# A base letter and a letter-forming mark (breve, circumflex, horn) make one letter.
_COMPOSED = {
    ("a", "\u0306"): "ă",
    ("a", "\u0302"): "â",
    ("e", "\u0302"): "ê",
    ("o", "\u0302"): "ô",
    ("o", "\u031b"): "ơ",
    ("u", "\u031b"): "ư",
}
# Tone marks in their conventional order: huyền, hỏi, ngã, sắc, nặng (ngang has none).
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def _rank(letter: str) -> int:
    if letter in _RANK:
        return _RANK[letter]
    if letter.isalpha():
        return len(ALPHABET) + ord(letter)
    return ord(letter) - 0x110000  # spaces, digits and punctuation before letters


@lru_cache(maxsize=4096)
def collation_key(text: str) -> tuple:
    """A sort key: letters by the Vietnamese alphabet, then tones, then case. Remembered:
    the same unit names are sorted on every page (a national table sorts 400 of them)."""
    letters, tones, cases = [], [], []
    for char in unicodedata.normalize("NFC", text):
        decomposed = unicodedata.normalize("NFD", char)
        base, marks = decomposed[0], decomposed[1:]
        lower = base.lower()
        letter = next((_COMPOSED[(lower, m)] for m in marks if (lower, m) in _COMPOSED), lower)
        letters.append(_rank(letter))
        tones.append(next((_TONES[mark] for mark in marks if mark in _TONES), 0))
        cases.append(0 if base == lower else 1)
    return (tuple(letters), tuple(tones), tuple(cases))
