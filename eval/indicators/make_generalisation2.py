"""Gold 指标总览 of eval/generalisation2's reports. The held-out third (every third file in name order: 3rd, 6th,
9th, 12th, 15th) was written after the reader was frozen at commit 422b0ac and is scored, never tuned on; the
tuning reports were written after that (ewenki_2021.html not yet). Run ``python eval/indicators/make_generalisation2.py``
to write ``generalisation2.jsonl``."""
import json
from pathlib import Path

from make_real import ALL, ELEMENTS, either

HERE = Path(__file__).parent
T, F, N = True, False, None

TUNE = {
    "huzhu_2022.txt": ((T, N, T, T), {
        "service_items": "926项", "online_rate": "91.5%", "enforcement_officers": "523名", "enforcement_cases": "1268件",
        "review_received": either("34件", None), "litigation_cases": "26件", "appearance_rate": "100%",
        "mediation_cases": either("1573件", None), "mediation_success_rate": either("98.9%", None),
        "legal_aid_cases": "415件", "pufa_activities": "260余场次"},
        "三级矛盾纠纷调处网络不全是人民调解；审查规范性文件9件是合法性审查"),
    "jiayuguan_2022.txt": ((T, N, T, T), {
        "online_rate": "97.6%", "enforcement_cases": "2034件", "review_received": either("58件", "61件"),
        "review_closed": "56件", "review_correction_rate": "10.3%", "litigation_cases": "33件", "appearance_rate": "100%",
        "mediation_cases": "2416件", "mediation_success_rate": "99.2%", "pufa_activities": "260余场次"},
        "营商环境投诉办结率不是12345"),
    "kunshan_2023.txt": ((T, T, T, T), {
        "normative_filing": either(None, "23件"), "review_received": "587件", "review_closed": "552件",
        "review_mediation_rate": "38.6%", "litigation_cases": "241件", "appearance_rate": "100%",
        "pufa_activities": "1400余场"}, "免罚轻罚742件只是一类案件"),
    "lingshui_zrzy_2024.txt": ((T, N, T, T), {
        "enforcement_cases": either(None, "47宗"), "enforcement_fines": either(None, "1264.7万元"),
        "pufa_activities": "12场", "enforcement_officers": "14名", "review_received": either("6件", None),
        "litigation_cases": "11件"},
        "违法用地、海域、采矿案件分开写，没有总数；本局办理的复议6件、诉讼11件（第一次读漏）"),
    "tj_heping_2022.txt": ((T, T, T, T), {
        "service_items": "1287项", "online_rate": "98.6%", "normative_filing": either(None, "7件"),
        "litigation_cases": "87件", "appearance_rate": "100%", "review_received": either("211件", "236件"),
        "review_closed": "198件", "review_correction_rate": "9.6%", "mediation_cases": either(None, "4182件"),
        "mediation_success_rate": either(None, "97.3%"), "legal_aid_cases": "1046件", "pufa_activities": "320余场"},
        "报送市政府备案7件是向上报备；调处化解中心不全是人民调解"),
    "urumqi_yjj_2022.txt": ((T, T, T, T), {"enforcement_officers": "96名", "pufa_activities": "150余场",
                                           "enforcement_cases": "173起", "enforcement_fines": "586.4万元"},
                            "安全生产举报投诉按期办结不是12345（立案查处173起、罚款586.4万元是我第一次读漏的）"),
    "xilinguole_2019.txt": ((T, N, T, T), {
        "online_rate": "86.4%", "enforcement_cases": either(None, "218起", "146件"),
        "enforcement_fines": either(None, "1893万元"), "enforcement_officers": "4860名",
        "review_received": either("69件", "76件"), "review_closed": "66件", "appearance_rate": "82.6%",
        "mediation_cases": "8935件", "legal_aid_cases": "2143件", "pufa_activities": "420余场"},
        "“力争出庭应诉率达到90%以上”是目标；草原和环境违法案件分开写"),
    "yiwu_2022.txt": ((T, N, T, T), {}, "1287项是执法事项；联合检查占比41.5%"),
    "sfb_2021.docx": ((T, N, T, T), {"normative_filing": either(None, "1428件"), "review_received": either("1065件", None)},
                      "备案审查的是地方性法规、规章"),
}

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
        rows = [(split, source, entry) for split, table in (("tune", TUNE), ("heldout", GOLD))
                for source, entry in table.items()]
        for split, source, (elements, cells, note) in rows:
            full = {k: None for k in ALL}
            assert not set(cells) - set(ALL), (source, set(cells) - set(ALL))
            full.update(cells)
            fh.write(json.dumps({"source": source, "split": split, "note": note, "cells": full,
                                 "elements": {k: v for k, v in zip(ELEMENTS, elements) if v is not None}},
                                ensure_ascii=False) + "\n")
    print(f"{len(TUNE)} tune + {len(GOLD)} held-out reports → {HERE / 'generalisation2.jsonl'}")
