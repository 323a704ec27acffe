"""The Python API has no traps: a script without a main guard, or code from stdin, runs once; encoder
workers never outlive their parent (clean exit, SIGTERM, SIGKILL, Ctrl-C)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e5_fixture import write_tiny_model

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """\
import os, sys, time
from assistant import Assistant
from embeddings.onnx_e5 import OnnxE5Encoder

print("SCRIPT-BODY-RAN", flush=True)
enc = OnnxE5Encoder(threads=1, workers=2, weights={weights!r}, cache_dir={cache!r})
bot = Assistant.from_folder({folder!r}, index_dir={index!r}, encoder=enc)
print("PIDS", *enc._pool.pids, flush=True)
print("ANSWER", bool(bot.ask("行政复议").text), flush=True)
{tail}
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (exited, not yet reaped by a dead parent's reaper) is not running
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def _gone(pids: list[int], within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not any(_alive(p) for p in pids):
            return True
        time.sleep(0.2)
    return False


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    base = tmp_path_factory.mktemp("api")
    folder = base / "reports"
    folder.mkdir()
    sections = "\n".join(f"{i + 1}、第{i + 1}项行政复议工作。本年度办理行政复议案件{i + 3}件。" for i in range(60))
    (folder / "新城县2022年法治政府建设年度报告.txt").write_text(
        f"新城县2022年法治政府建设年度报告\n一、主要工作\n{sections}\n", encoding="utf-8")
    return {"weights": str(write_tiny_model(base / "tiny-q4.bin")), "cache": str(base / "cache"),
            "folder": str(folder), "base": base}


def _script(setup, name: str, tail: str = "") -> str:
    return SCRIPT.format(weights=setup["weights"], cache=setup["cache"], folder=setup["folder"],
                         index=str(setup["base"] / f"index-{name}"), tail=tail)


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def _pids(stdout: str) -> list[int]:
    line = next(line for line in stdout.splitlines() if line.startswith("PIDS"))
    return [int(p) for p in line.split()[1:]]


@pytest.mark.slow
@pytest.mark.parametrize("how", ["file", "stdin"])
def test_a_script_without_a_main_guard_runs_once_and_leaves_nothing(setup, tmp_path, how):
    code = _script(setup, how)
    if how == "file":
        script = tmp_path / "no_guard.py"
        script.write_text(code)
        out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=_env(),
                             cwd=tmp_path, timeout=180)
    else:
        out = subprocess.run([sys.executable, "-"], input=code, capture_output=True, text=True, env=_env(),
                             cwd=tmp_path, timeout=180)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.count("SCRIPT-BODY-RAN") == 1, out.stdout
    assert "ANSWER True" in out.stdout
    assert "Traceback" not in out.stderr and "terminated abruptly" not in out.stderr, out.stderr[-2000:]
    pids = _pids(out.stdout)
    assert len(pids) == 2 and _gone(pids, within=5.0), [p for p in pids if _alive(p)]


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_workers_exit_when_their_parent_is_killed_or_interrupted(setup, tmp_path, sig):
    script = tmp_path / "waits.py"
    script.write_text(_script(setup, f"sig{int(sig)}", tail="time.sleep(120)"))
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=_env(), cwd=tmp_path)
    try:
        pids = []
        for line in proc.stdout:
            if line.startswith("PIDS"):
                pids = [int(p) for p in line.split()[1:]]
            if line.startswith("ANSWER"):
                break
        assert len(pids) == 2 and all(_alive(p) for p in pids)
        if sig == signal.SIGINT:  # Ctrl-C in a terminal reaches the whole process group
            for pid in [proc.pid, *pids]:
                os.kill(pid, sig)
        else:
            proc.send_signal(sig)
        proc.wait(timeout=30)
        assert _gone(pids), [p for p in pids if _alive(p)]
        stderr = proc.stderr.read()
        assert stderr.count("Traceback") <= (1 if sig == signal.SIGINT else 0), stderr[-2000:]  # the parent's own
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_a_failing_worker_is_reported_and_the_pool_closed():
    from embeddings.workers import WorkerError, WorkerPool

    pool = WorkerPool(1, ("hash-16",))
    try:
        assert pool.map([["行政复议"]])[0].shape == (1, 16)
        os.kill(pool.pids[0], signal.SIGKILL)
        with pytest.raises(WorkerError):
            pool.map([["法律援助"]])
        assert pool.pids == []
    finally:
        pool.close()


def test_worker_pool_gives_the_encoder_s_vectors():
    import numpy as np

    from embeddings.encoder import HashEncoder
    from embeddings.workers import WorkerPool

    pool = WorkerPool(2, ("hash-32",))
    try:
        a, b = pool.map([["行政复议", "法律援助"], ["府院联动"]])
        pids = pool.pids
    finally:
        pool.close()
    assert np.allclose(a, HashEncoder(32).encode_passages(["行政复议", "法律援助"]))
    assert np.allclose(b, HashEncoder(32).encode_passages(["府院联动"]))
    assert _gone(pids, within=3.0)

