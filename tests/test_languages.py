"""Every article searchable in its own language, through the search API and the page.

The fixture (``tests/fixtures/languages/articles.jsonl``) holds short articles written for these
tests in fifteen languages, none declaring its language: each is identified, found by a word of
its text in another form than written (or a one- or two-character word in Chinese and Japanese),
and not found by a word it does not contain, all in one mixed index.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import app_for, close_app, write_jsonl
from indexer.config import load_settings
from indexer.index.build import rebuild_index

FIXTURE = Path(__file__).parent / "fixtures" / "languages" / "articles.jsonl"

# (query, the article it finds, a word that article does not contain)
FOUND_BY = [
    ("ferry", "en-1", "submarine"),  # ferries
    ("elección", "es-1", "huelga"),  # elecciones
    ("ministro", "pt-1", "greve"),  # ministros
    ("Wahl", "de-1", "Fähre"),  # Wahlen
    ("Arzt", "de-1", "Fähre"),  # Ärzte
    ("pêcheur", "fr-1", "grève"),  # pêcheurs
    ("elezione", "it-1", "sciopero"),  # elezioni
    ("wyborach", "pl-1", "strajk"),  # wybory
    ("vlády", "cs-1", "stávka"),  # Vláda
    ("eduskunnassa", "fi-1", "lakko"),  # Eduskunta
    ("выборов", "ru-1", "забастовка"),  # выборы
    ("انتخابات", "ar-1", "إضراب"),  # الانتخابات
    ("إنتخابات", "ar-1", "إضراب"),  # the alef with hamza, as some type it
    ("人工智能", "zh-1", "火车"),  # four characters: the phrase of three bigrams
    ("智能", "zh-1", "火车"),  # two characters: one bigram
    ("鱼", "zh-1", "鸟"),  # one character
    ("体罰", "ja-1", "電車"),
    ("犬", "ja-1", "猫"),
    ("教育委員会", "ja-1", "電車"),
    ("ばね", "ja-2", "はね"),  # はね would be ばね with its voicing mark folded away
    ("เลือกตั้ง", "th-1", "รถไฟ"),
    ("โรงเรียน", "th-1", "รถไฟ"),
    ("ရန်ကုန်", "my-1", "ရထား"),
    ("ကျောင်း", "my-1", "ရထား"),
]


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """A web app over one index of the fifteen languages' articles."""
    index_dir = tmp_path_factory.mktemp("languages") / "index"
    rebuild_index(load_settings({"index_dir": index_dir}, environ={}), [str(FIXTURE)])
    application = app_for(index_dir)
    yield application.test_client()
    close_app(application)


def search(client, q: str, headers: dict | None = None, **params) -> dict:
    response = client.get("/api/search", query_string={"q": q, **params}, headers=headers or {})
    assert response.status_code == 200, response.json
    return response.json


def ids(found: dict) -> list[str]:
    return [hit["id"] for hit in found["results"]]


def fixture_ids() -> list[str]:
    return [json.loads(line)["id"] for line in FIXTURE.read_text("utf-8").splitlines()]


def test_each_article_language_is_identified(mixed) -> None:
    found = search(mixed, "", per_page=100)
    languages = {hit["id"]: hit["language"] for hit in found["results"]}
    assert languages == {article_id: article_id.split("-")[0] for article_id in fixture_ids()}


@pytest.mark.parametrize(("query", "article_id", "absent"), FOUND_BY)
def test_an_article_is_found_by_its_words_and_not_by_others(mixed, query, article_id, absent):
    assert article_id in ids(search(mixed, query))
    assert article_id not in ids(search(mixed, absent))


@pytest.mark.parametrize(
    ("query", "article_id", "marked"),
    [
        ("智能", "zh-1", ["智能"]),  # not the 人工 before it
        ("人工智能", "zh-1", ["人工智能"]),  # one mark: the phrase, not three bigrams
        ("港", "zh-1", ["港"]),  # one character
        ("体罰", "ja-1", ["体罰"]),
        ("ばね", "ja-2", ["ばね"]),
        ("เลือกตั้ง", "th-1", ["เลือกตั้ง"]),
        ("ရန်ကုန်", "my-1", ["ရန်ကုန်"]),
        ("انتخابات", "ar-1", ["الانتخابات"]),
        ("выборов", "ru-1", ["Выборы"]),
        ("Wahl", "de-1", ["Wahlen"]),
    ],
)
def test_titles_mark_exactly_the_matched_characters(mixed, query, article_id, marked) -> None:
    hit = next(h for h in search(mixed, query)["results"] if h["id"] == article_id)
    assert re.findall(r"<mark>(.*?)</mark>", hit["title_html"]) == marked


def test_snippets_mark_every_occurrence_in_any_script(mixed) -> None:
    hit = search(mixed, "เลือกตั้ง")["results"][0]
    assert hit["snippet_html"].count("<mark>เลือกตั้ง</mark>") == 2
    hit = search(mixed, "体罰")["results"][0]
    assert "中学校で<mark>体罰</mark>があった" in hit["snippet_html"]
    hit = search(mixed, "智能")["results"][0]
    assert "人工<mark>智能</mark>系统" in hit["snippet_html"]


def test_titles_and_snippets_carry_their_language_and_direction(mixed) -> None:
    page = mixed.get("/", query_string={"q": "انتخابات"}).get_data(as_text=True)
    assert '<h2 class="hit-title" lang="ar" dir="rtl">' in page
    assert '<p class="snippet" lang="ar" dir="rtl">' in page
    page = mixed.get("/", query_string={"q": "体罰"}).get_data(as_text=True)
    assert '<h2 class="hit-title" lang="ja">' in page and 'dir="rtl"' not in page
    article = mixed.get("/article/ar-1").get_data(as_text=True)
    assert 'lang="ar" dir="rtl"' in article


def test_languages_are_a_facet_and_a_filter(mixed) -> None:
    everything = search(mixed, "", per_page=100)
    facets = {f["value"]: (f["count"], f["name"]) for f in everything["facets"]["language"]}
    assert facets["ja"] == (2, "Japanese") and facets["my"] == (1, "Burmese")
    assert sum(count for count, _name in facets.values()) == len(fixture_ids())
    japanese = search(mixed, "", language="ja")
    assert sorted(ids(japanese)) == ["ja-1", "ja-2"]
    assert len(japanese["facets"]["language"]) == 15  # the facet ignores its own filter
    both = mixed.get("/api/search?language=ja&language=zh-Hans")
    assert sorted(ids(both.json)) == ["ja-1", "ja-2", "zh-1"]


def test_the_page_offers_languages_like_sections(mixed) -> None:
    page = mixed.get("/", query_string={"q": ""}).get_data(as_text=True)
    assert 'id="languages-heading"' in page and "?language=fi" in page
    filtered = mixed.get("/", query_string={"language": "fi"}).get_data(as_text=True)
    assert "Eduskunta hyväksyi" in filtered and "Vláda schválila" not in filtered
    assert 'aria-label="Remove filter: Finnish"' in filtered


@pytest.mark.parametrize("value", ["english!", "e", "x" * 12])
def test_a_bad_language_parameter_is_a_400(mixed, value) -> None:
    response = mixed.get("/api/search", query_string={"language": value})
    assert response.status_code == 400 and "language" in response.json["error"]["message"]


# Mixed indexes: homographs, preferences, and each language's own statistics.

ENGLISH_GIFTS = [
    {
        "id": f"en-gift-{n}",
        "title": f"A gift for the town library, number {n}",
        "body": f"Residents collected books as a gift for the library. Donation {n} of the year.",
        "language": "en",
    }
    for n in range(6)
]
GERMAN_POISON = {
    "id": "de-gift",
    "title": "Gift im Fluss: Fische verendet",
    "body": "Im Fluss wurde Gift gefunden. Die Behörden warnen vor dem Baden an der Mündung, "
    "bis das Gift abgebaut ist.",
    "language": "de",
}


@pytest.fixture(scope="module")
def homographs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("homographs")
    source = write_jsonl(folder / "gifts.jsonl", [*ENGLISH_GIFTS, GERMAN_POISON])
    rebuild_index(load_settings({"index_dir": folder / "index"}, environ={}), [str(source)])
    application = app_for(folder / "index")
    yield application.test_client()
    close_app(application)


def test_a_homograph_ranks_the_readers_language_first(homographs) -> None:
    english = ids(search(homographs, "gift", {"Accept-Language": "en-GB,en;q=0.9,de;q=0.5"}))
    german = ids(search(homographs, "Gift", {"Accept-Language": "de-DE,de;q=0.9"}))
    assert english[0].startswith("en-") and german[0] == "de-gift"
    assert sorted(english) == sorted(german)  # a preference, not a filter: all seven


def test_without_a_preference_the_other_languages_homograph_does_not_drown_a_query(
    homographs,
) -> None:
    """Seven articles, one German: with IDF over the whole index the German "Gift" would be the
    rarest term and rank first for every English reader."""
    found = ids(search(homographs, "gift"))
    assert found[-1] == "de-gift" and len(found) == 7


def test_the_querys_own_words_decide_between_homographs(homographs) -> None:
    german = search(homographs, "Gift Fluss")  # the one with both words, then the others
    assert ids(german)[0] == "de-gift" and german["all_words_total"] == 1
    english = search(homographs, "gift library")  # fewer than ten with both: the rest follow
    assert ids(english)[-1] == "de-gift" and english["all_words_total"] == 6


def test_a_stop_word_of_one_language_keeps_its_meaning_in_each(homographs) -> None:
    """``an`` is an English stop word and a German word: an English article matches it as if
    it were not there, a German one must have it; a query of any word does not turn it into
    every English article."""
    with_an = search(homographs, "an library")
    assert sorted(ids(with_an)[:6]) == sorted(a["id"] for a in ENGLISH_GIFTS)
    assert with_an["all_words_total"] == 6
    assert ids(search(homographs, "an Mündung")) == ["de-gift"]
    relaxed = search(homographs, "an zzzz")
    assert relaxed["relaxed"] and ids(relaxed) == ["de-gift"]


def test_an_english_question_word_that_is_a_german_word_is_searched_for(homographs) -> None:
    """``an`` is of the English question words (and an English stop word) but a German word
    too: the German article has it ("an der Mündung"), so it stays in the query."""
    asked = search(homographs, "an Mündung Gift")
    assert asked["left_out"]["question_words"] == [] and ids(asked)[0] == "de-gift"
    english = search(homographs, "articles about gift library")
    assert english["left_out"]["question_words"] == ["articles", "about"]


def test_a_long_query_in_another_language_finds_its_articles_first(homographs) -> None:
    """A question of more than three words matches articles with most of its words; its words
    are found in the language they stand in."""
    found = search(homographs, "wo wurde im Fluss das Gift gefunden")
    assert found["match"] == "most words" and ids(found)[0] == "de-gift"


def test_articles_in_other_languages_leave_a_languages_ranking_as_it_was(tmp_path) -> None:
    """Each language's statistics are its own: adding Chinese, German and Japanese articles
    (many more terms per article) to an English index leaves the English ranking as it was, and
    its scores within 1% (Whoosh's one-byte field lengths are approximate). With the whole
    index's statistics, the IDF of "harbour" alone would more than double."""
    english = [
        {"id": f"en-{n}", "title": f"Harbour report {n}", "body": "The harbour " * (n + 1)}
        for n in range(5)
    ] + [{"id": "en-other", "title": "Rail timetable", "body": "Trains run late."}]
    foreign = [json.loads(line) for line in FIXTURE.read_text("utf-8").splitlines()]
    foreign = [record for record in foreign if not record["id"].startswith("en-")]
    scores = []
    for name, records in (("alone", english), ("mixed", english + foreign)):
        source = write_jsonl(tmp_path / f"{name}.jsonl", records)
        index_dir = tmp_path / name
        rebuild_index(load_settings({"index_dir": index_dir}, environ={}), [str(source)])
        application = app_for(index_dir)
        try:
            found = search(application.test_client(), "harbour report")["results"]
            scores.append([(hit["id"], hit["score"]) for hit in found])
        finally:
            close_app(application)
    (alone, mixed) = scores
    assert [i for i, _ in alone] == [i for i, _ in mixed] and len(alone) == 5
    assert all(abs(a - m) <= 0.01 * a for (_, a), (_, m) in zip(alone, mixed, strict=True))


def test_a_query_in_kana_prefers_japanese_over_chinese(tmp_path) -> None:
    records = [
        {"id": "zh", "title": "学校新闻", "body": "学校的新闻。"},
        {"id": "ja", "title": "学校のニュース", "body": "学校でニュースがあった。"},
    ]
    with_client = client_over(tmp_path, records)
    try:
        with_kana = search(with_client, "学校 の")  # の: only Japanese has it
        assert ids(with_kana) == ["ja", "zh"] and with_kana["all_words_total"] == 1
        assert sorted(ids(search(with_client, "学校"))) == ["ja", "zh"]
        assert ids(search(with_client, "学校", {"Accept-Language": "zh-CN"}))[0] == "zh"
        assert ids(search(with_client, "学校", {"Accept-Language": "ja"}))[0] == "ja"
    finally:
        close_app(with_client.application)


def client_over(tmp_path: Path, records: list[dict]):
    source = write_jsonl(tmp_path / "records.jsonl", records)
    rebuild_index(load_settings({"index_dir": tmp_path / "index"}, environ={}), [str(source)])
    return app_for(tmp_path / "index").test_client()


def test_a_declared_language_is_kept_unless_the_text_is_plainly_in_another_script(
    tmp_path,
) -> None:
    records = [
        {"id": "pt", "title": "Os ministros aprovaram o orçamento", "language": "pt-BR"},
        {"id": "mislabelled", "title": "市の教育委員会は体罰を認めた", "language": "en"},
        {"id": "numbers", "title": "2024 — 1,000 / 12.5"},
    ]
    with_client = client_over(tmp_path, records)
    try:
        found = {h["id"]: h["language"] for h in search(with_client, "")["results"]}
        assert found == {"pt": "pt-BR", "mislabelled": "ja", "numbers": "und"}
        assert ids(search(with_client, "体罰")) == ["mislabelled"]
        assert ids(search(with_client, "ministro")) == ["pt"]
    finally:
        close_app(with_client.application)


def test_an_index_of_the_previous_schema_asks_for_a_rebuild(indexer, index_dir) -> None:
    indexer("rebuild", str(FIXTURE))
    manifest_path = index_dir / "gen-000001" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["schema_version"] = 5  # an index of before analysis by language
    manifest_path.write_text(json.dumps(manifest))
    result = indexer("search", "体罰")
    assert result.exit_code == 1 and "run `indexer rebuild`" in result.stderr
    application = app_for(index_dir)
    try:
        response = application.test_client().get("/api/search?q=体罰")
        assert response.status_code == 503
        assert "run `indexer rebuild`" in response.json["error"]["message"]
    finally:
        close_app(application)


def test_a_long_chinese_query_counts_its_bigrams_as_words(mixed) -> None:
    """A long query in Chinese is read as its bigrams, each a word of its own: no article has
    any of these runs as it stands (each ends in a pair that no article has), but zh-1 has
    港口, 人工, 价格, 市场 and 渔民, and comes first."""
    found = search(mixed, "港口鱼 人工价格很 市场局 渔民今")
    assert found["match"] == "most words" and ids(found)[0] == "zh-1"
    assert found["all_words_total"] == 0
