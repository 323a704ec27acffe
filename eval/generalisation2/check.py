#!/usr/bin/env python3
"""Checks the gen-dev2 set in this folder (adapted from gen-dev/check.py).

    /work/main/.venv/bin/python check.py   # uses python-docx for the .docx (falls back to the
                                          # standard library if python-docx is missing)


What it checks
- truth.jsonl: one line per file in reports/, required fields, level values.
- qa.jsonl (ids h001...), conversations.jsonl (ids hc01...), sources in reports/: ids unique, types known, field shapes per type;
  every gold evidence / section, answer, item and row value occurs in its source file after
  folding (decode utf-8 else gb18030; .html: tags stripped, entities unescaped; .docx: the
  paragraphs + table cells via python-docx (fallback: the <w:p> of word/document.xml); then NFKC and all whitespace removed; the same folding on the
  string);
  every evidence and section lies inside ONE paragraph of the original (a line of a .txt, a
  block of an .html, a <w:p> of a .docx), so no newline falls inside it;
  evidence 6-40 characters, items 6-20 characters, each items list has >= 2 entries.
- split: every question and conversation has split "tune" or "heldout", and it is "heldout"
  exactly when the number in its id is divisible by 3 (h003, h006, ..., hc03, hc06, ...).
- Warnings (not failures): a string that matches only after folding (not verbatim), an item
  that occurs more than once in its source, a negative whose question has gold.
"""
import html
import json
import os
import re
import sys
import unicodedata
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPORTS = HERE / "reports"
TYPES = {"figure", "topic", "paraphrase", "problems", "plan", "measures", "places",
         "compare", "not-stated", "negative"}
LEVELS = {"national", "province", "city", "county", "town", "zone"}

errors: list[str] = []
warnings: list[str] = []


def fold(s: str) -> str:
    s = unicodedata.normalize("NFKC", s)
    return re.sub(r"\s+", "", s)


BLOCK = re.compile(r"<\s*(br|/p|/div|/h[1-6]|/li|/tr|/td|/th|/title|/table|/ul|/article|/header|/footer|/nav|/aside)\b[^>]*>", re.I)


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030")


_cache: dict[Path, tuple[str, list[str]]] = {}


def load(path: Path) -> tuple[str, list[str]]:
    """Return (plain text, paragraphs) of a report file."""
    if path in _cache:
        return _cache[path]
    if path.suffix.lower() == ".docx":
        try:  # python-docx (in /work/main/.venv): body paragraphs, then table cells
            import docx  # type: ignore
            d = docx.Document(str(path))
            paras = [p.text for p in d.paragraphs]
            for t in d.tables:
                for row in t.rows:
                    paras.extend(c.text for c in row.cells)
        except ImportError:  # standard library fallback: the <w:p> of word/document.xml
            xml = zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
            paras = []
            for p in re.findall(r"<w:p[ >].*?</w:p>", xml, flags=re.S):
                paras.append(html.unescape("".join(re.findall(r"<w:t(?: [^>]*)?>(.*?)</w:t>", p, flags=re.S))))
        text = "\n".join(paras)
    else:
        text = decode(path.read_bytes())
        if path.suffix.lower() in (".html", ".htm"):
            text = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", "", text)
            text = BLOCK.sub("\n", text)
            text = re.sub(r"<[^>]+>", "", text)
            text = html.unescape(text)
        paras = text.split("\n")
    _cache[path] = (text, paras)
    return _cache[path]


def resolve(name: str, base: Path) -> Path | None:
    p = base / name
    return p if p.is_file() else None


def check_string(where: str, path: Path, s: str, *, paragraph: bool, kind: str) -> None:
    text, paras = load(path)
    fs = fold(s)
    if not fs:
        errors.append(f"{where}: empty {kind}")
        return
    if fs not in fold(text):
        errors.append(f"{where}: {kind} {s!r} not found in {path.name}")
        return
    if paragraph and not any(fs in fold(p) for p in paras):
        errors.append(f"{where}: {kind} {s!r} is not inside one paragraph of {path.name}")
    if s not in text and unicodedata.normalize("NFKC", s) not in unicodedata.normalize("NFKC", text):
        warnings.append(f"{where}: {kind} {s!r} matches {path.name} only after removing whitespace")


def check_gold(where: str, gold, base: Path) -> list[Path]:
    paths = []
    if not isinstance(gold, list):
        errors.append(f"{where}: gold must be a list")
        return paths
    for g in gold:
        src = g.get("source")
        path = resolve(src or "", base)
        if path is None:
            errors.append(f"{where}: gold source {src!r} not found in {base}")
            continue
        paths.append(path)
        if "evidence" in g:
            ev = g["evidence"]
            if not 6 <= len(ev) <= 40:
                errors.append(f"{where}: evidence {ev!r} has {len(ev)} characters (6-40)")
            check_string(where, path, ev, paragraph=True, kind="evidence")
        elif "section" in g:
            check_string(where, path, g["section"], paragraph=True, kind="section")
        else:
            errors.append(f"{where}: gold entry needs evidence or section: {g}")
    return paths


def check_item(where: str, obj: dict, base: Path, gold_paths: list[Path], type_: str | None) -> None:
    if "answer" in obj:
        ans = obj["answer"]
        if not gold_paths:
            errors.append(f"{where}: answer without gold")
        elif not any(fold(ans) in fold(load(p)[0]) for p in gold_paths):
            errors.append(f"{where}: answer {ans!r} not found in gold sources")
    if "items" in obj:
        items = obj["items"]
        if not isinstance(items, list) or len(items) < 2:
            errors.append(f"{where}: items must list at least 2 entries")
        else:
            if len(set(items)) != len(items):
                errors.append(f"{where}: duplicate items")
            for it in items:
                if not 6 <= len(it) <= 20:
                    errors.append(f"{where}: item {it!r} has {len(it)} characters (6-20)")
                found = [p for p in gold_paths if fold(it) in fold(load(p)[0])]
                if not found:
                    errors.append(f"{where}: item {it!r} not found in gold sources")
                else:
                    for p in found:
                        n = fold(load(p)[0]).count(fold(it))
                        if n > 1:
                            warnings.append(f"{where}: item {it!r} occurs {n} times in {p.name}")
                    check_string(where, found[0], it, paragraph=False, kind="item")
    if "rows" in obj:
        rows = obj["rows"]
        if not isinstance(rows, list) or not rows:
            errors.append(f"{where}: rows must be a non-empty list")
        else:
            seen = set()
            for r in rows:
                src = r.get("source")
                if src in seen:
                    errors.append(f"{where}: duplicate row for {src}")
                seen.add(src)
                path = resolve(src or "", base)
                if path is None:
                    errors.append(f"{where}: row source {src!r} not found")
                    continue
                if "value" not in r:
                    errors.append(f"{where}: row for {src} lacks value")
                elif r["value"] is not None:
                    check_string(where, path, r["value"], paragraph=False, kind="row value")
    if type_ is not None:
        gold = obj.get("gold")
        if type_ == "negative" and gold:
            errors.append(f"{where}: negative with gold")
        if type_ != "negative" and not gold:
            errors.append(f"{where}: empty gold but type {type_}")
        need = {"figure": "answer", "problems": "items", "plan": "items", "measures": "items",
                "compare": "rows", "not-stated": "metric"}.get(type_)
        if need and need not in obj:
            errors.append(f"{where}: type {type_} needs {need!r}")
        if type_ == "places" and len(gold) < 2:
            errors.append(f"{where}: places question with fewer than 2 reports")
    asked = obj.get("asked", "missing")
    if asked == "missing":
        errors.append(f"{where}: missing asked")
    elif asked is not None and not (isinstance(asked, list) and asked and all(isinstance(x, str) for x in asked)):
        errors.append(f"{where}: asked must be a list of names or null")


def check_split(where: str, obj: dict) -> None:
    m = re.search(r"(\d+)$", str(obj.get("id")))
    want = "heldout" if m and int(m.group(1)) % 3 == 0 else "tune"
    if obj.get("split") not in ("tune", "heldout"):
        errors.append(f"{where}: split must be 'tune' or 'heldout'")
    elif obj["split"] != want:
        errors.append(f"{where}: split {obj['split']!r} but the rule (id number % 3 == 0 -> heldout) gives {want!r}")


def read_jsonl(path: Path) -> list[dict]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError as e:
            errors.append(f"{path.name}:{n}: bad JSON ({e})")
    return out


def check_qa(path: Path, base: Path, prefix: str) -> dict:
    rows = read_jsonl(path)
    ids = set()
    counts: dict[str, int] = {}
    for q in rows:
        qid = q.get("id")
        where = f"{path.name}:{qid}"
        if qid in ids:
            errors.append(f"{where}: duplicate id")
        ids.add(qid)
        check_split(where, q)
        if not str(qid).startswith(prefix):
            errors.append(f"{where}: id should start with {prefix}")
        t = q.get("type")
        if t not in TYPES:
            errors.append(f"{where}: unknown type {t!r}")
        counts[t] = counts.get(t, 0) + 1
        if not q.get("question"):
            errors.append(f"{where}: empty question")
        paths = check_gold(where, q.get("gold"), base)
        check_item(where, q, base, paths, t)
    return counts


def check_conversations(path: Path, base: Path) -> int:
    chains = read_jsonl(path)
    ids = set()
    for c in chains:
        cid = c.get("id")
        if cid in ids:
            errors.append(f"{path.name}:{cid}: duplicate id")
        ids.add(cid)
        check_split(f"{path.name}:{cid}", c)
        if not str(cid).startswith("hc"):
            errors.append(f"{path.name}:{cid}: id should start with hc")
        turns = c.get("turns") or []
        if not 2 <= len(turns) <= 4:
            errors.append(f"{path.name}:{cid}: {len(turns)} turns (2-4)")
        for i, turn in enumerate(turns, 1):
            where = f"{path.name}:{cid}#{i}"
            if not turn.get("question"):
                errors.append(f"{where}: empty question")
            paths = check_gold(where, turn.get("gold"), base)
            check_item(where, turn, base, paths, None)
    return len(chains)


def check_truth() -> None:
    files = sorted(p.name for p in REPORTS.iterdir() if p.is_file())
    rows = read_jsonl(HERE / "truth.jsonl")
    seen = set()
    for r in rows:
        src = r.get("source")
        where = f"truth.jsonl:{src}"
        if src in seen:
            errors.append(f"{where}: duplicate")
        seen.add(src)
        if src not in files:
            errors.append(f"{where}: no such report")
        for k in ("title", "region", "region_path", "level", "year", "issuer", "note"):
            if k not in r:
                errors.append(f"{where}: missing {k}")
        if r.get("level") not in LEVELS:
            errors.append(f"{where}: bad level {r.get('level')!r}")
        if r.get("title") and src in files:
            check_string(where, REPORTS / src, r["title"], paragraph=False, kind="title")
        if r.get("region_path") and r["region_path"][-1] not in r.get("region", "") and r["region_path"][-1] != r.get("region"):
            warnings.append(f"{where}: region {r.get('region')!r} does not end with {r['region_path'][-1]!r}")
    for f in files:
        if f not in seen:
            errors.append(f"truth.jsonl: no line for {f}")
    for f in files:
        n = len(fold(load(REPORTS / f)[0]))
        if not 1500 <= n:
            warnings.append(f"{f}: only {n} characters of text")


def main() -> int:
    check_truth()
    qa = check_qa(HERE / "qa.jsonl", REPORTS, "h")
    chains = check_conversations(HERE / "conversations.jsonl", REPORTS)
    for w in warnings:
        print("warning:", w)
    for e in errors:
        print("ERROR:", e)
    print(f"qa.jsonl: {sum(qa.values())} questions {dict(sorted(qa.items()))}")
    print(f"conversations.jsonl: {chains} chains")
    qs = read_jsonl(HERE / "qa.jsonl")
    cs = read_jsonl(HERE / "conversations.jsonl")
    for name, rows in (("qa.jsonl", qs), ("conversations.jsonl", cs)):
        by = {}
        for r in rows:
            by[r.get("split")] = by.get(r.get("split"), 0) + 1
        print(f"{name} split: {dict(sorted(by.items()))}")
    print("FAILED" if errors else "OK", f"({len(errors)} errors, {len(warnings)} warnings)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
