"""Every word list and pattern of the domain, as plain data: the one place to change what the tool reads.

Headings, web chrome, metadata lines, years, stopwords, question intents and figure words live here
and nowhere else. Modules compile what they need from these strings. The content hash
(:func:`fingerprint`) is saved in the index manifest: an index built with another lexicon is
re-read (tokens, metadata and chunks) on the next update, with a message saying so.

Patterns are regular-expression sources matched against *folded* text (see ``assistant.text.normalize``:
NFKC, so full-width brackets and digits are already half-width), unless a comment says otherwise.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

# -- numbers and years -------------------------------------------------------------------------

CN_NUMERALS = "一二三四五六七八九十百"
YEAR = r"(?:19|20)\d{2}"
# A year in report text: "2022年" (the figure must be followed by 年).
YEAR_IN_TEXT = rf"(?<!\d)({YEAR})年"
# A year in a question: "2022年", "2022 年" or a bare "2022".
YEAR_IN_QUESTION = rf"(?<!\d)({YEAR})(?:\s*年|(?!\d))"
# A period: "2017-2019年", "2016—2020年".
YEAR_RANGE = rf"(?<!\d)({YEAR})\s*[-—–~至到]\s*({YEAR})年"
# The period a report says it covers: "现将2017-2019年……汇报如下", "现将西区2020年度……报告如下".
REPORTED_RANGE = rf"(?:现将|现就|兹将)[^。,，;；]{{0,20}}?({YEAR})[-—–~至到]({YEAR})年"
REPORTED_YEAR = rf"(?:现将|现就|兹将)[^。,，;；]{{0,20}}?({YEAR})年"
# A signature date: "2023年3月4日", or in Chinese numerals: "二〇二二年一月十八日".
DATE_CN = rf"({YEAR})年(\d{{1,2}})月(\d{{1,2}})日"
DATE_CN_NUMERALS = r"([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,2})月([一二三四五六七八九十]{1,3})日"
# Lines that close a report (signature, date, contact, attachments): never part of its last section.
CLOSING_LINE = r"^(?:[(（]?联系人|联系电话|附件[:：]?|抄送|印发)"

# -- the heading grammar -----------------------------------------------------------------------
# (level, pattern) at the start of a paragraph, outermost first. Real reports skip levels and
# mix styles; a heading closes every open heading of its own level or deeper.
HEADING_LEVELS = (
    (1, rf"[{CN_NUMERALS}]+[、.]|第[{CN_NUMERALS}]+(?:部分|章|节)"),   # 一、 / 第一部分
    (2, rf"\([{CN_NUMERALS}]+\)"),                                  # (一)
    (2, r"\)(?=[\u4e00-\u9fff])"),                                  # "(四" lost in scraping: ")增强…"
    (3, r"\d{1,2}[.、](?!\d)"),                                     # 1. / 1、 (not "2.5%")
    (4, r"\(\d{1,2}\)"),                                            # (1)
)
# A ")…" heading longer than this is body text that lost its opening bracket, not a heading.
BROKEN_HEADING_MAX = 40
# Sub-points inside a paragraph: "一是……二是……", after a sentence end or at the start.
SUBPOINT = rf"[{CN_NUMERALS}]{{1,3}}是"
# Inline numbered items inside a paragraph: "……。1、……2、……".
INLINE_NUMBER = r"(\d{1,2})[、.](?!\d)"
# Marks after which a sub-point or inline item may start.
ITEM_LEAD = "。；;：:"
# Marks that end a heading's own words ("一、主要做法。正文……").
HEADING_END = "。；;！？!?"

# -- sentences ---------------------------------------------------------------------------------

SENTENCE_END = "。！？；!?;"
CLOSING_QUOTES = "”’」』)）"

# -- web-page chrome (cleaning) ----------------------------------------------------------------
# A line holding one of these is dropped only when it is short or looks like a navigation bar,
# so a content sentence that mentions 无障碍 or 分享 survives. Matched on the raw line.
BOILERPLATE_MARKERS = (
    "长者助手", "市民登录", "政务邮箱", "邮件订阅", "网站无障碍", "无障碍浏览", "网站支持IPv6",
    "保护视力色", "字体大小", "分享到", "现在位置", "当前位置", "打印本页", "关闭窗口",
    "【打印】", "【关闭】", "扫一扫", "在手机打开", "收藏本页", "返回顶部", "浏览次数", "阅读次数",
    "上一篇", "下一篇", "相关链接", "网站地图", "版权所有", "主办单位", "ICP备",
)
NAV_HINTS = ("|", "｜", "[大]", "【大】", ">", "》 ")
BOILERPLATE_MAX_CHARS = 40          # a chrome marker on a line this short drops the line
# Lines that are noise on their own: "附件:", a page number, "- 3 -", "第2页 共9页".
LONE_NOISE = r"^(?:附件[:：]?|\d{1,4}|-\s*\d+\s*-|第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?)$"
# A paragraph ending in one of these is complete; the next line starts a new one.
PARAGRAPH_END = "。！？；：!?;:”’」』"
# A paragraph ending in one of these always continues on the next line.
CONTINUES_AFTER = ("，", ",", "、", "（", "(", "“", "《")
# Title and info lines: never joined to the next line.
TITLE_LIKE = r"^关于|(?:报告|报告书|情况|总结|汇报|通知)$|来源|发布时间|撰写时间|发布日期"

# -- metadata lines ----------------------------------------------------------------------------

# Names of issuing bodies end like this ("XX区人民政府", "XX局", "中共XX县委").
# Ministries of the State Council: a report they issue is national.
MINISTRY = (r"(?:应急管理|司法|生态环境|公安|民政|财政|商务|教育|科学技术|交通运输|水利|农业农村|文化和旅游|自然资源|"
            r"住房和城乡建设|人力资源和社会保障|工业和信息化|退役军人事务|国家安全|外交|国防)部")
ORG_SUFFIX = rf"(?:人民政府|政府|行政公署|公署|局|委员会|管委会|党工委|党委|党组|县委|市委|区委|委|办公室|办事处|管理处|厅|院|中心|司法所|{MINISTRY})$"
# "XX人民政府关于…" / "XX局2022年…": the issuer at the head of a title.
TITLE_ISSUER = (rf"^(?:关于)?(?:\d{{4}}年(?:度)?)?([\u4e00-\u9fff]{{0,30}}?(?:人民政府|行政公署|局|厅|委员会|管委会|办公室|"
                rf"办事处|{MINISTRY}))(?:关于|\d|法治政府|推进法治)")
PUBLISHED_LINE = rf"(?:发布时间|撰写时间|发布日期|成文日期|日期|时间)[:：]?\s*({YEAR})[-/.年](\d{{1,2}})[-/.月](\d{{1,2}})"
SOURCE_LINE = (r"(?:来源|发布机构|发文机关|发文单位)[:：]\s*([\u4e00-\u9fff]{2,30}?)"
               r"(?=\s|发布|撰写|时间|日期|发文|成文|[)）]|$)")
TITLE_MAX_CHARS = 70

# -- regions -----------------------------------------------------------------------------------

# Full region names that are also everyday words in these reports ("全区城区", "郊区").
COMMON_WORD_REGIONS = ("城区", "郊区", "矿区", "新区", "市辖区", "开发区")
# Suffixes stripped to make a short form (西秀区 → 西秀), longest first.
REGION_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "自治县", "自治旗",
                   "地区", "林区", "新区", "省", "市", "区", "县", "盟", "旗")
# The ethnic groups an autonomous place may be named after, dropped from its short form
# (恩施土家族苗族自治州 → 恩施, 互助土族自治县 → 互助; 鄂温克族自治旗 is named after its group → 鄂温克).
ETHNIC_GROUPS = ("汉族", "壮族", "回族", "满族", "维吾尔族", "苗族", "彝族", "土家族", "藏族", "蒙古族", "侗族", "布依族",
                 "瑶族", "白族", "朝鲜族", "哈尼族", "黎族", "哈萨克族", "傣族", "畲族", "傈僳族", "东乡族", "仡佬族",
                 "拉祜族", "佤族", "水族", "纳西族", "羌族", "土族", "仫佬族", "锡伯族", "柯尔克孜族", "景颇族", "达斡尔族",
                 "撒拉族", "布朗族", "毛南族", "塔吉克族", "普米族", "阿昌族", "怒族", "鄂温克族", "京族", "基诺族", "德昂族",
                 "保安族", "俄罗斯族", "裕固族", "乌孜别克族", "门巴族", "鄂伦春族", "独龙族", "赫哲族", "高山族", "珞巴族",
                 "塔塔尔族", "各族")
# How people shorten an autonomous place's kind: 互助土族自治县 is "互助县", 鄂温克族自治旗 "鄂温克旗".
AUTONOMOUS_KIND = {"自治县": "县", "自治旗": "旗", "自治州": "州"}
REGION_NAME_MAX = 12
# Places the gazetteer does not list, recognised by their shape: a name of 2–6 characters and one of
# these endings. Zone endings map to one canonical kind, so 黄山风景区 and 黄山风景名胜区 are one place.
ZONE_SUFFIXES = {
    "风景名胜区": "风景名胜区", "风景区": "风景名胜区", "高新技术产业开发区": "高新区", "高新技术开发区": "高新区",
    "高新区": "高新区", "经济技术开发区": "经济技术开发区", "经济开发区": "经济开发区", "经开区": "经济技术开发区",
    "开发区": "开发区", "新区": "新区", "工业园区": "工业园区", "保税区": "保税区", "管理区": "管理区",
}
TOWN_SUFFIXES = {"街道办事处": "街道", "街道": "街道", "镇": "镇", "乡": "乡", "苏木": "苏木"}
# Endings of county-level names the gazetteer may not know ("新城县"): questions still name a place.
COUNTY_SUFFIXES = ("自治县", "县", "区", "旗")
# A shaped name's stem never holds these (全区, 各乡镇, 本街道, 城乡, 省市县…).
NOT_IN_STEM = "省市县区镇乡街各全本我该每其此等个这那哪些多少几的地在和与及是了对为从向将于由到把被"
# Words that end like a place but are not one.
NOT_PLACES = (
    "辖区 社区 园区 景区 小区 山区 片区 老区 城区 郊区 市区 地区 矿区 灾区 牧区 校区 库区 营区 湾区 "
    "示范区 试验区 自贸区 保护区 功能区 生态区 服务区 商业区 工业区 居住区 核心区 主城区 中心城区 重点区 "
    "先行区 集聚区 引领区 实验区 开发区 新区 城镇 乡镇 村镇 集镇 重镇 名镇 强镇 古镇 特色小镇 家乡 城乡 下乡 "
    "返乡 老乡 城市 县城 街道 苏木 风景区 管理区 保税区 高新区 经开区 工业园区 小城镇 中心镇 重点镇 示范镇 特色镇 自治区 自治州 自治县 自治旗"
).split()
# A name found only by its shape never holds these words: "主持召开区", "面依法治区", "结合名胜区",
# "思想列入下太镇", "鲤城区人民政府金龙街道" are glued phrases, not places.
NOT_IN_SHAPE = ("召开", "主持", "通过", "深入", "结合", "列入", "思想", "依法", "法治", "全面", "推进", "名胜", "工作",
                "会议", "政府", "人民", "委员", "党委", "管委", "办公", "办事", "要求", "部署", "开展", "落实", "贯彻",
                "学习", "组织", "指导", "按照", "围绕", "聚焦", "加强", "完善", "建立", "健全", "实施", "印发", "提高", "提升")
# After a name found by its shape, these make it a strong position anywhere in a report: the place's own
# government or party body ("红旗镇人民政府", "金龙街道党工委", "X街道办事处").
ORG_AFTER_PLACE = r"^(?:人民政府|政府|党委|党工委|管委会|管理委员会|办事处|人大)"
# The level an addressee names by its word alone ("县委、县政府："): the report's place is not above it.
ADDRESSEE_LEVELS = {"市": 2, "州": 2, "县": 3, "区": 3, "旗": 3}
# An addressee line names the report's parent: "中共X市委、X市人民政府：", "区委、区政府：".
ADDRESSEE_LINE = r"^[\u4e00-\u9fff、，,（）() ]{1,40}(?:委|政府|常委会|人大|办公室|公署)[：:]$"
# What may come before the subject of a report's opening sentence: "2022年，", "2022年以来，",
# "在市委、市政府的坚强领导下，".
OPENING_SUBJECT = (r"(?:\d{4}年(?:度)?(?:以来)?[，,]?\s*|(?:一年来|今年以来|过去一年)[，,]?\s*)?(?:在[^，。]{0,30}(?:领导下|指导下)[，,]\s*)?"
                   r"(?:\d{4}年(?:度)?(?:以来)?[，,]?\s*)?")
# A site's or page's name: "XX区人民政府门户网站", "XX市人民政府" after a page title's separator.
SITE_NAME = r"([\u4e00-\u9fff]{2,24}?(?:人民政府|政府))(?:门户网站|网站|网)?"
# A department's name in a report that speaks as 我局/本局: "州生态环境局", "XX县司法局", "省生态环境厅".
DEPARTMENT = r"(?:^|[^\u4e00-\u9fff]|[，。；、：]|关于)([\u4e00-\u9fff]{2,16}?(?:局|厅))(?=[\d关于深认坚全始紧高按以在对把将围聚切扎积，,、\s]|$)"
NOT_DEPARTMENT_START = ("我", "本", "全", "各", "该", "有关", "相关", "市局", "县局", "区局")
# Words ending in 局 that name no department ("构建新发展格局").
NOT_DEPARTMENT_END = ("格局", "布局", "大局", "开局", "变局", "结局", "新局", "全局", "破局", "当局")
# A provincial department speaks of itself so ("现将我厅…"): a report at the province's level.
PROVINCE_DEPARTMENT_SELF = ("我厅", "本厅")
# A document number and its issuing prefix: "长朝委〔2024〕3号", "X政发[2023]12号".
DOC_NUMBER = r"([\u4e00-\u9fff]{2,8})\s*[〔\[【(（]\s*(?:19|20)\d{2}\s*[〕\]】)）]\s*\d{1,4}\s*号"
# An information-disclosure header's label before the title: "- 标题: …".
TITLE_LABEL = r"^[-–•·*\s]*(?:标题|题名|文件名称)\s*[:：]\s*"
# Provinces' one-character names (简称), as document numbers abbreviate them: "京朝政发" is 北京市朝阳区's.
PROVINCE_ABBREVIATIONS = {
    "北京市": "京", "天津市": "津", "上海市": "沪", "重庆市": "渝", "河北省": "冀", "山西省": "晋", "辽宁省": "辽",
    "吉林省": "吉", "黑龙江省": "黑", "江苏省": "苏", "浙江省": "浙", "安徽省": "皖", "福建省": "闽", "江西省": "赣",
    "山东省": "鲁", "河南省": "豫", "湖北省": "鄂", "湖南省": "湘", "广东省": "粤", "海南省": "琼", "四川省": "川",
    "贵州省": "黔", "云南省": "滇", "陕西省": "陕", "甘肃省": "甘", "青海省": "青", "台湾省": "台",
    "内蒙古自治区": "蒙", "广西壮族自治区": "桂", "西藏自治区": "藏", "宁夏回族自治区": "宁", "新疆维吾尔自治区": "新",
    "香港特别行政区": "港", "澳门特别行政区": "澳",
}
# A document number heading a title: "[天政发〔2026〕7号]天水市人民政府关于…".
TITLE_DOC_NUMBER = (r"^[\[【(（]?\s*[\u4e00-\u9fff]{2,8}\s*[〔\[【(（]\s*(?:19|20)\d{2}\s*[〕\]】)）]\s*\d{1,4}\s*号"
                    r"\s*[\]】)）]?\s*")
# A department's party group signs for the department: "中共青岛市交通运输局党组" is 青岛市交通运输局.
PARTY_GROUP = r"^中共(.{2,30}?(?:局|厅|委员会|办公室))(?:党组|党委)$"
# A department at the head of an opening sentence ("2022年,汕尾市交通运输局坚持…"): the report's issuer.
OPENING_DEPARTMENT = (r"^([\u4e00-\u9fff]{2,24}?(?:局|厅|委员会|办公室))(?=在|坚持|以|认真|深入|紧|全面|始终|围绕|按照|"
                      r"聚焦|立足|持续|不断|切实|积极|严格|党组|党委|[，,])")
# A department's branch in a county: "温州市生态环境局泰顺分局" is 泰顺's.
BRANCH_OFFICE = r"(?:局|厅)([\u4e00-\u9fff]{2,4}?)分局"
# A slogan naming a place by its stem: "法治舒桥建设", "平安X创建".
PLACE_SLOGAN = r"(?:法治|平安|美丽|幸福|魅力|数字|智慧|文明)([\u4e00-\u9fff]{2})(?:建设|创建)"
# Words a report uses for itself, and the kind of place they mean ("全省" → a province's report).
SELF_REFERENCE = {
    "province": ("我省", "全省", "本省", "省政府"),
    "city": ("我市", "全市", "本市", "市政府"),
    "county": ("我区", "全区", "本区", "区政府", "我县", "全县", "本县", "县政府", "我旗", "全旗"),
    "town": ("我镇", "全镇", "本镇", "镇政府", "我乡", "全乡", "本乡", "乡政府", "本街道", "我街道", "全街道"),
    "department": ("我局", "本局", "全局", "我委", "本委", "我办", "本部门", "我厅", "本厅"),
}
# Parenthesised periods and document names hold years that are not the year reported on:
# 《X市法治政府建设实施方案（2016—2020年）》.
DOCUMENT_NAME = r"《[^》]{0,80}》"
PERIOD_IN_BRACKETS = rf"[(（]\s*{YEAR}\s*[-—–~至到]\s*{YEAR}\s*年?\s*[)）]"
# A breadcrumb trail: "首页 > 政务公开 > 工作报告".
BREADCRUMB = r"(?:首页|主页|当前位置|您的位置|所在位置)\s*[>＞›»/|]|[>＞›»]\s*[\u4e00-\u9fff]{2,12}\s*[>＞›»]"
# "文章来源：司法局　更新时间：…" and its variants: the site's source line, not a title.
SOURCE_MARKERS = ("来源", "信息来源", "文章来源", "稿源", "发布机构", "发文机关")

# -- tokens (BM25 and key words) ---------------------------------------------------------------

# Dropped from BM25 tokens and from a question's key words.
STOPWORDS = tuple(
    "的 了 在 是 和 与 及 以及 等 对 为 有 也 都 就 而 并 或 其 之 中 上 下 个 这 那 该 此 把 被 从 向 将 于 由 "
    "哪些 哪些地方 哪个 哪 什么 多少 几 怎么 怎样 如何 吗 呢 啊 吧 请问 请 一下 是否 有没有 做 做了 干 干了 了吗 "
    "方面 情况 相关 关于 有关 具体 主要 分别 一共 总共 共 进行 开展 采取 通过 我 我们 你 您 它 他们 能 会 "
    "里 地方 时候 年 年度 报告 提到 说 讲".split()
)
# Words so common in these reports that finding them in a sentence says nothing about relevance:
# dropped from a question's key words (not from BM25 tokens).
GENERIC_TERMS = tuple(
    "工作 内容 怎么样 推进 加强 建设 法治政府 政府 法治 全年 今年 其中 这方面 些 各地 各区 各县 比较 对比 这两年 这几年 数是 数为 率是 率为 局查 几份 报告里".split()
)
# What counts as a token: one Chinese character (within a word), a Latin word, or a number.
TOKEN = r"[\u4e00-\u9fff]|[A-Za-z]+|\d+(?:\.\d+)?%?"
# Words of this genre that jieba's general dictionary splits badly ("下一步" → "下"/"一步").
DOMAIN_WORDS = (
    "下一步", "府院联动", "行政复议", "行政诉讼", "纠错率", "败诉率", "应诉率", "出庭应诉", "放管服",
    "法律援助", "法律顾问", "公职律师", "合法性审查", "规范性文件", "重大行政决策", "行政执法", "综合执法",
    "三项制度", "双随机", "一网通办", "最多跑一次", "告知承诺制", "权责清单", "营商环境", "法治督察",
    "普法", "八五普法", "七五普法", "民法典", "枫桥经验", "人民调解", "矛盾纠纷", "信访", "政务公开",
    "存在问题", "不足之处", "工作计划", "工作打算", "法治政府", "法治建设", "第一责任人", "述法",
)
DOMAIN_WORD_FREQ = 20000

# -- questions ---------------------------------------------------------------------------------

# A question with one of these asks for a figure: the answer must quote a sentence that states one.
FIGURE_WORDS = ("多少", "几", "比率", "比例", "数量", "金额", "人数", "件数", "多大", "占比", "总量", "规模",
                "纠错率", "败诉率", "满意度", "覆盖率", "办结率", "成功率", "应诉率", "有多", "数据")
# Named measures a figure question may ask about, longest first where one contains another.
METRICS = ("出庭应诉率", "调解成功率", "行政复议纠错率", "行政诉讼败诉率", "纠错率", "败诉率", "应诉率",
           "满意度", "覆盖率", "办结率", "成功率", "受理率", "结案率", "知晓率", "公开率", "网办率", "达标率",
           "案件数", "件数", "人数", "金额", "次数")
# How people ask, and the words reports use for it: a question with the phrase on the left is also
# read as asking for the words on the right (its own colloquial words are not required in the answer).
SYNONYMS = {
    "输官司": ("败诉",), "官司输": ("败诉",), "打输": ("败诉",), "输了": ("败诉",), "有没有输": ("败诉",),
    "输的比例": ("败诉率",), "打官司": ("行政诉讼",), "当被告": ("行政诉讼", "被告"), "被人告": ("行政诉讼", "应诉"),
    "被起诉": ("行政诉讼", "应诉"), "民告官": ("行政诉讼",), "告政府": ("行政诉讼",), "一把手出庭": ("出庭应诉",),
    "负责人出庭": ("出庭应诉",), "纠正": ("纠错",), "改正": ("纠错",), "申请复议": ("行政复议",),
    "免费律师": ("法律援助",), "请不起律师": ("法律援助",), "免费打官司": ("法律援助",), "帮打官司": ("法律援助",),
    "到庭": ("出庭应诉",), "告上法庭": ("行政诉讼",), "领导出庭": ("出庭应诉",), "上法庭": ("行政诉讼",), "法律顾问": ("法律顾问",), "红头文件": ("规范性文件",),
    "热线": ("12345", "热线"), "市民热线": ("12345", "热线"), "投诉电话": ("12345",), "满意率": ("满意度",), "跑腿": ("政务服务",),
    "网上办": ("网办",), "网上就能办": ("网办",), "网上能办": ("网办",), "砍掉": ("精简", "精简率"), "砍了": ("精简", "精简率"), "少跑腿": ("最多跑一次",), "普法宣传": ("普法",), "法治宣传": ("普法",), "执法证": ("执法证件",), "调解": ("人民调解",),
}
# Units a figure can carry, longest first ("人次" before "人").
FIGURE_UNITS = ("个百分点", "个工作日", "人次", "场次", "万元", "亿元", "平方米", "公里", "课时", "学时", "小时", "件", "起",
                "宗",
                "例", "个", "项", "家", "份", "条", "次", "场", "期", "人", "名", "户", "篇", "所", "批", "单", "处", "座",
                "台", "辆", "册", "本", "亩", "天", "元", "类", "支", "位", "%", "‰")
# The unit a question asks for ("多少件" → 件); units in one tuple are the same kind of count.
ASKED_UNITS = {
    "件": ("件", "起", "宗", "例"), "起": ("件", "起", "宗", "例"), "宗": ("件", "起", "宗", "例"),
    "人": ("人", "名", "人次"), "名": ("人", "名", "人次"), "人次": ("人次", "人"), "次": ("次", "场", "期", "人次", "件", "场次"),
    "单": ("件", "单"),
    "场": ("场", "次", "期", "场次"), "场次": ("场次", "场", "次", "期"),
    "期": ("期", "次", "场", "场次"), "个": ("个", "家", "项", "所"), "家": ("家", "个", "户"),
    "项": ("项", "个", "条"), "份": ("份", "件"), "条": ("条", "项"), "万元": ("万元", "亿元", "元"), "元": ("元", "万元", "亿元"),
    "户": ("户", "家"), "篇": ("篇",),
    "类": ("类", "项"), "支": ("支",), "位": ("位", "名"),   # 几类小组, 几支执法队伍, 排名第几位
}
# Words that name a count's unit without saying "多少X": "案件数" counts 件.
UNIT_WORDS = {"案件数": "件", "件数": "件", "受理数": "件", "收案数": "件", "办结数": "件", "多少钱": "万元", "人数": "人", "金额": "万元", "罚没款": "万元", "罚没": "万元", "罚款": "万元",
              "资金": "万元", "经费": "万元", "次数": "次", "数量": ""}
# Verbs that say which count a figure is ("受理61件" is not "收到68件"): a clause with the asked verb
# wins, one with another of them loses.
COUNT_VERBS = ("受理", "收到", "审结", "办结", "纠错", "维持", "撤销", "驳回", "调解", "化解", "立案", "结案",
               "败诉", "胜诉", "出庭", "审查", "备案", "公示", "培训", "检查", "处罚", "罚没", "收案", "接收", "登记")
# Names reports give the same rate: an exam's 合格率 is its 通过率.
RATE_ALIASES = {"合格率": ("通过率",), "通过率": ("合格率",)}
# The level of an honour or a body: a figure asked at one level ("省级示范村") is not one stated at another
# ("全国民主法治示范村").
SCOPE_WORDS = {"全国": "national", "国家级": "national", "省级": "province", "市级": "city", "县级": "county"}
# A clause with these states a target or a shortfall, not what was achieved ("力争达到98%以上").
TARGET_WORDS = ("力争", "确保", "目标", "未达到", "尚未达到", "争取", "预计", "计划", "仍未")
# Kinds of cases a figure counts: a figure asked about one kind is never read from a sentence that
# names another ("行政诉讼一审案件650件" is not a 行政复议 count).
CASE_FIELDS = ("行政复议", "行政诉讼", "法律援助", "人民调解", "信访", "行政处罚", "行政许可", "公证", "仲裁", "12345",
               "法律顾问", "规范性文件", "重大行政决策", "行政执法")
# A clause saying a thing did not happen states its figure: "未发生行政复议案件".
NONE_HAPPENED = ("未发生", "没有发生", "零发生", "无一")
# A term a question puts in quotes (“法律明白人”): asked as one thing, which a passage must name.
QUOTED = r"[“\"「『]([^”\"」』]{2,12})[”\"」』]"
# Kinds of body, not bodies: left of a place's name they name no particular issuer.
BODY_KINDS = ("管委会", "管理委员会", "人民政府办事处", "办事处", "街道办事处", "行政公署", "党工委", "委员会", "办公室")
# A government's own name for itself: "X省人民政府的报告" asks for its report, not a department's.
GOVERNMENT_WORDS = ("人民政府",)
# The words a body uses for its own place's level ("区司法局", "市医保局", "州生态环境局").
LEVEL_WORDS = "省市州县区旗盟"
# How sure an issuer is, by where it was read: a signature or title names it; a 来源 line is the site's;
# the body's 我局 or the region's government is a guess.
ISSUER_CONFIDENCE = {"signature": 1.0, "title": 0.95, "source": 0.8, "opening": 0.8, "body": 0.5}
# The body that governs a place of this ending, when it is not a 人民政府: a street's 办事处.
GOVERNMENT_OF = {"街道": "办事处", "zone": "管委会"}
# How a national body's full name starts ("中华人民共和国司法部"); questions leave it out.
STATE_PREFIX = "中华人民共和国"
# A question's word that names a body, not a topic ("市场监管局", "自规局", "司法厅").
BODY_ENDINGS = ("局", "厅", "委", "办", "政府", "管委会")
# What may not have happened to cases that did happen: "未发生…被纠错" is no answer to how many cases.
OUTCOME_WORDS = ("被纠错", "纠错", "败诉", "被撤销", "撤销", "被确认违法", "确认违法")
# Lead-ins to a list: "主要表现在：", "具体如下：".
LIST_LEAD_INS = ("主要表现在", "主要表现为", "具体表现在", "具体如下", "主要有", "如下", "表现在以下", "以下几个方面")
# Words too general to decide whether a report "has" something ("建立了…机制"): a places question
# needs the rest of its words.
GENERIC_ACTIONS = tuple(
    "建立 建成 出台 制定 开展 推行 实施 实行 推进 落实 设立 成立 印发 完善 健全 加强 深化 创新 机制 制度 工作 规定 办法 "
    "措施 有关 相关 建设 体系 方面 管理 情况 地方 地区 报告 提到 发挥 作用 积极 充分 有效 不断 进一步 坚持".split()
)
# A question asking "how high / what share" asks for a rate.
RATE_ASKED = ("比例", "比率", "多高", "百分之", "占比", "几成")
# Problems and plans questions should land in those sections, which every report has.
# (asked: the question asks for it; heading: a section heading that holds it)
PROBLEMS_ASKED = (r"(?:存在|有|哪些|什么|主要|突出|面临)[的些]?(?:问题|不足|短板|困难|差距|薄弱)|不足|短板|薄弱环节|"
                  r"(?:问题|困难)(?:和|与|及)?(?:不足|困难)?[?？]?$")   # not the 问题 inside "查出问题金额"
PROBLEMS_HEADING = r"问题|不足|困难|差距|短板|薄弱"
PLANS_ASKED = r"下一步|计划|打算|今后|明年|思路|接下来|将来|未来|(?:工作|什么|哪些)安排"
PLANS_HEADING = r"下一步|计划|打算|安排|思路|展望|今后"
# "哪些地方…", "各地…": questions across all reports.
CROSS_REPORT = r"哪些地方|哪些地区|哪个地方|哪些区县|哪些(?:乡镇|街道|县市?区?|城市|市|省份?)|各地|哪里|哪些报告|所有报告|几份报告|各份报告|这些报告|哪几个|各(?:区县|县区|县市区|区|县|市|乡镇|街道)|所辖|下辖"
# Of those, the ones that ask for a comparison of one figure across reports.
COMPARE_ASKED = r"各地|分别|比较|对比|相比|各(?:有|是|为)?(?:多少|几)|几份报告|各份报告"
# "…做了什么" / "…有哪些措施": a list of measures.
MEASURES_ASKED = (r"做了(?:什么|哪些)|采取了?(?:什么|哪些)|(?:哪些|什么)(?:措施|举措|做法|工作)|怎么做|"
                  r"(?:怎么|怎样|如何)(?:通过|推进|开展|加强|做好|落实|保障|守护|化解|解决|规范|提升|优化|应对|做到)")

# -- follow-up questions -----------------------------------------------------------------------

FOLLOW_LEAD = r"^(?:那么|那|那在|那个|还有|另外|再问一下|再问|再说说|请问|再看看|换成|换个地方|如果是)[,，、\s]*"
FOLLOW_TAIL = r"[,，\s]*(?:的情况|情况|怎么样|如何|呢|吗)*[?？。!！\s]*$"
PRONOUNS = r"(?:其中|它们|它|这方面|这一方面|那方面|该报告|该地|该|此项|上述|同样|这个|这些|那里|这里|当地)"
# "其中…", "这方面…": narrow the previous topic rather than replace it.
NARROWING = r"其中|这方面|这一方面|此项|上述|这些"
# Cues that a question leans on the previous turn.
FOLLOW_CUES = r"^(?:那|还有|另外|再)|[呢吗]\s*[?？]?\s*$|其中|它|这方面|该|上述|下一步|接下来|同样|这些|那里|当地"


# -- indicators (指标总览) ---------------------------------------------------------------------
# The indicator catalogue and the report elements are tables of their own (assistant/indicators/*.tsv,
# read by assistant.indicators.catalogue); their text is part of the fingerprint, so editing them
# re-reads every report on the next update, like any list above.
INDICATOR_TABLES = "\n".join((Path(__file__).parent / "indicators" / name).read_text(encoding="utf-8")
                             for name in ("catalogue.tsv", "elements.tsv"))
# Words in a figure's own words saying it is a target, a requirement or a plan, not the year's result.
INDICATOR_TARGETS = TARGET_WORDS + ("必须", "要求", "应当", "不低于", "不少于")
# A count after one of these in its sentence is a part of the count before it ("…46362件，其中，行政许可27909件").
INDICATOR_BREAKDOWN = ("其中", "包括")
# Words before a count that say it is a total ("全年共办理…"): a headline figure beats a part of it.
INDICATOR_TOTALS = ("共", "累计", "全年", "合计", "总计", "总数", "全县", "全区", "全市", "全省")


def fingerprint() -> str:
    """A short hash of every list and pattern above; saved in the index manifest."""
    digest = hashlib.sha256()
    for name in sorted(n for n in globals() if n.isupper()):
        digest.update(f"{name}={globals()[name]!r}\n".encode("utf-8"))
    return digest.hexdigest()[:16]
