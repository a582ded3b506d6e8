"""Sentence boundaries learned from the archive: where teasers end and snippets start.

Where sentences end is told by NLTK's Punkt, trained without labels on the archive's own
opening paragraphs at ``indexer rebuild``, one model per language with enough text: it learns
the language's abbreviations ("U.S.", "Gen.", "Jan.") from how their periods are used, none
listed by hand, and nothing is downloaded. The models are kept in the generation's
``sentences-<hash>.json`` (Punkt's parameters as plain data), so ``indexer update`` cuts its new
articles' teasers as the rebuild did (``teasers``), and the search reads them to start a
snippet where a sentence starts. Text written without spaces (Chinese, Japanese) ends its
sentences with its own full stops, found by a pattern.

NLTK 3.10 runs each of Punkt's regular expressions under a time limit (``nltk.redos``), a
guard against patterns a caller supplies that backtrack without end; checking it reads the
process's CPU clock, a system call, at every match: 40% of Punkt's time here, in training and
in cutting teasers (a snippet asks Punkt about a doubtful period only). Punkt's patterns are
NLTK's own, and the text it is given here is short (training openings of OPENING_CHARS, a
teaser's first TEASER_LENGTH + 80 characters, the _CONTEXT around a doubtful period), so its
matches are bounded without the limit, which is turned off for the process (NLTK's documented
``DEFAULT_TIMEOUT``).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from nltk import redos
from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer, PunktTrainer

from indexer.errors import IndexCheckError

redos.DEFAULT_TIMEOUT = None  # see above: Punkt's matches are bounded by the text given it

SENTENCES_FILES = "sentences-*.json"  # one per generation, named by its content
TRAINING_CHARS = 300_000  # of each language's opening paragraphs (training reads ~0.3 MB/s)
OPENING_CHARS = 1000  # of each body, read for training
MIN_TRAINING_CHARS = 20_000  # a language with less text is cut with an untrained model
_UNSPACED_END = re.compile(r"[。！？]+[」』”）)]*")
_SPACED_END = re.compile(r"[.!?]+[\"'”’»)\]]*\s+(?=\S)")  # a candidate end, up to the next word
_CONTEXT = 30  # characters around a doubtful period that Punkt reads (the words either side)
_LONGEST_WORD = 40  # characters looked back for the word before a period
_UNSPACED_LANGUAGES = frozenset({"zh", "ja", "yue", "wuu"})
_FORMAT = 1


class SentenceModels:
    """Each language's Punkt parameters (by primary language code)."""

    def __init__(self, parameters: dict[str, PunktParameters]) -> None:
        self.parameters = parameters
        self._tokenizers: dict[str, PunktSentenceTokenizer] = {}

    @classmethod
    def train(cls, openings: dict[str, list[str]]) -> SentenceModels:
        """Models trained on ``openings``: the opening text of bodies, by language."""
        parameters = {}
        for language, texts in sorted(openings.items()):
            sample = _sample(texts)
            if language in _UNSPACED_LANGUAGES or len(sample) < MIN_TRAINING_CHARS:
                continue
            trainer = PunktTrainer()
            trainer.train(sample, finalize=True)
            parameters[language] = trainer.get_params()
        return cls(parameters)

    @classmethod
    def load(cls, folder: Path) -> SentenceModels:
        try:
            (path,) = folder.glob(SENTENCES_FILES)
            saved = json.loads(path.read_text(encoding="utf-8"))
            if saved.get("format") != _FORMAT:
                raise ValueError(f"format {saved.get('format')!r}, this newsindex reads {_FORMAT}")
            models = {lang: _parameters(data) for lang, data in saved["languages"].items()}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise IndexCheckError(
                f"the index in {folder} has no one readable {SENTENCES_FILES} ({exc}): run "
                "`indexer rebuild`"
            ) from exc
        return cls(models)

    def save(self, folder: Path) -> None:
        languages = {lang: _plain(params) for lang, params in sorted(self.parameters.items())}
        content = json.dumps({"format": _FORMAT, "languages": languages}, sort_keys=True)
        data = content.encode("utf-8")
        name = hashlib.blake2b(data, digest_size=8).hexdigest()
        (folder / SENTENCES_FILES.replace("*", name)).write_bytes(data)

    def sentence_ends(self, text: str, language: str) -> list[int]:
        """The offsets in ``text`` where a sentence ends (its last character's end)."""
        if language in _UNSPACED_LANGUAGES:
            return [found.end() for found in _UNSPACED_END.finditer(text)]
        return [end for _start, end in self._tokenizer(language).span_tokenize(text)]

    def sentence_start(
        self, text: str, low: int, high: int, language: str, decided: dict[int, bool]
    ) -> int | None:
        """The last offset from ``low`` to ``high`` in ``text`` where a sentence starts (after
        the end of one: the text's start is not counted); None where none does. Only a period
        Punkt could read otherwise (after an abbreviation, an initial, a number) is given to
        Punkt with the text around it: any other full stop ends a sentence for Punkt too, and
        one that ends a paragraph ends a sentence whatever comes before it.
        ``decided`` keeps Punkt's answers for ``text`` (by offset) for the next call."""
        if language in _UNSPACED_LANGUAGES:
            ends = [m.end() for m in _UNSPACED_END.finditer(text, max(0, low - 3), high)]
            return next((end for end in reversed(ends) if low <= end <= high), None)
        candidates = list(_SPACED_END.finditer(text, max(0, low - 8), high + 1))
        for found in reversed(candidates):
            if found.end() < low:
                return None
            if "\n" in found.group() or "." not in found.group():
                return found.end()  # a paragraph's end, "?" and "!" end a sentence, always
            if not self._doubtful(text, found.start(), language):
                return found.end()
            if found.end() not in decided:
                decided[found.end()] = self._punkt_breaks(text, found, language)
            if decided[found.end()]:
                return found.end()
        return None

    def _doubtful(self, text: str, period: int, language: str) -> bool:
        """Whether Punkt could read the period at ``period`` as no sentence's end: after an
        abbreviation it learned, an initial, a number, or a word with periods in it."""
        looked_from = max(0, period - _LONGEST_WORD)
        space = max(text.rfind(" ", looked_from, period), text.rfind("\n", looked_from, period))
        typ = text[max(space + 1, looked_from) : period].lstrip("\"'“‘«([").lower()
        if len(typ) <= 1 or typ[-1].isdigit() or "." in typ:
            return True
        params = self.parameters.get(language)
        abbreviations = params.abbrev_types if params is not None else set()
        return typ in abbreviations or typ.split("-")[-1] in abbreviations

    def _punkt_breaks(self, text: str, found: re.Match[str], language: str) -> bool:
        start = max(0, found.start() - _CONTEXT)
        read = text[start : found.end() + _CONTEXT]
        starts = {begin for begin, _end in self._tokenizer(language).span_tokenize(read)}
        return found.end() - start in starts

    def _tokenizer(self, language: str) -> PunktSentenceTokenizer:
        tokenizer = self._tokenizers.get(language)
        if tokenizer is None:
            tokenizer = PunktSentenceTokenizer(self.parameters.get(language, PunktParameters()))
            self._tokenizers[language] = tokenizer
        return tokenizer


def _sample(texts: list[str]) -> str:
    """About TRAINING_CHARS of ``texts``, spread over all of them."""
    total = sum(len(text) for text in texts)
    step = max(1, round(total / TRAINING_CHARS))
    return "\n\n".join(texts[::step])


def _plain(params: PunktParameters) -> dict[str, Any]:
    return {
        "abbrev_types": sorted(params.abbrev_types),
        "collocations": sorted(list(pair) for pair in params.collocations),
        "sent_starters": sorted(params.sent_starters),
        "ortho_context": dict(sorted(params.ortho_context.items())),
    }


def _parameters(data: dict[str, Any]) -> PunktParameters:
    params = PunktParameters()
    params.abbrev_types = set(data["abbrev_types"])
    params.collocations = {tuple(pair) for pair in data["collocations"]}
    params.sent_starters = set(data["sent_starters"])
    for word, flags in data["ortho_context"].items():
        params.ortho_context[word] = int(flags)
    return params
