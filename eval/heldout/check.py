#!/usr/bin/env python3
"""Self-check for the held-out evaluation set (standard library only).

    python3 check.py [--seeds /work/main/seeds]

Checks
  * every report decodes (utf-8, else gb18030); .html is reduced to text (scripts/styles dropped,
    block tags -> line breaks, tags removed, entities unescaped);
  * truth.jsonl has exactly one line per report, with the required fields;
  * every gold evidence occurs, after folding, inside ONE paragraph of its source; 6-40 chars;
  * every gold section occurs near the start (first 40 folded chars) of one paragraph of its source;
  * every answer / item occurs in one of the question's gold sources; every row value in its row's source;
  * items lists have >= 2 entries, each 6-20 chars; ids unique across all files;
  * type-specific fields (negative: empty gold; not-stated: metric; compare: rows; figure: answer);
  * minimum counts per type.
Folding = unicodedata.normalize("NFKC") and removal of all whitespace, applied to both sides.

Paragraphs: one line = one paragraph, except in files that carry page-number lines ("- 3 -",
"— 3 —", "第 3 页"), which are treated as hard-wrapped PDF text: there a paragraph runs until a blank
line, a page-number line, or a line that starts with an indent.
"""
import html
import json
import os
import re
import sys
import unicodedata
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
REPORTS = os.path.join(HERE, 'reports')
SEEDS = os.environ.get('HELDOUT_SEEDS', '/work/main/seeds')
if '--seeds' in sys.argv:
    SEEDS = sys.argv[sys.argv.index('--seeds') + 1]

TYPES = {'figure', 'topic', 'problems', 'plan', 'measures', 'places', 'compare', 'not-stated', 'negative'}
LEVELS = {'province', 'city', 'county', 'town', 'zone'}
PAGE_NO = re.compile(r'^\s*(?:[-—–－]\s*\d+\s*[-—–－]|第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?)\s*$')
BLOCK_TAGS = re.compile(r'<\s*(?:br|/p|p|/div|div|/li|li|/h[1-6]|h[1-6]|/tr|tr|/table|/ul|/title)\b[^>]*>', re.I)

errors = []


def err(msg):
    errors.append(msg)


def fold(s):
    return re.sub(r'\s+', '', unicodedata.normalize('NFKC', s))


def decode(raw):
    for enc in ('utf-8-sig', 'gb18030'):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            pass
    return raw.decode('utf-8', errors='replace')


def html_to_text(s):
    s = re.sub(r'<!--.*?-->', '', s, flags=re.S)
    s = re.sub(r'<\s*(script|style)\b.*?<\s*/\s*\1\s*>', '', s, flags=re.S | re.I)
    s = BLOCK_TAGS.sub('\n', s)
    s = re.sub(r'<[^>]+>', '', s)
    return html.unescape(s)


_cache = {}


def load(path):
    if path in _cache:
        return _cache[path]
    raw = open(path, 'rb').read()
    text = decode(raw)
    if path.lower().endswith(('.html', '.htm')):
        m = re.search(r'charset\s*=\s*["\']?([\w-]+)', text[:2000], re.I)
        if m:
            try:
                text = raw.decode(m.group(1))
            except (LookupError, UnicodeDecodeError):
                err(f'{path}: declared charset {m.group(1)} does not decode the file')
        text = html_to_text(text)
    lines = text.replace('\r\n', '\n').replace('\r', '\n').split('\n')
    wrapped = any(PAGE_NO.match(l) for l in lines)
    paras = []
    if wrapped:
        cur = []
        for l in lines:
            if not l.strip() or PAGE_NO.match(l):
                if cur:
                    paras.append(''.join(cur)); cur = []
                continue
            if (l.startswith('\u3000') or l.startswith('  ')) and cur:
                paras.append(''.join(cur)); cur = []
            cur.append(l)
        if cur:
            paras.append(''.join(cur))
    else:
        paras = [l for l in lines if l.strip()]
    folded_paras = [fold(p) for p in paras]
    res = (fold(text), folded_paras, wrapped)
    _cache[path] = res
    return res


def src_path(source, seeds):
    return os.path.join(SEEDS if seeds else REPORTS, source)


def check_gold(qid, gold, seeds):
    sources = []
    for g in gold:
        src = g.get('source')
        p = src_path(src, seeds)
        if not os.path.isfile(p):
            err(f'{qid}: gold source missing: {src}'); continue
        sources.append(src)
        whole, paras, _ = load(p)
        if 'evidence' in g:
            ev = g['evidence']
            if not (6 <= len(ev) <= 40):
                err(f'{qid}: evidence length {len(ev)} not in 6..40: {ev}')
            f = fold(ev)
            if f not in whole:
                err(f'{qid}: evidence not in {src}: {ev}')
            elif not any(f in para for para in paras):
                err(f'{qid}: evidence crosses a paragraph boundary in {src}: {ev}')
        elif 'section' in g:
            f = fold(g['section'])
            if not any(0 <= para.find(f) <= 40 for para in paras):
                err(f'{qid}: section not found as a heading in {src}: {g["section"]}')
        else:
            err(f'{qid}: gold entry has neither evidence nor section')
    return sources


def check_q(d, seeds, where, qtype=None):
    qid = d.get('id', where)
    for key in ('question', 'asked', 'gold'):
        if key not in d:
            err(f'{qid}: missing field {key}')
    if not isinstance(d.get('gold'), list):
        err(f'{qid}: gold must be a list'); return
    asked = d.get('asked')
    if asked is not None and not (isinstance(asked, list) and all(isinstance(x, str) for x in asked)):
        err(f'{qid}: asked must be a list of names or null')
    sources = check_gold(qid, d['gold'], seeds)
    folded = [load(src_path(s, seeds))[0] for s in sources]
    if 'answer' in d:
        if not sources:
            err(f'{qid}: answer without gold source')
        elif not any(fold(d['answer']) in w for w in folded):
            err(f'{qid}: answer not in gold sources: {d["answer"]}')
    if 'items' in d:
        items = d['items']
        if len(items) < 2:
            err(f'{qid}: items must have >= 2 entries')
        if len(set(map(fold, items))) != len(items):
            err(f'{qid}: duplicate items')
        for it in items:
            if not (6 <= len(it) <= 20):
                err(f'{qid}: item length {len(it)} not in 6..20: {it}')
            if not any(fold(it) in w for w in folded):
                err(f'{qid}: item not in gold sources: {it}')
    if 'rows' in d:
        seen = set()
        for r in d['rows']:
            src = r.get('source')
            if src in seen:
                err(f'{qid}: duplicate row source {src}')
            seen.add(src)
            p = src_path(src, seeds)
            if not os.path.isfile(p):
                err(f'{qid}: row source missing: {src}'); continue
            if r.get('value') is not None and fold(r['value']) not in load(p)[0]:
                err(f'{qid}: row value not in {src}: {r["value"]}')
            if r.get('value') is not None and src not in sources:
                err(f'{qid}: row with a value has no gold evidence in {src}')
    t = qtype or d.get('type')
    if t is None:
        return
    if t not in TYPES:
        err(f'{qid}: unknown type {t}')
    if t == 'negative' and d['gold']:
        err(f'{qid}: negative question must have empty gold')
    if t != 'negative' and not d['gold']:
        err(f'{qid}: non-negative question has empty gold')
    if t == 'not-stated' and not d.get('metric'):
        err(f'{qid}: not-stated question needs metric')
    if t == 'figure' and not d.get('answer'):
        err(f'{qid}: figure question needs answer')
    if t in ('problems', 'plan', 'measures') and not d.get('items'):
        err(f'{qid}: {t} question needs items')
    if t == 'compare' and not d.get('rows'):
        err(f'{qid}: compare question needs rows')
    if t == 'places' and len({g['source'] for g in d['gold']}) < 2:
        err(f'{qid}: places question should name >= 2 reports')


def read_jsonl(name):
    path = os.path.join(HERE, name)
    rows = []
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as e:
                    err(f'{name}:{n}: bad JSON: {e}')
    return rows


def main():
    reports = sorted(os.listdir(REPORTS))
    if len(reports) < 9:
        err(f'only {len(reports)} reports')
    for r in reports:
        whole, paras, _ = load(os.path.join(REPORTS, r))
        if not (1500 <= len(whole) <= 6000):
            err(f'{r}: {len(whole)} folded chars, outside 1500..6000')
    truth = read_jsonl('truth.jsonl')
    tsrc = Counter(t.get('source') for t in truth)
    for r in reports:
        if tsrc[r] != 1:
            err(f'truth.jsonl: {r} appears {tsrc[r]} times')
    for t in truth:
        for key in ('source', 'title', 'region', 'region_path', 'level', 'year', 'issuer', 'note'):
            if key not in t:
                err(f'truth {t.get("source")}: missing {key}')
        if t.get('level') not in LEVELS:
            err(f'truth {t.get("source")}: bad level {t.get("level")}')
        if t.get('source') not in reports:
            err(f'truth: unknown source {t.get("source")}')
        if t.get('title') and fold(t['title']) not in load(os.path.join(REPORTS, t['source']))[0]:
            err(f'truth {t["source"]}: title not in file')

    ids = Counter()
    qa = read_jsonl('qa.jsonl')
    for d in qa:
        ids[d.get('id')] += 1
        check_q(d, False, 'qa')
    seeds = read_jsonl('qa_seeds.jsonl')
    for d in seeds:
        ids[d.get('id')] += 1
        check_q(d, True, 'qa_seeds')
    convs = read_jsonl('conversations.jsonl')
    for c in convs:
        ids[c.get('id')] += 1
        turns = c.get('turns') or []
        if len(turns) < 2:
            err(f'{c.get("id")}: conversation needs >= 2 turns')
        for i, t in enumerate(turns, 1):
            check_q(dict(t, id=f'{c.get("id")}#{i}'), False, 'conv')
    for k, n in ids.items():
        if n > 1:
            err(f'duplicate id {k}')

    counts = Counter(d.get('type') for d in qa)
    need = {'figure': 12, 'not-stated': 5, 'negative': 6, 'places': 3, 'compare': 3, 'topic': 6}
    for t, n in need.items():
        if counts[t] < n:
            err(f'qa.jsonl: only {counts[t]} {t} questions (need {n})')
    lists = counts['problems'] + counts['plan'] + counts['measures']
    if lists < 10:
        err(f'qa.jsonl: only {lists} problems/plan/measures questions (need 10)')
    if len(qa) < 45:
        err(f'qa.jsonl: only {len(qa)} questions')
    if len(seeds) < 15:
        err(f'qa_seeds.jsonl: only {len(seeds)} questions')
    if len(convs) < 6:
        err(f'conversations.jsonl: only {len(convs)} chains')

    print(f'reports: {len(reports)}  qa: {len(qa)} {dict(sorted(counts.items()))}')
    print(f'qa_seeds: {len(seeds)} {dict(sorted(Counter(d.get("type") for d in seeds).items()))}  conversations: {len(convs)}')
    if errors:
        for e in errors:
            print('FAIL', e)
        print(f'{len(errors)} problem(s)')
        sys.exit(1)
    print('OK: all checks passed')


if __name__ == '__main__':
    main()
