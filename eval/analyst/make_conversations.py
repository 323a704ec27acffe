"""Writes conversations.jsonl: analyst conversations over seeds/ (issue 19), 2–5 turns each, written the way
analysts type: several asks in one question, 其中…, 上一年, 该区, typos in place names, practice comparisons.

ids a01…; split = "heldout" when the id number is divisible by 3 (never tuned on), else "tune".
A turn gives what a right answer holds: ``source`` (the report it must cite; null: the answer is "not found"),
``answer`` (the figure), ``items`` (every list item), ``sides`` (every report a comparison must cite),
``parts`` (one such dict per part of a multi-part question), ``suggest`` (the place a near-miss name must be
offered as), ``asked`` (the region asked about) and ``replaces`` (slots the question names itself, so that
nothing of them may be inherited).
"""
import json
from pathlib import Path

XIXIU, ZQ, FS, XS, XQ = ("000_f67df9fa3c27168c.txt", "001_87d05bfae25b6d05.txt", "002_aec657a554914a18.txt",
                         "003_2373b27b21e9a1f8.txt", "004_52d06903635f611d.txt")
P = {XIXIU: ["贵州省", "安顺市", "西秀区"], ZQ: ["广东省", "肇庆市"], FS: ["山西省", "吕梁市", "方山县"],
     XS: ["云南省", "昆明市", "西山区"], XQ: ["四川省", "攀枝花市", "西区"]}


def maker(paths: dict):
    """A turn writer over ``paths`` (report → region path): t(question, source, answer, **more)."""
    def t(question, source=None, answer=None, **more):
        out = {"question": question, "source": source}
        if source:
            out["asked"] = list(paths[source])
        if answer:
            out["answer"] = answer
        out.update(more)
        return out
    return t


t = maker(P)


def part(source, answer=None, **more):
    return {"source": source, **({"answer": answer} if answer else {}), **more}


CONVERSATIONS = [
    [t("西秀区审计查出问题金额是多少万元？其中违规金额多少？", XIXIU,
       parts=[part(XIXIU, "307,695万元"), part(XIXIU, "46,459万元")]),
     t("管理不规范金额呢？", XIXIU, "260,234万元")],
    [t("西秀区2022年行政复议纠错率是多少？", XIXIU, "5.9%"),
     t("那行政诉讼败诉率呢？", XIXIU, "9.76%", replaces=["话题"]),
     t("西秀区审计查出问题金额是多少万元？其中违规金额多少？", XIXIU, replaces=["话题"],
       parts=[part(XIXIU, "307,695万元"), part(XIXIU, "46,459万元")])],
    [t("方山县法律援助中心受理多少件？", FS, "104"),
     t("其中刑事案件有多少？", FS, "81"),
     t("民事的呢？", FS, "23")],
    [t("方山县法律援助中心受理多少件？", FS, "104"),
     t("兆庆市全市行政诉讼一审案件有多少件？", ZQ, "650件", suggest="肇庆市", replaces=["地区", "话题"])],
    [t("方三县法律援助中心受理多少件？", FS, "104", suggest="方山县"),
     t("其中刑事案件有多少？", FS, "81")],
    [t("西绣区2022年审结行政复议案件多少件？", XIXIU, "17件", suggest="西秀区"),
     t("纠错率呢？", XIXIU, "5.9%")],
    [t("肇庆市网上可办的事项比例是多少？", ZQ, "99.96%", bold=True),
     t("马上可办呢？", ZQ, "99.87%", bold=True, replaces=["话题"]),
     t("就近可办的比例呢？", ZQ, "96.58%", bold=True)],
    [t("西秀区在行政执法方面做了什么？", XIXIU),
     t("具体做了哪几件事？", XIXIU, items=["深化执法体制改革", "加强重点领域执法", "规范行政执法行为"])],
    [t("比一下西秀区和西区在行政执法方面的做法，以及西区公示了多少执法人员？", XIXIU,
       parts=[part(XIXIU, sides=[XIXIU, XQ]), part(XQ, "460名")]),
     t("西区公开执法信息多少条？", XQ, "137条")],
    [t("西秀区2022年行政复议纠错率是多少？", XIXIU, "5.9%"),
     t("上一年呢？", XIXIU, "37.5%")],
    [t("方山县2021年县本级政府作为被告的行政诉讼案件共多少件？", FS, "30件"),
     t("该县法律援助中心受理多少件？", FS, "104"),
     t("其中刑事有多少？", FS, "81")],
    [t("西区2020年公示了多少行政执法人员？", XQ, "460名"),
     t("该区法律援助案件办理了多少件？", XQ, "283件", replaces=["话题"]),
     t("公证呢？", XQ, "252件")],
    [t("肇庆市行政诉讼一审案件有多少件？", ZQ, "650件"),
     t("那方山县呢？", FS, "30件", replaces=["地区"])],
    [t("西区2020年出庭应诉率是多少？", XQ, "100%"),
     t("肇庆市全市行政诉讼一审案件多少件？", ZQ, "650件", replaces=["地区", "年份", "话题"])],
    [t("西山区取消了多少项政府行政职权？", XS, "108项"),
     t("其中行政审批事项有多少？", XS, "63项"),
     t("西区群众对行政执法环境的总体满意度是多少？", XQ, "95.86%", replaces=["地区", "话题"])],
    [t("西区2020年办理法律援助案件多少件，办理公证多少件？", XQ,
       parts=[part(XQ, "283件"), part(XQ, "252件")]),
     t("法律帮助案件呢？", XQ, "223件")],
    [t("肇庆市网上可办事项比例是多少，以及就近可办比例是多少？", ZQ,
       parts=[part(ZQ, "99.96%"), part(ZQ, "96.58%")])],
    [t("西秀区2022年行政复议纠错率和行政诉讼败诉率分别是多少？", XIXIU,
       parts=[part(XIXIU, "5.9%"), part(XIXIU, "9.76%")]),
     t("审结了多少件行政复议案件？", XIXIU, "17件")],
    [t("西区2020年公开执法信息多少条？方山县2021年县本级政府作为被告的行政诉讼案件共多少件？", XQ,
       parts=[part(XQ, "137条"), part(FS, "30件")])],
    [t("西山区政务服务管理局2019年集中开展法律法规学习活动几次？", XS, "3次"),
     t("新办执法证多少人？", XS, "8人")],
    [t("肇庆市行政诉讼一审案件有多少件？", ZQ, "650件"),
     t("北京市的情况呢？", None),
     t("那西区呢？", XQ, "3件", replaces=["地区"])],
    [t("肇庆市2023年存在哪些问题？", ZQ, items=["立法主动适应改革发展需要还不够", "基层综合行政执法人员执法素质不高",
                                            "落实公众参与、合法性审查等法定决策程序停留在形式上",
                                            "高素质法治人才紧缺", "重视程度存在差距"]),
     t("下一步有哪些举措？", ZQ)],
    [t("庆肇市2023年行政机关负责人出庭应诉率是多少？", ZQ, "100%", suggest="肇庆市"),
     t("推动多少项市、县级政务服务事项下放？", ZQ, "156项")],
    [t("比较一下肇庆市和方山县在法律援助方面的做法", ZQ, sides=[ZQ, FS]),
     t("方山县法律援助中心受理多少件？其中刑事多少？", FS, parts=[part(FS, "104"), part(FS, "81")])],
]


def write(conversations: list, name: str, prefix: str) -> None:
    """One JSON line per conversation, ids prefix01…, held out when the id number is divisible by 3."""
    lines = [json.dumps({"id": f"{prefix}{i:02d}", "split": "heldout" if i % 3 == 0 else "tune", "turns": turns},
                        ensure_ascii=False) for i, turns in enumerate(conversations, 1)]
    Path(__file__).with_name(name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{name}: {len(lines)} conversations, {sum(len(c) for c in conversations)} turns")


if __name__ == "__main__":
    write(CONVERSATIONS, "conversations.jsonl", "a")
