"""The bench's own reading of an article for ``bench stories``: its words, its word 5-shingles as
exact sets of word tuples, their Jaccard similarity, its figures, and the days between two
articles. Written apart from ``indexer.index.stories`` (which hashes its shingles) so that the
bench checks the indexer rather than itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

SHINGLE_WORDS = 5
WORD = re.compile(r"\w+")
FIGURE = re.compile(r"\d+(?:[.,:/]\d+)*")

Shingles = frozenset[tuple[str, ...]]


def story_text(title: str, body: str, teaser: str) -> str:
    """What a story is read from: the headline and the body, or the teaser when there is none."""
    return f"{title}\n{body or teaser}"


def words_of(text: str) -> list[str]:
    return WORD.findall(text.lower())


def shingles_of(text: str) -> Shingles:
    """The word 5-shingles of ``text`` (lower case ``\\w+`` words); a text of fewer words is one
    shingle, a text of none has none."""
    words = words_of(text)
    if len(words) < SHINGLE_WORDS:
        return frozenset([tuple(words)] if words else [])
    return frozenset(tuple(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - 4))


def jaccard(first: Shingles, second: Shingles) -> float:
    """|A ∩ B| / |A ∪ B|; 0 when both are empty."""
    union = len(first | second)
    return len(first & second) / union if union else 0.0


def containment(first: Shingles, second: Shingles) -> float:
    """|A ∩ B| / min(|A|, |B|): how much of the smaller set the other holds (a dropped or an
    added passage keeps it near 1 where the Jaccard falls)."""
    smaller = min(len(first), len(second))
    return len(first & second) / smaller if smaller else 0.0


def figures_of(text: str) -> frozenset[str]:
    """The figures of ``text`` ("155,221", "5.93", "1987")."""
    return frozenset(FIGURE.findall(text))


def days_apart(first: datetime | None, second: datetime | None) -> float | None:
    """Days between two dates; None unless both are known."""
    if first is None or second is None:
        return None
    return abs((first - second).total_seconds()) / 86_400


def parse_date(value: Any) -> datetime | None:
    """An ISO date of a record as a naive datetime (UTC when it had a zone), else None."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


@dataclass(eq=False)
class Article:
    """One indexed article as the bench reads it: its story in the index, its text and date."""

    id: str
    title: str
    text: str = field(repr=False)
    published: datetime | None
    story: str = ""

    @cached_property
    def shingles(self) -> Shingles:
        return shingles_of(self.text)

    @cached_property
    def figures(self) -> frozenset[str]:
        return figures_of(self.text)


def similarity(first: Article, second: Article) -> float:
    return jaccard(first.shingles, second.shingles)


def pair_facts(first: Article, second: Article) -> dict[str, Any]:
    """What decides whether two articles are one story, as the bench computes it: text
    similarity, days apart, figures of each and shared (and whether the index grouped them)."""
    apart = days_apart(first.published, second.published)
    shared = first.figures & second.figures
    return {
        "ids": [first.id, second.id],
        "titles": [first.title, second.title],
        "published": [_iso(first.published), _iso(second.published)],
        "jaccard": similarity(first, second),
        "containment": containment(first.shingles, second.shingles),
        "days_apart": apart,
        "figures": [len(first.figures), len(second.figures)],
        "figures_shared": len(shared),
        "figures_only_first": sorted(first.figures - second.figures)[:8],
        "figures_only_second": sorted(second.figures - first.figures)[:8],
        "same_story": first.story == second.story,
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
