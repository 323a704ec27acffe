"""A question is read once into a Question; follow-ups compose a standalone Question from its parts."""
import pytest

from assistant.conversation import rewrite
from assistant.records import ReportMeta
from assistant.search.catalog import Catalog
from assistant.search.question import MAX_CHARS, analyze

pytestmark = pytest.mark.unit
CATALOG = Catalog({
    "xihu.txt": ReportMeta(region="杭州市西湖区", region_path=("浙江省", "杭州市", "西湖区"), year_from=2021,
                           year_to=2021, issuer="杭州市西湖区人民政府"),
    "dept.txt": ReportMeta(region="昆明市西山区", region_path=("云南省", "昆明市", "西山区"), year_from=2019,
                           year_to=2019, issuer="昆明市西山区政务服务管理局"),
})


def test_places_years_and_the_words_that_named_them():
    q = analyze("西湖2021年行政复议纠错率是多少？", CATALOG)
    assert [(r.name, r.words) for r in q.regions] == [("西湖区", "西湖")]
    assert [(y.year, y.words) for y in q.years] == [(2021, "2021年")]
    assert q.terms == ("行政复议", "纠错率") and q.figure and q.metric == "行政复议纠错率"
    assert "西湖" not in q.terms and q.topic.text == "行政复议纠错率是多少"


def test_parent_and_child_name_one_place():
    q = analyze("杭州西湖区的法律援助", CATALOG)
    assert q.region_names == ("西湖区",) and "杭州" not in q.terms


def test_short_county_forms_only_for_indexed_regions():
    assert analyze("西山的政务服务", CATALOG).region_names == ("西山区",)
    assert analyze("西山的政务服务", Catalog()).region_names == ()


def test_issuer_named_picks_the_report_and_is_not_a_key_word():
    q = analyze("西山区政务服务管理局推进了哪些放管服改革？", CATALOG)
    assert q.issuers == ("政务服务管理局",) and "政务服务管理局" not in q.terms and "放管服" in q.terms


def test_long_questions_are_cut():
    q = analyze("行政复议" * 200)
    assert q.truncated and len(q.raw) == MAX_CHARS


def test_follow_up_is_composed_from_parts_not_reread():
    first = rewrite(analyze("西湖区2021年法律援助案件有多少？", CATALOG), None)
    second = rewrite(analyze("其中刑事案件有多少？", CATALOG), first)
    assert second.region_names == ("西湖区",) and second.year_values == (2021,)
    assert second.carried == ("地区", "年份", "话题") and second.figure
    assert second.terms == ("法律援助", "案件", "刑事案件") and second.raw == "其中刑事案件有多少？"
    third = rewrite(analyze("那西山区呢？", CATALOG), second)
    assert third.region_names == ("西山区",) and third.year_values == () and "话题" in third.carried


def test_to_dict_names_what_was_understood():
    data = analyze("西湖区2021年存在哪些不足？", CATALOG).to_dict()
    assert data["intent"] == "problems" and data["regions"] == ["西湖区"] and data["years"] == [2021]


@pytest.mark.parametrize("text, intent", [
    ("哪些乡镇培训或培育了“法律明白人”？", "places"),
    ("哪些城市建立了府院联动机制？", "places"),
    ("2022年开展了哪些工作？", "measures"),
])
def test_which_towns_or_cities_asks_across_reports(text, intent):
    assert analyze(text).intent == intent
