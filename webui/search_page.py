"""What the search page shows besides the results: every link it offers, built from the request.

Each link is the current search with one change (``SearchRequest.as_params``) and the page reset
where the result set changes, so every state of the page is a URL: shareable, and the back button
works. Templates get plain data and never assemble URLs themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from indexer.search.requests import MAX_RESULT_DEPTH, SearchRequest
from indexer.search.results import SearchResults
from webui.dates import quick_ranges
from webui.display import DESCRIPTION_CHARS, clipped, counted, day_label, section_name
from webui.links import article_url, context_url, search_params, search_url
from webui.timeline import Timeline, TimelineRow, build_timeline

SITE_NAME = "newsindex"
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
    """A row of the timeline and the search narrowed to its period (None for a gap)."""

    row: TimelineRow
    url: str | None


@dataclass
class SearchPage:
    """The search, its results, and the links around them."""

    search: SearchRequest  # as asked
    results: SearchResults
    shown: SearchRequest  # as the results are for: the suggestion when the query was corrected
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
    as_typed_url: str | None = None  # the query as typed, not corrected
    without_filters_url: str | None = None
    feed_url: str = ""
    timeline: Timeline | None = None
    timeline_links: list[TimelineLink] = field(default_factory=list)
    query_form_fields: list[tuple[str, str]] = field(default_factory=list)  # hidden inputs
    date_form_fields: list[tuple[str, str]] = field(default_factory=list)
    quick_range_links: list[Link] = field(default_factory=list)  # "Past week" and so on
    newest_label: str = ""  # the day the quick ranges count back from

    @property
    def title(self) -> str:
        """The document title: the query, the filters and the page, so that a tab, a bookmark
        or the history tells one search from another."""
        parts = ["Latest news" if self.lists_everything else f"“{self.shown.q.strip()}”"]
        parts += [chip.label for chip in self.filter_chips]
        if self.search.page > 1:
            parts.append(f"page {self.search.page}")
        return " · ".join([*parts, SITE_NAME])

    @property
    def unit(self) -> str:
        """What the total counts: "story" (one result per story) or "article"."""
        return "story" if self.results.counts == "stories" else "article"

    @property
    def listing_heading(self) -> str:
        """The heading of a search without words: the newest news, or one story's versions."""
        return "Versions of one story" if self.search.story else "Latest news"

    def story_url(self, story: str) -> str:
        """The list of a story's articles: all of them, newest first (the query and filters
        left, the reader's page size kept)."""
        return search_url(
            self.search, q="", story=story, section=[], language=[], sort="", page="",
            **{"from": "", "to": ""},
        )  # fmt: skip

    @property
    def description(self) -> str:
        """The page's meta description."""
        count = counted(self.results.total, self.unit)
        if self.search.story and self.lists_everything:
            return f"{count}: the versions of one story in the {SITE_NAME} archive."
        if self.lists_everything:
            return f"The latest news: {count} in the {SITE_NAME} archive."
        return clipped(
            f"{count} about “{self.shown.q.strip()}” in the {SITE_NAME} archive.", DESCRIPTION_CHARS
        )

    @property
    def date_from_text(self) -> str:
        return day_label(self.search.date_from) if self.search.date_from else ""

    @property
    def date_to_text(self) -> str:
        return day_label(self.search.date_to) if self.search.date_to else ""

    @property
    def first_number(self) -> int:
        return (self.results.page - 1) * self.results.per_page + 1

    def article_url(self, article_id: str) -> str:
        """A result's page, keeping this search (its filters, sort and page) for the way back."""
        return article_url(article_id, self.shown)


def build_search_page(
    search: SearchRequest,
    results: SearchResults,
    section_names: Mapping[str, str],
    newest: date | None = None,
) -> SearchPage:
    """The page of ``results``; ``newest`` is the day of the index's newest article, which the
    quick date ranges count back from."""
    last_page = min(results.pages, max(1, MAX_RESULT_DEPTH // search.per_page))
    page = SearchPage(
        search=search,
        results=results,
        shown=replace(search, q=results.suggestion or "") if results.corrected else search,
        lists_everything=search.q.strip() in ("", "*"),
        last_page=last_page,
        sort_links=_sort_links(search),
        filter_chips=_filter_chips(search, section_names) + _language_chips(search, results),
        page_links=_page_links(search, last_page),
        feed_url=context_url("pages.search_feed", search, sort="", page=""),
        timeline=build_timeline(
            results.date_facets, results.date_facet_unit, undated=_undated(results)
        ),
        query_form_fields=_hidden_fields(search, "q"),
        date_form_fields=_hidden_fields(search, "from", "to"),
    )
    sections = _section_links(search, results, section_names)
    page.section_links, page.more_section_links = _split_sections(sections)
    page.language_links = _language_links(search, results)
    if search.page > 1:
        page.previous_url = search_url(search, page=min(search.page - 1, last_page))
    if search.page < last_page:
        page.next_url = search_url(search, page=search.page + 1)
    if results.suggestion:
        page.suggestion_url = search_url(search, q=results.suggestion, page="")
    if results.corrected:
        page.as_typed_url = search_url(search, page="", autocorrect="0")
    if page.filter_chips:
        page.without_filters_url = search_url(
            search, section=[], language=[], story="", page="", **{"from": "", "to": ""}
        )
    if newest:
        page.quick_range_links = _quick_range_links(search, newest)
        page.newest_label = day_label(newest)
    if page.timeline:
        page.timeline_links = [_timeline_link(search, row) for row in page.timeline.rows]
    return page


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


def _section_links(
    search: SearchRequest, results: SearchResults, names: Mapping[str, str]
) -> list[Link]:
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
        label = section_name(facet.value, names)
        links.append(Link(label, url, current=selected, count=facet.count))
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


def _language_chips(search: SearchRequest, results: SearchResults) -> list[Link]:
    """A removable chip for each chosen language, by its name."""
    names = {facet.value: facet.name for facet in results.language_facets}
    return [
        Link(
            names.get(language, language),
            search_url(search, language=_without(search.languages, language), page=""),
        )
        for language in search.languages
    ]


def _split_sections(links: list[Link]) -> tuple[list[Link], list[Link]]:
    """The largest sections and every chosen one first; the rest for a "more" disclosure."""
    shown = [link for n, link in enumerate(links) if n < SECTIONS_SHOWN or link.current]
    return shown, [link for link in links if link not in shown]


def _filter_chips(search: SearchRequest, names: Mapping[str, str]) -> list[Link]:
    chips = [
        Link(
            section_name(section, names),
            search_url(search, section=_without(search.sections, section), page=""),
        )
        for section in search.sections
    ]
    if search.date_from or search.date_to:
        url = search_url(search, page="", **{"from": "", "to": ""})
        chips.append(Link(date_range_label(search.date_from, search.date_to), url))
    if search.story:
        chips.append(Link("One story", search_url(search, story="", sort="", page="")))
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


def _timeline_link(search: SearchRequest, row: TimelineRow) -> TimelineLink:
    """The search narrowed to the row's period (within any dates already chosen)."""
    if row.gap:
        return TimelineLink(row, None)
    first = max(row.first_day, search.date_from) if search.date_from else row.first_day
    last = min(row.last_day, search.date_to) if search.date_to else row.last_day
    dates = {"from": first.isoformat(), "to": last.isoformat()}
    return TimelineLink(row, search_url(search, page="", **dates))


def _quick_range_links(search: SearchRequest, newest: date) -> list[Link]:
    links = []
    for label, first, last in quick_ranges(newest):
        dates = {"from": first.isoformat(), "to": last.isoformat()}
        current = (search.date_from, search.date_to) == (first, last)
        links.append(Link(label, search_url(search, page="", **dates), current=current))
    return links


def _undated(results: SearchResults) -> int:
    """Matches without a date: the date facets count every dated match."""
    return results.total - sum(facet.count for facet in results.date_facets)


def _hidden_fields(search: SearchRequest, *replaced: str) -> list[tuple[str, str]]:
    """What a form that sets the ``replaced`` parameters keeps of the search: a new query keeps
    the filters (they show as removable chips), new dates keep the query. The page is reset."""
    params = search_params(search, page="", **dict.fromkeys(replaced, ""))
    fields: list[tuple[str, str]] = []
    for name, value in params.items():
        values = value if isinstance(value, list) else [value]
        fields.extend((name, str(item)) for item in values)
    return fields
