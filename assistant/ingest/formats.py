"""Read report files of each format into plain text for the same cleaning, metadata and chunking path.

- ``.txt``: encoding detected (see :mod:`assistant.ingest.reading`).
- ``.html``/``.htm``: the declared charset is honoured (many pages are GBK); the article body is
  extracted with trafilatura; the title and the 来源/发布时间 lines are put on top for metadata.
- ``.pdf``: text layer via pypdf, running headers/footers and page numbers dropped, page starts
  kept so citations can name the page. A PDF with no text layer is refused ("no text layer").
- ``.docx``: python-docx; heading styles give heading levels where the author used them,
  numbering (一、/（一）) is recognised as usual where they did not.
"""
from __future__ import annotations

import importlib
import io
import re
from collections import Counter
from dataclasses import dataclass, field

from assistant.ingest.metadata import PUBLISHED_LINE, SOURCE_LINE
from assistant.ingest.reading import ReadError, decode
from assistant.text import normalize


@dataclass(frozen=True)
class Loaded:
    """Plain text of a report file and what its format tells beyond the text."""

    text: str
    encoding: str
    pages: tuple[int, ...] = ()                       # text offset where page 1, 2, … starts
    headings: dict[int, int] = field(default_factory=dict)  # line offset → heading level (DOCX styles)
    wrap_width: int | None = None                     # typical line width where the layout wrapped lines


def _require(source: str, module: str, package: str):
    """Import an optional format library, or say which package to install."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ReadError(source, f"reading this format needs: pip install {package}") from exc


def load_txt(source: str, data: bytes) -> Loaded:
    decoded = decode(data, source)
    return Loaded(decoded.text, decoded.encoding)


# -- HTML ----------------------------------------------------------------------------------

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)


def _html_text(source: str, data: bytes) -> tuple[str, str]:
    declared = _CHARSET.search(data[:4096])
    if declared:
        charset = declared.group(1).decode("ascii").lower()
        charset = "gb18030" if charset in ("gbk", "gb2312", "gb_2312-80", "x-gbk") else charset
        try:
            return data.decode(charset), f"html ({charset}, declared)"
        except (LookupError, UnicodeDecodeError):
            pass
    decoded = decode(data, source)
    return decoded.text, f"html ({decoded.encoding}, detected)"


def load_html(source: str, data: bytes) -> Loaded:
    trafilatura = _require(source, "trafilatura", "trafilatura")
    lxml_html = _require(source, "lxml.html", "lxml")
    page, encoding = _html_text(source, data)
    body = trafilatura.extract(page, output_format="txt", include_tables=True, include_comments=False,
                               include_links=False, favor_recall=True, deduplicate=False)
    if not body or len(re.sub(r"\s", "", body)) < 20:
        raise ReadError(source, "no article text found in the HTML page")
    try:
        tree = lxml_html.fromstring(page)
        for bad in tree.xpath("//script|//style|//noscript"):
            bad.drop_tree()
        visible = normalize(tree.text_content())
        heading = (tree.xpath("string(//h1)") or tree.xpath("string(//title)") or "").strip()
    except Exception:  # a page lxml cannot parse still has its trafilatura body
        visible, heading = normalize(page), ""
    header = []
    if heading and heading not in body[:200]:
        header.append(heading)
    info = []
    # The same patterns metadata.py reads, so what is lifted here is what metadata will find.
    folded_body = normalize(body)
    source_match, date_match = SOURCE_LINE.search(visible), PUBLISHED_LINE.search(visible)
    if source_match and source_match.group(0) not in folded_body:
        info.append(f"来源: {source_match.group(1)}")
    if date_match and date_match.group(0) not in folded_body:
        y, m, d = (int(x) for x in date_match.groups())
        info.append(f"发布时间: {y:04d}-{m:02d}-{d:02d}")
    if info:
        header.append(" ".join(info))
    text = "\n".join(header + [body.strip()]) + "\n"
    return Loaded(text, encoding)


# -- PDF -----------------------------------------------------------------------------------

_PAGE_NUMBER = re.compile(r"^[-—–\s]*(?:第\s*)?\d{1,4}\s*(?:页)?(?:\s*[/／]\s*(?:共\s*)?\d{1,4}\s*页?)?[-—–\s]*$")


def _shape(line: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", line))


def load_pdf(source: str, data: bytes) -> Loaded:
    pypdf = _require(source, "pypdf", "pypdf")
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ReadError(source, "encrypted PDF (needs a password)")
        pages = [(p.extract_text() or "") for p in reader.pages]
    except ReadError:
        raise
    except Exception as exc:  # pypdf raises many types for damaged files
        raise ReadError(source, f"not a readable PDF ({type(exc).__name__}: {exc})") from exc
    if sum(len(re.sub(r"\s", "", p)) for p in pages) < 20:
        raise ReadError(source, "no text layer (scanned PDF?); OCR is not supported")
    lines_per_page = [[ln.strip() for ln in p.splitlines() if ln.strip()] for p in pages]
    # Running headers and footers: the same first/last lines on at least half the pages.
    edges = Counter()
    for lines in lines_per_page:
        for line in set(lines[:2] + lines[-2:]):
            edges[_shape(line)] += 1
    repeated = {s for s, n in edges.items() if len(pages) >= 2 and n >= max(2, len(pages) / 2)}
    out, starts, offset = [], [], 0
    for lines in lines_per_page:
        starts.append(offset)
        for i, line in enumerate(lines):
            at_edge = i < 2 or i >= len(lines) - 2
            if at_edge and (_shape(line) in repeated or _PAGE_NUMBER.match(line)):
                continue
            out.append(line)
            offset += len(line) + 1
    widths = sorted(len(line) for line in out if len(line) >= 10)
    width = widths[int(len(widths) * 0.75)] if widths else None  # most body lines run the full width
    return Loaded("\n".join(out) + "\n", "pdf", tuple(starts), {}, width)


# -- DOCX ----------------------------------------------------------------------------------

_HEADING_STYLE = re.compile(r"(?:heading|标题)\s*(\d)", re.I)


def load_docx(source: str, data: bytes) -> Loaded:
    docx = _require(source, "docx", "python-docx")
    Table = _require(source, "docx.table", "python-docx").Table
    Paragraph = _require(source, "docx.text.paragraph", "python-docx").Paragraph
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        raise ReadError(source, f"not a valid DOCX file ({type(exc).__name__})") from exc
    lines, headings, offset = [], {}, 0
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            para = Paragraph(child, document)
            text = para.text.strip()
            if not text:
                continue
            style = (para.style.name if para.style is not None else "") or ""
            match = _HEADING_STYLE.search(style)
            if match and int(match.group(1)) >= 1:
                headings[offset] = min(int(match.group(1)), 4)
            rows = [text]
        elif tag == "tbl":
            table = Table(child, document)
            rows = [" | ".join(c.text.strip() for c in row.cells) for row in table.rows]
        else:
            continue
        for row in rows:
            lines.append(row)
            offset += len(row) + 1
    if not lines:
        raise ReadError(source, "the DOCX file holds no text")
    return Loaded("\n".join(lines) + "\n", "docx", (), headings)


LOADERS = {".txt": load_txt, ".html": load_html, ".htm": load_html, ".pdf": load_pdf, ".docx": load_docx}
SUPPORTED = tuple(LOADERS)


def load(source: str, data: bytes) -> Loaded:
    """Dispatch on the file's suffix; raises ReadError naming the file and the reason."""
    suffix = "." + source.rsplit(".", 1)[-1].lower() if "." in source else ""
    loader = LOADERS.get(suffix)
    if loader is None:
        raise ReadError(source, f"unsupported file type {suffix or '(none)'}; supported: {', '.join(SUPPORTED)}")
    return loader(source, data)
