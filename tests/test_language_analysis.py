"""Analysis by language, in memory: how words are cut and normalised in each script, how an
article's language is decided, and how the preferred languages of a search are read."""

from __future__ import annotations

import pickle
import sys

import pytest

from indexer.analysis.language_id import article_language, identify_language
from indexer.analysis.tokenizer import LanguageText, NewsAnalyzer, text_analyzer
from indexer.errors import SchemaMismatchError
from indexer.ingest.articles import ArticleRecord
from indexer.search.query_languages import accept_languages


def terms(text: str, language: str, analyzer: NewsAnalyzer | None = None) -> list[str]:
    analyzer = analyzer or text_analyzer()
    return [t.text for t in analyzer(LanguageText(text, language), mode="index")]


def query(word: str, language: str, analyzer: NewsAnalyzer | None = None) -> list[str]:
    analyzer = analyzer or text_analyzer()
    surface = [t.text for t in analyzer(word, mode="query")]
    return [term for w in surface for term in analyzer.query_terms(w, language)]


@pytest.mark.parametrize(
    ("text", "language", "kept", "not_folded_to"),
    [
        ("が", "ja", "ja:が", "ja:か"),  # the voicing mark is part of the kana
        ("ぱん", "ja", "ja:ぱん", "ja:はん"),
        ("район", "ru", "ru:район", "ru:раион"),  # й is a letter of its own
        ("ใกล้", "th", "th:ใกล้", "th:ใกล"),  # the tone mark stays
        ("ပိတ်", "my", "my:ပိတ်", "my:ပိတ"),  # the asat stays
        ("हिन्दी", "hi", "hi:हिन्द", "hi:हनद"),  # vowel signs and virama inside the word
    ],
)
def test_marks_of_other_scripts_are_kept(text, language, kept, not_folded_to) -> None:
    indexed = terms(text, language)
    assert kept in indexed and not_folded_to not in indexed


def test_latin_letters_are_folded_after_stemming_where_accents_are_suffixes() -> None:
    assert terms("nationalité", "fr") == ["fr:national"]  # Snowball reads the é of -ité
    assert query("Nationalité", "fr") == ["fr:national"]
    assert terms("café", "en") == query("cafe", "en") == ["en:cafe"]
    assert terms("Straße", "de") == query("strasse", "de") == ["de:strass"]


@pytest.mark.parametrize(
    ("indexed", "queried", "language"),
    [
        ("wyborach", "wybory", "pl"),  # Polish and Czech: Snowball's, not in NLTK
        ("vlády", "vláda", "cs"),
        ("выборов", "выборы", "ru"),
        ("Ärzte", "Arzt", "de"),
        ("eduskunnassa", "eduskunta", "fi"),
        ("elezioni", "elezione", "it"),
        ("الانتخابات", "انتخابات", "ar"),  # the article al- off, and the plural
        ("والانتخابات", "إنتخابات", "ar"),  # wa-al- off; the alef forms are one
        ("مَدْرَسَةٌ", "المدرسة", "ar"),  # diacritics out, ة as ه
    ],
)
def test_inflected_forms_meet_in_their_language(indexed, queried, language) -> None:
    assert terms(indexed, language) == query(queried, language)


def test_unspaced_text_is_cut_into_bigrams_and_characters() -> None:
    indexed = terms("人工智能", "zh")
    assert indexed == ["zh:人", "zh:人工", "zh:工", "zh:工智", "zh:智", "zh:智能", "zh:能"]
    assert query("人工智能", "zh") == ["zh:人工", "zh:工智", "zh:智能"]  # their phrase
    assert query("智能", "zh") == ["zh:智能"] and query("能", "zh") == ["zh:能"]


def test_thai_and_burmese_are_cut_into_dictionary_words() -> None:
    assert terms("การเลือกตั้ง", "th") == ["th:การ", "th:เลือก", "th:ตั้ง"]
    assert terms("မြန်မာစာ", "my") == ["my:မြန်မာ", "my:စာ"]


def test_without_icu_dictionary_scripts_are_cut_into_grapheme_bigrams() -> None:
    graphemes = NewsAnalyzer(tagged=True, stemming=True, stops=True, segmenter="graphemes")
    assert terms("ที่นี่", "th", graphemes) == ["th:ที่", "th:ที่นี่", "th:นี่"]  # marks stay on
    assert query("ที่นี่", "th", graphemes) == ["th:ที่นี่"]
    restored = pickle.loads(pickle.dumps(graphemes))
    assert restored == graphemes and restored.segmenter.kind == "graphemes"


def test_an_index_cut_with_icu_says_so_where_icu_is_missing(monkeypatch) -> None:
    analyzer = NewsAnalyzer(tagged=True, stemming=True, stops=True, segmenter="icu")
    monkeypatch.setitem(sys.modules, "icu", None)  # import icu now fails
    with pytest.raises(SchemaMismatchError, match="PyICU"):
        terms("การเลือกตั้ง", "th", analyzer)


def test_words_of_another_script_go_to_that_scripts_namespace() -> None:
    assert terms("Apple 发布", "zh") == ["latn:apple", "zh:发", "zh:发布", "zh:布"]
    assert terms("东京 report", "en") == ["hani:东", "hani:东京", "hani:京", "en:report"]
    assert terms("2024年", "ja") == ["2024", "ja:年"]  # a number has no namespace


def article(title: str, body: str = "", language: str = "") -> ArticleRecord:
    return ArticleRecord(id="a", title=title, body=body, language=language)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("東京で体罰が問題になった", "ja"),  # kana
        ("人工智能改变港口管理", "zh"),  # Han without kana
        ("서울에서 선거가 열렸다", "ko"),
        ("การเลือกตั้งท้องถิ่น", "th"),
        ("ရန်ကုန်မြို့တွင် မိုးရွာသည်", "my"),
        ("הבחירות לעירייה יתקיימו בחודש הבא", "he"),
        ("Городская избирательная комиссия сообщила, что выборы мэра пройдут в сентябре.", "ru"),
        ("Міська виборча комісія повідомила, що вибори мера відбудуться у вересні.", "uk"),
        ("أعلنت اللجنة الانتخابية أن الانتخابات البلدية ستجري في الشهر المقبل", "ar"),
        ("The harbour authority said the night ferries would sail again.", "en"),
        ("Les pêcheurs ont bloqué l'entrée du port pendant toute la matinée.", "fr"),
        ("Vláda na svém pondělním zasedání schválila nový zákon o veřejné dopravě.", "cs"),
        ("2024 — 1,000", "und"),  # no letters
        ("ok", "und"),  # too few to tell
    ],
)
def test_the_language_of_text_is_told_by_script_then_words(text, expected) -> None:
    assert identify_language(text) == expected


def test_a_declared_language_comes_first_unless_the_script_contradicts_it() -> None:
    assert article_language(article("The ferries return", language="fr")) == "fr"
    assert article_language(article("東京で体罰が問題になった", language="en")) == "ja"
    assert article_language(article("東京", language="en")) == "en"  # too little to overrule
    assert article_language(article("The harbour authority said so", language="und")) == "en"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("de-DE,de;q=0.9,en;q=0.8", ("de",)),
        ("en-GB, en-US;q=1.0, fr;q=0.5", ("en",)),
        ("fr;q=0.4, ja;q=0.8", ("ja",)),
        ("*", ()),
        ("", ()),
        ("x;q=abc, ;;, de;q=0", ()),
    ],
)
def test_the_preferred_languages_of_accept_language(header, expected) -> None:
    assert accept_languages(header) == expected
