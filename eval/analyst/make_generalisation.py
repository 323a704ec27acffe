"""Writes conversations_generalisation.jsonl: analyst conversations over eval/generalisation/reports (a tuning
folder of 20 reports of other provinces), in the format of :mod:`eval.analyst.make_conversations`: two
鼓楼区 of two cities and years, a department's report, typos that sound like the place, several asks in one.

ids g01…; split = "heldout" when the id number is divisible by 3 (never tuned on), else "tune".
"""
import json
from pathlib import Path

from eval.analyst.make_conversations import maker, part, write

HERE = Path(__file__).parent
TRUTH = {json.loads(l)["source"]: json.loads(l)["region_path"]
         for l in (HERE.parent / "generalisation" / "truth.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()}
FG21, FG22, NJ, NCC, NCX = ("fuzhou_gulou_2021.txt", "fuzhou_gulou_2022.txt", "nanjing_gulou_2020.txt",
                            "nanchang_city_2022.html", "nanchang_county_2022.txt")
YL, CC, SH, YS, YLS, XA = ("yiling_2023.txt", "chencang_2022.txt", "saihan_2024.txt", "yishui_2023.docx",
                           "yuelu_sifaju_2021.txt", "xian_gaoxin_2019.txt")


t = maker(TRUTH)


CONVERSATIONS = [
    [t("福州鼓楼区2022年收到多少件行政复议申请？", FG22, "73件"),
     t("上一年呢？", FG21, "58件")],
    [t("福州市鼓楼区2022年行政复议纠错率是多少？", FG22, "14.1%"),
     t("南京鼓楼区2020年办理了多少件行政复议案件？其中维持多少件？", NJ, replaces=["地区", "年份", "话题"],
       parts=[part(NJ, "94件"), part(NJ, "61件")])],
    [t("赛罕区2024年行政复议纠错率和行政诉讼败诉率分别是多少？", SH, parts=[part(SH, "9.6%"), part(SH, "3.8%")])],
    [t("夷陵区2023年受理了多少件行政复议申请？", YL, "61件"),
     t("陈沧区法律援助案件多少件？", CC, "498件", suggest="陈仓区", replaces=["地区", "话题"])],
    [t("塞罕区2024年培育了多少名法律明白人？", SH, "1580名", suggest="赛罕区"),
     t("受理行政复议申请多少件？", SH, "214件")],
    [t("沂水县2023年行政复议纠错率是多少？", YS, "8.5%"),
     t("宜陵区2023年行政诉讼败诉率是多少？", YL, "2.9%", suggest="夷陵区", replaces=["地区"])],
    [t("岳麓区司法局2021年审查了多少件区政府规范性文件？", YLS, "14件"),
     t("该区法律援助案件有多少件？", YLS, "1126件")],
    [t("福州鼓楼区2022年办了多少件法律援助案件，行政机关负责人出庭应诉率是多少？", FG22,
       parts=[part(FG22, "502件"), part(FG22, "100%")])],
    [t("南昌县2022年行政复议纠错率是多少？", NCX, "7.1%"),
     t("南昌市呢？", NCC, "14.2%", replaces=["地区"])],
    [t("赛罕区2024年存在哪些短板？", SH, items=["个别部门落实法治建设责任不够有力", "复议人员力量与案件数量不相匹配",
                                           "基层执法人员专业化程度不高"]),
     t("下一步有哪些举措？", SH, items=["健全学法用法长效机制", "充实复议人员力量", "开展执法人员分级分类培训"])],
    [t("西安高新区给多少家企业做了法治体检？", XA, "312家"),
     t("2019年行政诉讼败诉率是多少？", XA, "4.5%")],
    [t("比较一下夷陵区和赛罕区在行政复议方面的做法", YL, sides=[YL, SH]),
     t("赛罕区受理行政复议申请多少件？", SH, "214件")],
]


if __name__ == "__main__":
    write(CONVERSATIONS, "conversations_generalisation.jsonl", "g")
