"""The fixed, seeded query mix: what the results-page and HTTP measurements ask for.

The words come from the corpus itself, drawn with ``random.Random(seed)``, so the same corpus and
seed give the same mix on any machine. The mix holds frequent words, rare words, two words from one
article, two-word phrases, a section filter, a date range and page 5 of a frequent word; whether
facets are computed is a property of a run, not of a query (see ``bench.pages``).
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

# Shares of the mix, in this order; the counts are rounded from ``count``.
KIND_SHARES = {
    "word": 0.20,
    "rare_word": 0.125,
    "two_words": 0.175,
    "phrase": 0.15,
    "section": 0.125,
    "date_range": 0.125,
    "page_5": 0.10,
}
DATE_RANGE_DAYS = 15  # either side of a real article's date
ANALYSED_CHARS = 1500  # how much of each body the word counts look at
RARE_DOC_FREQUENCY = (3, 30)
FREQUENT_WORDS = 150
_WORD = re.compile(r"\w+")
STOP_WORDS = frozenset(
    """a about after all also an and any are as at be been but by can could did do does for from
    had has have he her his how if in into is it its more most mr mrs not of on one or other our
    out over said says she so some than that the their them then there these they this those to
    two up was we were what when which who will with would year years you new last first""".split()
)


@dataclass(frozen=True)
class BenchQuery:
    """One search of the mix: query text, an optional section or date range, a page."""

    kind: str
    q: str
    section: str = ""
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1

    def params(self) -> dict[str, Any]:
        """The request as URL parameters of ``/api/search`` (and ``SearchRequest.from_params``)."""
        params: dict[str, Any] = {"q": self.q}
        if self.section:
            params["section"] = [self.section]
        if self.date_from and self.date_to:
            params["from"], params["to"] = self.date_from.isoformat(), self.date_to.isoformat()
        if self.page != 1:
            params["page"] = str(self.page)
        return params

    def url_path(self) -> str:
        return "/api/search?" + urlencode(self.params(), doseq=True)


@dataclass
class _CorpusWords:
    """What the mix is drawn from: per article its words in order, section and day."""

    documents: list[list[str]] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    days: list[date | None] = field(default_factory=list)
    frequency: Counter[str] = field(default_factory=Counter)

    @cached_property
    def frequent(self) -> list[str]:
        """The most frequent words (by the number of articles that have them)."""
        ranked = sorted(self.frequency.items(), key=lambda item: (-item[1], item[0]))
        return [word for word, _count in ranked[:FREQUENT_WORDS]]

    @cached_property
    def rare(self) -> list[str]:
        low, high = RARE_DOC_FREQUENCY
        rare = sorted(w for w, n in self.frequency.items() if low <= n <= high)
        return rare or sorted(self.frequency)


def build_query_mix(records: Iterable[dict[str, Any]], count: int, seed: int) -> list[BenchQuery]:
    """``count`` queries drawn from ``records`` with ``random.Random(seed)``, shuffled."""
    words = _corpus_words(records)
    if not words.frequency:
        raise ValueError("the corpus has no words to draw a query mix from")
    rng = random.Random(seed)
    makers = {
        "word": _plain_word,
        "rare_word": _rare_word,
        "two_words": _two_words,
        "phrase": _phrase,
        "section": _section,
        "date_range": _date_range,
        "page_5": _page_5,
    }
    mix: list[BenchQuery] = []
    for kind, share in KIND_SHARES.items():
        wanted = max(1, round(count * share))
        mix.extend(q for q in (makers[kind](words, rng) for _ in range(wanted)) if q is not None)
    rng.shuffle(mix)
    return mix[:count]


def _corpus_words(records: Iterable[dict[str, Any]]) -> _CorpusWords:
    words = _CorpusWords()
    for record in records:
        text = f"{record.get('title') or ''}\n{(record.get('body') or '')[:ANALYSED_CHARS]}"
        tokens = [t for t in _WORD.findall(text.lower()) if t.isascii()]
        words.documents.append(tokens)
        words.sections.append(record.get("section") or "")
        words.days.append(_day(record.get("published")))
        words.frequency.update({t for t in tokens if _is_word(t)})
    return words


def _is_word(token: str) -> bool:
    return len(token) >= 3 and token.isalpha() and token not in STOP_WORDS


def _day(text: Any) -> date | None:
    try:
        return datetime.fromisoformat(text).date() if isinstance(text, str) and text else None
    except ValueError:
        return None


def _plain_word(words: _CorpusWords, rng: random.Random) -> BenchQuery:
    return BenchQuery("word", rng.choice(words.frequent))


def _rare_word(words: _CorpusWords, rng: random.Random) -> BenchQuery:
    return BenchQuery("rare_word", rng.choice(words.rare))


def _two_words(words: _CorpusWords, rng: random.Random) -> BenchQuery | None:
    for _attempt in range(50):
        tokens = sorted({t for t in rng.choice(words.documents) if _is_word(t)})
        common = [t for t in tokens if words.frequency[t] >= RARE_DOC_FREQUENCY[0]]
        if len(common) >= 2:
            return BenchQuery("two_words", " ".join(rng.sample(common, 2)))
    return None


def _phrase(words: _CorpusWords, rng: random.Random) -> BenchQuery | None:
    for _attempt in range(50):
        tokens = rng.choice(words.documents)
        pairs = [(a, b) for a, b in zip(tokens, tokens[1:], strict=False) if _is_word(a)]
        pairs = [(a, b) for a, b in pairs if _is_word(b)]
        if pairs:
            first, second = rng.choice(pairs)
            return BenchQuery("phrase", f'"{first} {second}"')
    return None


def _section(words: _CorpusWords, rng: random.Random) -> BenchQuery | None:
    with_section = [n for n, section in enumerate(words.sections) if section]
    if not with_section:
        return None
    number = rng.choice(with_section)
    own = sorted(t for t in set(words.documents[number]) if _is_word(t))
    word = rng.choice(own) if own else rng.choice(words.frequent)
    return BenchQuery("section", word, section=words.sections[number])


def _date_range(words: _CorpusWords, rng: random.Random) -> BenchQuery | None:
    dated = [day for day in words.days if day is not None]
    if not dated:
        return None
    day, span = rng.choice(dated), timedelta(days=DATE_RANGE_DAYS)
    word = rng.choice(words.frequent)
    return BenchQuery("date_range", word, date_from=day - span, date_to=day + span)


def _page_5(words: _CorpusWords, rng: random.Random) -> BenchQuery:
    return BenchQuery("page_5", rng.choice(words.frequent[:30]), page=5)
