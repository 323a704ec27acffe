"""Clean raw report text into paragraphs: drop web boilerplate, re-join PDF page breaks, keep file offsets."""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from assistant.text import normalize

# Markers of web-page chrome. A line holding one is dropped only when it is short or looks
# like a navigation bar, so a content sentence that mentions 无障碍 or 分享 survives.
_BOILERPLATE = (
    "长者助手", "市民登录", "政务邮箱", "邮件订阅", "网站无障碍", "无障碍浏览", "网站支持IPv6",
    "保护视力色", "字体大小", "分享到", "现在位置", "当前位置", "打印本页", "关闭窗口",
    "【打印】", "【关闭】", "扫一扫", "在手机打开", "收藏本页", "返回顶部", "浏览次数", "阅读次数",
    "上一篇", "下一篇", "相关链接", "网站地图", "版权所有", "主办单位", "ICP备",
)
_NAV_HINTS = ("|", "｜", "[大]", "【大】", ">", "》 ")
_TERMINAL = tuple("。！？；：!?;:”’」』")
HEADING_START = re.compile(
    r"^\s*(?:[一二三四五六七八九十百]+[、.．]|[(（][一二三四五六七八九十百]+[)）]|\d{1,2}[.、．](?!\d)"
    r"|[(（]\d{1,2}[)）]|[)）](?=[\u4e00-\u9fff])|第[一二三四五六七八九十]+[部章节])"
)
_LONE_NOISE = re.compile(r"^(?:附件[:：]?|\d{1,4}|-\s*\d+\s*-|第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?)$")


def is_boilerplate(line: str) -> bool:
    """True for a line of web-page chrome (navigation, share and font-size bars, footers)."""
    folded = normalize(line).strip()
    if not folded:
        return False
    hits = sum(marker in folded for marker in _BOILERPLATE)
    if hits == 0:
        return bool(_LONE_NOISE.match(folded))
    return hits >= 2 or len(folded) <= 40 or any(h in folded for h in _NAV_HINTS)


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


_TITLE_LIKE = re.compile(r"^关于|(?:报告|报告书|情况|总结|汇报|通知)$|来源|发布时间|撰写时间|发布日期")


def _continues(prev: Block, line: str, wrap_width: int | None = None) -> bool:
    """Whether ``line`` continues ``prev`` across a PDF page or layout break."""
    tail = prev.text.rstrip()
    if not tail:
        return False
    last_line = tail[prev.anchors[-1][0]:]
    if wrap_width and len(last_line) >= 0.95 * wrap_width:
        # A line that fills the layout's width was wrapped: mid-sentence it always continues (even into
        # "2、…"), and after a sentence end it continues unless a heading starts.
        return not tail.endswith(_TERMINAL) or not HEADING_START.match(line)
    if HEADING_START.match(line) or tail.endswith(_TERMINAL):
        return False
    if tail.endswith(("，", ",", "、", "（", "(", "“", "《")):
        return True
    if len(last_line) <= 60 and _TITLE_LIKE.search(normalize(last_line)):
        return False
    # Page-wide body lines are long; titles, headings and signatures are short.
    if wrap_width:
        return len(last_line) >= 0.8 * wrap_width
    return len(last_line) >= (40 if HEADING_START.match(last_line) else 30)


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
