"""Never the wrong region: look-alike places, parents named in questions, labels that are guesses,
explicit filters that contradict the question, and follow-ups that name a new place."""
import pytest

from assistant.search.filters import Filters

from tests.conftest import bot_over

pytestmark = pytest.mark.unit

BODY = ("一、主要做法\n（一）行政复议。全年收到行政复议申请{n}件，纠错率为{r}%。\n（二）法律援助。办理法律援助案件{a}件，其中刑事案件{c}件。\n"
        "二、存在的不足\n一是执法力量薄弱。二是宣传不够。\n三、下一步工作计划\n加强执法培训。\n")
REPORTS = {
    "nc_xihu.txt": "南昌市西湖区人民政府关于2022年度法治政府建设情况的报告\n" + BODY.format(n=215, r=12.5, a=300, c=90),
    "hz_xihu.txt": "杭州市西湖区人民政府关于2022年度法治政府建设情况的报告\n" + BODY.format(n=198, r=8.1, a=410, c=120),
    "xihu_scenic.txt": "杭州西湖风景名胜区管理委员会关于2022年度法治政府建设情况的报告\n" + BODY.format(n=3, r=0, a=12, c=2),
    "nc_county.txt": "南昌县人民政府关于2022年法治政府建设工作情况的报告\n" + BODY.format(n=112, r=6.3, a=250, c=71),
    "nc_county_2021.txt": "南昌县人民政府关于2021年法治政府建设工作情况的报告\n" + BODY.format(n=97, r=5.2, a=201, c=60),
    "trad.txt": "東莞市人民政府關於2020年度法治政府建設情況的報告\n一、主要做法\n（一）常務會議學法。全年召開常務會議學法12次，"
                "辦理行政復議案件1024件。\n",
    "signed.txt": "关于测试县2022年度法治政府建设情况的报告\n一、主要做法\n（一）网络安全检查。全年开展网络安全检查共58次，"
                  "发现隐患12处，全部整改。\n成都市锦江区人民政府\n2023年1月1日\n",
    "guess.txt": "一、主要做法\n全区推进依法行政，宁海县各部门……宁海县建立府院联动机制，化解行政争议37件。全区、全区。\n",
}


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    return bot_over(tmp_path_factory, REPORTS)


def cited(answer):
    return {h.source for h in answer.citations}


@pytest.mark.parametrize("question,source,figure", [
    ("南昌市西湖区2022年行政复议纠错率是多少？", "nc_xihu.txt", "12.5%"),
    ("杭州市西湖区2022年行政复议纠错率是多少？", "hz_xihu.txt", "8.1%"),
    ("南昌县2022年行政复议纠错率是多少？", "nc_county.txt", "6.3%"),
    ("西湖风景名胜区收到多少件行政复议申请？", "xihu_scenic.txt", "3件"),
    ("东莞市常务会议学法多少次？", "trad.txt", "12次"),
])
def test_each_look_alike_answers_from_its_own_report(bot, question, source, figure):
    answer = bot.ask(question)
    assert answer.found and cited(answer) == {source} and figure in answer.text, answer.text


def test_traditional_report_quotes_its_own_characters(bot):
    answer = bot.ask("东莞市常务会议学法多少次？")
    assert "常務會議學法" in answer.points[0].quotes[0]


@pytest.mark.parametrize("question", [
    "南昌市2022年行政复议纠错率是多少？",      # 南昌市 is not 南昌县 nor 南昌市西湖区
    "湖州市吴兴区2022年行政复议纠错率是多少？",  # a real place with no report
    "新城县存在哪些不足？",                    # a place the gazetteer does not know is still a place
])
def test_a_place_with_no_report_is_not_found_and_named(bot, question):
    answer = bot.ask(question)
    assert not answer.found and answer.citations == ()
    place = question[:3] if question.startswith(("南昌市", "新城县")) else "湖州市吴兴区"
    assert place in answer.reason


def test_a_city_question_names_the_districts_that_are_indexed(bot):
    answer = bot.ask("南昌市2022年行政复议纠错率是多少？")
    assert "南昌市西湖区" in answer.reason and "另外的地区" in answer.reason


def test_a_name_shared_by_two_cities_without_a_parent_answers_both_by_name(bot):
    answer = bot.ask("西湖区2022年行政复议纠错率是多少？")
    assert cited(answer) <= {"nc_xihu.txt", "hz_xihu.txt"} and "xihu_scenic.txt" not in cited(answer)


def test_uncertain_label_is_searched_when_no_label_matches_and_the_answer_says_so(bot):
    meta = bot.reports["guess.txt"]
    assert not meta.certain("region")
    answer = bot.ask("宁海县建立了府院联动机制吗？")
    assert answer.found and cited(answer) == {"guess.txt"}
    assert "推断" in answer.text


def test_explicit_filter_that_contradicts_the_question_is_reported_not_applied(bot):
    answer = bot.ask("南昌县2022年行政复议纠错率是多少？", filters=Filters(regions=("杭州市西湖区",)))
    assert cited(answer) == {"nc_county.txt"} and "6.3%" in answer.text
    assert answer.notices and "不一致" in answer.notices[0] and answer.text.startswith(answer.notices[0])


def test_explicit_filter_applies_when_the_question_names_no_place(bot):
    answer = bot.ask("行政复议纠错率是多少？", filters=Filters(regions=("南昌县",), years=(2021,)))
    assert cited(answer) == {"nc_county_2021.txt"} and not answer.notices


def test_follow_up_naming_a_new_place_replaces_it_and_drops_the_year(bot):
    conv = bot.chat()
    conv.ask("南昌县2021年行政复议纠错率是多少？")
    answer = conv.ask("那杭州市西湖区呢？")
    assert cited(answer) == {"hz_xihu.txt"} and answer.understood["years"] == []
    answer = conv.ask("那北京市呢？")
    assert not answer.found and "北京市" in answer.reason
    answer = conv.ask("那新城县呢？")
    assert not answer.found and "新城县" in answer.reason and answer.understood["regions"] == ["新城县"]


def test_follow_up_asking_for_a_number_keeps_asking_for_it(bot):
    conv = bot.chat()
    conv.ask("南昌市西湖区的法律援助情况")
    answer = conv.ask("其中刑事案件有多少件？")
    assert answer.understood["intent"] == "figure" and "90件" in answer.text
    q = conv.rewrite("其中有多少件？")
    assert q.figure and "多少件" in q.text and "法律援助" in q.text


def test_a_fresh_topic_drops_the_old_one(bot):
    conv = bot.chat()
    conv.ask("南昌县2022年法律援助办理了多少件？")
    q = conv.rewrite("下一步工作计划是什么？")
    assert "法律援助" not in q.text and q.region_names == ("南昌县",)


def test_a_place_that_only_signed_a_report_answers_from_it_and_says_so(bot):
    """Titled for one place, signed by another's government: asked about the signer, the report answers,
    and the answer says how it was labelled. A sibling district that signed nothing stays not found."""
    answer = bot.ask("锦江区网络安全检查发现多少处隐患？")
    assert answer.found and cited(answer) == {"signed.txt"}, answer.text
    assert "**12处**" in answer.lead and "58次" not in answer.lead
    assert any("落款" in n and "测试县" in n for n in answer.notices)
    missing = bot.ask("成都市青羊区网络安全检查发现多少处隐患？")
    assert not missing.found and "青羊区" in missing.reason


def test_an_autonomous_county_asked_by_its_everyday_name(tmp_path_factory):
    bot = bot_over(tmp_path_factory, {
        "huzhu.txt": "2022年法治政府建设工作报告\n一、主要工作\n（一）行政复议。全年办理行政复议案件34件。\n"
                     "互助土族自治县人民政府\n2023年2月1日\n",
        "ewenki.txt": "鄂温克族自治旗2021年法治政府建设年度报告\n一、主要工作\n（一）草原执法。全年查处草原违法案件43件。\n"})
    answer = bot.ask("互助县2022年办理了多少件行政复议案件？")
    assert answer.found and cited(answer) == {"huzhu.txt"} and "**34件**" in answer.lead, answer.text
    answer = bot.ask("鄂温克旗查处草原违法案件多少件？")
    assert answer.found and cited(answer) == {"ewenki.txt"} and "**43件**" in answer.lead, answer.text


def test_a_ministry_named_in_a_question_picks_its_report_and_a_municipality_district_keeps_its_city(tmp_path_factory):
    body = "一、主要工作\n（一）行政复议。全年共办理行政复议案件{n}件，纠错率为{r}%。\n"
    bot = bot_over(tmp_path_factory, {
        "sfb.txt": "司法部2021年法治政府建设年度报告\n" + body.format(n=1065, r=9.9) + "中华人民共和国司法部\n2022年3月1日\n",
        "jyg.txt": "嘉峪关市2021年法治政府建设情况报告\n" + body.format(n=52, r=7.7),
        "tj.txt": "天津市和平区2022年法治政府建设年度报告\n" + body.format(n=236, r=9.6),
        "sy.txt": "沈阳市和平区人民政府关于2021年度法治政府建设情况的报告\n" + body.format(n=118, r=12.5)})
    answer = bot.ask("司法部2021年办理了多少件行政复议案件？")
    assert cited(answer) == {"sfb.txt"} and "**1065件**" in answer.lead, answer.text
    answer = bot.ask("和平区行政复议纠错率是多少？")
    assert "天津市和平区" in answer.lead and "沈阳市和平区" in answer.lead, answer.text


def test_a_long_banner_name_is_found_by_its_clipped_form():
    from assistant.records import ReportMeta
    from assistant.regions import clipped_name
    from assistant.search.catalog import Catalog
    from assistant.search.question import analyze
    catalog = Catalog({"x.txt": ReportMeta(region="西乌珠穆沁旗", region_path=("内蒙古自治区", "锡林郭勒盟", "西乌珠穆沁旗"))})
    assert analyze("西乌旗2024年法治建设督察的反馈问题有多少个？", catalog).region_paths == (("西乌珠穆沁旗",),)
    assert clipped_name("浦东新区") is None and clipped_name("鼓楼区") is None


def test_a_figure_the_places_report_never_speaks_of_is_not_stated_citing_that_report(tmp_path_factory):
    bot = bot_over(tmp_path_factory, {
        "sw.txt": "汕尾市人民政府关于2025年法治政府建设情况的报告\n2025年，汕尾市坚持依法行政，全市推进营商环境建设。\n"
                  "一、主要做法\n（一）深化改革。推进“放管服”改革，优化政务服务。\n",
        "hf.txt": "海丰县人民政府2025年法治政府建设年度报告\n2025年，海丰县坚持依法行政。\n"
                  "一、主要做法\n（一）行政复议。全年收到行政复议申请58件。\n",
    })
    answer = bot.ask("汕尾市2025年行政复议案件有多少件？")
    assert not answer.found and answer.lead.startswith("报告未写明汕尾市2025年")
    assert [h.source for h in answer.citations] == ["sw.txt"] and "报告未写明" in answer.text
    assert "58" not in answer.text
    # A place with no report at all is still "not found", with no report cited.
    other = bot.ask("汕头市2025年行政复议案件有多少件？")
    assert not other.found and not other.citations and "报告未写明" not in other.text
