"""Report identity on real-publishing defects (issue 18): each test is a tiny inline report showing one
defect, and each failed on the first-rule-wins reader that came before the scored one.
"""
import pytest

from assistant.ingest.cleaning import clean
from assistant.ingest.metadata import extract_metadata
from assistant.records import ReportMeta
from assistant.regions import find_mentions, gazetteer
from assistant.search.catalog import Catalog
from assistant.search.filters import Filters, select_reports
from assistant.search.question import analyze
from eval.scoring import place_is_real

pytestmark = pytest.mark.unit
BODY = "一、主要做法\n（一）行政复议。全年收到行政复议申请58件。\n二、存在的不足\n一是执法力量薄弱。二是宣传不够。\n"


def meta_of(text):
    blocks, _ = clean(text)
    return extract_metadata(text, blocks)


def test_places_are_never_glued_to_the_words_before_them():
    meta = meta_of("2021年宁河区法治政府建设年度报告\n2021年，宁河区坚持全面依法治区，主持召开区委常委会会议，"
                   "通过区政府常务会议，结合名胜区保护。\n" + BODY)
    assert meta.region_path == ("天津市", "宁河区")
    assert meta.places == ("宁河区",)
    for glued in ("全面依法治区", "区依法治区办", "主持召开区委", "通过区", "结合名胜区", "思想列入下太镇"):
        assert find_mentions(glued) == [], glued


def test_every_place_of_a_report_is_a_real_place():
    meta = meta_of("2021年宁河区法治政府建设年度报告\n2021年，宁河区坚持全面依法治区，主持召开区委常委会会议。\n" + BODY)
    assert all(place_is_real(p) for p in meta.places)
    assert not place_is_real("面依法治区") and not place_is_real("年宁河区") and place_is_real("莫干山镇")


def test_a_place_on_a_government_line_counts_even_when_the_gazetteer_lacks_it():
    named = [m.text for m in find_mentions("测试镇人民政府2022年法治政府建设工作报告")]
    assert named == ["测试镇"]


def test_the_addressee_line_names_the_parent_not_the_report():
    meta = meta_of("关于2022年度法治政府建设情况的报告\n中共金华市委、金华市人民政府：\n2022年，义乌市坚持以习近平法治"
                   "思想为指导，按照金华市统一部署，在金华市考核中名列前茅，我市法治政府建设取得新成效。全市……\n" + BODY)
    assert meta.region_path == ("浙江省", "金华市", "义乌市")
    kinds = {e["kind"] for c in meta.provenance["evidence"]["region"] for e in c["evidence"]}
    assert {"addressee", "opening"} <= kinds


def test_an_untitled_report_is_the_subject_of_its_opening_sentence():
    meta = meta_of("2022年法治政府建设年度报告\n2022年，沙坪坝区坚持以习近平法治思想为指导，全区法治政府建设取得新成效。"
                   "九龙坡区、九龙坡区、九龙坡区的经验做法被借鉴推广。全区……\n" + BODY)
    assert meta.region_path == ("重庆市", "沙坪坝区")
    best = meta.provenance["evidence"]["region"][0]
    assert best["place"] == "沙坪坝区" and any(e["kind"] == "opening" for e in best["evidence"])
    assert 0 < meta.provenance["confidence"]["region"] <= 1


def test_a_namesake_street_in_another_province_is_not_the_city():
    meta = meta_of("庆阳街道2022年法治政府建设工作报告\n2022年，我街道……全街道……\n" + BODY)
    assert meta.region_path == ("辽宁省", "辽阳市", "文圣区", "庆阳街道") and meta.level == "town"
    assert meta.issuer.endswith("庆阳街道办事处")


def test_traditional_characters_and_a_namesake_street():
    meta = meta_of("長春街道辦事處2022年法治政府建設工作報告\n2022年，我街道在順城區委、區政府領導下……全街道……\n" + BODY)
    assert meta.region_path == ("辽宁省", "抚顺市", "顺城区", "长春街道")


def test_a_department_is_the_issuer_and_its_government_the_region():
    meta = meta_of("2022年法治政府建设年度报告_黔东南苗族侗族自治州人民政府\n2022年，州生态环境局认真贯彻落实法治政府"
                   "建设要求，我局……我局……本局……\n" + BODY)
    assert meta.issuer == "黔东南苗族侗族自治州生态环境局"   # its level word 州 is its region's
    assert meta.region_path == ("贵州省", "黔东南苗族侗族自治州")


def test_a_2016_report_names_a_unit_since_renamed():
    meta = meta_of("密云县2016年法治政府建设工作报告\n2016年，全县……\n" + BODY)
    assert meta.region_path == ("北京市", "密云县")
    assert [p.now for p in gazetteer()[0]["密云县"]] == ["密云区"]
    chosen = select_reports(Filters(regions=("密云区",)), {"m.txt": meta})
    assert chosen.sources == ["m.txt"]


METAS = {
    "gz.txt": ReportMeta(region="广州市白云区", region_path=("广东省", "广州市", "白云区"), level="county",
                         issuer="广州市白云区人民政府", places=("广州市", "白云区")),
    "xw.txt": ReportMeta(region="徐闻县下洋镇", region_path=("广东省", "湛江市", "徐闻县", "下洋镇"), level="town",
                         issuer="下洋镇人民政府", places=("徐闻县", "下洋镇")),
    "hs.txt": ReportMeta(region="文圣区庆阳街道", region_path=("辽宁省", "辽阳市", "文圣区", "庆阳街道"), level="town",
                         issuer="庆阳街道办事处", places=("庆阳街道",)),
    "guess.txt": ReportMeta(region="广州市", region_path=("广东省", "广州市"), level="city", uncertain=("region",),
                            places=("白云区", "下洋镇")),
    "dept.txt": ReportMeta(region="贵州省", region_path=("贵州省",), level="province", issuer="贵州省生态环境厅"),
    "gov.txt": ReportMeta(region="湛江市", region_path=("广东省", "湛江市"), level="city", issuer="湛江市人民政府"),
}


@pytest.mark.parametrize("question,indexed", [
    ("贵阳白云区2022年行政复议多少件？", "广州市白云区"),
    ("福建永定下洋镇行政复议多少件？", "徐闻县下洋镇"),
    ("永定下洋镇行政复议多少件？", "徐闻县下洋镇"),
    ("甘肃庆阳2022年行政复议多少件？", None),
])
def test_a_place_asked_with_its_parents_never_matches_a_namesake(question, indexed):
    catalog = Catalog(METAS)
    chosen = select_reports(Filters.of(analyze(question, catalog)), METAS)
    assert chosen.sources == [], (question, chosen)
    if indexed:
        assert f"已索引的只有{indexed}" in chosen.reason or indexed in chosen.reason


def test_a_town_in_a_question_is_a_place_even_when_no_report_is_its():
    catalog = Catalog(METAS)
    question = analyze("红旗镇2021年行政复议案件有多少件？", catalog)
    assert [r.name for r in question.regions] == ["红旗镇"]
    assert select_reports(Filters.of(question), METAS).sources == []


def test_a_government_asked_for_when_only_its_department_reported_is_said():
    catalog = Catalog(METAS)
    chosen = select_reports(Filters.of(analyze("贵州省人民政府2022年的报告说了什么？", catalog)), METAS)
    assert chosen.sources == [] and "只有贵州省生态环境厅的报告" in chosen.reason
    chosen = select_reports(Filters.of(analyze("湛江市人民政府的报告说了什么？", catalog)), METAS)
    assert chosen.sources == ["gov.txt"] and not chosen.notices


def test_an_issuer_named_short_or_by_its_level_word_is_the_same_body():
    from eval.scoring import same_issuer
    path = ("湖北省", "恩施土家族苗族自治州")
    assert same_issuer("州生态环境局", "恩施州生态环境局", path)
    assert same_issuer("恩施土家族苗族自治州生态环境局", "恩施州生态环境局", path)
    assert not same_issuer("湖北省人民政府", "恩施州人民政府", path)
    assert not same_issuer("恩施州人民政府", "恩施州生态环境局", path)


def test_a_document_number_tells_namesakes_apart():
    changchun = meta_of("朝阳区2022年法治政府建设年度报告\n2022年，全区……印发《关于加强执法的通知》（长朝委〔2022〕12号）。\n"
                        + BODY)
    assert changchun.region_path == ("吉林省", "长春市", "朝阳区")
    assert any(e["kind"] == "docnumber" for e in changchun.provenance["evidence"]["region"][0]["evidence"])


def test_a_report_naming_only_a_shared_town_name_is_a_guess_found_by_that_name_and_said_so():
    meta = meta_of("大河乡人民政府\n关于法治政府建设的情况报告\n2025年，大河乡始终坚持依法行政，全乡……\n" + BODY)
    assert not meta.certain("region") and meta.provenance["namesakes"] > 1
    assert meta.provenance["confidence"]["region"] < 0.5
    chosen = select_reports(Filters(regions=("大河乡",)), {"d.txt": meta})
    assert chosen.sources == ["d.txt"]
    # Asked with parents its text never shows, it may be it: found, and the answer says first that it is a guess.
    chosen = select_reports(Filters(regions=(("巫溪县", "大河乡"),)), {"d.txt": meta})
    assert chosen.sources == ["d.txt"] and any("不确定" in n and "同名" in n for n in chosen.notices)
    # Asked with parents no 大河乡 has, it is not it.
    chosen = select_reports(Filters(regions=(("杭州市", "大河乡"),)), {"d.txt": meta})
    assert chosen.sources == [] and "d.txt" in chosen.reason


def test_the_library_line_shows_each_label_with_its_evidence_and_confidence():
    from assistant.answer.render import provenance_text
    meta = meta_of("沙坪坝区人民政府关于2022年法治政府建设情况的报告\n2022年，全区……\n" + BODY + "重庆市沙坪坝区人民政府\n")
    text = provenance_text(meta.provenance)
    assert "地区←标题（置信度" in text and "标题+8" in text and "落款+5" in text
    assert "发布机关←落款（置信度 1.00）" in text


def test_a_county_branch_of_a_city_bureau_is_the_countys_and_never_answers_for_the_city():
    meta = meta_of("温州市生态环境局泰顺分局2024年法治政府建设年度报告\n2024年，我局……全县……\n" + BODY)
    assert meta.region_path == ("浙江省", "温州市", "泰顺县")
    chosen = select_reports(Filters(regions=(("浙江省", "温州市"),)), {"t.txt": meta})
    assert chosen.sources == []


def test_a_town_named_only_in_a_slogan_is_its_report():
    meta = meta_of("2024年,在县委、县政府的坚强领导下,我乡积极作为……我乡……明确法治舒桥建设的重点任务。\n" + BODY)
    assert meta.region_path == ("浙江省", "丽水市", "青田县", "舒桥乡") and not meta.certain("region")


def test_a_town_of_a_city_without_counties_is_under_that_city():
    meta = meta_of("中共东莞市东城街道工作委员会东莞市东城街道办事处关于2023年法治政府建设情况的报告\n"
                   "2023年，我街道……\n" + BODY)
    assert meta.region_path == ("广东省", "东莞市", "东城街道") and meta.level == "town"
    assert meta.issuer.split("、") == ["中共东莞市东城街道工作委员会", "东莞市东城街道办事处"]


def test_we_the_county_outweighs_the_provincial_government_it_obeys():
    meta = meta_of("2024年,我县坚持以习近平法治思想为指导，认真落实省委省政府工作要求，创建全省示范县。"
                   "兴国县推进依法行政。\n" + BODY)
    assert meta.region_path[-1] == "兴国县" and meta.level == "county"


def test_a_report_that_speaks_for_a_province_and_names_only_a_city_in_it_is_the_provinces():
    meta = meta_of("2020年，全省各级政府坚持依法行政，全省……全省……驻马店市开展试点。\n" + BODY)
    assert meta.region_path == ("河南省",) and not meta.certain("region")


def test_a_unit_merged_into_another_is_no_rename_and_a_short_county_needs_a_boundary():
    from assistant.regions import same_unit
    assert same_unit("密云区") == {"密云区", "密云县"} and same_unit("两江新区") == {"两江新区"}
    assert [m.text for m in find_mentions("鄞陵县存在哪些问题")] == ["鄞陵县"]


def test_a_city_is_never_answered_from_a_report_guessed_to_be_below_it():
    child = ReportMeta(region="常州市天宁区", region_path=("江苏省", "常州市", "天宁区"), level="county",
                       uncertain=("region",), places=("常州市",), year_from=2025, year_to=2025)
    chosen = select_reports(Filters(regions=("常州市",)), {"t.txt": child})
    assert chosen.sources == [] and "天宁区" in chosen.reason


def test_a_year_no_label_covers_is_answered_only_from_passages_naming_it():
    unknown = ReportMeta(region="广东省", region_path=("广东省",), level="province", uncertain=("year",))
    chosen = select_reports(Filters(regions=("广东省",), years=(2022,)), {"g.txt": unknown})
    assert chosen.sources == ["g.txt"] and chosen.year_in_text


def test_an_opening_that_names_a_city_and_its_district_is_the_districts():
    meta = meta_of("成都市锦江区2022年全年受理行政复议案件321件，纠错率为8.8%。基层执法力量薄弱。")
    assert meta.region_path == ("四川省", "成都市", "锦江区")


def test_a_name_several_places_bear_is_labelled_without_the_parents_the_text_never_shows():
    meta = meta_of("结合荷城街道实际，现就2022年法治政府建设工作开展情况报告如下：\n" + BODY + "我街道加强行政履责。\n")
    assert meta.region_path == ("荷城街道",) and meta.level == "town"
    assert meta.provenance["namesakes"] == 3
    # The gazetteer's candidates stay in the evidence.
    assert meta.provenance["evidence"]["region"][0]["path"][-1] == "荷城街道"


def test_a_shown_parent_keeps_the_whole_path():
    meta = meta_of("六盘水市钟山区荷城街道2022年法治政府建设工作报告\n2022年，荷城街道……\n" + BODY)
    assert meta.region_path == ("贵州省", "六盘水市", "钟山区", "荷城街道")


def test_a_new_area_that_speaks_as_a_new_area_and_has_no_peoples_government_is_a_zone_of_its_commission():
    text = ("2023年，两江新区坚持依法行政，统筹推进新区法治政府建设各项目标任务。\n" + BODY
            + "紧贴新区法治保障需求，完成《重庆两江新区管理办法》修订。\n")
    meta = meta_of(text)
    assert meta.region_path == ("重庆市", "两江新区")
    assert meta.level == "zone" and meta.issuer.endswith("两江新区管委会")


def test_a_new_area_with_a_peoples_government_stays_a_district():
    meta = meta_of("2022年，浦东新区坚持依法行政，区政府常务会议学法4次，新区各部门……\n" + BODY)
    assert meta.region_path == ("上海市", "浦东新区") and meta.level == "county"


def test_each_region_of_a_comparison_finds_its_own_reports_even_when_one_label_is_a_guess():
    sure = ReportMeta(region="丰都县栗子乡", region_path=("重庆市", "丰都县", "栗子乡"), level="town")
    guess = ReportMeta(region="大河乡", region_path=("大河乡",), level="town", uncertain=("region",),
                       places=("大河乡",), provenance={"namesakes": 5})
    metas = {"lizi.txt": sure, "dahe.txt": guess}
    chosen = select_reports(Filters(regions=(("丰都县", "栗子乡"), ("巫溪县", "大河乡"))), metas)
    assert sorted(chosen.sources) == ["dahe.txt", "lizi.txt"]
    assert len(chosen.notices) == 1 and "巫溪县大河乡" in chosen.notices[0] and "同名" in chosen.notices[0]
    # A region asked with a parent no place of that name has finds nothing, and the other region still answers.
    chosen = select_reports(Filters(regions=(("丰都县", "栗子乡"), ("杭州市", "大河乡"))), metas)
    assert chosen.sources == ["lizi.txt"] and not chosen.notices


@pytest.mark.parametrize("text, issuer", [
    # "关于X局…的报告": the body after 关于.
    ("关于玉林市生态环境局2021年度法治政府建设工作情况的报告\n2021年，我局……\n" + BODY, "玉林市生态环境局"),
    # A body named by its level word only is the report's place's.
    ("区司法局2022年法治政府建设年度报告_盘龙区人民政府\n2022年，区司法局在区委、区政府的坚强领导下，我局……\n" + BODY,
     "盘龙区司法局"),
    # …unless the page names it in full elsewhere: the same kind of body, with its place.
    ("市医保局2022年法治政府建设年度报告\n2022年，市医保局……我局……全市……\n" + BODY + "（来源：信阳市医疗保障局）\n",
     "信阳市医疗保障局"),
    # A 来源 line at the page's foot is a source line, not a signature.
    ("2022年，我局坚持依法行政，认真落实市委、市政府部署……\n" + BODY + "来源：遂宁市住房和城乡建设局\n",
     "遂宁市住房和城乡建设局"),
    # An information-disclosure header's 发布机构 is a source line.
    ("信息公开 > 法治政府建设年度报告\n索引号：11510900MB1234 发布机构：遂宁市司法局 发文日期：2023-01-15\n"
     "2022年法治政府建设工作情况报告\n2022年，我局……\n" + BODY, "遂宁市司法局"),
    # "- 标题: [天政发〔2026〕7号]X人民政府关于…": the title's label and document number are not its issuer.
    ("- 发文机关: 天水市人民政府办公室\n- 标题: [天政发〔2026〕7号]天水市人民政府关于2025年法治政府建设情况的报告\n"
     "市委:\n2025年,市政府坚持依法行政，全市……\n" + BODY, "天水市人民政府"),
])
def test_the_issuer_is_the_body_that_wrote_the_report_named_with_its_place(text, issuer):
    assert meta_of(text).issuer == issuer


def test_a_host_governments_source_line_never_replaces_a_department():
    meta = meta_of("区司法局2022年法治政府建设年度报告\n2022年，我局……全区……\n" + BODY + "来源：盘龙区人民政府\n")
    assert meta.issuer == "盘龙区司法局"


def test_a_document_number_abbreviating_the_province_tells_namesakes_apart():
    beijing = meta_of("2022年，区政府坚持依法行政，印发《关于加强执法的通知》（京朝政发〔2022〕3号），全区……朝阳区……\n" + BODY)
    assert beijing.region_path == ("北京市", "朝阳区")
    changchun = meta_of("2022年，区政府坚持依法行政，印发《关于加强执法的通知》（长朝政发〔2022〕3号），全区……朝阳区……\n" + BODY)
    assert changchun.region_path == ("吉林省", "长春市", "朝阳区")


@pytest.mark.parametrize("text, region, issuer", [
    ("2022年，省生态环境厅认真贯彻省委部署，我厅……全省……贵州……\n" + BODY, "贵州省", "贵州省生态环境厅"),
    ("2022年，州生态环境局在州委州政府领导下，我局……恩施州……\n" + BODY, "恩施土家族苗族自治州",
     "恩施土家族苗族自治州生态环境局"),
])
def test_a_department_speaking_as_itself_is_the_issuer_and_its_government_the_region(text, region, issuer):
    meta = meta_of(text)
    assert (meta.region, meta.issuer) == (region, issuer)


def test_a_guessed_label_naming_the_place_is_kept_for_a_year_its_labelled_reports_do_not_cover():
    sure = ReportMeta(region="西安市", region_path=("陕西省", "西安市"), level="city", year_from=2023)
    guess = ReportMeta(region="陕西省", region_path=("陕西省",), level="province", year_from=2019,
                       uncertain=("region",), places=("西安市",))
    metas = {"xa23.txt": sure, "xa19.txt": guess}
    chosen = select_reports(Filters(regions=("西安市",), years=(2019,)), metas)
    assert chosen.sources == ["xa19.txt"] and "标注不确定" in chosen.notices[0]
    # A year the labelled report covers needs no guess.
    chosen = select_reports(Filters(regions=("西安市",), years=(2023,)), metas)
    assert chosen.sources == ["xa23.txt"] and not chosen.notices


def test_a_zone_named_after_its_county_is_under_it_and_a_bare_kind_of_zone_is_no_place():
    from assistant.regions import find_mentions
    [m] = find_mentions("新荣经济技术开发区2024年法治政府建设年度报告")
    assert m.places[0].chain == ("山西省", "大同市", "新荣区", "新荣经济技术开发区")
    assert find_mentions("经济开发区2024年度法治政府建设情况报告") == []
    meta = meta_of("经济开发区2024年度法治政府建设情况报告\n2024年宁河经济开发区在区委、区政府的正确领导下，坚持依法行政，"
                   "天津市……\n" + BODY)
    assert meta.region_path == ("天津市", "宁河区", "宁河经济开发区") and meta.level == "zone"
    assert meta.issuer == "宁河经济开发区管委会"


def test_pinyin_glosses_of_a_mirror_site_are_read_past():
    from assistant.ingest.formats import load_txt
    text = load_txt("n.txt", "內(nèi)蒙古自治區(qū)人民政府關(guān)于2024年法治政府建設(shè)情況的報(bào)告\n第(1)項(a)\n".encode()).text
    assert text.startswith("內蒙古自治區人民政府關于2024年") and "第(1)項(a)" in text


@pytest.mark.parametrize("text, path, issuer", [
    # The department at the head of the opening sentence issues the report; its region is its government's.
    ("2025年以来,汕尾市司法局在市委、市政府的坚强领导下,坚持依法行政，全市……\n" + BODY, ("广东省", "汕尾市"), "汕尾市司法局"),
    # A department's party group above the title signs for the department.
    ("中共青岛市交通运输局党组\n2022年度法治政府建设报告\n2022年,市交通运输局党组坚持依法行政，落实市委、市政府部署……\n"
     + BODY, ("山东省", "青岛市"), "青岛市交通运输局"),
    # A ministry as the subject after "在党中央、国务院的领导下，".
    ("2022年,在党中央、国务院的领导下,交通运输部以习近平新时代中国特色社会主义思想为指导，深入推进……\n" + BODY,
     ("交通运输部",), "交通运输部"),
    # "现将我厅…（粤法治办〔2021〕36号）": a provincial department, its province read from 粤; never its government.
    ("按照《关于做好年度报告的通知》(粤法治办〔2021〕36号)要求,现将我厅2021年度法治政府建设情况报告如下:\n"
     "2021年,我厅立足新发展阶段,构建新发展格局,认真落实省委省政府部署。\n" + BODY, ("广东省",), ""),
    # "一年来,梅县区坚持…" after a first sentence about the year.
    ("2025年是全面深化改革的关键之年,也是收官之年。一年来,梅县区坚持依法行政,在全市率先……全区……梅州市……\n" + BODY,
     ("广东省", "梅州市", "梅县区"), "梅州市梅县区人民政府"),
])
def test_opening_and_head_lines_name_the_issuer_and_its_region(text, path, issuer):
    meta = meta_of(text)
    assert (meta.region_path, meta.issuer) == (path, issuer)


def test_an_addressee_naming_only_a_county_level_rules_out_a_province():
    meta = meta_of("县委、县政府:\n2024年以来,教育局坚持依法治教，贯彻习近平总书记对江苏工作重要讲话精神……\n" + BODY)
    assert meta.region_path == () and meta.issuer == "教育局"
    assert any(e["kind"] == "addressee" for c in meta.provenance["evidence"]["region"] for e in c["evidence"])


def test_a_report_whose_issuer_was_not_read_is_kept_for_a_year_the_named_bodys_reports_do_not_cover():
    named = ReportMeta(region="广东省", region_path=("广东省",), level="province", year_from=2023,
                       issuer="广东省交通运输厅")
    unnamed = ReportMeta(region="广东省", region_path=("广东省",), level="province", year_from=2021, issuer="")
    metas = {"jtt23.txt": named, "jtt21.txt": unnamed}
    chosen = select_reports(Filters(regions=("广东省",), years=(2021,), issuers=("交通运输厅",)), metas)
    assert chosen.sources == ["jtt21.txt"] and "未识别" in chosen.notices[-1]
    chosen = select_reports(Filters(regions=("广东省",), years=(2023,), issuers=("交通运输厅",)), metas)
    assert chosen.sources == ["jtt23.txt"] and not chosen.notices


def test_a_clipped_banner_name_in_a_report_is_its_banner_and_a_title_may_start_with_its_year():
    meta = meta_of("2024年，西乌旗坚持依法行政，全旗……\n" + BODY)
    assert meta.region_path == ("内蒙古自治区", "锡林郭勒盟", "西乌珠穆沁旗")
    meta = meta_of("2022年度元谋县卫生健康局法治政府建设工作报告\n2022年，我局……\n" + BODY)
    assert meta.issuer == "元谋县卫生健康局" and meta.region == "元谋县"


def test_a_name_alone_label_is_found_with_parents_even_when_its_head_lines_do_not_name_it():
    guess = ReportMeta(region="大河乡", region_path=("大河乡",), level="town", uncertain=("region",),
                       places=(), provenance={"namesakes": 5})
    chosen = select_reports(Filters(regions=(("巫溪县", "大河乡"),)), {"d.txt": guess})
    assert chosen.sources == ["d.txt"] and "不确定" in chosen.notices[0]
    assert select_reports(Filters(regions=(("杭州市", "大河乡"),)), {"d.txt": guess}).sources == []
