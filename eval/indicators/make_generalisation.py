"""Gold 指标总览 of eval/generalisation's reports (written for the project, rich in figures; a tuning set), read
report by report. Run ``python eval/indicators/make_generalisation.py`` to write ``generalisation.jsonl``.
Same form as make_real.py: cells the report states, ``either(value, *accepted)`` where a careful reader could
defend another answer, elements ``None`` where not scored."""
import json
from pathlib import Path

from make_real import ALL, ELEMENTS, either

HERE = Path(__file__).parent
T, F, N = True, False, None
STANDARD = (T, N, T, T)    # measures, first duty (not scored), shortfalls, plans: every heading there

GOLD = {
    "dongguan_2020_trad.txt": (STANDARD, {
        "hotline_completion": "99.4%", "online_rate": "98.7%", "review_received": either("2846件", "3128件"),
        "review_closed": "2693件", "review_correction_rate": "10.7%", "litigation_cases": "1874件",
        "litigation_loss_rate": "5.8%", "legal_aid_cases": "1.52萬件", "mediation_cases": "4.8萬件",
        "pufa_activities": either(None, "3100餘場次")},
        "繁体；按時辦結率；村（社區）法律顧問的法治講座3100餘場次只是一部分"),
    "fuzhou_gulou_2021.txt": ((N, N, N, N), {
        "hotline_completion": "99.6%", "review_received": either("51件", "58件"), "review_closed": "47件",
        "litigation_cases": "39件", "litigation_loss_rate": "5.1%", "appearance_rate": "92.3%",
        "pufa_activities": "420场次", "legal_aid_cases": "418件", "mediation_cases": "3216件",
        "mediation_success_rate": "98.7%", "online_rate": either(None, "92.6%")},
        "“力争出庭应诉率达到100%”是目标；审查规范性文件7件是合法性审查；“一趟不用跑”比例92.6%"),
    "fuzhou_gulou_2022.txt": ((T, N, T, T), {
        "online_rate": "95.8%", "review_received": either("66件", "73件"), "review_closed": "64件",
        "review_correction_rate": "14.1%", "litigation_cases": "45件", "litigation_loss_rate": "4.4%",
        "appearance_rate": "100%", "pufa_activities": "510场次", "legal_aid_cases": "502件",
        "mediation_cases": "3544件", "mediation_success_rate": "99.0%", "enforcement_cases": either(None, "1860起")},
        "持证上岗率100%不是人数；非现场执法1860起只是一种"),
    "huangshan_scenic_2021.txt": (STANDARD, {
        "enforcement_cases": "126起", "enforcement_fines": "18.7万元", "hotline_completion": either(None, "100%"),
        "review_received": either(None, "未发生行政复议案件"), "litigation_cases": "1件", "mediation_cases": "96件",
        "mediation_success_rate": "100%", "pufa_activities": "46场次"},
        "办结率100%是整合热线后的游客投诉；未发生行政复议案件"),
    "jiangxi_province_2021.txt": (STANDARD, {
        "online_rate": "98.6%", "normative_filing": "312件", "enforcement_officers": "11.2万人",
        "review_received": either("8547件", "9862件"), "review_closed": "8013件", "review_correction_rate": "11.3%",
        "litigation_cases": either(None, "7215件"), "appearance_rate": "96.8%", "litigation_loss_rate": "8.9%",
        "legal_aid_cases": "4.57万件", "mediation_cases": "28.6万件", "mediation_success_rate": "98.2%",
        "hotline_completion": "99.5%"}, "一审审结7215件不是收案"),
    "moganshan_town_2022.txt": ((N, N, N, N), {
        "service_items": either("218项", None), "hotline_completion": "100%", "enforcement_cases": "36件",
        "enforcement_fines": "12.6万元", "mediation_cases": either(None, "287件"),
        "review_received": either(None, "3件"), "review_closed": either(None, "3件"), "litigation_cases": "2件",
        "pufa_activities": "38场次"}, "化解矛盾纠纷287件是调处化解中心的（不只人民调解）；镇长出庭应诉2件是次数"),
    "chencang_2022.txt": ((T, N, T, T), {
        "service_items": either(None, "1286项"), "enforcement_officers": "1248人",
        "review_received": either("37件", "41件"), "review_closed": "35件", "litigation_cases": "52件",
        "litigation_loss_rate": "7.7%", "appearance_rate": "100%", "pufa_activities": "180余场次",
        "legal_aid_cases": "498件", "mediation_cases": "2315件", "mediation_success_rate": "98.3%"},
        "1286项是网上可办的事项；村法律顾问参与调解286件是一部分"),
    "nanchang_county_2022.txt": (STANDARD, {
        "review_received": either("112件", "98件"), "review_closed": "91件", "review_correction_rate": "7.1%",
        "litigation_cases": "128件", "appearance_rate": "100%", "litigation_loss_rate": "4.7%",
        "pufa_activities": "326场次", "legal_aid_cases": "652件", "mediation_cases": "4127件",
        "service_items": either(None, "286项")},
        "表格里2022年一列：行政复议收案112件（2021年86件不是）；一次不跑占比96.4%不是网办率"),
    "nangang_2016.txt": (STANDARD, {
        "review_received": either("23件", None), "litigation_cases": "64件", "appearance_rate": "50%",
        "hotline_completion": "98.2%", "mediation_cases": "2874件", "mediation_success_rate": "97.6%",
        "pufa_activities": either("132场", None), "legal_consultations": "6300余人次",
        "enforcement_officers": either("1063人", None)}, "出庭应诉32件是次数；信访按期办结率不是热线"),
    "nanjing_gulou_2020.txt": (STANDARD, {
        "online_rate": "100%", "hotline_completion": "98.6%", "review_received": either("94件", None),
        "litigation_cases": "217件", "appearance_rate": "100%", "legal_aid_cases": "1367件",
        "legal_consultations": "1.9万人次", "mediation_cases": "4826件", "mediation_success_rate": "99.1%"},
        "复工复产法律咨询1560余次是一部分"),
    "saihan_2024.txt": (STANDARD, {
        "online_rate": "97.2%", "hotline_completion": "98.9%", "review_received": either("214件", "237件"),
        "review_closed": "198件", "review_correction_rate": "9.6%", "litigation_cases": "156件",
        "appearance_rate": "100%", "litigation_loss_rate": "3.8%", "pufa_activities": "260余场次",
        "legal_aid_cases": "692件", "mediation_cases": "4430件", "mediation_success_rate": "98.9%"},
        "调解和解结案63件是件数，不是调解和解率；持证率98.6%不是人数"),
    "sanya_2025.txt": (STANDARD, {
        "legal_consultations": either(None, "1260余次"), "online_rate": "98.3%", "hotline_completion": "99.6%",
        "enforcement_cases": either(None, "1387件"), "enforcement_fines": either(None, "2146.8万元"),
        "review_received": either("563件", "618件"), "review_closed": "541件", "review_correction_rate": "9.2%",
        "litigation_cases": "402件", "appearance_rate": "100%", "litigation_loss_rate": "4.9%",
        "pufa_activities": "1520场次", "mediation_cases": "1.26万件", "mediation_success_rate": "99.3%"},
        "涉旅违法案件和罚没款只是利剑行动的；法律咨询1260余次只是外资企业的"),
    "xian_gaoxin_2019.txt": (STANDARD, {
        "service_items": either(None, "232项"), "online_rate": "96%", "normative_filing": either(None, "18件"),
        "enforcement_cases": "1836件", "review_received": either("14件", None), "review_closed": either(None, "14件"),
        "litigation_cases": "22件", "litigation_loss_rate": "4.5%", "appearance_rate": "100%",
        "mediation_cases": either(None, "43件"), "pufa_activities": "96场次"},
        "规范性文件18件是报市政府备案；调解知识产权纠纷43件只是一个调委会"),
    "yiling_2023.txt": (STANDARD, {
        "online_rate": "93.6%", "hotline_completion": "99.1%", "review_received": either("61件", "68件"),
        "review_closed": "57件", "appearance_rate": "100%", "litigation_loss_rate": "2.9%",
        "pufa_activities": "86场次", "legal_aid_cases": "721件", "mediation_cases": "3986件",
        "mediation_success_rate": "98.5%"}, "调解和解结案19件是件数"),
    "yuelu_sifaju_2021.txt": ((T, N, T, T), {
        "appearance_rate": "100%", "legal_aid_cases": "1126件", "mediation_cases": "4368件",
        "mediation_success_rate": "98.6%", "pufa_activities": "230余场次", "enforcement_officers": either(None, "1342名")},
        "1342名是参加考试的执法人员；化解各类纠纷680件是两个工作室的"),
}

if __name__ == "__main__":
    with open(HERE / "generalisation.jsonl", "w", encoding="utf-8") as fh:
        for source, (elements, cells, note) in GOLD.items():
            full = {k: None for k in ALL}
            assert not set(cells) - set(ALL), (source, set(cells) - set(ALL))
            full.update(cells)
            fh.write(json.dumps({"source": source, "split": "tune", "note": note, "cells": full,
                                 "elements": {k: v for k, v in zip(ELEMENTS, elements) if v is not None}},
                                ensure_ascii=False) + "\n")
    print(f"{len(GOLD)} reports → {HERE / 'generalisation.jsonl'}")
