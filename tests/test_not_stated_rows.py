"""未写明 rows are honest: the report's related passage labelled 相关原文, or only a link to the report;
never a heading or a padding sentence, in the answer, the page and every export."""
import csv
import io
import re

import pytest

from assistant.records import RELATED
from tests.conftest import bot_over

pytestmark = pytest.mark.unit

REPORTS = {
    "fs.txt": """方山县2022年法治政府建设年度报告
一、强化党的领导。
县委常委会专题研究法治政府建设工作4次。
二、规范行政应诉
2.强化工作统筹。
全年行政诉讼案件23件，副县长出庭应诉10案，旁听庭审3次。
""",
    "hs.txt": """海盛区2022年法治政府建设年度报告
一、主要举措
1.化解行政争议。全年办理行政复议案件41件。行政机关负责人出庭应诉率100%。
""",
    "tq.txt": """塘桥镇2022年法治政府建设工作报告
一、强化党的领导。
全镇推进依法行政，开展普法活动36场，调处矛盾纠纷215起。
""",
}
HEADINGS = ("强化党的领导", "强化工作统筹")


@pytest.fixture(scope="module")
def answer(tmp_path_factory):
    bot = bot_over(tmp_path_factory, REPORTS)
    return bot.ask("各地负责人出庭应诉率分别是多少？")


def test_rows_state_quote_related_or_only_link(answer):
    rows = {r.source: r for r in answer.table.rows}
    assert rows["hs.txt"].value == "100%" and rows["hs.txt"].note == ""
    fs = rows["fs.txt"]
    assert fs.value == "未写明" and fs.note == RELATED and fs.citation
    assert "副县长出庭应诉10案" in fs.quotes[0]
    tq = rows["tq.txt"]
    assert tq.value == "未写明" and tq.citation is None and tq.quotes == () and tq.note == ""
    assert {h.source for h in answer.citations} == {"hs.txt", "fs.txt"}
    related = [p for p in answer.points if p.source == "fs.txt"]
    assert [p.heading for p in related] == [RELATED]
    assert not any(h in q for p in answer.points for q in p.quotes for h in HEADINGS), answer.text


def test_the_text_and_the_page_label_the_related_passage_and_link_the_report(answer):
    from ui.render import answer_html

    assert "相关原文：「" in answer.text and "见报告 tq.txt" in answer.text
    page = answer_html(answer, turn=2)
    assert "<b>相关原文</b>" in page and "href='#report-2-" in page
    assert not any(h in page for h in HEADINGS)


@pytest.mark.parametrize("fmt", ["md", "docx", "csv", "xlsx"])
def test_every_export_labels_related_and_never_quotes_a_heading(answer, fmt):
    from ui.export import render

    data = render([answer], fmt)
    if fmt == "md":
        text = data.decode()
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        by_file = {r[6]: r for r in rows[1:]}
        assert by_file["fs.txt"][8].startswith("相关原文：") and "副县长出庭应诉10案" in by_file["fs.txt"][8]
        assert by_file["tq.txt"][4] == "见报告 tq.txt" and by_file["tq.txt"][8] == ""
        text = data.decode("utf-8-sig")
    elif fmt == "xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(data)).worksheets[0]
        text = "\n".join(" ".join(str(c.value or "") for c in row) for row in sheet.iter_rows())
    else:
        from docx import Document

        doc = Document(io.BytesIO(data))
        text = "\n".join([p.text for p in doc.paragraphs]
                         + [c.text for t in doc.tables for row in t.rows for c in row.cells])
    assert "相关原文" in text and "副县长出庭应诉10案" in text and "见报告 tq.txt" in text
    # Headings may name a passage's section (章节), never stand as what it says.
    quotes = re.findall(r"「(.*?)」", text) + re.findall(r"相关原文：(\S+)", text)
    assert quotes and not any(h in q for q in quotes for h in HEADINGS), quotes
