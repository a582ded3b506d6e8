"""The stories report: the targets of issue 21 and ``report.md`` (from the data of
``report.json``, see ``bench.stories``)."""

from __future__ import annotations

from typing import Any

from bench.report_markdown import machine_table, number, table
from indexer.index.stories import WINDOW_DAYS

SHOWN_TWICE_SHARE = 0.01
COPY_RECALL = 0.98
BUILD_RATIO = 1.15


def evaluate_targets(report: dict[str, Any]) -> list[dict[str, str]]:
    """One row per target: what it asks, what was measured, PASS, MISS or NOT RUN."""
    pages = report["first_pages"]["collapsed"]
    templates = report["templates"]
    merged = templates["made"]["merged"] + templates["real"]["merged"]
    false = sum(found["total"] for found in report["false_merges"].values())
    builds = report.get("builds") or {}
    return [
        _row(
            f"first pages showing a story twice, collapsed ≤ {SHOWN_TWICE_SHARE:.0%}",
            pages["share_of_pages"] if pages["pages_with_hits"] else None,
            lambda share: share <= SHOWN_TWICE_SHARE,
            "{:.1%}",
        ),
        _row(
            f"made copies grouped with their original ≥ {COPY_RECALL:.0%}",
            report["copies"]["recall"],
            lambda recall: recall >= COPY_RECALL,
            "{:.1%}",
        ),
        _row("template pairs merged = 0", merged, lambda n: n == 0, "{:,}"),
        _row("false merges = 0 (both indexes)", false, lambda n: n == 0, "{:,}"),
        _row(
            f"rebuild wall time, current / baseline ≤ {BUILD_RATIO:.2f}",
            builds.get("ratio_wall"),
            lambda ratio: ratio <= BUILD_RATIO,
            "{:.3f}",
        ),
    ]


def _row(target: str, found: float | None, passes: Any, shape: str) -> dict[str, str]:
    if found is None:
        return {"target": target, "measured": "–", "status": "NOT RUN"}
    status = "PASS" if passes(round(found, 4)) else "MISS"
    return {"target": target, "measured": shape.format(found), "status": status}


def stories_markdown(report: dict[str, Any]) -> str:
    parts = [
        f"# newsindex stories, {report['machine']['date']}\n",
        f"Command (from the project folder):\n\n    {report['command']}\n",
        "## Targets (issue 21)\n\n"
        + table(
            ("target", "measured", "status"),
            [(t["target"], t["measured"], f"**{t['status']}**") for t in report["targets"]],
        ),
        _first_pages(report["first_pages"], report["settings"]),
        _copies(report["copies"]),
        _templates(report["templates"]),
        _false_merges(report["false_merges"]),
        _stats(report["stats"]),
        _builds(report.get("builds"), report["settings"]),
        "## Notes\n\n" + "".join(f"- {note}\n" for note in report["notes"]),
        machine_table(report["machine"]),
    ]
    return "\n".join(part for part in parts if part)


def _first_pages(pages: dict[str, Any], settings: dict[str, Any]) -> str:
    rows = []
    for setting, label in (("collapsed", "collapsed (default)"), ("not_collapsed", "collapse=0")):
        found = pages[setting]
        rows.append(
            (
                label,
                found["pages"],
                found["pages_with_hits"],
                found["pages_showing_a_story_twice"],
                _share(found["share_of_pages"]),
                found["hits"],
                found["hits_repeating_a_higher_one"],
                _share(found["share_of_hits"]),
                f"{found['repeat_pairs_in_one_story']} of {found['repeat_pairs']}",
                len(found["refused"]),
            )
        )
    header = ("search", "queries", "with hits", "pages showing a story twice", "share")
    header += ("hits", "hits repeating a higher one", "share", "repeat pairs in one story")
    header += ("refused",)
    intro = (
        f"## Duplicate first pages\n\n{settings['queries']} queries ({settings['headline_queries']}"
        " seeded headlines, by their first three words of four letters or more, and "
        f"{len(settings['common_words'])} common news words); the first page of each (10 results, "
        "relevance). A page shows a story twice when two of its articles share "
        f"≥ {settings['shown_twice_jaccard']:.0%} of their word 5-shingles (Jaccard). *Repeat "
        "pairs in one story*: of those pairs, how many the index put in one story.\n\n"
    )
    examples = _pair_rows(pages["collapsed"]["examples"], ("query", "ranks"))
    return intro + table(header, rows) + _titled("Repeats on collapsed pages", examples)


def _copies(copies: dict[str, Any]) -> str:
    rows = [
        (kind, found["copies"], found["grouped"], _share(found["recall"]))
        for kind, found in copies["by_kind"].items()
    ]
    rows.append(("**all**", copies["copies"], copies["grouped"], _share(copies["recall"])))
    intro = (
        "## Grouping of made copies\n\nEach copy: one seeded edit of a sampled article, another "
        "id, published 0-48 hours after it (a correction 0-19); grouped when the index gives it "
        "its original's "
        "story. *Containment*: the shingles both share / those of the smaller (near 1 when a "
        "passage was only dropped or added). *Why apart*: the test of the indexer's rule (days, "
        "length, text, figures: README, Stories) the pair fails, or the member of the original's "
        "story the copy fails it with (stories are complete-linked).\n\n"
    )
    misses = [
        (
            m["kind"],
            " / ".join(m["ids"]),
            number(m.get("jaccard"), "{:.3f}"),
            number(m.get("containment"), "{:.3f}"),
            number(m.get("days_apart"), "{:.2f}"),
            _figures(m),
            m["why"],
            _yes(m.get("share_an_lsh_band")),
            ", ".join(m.get("original_story_others", [])) or "–",
            ", ".join(m.get("copy_story_others", [])) or "–",
            _cut(m.get("change", ""), 90),
        )
        for m in copies["misses"]
    ]
    header = ("kind", "original / copy", "Jaccard", "containment", "days")
    header += ("figures shared (orig, copy)",)
    header += ("why apart", "LSH band shared", "original's story has", "copy's story has")
    header += ("edit",)
    body = table(("edit", "copies", "grouped", "recall"), rows)
    return intro + body + (_titled("Copies not grouped", table(header, misses)) if misses else "")


def _templates(templates: dict[str, Any]) -> str:
    rows = [
        (
            origin,
            found["pairs"],
            found["text_jaccard_at_least_half"],
            found["within_window_days"],
            found["merged"],
        )
        for origin, found in templates.items()
    ]
    intro = (
        "## Template pairs\n\n*Made*: a sampled article with most of its figures changed, "
        "published 1-7 days later. *Real*: two articles of the corpora with the headline of a "
        "recurring report (published on 3+ different days), 1+ days apart, whose figures differ. "
        "Each pair must stay in two stories.\n\n"
    )
    header = ("pairs", "count", "Jaccard ≥ 0.5", f"≤ {WINDOW_DAYS:g} days apart", "merged")
    merged = [facts for found in templates.values() for facts in found["merged_pairs"]]
    return intro + table(header, rows) + _titled("Merged pairs", _pair_rows(merged))


def _false_merges(found: dict[str, Any]) -> str:
    rows = [
        (
            name.replace("_", " "),
            f"{f['stories_checked']:,}",
            f["low_similarity_pairs"],
            f["stories_with_low_similarity"],
            f["template_pairs_merged"],
            f["total"],
        )
        for name, f in found.items()
    ]
    intro = (
        "## False merges\n\nIn every story of 2+ articles of each index: pairs sharing less than "
        "half of their word 5-shingles (Jaccard < 0.5), and template pairs of different days "
        "(made and real) in one story.\n\n"
    )
    header = ("index", "stories of 2+", "pairs < 0.5", "stories", "template pairs", "total")
    examples = [
        {**e, "index": name.replace("_", " ")} for name, f in found.items() for e in f["examples"]
    ]
    return intro + table(header, rows) + _titled("Examples", _pair_rows(examples, ("index",)))


def _stats(stats: dict[str, Any]) -> str:
    rows = [
        (
            name.replace("_", " "),
            f"{s['articles']:,}",
            f"{s['stories']:,}",
            f"{s['stories_of_2_or_more']:,}",
            f"{s['articles_in_them']:,}",
            s["largest_story"],
            ", ".join(f"{size}: {n:,}" for size, n in s["story_sizes"].items()),
        )
        for name, s in stats.items()
    ]
    header = ("index", "articles", "stories", "stories of 2+", "their articles", "largest")
    header += ("stories by size",)
    largest = [
        (name.replace("_", " "), a["id"], _cut(a["title"], 70), a["published"] or "–")
        for name, s in stats.items()
        for a in s["largest_story_articles"]
    ]
    listing = table(("index", "id", "title", "published"), largest)
    return "## Stories in the index\n\n" + table(header, rows) + _titled("Largest story", listing)


def _builds(builds: dict[str, Any] | None, settings: dict[str, Any]) -> str:
    heading = "## Build time and size\n\n"
    if builds is None:
        return heading + "Not run (`--baseline none`).\n"
    if "error" in builds:
        return (
            heading
            + f"Not run: the baseline {builds['baseline_rev']} failed:\n\n    "
            + (builds["error"].replace("\n", "\n    ") + "\n")
        )
    intro = (
        f"`indexer rebuild` of the corpora in a process of its own, baseline "
        f"`{builds['baseline_rev']}` ({builds['baseline_commit'][:12]}, a git worktree) and the "
        f"current tree alternating, {builds['repeat']} times each; medians.\n\n"
    )
    rows = []
    for label in ("baseline", "current"):
        b = builds[label]
        rows.append(
            (
                label,
                b["schema_version"],
                f"{b['articles']:,}",
                number(b["wall_seconds"], "{:.2f}"),
                number(b["rebuild_seconds"], "{:.2f}"),
                number(b["generation_mb"], "{:.1f}"),
                ", ".join(f"{s:.2f}" for s in b["runs_wall_seconds"]),
            )
        )
    rows.append(
        (
            "current / baseline",
            "",
            "",
            number(builds["ratio_wall"], "{:.3f}"),
            number(builds["ratio_rebuild"], "{:.3f}"),
            number(builds["ratio_size"], "{:.3f}"),
            "",
        )
    )
    header = ("tree", "schema", "articles", "wall s", "rebuild s (its own)", "generation MB")
    header += ("wall s of each run",)
    load = builds["load_average"]
    after = (
        "\nCurrent / baseline wall time of each turn: "
        + ", ".join(f"{ratio:.3f}" for ratio in builds["ratio_wall_each_turn"])
        + f"; of the fastest runs: {builds['ratio_wall_fastest']:.3f}. Load average before the "
        f"builds {_loads(load['before'])}, after {_loads(load['after'])}.\n"
    )
    return heading + intro + table(header, rows) + after


def _loads(values: list[float]) -> str:
    return " ".join(f"{value:.2f}" for value in values)


def _pair_rows(pairs: list[dict[str, Any]], lead: tuple[str, ...] = ()) -> str:
    """A table of pairs of articles (``pair_facts``), with the columns ``lead`` first."""
    if not pairs:
        return ""
    rows = []
    for facts in pairs:
        row = [_cell(facts[key]) for key in lead]
        row += [
            " / ".join(facts["ids"]),
            " / ".join(_cut(t, 50) for t in facts["titles"]),
            " / ".join(p or "–" for p in facts["published"]),
            number(facts["jaccard"], "{:.3f}"),
            number(facts["containment"], "{:.3f}"),
            number(facts["days_apart"], "{:.2f}"),
            _figures(facts),
            _yes(facts["same_story"]),
        ]
        rows.append(row)
    header = lead + ("ids", "titles", "published", "Jaccard", "containment", "days")
    header += ("figures shared", "one story")
    return table(header, rows)


def _figures(facts: dict[str, Any]) -> str:
    if "figures" not in facts:
        return "–"
    first, second = facts["figures"]
    text = f"{facts['figures_shared']} ({first}, {second})"
    changed = facts["figures_only_first"][:3], facts["figures_only_second"][:3]
    if changed[0] or changed[1]:
        text += f": {' '.join(changed[0]) or '–'} → {' '.join(changed[1]) or '–'}"
    return text


def _cell(value: Any) -> str:
    return "/".join(map(str, value)) if isinstance(value, list) else str(value)


def _titled(title: str, body: str) -> str:
    return f"\n### {title}\n\n{body}" if body else ""


def _share(value: float | None) -> str:
    return number(value, "{:.1%}")


def _yes(value: bool | None) -> str:
    return "–" if value is None else ("yes" if value else "no")


def _cut(text: str, length: int) -> str:
    text = text.replace("|", "/").replace("\n", " ")
    return text if len(text) <= length else text[: length - 1] + "…"
