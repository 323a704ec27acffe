"""Clean raw report text into paragraphs: drop web boilerplate, re-join PDF page breaks, keep file offsets."""
from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field

from assistant import lexicon
from assistant.ingest.headings import opens_heading
from assistant.text import normalize

_LONE_NOISE = re.compile(lexicon.LONE_NOISE)
_TITLE_LIKE = re.compile(lexicon.TITLE_LIKE)
_BREADCRUMB = re.compile(lexicon.BREADCRUMB)
_TERMINAL = tuple(lexicon.PARAGRAPH_END)


def is_boilerplate(line: str) -> bool:
    """True for a line of web-page chrome (navigation, share and font-size bars, footers)."""
    folded = normalize(line).strip()
    if not folded:
        return False
    hits = sum(marker in folded for marker in lexicon.BOILERPLATE_MARKERS)
    if hits == 0:
        return bool(_LONE_NOISE.match(folded))
    return hits >= 2 or len(folded) <= lexicon.BOILERPLATE_MAX_CHARS or any(h in folded for h in lexicon.NAV_HINTS)


@dataclass
class Block:
    """One paragraph of a report after cleaning, with a map back to offsets in the decoded file.

    ``anchors`` holds (offset in ``text``, offset in the file) pairs, one per joined line, so
    any slice of ``text`` maps back to its character span in the original file.
    """

    text: str
    anchors: list[tuple[int, int]] = field(default_factory=list)
    level: int | None = None  # heading level the file format declared (DOCX styles), if any

    @property
    def start(self) -> int:
        return self.anchors[0][1]

    @property
    def end(self) -> int:
        return self.file_offset(len(self.text))

    def file_offset(self, pos: int) -> int:
        """Map a position in ``text`` to a character offset in the decoded file."""
        # anchors are sorted by block offset; bisect on the first element of each pair.
        i = max(0, bisect.bisect_right(self.anchors, (pos, float("inf"))) - 1)
        block_pos, file_pos = self.anchors[i]
        return file_pos + (pos - block_pos)


def _lines_with_offsets(text: str):
    offset = 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        lead = len(raw) - len(raw.lstrip())
        yield stripped, offset + lead
        offset += len(raw) + 1


def _continues(prev: Block, line: str, wrap_width: int | None = None) -> bool:
    """Whether ``line`` continues ``prev`` across a PDF page or layout break."""
    tail = prev.text.rstrip()
    if not tail:
        return False
    last_line = tail[prev.anchors[-1][0]:]
    if wrap_width and len(last_line) >= 0.95 * wrap_width:
        # A line that fills the layout's width was wrapped: mid-sentence it always continues (even into
        # "2、…"), and after a sentence end it continues unless a heading starts.
        return not tail.endswith(_TERMINAL) or not opens_heading(normalize(line))
    if opens_heading(normalize(line)) or tail.endswith(_TERMINAL):
        return False
    if tail.endswith(lexicon.CONTINUES_AFTER):
        return True
    if len(last_line) <= 60 and _TITLE_LIKE.search(normalize(last_line)):
        return False
    if _BREADCRUMB.search(normalize(last_line)) or (len(line) <= 60 and _TITLE_LIKE.search(normalize(line))
                                                     and normalize(line).rstrip().endswith("报告")):
        return False   # a page's breadcrumb trail, and the report's title after it, are lines of their own
    # Page-wide body lines are long; titles, headings and signatures are short.
    if wrap_width:
        return len(last_line) >= 0.8 * wrap_width
    return len(last_line) >= (40 if opens_heading(normalize(last_line)) else 30)


def hard_wrap_width(text: str) -> int | None:
    """The width a plain-text report was hard-wrapped to (text pasted from a PDF: most lines exactly
    30 characters), or None when its lines are paragraphs."""
    lines = [line.strip() for line in text.split("\n") if len(line.strip()) >= 12]
    if len(lines) < 12:
        return None
    counts = Counter(len(line) for line in lines)
    width, _ = max(counts.items(), key=lambda kv: (kv[1] + counts.get(kv[0] - 1, 0) + counts.get(kv[0] + 1, 0), kv[0]))
    near = [line for line in lines if abs(len(line) - width) <= 1]
    # Wrapped lines mostly stop mid-sentence; a short report's headings of similar length end in "。" or
    # no mark at all but are few (one report's eight "（一）…。" plan items are not a layout).
    cut = sum(not line.endswith(_TERMINAL) for line in near)
    return width if len(near) >= 0.35 * len(lines) and len(near) >= 8 and cut >= 0.5 * len(near) else None


def clean(text: str, headings: dict[int, int] | None = None,
          wrap_width: int | None = None) -> tuple[list[Block], list[str]]:
    """Split decoded text into cleaned paragraphs.

    Args:
        text: the decoded report.
        headings: line start offset → heading level, where the file format says so (DOCX styles).
        wrap_width: the layout's line width, where lines were wrapped to it (PDF); a line that runs
            nearly the full width and ends mid-sentence continues on the next.

    Returns:
        The kept blocks, and the boilerplate lines that were dropped (for metadata and audit).
    """
    blocks: list[Block] = []
    dropped: list[str] = []
    wrap_width = wrap_width or hard_wrap_width(text)
    for line, offset in _lines_with_offsets(text):
        if not line:
            continue
        if is_boilerplate(line):
            dropped.append(line)
            continue
        level = headings.get(offset) if headings else None
        if level is not None:
            blocks.append(Block(line, [(0, offset)], level))
            continue
        if blocks and blocks[-1].level is None and _continues(blocks[-1], line, wrap_width):
            prev = blocks[-1]
            prev.text = prev.text.rstrip()
            prev.anchors.append((len(prev.text), offset))
            prev.text += line
        else:
            blocks.append(Block(line, [(0, offset)]))
    return blocks, dropped
