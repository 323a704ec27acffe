"""How analysts phrase questions: the words that split a question into parts, relative years, short references
to the place being talked about, list-item asks and practice comparisons.

Data only (read by :mod:`assistant.search.question`, :mod:`assistant.search.parts` and
:mod:`assistant.conversation`). Kept apart from :mod:`assistant.lexicon` because none of it is used to
read a report: changing it must not re-read the index.
"""
from __future__ import annotations

# Relative years, resolved against the year the conversation is about (its year slot): offset in years.
# "去年同期" is last year; "同期"/"当年" alone is the slot's own year.
RELATIVE_YEARS = {"上一年度": -1, "上一年": -1, "上年度": -1, "上年": -1, "去年同期": -1, "去年": -1, "前一年": -1,
                  "前年": -2, "同期": 0, "当年": 0, "同年": 0, "下一年": 1, "次年": 1, "后一年": 1}

# Words that stand for the place being talked about ("该区", "这个县", "县政府", "县司法局"): the character
# after the demonstrative (or before the body) says what kind of place it must be.
PLACE_REFERENCE = (r"(?:该|这个|此|本|那个)(?P<kind>[省市县区州旗镇])|"
                   r"(?<![\u4e00-\u9fff])(?P<kind2>[省市县区])(?=(?:人民)?政府|委|司法局|[\u4e00-\u9fff]{1,6}局|法院|检察院)")
# The kind of place each reference character names (a 县 reference fits a 县 or an autonomous 县…).
REFERENCE_KINDS = {"省": ("省", "自治区", "市"), "市": ("市", "州", "盟", "地区"), "县": ("县", "旗", "市"),
                   "区": ("区",), "州": ("州",), "旗": ("旗",), "镇": ("镇", "乡", "街道")}

# Lead words that are not part of any place name: blanked before places are looked for ("比一下西秀区" is
# 西秀区), and not part of a topic either.
LEAD_WORDS = ("请比较一下", "请比较", "请对比", "比较一下", "比较", "对比一下", "对比", "比一比", "比一下", "对照一下",
              "请对", "请问", "请帮我查一下", "帮我查一下", "帮我查", "帮我看看", "查一下", "看一下", "看看", "想知道",
              "想了解", "我想问", "问一下", "对照")

# "比一下A和B在X方面的做法": a practice comparison: each report's measures on X, side by side.
PRACTICE_COMPARE = r"(?:比较|比一下|比一比|对比|对照|相比)[^，。？?！!；;]*(?:做法|举措|措施|经验|工作|情况|方面)"
# Connectors left between blanked place names ("请对 和 在…"): dropped from a topic.
CONNECTORS = r"^(?:和|与|及|以及|、|跟|同|在|对)+|(?:和|与|及|、|跟|同)+$"

# A question about the items of a list, not a count: "具体做了哪几件事？", "有哪些举措？".
LIST_ITEMS_ASKED = (r"哪几(?:件|项|个|条|方面|类)|哪些(?:做法|举措|措施|工作|事|事情|方面|内容|亮点|经验|成效)|"
                    r"有哪些|做了哪些|(?:什么|哪些)具体(?:做法|举措|措施)|"
                    r"(?:建立|健全|出台|制定|完善|开展|推出|推行|采取|落实|创新)了?哪些(?!地方|地区|报告|问题|不足)")

# Where one question holds several asks. Each is (name, pattern); :mod:`assistant.search.parts` splits
# where the pattern matches and both sides ask something.
SENTENCE_END = r"[？?！!。；;]+"
PART_MARKERS = r"[，,]?\s*(?:以及|另外|此外|同时|还有|并且|再者)\s*|[，,]\s*(?=其中)|(?<=[多少几么])\s*(?=其中)|[，,]\s*"
# Words that ask something: a part must hold one (or be a "其中…" / "…呢" part).
ASK_WORDS = (r"多少|几[件个项次人名家]?|哪些|哪几|哪个|哪家|哪里|哪儿|何时|什么|是否|有没有|如何|怎么|怎样|吗|呢|"
             r"做法|举措|措施|情况|比例|占比|是多少|率")
# A bare comma splits only between two pieces that each ask with one of these (not "几份报告里，…", a scope).
STRONG_ASK = r"多少|几(?:件|个(?!地方|地区|报告|城市|县|区|乡镇|街道|部门)|项|次|人|名|家|条|起|场)|哪些(?!地方|地区|报告|城市)|什么|是否|有没有|如何|怎么|怎样|吗|呢|是多少|率"
# "分别": a question whose places each carry their own year asks once per place.
RESPECTIVELY = r"分别|各自|各(?=是|为|有)"

# What a count of a thing is written in, where the question names the thing, not the unit ("多少执法人员" → 人).
COUNTED_NOUNS = {"人员": "人", "律师": "人", "干部": "人", "工作者": "人", "调解员": "人", "法律顾问": "人",
                 "案件": "件", "案子": "件", "事项": "项", "制度": "项", "文件": "件"}

# "具体第三项是怎么做的？": an item of the list the last answer gave, by its place in it.
ORDINAL_ITEM = r"第([一二三四五六七八九十两]{1,3}|\d{1,2})(?:项|条|点|个|件|方面)"
NUMERALS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
