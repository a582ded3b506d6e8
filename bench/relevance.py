"""``python -m bench relevance``: how well newsindex ranks, measured as a script would ask.

For each test collection (a folder in the format of ``../shared/relevance``, see
``bench.relevance_collections``) the documents are rebuilt into a temporary index with
``rebuild_index`` (what ``indexer rebuild`` runs); every judged query goes, as written, through the
search API with the defaults a script gets (``SearchRequest.from_params({"q": text, "page": n,
"per_page": 100})``: the same parameters ``/api/search`` reads), paging through the first 1,000
results; MAP, nDCG@10, P@10 and Recall@100 are computed from the ids it returns. The known-item
score (``bench.known_item``) runs on one index of the news corpora. The report (``report.md`` and
``report.json``) sets the figures beside the peers' of issue 12 and checks its targets.
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.corpora import read_records
from bench.known_item import KnownItem, found_in_top, sample_known_items
from bench.relevance_collections import Collection, find_collections, read_collection
from bench.relevance_metrics import DEPTH, QueryScores, mean_scores, score_ranking
from bench.relevance_report import evaluate_targets, relevance_markdown
from bench.relevance_variants import VARIANTS, ranking_searcher
from bench.report import PROJECT_ROOT, machine_facts, write_reports

SHARED = PROJECT_ROOT.parent / "shared"
PER_PAGE = 100  # the API's largest page: ten requests reach the 1,000th result
KNOWN_ITEMS = 300


@dataclass(frozen=True)
class Answer:
    """What the API answered to one query: the ids in order (up to the depth asked), whether
    any page was refused (the message), and whether it said that not every word matched."""

    ids: list[str]
    refused: str | None = None
    relaxed: bool = False
    pages_agree: bool = True  # the pages gave the ids the ranking alone gives


Searcher = Callable[[str, int], Answer]


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench relevance",
        description="Ranking quality on test collections and known-item searches, via the API.",
    )
    add = parser.add_argument
    add("folders", nargs="*", type=Path, help="collection folders (default ../shared/relevance)")
    add("--corpora", nargs="*", type=Path, help="news corpora for known items (default shared)")
    add("--known-items", type=int, default=KNOWN_ITEMS, help="headlines sampled (0: skip)")
    add("--seed", type=int, default=12, help="seed of the headline sample")
    add("--out", type=Path, default=PROJECT_ROOT / "bench" / "results", help="report folder")
    add("--work", type=Path, help="folder for the indexes (default: a temporary one)")
    add("--variants", action="store_true", help="also measure each ranking choice turned off")
    args = parser.parse_args(argv)
    args.folders = find_collections(args.folders or [SHARED / "relevance"])
    if args.corpora is None:
        shared = SHARED / "corpora"
        args.corpora = sorted(shared.glob("*.jsonl")) if shared.is_dir() else []
    if not args.folders and not (args.corpora and args.known_items):
        raise SystemExit("bench relevance: no collection folder and no corpus to measure")
    return args


def main(argv: list[str]) -> int:
    args = parse_arguments(argv)
    out_folder = args.out / time.strftime("%Y%m%d-%H%M%S-relevance")
    work = args.work or Path(tempfile.mkdtemp(prefix="newsindex-relevance-"))
    try:
        report = run_relevance(args, work, argv)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    markdown_path, _json_path = write_reports(report, out_folder, relevance_markdown)
    print(markdown_path)
    return 0


def run_relevance(args: argparse.Namespace, work: Path, argv: list[str]) -> dict[str, Any]:
    """Every measurement into the report's data (targets included)."""
    machine = machine_facts()
    indexes: dict[str, tuple[Collection, Path]] = {}
    collections = {}
    for folder in args.folders:
        collection = read_collection(folder)
        _log(f"{collection.name}: {len(collection.queries)} judged queries")
        index_dir = build_index([collection.documents], work / collection.name)
        indexes[collection.name] = (collection, index_dir)
        with api_searcher(index_dir) as search:
            collections[collection.name] = evaluate_collection(collection, search)
    known, items, news_index = None, [], None
    if args.corpora and args.known_items:
        _log(f"known items: {args.known_items} headlines of {len(args.corpora)} corpora")
        items = sample_known_items(read_records(args.corpora), args.known_items, args.seed)
        news_index = build_index(args.corpora, work / "known-items")
        with api_searcher(news_index) as search:
            known = evaluate_known_items(items, search)
    report = {
        "command": shlex.join([_python(), "-m", "bench", "relevance", *argv]),
        "machine": machine,
        "settings": {
            "folders": [str(f) for f in args.folders],
            "corpora": [str(c) for c in args.corpora],
            "depth": DEPTH,
            "per_page": PER_PAGE,
            "known_items": args.known_items,
            "seed": args.seed,
            "ranking": _ranking_settings(),
        },
        "collections": collections,
        "known_items": known,
        "variants": measure_variants(indexes, items, news_index) if args.variants else None,
    }
    report["targets"] = evaluate_targets(report)
    return report


def measure_variants(
    indexes: dict[str, tuple[Collection, Path]], items: list[KnownItem], news_index: Path | None
) -> dict[str, Any]:
    """Every collection and the known items again for each variant of ``VARIANTS``."""
    measured: dict[str, Any] = {}
    for label, changes in VARIANTS:
        _log(f"variant: {label}")
        found: dict[str, Any] = {"changes": changes, "collections": {}, "known_items": None}
        for name, (collection, index_dir) in indexes.items():
            with ranking_searcher(index_dir, changes) as ranked:
                search = _ids_only(ranked)
                found["collections"][name] = evaluate_collection(collection, search, brief=True)
        if news_index is not None:
            with ranking_searcher(news_index, changes) as ranked:
                found["known_items"] = evaluate_known_items(items, _ids_only(ranked), brief=True)
        measured[label] = found
    return measured


def _ids_only(ranked: Callable[[str, int], list[str]]) -> Searcher:
    return lambda text, depth: Answer(ranked(text, depth))


def build_index(sources: list[Path], index_dir: Path) -> Path:
    """A fresh index of ``sources`` in ``index_dir``, as ``indexer rebuild`` builds it."""
    from indexer.config import load_settings
    from indexer.index.build import rebuild_index

    shutil.rmtree(index_dir, ignore_errors=True)
    rebuild_index(load_settings({"index_dir": index_dir}, environ={}), [str(s) for s in sources])
    return index_dir


@contextmanager
def api_searcher(index_dir: Path) -> Iterator[Searcher]:
    """Searches through ``SearchService`` with ``SearchRequest.from_params``, as the web app
    runs them (its results cache off)."""
    from indexer.config import load_settings
    from indexer.errors import QueryError
    from indexer.search.requests import SearchRequest
    from indexer.search.service import SearchService

    settings = load_settings({"index_dir": index_dir, "result_cache": 0}, environ={})
    service = SearchService(settings)

    def search(text: str, depth: int) -> Answer:
        ids: list[str] = []
        relaxed = False
        per_page = min(PER_PAGE, depth)
        for page in range(1, -(-depth // per_page) + 1):
            # autocorrect=0: the query as typed is what is judged (and what ranked_ids ranks)
            params = {"q": text, "page": str(page), "per_page": str(per_page), "autocorrect": "0"}
            try:
                results = service.search(SearchRequest.from_params(params))
            except QueryError as refused:
                return Answer(ids, str(refused), relaxed)
            relaxed = relaxed or results.relaxed
            ids.extend(hit.id for hit in results.hits)
            if len(results.hits) < per_page:
                break
        ranked = service.ranked_ids(SearchRequest.from_params({"q": text}), depth)
        return Answer(ids[:depth], None, relaxed, pages_agree=ranked == ids[:depth])

    try:
        yield search
    finally:
        service.close()


def evaluate_collection(
    collection: Collection, search: Searcher, brief: bool = False
) -> dict[str, Any]:
    """The measures of every judged query, their means, and what the API said (``brief``: the
    means only)."""
    started = time.perf_counter()
    per_query: dict[str, QueryScores] = {}
    refused, empty, relaxed, disagree = [], [], [], []
    for query_id, text in collection.queries.items():
        answer = search(text, DEPTH)
        per_query[query_id] = score_ranking(answer.ids, collection.relevant[query_id])
        if answer.refused:
            refused.append({"query": query_id, "message": answer.refused})
        elif not answer.ids:
            empty.append(query_id)
        relaxed += [query_id] if answer.relaxed else []
        disagree += [] if answer.pages_agree else [query_id]
    if brief:
        return {"means": mean_scores(per_query.values())}
    return {
        "documents": _count_lines(collection.documents),
        "queries": len(collection.queries),
        "unjudged_queries": collection.unjudged_queries,
        "judgments": collection.judgments,
        "means": mean_scores(per_query.values()),
        "refused": refused,
        "found_nothing": empty,
        "relaxed": len(relaxed),
        "pages_disagree_with_ranking": disagree,
        "seconds": time.perf_counter() - started,
        "per_query": {q: s.as_dict() for q, s in per_query.items()},
    }


def evaluate_known_items(
    items: list[KnownItem], search: Searcher, brief: bool = False
) -> dict[str, Any]:
    """The share of ``items`` whose article comes first, in the top 3, in the top 10."""
    ranks: list[int | None] = []
    missed = []
    for item in items:
        answer = search(item.query, 10)
        rank = answer.ids.index(item.article_id) + 1 if item.article_id in answer.ids else None
        ranks.append(rank)
        if not found_in_top(answer.ids, item.article_id):
            missed.append({"id": item.article_id, "headline": item.headline, "query": item.query})
    sampled = len(items) or 1
    shares = {
        "sampled": len(items),
        "top_1": sum(r == 1 for r in ranks) / sampled,
        "top_3": sum(r is not None and r <= 3 for r in ranks) / sampled,
        "top_10": sum(r is not None for r in ranks) / sampled,
    }
    if brief:
        return shares
    examples = [{"headline": i.headline, "query": i.query} for i in items[:5]]
    return {**shares, "examples": examples, "missed": missed}


def _ranking_settings() -> dict[str, Any]:
    """The ranking measured: ``RankingSettings`` as the search API uses them by default."""
    from dataclasses import asdict

    from indexer.search.ranking import DEFAULT_RANKING

    return asdict(DEFAULT_RANKING)


def _count_lines(path: Path) -> int:
    with open(path, encoding="utf-8") as lines:
        return sum(1 for line in lines if line.strip())


def _python() -> str:
    python = Path(sys.executable)
    return str(python.relative_to(PROJECT_ROOT) if python.is_relative_to(PROJECT_ROOT) else python)


def _log(message: str) -> None:
    print(f"[relevance] {message}", file=sys.stderr, flush=True)
