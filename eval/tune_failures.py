"""Look at what went wrong on the tuning questions of a case, one question at a time.

Only rows whose "split" is "tune" are ever shown, so a set's held-out part stays unseen:

    python -m eval.tune_failures generalisation2 answers    # answers not right, lists not whole, figures not in the lead
    python -m eval.tune_failures generalisation2 filters    # gold found without the question's filters, lost with them
    python -m eval.tune_failures generalisation2 rows       # comparison rows that differ from the gold
    python -m eval.tune_failures generalisation2 regions    # answers citing another region in silence
    python -m eval.tune_failures real identity              # tuning reports whose region/level/issuer is wrong
                                                            # or whose places hold a name that is no place
    python -m eval.tune_failures analyst turns              # conversation turns not right (analyst set, tune part)

A case whose ``split`` is "heldout" is refused.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from assistant import Assistant
from eval import scoring
from eval.evaluate import default_cases
from eval.gold import load_questions

KINDS = ("answers", "filters", "rows", "regions", "identity", "turns")


def _found(bot: Assistant, question, **kw) -> bool:
    hits = bot.search(question.question, k=5, **kw)
    return any(any(g.matches(h.source, h.section, h.text) for g in question.gold) for h in hits)


def inspect(bot: Assistant, questions, truth: dict, kind: str, out=sys.stdout) -> int:
    """Print the tuning questions of ``kind`` that fail; return how many."""
    shown = 0
    for q in questions:
        if kind == "filters":
            if not q.gold or _found(bot, q):
                continue
            print(f"### {q.id} {q.question}  found without filters: {_found(bot, q, use_question_filters=False)}", file=out)
            print(f"    understood: {bot.analyze(q.question).to_dict()}", file=out)
        else:
            answer = bot.ask(q.question)
            if kind == "answers":
                share = scoring.list_share(q, answer)
                lead = not q.answer or scoring.figure_in_lead(q, answer)
                if scoring.answer_right(q, answer) and share == 1 and lead:
                    continue
                print(f"### {q.id} {q.type} {q.question}  list {share:.2f}  lead {lead}", file=out)
                print(f"    gold: {[g.source for g in q.gold][:3]} {q.answer} {q.items}", file=out)
                print("    " + answer.text[:1500].replace("\n", "\n    "), file=out)
            elif kind == "rows":
                if not q.rows or scoring.rows_right(q, answer)[0] == len(q.rows):
                    continue
                ours = {r.source: r.value for r in (answer.table.rows if answer.table else ())}
                print(f"### {q.id} {q.question}", file=out)
                for row in q.rows:
                    print(f"    {row.source:28} gold={row.value!s:12} ours={ours.get(row.source, '—')}", file=out)
            elif kind == "regions":
                if not scoring.wrong_region(q, answer, truth):
                    continue
                print(f"### {q.id} {q.question} asked {q.asked}: cites {sorted({c.source for c in answer.citations})}",
                      file=out)
        shown += 1
    return shown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.tune_failures", description=__doc__.split("\n\n")[0])
    parser.add_argument("case")
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("--index-dir", default=None, help="reuse an index folder (default: a temporary one)")
    parser.add_argument("--encoder", default=None, help="encoder for the turns kind (default: the settings')")
    args = parser.parse_args(argv)
    cases = default_cases()
    case = cases.get(args.case)
    if case is None or case.split == "heldout":
        parser.error(f"{args.case}: not a tuning case ({', '.join(n for n, c in cases.items() if c.split != 'heldout')})")
    if args.kind == "identity":
        # Read from the files, no index needed; held-out reports of the case are scored but never shown.
        from eval.identity import score_case
        result = score_case(case, show=True)
        print(f"{args.case}: {result['reports']} tuning reports · region {result['region']:.3f} · issuer "
              f"{result['issuer']:.3f} · places not real {result['places_unreal']}", file=sys.stderr)
        return 0
    questions = [q for path in case.qa if Path(path).exists() for q in load_questions(path, "tune")]
    truth = scoring.load_truth(case.truth) if case.truth else {}
    if args.kind == "turns":
        return _turns(case, truth, args)
    with tempfile.TemporaryDirectory() as tmp:
        bot = Assistant.from_folder(case.folder, index_dir=args.index_dir or tmp)
        shown = inspect(bot, questions, truth, args.kind)
    print(f"{shown} of {len(questions)} tuning questions shown", file=sys.stderr)
    return 0


def _turns(case, truth: dict, args) -> int:
    """The tuning conversations' turns that are not right, with the answer given (analyst cases only)."""
    from eval.turns import analyst_scores

    path = case.extra.get("analyst")
    if not path:
        print(f"{case.name}: no analyst conversations", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        bot = Assistant.from_folder(case.folder, index_dir=args.index_dir or tmp, encoder=args.encoder)
        result = analyst_scores(bot, Path(path), truth, "tune")
        for row in result["failures"]:
            print(f"### {row['chain']}#{row['turn']} {row['question']}\n    searched: {row['query']}\n    "
                  + "\n    ".join(row["problems"]))
    print(f"{len(result['failures'])} of {result['turns']} tuning turns shown", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
