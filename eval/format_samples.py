"""Build HTML, PDF and DOCX versions of a report from its cleaned text, as governments publish them.

Used by the tests and by `python -m eval.format_samples` to write the multi-format evaluation folder.
"""
from __future__ import annotations

import html
import io

from assistant.ingest.chunking import heading_level
from assistant.ingest.cleaning import clean
from assistant.text import display


def paragraphs(text: str) -> list[str]:
    """The report's cleaned paragraphs: the same content every format must reproduce."""
    blocks, _ = clean(text)
    return [display(b.text) for b in blocks]


def make_html(text: str, title: str, source: str, date: str, charset: str = "gbk") -> bytes:
    """A saved government page: navigation, accessibility bar and share links around the article."""
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs(text) if p != title)
    page = f"""<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{html.escape(title)}_政府信息公开</title><script>var nav = "首页";</script></head><body>
<div class="top">长者助手 | 市民登录 | 政务邮箱 | 网站无障碍 | 网站支持IPv6</div>
<div class="nav"><a href="/">首页</a> <a href="/gk">政务公开</a> <a href="/bs">政务服务</a> <a href="/hd">互动交流</a></div>
<div class="crumb">现在位置：首页 &gt; 信息公开 &gt; 政策法规</div>
<div class="article"><h1>{html.escape(title)}</h1>
<div class="info">来源：{html.escape(source)} 发布时间：{date} 字体大小：[大] [中] [小] 保护视力色</div>
<div class="content">{body}</div></div>
<div class="share">分享到：微信 微博</div>
<div class="footer">版权所有：市人民政府办公室 ICP备12345678号 网站地图 联系我们</div>
</body></html>"""
    return page.encode(charset, errors="xmlcharrefreplace")


def make_pdf(text: str, header: str, per_line: int = 34, lines_per_page: int = 36) -> bytes:
    """A text PDF written by reportlab: lines wrapped at the page width (so page breaks fall mid-sentence),
    a running header and a page-number footer on every page."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    lines = []
    for para in paragraphs(text):
        lines.extend(para[i:i + per_line] for i in range(0, len(para), per_line))
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf)
    for page_no, start in enumerate(range(0, len(lines), lines_per_page), 1):
        pdf.setFont("STSong-Light", 9)
        pdf.drawString(72, 810, header)
        pdf.setFont("STSong-Light", 12)
        for i, line in enumerate(lines[start:start + lines_per_page]):
            pdf.drawString(60, 780 - 20 * i, line)
        pdf.setFont("STSong-Light", 9)
        pdf.drawString(290, 40, f"- {page_no} -")
        pdf.showPage()
    pdf.save()
    return buf.getvalue()


def make_docx(text: str) -> bytes:
    """A Word file whose headings use Heading 1/2/3 styles, with the numbering typed in the text."""
    import docx

    document = docx.Document()
    for para in paragraphs(text):
        level = heading_level(para)
        if level in (1, 2) and len(para) <= 50 and not para.rstrip().endswith("。"):
            document.add_paragraph(para, style=f"Heading {level}")
        else:
            document.add_paragraph(para)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def write_samples(seeds: "Path", out: "Path") -> list[str]:
    """Write eval/formats/: one seed report as an HTML page, one as a PDF, one as a DOCX."""
    from pathlib import Path

    from assistant.ingest.report import parse_report

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    plan = (("001_87d05bfae25b6d05.txt", "html"), ("004_52d06903635f611d.txt", "pdf"),
            ("003_2373b27b21e9a1f8.txt", "docx"))
    for name, fmt in plan:
        text = (Path(seeds) / name).read_text(encoding="utf-8")
        meta = parse_report(name, text.encode("utf-8")).meta
        if fmt == "html":
            data = make_html(text, meta.title, meta.issuer, meta.date)
        elif fmt == "pdf":
            data = make_pdf(text, meta.issuer + "文件")
        else:
            data = make_docx(text)
        target = out / (Path(name).stem + "." + fmt)
        target.write_bytes(data)
        written.append(target.name)
    return written


if __name__ == "__main__":
    from pathlib import Path

    here = Path(__file__).parent
    print(write_samples(here.parent / "seeds", here / "formats"))
