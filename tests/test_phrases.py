"""Phrase mining's numbering of the words, chunk by chunk, is the numbering of the words split
all at once (``phrase_words``), wherever the chunks end; its n-grams are counted right whatever
the vocabulary's size (a trigram packed into one int64 overflowed past 2**21 words)."""

from __future__ import annotations

from collections import Counter

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.index.phrases import BREAK, NumberedWords, distinct_rows, phrase_words

HYPOTHESIS = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=300,
    suppress_health_check=[HealthCheck.too_slow],
)
# Words, punctuation, digits, spaces, CJK, a Greek final sigma (lowercased by its context)
PIECES = ["oil", "Prices", " ", ".", "|", "4", "_", "中", "国", "Σ", "ΟΔΟΣ", "x", "\n", ""]
TEXTS = st.lists(st.lists(st.sampled_from(PIECES), max_size=6).map("".join), max_size=8)


def numbered_as_words(
    titles: list[str], openings: list[str], unspaced: bool, chunk_texts: int
) -> list[str]:
    numbered = NumberedWords(unspaced, chunk_texts)
    numbered.add(titles)
    numbered.add(openings)
    words, ids = numbered.words_and_ids()
    return [words[number] for number in ids.tolist()]


@HYPOTHESIS
@given(titles=TEXTS, openings=TEXTS, unspaced=st.booleans(), chunk_texts=st.integers(1, 4))
def test_words_numbered_by_chunks_are_the_words_split_at_once(
    titles: list[str], openings: list[str], unspaced: bool, chunk_texts: int
) -> None:
    expected = phrase_words(titles + openings, unspaced)
    assert numbered_as_words(titles, openings, unspaced, chunk_texts) == expected


def test_words_are_numbered_in_the_order_first_used_after_the_break() -> None:
    numbered = NumberedWords(unspaced=False, chunk_texts=1)
    numbered.add(["Oil prices", "oil output"])
    words, ids = numbered.words_and_ids()
    assert words == [BREAK, "oil", "prices", "output"]
    assert ids.tolist() == [1, 2, 0, 1, 3]


def counted_as_rows(columns: list[np.ndarray], size: int, least: int) -> dict[tuple[int, ...], int]:
    found, counts = distinct_rows(columns, size, least)
    rows = list(zip(*(column.tolist() for column in found), strict=True))
    assert rows == sorted(rows)  # in order, as NLTK's finders were always given them
    return dict(zip(rows, counts.tolist(), strict=True))


def counted_in_python(columns: list[np.ndarray], least: int) -> dict[tuple[int, ...], int]:
    counted = Counter(zip(*(column.tolist() for column in columns), strict=True))
    return {row: n for row, n in sorted(counted.items()) if n >= least}


def test_trigrams_of_a_vocabulary_past_two_million_words_are_counted_right() -> None:
    size = 3_000_000  # size**3 passes int64: packed as one number, these trigrams overflowed
    ids = np.array([0, 2_999_999, 2_999_998, 2_999_997, 1, 2_999_998, 2_999_997] * 3, np.int32)
    columns = [ids[0:-2], ids[1:-1], ids[2:]]
    counted = counted_as_rows(columns, size, least=3)
    assert counted[(2_999_999, 2_999_998, 2_999_997)] == 3
    assert counted[(1, 2_999_998, 2_999_997)] == 3
    assert counted == counted_in_python(columns, least=3)


@HYPOTHESIS
@given(
    size=st.sampled_from([5, 2**21, 2**21 + 1, 2**31 - 1]),
    seed=st.integers(0, 2**32 - 1),
    width=st.integers(1, 3),
    least=st.integers(1, 3),
    length=st.integers(0, 40),
)
def test_rows_are_counted_as_python_counts_them(
    size: int, seed: int, width: int, least: int, length: int
) -> None:
    rng = np.random.default_rng(seed)
    used = rng.integers(0, size, 6)  # a few numbers, so that rows repeat
    columns = [rng.choice(used, length).astype(np.int32) for _ in range(width)]
    assert counted_as_rows(columns, size, least) == counted_in_python(columns, least)
