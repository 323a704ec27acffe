"""Read a question once into a `Question`: places, years, intent, metric, key words and follow-up cues.

Everything downstream (retriever, answer composer, follow-up rewriter) takes the `Question`; none of
them reads the question's text again. A follow-up's standalone question is composed from the parsed
parts of this turn and the last (see :mod:`assistant.conversation`).
"""
from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field, replace

from assistant import lexicon
from assistant.index.tokens import key_terms, tokenize
from assistant.regions import find_mentions, gazetteer
from assistant.search import cues
from assistant.search.catalog import Catalog
from assistant.search.nearmiss import NearIndex, Suggestion, suggest
from assistant.text import normalize

MAX_CHARS = 500   # longer questions are cut here; the answer says so

_YEAR = re.compile(lexicon.YEAR_IN_QUESTION)
_PROBLEMS_ASKED = re.compile(lexicon.PROBLEMS_ASKED)
_PLANS_ASKED = re.compile(lexicon.PLANS_ASKED)
_CROSS = re.compile(lexicon.CROSS_REPORT)
_COMPARE = re.compile(lexicon.COMPARE_ASKED)
_MEASURES = re.compile(lexicon.MEASURES_ASKED)
_QUOTED = re.compile(lexicon.QUOTED)
_LEAD = re.compile(lexicon.FOLLOW_LEAD)
_TAIL = re.compile(lexicon.FOLLOW_TAIL)
_PRONOUNS = re.compile(lexicon.PRONOUNS)
_NARROW = re.compile(lexicon.NARROWING)
_FOLLOW = re.compile(lexicon.FOLLOW_CUES)
_GENERIC = frozenset(lexicon.GENERIC_TERMS)
_RELATIVE = re.compile("|".join(sorted(map(re.escape, cues.RELATIVE_YEARS), key=len, reverse=True)))
_REFERENCE = re.compile(cues.PLACE_REFERENCE)
_LEAD_WORDS = re.compile("|".join(sorted(map(re.escape, cues.LEAD_WORDS), key=len, reverse=True)))
_LIST_ITEMS = re.compile(cues.LIST_ITEMS_ASKED)
_PRACTICE = re.compile(cues.PRACTICE_COMPARE)
_CONNECTORS = re.compile(cues.CONNECTORS)
_ORDINAL = re.compile(cues.ORDINAL_ITEM)

# Section kinds a question may ask for, in order of precedence.
PROBLEMS, PLANS = "problems", "plans"
INTENTS = ("practices", "compare", "places", PROBLEMS, PLANS, "figure", "measures", "other")


@dataclass(frozen=True)
class RegionRef:
    """A region the question names: its full name (西湖区), the words that named it (西湖), and the places the
    question names above it, which constrain it: "南昌市西湖区" is not 杭州市西湖区."""

    name: str
    words: str
    parents: tuple[str, ...] = ()
    kind: str = ""

    @property
    def path(self) -> tuple[str, ...]:
        return self.parents + (self.name,)

    @property
    def label(self) -> str:
        return "".join(self.path)


@dataclass(frozen=True)
class YearRef:
    """A year the question names, and the words that named it ("2022年")."""

    year: int
    words: str


@dataclass(frozen=True)
class Topic:
    """What a question asks about, without its places, years, lead-ins and pronouns ("行政复议纠错率是多少").

    A follow-up that names no topic borrows the previous one; "其中…" narrows it (:meth:`join`).
    """

    text: str = ""
    terms: tuple[str, ...] = ()
    figure: bool = False
    section: str = ""
    metric: str = ""

    def join(self, other: "Topic") -> "Topic":
        """This topic narrowed by ``other``: "行政复议" + "刑事案件有多少" asks both."""
        return Topic(f"{self.text} {other.text}".strip(), _unique(self.terms + other.terms),
                     self.figure or other.figure, self.section or other.section, other.metric or self.metric)


@dataclass(frozen=True)
class Question:
    """A question as the tool understood it. Build one with :func:`analyze`.

    ``text`` is what is searched (folded): the question itself, or for a follow-up the standalone
    question composed from the chat so far. ``terms`` are the key words an answer sentence should
    contain (no places, years, issuers or generic words); ``tokens`` are its BM25 tokens.

    Example:
        >>> q = analyze("西湖区2021年行政复议纠错率是多少？")
        >>> q.years[0].year, q.intent, q.metric, q.terms
        (2021, 'figure', '纠错率', ('行政复议', '纠错率'))
    """

    raw: str
    text: str
    regions: tuple[RegionRef, ...] = ()
    years: tuple[YearRef, ...] = ()
    issuers: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    tokens: tuple[str, ...] = ()
    place_tokens: tuple[str, ...] = ()   # the tokens of its places and issuers: ranked by only without a filter
    quoted: tuple[str, ...] = ()   # what it puts in quotes (“法律明白人”): one term a passage must name
    figure: bool = False
    section: str = ""            # problems / plans: the kind of section that holds the answer
    metric: str = ""             # the measure a figure question asks about ("纠错率")
    cross: bool = False          # about all reports ("哪些地方…", "各地…")
    compare: bool = False        # one figure across reports ("各地…分别是多少")
    measures: bool = False       # a list of measures ("…做了什么")
    topic: Topic = field(default_factory=Topic)
    follows: bool = False        # leans on the previous turn ("那…呢？", "其中…")
    narrows: bool = False        # narrows the previous topic ("其中…")
    carried: tuple[str, ...] = ()  # what a follow-up took from earlier turns: 地区 / 年份 / 话题
    truncated: bool = False      # cut at MAX_CHARS
    relative: tuple[tuple[str, int], ...] = ()   # relative years said ("上一年", -1): resolved against the chat's year
    reference: str = ""          # words that stand for the place talked about ("该区", "县司法局" → "县")
    reference_kind: str = ""     # the kind of place the reference names (县, 区, 市…)
    suggestion: Suggestion | None = None   # a near-miss place name and the indexed place it probably means
    practice: bool = False       # compares practices of several places ("比一下A和B在X方面的做法")
    list_items: bool = False     # asks for the items of a list ("具体做了哪几件事"), not a count
    previous: tuple = field(default=(), compare=False)   # the previous answer's cited passages (Hits), for "其中…"
    sub: Topic = field(default_factory=Topic)   # a narrowing question's own topic ("刑事案件有多少")
    decisions: tuple = field(default=(), compare=False)   # how each slot was filled (conversation.SlotDecision)
    ordinal: int = 0             # "第三项": the item of the last answer's list it asks about (1-based)
    item: str = ""               # that item's words, as the last answer quoted them

    @property
    def intent(self) -> str:
        """One of :data:`INTENTS`: what kind of answer the question wants."""
        if self.practice:
            return "practices"     # "比一下A和B在行政执法方面的做法"
        if self.compare and self.figure:
            return "compare"       # "各地…分别是多少", "这两年…分别是多少件"
        if self.cross:
            return "places"
        if self.section:
            return self.section
        if self.figure:
            return "figure"
        return "measures" if self.measures else "other"

    @property
    def region_names(self) -> tuple[str, ...]:
        return tuple(r.name for r in self.regions)

    @property
    def region_paths(self) -> tuple[tuple[str, ...], ...]:
        return tuple(r.path for r in self.regions)

    @property
    def year_values(self) -> tuple[int, ...]:
        return tuple(y.year for y in self.years)

    @property
    def mentions(self) -> tuple[str, ...]:
        """The words that named places and years."""
        return tuple(r.words for r in self.regions) + tuple(y.words for y in self.years)

    @property
    def has_chinese(self) -> bool:
        return bool(re.search(r"[\u4e00-\u9fff]", self.raw))

    def to_dict(self) -> dict:
        return {"raw": self.raw, "text": self.text, "intent": self.intent,
                "regions": [r.label for r in self.regions], "years": [y.year for y in self.years],
                "issuers": list(self.issuers), "metric": self.metric, "terms": list(self.terms),
                "topic": self.topic.text, "carried": list(self.carried), "truncated": self.truncated,
                "suggestion": self.suggestion.to_dict() if self.suggestion else None,
                "slots": [d.to_dict() for d in self.decisions]}


def analyze(text: str, catalog: Catalog | None = None) -> Question:
    """Read ``text`` once into a Question, against the reports in ``catalog``.

    Short forms of districts and counties (西秀, 方山) match only for indexed regions, because short
    county names are often ordinary words; a name shared by several regions resolves to the one an
    indexed report is in.
    """
    catalog = catalog or Catalog()
    raw = (text or "").strip()
    truncated = len(raw) > MAX_CHARS
    raw = raw[:MAX_CHARS]
    folded = normalize(raw)
    # Relative years, lead words ("比一下") and references ("该区", "县政府") are no part of a place name:
    # "上一年县司法局" names no place called 上一年县.
    relative = tuple((m[0], cues.RELATIVE_YEARS[m[0]]) for m in _RELATIVE.finditer(folded))
    leads = tuple(m[0] for m in _LEAD_WORDS.finditer(folded))
    seen = _mask(folded, [m.span() for m in _RELATIVE.finditer(folded)]
                 + [m.span() for m in _LEAD_WORDS.finditer(folded)])
    reference = _REFERENCE.search(seen)
    if reference:
        seen = _mask(seen, [reference.span("kind") if reference.group("kind") else reference.span()])
    regions, region_words, taken = _regions(seen, catalog)
    suggestion = None
    if not any(_indexed(r, catalog) for r in regions):
        suggestion = suggest(seen, _indexed_places(catalog), taken)
        if suggestion is not None:
            end = suggestion.start + len(suggestion.said)
            kept = tuple(r for r in regions if not suggestion.start <= seen.find(r.words) < end)
            best = suggestion.best
            regions = (RegionRef(best.name, suggestion.said),) + kept
            region_words = region_words + (suggestion.said,)
    years = _years(folded)
    asks = tuple(m[0] for m in _LIST_ITEMS.finditer(folded))   # "哪几件事": how it asks, not what about
    ordinal = _ORDINAL.search(folded)
    asks += (ordinal[0],) if ordinal else ()
    words = region_words + tuple(y.words for y in years) + tuple(w for w, _ in relative) + leads + asks
    if reference:
        words += (reference[0],)
    issuers = tuple(w for w in catalog.issuers if w in folded)
    drop = set(_GENERIC) | set(issuers)
    for word in words + tuple(r.name for r in regions):
        drop.add(word)
        drop.update(tokenize(word))
    words += issuers   # blanked out too: an issuer picks the report; "政务服务" after it may still be the topic
    said, meant = _synonyms(folded)
    for phrase in said:
        drop.update(key_terms(phrase))
    topic = _topic(folded, words, frozenset(drop), meant)
    terms = _unique(tuple(key_terms(_blank(folded, words), frozenset(drop))) + meant)
    # Places and issuers are filters, not words to rank by: every passage of the report holds them, and
    # the shortest (a signature line) would win on them.
    ranked = _blank(folded, region_words + issuers + leads) if regions or issuers else _blank(folded, leads)
    list_items = bool(asks)
    figure = _asks_figure(raw) and not list_items
    practice = bool(_PRACTICE.search(folded)) and len(regions) >= 2 and not figure
    kind = ""
    if reference:
        kind = reference.group("kind") or reference.group("kind2") or ""
    return Question(
        raw=raw, text=folded, regions=regions, years=years, issuers=issuers,
        terms=terms, tokens=tuple(tokenize(ranked)) + tuple(t for m in meant for t in tokenize(m)),
        place_tokens=tuple(t for w in region_words + issuers for t in tokenize(w)),
        figure=figure, section=_section(folded), metric=_metric(folded, meant),
        cross=bool(_CROSS.search(folded)), compare=bool(_COMPARE.search(folded)) and not practice,
        measures=bool(_MEASURES.search(folded)) or list_items, topic=replace(topic, figure=figure),
        follows=(bool(_FOLLOW.search(folded.strip())) or bool(relative) or bool(reference) or bool(ordinal)
                 or (list_items and not regions and not topic.terms)),   # "具体做了哪几件事？"
        narrows=bool(_NARROW.search(folded)),
        truncated=truncated, quoted=tuple(normalize(m) for m in _QUOTED.findall(raw)),
        relative=relative, reference=reference[0] if reference else "", reference_kind=kind,
        ordinal=_number(ordinal[1]) if ordinal else 0,
        suggestion=suggestion, practice=practice, list_items=list_items)


def _number(said: str) -> int:
    """"三" → 3, "十二" → 12, "4" → 4."""
    if said.isdigit():
        return int(said)
    if said.startswith("十"):
        return 10 + cues.NUMERALS.get(said[1:], 0)
    if "十" in said:
        tens, _, ones = said.partition("十")
        return cues.NUMERALS.get(tens, 0) * 10 + cues.NUMERALS.get(ones, 0)
    return cues.NUMERALS.get(said, 0)


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with ``spans`` blanked by as many spaces (positions kept)."""
    chars = list(text)
    for a, b in spans:
        chars[a:b] = " " * (b - a)
    return "".join(chars)


def _indexed(region: RegionRef, catalog: Catalog) -> bool:
    """Whether an indexed report is about the region (or a place under it)."""
    return any(region.name in m.region_path or region.name == m.region for m in catalog.metas.values())


_PLACES_OF: "weakref.WeakKeyDictionary[Catalog, dict]" = weakref.WeakKeyDictionary()


def _indexed_places(catalog: Catalog) -> NearIndex:
    """Every place an indexed report is about (and its parents), keyed for near misses; once per catalog."""
    cached = _PLACES_OF.get(catalog)
    if cached is not None:
        return cached
    out: dict[str, tuple[str, ...]] = {}
    for meta in catalog.metas.values():
        for i, name in enumerate(meta.region_path):
            out.setdefault(name, tuple(meta.region_path[:i + 1]))
    _PLACES_OF[catalog] = index = NearIndex(out)
    return index


def standalone(question: Question, regions: tuple[RegionRef, ...], years: tuple[YearRef, ...], topic: Topic,
               carried: tuple[str, ...]) -> Question:
    """The question to search for a follow-up: places, years and topic as the chat so far settled them.

    Its text is composed from those parts ("方山县 行政复议方面做了什么"); only its BM25 tokens are
    computed from that text. Nothing is read from it again.
    """
    parts = [r.label for r in regions] + [f"{y.year}年" for y in years] + [topic.text]
    text = normalize(" ".join(p for p in parts if p).strip()) or question.text
    ranked = normalize(" ".join(p for p in parts[len(regions):] if p)) if regions else text
    return replace(question, text=text, regions=regions, years=years, terms=topic.terms,
                   tokens=tuple(tokenize(ranked)), place_tokens=tuple(t for r in regions for t in tokenize(r.label)),
                   figure=topic.figure, section=topic.section,
                   metric=topic.metric, topic=topic, carried=carried)


# -- the parts --------------------------------------------------------------------------------------

def _regions(folded: str, catalog: Catalog
             ) -> tuple[tuple[RegionRef, ...], tuple[str, ...], tuple[tuple[int, int], ...]]:
    """Regions named, the deepest of each parent/child pair ("攀枝花西区" names one place: 西区, under
    攀枝花市), the words of every region mention, parents included (none of them is a key word), and the
    spans of the mentions that are real places (gazetteer or indexed), which are never near misses.

    Two places of one name under different parents stay two ("北京朝阳区…和长春朝阳区…")."""
    mentions = find_mentions(folded, catalog.known_short, known=catalog.known_places)
    places = [catalog.resolve(m.places) for m in mentions]
    out: list[RegionRef] = []
    for i, (place, mention) in enumerate(zip(places, mentions)):
        if any(place.name in other.parents for j, other in enumerate(places) if j != i):
            continue   # a parent named to say which child: a constraint, not a place of its own
        parents = tuple(dict.fromkeys(p.name for p in places if p.name in place.parents))
        if place.parents and place.parents[-1] not in parents and len(mention.places) == 1 < len(
                gazetteer()[0].get(place.name, ())):
            # "永定下洋镇": the county's short name picked one 下洋镇 of three; that county constrains it.
            parents = tuple(p for p in place.parents if p in parents or p == place.parents[-1])
        ref = RegionRef(place.name, mention.text, parents, place.kind)
        if all((r.name, r.parents) != (ref.name, ref.parents) for r in out):
            out.append(ref)
    taken = tuple((m.start, m.start + len(m.text)) for m, p in zip(mentions, places)
                  if p.known or p.name in catalog.known_places or p.kind in ("province", "city"))
    return tuple(out), tuple(m.text for m in mentions), taken


def _years(folded: str) -> tuple[YearRef, ...]:
    out: list[YearRef] = []
    for match in _YEAR.finditer(folded):
        year = int(match[1])
        if year not in [y.year for y in out]:
            out.append(YearRef(year, match[0].strip()))
    return tuple(out)


def _asks_figure(text: str) -> bool:
    return any(w in text for w in lexicon.FIGURE_WORDS)


def _section(folded: str) -> str:
    if _PROBLEMS_ASKED.search(folded):
        return PROBLEMS
    if _PLANS_ASKED.search(folded):
        return PLANS
    return ""


def _metric(folded: str, meant: tuple[str, ...] = ()) -> str:
    """The measure asked about: named ("纠错率"), or meant ("输官司的比例" → 败诉率)."""
    named = next((m for m in lexicon.METRICS if m in folded), "")
    if named:
        return named
    rate = re.search(r"([\u4e00-\u9fff]{2})率", folded)   # a rate the list does not name: 调解率
    if rate and rate[0][-2:] not in ("比率", "效率", "频率", "概率", "汇率", "税率", "利率"):
        return rate[0]
    rate = any(w in folded for w in lexicon.RATE_ASKED)
    for word in meant:
        if word.endswith("率") or word == "满意度":
            return word
        if rate and word + "率" in lexicon.METRICS:
            return word + "率"
    return ""


def _synonyms(folded: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the colloquial phrases the question uses, the report words they stand for)."""
    said: tuple[str, ...] = ()
    for phrase in sorted(lexicon.SYNONYMS, key=len, reverse=True):
        if phrase in folded and not any(phrase in longer for longer in said):   # 免费打官司, not 打官司
            said += (phrase,)
    return said, _unique(tuple(w for p in said for w in lexicon.SYNONYMS[p]))


def _topic(folded: str, words: tuple[str, ...], drop: frozenset[str], meant: tuple[str, ...] = ()) -> Topic:
    """The question without its place and year words, lead-ins ("那"), tails ("呢？") and pronouns."""
    bare = _blank(folded.strip(), words)
    bare = _TAIL.sub("", _LEAD.sub("", bare)).strip()
    bare = _PRONOUNS.sub(" ", bare)
    # "比一下 和 在行政执法方面的做法": the connectors left between blanked places are no part of the topic.
    bare = " ".join(p for p in (_CONNECTORS.sub("", piece) for piece in bare.split()) if p)
    bare = re.sub(r"\s+", " ", bare).strip(" ,，、的")
    return Topic(bare, _unique(tuple(key_terms(bare, drop)) + meant), _asks_figure(bare), _section(bare),
                 _metric(bare, meant))


def _blank(text: str, words: tuple[str, ...]) -> str:
    """``text`` with the place and year words blanked out, so they neither count as key words nor glue onto
    the next word when segmented ("海盛区有…" → "区有")."""
    for word in sorted(set(words), key=len, reverse=True):
        text = text.replace(word, " ")
    return text


def _unique(items: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
