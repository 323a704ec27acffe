import pytest

from assistant.conversation import rewrite
from assistant.records import ReportMeta
from assistant.search.catalog import Catalog
from assistant.search.question import analyze

pytestmark = pytest.mark.unit
METAS = [ReportMeta(region="肇庆市", region_path=("广东省", "肇庆市"), year_from=2023, year_to=2023),
         ReportMeta(region="方山县", region_path=("山西省", "吕梁市", "方山县"), year_from=2021, year_to=2021)]


CATALOG = Catalog({f"r{i}.txt": meta for i, meta in enumerate(METAS)})


def chain(*questions):
    last, out = None, []
    for q in questions:
        last = rewrite(analyze(q, CATALOG), last)
        out.append(last)
    return out


def test_new_region_replaces_old_and_keeps_topic():
    first, second = chain("肇庆在行政复议方面做了什么？", "那方山县呢？")
    assert first.region_names == ("肇庆市",)
    assert second.region_names == ("方山县",) and "行政复议" in second.text and "肇庆" not in second.text


def test_narrowing_keeps_report_and_topic():
    _, second = chain("方山县2021年法律援助中心受理了多少案件？", "其中刑事案件有多少？")
    assert second.region_names == ("方山县",) and second.year_values == (2021,)
    assert "法律援助" in second.text and "刑事案件" in second.text


def test_plan_follow_up_keeps_report():
    _, second = chain("肇庆市2023年有哪些主要问题？", "下一步打算怎么做？")
    assert second.region_names == ("肇庆市",) and second.year_values == (2023,) and "下一步" in second.text


def test_uncovered_region_is_not_dragged_back():
    _, second = chain("肇庆在行政复议方面做了什么？", "北京市的情况呢？")
    assert second.region_names == ("北京市",) and "肇庆" not in second.text


def test_cross_report_question_starts_over():
    _, second = chain("肇庆在行政复议方面做了什么？", "哪些地方建立了府院联动机制？")
    assert second.region_names == () and "肇庆" not in second.text


def test_rewrite_is_deterministic():
    assert chain("肇庆的行政复议", "那方山县呢？")[1].text == chain("肇庆的行政复议", "那方山县呢？")[1].text


def test_conversation_history_is_bounded_and_resets(hash_bot):
    conv = hash_bot.chat()
    for _ in range(30):
        conv.ask("西湖区的法律援助案件有多少？")
    assert len(conv.history) == 20
    answer = conv.ask("其中刑事案件有多少？")
    assert "刑事" in answer.text and "西湖区" in answer.text and "356件" in answer.text
    conv.reset()
    assert len(conv.history) == 0 and conv.rewrite("其中刑事案件有多少？").regions == ()


def test_a_metric_alone_keeps_the_kind_of_case():
    first, second = chain("肇庆2023年办理了多少件行政复议案件？", "纠错率呢？")
    assert "行政复议" in second.text and "纠错率" in second.text and second.metric.endswith("纠错率")
    assert second.region_names == ("肇庆市",)
    _, other = chain("肇庆2023年办理了多少件行政复议案件？", "法律援助案件呢？")
    assert "行政复议" not in other.text
