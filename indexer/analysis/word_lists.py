"""The word lists the project ships, one file per language in a folder per kind of list:

- ``stop_words/<language>.txt``: words too common to index, one a line (``#`` starts a comment);
- ``question_words/<language>.txt``: the words a question or request is made of ("what articles
  are there about"), which a search leaves out; ``[asking for]`` and ``[about]`` start the groups
  that are left out only together ("articles on");
- ``function_words/<language>.txt``: the closed classes of words (auxiliaries, pronouns,
  determiners, prepositions, conjunctions) that a phrase the search box offers never starts
  or ends with.

A language with no file has an empty list.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

_FILE_NAMES = {"en": "english"}  # a language's code -> the name of its files


@cache
def stop_words(language: str) -> frozenset[str]:
    """The stop words shipped for a language (an empty set where none are)."""
    words: set[str] = set()
    for line in _lines("stop_words", language):
        words.update(line.split())
    return frozenset(words)


def function_words(language: str) -> frozenset[str]:
    """The function words shipped for a language, with its stop words."""
    words = set(stop_words(language))
    for line in _lines("function_words", language):
        words.update(line.split())
    return frozenset(words)


@cache
def question_word_groups(language: str) -> dict[str, frozenset[str]]:
    """The question words shipped for a language, by group: ``words`` (left out wherever they
    stand), ``asking for`` and ``about``; empty groups where no list ships."""
    groups: dict[str, set[str]] = {"words": set(), "asking for": set(), "about": set()}
    group = groups["words"]
    for line in _lines("question_words", language):
        if line.startswith("[") and line.endswith("]"):
            group = groups[line[1:-1]]
        else:
            group.update(line.lower().split())
    return {name: frozenset(words) for name, words in groups.items()}


def _lines(kind: str, language: str) -> list[str]:
    """The lines of a list with their comments and blank lines left out."""
    name = _FILE_NAMES.get(language, language)
    try:
        text = resources.files(f"indexer.analysis.{kind}").joinpath(f"{name}.txt")
        lines = text.read_text("utf-8").splitlines()
    except FileNotFoundError:
        return []
    stripped = (line.split("#", 1)[0].strip() for line in lines)
    return [line for line in stripped if line]
