"""Server memory under many chat sessions: ``python -m eval.session_memory [--sessions 60 --minutes 10]``.

Starts ``python -m ui`` on a copy of seeds/ (bound to 127.0.0.1, a fresh library), then runs ``--sessions``
gradio_client threads for ``--minutes``: each asks the follow-up chains of eval.bench, now and then a 200 KB
question, an export of the conversation, a /clear, and every fourth chain starts as a new client (a new
browser session). The server's resident memory (with its children) is sampled every few seconds. Printed
and written to ``benchmarks/session-memory-<time>.json``: RSS at the start (after warm-up), its peak, at the
end of the load, and after 30 idle seconds, with turns and errors. Every loop is bounded in count and time.
"""
from __future__ import annotations

import argparse
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
HUGE = "西秀区行政复议纠错率" * 20_000          # 200,000 characters
TIMEOUT_S = 120                                # a reply slower than this counts as an error


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its children, in MB."""
    import psutil

    try:
        proc = psutil.Process(pid)
        procs = [proc] + proc.children(recursive=True)
        return sum(p.memory_info().rss for p in procs if p.is_running()) / 2**20
    except psutil.Error:
        return 0.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(sessions: int, minutes: float, encoder: str, work: Path) -> dict:
    from gradio_client import Client

    from eval.bench import CHAINS

    folder, library = work / "seeds", work / "library"
    shutil.copytree(SEEDS, folder)
    port = free_port()
    log = open(work / "ui.log", "w")
    app = subprocess.Popen([sys.executable, "-m", "ui", "--folder", str(folder), "--library", str(library),
                            "--port", str(port), "--encoder", encoder, "--index-dir", str(work / "index")],
                           cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    samples: list[tuple[float, float]] = []
    turns, errors, clients = [0], [], [0]
    lock = threading.Lock()
    stop = threading.Event()
    try:
        started = time.monotonic()
        while True:
            try:
                Client(url, verbose=False).predict(CHAINS[0][0], [], "全部", "全部", api_name="/chat")
                break
            except Exception:
                if app.poll() is not None or time.monotonic() - started > 600:
                    raise RuntimeError((work / "ui.log").read_text()[-3000:])
                time.sleep(2)
        start_rss = rss_mb(app.pid)
        t0 = time.monotonic()
        deadline = t0 + minutes * 60

        def sampler():
            while not stop.is_set():
                samples.append((time.monotonic() - t0, rss_mb(app.pid)))
                stop.wait(5)

        def session(i: int):
            client, chain_no, op = None, 0, ""
            while time.monotonic() < deadline and chain_no < 10_000:
                try:
                    if client is None or chain_no % 4 == 0:
                        op = "connect"
                        client = Client(url, verbose=False, httpx_kwargs={"timeout": TIMEOUT_S})
                        with lock:
                            clients[0] += 1
                    history = []
                    chain = CHAINS[(i + chain_no) % len(CHAINS)]
                    for n, question in enumerate(chain):
                        if time.monotonic() >= deadline:
                            break
                        if n == 2 and (i + chain_no) % 5 == 0:
                            question = HUGE
                        op = "chat-huge" if question is HUGE else "chat"
                        history, _, _ = client.predict(question, history, "全部", "全部", api_name="/chat")
                        with lock:
                            turns[0] += 1
                    if chain_no % 3 == 0:
                        op = "export"
                        client.predict("conversation", "md", api_name="/export")
                    op = "clear"
                    client.predict(api_name="/clear")
                except Exception as exc:  # counted and reported; the load goes on
                    with lock:
                        errors.append(f"session {i} {op}: {exc!r}"[:300])
                    client = None
                chain_no += 1

        watch = threading.Thread(target=sampler, daemon=True)
        watch.start()
        threads = [threading.Thread(target=session, args=(i,), daemon=True) for i in range(sessions)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=max(1.0, deadline - time.monotonic() + 120))
        end_rss = rss_mb(app.pid)
        time.sleep(30)
        idle_rss = rss_mb(app.pid)
        stop.set()
        watch.join(10)
    finally:
        app.terminate()
        try:
            app.wait(timeout=30)
        except subprocess.TimeoutExpired:
            app.kill()
        log.close()
    peak = max([rss for _, rss in samples] + [start_rss, end_rss])
    return {"sessions": sessions, "minutes": minutes, "encoder": encoder, "turns": turns[0], "clients": clients[0],
            "errors": len(errors), "error_samples": errors[:5],
            "errors_by_step": {step: sum(f" {step}:" in e for e in errors)
                               for step in ("connect", "chat", "chat-huge", "export", "clear")}, "rss_start_mb": round(start_rss, 1),
            "rss_peak_mb": round(peak, 1), "rss_end_mb": round(end_rss, 1), "rss_idle_30s_mb": round(idle_rss, 1),
            "samples": [(round(t, 1), round(m, 1)) for t, m in samples]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.session_memory", description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=60)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--encoder", default="hash-256",
                        help="the app's encoder (default hash-256: the load measures sessions, not the model)")
    args = parser.parse_args(argv)
    import os

    from eval.evaluate import machine

    work = Path(tempfile.mkdtemp(prefix="gra-session-memory-"))
    os.environ.setdefault("XDG_DATA_HOME", str(work / "data"))
    try:
        result = {**run(args.sessions, args.minutes, args.encoder, work), "machine": machine()}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out = ROOT / "benchmarks" / f"session-memory-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "samples"}, ensure_ascii=False, indent=1))
    print(f"written to {out}")
    return 0 if result["turns"] else 1


if __name__ == "__main__":
    sys.exit(main())
