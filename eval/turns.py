"""Analyst conversations scored turn by turn (issue 19): right report, right figure or items, every part of a
multi-part question answered, near-miss place names suggested, nothing inherited that the question replaced,
and wrong-region turns.

A conversation line: ``{"id": "a01", "split": "tune", "turns": [turn, ...]}``; a turn holds ``question`` and
what a right answer holds: ``source`` (the report it must cite; null: "not found"), ``answer`` (the figure),
``items`` (every list item), ``sides`` (every report a comparison must cite), ``parts`` (one such dict per
part, in order), ``suggest`` (the place a near-miss name must be offered as), ``asked`` (the region path
asked about), ``replaces`` (slots the question names itself: 地区 / 年份 / 话题) and ``bold`` (the figure must
be the bold one of the first line).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from assistant.records import Answer
from eval.scoring import answer_body, fold

_BOLD = re.compile(r"\*\*(.+?)\*\*")


def load(path: Path, part: str | None = None) -> list[dict]:
    """The conversations of ``path`` whose split is ``part`` (all when None)."""
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            chain = json.loads(line)
            if part is None or chain.get("split", "tune") == part:
                out.append(chain)
    return out


def _source(gold: dict) -> str | None:
    """The report a turn must cite: ``source``, or the first of a ``gold`` list ({source, evidence}: the QA
    files' form, used by eval/real/conversations.jsonl); None when the right answer is "not found"."""
    if "source" in gold:
        return gold["source"]
    golds = gold.get("gold") or []
    return golds[0]["source"] if golds else None


def one_right(gold: dict, answer: Answer) -> list[str]:
    """What is wrong with ``answer`` for one ask (a turn or a part): [] when it is right."""
    problems = []
    source = _source(gold)
    cited = {h.source for h in answer.citations}
    if source is None and not gold.get("sides"):
        return [] if not answer.found else ["answered, but the reports hold no answer"]
    if not answer.found:
        return [f"not found: {answer.reason}"]
    if source and source not in cited:
        problems.append(f"does not cite {source} (cites {sorted(cited)})")
    for side in gold.get("sides") or ():
        if side not in cited:
            problems.append(f"comparison drops {side}")
    body = fold(answer_body(answer) + "\n" + "\n".join(answer_body(p) for p in answer.parts))
    if gold.get("answer") and fold(gold["answer"]) not in body:
        problems.append(f"figure {gold['answer']} not in the answer")
    if gold.get("bold") and gold.get("answer"):
        bold = [fold(b) for b in _BOLD.findall(answer.lead)]
        if fold(gold["answer"]) not in bold:
            problems.append(f"bold figure is {bold}, not {gold['answer']}")
    missing = [i for i in gold.get("items") or () if fold(i) not in body]
    if missing:
        problems.append(f"list items missing: {missing}")
    return problems


def wrong_region(turn: dict, answer: Answer, paths: dict[str, tuple[str, ...]]) -> bool:
    """A found answer citing a report of another region than asked, without saying so first."""
    asked = tuple(turn.get("asked") or ())
    if not asked or not answer.found or turn.get("parts") or turn.get("sides"):
        return False
    if any("地区" in n for n in answer.notices):
        return False
    return any(paths.get(h.source, asked) != asked for h in answer.citations)


def normalised(turn: dict) -> dict:
    """A turn in this module's form. eval/real/conversations.jsonl writes ``near_miss`` (the misspelt name; the
    place meant is the last of ``asked``) and ``parts`` as a list of figures (the gold reports in the same order
    when there are as many, else the first for every part)."""
    turn = dict(turn)
    if turn.get("near_miss") and not turn.get("suggest") and turn.get("asked"):
        turn["suggest"] = turn["asked"][-1]
    parts = turn.get("parts")
    if parts and not isinstance(parts[0], dict):
        golds = [g["source"] for g in turn.get("gold") or []]
        turn["parts"] = [{"source": golds[i] if len(golds) == len(parts) else (golds[0] if golds else None),
                          "answer": value} for i, value in enumerate(parts)]
    return turn


def score_turn(turn: dict, answer: Answer, paths: dict[str, tuple[str, ...]]) -> dict:
    """Every judgement on one turn."""
    turn = normalised(turn)
    problems: list[str] = []
    parts = turn.get("parts")
    every_part = None
    if parts and not answer.parts and answer.table is not None:
        # "A和B…分别是多少" answered as a comparison table: each part is its report's row.
        rows = {r.source: r for r in answer.table.rows}
        part_problems = [[] if g.get("source") in rows and fold(g.get("answer", "")) in fold(rows[g["source"]].value)
                          else [f"row of {g.get('source')} is not {g.get('answer')}"] for g in parts]
        every_part = not any(part_problems)
        problems += [f"part {i + 1}: {p}" for i, ps in enumerate(part_problems) for p in ps]
    elif parts:
        got = list(answer.parts) or [answer]
        if len(got) < len(parts):
            problems.append(f"{len(parts)} parts asked, {len(got)} answered")
        part_problems = [one_right(g, a) for g, a in zip(parts, got)]
        every_part = len(got) >= len(parts) and not any(part_problems)
        problems += [f"part {i + 1}: {p}" for i, ps in enumerate(part_problems) for p in ps]
    else:
        problems += one_right(turn, answer)
    suggested = None
    if turn.get("suggest"):
        suggested = answer.suggestion == turn["suggest"] and any(turn["suggest"] in n for n in answer.notices)
        if not suggested:
            problems.append(f"no suggestion of {turn['suggest']}")
    carried = set((answer.understood or {}).get("carried") or ())
    leaked = sorted(carried & set(turn.get("replaces") or ()))
    if leaked:
        problems.append(f"inherited what the question replaced: {leaked}")
    bad_region = wrong_region(turn, answer, paths)
    if bad_region:
        problems.append("cites another region")
    return {"right": not problems, "problems": problems, "every_part": every_part, "suggested": suggested,
            "leaked": bool(leaked), "wrong_region": bad_region}


def analyst_scores(bot, path: Path, truth: dict, part: str | None = None) -> dict:
    """Per-turn figures of the conversations in ``path`` (of split ``part``), each on a fresh chat."""
    paths = {s: t.region_path for s, t in truth.items()}
    turns = []
    for chain in load(path, part):
        conv = bot.chat()
        for i, turn in enumerate(chain["turns"]):
            answer = conv.ask(turn["question"])
            judged = score_turn(turn, answer, paths)
            turns.append({"chain": chain["id"], "turn": i, "question": turn["question"], "query": answer.query,
                          "split": chain.get("split", "tune"), **judged})
    ratio = lambda rows, key: (sum(bool(r[key]) for r in rows) / len(rows)) if rows else None  # noqa: E731
    multi = [t for t in turns if t["every_part"] is not None]
    near = [t for t in turns if t["suggested"] is not None]
    return {"conversations": len({t["chain"] for t in turns}), "turns": len(turns),
            "turn_right": ratio(turns, "right"), "wrong_region": sum(t["wrong_region"] for t in turns),
            "every_part": ratio(multi, "every_part"), "multi_n": len(multi),
            "suggested": ratio(near, "suggested"), "near_n": len(near),
            "leaked": sum(t["leaked"] for t in turns), "failures": [t for t in turns if not t["right"]],
            "rows": turns}
