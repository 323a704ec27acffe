"""Split a question that holds several asks into its parts, in order.

"西秀区审计查出问题金额是多少万元？其中违规金额多少？" is two asks; so are "…的做法，以及…公示了多少执法人员",
"县司法局2023年…多少，县政府2024年…多少" and "北京朝阳区2024年和长春朝阳区2023年…分别是多少". A piece splits
off only when both sides ask something (a question word, or a "其中…" / "…呢" follow-up); a piece that asks
nothing ("西秀区2022年的报告。") stays with the part after it as its context.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from assistant import lexicon
from assistant.search import cues
from assistant.text import normalize

_ASK = re.compile(cues.ASK_WORDS)
_STRONG = re.compile(cues.STRONG_ASK)
_END = re.compile(cues.SENTENCE_END)
_MARK = re.compile(cues.PART_MARKERS)
_RESPECTIVELY = re.compile(cues.RESPECTIVELY)
# "北京朝阳区2024年和长春朝阳区2023年…": places each with their own year, joined by 和/与/及/、.
_PLACE_YEARS = re.compile(rf"((?:[\u4e00-\u9fff]{{2,12}}?)(?:{lexicon.YEAR})\s*年(?:度)?)\s*(?:和|与|及|、|以及)\s*"
                          rf"((?:[\u4e00-\u9fff]{{2,12}}?)(?:{lexicon.YEAR})\s*年(?:度)?)")
_METRIC_PAIR = re.compile("(" + "|".join(sorted(map(re.escape, lexicon.METRICS), key=len, reverse=True))
                          + r"|[\u4e00-\u9fff]{2}率)\s*(?:和|与|及|、)\s*("
                          + "|".join(sorted(map(re.escape, lexicon.METRICS), key=len, reverse=True))
                          + r"|[\u4e00-\u9fff]{2}率)")


@dataclass(frozen=True)
class Part:
    """One ask of a question, as the user wrote it, and what split it off ("" for the first)."""

    text: str
    marker: str = ""


def asks(text: str) -> bool:
    """Whether ``text`` asks something of its own."""
    return bool(_ASK.search(text))


def split(text: str) -> tuple[Part, ...]:
    """The parts of a question, in order; one part when it asks one thing.

    Example:
        >>> [p.text for p in split("西秀区审计查出问题金额是多少万元？其中违规金额多少？")]
        ['西秀区审计查出问题金额是多少万元？', '其中违规金额多少？']
    """
    raw = (text or "").strip()
    if not raw:
        return ()
    pieces: list[Part] = []
    for sentence in _sentences(raw):
        for piece in _at_markers(sentence):
            pieces.extend(_respectively(piece))
    merged: list[Part] = []
    pending, pending_marker = "", ""
    for piece in pieces:
        if not pending:
            pending_marker = piece.marker
        body = pending + piece.text
        if not asks(piece.text) and not piece.text.strip().startswith("其中"):
            pending = body   # asks nothing: context for the next part
            continue
        merged.append(Part(body, pending_marker))
        pending = ""
    if pending:
        if merged:
            merged[-1] = Part(merged[-1].text + pending, merged[-1].marker)
        else:
            merged.append(Part(pending, ""))
    if merged:
        merged[0] = Part(merged[0].text, "")
    return tuple(merged)


def _sentences(text: str) -> list[str]:
    out, start = [], 0
    for m in _END.finditer(text):
        out.append(text[start:m.end()])
        start = m.end()
    if text[start:].strip():
        out.append(text[start:])
    return [s for s in out if s.strip(" ？?！!。；;")]


def _at_markers(sentence: str) -> list[Part]:
    """Split at 以及/另外/，其中/"，" where both sides ask something."""
    out: list[Part] = []
    rest, marker = sentence, ""
    while True:
        cut = None
        for m in _MARK.finditer(rest):
            left, right = rest[:m.start()], rest[m.end():]
            if m.end() == len(rest) or not left.strip():
                continue
            said = m[0].strip(" ，,")
            if said in ("以及", "另外", "此外", "同时", "还有", "并且", "再者"):
                ok = asks(left) and bool(right.strip(" ？?"))
            elif right.startswith("其中"):
                ok = asks(left) and asks(right)
            else:   # a bare comma: two asks, each with its own words
                ok = (bool(_STRONG.search(left)) and bool(_STRONG.search(right))
                      and _own_ask(left) and _own_ask(right))
            if ok:
                cut = (m, said or ("其中" if right.startswith("其中") else "，"))
                break
        if cut is None:
            out.append(Part(rest, marker))
            return out
        m, said = cut
        out.append(Part(rest[:m.start()], marker))
        rest, marker = rest[m.end():], said


def _own_ask(text: str) -> bool:
    """A comma piece that is a whole ask: a question word and something asked about (≥ 4 characters of it)."""
    bare = _ASK.sub("", normalize(text))
    return len(re.sub(r"[^\u4e00-\u9fff\d]", "", bare)) >= 4


def _respectively(piece: Part) -> list[Part]:
    """"A2024年和B2023年…分别是多少" → one part per place and year; "纠错率和败诉率分别是多少" → one per metric."""
    text = piece.text
    m = _METRIC_PAIR.search(text)
    if m and not _RESPECTIVELY.search(text):
        # "纠错率和败诉率是多少": two measures, two asks, even without 分别.
        head, tail = text[:m.start()], text[m.end():]
        return [Part(head + m[1] + tail, piece.marker), Part(m[2] + tail, "和")]
    if not _RESPECTIVELY.search(text):
        return [piece]
    m = _PLACE_YEARS.search(text)
    if m and not re.match(rf"^(?:{lexicon.YEAR})", m[2]) and not re.match(rf"^(?:{lexicon.YEAR})", m[1]):
        head, tail = text[:m.start()], _RESPECTIVELY.sub("", text[m.end():])
        return [Part(head + m[1] + tail, piece.marker), Part(m[2] + tail, "分别")]
    m = _METRIC_PAIR.search(text)
    if m:
        head, tail = text[:m.start()], _RESPECTIVELY.sub("", text[m.end():])
        return [Part(head + m[1] + tail, piece.marker), Part(m[2] + tail, "分别")]
    return [piece]
