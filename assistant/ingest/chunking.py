"""Split a cleaned report into sections by its heading hierarchy, then into Chunks that keep their path.

Levels: 一、 > （一）/(一) > 1./1、 > (1), with 一是/二是 (and inline 1、2、) as sub-points.
Real reports skip levels and mix styles, so a heading closes every open heading of its own
level or deeper and nothing else.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant import lexicon
from assistant.ingest.cleaning import Block
from assistant.ingest.headings import SUBPOINT_LEVEL, heading_level
from assistant.ingest.identity import is_organisation
from assistant.records import Chunk
from assistant.text import display, normalize, split_sentences, tighten

# Bump whenever chunk boundaries or paths could change for another reason than the lexicon
# (whose own hash is checked separately): an index built by another version is refused.
CHUNKER_VERSION = "8"

_LEAD = f"(?:^|(?<=[{lexicon.ITEM_LEAD}]))"
_SUBPOINT = re.compile(rf"(?:{_LEAD}|(?<=[，,]))\s*(?:\*\*)?({lexicon.SUBPOINT})")
_INLINE_NUM = re.compile(rf"{_LEAD}\s*{lexicon.INLINE_NUMBER}")
_INLINE_ITEM = re.compile(r"(?<=[\u4e00-\u9fff])\d{1,2}、")
_END = lexicon.HEADING_END
_DATE = re.compile(lexicon.DATE_CN)
_DATE_NUMERALS = re.compile(lexicon.DATE_CN_NUMERALS)
_CLOSING = re.compile(lexicon.CLOSING_LINE)
CLOSING = "（落款）"
MAX_TITLE = 50

__all__ = ["CHUNKER_VERSION", "SUBPOINT_LEVEL", "Section", "chunk_report", "heading_level", "split_sections"]


@dataclass
class Section:
    """The body blocks under one heading path."""

    path: tuple[str, ...]
    blocks: list[Block] = field(default_factory=list)


def _title_end(text: str) -> int:
    """Where the heading's own words end: the first sentence end or inline list item, or the whole text."""
    positions = [text.find(ch) + 1 for ch in _END if ch in text]
    item = _INLINE_ITEM.search(text, 1)
    if item:
        positions.append(item.start())
    return min(positions) if positions else len(text)


def _is_numbered_list(text: str) -> bool:
    """A paragraph that is itself a list "1、…。2、…。" rather than a heading followed by text."""
    nums = [int(m[1]) for m in _INLINE_NUM.finditer(normalize(text))]
    return len(nums) >= 2 and nums[:2] == [1, 2]


def _clean_title(text: str, limit: int = MAX_TITLE) -> str:
    title = tighten(display(text)).rstrip("。；;！？!?：: ")
    title = re.sub(r"^([(（][^)）]{1,3}[)）]|[^、.]{1,3}[、.])\s+", r"\1", title)
    if len(title) > limit:
        clause = re.split(r"[,，]", title, maxsplit=1)[0]
        title = (clause if len(clause) <= limit else clause[:limit]) + "…"
    return title


def closing_start(blocks: list[Block]) -> int:
    """Where the signature, date and contact lines at the end of a report begin (len(blocks) if none)."""
    k = len(blocks)
    while k > 0 and is_closing(blocks[k - 1].text):
        k -= 1
    return k


def is_closing(text: str) -> bool:
    folded = normalize(text).strip().replace(" ", "")
    return bool(is_organisation(folded) or _DATE.fullmatch(folded) or _DATE_NUMERALS.fullmatch(folded)
                or _CLOSING.match(folded)) and len(folded) <= 60


def split_sections(blocks: list[Block]) -> list[Section]:
    """Group blocks under their heading paths. A heading with body text on its line keeps that text, and so
    does a heading that is itself a whole sentence ("（1）少数部门重视不够。" is a list item, not only a
    title). The closing lines (signature, date, contact) are a section of their own, so no list ends with them."""
    end_of_body = closing_start(blocks)
    sections = [Section(())]
    stack: list[tuple[int, str]] = []
    for block in blocks[:end_of_body]:
        level = block.level or heading_level(block.text)
        if level == 3 and block.level is None and _is_numbered_list(block.text):
            level = None
        if level is None:
            sections[-1].blocks.append(block)
            continue
        end = _title_end(block.text)
        title = _clean_title(block.text[:end])
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, title))
        sections.append(Section(tuple(t for _, t in stack)))
        if (block.text[end:].strip() or len(block.text) > 80
                or normalize(block.text).rstrip().endswith(tuple(_END))):
            sections[-1].blocks.append(block)
    if end_of_body < len(blocks):
        sections.append(Section((CLOSING,), list(blocks[end_of_body:])))
    return [s for s in sections if s.blocks]


@dataclass
class _Piece:
    block: Block
    start: int
    end: int
    subtitle: str | None = None

    @property
    def text(self) -> str:
        return self.block.text[self.start:self.end]


def _subpoints(block: Block) -> list[_Piece]:
    """Split a paragraph at 一是/二是… (or inline 1、2、…) when it enumerates two or more points."""
    text = block.text
    marks = [m.start(1) for m in _SUBPOINT.finditer(text)]
    if len(marks) < 2:
        nums = [(m.start(1), int(m[1])) for m in _INLINE_NUM.finditer(text)]
        if len(nums) >= 2 and nums[0][1] == 1 and nums[1][1] == 2:
            marks = [pos for pos, _ in nums]
    # One marker counts only when it opens the paragraph: "二是……" as a paragraph of its own.
    if not marks or (len(marks) == 1 and text[:marks[0]].strip(" *")):
        return [_Piece(block, 0, len(text))]
    # A short lead-in (often just the heading sentence) travels with the first point.
    keep_prefix = len(text[:marks[0]].strip()) >= 60
    pieces = [_Piece(block, 0, marks[0])] if keep_prefix else []
    for i, (start, end) in enumerate(zip(marks, marks[1:] + [len(text)])):
        head = text[start:end]
        begin = 0 if i == 0 and not keep_prefix else start
        pieces.append(_Piece(block, begin, end, _clean_title(head[:_title_end(head)], 30)))
    return pieces


def _windows(piece: _Piece, size: int, overlap: int) -> list[_Piece]:
    """Split a long piece at sentence ends into windows of about ``size`` chars, overlapping by whole sentences."""
    if piece.end - piece.start <= size:
        return [piece]
    spans = [(piece.start + a, piece.start + b) for a, b in split_sentences(piece.text)]
    # A sentence longer than a window is cut at commas, then hard.
    fine: list[tuple[int, int]] = []
    for a, b in spans:
        while b - a > size:
            cut = piece.block.text.rfind("，", a, a + size)
            cut = cut + 1 if cut > a + size // 3 else a + size
            fine.append((a, cut))
            a = cut
        fine.append((a, b))
    windows, current = [], []
    for span in fine:
        if current and span[1] - current[0][0] > size:
            windows.append(current)
            carry, total = [], 0
            for prev in reversed(current):
                total += prev[1] - prev[0]
                if total > overlap:
                    break
                carry.insert(0, prev)
            current = carry
        current.append(span)
    if current:
        windows.append(current)
    return [_Piece(piece.block, w[0][0], w[-1][1], piece.subtitle) for w in windows]


def chunk_report(source: str, blocks: list[Block], size: int = 360, overlap: int = 80) -> list[Chunk]:
    """Cut a report's blocks into Chunks that never cross a section.

    Args:
        source: the report's file name, kept on every chunk.
        blocks: cleaned paragraphs (see :func:`assistant.ingest.cleaning.clean`).
        size: the most characters a chunk should hold.
        overlap: characters of whole sentences repeated between windows of one long piece.
    """
    chunks: list[Chunk] = []

    def emit(path: tuple[str, ...], pieces: list[_Piece]) -> None:
        text = "\n".join(p.text.strip() for p in pieces)
        if not text.strip():
            return
        start = pieces[0].block.file_offset(pieces[0].start)
        end = pieces[-1].block.file_offset(pieces[-1].end)
        chunks.append(Chunk(source, len(chunks), path, text, start, end))

    for section in split_sections(blocks):
        total = sum(len(b.text) for b in section.blocks)
        pieces = [p for b in section.blocks for p in (_subpoints(b) if total > size else
                                                         [_Piece(b, 0, len(b.text))])]
        pack: list[_Piece] = []
        for piece in pieces:
            for window in _windows(piece, size, overlap):
                if window.subtitle:
                    if pack:
                        emit(section.path, pack)
                        pack = []
                    emit(section.path + (window.subtitle,), [window])
                    continue
                if pack and sum(p.end - p.start for p in pack) + (window.end - window.start) > size:
                    emit(section.path, pack)
                    pack = []
                pack.append(window)
        if pack:
            emit(section.path, pack)
    return chunks
