import pytest

from assistant.records import Answer, Hit, Point
from ui.upload import safe_name
from ui.render import answer_html, sources_html

pytestmark = pytest.mark.unit
EVIL = "全年检查<script>alert(1)</script>共58次，<img src=x onerror=alert(2)>发现**隐患**12处。"


@pytest.mark.parametrize("name", ["../../etc/passwd", "..\\..\\boot.ini", "/abs/path/r.txt", ".hidden.txt",
                                  "a/../../b.txt", "报告<script>.txt", "\x00evil.txt"])
def test_upload_names_cannot_escape_the_upload_folder(name, tmp_path):
    safe = safe_name(name)
    assert "/" not in safe and "\\" not in safe and not safe.startswith(".") and "<" not in safe
    assert (tmp_path / safe).resolve().parent == tmp_path.resolve()


def test_report_text_is_escaped_in_answers_and_sources():
    hit = Hit("r.txt", "一、<b>章节</b>", EVIL, 1.0, "成都市锦江区", 2022, quotes=(EVIL.replace("**", ""),),
              chunk_id="r.txt#0")
    answer = Answer(True, question="q", query="q", points=(Point((EVIL,), 1, "r.txt"),), citations=(hit,))
    for html in (answer_html(answer, 1), sources_html([hit], 1)):
        assert "<script>" not in html and "<img" not in html and "<b>章节" not in html
        assert "&lt;script&gt;" in html and "onerror" in html   # shown as text
    assert "<mark>" in sources_html([hit], 1) and "href='#cite-1-1'" in answer_html(answer, 1)
