"""The OpenAPI 3.1 document of the JSON API. Tests validate real responses against it."""

from __future__ import annotations

from typing import Any

from indexer.search.requests import DEFAULT_PER_PAGE, MAX_PER_PAGE, SORTS

_NULLABLE_STRING = {"type": ["string", "null"]}
_ERROR_DETAIL = {"$ref": "#/components/schemas/ErrorDetail"}


# Any: SEARCH_FORM reads a parameter's schema back as a dict
def _param(
    name: str, description: str, schema: dict[str, object], **extra: object
) -> dict[str, Any]:
    return {"name": name, "in": "query", "description": description, "schema": schema, **extra}


def _json(schema_name: str, description: str) -> dict[str, object]:
    ref = {"$ref": f"#/components/schemas/{schema_name}"}
    return {"description": description, "content": {"application/json": {"schema": ref}}}


def _object(properties: dict[str, object], required: list[str] | None = None) -> dict[str, object]:
    return {
        "type": "object",
        "properties": properties,
        "required": required if required is not None else list(properties),
    }


SEARCH_PARAMETERS = [
    _param(
        "q",
        'Query: words, "phrases", -excluded, OR, section:/author:/title:/tags: fields, '
        "prefix*. Up to three words and phrases: every one is required (articles with most "
        "of them follow when fewer than ten have all); longer: articles with most of the "
        "words. Over 1,000 characters: read as plain text (POST it when the URL would be "
        "too long); past 50,000 not read. Empty lists the newest articles.",
        {"type": "string"},
    ),
    _param(
        "section",
        "Only these sections (repeatable, case-insensitive).",
        {"type": "array", "items": {"type": "string"}},
        style="form",
        explode=True,
    ),
    _param(
        "language",
        "Only articles in these languages (repeatable; BCP 47 codes such as en or zh-Hant, "
        "matched by their primary language: en-GB is en). The browser's Accept-Language "
        "header is a preference, not a filter: its languages rank first.",
        {
            "type": "array",
            "items": {"type": "string", "pattern": "^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$"},
        },
        style="form",
        explode=True,
    ),
    _param("from", "Published on or after this day.", {"type": "string", "format": "date"}),
    _param("to", "Published on or before this day.", {"type": "string", "format": "date"}),
    _param("sort", "Result order.", {"type": "string", "enum": list(SORTS)}),
    _param(
        "page",
        "Page number, from 1 (clamped to the last page within 1000 results).",
        {"type": "integer", "minimum": 1},
    ),
    _param(
        "per_page",
        f"Results per page (default {DEFAULT_PER_PAGE}, at most {MAX_PER_PAGE}).",
        {"type": "integer", "minimum": 1},
    ),
    _param(
        "autocorrect",
        "1 (default): when nothing matches q and a spelling that finds articles is suggested, "
        "return the results of that spelling (corrected: true). 0: the results of q as typed.",
        {"type": "string", "enum": ["0", "1", "true", "false"]},
    ),
    _param(
        "collapse",
        "1 (default): one result per story, its best-ranked article, with the number of its "
        "other versions; total and facets count stories. 0: every article, counted as "
        "articles.",
        {"type": "string", "enum": ["0", "1", "true", "false"]},
    ),
    _param(
        "story",
        "Only the articles of this story (the story of a result), newest first unless sort "
        "says otherwise; total and facets count articles.",
        {"type": "string", "pattern": "^[0-9a-fA-F]{1,64}$"},
    ),
]

SEARCH_FORM = {
    "type": "object",
    "properties": {
        p["name"]: {**p["schema"], "description": p["description"]} for p in SEARCH_PARAMETERS
    },
}
HIT = _object(
    {
        "id": {"type": "string"},
        "url": {"type": "string"},
        "title": {"type": "string"},
        "title_html": {"type": "string", "description": "Escaped HTML; matches in <mark>."},
        "section": {"type": "string"},
        "published": {**_NULLABLE_STRING, "description": "UTC, YYYY-MM-DDTHH:MM:SSZ"},
        "author": {"type": "string"},
        "teaser": {"type": "string"},
        "snippet_html": {"type": "string", "description": "Escaped HTML; matches in <mark>."},
        "score": {"type": ["number", "null"], "description": "null when sorted by date"},
        "language": {
            "type": "string",
            "description": "BCP 47: as the source declared it, else identified; und: unknown",
        },
        "story": {
            "type": "string",
            "description": "the id of the article's story: copies of one news story (a wire "
            "item sent again, a correction, the same text under another publisher) share it",
        },
        "versions": {
            "type": "integer",
            "minimum": 0,
            "description": "how many other articles of this story the index holds "
            "(story=<story> lists them all)",
        },
    }
)
LANGUAGE_COUNT = _object(
    {
        "value": {"type": "string", "description": "a primary language subtag, und: unknown"},
        "count": {"type": "integer", "minimum": 1},
        "name": {"type": "string", "description": "the language's name in English"},
    }
)
FACET_COUNT = _object({"value": {"type": "string"}, "count": {"type": "integer", "minimum": 1}})
SEARCH_RESPONSE = _object(
    {
        "query": {"type": "string"},
        "total": {"type": "integer", "minimum": 0},
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
        "took_ms": {"type": "number"},
        "relaxed": {
            "type": "boolean",
            "description": "some results lack a word of the query (see match)",
        },
        "match": {
            "type": "string",
            "enum": ["all words", "all words first", "most words"],
            "description": "every result has every word; those with every word come first, "
            "then those with most; or (a long query) ranked by how many words, how rare",
        },
        "all_words_total": {
            "type": "integer",
            "minimum": 0,
            "description": "results with every word of the query",
        },
        "counts": {
            "type": "string",
            "enum": ["stories", "articles"],
            "description": "what total, all_words_total and the facets count: stories (one "
            "result per story, the default) or articles (collapse=0, or a story's list)",
        },
        "left_out": _object(
            {
                "question_words": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "words of asking, not searched for (what, articles on)",
                },
                "over_limit": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "the least telling words past the first 60",
                },
                "text_cut_at": {
                    "type": ["integer", "null"],
                    "description": "characters read of a longer text",
                },
            }
        ),
        "suggestion": {
            **_NULLABLE_STRING,
            "description": "did you mean: the query with its misspelt words corrected",
        },
        "corrected": {
            "type": "boolean",
            "description": "nothing matched query, so the results are those of suggestion "
            "(send autocorrect=0 for the query as typed)",
        },
        "results": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
        "facets": _object(
            {
                "section": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/FacetCount"},
                    "description": "most hits first; ignores the section filter",
                },
                "published": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/FacetCount"},
                    "description": "chronological: YYYY-MM-DD within two calendar months, "
                    "YYYY-MM up to three years, else YYYY",
                },
                "language": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/LanguageCount"},
                    "description": "most hits first; ignores the language filter",
                },
            }
        ),
    }
)
ARTICLE_SUMMARY = _object(
    {
        "id": {"type": "string"},
        "url": {"type": "string"},
        "title": {"type": "string"},
        "section": {"type": "string"},
        "published": _NULLABLE_STRING,
        "teaser": {"type": "string"},
    }
)
VERSION = _object(
    {
        "id": {"type": "string"},
        "url": {"type": "string"},
        "title": {"type": "string"},
        "publisher": {"type": "string", "description": "the host of url, without www."},
        "author": {"type": "string"},
        "published": _NULLABLE_STRING,
    }
)
ARTICLE = _object(
    {
        "id": {"type": "string"},
        "url": {"type": "string"},
        "title": {"type": "string"},
        "title_html": {"type": "string"},
        "section": {"type": "string"},
        "published": _NULLABLE_STRING,
        "author": {"type": "string"},
        "teaser": {"type": "string"},
        "body": {"type": "string"},
        "body_html": {"type": "string", "description": "<p> paragraphs, escaped, q in <mark>"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "language": {"type": "string"},
        "related": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/ArticleSummary"},
            "description": "other stories on the same subject, one article each",
        },
        "story": {"type": "string"},
        "versions": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/Version"},
            "description": "the other articles of its story, newest first",
        },
    }
)
HEALTH = _object(
    {
        "status": {"type": "string", "enum": ["ok", "unavailable"]},
        "generation": _NULLABLE_STRING,
        "articles": {"type": "integer", "minimum": 0},
        "built_at": {"type": "string", "description": "when the served generation was built"},
        "error": _ERROR_DETAIL,
    },
    required=["status", "generation", "articles"],
)
ERROR_CODES = (
    "`bad_query`: a parameter or the query cannot be read (the message names it); "
    "`search_timeout`: the query is readable but the search ran past its time limit (try more "
    "specific words); `not_found`: no article has this id; `no_index`, `schema_mismatch`: "
    "no usable index is being served."
)
ERROR_DETAIL = _object(
    {"code": {"type": "string", "description": ERROR_CODES}, "message": {"type": "string"}}
)
ERROR = _object({"error": _ERROR_DETAIL})


def openapi_document() -> dict[str, object]:
    bad_request = _json(
        "Error",
        "A parameter or the query cannot be read (code `bad_query`), or the search ran past its "
        "time limit (code `search_timeout`).",
    )
    unavailable = _json("Error", "No index has been built yet.")
    search_responses = {
        "200": _json("SearchResponse", "A page of results with facets."),
        "400": bad_request,
        "503": unavailable,
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "newsindex",
            "version": "1",
            "description": "Full-text search over a news archive.",
        },
        "paths": {
            "/api/search": {
                "get": {
                    "operationId": "search",
                    "summary": "Ranked, filtered, faceted search with highlighted snippets",
                    "parameters": SEARCH_PARAMETERS,
                    "responses": search_responses,
                },
                "post": {
                    "operationId": "searchPosted",
                    "summary": "The same search with its parameters in a form body (long text)",
                    "requestBody": {
                        "content": {"application/x-www-form-urlencoded": {"schema": SEARCH_FORM}}
                    },
                    "responses": search_responses,
                },
            },
            "/api/articles/{id}": {
                "get": {
                    "operationId": "article",
                    "summary": "A whole article and related articles",
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        _param(
                            "q",
                            "Words to mark in title_html and body_html.",
                            {"type": "string", "maxLength": 1000},
                        ),
                    ],
                    "responses": {
                        "200": _json("Article", "The article."),
                        "404": _json("Error", "No article has this id."),
                        "503": unavailable,
                    },
                }
            },
            "/healthz": {
                "get": {
                    "operationId": "health",
                    "summary": "Whether an index is being served, and which",
                    "responses": {
                        "200": _json("Health", "An index is served."),
                        "503": _json("Health", "No index yet."),
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "SearchResponse": SEARCH_RESPONSE,
                "Hit": HIT,
                "FacetCount": FACET_COUNT,
                "LanguageCount": LANGUAGE_COUNT,
                "Article": ARTICLE,
                "ArticleSummary": ARTICLE_SUMMARY,
                "Version": VERSION,
                "Health": HEALTH,
                "Error": ERROR,
                "ErrorDetail": ERROR_DETAIL,
            }
        },
    }
