"""The heading grammar of the lexicon, compiled once: which level a paragraph opens, and where list items start."""
from __future__ import annotations

import re

from assistant import lexicon
from assistant.text import normalize

_LEVELS = tuple((level, re.compile(f"^(?:{pattern})")) for level, pattern in lexicon.HEADING_LEVELS)
_ANY = re.compile("^(?:" + "|".join(p for _, p in lexicon.HEADING_LEVELS) + ")")
_OR_SUBPOINT = re.compile("^(?:" + "|".join([p for _, p in lexicon.HEADING_LEVELS] + [lexicon.SUBPOINT]) + ")")
SUBPOINT_LEVEL = 5


def heading_level(text: str) -> int | None:
    """The heading level a paragraph opens with (1 = 一、 … 4 = (1)), or None for body text.

    Example:
        >>> heading_level("（二）规范行政执法"), heading_level("2.5%的案件")
        (2, None)
    """
    folded = normalize(text).lstrip()
    for level, pattern in _LEVELS:
        if pattern.match(folded):
            if folded.startswith(")") and len(folded) > lexicon.BROKEN_HEADING_MAX:
                return None
            return level
    return None


def opens_heading(folded: str) -> bool:
    """Whether folded text starts with any heading number, whatever its length."""
    return bool(_ANY.match(folded))


def opens_heading_or_subpoint(folded: str) -> bool:
    """Whether folded text starts with a heading number or a sub-point ("二是")."""
    return bool(_OR_SUBPOINT.match(folded))
