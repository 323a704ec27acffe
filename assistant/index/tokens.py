"""Chinese word segmentation with jieba for BM25 and for picking a question's key words."""
from __future__ import annotations

import logging
import re
import sys
import threading

from assistant import lexicon
from assistant.text import normalize

_STOPWORDS = frozenset(lexicon.STOPWORDS)
_WORD = re.compile(lexicon.TOKEN)
_lock = threading.Lock()
_tokenizer = None


def _jieba():
    global _tokenizer
    with _lock:
        if _tokenizer is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            for word in lexicon.DOMAIN_WORDS:
                tokenizer.add_word(word, freq=lexicon.DOMAIN_WORD_FREQ)
            _tokenizer = tokenizer
    return _tokenizer


def tokenizer_version() -> str:
    """What the tokens of an index depend on besides the lexicon: the segmenter and its version."""
    import jieba

    return f"jieba {jieba.__version__}"


def tokenize(text: str, search: bool = True) -> list[str]:
    """Segment text into search tokens: jieba's search mode over normalised text, no stopwords or punctuation.

    Args:
        text: any text; it is normalised first.
        search: jieba's search mode (also emits the words inside long words) for BM25;
            False for accurate mode, used to pick a question's key words.

    Example:
        >>> tokenize("肇庆在行政复议方面做了什么？")
        ['肇庆', '行政', '复议', '行政复议']
    """
    return _segment(normalize(text), search)


def _segment(folded: str, search: bool) -> list[str]:
    out = []
    cut = _jieba().cut_for_search if search else _jieba().cut
    for token in cut(folded.lower()):
        token = token.strip()
        if not token or token in _STOPWORDS or not _WORD.search(token):
            continue
        out.append(sys.intern(token))  # one shared object per word: a big corpus holds millions of tokens
    return out


def key_terms(folded: str, drop: frozenset[str] = frozenset()) -> list[str]:
    """Distinct words of already-folded text worth finding in an answer sentence: no stopwords,
    no single characters (digits excepted), none of ``drop``."""
    seen: list[str] = []
    for token in _segment(folded, search=False):
        if token in drop or token in seen:
            continue
        if len(token) == 1 and not token.isdigit():
            continue
        seen.append(token)
    return seen
