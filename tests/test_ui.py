"""The app in a real browser (Debian chromium via Playwright) and through gradio_client.

One server per module over a copy of seeds/ and a temporary library; its index goes to a temporary data
folder (XDG_DATA_HOME), never the real user folder. Screenshots go to artifacts/.
"""
import csv
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEEDS

pytestmark = pytest.mark.slow
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = "/usr/bin/chromium"
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run"]
XSS_REPORT = """关于测试县2022年度法治政府建设情况的报告
一、主要做法
（一）网络安全检查。全年开展网络安全检查<script>window.__xss = 1</script>共58次，发现隐患<img src=x onerror="window.__xss = 2">12处，全部整改。
成都市锦江区人民政府
2023年1月1日
"""
# 方正县's report, labelled by its title as 晋中市: the relabelling case of the issue.
MISLABELLED = """晋中市2022年法治政府建设年度报告
一、主要做法
（一）行政复议。方正县全年受理行政复议案件41件，纠错率为9.8%。
（二）法律援助。办理法律援助案件126件。
二、存在的问题
基层法治力量薄弱。
三、下一步工作计划
加强执法培训。
"""
# Gradio's own English strings, and the default labels of its components.
GRADIO_ENGLISH = ("Drop File Here", "Click to Upload", "Textbox", "Loading", "Chatbot", "Dropdown", "Upload", "Clear",
                  "Submit", "Use via API", "Built with Gradio", "Settings", "Error", "Copy", "Download", "Share",
                  "Radio", "HTML", "File", "- or -", "Examples", "Flag", "Stop", "Retry", "Undo")
ALLOWED_WORDS = {"API", "BM", "Markdown", "Word", "DOCX", "CSV", "Excel", "XLSX", "MB", "PDF", "Gradio"}


def descendants(pid: int) -> list[int]:
    """Every process below ``pid``, read from /proc."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents[int(stat.parent.name)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    out, frontier = [], [pid]
    while frontier:
        kids = [c for c, p in parents.items() if p in frontier]
        out += kids
        frontier = kids
    return out


def running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, log: Path, seconds: float = 600) -> None:
    """Generous: the first index is built with the real encoder on a shared, loaded machine."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"app exited: {log.read_text()}")
            time.sleep(1)
    proc.kill()
    raise RuntimeError(f"app did not start in {seconds:.0f} s: {log.read_text()}")


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ui-seeds")
    for path in SEEDS.glob("*.txt"):
        shutil.copy(path, folder / path.name)
    library = tmp_path_factory.mktemp("ui-library")
    data = tmp_path_factory.mktemp("ui-data")
    port = free_port()
    log_path = tmp_path_factory.mktemp("log") / "ui.log"
    log = open(log_path, "w")
    env = {**os.environ, "XDG_DATA_HOME": str(data), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "ui", "--folder", str(folder), "--library", str(library),
                             "--port", str(port)], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)
    wait_for_port(port, proc, log_path)
    # The page is served before the index is ready; these tests check answers of hybrid search.
    deadline = time.time() + 900
    while "向量编码完成" not in log_path.read_text():
        assert time.time() < deadline and proc.poll() is None, log_path.read_text()[-2000:]
        time.sleep(1)
    time.sleep(2)
    yield f"http://127.0.0.1:{port}/", folder, library, log_path
    children = descendants(proc.pid)                     # the encoder's worker processes, on 2+ cores
    proc.terminate()                                      # SIGTERM: nothing may be left running
    proc.wait(timeout=30)
    deadline = time.time() + 15
    while any(running(pid) for pid in children) and time.time() < deadline:
        time.sleep(0.3)
    assert not [pid for pid in children if running(pid)], "processes left after SIGTERM"


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian chromium is missing: apt-get install chromium (make test does this)")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, app_url):
    # An English-language browser: Gradio's own strings must still be Chinese.
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-US", accept_downloads=True)
    outside = []            # the app works offline: nothing is fetched from anywhere but the app itself
    context.on("request", lambda r: None if r.url.startswith((app_url[0], "data:", "blob:")) else outside.append(r.url))
    page = context.new_page()
    page.goto(app_url[0])
    page.wait_for_selector("#question textarea", timeout=120000)
    page.wait_for_selector("#examples button", timeout=60000)
    page.wait_for_function("() => document.querySelector('#status').innerText.includes('混合检索（')", timeout=600000)
    settle(page)
    yield page
    context.close()
    assert outside == [], f"the page fetched from outside the app: {outside[:5]}"


def ask(page, question: str, expect: str = "", timeout: float = 120000) -> None:
    """Ask as a person would and wait for the answer (and ``expect`` in it)."""
    before = page.locator("#chat .answer").count()
    page.fill("#question textarea", question)
    page.click("#send")
    page.wait_for_function("n => document.querySelectorAll('#chat .answer').length > n", arg=before, timeout=timeout)
    if expect:
        page.wait_for_function("t => [...document.querySelectorAll('#chat .answer')].pop().innerText.includes(t)",
                               arg=expect, timeout=timeout)


def choose(page, dropdown: str, value: str, ending: bool = False) -> str:
    """Pick the option ``value`` (or the one ending with it) in a dropdown as a person would: open the list and
    take the option. Returns the option's label.

    The option gets the mousedown it listens to. (A click waits for the option to stand still, which a list
    below the fold never does; typing to narrow the list runs gradio's filter on a stale value.)"""
    page.click(f"{dropdown} input")
    page.wait_for_selector(f"{dropdown} li[role=option]", state="attached")
    label = page.evaluate("""([sel, v, ending]) => {
        const li = [...document.querySelectorAll(sel + ' li[role=option]')].find(li =>
            ending ? li.getAttribute('aria-label').endsWith(v) : li.getAttribute('aria-label') === v);
        if (!li) return null;
        li.dispatchEvent(new MouseEvent('mousedown', {bubbles: true}));
        return li.getAttribute('aria-label');
    }""", [dropdown, value, ending])
    assert label, (dropdown, value)
    page.wait_for_function("([sel, v]) => document.querySelector(sel + ' input').value === v", arg=[dropdown, label])
    page.keyboard.press("Tab")
    return label


def tab(page, name: str) -> None:
    page.get_by_role("tab", name=name, exact=True).click()
    settle(page)


def settle(page) -> None:
    """Wait until no event is pending (Gradio fades the components an event will update) and Gradio's own
    strings are translated: on a loaded machine its i18n keys ("common.complete") can show for a moment."""
    page.wait_for_function("() => !document.querySelector('.pending')", timeout=120000)
    page.wait_for_function(r"() => !/\b(common|upload_text|chatbot|dropdown|file|errors|textbox|radio)\.[a-z_]+/"
                           ".test(document.body.innerText)", timeout=120000)


def english_words(text: str) -> set[str]:
    """English words a reader would see, apart from file names, paths and the format names we use."""
    text = re.sub(r"[\w./\\-]*\.(?:txt|html?|pdf|docx|json|md|csv|xlsx)\b", " ", text)
    text = re.sub(r"(?:/[\w.-]+)+", " ", text).replace(".trash", " ")
    return {w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in ALLOWED_WORDS}


def library_message(page, contains: str, timeout: float = 180000, box: str = "#lib-msg") -> str:
    """The library's reply once it holds ``contains`` and the table, filters and form have been refreshed."""
    page.wait_for_function("([t, box]) => document.querySelector(box + ' textarea').value.includes(t)",
                           arg=[contains, box], timeout=timeout)
    settle(page)
    return page.input_value(f"{box} textarea")


# -- browser --------------------------------------------------------------------------------------

@pytest.fixture
def indexing_url(tmp_path):
    """An app over a new folder of ~1,500 passages: served at once, its vectors embedded behind."""
    from eval.synthetic import write_corpus

    folder = tmp_path / "reports"
    folder.mkdir()
    write_corpus(SEEDS, folder, chunks=1500)
    port = free_port()
    log_path = tmp_path / "ui.log"
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "PYTHONPATH": str(ROOT)}
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "ui", "--folder", str(folder), "--library",
                                 str(tmp_path / "library"), "--port", str(port)], cwd=ROOT, stdout=log,
                                stderr=subprocess.STDOUT, env=env)
    try:
        wait_for_port(port, proc, log_path, seconds=300)
        yield f"http://127.0.0.1:{port}/", log_path
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_the_page_answers_while_the_index_is_built(browser, indexing_url):
    """Served before indexing: progress in the status line, then BM25 answers while vectors are embedded."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-US")
    page = context.new_page()
    try:
        page.goto(indexing_url[0])
        page.wait_for_selector("#question textarea", timeout=120000)
        page.wait_for_function("() => /已索引/.test(document.querySelector('#status').innerText)", timeout=240000)
        status = page.inner_text("#status")
        assert "关键词检索（BM25）" in status and "向量" in status, status
        page.screenshot(path=str(ARTIFACTS / "ui-indexing.png"))
        ask(page, "行政复议案件有多少件？")
        assert page.locator("#chat .answer").last.inner_text().strip()
        assert "关键词检索（BM25）" in page.inner_text("#status")   # answered before the vectors were done
    finally:
        context.close()


def test_layout_fits_1366x768_in_chinese(page):
    """Filters and examples are visible without scrolling, and no English Gradio string is shown."""
    for selector in ("#region", "#year", "#question", "#send", "#examples button >> nth=0", "#examples button >> nth=-1"):
        box = page.locator(selector).bounding_box()
        assert box and box["y"] + box["height"] <= 768, (selector, box)
    examples = page.locator("#examples button").all_inner_texts()
    regions = ["西秀区", "肇庆市", "方山县", "西山区", "西区"]
    assert all(any(r in q for q in examples) for r in regions), examples
    assert any("哪些地方" in q for q in examples) and any(q.startswith("各地") for q in examples)
    page.screenshot(path=str(ARTIFACTS / "ui-1366x768.png"))
    seen = page.inner_text("body")
    tab(page, "导出")
    seen += page.inner_text("body")
    tab(page, "报告库")
    page.wait_for_selector("#library table.library")
    seen += page.inner_text("body")
    page.screenshot(path=str(ARTIFACTS / "ui-library.png"))
    for phrase in GRADIO_ENGLISH:
        assert phrase not in seen, phrase
    assert english_words(seen) == set(), [re.search(f".{{0,60}}{w}.{{0,60}}", seen).group(0) for w in english_words(seen)]
    assert "将文件拖放到此处" in seen and "点击上传" in seen        # Gradio's own, in its Chinese
    # Hover titles and screen-reader labels too ("Copy message" on every chat message)
    tab(page, "问答")
    ask(page, "肇庆在行政复议方面做了什么？", "行政复议")
    page.locator("#chat .answer").last.hover()
    labels = page.evaluate("() => [...document.querySelectorAll('[title], [aria-label]')].flatMap(el =>"
                           " [el.getAttribute('title'), el.getAttribute('aria-label')]).filter(Boolean)")
    english = sorted({v for v in labels if english_words(v)})
    assert "复制消息" in labels and english == [], english


def test_a_long_answer_opens_at_its_lead_line_and_not_stated_rows_quote_no_padding(page):
    """At 1366×768 a comparison's lead line and table are in view, not its last quotes; a 未写明 row shows
    its report's related passage (相关原文) or only a link to the report, never a heading."""
    ask(page, "肇庆在行政复议方面做了什么？", "行政复议")
    ask(page, "各地负责人出庭应诉率分别是多少？", "出庭应诉")
    page.wait_for_timeout(800)
    lead = page.locator("#chat .answer").last.locator(".lead")
    chat = page.locator("#chat").bounding_box()
    box = lead.bounding_box()
    assert chat["y"] - 2 <= box["y"] <= chat["y"] + chat["height"] / 3, (box, chat)   # its start at the top
    page.screenshot(path=str(ARTIFACTS / "ui-long-answer.png"))
    rows = page.locator("#chat .answer").last.locator("table.cmp tbody tr")
    assert rows.count() >= 3
    not_stated = [rows.nth(i).inner_text() for i in range(rows.count()) if "未写明" in rows.nth(i).inner_text()]
    assert not_stated, "every seed report states the rate?"
    for row in not_stated:
        assert ("相关原文" in row and "出庭" in row) or "查看报告" in row, row
    cell = page.locator("#chat .answer").last.locator("table.cmp td", has_text="未写明").first
    assert cell.bounding_box()["width"] > 40                                           # readable, not squeezed


def test_citation_opens_the_report_with_the_passage_highlighted(page):
    ask(page, "肇庆在行政复议方面做了什么？", "行政复议")
    sources = page.inner_text("#sources")
    assert "肇庆市2023年法治政府建设年度报告" in sources and "001_87d05bfae25b6d05.txt" in sources
    answer = page.locator("#chat .answer").last
    assert "检索语句" in answer.inner_text() and "筛选" in answer.inner_text()
    answer.locator("a.cite").first.click()
    page.wait_for_selector("#report-view #rv-focus", timeout=60000)
    view = page.inner_text("#report-view")
    assert "章节：" in view and "001_87d05bfae25b6d05.txt" in view and "一、主要做法和成效" in view
    focus = page.locator("#rv-focus")
    assert page.locator("#rv-focus mark.q").count() >= 1
    page.wait_for_timeout(500)
    box, frame = focus.bounding_box(), page.locator(".rv-scroll").bounding_box()
    assert frame["y"] <= box["y"] <= frame["y"] + frame["height"], (box, frame)    # scrolled to it
    page.screenshot(path=str(ARTIFACTS / "ui-citation.png"))


def test_a_filter_that_contradicts_the_question_is_said_and_lifted_in_one_click(page):
    choose(page, "#region", "方山县")
    ask(page, "肇庆在行政复议方面做了什么？", "不一致")
    warning = page.locator("#conflict")
    warning.wait_for(state="visible")
    assert "不一致" in warning.inner_text() and "方山县" in warning.inner_text()
    assert "肇庆市" in page.inner_text("#sources")                      # answered about what was asked
    page.screenshot(path=str(ARTIFACTS / "ui-conflict.png"))
    page.click("#lift")
    page.wait_for_function("() => document.querySelector('#region input').value === '全部地区'")
    page.locator("#lift").wait_for(state="hidden")


def test_the_users_question_is_text_and_nothing_in_it_is_fetched(page):
    fetched = []
    page.on("request", lambda r: fetched.append(r.url) if "9.invalid" in r.url or ":9/" in r.url else None)
    ask(page, "![图](http://127.0.0.1:9/x.png)肇庆在行政复议方面做了什么？")
    page.wait_for_timeout(1000)
    assert fetched == [] and page.locator("#chat img[src*='x.png']").count() == 0
    assert "![图](http://127.0.0.1:9/x.png)" in page.inner_text("#chat")


def test_comparison_is_a_table_and_exports_download_with_citations(page, tmp_path):
    ask(page, "各地行政机关负责人出庭应诉率分别是多少？", "份报告")
    table = page.locator("#chat .answer").last.locator("table.cmp")
    assert table.count() == 1 and table.locator("tbody tr").count() >= 3
    table.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "ui-table.png"))
    tab(page, "导出")
    got = {}
    for label, suffix in (("Markdown", "md"), ("Word（DOCX）", "docx"), ("对比表 CSV", "csv"), ("对比表 Excel（XLSX）", "xlsx")):
        page.click(f"#export-format label:has-text('{label}')")
        with page.expect_download(timeout=60000) as download:
            page.click("#export-btn")
        path = tmp_path / f"export.{suffix}"
        download.value.save_as(path)
        assert download.value.suggested_filename.endswith(f".{suffix}")
        got[suffix] = path
    page.screenshot(path=str(ARTIFACTS / "ui-export.png"))
    text = got["md"].read_text(encoding="utf-8")
    assert "出庭应诉率" in text and "| 地区 · 年份 |" in text and "引文：「" in text and "章节" in text
    assert re.search(r"\d{3}_[0-9a-f]{16}\.txt", text) and "《攀枝花市西区人民政府关于2020年度法治政府建设工作情况的报告》" in text
    docx = zipfile.ZipFile(got["docx"]).read("word/document.xml").decode("utf-8")
    assert "出庭应诉率" in docx and "引文" in docx and ".txt" in docx
    rows = list(csv.reader(io.StringIO(got["csv"].read_text(encoding="utf-8-sig"))))
    assert rows[0][3] == "数值" and len(rows) >= 4 and any(r[3].endswith("%") for r in rows[1:])
    from openpyxl import load_workbook

    values = [c.value for row in load_workbook(got["xlsx"]).worksheets[0].iter_rows() for c in row]
    assert "数值" in values and any(isinstance(v, str) and v.endswith(".txt") for v in values)


def test_upload_relabel_and_delete_in_the_library(page, app_url, tmp_path):
    _, folder, library, _ = app_url
    shipped = sorted(p.name for p in folder.iterdir())
    report = tmp_path / "晋中市报告.txt"
    report.write_text(MISLABELLED, encoding="utf-8")
    xss = tmp_path / "锦江区报告.txt"
    xss.write_text(XSS_REPORT, encoding="utf-8")
    tab(page, "报告库")
    page.set_input_files("#upload input[type=file]", [str(report), str(xss)])
    page.wait_for_timeout(1500)
    page.click("#upload-btn")
    message = library_message(page, "用时", box="#upload-msg")
    assert "library/晋中市报告.txt" in message and "已加入索引" in message
    page.wait_for_function("() => !document.querySelector('#upload').innerText.includes('晋中市报告.txt')")  # cleared
    page.wait_for_function("() => document.querySelector('#library').innerText.includes('library/晋中市报告.txt')")
    assert (library / "晋中市报告.txt").exists() and sorted(p.name for p in folder.iterdir()) == shipped

    # Relabel: 晋中市 → 方正县; the table, the filters and the examples follow.
    choose(page, "#pick", "library/晋中市报告.txt", ending=True)
    page.wait_for_function("() => document.querySelector('#meta-region textarea, #meta-region input').value === '晋中市'")
    page.fill("#meta-region textarea, #meta-region input", "方正县")
    page.click("#save-meta")
    message = library_message(page, "元数据")
    assert "晋中市 → 方正县" in message, message
    page.wait_for_function("() => document.querySelector('#library').innerText.includes('方正县')")
    row = page.locator("#library tr", has_text="library/晋中市报告.txt").inner_text()
    assert "方正县" in row and "县区级" in row and "说明文件" in row
    page.locator("#library tr", has_text="library/晋中市报告.txt").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "ui-relabel.png"))
    assert json.loads((library / "晋中市报告.txt.meta.json").read_text(encoding="utf-8"))["region"] == "方正县"

    # Delete asks first; cancelling changes nothing.
    page.click("#delete-btn")
    page.locator("#confirm-row").wait_for(state="visible")
    assert "确定删除" in page.inner_text("#confirm-row") and "回收站" in page.inner_text("#confirm-row")
    page.click("#cancel-delete")
    page.locator("#confirm-row").wait_for(state="hidden")
    assert (library / "晋中市报告.txt").exists()
    # Delete: the file goes to the trash, the report leaves the index and is listed in the trash.
    page.click("#delete-btn")
    page.click("#confirm-delete")
    message = library_message(page, "已删除")
    assert ".trash" in message
    box, msg = page.locator("#delete-btn").bounding_box(), page.locator("#lib-msg").bounding_box()
    assert 0 <= msg["y"] - (box["y"] + box["height"]) <= 150 and msg["y"] + msg["height"] <= 768, (box, msg)
    page.wait_for_function("() => document.querySelector('#library').innerText.includes('回收站')")
    assert not (library / "晋中市报告.txt").exists()
    assert [p.name for p in (library / ".trash").rglob("*.txt")] == ["晋中市报告.txt"]
    page.screenshot(path=str(ARTIFACTS / "ui-trash.png"))
    # 恢复 brings it back from the trash, with its metadata.
    trash_label = choose(page, "#pick", "library/晋中市报告.txt", ending=True)
    assert trash_label.startswith("回收站"), trash_label
    page.click("#restore-btn")
    message = library_message(page, "已从回收站恢复")
    assert (library / "晋中市报告.txt").exists() and not list((library / ".trash").rglob("*.txt"))
    page.wait_for_function("() => document.querySelector('#library').innerText.includes('方正县')")
    # And deleted again, for what follows.
    choose(page, "#pick", "· library/晋中市报告.txt", ending=True)
    page.click("#delete-btn")
    page.click("#confirm-delete")
    library_message(page, "已删除")
    page.wait_for_function("() => !document.querySelector('#library').innerText.includes('方正县（')")

    # The uploaded report with markup in it answers as text; nothing in it runs.
    tab(page, "问答")
    page.click("#clear")
    page.wait_for_function("() => document.querySelector('#sources').innerText.includes('回答引用的原文')")
    page.click("#region input")
    page.wait_for_selector("#region li[role=option][aria-label='测试县']")     # filter choices refreshed
    page.keyboard.press("Escape")
    ask(page, "锦江区网络安全检查发现多少处隐患？", "12处")
    sources = page.inner_text("#sources")
    assert "<script>" in sources or "onerror" in sources
    assert page.evaluate("() => window.__xss") is None
    assert page.locator("#sources script").count() == 0 and page.locator("#sources img").count() == 0


# -- gradio_client ----------------------------------------------------------------------------------

def _reply(history) -> str:
    content = history[-1]["content"]
    return content[0]["text"] if isinstance(content, list) else content


def test_api_chat_follow_up_and_ask(app_url):
    from gradio_client import Client

    client = Client(app_url[0], verbose=False)
    history, sources, _ = client.predict("肇庆在行政复议方面做了什么？", [], "全部", "全部", api_name="/chat")
    assert "行政复议" in _reply(history) and "001_87d05bfae25b6d05.txt" in sources
    history, sources, _ = client.predict("那方山县呢？", history, "全部", "全部", api_name="/chat")
    assert "002_aec657a554914a18.txt" in sources and "沿用上文" in _reply(history)
    result = client.predict("北京市的情况呢？", "全部", "全部", api_name="/ask")
    assert result["found"] is False and result["text"].startswith("报告中没有找到")


def test_api_a_megabyte_question_is_cut_and_said(app_url):
    from gradio_client import Client

    client = Client(app_url[0], verbose=False)
    history, _, box = client.predict("方山县" + "法律援助" * 250_000, [], "全部", "全部", api_name="/chat")
    assert box == "" and len(history[0]["content"] if isinstance(history[0]["content"], str) else
                             history[0]["content"][0]["text"]) < 700
    assert "只按前 500 字检索" in _reply(history)


def test_api_library_metadata_delete_and_export(app_url, tmp_path):
    from gradio_client import Client, handle_file

    _, folder, library, _ = app_url
    client = Client(app_url[0], verbose=False)
    upload = tmp_path / "依兰报告.txt"
    upload.write_text(MISLABELLED.replace("方正县", "依兰县"), encoding="utf-8")
    message = client.predict([handle_file(str(upload))], api_name="/upload")
    assert "✓ library/依兰报告.txt" in message, message
    rows = {r["source"]: r for r in client.predict(api_name="/library")}
    assert rows["library/依兰报告.txt"]["region"] == "晋中市" and rows["library/依兰报告.txt"]["where"] == "library"
    assert rows["000_f67df9fa3c27168c.txt"]["where"] == "shipped" and "provenance" in rows["000_f67df9fa3c27168c.txt"]

    result = client.predict("library/依兰报告.txt", {"region": "依兰县", "year_from": 2021}, api_name="/set_metadata")
    assert result["ok"] and result["report"]["region"].endswith("依兰县") and result["report"]["years"] == "2021"
    bad = client.predict("library/依兰报告.txt", {"year_from": 1800}, api_name="/set_metadata")
    assert not bad["ok"] and "1800" in bad["message"]

    # A shipped report: relabelled and hidden without a write into its folder, then restored.
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    assert client.predict("000_f67df9fa3c27168c.txt", {"title": "西秀区2022年报告"}, api_name="/set_metadata")["ok"]
    hidden = client.predict("000_f67df9fa3c27168c.txt", api_name="/delete")
    assert hidden["ok"] and "隐藏" in hidden["message"]
    assert not any(r["source"] == "000_f67df9fa3c27168c.txt" and r["where"] != "hidden"
                   for r in client.predict(api_name="/library"))
    assert client.predict("000_f67df9fa3c27168c.txt", api_name="/restore")["ok"]
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == before

    newer = tmp_path / "依兰报告（修订）.txt"
    newer.write_text(MISLABELLED.replace("方正县", "依兰县").replace("41件", "43件"), encoding="utf-8")
    replaced = client.predict(handle_file(str(newer)), "library/依兰报告.txt", api_name="/replace")
    assert replaced.startswith("✓") and "旧版本已移到" in replaced and ".trash" in replaced, replaced
    assert "43件" in (library / "依兰报告.txt").read_text(encoding="utf-8")

    deleted = client.predict("library/依兰报告.txt", api_name="/delete")
    assert deleted["ok"] and ".trash" in deleted["message"] and not (library / "依兰报告.txt").exists()

    client.predict("西秀区2022年行政复议纠错率是多少？", [], "全部", "全部", api_name="/chat")
    client.predict("各地行政机关负责人出庭应诉率分别是多少？", [], "全部", "全部", api_name="/chat")
    path, note = client.predict("conversation", "md", api_name="/export")
    text = Path(path).read_text(encoding="utf-8")
    assert "5.9%" in text and "出庭应诉率" in text and "西秀区2022年报告" in text and "引文：「" in text, note
    path, _ = client.predict("answer", "xlsx", api_name="/export")
    from openpyxl import load_workbook

    assert "数值" in [c.value for c in next(load_workbook(path).worksheets[0].iter_rows())]
    path, note = client.predict("answer", "docx", api_name="/export")
    assert "出庭应诉率" in zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
    none, note = Client(app_url[0], verbose=False).predict("answer", "md", api_name="/export")
    assert none is None and "请先提问" in note


def test_fifty_clients_at_once(app_url):
    """50 gradio_client connections, each asking two turns at once on loopback: none may fail or time out."""
    import statistics

    from gradio_client import Client

    questions = [("肇庆在行政复议方面做了什么？", "那方山县呢？"), ("方山县2021年法律援助中心受理了多少案件？", "其中刑事案件有多少？"),
                 ("西秀区2022年行政复议纠错率是多少？", "败诉率呢？"), ("攀枝花西区有哪些不足？", "2021年有什么安排？")]
    latencies, errors = [], []
    lock = threading.Lock()
    start = threading.Barrier(50)

    def session(i):
        try:
            # As a browser waits (httpx's default is 5 s): 50 config fetches at once queue on a loaded machine.
            client = Client(app_url[0], verbose=False, httpx_kwargs={"timeout": 60})
            start.wait()
            history = []
            for question in questions[i % len(questions)]:
                began = time.perf_counter()
                history, _, _ = client.predict(question, history, "全部", "全部", api_name="/chat")
                with lock:
                    latencies.append(time.perf_counter() - began)
                assert history[-1]["role"] == "assistant"
        except Exception as exc:
            start.abort()                 # the others stop waiting for a client that will never come
            with lock:
                errors.append(f"session {i}: {exc!r}")

    began = time.perf_counter()
    threads = [threading.Thread(target=session, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    assert errors == [] and len(latencies) == 100, errors[:3]
    q = statistics.quantiles(latencies, n=20)
    line = (f"50 clients x 2 turns at once: {len(latencies)} answers in {wall:.1f} s, p50 "
            f"{statistics.median(latencies) * 1000:.0f} ms, p95 {q[18] * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms")
    print(line)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "fifty-clients.txt").write_text(line + "\n", encoding="utf-8")
