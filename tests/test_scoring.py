"""The answer-level scores of the evaluation, on hand-made answers."""
import pytest

from assistant.records import Answer, Hit, Point, Table, TableRow
from eval.gold import Gold, Question, Row
from eval.scoring import (Truth, answer_right, figure_in_lead, list_share, rows_right, says_not_stated,
                          unsupported_numbers, wrong_region)

pytestmark = pytest.mark.unit
TRUTH = {"a.txt": Truth("a.txt", ("江西省", "南昌市", "西湖区"), "county", 2022, 2022, "", ""),
         "b.txt": Truth("b.txt", ("浙江省", "杭州市", "西湖区"), "county", 2022, 2022, "", "")}


def answer(source="a.txt", quote="全年受理行政复议案件215件，纠错率为12.6%。", lead="", **kw):
    hit = Hit(source, "一、做法", "正文。" + quote, 1.0, "", 2022, years="2022", chunk_id=f"{source}#0", quotes=(quote,))
    return Answer(True, question="q", points=(Point((quote,), 1, source),), citations=(hit,), lead=lead, **kw)


def test_wrong_region_compares_truth_paths_and_allows_a_notice():
    q = Question("q1", "figure", "南昌西湖区纠错率", (Gold("a.txt", "纠错率"),), "12.6%", ("江西省", "南昌市", "西湖区"))
    assert not wrong_region(q, answer("a.txt"), TRUTH)
    assert wrong_region(q, answer("b.txt"), TRUTH)
    assert not wrong_region(q, answer("b.txt", notices=("注意：以下内容来自另一地区的报告",)), TRUTH)


def test_a_comparison_over_a_province_may_cite_every_report_in_it():
    q = Question("q4", "compare", "江西的几份报告里纠错率各多少", (Gold("a.txt", "纠错率"),), asked=("江西省",))
    assert not wrong_region(q, answer("a.txt"), TRUTH)
    assert wrong_region(q, answer("b.txt"), TRUTH)
    figure = Question("q5", "figure", "江西省纠错率", (Gold("a.txt", "纠错率"),), "12.6%", ("江西省",))
    assert wrong_region(figure, answer("a.txt"), TRUTH)


def test_a_turn_whose_gold_spans_several_reports_asks_about_every_report_under_its_region():
    gold = (Gold("a.txt", "纠错率"), Gold("c.txt", "纠错率"))
    truth = {**TRUTH, "c.txt": Truth("c.txt", ("江西省", "九江市"), "city", 2022, 2022, "", "")}
    q = Question("q6", "follow-up", "南昌西湖区和九江市纠错率分别是多少", gold, asked=("江西省",))
    assert not wrong_region(q, answer("a.txt"), truth)
    assert wrong_region(q, answer("b.txt"), truth)   # 杭州's 西湖区 is not under 江西省


def test_list_items_are_scored_one_by_one():
    q = Question("q2", "problems", "不足", (Gold("a.txt", section="不足"),), items=("执法力量薄弱", "宣传不够", "队伍不稳"))
    assert list_share(q, answer(quote="一是执法力量薄弱。二是宣传不够。")) == pytest.approx(2 / 3)


def test_comparison_rows_need_the_figure_or_not_stated():
    q = Question("q3", "compare", "各地", (Gold("a.txt", "x"),), rows=(Row("a.txt", "215件"), Row("b.txt", None)))
    table = Table("案件数", (TableRow("a.txt", "南昌市西湖区", "215件", 1), TableRow("b.txt", "杭州市西湖区", "未写明")))
    assert rows_right(q, answer(table=table)) == (2, 2)
    wrong = Table("案件数", (TableRow("a.txt", "南昌市西湖区", "3个", 1),))
    assert rows_right(q, answer(table=wrong)) == (0, 2)


def test_not_stated_and_figure_in_lead():
    q = Question("q4", "not-stated", "败诉率", (Gold("a.txt", "x"),), metric="败诉率")
    assert says_not_stated(q, answer(lead="报告未写明南昌市西湖区2022年行政诉讼败诉率"))
    assert not says_not_stated(q, answer(lead="败诉率为3%"))
    f = Question("q5", "figure", "纠错率", (Gold("a.txt", "x"),), "12.6%")
    assert figure_in_lead(f, answer(lead="纠错率为 12.6%[1]")) and not figure_in_lead(f, answer())
    assert answer_right(f, answer()) and not answer_right(f, answer(quote="没有数字。"))


def test_numbers_must_come_from_the_cited_text():
    assert unsupported_numbers(answer(lead="纠错率为12.6%"), "2022年") == []
    assert unsupported_numbers(answer(lead="纠错率为95.9%"), "") == ["95.9"]
