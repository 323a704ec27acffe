"""Gold 指标总览 of eval/real's reports, written by reading each report (not from the reader's output).

Run ``python eval/indicators/make_real.py`` to write ``real.jsonl``. Each entry: the cells the report states
(any other indicator is 未写明: null), and the element check. A cell ``{"value": v, "accept": [...]}`` names other
answers a careful reader could defend; an element ``None`` is not scored (the opening leaves it undecidable).
The reports are the openings of real pages (about 700–2,000 characters, cut mid-sentence): a part the opening
does not reach is missing from the text the tool holds, so the gold says missing. ``split`` is the report's own
split in eval/real/truth.jsonl: the held-out third is scored only at the end, never tuned on.
"""
import json
from pathlib import Path

HERE = Path(__file__).parent
ALL = ("review_received review_closed review_correction_rate review_mediation_rate litigation_cases litigation_loss_rate "
       "appearance_rate legal_aid_cases mediation_cases mediation_success_rate normative_filing enforcement_cases "
       "enforcement_fines service_items online_rate instant_items pufa_activities hotline_completion "
       "enforcement_officers legal_consultations").split()
ELEMENTS = ("measures", "first_duty", "shortfalls", "plans")


def either(value, *accept):
    return {"value": value, "accept": list(accept)}


# source: (elements as T/F/None in checklist order, {indicator: value}, note)
T, F, N = True, False, None
GOLD = {
    # -- tune ------------------------------------------------------------------------------------------------
    "sfb_2022.txt": ((T, F, F, F), {}, "部领导带头宣讲不是第一责任人职责情况"),
    "sfb_2021_tw.txt": ((T, T, F, F), {}, "部长切实履行第一责任人职责"),
    "changshou_sfj_2022.txt": ((N, T, F, F), {}, "开篇就是第一责任人一节，举措写在它下面"),
    "wuhan_sfj_2022.txt": ((T, N, F, F), {}, "只写“建立…第一责任人职责清单制度”"),
    "hecheng_zhongshan_2022.txt": ((T, F, F, F), {}, ""),
    "pozijie_2022.txt": ((T, T, F, F), {}, ""),
    "dazhong_dafeng_2025.txt": ((T, T, F, F), {}, "审核合同5份不是规范性文件备案"),
    "yueyang_xian_2022.txt": ((T, T, F, F), {}, ""),
    "zhgx_zzj_2022.txt": ((T, T, F, F), {}, ""),
    "zhgx_2022.txt": ((T, N, F, F), {}, "开篇只说“聚焦落实…第一责任人职责”"),
    "urumqi_xinshi_2024.txt": ((T, F, F, F), {"appearance_rate": "100%"}, "“行政机关负责人100%出庭应诉”"),
    "xiaolongmen_2024_tw.txt": ((T, F, T, F), {}, ""),
    "shuqiao_qingtian_2024.txt": ((T, N, F, F), {}, "“明确党政主要领导为推进法治建设的首要责任人”"),
    "dahe_wuxi_2025.txt": ((T, F, F, F), {"enforcement_officers": "3名", "pufa_activities": either(None, "2场", "2次"),
                                           "legal_consultations": "100余人次"}, "“银发普法专场”2场、法律顾问进村宣讲2次都只是普法活动的一部分"),
    "lizi_fengdu_2025.txt": ((T, F, F, F), {"pufa_activities": either(None, "18次")}, "“法治流动课堂”18次"),
    "liucheng_2023.txt": ((T, T, F, F), {}, "领导干部法治讲座3场次不是普法活动"),
    "sh_putuo_2020.txt": ((T, F, F, F), {"service_items": either(None, "1964项")}, "1964项是整改办事指南的事项"),
    "cq_jiangbei_2023.txt": ((T, F, F, F), {}, "311项川渝通办、65项集成服务都不是事项总数"),
    "xiangshan_sthj_2025.txt": ((T, T, F, F), {"pufa_activities": either(None, "3场")}, "宪法宣传周系列活动3场"),
    "taishun_sthj_2024.txt": ((T, F, F, F), {}, ""),
    "fengjie_sthj_2022.txt": ((T, F, F, F), {}, ""),
    "hongjiang_sthj_2024_tw.txt": ((T, N, F, F), {}, "只说“明確了推進法治建設的第一責任人”"),
    "sc_sft_2020.txt": ((T, T, F, F), {}, ""),
    "gz_sft_2020.txt": ((T, T, F, F), {}, ""),
    "gd_2023_mirror.txt": ((T, T, F, F), {}, ""),
    "gd_2024.txt": ((T, T, F, F), {}, ""),
    "fuzhou_2025.txt": ((T, T, F, F), {}, ""),
    "fuzhou_2021.txt": ((T, T, F, F), {}, "权责事项11572项不是政务服务事项"),
    "xinxian_2023.txt": ((N, T, F, F), {}, "开篇就是第一责任人一节"),
    "henan_2020.txt": ((T, T, F, F), {}, ""),
    "nmg_2016_tw.txt": ((T, T, F, F), {}, "法律知识专题培训班239次是培训，不是普法活动"),
    "beijing_2019.txt": ((T, F, F, F), {}, "合法性审查287件不是备案审查"),
    "beijing_2021.txt": ((T, T, F, F), {}, ""),
    "dongcheng_bj_2024_tw.txt": ((T, F, F, F), {}, "政务服务事项100%“应进必进”不是网办率"),
    "tianshui_2025.txt": ((T, T, F, F), {}, ""),
    "xingguo_2024.txt": ((T, T, F, F), {"pufa_activities": either(None, "30余次")}, "办件数8793件不是事项数"),
    "fuliang_2022.txt": ((T, F, F, F), {}, ""),
    "baocheng_quxian_2025.txt": ((T, F, F, F), {}, ""),
    "guanba_qijiang_2025.txt": ((T, F, F, F), {"pufa_activities": "20场次", "legal_consultations": "100余人次",
                                               "enforcement_officers": either(None, "14名")},
                                "14名执法人员通过执法证考试是当年新考的；重大合同审查3件不是备案审查"),
    "xiashu_jurong_2025.txt": ((T, T, F, F), {}, ""),
    "tongcheng_wuxi_2025.txt": ((T, T, F, F), {}, "法治培训10场次是培训"),
    "binhaiwan_2024.txt": ((T, T, F, F), {}, ""),
    "binhaiwan_2025.txt": ((T, T, F, F), {}, ""),
    "liangjiang_2023.txt": ((T, F, F, F), {}, ""),
    "shenyang_2025.txt": ((T, T, F, F), {}, ""),
    "haikou_2022.txt": ((T, T, F, F), {}, ""),
    "haikou_2021.txt": ((T, F, F, F), {}, ""),
    "sanya_2024.txt": ((T, T, F, F), {}, "一窗通办率95.5%不是网上可办率；6392项是权力清单"),
    "zrzyb_2021.txt": ((T, F, F, F), {}, ""),
    "xian_2023_kgxc.txt": ((T, T, F, F), {}, ""),
    "gaoling_2025.txt": ((T, N, F, F), {}, "“落实述法点评工作机制”"),
    "yanliang_2024.txt": ((T, T, F, F), {}, ""),
    "tianning_2025.txt": ((T, T, F, F), {}, "现行12件规范性文件均予保留不是备案审查"),
    "dongcheng_dg_2021.txt": ((T, T, F, F), {}, ""),
    "dongcheng_dg_2023.txt": ((T, F, F, F), {}, ""),
    "tiedong_anshan_2024.txt": ((T, T, F, F), {}, "述法提报比例100%、整改率100%不是表中的指标"),
    "gansu_2023_gaotai.txt": ((T, T, F, F), {"pufa_activities": either(None, "210余期")}, "电视栏目节目210余期"),
    # -- held out: written after the reader was frozen at commit 4334d6a; scored once, never tuned on -----------
    "suining_sfj_2022.txt": ((T, T, F, F), {"normative_filing": "54件"}, "“审查和备案规范性文件54件，其中审查市级27件”"),
    "xianxiang_2022.txt": ((T, N, F, F), {}, "只写“明确党委书记为组长…主要领导亲自抓”"),
    "beichengjie_gaoping_2025.txt": ((T, T, F, F), {"pufa_activities": either(None, "2场次")},
                                     "主要负责人牵头的专题宣讲2场次只是普法活动的一部分"),
    "zhaoxian_2022.txt": ((T, T, F, F), {}, ""),
    "zhgx_zzj_2021.txt": ((T, T, F, F), {"litigation_cases": "161宗", "review_received": either(None, "33宗")},
                          "承办管委会作被申请人的行政复议案件33宗，不全是收案；审查262件不是备案审查"),
    "zhouxi_chengkou_2024.txt": ((T, F, F, F), {}, "法治专题讲座2场是干部培训"),
    "zhongcun_lufeng_2025.txt": ((T, F, F, F), {}, ""),
    "pudong_2022.txt": ((N, N, F, F), {}, "开篇只列出全文的四部分，只写到第一部分（全面履行法治政府建设工作职责）"),
    "yueyang_xian_sthj_2025.txt": ((T, F, F, F), {}, "学法8场不是普法活动"),
    "hezhou_sthj_2020.txt": ((T, F, F, F), {}, ""),
    "sfb_2020.txt": ((T, T, F, F), {}, ""),
    "gd_2021.txt": ((T, T, F, F), {}, ""),
    "fj_2021.txt": ((T, T, F, F), {}, ""),
    "xinxian_2022.txt": ((T, T, F, F), {}, ""),
    "qinghe_2022.txt": ((T, T, F, F), {}, ""),
    "beijing_2020_tw.txt": ((T, F, F, F), {}, ""),
    "miyun_2019.txt": ((T, T, F, F), {}, ""),
    "xingguo_2022.txt": ((T, T, F, F), {}, "评查案件248起是案卷评查，不是执法案件"),
    "ningxia_2022_sjt.txt": ((T, T, F, F), {}, ""),
    "sandu_liujiang_2025.txt": ((T, F, F, F), {"pufa_activities": "32场次"}, "便民服务事项1500余件是办件数"),
    "dongli_leizhou_2025.txt": ((T, F, F, F), {}, ""),
    "liangjiang_2024.txt": ((T, F, F, F), {"normative_filing": either(None, "31件")},
                            "“报备规范性文件31件”是向上报备还是备案审查，原文没说；审查29件是合法性审查"),
    "shenyang_2022.txt": ((T, N, F, F), {}, "“市政府主要领导统筹谋篇布局、强力推动落实”"),
    "hainan_2022.txt": ((T, F, F, F), {}, "只说按月通报出庭应诉、败诉、纠错情况，没有数字"),
    "xian_2019.txt": ((T, T, F, F), {}, ""),
    "lintong_2020.txt": ((T, F, F, F), {}, ""),
    "xushe_yixing_2025.txt": ((T, F, F, F), {}, "法治培训4场是干部培训"),
    "dongxiao_luohu_2025.txt": ((T, T, F, F), {}, "主要负责人出庭应诉1宗是次数，不是出庭应诉率"),
}


def rows(truth: dict) -> list[dict]:
    out = []
    for source, (elements, cells, note) in GOLD.items():
        full = {k: None for k in ALL}
        unknown = set(cells) - set(ALL)
        if unknown:
            raise ValueError(f"{source}: unknown indicators {unknown}")
        full.update(cells)
        out.append({"source": source, "region": truth[source]["region"], "split": truth[source]["split"],
                    "note": note, "cells": full,
                    "elements": {k: v for k, v in zip(ELEMENTS, elements) if v is not None}})
    return out


if __name__ == "__main__":
    truth = {r["source"]: r for r in map(json.loads, (HERE.parent / "real" / "truth.jsonl").read_text("utf-8").splitlines())}
    written = rows(truth)
    with open(HERE / "real.jsonl", "w", encoding="utf-8") as fh:
        for r in written:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{len(written)} reports ({sum(r['split'] == 'tune' for r in written)} tune) → {HERE / 'real.jsonl'}")
