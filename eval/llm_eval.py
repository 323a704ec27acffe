"""The LLM mode measured (issue 23): per case, the share of the model's sentences that pass the check, how often the
extractive answer is shown instead (and why), and answers right and wrong-region answers next to the extractive
answers to the same questions. ``python -m eval --llm URL [--llm-model M] --cases …``."""
from __future__ import annotations

import time
from dataclasses import replace

from assistant.api import Assistant
from assistant.llm.writer import LLMWriter
from assistant.records import Answer
from eval import scoring
from eval.gold import Question


def shown(answer: Answer) -> Answer:
    """What the user reads as the answer: the model's checked sentences alone when accepted (so its figures are
    scored, not the extractive quotes beneath them), else the extractive answer."""
    written = answer.written
    if written is None or not written.accepted:
        return answer
    keep = [answer.lead] if answer.lead.startswith("报告未写明") else []
    return replace(answer, lead="".join(keep + [s.text for s in written.shown]), points=(), table=None)


def llm_scores(bot: Assistant, questions: list[Question], truth: dict, writer: LLMWriter) -> dict:
    """Ask every question twice: extractive, then the same answer written by ``writer``'s model and checked."""
    n = asked = accepted = unavailable = sentences = passing = 0
    right = {"extractive": 0, "llm": 0}
    wrong = {"extractive": 0, "llm": 0}
    reasons: dict[str, int] = {}
    failed_checks: dict[str, int] = {}
    seconds = []
    rows = []
    for q in questions:
        n += 1
        extractive = bot.ask(q.question)
        question = bot.analyze(q.question)
        final = writer.write(extractive, question, bot.catalog.known_short)
        view = shown(final)
        right["extractive"] += scoring.answer_right(q, extractive)
        right["llm"] += scoring.answer_right(q, view)
        wrong["extractive"] += scoring.wrong_region(q, extractive, truth)
        wrong["llm"] += scoring.wrong_region(q, view, truth)
        w = final.written
        if w is None:
            continue   # not found: nothing to write from, the model is not asked
        asked += 1
        seconds.append(w.seconds)
        if not w.sentences and not w.accepted:
            unavailable += 1
        accepted += w.accepted
        if not w.accepted:
            key = w.reason.split("（")[0] if w.sentences else "服务不可用：" + w.reason
            reasons[key] = reasons.get(key, 0) + 1
        sentences += len(w.sentences)
        passing += sum(s.passed for s in w.sentences)
        for s in w.sentences:
            for c in s.checks:
                if not c.passed:
                    failed_checks[c.name] = failed_checks.get(c.name, 0) + 1
        rows.append({"id": q.id, "accepted": w.accepted, "reason": w.reason,
                     "sentences": [s.to_dict() for s in w.sentences]})
    ratio = lambda a, b: a / b if b else None  # noqa: E731
    return {"n": n, "asked": asked, "sentences": sentences, "sentences_passing": ratio(passing, sentences),
            "fallback_rate": ratio(asked - accepted, asked), "unavailable": unavailable,
            "answer_right": {k: ratio(v, n) for k, v in right.items()}, "wrong_region": wrong,
            "fallback_reasons": reasons, "failed_checks": failed_checks,
            "seconds_median": sorted(seconds)[len(seconds) // 2] if seconds else None, "rows": rows,
            "at": time.strftime("%Y-%m-%dT%H:%M:%S")}


def llm_table(result: dict) -> str:
    """One line per case: sentences passing, fallback rate, answers right and wrong-region, LLM vs extractive."""
    lines = ["| case | asked | sentences passing | fallback rate | answers right LLM / extractive | "
             "wrong-region LLM / extractive | median s |", "|---|---|---|---|---|---|---|"]
    f = lambda v: "—" if v is None else f"{v:.3f}"  # noqa: E731
    for name, case in result.get("cases", {}).items():
        s = case.get("llm")
        if not s:
            continue
        median = "—" if s["seconds_median"] is None else f"{s['seconds_median']:.1f}"
        lines.append(f"| {name} | {s['asked']}/{s['n']} | {f(s['sentences_passing'])} ({s['sentences']}) | "
                     f"{f(s['fallback_rate'])} | {f(s['answer_right']['llm'])} / {f(s['answer_right']['extractive'])} | "
                     f"{s['wrong_region']['llm']} / {s['wrong_region']['extractive']} | {median} |")
    return "\n".join(lines)
