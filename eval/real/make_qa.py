#!/usr/bin/env python3
"""Writes qa.jsonl and conversations.jsonl of the real set from the questions below (edit them here, then rerun).

    /work/main/.venv/bin/python eval/real/make_qa.py

Ids are given in order (r001…, rc01…). Split rule (README): a report is held out when its 1-based position in
truth.jsonl is divisible by 3; a question or conversation is "heldout" when any report of its gold (any turn's
gold, any row) is held out; a negative question (no gold anywhere) is "heldout" when the number of its id is
divisible by 3. truth.jsonl gets the same "split" field.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
TRUTH = [json.loads(line) for line in (HERE / "truth.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
PATH = {t["source"]: t["region_path"] for t in TRUTH}
HELD = {t["source"] for i, t in enumerate(TRUTH, 1) if i % 3 == 0}


def P(source: str) -> list[str]:
    return PATH[source]


def ev(source: str, evidence: str) -> dict:
    return {"source": source, "evidence": evidence}


def sec(source: str, section: str) -> dict:
    return {"source": source, "section": section}


def fig(question, source, evidence, answer, asked=None):
    return {"type": "figure", "question": question, "asked": asked or P(source), "gold": [ev(source, evidence)],
            "answer": answer}


def topic(question, source, evidence, asked=None, type_="topic"):
    return {"type": type_, "question": question, "asked": asked or P(source), "gold": [ev(source, evidence)]}


def items(type_, question, source, gold, its, asked=None):
    return {"type": type_, "question": question, "asked": asked or P(source), "gold": [gold], "items": its}


def places(question, golds):
    return {"type": "places", "question": question, "asked": None, "gold": [ev(s, e) for s, e in golds]}


def compare(question, rows, asked=None):
    """rows: (source, evidence or None, value or None)."""
    return {"type": "compare", "question": question, "asked": asked,
            "gold": [ev(s, e) for s, e, v in rows if e],
            "rows": [{"source": s, "value": v} for s, e, v in rows]}


def ns(question, source, evidence, metric, asked=None):
    return {"type": "not-stated", "question": question, "asked": asked or P(source), "gold": [ev(source, evidence)],
            "metric": metric}


def neg(question, asked, note):
    return {"type": "negative", "question": question, "asked": asked, "gold": [], "note": note}


QA = [
    # ---- figures -------------------------------------------------------------------------------------------
    fig("司法部2022年召开了几次部党组会学习党的二十大精神？", "sfb_2022.txt",
        "部党组先后召开6次部党组会暨12次理论学习中心组集体学习会", "6次"),
    fig("司法部2022年部署开展了多少项习近平法治思想重点课题研究？", "sfb_2022.txt", "部署开展26项重点课题研究", "26项"),
    fig("司法部2021年的法治政府建设第一责任人是谁？", "sfb_2021_tw.txt",
        "黨組書記、部長唐一軍同志切實履行法治政府建設第一責任人職責", "唐一軍"),
    fig("遂宁市司法局2022年审查和备案了多少件规范性文件？", "suining_sfj_2022.txt", "审查和备案规范性文件54件", "54件"),
    fig("遂宁2022年审查、备案政府合同多少件？", "suining_sfj_2022.txt", "审查、备案政府合同122件", "122件"),
    fig("遂宁市司法局2022年审查了多少件行政决策？", "suining_sfj_2022.txt",
        "审查政策、规划、工作请示等行政决策365件", "365件"),
    fig("武汉市司法局2022年召开局党委会多少次？", "wuhan_sfj_2022.txt", "召开局党委会31次、中心组理论学习18次", "31次"),
    fig("武汉2022年有几个村（社区）获评全国民主法治示范村（社区）？", "wuhan_sfj_2022.txt",
        "全市6个村(社区)获评全国民主法治示范村(社区)", "6个"),
    fig("贤庠镇2022年开展了几次中心组学法？", "xianxiang_2022.txt", "2022年共开展中心组学法4次", "4次"),
    fig("长沙天心区坡子街街道2022年组织了多少次中心组理论学习扩大会议？", "pozijie_2022.txt",
        "组织开展中心组理论学习扩大会议10次", "10次"),
    fig("高平市北城街街道2025年召开党工委专题会议几次？", "beichengjie_gaoping_2025.txt",
        "全年召开党工委专题会议4次", "4次"),
    fig("大丰区大中街道2025年司法所参与领导班子会议多少次？", "dazhong_dafeng_2025.txt",
        "司法所共参与领导班子会议9次、审核合同5份", "9次"),
    fig("大中街道2025年司法所审核了几份合同？", "dazhong_dafeng_2025.txt", "司法所共参与领导班子会议9次、审核合同5份",
        "5份"),
    fig("赵县2022年召开了几次全面依法治县委员会会议？", "zhaoxian_2022.txt", "召开全面依法治县委员会会议1次", "1次"),
    fig("珠海高新区2022年开展了多少个专项调研课题？", "zhgx_2022.txt", "开展专项调研课题 21 个", "21个"),
    fig("珠海高新区综治局2021年审查重大决策事项、规范性文件和涉法文件共多少件？", "zhgx_zzj_2021.txt",
        "2021年共审查各类重大决策事项、各类规范性文件、涉法文件262件", "262件"),
    fig("珠海高新区综治局2021年承办了多少宗管委会行政诉讼案件？", "zhgx_zzj_2021.txt",
        "承办区管委会行政诉讼案件161宗,行政复议案件33宗", "161宗"),
    fig("高新区综治局2021年承办行政复议案件多少宗？", "zhgx_zzj_2021.txt",
        "承办区管委会行政诉讼案件161宗,行政复议案件33宗", "33宗"),
    fig("乌鲁木齐新市区2024年召开政府常务会议多少次？", "urumqi_xinshi_2024.txt",
        "召开政府常务会议13次,集体研究决定重大事项179件", "13次"),
    fig("新市区2024年集体研究决定了多少件重大事项？", "urumqi_xinshi_2024.txt",
        "召开政府常务会议13次,集体研究决定重大事项179件", "179件"),
    fig("乌鲁木齐市新市区2024年行政机关负责人出庭应诉率是多少？", "urumqi_xinshi_2024.txt",
        "2024年行政机关负责人100%出庭应诉", "100%"),
    fig("高新区(新市区)2024年出具了多少份法律审核意见书？", "urumqi_xinshi_2024.txt",
        "出具合法性审核意见书5份、法律审核意见书207份", "207份"),
    fig("城口县周溪乡2024年举办了几场法治专题讲座？", "zhouxi_chengkou_2024.txt",
        "全年共举办法治专题讲座2场,综合法律知识培训3次", "2场"),
    fig("巫溪县大河乡2025年解读了多少个热点法律问题？", "dahe_wuxi_2025.txt",
        "解读土地流转、婚姻家庭等热点法律问题28个", "28个"),
    fig("大河乡2025年研究解决法治建设重点问题多少项？", "dahe_wuxi_2025.txt",
        "定期召开专题会议4次,研究解决法治建设重点问题12项", "12项"),
    fig("丰都县栗子乡2025年开展了多少次“法治流动课堂”？", "lizi_fengdu_2025.txt",
        "在6个行政村开展“法治流动课堂”18次", "18次"),
    fig("柳城县2023年开展了几场全县领导干部法治专题讲座？", "liucheng_2023.txt",
        "开展全县领导干部法治专题讲座3场次", "3场次"),
    fig("上海普陀区2020年推出了多少件“一件事”？", "sh_putuo_2020.txt",
        "推出了办咖啡店、开办便利店等22件有较高办件频率", "22件"),
    fig("普陀区2020年“证照分离”改革全覆盖试点事项清单共多少条？", "sh_putuo_2020.txt",
        "“证照分离”改革全覆盖试点事项清单共40条", "40条"),
    fig("重庆江北区2023年把受理窗口压缩到了多少个？", "cq_jiangbei_2023.txt", "将原有49个受理窗口压缩为33个", "33个"),
    fig("重庆市江北区2023年承接了多少项川渝通办事项？", "cq_jiangbei_2023.txt", "承接311项川渝通办事项", "311项"),
    fig("岳阳县生态环境分局2025年开展党组专题学法几次？", "yueyang_xian_sthj_2025.txt",
        "全年开展党组专题学法3次", "3次"),
    fig("相山区生态环境分局2025年开展了几次法治专题学习？", "xiangshan_sthj_2025.txt",
        "全年开展法治专题学习4次", "4次"),
    fig("泰顺分局2024年通过党组会、理论学习中心组组织学法多少次？", "taishun_sthj_2024.txt",
        "理论学习中心组组织学法12次", "12次"),
    fig("贺州市2020年城区环境空气质量优良率是多少？", "hezhou_sthj_2020.txt",
        "贺州市城区环境空气质量优良率累计为95.9%", "95.9%"),
    fig("贺州2020年争取了多少中央土壤污染防治专项资金？", "hezhou_sthj_2020.txt",
        "共争取中央土壤污染防治专项资金5268万元", "5268万元"),
    fig("奉节县生态环境局2022年开展了几次职工会法治学习？", "fengjie_sthj_2022.txt",
        "全年共开展职工会法治学习6次", "6次"),
    fig("四川省司法厅2020年推动省市县三级成立了几类法治专业小组？", "sc_sft_2020.txt",
        "省市县三级成立合法性审查等5类法治专业小组", "5类"),
    fig("贵州省司法厅2020年提请省委依法治省委召开会议几次？", "gz_sft_2020.txt",
        "提请省委依法治省委召开会议4次", "4次"),
    fig("贵州省委依法治省委2020年工作要点确定了多少项年度工作任务？", "gz_sft_2020.txt",
        "确定100项年度工作任务", "100项"),
    # ---- topics / paraphrase --------------------------------------------------------------------------------
    topic("长寿区司法局2022年怎样学习宣传贯彻党的二十大精神？", "changshou_sfj_2022.txt",
          "多举措持续深入学习贯彻党的二十大精神"),
    topic("青田县舒桥乡的依法行政工作领导小组由谁任组长？", "shuqiao_qingtian_2024.txt",
          "由乡长亲自挂帅担任组长,副书记担任副组长"),
    topic("禄丰市中村乡法治政府建设工作领导小组的办公室设在哪里？", "zhongcun_lufeng_2025.txt",
          "领导小组下设办公室在乡平安法治办"),
    topic("浦东新区2022年度报告的数据统计期限是怎么规定的？", "pudong_2022.txt",
          "本年度报告中所列数据的统计期限自20221月1日起至12月31日止"),
    topic("洪江市生态环境分局的法治建设领导小组由谁任组长？", "hongjiang_sthj_2024_tw.txt", "組成了以易小軍同志為組長"),
    topic("司法部2020年怎样统筹推进法治政府建设专项工作？", "sfb_2020.txt", "部领导班子坚持统筹兼顾、把握重点、整体谋划"),
    topic("贤庠镇法治政府建设工作领导小组由谁任组长？", "xianxiang_2022.txt", "明确党委书记为组长,镇长为常务副组长",
          type_="paraphrase"),
    topic("珠海高新区综治局怎样把二十大精神传达到每一位工作人员？", "zhgx_zzj_2022.txt",
          "迅速将党的二十大精神传达到局内每一位工作人员", type_="paraphrase"),
    # ---- lists ------------------------------------------------------------------------------------------------
    items("measures", "钟山区荷城街道2022年完善了哪几项行政决策制度？", "hecheng_zhongshan_2022.txt",
          ev("hecheng_zhongshan_2022.txt", "街道完善各种行政决策制度,严格规范程序"),
          ["完善各方联动决策制度", "民生决策共议制度", "重大行政决策律师参与制度"]),
    items("measures", "岳阳县政府常务会议会前学法采用了哪些方式？", "yueyang_xian_2022.txt",
          ev("yueyang_xian_2022.txt", "均按照年度学法计划"), ["“专人主讲”学", "“观看视频”学", "“书面传达”学"]),
    items("problems", "辰溪县小龙门乡2024年法治政府建设存在哪些问题？", "xiaolongmen_2024_tw.txt",
          sec("xiaolongmen_2024_tw.txt", "存在的不足和原因"),
          ["法治意識不強", "立法體系尚不完善", "鄉村法治人才短缺", "法治宣傳教育實效不高"]),
    # ---- places ------------------------------------------------------------------------------------------------
    places("哪些报告写了落实“第一议题”制度？", [
        ("urumqi_xinshi_2024.txt", "严格落实“第一议题”制度"), ("wuhan_sfj_2022.txt", "落实“第一议题”制度"),
        ("zhgx_2022.txt", "严格落实“第一议题”制度"), ("zhgx_zzj_2022.txt", "利用党组会“第一议题”")]),
    places("哪些地方组织了旁听庭审？", [
        ("lizi_fengdu_2025.txt", "集中普法考试和旁听庭审活动"), ("pozijie_2022.txt", "学习分享会和集中庭审旁听"),
        ("zhgx_zzj_2021.txt", "到高新人民法庭旁听庭审")]),
    places("哪些地方开展了年终述法或述法工作？", [
        ("liucheng_2023.txt", "综合采用述法、考核等方式"), ("suining_sfj_2022.txt", "第一责任人职责年终述法工作"),
        ("yueyang_xian_2022.txt", "县人民政府工作部门主要负责人年终述法活动")]),
    # ---- compare ----------------------------------------------------------------------------------------------
    compare("巫溪大河乡和丰都栗子乡2025年的法律（普法）考试合格率分别是多少？", [
        ("dahe_wuxi_2025.txt", "法律知识在线考试通过率100%", "100%"),
        ("lizi_fengdu_2025.txt", "网上普法考试参考率和合格率均达100%", "100%")]),
    compare("几个生态环境部门报告里，全年党组或专题学法各多少次？", [
        ("yueyang_xian_sthj_2025.txt", "全年开展党组专题学法3次", "3次"),
        ("xiangshan_sthj_2025.txt", "全年开展法治专题学习4次", "4次"),
        ("taishun_sthj_2024.txt", "理论学习中心组组织学法12次", "12次"),
        ("fengjie_sthj_2022.txt", "全年共开展职工会法治学习6次", "6次"),
        ("hezhou_sthj_2020.txt", None, None),
        ("hongjiang_sthj_2024_tw.txt", None, None)]),
    # ---- not stated -------------------------------------------------------------------------------------------
    ns("乌鲁木齐市新市区2024年有多少件行政诉讼案件？", "urumqi_xinshi_2024.txt", "2024年行政机关负责人100%出庭应诉",
       "行政诉讼案件数"),
    ns("珠海高新区综治局2021年行政复议纠错率是多少？", "zhgx_zzj_2021.txt",
       "承办区管委会行政诉讼案件161宗,行政复议案件33宗", "行政复议纠错率"),
    ns("贺州市2020年臭氧平均浓度是多少？", "hezhou_sthj_2020.txt", "pm2.5累计平均浓度为30微克/立方米", "臭氧浓度"),
    ns("大中街道2025年司法所审核的合同金额是多少？", "dazhong_dafeng_2025.txt",
       "司法所共参与领导班子会议9次、审核合同5份", "合同金额"),
    ns("武汉2022年有多少个村（社区）获评省级民主法治示范村（社区）？", "wuhan_sfj_2022.txt",
       "全市6个村(社区)获评全国民主法治示范村(社区)", "省级民主法治示范村数量"),
    # ---- negatives (look-alikes, other years, parents, governments of departments) -------------------------
    neg("佛山市高明区荷城街道2022年完善了哪些行政决策制度？", ["广东省", "佛山市", "高明区", "荷城街道"],
        "同名街道：只索引了六盘水市钟山区荷城街道"),
    neg("舟山市普陀区2020年推出了多少件“一件事”？", ["浙江省", "舟山市", "普陀区"], "同名区：只索引了上海市普陀区"),
    neg("宁波江北区2023年把受理窗口压缩到了多少个？", ["浙江省", "宁波市", "江北区"], "同名区：只索引了重庆市江北区"),
    neg("贵州省人民政府2020年法治政府建设报告里，提请省委依法治省委召开了几次会议？", ["贵州省"],
        "只索引了贵州省司法厅的报告，没有省政府的"),
    neg("司法部2019年法治政府建设年度报告里部署了多少项重点课题研究？", ["司法部"], "司法部只索引了 2020–2022 年"),
    neg("武汉市司法局2021年召开局党委会多少次？", ["湖北省", "武汉市"], "只有 2022 年"),
    neg("长沙市天心区2022年组织开展中心组理论学习扩大会议多少次？", ["湖南省", "长沙市", "天心区"],
        "只索引了天心区下属坡子街街道的报告"),
    neg("晋城市2025年召开党工委专题会议几次？", ["山西省", "晋城市"], "只索引了高平市北城街街道（晋城下辖县级市的街道）"),
    neg("温州市2024年组织学法多少次？", ["浙江省", "温州市"], "只索引了温州市生态环境局泰顺分局（泰顺县）"),
    neg("怀化市2024年法治建设领导小组组长是谁？", ["湖南省", "怀化市"], "只索引了洪江市（怀化代管县级市）的生态环境分局"),
    neg("珠海市2022年开展了多少个专项调研课题？", ["广东省", "珠海市"], "只索引了珠海高新区（功能区），不是珠海市政府"),
    neg("象山县贤庠镇2023年开展了几次中心组学法？", ["浙江省", "宁波市", "象山县", "贤庠镇"], "只有 2022 年"),
    neg("柳州市柳城县2022年开展了几场领导干部法治专题讲座？", ["广西壮族自治区", "柳州市", "柳城县"], "只有 2023 年"),
    neg("四川省人民政府2020年成立了几类法治专业小组？", ["四川省"], "只索引了四川省司法厅的报告"),
]

CONVERSATIONS = [
    [dict(fig("武汉市司法局2022年召开局党委会多少次？", "wuhan_sfj_2022.txt", "召开局党委会31次、中心组理论学习18次", "31次")),
     {"question": "其中中心组理论学习呢？", "asked": P("wuhan_sfj_2022.txt"),
      "gold": [ev("wuhan_sfj_2022.txt", "召开局党委会31次、中心组理论学习18次")], "answer": "18次"}],
    [dict(fig("新市区2024年召开了多少次政府常务会议？", "urumqi_xinshi_2024.txt",
              "召开政府常务会议13次,集体研究决定重大事项179件", "13次")),
     {"question": "那巫溪大河乡2025年召开了几次专题会议？", "asked": P("dahe_wuxi_2025.txt"),
      "gold": [ev("dahe_wuxi_2025.txt", "定期召开专题会议4次,研究解决法治建设重点问题12项")], "answer": "4次"}],
    [dict(fig("珠海高新区综治局2021年承办了多少宗行政诉讼案件？", "zhgx_zzj_2021.txt",
              "承办区管委会行政诉讼案件161宗,行政复议案件33宗", "161宗")),
     {"question": "行政复议呢？", "asked": P("zhgx_zzj_2021.txt"),
      "gold": [ev("zhgx_zzj_2021.txt", "承办区管委会行政诉讼案件161宗,行政复议案件33宗")], "answer": "33宗"},
     {"question": "上一年呢？", "asked": P("zhgx_zzj_2021.txt"), "gold": []}],
    [dict(fig("大中街道2025年司法所参与领导班子会议多少次？审核合同多少份？", "dazhong_dafeng_2025.txt",
              "司法所共参与领导班子会议9次、审核合同5份", "9次")),
     {"question": "该街道的法治工作格局是怎样的？", "asked": P("dazhong_dafeng_2025.txt"),
      "gold": [ev("dazhong_dafeng_2025.txt", "主要领导亲自抓、分管领导具体抓、各部门协同配合")]}],
    [{"question": "兆庆县2022年开展职工会法治学习几次？", "asked": P("fengjie_sthj_2022.txt"), "near_miss": "奉节县",
      "gold": [ev("fengjie_sthj_2022.txt", "全年共开展职工会法治学习6次")], "answer": "6次",
      "note": "“兆庆县”不存在；应提示已索引的奉节县（奉节县生态环境局）"},
     {"question": "那贺州市2020年城区空气优良率是多少？", "asked": P("hezhou_sthj_2020.txt"),
      "gold": [ev("hezhou_sthj_2020.txt", "贺州市城区环境空气质量优良率累计为95.9%")], "answer": "95.9%"}],
    [dict(fig("普陀区2020年推出了多少件“一件事”？", "sh_putuo_2020.txt",
              "推出了办咖啡店、开办便利店等22件有较高办件频率", "22件")),
     {"question": "那舟山的普陀区呢？", "asked": ["浙江省", "舟山市", "普陀区"], "gold": []}],
    [dict(items("measures", "钟山区荷城街道完善了哪些行政决策制度？", "hecheng_zhongshan_2022.txt",
                ev("hecheng_zhongshan_2022.txt", "街道完善各种行政决策制度,严格规范程序"),
                ["完善各方联动决策制度", "民生决策共议制度", "重大行政决策律师参与制度"])),
     {"question": "具体第三项是怎么做的？", "asked": P("hecheng_zhongshan_2022.txt"),
      "gold": [ev("hecheng_zhongshan_2022.txt", "三是重大行政决策律师参与制度")]}],
    [dict(fig("司法部2022年部署开展了多少项重点课题研究？", "sfb_2022.txt", "部署开展26项重点课题研究", "26项")),
     {"question": "去年呢？谁是第一责任人？", "asked": ["司法部"],
      "gold": [ev("sfb_2021_tw.txt", "黨組書記、部長唐一軍同志切實履行法治政府建設第一責任人職責")], "answer": "唐一軍"}],
]


def strip(row: dict) -> dict:
    return {k: v for k, v in row.items() if k != "type" or True}


def sources(obj) -> set[str]:
    out = set()
    for g in obj.get("gold", []):
        out.add(g["source"])
    for r in obj.get("rows", []) or []:
        out.add(r["source"])
    return out


def split_of(number: int, srcs: set[str]) -> str:
    if srcs:
        return "heldout" if srcs & HELD else "tune"
    return "heldout" if number % 3 == 0 else "tune"


def main() -> None:
    out = []
    for n, q in enumerate(QA, 1):
        row = {"id": f"r{n:03d}", **{k: v for k, v in q.items() if k != "note"}}
        if "note" in q:
            row["note"] = q["note"]
        row["split"] = split_of(n, sources(q))
        out.append(row)
    (HERE / "qa.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in out), encoding="utf-8")
    convs = []
    for n, turns in enumerate(CONVERSATIONS, 1):
        clean = []
        for t in turns:
            t = dict(t)
            t.pop("type", None)
            clean.append(t)
        srcs = set().union(*(sources(t) for t in clean))
        convs.append({"id": f"rc{n:02d}", "turns": clean, "split": split_of(n, srcs)})
    (HERE / "conversations.jsonl").write_text(
        "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in convs), encoding="utf-8")
    truth = []
    for i, t in enumerate(TRUTH, 1):
        t = {k: v for k, v in t.items() if k != "split"}
        t["split"] = "heldout" if i % 3 == 0 else "tune"
        truth.append(t)
    (HERE / "truth.jsonl").write_text("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in truth),
                                      encoding="utf-8")
    by = {}
    for r in out:
        by.setdefault((r["type"], r["split"]), 0)
        by[(r["type"], r["split"])] += 1
    print(f"{len(out)} questions, {len(convs)} conversations, {len(truth)} reports ({len(HELD)} held out)")
    for k in sorted(by):
        print(k, by[k])


if __name__ == "__main__":
    main()
