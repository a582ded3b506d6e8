"""Phrase mining's numbering of the words, chunk by chunk, is the numbering of the words split
all at once (``phrase_words``), wherever the chunks end."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.index.phrases import BREAK, NumberedWords, phrase_words

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
