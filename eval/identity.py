"""Report identity without an index: each report's region, level and issuer read from its file and scored
against ``truth.jsonl``, and every entry of its ``places`` checked to be a real place.

    python -m eval.identity seeds generalisation real     # scores, and the wrong labels of tuning reports

A *real* place is one the gazetteer lists (provinces to towns, and names used since 2014), or a place of the
report's own truth path (a zone the gazetteer lacks). A case scores only its own part of the reports (``real``
its tuning reports, ``real-heldout`` the held-out third: the truth lines' ``split``); a held-out case is
scored but never shown.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant.ingest.report import parse_report
from eval import scoring
from eval.evaluate import default_cases, truth_part


def score_case(case, show: bool, out=sys.stdout) -> dict:
    """Region/level/issuer accuracy and the places check over a case's reports (its own part only, see
    :func:`eval.evaluate.truth_part`); prints the wrong labels when ``show`` and the case is a tuning one."""
    truth = truth_part(case, scoring.load_truth(case.truth)) if case.truth else {}
    fields = {"region": 0, "level": 0, "issuer": 0}
    bad_places: list[tuple[str, str]] = []
    n = 0
    show = show and case.split != "heldout"
    for source, t in truth.items():
        path = Path(case.folder) / source
        if not path.exists():
            continue
        meta = parse_report(source, path.read_bytes()).meta
        n += 1
        got = {k: ok for k, ok in scoring.label_checks(meta, t).items() if k in fields}
        for k, v in got.items():
            fields[k] += v
        unreal = [p for p in meta.places if not scoring.place_is_real(p, t)]
        bad_places += [(source, p) for p in unreal]
        if show and (not all(got.values()) or unreal):
            print(f"### {source}  wrong: {[k for k, v in got.items() if not v]}  unreal places: {unreal}", file=out)
            print(f"    got   {list(meta.region_path)} {meta.level} {meta.issuer}", file=out)
            print(f"    truth {list(t.region_path)} {t.level} {t.issuer}", file=out)
            for c in (meta.provenance.get("evidence") or {}).get("region", []):
                print(f"      {c['place']} {c['score']}: " + "、".join(f"{e['kind']}{e['weight']:+g}〈{e['text'][:30]}〉"
                                                                       for e in c["evidence"]), file=out)
    return {"reports": n, **{k: (v / n if n else None) for k, v in fields.items()},
            "places_unreal": len(bad_places), "places_unreal_list": bad_places if show else []}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.identity", description=__doc__.split("\n\n")[0])
    parser.add_argument("cases", nargs="+")
    args = parser.parse_args(argv)
    cases = default_cases()
    for name in args.cases:
        case = cases.get(name)
        if case is None or not case.truth:
            parser.error(f"{name}: no such case with truth ({', '.join(n for n, c in cases.items() if c.truth)})")
        result = score_case(case, show=case.split != "heldout")
        print(f"== {name}: {result['reports']} reports · region {result['region']:.3f} · level {result['level']:.3f}"
              f" · issuer {result['issuer']:.3f} · places not real {result['places_unreal']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
