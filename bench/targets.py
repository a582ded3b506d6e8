"""The issue's targets, each checked against what this run measured: PASS, MISS or NOT RUN.

Every target is a ratio against the naive baseline or a peer engine measured in the same run, or
an absolute bound from the issue; nothing here compares with figures from another day or machine.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

BUILD_RATIO = 3.0
PEAK_MEMORY_MB = 1536
PAGE_P95_RATIO = 3.0
PAGE_P95_MS = 10.0
HTTP_CONCURRENCY = 8
HTTP_REQUESTS_PER_S = 300
HTTP_P99_MS = 100.0
PEER_LABELS = {"fts5": "FTS5", "tantivy": "tantivy", "xapian": "Xapian"}


def evaluate_targets(report: dict[str, Any]) -> list[dict[str, str]]:
    """One row per target: what it asks, what was measured, and the verdict."""
    scale = _scale_row(report)
    return [
        *_build_targets(report["main"], scale),
        *_page_targets(report["main"]),
        _at_or_below_peer(report["main"], f"on {report['main']['corpus']}"),
        _at_or_below_peer(scale, f"at {scale['articles']:,} articles" if scale else "at scale"),
        *_http_targets(report.get("http")),
    ]


def _build_targets(main: dict[str, Any], scale: dict[str, Any] | None) -> list[dict[str, str]]:
    scale_name = f"{scale['articles']:,} articles" if scale else "the large corpus"
    return [
        _at_least(
            f"rebuild ≥ {BUILD_RATIO:g}× naive articles/s on {main['corpus']}",
            main["build"]["ratio"],
            BUILD_RATIO,
            "{:.2f}×",
        ),
        _at_least(
            f"rebuild ≥ {BUILD_RATIO:g}× naive articles/s at {scale_name}",
            scale["build"]["ratio"] if scale else None,
            BUILD_RATIO,
            "{:.2f}×",
        ),
        _at_most(
            f"rebuild peak memory < {PEAK_MEMORY_MB / 1024:g} GB at {scale_name}",
            scale["build"]["newsindex"]["peak_mb_max"] if scale else None,
            PEAK_MEMORY_MB,
            "{:,.0f} MB",
        ),
    ]


def _page_targets(main: dict[str, Any]) -> list[dict[str, str]]:
    pages = main["results_page"]
    return [
        _at_least(
            f"results page p95 ≤ 1/{PAGE_P95_RATIO:g} of naive's on {main['corpus']} "
            "(naive without facets, newsindex with them)",
            pages["ratio_p95"],
            PAGE_P95_RATIO,
            "naive/newsindex = {:.2f}",
        ),
        _at_most(
            f"results page p95 < {PAGE_P95_MS:g} ms with section and date facets "
            f"on {main['corpus']}",
            pages["newsindex"]["p95_ms"],
            PAGE_P95_MS,
            "{:.2f} ms",
        ),
    ]


def _at_or_below_peer(
    section: dict[str, Any] | None, where: str, peer: str = "fts5"
) -> dict[str, str]:
    """Issue 22: newsindex's results page (facets) at or below the peer's (none), p50 and p95,
    both figures from the same run and corpus."""
    row = (section or {}).get("engines", {}).get("engines", {}).get(peer)
    ratio = row["ratio"] if row else {}
    p50, p95 = ratio.get("p50_ms"), ratio.get("p95_ms")
    target = f"results page p50 and p95 ≤ {PEER_LABELS[peer]}'s {where} (issue 22)"
    worse = max(p50, p95) if p50 is not None and p95 is not None else None
    verdict = _at_most(target, worse, 1.0, "{:.2f}×", inclusive=True)
    if worse is not None:
        verdict["measured"] = f"newsindex ÷ {PEER_LABELS[peer]}: p50 {p50:.2f}×, p95 {p95:.2f}×"
    return verdict


def _http_targets(http: dict[str, Any] | None) -> list[dict[str, str]]:
    level = _http_level(http, HTTP_CONCURRENCY)
    return [
        _at_least(
            f"HTTP at c={HTTP_CONCURRENCY}: ≥ {HTTP_REQUESTS_PER_S} requests/s",
            level["requests_per_s"] if level else None,
            HTTP_REQUESTS_PER_S,
            "{:,.0f} requests/s",
        ),
        _at_most(
            f"HTTP at c={HTTP_CONCURRENCY}: p99 < {HTTP_P99_MS:g} ms",
            level["p99_ms"] if level else None,
            HTTP_P99_MS,
            "{:.1f} ms",
        ),
        _at_most(
            "HTTP: zero errors at every concurrency",
            sum(x["errors"] for x in http["levels"]) if http else None,
            0,
            "{:,} errors",
            inclusive=True,
        ),
    ]


def _scale_row(report: dict[str, Any]) -> dict[str, Any] | None:
    rows = [row for row in report.get("growth", []) if row["articles"] == report.get("scale")]
    return rows[0] if rows else None


def _http_level(http: dict[str, Any] | None, concurrency: int) -> dict[str, Any] | None:
    if not http:
        return None
    levels = [level for level in http["levels"] if level["concurrency"] == concurrency]
    return levels[0] if levels else None


def _verdict(
    target: str, value: float | None, shape: str, passes: Callable[[float], bool]
) -> dict[str, str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return {"target": target, "measured": "not measured", "status": "NOT RUN"}
    status = "PASS" if passes(value) else "MISS"
    return {"target": target, "measured": shape.format(value), "status": status}


def _at_least(target: str, value: float | None, bound: float, shape: str) -> dict[str, str]:
    return _verdict(target, value, shape, lambda v: v >= bound)


def _at_most(
    target: str, value: float | None, bound: float, shape: str, inclusive: bool = False
) -> dict[str, str]:
    return _verdict(target, value, shape, lambda v: v <= bound if inclusive else v < bound)
