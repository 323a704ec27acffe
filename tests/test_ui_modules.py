"""The app's parts without Gradio: export, a passage in its report, rendering, example questions, sessions,
the locale rewrite and the port check."""
import asyncio
import csv
import io
import socket
import zipfile

import pytest

from assistant import Assistant, Settings
from assistant.records import Answer, Hit, Point, Table, TableRow
from tests.conftest import REPORT_A, REPORT_B
from ui.examples import example_questions
from ui.export import ExportError, export, markdown, render
from ui.render import answer_html, conflicts, sources_html, user_message
from ui.session import Session
from ui.viewer import locate, report_view

pytestmark = pytest.mark.unit


@pytest.fixture
def bot(library_bot):
    return library_bot


# -- export -------------------------------------------------------------------------------------

def test_export_carries_citations_in_every_format(bot, tmp_path):
    conv = Session(bot)
    _, figure = conv.ask("西湖区2021年行政复议纠错率是多少？")
    _, table = conv.ask("各地行政复议案件分别是多少？")
    assert figure.found and table.table is not None
    text = markdown([figure, table])
    assert "**12.6%**" in text and "xihu.txt" in text and "《杭州市西湖区2021年法治政府建设年度报告》" in text
    assert "引文：「全年收到行政复议申请215件，受理198件，纠错率为12.6%。」" in text and "| 杭州市西湖区 · 2021年 | 215件 |" in text
    docx = zipfile.ZipFile(io.BytesIO(render([figure], "docx"))).read("word/document.xml").decode("utf-8")
    assert "12.6%" in docx and "xihu.txt" in docx and "一、主要做法和成效" in docx
    rows = list(csv.reader(io.StringIO(render([table], "csv").decode("utf-8-sig"))))
    assert rows[0][:4] == ["问题", "地区 · 年份", "指标", "数值"]
    assert any(r[3] == "215件" and r[6] == "xihu.txt" for r in rows[1:])
    from openpyxl import load_workbook

    book = load_workbook(export([figure, table], "xlsx", tmp_path))
    values = [c.value for row in book.worksheets[0].iter_rows() for c in row]
    assert "215件" in values and "xihu.txt" in values
    path = export([figure], "md", tmp_path)
    assert path.suffix == ".md" and "12.6%" in path.read_text(encoding="utf-8")


def test_export_says_when_there_is_nothing_to_export(bot):
    with pytest.raises(ExportError, match="请先提问"):
        render([], "md")
    with pytest.raises(ExportError, match="对比"):
        render([bot.ask("西湖区2021年行政复议纠错率是多少？")], "csv")


# -- a passage in its report -----------------------------------------------------------------------

def test_a_citation_opens_its_passage_inside_the_whole_report(bot):
    hit = bot.ask("武侯区2022年办理了多少件行政处罚案件？").citations[0]
    html = report_view(bot, hit, 1)
    assert "id='rv-focus'" in html and "<mark class='q'>" in html and "3120件" in html
    assert "成都市武侯区" in html and "library/wuhou.txt" in html and hit.section.split(" › ")[0] in html
    assert "一、主要举措" in html.split("rv-focus")[0]            # the text before the passage is there too
    (bot.library / "wuhou.txt").write_text("前言。\n" + REPORT_B, encoding="utf-8")   # offsets now off by 4
    moved = report_view(bot, hit, 1)
    assert "3120件" in moved.split("id='rv-focus'")[1] and "前言" in moved
    (bot.library / "wuhou.txt").unlink()
    assert "无法打开原文" in report_view(bot, hit, 1)


def test_a_pdf_citation_opens_inside_its_page(tmp_path):
    from eval.format_samples import make_pdf

    folder = tmp_path / "reports"
    folder.mkdir()
    # Six lines a page: the figure lies on a later page than the title.
    (folder / "xihu.pdf").write_bytes(make_pdf(REPORT_A, "西湖区人民政府", lines_per_page=6))
    pdf_bot = Assistant.from_folder(folder, index_dir=tmp_path / "i", settings=Settings(encoder="hash-128"))
    hit = pdf_bot.ask("西湖区2021年群众满意度是多少？").citations[0]
    assert hit.page and hit.page > 1
    html = report_view(pdf_bot, hit, 1)
    assert f"PDF 第{hit.page}页" in html and "id='rv-focus'" in html and "99.2%" in html.split("id='rv-focus'")[1]
    assert "杭州市西湖区2021年法治政府建设年度报告" not in html.split("rv-scroll")[1]    # page 1 is not shown


def test_locate_finds_a_passage_across_pdf_line_breaks():
    hit = Hit("a.pdf", "s", "全年受理案件41件，纠错率9.8%。", 1.0, "", None, start=999, end=1020)
    text = "前文。全年受理案\n件41件，纠错率9.8%。后文"
    assert locate(text, hit) == (3, text.index("后文"))


# -- rendering ------------------------------------------------------------------------------------

def test_answers_render_from_their_structure():
    hit = Hit("r.txt", "一、做法", "全年受理案件41件。", 1.0, "方正县", 2022, title="方正县报告", years="2022",
              quotes=("全年受理案件41件。",))
    answer = Answer(True, question="q", query="方正县 案件", lead="方正县2022年：受理**41件**[1]",
                    points=(Point(("全年受理案件41件。",), 1, "r.txt", "行政复议"),), citations=(hit,),
                    table=Table("案件数", (TableRow("r.txt", "方正县 · 2022年", "41件", 1),)),
                    notices=("问题问的是方正县，与筛选的地区“晋中市”不一致，已按问题回答",),
                    understood={"intent": "figure", "carried": ["地区"], "regions": ["方正县"]})
    html = answer_html(answer, turn=3)
    assert html.index("notice") < html.index("lead") < html.index("<table") < html.index("<ol>")
    assert "<b>41件</b>" in html and "<b>行政复议</b>：" in html and "href='#cite-3-1'" in html
    assert "检索语句" in html and "沿用上文</b>：地区（方正县）" in html and "\n\n" not in html
    assert conflicts(answer) == [answer.notices[0]]
    assert "《方正县报告》（方正县 · 2022年）" in sources_html([hit], 3) and "#cite-3-1" in sources_html([hit], 3)
    untitled = Hit("000_f67df9fa3c27168c.txt", "一、做法", "全年受理案件41件。", 1.0, "方正县", 2022, years="2022")
    shown = sources_html([untitled], 1)
    assert "无标题报告（方正县 · 2022年）" in shown and "《000_f67df9fa3c27168c.txt》" not in shown
    plain = Answer(True, question="q", query="q", points=(Point(("全年受理案件41件。",), 1, untitled.source, ""),),
                   citations=(untitled,))
    assert "】无标题报告（000_f67df9fa3c27168c.txt）" in answer_html(plain, 1)


def test_the_users_question_is_text_and_cut_at_the_search_limit():
    shown = user_message("![x](http://evil.example/a.png) <img src=x> 问题")
    assert "![" not in shown and "<img" not in shown and "evil" in shown
    long = user_message("问" * 1_000_000)
    assert len(long) < 600 and "1,000,000" in long


# -- examples and sessions -------------------------------------------------------------------------

def test_examples_cover_every_region_with_varied_questions(bot):
    questions = example_questions(bot)
    regions = {m.region for m in bot.reports.values()}
    assert all(any(r in q for q in questions) for r in regions), questions
    assert any("哪些地方" in q for q in questions) and any(q.startswith("各地") for q in questions)
    assert len({q[len(next(r for r in regions if q.startswith(r))):][-6:] for q in questions
                if any(q.startswith(r) for r in regions)}) == len(regions)   # no two in the same form
    for question in questions:
        assert bot.ask(question).found, question


def test_a_session_keeps_answers_not_what_the_client_sent(bot):
    session = Session(bot)
    turn, answer = session.ask("方" * 1_000_000 + "受理了多少件行政复议案件？")
    assert answer.understood["truncated"] and len(answer.question) == 500
    assert turn == 1 and session.answer(1) is answer and session.last is answer
    assert session.ask("   ")[0] == 0 and session.turns == 1


# -- locale and port ------------------------------------------------------------------------------

def test_the_page_is_rewritten_to_start_gradio_in_chinese():
    from ui.locale import ChineseLocale

    page = b'<!doctype html><html lang="en"><head><title>x</title></head></html>'

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", b"10")]})
        await send({"type": "http.response.body", "body": page})

    sent = []

    async def send(message):
        sent.append(message)

    asyncio.run(ChineseLocale(app)({"type": "http", "method": "GET", "path": "/"}, None, send))
    body = sent[1]["body"]
    assert body.startswith(b'<!doctype html><html lang="zh-CN"><head><script>') and b"zh-CN" in body
    assert dict(sent[0]["headers"])[b"content-length"] == str(len(body)).encode()


def test_a_busy_port_is_said_with_the_option_to_choose_another():
    from ui.__main__ import port_problem

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        message = port_problem("127.0.0.1", port)
    assert f"端口 {port} 已被占用" in message and f"--port {port + 1}" in message and "PORT=" in message


def test_a_busy_port_stops_the_app_with_a_sentence_not_a_traceback():
    import subprocess
    import sys

    from tests.conftest import ROOT

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run([sys.executable, "-m", "ui", "--folder", str(ROOT / "seeds"), "--library",
                              "/nonexistent-never-created", "--port", str(port)],
                             cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert f"端口 {port} 已被占用" in run.stderr and f"PORT={port + 1}" in run.stderr


def test_the_first_index_says_how_many_passages_and_about_how_long():
    from ui.__main__ import StartupProgress

    class Encoder:
        name = "fake"

        def encode_passages(self, texts):
            ticks.append(sum(map(len, texts)))

    ticks, now = [], iter([0.0, 2.0, 100.0, 130.0])     # the sample takes 2 s; the embedding 30 s
    out = io.StringIO()
    progress = StartupProgress(Encoder(), out=out, clock=lambda: next(now))
    progress("embed", 0, 400, "共 80,000 字")
    sample = ticks[1]
    progress("embed", 0, 400, "")         # the embedder says the start and the end per segment too
    progress("embed", 400, 400, "")
    progress("embed", 400, 400, "")
    said = out.getvalue()
    assert "需要编码 400 个段落（80,000 字，编码器 fake）" in said
    assert f"预计约 {80_000 / (sample / 2):.0f} 秒" in said and "向量编码完成：400 个段落，用时 30 秒" in said
    assert said.count("向量编码 0/400") == 1 and said.count("向量编码完成") == 1, said
