"""``python -m bench suggest``: issue 23's targets for suggestions as one types, teasers and
spelling, on the corpora (default ``../shared/corpora``).

1. Rebuild time against the commit before suggestions (``bench.story_builds``: both trees'
   ``indexer rebuild`` alternating, medians; target at most 1.15x). The target is judged on
   CPU seconds (the rebuild's and its writing processes'): on two cores shared with other
   sessions a rebuild's wall time varied threefold between turns.
2. An index built by this tree: the four named prefixes (``interest r`` ... ``wall st``) and
   ``SEEDED_PREFIXES`` prefixes typed from seeded headlines (the headline up to a point inside
   its second word: what a reader typing it had typed), each suggestion searched through
   ``SearchService`` (it must find an article); ``/suggest`` timed over HTTP under gunicorn,
   one client, each seeded prefix once (p95 target 15 ms).
3. Derived teasers of ``TEASER_SAMPLE`` seeded articles without a teaser: the share ending at a
   sentence end or being the whole first paragraph (target 98%), none over 240 characters, none
   right after "U.S." or "Mr."; the same for the teasers before (first paragraph cut at a word);
   and how many are cut though their first sentence fits (none should be).
4. Did-you-mean for ``tarrif``.
5. Where snippets start: of the passages of the results pages of the benchmark's seeded query
   mix, how many start after a full stop, and how many right after a learned abbreviation's.

The report (``report.md`` and ``report.json``) goes to ``bench/results/suggest-<timestamp>/``.
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
import statistics
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from bench.corpora import read_records
from bench.load import gunicorn_server
from bench.queries import build_query_mix
from bench.report import PROJECT_ROOT, command_line, machine_facts, write_reports
from bench.story_builds import compare_builds
from indexer.analysis.language_id import primary_language
from indexer.config import load_settings
from indexer.index.archive_text import article_languages
from indexer.index.build import rebuild_index
from indexer.index.sentences import SentenceModels
from indexer.index.teasers import cut_teaser
from indexer.ingest.articles import TEASER_LENGTH, ArticleRecord, article_from_raw, derive_teaser
from indexer.search.requests import SearchRequest
from indexer.search.service import SearchService

SHARED_CORPORA = PROJECT_ROOT.parent / "shared" / "corpora"
RESULTS = PROJECT_ROOT / "bench" / "results"
BASELINE = "b0549d3"  # the commit before suggestions
NAMED = {
    "interest r": "interest rates",
    "oil pr": "oil prices",
    "prime min": "prime minister",
    "wall st": "wall street",
}
SEEDED_PREFIXES = 200
TEASER_SAMPLE = 500
SEED = 23
SNIPPET_QUERIES = 300
_FULL_STOP_BEFORE = re.compile(r"(\S+)\.\s+$")
SENTENCE_END = (".", "!", "?", '."', ".'", ".”", ".’", '?"', '!"', ".)")
ABBREVIATIONS = ("U.S.", "Mr.")


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench suggest", description="Issue 23: suggestions, teasers, spelling."
    )
    add = parser.add_argument
    add("--corpus", nargs="+", type=Path, help="JSON Lines corpora (default ../shared/corpora)")
    add("--repeat", type=int, default=2, help="rebuilds of each tree (default 2)")
    add("--baseline", default=BASELINE, help="the commit to compare rebuilds with, or none")
    add("--out", type=Path, default=RESULTS, help="where the report's folder goes")
    return parser.parse_args(argv)


def main(argv: Sequence[str]) -> int:
    args = parse_arguments(list(argv))
    sources = args.corpus or sorted(SHARED_CORPORA.glob("*.jsonl"))
    report: dict[str, Any] = {"command": command_line(["suggest", *argv]), **machine_facts()}
    with tempfile.TemporaryDirectory(prefix="bench-suggest-") as folder:
        work = Path(folder)
        if args.baseline != "none":
            report["rebuild"] = compare_builds(sources, args.baseline, args.repeat, work)
        settings = load_settings({"index_dir": work / "index"}, environ={})
        rebuild_index(settings, [str(source) for source in sources])
        articles = read_articles(sources)
        with SearchService(settings) as service:
            report["named"] = {prefix: service.complete(prefix) for prefix in NAMED}
            prefixes = seeded_prefixes(articles)
            report["seeded"] = every_suggestion_finds(service, prefixes)
            report["spelling"] = {"tarrif": service.search(SearchRequest(q="tarrif")).suggestion}
            models = SentenceModels.load(service.generation_served().path)
            report["snippet_starts"] = snippet_starts(service, sources, articles, models)
        report["http"] = suggest_over_http(work / "index", prefixes, work / "gunicorn.log")
        report["teasers"] = teaser_figures(articles, models)
    report["targets"] = targets(report)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = args.out / f"suggest-{stamp}"
    markdown, _json = write_reports(report, out, suggest_markdown)
    print(markdown.read_text())
    return 0


def read_articles(sources: Sequence[Path]) -> list[ArticleRecord]:
    found = []
    for source in sources:
        for line in source.read_text("utf-8").splitlines():
            if line.strip():
                record = article_from_raw(json.loads(line), lambda _message: None)
                if record is not None:
                    found.append(record)
    return found


def seeded_prefixes(articles: list[ArticleRecord]) -> list[str]:
    """What readers typing seeded headlines had typed: the headline up to a point inside its
    second word (inside its first, for a headline of one word)."""
    rng = random.Random(SEED)
    prefixes: list[str] = []
    while len(prefixes) < SEEDED_PREFIXES:
        words = rng.choice(articles).title.lower().split()
        if not words or not words[0].isalpha():
            continue
        last = words[1] if len(words) > 1 else words[0]
        typed = rng.randint(1, max(1, min(4, len(last))))
        prefixes.append(" ".join([*words[: len(words) > 1], last[:typed]]))
    return prefixes


def every_suggestion_finds(service: SearchService, prefixes: list[str]) -> dict[str, Any]:
    suggested = finding = 0
    missing: list[str] = []
    answered = 0
    for prefix in prefixes:
        completions = service.complete(prefix)
        answered += bool(completions)
        for completion in completions:
            suggested += 1
            request = SearchRequest(q=completion, autocorrect=False)
            if service.search(request).total:
                finding += 1
            else:
                missing.append(completion)
    return {
        "prefixes": len(prefixes),
        "prefixes_with_suggestions": answered,
        "suggestions": suggested,
        "finding_an_article": finding,
        "finding_none": missing[:20],
    }


def suggest_over_http(index_dir: Path, prefixes: list[str], log: Path) -> dict[str, Any]:
    """``/suggest`` of each prefix once, one client, under gunicorn (after one warm-up)."""
    times = []
    with gunicorn_server(index_dir, log, access_log=False, settings={}) as server:
        for number, prefix in enumerate(["warm up", *prefixes]):
            url = f"{server.base_url}/suggest?q={urllib.parse.quote(prefix)}"
            started = time.perf_counter()
            with urllib.request.urlopen(url, timeout=10) as response:
                response.read()
            if number:
                times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "requests": len(times),
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 2),
        "max_ms": round(times[-1], 2),
    }


def snippet_starts(
    service: SearchService,
    sources: Sequence[Path],
    articles: list[ArticleRecord],
    models: SentenceModels,
) -> dict[str, Any]:
    """Where the passages of the results pages start, for the benchmark's seeded query mix:
    how many (not at a body's start) start after a full stop, and how many right after the
    period of an abbreviation the archive's Punkt models learned ("U.S. |Navy")."""
    bodies = {article.id: article.body for article in articles}
    figures = {"passages": 0, "after_a_full_stop": 0, "after_an_abbreviation": 0}
    for query in build_query_mix(read_records(list(sources)), SNIPPET_QUERIES, SEED):
        for hit in service.search(SearchRequest.from_params(query.params())).hits:
            params = models.parameters.get(primary_language(hit.language))
            learned = params.abbrev_types if params is not None else set()
            for before in _text_before_passages(bodies.get(hit.id, ""), hit.snippet_html):
                figures["passages"] += 1
                stop = _FULL_STOP_BEFORE.search(before)
                figures["after_a_full_stop"] += stop is not None
                figures["after_an_abbreviation"] += bool(stop and stop[1].lower() in learned)
    return figures


def _text_before_passages(body: str, snippet: str) -> Iterator[str]:
    """The 30 characters of ``body`` before each passage of ``snippet`` not at its start."""
    plain = html.unescape(re.sub(r"</?mark>", "", snippet))
    for passage in plain.split(" … "):
        at = body.find(passage.strip("… ")[:60])
        if at > 0:
            yield body[max(0, at - 30) : at]


def teaser_figures(articles: list[ArticleRecord], models: SentenceModels) -> dict[str, Any]:
    without = [a for a in articles if not a.teaser and a.body]
    sample = random.Random(SEED).sample(without, min(TEASER_SAMPLE, len(without)))
    languages = article_languages(sample)
    now = [cut_teaser(models, a.body, lang) for a, lang in zip(sample, languages, strict=True)]
    before = [derive_teaser(a.body) for a in sample]
    first_sentences = [
        _first_sentence_length(models, a.body, lang)
        for a, lang in zip(sample, languages, strict=True)
    ]
    long_first = sum(length > TEASER_LENGTH for length in first_sentences)
    return {"sample": len(sample), "first_sentence_over_limit": long_first} | {
        "now": _teaser_facts(sample, now, first_sentences),
        "before": _teaser_facts(sample, before, first_sentences),
    }


def _first_sentence_length(models: SentenceModels, body: str, language: str) -> int:
    """How long the body's first sentence is (Punkt's, within its first paragraph)."""
    first = body.split("\n\n", 1)[0]
    ends = models.sentence_ends(first[:2000], language)
    return ends[0] if ends else len(first)


def _teaser_facts(
    sample: list[ArticleRecord], teasers: list[str], first_sentences: list[int]
) -> dict[str, Any]:
    firsts = [article.body.split("\n\n", 1)[0] for article in sample]
    ending = [
        t == f or t.rstrip().endswith(SENTENCE_END) for t, f in zip(teasers, firsts, strict=True)
    ]
    fitting = [length <= TEASER_LENGTH for length in first_sentences]
    return {
        "ending_a_sentence_or_paragraph": sum(ending),
        "share": round(sum(ending) / len(sample), 4),
        "cut_mid_sentence": len(sample) - sum(ending),
        "cut_though_the_first_sentence_fits": sum(
            fits and not ends for fits, ends in zip(fitting, ending, strict=True)
        ),
        "over_limit": sum(len(t) > TEASER_LENGTH + 1 for t in teasers),
        "after_an_abbreviation": sum(
            t != f and t.endswith(ABBREVIATIONS) for t, f in zip(teasers, firsts, strict=True)
        ),
    }


def targets(report: dict[str, Any]) -> dict[str, bool]:
    named = report["named"]
    seeded = report["seeded"]
    teasers = report["teasers"]["now"]
    found = {
        "named prefixes offer their phrases": all(NAMED[p] in named[p] for p in NAMED),
        "every seeded suggestion finds an article": seeded["finding_none"] == [],
        "/suggest p95 <= 15 ms": report["http"]["p95_ms"] <= 15,
        "teasers >= 98% at a sentence end": teasers["share"] >= 0.98,
        "every teaser whose first sentence fits ends a sentence": not teasers[
            "cut_though_the_first_sentence_fits"
        ],
        "no teaser over 240 or after U.S./Mr.": not (
            teasers["over_limit"] or teasers["after_an_abbreviation"]
        ),
        "tarrif suggests tariff": report["spelling"]["tarrif"] == "tariff",
    }
    if "ratio_cpu" in report.get("rebuild", {}):
        found["rebuild <= 1.15x (CPU seconds)"] = report["rebuild"]["ratio_cpu"] <= 1.15
    return found


def suggest_markdown(report: dict[str, Any]) -> str:
    """The report for people: the targets met or not, then every figure."""
    lines = [
        f"# Suggestions, teasers, spelling: {report['date']}",
        "",
        f"`{report['command']}`",
        "",
    ]
    lines += ["| target | met |", "| --- | --- |"]
    lines += [f"| {name} | {'yes' if met else 'NO'} |" for name, met in report["targets"].items()]
    shown = ("rebuild", "named", "seeded", "http", "teasers", "snippet_starts")
    figures = {key: report[key] for key in shown if key in report}
    lines += ["", "```json", json.dumps(figures | {"spelling": report["spelling"]}, indent=2)]
    return "\n".join([*lines, "```", ""])
