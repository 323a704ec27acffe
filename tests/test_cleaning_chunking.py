import pytest

from assistant.ingest.chunking import chunk_report, heading_level, split_sections
from assistant.ingest.cleaning import clean, is_boilerplate
from tests.conftest import REPORT_A, REPORT_B

pytestmark = pytest.mark.unit


def test_web_boilerplate_dropped_but_content_kept():
    assert is_boilerplate("长者助手 市民登录| 政务邮箱| 邮件订阅| 网站无障碍")
    assert is_boilerplate("分享到:")
    long_line = "推进无障碍环境建设，完成城区道路无障碍改造12处，方便残疾人和老年人出行，群众满意度明显提升。"
    assert not is_boilerplate(long_line)
    blocks, dropped = clean(REPORT_A)
    assert dropped and all("报告" not in d for d in dropped)
    assert not any("市民登录" in b.text for b in blocks)


def test_page_break_mid_sentence_is_joined_and_spans_map_back():
    text = "（一）优化营商环境。开展民营企业法治体检45次，为企业出具法律意见书88份，为中小企业提供\n\n法律咨询服务300余次。\n二、存在的问题\n"
    blocks, _ = clean(text)
    assert blocks[0].text.endswith("提供法律咨询服务300余次。")
    joined = blocks[0]
    pos = joined.text.index("法律咨询服务")
    assert text[joined.file_offset(pos):joined.file_offset(pos) + 6] == "法律咨询服务"


def test_title_and_source_lines_are_not_glued_to_the_body():
    blocks, _ = clean(REPORT_B)
    assert blocks[0].text.replace(" ", "") == "关于2022年度法治政府建设工作情况的报告"


@pytest.mark.parametrize("line,level", [
    ("一、主要做法和成效", 1), ("三、2021 年度主要安排", 1), ("（二）深化法律援助", 2), ("(三)严格依法决策。正文", 2),
    ("1.畅通复议渠道。全年……", 3), ("2、推进府院联动", 3), ("(1)细项", 4), ("2021年，全区……", None),
    ("2.1万元用于……", None),
])
def test_heading_levels(line, level):
    assert heading_level(line) == level


def test_sections_carry_heading_paths_and_chunks_keep_spans():
    blocks, _ = clean(REPORT_A)
    chunks = chunk_report("a.txt", blocks, size=120, overlap=20)
    by_text = {c.text: c for c in chunks}
    review = next(c for c in chunks if "纠错率为12.6%" in c.text)
    assert review.path == ("一、主要做法和成效", "（一）加强行政复议工作", "1.畅通复议渠道")
    assert REPORT_A[review.start:review.end].startswith("1.畅通复议渠道")
    # Sub-points become their own chunks only where a section is longer than a chunk.
    small = chunk_report("a.txt", blocks, size=50, overlap=10)
    aid = next(c for c in small if "1024件" in c.text)
    assert aid.path[-1].startswith("一是扩大援助范围") and "99.2%" not in aid.text
    assert len(by_text) == len(chunks)


def test_skipped_levels_and_no_chunk_crosses_a_top_level_section():
    text = "一、总体情况\n(三)严格依法决策。正文一。\n二、存在问题\n问题一。问题二。\n"
    blocks, _ = clean(text)
    sections = split_sections(blocks)
    assert [s.path for s in sections] == [("一、总体情况", "(三)严格依法决策"), ("二、存在问题",)]
    chunks = chunk_report("x.txt", blocks)
    assert all(len({c.path[0]}) == 1 for c in chunks)
    assert chunks[-1].path == ("二、存在问题",) and "问题一" in chunks[-1].text


def test_long_section_splits_at_sentence_ends_with_overlap():
    sentences = [f"第{i}项工作完成情况良好，共办理事项{i * 10}件。" for i in range(1, 40)]
    text = "一、主要做法\n" + "".join(sentences) + "\n"
    blocks, _ = clean(text)
    chunks = chunk_report("long.txt", blocks, size=150, overlap=40)
    assert len(chunks) > 3
    assert all(len(c.text) <= 150 for c in chunks)
    assert all(c.text.endswith("。") for c in chunks)
    # consecutive windows share at least one whole sentence
    assert all(a.text.split("。")[-2] in b.text for a, b in zip(chunks, chunks[1:]))


def test_a_short_report_with_blank_lines_is_not_mistaken_for_hard_wrapped_text():
    """Eight plan items of similar length ending in "。" are no layout: the title, the 来源 line and the
    first paragraph stay three blocks."""
    items = "\n".join(f"（{n}）持续深化第{n}项重点改革任务，推动工作落地见效。" for n in "一二三四五六七八")
    text = ("嘉峪关市人民政府关于2022年度法治政府建设情况的报告\n\n来源：嘉峪关市司法局　发布时间：2023-02-24\n\n"
            "2022年，市政府扎实推进法治政府建设，各项工作取得积极进展。\n\n三、2023年工作安排\n" + items + "\n\n嘉峪关市人民政府\n")
    from assistant.ingest.cleaning import hard_wrap_width
    assert hard_wrap_width(text) is None
    blocks, _ = clean(text)
    assert blocks[0].text == "嘉峪关市人民政府关于2022年度法治政府建设情况的报告"
    assert blocks[-1].text == "嘉峪关市人民政府"


def test_text_wrapped_to_a_width_is_still_found():
    body = "全年共办理行政复议案件一百二十件，依法纠正违法或者不当行政行为十五件，纠错率为百分之十二点五。" * 12
    wrapped = "\n".join(body[i:i + 30] for i in range(0, len(body), 30))
    from assistant.ingest.cleaning import hard_wrap_width
    assert hard_wrap_width(wrapped) == 30
