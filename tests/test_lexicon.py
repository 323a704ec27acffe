"""The lexicon's rules, one table per rule, and the fingerprint that makes an index notice a change."""
import re

import pytest

from assistant import lexicon
from assistant.ingest.cleaning import is_boilerplate
from assistant.ingest.headings import heading_level, opens_heading_or_subpoint
from assistant.index.tokens import tokenize
from assistant.search.question import analyze
from assistant.text import normalize

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("line,level", [
    ("一、主要做法", 1), ("十二、其他", 1), ("第一部分 基本情况", 1), ("第二章 工作措施", 1), ("（一）加强领导", 2),
    ("(二)规范执法", 2), (")增强法治服务意识", 2), (")" + "很长的正文" * 10, None), ("1.畅通渠道", 3), ("12、完善制度", 3),
    ("２．全角数字", 3), ("(1)细项", 4), ("（3）全角括号", 4), ("2.5%的案件", None), ("2021年以来", None), ("正文开头", None),
])
def test_heading_grammar(line, level):
    assert heading_level(line) == level


@pytest.mark.parametrize("text,expected", [
    ("一是完善机制", True), ("三是加强队伍", True), ("(二)规范执法", True), ("2.5%的案件", False), ("是否完善", False),
])
def test_heading_or_subpoint(text, expected):
    assert opens_heading_or_subpoint(normalize(text)) is expected


@pytest.mark.parametrize("line,chrome", [
    ("长者助手 市民登录| 政务邮箱", True), ("分享到:", True), ("【打印】 【关闭】", True), ("- 3 -", True), ("附件:", True),
    ("第2页 共9页", True), ("推进无障碍环境建设，完成城区道路无障碍改造12处，方便残疾人和老年人出行，群众满意度明显提升。", False),
    ("一、主要做法", False),
])
def test_web_chrome(line, chrome):
    assert is_boilerplate(line) is chrome


@pytest.mark.parametrize("text,years", [
    ("2022年纠错率", [2022]), ("2022 年纠错率", [2022]), ("2021年和2022年", [2021, 2022]), ("编号12022号", []),
    ("2022", [2022]), ("1998年", [1998]), ("3020年", []),
])
def test_years_in_questions(text, years):
    assert [int(m[1]) for m in re.finditer(lexicon.YEAR_IN_QUESTION, normalize(text))] == years


@pytest.mark.parametrize("text,span", [
    ("现将2017-2019年法治政府建设工作情况汇报如下", ("2017", "2019")), ("现将西区2020年度工作报告如下", None),
])
def test_reported_period(text, span):
    match = re.search(lexicon.REPORTED_RANGE, text)
    assert (match.groups() if match else None) == span


@pytest.mark.parametrize("question,intent", [
    ("方山县存在哪些不足？", "problems"), ("肇庆有什么问题？", "problems"), ("下一步有什么计划？", "plans"),
    ("西秀区2022年纠错率是多少？", "figure"), ("哪些地方建立了府院联动机制？", "places"),
    ("各地行政复议案件数量分别是多少？", "compare"), ("肇庆在行政复议方面做了什么？", "measures"),
    ("审计查出问题金额是多少？", "figure"), ("西秀区的营商环境", "other"),
])
def test_intents(question, intent):
    assert analyze(question).intent == intent


@pytest.mark.parametrize("question,metric", [
    ("西秀区2022年行政复议纠错率是多少？", "行政复议纠错率"), ("出庭应诉率多少", "出庭应诉率"), ("满意度如何", "满意度"),
    ("做了什么", ""),
])
def test_metrics(question, metric):
    assert analyze(question).metric == metric


@pytest.mark.parametrize("text,present,absent", [
    ("下一步工作计划", ["下一步", "工作计划"], ["下"]), ("府院联动机制", ["府院联动"], []), ("的了吗呢", [], ["的", "吗"]),
    ("纠错率为5.9%", ["纠错率", "5.9%"], []),
])
def test_tokens_keep_domain_words_and_drop_stopwords(text, present, absent):
    tokens = tokenize(text)
    assert all(t in tokens for t in present) and not any(t in tokens for t in absent)


@pytest.mark.parametrize("question,follows,narrows", [
    ("那方山县呢？", True, False), ("其中刑事案件有多少？", True, True), ("下一步打算怎么做？", True, False),
    ("西秀区2022年纠错率是多少？", False, False),
])
def test_follow_up_cues(question, follows, narrows):
    q = analyze(question)
    assert (q.follows, q.narrows) == (follows, narrows)


def test_generic_terms_do_not_repeat_stopwords():
    assert not set(lexicon.GENERIC_TERMS) & set(lexicon.STOPWORDS)


def test_fingerprint_is_stable_and_changes_with_any_list(monkeypatch):
    first = lexicon.fingerprint()
    assert first == lexicon.fingerprint() and len(first) == 16
    monkeypatch.setattr(lexicon, "STOPWORDS", lexicon.STOPWORDS + ("新词",))
    assert lexicon.fingerprint() != first


@pytest.mark.parametrize("name,short,alias", [
    ("互助土族自治县", "互助", "互助县"),
    ("鄂温克族自治旗", "鄂温克", "鄂温克旗"),          # named after its own group
    ("恩施土家族苗族自治州", "恩施", "恩施州"),
    ("积石山保安族东乡族撒拉族自治县", "积石山", "积石山县"),
    ("鄂伦春自治旗", "鄂伦春", "鄂伦春旗"),
    ("广西壮族自治区", "广西", None),
    ("西秀区", "西秀", None),
])
def test_autonomous_places_are_known_by_their_everyday_names(name, short, alias):
    from assistant.regions import autonomous_alias, short_name
    assert short_name(name) == short and autonomous_alias(name) == alias


@pytest.mark.parametrize("question,intent", [
    ("锡林郭勒盟怎么通过执法守护草原生态？", "measures"),
    ("如何化解草场纠纷？", "measures"),
    ("肇庆在行政复议方面做了什么？", "measures"),
    ("行政复议纠错率怎么样？", "figure"),
])
def test_how_questions_ask_for_measures(question, intent):
    assert analyze(question).intent == intent
