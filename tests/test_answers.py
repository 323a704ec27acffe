"""Answers an analyst can trust: complete lists, a direct first line, honest "未写明", comparison tables.

The reports are tiny inline fixtures of places and figures the seeds do not hold; the hash encoder
makes retrieval deterministic.
"""
import pytest

from eval.scoring import unsupported_numbers

from tests.conftest import bot_over

pytestmark = pytest.mark.unit

REPORTS = {
    "yl.txt": """鄞陵县人民政府关于2022年度法治政府建设情况的报告
一、主要做法
（一）推进行政复议规范化。全年收到行政复议申请86件，受理80件，纠错率为11.3%。划转行政编制3个。
（二）深化府院联动。与县人民法院建立府院联动机制，召开联席会议4次。
（三）加强法律援助。办理法律援助案件412件。行政诉讼一审案件57件，败诉率为3.5%。
二、存在的问题
一年来取得了一定成效，但仍存在一些问题和不足，主要表现在：基层执法力量薄弱；规范性文件备案审查不够及时；普法宣传针对性不强；公职律师作用发挥不充分。
三、下一步工作打算
一是加强执法队伍建设。开展执法培训12场。二是完善备案审查制度。三是深化“八五”普法。
鄞陵县人民政府
2023年2月1日
""",
    "hs.txt": """海盛区2022年法治政府建设年度报告
一、主要举措
1.优化营商环境。为企业出具法律意见书88份。
2.规范行政执法。全年办理行政处罚案件3120件，罚没金额560.5万元。
3.化解行政争议。全年办理行政复议案件41件。行政诉讼应诉案件12件，行政机关负责人出庭应诉率100%。
二、存在的不足
（1）依法行政意识有待提升。
（2）执法监督力度不够。
（3）法治宣传形式单一。
三、2023年工作计划
（一）持续推进综合行政执法改革。
（二）完善执法监督机制。
海盛区人民政府
2023年1月10日
""",
    "jy.txt": """金岳县人民政府关于2021年度法治政府建设情况的报告
一、主要做法
（一）强化审计监督。完成审计项目7个，查出问题金额307,695万元。
（二）开展民法典宣传。举办民法典专题讲座。县人大代表共计160余人参加了培训会。
（三）推进减证便民。审批要件由353项精简至249项，精简率29%。
""",
    "tq.txt": """塘桥镇人民政府2022年度法治政府建设工作报告
一、工作情况
全镇推进依法行政，开展普法活动36场，调处矛盾纠纷215起。
二、存在的不足
法治宣传覆盖面不够广。
三、下一步打算
加强镇村两级法律服务。
""",
}


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    return bot_over(tmp_path_factory, REPORTS)


def body(answer):
    return "".join(q for p in answer.points for q in p.quotes)


def test_problems_in_one_paragraph_separated_by_semicolons_are_all_listed(bot):
    answer = bot.ask("鄞陵县存在哪些问题？")
    items = ["基层执法力量薄弱", "规范性文件备案审查不够及时", "普法宣传针对性不强", "公职律师作用发挥不充分"]
    assert all(i in body(answer) for i in items) and len(answer.points) == 4
    assert answer.lead.startswith("鄞陵县2022年的报告列出了4项")
    assert "取得了一定成效" not in body(answer) and "2023年2月1日" not in body(answer)


@pytest.mark.parametrize("question,items", [
    ("海盛区有哪些不足？", ["依法行政意识有待提升", "执法监督力度不够", "法治宣传形式单一"]),
    ("海盛区2023年工作计划是什么？", ["持续推进综合行政执法改革", "完善执法监督机制"]),
    ("鄞陵县下一步有什么打算？", ["加强执法队伍建设", "完善备案审查制度", "深化“八五”普法"]),
])
def test_every_item_of_a_list_by_its_own_markers(bot, question, items):
    answer = bot.ask(question)
    assert all(i in body(answer) for i in items), answer.text
    assert len(answer.points) == len(items) and "人民政府" not in body(answer)


def test_figure_first_line_states_it_in_the_reports_words(bot):
    answer = bot.ask("鄞陵县2022年行政复议纠错率是多少？")
    assert answer.lead == "鄞陵县2022年：纠错率为**11.3%**[1]"
    assert "纠错率为11.3%" in answer.citations[0].quotes[0]


def test_a_figure_not_stated_is_said_to_be_not_stated(bot):
    answer = bot.ask("海盛区2022年行政诉讼败诉率是多少？")
    assert answer.found and answer.lead.startswith("报告未写明海盛区2022年行政诉讼败诉率")
    assert answer.citations and answer.citations[0].source == "hs.txt"
    assert "%" not in answer.lead


def test_a_count_is_never_read_from_another_kind_of_figure(bot):
    # "划转行政编制3个" is not a case count; 行政诉讼 cases are not 行政复议 cases.
    answer = bot.ask("鄞陵县行政复议案件有多少件？")
    assert "**86件**" in answer.lead and "3个" not in answer.lead and "57件" not in answer.lead


def test_which_places_covers_every_report_with_one_citation_each(bot):
    answer = bot.ask("哪些地方建立了府院联动机制？")
    assert {h.source for h in answer.citations} == {"yl.txt"} and len(answer.points) == 1
    assert answer.lead.startswith("共有1份报告提到")
    assert not bot.ask("哪些地方建立了首席数据官制度？").found


def test_comparison_is_a_table_with_a_row_per_report_and_not_stated_rows(bot):
    answer = bot.ask("各地2022年行政复议案件数量分别是多少？")
    rows = {r.source: r for r in answer.table.rows}
    assert set(rows) == {"yl.txt", "hs.txt", "tq.txt"}
    assert rows["yl.txt"].value == "86件" and rows["hs.txt"].value == "41件" and rows["tq.txt"].value == "未写明"
    assert rows["yl.txt"].citation and rows["hs.txt"].citation
    # 塘桥镇 says nothing about 行政复议: no quote, only its report (tests/test_not_stated_rows.py)
    assert rows["tq.txt"].citation is None and rows["tq.txt"].quotes == ()
    assert "| 地区 · 年份 |" in answer.text and "| 未写明 |" in answer.text
    assert answer.to_dict()["table"]["rows"][0]["value"]


@pytest.mark.parametrize("question", [
    "鄞陵县存在哪些问题？", "鄞陵县2022年行政复议纠错率是多少？", "海盛区罚没金额是多少？", "各地2022年行政复议案件数量分别是多少？",
    "哪些地方建立了府院联动机制？", "塘桥镇调处了多少起矛盾纠纷？", "海盛区2022年行政诉讼败诉率是多少？",
])
def test_found_answers_quote_cite_and_hold_no_number_the_text_lacks(bot, question):
    answer = bot.ask(question)
    assert answer.found and answer.points and answer.citations
    assert all(p.quotes and p.quotes[0] for p in answer.points)
    assert unsupported_numbers(answer, question) == []


@pytest.mark.parametrize("question,figure", [
    ("金岳县审计查出问题金额是多少？", "307,695万元"),      # a thousands separator is not a clause break
    ("金岳县有多少人大代表参加了民法典培训？", "160余人"),  # "余" between the number and its unit
    ("金岳县审批要件的精简率是多少？", "29%"),              # a rate the lexicon does not name
])
def test_figures_as_reports_write_them(bot, question, figure):
    answer = bot.ask(question)
    assert f"**{figure}**" in answer.lead, answer.text


def test_a_year_no_report_covers_is_not_answered_from_another_years_silence(bot):
    answer = bot.ask("金岳县2019年行政复议纠错率是多少？")
    assert not answer.found and answer.points == () and answer.citations == ()
    assert "2019年" in answer.reason


@pytest.mark.parametrize("question,units", [
    ("检查发现多少处隐患？", ("处",)),
    ("办理时限压缩到多少个工作日？", ("个工作日",)),
    ("收到多少件行政复议申请？", ("件", "起", "宗", "例")),
    ("行政复议纠错率是多少？", ("%", "‰")),
    ("开展了哪些培训？", ()),
    ("成立了几类法治专业小组？", ("类", "项")),
    ("保留了几支行政执法队伍？", ("支",)),
    ("营商环境位居全球第几位？", ("位", "名")),
])
def test_the_unit_a_figure_question_asks_for(question, units):
    from assistant.answer.figures import asked_units
    from assistant.search.question import analyze
    assert asked_units(analyze(question)) == units


@pytest.mark.parametrize("clause,value", [
    ("2024年行政机关负责人100%出庭应诉", "100%"),   # the rate before what it measures, no 率 written
    ("行政机关负责人出庭应诉率达98.5%", "98.5%"),
    ("排名全国第2位", "2位"),
])
def test_a_rate_or_rank_is_read_where_the_report_writes_it(clause, value):
    from assistant.answer.figures import _value
    core = "应诉率" if "应诉" in clause else ""
    units = ("%", "‰") if core else ("位", "名")
    assert _value(clause, core, units) == value


SHAPES = {
    "yw.txt": "义乌市人民政府关于2022年度法治政府建设情况的报告\n一、主要举措和成效\n（一）多元化解纠纷。近两年主要法治指标如下：\n"
              "主要指标 | 2021年 | 2022年\n行政复议案件受理数（件） | 412 | 468\n行政复议纠错率（%） | 11.2 | 13.5\n"
              "（二）涉外法治。成立国际商事调解中心，聘请来自12个国家和地区的外籍调解员26名。\n",
    "wj.txt": "朝阳区望京街道办事处2023年法治政府建设年度报告\n2023年，街道推进法治建设。\n"
              "在肯定成绩的同时，街道仍存在一些短板。第一，部分工作人员法治意识不强；第二，综合执法力量相对不足；第三，外籍居民普法形式不够丰富。\n"
              "2024年，街道将重点做好以下工作：第一，持续深入学习；第二，深化综合执法。\n",
    "yz.txt": "渝中区市场监督管理局2020年度法治政府建设情况报告\n一、主要工作\n（一）加强组织领导\n局党组高度重视。主要措施有：\n"
              "（1）成立法治建设领导小组，全年召开专题会议4次；\n（2）落实理论学习中心组学法制度，全年集体学法8次；\n"
              "（3）制定年度普法责任清单，明确普法任务17项。\n（二）优化消费环境\n全年受理消费者投诉举报26841件。\n",
    "wl.txt": "乌鲁木齐市应急管理局2022年法治政府建设年度报告\n一、主要工作\n（一）行政复议和应诉。我局全年未发生行政复议被纠错、行政诉讼败诉案件。\n",
}


@pytest.fixture(scope="module")
def shapes(tmp_path_factory):
    return bot_over(tmp_path_factory, SHAPES)


@pytest.mark.parametrize("question,figure", [
    ("义乌2022年行政复议纠错率是多少？", "**13.5%**"),             # the unit is in the row's label
    ("义乌2021年行政复议案件受理数是多少？", "**412件**"),          # the other year's column
    ("义乌国际商事调解中心聘请了多少名外籍调解员？", "**26名**"),    # 调解 is not 人民调解
])
def test_figures_in_unusual_places(shapes, question, figure):
    answer = shapes.ask(question)
    assert answer.found and figure in answer.lead, answer.text


def test_a_list_in_one_paragraph_by_di_yi_di_er_ends_with_its_paragraph(shapes):
    answer = shapes.ask("望京街道存在哪些短板？")
    quotes = [q for p in answer.points for q in p.quotes]
    assert len(quotes) == 3 and quotes[0].startswith("第一") and not any("学习" in q for q in quotes), answer.text


def test_measures_under_a_topic_heading_named_with_the_acting_body(shapes):
    answer = shapes.ask("渝中区市场监管局在加强组织领导方面有哪些措施？")
    quotes = " ".join(q for p in answer.points for q in p.quotes)
    assert all(w in quotes for w in ("领导小组", "学法制度", "普法责任清单")), answer.text


def test_nothing_corrected_is_not_no_cases(shapes):
    answer = shapes.ask("乌鲁木齐市应急管理局2022年行政复议案件有多少件？")
    assert "未发生行政复议被纠错" not in answer.lead, answer.text


def test_a_quoted_term_is_what_a_comparison_counts(tmp_path_factory):
    bot = bot_over(tmp_path_factory, {
        "a.txt": "天津市和平区2022年法治政府建设年度报告\n一、主要工作\n（一）普法。培育“法律明白人”1260名。\n",
        "b.txt": "兰州新区2023年法治政府建设年度报告\n一、主要工作\n（一）普法。组织新区2.3万名产业工人参加法律培训。\n"})
    answer = bot.ask("各地培育的“法律明白人”有多少名？")
    rows = {row.source: row.value for row in answer.table.rows}
    assert rows["a.txt"] == "1260名" and rows["b.txt"] == "未写明", answer.text


def test_a_figure_asked_at_one_level_is_not_stated_by_a_clause_at_another():
    from assistant.answer.figures import statements
    from assistant.records import Hit
    from assistant.search.question import analyze
    hit = Hit("w.txt", "开篇", "全市6个村(社区)获评全国民主法治示范村(社区),12个村获评省级民主法治示范村。", 1.0, "武汉市", 2022)
    found = statements(analyze("武汉2022年有多少个村获评省级民主法治示范村？"), [hit])
    assert [s.value for s in found][:1] == ["12个"]
    only_national = Hit("w.txt", "开篇", "全市6个村(社区)获评全国民主法治示范村(社区),3项改革事项入选名单。", 1.0,
                        "武汉市", 2022)
    assert statements(analyze("武汉2022年有多少个村获评省级民主法治示范村？"), [only_national]) == []
    assert [s.value for s in statements(analyze("武汉2022年有多少个村获评全国民主法治示范村？"), [only_national])][:1] == ["6个"]


def test_a_rate_is_found_under_another_name_reports_give_it():
    from assistant.answer.figures import statements
    from assistant.records import Hit
    from assistant.search.question import analyze
    hit = Hit("d.txt", "学法", "全乡3名执法人员全部取得行政执法证,法律知识在线考试通过率100%。", 1.0, "大河乡", 2025)
    assert [s.value for s in statements(analyze("大河乡2025年法律考试合格率是多少？"), [hit])] == ["100%"]
    assert statements(analyze("大河乡2025年法律考试参考率是多少？"), [hit]) == []


def test_a_quoted_term_in_the_items_lead_sentence_heads_the_figures_after_it():
    from assistant.answer.figures import statements
    from assistant.records import Hit
    from assistant.search.question import analyze
    text = ("一是全面推进“市县同权”改革。优化审批服务举措,办件数达8793件。二是加快推进“一件事一次办”改革。"
            "上线事项333件。")
    hit = Hit("x.txt", "(二)深化改革", text, 1.0, "兴国县", 2024)
    assert [s.value for s in statements(analyze("兴国县2024年“市县同权”改革办件数达到多少件？"), [hit])][:1] == ["8793件"]
    assert [s.value for s in statements(analyze("兴国县2024年“一件事一次办”上线事项多少件？"), [hit])][:1] == ["333件"]


def test_the_whole_beats_the_part_after_qizhong_unless_the_part_is_asked():
    from assistant.answer.figures import statements
    from assistant.records import Hit
    from assistant.search.question import analyze
    hit = Hit("d.txt", "做法", "2024年,共制定双随机抽查计划4个,其中3个为跨部门联合检查。", 1.0, "岱山县", 2024)
    assert statements(analyze("岱山县2024年制定了几个双随机抽查计划？"), [hit])[0].value == "4个"
    assert statements(analyze("其中跨部门联合检查有几个？"), [hit])[0].value == "3个"


def test_a_figure_counting_another_thing_is_not_the_one_asked():
    from assistant.answer.figures import statements
    from assistant.records import Hit
    from assistant.search.question import analyze
    hit = Hit("p.txt", "基础", "二是落实法律顾问制度,聘请社会律师为法律顾问,鼓励支持3名执法人员参加法律职业资格考试。", 1.0, "莆田市", 2022)
    assert statements(analyze("莆田市市场监管局聘请了几名法律顾问？"), [hit]) == []
    hit = Hit("p.txt", "复议", "行政复议方面，全年收到68件申请,受理61件。", 1.0, "莆田市", 2022)
    assert statements(analyze("收到了多少件行政复议申请？"), [hit])[0].value == "68件"


def test_a_scope_of_several_cities_is_not_the_thing_counted():
    from assistant.answer.figures import statements
    from assistant.records import Hit
    from assistant.search.question import analyze
    hit = Hit("t.txt", "述法", "组织全市1858名领导干部参加年度述法。", 1.0, "天水市", 2025)
    assert statements(analyze("2025年几个城市的报告里，参加述法的领导干部分别有多少人？"), [hit])[0].value == "1858名"


def test_the_thing_counted_runs_past_its_modifiers():
    from assistant.answer.figures import statements
    from assistant.records import Hit
    from assistant.search.question import analyze
    hit = Hit("f.txt", "开办", "优选印章刻制企业,实现了政府支付刻章费用,为112家企业免费刻制首套印章。", 1.0, "方山县", 2021)
    assert statements(analyze("方山县帮多少家新开办的企业免费刻了公章？"), [hit])[0].value == "112家"
