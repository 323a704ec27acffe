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

from assistant.regions import gazetteer, short_name

_SUFFIX = "省市县区州旗盟镇乡"
# How much each kind of closeness says that the user meant the indexed place.
WEIGHTS = {"同音": 1.0, "字序颠倒": 0.8, "错一字": 0.6, "少一字": 0.5}
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


@lru_cache(maxsize=4096)
def _pinyin(text: str) -> str:
    try:
        from pypinyin import lazy_pinyin
    except ImportError:   # spelling evidence only
        return ""
    return " ".join(lazy_pinyin(text))


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
    elif len(word) == len(name) - 1 and len(word) >= 2 and any(name[:i] + name[i + 1:] == word for i in range(len(name))):
        said.append(("少一字", "少一字"))
    if not said:
        return 0.0, ()
    return max(WEIGHTS[k] for k, _ in said), tuple(text for _, text in said)


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
            nxt = folded[end:end + 1]
            if word[-1] in _SUFFIX:
                out.append((start, word, ""))
            if nxt and (nxt in _SUFFIX or nxt == "全") and length <= 4:
                out.append((start, word, nxt))
    return out


def suggest(folded: str, indexed: dict[str, tuple[str, ...]], taken: tuple[tuple[int, int], ...] = ()
            ) -> Suggestion | None:
    """The indexed place a place-like word of ``folded`` probably meant, or None.

    Args:
        folded: the question's folded text.
        indexed: every indexed place name (any level) → its path.
        taken: spans of ``folded`` already read as real places (never re-read as near misses).
    """
    full, short = gazetteer()
    # Where the question names an indexed place rightly, no part of it is a near miss ("庆市" of 肇庆市).
    right = tuple((m.start(), m.end()) for name in indexed for form in {name, short_name(name) or name}
                  for m in re.finditer(re.escape(form), folded))
    taken = tuple(taken) + right
    by_length: dict[int, list[tuple[str, str]]] = {}
    for name in indexed:
        by_length.setdefault(len(name), []).append((name, name))
        stem = short_name(name)
        if stem and len(stem) >= 2:
            by_length.setdefault(len(stem), []).append((stem, name))
    found: dict[int, list[tuple[str, Candidate]]] = {}
    for start, word, after in _words(folded, taken):
        if after == "":
            if word in full or word in indexed:
                continue   # a real place: a place with no report, never "corrected"
        elif word in short or word in full or word + after in full or word in indexed:
            continue
        for form, name in by_length.get(len(word), []) + by_length.get(len(word) + 1, []):
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
                                                    Candidate(name, tuple(indexed[name]), score, why)))
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
