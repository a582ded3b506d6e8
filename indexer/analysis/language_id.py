"""Each article's language: what its source declares, else its script, else an identifier.

The order (``article_language``):

1. the language the source declares (the record's ``language``, which the readers fill from
   ``<html lang>``, JSON-LD ``inLanguage`` and the feed's language), unless the text is plainly in
   another script (a page template that says ``lang="en"`` around a Japanese article);
2. the script, where it names one language: kana -> ja, Han without kana -> zh, Hangul -> ko,
   Thai, Lao, Khmer, Myanmar, Hebrew, Greek, Armenian, Georgian and the Indic scripts;
3. for a script that several languages share (Latin, Cyrillic, Arabic, Devanagari), py3langid
   (a naive Bayes identifier that ships its model), choosing among that script's languages; before
   it, a cheaper and certain test decides plainly English text (frequent English words make up a
   sixth of its words, two of them used by no other language), which is most of an English
   archive and spares it py3langid's 0.3 ms an article;
4. else ``und`` (undetermined): no letters, or the identifier is not sure enough.

The model is loaded on first use (0.35 s of CPU, 70 MB) and kept by the process; a parallel
rebuild loads it before it forks (``load_identifier``), and starts that load beside its reading
of the sources (``load_identifier_in_background``).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import re
import tempfile
import threading
from collections.abc import Sequence
from multiprocessing.process import BaseProcess
from typing import IO, Protocol, cast

from indexer.analysis.scripts import (
    LANGUAGES_BY_SCRIPT,
    SCRIPT_LANGUAGE,
    ascii_letters,
    letter_scripts,
    writing_scripts,
)
from indexer.forked import setup_forked_process

UNDETERMINED = "und"
SAMPLE_CHARS = 600  # of title, teaser and body: what identification reads
IDENTIFIER_CHARS = 300  # of those, what py3langid reads (its cost grows with the text)
MIN_CONFIDENCE = 0.8  # py3langid's probability among the script's languages (news text: > 0.99)
MIN_LETTERS = 12
LOADING_SECONDS = 60  # the model's loading process takes 0.35 s: one still at it is stuck

_KANA = ("Hira", "Kana")
# Frequent English words: those no other language uses (STRONG), and those other languages use
# too, less often (WEAK). Where they make up a sixth of the first hundred words, two of them
# English only, the text is English: py3langid agrees on such news text (README, Languages).
_ENGLISH_STRONG = frozenset(
    "the and that with from this which their been would its were have has they said says there "
    "after about who than when what more could should into new first year years people his she "
    "him our your you not but out just how why where while because before back down off only "
    "other some such these those through very well make made like get gets got against between "
    "being each every many most much must own same since still then too two three four five "
    "week day time world government officials billion company shares news city country home "
    "help show next big high right left end".split()
)
_ENGLISH_WEAK = frozenset(
    "of to in is for on by at as be it or an are was will over also her can all up now one no "
    "a".split()
)
_ENGLISH_WEIGHTS = {**dict.fromkeys(_ENGLISH_WEAK, 1), **dict.fromkeys(_ENGLISH_STRONG, 2)}
_WORD = re.compile(r"[^\W\d_]+")
_DIGIT = re.compile(r"\d")
_ALPHANUMERIC = re.compile(r"[^\W_]")
ENGLISH_TEST_CHARS = 400  # what the English test reads (its first words, at most a hundred)


class WrittenArticle(Protocol):
    """What identification reads of an article (``ingest``'s ``ArticleRecord`` is one)."""

    @property
    def language(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def teaser(self) -> str: ...
    @property
    def body(self) -> str: ...


def article_language(article: WrittenArticle) -> str:
    """The article's language as a BCP 47 tag (``und`` when it cannot be told)."""
    sample = _sample(article)
    declared = article.language
    if declared and _primary(declared) not in ("und", "mul", "zxx", "mis"):
        if _written_as_declared(declared, sample):
            return declared
    return identify_language(sample)


def primary_language(tag: str) -> str:
    """The primary language subtag, lowercased: ``en-GB`` -> ``en`` (``und`` for none)."""
    return _primary(tag) if tag else UNDETERMINED


def identify_language(text: str) -> str:
    """The language of ``text`` from its script and, for a shared script, its words."""
    if text.isascii():  # most of an English archive: Latin letters only, decided at once
        return _identify_latin(text, ascii_letters(text))
    scripts = letter_scripts(text)
    letters = sum(scripts.values())
    if not letters:
        return UNDETERMINED
    script, count = scripts.most_common(1)[0]
    kana = sum(scripts[s] for s in _KANA)
    if script in ("Hani", *_KANA) and kana >= max(1, (scripts["Hani"] + kana) // 20):
        return "ja"
    if script == "Hani":
        return "zh"
    if script in SCRIPT_LANGUAGE:
        return SCRIPT_LANGUAGE[script]
    if script == "Latn":
        return _identify_latin(text, letters)
    if letters >= MIN_LETTERS and script in LANGUAGES_BY_SCRIPT:
        return _identifier().best(text[:IDENTIFIER_CHARS], script)
    return UNDETERMINED


def _identify_latin(text: str, letters: int) -> str:
    if letters < MIN_LETTERS:
        return UNDETERMINED
    if _plainly_english(text):
        return "en"
    sample = text[:IDENTIFIER_CHARS]
    if len(_DIGIT.findall(sample)) * 5 >= len(_ALPHANUMERIC.findall(sample)):
        return UNDETERMINED  # a table of figures: py3langid tells nothing of it (98% und)
    return _identifier().best(sample, "Latn")


def load_identifier() -> None:
    """Load py3langid's model now, or take it from ``load_identifier_in_background`` (a parallel
    rebuild does, before it forks its writing processes: loading it in each of them took three
    seconds more than once)."""
    _identifier()


def load_identifier_in_background() -> None:
    """Start loading py3langid's model in a forked process, unless it is loaded or loading: a
    rebuild does at the first article without a language, so that the load (decompression,
    mostly) runs on the other core while this process reads the sources. The model comes back
    pickled, through an unnamed file, a tenth of the load to read. (A thread was no faster: it
    took twice as long beside the reading.)"""
    global _pending
    if _loaded is not None or _pending is not None:
        return
    kept = tempfile.TemporaryFile()  # noqa: SIM115 (closed by _loaded_in_background)
    context = multiprocessing.get_context("fork")
    loading = context.Process(
        target=_save_identifier, args=(os.getpid(), kept.fileno()), name="py3langid", daemon=True
    )
    loading.start()
    _pending = (loading, kept)


def _sample(article: WrittenArticle) -> str:
    text = f"{article.title}\n{article.teaser}\n{article.body[:SAMPLE_CHARS]}"
    return text[:SAMPLE_CHARS]


def _primary(tag: str) -> str:
    return tag.split("-", 1)[0].lower()


def _written_as_declared(declared: str, sample: str) -> bool:
    """False when most letters of the text are of a script the declared language is not
    written in (Latin for any language not in the table)."""
    scripts = letter_scripts(sample)
    letters = sum(scripts.values())
    if letters < MIN_LETTERS:
        return True
    expected = writing_scripts(_primary(declared))
    return sum(scripts[s] for s in expected) * 2 >= letters


def _plainly_english(text: str) -> bool:
    words = _WORD.findall(text.lower(), 0, ENGLISH_TEST_CHARS)[:100]
    weights = [w for w in map(_ENGLISH_WEIGHTS.get, words) if w]  # 2: English only, 1: shared
    strong = weights.count(2)
    return (strong >= 2 or (strong == 1 and len(weights) >= 3)) and len(weights) * 6 >= len(words)


class _LanguageModel(Protocol):
    """What is used of py3langid's ``LanguageIdentifier``."""

    labels: Sequence[str]

    def rank(self, text: str) -> list[tuple[str, float]]: ...


class _Identifier:
    """py3langid's model, choosing among the languages of one script."""

    def __init__(self) -> None:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        self.model: _LanguageModel = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        other_scripts = {lang for langs in LANGUAGES_BY_SCRIPT.values() for lang in langs}
        not_latin = other_scripts | {"ja", "zh", "ko", "wuu", "yue", "zxx", "dz"}
        not_latin |= set(SCRIPT_LANGUAGE.values())
        self.candidates = {
            "Latn": frozenset(self.model.labels) - not_latin,
            **{script: frozenset(langs) for script, langs in LANGUAGES_BY_SCRIPT.items()},
        }

    def best(self, text: str, script: str) -> str:
        candidates = self.candidates[script]
        ranked = [(lang, p) for lang, p in self.model.rank(text) if lang in candidates]
        total = sum(p for _lang, p in ranked)
        if not ranked or total <= 0 or ranked[0][1] < MIN_CONFIDENCE * total:
            return UNDETERMINED
        return ranked[0][0]


_loaded: _Identifier | None = None
_loading = threading.Lock()
_pending: tuple[BaseProcess, IO[bytes]] | None = None  # load_identifier_in_background's


def _identifier() -> _Identifier:
    global _loaded
    with _loading:
        if _loaded is None:
            _loaded = _loaded_in_background() or _Identifier()
        return _loaded


def _loaded_in_background() -> _Identifier | None:
    """The model ``load_identifier_in_background`` loaded; None when it was not started, or
    failed (loaded here instead)."""
    global _pending
    if _pending is None:
        return None
    loading, kept = _pending
    _pending = None
    loading.join(LOADING_SECONDS)
    if loading.is_alive():  # stuck (forked while another thread held a lock it needs)
        loading.kill()
        loading.join()
    with kept:
        if loading.exitcode != 0:
            return None
        kept.seek(0)
        return cast(_Identifier, pickle.load(kept))  # noqa: S301 (this run's own process wrote it)


def _save_identifier(run: int, kept: int) -> None:
    """In the process ``load_identifier_in_background`` forked from the run ``run``: the model,
    pickled into the file open as ``kept``."""
    setup_forked_process(run)
    with os.fdopen(kept, "wb", closefd=False) as out:
        pickle.dump(_Identifier(), out, protocol=pickle.HIGHEST_PROTOCOL)
