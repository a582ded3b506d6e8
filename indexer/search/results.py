"""What searches return: plain data, built inside the searcher's context, never Whoosh objects."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Hit:
    """One result, ready to show: ``title_html`` and ``snippet_html`` are escaped with <mark>."""

    id: str
    url: str
    title: str
    title_html: str
    section: str
    published: str | None
    author: str
    teaser: str
    snippet_html: str
    score: float | None  # None when sorted by date rather than ranked
    language: str
    story: str  # the id of the article's story (``story=`` lists its articles)
    versions: int  # how many other articles of that story the index holds


@dataclass(frozen=True)
class LeftOut:
    """What of a query was not searched for: question words ("what articles are there about"),
    the least telling words past the limit of a long text, and where a very long text was cut."""

    question_words: list[str]
    over_limit: list[str]
    text_cut_at: int | None  # characters read of a longer text


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int


@dataclass(frozen=True)
class LanguageCount:
    """A language of the matches (a primary language subtag), its name in English, and how
    many matches are in it."""

    value: str
    count: int
    name: str


@dataclass
class SearchResults:
    """A page of results with the facets and hints for the whole result set."""

    query: str
    total: int
    page: int
    per_page: int
    took_ms: float
    relaxed: bool  # some results lack a word of the query
    match: str  # "all words", "all words first" (then most words) or "most words"
    all_words_total: int  # results with every word of the query
    left_out: LeftOut
    suggestion: str | None
    hits: list[Hit]
    section_facets: list[FacetCount]
    date_facets: list[FacetCount]
    date_facet_unit: str  # "day", "month" or "year"
    # Nothing matched ``query``, so these are the results of ``suggestion`` (the page says so
    # and offers the query as typed).
    corrected: bool = False
    from_cache: bool = False  # answered from the worker's results cache (not in the JSON)
    language_facets: list[LanguageCount] = field(default_factory=list)
    counts: str = "articles"  # what total and facets count: "stories" (collapsed) or "articles"
    # When the index's newest article was published (what the quick date ranges count back
    # from), whatever the query matched; not in the JSON.
    newest_published: str | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def as_json(self) -> dict[str, object]:
        """The JSON shape of ``GET /api/search``."""
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "per_page": self.per_page,
            "took_ms": self.took_ms,
            "relaxed": self.relaxed,
            "match": self.match,
            "all_words_total": self.all_words_total,
            "counts": self.counts,
            "left_out": _fields(self.left_out),
            "suggestion": self.suggestion,
            "corrected": self.corrected,
            "results": [_fields(hit) for hit in self.hits],
            "facets": {
                "section": [_fields(f) for f in self.section_facets],
                "published": [_fields(f) for f in self.date_facets],
                "language": [_fields(f) for f in self.language_facets],
            },
        }


def _fields(flat: object) -> dict[str, object]:
    """A dataclass of plain values as a dict, in field order (``asdict`` deep-copies every
    value, which was a tenth of an API response)."""
    return dict(vars(flat))


@dataclass(frozen=True)
class ArticleSummary:
    """An article as a teaser card (related stories)."""

    id: str
    url: str
    title: str
    section: str
    published: str | None
    teaser: str


@dataclass(frozen=True)
class Version:
    """Another article of a story: who ran it (the host of its address) and when."""

    id: str
    url: str
    title: str
    publisher: str
    author: str
    published: str | None


@dataclass
class ArticleView:
    """A whole article, with ``body_html``/``title_html`` marked for the words of a query."""

    id: str
    url: str
    title: str
    title_html: str
    section: str
    published: str | None
    author: str
    teaser: str
    body: str
    body_html: str  # paragraphs as <p> elements, escaped, query words in <mark>
    tags: list[str]
    language: str
    related: list[ArticleSummary] = field(default_factory=list)
    story: str = ""
    versions: list[Version] = field(default_factory=list)  # the story's other articles

    def as_json(self) -> dict[str, object]:
        return asdict(self)


def publisher_of(url: str) -> str:
    """Who published an article, as its address says: the host, without "www."."""
    host = urlsplit(url).hostname or "" if url else ""
    return host.removeprefix("www.")


def iso_utc(value: datetime | None) -> str | None:
    # isoformat, not strftime: glibc's %Y does not pad years before 1000 to four digits.
    return value.replace(microsecond=0).isoformat() + "Z" if value else None
