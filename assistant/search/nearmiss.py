"""Near-miss place names: a place a question names that no indexed report covers and the gazetteer does not
know, but that is close to the place of an indexed report ("兆庆市" → 肇庆市, "方三县" → 方山县).

Candidates are scored over evidence (the same pinyin, one character swapped, replaced or dropped) and the
best one is offered as "您是否要找肇庆市？". A real place (北京市) is never "corrected": it is a place with no
report. pypinyin reads the pinyin; it is imported lazily and, when missing, only the spelling evidence counts.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from assistant import lexicon
from assistant.regions import gazetteer, short_name

_SUFFIX = "省市县区州旗盟镇乡"
# How much each kind of closeness says that the user meant the indexed place.
WEIGHTS = {"同音": 1.0, "字序颠倒": 0.8, "音近": 0.7, "错一字": 0.6, "少一字": 0.5}
MIN_SCORE = 0.5


@dataclass(frozen=True)
class Candidate:
    """An indexed place the word may stand for, and why."""

    name: str
    path: tuple[str, ...]
    score: float
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Suggestion:
    """A near-miss place: what the question said, the place suggested, and every candidate weighed.

    Example:
        >>> s = suggest("兆庆市全市行政诉讼案件多少件", {"肇庆市": ("广东省", "肇庆市")})
        >>> s.said, s.name, s.best.evidence
        ('兆庆市', '肇庆市', ('同音（zhao qing）',))
    """

    said: str
    start: int
    candidates: tuple[Candidate, ...]

    @property
    def best(self) -> Candidate:
        return self.candidates[0]

    @property
    def name(self) -> str:
        return self.best.name

    def explain(self) -> str:
        """"兆庆市 → 肇庆市：同音（zhao qing）；其他候选：…"."""
        head = f"{self.said} → {self.best.name}：{'、'.join(self.best.evidence)}（{self.best.score:.2f}）"
        rest = "；".join(f"{c.name}：{'、'.join(c.evidence)}（{c.score:.2f}）" for c in self.candidates[1:])
        return head + (f"；其他候选：{rest}" if rest else "")

    def to_dict(self) -> dict:
        return {"said": self.said, "suggested": self.best.name, "path": list(self.best.path),
                "candidates": [{"name": c.name, "score": c.score, "evidence": list(c.evidence)}
                               for c in self.candidates]}


@lru_cache(maxsize=None)
def _char_pinyin(char: str) -> str:
    try:
        from pypinyin import lazy_pinyin
    except ImportError:   # spelling evidence only
        return ""
    return lazy_pinyin(char)[0]


def _pinyin(text: str) -> str:
    """"zhao qing shi": each character's usual reading (cached per character, so thousands of place names
    are keyed in a fraction of a second); '' without pypinyin."""
    sounds = [_char_pinyin(c) for c in text]
    return " ".join(sounds) if all(sounds) else ""


def _one_letter(a: str, b: str) -> bool:
    """shan/san, qing/qin: one letter added, dropped or changed."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


def _evidence(word: str, name: str) -> tuple[float, tuple[str, ...]]:
    """How close ``word`` is to the indexed place ``name`` (both with their suffix, or both without)."""
    if word == name:
        return 0.0, ()
    said = []
    spoken = _pinyin(word)
    if len(word) == len(name) and spoken and spoken == _pinyin(name):
        said.append(("同音", f"同音（{spoken}）"))
    if len(word) == len(name):
        diff = [i for i in range(len(word)) if word[i] != name[i]]
        if len(diff) == 2 and diff[1] == diff[0] + 1 and word[diff[0]] == name[diff[1]] and word[diff[1]] == name[diff[0]]:
            said.append(("字序颠倒", f"字序颠倒（{name[diff[0]:diff[1] + 1]}）"))
        elif len(diff) == 1 and len(name) >= 3:
            said.append(("错一字", f"错一字（{name[diff[0]]}→{word[diff[0]]}）"))
            a, b = _char_pinyin(name[diff[0]]), _char_pinyin(word[diff[0]])
            if a and b and a != b and _one_letter(a, b):
                said.append(("音近", f"音近（{a}/{b}）"))
    elif len(word) == len(name) - 1 and len(word) >= 2 and any(name[:i] + name[i + 1:] == word for i in range(len(name))):
        said.append(("少一字", "少一字"))
    if not said:
        return 0.0, ()
    return max(WEIGHTS[k] for k, _ in said), tuple(text for _, text in said)


class NearIndex:
    """The indexed places' names and short forms, keyed for near-miss look-ups (built once per snapshot): by
    pinyin, with one character masked, with two neighbours swapped, and with one character dropped.

    Example:
        >>> NearIndex({"肇庆市": ("广东省", "肇庆市")}).candidates("兆庆市")
        [('肇庆市', '肇庆市')]
    """

    def __init__(self, indexed: dict[str, tuple[str, ...]]):
        self.indexed = dict(indexed)
        self.forms: dict[str, set[str]] = {}      # a name or short form → the names it is a form of
        self._keys: dict[str, set[tuple[str, str]]] = {}
        for name in self.indexed:
            stem = short_name(name)
            for form in {name} | ({stem} if stem and len(stem) >= 2 else set()):
                self.forms.setdefault(form, set()).add(name)
                for key in self._keys_of(form, own=True):
                    self._keys.setdefault(key, set()).add((form, name))

    @staticmethod
    def _keys_of(form: str, own: bool) -> list[str]:
        keys = ["p:" + _pinyin(form)] if _pinyin(form) else []
        keys += ["m:" + form[:i] + "*" + form[i + 1:] for i in range(len(form))]
        if own:   # what a user's word would be if it swapped two neighbours or dropped one character
            keys += ["t:" + form[:i] + form[i + 1] + form[i] + form[i + 2:] for i in range(len(form) - 1)]
            keys += ["d:" + form[:i] + form[i + 1:] for i in range(len(form))]
        else:
            keys += ["t:" + form, "d:" + form]
        return keys

    def candidates(self, word: str) -> list[tuple[str, str]]:
        """(form, name) pairs ``word`` may be a near miss of."""
        found: set[tuple[str, str]] = set()
        for key in self._keys_of(word, own=False):
            found |= self._keys.get(key, set())
        return sorted(found)


def _occurrences(text: str, word: str) -> list[int]:
    out, at = [], text.find(word)
    while at >= 0:
        out.append(at)
        at = text.find(word, at + 1)
    return out


_NOT_PLACES = frozenset(lexicon.NOT_PLACES)
_COUNTS = set("几多每各两数一二三四五六七八九十百千0123456789")


def _words(folded: str, taken: tuple[tuple[int, int], ...]) -> list[tuple[int, str, str]]:
    """Place-like words of the question: (start, word, the suffix that follows it or ''). A word ends in a
    place suffix (兆庆市), or is a short form followed by one or by 全 (兆庆全市)."""
    out = []
    for end in range(2, len(folded) + 1):
        for length in (2, 3, 4, 5):
            start = end - length
            if start < 0:
                break
            word = folded[start:end]
            if not re.fullmatch(r"[\u4e00-\u9fff]+", word) or any(a < end and start < b for a, b in taken):
                continue
            if word in _NOT_PLACES or (word[0] == "个" and folded[start - 1:start] in _COUNTS):
                continue   # "几个城市" counts cities: no 晋城市 mistyped
            nxt = folded[end:end + 1]
            if word[-1] in _SUFFIX:
                out.append((start, word, ""))
            if nxt and (nxt in _SUFFIX or nxt == "全") and length <= 4:
                out.append((start, word, nxt))
    return out


def suggest(folded: str, indexed: "dict[str, tuple[str, ...]] | NearIndex", taken: tuple[tuple[int, int], ...] = ()
            ) -> Suggestion | None:
    """The indexed place a place-like word of ``folded`` probably meant, or None.

    Args:
        folded: the question's folded text.
        indexed: every indexed place name (any level) → its path, or a :class:`NearIndex` of them.
        taken: spans of ``folded`` already read as real places (never re-read as near misses).
    """
    index = indexed if isinstance(indexed, NearIndex) else NearIndex(indexed)
    full, short = gazetteer()
    # Where the question names an indexed place rightly, no part of it is a near miss ("庆市" of 肇庆市).
    right = tuple((a, a + n) for n in range(2, 8) for a in range(len(folded) - n + 1) if folded[a:a + n] in index.forms)
    taken = tuple(taken) + right
    found: dict[int, list[tuple[str, Candidate]]] = {}
    for start, word, after in _words(folded, taken):
        if after == "":
            if word in full or word in index.indexed:
                continue   # a real place: a place with no report, never "corrected"
        elif word in short or word in full or word + after in full or word in index.indexed:
            continue
        for form, name in index.candidates(word):
            full_form = form == name
            if full_form != (after == ""):
                continue   # compare a full name with a full name, a short form with a short form
            if full_form and word[-1] != name[-1]:
                continue   # 兆庆市 may be 肇庆市, not 肇庆县
            if not full_form and len(word) < len(form):
                continue   # a short form is too short to lose a character
            score, why = _evidence(word, form)
            if score >= MIN_SCORE:
                found.setdefault(start, []).append((word + after if after in _SUFFIX else word,
                                                    Candidate(name, tuple(index.indexed[name]), score, why)))
    if not found:
        return None
    # The word with the best candidate; every candidate for a word starting there kept, best first.
    start = min(found, key=lambda s: (-max(c.score for _, c in found[s]), s))
    cands = {}
    for _, c in found[start]:
        if c.name not in cands or c.score > cands[c.name].score:
            cands[c.name] = c
    said = max((w for w, _ in found[start]), key=len)
    return Suggestion(said, start, tuple(sorted(cands.values(), key=lambda c: (-c.score, c.name))))
