"""Calibrate the LLM checker's wording floor (``assistant.llm.check.OVERLAP_FLOOR``): the share of a sentence's
Chinese character pairs that must stand in the passages it cites.

Supported sentences are what a model writes from our answers: each extractive answer's lead (its own words plus
the region and year) and its quoted sentences, each also with a model's usual frame ("根据报告，…", "该地…") and a
first-clause summary. Unsupported ones are the same sentences checked against the passages of an answer about
another report. The floor is chosen on the tuning cases (the best balanced accuracy) and then measured, unchanged,
on the held-out ones, reported apart. ``python -m eval.llm_calibrate [--encoder hash-256]``; results go to
eval/results/llm_calibration.json.

Limits: the supported sentences are built from report text, not written by a real model; a model that paraphrases
more than this will see more of its sentences dropped (and the extractive answer shown), never fewer checked.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

from assistant.api import Assistant
from assistant.llm.check import _Passage, overlap
from assistant.text import normalize, split_sentences
from eval.evaluate import default_cases
from eval.gold import load_questions

TUNE = ("seeds", "generalisation", "generalisation2")
HELDOUT = ("generalisation2-heldout", "heldout")
FRAMES = ("根据报告，{}", "该地{}", "{}，成效明显")


def variants(sentence: str) -> list[str]:
    """A sentence as a model might write it: as is, in a frame, and cut to its first clause."""
    sentence = sentence.replace("**", "").strip("。； ")
    if len(sentence) < 6:
        return []
    first = re.split(r"[，,；;：:]", sentence)[0]
    out = [sentence] + [f.format(sentence) for f in FRAMES]
    return out + ([first] if len(first) >= 6 and first != sentence else [])


def pairs(bot: Assistant, questions) -> tuple[list[float], list[float]]:
    """Overlaps of supported sentences with their own passages, and of the same with another report's."""
    answers = [a for a in (bot.ask(q.question) for q in questions) if a.found and a.points]
    pos, neg = [], []
    for i, answer in enumerate(answers):
        own = [_Passage.of(h) for h in answer.citations]
        others = [b for b in answers[i + 1:] + answers[:i]
                  if not {h.source for h in b.citations} & {h.source for h in answer.citations}]
        texts = ([answer.lead] if answer.lead else []) + [q for p in answer.points[:3] for q in p.quotes[:1]]
        for text in texts:
            for v in variants(text):
                folded = normalize(v)
                pos.append(overlap(folded, own))
                if others:
                    neg.append(overlap(folded, [_Passage.of(h) for h in others[0].citations]))
    return pos, neg


def best_floor(pos: list[float], neg: list[float]) -> tuple[float, float]:
    """The floor (in steps of 0.05) with the best balanced accuracy; the lower floor among ties."""
    best = (0.0, -1.0)
    for step in range(1, 20):
        floor = step / 20
        score = (sum(p >= floor for p in pos) / len(pos) + sum(n < floor for n in neg) / len(neg)) / 2
        if score > best[1] + 1e-9:
            best = (floor, score)
    return best


def rates(pos: list[float], neg: list[float], floor: float) -> dict:
    return {"supported_pass": sum(p >= floor for p in pos) / len(pos) if pos else None,
            "unsupported_dropped": sum(n < floor for n in neg) / len(neg) if neg else None,
            "supported_n": len(pos), "unsupported_n": len(neg)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.llm_calibrate", description=__doc__.splitlines()[0])
    parser.add_argument("--encoder", default="hash-256", help="retrieval only picks the passages (default hash-256)")
    parser.add_argument("--out", default="eval/results")
    args = parser.parse_args(argv)
    cases = default_cases()
    started = time.perf_counter()
    got: dict[str, tuple[list[float], list[float]]] = {}
    bots: dict[Path, Assistant] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in TUNE + HELDOUT:
            case = cases[name]
            if case.folder not in bots:
                bots[case.folder] = Assistant.from_folder(case.folder, index_dir=Path(tmp) / str(len(bots)),
                                                          encoder=args.encoder)
            questions = [q for path in case.qa if Path(path).exists() for q in load_questions(path, case.part)]
            got[name] = pairs(bots[case.folder], questions)
    tune_pos = [p for n in TUNE for p in got[n][0]]
    tune_neg = [x for n in TUNE for x in got[n][1]]
    floor, score = best_floor(tune_pos, tune_neg)
    result = {"floor": floor, "balanced_accuracy_tune": score, "encoder": args.encoder,
              "tune": rates(tune_pos, tune_neg, floor),
              "heldout": rates([p for n in HELDOUT for p in got[n][0]], [x for n in HELDOUT for x in got[n][1]], floor),
              "cases": {n: rates(*got[n], floor) for n in got}, "seconds": time.perf_counter() - started}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "llm_calibration.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    print(json.dumps({k: v for k, v in result.items() if k != "cases"}, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
