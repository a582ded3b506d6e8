"""Stories: the copies of one news story grouped by the indexer and shown once by searches.

Through the CLI, the search API, the pages and the feed: a wire story republished by another
publisher (its dateline and credit line added), updated a day later and corrected, is one story
shown once, with its versions one click away; two daily market reports of one template and
different days, and a different story on the same subject, stay apart; filters apply to
articles before grouping; ``indexer update`` and ``delete`` keep stories without a rebuild.
"""

from __future__ import annotations

import json
import re

import pytest

from conftest import app_for, close_app, write_jsonl

STRIKE = (
    "Dock workers in Harbourton walked out at dawn on Monday, halting the loading of grain "
    "ships at the republic's largest port. The union said the strike would last until the "
    "port authority reopened talks on night shift pay. Ships waiting in the outer roads "
    "numbered eleven by noon, the harbour master said.\n\nThe port authority called the "
    "stoppage unlawful and said it would ask the labour court to order the crews back."
)
UPDATE = (
    f"{STRIKE}\n\nLate on Monday the labour minister offered to chair new talks between the "
    "union and the port authority."
)
MARKET = (
    "The kron ended {direction} against the euro on Tuesday at {rate} after a quiet session, "
    "dealers in Harbourton said. The central bank's index of the currency stood at {index}, "
    "and turnover on the interbank market was {volume} million krona, against {before} "
    "million the day before. Dealers said trading was thin ahead of the central bank's "
    "monthly meeting, and that exporters sold the currency in the afternoon as they usually "
    "do at the end of the month. The kron trades in a band the central bank sets each quarter."
)
REPO = (
    "The central bank added reserves to the banking system through overnight repurchase "
    "agreements, a spokesman said. Funds were trading at {rate} pct when the bank began its "
    "operation, and dealers had expected it to add reserves to meet the banks' needs."
)
TARIFF = (
    "The port authority will raise its berth fees by {rise} pct from April, the first rise in "
    "four years, its chairman told shipping agents in Harbourton on Wednesday. The authority "
    "says the money will pay for dredging the approach channel, which silted up in the winter "
    "storms."
)
GUIDE = (
    "The three lighthouses of the northern coast are open to visitors from May to September. "
    "Keepers lead walks to the lamp rooms twice a day, and the museum at Gull Point shows the "
    "lenses that served until the lamps were electrified."
)
RAIN = (
    "Rainfall in the coffee districts of the south was {rain} over the past week, the weather "
    "office said in its regular report to growers. Temperatures were normal for the season "
    "and no frost was reported in the highlands.{extra}"
)
NOTICE = (
    "The Harbourton bridge will be closed to traffic on Sunday night from ten o'clock until "
    "six on Monday morning for maintenance work, the city roads office said. Buses will take "
    "the ring road; the footpath stays open."
)
QUARRY = (
    "Workers at the Kestrel Hill quarry downed tools over safety rules on Monday, the second "
    "strike in the region this month. The quarry owners said talks with the union would "
    "resume on Thursday and that no blasting would take place until then."
)

RECORDS = [
    {
        "id": "wire-1",
        "url": "https://valdora-press.example/2026/03/02/dock-strike",
        "title": "Dock workers strike at Harbourton port",
        "section": "Business",
        "published": "2026-03-02T07:30:00Z",
        "author": "Valdora Press",
        "body": STRIKE,
    },
    {
        "id": "daily-7",
        "url": "https://northern-daily.example/news/dock-strike-harbourton",
        "title": "Dock workers strike at Harbourton port",
        "section": "World",
        "published": "2026-03-02T10:05:00Z",
        "author": "Valdora Press",
        "body": f"HARBOURTON, March 2 (Valdora Press) - {STRIKE}\n\nReporting by Ana Petrova; "
        "editing by Lukas Brenner.",
    },
    {
        "id": "wire-1-update",
        "url": "https://valdora-press.example/2026/03/02/dock-strike-talks",
        "title": "Dock workers strike at Harbourton port; minister offers talks",
        "section": "Business",
        "published": "2026-03-02T21:40:00Z",
        "author": "Valdora Press",
        "body": UPDATE,
    },
    {
        "id": "market-tue",
        "title": "Kron ends higher against the euro",
        "section": "Markets",
        "published": "2026-03-03T17:00:00Z",
        "body": MARKET.format(
            direction="higher", rate="7.412", index="103.6", volume="812", before="766"
        ),
    },
    {
        "id": "market-tue-noon",
        "title": "Kron ends higher against the euro",
        "section": "Markets",
        "published": "2026-03-03T12:00:00Z",
        "body": MARKET.format(
            direction="higher", rate="7.405", index="103.2", volume="640", before="766"
        ),
    },
    {
        "id": "market-wed",
        "title": "Kron ends higher against the euro",
        "section": "Markets",
        "published": "2026-03-04T17:00:00Z",
        "body": MARKET.format(
            direction="higher", rate="7.398", index="103.9", volume="745", before="812"
        ),
    },
    {
        "id": "repo-mon",
        "title": "Central bank adds reserves",
        "section": "Markets",
        "published": "2026-03-02T11:45:00Z",
        "body": REPO.format(rate="3.25"),
    },
    {
        "id": "repo-tue",
        "title": "Central bank adds reserves",
        "section": "Markets",
        "published": "2026-03-03T15:20:00Z",
        "body": REPO.format(rate="3.375"),
    },
    {
        "id": "fees",
        "title": "Port authority to raise berth fees",
        "section": "Business",
        "published": "2026-03-04T09:00:00Z",
        "body": TARIFF.format(rise="12"),
    },
    {
        "id": "fees-corrected",
        "title": "Port authority to raise berth fees",
        "section": "Business",
        "published": "2026-03-04T12:10:00Z",
        "body": TARIFF.format(rise="8") + " (Corrects the rise in the first paragraph.)",
    },
    {"id": "undated-1", "title": "Lighthouse keepers' guide", "section": "Local", "body": GUIDE},
    {"id": "undated-2", "title": "Lighthouse keepers' guide", "section": "Local", "body": GUIDE},
    {
        "id": "undated-3",
        "title": "Lighthouse keepers' guide",
        "section": "Local",
        "body": f"{GUIDE} Tickets are sold at the harbour office.",
    },
    {"id": "flash-1", "title": "Harbourton ferry sails", "published": "2026-03-05T08:00:00Z"},
    {"id": "flash-2", "title": "Harbourton ferry sails", "published": "2026-03-05T09:00:00Z"},
    {
        "id": "rain-mon",
        "title": "Coffee districts rainfall",
        "section": "Markets",
        "published": "2026-03-02T10:05:00Z",
        "body": RAIN.format(rain="33.0 millimetres, against 5.0", extra=" The week before: 12."),
    },
    {
        "id": "rain-wed",
        "title": "Coffee districts rainfall",
        "section": "Markets",
        "published": "2026-03-04T10:01:00Z",
        "body": RAIN.format(rain="light", extra=" The week before: 12."),
    },
    {
        "id": "notice-1",
        "title": "Harbourton bridge closed on Sunday night",
        "section": "Local",
        "published": "2026-02-20T09:00:00Z",
        "body": NOTICE,
    },
    {
        "id": "notice-2",
        "title": "Harbourton bridge closed on Sunday night",
        "section": "Local",
        "published": "2026-03-02T09:00:00Z",
        "body": NOTICE,
    },
    {
        "id": "quarry",
        "title": "Quarry workers strike over safety rules",
        "section": "Business",
        "published": "2026-03-02T12:00:00Z",
        "body": QUARRY,
    },
]
FOLLOW_UP = {  # a republication an update brings, a day to the minute after daily-7's
    "id": "coast-times-3",
    "url": "https://www.coast-times.example/harbourton-strike",
    "title": "Dock workers strike at Harbourton port",
    "section": "Business",
    "published": "2026-03-03T10:05:00Z",
    "author": "Valdora Press",
    "body": f"HARBOURTON, March 3 (Valdora Press) - {STRIKE}\n\nThis story was first published "
    "by Valdora Press. Subscribe to the Coast Times for the latest news from the ports of the "
    "republic and beyond, every morning.",
}
STRIKE_COPIES = {"wire-1", "daily-7", "wire-1-update"}


@pytest.fixture
def built(indexer, tmp_path):
    source = write_jsonl(tmp_path / "stories.jsonl", RECORDS)
    result = indexer("rebuild", str(source))
    assert result.exit_code == 0, result.output
    return tmp_path


@pytest.fixture
def api(built, index_dir):
    application = app_for(index_dir)
    yield application.test_client()
    close_app(application)


def search(api, **params) -> dict:
    response = api.get("/api/search", query_string=params)
    assert response.status_code == 200, response.json
    return response.json


def ids(body: dict) -> list[str]:
    return [hit["id"] for hit in body["results"]]


def test_copies_of_a_story_show_once_with_how_many_versions_it_has(api) -> None:
    collapsed = search(api, q='"dock workers"')
    every = search(api, q='"dock workers"', collapse="0")
    assert set(ids(every)) == STRIKE_COPIES and every["counts"] == "articles"
    assert len(ids(collapsed)) == 1 and ids(collapsed)[0] in STRIKE_COPIES
    assert collapsed["total"] == 1 and collapsed["counts"] == "stories"
    hit = collapsed["results"][0]
    assert hit["versions"] == 2
    assert {h["story"] for h in every["results"]} == {hit["story"]}


def test_the_story_shows_as_its_best_ranked_article(api) -> None:
    """Only the republished copy names the reporter, only the update the minister: each
    stands for the story when it ranks first."""
    body = search(api, q='"dock workers" petrova')
    assert ids(body) == ["daily-7"] and body["results"][0]["versions"] == 2
    body = search(api, q="strike minister")
    assert ids(body)[0] == "wire-1-update" and not STRIKE_COPIES & set(ids(body)[1:])


def test_template_reports_of_other_days_and_other_stories_stay_apart(api) -> None:
    """The market reports share most of their text (Jaccard 0.66) but not their figures (the
    noon and evening ones, five hours apart, three of their five); the reserve reports differ in
    one figure, 27 hours apart (a correction comes within hours); undated, only the same text is
    known to be a copy; headlines without text are not; the notices are word for word the
    same, ten days apart."""
    body = search(api, q="kron euro")
    assert sorted(ids(body)) == ["market-tue", "market-tue-noon", "market-wed"]
    assert {hit["versions"] for hit in body["results"]} == {0}
    body = search(api, q="reserves repurchase")
    assert sorted(ids(body)) == ["repo-mon", "repo-tue"]
    assert {hit["versions"] for hit in body["results"]} == {0}
    body = search(api, q="lighthouse keepers guide", collapse="0")
    stories = {hit["id"]: hit["story"] for hit in body["results"]}
    assert stories["undated-1"] == stories["undated-2"]  # undated: the same text is a copy,
    assert stories["undated-3"] != stories["undated-1"]  # a sentence more may be another day's
    body = search(api, q="ferry sails")  # a headline alone: too little to tell
    assert sorted(ids(body)) == ["flash-1", "flash-2"]
    body = search(api, q="coffee rainfall")  # other figures, at the hour of a schedule
    assert sorted(ids(body)) == ["rain-mon", "rain-wed"]
    body = search(api, q="bridge closed")
    assert sorted(ids(body)) == ["notice-1", "notice-2"]
    assert {hit["versions"] for hit in body["results"]} == {0}
    strikes = search(api, q="strike")
    assert "quarry" in ids(strikes) and strikes["total"] == 2


def test_a_correction_of_a_figure_within_hours_is_a_version(api) -> None:
    body = search(api, q="berth fees")
    assert len(ids(body)) == 1 and body["results"][0]["versions"] == 1
    assert sorted(ids(search(api, q="berth fees", collapse="0"))) == ["fees", "fees-corrected"]


def test_a_storys_list_holds_its_articles_newest_first(api) -> None:
    story = search(api, q='"dock workers"')["results"][0]["story"]
    body = search(api, story=story)
    assert ids(body) == ["wire-1-update", "daily-7", "wire-1"]
    assert body["counts"] == "articles" and body["total"] == 3
    assert ids(search(api, story=story, sort="oldest")) == ["wire-1", "daily-7", "wire-1-update"]
    assert search(api, story="0" * 16)["total"] == 0


@pytest.mark.parametrize("story", ["not-a-story", "../etc", "<b>"])
def test_a_story_id_that_cannot_be_one_is_refused_with_a_message(api, story) -> None:
    response = api.get("/api/search", query_string={"story": story})
    assert response.status_code == 400 and "story" in response.json["error"]["message"]


def test_totals_and_facets_count_stories_and_agree_with_the_lists(api) -> None:
    body = search(api, q="strike")
    sections = {facet["value"]: facet["count"] for facet in body["facets"]["section"]}
    assert sections == {"Business": 2, "World": 1}  # the strike story has a copy in each
    for section, count in sections.items():
        narrowed = search(api, q="strike", section=section)
        assert narrowed["total"] == count == len(narrowed["results"])
    days = {facet["value"]: facet["count"] for facet in body["facets"]["published"]}
    assert days == {"2026-03-02": 2}
    every = search(api, q="strike", collapse="0")
    assert every["total"] == 4 and {f["value"]: f["count"] for f in every["facets"]["section"]} == {
        "Business": 3,
        "World": 1,
    }


def test_a_filter_applies_to_articles_before_grouping(api) -> None:
    """The World section holds only the republished copy: it shows, as the story."""
    body = search(api, q='"dock workers"', section="World")
    assert ids(body) == ["daily-7"] and body["results"][0]["versions"] == 2


def test_paging_through_stories_reaches_every_one_once(api) -> None:
    seen = []
    for page in range(1, 18):
        seen += ids(search(api, per_page="1", page=str(page)))
    assert len(seen) == len(set(seen)) == 16  # twenty articles, sixteen stories
    assert len(STRIKE_COPIES & set(seen)) == 1


def test_an_article_lists_the_other_versions_with_publisher_and_date(api) -> None:
    body = api.get("/api/articles/wire-1").json
    versions = body["versions"]
    assert [v["id"] for v in versions] == ["wire-1-update", "daily-7"]
    assert versions[1]["publisher"] == "northern-daily.example"
    assert versions[1]["published"] == "2026-03-02T10:05:00Z"
    assert not {r["id"] for r in body["related"]} & STRIKE_COPIES
    assert api.get("/api/articles/quarry").json["versions"] == []


def test_the_pages_offer_the_versions_one_click_away(api) -> None:
    page = api.get("/", query_string={"q": '"dock workers"'}).get_data(as_text=True)
    assert "1 story for" in page
    link = re.search(r'<p class="versions"><a href="([^"]+)">2 more versions', page)
    assert link, "no link to the story's versions"
    listing = api.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "3 articles" in listing and "Versions of one story" in listing
    for publisher in ("valdora-press.example", "northern-daily.example"):  # who ran each
        assert f'<span class="meta-publisher">{publisher}</span>' in listing
    for title in ("minister offers talks", "Dock workers strike at Harbourton port"):
        assert title in listing
    article = api.get("/article/wire-1").get_data(as_text=True)
    assert "Other versions of this story" in article and "northern-daily.example" in article


def test_the_feed_shows_each_story_once(api) -> None:
    feed = api.get("/search.atom", query_string={"q": '"dock workers"'}).get_data(as_text=True)
    assert feed.count("<entry>") == 1
    link = re.search(
        r'<link rel="related" type="text/html" href="([^"]+)" title="2 more versions"', feed
    )
    assert link and "story=" in link.group(1)
    listed = api.get(link.group(1).replace("&amp;", "&").split("localhost", 1)[1])
    assert "3 articles" in listed.get_data(as_text=True)
    every = api.get("/search.atom", query_string={"q": '"dock workers"', "collapse": "0"})
    assert every.get_data(as_text=True).count("<entry>") == 3


def test_indexer_search_shows_a_story_once_with_its_versions(built, indexer) -> None:
    shown = indexer("search", '"dock workers"').output
    assert shown.startswith("1 story in") and "2 more versions)" in shown
    every = indexer("search", '"dock workers"', "--every-article").output
    assert every.startswith("3 articles in")
    assert all(f"({article_id}, 2 more versions)" in every for article_id in STRIKE_COPIES)


def test_stats_count_stories_and_articles(built, indexer) -> None:
    found = json.loads(indexer("stats", "--json").output)
    assert found["articles"] == 20 and found["stories"] == 16
    assert found["stories_of_several"] == 3 and found["largest_story"] == 3
    assert "stories     16 (3 of several articles, the largest of 3)" in indexer("stats").output


def test_an_update_adds_copies_to_their_story_and_a_delete_keeps_the_rest(
    built, indexer, index_dir, tmp_path
) -> None:
    story = _story_of(index_dir, "wire-1")
    news = write_jsonl(tmp_path / "news.jsonl", [FOLLOW_UP, _other_story()])
    result = indexer("update", str(news))
    assert result.exit_code == 0 and "added 2," in result.output, result.output
    assert _story_of(index_dir, "coast-times-3") == story
    assert _story_of(index_dir, "ferry") != story
    assert _versions(index_dir, "wire-1") == 3
    assert indexer("delete", "wire-1", "daily-7").exit_code == 0
    assert _versions(index_dir, "coast-times-3") == 1  # with the update, still one story
    assert _story_of(index_dir, "coast-times-3") == story
    assert json.loads(indexer("stats", "--json").output)["stories"] == 17


def test_a_changed_article_leaves_a_story_it_no_longer_belongs_to(
    built, indexer, index_dir, tmp_path
) -> None:
    story = _story_of(index_dir, "wire-1")
    rewritten = {**RECORDS[1], "title": "Ferry crews join the strike", "body": QUARRY}
    changed = write_jsonl(tmp_path / "changed.jsonl", [rewritten])
    assert "updated 1," in indexer("update", str(changed)).output
    assert _story_of(index_dir, "daily-7") != story and _versions(index_dir, "wire-1") == 1


def _other_story() -> dict:
    return {
        "id": "ferry",
        "title": "Ferry timetable changes for spring",
        "section": "Local",
        "published": "2026-03-03T08:00:00Z",
        "body": "The island ferry will sail twice a day from April, the operator said.",
    }


def _hit(index_dir, article_id: str) -> dict:
    application = app_for(index_dir)
    try:
        client = application.test_client()
        body = client.get("/api/search", query_string={"collapse": "0", "per_page": "100"}).json
    finally:
        close_app(application)
    return next(hit for hit in body["results"] if hit["id"] == article_id)


def _story_of(index_dir, article_id: str) -> str:
    return _hit(index_dir, article_id)["story"]


def _versions(index_dir, article_id: str) -> int:
    return _hit(index_dir, article_id)["versions"]


def test_a_missing_table_of_stories_is_named_by_check_and_update(built, indexer, index_dir):
    """Without its stories file a generation still serves searches, but an update cannot
    group, and says what to do; the index in use stays."""
    (table,) = (index_dir / "gen-000001").glob("stories-*.npz")
    table.unlink()
    checked = indexer("check")
    assert checked.exit_code == 1 and "stories-*.npz" in checked.stderr
    news = write_jsonl(built / "more.jsonl", [_other_story()])
    updated = indexer("update", str(news))
    assert updated.exit_code != 0 and "indexer rebuild" in updated.stderr
    assert "Traceback" not in updated.stderr
    assert json.loads(indexer("stats", "--json").output)["generation"] == "gen-000001"
