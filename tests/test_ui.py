"""The app in a real browser (Debian chromium via Playwright) and through gradio_client."""
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEEDS

pytestmark = pytest.mark.slow
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = "/usr/bin/chromium"
XSS_REPORT = """关于测试县2022年度法治政府建设情况的报告
一、主要做法
（一）网络安全检查。全年开展网络安全检查<script>window.__xss = 1</script>共58次，发现隐患<img src=x onerror="window.__xss = 2">12处，全部整改。
成都市锦江区人民政府
2023年1月1日
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ui-seeds")
    for path in SEEDS.glob("*.txt"):
        shutil.copy(path, folder / path.name)
    port = free_port()
    log = open(tmp_path_factory.mktemp("log") / "ui.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "ui", "--folder", str(folder), "--port", str(port)],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 240
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"app exited: {Path(log.name).read_text()}")
            time.sleep(1)
    else:
        proc.kill()
        raise RuntimeError("app did not start in 240 s")
    time.sleep(2)
    yield url, folder
    proc.terminate()
    proc.wait(timeout=20)


def test_api_flow_with_gradio_client(app_url, tmp_path):
    from gradio_client import Client

    url, folder = app_url
    client = Client(url, verbose=False)
    history, sources, _ = client.predict("肇庆在行政复议方面做了什么？", [], "全部", "全部", api_name="/chat")
    reply = history[-1]["content"]
    reply = reply[0]["text"] if isinstance(reply, list) else reply
    assert "行政复议" in reply and "001_87d05bfae25b6d05.txt" in sources
    history, sources, _ = client.predict("那方山县呢？", history, "全部", "全部", api_name="/chat")
    assert "002_aec657a554914a18.txt" in sources
    result = client.predict("北京市的情况呢？", "全部", "全部", api_name="/ask")
    assert result["found"] is False and result["text"].startswith("报告中没有找到")


def test_browser_chat_follow_up_upload_and_xss(app_url, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian chromium is missing: apt-get install chromium (make test does this)")
    url, folder = app_url
    ARTIFACTS.mkdir(exist_ok=True)
    upload = tmp_path / "锦江区报告.txt"
    upload.write_text(XSS_REPORT, encoding="utf-8")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                          "--disable-component-update", "--disable-sync", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        page.wait_for_selector("#question textarea", timeout=60000)
        assert "已索引" in page.inner_text("#status")

        def ask(question, expect):
            page.fill("#question textarea", question)
            page.click("#send")
            page.wait_for_function("([sel, text]) => document.querySelector(sel).innerText.includes(text)",
                                   arg=["#sources", expect], timeout=60000)

        ask("肇庆在行政复议方面做了什么？", "001_87d05bfae25b6d05.txt")
        assert "行政复议" in page.inner_text("#chat")
        assert "肇庆市" in page.inner_text("#sources")
        page.screenshot(path=str(ARTIFACTS / "ui-answer.png"), full_page=True)
        ask("那方山县呢？", "002_aec657a554914a18.txt")
        page.screenshot(path=str(ARTIFACTS / "ui-follow-up.png"), full_page=True)

        page.click("text=上传报告")
        page.set_input_files("#upload input[type=file]", str(upload))
        page.wait_for_timeout(1500)
        page.click("#upload-btn")
        page.wait_for_function("() => document.querySelector('#upload-msg textarea').value.includes('已加入索引')",
                               timeout=120000)
        page.click("#clear")
        # As a person would, wait for the chat to be cleared before asking: Gradio runs a session's
        # events concurrently, so a late "clear" could otherwise wipe the next answer.
        page.wait_for_function("() => document.querySelector('#sources').innerText.includes('回答引用的原文')",
                               timeout=30000)
        ask("锦江区网络安全检查发现多少处隐患？", "锦江区报告.txt")
        sources = page.inner_text("#sources")
        assert "<script>" in sources or "onerror" in sources  # shown as text
        assert page.evaluate("() => window.__xss") is None    # never executed
        assert page.locator("#sources script").count() == 0 and page.locator("#sources img").count() == 0
        page.screenshot(path=str(ARTIFACTS / "ui-upload-xss.png"), full_page=True)
        browser.close()
    assert (folder / "uploads" / "锦江区报告.txt").exists()


def test_twenty_concurrent_chat_sessions(app_url):
    """20 sessions, each its own gradio_client, chatting 3 turns at once on loopback; nothing may error."""
    import statistics
    import threading

    from gradio_client import Client

    url, _ = app_url
    chains = [("肇庆在行政复议方面做了什么？", "那方山县呢？", "北京市的情况呢？"),
              ("方山县2021年法律援助中心受理了多少案件？", "其中刑事案件有多少？", "下一步打算怎么做？"),
              ("西秀区2022年行政复议纠错率是多少？", "败诉率呢？", "那西区呢？"),
              ("攀枝花西区有哪些不足？", "2021年有什么安排？", "西山区呢？")]
    latencies, errors = [], []
    lock = threading.Lock()

    def session(i):
        try:
            client = Client(url, verbose=False)
            history = []
            for question in chains[i % len(chains)]:
                started = time.perf_counter()
                history, sources, _ = client.predict(question, history, "全部", "全部", api_name="/chat")
                with lock:
                    latencies.append(time.perf_counter() - started)
                assert history[-1]["role"] == "assistant"
        except Exception as exc:
            with lock:
                errors.append(f"session {i}: {exc!r}")

    threads = [threading.Thread(target=session, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    assert errors == [] and len(latencies) == 60
    q = statistics.quantiles(latencies, n=20)
    print(f"20 sessions x 3 turns: p50 {statistics.median(latencies) * 1000:.0f} ms, p95 {q[18] * 1000:.0f} ms")
