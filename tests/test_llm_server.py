"""The LLM mode end to end against a real llama.cpp server (built by .ci/llama_server.sh) running a tiny
random-weights model the test writes itself (tests/tiny_gguf.py): streaming, a forced good answer that is shown,
a forced invented figure that is caught, a server that dies mid-answer, and a server that is not there. A request's
``grammar`` forces the exact answer out of random weights."""
from __future__ import annotations

import glob
import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

from assistant import Assistant, Settings
from assistant.answer.render import WRITTEN
from assistant.llm import FALLBACK, LLMConfig, LLMWriter
from assistant.llm.client import ChatClient, LLMUnavailable
from tests.test_llm_check import COUNT, KECHENG
from tests.tiny_gguf import write_model

pytestmark = pytest.mark.slow

GOOD = "柯城区2022年全年办理行政复议案件215件，纠错率为5.9%[1]。"
INVENTED = "柯城区2022年全年办理行政复议案件315件[1]。"


def server_binary() -> str:
    """$GRA_LLAMA_SERVER, else the one .ci/llama_server.sh cached."""
    if os.environ.get("GRA_LLAMA_SERVER"):
        return os.environ["GRA_LLAMA_SERVER"]
    found = sorted(glob.glob(str(Path.home() / ".cache/gov-report-assistant/llama-server/*/llama-server")))
    assert found, "llama-server 未安装：先运行 bash .ci/llama_server.sh（或设置 GRA_LLAMA_SERVER）"
    return found[-1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LlamaServer:
    """llama-server on 127.0.0.1 with ``model``; waits (bounded) until /health answers."""

    def __init__(self, model: Path, log: Path):
        import httpx

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = open(log, "wb")
        self.proc = subprocess.Popen(
            [server_binary(), "-m", str(model), "--host", "127.0.0.1", "--port", str(self.port), "-c", "4096",
             "-np", "2", "-t", "1", "--no-webui", "--offline", "--no-warmup"],
            stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, log.read_text(errors="replace")[-2000:]
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise AssertionError("llama-server did not become healthy in 60 s: " + log.read_text(errors="replace")[-2000:])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self._log.close()


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Path:
    return write_model(tmp_path_factory.mktemp("gguf") / "tiny.gguf", [KECHENG, GOOD, INVENTED])


@pytest.fixture(scope="module")
def server(model, tmp_path_factory):
    srv = LlamaServer(model, tmp_path_factory.mktemp("log") / "server.log")
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("kecheng")
    (folder / "kecheng.txt").write_text(KECHENG, encoding="utf-8")
    return folder


def forced(text: str) -> dict:
    return {"grammar": 'root ::= "' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'}


def bot_with(folder: Path, tmp_path: Path, writer) -> Assistant:
    return Assistant.from_folder(folder, index_dir=tmp_path / "index", settings=Settings(encoder="hash-128"), llm=writer)


def test_streams_text_pieces(server):
    pieces = []
    client = ChatClient(LLMConfig.from_url(server.url + "/v1", max_tokens=24, first_token=30, total=60))
    done = client.complete([{"role": "user", "content": "你好"}], on_text=pieces.append)
    assert len(pieces) >= 2 and done.text == "".join(pieces) and done.chunks == len(pieces)
    assert done.finish_reason == "length" and done.text.strip()
    assert not any(ord(ch) < 32 for ch in done.text)


def test_a_forced_good_answer_is_checked_and_shown(server, folder, tmp_path):
    writer = LLMWriter(LLMConfig.from_url(server.url, first_token=30, total=60), extra=forced(GOOD))
    answer = bot_with(folder, tmp_path, writer).ask(COUNT)
    assert answer.written.raw == GOOD
    assert answer.written.accepted, answer.written.reason
    assert [s.text for s in answer.written.shown] == [GOOD]
    assert WRITTEN + GOOD in answer.text and FALLBACK not in answer.notices


def test_a_forced_invented_figure_is_caught(server, folder, tmp_path):
    writer = LLMWriter(LLMConfig.from_url(server.url, first_token=30, total=60), extra=forced(INVENTED))
    answer = bot_with(folder, tmp_path, writer).ask(COUNT)
    assert answer.written.raw == INVENTED and not answer.written.accepted
    assert FALLBACK in answer.notices and "315件" not in answer.text and "215件" in answer.lead
    assert any(c.name == "figure" and not c.passed for c in answer.written.sentences[0].checks)


def test_a_server_that_dies_mid_answer(model, folder, tmp_path):
    srv = LlamaServer(model, tmp_path / "dying.log")
    try:
        client = ChatClient(LLMConfig.from_url(srv.url, max_tokens=3000, first_token=30, total=60))
        pieces = []

        def kill_on_first(piece):
            pieces.append(piece)
            if len(pieces) == 1:
                srv.proc.kill()

        with pytest.raises(LLMUnavailable, match="中途断开"):
            client.complete([{"role": "user", "content": "你好"}], on_text=kill_on_first)
        assert pieces
        # The next question finds no server: the extractive answer at once, with a one-line notice.
        writer = LLMWriter(LLMConfig.from_url(srv.url, connect=2, first_token=30, total=60))
        bot = bot_with(folder, tmp_path, writer)
        start = time.monotonic()
        answer = bot.ask(COUNT)
        assert time.monotonic() - start < 5
        assert answer.notices[-1].startswith("模型服务不可用") and "215件" in answer.lead
    finally:
        srv.stop()


def test_a_server_that_is_not_there(folder, tmp_path):
    bot = bot_with(folder, tmp_path, f"http://127.0.0.1:{free_port()}/v1")
    start = time.monotonic()
    answer = bot.ask(COUNT)
    assert time.monotonic() - start < 5
    assert answer.notices[-1].startswith("模型服务不可用（无法连接模型服务") and "215件" in answer.lead
    assert answer.written is not None and not answer.written.accepted
