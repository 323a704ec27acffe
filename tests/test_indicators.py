"""The 指标总览: the reader's choices over inline clauses, the element check, exports, and the table stored per segment."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from assistant import Assistant, Settings
from assistant.indicators import read_report
from assistant.indicators.catalogue import indicators
from assistant.indicators.stored import FILE, read_segment
from assistant.indicators.table import IndicatorTable, safe_cell
from assistant.records import Chunk, ReportMeta
from tests.conftest import REPORT_A, REPORT_B

pytestmark = pytest.mark.unit

HASH = Settings(encoder="hash-128")
META = ReportMeta(region="测试县", year_from=2022, year_to=2022)


def row_of(text: str, path=("一、主要举措和成效",), meta=META):
    chunks = [Chunk("t.txt", i, tuple(path), para, 0, len(para)) for i, para in enumerate(text.split("\n")) if para]
    return read_report("t.txt", meta, chunks)


def value(text: str, indicator: str, **kw) -> str:
    return row_of(text, **kw).cell(indicator).text


def test_the_catalogue_covers_what_the_issue_names():
    names = {i.name for i in indicators()}
    assert 15 <= len(names) <= 25
    for name in ("行政复议收案", "行政复议审结", "行政复议纠错率", "行政复议调解和解率", "行政诉讼一审收案", "行政诉讼败诉率",
                 "负责人出庭应诉率", "法律援助案件", "人民调解案件", "人民调解成功率", "规范性文件备案审查", "行政执法案件",
                 "罚没金额", "政务服务事项数", "网上可办率", "即办件", "普法活动", "12345热线办结率"):
        assert name in names
    assert all(i.units and i.words and i.not_words for i in indicators())


def test_maishang_keban_is_not_wangshang_keban():
    text = "行政许可服务98.1%事项实现“马上可办”、97.2%事项实现“网上可办”、90.5%事项实现“就近可办”。"
    assert value(text, "online_rate") == "97.2%"
    assert value(text, "instant_items") == "98.1%"


def test_appearance_count_is_not_a_rate_nor_a_case_count():
    text = "人民法院开庭审理行政诉讼案件31件，机关负责人出庭应诉案件31件，出庭应诉率为96.8%。"
    row = row_of(text)
    assert row.cell("appearance_rate").text == "96.8%"
    assert row.cell("litigation_cases").text == "未写明"       # 开庭审理 and 出庭应诉 counts are other figures


def test_the_previous_years_figure_and_a_target_are_not_the_result():
    row = row_of("审结行政复议案件40件，纠错率7.5%(2021年纠错率为12.5%)。\n力争行政诉讼败诉率控制在5%以下。")
    assert row.cell("review_correction_rate").text == "7.5%"
    assert row.cell("review_closed").text == "40件"
    assert row.cell("litigation_loss_rate").text == "未写明"
    reasons = [r for c in row.cell("review_correction_rate").why for r in c.reasons]
    assert any("2021年" in r for r in reasons)


def test_a_part_after_qizhong_is_not_the_total():
    row = row_of("全年办理法律援助案件512件，其中刑事案件120件，民事案件392件。")
    assert row.cell("legal_aid_cases").text == "512件"
    row = row_of("全年受理法律援助案件，其中刑事案件120件。")
    assert row.cell("legal_aid_cases").text == "未写明"


def test_two_equally_good_figures_make_the_cell_ambiguous_with_both_kept():
    row = row_of("甲镇调处矛盾纠纷120件。\n乙镇调处矛盾纠纷80件。", path=("（三）人民调解",))
    cell = row.cell("mediation_cases")
    assert cell.text == "不明确" and {c.value for c in cell.why} >= {"120件", "80件"}
    long = IndicatorTable((row,), indicators()).records()
    said = next(r for r in long if r["indicator"] == "人民调解案件")
    assert said["value"] == "不明确" and "120件" in said["quote"] and "80件" in said["quote"]


def test_a_field_word_is_needed_and_a_filled_cell_quotes_its_clause_verbatim():
    text = "全县共办理案件88件。\n全县共办理法律援助案件66件，挽回经济损失30万元。"
    cell = row_of(text).cell("legal_aid_cases")
    assert cell.text == "66件" and cell.value in cell.quote and cell.quote in cell.sentence
    assert cell.quote == "全县共办理法律援助案件66件"
    assert row_of(text).cell("enforcement_fines").text == "未写明"     # 挽回经济损失 is no fine


def test_a_count_stated_as_none_but_never_an_outcome_that_did_not_happen():
    row = row_of("2021年，管委会未发生行政复议案件，发生行政诉讼案件1件。\n全年未发生行政诉讼败诉案件。")
    assert row.cell("review_received").text == "未发生行政复议案件"
    assert row.cell("litigation_cases").text == "1件"                 # the figure, not the 败诉 that did not happen
    row = row_of("全年受理行政复议案件12件，未发生行政复议被纠错案件。")
    assert row.cell("review_received").text == "12件"


def test_a_lost_unit_and_spaces_are_kept_as_written():
    row = row_of("县法律援助中心已受理法律援助案件104，其中刑事81。\n全年开展各类法治宣传活动 120 余场次，发放资料1万份。")
    assert row.cell("legal_aid_cases").text == "104"
    assert row.cell("pufa_activities").text == "120 余场次"


def test_elements_from_headings_sentences_and_never_from_next_years_plans():
    chunks = [Chunk("t.txt", 0, ("一、主要做法",), "全年受理行政复议案件10件。", 0, 10),
              Chunk("t.txt", 1, ("二、下一步工作打算",), "（一）深化党政主要负责人履行推进法治建设第一责任人职责。", 10, 40)]
    checks = {c.element: c for c in read_report("t.txt", META, chunks).elements}
    assert checks["measures"].present and checks["measures"].section == "一、主要做法"
    assert checks["plans"].present and checks["plans"].how == "heading"
    assert not checks["first_duty"].present
    assert not checks["shortfalls"].present
    chunks.append(Chunk("t.txt", 2, ("一、主要做法",), "县委主要负责同志专题听取法治政府建设汇报4次。但还存在一些问题和不足，主要是执法力量薄弱。", 40, 90))
    checks = {c.element: c for c in read_report("t.txt", META, chunks).elements}
    assert checks["first_duty"].present and checks["first_duty"].how == "sentence"
    assert checks["shortfalls"].present and checks["shortfalls"].how == "sentence"


@pytest.fixture
def folder(tmp_path) -> Path:
    f = tmp_path / "reports"
    f.mkdir()
    (f / "xihu.txt").write_text(REPORT_A, encoding="utf-8")
    return f


def test_the_table_of_an_index_its_csv_and_its_filters(folder, tmp_path):
    (folder / "wuhou.txt").write_text(REPORT_B, encoding="utf-8")
    bot = Assistant.from_folder(folder, index_dir=tmp_path / "i", settings=HASH)
    table = bot.indicators()
    assert [r.meta.region for r in table.rows] == ["成都市武侯区", "杭州市西湖区"]
    xihu = bot.indicators(region="西湖区").rows
    assert len(xihu) == 1 and xihu[0].cell("review_correction_rate").text == "12.6%"
    assert xihu[0].cell("legal_aid_cases").text == "1024件"
    assert bot.indicators(year=2022).rows[0].cell("enforcement_fines").text == "560.5万元"
    assert bot.indicators(year=2030).rows == ()
    lines = list(csv.reader(io.StringIO(table.to_csv().decode("utf-8"))))
    assert lines[0] == ["file", "region", "year", "indicator", "value", "quote", "section"]
    assert len(lines) == 1 + 2 * len(indicators())
    fixed = [ln for ln in lines if ln[3] == "行政复议纠错率" and ln[0] == "xihu.txt"][0]
    assert fixed[4] == "12.6%" and "纠错率为12.6%" in fixed[5] and "加强行政复议工作" in fixed[6]
    hit = xihu[0].hit("review_correction_rate")
    assert hit.source == "xihu.txt" and "纠错率为12.6%" in hit.quotes[0]


def test_exports_write_formulas_as_text(folder, tmp_path):
    from openpyxl import load_workbook

    assert safe_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)" and safe_cell("-3") == "'-3" and safe_cell("12件") == "12件"
    bot = Assistant.from_folder(folder, index_dir=tmp_path / "i", settings=HASH)
    row = bot.indicators().rows[0]
    evil = type(row.meta)(region="=cmd|' /C calc'!A0", year_from=2021, year_to=2021)
    table = IndicatorTable((type(row)(row.source, evil, row.cells, row.elements),), bot.indicators().indicators)
    assert "'=cmd" in table.to_csv().decode("utf-8")
    book = load_workbook(io.BytesIO(table.to_xlsx()))
    assert book.sheetnames == ["指标总览", "明细", "报告要素"]
    assert book["指标总览"]["B2"].value == "'=cmd|' /C calc'!A0" and book["指标总览"]["B2"].data_type == "s"
    for suffix in (".csv", ".xlsx", ".md"):
        assert table.save(tmp_path / f"t{suffix}").stat().st_size > 0
    with pytest.raises(ValueError, match="不支持"):
        table.save(tmp_path / "t.pdf")


def test_the_table_is_stored_per_segment_and_adding_a_report_reads_only_it(folder, tmp_path, monkeypatch):
    index = tmp_path / "i"
    bot = Assistant.from_folder(folder, index_dir=index, settings=HASH)
    first = bot.store.files["xihu.txt"].segment
    path = index / "segments" / first / FILE
    before = path.read_bytes()
    assert f"segments/{first}/{FILE}" in bot.store.checksums()     # listed in the manifest, verified at load
    (folder / "wuhou.txt").write_text(REPORT_B, encoding="utf-8")
    import assistant.indicators as package
    import assistant.index.writer as writer

    read = []
    real = writer.read_report
    monkeypatch.setattr(writer, "read_report", lambda source, *a: read.append(source) or real(source, *a))
    bot.refresh()
    assert read == ["wuhou.txt"]                                   # the old row is not computed again
    assert path.read_bytes() == before
    second = bot.store.files["wuhou.txt"].segment
    assert [d["source"] for d in read_segment(index / "segments" / second).values()] == ["wuhou.txt"]
    monkeypatch.setattr(package, "read_report", lambda *a: pytest.fail("a stored row was read again"))
    assert bot.indicators(region="武侯区").rows[0].cell("enforcement_cases").text == "3120件"


def test_a_merge_keeps_the_rows_and_an_index_without_the_file_reads_them_lazily(folder, tmp_path, monkeypatch):
    index = tmp_path / "i"
    (folder / "wuhou.txt").write_text(REPORT_B, encoding="utf-8")
    bot = Assistant.from_folder(folder, index_dir=index, settings=HASH)
    expected = [(r.source, [c.text for c in r.cells]) for r in bot.indicators().rows]
    (folder / "more.txt").write_text(REPORT_A.replace("西湖区", "上城区"), encoding="utf-8")
    bot.refresh()
    merged = bot.merge()
    assert len(merged.segments) == 1
    assert len(read_segment(index / "segments" / merged.segments[0].name)) == 3
    assert [(r.source, [c.text for c in r.cells]) for r in Assistant.from_folder(
        folder, index_dir=index, settings=HASH).indicators(region="杭州市西湖区").rows] == expected[1:]
    # An index written before segments held the table: no file, rows read from the indexed chunks.
    old = tmp_path / "old"
    import assistant.index.segment as segment

    real = segment.write_words
    monkeypatch.setattr(segment, "write_words", lambda *a, extra=None, **k: real(*a, **k))
    import assistant.index.writer as writer
    monkeypatch.setattr(writer, "write_words", segment.write_words)
    (folder / "more.txt").unlink()
    bot = Assistant.from_folder(folder, index_dir=old, settings=HASH)
    assert not list((old / "segments").glob(f"*/{FILE}"))
    assert [(r.source, [c.text for c in r.cells]) for r in bot.indicators().rows] == expected


def test_a_catalogue_change_reads_every_report_again(folder, tmp_path, monkeypatch):
    from assistant import lexicon

    index = tmp_path / "i"
    bot = Assistant.from_folder(folder, index_dir=index, settings=HASH)
    old = bot.store.files["xihu.txt"].segment
    monkeypatch.setattr(lexicon, "INDICATOR_TABLES", lexicon.INDICATOR_TABLES + "\n# an edit")
    bot.refresh()
    assert bot.store.files["xihu.txt"].segment != old
    assert any("词表" in n for n in bot.store.manifest.get("notes", []))


def test_the_tabs_pieces_and_charts_without_a_browser(folder, tmp_path):
    from ui.indicator_charts import bar_chart, line_chart, number, png_bytes
    from ui.indicators import PAGE_HEAD, cell_html, elements_html, frame

    assert number("1.86万件") == 18600 and number("120 余场次") == 120 and number("1,234件") == 1234
    assert number("未发生行政复议案件") == 0 and number("未写明") is None
    (folder / "xihu2022.txt").write_text(REPORT_A.replace("2021", "2022").replace("12.6%", "8.1%"), encoding="utf-8")
    bot = Assistant.from_folder(folder, index_dir=tmp_path / "i", settings=HASH)
    table = bot.indicators()
    head, body = frame(table)
    column = head.index("行政复议纠错率")
    assert column >= len(PAGE_HEAD) and [r[column] for r in body] == ["12.6%", "8.1%"]
    view = cell_html(bot, table, 0, column)
    assert "rv-focus" in view and "纠错率为12.6%" in view and "考虑过的数字" in view
    assert "报告未写明" in cell_html(bot, table, 0, head.index("12345热线办结率"))
    assert "✓ 一、主要做法和成效" in elements_html(table) and "✓ 二、存在的不足" in elements_html(table)
    assert png_bytes(bar_chart(table, "review_correction_rate"))[:4] == b"\x89PNG"
    line = line_chart(table, "review_correction_rate")            # two years of 西湖区: a line
    assert line is not None and len(line.axes[0].lines) == 1 and list(line.axes[0].lines[0].get_ydata()) == [12.6, 8.1]
    assert line_chart(bot.indicators(year=2022), "review_correction_rate") is None
