"""What the article page shows around the article: the way back to the search it came from,
the other versions of its story and related stories (links that keep that search), and the
teaser as a standfirst when it adds something."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for

from indexer.search.requests import SearchRequest
from indexer.search.results import ArticleSummary, ArticleView, Version
from webui.display import DESCRIPTION_CHARS, clipped
from webui.links import article_url, public_url, search_params, search_url


@dataclass(frozen=True)
class RelatedLink:
    story: ArticleSummary
    url: str


@dataclass(frozen=True)
class VersionLink:
    version: Version
    url: str


@dataclass
class ArticlePage:
    article: ArticleView
    search: SearchRequest  # the search the reader came from (empty when none)
    standfirst: str
    canonical_url: str  # the article's one absolute address, whatever search led to it
    section_url: str | None
    back_url: str | None = None
    related: list[RelatedLink] = field(default_factory=list)
    versions: list[VersionLink] = field(default_factory=list)  # the story's other articles

    @property
    def query(self) -> str:
        return self.search.q.strip()

    @property
    def description(self) -> str:
        """The page's meta description: the teaser, or the opening of the text."""
        return clipped(self.article.teaser or self.article.body, DESCRIPTION_CHARS)


def build_article_page(view: ArticleView, search: SearchRequest) -> ArticlePage:
    return ArticlePage(
        article=view,
        search=search,
        standfirst=standfirst(view),
        canonical_url=public_url("pages.article", article_id=view.id),
        section_url=url_for("pages.search", section=view.section) if view.section else None,
        back_url=search_url(search) if search_params(search) else None,
        related=[RelatedLink(story, article_url(story.id, search)) for story in view.related],
        versions=[VersionLink(other, article_url(other.id, search)) for other in view.versions],
    )


def standfirst(view: ArticleView) -> str:
    """The teaser shown above the text, unless it is just the opening of the text itself."""
    teaser = view.teaser.strip()
    if not view.body or not teaser or view.body.startswith(teaser.rstrip("…").rstrip()):
        return ""
    return teaser
