import json

import pytest

from assistant.ingest.cleaning import clean
from assistant.ingest.metadata import extract_metadata
from assistant.ingest.sidecar import SidecarError, apply_sidecar, parse_sidecar
from assistant.search.catalog import Catalog
from assistant.search.filters import Filters, select_reports
from assistant.search.question import analyze
from assistant.regions import find_mentions
from tests.conftest import REPORT_A, REPORT_B

pytestmark = pytest.mark.unit


def meta_of(text):
    blocks, _ = clean(text)
    return extract_metadata(text, blocks)


def test_metadata_from_title_source_and_signature():
    meta = meta_of(REPORT_A)
    assert meta.title == "杭州市西湖区2021年法治政府建设年度报告"
    assert meta.region == "杭州市西湖区" and meta.region_path == ("浙江省", "杭州市", "西湖区")
    assert (meta.year_from, meta.year_to) == (2021, 2021)
    assert meta.issuer == "杭州市西湖区人民政府"
    assert meta.date == "2022-02-20"


def test_title_with_issuer_line_spaces_and_year_not_publication_date():
    meta = meta_of(REPORT_B)
    assert meta.region == "成都市武侯区"
    assert meta.year == 2022 and meta.date == "2023-01-10"


def test_report_without_title_gets_region_from_body():
    text = "一、主要举措\n1.强化执法。2022年，西秀区共办理行政执法案件100件。编制《安顺市西秀区人民政府2022年度重大行政决策事项目录》。\n2023年3月4日\n"
    meta = meta_of(text)
    assert meta.title == ""
    assert meta.region == "安顺市西秀区" and meta.year == 2022


def test_report_covering_several_years():
    text = "某区政务服务管理局2019年法治政府建设工作情况报告\n现将2017-2019年法治政府建设工作情况汇报如下:\n一、成效\n昆明市西山区推进改革。\n"
    meta = meta_of(text)
    assert (meta.year_from, meta.year_to) == (2017, 2019) and meta.covers(2018)


def test_sidecar_overrides_metadata():
    overrides = parse_sidecar(json.dumps({"region": "肇庆市", "year": 2030}).encode(), "r.meta.json")
    meta = apply_sidecar(meta_of(REPORT_A), overrides)
    assert meta.region == "肇庆市" and meta.year == 2030 and meta.region_path == ("广东省", "肇庆市")
    with pytest.raises(SidecarError, match="r.meta.json.*colour"):
        parse_sidecar(b'{"colour": 1}', "r.meta.json")


def test_sidecar_overriding_one_end_of_the_period_keeps_it_in_order():
    meta = meta_of(REPORT_A)                                   # reports on 2021
    assert (apply_sidecar(meta, parse_sidecar(b'{"year_to": 2019}', "r.meta.json")).year_from, 2019) == (2019, 2019)
    later = apply_sidecar(meta, parse_sidecar(b'{"year_from": 2023}', "r.meta.json"))
    assert (later.year_from, later.year_to) == (2023, 2023)


def test_look_alike_regions_never_match_each_other():
    names = [m.text for m in find_mentions("西区、西山区、西秀区")]
    assert names == ["西区", "西山区", "西秀区"]
    chains = [m.places[0].chain for m in find_mentions("西区西山区西秀区")]
    assert chains == [("四川省", "攀枝花市", "西区"), ("云南省", "昆明市", "西山区"), ("贵州省", "安顺市", "西秀区")]


def test_question_filters_short_forms_and_uncovered_regions():
    metas = {"a": meta_of(REPORT_A), "b": meta_of(REPORT_B)}
    catalog = Catalog(metas)
    f = Filters.of(analyze("西湖2021年行政复议纠错率是多少？", catalog))
    assert f.regions == (("西湖区",),) and f.years == (2021,)
    assert select_reports(f, metas).sources == ["a"]
    # 杭州市 is not its district 西湖区: no report, and the reason names the district that is indexed.
    chosen = select_reports(Filters.of(analyze("杭州的法律援助", catalog)), metas)
    assert chosen.sources == [] and "杭州市西湖区" in chosen.reason and "另外的地区" in chosen.reason
    # ...but a question about all of 杭州 reaches it.
    assert select_reports(Filters.of(analyze("杭州各区的法律援助情况", catalog)), metas).sources == ["a"]
    chosen = select_reports(Filters.of(analyze("北京市的情况呢？", catalog)), metas)
    assert chosen.sources == [] and "北京市" in chosen.reason
    chosen = select_reports(Filters(regions=("武侯区",), years=(2019,)), metas)
    assert chosen.sources == ["b"] and chosen.year_in_text