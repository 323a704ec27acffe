"""HTML, PDF and DOCX versions of a report give the same metadata, sections and answers as its .txt."""
import io

import pytest

from assistant import Assistant, Settings
from assistant.records import PREAMBLE
from assistant.ingest.report import parse_report
from assistant.ingest.reading import ReadError
from assistant.text import normalize
from eval.format_samples import make_docx, make_html, make_pdf
from tests.conftest import SEEDS

pytestmark = pytest.mark.unit
REPORTS = ["002_aec657a554914a18.txt", "003_2373b27b21e9a1f8.txt", "004_52d06903635f611d.txt"]


def versions(name):
    text = (SEEDS / name).read_text(encoding="utf-8")
    base = parse_report(name, text.encode("utf-8"))
    stem = name[:-4]
    return base, {
        f"{stem}.html": make_html(text, base.meta.title, base.meta.issuer, base.meta.date),
        f"{stem}.pdf": make_pdf(text, base.meta.issuer + "文件"),
        f"{stem}.docx": make_docx(text),
    }


def body_sections(report):
    return [c.section for c in report.chunks if c.section != PREAMBLE]


@pytest.mark.parametrize("name", REPORTS)
def test_every_format_matches_the_txt_version(name):
    base, variants = versions(name)
    for fname, data in variants.items():
        report = parse_report(fname, data)
        assert report.meta == base.meta, fname
        assert body_sections(report) == body_sections(base), fname
        # Formats legitimately differ in spacing and markdown; the matching form must not.
        assert [normalize(c.text).replace("\n", "").replace(" ", "") for c in report.chunks
                if c.section != PREAMBLE] == \
               [normalize(c.text).replace("\n", "").replace(" ", "") for c in base.chunks
                if c.section != PREAMBLE], fname


def test_html_boilerplate_is_dropped_and_charset_honoured():
    base, variants = versions(REPORTS[2])
    data = variants["004_52d06903635f611d.html"]
    assert b"charset=gbk" in data
    report = parse_report("page.html", data)
    assert "gb18030" in report.encoding and "declared" in report.encoding
    text = "".join(c.text for c in report.chunks)
    for junk in ("市民登录", "分享到", "ICP备", "政务服务 互动交流", "保护视力色"):
        assert junk not in text


def test_pdf_chunks_know_their_pages_and_drop_headers_and_page_numbers():
    base, variants = versions(REPORTS[2])
    report = parse_report("r.pdf", variants["004_52d06903635f611d.pdf"])
    pages = [c.page for c in report.chunks]
    assert pages == sorted(pages) and pages[0] == 1 and pages[-1] >= 3
    text = "".join(c.text for c in report.chunks)
    assert "攀枝花市西区人民政府文件" not in text and "- 2 -" not in text


def test_answers_match_across_formats(tmp_path):
    base, variants = versions(REPORTS[2])
    folders = {}
    for label, files in (("txt", {"r.txt": (SEEDS / REPORTS[2]).read_bytes()}),
                         ("pdf", {"r.pdf": variants["004_52d06903635f611d.pdf"]}),
                         ("docx", {"r.docx": variants["004_52d06903635f611d.docx"]}),
                         ("html", {"r.html": variants["004_52d06903635f611d.html"]})):
        folder = tmp_path / label
        folder.mkdir()
        for fname, data in files.items():
            (folder / fname).write_bytes(data)
        folders[label] = Assistant.from_folder(folder, index_dir=tmp_path / f"i-{label}",
                                               settings=Settings(encoder="hash-64"))
    # Questions built from the report's own section titles, not from known answers.
    titles = sorted({c.path[-1] for c in base.chunks if len(c.path) >= 2})[:6]
    for title in titles:
        question = f"{base.meta.region}{title}的情况？"
        quotes = {label: [normalize(q).replace(" ", "") for h in bot.ask(question).citations for q in h.quotes]
                  for label, bot in folders.items()}
        assert quotes["pdf"] == quotes["txt"] == quotes["docx"], (question, quotes)
        assert set(quotes["html"]) >= set(quotes["txt"][:1]), (question, quotes)
    pdf_answer = folders["pdf"].ask(f"{base.meta.region}{titles[0]}的情况？")
    assert "第" in pdf_answer.text and "页" in pdf_answer.text


def test_scanned_pdf_is_refused_with_a_clear_reason():
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf)
    pdf.rect(100, 100, 300, 500, fill=1)  # a page with an image-like shape and no text
    pdf.showPage()
    pdf.save()
    with pytest.raises(ReadError, match="没有文字层"):
        parse_report("scan.pdf", buf.getvalue())


@pytest.mark.parametrize("name,data,reason", [
    ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "PDF"),
    ("broken.docx", b"PK\x03\x04 not a zip", "DOCX"),
    ("empty.html", "<html><body><nav>首页</nav></body></html>".encode(), "没有找到正文"),
    ("notes.odt", b"whatever", "不支持"),
])
def test_damaged_files_name_the_reason(name, data, reason):
    with pytest.raises(ReadError, match=reason):
        parse_report(name, data)


def test_folder_of_mixed_formats_indexes_all(tmp_path):
    _, variants = versions(REPORTS[0])
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "a.pdf").write_bytes(variants["002_aec657a554914a18.pdf"])
    (folder / "b.docx").write_bytes(make_docx((SEEDS / REPORTS[1]).read_text(encoding="utf-8")))
    (folder / "c.html").write_bytes(versions(REPORTS[2])[1]["004_52d06903635f611d.html"])
    (folder / "d.txt").write_bytes((SEEDS / "001_87d05bfae25b6d05.txt").read_bytes())
    bot = Assistant.from_folder(folder, index_dir=tmp_path / "idx", settings=Settings(encoder="hash-64"))
    assert set(bot.store.files) == {"a.pdf", "b.docx", "c.html", "d.txt"} and bot.skipped == []
    assert {m.region for m in bot.reports.values()} == {"方山县", "昆明市西山区", "攀枝花市西区", "肇庆市"}


def test_a_format_library_that_fails_its_own_import_is_named_with_the_reason(monkeypatch):
    """trafilatura installed but lxml_html_clean missing must not say "install trafilatura" (CI saw exactly that)."""
    import importlib
    from assistant.ingest import formats
    real_import = importlib.import_module

    def broken(name):
        if name == "trafilatura":
            raise ImportError("lxml.html.clean module is now a separate project lxml_html_clean.")
        if name == "pypdf":
            raise ModuleNotFoundError("No module named 'pypdf'", name="pypdf")
        return real_import(name)

    monkeypatch.setattr(formats.importlib, "import_module", broken)
    with pytest.raises(ReadError) as failed:
        formats._require("a.html", "trafilatura", "trafilatura")
    assert "已安装" in str(failed.value) and "lxml_html_clean" in str(failed.value)
    with pytest.raises(ReadError) as absent:
        formats._require("a.pdf", "pypdf", "pypdf")
    assert "pip install pypdf" in str(absent.value)
