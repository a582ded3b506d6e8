"""Stories: the copies of one news story (a wire item sent twice, a correction, an update, the
same agency text under other publishers' URLs) grouped at index time, so that a search can show
each story once.

Two articles are one story when their texts are near-duplicates and nothing says otherwise:

- text: the Jaccard similarity of their word 5-shingles (headline and body, or the teaser where
  there is no body; case, punctuation and whitespace ignored) is at least ``SAME_TEXT``;
- days: they appeared within ``WINDOW_DAYS`` of each other (copies of a story travel within
  days; a template report of another week does not). Without a date nothing tells a copy from
  a report of another day: an undated article is grouped only with the same text
  (``UNDATED_SAME_TEXT``: BBC's twice-filed articles; the near-duplicate documents of the test
  collections CISI, MED and CRAN, judged one by one, stay apart);
- length: each has ``MIN_SHINGLES`` shingles or more: a headline alone is too little to tell a
  copy from another item of the same headline (an algorithm and its certification in CACM, a
  wire flash of another day);
- figures (numbers, a day of the month after or before its month's name left out: "March 3"
  in a dateline says when, not what): when each holds a figure the other lacks (a figure
  changed, not only added or dropped with a sentence), they appeared within
  ``CHANGED_FIGURES_HOURS`` (the next edition of a daily report comes a day later; the
  corrections of figures in Reuters-21578 came 2 to 19 hours after their original) and either
  one figure changed or ``SAME_FIGURES`` of the larger set are in both (a market report, the
  weather or a results table share a template and differ in their figures; a correction
  changes one); and other figures published a whole number of days apart at the same time of
  day (``SCHEDULE_MINUTES``) are the editions of a scheduled report.

A story is complete-linked: every two of its articles pass that test, so removing an article
never leaves two unrelated ones together. An article joins the story of its most similar
candidate that it is one story with, or founds a story of its own.

Candidates are found by MinHash LSH (Broder 1997; Leskovec, Rajaraman and Ullman, *Mining of
Massive Datasets*, ch. 3): each text's ``SIGNATURE_SIZE`` minimum hashes are cut into
``BANDS`` bands of ``ROWS`` values, and two texts sharing a band are compared exactly. A pair
at Jaccard 0.5 shares a band with probability 0.93, at 0.7 with 0.9998. Each generation keeps
its articles' stories and band keys in a ``stories-<hash>.npz`` (``story_table``), so that
``indexer update`` finds an article's candidates among the articles of the index it derives
from. (As terms of a Whoosh field, half a million band keys of one posting each made a rebuild
take twice as long.)
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

import numpy as np

from indexer.ingest.articles import ArticleRecord

SHINGLE_WORDS = 5
SAME_TEXT = 0.5  # Jaccard of word 5-shingles: every two articles of a story share this much
WINDOW_DAYS = 2.5  # ... appeared within this many days of each other (when both are dated)
CHANGED_FIGURES_HOURS = 20.0  # ... within this many hours when a figure changed
SAME_FIGURES = 0.5  # ... and share this much of the larger set of their figures, or one changed
MIN_SHINGLES = 10  # ... each text has this many shingles (14 words) or more
UNDATED_SAME_TEXT = 0.99  # without a date: the same text but for a word or two
SCHEDULE_MINUTES = 30  # other figures a whole number of days apart, within this: a schedule
BANDS, ROWS = 20, 3
SIGNATURE_SIZE = BANDS * ROWS
STORY_ID_BYTES = 8

_FIGURE = re.compile(r"\d+(?:[.,:/]\d+)*")
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
# "March 3", "3 March": a day of the month says when (the days test), not what (the figures).
# (Matched in lower case: re.IGNORECASE made this a third of grouping a rebuild's stories.)
_DAY_OF_MONTH = re.compile(rf"\b{_MONTH}\s+\d{{1,2}}\b|\b\d{{1,2}}\s+{_MONTH}\b")
_UINT64 = np.uint64
KEYS_AT_ONCE = 2000  # articles whose band keys are made together (bounds the arrays' memory)
CANDIDATES_PER_BAND = 50  # earlier articles of one band bucket an article is compared with
_SHINGLE_MIX = _UINT64(0x9E3779B97F4A7C15)  # the golden ratio in 64 bits: mixes a word's place


def _constants(name: str, count: int) -> np.ndarray:
    """``count`` fixed 64-bit numbers (the same on every machine and numpy: the band keys in an
    index must be what a later ``indexer update`` computes)."""
    digests = (hashlib.blake2b(f"{name}{i}".encode(), digest_size=8).digest() for i in range(count))
    return np.array([int.from_bytes(d, "little") for d in digests], dtype=np.uint64)


# Multiply-shift hashing (Dietzfelbinger et al. 1997): the high half of a * x + b mod 2^64, an
# odd multiplier and an offset per signature row; bands are mixed into one 64-bit key each.
_MULTIPLIERS = _constants("minhash-a", SIGNATURE_SIZE) | _UINT64(1)
_OFFSETS = _constants("minhash-b", SIGNATURE_SIZE)
_BAND_MIX = _constants("band", ROWS) | _UINT64(1)


# The bytes of words: ASCII letters, digits and "_", and every byte of a non-ASCII character.
_WORD_BYTE = np.zeros(256, dtype=bool)
_WORD_BYTE[[*b"0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"]] = True
_WORD_BYTE[0x80:] = True
_BYTE_BASE = _UINT64(0x100000001B3)  # FNV's 64-bit prime: odd, so invertible modulo 2^64
_BYTE_BASE_INVERSE = _UINT64(pow(int(_BYTE_BASE), -1, 2**64))


@dataclass(slots=True)
class StoryText:
    """What the story test reads of an article: its shingles (sorted, unique hashes), its date
    and, when asked, its figures (read from ``text``).

    It keeps the article's own headline and words, not the text they make: a rebuild holds
    one for every article that has candidates, and the joined copies took half a gigabyte of a
    200,000-article rebuild."""

    headline: str = field(repr=False)
    words: str = field(repr=False)  # the body, or the teaser of an article without one
    shingles: np.ndarray
    published: datetime | None
    _figures: frozenset[str] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, title: str, teaser: str, body: str, published: datetime | None) -> StoryText:
        return cls(title, body or teaser, shingles_of(story_text(title, teaser, body)), published)

    @classmethod
    def of_article(cls, article: ArticleRecord) -> StoryText:
        return cls.of(article.title, article.teaser, article.body, article.published)

    @classmethod
    def of_articles(cls, articles: Sequence[ArticleRecord]) -> list[StoryText]:
        """``of_article`` of each, their shingles made ``KEYS_AT_ONCE`` articles at a time
        (``shingle_runs``: its arrays hold eight bytes per byte of text, so all the articles of
        a large rebuild at once took gigabytes)."""
        made: list[StoryText] = []
        for start in range(0, len(articles), KEYS_AT_ONCE):
            share = articles[start : start + KEYS_AT_ONCE]
            every, sizes = shingle_runs([story_text(a.title, a.teaser, a.body) for a in share])
            ends = np.cumsum(sizes)
            made += [
                cls(a.title, a.body or a.teaser, np.unique(every[end - size : end]), a.published)
                for a, end, size in zip(share, ends, sizes, strict=True)
            ]
        return made

    @property
    def text(self) -> str:
        """The text two copies of a story share (``story_text``)."""
        return f"{self.headline}\n{self.words}"

    @property
    def figures(self) -> frozenset[str]:
        """The figures of the text (dates left out), read on first use."""
        if self._figures is None:
            self._figures = frozenset(_FIGURE.findall(_DAY_OF_MONTH.sub(" ", self.text.lower())))
        return self._figures


def story_text(title: str, teaser: str, body: str) -> str:
    """The text two copies of a story share: the headline and the body (the teaser without)."""
    return f"{title}\n{body or teaser}"


def shingles_of(text: str) -> np.ndarray:
    """The sorted unique 64-bit hashes of the word 5-shingles of ``text`` (lower case; a text of
    fewer words is one shingle)."""
    return np.unique(shingle_runs([text])[0])


def shingle_runs(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The word 5-shingle hashes of every text, one text after another (repeats kept), and how
    many each has. Words are runs of letters, digits, underscores and non-ASCII characters
    (lower case), hashed from their UTF-8 bytes all at once with numpy: a regular expression and a
    hash a word in Python cost a rebuild four times as much."""
    encoded = [text.lower().encode("utf-8") for text in texts]
    words, per_text = _word_hashes_of(encoded)
    sizes = np.where(per_text >= SHINGLE_WORDS, per_text - SHINGLE_WORDS + 1, per_text > 0)
    every = np.zeros(int(sizes.sum()), dtype=_UINT64)
    places = np.cumsum(sizes) - sizes  # where each text's shingles start in ``every``
    firsts = np.cumsum(per_text) - per_text  # where each text's words start in ``words``
    if len(words) >= SHINGLE_WORDS:
        windows = _shingles(words, SHINGLE_WORDS)
        owner = np.repeat(np.arange(len(texts)), per_text)[: len(windows)]
        at = np.arange(len(windows))
        inside = at + SHINGLE_WORDS <= (firsts + per_text)[owner]
        every[places[owner[inside]] + at[inside] - firsts[owner[inside]]] = windows[inside]
    for text in np.flatnonzero((per_text > 0) & (per_text < SHINGLE_WORDS)).tolist():
        first, count = int(firsts[text]), int(per_text[text])  # fewer words: one shingle
        every[places[text]] = _shingles(words[first : first + count], count)[0]
    return every, sizes


def _word_hashes_of(encoded: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """The hash of every word of the ``encoded`` texts in order, and how many words each has.
    A word's hash is the polynomial of its bytes, from prefix sums over all the texts' bytes
    (arithmetic modulo 2^64, the base odd so that its powers can be undone)."""
    data = np.frombuffer(b"\n".join(encoded), dtype=np.uint8)
    if not len(data):
        return np.zeros(0, dtype=_UINT64), np.zeros(len(encoded), dtype=np.int64)
    in_word = np.concatenate([[False], _WORD_BYTE[data], [False]])
    edges = np.flatnonzero(in_word[1:] != in_word[:-1])
    starts, ends = edges[0::2], edges[1::2]
    with np.errstate(over="ignore"):
        powers = np.cumprod(np.full(len(data), _BYTE_BASE, dtype=_UINT64))  # base^(i+1)
        undo = np.cumprod(np.full(len(data), _BYTE_BASE_INVERSE, dtype=_UINT64))
        summed = np.cumsum((data.astype(_UINT64) + _UINT64(1)) * powers, dtype=_UINT64)
        prefix = np.concatenate([np.zeros(1, dtype=_UINT64), summed])
        words = (prefix[ends] - prefix[starts]) * undo[starts]
    text_starts = np.cumsum([0] + [len(text) + 1 for text in encoded[:-1]])
    owner = np.searchsorted(text_starts, starts, side="right") - 1
    return words, np.bincount(owner, minlength=len(encoded)).astype(np.int64)


def _shingles(hashes: np.ndarray, width: int) -> np.ndarray:
    """The hash of every run of ``width`` words (``hashes``: of each word)."""
    count = len(hashes) - width + 1
    with np.errstate(over="ignore"):
        shingles = hashes[:count].copy()
        for offset in range(1, width):
            shingles = shingles * _SHINGLE_MIX + hashes[offset : offset + count]
    return shingles


def jaccard(first: np.ndarray, second: np.ndarray) -> float:
    """|A ∩ B| / |A ∪ B| of two sorted unique arrays."""
    if not len(first) or not len(second):
        return 0.0
    shared = len(np.intersect1d(first, second, assume_unique=True))
    return shared / (len(first) + len(second) - shared)


def one_story(first: StoryText, second: StoryText) -> tuple[bool, float]:
    """Whether two articles are copies of one story, and their text similarity."""
    failed, similarity = compare(first, second)
    return failed is None, similarity


def compare(first: StoryText, second: StoryText) -> tuple[str | None, float]:
    """The test of one story two articles fail ("days", "length", "text" or "figures"; None
    when they pass them all), and their text similarity (0 when not measured)."""
    hours = _hours_apart(first, second)
    if hours is not None and hours > WINDOW_DAYS * 24:
        return "days", 0.0
    if min(len(first.shingles), len(second.shingles)) < MIN_SHINGLES:
        return "length", 0.0
    similarity = jaccard(first.shingles, second.shingles)
    if similarity < (SAME_TEXT if hours is not None else UNDATED_SAME_TEXT):
        return "text", similarity
    if _figures_differ(first.figures, second.figures, hours):
        return "figures", similarity
    return None, similarity


def _hours_apart(first: StoryText, second: StoryText) -> float | None:
    if first.published is None or second.published is None:
        return None
    return abs((first.published - second.published).total_seconds()) / 3600


def _figures_differ(first: frozenset[str], second: frozenset[str], hours: float | None) -> bool:
    """Whether figures tell two texts apart: other figures at the time of day of a report of
    another day; or figures changed (each has one the other lacks) too late for a correction, or
    too many of them."""
    if first == second:
        return False
    if hours is not None and hours >= CHANGED_FIGURES_HOURS and _on_schedule(hours):
        return True
    only_first, only_second = first - second, second - first
    if not only_first or not only_second:
        return False  # figures added or dropped with a sentence
    if hours is not None and hours > CHANGED_FIGURES_HOURS:
        return True
    one_corrected = len(only_first) == 1 and len(only_second) == 1
    shared = len(first & second)
    return not one_corrected and shared < SAME_FIGURES * max(len(first), len(second))


def _on_schedule(hours: float) -> bool:
    """Whether ``hours`` is a whole number of days, give or take ``SCHEDULE_MINUTES``."""
    off_day = hours % 24
    return min(off_day, 24 - off_day) * 60 <= SCHEDULE_MINUTES


def band_hashes(shingle_sets: Sequence[np.ndarray]) -> np.ndarray:
    """The LSH band keys of many shingle sets at once, one row of ``BANDS`` 64-bit keys per set:
    each set's MinHash signature (``SIGNATURE_SIZE`` minima of 32-bit hashes), cut into bands of
    ``ROWS`` minima, each band hashed with its number. All of numpy's work is done over every set
    together; a set without shingles gets keys of its own (zeros: it is nobody's candidate)."""
    sizes = np.array([len(s) for s in shingle_sets], dtype=np.int64)
    every = np.concatenate(shingle_sets) if len(shingle_sets) else np.zeros(0, dtype=_UINT64)
    return _band_keys(every.astype(_UINT64, copy=False), sizes)


def _band_keys(every: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """``band_hashes`` of the sets that ``every`` holds one after the other, ``sizes`` long."""
    keys = np.zeros((len(sizes), BANDS), dtype=_UINT64)
    filled = np.flatnonzero(sizes)
    if not len(filled):
        return keys
    starts = np.concatenate([[0], np.cumsum(sizes[filled])[:-1]])
    signature = np.empty((len(filled), SIGNATURE_SIZE), dtype=_UINT64)
    with np.errstate(over="ignore"):
        for row in range(SIGNATURE_SIZE):
            hashed = (every * _MULTIPLIERS[row] + _OFFSETS[row]) >> _UINT64(32)
            signature[:, row] = np.minimum.reduceat(hashed, starts)
        bands = signature.reshape(len(filled), BANDS, ROWS)
        mixed = (bands * _BAND_MIX).sum(axis=2, dtype=_UINT64)
        keys[filled] = mixed * _UINT64(BANDS) + np.arange(BANDS, dtype=_UINT64)
    return keys


def new_story_id(article: ArticleRecord, changed: bool = False) -> str:
    """A story's id, made from the id of the article that founded it: unique in a rebuild. An
    update adds the article's content (``changed``), as a changed article that founds a story
    anew must not take the id its previous story keeps."""
    key = f"{article.id}\x1f{article.checksum}" if changed else article.id
    return hashlib.blake2b(key.encode(), digest_size=STORY_ID_BYTES).hexdigest()


class StoryGrouper:
    """Puts articles into stories one at a time, oldest first: each joins the story of its most
    similar candidate whose every member it is one story with, or founds a story."""

    def __init__(self, updating: bool = False) -> None:
        self.members: dict[str, list[StoryText]] = {}
        self.updating = updating  # new stories' ids are those of an update (``new_story_id``)

    def know(self, story: str, members: list[StoryText]) -> None:
        """A story of the index, with its members, that candidates may belong to."""
        self.members.setdefault(story, members)

    def assign(
        self, article: ArticleRecord, text: StoryText, candidates: list[tuple[StoryText, str]]
    ) -> str:
        """The story of ``article``, given its candidates (texts with their stories)."""
        options = []
        for candidate, story in candidates:
            same, similarity = one_story(text, candidate)
            if same:
                options.append((-similarity, story, candidate))
        for _similarity, story, candidate in sorted(options, key=lambda o: o[0]):
            members = self.members.setdefault(story, [candidate])
            if all(member is text or one_story(text, member)[0] for member in members):
                members.append(text)
                return story
        return new_story_id(article, changed=self.updating)


def article_band_keys(articles: Sequence[ArticleRecord]) -> np.ndarray:
    """The LSH band keys of ``articles``, a row each (``band_hashes`` of their shingles, made
    ``KEYS_AT_ONCE`` articles at a time: a shingle that repeats changes no minimum)."""
    rows = []
    for start in range(0, len(articles), KEYS_AT_ONCE):
        share = articles[start : start + KEYS_AT_ONCE]
        every, sizes = shingle_runs([story_text(a.title, a.teaser, a.body) for a in share])
        rows.append(_band_keys(every, sizes))
    return np.concatenate(rows) if rows else np.zeros((0, BANDS), dtype=_UINT64)


def group_stories(articles: Sequence[ArticleRecord], keys: np.ndarray) -> list[str]:
    """The story of every article of a rebuild, in their order; ``keys``: their band keys, a
    row each (``article_band_keys``). Only articles with candidates are read again."""
    order = _oldest_first(articles)
    later, earlier = _earlier_candidates(keys[order])
    compared = np.union1d(later, earlier).tolist()
    read = StoryText.of_articles([articles[order[place]] for place in compared])
    texts: list[StoryText | None] = [None] * len(order)  # by place, oldest first
    for place, text in zip(compared, read, strict=True):
        texts[place] = text
    text_at = cast(Callable[[int], StoryText], texts.__getitem__)  # a compared place's

    grouper = StoryGrouper()
    stories: list[str] = []
    runs = _candidate_runs(later, earlier)
    following = next(runs, None)
    for place, number in enumerate(order):
        article = articles[number]
        if following is not None and following[0] == place:
            candidates = [(text_at(c), stories[c]) for c in following[1]]
            stories.append(grouper.assign(article, text_at(place), candidates))
            following = next(runs, None)
        else:
            stories.append(new_story_id(article))
    in_order = [""] * len(articles)
    for place, number in enumerate(order):
        in_order[number] = stories[place]
    return in_order


def _candidate_runs(later: np.ndarray, earlier: np.ndarray) -> Iterator[tuple[int, list[int]]]:
    """(place, its earlier candidates) of each place that has some, in order (``later`` and
    ``earlier``: the pairs of ``_earlier_candidates``)."""
    places, begins = np.unique(later, return_index=True)
    ends = np.append(begins[1:], len(later))[: len(begins)].tolist()
    for place, begin, end in zip(places.tolist(), begins.tolist(), ends, strict=True):
        yield place, earlier[begin:end].tolist()


def _earlier_candidates(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pairs of rows that share a band key (the last ``CANDIDATES_PER_BAND`` of each
    bucket), found by sorting each band's keys: the later row of each pair and the earlier one,
    sorted. A pair is kept as one number (later row * rows + earlier row), merged band by band:
    a large rebuild's pairs of every band at once took hundreds of megabytes."""
    count = len(keys)
    rows = np.arange(count)
    found = np.zeros(0, dtype=np.int64)
    for band in range(keys.shape[1]):
        order = np.lexsort((rows, keys[:, band]))
        ordered = keys[order, band]
        pairs: list[np.ndarray] = []
        for back in range(1, min(CANDIDATES_PER_BAND + 1, count)):
            same = np.flatnonzero(ordered[back:] == ordered[:-back])
            if not len(same):
                break
            pairs.append(order[same + back].astype(np.int64) * count + order[same])
        if pairs:
            found = np.union1d(found, np.concatenate(pairs))
    return found // count, found % count


def _oldest_first(articles: Sequence[ArticleRecord]) -> list[int]:
    """Article positions oldest first (undated after): the first copy of a story founds it."""
    dated = sorted((a.published, i) for i, a in enumerate(articles) if a.published is not None)
    undated = [i for i, a in enumerate(articles) if a.published is None]
    return [i for _published, i in dated] + undated
