"""The relevance report: the issue's peer figures, the targets, ``report.json`` and ``report.md``.

The peers' figures were measured in issue 12's comparison (same documents, same queries, same
measures): the best of Xapian, tantivy, SQLite FTS5 and plain Whoosh, each with its default BM25
and an OR of the query's words; "newsindex, OR" is the project with the same OR query and "as a
script asked" the project before issue 12, the query as written through ``/api/search``.
"""

from __future__ import annotations

from typing import Any

from bench.report_markdown import machine_table, number, table

# collection -> measure -> (figure, who); the figures of the table.
BEST_PEER = {
    "cacm": {"map": (0.309, "Xapian"), "ndcg_10": (0.455, "tantivy")},
    "cisi": {"map": (0.184, "tantivy"), "ndcg_10": (0.345, "tantivy")},
    "med": {"map": (0.533, "tantivy"), "ndcg_10": (0.714, "tantivy")},
    "cran": {"map": (0.315, "Whoosh"), "ndcg_10": (0.391, "tantivy")},
}
NEWSINDEX_OR = {"cacm": (0.279, 0.419), "cisi": (0.156, 0.294), "med": (0.531, 0.716),
                "cran": (0.317, 0.392)}  # fmt: skip
BEFORE = {"cacm": (0.237, 0.377), "cisi": (0.119, 0.221), "med": (0.494, 0.673),
          "cran": (0.278, 0.358)}  # fmt: skip
MEAN_RATIO_TARGET = 1.05
KNOWN_ITEM_TARGET = 0.95
TARGET_MEASURES = {"map": "MAP", "ndcg_10": "nDCG@10"}


def evaluate_targets(report: dict[str, Any]) -> list[dict[str, str]]:
    """One row per target of issue 12: what it asks, what was measured, PASS, MISS or NOT RUN."""
    collections = report["collections"]
    rows = []
    for name in BEST_PEER:
        for measure, label in TARGET_MEASURES.items():
            best, who = BEST_PEER[name][measure]
            found = collections.get(name, {}).get("means", {}).get(measure)
            rows.append(_at_least(f"{name.upper()} {label} ≥ {best:.3f} ({who})", found, best))
    for measure, label in TARGET_MEASURES.items():
        ratios = peer_ratios(collections, measure)
        mean = sum(ratios.values()) / len(ratios) if len(ratios) == len(BEST_PEER) else None
        target = f"{label}, mean over the four of ours / best peer ≥ {MEAN_RATIO_TARGET:.2f}"
        rows.append(_at_least(target, mean, MEAN_RATIO_TARGET, "{:.3f}"))
    known = report.get("known_items")
    share = known["top_3"] if known else None
    target = f"known item in the top 3 for ≥ {KNOWN_ITEM_TARGET:.0%} of headlines"
    rows.append(_at_least(target, share, KNOWN_ITEM_TARGET, "{:.1%}"))
    return rows


def peer_ratios(collections: dict[str, Any], measure: str) -> dict[str, float]:
    """Ours / the best peer's, for each of the four collections measured."""
    return {
        name: collections[name]["means"][measure] / BEST_PEER[name][measure][0]
        for name in BEST_PEER
        if name in collections
    }


def _at_least(target: str, found: float | None, bound: float, shape: str = "{:.3f}") -> dict:
    if found is None:
        return {"target": target, "measured": "–", "status": "NOT RUN"}
    status = "PASS" if round(found, 3) >= bound else "MISS"
    return {"target": target, "measured": shape.format(found), "status": status}


def relevance_markdown(report: dict[str, Any]) -> str:
    parts = [
        f"# newsindex relevance, {report['machine']['date']}\n",
        f"Command (from the project folder):\n\n    {report['command']}\n",
        "Ranking settings (`RankingSettings`): "
        + ", ".join(f"{k} {v}" for k, v in report["settings"].get("ranking", {}).items())
        + "\n",
        "## Targets (issue 12)\n\n"
        + table(("target", "measured", "status"), [tuple(t.values()) for t in report["targets"]]),
        _collections_table(report["collections"]),
        _peers_table(report["collections"]),
        _known_items(report.get("known_items")),
        _variants(report.get("variants")),
        machine_table(report["machine"]),
    ]
    return "\n".join(part for part in parts if part)


def _collections_table(collections: dict[str, Any]) -> str:
    rows = []
    for name, found in collections.items():
        means = found["means"]
        rows.append(
            (
                name,
                f"{found['documents']:,}",
                found["queries"],
                *(number(means[m], "{:.3f}") for m in ("map", "ndcg_10", "p_10", "recall_100")),
                len(found["found_nothing"]),
                len(found["refused"]),
                found["relaxed"],
                len(found["pages_disagree_with_ranking"]),
            )
        )
    header = ("collection", "documents", "judged queries", "MAP", "nDCG@10", "P@10", "R@100")
    header += ("found nothing", "refused", "not every word", "pages ≠ ranking")
    intro = (
        "## Through the API's defaults\n\nEvery judged query as written, the first 1,000 results "
        "(10 pages of 100); means over the judged queries. *Not every word*: queries whose "
        "results include articles without every word (the API's `relaxed`). *Pages ≠ ranking*: "
        "queries whose pages gave other ids than `SearchService.ranked_ids` (the variants' "
        "way of asking).\n\n"
    )
    return intro + table(header, rows)


def _peers_table(collections: dict[str, Any]) -> str:
    rows = []
    for name in BEST_PEER:
        if name not in collections:
            continue
        means = collections[name]["means"]
        best_map, best_ndcg = BEST_PEER[name]["map"], BEST_PEER[name]["ndcg_10"]
        rows.append(
            (
                name.upper(),
                f"{best_map[0]:.3f} ({best_map[1]}) / {best_ndcg[0]:.3f} ({best_ndcg[1]})",
                "{:.3f} / {:.3f}".format(*NEWSINDEX_OR[name]),
                "{:.3f} / {:.3f}".format(*BEFORE[name]),
                f"**{means['map']:.3f} / {means['ndcg_10']:.3f}**",
                f"{means['map'] / best_map[0]:.3f} / {means['ndcg_10'] / best_ndcg[0]:.3f}",
            )
        )
    if not rows:
        return ""
    header = ("collection", "best peer MAP / nDCG@10", "newsindex, OR (issue)")
    header += ("as a script asked, before", "now, as a script asks", "now / best peer")
    return "## Against the peers of issue 12\n\n" + table(header, rows)


def _known_items(known: dict[str, Any] | None) -> str:
    if not known:
        return "## Known items\n\nNot run (`--known-items 0` or no corpora).\n"
    shares = [(f"top {n}", f"{known[f'top_{n}']:.1%}") for n in (1, 3, 10)]
    examples = "".join(f"- {e['headline']!r} → `{e['query']}`\n" for e in known["examples"])
    return (
        f"## Known items\n\n{known['sampled']} headlines (seeded), each searched by its three "
        "rarest words; the share whose article comes in the first 1, 3 and 10 results.\n\n"
        + table(("rank", "share"), shares)
        + f"\nExamples:\n\n{examples}"
    )


def _variants(variants: dict[str, Any] | None) -> str:
    """Each ranking choice turned off: the figures, and the change from the measured ranking."""
    if not variants:
        return ""
    measured = next(iter(variants.values()))
    names = list(measured["collections"])
    rows = []
    for label, found in variants.items():
        cells = [
            _with_change(found["collections"][n]["means"], measured["collections"][n]["means"])
            for n in names
        ]
        known, base = found.get("known_items"), measured.get("known_items")
        if known and base:
            change = f"{(known['top_1'] - base['top_1']) * 100:+.1f}"
            cells.append(f"{known['top_1']:.1%} / {known['top_3']:.1%} ({change} pt)")
        rows.append((label, *cells))
    header = ("ranking", *(f"{n} MAP / nDCG@10 (change %)" for n in names))
    header += ("known items top 1 / top 3",) if measured.get("known_items") else ()
    intro = (
        "## Each choice turned off\n\nThe measured ranking with one choice changed back (ids "
        "of the first 1,000 from `SearchService.ranked_ids`); in brackets the change against "
        "the first row, in per cent of its figure. A choice is kept when it helps and costs no "
        "collection more than 1%.\n\n"
    )
    return intro + table(header, rows)


def _with_change(means: dict[str, float], measured: dict[str, float]) -> str:
    changes = [
        f"{(means[m] / measured[m] - 1) * 100:+.1f}" if measured[m] else "–"
        for m in ("map", "ndcg_10")
    ]
    return f"{means['map']:.3f} / {means['ndcg_10']:.3f} ({changes[0]} / {changes[1]})"
