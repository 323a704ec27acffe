#!/usr/bin/env python3
"""Checks the real set in this folder, reusing the string checks of ../generalisation2/check.py.

    /work/main/.venv/bin/python eval/real/check.py    # exit code 0 = every check passed

What it checks (besides what generalisation2/check.py checks per gold entry, item, row and answer: each string
present in its report after folding (NFKC, no whitespace), evidence 6-40 characters inside one line, items 6-20):
- truth.jsonl: one line per file in reports/, required fields (with url and split), level values, the title
  present in the report, no two reports with the same url;
- every gold string is also found after the evaluation's own normalisation (assistant.text.normalize, which folds
  traditional characters), so eval/gold.py will match it;
- the split rule of the README: truth line i (1-based) is "heldout" iff i % 3 == 0; a question or conversation
  is "heldout" iff one of its gold/row reports is held out, or (no gold anywhere) iff its id number % 3 == 0;
- conversations: 2-5 turns, a "near_miss" turn names an indexed place of its asked path;
- no report of a body kept for the independent measurement (issue 18's list) by its issuer.
"""
from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
_spec = importlib.util.spec_from_file_location("gen2_check", HERE.parent / "generalisation2" / "check.py")
base = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(base)

REPORTS = HERE / "reports"
LEVELS = base.LEVELS
# Issuers kept out of eval/real (issue 18, part 4): compared with the truth's issuer.
EXCLUDED = ("天津市静海区", "静海区人民政府", "广州市荔湾区", "上海市闵行区", "闵行区人民政府", "管城回族区", "南昌县人民政府",
            "淮安市人民政府", "清江浦区", "朔城区", "石家庄市人民政府", "桂林市人民政府", "保定市人民政府", "汉源县人民政府",
            "应急管理部", "杭州市人民政府", "杭州市西湖区", "西湖区司法局", "西湖风景名胜区", "杭州市上城区", "淄博市人民政府",
            "山东省人民政府", "重庆市渝中区", "渝中区人民政府", "铜梁区", "杨陵区", "陕西省人民政府", "鹤岗市人民政府",
            "增福镇", "下太镇", "新疆维吾尔自治区人民政府", "湖南省人民政府", "黑龙江省人民政府", "云南省人民政府",
            "四川省人民政府", "山西省人民政府", "环境保护部", "长沙市人民政府", "长沙县人民政府", "长沙县司法局",
            "嘉兴市人民政府", "海宁市人民政府", "秀洲区", "桃源县人民政府", "蒙城县人民政府", "蒙城县司法局",
            "北京市朝阳区", "长春市朝阳区", "广州市白云区", "黄石街道", "丰泽区", "洛江区", "金龙街道", "清城区东城街道",
            "徐闻县下洋镇", "泉溪镇", "杨舍镇", "恩施", "贵州省生态环境厅", "许昌市生态环境局", "武汉市市场监督管理局",
            "武汉市市场监管局", "绍兴市市场监督管理局", "绍兴市市场监管局")


def norm(s: str) -> str:
    from assistant.text import normalize
    return re.sub(r"\s+", "", normalize(s))


def check_normalised(where: str, gold: list, obj: dict) -> None:
    for g in gold or []:
        path = REPORTS / g.get("source", "")
        if not path.is_file():
            continue
        text = norm(base.load(path)[0])
        s = g.get("evidence") or g.get("section") or ""
        if s and norm(s) not in text:
            base.errors.append(f"{where}: {s!r} not found after assistant.text.normalize in {path.name}")


def golds(obj: dict) -> set[str]:
    out = {g["source"] for g in obj.get("gold", []) or []}
    out |= {r["source"] for r in obj.get("rows", []) or []}
    return out


def want_split(obj: dict, held: set[str], srcs: set[str]) -> str:
    if srcs:
        return "heldout" if srcs & held else "tune"
    m = re.search(r"(\d+)$", str(obj.get("id")))
    return "heldout" if m and int(m.group(1)) % 3 == 0 else "tune"


def main() -> int:
    files = sorted(p.name for p in REPORTS.iterdir() if p.is_file())
    truth = base.read_jsonl(HERE / "truth.jsonl")
    held, seen, urls = set(), set(), {}
    for i, t in enumerate(truth, 1):
        src = t.get("source")
        where = f"truth.jsonl:{i}:{src}"
        for k in ("title", "region", "region_path", "level", "year", "issuer", "url", "note", "split"):
            if k not in t:
                base.errors.append(f"{where}: missing {k}")
        if src in seen:
            base.errors.append(f"{where}: duplicate")
        seen.add(src)
        if src not in files:
            base.errors.append(f"{where}: no such report")
            continue
        if t.get("level") not in LEVELS:
            base.errors.append(f"{where}: bad level {t.get('level')!r}")
        if t.get("title"):
            base.check_string(where, REPORTS / src, t["title"], paragraph=False, kind="title")
        if t.get("url") in urls:
            base.errors.append(f"{where}: same url as {urls[t['url']]}")
        urls[t.get("url")] = src
        want = "heldout" if i % 3 == 0 else "tune"
        if t.get("split") != want:
            base.errors.append(f"{where}: split {t.get('split')!r}, rule gives {want!r}")
        if want == "heldout":
            held.add(src)
        if any(x in t.get("issuer", "") for x in EXCLUDED):
            base.errors.append(f"{where}: issuer {t.get('issuer')!r} is on issue 18's excluded list")
    for f in files:
        if f not in seen:
            base.errors.append(f"truth.jsonl: no line for {f}")

    counts: dict[tuple[str, str], int] = {}
    ids = set()
    for q in base.read_jsonl(HERE / "qa.jsonl"):
        qid = q.get("id")
        where = f"qa.jsonl:{qid}"
        if qid in ids or not str(qid).startswith("r"):
            base.errors.append(f"{where}: duplicate id or not r…")
        ids.add(qid)
        t = q.get("type")
        if t not in base.TYPES:
            base.errors.append(f"{where}: unknown type {t!r}")
        paths = base.check_gold(where, q.get("gold"), REPORTS)
        base.check_item(where, q, REPORTS, paths, t)
        check_normalised(where, q.get("gold"), q)
        want = want_split(q, held, golds(q))
        if q.get("split") != want:
            base.errors.append(f"{where}: split {q.get('split')!r}, rule gives {want!r}")
        counts[(t, q.get("split"))] = counts.get((t, q.get("split")), 0) + 1

    chains = base.read_jsonl(HERE / "conversations.jsonl")
    for c in chains:
        cid = c.get("id")
        turns = c.get("turns") or []
        if not 2 <= len(turns) <= 5:
            base.errors.append(f"conversations.jsonl:{cid}: {len(turns)} turns (2-5)")
        srcs = set()
        for i, turn in enumerate(turns, 1):
            where = f"conversations.jsonl:{cid}#{i}"
            if not turn.get("question"):
                base.errors.append(f"{where}: empty question")
            paths = base.check_gold(where, turn.get("gold"), REPORTS)
            base.check_item(where, turn, REPORTS, paths, None)
            check_normalised(where, turn.get("gold"), turn)
            srcs |= golds(turn)
            if "near_miss" in turn and turn["near_miss"] not in (turn.get("asked") or []):
                base.errors.append(f"{where}: near_miss {turn['near_miss']!r} is not in asked {turn.get('asked')}")
        want = want_split(c, held, srcs)
        if c.get("split") != want:
            base.errors.append(f"conversations.jsonl:{cid}: split {c.get('split')!r}, rule gives {want!r}")

    for w in base.warnings:
        print("warning:", w)
    for e in base.errors:
        print("ERROR:", e)
    print(f"reports: {len(truth)} ({len(held)} held out); questions: {sum(counts.values())}; "
          f"conversations: {len(chains)}")
    for k in sorted(counts):
        print(" ", k, counts[k])
    print("FAILED" if base.errors else "OK", f"({len(base.errors)} errors, {len(base.warnings)} warnings)")
    return 1 if base.errors else 0


if __name__ == "__main__":
    sys.exit(main())
