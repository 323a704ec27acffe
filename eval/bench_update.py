"""``python -m eval.bench --only update``: what one update writes at 10k, 100k and 1M indexed files (issue 24 §4, §6).

One update adds one seed report to an index of N synthetic file entries (each a real seed report's record, with a
stat-cache entry) and publishes the new version. It is timed and its bytes written are counted (the process's
``wchar`` in /proc/self/io: every byte handed to write(), the new segment, the version and any stat-cache copy),
once as format 3 wrote it (every version lists every file and stat entry: the code before this issue, kept
here as ``publish_format3``) and once as the store writes it now (format 4: the segment's file table, a version
of what changed), alternating in the same process, each into its own index folder; medians and their ratio.
The N entries sit in one segment of N one-row files (a file's chunk count does not change what the version
lists), built before timing. Their metadata is the seed reports' without the identity evidence (a real entry with
it is 1.4–1.7 KB of JSON, about 2.5× more: format 3's figures would grow by that, format 4's not at all), and
format 3's JSON of a report's metadata is made once per distinct report (``ReportMeta.to_dict`` deep-copies,
1.5–3.4 ms an entry on this machine), so the "before" times are a lower bound on what format 3 cost.
"""
from __future__ import annotations

import json
import os
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def written_bytes() -> int:
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("wchar:"):
            return int(line.split()[1])
    raise RuntimeError("no wchar in /proc/self/io")


def publish_format3(index_dir: Path, draft, settings, stat_cache: list) -> None:
    """How a version was published before format 4 (``writer.publish`` of commit c64ff42): every file's entry
    and the whole stat cache in the version's manifest."""
    from assistant.index.statcache import StatCache
    from assistant.index.store import Store, verify_segments, write_version
    from assistant.ingest.chunking import CHUNKER_VERSION

    segments = draft.used()
    verify_segments(index_dir, segments)
    metas = {id(e.meta): e.meta for e in draft.files.values()}
    metas = {key: meta.to_dict() for key, meta in metas.items()}
    files = {                  # FileEntry.to_dict's fields, each report's metadata made once (see above)
        name: {"sha256": e.sha256, "size": e.size, "encoding": e.encoding,
               "meta": metas[id(e.meta)], "segment": e.segment, "local": e.local,
               "count": e.count, "aliases": list(e.aliases)} for name, e in draft.files.items()}
    manifest = {"encoder": "hash-64", "dim": 64, "chunker": CHUNKER_VERSION, "settings": settings.index_key(),
                "updated": time.time(), "chunks": sum(e.count for e in draft.files.values()),
                "segments": [seg.info.to_dict() for seg in segments],
                "files": files, "stat_cache": stat_cache,
                "format": 3}
    path = write_version(index_dir, manifest)
    Store(manifest, segments, path, stats=StatCache(None))   # publish returned the new snapshot, read from it


def _base(index_dir: Path, files: int, records: list, settings):
    """An index of ``files`` one-row files in one segment (with its table), and their stat-cache entries."""
    from dataclasses import replace

    from assistant.index import filetable
    from assistant.index.filetable import json_line
    from assistant.index.postings import Postings
    from assistant.index.segment import Segment, write_words
    from assistant.index.years import YearIndex

    records = [replace(r, meta=replace(r.meta, provenance={k: v for k, v in r.meta.provenance.items()
                                                           if k != "evidence"})) for r in records]
    entries = [replace(records[i % len(records)], source=f"reports/{i:07d}.txt", local=i, count=1, aliases=())
               for i in range(files)]
    metas = {id(r.meta): r.meta.to_dict() for r in records}
    table = b"".join(json_line({"source": e.source, "sha256": e.sha256, "size": e.size, "encoding": e.encoding,
                                "meta": metas[id(e.meta)], "local": e.local, "count": e.count, "aliases": []})
                     for e in entries)   # filetable.table_bytes's lines, each report's metadata made once
    lines = (json.dumps({"source": e.source, "ordinal": 0, "path": [], "text": "x", "start": 0, "end": 1},
                        ensure_ascii=False).encode("utf-8") + b"\n" for e in entries)
    info = write_words(index_dir, [], lines=lines, postings=Postings.build([["x"]] * files),
                       years=YearIndex.build(["x"] * files),
                       extra={filetable.TABLE: table})
    segment = Segment.open(index_dir, info)
    entries = [replace(e, segment=info.name) for e in entries]
    stats = [[[f"/data/reports/{i:07d}.txt", 2049, 10_000_000 + i, records[i % len(records)].size,
               1_700_000_000_000_000_000 + i, 1_700_000_000_000_000_000 + i, None], entries[i].sha256, "", ""]
             for i in range(files)]
    return segment, entries, stats


def task_update(files: int, repeats: int, work: Path) -> dict:
    from assistant.index.indexer import update_index
    from assistant.index.store import Store
    from assistant.index.statcache import StatCache
    from assistant.index.writer import Draft, add_reports, new_report, publish
    from assistant.index.embedding import embed_reports
    from assistant.ingest.report import parse_report
    from assistant.settings import Settings
    from embeddings.encoder import HashEncoder

    settings = Settings(encoder="hash-64")
    seeds = update_index(ROOT / "seeds", work / "seeds-index", HashEncoder(64), settings)
    records = list(seeds.files.values())
    t = time.perf_counter()
    bases = {}
    for variant in ("before", "after"):
        index_dir = work / variant
        segment, entries, stats = _base(index_dir, files, records, settings)
        draft = Draft([segment], {e.source: e for e in entries})
        if variant == "before":
            publish_format3(index_dir, draft, settings, stats)
            base = Store({"dim": 64}, [segment], None, entries)
        else:
            base = publish(index_dir, draft, "hash-64", 64, settings, {}, [], StatCache(index_dir).updated(stats))
            base.stats.lines()     # read once, as an update's scan reads it (Scanner.remember) before it writes
        bases[variant] = (base, stats)
    setup_s = time.perf_counter() - t
    seed = sorted((ROOT / "seeds").glob("*.txt"))[0]
    runs = {"before": {"s": [], "bytes": []}, "after": {"s": [], "bytes": []}}
    for r in range(repeats):
        name = f"reports/new-{r}.txt"
        report = parse_report(name, seed.read_bytes(), settings)
        embedded = embed_reports([report], HashEncoder(64), {})[0][0]
        new = new_report(report, f"new{r}", seed.stat().st_size, embedded.tokens, embedded.vectors)
        for variant in (("before", "after") if r % 2 == 0 else ("after", "before")):
            index_dir = work / variant
            base, stats = bases[variant]
            known = stats + [[[f"/data/{name}", 2049, 1, 1, 1, 1, None], new.digest, "", ""]]
            started_bytes, started = written_bytes(), time.perf_counter()
            written: list[str] = []
            draft = add_reports(index_dir, base, list(base.files), {}, [new], settings, written)
            if variant == "before":
                publish_format3(index_dir, draft, settings, known)
            else:
                publish(index_dir, draft, "hash-64", 64, settings, {}, written, base.stats.updated(known))
            runs[variant]["s"].append(time.perf_counter() - started)
            runs[variant]["bytes"].append(written_bytes() - started_bytes)
    out = {"task": "update", "files": files, "repeats": repeats, "setup_s": round(setup_s, 1),
           "load_average": round(os.getloadavg()[0], 1)}
    for variant, run in runs.items():
        out[f"{variant}_s"] = statistics.median(run["s"])
        out[f"{variant}_bytes"] = statistics.median(run["bytes"])
        out[f"{variant}_runs_s"] = [round(x, 3) for x in run["s"]]
    out["time_ratio"] = out["after_s"] / out["before_s"]
    out["bytes_ratio"] = out["after_bytes"] / out["before_bytes"]
    return out


def markdown(results: dict) -> list[str]:
    rows = results.get("update")
    if not rows:
        return []
    lines = ["## One update's write (one report added to N indexed files; format 3 as before vs format 4)", "",
             "| files | before: bytes written | before: s (median) | after: bytes written | after: s (median) | "
             "bytes ratio | time ratio |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['files']:,} | {r['before_bytes'] / 2**20:.1f} MB | {r['before_s']:.2f} | "
                     f"{r['after_bytes'] / 2**10:.1f} KB | {r['after_s']:.2f} | {r['bytes_ratio']:.5f} | "
                     f"{r['time_ratio']:.3f} |")
    lines += ["", "Runs (s): " + "; ".join(f"{r['files']:,}: before " + ", ".join(map(str, r["before_runs_s"]))
                                           + ", after " + ", ".join(map(str, r["after_runs_s"])) for r in rows)
              + ". Load average at the end: " + ", ".join(str(r["load_average"]) for r in rows) + ".", ""]
    return lines
