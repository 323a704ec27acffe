"""The chat turn is streamed and sends only what changed: the question at once, then the answer as a diff of
the chat (its last message, never the history again), with every output's value in the last step for API
clients. The app is built, not served: the handler is called as Gradio calls it."""
import pytest

from gradio.utils import diff

from ui.app import WAITING_HTML, build_app

pytestmark = pytest.mark.unit
OLD = [{"role": "user", "content": "旧问题"}, {"role": "assistant", "content": "<div class='answer'>旧回答，原样保留</div>"}]


@pytest.fixture
def chat(library_bot):
    app = build_app(library_bot)
    return next(f.fn for f in app.fns.values() if f.api_name == "chat")


def test_the_question_shows_first_then_the_answer_with_its_sources(chat):
    steps = list(chat("西湖区2021年行政复议纠错率是多少？", [dict(m) for m in OLD], None, "全部", "全部"))
    assert len(steps) == 2
    (first, session, sources, box), (last, session2, sources2, box2) = steps
    assert first[-2]["role"] == "user" and "西湖区" in first[-2]["content"]
    assert first[-1]["content"] == WAITING_HTML and "class='answer" not in WAITING_HTML   # not counted as an answer
    assert sources == {"__type__": "update"} and box == ""        # the panel waits for the answer (gr.skip())
    assert session is None and session2.last is not None          # a new session: made after the first step
    assert "12.6%" in last[-1]["content"] and "xihu.txt" in sources2 and box2 == ""


def test_the_answer_is_sent_as_a_change_of_the_last_message_only(chat):
    first, _, _, _ = next(iter(chat("西湖区2021年行政复议纠错率是多少？", [dict(m) for m in OLD], None, "全部", "全部")))
    first = [dict(m) for m in first]                 # what was sent with the first step
    steps = list(chat("西湖区2021年行政复议纠错率是多少？", [dict(m) for m in OLD], None, "全部", "全部"))
    last = steps[-1][0]
    assert last[:2] == OLD                            # the history comes back as it was sent, not re-rendered
    changes = diff(first, last)
    assert changes and all(path[0] == len(last) - 1 for _, path, _ in changes), changes


def test_the_question_shows_before_the_reports_are_read(library_bot):
    """The page is served before the index: the first step does not wait for it, the answer does."""
    import threading

    from ui.startup import Startup

    start = Startup(lambda progress: library_bot, begin=False)
    app = build_app(start)
    chat = next(f.fn for f in app.fns.values() if f.api_name == "chat")
    steps = chat("西湖区2021年行政复议纠错率是多少？", [], None, "全部", "全部")
    first = []
    reader = threading.Thread(target=lambda: first.append(next(steps)), daemon=True)
    reader.start()
    reader.join(timeout=60)
    assert first and first[0][0][-1]["content"] == WAITING_HTML and start.bot is None
    start.begin()
    history, session, sources, _ = next(steps)
    assert "12.6%" in history[-1]["content"] and "xihu.txt" in sources


def test_a_bad_filter_or_an_empty_question_is_one_step_with_every_value(chat):
    (history, _, sources, box), = list(chat("问题", [], None, "全部", "²"))
    assert history[-1]["content"].startswith("✗") and box == ""
    (history, _, _, box), = list(chat("   ", list(OLD), None, "全部", "全部"))
    assert history == OLD and box == ""


def test_the_page_is_built_without_matplotlib_while_the_reports_are_read(tmp_path):
    """matplotlib's import (and a new machine's font cache) is not on the way to the port: the 指标总览 tab
    draws its charts when it is opened."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    code = ("import sys\nfrom ui.app import build_app\nfrom ui.startup import Startup\n"
            "build_app(Startup(lambda progress: None, begin=False))\n"
            "print('matplotlib' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300,
                         env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "False"
