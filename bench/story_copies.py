"""Made copies and template pairs for ``bench stories``: what the index must group, and what it
must keep apart.

A *copy* is a sampled article (dated, a body of ``MIN_BODY_WORDS`` words or more, two sentences
or more) with one seeded edit of ``EDIT_KINDS`` (spread evenly), another id, and published 0 to
``COPY_HOURS`` hours after it (a correction 0 to ``CORRECTION_HOURS``: those of Reuters-21578
came 2 to 19 hours after their original): the same story, which the index should group with its
original. A sentence dropped is a small change: one of at most ``DROPPED_SHARE`` of the body's
words (the shortest, where every sentence is longer).

A *template pair* must stay apart: a *made* one is a sampled article with ``FIGURES_CHANGED`` of
its distinct figures changed, published 1 to 7 days later (the daily report of another day); a
*real* one is two articles of the corpora with the headline of a recurring report (one published
on three different days or more), published a day or more apart, whose figures differ (a market
report, a price list, a weekly review of another day).
"""

from __future__ import annotations

import json
import math
import random
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench.story_texts import (
    FIGURE,
    WORD,
    days_apart,
    figures_of,
    parse_date,
    story_text,
    words_of,
)

EDIT_KINDS = (
    "another id, url and publisher",
    "dateline prepended",
    "credit line appended",
    "sentence added",
    "sentence dropped",
    "sentence corrected",
    "boilerplate appended",
    "case and whitespace",
)
MIN_BODY_WORDS = 40
COPY_HOURS = 48.0
CORRECTION_HOURS = 19.0
DROPPED_SHARE = 0.2
TEMPLATE_DAYS = (1.0, 7.0)
TEMPLATE_MIN_FIGURES = 4  # distinct figures an article needs to be made a template report
FIGURES_CHANGED = 0.8  # the share of its distinct figures a template report of another day changes
REAL_PAIR_MIN_DAYS = 1.0
REPORT_DAYS = 3  # a headline published on this many different days is a recurring report

# A sentence ends after a lower-case letter, digit or closing mark and its stop ("U.S." does not).
_SENTENCE_END = re.compile(r"(?<=[a-z0-9%)\"'][.!?])\s+(?=[A-Z\"'(])")
_PUBLISHERS = (
    ("www.examplewire.com", "Example Wire"),
    ("news.dailyledger.example", "The Daily Ledger"),
    ("www.harbourtimes.example", "Harbour Times Staff"),
)
_CITIES = ("LONDON", "NEW YORK", "WASHINGTON", "TOKYO", "FRANKFURT", "PARIS", "CHICAGO")
_NAMES = ("Jane Doe", "John Smith", "Maria Keller", "Tom Okafor", "Ana Lima", "Ken Ito")
_ADDED = (
    "A spokesman for the company declined to comment further when reached by telephone late "
    "in the day.",
    "Analysts said the announcement had been widely expected and was already reflected in "
    "market prices.",
    "Officials did not say when a final decision would be made or who would take part in the "
    "talks.",
)
_BOILERPLATE = (
    "Copyright {year} Example Wire. All rights reserved. This material may not be published, "
    "broadcast, rewritten or redistributed without written permission of the publisher.",
    "Subscribe to our free morning newsletter for the day's most important business and "
    "political news, delivered to your inbox before the markets open each weekday.",
    "Follow us on social media for the latest updates. Sign up for breaking news alerts and "
    "read more stories like this one on our website and in our apps.",
)
_CORRECTED_WORDS = ("reportedly", "notably", "initially", "separately", "meanwhile")


@dataclass(frozen=True)
class MadeCopy:
    """A copy of ``original`` with one edit of ``kind``; ``change`` says what it changed."""

    kind: str
    original: str
    copy: str
    change: str
    record: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class TemplatePair:
    """Two articles that must stay apart: ``origin`` "made" (``record`` is the second, to be
    written) or "real" (both are in the corpora)."""

    origin: str
    first: str
    second: str
    change: str
    record: dict[str, Any] | None = field(default=None, repr=False)


Edit = Callable[[dict[str, Any], random.Random, int, datetime], tuple[dict[str, Any], str]]


def make_copies(records: Sequence[dict[str, Any]], count: int, seed: int) -> list[MadeCopy]:
    """``count`` copies (fewer when fewer articles qualify) of seeded originals, the kinds of
    edit taking turns."""
    eligible = [record for record in records if _can_be_copied(record)]
    chosen = random.Random(seed).sample(eligible, min(count, len(eligible)))
    rng = random.Random(seed + 1)
    turns = (divmod(n, len(EDIT_KINDS)) for n in range(len(chosen)))
    return [
        _copy(record, EDIT_KINDS[kind], rng, turn)
        for (turn, kind), record in zip(turns, chosen, strict=True)
    ]


def _can_be_copied(record: dict[str, Any]) -> bool:
    body = str(record.get("body") or "")
    if parse_date(record.get("published")) is None or len(words_of(body)) < MIN_BODY_WORDS:
        return False
    return sum(len(sentences) for sentences in _paragraphs(body)) >= 2


def _copy(record: dict[str, Any], kind: str, rng: random.Random, turn: int) -> MadeCopy:
    """A copy of ``record`` with an edit of ``kind``; ``turn``: how many of that kind came
    before (edits that take turns between variants, such as a word or a figure corrected)."""
    published = parse_date(record["published"])
    assert published is not None
    hours = CORRECTION_HOURS if kind == "sentence corrected" else COPY_HOURS
    published += timedelta(seconds=round(rng.uniform(0.0, hours * 3600)))
    changes, change = _EDITS[kind](record, rng, turn, published)
    copy = {**record, **changes, "id": f"{record['id']}-copy", "published": published.isoformat()}
    return MadeCopy(kind, str(record["id"]), copy["id"], change, copy)


def _another_publisher(
    record: dict[str, Any], rng: random.Random, number: int, published: datetime
) -> tuple[dict[str, Any], str]:
    host, name = _PUBLISHERS[number % len(_PUBLISHERS)]
    slug = "-".join(words_of(str(record.get("title") or ""))[:8])
    url = f"https://{host}/{published:%Y/%m/%d}/{slug}"
    return {"url": url, "author": name}, f"url {url}, author {name}"


def _dateline(
    record: dict[str, Any], rng: random.Random, number: int, published: datetime
) -> tuple[dict[str, Any], str]:
    line = f"{rng.choice(_CITIES)}, {published:%B} {published.day} (Reuters) - "
    return {"body": line + str(record["body"])}, repr(line)


def _credit_line(
    record: dict[str, Any], rng: random.Random, number: int, published: datetime
) -> tuple[dict[str, Any], str]:
    first, second = rng.sample(_NAMES, 2)
    line = f"Reporting by {first}; Editing by {second}"
    return {"body": f"{record['body']}\n\n{line}"}, repr(line)


def _sentence_added(
    record: dict[str, Any], rng: random.Random, number: int, published: datetime
) -> tuple[dict[str, Any], str]:
    paragraphs = _paragraphs(str(record["body"]))
    at, place = _any_sentence(paragraphs, rng)
    sentence = rng.choice(_ADDED)
    paragraphs[at].insert(place + 1, sentence)
    return {"body": _joined(paragraphs)}, f"after sentence {place + 1} of paragraph {at + 1}"


def _sentence_dropped(
    record: dict[str, Any], rng: random.Random, number: int, published: datetime
) -> tuple[dict[str, Any], str]:
    paragraphs = _paragraphs(str(record["body"]))
    at, place = _small_sentence(paragraphs, rng, DROPPED_SHARE * len(words_of(record["body"])))
    dropped = paragraphs[at].pop(place)
    return {"body": _joined(paragraphs)}, f"dropped {len(words_of(dropped))} words: {dropped!r}"


def _sentence_corrected(
    record: dict[str, Any], rng: random.Random, number: int, published: datetime
) -> tuple[dict[str, Any], str]:
    body = str(record["body"])
    figures = list(FIGURE.finditer(body))
    if number % 2 == 0 and figures:  # every other correction changes a figure, when there is one
        found = rng.choice(figures)
        new = _other_figure(found.group(), rng, set())
        change = f"figure {found.group()} -> {new}"
    else:
        words = list(re.finditer(r"\b[^\W\d_]{5,}\b", body)) or list(WORD.finditer(body))
        found = rng.choice(words)
        new = rng.choice([w for w in _CORRECTED_WORDS if w != found.group().lower()])
        change = f"word {found.group()} -> {new}"
    return {"body": body[: found.start()] + new + body[found.end() :]}, change


def _boilerplate(
    record: dict[str, Any], rng: random.Random, number: int, published: datetime
) -> tuple[dict[str, Any], str]:
    notice = _BOILERPLATE[number % len(_BOILERPLATE)].format(year=published.year)
    return {"body": f"{record['body']}\n\n{notice}"}, f"{len(words_of(notice))} words"


def _case_and_whitespace(
    record: dict[str, Any], rng: random.Random, number: int, published: datetime
) -> tuple[dict[str, Any], str]:
    paragraphs = [" \n".join(sentences) for sentences in _paragraphs(str(record["body"]))]
    paragraphs[0] = paragraphs[0].upper()
    body = "  \n\n\n ".join(p.replace(" ", "  ") for p in paragraphs)
    title = str(record.get("title") or "").upper()
    return {"title": title, "body": body}, "headline and first paragraph upper case, spacing"


_EDITS: dict[str, Edit] = dict(
    zip(
        EDIT_KINDS,
        (
            _another_publisher,
            _dateline,
            _credit_line,
            _sentence_added,
            _sentence_dropped,
            _sentence_corrected,
            _boilerplate,
            _case_and_whitespace,
        ),
        strict=True,
    )
)


def _paragraphs(body: str) -> list[list[str]]:
    """The body's paragraphs, each a list of its sentences."""
    return [_SENTENCE_END.split(p.strip()) for p in body.split("\n\n") if p.strip()]


def _joined(paragraphs: list[list[str]]) -> str:
    return "\n\n".join(" ".join(sentences) for sentences in paragraphs if sentences)


def _any_sentence(paragraphs: list[list[str]], rng: random.Random) -> tuple[int, int]:
    """A seeded sentence of the body: (paragraph, sentence) numbers."""
    places = [(p, s) for p, sentences in enumerate(paragraphs) for s in range(len(sentences))]
    return rng.choice(places)


def _small_sentence(
    paragraphs: list[list[str]], rng: random.Random, most_words: float
) -> tuple[int, int]:
    """A seeded sentence of at most ``most_words`` words (the shortest when none is)."""
    places = [(p, s) for p, sentences in enumerate(paragraphs) for s in range(len(sentences))]
    size = {place: len(words_of(paragraphs[place[0]][place[1]])) for place in places}
    small = [place for place in places if size[place] <= most_words]
    return rng.choice(small) if small else min(places, key=size.__getitem__)


def _other_figure(figure: str, rng: random.Random, taken: set[str]) -> str:
    """A figure of the same shape with other digits, not ``figure`` nor any of ``taken``."""
    while True:
        digits = [rng.choice("0123456789") if c.isdigit() else c for c in figure]
        if len(digits) > 1 and digits[0] == "0" and figure[0] != "0":
            digits[0] = rng.choice("123456789")
        new = "".join(digits)
        if new != figure and new not in taken:
            return new


def make_template_pairs(
    records: Sequence[dict[str, Any]], count: int, seed: int, excluded: set[str]
) -> list[TemplatePair]:
    """``count`` made template reports of another day (fewer when fewer articles qualify), of
    articles not in ``excluded``."""
    eligible = [
        record
        for record in records
        if record.get("id") not in excluded
        and _can_be_copied(record)
        and len(_figures(record)) >= TEMPLATE_MIN_FIGURES
    ]
    chosen = random.Random(seed + 2).sample(eligible, min(count, len(eligible)))
    rng = random.Random(seed + 3)
    return [_another_day(record, rng) for record in chosen]


def _figures(record: dict[str, Any]) -> frozenset[str]:
    """The figures of the record's headline and body (or teaser, without a body)."""
    title, body = str(record.get("title") or ""), str(record.get("body") or "")
    return figures_of(story_text(title, body, str(record.get("teaser") or "")))


def _another_day(record: dict[str, Any], rng: random.Random) -> TemplatePair:
    figures = sorted(_figures(record))
    changed = rng.sample(figures, math.ceil(FIGURES_CHANGED * len(figures)))
    new: dict[str, str] = {}
    for figure in changed:
        new[figure] = _other_figure(figure, rng, set(figures) | set(new.values()))

    def replace(text: str) -> str:
        return FIGURE.sub(lambda found: new.get(found.group(), found.group()), text)

    published = parse_date(record["published"])
    assert published is not None
    published += timedelta(seconds=round(rng.uniform(*TEMPLATE_DAYS) * 86_400))
    report = {
        **record,
        "id": f"{record['id']}-another-day",
        "title": replace(str(record.get("title") or "")),
        "body": replace(str(record["body"])),
        "published": published.isoformat(),
    }
    change = f"{len(changed)} of {len(figures)} figures changed"
    return TemplatePair("made", str(record["id"]), report["id"], change, report)


def real_template_pairs(records: Iterable[dict[str, Any]]) -> list[TemplatePair]:
    """Every two articles of a recurring report of ``records`` (a headline published on
    ``REPORT_DAYS`` different days or more), ``REAL_PAIR_MIN_DAYS`` or more apart, whose figures
    differ. (A headline seen on two days only may be one story sent again with news added.)"""
    by_headline: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        headline = " ".join(words_of(str(record.get("title") or "")))
        if headline and parse_date(record.get("published")) is not None:
            by_headline[headline].append(record)
    pairs = []
    for group in by_headline.values():
        if len({parse_date(record["published"]).date() for record in group}) < REPORT_DAYS:
            continue
        for n, first in enumerate(group):
            for second in group[n + 1 :]:
                pair = _real_pair(first, second)
                pairs += [pair] if pair else []
    return pairs


def _real_pair(first: dict[str, Any], second: dict[str, Any]) -> TemplatePair | None:
    apart = days_apart(parse_date(first["published"]), parse_date(second["published"]))
    if apart is None or apart < REAL_PAIR_MIN_DAYS or _figures(first) == _figures(second):
        return None
    change = f"same headline, {apart:.1f} days apart"
    return TemplatePair("real", str(first["id"]), str(second["id"]), change)


def write_corpus_with_copies(
    records: Iterable[dict[str, Any]],
    copies: Sequence[MadeCopy],
    templates: Sequence[TemplatePair],
    path: Path,
) -> int:
    """``path``: every record of the corpora, then the copies and the made template reports;
    how many articles it holds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    made = [copy.record for copy in copies] + [t.record for t in templates if t.record]
    count = 0
    with open(path, "w", encoding="utf-8") as out:
        for record in [*records, *made]:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count
