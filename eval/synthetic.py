"""Synthetic corpora for benchmarks: real sections of the seed reports, recombined under other regions and years."""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

from assistant.ingest.chunking import heading_level
from assistant.ingest.cleaning import clean
from assistant.ingest.report import parse_report
from assistant.regions import gazetteer, short_name

_CN = "一二三四五六七八九十"


@dataclass(frozen=True)
class Segment:
    """One top-level section of a seed report, with the region words and year it was written with."""

    text: str
    region_words: tuple[str, ...]
    year: int


def seed_segments(seeds: Path) -> list[Segment]:
    out = []
    for path in sorted(Path(seeds).glob("*.txt")):
        report = parse_report(path.name, path.read_bytes())
        blocks, _ = clean(path.read_bytes().decode("utf-8", errors="replace"))
        words = set()
        for name in report.meta.region_path[1:] + (report.meta.region,):
            words.add(name)
            if short_name(name):
                words.add(short_name(name))
        current: list[str] = []
        for block in blocks:
            if heading_level(block.text) == 1:
                if current:
                    out.append(Segment("\n".join(current), tuple(sorted(words, key=len, reverse=True)),
                                       report.meta.year or 2020))
                current = [block.text]
            elif current:
                current.append(block.text)
        if current:
            out.append(Segment("\n".join(current), tuple(sorted(words, key=len, reverse=True)),
                               report.meta.year or 2020))
    return out


def districts() -> list[tuple[str, str]]:
    full, _ = gazetteer()
    pairs = {(p.parents[-1], p.name) for places in full.values() for p in places
             if p.level == 3 and len(p.parents) >= 2 and p.name.endswith(("区", "县")) and short_name(p.name)}
    return sorted(pairs)


def synthetic_report(segments: list[Segment], rng: random.Random, places: list[tuple[str, str]]) -> str:
    city, district = rng.choice(places)
    year = rng.randint(2015, 2025)
    short = short_name(district) or district
    parts = [f"{city}{district}{year}年法治政府建设年度报告",
             f"{year}年，{district}坚持依法行政，现将{district}{year}年度法治政府建设情况报告如下。"]
    for n, seg in enumerate(rng.sample(segments, k=min(len(segments), rng.randint(3, 5)))):
        text = seg.text
        for word in seg.region_words:
            text = text.replace(word, district if len(word) > 2 and word.endswith(("区", "县", "市")) else short)
        delta = year - seg.year
        text = re.sub(r"(?<!\d)(20[12]\d)(?=\s*年)", lambda m: str(int(m[1]) + delta), text)
        text = re.sub(rf"^[{_CN}]+、", f"{_CN[n]}、", text)
        parts.append(text)
    parts += [f"{city}{district}人民政府", f"{year + 1}年1月10日"]
    return "\n".join(parts) + "\n"


def write_corpus(seeds: Path, folder: Path, chunks: int, seed: int = 0, chunk_chars: int = 360) -> dict:
    """Write synthetic reports into ``folder`` until they hold at least ``chunks`` chunks."""
    rng = random.Random(seed)
    segments = seed_segments(seeds)
    places = districts()
    folder.mkdir(parents=True, exist_ok=True)
    total = files = 0
    regions = []
    while total < chunks:
        text = synthetic_report(segments, rng, places)
        name = f"syn_{files:05d}.txt"
        data = text.encode("utf-8")
        report = parse_report(name, data)
        (folder / name).write_bytes(data)
        total += len(report.chunks)
        files += 1
        regions.append((report.meta.region, report.meta.year))
    return {"files": files, "chunks": total, "regions": regions}
