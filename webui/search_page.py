"""What the search page shows besides the results: every link it offers, built from the request.

Each link is the current search with one change (``SearchRequest.as_params``) and the page reset
where the result set changes, so every state of the page is a URL: shareable, and the back button
works. Templates get plain data and never assemble URLs themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import url_for

from indexer.search.requests import MAX_RESULT_DEPTH, SearchRequest
from indexer.search.results import SearchResults
from webui.display import day_label
from webui.timeline import Timeline, TimelineBar, build_timeline

SORT_LABELS = {"relevance": "Relevance", "newest": "Newest", "oldest": "Oldest"}
PAGES_AROUND_CURRENT = 2
SECTIONS_SHOWN = 10  # more sections go behind a "More sections" disclosure


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    current: bool = False
    count: int | None = None


@dataclass(frozen=True)
class TimelineLink:
    """A bar of the timeline and the search narrowed to its period."""

    bar: TimelineBar
    url: str


@dataclass
class SearchPage:
    """The search, its results, and the links around them."""

    search: SearchRequest
    results: SearchResults
    lists_everything: bool  # an empty query: the newest articles
    last_page: int
    sort_links: list[Link] = field(default_factory=list)
    section_links: list[Link] = field(default_factory=list)  # the largest and the chosen
    language_links: list[Link] = field(default_factory=list)  # shown with two or more
    more_section_links: list[Link] = field(default_factory=list)  # behind a disclosure
    filter_chips: list[Link] = field(default_factory=list)  # label: what removing it removes
    page_links: list[Link | None] = field(default_factory=list)  # None: a gap ("…")
    previous_url: str | None = None
    next_url: str | None = None
    suggestion_url: str | None = None
    without_filters_url: str | None = None
    feed_url: str = ""
    timeline: Timeline | None = None
    timeline_links: list[TimelineLink] = field(default_factory=list)
    query_form_fields: list[tuple[str, str]] = field(default_factory=list)  # hidden inputs
    date_form_fields: list[tuple[str, str]] = field(default_factory=list)

    @property
    def first_number(self) -> int:
        return (self.results.page - 1) * self.results.per_page + 1


def build_search_page(search: SearchRequest, results: SearchResults) -> SearchPage:
    last_page = min(results.pages, max(1, MAX_RESULT_DEPTH // search.per_page))
    page = SearchPage(
        search=search,
        results=results,
        lists_everything=search.q.strip() in ("", "*"),
        last_page=last_page,
        sort_links=_sort_links(search),
        filter_chips=_filter_chips(search, results),
        page_links=_page_links(search, last_page),
        feed_url=url_for("pages.search_feed", **search_params(search, sort="", page="")),
        timeline=build_timeline(results.date_facets, results.date_facet_unit),
        query_form_fields=_hidden_fields(search, "q"),
        date_form_fields=_hidden_fields(search, "from", "to"),
    )
    page.section_links, page.more_section_links = _split_sections(_section_links(search, results))
    page.language_links = _language_links(search, results)
    if search.page > 1:
        page.previous_url = search_url(search, page=min(search.page - 1, last_page))
    if search.page < last_page:
        page.next_url = search_url(search, page=search.page + 1)
    if results.suggestion:
        page.suggestion_url = search_url(search, q=results.suggestion, page="")
    if page.filter_chips:
        page.without_filters_url = search_url(
            search, section=[], language=[], page="", **{"from": "", "to": ""}
        )
    if page.timeline:
        page.timeline_links = [_timeline_link(search, bar) for bar in page.timeline.bars]
    return page


def search_params(search: SearchRequest, **changes: Any) -> dict[str, Any]:
    """URL parameters of ``search`` with ``changes`` (defaults left out: one URL per state)."""
    return search.as_params(**changes)


def search_url(search: SearchRequest, **changes: Any) -> str:
    return url_for("pages.search", **search_params(search, **changes))


def page_numbers(current: int, last: int, around: int = PAGES_AROUND_CURRENT) -> list[int | None]:
    """The page numbers to offer: the first, the last, and those around the current one; None
    marks a gap. ``page_numbers(7, 20)`` is ``[1, None, 5, 6, 7, 8, 9, None, 20]``."""
    shown = {1, last, *range(current - around, current + around + 1)}
    numbers = sorted(n for n in shown if 1 <= n <= last)
    with_gaps: list[int | None] = []
    for number in numbers:
        if with_gaps and number - with_gaps[-1] == 2:
            with_gaps.append(number - 1)  # a gap of one page: show the page, not "…"
        elif with_gaps and number - with_gaps[-1] > 2:
            with_gaps.append(None)
        with_gaps.append(number)
    return with_gaps


def _sort_links(search: SearchRequest) -> list[Link]:
    return [
        Link(label, search_url(search, sort=sort if sort != "relevance" else "", page=""))
        if sort != search.sort
        else Link(label, "", current=True)
        for sort, label in SORT_LABELS.items()
    ]


def _section_links(search: SearchRequest, results: SearchResults) -> list[Link]:
    """Each section of the matches: a link that adds it to the filter, or removes it if chosen."""
    chosen = {section.lower() for section in search.sections}
    links = []
    for facet in results.section_facets:
        selected = facet.value.lower() in chosen
        if selected:
            sections = [s for s in search.sections if s.lower() != facet.value.lower()]
        else:
            sections = [*search.sections, facet.value]
        url = search_url(search, section=sections, page="")
        links.append(Link(facet.value, url, current=selected, count=facet.count))
    return links


def _language_links(search: SearchRequest, results: SearchResults) -> list[Link]:
    """Each language of the matches: a link that adds it to the filter, or removes it if chosen;
    none when the matches are all in one language and none is chosen."""
    if len(results.language_facets) < 2 and not search.languages:
        return []
    links = []
    for facet in results.language_facets:
        selected = facet.value in search.languages
        if selected:
            languages = [code for code in search.languages if code != facet.value]
        else:
            languages = [*search.languages, facet.value]
        url = search_url(search, language=languages, page="")
        links.append(Link(facet.name, url, current=selected, count=facet.count))
    return links


def _split_sections(links: list[Link]) -> tuple[list[Link], list[Link]]:
    """The largest sections and every chosen one first; the rest for a "more" disclosure."""
    shown = [link for n, link in enumerate(links) if n < SECTIONS_SHOWN or link.current]
    return shown, [link for link in links if link not in shown]


def _filter_chips(search: SearchRequest, results: SearchResults) -> list[Link]:
    chips = [
        Link(section, search_url(search, section=_without(search.sections, section), page=""))
        for section in search.sections
    ]
    names = {facet.value: facet.name for facet in results.language_facets}
    chips.extend(
        Link(
            names.get(language, language),
            search_url(search, language=_without(search.languages, language), page=""),
        )
        for language in search.languages
    )
    if search.date_from or search.date_to:
        url = search_url(search, page="", **{"from": "", "to": ""})
        chips.append(Link(date_range_label(search.date_from, search.date_to), url))
    return chips


def date_range_label(first: date | None, last: date | None) -> str:
    if first and last:
        return day_label(first) if first == last else f"{day_label(first)} – {day_label(last)}"
    if first:
        return f"From {day_label(first)}"
    return f"Until {day_label(last)}" if last else ""


def _without(sections: tuple[str, ...], section: str) -> list[str]:
    return [s for s in sections if s != section]


def _page_links(search: SearchRequest, last_page: int) -> list[Link | None]:
    if last_page <= 1:
        return []
    return [
        None
        if number is None
        else Link(str(number), search_url(search, page=number), current=number == search.page)
        for number in page_numbers(min(search.page, last_page), last_page)
    ]


def _timeline_link(search: SearchRequest, bar: TimelineBar) -> TimelineLink:
    """The search narrowed to the bar's period (within any dates already chosen)."""
    first = max(bar.first_day, search.date_from) if search.date_from else bar.first_day
    last = min(bar.last_day, search.date_to) if search.date_to else bar.last_day
    dates = {"from": first.isoformat(), "to": last.isoformat()}
    return TimelineLink(bar, search_url(search, page="", **dates))


def _hidden_fields(search: SearchRequest, *replaced: str) -> list[tuple[str, str]]:
    """What a form that sets the ``replaced`` parameters keeps of the search: a new query keeps
    the filters (they show as removable chips), new dates keep the query. The page is reset."""
    params = search_params(search, page="", **dict.fromkeys(replaced, ""))
    fields: list[tuple[str, str]] = []
    for name, value in params.items():
        values = value if isinstance(value, list) else [value]
        fields.extend((name, str(item)) for item in values)
    return fields
