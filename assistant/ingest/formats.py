"""Read report files of each format into plain text for the same cleaning, metadata and chunking path.

- ``.txt``: encoding detected (see :mod:`assistant.ingest.reading`).
- ``.html``/``.htm``: the declared charset is honoured (many pages are GBK) unless it garbles the page
  (a UTF-8 page declared iso-8859-1, an unknown or ``undefined`` charset): then the detected encoding is
  used and the label says so. The article body is extracted with trafilatura; the title and the
  来源/发布时间 lines are put on top for metadata.
- ``.pdf``: text layer via pypdf (AES-encrypted, copy-restricted PDFs open with ``cryptography``),
  running headers/footers and page numbers dropped, page starts kept so citations can name the page.
  A PDF with no text layer is refused ("没有文字层").
- ``.docx``: python-docx; heading styles give heading levels where the author used them,
  numbering (一、/（一）) is recognised as usual where they did not.

DOCX, PDF and HTML are bounded by ``Settings.max_expanded_mb``: what a file unpacks or decodes to
(a 72 KB zip bomb would otherwise become 15,000 chunks), refused with "文件展开后超过 N MB".
"""
from __future__ import annotations

import codecs
import contextlib
import importlib
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field

from assistant.ingest.metadata import PUBLISHED_LINE, SOURCE_LINE
from assistant.ingest.reading import ReadError, decode
from assistant.settings import Settings
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
    """Import an optional format library, or say which package to install.

    When the library is there but one of its own imports fails (trafilatura without lxml_html_clean), "install
    trafilatura" would send the user in a circle: the message names the missing piece instead."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        missing = (exc.name or module).split(".")[0]
        if missing == module.split(".")[0]:
            raise ReadError(source, f"读取此格式需要安装：pip install {package}") from exc
        raise ReadError(source, f"读取此格式的 {package} 已安装，但它依赖的 {exc.name} 缺失：{exc}") from exc
    except ImportError as exc:
        raise ReadError(source, f"读取此格式的 {package} 已安装，但无法载入：{exc}") from exc


def _too_big(source: str, settings: Settings) -> ReadError:
    return ReadError(source, f"文件展开后超过 {settings.max_expanded_mb:g} MB"
                             "（可能是压缩炸弹；确需索引请调高 Settings.max_expanded_mb）")


def _expanded_limit(settings: Settings) -> int:
    return int(settings.max_expanded_mb * 2**20)


def too_long(source: str, settings: Settings) -> ReadError:
    """The file's text alone would make more than ``max_chunks_per_file`` chunks."""
    return ReadError(source, f"正文超过 {settings.max_text_chars:,} 字，切分后会超过每个文件 "
                             f"{settings.max_chunks_per_file} 个段落的上限（确需索引请调高 Settings.max_chunks_per_file）")


# A mirror's pinyin glosses after characters: "內(nèi)蒙古自治區(qū)" is 內蒙古自治區. A gloss carries a tone mark.
_RUBY = re.compile(r"(?<=[\u4e00-\u9fff])\((?=[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ])[a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜ]{1,7}\)")


def without_ruby(text: str) -> str:
    """``text`` without pinyin glosses in brackets after its characters."""
    return _RUBY.sub("", text)


def load_txt(source: str, data: bytes, settings: Settings = Settings()) -> Loaded:
    decoded = decode(data, source)
    return Loaded(without_ruby(decoded.text), decoded.encoding)


# -- HTML ----------------------------------------------------------------------------------

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_GB = ("gbk", "gb2312", "gb_2312-80", "x-gbk", "cp936", "euc-cn")
# Characters a wrong single-byte charset makes of UTF-8 Chinese (å ä ¸ Ã Â …), C1 controls, and U+FFFD.
_MOJIBAKE = re.compile(r"[\u0080-\u00ff\ufffd]")


def _codec(charset: str) -> str | None:
    """Python's name for a declared charset, GBK and GB2312 read as their superset GB18030; None if unknown."""
    charset = charset.lower()
    if charset in _GB:
        return "gb18030"
    try:
        return codecs.lookup(charset).name
    except LookupError:
        return None


def _html_text(source: str, data: bytes) -> tuple[str, str]:
    """The page as text and how it was decoded: the declared charset, unless the encoding detected from the
    bytes reads it better (a page declaring ``iso-8859-1`` but written in UTF-8 would otherwise be garbage)."""
    detected = decode(data, source)
    declared = _CHARSET.search(data[:4096])
    if not declared:
        return detected.text, f"html ({detected.encoding}, detected)"
    name = declared.group(1).decode("ascii").lower()
    codec = _codec(name)
    try:
        text = data.decode(codec).replace("\r\n", "\n").replace("\r", "\n") if codec else None
    except (LookupError, UnicodeError, ValueError, TypeError):  # 'undefined' raises UnicodeError, 'base64' LookupError
        text = None
    if text is None:
        return detected.text, f"html ({detected.encoding}, detected; declared charset {name!r} cannot decode it)"
    if codec == _codec(detected.encoding):
        return text, f"html ({codec}, declared)"
    # Valid multi-byte UTF-8 is almost never an accident in a legacy encoding, so it outranks the declaration;
    # otherwise the declaration stands unless it leaves visibly more garbage than the detected encoding.
    utf8 = detected.encoding == "utf-8" and any(b > 0x7F for b in data[:65536])
    if utf8 or len(_MOJIBAKE.findall(text)) > 2 * len(_MOJIBAKE.findall(detected.text)) + 10:
        return detected.text, f"html ({detected.encoding}, detected; declared {name} garbles the text)"
    return text, f"html ({codec}, declared)"


LAYOUT_CELL_CHARS = 300   # a table cell holding this much text lays out a page; it is not a table of data


def _without_layout_tables(page: str, lxml_html) -> str:
    """The page with tables used for layout (old sites put the whole article in one cell) turned into plain
    blocks, so the article keeps its paragraphs; tables of data (short cells) stay tables."""
    try:
        tree = lxml_html.fromstring(page)
    except Exception:   # lxml cannot parse it: trafilatura gets the page as it is
        return page
    changed = False
    for table in tree.xpath("//table"):
        if any(len(cell.text_content()) >= LAYOUT_CELL_CHARS for cell in table.xpath("./tr/td|./tbody/tr/td")):
            for element in table.iter("table", "tbody", "thead", "tr", "td", "th"):
                element.tag = "div"
            changed = True
    return lxml_html.tostring(tree, encoding="unicode") if changed else page


def load_html(source: str, data: bytes, settings: Settings = Settings()) -> Loaded:
    trafilatura = _require(source, "trafilatura", "trafilatura")
    lxml_html = _require(source, "lxml.html", "lxml")
    page, encoding = _html_text(source, data)
    limit = _expanded_limit(settings)
    if len(page) * 4 > limit and len(page.encode("utf-8")) > limit:   # measured as UTF-8, like the other formats
        raise _too_big(source, settings)
    body = trafilatura.extract(_without_layout_tables(page, lxml_html), output_format="txt", include_tables=True,
                               include_comments=False, include_links=False, favor_recall=True, deduplicate=False)
    if not body or len(re.sub(r"\s", "", body)) < 20:
        raise ReadError(source, "网页中没有找到正文")
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
    return Loaded(without_ruby(text), encoding)


# -- PDF -----------------------------------------------------------------------------------

_PAGE_NUMBER = re.compile(r"^[-—–\s]*(?:第\s*)?\d{1,4}\s*(?:页)?(?:\s*[/／]\s*(?:共\s*)?\d{1,4}\s*页?)?[-—–\s]*$")


def _shape(line: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", line))


def _pdf_limits(pypdf, limit: int):
    """pypdf's own decompression limits lowered to ``limit`` bytes per stream, for this thread only
    (pypdf ≥ 6 keeps them in a context variable; older versions keep their defaults)."""
    apply = getattr(pypdf, "apply_configuration", None)
    if apply is None:
        return contextlib.nullcontext()
    names = ("zlib_maximum_output_length", "lzw_maximum_output_length", "run_length_maximum_output_length",
             "array_based_stream_maximum_output_length", "brotli_maximum_output_length",
             "jbig2_maximum_output_length")
    current = pypdf.get_configuration()
    return apply(**{n: min(limit, getattr(current, n)) for n in names if hasattr(current, n)})


def _pdf_pages(source: str, data: bytes, settings: Settings) -> list[str]:
    """The text of each page, refusing an encrypted PDF that needs a password and one that unpacks too far."""
    pypdf = _require(source, "pypdf", "pypdf")
    errors = importlib.import_module("pypdf.errors")
    limit = _expanded_limit(settings)
    with _pdf_limits(pypdf, limit):
        try:
            reader = pypdf.PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                try:
                    opened = reader.decrypt("")
                except errors.DependencyError as exc:
                    raise ReadError(source, "加密 PDF 需要 cryptography 才能打开：pip install cryptography") from exc
                if not opened:
                    raise ReadError(source, "加密 PDF，需要密码才能打开")
            pages, size, chars = [], 0, 0
            for page in reader.pages:
                text = page.extract_text() or ""
                size, chars = size + len(text.encode("utf-8")), chars + len(text)
                if size > limit:
                    raise _too_big(source, settings)
                if chars > settings.max_text_chars:
                    raise too_long(source, settings)
                pages.append(text)
            return pages
        except ReadError:
            raise
        except getattr(errors, "LimitReachedError", ()) as exc:
            raise _too_big(source, settings) from exc
        except Exception as exc:  # pypdf raises many types for damaged files
            raise ReadError(source, f"不是可读的 PDF（{type(exc).__name__}: {str(exc)[:120]}）") from exc


def load_pdf(source: str, data: bytes, settings: Settings = Settings()) -> Loaded:
    pages = _pdf_pages(source, data, settings)
    if sum(len(re.sub(r"\s", "", p)) for p in pages) < 20:
        raise ReadError(source, "没有文字层（扫描件？），不支持 OCR")
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


_MAX_PARTS = 10_000   # a long report with images has a few hundred parts


def _check_unpacked_size(source: str, data: bytes, settings: Settings) -> None:
    """Refuse a DOCX whose parts would unpack beyond the limit, before anything is unpacked. The sizes are
    the ones the archive declares, which zipfile also enforces while reading (it stops at the declared size)."""
    try:
        parts = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ReadError(source, f"不是有效的 DOCX 文件（{type(exc).__name__}）") from exc
    if len(parts) > _MAX_PARTS:
        raise ReadError(source, f"不是正常的 DOCX 文件（内含 {len(parts)} 个部件）")
    if sum(p.file_size for p in parts) > _expanded_limit(settings):
        raise _too_big(source, settings)


def load_docx(source: str, data: bytes, settings: Settings = Settings()) -> Loaded:
    docx = _require(source, "docx", "python-docx")
    Table = _require(source, "docx.table", "python-docx").Table
    Paragraph = _require(source, "docx.text.paragraph", "python-docx").Paragraph
    _check_unpacked_size(source, data, settings)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        raise ReadError(source, f"不是有效的 DOCX 文件（{type(exc).__name__}）") from exc
    lines, headings, offset = [], {}, 0
    style_names: dict[str | None, str] = {}   # python-docx looks a style up in ~12 ms: once per style, not per paragraph
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            para = Paragraph(child, document)
            text = para.text.strip()
            if not text:
                continue
            style_id = child.style                 # the paragraph's style id; None for the default style
            if style_id not in style_names:
                style_names[style_id] = (para.style.name if para.style is not None else "") or ""
            match = _HEADING_STYLE.search(style_names[style_id])
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
        if offset > settings.max_text_chars:   # stop a bomb before python-docx reads all of it
            raise too_long(source, settings)
    if not lines:
        raise ReadError(source, "DOCX 文件中没有文字")
    return Loaded("\n".join(lines) + "\n", "docx", (), headings)


LOADERS = {".txt": load_txt, ".html": load_html, ".htm": load_html, ".pdf": load_pdf, ".docx": load_docx}
SUPPORTED = tuple(LOADERS)


def load(source: str, data: bytes, settings: Settings = Settings()) -> Loaded:
    """Dispatch on the file's suffix; raises ReadError naming the file and the reason."""
    suffix = "." + source.rsplit(".", 1)[-1].lower() if "." in source else ""
    loader = LOADERS.get(suffix)
    if loader is None:
        raise ReadError(source, f"不支持的文件类型 {suffix or '（无扩展名）'}；支持：{'、'.join(SUPPORTED)}")
    return loader(source, data, settings)
