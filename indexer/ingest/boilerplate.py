"""Lines of a page that are not its story: comment notices, headings over lists of other
stories, one-line promotions of other stories. Shared by the HTML and the plain-text readers."""

from __future__ import annotations

import re

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
    r"latest (?:news|stories)|top stories|around the web)\b",
    re.I,
)
SENTENCE_END = tuple(".!?")
_HEADING_MAX_WORDS = 8


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
    """One line promoting another story: "Read more: Ferry fares rise", "ALSO READ: ..."."""
    heading, colon, rest = line.partition(":")
    return bool(colon and rest.strip()) and bool(_OTHER_STORIES_HEADING.fullmatch(heading))
