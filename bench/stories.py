"""``python -m bench stories``: whether stories (``indexer.index.stories``) group what they
should, keep apart what they should, and what they cost a build.

1. Duplicate first pages: a seeded query mix (``QUERY_HEADLINES`` headlines, each searched by its
   first three words of four letters or more, and ``COMMON_WORDS``) searched through
   ``SearchService`` with the API's defaults, collapsed and with ``collapse=0``; a first page
   "shows a story twice" when two of its articles share ``SHOWN_TWICE`` of their word
   5-shingles (the bench's own shingles, ``bench.story_texts``).
2. Grouping on made copies (``bench.story_copies``, ``bench.story_grouping``): the corpora with
   seeded copies and template reports of another day are rebuilt; each copy should share its
   original's story, no template pair should, and no story should hold two articles sharing
   less than half of their shingles.
3. Build time and size against the commit before stories (``bench.story_builds``).
4. Counts of articles and stories in the indexes built.

The report (``report.md`` and ``report.json``) goes to ``bench/results/stories-<timestamp>/``.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.corpora import read_records
from bench.relevance import build_index
from bench.report import (
    PROJECT_ROOT,
    command_line,
    machine_facts,
    source_fingerprint,
    write_reports,
)
from bench.story_builds import DEFAULT_BASELINE, compare_builds
from bench.story_copies import (
    EDIT_KINDS,
    MadeCopy,
    TemplatePair,
    make_copies,
    make_template_pairs,
    real_template_pairs,
    write_corpus_with_copies,
)
from bench.story_grouping import (
    copies_grouped,
    corpus_of,
    false_merges,
    index_stats,
    templates_apart,
)
from bench.story_report import evaluate_targets, stories_markdown
from bench.story_texts import WORD, Article, pair_facts, similarity, story_text

SHARED_CORPORA = PROJECT_ROOT.parent / "shared" / "corpora"
QUERY_HEADLINES = 150
COMMON_WORDS = ("oil", "election", "president", "market", "police", "court", "dollar", "trade",
                "bank", "war", "health", "football", "film", "government", "prices", "shares",
                "talks", "strike", "rates", "deal")  # fmt: skip
QUERY_WORDS, QUERY_WORD_LETTERS = 3, 4
SHOWN_TWICE = 0.8  # Jaccard of two articles of one first page that show one story twice
COPIES, TEMPLATES = 400, 100
QUICK = {"headlines": 10, "copies": 16, "templates": 4, "repeat": 1}
EXAMPLES = 12


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench stories",
        description="Duplicate first pages, grouping of made copies, build cost of stories.",
    )
    add = parser.add_argument
    add("--corpus", nargs="+", type=Path, help="JSON Lines corpora (default ../shared/corpora)")
    add("--quick", action="store_true", help="a small smoke run")
    add("--headlines", type=int, help=f"headline queries (default {QUERY_HEADLINES})")
    add("--copies", type=int, help=f"made copies (default {COPIES})")
    add("--templates", type=int, help=f"made template reports (default {TEMPLATES})")
    add("--repeat", type=int, help="builds of each tree (default 3)")
    add("--baseline", default=DEFAULT_BASELINE, help="commit to compare builds with ('none')")
    add("--seed", type=int, default=21, help="seed of every sample")
    add("--out", type=Path, default=PROJECT_ROOT / "bench" / "results", help="report folder")
    add("--work", type=Path, help="folder for the indexes (default: a temporary one)")
    args = parser.parse_args(argv)
    defaults = QUICK if args.quick else {
        "headlines": QUERY_HEADLINES, "copies": COPIES, "templates": TEMPLATES, "repeat": 3
    }  # fmt: skip
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    # Absolute: the builds run in the trees' folders.
    args.corpus = [path.resolve() for path in args.corpus or sorted(SHARED_CORPORA.glob("*.jsonl"))]
    if not args.corpus:
        raise SystemExit("bench stories: no corpus (give --corpus)")
    return args


def main(argv: list[str]) -> int:
    args = parse_arguments(argv)
    out_folder = args.out / time.strftime("stories-%Y%m%d-%H%M%S")
    if args.work:
        args.work.mkdir(parents=True, exist_ok=True)
    work = args.work or Path(tempfile.mkdtemp(prefix="newsindex-stories-"))
    try:
        report = run_stories(args, work, argv)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    markdown_path, _json_path = write_reports(report, out_folder, stories_markdown)
    print(markdown_path.read_text(encoding="utf-8"))
    _log(f"report: {markdown_path}")
    return 0


def run_stories(args: argparse.Namespace, work: Path, argv: list[str]) -> dict[str, Any]:
    """Every measurement into the report's data (targets included)."""
    machine = machine_facts()
    records = list(read_records(args.corpus))
    _log(f"{len(records):,} articles in {len(args.corpus)} corpora; building their index")
    corpora_index = build_index(args.corpus, work / "corpora")
    articles = read_articles(corpora_index)
    queries = query_mix(records, args.headlines, args.seed)
    _log(f"{len(queries)} queries, first pages collapsed and not")
    first_pages = duplicate_first_pages(corpora_index, queries, articles)
    copies = make_copies(records, args.copies, args.seed)
    originals = {copy.original for copy in copies}
    templates = make_template_pairs(records, args.templates, args.seed, originals)
    templates += real_template_pairs(records)
    path = work / "with-copies.jsonl"
    write_corpus_with_copies(records, copies, templates, path)
    _log(f"{len(copies)} copies, {len(templates)} template pairs; building their index")
    with_copies = read_articles(build_index([path], work / "with-copies"))
    builds = None
    if args.baseline.lower() != "none":
        _log(f"builds: {args.baseline} and the current tree, {args.repeat} times each")
        builds = compare_builds(args.corpus, args.baseline, args.repeat, work)
    report = {
        "command": command_line(["stories", *argv]),
        "machine": machine,
        "settings": _settings(args, queries),
        "first_pages": first_pages,
        "copies": copies_grouped(copies, with_copies),
        "templates": templates_apart(templates, with_copies),
        "false_merges": {
            "corpora": false_merges(articles, [p for p in templates if p.origin == "real"]),
            "with_copies": false_merges(with_copies, templates),
        },
        "stats": {"corpora": index_stats(articles), "with_copies": index_stats(with_copies)},
        "builds": builds,
        "notes": _notes(copies, templates, builds),
    }
    if source_fingerprint() != machine["source_fingerprint"]:
        report["notes"].append(
            "The code under indexer/ or webui/ changed during this run (the source fingerprint "
            f"was {machine['source_fingerprint']}, is now {source_fingerprint()}): its figures "
            "mix versions."
        )
    report["targets"] = evaluate_targets(report)
    return report


def _settings(args: argparse.Namespace, queries: list[str]) -> dict[str, Any]:
    return {
        "corpora": [str(path) for path in args.corpus],
        "quick": args.quick,
        "seed": args.seed,
        "queries": len(queries),
        "headline_queries": args.headlines,
        "common_words": list(COMMON_WORDS),
        "shown_twice_jaccard": SHOWN_TWICE,
        "copies": args.copies,
        "edit_kinds": list(EDIT_KINDS),
        "made_templates": args.templates,
        "repeat": args.repeat,
        "baseline": args.baseline,
    }


# The query mix -------------------------------------------------------------------------------


def query_mix(records: Sequence[dict[str, Any]], headlines: int, seed: int) -> list[str]:
    """``headlines`` seeded headline queries (distinct), then ``COMMON_WORDS``."""
    eligible = [query for query in map(headline_query, records) if query]
    random.Random(seed).shuffle(eligible)
    chosen = list(dict.fromkeys(eligible))[:headlines]
    return chosen + [word for word in COMMON_WORDS if word not in chosen]


def headline_query(record: dict[str, Any]) -> str | None:
    """The first ``QUERY_WORDS`` words of ``QUERY_WORD_LETTERS`` letters or more of the
    headline, or None when it has fewer."""
    words = WORD.findall(str(record.get("title") or "").lower())
    long = [word for word in words if len(word) >= QUERY_WORD_LETTERS and word.isalpha()]
    return " ".join(long[:QUERY_WORDS]) if len(long) >= QUERY_WORDS else None


# The index as the bench reads it ---------------------------------------------------------------


def read_articles(index_dir: Path) -> dict[str, Article]:
    """Every live article of the index's current generation: its stored text and date, and its
    ``story`` column."""
    from whoosh import index as whoosh_index

    from indexer.index.store import IndexStore

    generation = IndexStore(index_dir).current()
    articles: dict[str, Article] = {}
    with whoosh_index.open_dir(str(generation.path)).searcher() as searcher:
        for segment, _offset in searcher.reader().leaf_readers():
            stories = segment.column_reader("story")
            for local in segment.all_doc_ids():
                stored = segment.stored_fields(local)
                text = story_text(stored["title"], stored.get("body", ""), stored.get("teaser", ""))
                articles[stored["id"]] = Article(
                    stored["id"], stored["title"], text, stored.get("published"), stories[local]
                )
    return articles


# 1. Duplicate first pages ----------------------------------------------------------------------


def duplicate_first_pages(
    index_dir: Path, queries: list[str], articles: dict[str, Article]
) -> dict[str, Any]:
    """For both collapse settings: how many first pages show a story twice, how many hits repeat
    a higher one; with examples of the collapsed pages' repeats."""
    pages = search_first_pages(index_dir, queries)
    return {
        setting: _repeats_of_pages(pages[setting], articles)
        for setting in ("collapsed", "not_collapsed")
    }


def search_first_pages(index_dir: Path, queries: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Each query's first page (the API's defaults), collapsed and with ``collapse=0``."""
    from indexer.config import load_settings
    from indexer.errors import QueryError
    from indexer.search.requests import SearchRequest
    from indexer.search.service import SearchService

    pages: dict[str, list[dict[str, Any]]] = {"collapsed": [], "not_collapsed": []}
    settings = load_settings({"index_dir": index_dir, "result_cache": 0}, environ={})
    with SearchService(settings) as service:
        for query in queries:
            for setting, params in (("collapsed", {}), ("not_collapsed", {"collapse": "0"})):
                try:
                    results = service.search(SearchRequest.from_params({"q": query, **params}))
                except QueryError as refused:
                    pages[setting].append({"query": query, "ids": [], "refused": str(refused)})
                    continue
                ids = [hit.id for hit in results.hits]
                pages[setting].append({"query": query, "ids": ids, "refused": None})
    return pages


def _repeats_of_pages(pages: list[dict[str, Any]], articles: dict[str, Article]) -> dict[str, Any]:
    shown_twice, repeating, examples, grouped_pairs, pairs = 0, 0, [], 0, 0
    for page in pages:
        repeats = repeats_on_page([articles[i] for i in page["ids"] if i in articles])
        shown_twice += bool(repeats)
        repeating += len({lower for _higher, lower, _facts in repeats})
        pairs += len(repeats)
        grouped_pairs += sum(facts["same_story"] for _h, _l, facts in repeats)
        for higher, lower, facts in repeats:
            if len(examples) < EXAMPLES:
                examples.append({"query": page["query"], "ranks": [higher + 1, lower + 1], **facts})
    answered = [page for page in pages if page["ids"]]
    hits = sum(len(page["ids"]) for page in pages)
    return {
        "pages": len(pages),
        "pages_with_hits": len(answered),
        "refused": [page["query"] for page in pages if page["refused"]],
        "pages_showing_a_story_twice": shown_twice,
        "share_of_pages": shown_twice / len(answered) if answered else float("nan"),
        "hits": hits,
        "hits_repeating_a_higher_one": repeating,
        "share_of_hits": repeating / hits if hits else float("nan"),
        "repeat_pairs": pairs,
        "repeat_pairs_in_one_story": grouped_pairs,
        "examples": examples,
    }


def repeats_on_page(page: list[Article]) -> list[tuple[int, int, dict[str, Any]]]:
    """(higher rank, lower rank, facts) of every two articles of the page sharing
    ``SHOWN_TWICE`` of their shingles."""
    return [
        (higher, lower, pair_facts(page[higher], page[lower]))
        for lower in range(len(page))
        for higher in range(lower)
        if similarity(page[higher], page[lower]) >= SHOWN_TWICE
    ]


def _notes(
    copies: list[MadeCopy], templates: list[TemplatePair], builds: dict[str, Any] | None
) -> list[str]:
    corpora = Counter(corpus_of(copy.original) for copy in copies)
    notes = [
        "Copies are made of dated articles with a body of 40+ words; their originals by corpus: "
        + ", ".join(f"{name} {count}" for name, count in corpora.most_common())
        + ".",
        "The Jaccard figures are the bench's own (exact sets of word 5-shingles); "
        "'share an LSH band' uses the indexer's band keys, to tell a missed candidate.",
        f"Real template pairs: {sum(p.origin == 'real' for p in templates)} pairs of articles "
        "with the headline of a recurring report (published on 3+ different days), 1+ days "
        "apart, whose figures differ.",
    ]
    if builds is None:
        notes.append("Builds not compared (--baseline none).")
    elif "error" in builds:
        notes.append(f"Builds not compared: {builds['error']}")
    return notes


def _log(message: str) -> None:
    print(f"[stories] {message}", file=sys.stderr, flush=True)
