"""Grouping in an index built by ``bench stories``: made copies grouped with their originals,
template pairs kept apart, stories holding two articles that are not one story, and the counts of
stories. Each article's story is the index's; every similarity is the bench's own
(``bench.story_texts``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from bench.story_copies import EDIT_KINDS, MadeCopy, TemplatePair
from bench.story_texts import Article, days_apart, pair_facts, similarity

EXAMPLES = 12
SAME_TEXT = 0.5  # the false merge: two articles of a story sharing less than half


def copies_grouped(copies: list[MadeCopy], articles: dict[str, Article]) -> dict[str, Any]:
    """Per kind of edit: copies whose story is their original's; every miss explained."""
    members = members_by_story(articles.values())
    by_kind: dict[str, dict[str, Any]] = {k: {"copies": 0, "grouped": 0} for k in EDIT_KINDS}
    misses = []
    for copy in copies:
        original, made = articles.get(copy.original), articles.get(copy.copy)
        grouped = bool(original and made and original.story == made.story)
        by_kind[copy.kind]["copies"] += 1
        by_kind[copy.kind]["grouped"] += grouped
        if not grouped:
            misses.append(_missed_copy(copy, original, made, members))
    for counts in by_kind.values():
        counts["recall"] = counts["grouped"] / counts["copies"] if counts["copies"] else None
    total = len(copies)
    grouped = sum(counts["grouped"] for counts in by_kind.values())
    return {
        "copies": total,
        "grouped": grouped,
        "recall": grouped / total if total else None,
        "by_kind": by_kind,
        "originals_by_corpus": dict(Counter(corpus_of(copy.original) for copy in copies)),
        "misses": misses,
    }


def _missed_copy(
    copy: MadeCopy,
    original: Article | None,
    made: Article | None,
    members: dict[str, list[Article]],
) -> dict[str, Any]:
    if original is None or made is None:
        return {"kind": copy.kind, "ids": [copy.original, copy.copy], "why": "not in the index"}
    story = [m for m in members[original.story] if m is not original]
    joined = [m.id for m in members[made.story] if m is not made]
    return {
        "kind": copy.kind,
        "change": copy.change,
        **pair_facts(original, made),
        "original_story_others": [m.id for m in story],
        "copy_story_others": joined,
        "why": why_apart(original, made, story),
        "share_an_lsh_band": share_an_lsh_band(original, made),
    }


def rule_fails(first: Article, second: Article) -> str | None:
    """Which test of the indexer's grouping rule (``indexer.index.stories.compare``) two
    articles fail, with the bench's own figures, or None when they pass it."""
    from indexer.index.stories import StoryText, compare, shingles_of

    texts = [StoryText("", a.text, shingles_of(a.text), a.published) for a in (first, second)]
    failed, _similarity = compare(*texts)
    if failed is None:
        return None
    apart = days_apart(first.published, second.published)
    days = f"{apart:.2f} days" if apart is not None else "undated"
    shared = len(first.figures & second.figures)
    return (
        f"{failed}: Jaccard {similarity(first, second):.3f}, {days}, figures {shared} shared "
        f"({len(first.figures)}, {len(second.figures)})"
    )


def why_apart(original: Article, copy: Article, others: list[Article]) -> str:
    """Why a copy is not in its original's story, as far as the bench can tell."""
    failed = rule_fails(original, copy)
    if failed:
        return failed
    for other in others:
        failed = rule_fails(other, copy)
        if failed:
            return f"complete link: fails with {other.id} of the story ({failed})"
    return "passes the rule with every member of the story"


def share_an_lsh_band(first: Article, second: Article) -> bool:
    """Whether the indexer's LSH would make the two candidates (its own band keys)."""
    from indexer.index.stories import band_hashes, shingles_of

    keys = band_hashes([shingles_of(first.text), shingles_of(second.text)])
    return bool((keys[0] == keys[1]).any())


def templates_apart(pairs: list[TemplatePair], articles: dict[str, Article]) -> dict[str, Any]:
    """Per origin (made, real): template pairs that share a story (wrongly merged)."""
    found: dict[str, Any] = {}
    for origin in ("made", "real"):
        chosen = [p for p in pairs if p.origin == origin]
        facts = [
            {"change": p.change, **pair_facts(articles[p.first], articles[p.second])}
            for p in chosen
            if p.first in articles and p.second in articles
        ]
        merged = [f for f in facts if f["same_story"]]
        found[origin] = {
            "pairs": len(facts),
            "text_jaccard_at_least_half": sum(f["jaccard"] >= SAME_TEXT for f in facts),
            "within_window_days": sum(_within_window(f) for f in facts),
            "merged": len(merged),
            "merged_pairs": merged,
        }
    return found


def _within_window(facts: dict[str, Any]) -> bool:
    from indexer.index.stories import WINDOW_DAYS

    return facts["days_apart"] is not None and facts["days_apart"] <= WINDOW_DAYS


def false_merges(articles: dict[str, Article], templates: list[TemplatePair]) -> dict[str, Any]:
    """Stories holding two articles sharing less than half of their shingles, and template
    pairs (reports of different days) in one story."""
    members = members_by_story(articles.values())
    grouped = [story for story in members.values() if len(story) > 1]
    low = [
        pair_facts(first, second)
        for story in grouped
        for n, first in enumerate(story)
        for second in story[n + 1 :]
        if similarity(first, second) < SAME_TEXT
    ]
    templates_merged = [
        pair_facts(articles[p.first], articles[p.second])
        for p in templates
        if p.first in articles
        and p.second in articles
        and articles[p.first].story == articles[p.second].story
    ]
    return {
        "stories_checked": len(grouped),
        "low_similarity_pairs": len(low),
        "stories_with_low_similarity": len({tuple(sorted(f["ids"])) for f in low}),
        "template_pairs_merged": len(templates_merged),
        "total": len(low) + len(templates_merged),
        "examples": (low + templates_merged)[:EXAMPLES],
    }


def members_by_story(articles: Iterable[Article]) -> dict[str, list[Article]]:
    members: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        members[article.story].append(article)
    return members


def index_stats(articles: dict[str, Article]) -> dict[str, Any]:
    """Articles, stories (distinct story ids), stories of 2+ articles, the largest story."""
    members = members_by_story(articles.values())
    sizes = Counter(len(story) for story in members.values())
    largest = max(members.values(), key=len) if members else []
    return {
        "articles": len(articles),
        "stories": len(members),
        "stories_of_2_or_more": sum(n for size, n in sizes.items() if size > 1),
        "articles_in_them": sum(size * n for size, n in sizes.items() if size > 1),
        "story_sizes": {str(size): n for size, n in sorted(sizes.items())},
        "largest_story": len(largest),
        "largest_story_articles": [
            {"id": a.id, "title": a.title, "published": _iso(a.published)} for a in largest[:10]
        ],
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def corpus_of(article_id: str) -> str:
    return article_id.split("-", 1)[0]
