"""Text normalisation for matching, and sentence splitting that keeps the original characters."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from assistant import lexicon

_SPACE_BEFORE_CJK = re.compile(r"(?<=[0-9A-Za-z%])[ \t\u3000]+(?=[\u4e00-\u9fff%])")
_SPACE_AFTER_CJK = re.compile(r"(?<=[\u4e00-\u9fff])[ \t\u3000]+(?=[0-9\u4e00-\u9fff])")
_MULTISPACE = re.compile(r"[ \t\u3000]+")
SENTENCE_END = lexicon.SENTENCE_END
_SENTENCE = re.compile(rf"[^{SENTENCE_END}\n]*(?:[{SENTENCE_END}]+[{lexicon.CLOSING_QUOTES}]*|\n|$)")


def normalize(text: str) -> str:
    """Fold text for matching: NFKC (full-width → half-width brackets, digits, letters), traditional
    characters to simplified (常務會議 → 常务会议), no markdown bold, and no spaces between figures and
    Chinese ("2020 年" → "2020年"). Never used for quotes, which keep the report's own characters."""
    text = simplified(unicodedata.normalize("NFKC", text).replace("**", ""))
    return _MULTISPACE.sub(" ", tighten(text))


def simplified(text: str) -> str:
    """Traditional Chinese folded to simplified with OpenCC (phrase-aware: 乾隆 stays, 乾淨 → 干净)."""
    return _converter().convert(text) if text else text


@lru_cache(maxsize=1)
def _converter():
    try:
        import opencc
    except ImportError as exc:  # pragma: no cover - a core dependency
        raise ImportError("Folding traditional characters needs OpenCC: pip install opencc") from exc
    return opencc.OpenCC("t2s")


def folding_version() -> str:
    """What normalize() depends on besides this code: the OpenCC release (saved with the index)."""
    from importlib.metadata import version

    return f"opencc {version('opencc')} t2s"


def tighten(text: str) -> str:
    """Drop spaces between figures and Chinese ("2020 年" → "2020年") without folding any character."""
    return _SPACE_AFTER_CJK.sub("", _SPACE_BEFORE_CJK.sub("", text))


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return (start, end) spans of the sentences in ``text``, split after 。！？；.

    Spans cover the original characters, so a quote is always a slice of the report.
    """
    spans = []
    for match in _SENTENCE.finditer(text):
        start, end = match.span()
        if end <= start:
            continue
        chunk = text[start:end]
        stripped = chunk.strip()
        if not stripped:
            continue
        lead = len(chunk) - len(chunk.lstrip())
        trail = len(chunk) - len(chunk.rstrip())
        spans.append((start + lead, end - trail))
    return spans


def display(text: str) -> str:
    """Text for showing a quote: the report's words, without markdown bold markers or line breaks."""
    return re.sub(r"\s*\n\s*", "", text.replace("**", "")).strip()
