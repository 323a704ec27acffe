"""Gold 指标总览 of the held-out third of eval/generalisation2's reports (every third file in name order: 3rd, 6th,
9th, 12th, 15th), written after the reader was frozen at commit 422b0ac and scored once, never tuned on.
Run ``python eval/indicators/make_generalisation2.py`` to write ``generalisation2.jsonl``."""
import json
from pathlib import Path

from make_real import ALL, ELEMENTS, either

HERE = Path(__file__).parent
T, F, N = True, False, None

GOLD = {
    "jiayuguan_2021.txt": ((T, N, T, T), {
        "service_items": "1352项", "online_rate": "95.1%", "normative_filing": either(None, "11件"),
        "enforcement_cases": "1916件", "review_received": either("47件", "52件"), "review_closed": "45件",
        "review_correction_rate": "12.8%", "litigation_cases": "39件", "appearance_rate": "97.4%",
        "pufa_activities": "210余场次"}, "报送规范性文件备案11件是向上报备；败诉2件是件数"),
    "lanzhou_xinqu_2023.txt": ((T, T, T, T), {
        "service_items": either(None, "218项"), "enforcement_cases": "892件", "enforcement_fines": "1076万元",
        "mediation_cases": either(None, "203件"), "mediation_success_rate": either(None, "88.2%"),
        "review_received": either("15件", None), "litigation_cases": "23件", "appearance_rate": "100%",
        "pufa_activities": "86场"}, "商事调解中心不是人民调解；信访按期办结率不是12345"),
    "sy_heping_2021.txt": ((T, T, T, T), {
        "enforcement_cases": "2846件", "review_closed": "128件", "review_correction_rate": "12.5%",
        "litigation_cases": "64件", "appearance_rate": "98.4%", "mediation_cases": "3615件",
        "mediation_success_rate": "98.1%", "pufa_activities": "276场次"},
        "“最多跑一次”比例99.2%不是网办率；营商环境投诉办结率100%不是12345"),
    "wangjing_2023.txt": ((N, T, N, N), {
        "hotline_completion": either(None, "93.2%"), "enforcement_cases": either("296起", "1032起"),
        "legal_consultations": "2318人次", "legal_aid_cases": "45件", "mediation_cases": "418件",
        "mediation_success_rate": "96.2%", "pufa_activities": "120余场"},
        "12345只写了响应率、解决率、满意率，没有办结率"),
    "yuzhong_scjg_2020.txt": ((T, T, T, T), {
        "enforcement_cases": "1132件", "enforcement_fines": "2367.8万元", "review_received": either("9件", None),
        "litigation_cases": "7件", "hotline_completion": either(None, "99.6%"), "pufa_activities": "46场"},
        "12315 不是 12345；局负责人出庭应诉3次是次数"),
}

if __name__ == "__main__":
    with open(HERE / "generalisation2.jsonl", "w", encoding="utf-8") as fh:
        for source, (elements, cells, note) in GOLD.items():
            full = {k: None for k in ALL}
            assert not set(cells) - set(ALL), (source, set(cells) - set(ALL))
            full.update(cells)
            fh.write(json.dumps({"source": source, "split": "heldout", "note": note, "cells": full,
                                 "elements": {k: v for k, v in zip(ELEMENTS, elements) if v is not None}},
                                ensure_ascii=False) + "\n")
    print(f"{len(GOLD)} reports → {HERE / 'generalisation2.jsonl'}")
