"""Report identity on layouts never seen: region, level, year, issuer and where each was read.

Every report here is a tiny inline fixture of a place and year that the seeds do not hold.
"""
import pytest

from assistant.ingest.cleaning import clean
from assistant.ingest.metadata import extract_metadata
from assistant.ingest.period import reported_period
from assistant.regions import find_mentions
from assistant.text import normalize

pytestmark = pytest.mark.unit
BODY = "一、主要做法\n（一）行政复议。全年收到行政复议申请58件。\n二、存在的不足\n一是执法力量薄弱。二是宣传不够。\n"


def meta_of(text):
    blocks, _ = clean(text)
    return extract_metadata(text, blocks)


@pytest.mark.parametrize("name,text,region,path_end,level", [
    ("province naming its cities",
     "江西省人民政府关于2021年法治政府建设情况的报告\n2021年，全省各地各部门……南昌市、九江市、赣州市、南昌市、南昌市"
     "积极推进。\n" + BODY, "江西省", "江西省", "province"),
    ("district department that says 我局",
     "长沙市岳麓区司法局2021年度法治政府建设工作报告\n2021年，我局在区委、区政府领导下，在长沙市委指导下。长沙市、长沙市。\n"
     + BODY, "长沙市岳麓区", "岳麓区", "county"),
    ("town", "德清县莫干山镇人民政府2022年度法治政府建设工作报告\n2022年，我镇……\n" + BODY,
     "德清县莫干山镇", "莫干山镇", "town"),
    ("scenic zone is not a district", "黄山风景区管理委员会关于2021年度法治政府建设情况的报告\n" + BODY,
     "黄山风景名胜区", "黄山风景名胜区", "zone"),
    ("high-tech zone", "西安高新区管委会关于2019年度法治政府建设工作情况的报告\n" + BODY, "西安高新区", "西安高新区", "zone"),
    ("traditional characters", "東莞市人民政府關於2020年度法治政府建設情況的報告\n" + BODY, "东莞市", "东莞市", "city"),
    ("region only in the signature", "关于2022年度法治政府建设工作情况的报告\n" + BODY + "宝鸡市陈仓区人民政府\n2023年1月9日\n",
     "宝鸡市陈仓区", "陈仓区", "county"),
    ("body mentions a court and a city visited elsewhere",
     "新城县2022年法治政府建设年度报告\n一、做法\n与晋中市中级人民法院召开联席会议，晋中市中院、晋中市中院派员参加，"
     "赴杭州市学习考察。全县……\n", "新城县", "新城县", "county"),
    ("a ministry's report is national", "应急管理部2022年法治政府建设年度报告\n" + BODY, "应急管理部", "应急管理部", "national"),
])
def test_region_and_level(name, text, region, path_end, level):
    meta = meta_of(text)
    assert (meta.region, meta.region_path[-1], meta.level) == (region, path_end, level), name
    assert meta.certain("region")


def test_province_report_stays_the_province_when_its_body_names_cities_more():
    text = "江西省人民政府关于2021年法治政府建设情况的报告\n" + "南昌市加强行政复议。" * 20 + "\n" + BODY
    assert meta_of(text).region == "江西省"


def test_no_title_reads_the_body_as_a_guess():
    meta = meta_of("一、主要做法\n2023年，全区推进依法行政。宜昌市夷陵区法院、夷陵区、夷陵区建立机制。\n")
    assert meta.region_path[-2:] == ("宜昌市", "夷陵区") and not meta.certain("region")
    assert meta.provenance["region"] == "body"


@pytest.mark.parametrize("title,opening,date,years,origin", [
    ("X高新区管委会关于2019年度法治政府建设工作情况的报告", [], "", (2019, 2019), "title"),
    ("", ["认真落实《X市法治政府建设实施方案（2016—2020年）》，现将2019年工作报告如下"], "", (2019, 2019), "intro"),
    ("关于落实《实施方案（2016—2020年）》情况的报告", ["2019年，我区坚持……"], "", (2019, 2019), "intro"),
    ("", ["现将2017-2019年法治政府建设工作情况汇报如下"], "2019-11-14", (2017, 2019), "intro"),
    ("", [], "2023-02-10", (2022, 2022), "date"),
])
def test_reported_year_is_not_a_planning_period_or_the_publication_date(title, opening, date, years, origin):
    period = reported_period(normalize(title), [normalize(o) for o in opening], "", date)
    assert (period.year_from, period.year_to) == years and period.origin == origin


def test_body_years_skip_document_names_and_dates():
    body = normalize("《规划（2021—2025年）》2025年2025年。2022年全区……2022年。2023年3月1日")
    period = reported_period("", [], body, "2023-03-01")
    assert period.year_to == 2022 and not period.certain


@pytest.mark.parametrize("page,title,issuer", [
    ("首页 > 政务公开 > 法定主动公开内容 > 工作报告\n工作报告\n文章来源：司法局　更新时间：2023-03-01\n"
     "南昌市人民政府关于2022年度法治政府建设情况的报告\n" + BODY,
     "南昌市人民政府关于2022年度法治政府建设情况的报告", "南昌市人民政府"),
    ("南昌市人民政府关于2022年度法治政府建设情况的报告_法治政府建设年度报告_南昌市人民政府\n" + BODY,
     "南昌市人民政府关于2022年度法治政府建设情况的报告", "南昌市人民政府"),
])
def test_web_chrome_is_never_a_title_or_an_issuer(page, title, issuer):
    meta = meta_of(page)
    assert meta.title == title and meta.issuer == issuer and meta.region == "南昌市"


def test_title_broken_over_two_lines_is_joined():
    meta = meta_of("南京市鼓楼区人民政府关于2020年度法治政府建设\n工作情况的报告\n" + BODY)
    assert meta.title == "南京市鼓楼区人民政府关于2020年度法治政府建设工作情况的报告"
    assert meta.region == "南京市鼓楼区" and meta.year == 2020


def test_same_district_name_in_two_cities_is_told_apart_by_the_city_shown():
    fuzhou = meta_of("鼓楼区2022年法治政府建设年度报告\n在福州市委、福州市政府领导下，全区……\n" + BODY)
    nanjing = meta_of("鼓楼区2022年法治政府建设年度报告\n在南京市委领导下，南京市……全区\n" + BODY)
    assert fuzhou.region_path[:2] == ("福建省", "福州市") and nanjing.region_path[:2] == ("江苏省", "南京市")


@pytest.mark.parametrize("text,names", [
    ("德清县莫干山镇", ["德清县", "莫干山镇"]), ("黄山风景区管委会", ["黄山风景名胜区"]), ("西湖风景名胜区", ["西湖风景名胜区"]),
    ("南昌市西湖区", ["南昌市", "西湖区"]), ("攀枝花西区", ["攀枝花市", "西区"]), ("新城县的不足", ["新城县"]),
    ("全县各乡镇街道", []), ("城乡一体化，全区城区", []), ("西区、西山区、西秀区", ["西区", "西山区", "西秀区"]),
])
def test_places_by_gazetteer_and_by_shape(text, names):
    assert [m.places[0].name for m in find_mentions(normalize(text))] == names


def test_parent_named_before_a_shared_name_picks_the_place():
    mentions = find_mentions("南昌市西湖区")
    assert mentions[1].places[0].parents[-1] == "南昌市"
