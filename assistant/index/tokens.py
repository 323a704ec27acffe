"""Chinese word segmentation with jieba for BM25 and for matching quoted sentences to a question."""
from __future__ import annotations

import logging
import re
import sys
import threading

from assistant.text import normalize

_STOPWORDS = frozenset(
    "的 了 在 是 和 与 及 以及 等 对 为 有 也 都 就 而 并 或 其 之 中 上 下 个 这 那 该 此 把 被 从 向 将 于 由 "
    "哪些 哪些地方 哪个 哪 什么 多少 几 怎么 怎样 如何 吗 呢 啊 吧 请问 请 一下 是否 有没有 做 做了 干 干了 了吗 "
    "方面 情况 相关 关于 有关 具体 主要 分别 一共 总共 共 进行 开展 采取 通过 我 我们 你 您 它 他们 能 会 "
    "里 地方 时候 年 年度 报告 提到 说 讲".split()
)
_WORD = re.compile(r"[\u4e00-\u9fff]|[A-Za-z]+|\d+(?:\.\d+)?%?")

# Words of this genre that jieba's general dictionary splits badly ("下一步" → "下"/"一步").
DOMAIN_WORDS = (
    "下一步", "府院联动", "行政复议", "行政诉讼", "纠错率", "败诉率", "应诉率", "出庭应诉", "放管服",
    "法律援助", "法律顾问", "公职律师", "合法性审查", "规范性文件", "重大行政决策", "行政执法", "综合执法",
    "三项制度", "双随机", "一网通办", "最多跑一次", "告知承诺制", "权责清单", "营商环境", "法治督察",
    "普法", "八五普法", "七五普法", "民法典", "枫桥经验", "人民调解", "矛盾纠纷", "信访", "政务公开",
    "存在问题", "不足之处", "工作计划", "工作打算", "法治政府", "法治建设", "第一责任人", "述法",
)
_lock = threading.Lock()
_tokenizer = None


def _jieba():
    global _tokenizer
    with _lock:
        if _tokenizer is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            for word in DOMAIN_WORDS:
                tokenizer.add_word(word, freq=20000)
            _tokenizer = tokenizer
    return _tokenizer


def tokenize(text: str, search: bool = True) -> list[str]:
    """Segment text into search tokens: jieba's search mode over normalised text, no stopwords or punctuation.

    Args:
        text: any text; it is normalised first.
        search: jieba's search mode (also emits the words inside long words) for BM25;
            False for accurate mode, used to pick a question's key words.

    Example:
        >>> tokenize("肇庆在行政复议方面做了什么？")
        ['肇庆', '行政', '复议', '行政复议']
    """
    folded = normalize(text).lower()
    out = []
    cut = _jieba().cut_for_search if search else _jieba().cut
    for token in cut(folded):
        token = token.strip()
        if not token or token in _STOPWORDS or not _WORD.search(token):
            continue
        out.append(sys.intern(token))  # one shared object per word: a big corpus holds millions of tokens
    return out


def content_terms(text: str, drop: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """Distinct question words worth finding in an answer sentence (no stopwords, no ``drop`` words)."""
    seen: list[str] = []
    for token in tokenize(text, search=False):
        if token in drop or token in seen:
            continue
        if len(token) == 1 and not token.isdigit():
            continue
        seen.append(token)
    return seen
