"""Lines of a page that are not its story: comment notices, headings over lists of other
stories, one-line promotions of other stories (shared by the HTML and the plain-text readers);
and around the story an extractor keeps of an HTML page, the headline repeated, bylines and
datelines, boxes of other stories in the middle, prompts to subscribe or share, and tags.

These are rules over lines of text, in the few languages they name; each was measured on the
article extraction benchmark (``python -m bench pages``), none is about one site.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from indexer.ingest.dates import looks_like_date, without_label
from indexer.ingest.titles import words_of

# Lines that end a story: a notice about comments, or the heading of a list of other stories.
_COMMENT_NOTICE = re.compile(
    r"join the conversation|comment provider|comments? (?:are|is|have been|has been) "
    r"(?:closed|disabled|turned off|switched off)|commenting (?:is|has been) (?:closed|disabled)|"
    r"(?:leave|post|add|write) a comment|be the first to comment|comment(?:ing)? policy|"
    r"(?:sign|log) in to comment|(?:show|view|load|read) (?:all )?comments",
    re.I,
)
_COMMENTS_HEADING = re.compile(r"^\W*(?:\d+\s+)?comments?\W*(?:\d+\W*)?$", re.I)
_OTHER_STORIES_HEADING = re.compile(
    r"^\W*(?:more (?:from|stories|news|on this)|related(?: stories| articles| news| coverage| "
    r"content| posts| links| topics)?|read (?:more|next|also)|also read|you (?:may|might) "
    r"(?:also )?(?:like|be interested)|recommended|trending|most (?:read|popular|viewed|shared)|"
    r"latest (?:news|stories)|top stories|around the web|don'?t miss|see (?:also|more)|"
    r"à lire aussi|lire aussi|leia também|lee también|lesen sie auch|mehr zum thema|"
    r"watch|listen)\b",
    re.I,
)
_ALSO_ON_SITE = re.compile(r"^\W*also on [\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\s+\S", re.I)
SENTENCE_END = tuple(".!?")
_HEADING_MAX_WORDS = 8
_BYLINE = re.compile(
    r"^(?:by|par|por|von|di|door|av|af|przez|от|written by|text|texto|texte|reporting by|"
    r"interview(?:ed)? by|interview|propos recueillis par|entrevista(?:do|da)? por|"
    r"a cura di|rozmawiał[a]?|das gespräch führte|حاوره|حاورته|حاورها|أجرى الحوار|"
    r"أجرت الحوار|本报记者|记者)[\s:：]+\w",
    re.I,
)
# A line naming where the story comes from: "来源：…", "Source: …", "Fuente: …".
_SOURCE = re.compile(r"^(?:来源|出处|source|fuente|fonte|quelle)\s*[:：]", re.I)
# A reporter's credit on the story's first line, or run into it ("本报记者 王明 港口的…"): the
# credit, names of two to four characters, and a space before the story goes on.
_CREDIT_PREFIX = re.compile(r"^\S{0,8}记者(?:\s*[\u4e00-\u9fff]{2,4}(?:[、\s]|$))+\s*")
_STAMP = re.compile(
    r"^\W*(?:updated|published|posted|last updated|modified|publicado|actualizado|"
    r"aktualisiert|veröffentlicht|mis à jour|publié)\b",
    re.I,
)
_PROMPT = re.compile(
    r"newsletter|(?:delivered|straight) (?:to|in|into|through) your (?:inbox|letterbox)|"
    r"in your inbox|tell us what you think|share (?:it|this (?:story|article)) with|"
    r"^follow\b.{0,60}\bon (?:twitter|facebook|instagram)|follow (?:us|him|her|them|me) @|"
    r"(?:like|love) to hear (?:from you|what you think)",
    re.I,
)
_TAGS_HEADING = re.compile(
    r"^\W*(?:tags?|tagged(?: with)?|topics|etiquetas|schlagw[öo]rter|mots[- ]cl[ée]s|"
    r"palavras[- ]chave|temas)\W*$",
    re.I,
)
# A picture's caption ends with its credit: "… in August. Photo: Ida Brannock", "(Foto: dpa)".
_CAPTION = re.compile(
    r"(?:^|[\s(\[])(?:photo(?:graph)?|foto(?:grafía)?|picture|image|bild|crédit photo)s?"
    r"(?: credit)?\s*(?::|©|/)\s*[^.!?:]{1,80}[)\]]?$",
    re.I,
)
_CAPTION_MAX_WORDS = 40
_LEADING_LINES_CHECKED = 3
_BYLINE_MAX_WORDS = 15
_BYLINE_MAX_IDEOGRAPHIC = 30  # characters of a byline in Chinese or Japanese
_IDEOGRAPHS = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
_STAMP_MAX_CHARACTERS = 30
_PROMPT_MAX_WORDS = 40
_BOX_ITEM_MAX_WORDS = 20
_BOX_ITEM_TAG = re.compile(r"\[[A-Z]+\]\W*$")  # "… [INSIGHT]": a tabloid's list of links


def story_lines(lines: list[str]) -> list[str]:
    """``lines`` up to the end of the story: everything from the first comment notice or heading
    of a list of other stories on is left out, as are lines that promote one other story ("Read
    more: ..."). Blank lines are kept; a marker before any story text is ignored."""
    kept: list[str] = []
    has_story = False
    for line in lines:
        text = line.strip()
        if has_story and (is_comment_notice(text) or is_other_stories_heading(text)):
            break
        if not _is_story_promotion(text):
            kept.append(line)
            has_story = has_story or bool(text)
    return kept


def is_comment_notice(line: str) -> bool:
    """A line about commenting on the story ("Comments are closed", "Join the conversation")."""
    mentions_comments = "comment" in line.lower()
    return mentions_comments and bool(_COMMENT_NOTICE.search(line) or _COMMENTS_HEADING.match(line))


def is_other_stories_heading(line: str) -> bool:
    """A short heading over other stories: "More from The Gazette", "Related stories"."""
    return (
        bool(_OTHER_STORIES_HEADING.match(line))
        and len(line.split()) <= _HEADING_MAX_WORDS
        and not line.endswith(SENTENCE_END)
        and not _is_story_promotion(line)
    )


def _is_story_promotion(line: str) -> bool:
    """One line promoting another story: "Read more: Ferry fares rise", "ALSO READ: ...",
    "Also on coastcourier.example Ferry fares rise"."""
    heading, colon, rest = line.partition(":")
    promotes = bool(colon and rest.strip()) and bool(_OTHER_STORIES_HEADING.fullmatch(heading))
    return promotes or _ALSO_ON_SITE.match(line) is not None


def page_story_lines(
    lines: Sequence[str], headlines: Sequence[str], languages: Sequence[str] = ()
) -> list[str]:
    """The lines of the story an extractor kept of an HTML page, without what surrounds it:
    the headline repeated at the top, bylines and datelines, boxes of other stories, prompts to
    subscribe, share or comment, and the tags at the end."""
    kept = [line.strip() for line in lines if line.strip()]
    kept = _without_leading(kept, lambda line: _is_headline(line, headlines))
    kept = _without_leading(kept, lambda line: _is_byline_or_dateline(line, languages))
    kept[:1] = [text for text in (_CREDIT_PREFIX.sub("", line) for line in kept[:1]) if text]
    kept = [line for line in kept if not is_caption(line)]
    kept = story_lines(_without_boxes(kept))
    kept = [line for line in kept if not is_prompt(line)]
    return _before_tags(kept)


def is_caption(line: str) -> bool:
    """A picture's caption, known by the credit it ends with ("Photo: Ida Brannock")."""
    return len(line.split()) <= _CAPTION_MAX_WORDS and _CAPTION.search(line) is not None


def is_prompt(line: str) -> bool:
    """A prompt to subscribe, follow or share ("Get the latest updates in your inbox")."""
    return len(line.split()) <= _PROMPT_MAX_WORDS and _PROMPT.search(line) is not None


def _without_leading(lines: list[str], unwanted: Callable[[str], bool]) -> list[str]:
    """``lines`` without the unwanted among the first few."""
    head = [line for line in lines[:_LEADING_LINES_CHECKED] if not unwanted(line)]
    return head + lines[_LEADING_LINES_CHECKED:]


def _is_headline(line: str, headlines: Sequence[str]) -> bool:
    words = words_of(line)
    return bool(words) and any(words == words_of(headline) for headline in headlines)


def _is_byline_or_dateline(line: str, languages: Sequence[str]) -> bool:
    """A short line naming the author ("By Mara Quillon, Chief reporter"), or stating the date
    ("Monday 14 October", "Updated at 1:23 p.m."), rather than telling the story."""
    if len(line.split()) > _BYLINE_MAX_WORDS or line.endswith("."):
        return False
    if _IDEOGRAPHS.search(line) and len(line) > _BYLINE_MAX_IDEOGRAPHIC:
        return False  # words are not spaced: a long line is a sentence
    if _BYLINE.match(line) or _STAMP.match(line) or _SOURCE.match(line):
        return True
    stamp = without_label(line)
    return _is_mostly_digits(stamp) or looks_like_date(stamp, languages)


def _is_mostly_digits(line: str) -> bool:
    """A short line of numbers ("2016年10月14日07:17", "05.10.2018 | 14:02"): a date stamp in a
    form dateparser may not read."""
    characters = "".join(line.split())
    digits = sum(char.isdigit() for char in characters)
    return len(characters) <= _STAMP_MAX_CHARACTERS and digits * 2 >= len(characters)


def _without_boxes(lines: list[str]) -> list[str]:
    """``lines`` without boxes of other stories: a heading ("Don't miss", "Related stories")
    and the headlines under it, up to where the story goes on."""
    kept: list[str] = []
    in_box = False
    for line in lines:
        if kept and is_other_stories_heading(line):
            in_box = True
            continue
        if in_box and _is_box_item(line):
            continue
        in_box = False
        kept.append(line)
    return kept


def _is_box_item(line: str) -> bool:
    """A headline in a list of links: short, no full stop, or tagged like "[INSIGHT]"."""
    short = len(line.split()) <= _BOX_ITEM_MAX_WORDS and not re.search(r"[.!?\"”’]\W*$", line)
    return short or line.startswith("- ") or _BOX_ITEM_TAG.search(line) is not None


def _before_tags(lines: list[str]) -> list[str]:
    """``lines`` up to a heading over the story's tags ("Tags", "Schlagwörter")."""
    for number, line in enumerate(lines):
        if number and _TAGS_HEADING.match(line):
            return lines[:number]
    return lines
