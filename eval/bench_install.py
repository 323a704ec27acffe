"""``python -m eval.bench --only install``: what a new user meets, in a scratch clone with a new ``.venv``.

Times ``make install`` (what ``make run`` installs: the app with its ui and formats extras, no torch), measures
the ``.venv`` on disk, then starts the app as ``make run`` does (with an empty data folder and encoder cache)
and times, from its start, the port opening and the first ``/chat`` answer. Not part of the smoke test: it
installs the project's dependencies, minutes of work that no tiny size shortens.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "西秀区2022年行政复议纠错率是多少？"


def du_mb(path: Path) -> float:
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink()) / 2**20


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def first_answer(clone: Path, work: Path) -> dict:
    """Seconds from starting the app in ``clone`` to its port opening and to its first /chat answer."""
    from gradio_client import Client

    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(XDG_DATA_HOME=str(work / "data"), XDG_CACHE_HOME=str(work / "cache"))
    log = open(work / "app.log", "w")
    started = time.perf_counter()
    app = subprocess.Popen([str(clone / ".venv" / "bin" / "python"), "-m", "ui", "--folder", "seeds", "--port",
                            str(port)], cwd=clone, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if app.poll() is not None or time.perf_counter() - started > 900:
                    raise RuntimeError((work / "app.log").read_text()[-3000:])
                time.sleep(0.2)
        port_s = time.perf_counter() - started
        history, *_ = Client(f"http://127.0.0.1:{port}/", verbose=False, ssl_verify=False).predict(
            QUESTION, [], "全部", "全部", api_name="/chat")
        answer_s = time.perf_counter() - started
    finally:
        app.terminate()
        app.wait(timeout=60)
        log.close()
    return {"port_s": port_s, "first_answer_s": answer_s, "answered": bool(history)}


def task_install() -> dict:
    """A fresh clone, ``make install`` timed, the venv's size, then the app's first answer."""
    work = Path(tempfile.mkdtemp(prefix="bench-install-"))
    clone = work / "clone"
    try:
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        started = time.perf_counter()
        out = subprocess.run(["make", "install"], cwd=clone, capture_output=True, text=True)
        install_s = time.perf_counter() - started
        if out.returncode != 0:
            raise RuntimeError(out.stdout[-2000:] + out.stderr[-2000:])
        venv_mb = du_mb(clone / ".venv")
        has_torch = (clone / ".venv" / "lib").glob("python*/site-packages/torch")
        result = {"task": "install", "install_s": install_s, "venv_mb": venv_mb,
                  "torch_installed": any(True for _ in has_torch), "load_average": os.getloadavg()[0]}
        result.update(first_answer(clone, work))
        result["make_run_to_first_answer_s"] = install_s + result["first_answer_s"]
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def markdown(results: dict) -> list[str]:
    r = results.get("install")
    if not r:
        return []
    return ["## A fresh `make run` (scratch clone, new .venv)", "",
            "| make install s | .venv MB | torch | app start → port s | app start → first answer s | "
            "make run → first answer s | load average |", "|---|---|---|---|---|---|---|",
            f"| {r['install_s']:.0f} | {r['venv_mb']:.0f} | {'yes' if r['torch_installed'] else 'no'} | "
            f"{r['port_s']:.1f} | {r['first_answer_s']:.1f} | {r['make_run_to_first_answer_s']:.0f} | "
            f"{r['load_average']:.1f} |", ""]


if __name__ == "__main__":
    import json

    print(json.dumps(task_install(), ensure_ascii=False))
    sys.exit(0)
