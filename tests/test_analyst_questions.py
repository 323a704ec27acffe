"""Questions as analysts ask them (issue 19): one test per defect, on tiny inline reports and the hash encoder.

Several asks in one question, conversation slots that are replaced and never merged, relative years and
short references, "其中…" answered from the last answer's passages, list-item questions, practice
comparisons, near-miss place names, the asked figure in bold, two same-named places, and a department named
in one half of a question.
"""
import json

import pytest

from assistant.conversation import Slots, rewrite
from assistant.records import ReportMeta
from assistant.search.catalog import Catalog
from assistant.search.nearmiss import suggest
from assistant.search.parts import split
from assistant.search.question import analyze

from tests.conftest import bot_over

pytestmark = pytest.mark.unit

SG = """韶关市2022年法治政府建设年度报告
一、主要做法和成效
（一）深化放管服改革
政务服务事项98.1%实现“马上可办”、99.5%实现“网上可办”、93.2%实现“就近可办”。
（二）加强审计监督
完成审计项目9个,查出问题金额12,345万元。其中,违规金额2,345万元,管理不规范金额10,000万元。
（三）加强法律援助
全年受理法律援助案件240,其中刑事150(指定辩护60、认罪认罚90),民事90。
（四）严格规范公正文明执法
1.推行行政执法三项制度。公示行政执法人员380名,公开执法信息1,020条。
2.开展执法人员培训。组织全市执法人员专题培训6期。
3.加强行政执法监督。开展执法案卷评查2次,评查案卷150宗。
（五）行政应诉
全市行政诉讼一审案件88件,行政机关负责人出庭应诉率100%。
二、存在的问题
基层执法力量薄弱。
三、下一步工作计划
加强执法队伍建设。
"""

ZZ = """株洲市2022年法治政府建设年度报告
一、主要做法
（一）规范行政执法
1.全面落实执法公示。公示行政执法人员520名。
2.推进包容审慎监管。对轻微违法行为依法不予处罚135件。
（二）法律援助
全年办理法律援助案件333件。
二、存在的问题
执法规范化水平有待提高。
"""

CS23 = """长沙县司法局2023年法治政府建设工作报告
一、主要工作
（一）法律援助。全年办理法律援助案件612件。
（二）普法。开展普法活动85场。
长沙县司法局
2024年1月15日
"""

CS24 = """长沙县人民政府关于2024年度法治政府建设情况的报告
一、主要工作
（一）法律援助。全年办理法律援助案件705件。
（二）行政复议。全年收到行政复议申请143件。
长沙县人民政府
2025年1月20日
"""

YY = """岳阳市生态环境局2022年法治政府建设工作报告
一、主要工作
（一）行政处罚。全年办理环境行政处罚案件77件。
岳阳市生态环境局
2023年1月10日
"""

BJ = """北京市朝阳区2024年法治政府建设年度报告
一、主要工作
（一）行政复议。全年收到行政复议申请1,200件。
"""

CC = """长春市朝阳区2023年法治政府建设年度报告
一、主要工作
（一）行政复议。全年收到行政复议申请310件。
"""


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    return bot_over(tmp_path_factory, {"sg.txt": SG, "zz.txt": ZZ, "cs23.txt": CS23, "cs24.txt": CS24,
                                       "bj.txt": BJ, "cc.txt": CC, "yy.txt": YY})


def cited(answer):
    return {h.source for h in answer.citations}


# -- several asks in one question ----------------------------------------------------------------------

def test_a_question_of_two_asks_answers_both_in_order(bot):
    answer = bot.ask("韶关市审计查出问题金额是多少万元？其中违规金额多少？")
    assert len(answer.parts) == 2, answer.text
    assert "12,345万元" in answer.parts[0].lead and "2,345万元" in answer.parts[1].lead, answer.text
    assert all(p.citations for p in answer.parts)
    assert "【第1问】" in answer.text and "【第2问】" in answer.text


@pytest.mark.parametrize("question, parts", [
    ("韶关市审计查出问题金额是多少万元？其中违规金额多少？", 2),
    ("韶关市法律援助案件受理多少件，以及公示了多少执法人员？", 2),
    ("县司法局2023年办理了多少法律援助案件，县政府2024年收到多少行政复议申请？", 2),
    ("北京朝阳区2024年和长春朝阳区2023年行政复议申请分别是多少？", 2),
    ("韶关市行政诉讼一审案件有多少件？", 1),
    ("在行政复议方面，韶关做了什么？", 1),
    ("各地法律援助案件分别是多少？", 1),
    ("甘肃的几份报告里，会前学法各多少次？", 1),
    ("2022年，韶关审结行政复议案件多少件？", 1),
])
def test_a_question_splits_where_it_asks_again(question, parts):
    assert len(split(question)) == parts, [p.text for p in split(question)]


def test_a_later_part_carries_place_and_year_never_the_metric():
    catalog = Catalog({"a": ReportMeta(region="韶关市", region_path=("广东省", "韶关市"), year_from=2022, year_to=2022)})
    first = rewrite(analyze("韶关市2022年行政复议纠错率是多少", catalog), None)
    second = rewrite(analyze("行政诉讼一审案件有多少件", catalog), Slots.of(first), within=True)
    assert second.region_names == ("韶关市",) and second.year_values == (2022,)
    assert "纠错率" not in second.text and second.metric == ""


# -- slots: replaced, never merged ---------------------------------------------------------------------

def test_a_complete_new_question_replaces_the_topic_instead_of_merging(bot):
    conv = bot.chat()
    conv.ask("韶关市行政机关负责人出庭应诉率是多少？")
    conv.ask("那行政诉讼一审案件呢？")
    answer = conv.ask("韶关市审计查出问题金额是多少万元？其中违规金额多少？")
    assert "出庭应诉率" not in answer.query and "行政诉讼" not in answer.query, answer.query
    assert "12,345万元" in answer.parts[0].lead and "未写明" not in answer.parts[0].lead, answer.text
    topic = [d for d in answer.parts[0].understood["slots"] if d["slot"] == "话题"][0]
    assert topic["action"] == "问题自带" and topic["replaced"], topic


def test_only_a_missing_slot_is_inherited_and_the_evidence_is_kept(bot):
    conv = bot.chat()
    conv.ask("韶关市法律援助案件受理多少件？")
    answer = conv.ask("行政诉讼一审案件有多少件？")
    assert "88件" in answer.lead
    slots = {d["slot"]: d for d in answer.understood["slots"]}
    assert slots["地区"]["action"] == "沿用上文" and slots["话题"]["action"] == "问题自带"
    from assistant.answer.render import understanding
    assert any(label == "沿用上文" and "地区" in value for label, value in understanding(answer))


def test_relative_year_and_department_reference_resolve_against_the_slots(bot):
    conv = bot.chat()
    first = conv.ask("长沙县2024年办理法律援助案件多少件？")
    assert "705件" in first.lead, first.text
    answer = conv.ask("上一年县司法局办理了多少法律援助案件？")
    assert answer.understood["regions"] and "上一年县" not in "".join(answer.understood["regions"])
    assert answer.understood["years"] == [2023], answer.understood
    assert "612件" in answer.lead and cited(answer) == {"cs23.txt"}, answer.text
    year = [d for d in answer.understood["slots"] if d["slot"] == "年份"][0]
    assert year["action"] == "按上文换算" and "2024" in year["evidence"]


def test_a_short_reference_stands_for_the_place_slot(bot):
    conv = bot.chat()
    conv.ask("株洲市2022年公示行政执法人员多少名？")
    answer = conv.ask("该市法律援助案件办理了多少件？")
    assert "333件" in answer.lead and cited(answer) == {"zz.txt"}, answer.text


# -- 其中… ----------------------------------------------------------------------------------------------

def test_qizhong_takes_the_sub_figure_from_the_last_answer_not_the_parent_figure(bot):
    conv = bot.chat()
    first = conv.ask("韶关市法律援助案件受理多少件？")
    assert "240" in first.lead, first.text
    answer = conv.ask("其中刑事案件有多少？")
    assert "**150**" in answer.lead and "**240" not in answer.lead, answer.text


# -- list items ----------------------------------------------------------------------------------------

def test_which_things_were_done_is_a_list_not_a_count(bot):
    assert analyze("具体做了哪几件事？").intent == "measures"
    assert analyze("有哪些举措？").figure is False
    conv = bot.chat()
    conv.ask("韶关市在行政执法方面做了什么？")
    answer = conv.ask("具体做了哪几件事？")
    assert "未写明" not in answer.lead, answer.text
    for item in ("推行行政执法三项制度", "开展执法人员培训", "加强行政执法监督"):
        assert item in answer.text, answer.text


def test_the_third_item_of_the_last_list_is_answered_from_its_own_sentences(bot):
    assert analyze("有关部门完善了哪些执法制度？").list_items
    conv = bot.chat()
    conv.ask("韶关市在行政执法方面做了什么？")
    listed = conv.ask("具体做了哪几件事？")
    assert "加强行政执法监督" in listed.points[2].quotes[0], listed.text
    answer = conv.ask("具体第三项是怎么做的？")
    assert "加强行政执法监督" in answer.text and "评查案卷150宗" in answer.text, answer.text
    assert "推行行政执法三项制度" not in answer.text


# -- practice comparisons ------------------------------------------------------------------------------

def test_a_practice_comparison_answers_each_place_side_by_side_with_a_figure_table(bot):
    question = bot.analyze("比一下韶关市和株洲市在行政执法方面的做法，以及各自公示了多少执法人员？")
    assert set(question.region_names) == {"韶关市", "株洲市"}, question.region_names
    answer = bot.ask("比一下韶关市和株洲市在行政执法方面的做法，以及各自公示了多少执法人员？")
    practice, figure = answer.parts
    assert [p.label.split("：")[0] for p in practice.parts] == ["韶关市", "株洲市"], answer.text
    assert cited(practice) == {"sg.txt", "zz.txt"}
    rows = {r.source: r.value for r in figure.table.rows}
    assert rows == {"sg.txt": "380名", "zz.txt": "520名"}, answer.text
    assert not any(w in figure.table.metric for w in ("比一下", "请对", "和", "在")), figure.table.metric


# -- near-miss place names -----------------------------------------------------------------------------

def test_a_near_miss_place_after_another_place_is_suggested_never_the_old_place(bot):
    conv = bot.chat()
    conv.ask("株洲市法律援助案件办理了多少件？")
    answer = conv.ask("绍关市全市行政诉讼一审案件有多少件？")
    assert answer.suggestion == "韶关市" and "您是否要找韶关市？" in answer.notices[0], answer.text
    assert cited(answer) == {"sg.txt"} and "88件" in answer.lead, answer.text


def test_a_near_miss_place_in_a_fresh_chat_is_suggested(bot):
    answer = bot.ask("长纱县2024年办理法律援助案件多少件？")
    assert answer.suggestion == "长沙县" and "您是否要找长沙县？" in answer.text, answer.text
    assert answer.to_dict()["suggestion"] == "长沙县"


@pytest.mark.parametrize("said, meant", [("兆庆市全市", "肇庆市"), ("方三县法律援助", "方山县"), ("庆肇市的", "肇庆市"),
                                         ("西绣区的", "西秀区")])
def test_near_miss_evidence(said, meant):
    indexed = {"肇庆市": ("广东省", "肇庆市"), "方山县": ("山西省", "吕梁市", "方山县"),
               "西秀区": ("贵州省", "安顺市", "西秀区")}
    found = suggest(said, indexed)
    assert found is not None and found.name == meant and found.best.evidence, said


@pytest.mark.parametrize("text", ["北京市的情况呢", "肇庆市2023年", "全县行政复议", "该区的情况"])
def test_real_places_and_right_names_are_never_corrected(text):
    assert suggest(text, {"肇庆市": ("广东省", "肇庆市"), "西秀区": ("贵州省", "安顺市", "西秀区")}) is None


def test_a_count_of_cities_is_no_mistyped_city():
    indexed = {"晋城市": ("山西省", "晋城市")}
    assert suggest("2025年几个城市的报告里,参加述法的领导干部分别有多少人", indexed) is None
    assert suggest("三个城市的情况", indexed) is None
    assert suggest("晋成市的情况", indexed).name == "晋城市"


# -- the asked figure in bold --------------------------------------------------------------------------

def test_the_bold_figure_is_the_one_the_metric_words_sit_beside(bot):
    answer = bot.ask("韶关市网上可办的事项比例是多少？")
    assert "**99.5%**" in answer.lead and "**98.1%**" not in answer.lead, answer.lead


def test_a_figure_written_with_spaces_is_still_bold():
    from assistant.answer.figures import bold_value
    assert bold_value("全年公开执法信息 137 条", "137条") == "全年公开执法信息 **137 条**"


def test_a_follow_up_that_only_switches_the_body_is_not_answered_from_another_body(bot):
    assert "生态环境局" in bot.catalog.issuers
    conv = bot.chat()
    assert "612件" in conv.ask("长沙县司法局2023年办理法律援助案件多少件？").lead
    answer = conv.ask("县生态环境局呢？")
    assert not answer.found and "生态环境局" in answer.reason, answer.text


def test_sessions_count_in_changci():
    from assistant.answer.figures import asked_units
    assert "场次" in asked_units(analyze("组织了多少场次法治培训？"))


def test_two_measures_joined_by_he_are_two_asks():
    assert [p.text for p in split("韶关市行政复议纠错率和行政诉讼败诉率是多少？")] == [
        "韶关市行政复议纠错率是多少？", "行政诉讼败诉率是多少？"]


# -- same-named places, departments in one half --------------------------------------------------------

def test_two_same_named_places_with_two_years_stay_two(bot):
    question = bot.analyze("北京朝阳区2024年和长春朝阳区2023年行政复议申请分别是多少？")
    assert len(question.regions) == 2 and question.regions[0].parents != question.regions[1].parents
    answer = bot.ask("北京朝阳区2024年和长春朝阳区2023年行政复议申请分别是多少？")
    assert cited(answer.parts[0]) == {"bj.txt"} and cited(answer.parts[1]) == {"cc.txt"}, answer.text
    assert "1,200件" in answer.parts[0].lead and "310件" in answer.parts[1].lead


def test_a_department_in_one_half_does_not_filter_the_other_half(bot):
    conv = bot.chat()
    conv.ask("长沙县的法律援助案件有多少件？")
    answer = conv.ask("县司法局2023年办理了多少法律援助案件，县政府2024年收到多少行政复议申请？")
    assert cited(answer.parts[0]) == {"cs23.txt"} and cited(answer.parts[1]) == {"cs24.txt"}, answer.text
    assert "143件" in answer.parts[1].lead


# -- the API and the page -----------------------------------------------------------------------------

def test_multi_part_answers_round_trip_through_to_dict_and_render(bot):
    from ui.render import answer_html

    answer = bot.ask("比一下韶关市和株洲市在行政执法方面的做法，以及各自公示了多少执法人员？")
    data = json.loads(json.dumps(answer.to_dict(), ensure_ascii=False))
    assert len(data["parts"]) == 2 and data["parts"][0]["parts"] and data["parts"][1]["table"]
    html = answer_html(answer, turn=2)
    assert "side-by-side" in html and html.count("class='part'") >= 4
    numbers = {int(n) for n in __import__("re").findall(r"#cite-2-(\d+)", html)}
    assert numbers and max(numbers) <= len(answer.citations), (numbers, len(answer.citations))
    suggested = answer_html(bot.ask("绍关市行政诉讼一审案件有多少件？"), turn=3)
    assert "您是否要找韶关市？" in suggested


def test_of_several_near_misses_the_closest_sound_wins_and_the_others_are_kept():
    indexed = {"方城县": ("河南省", "南阳市", "方城县"), "方山县": ("山西省", "吕梁市", "方山县"),
               "方正县": ("黑龙江省", "哈尔滨市", "方正县")}
    found = suggest("方三县法律援助", indexed)
    assert found.name == "方山县" and len(found.candidates) == 3 and "音近" in found.explain()


def test_a_scope_of_several_cities_is_no_ask_of_its_own():
    from assistant.search.parts import split
    assert len(split("2025年几个城市的报告里，参加述法的领导干部分别有多少人？")) == 1
    assert len(split("西秀区审计查出问题金额是多少万元？其中违规金额多少？")) == 2
