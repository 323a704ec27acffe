"""Which place a report is about, at what level: a scored choice over all the evidence the text gives.

Each place named where a report names itself is a candidate: the title, the signature, the line above the
title, the 来源 line, the site's name, the subject of the opening sentence ("2022年，渝中区…"), and how often
the body names it. The addressee line ("中共X市委、X市人民政府：") names the report's *parent*: it counts
against X and for the places under X. Self-reference (我区/全镇/我局) says the level and counts for the
candidates of that level. The winner keeps its evidence and a confidence, and so do the runners-up, so a
label can always say why (``Identity.explain``).

A province's report stays the province's when its body names cities; a 司法局's report is its
district's; a passing "晋中市中院" or "赴杭州市学习考察" never becomes the region.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from assistant import lexicon
from assistant.regions import Mention, Place, at_boundary, childless_cities, find_mentions, gazetteer, short_name

# A place named only as the seat of a court, a procuratorate or a place visited says nothing of the report.
_ELSEWHERE_AFTER = re.compile(r"^(?:中级人民法院|中院|人民法院|法院|人民检察院|检察院|仲裁委|公安局)")
_ELSEWHERE_BEFORE = ("赴", "到", "前往", "与", "同", "向", "在", "邀请", "学习")
_ORG = re.compile(lexicon.ORG_SUFFIX)
_ORG_AFTER = re.compile(lexicon.ORG_AFTER_PLACE)
_ADDRESSEE = re.compile(lexicon.ADDRESSEE_LINE)
_OPENING_SUBJECT = re.compile(lexicon.OPENING_SUBJECT)
_DOC_NUMBER = re.compile(lexicon.DOC_NUMBER)
_BRANCH = re.compile(lexicon.BRANCH_OFFICE)
_SLOGAN = re.compile(lexicon.PLACE_SLOGAN)
_BARE_ZONE = re.compile("(" + "|".join(sorted(lexicon.ZONE_SUFFIXES, key=len, reverse=True)) + ")")
_MINISTRY_NAMED = re.compile(rf"(?:{lexicon.STATE_PREFIX})?({lexicon.MINISTRY}|国务院)")


def national(name: str) -> Place:
    """A State Council body's report: national, its region named by the body ("司法部")."""
    return Place(name, 0, (), "national")


def _ministry(title: str, issuers: list[tuple[str, str]], opening: list[str]) -> tuple[str, str] | None:
    """(the ministry a report is by, where it was read): its title, an issuer line, or the subject of its
    opening sentence ("2022年,司法部坚持…")."""
    for text, origin in [(title, "title")] + [(t, o) for t, o in issuers] + [(line[:40], "opening")
                                                                             for line in opening[:2]]:
        # An opening sentence names its ministry as its subject, after "在党中央、国务院的领导下，".
        m = (_MINISTRY_NAMED.match(text, _OPENING_SUBJECT.match(text).end()) if origin == "opening"
             else _MINISTRY_NAMED.search(text or ""))
        if m:
            return m[1], origin
    return None

# How much each kind of evidence weighs. A place's score is the sum of its evidence.
WEIGHTS = {"title": 8.0, "signature": 5.0, "issuer": 5.0, "source": 3.0, "site": 2.0, "opening": 4.0,
           "body": 3.0, "level": 2.0, "docnumber": 2.0, "slogan": 1.5, "parent_of_named": 0.0, "addressee": -6.0, "below_addressee": 2.0}
STRONG = ("title", "signature", "issuer", "source", "opening")
ORIGIN_OF = {"title": "title", "signature": "signature", "issuer": "title", "source": "source", "site": "source",
             "opening": "intro", "body": "body"}
CERTAIN_MARGIN = 0.25   # a winner closer than this share of its score to the runner-up is uncertain


@dataclass(frozen=True)
class Candidate:
    """One place a report may be about, its score, and the evidence behind it: (kind, text, weight)."""

    place: Place
    score: float
    evidence: tuple[tuple[str, str, float], ...] = ()

    def to_dict(self) -> dict:
        return {"place": "".join(self.place.chain[-2:]) if self.place.kind == "town" else self.place.name,
                "path": list(self.place.chain), "score": round(self.score, 2),
                "evidence": [{"kind": k, "text": t, "weight": w} for k, t, w in self.evidence]}


@dataclass(frozen=True)
class Identity:
    """A report's place and issuer, with where each was read and whether that is certain.

    Example:
        >>> who = identify("新城县2022年法治政府建设年度报告", [], "全县……")
        >>> who.place.name, who.origin, who.certain
        ('新城县', 'title', True)
    """

    place: Place | None
    origin: str = ""
    certain: bool = False
    ambiguous: bool = False   # the name fits several regions and the text shows none of their parents
    confidence: float = 0.0
    candidates: tuple[Candidate, ...] = field(default=(), compare=False)

    def explain(self) -> list[dict]:
        """The candidates weighed, best first, each with its evidence."""
        return [c.to_dict() for c in self.candidates]


def place_in(scope: str, context: str, shapes: bool = True, prefixes: tuple[str, ...] = ()) -> tuple[Place, bool] | None:
    """The place a title or issuer line names: the deepest of a parent → child chain ("福州市鼓楼区"), else the
    first named. Returns (place, ambiguous) or None."""
    mentions = [m for m in find_mentions(scope, shapes=shapes) if _names_the_report(scope, m)]
    if not mentions:
        return None
    chain = [mentions[0]]
    for m in mentions[1:]:
        if any(p.parents and p.parents[-1] in {q.name for q in chain[-1].places} for p in m.places):
            chain.append(m)
    last = chain[-1]
    branch = _BRANCH.search(scope, last.start + len(last.text))
    if branch:
        # "温州市生态环境局泰顺分局": the branch's county, under the city named before it.
        under = tuple(p for p in gazetteer()[1].get(branch[1], []) + gazetteer()[0].get(branch[1], [])
                      if p.parents and p.parents[-1] in {q.name for q in last.places})
        if under:
            return under[0], False
    places = last.places
    if len(chain) > 1:
        # "鲤城区人民政府金龙街道": the place under the one named before it.
        parents = {q.name for q in chain[-2].places}
        places = tuple(p for p in places if p.parents and p.parents[-1] in parents) or places
    return resolve(places, context + scope, prefixes)


def doc_prefixes(text: str) -> tuple[str, ...]:
    """The issuing prefixes of the document numbers a text cites: "长朝委〔2024〕3号" → "长朝委"."""
    return tuple(dict.fromkeys(m[1] for m in _DOC_NUMBER.finditer(text)))


def abbreviated(place: Place, prefixes: tuple[str, ...]) -> bool:
    """Whether a document number abbreviates ``place`` with its parent: 长朝委 is 长春市朝阳区's (长, 朝),
    not 北京市朝阳区's (京朝…)."""
    if not place.parents:
        return False
    parent = place.parents[-1]
    initials = {(short_name(parent) or parent)[0], lexicon.PROVINCE_ABBREVIATIONS.get(parent, "")} - {""}
    own = short_name(place.name) or place.name
    return any(p.startswith(i + own[0]) for p in prefixes for i in initials)


def resolve(places: tuple[Place, ...], context: str, prefixes: tuple[str, ...] = ()) -> tuple[Place, bool]:
    """Of the regions sharing a name (鼓楼区 of 南京, 福州, 开封, 徐州), the one whose parents the text shows
    most, or whose document numbers abbreviate it with its parent (长朝委〔2024〕 → 长春市朝阳区); ambiguous
    when it shows none of them. A current unit wins a tie over a former one."""
    if places and places[0].kind == "town":
        # A town of a city without counties (东莞市东城街道) is not in the town data: the city named in the
        # text adds it as a candidate.
        full = gazetteer()[0]
        places = tuple(places) + tuple(Place(places[0].name, c.level + 1, c.chain, "town")
                                       for city in childless_cities() if city in context
                                       for c in full.get(city, ()) if c.kind == "city")
    if len(places) == 1:
        return places[0], False

    def shown(place: Place) -> int:
        score = 3 * abbreviated(place, prefixes)
        for depth, parent in enumerate(place.parents):
            weight = 2 if depth == len(place.parents) - 1 else 1
            score += weight * (context.count(parent) + context.count(short_name(parent) or parent))
        return score

    best = max(places, key=lambda p: (shown(p), not p.now))
    return best, shown(best) == 0


def _names_the_report(text: str, mention: Mention) -> bool:
    after = text[mention.start + len(mention.text):]
    before = text[max(0, mention.start - 2):mention.start]
    return not _ELSEWHERE_AFTER.match(after) and not before.endswith(_ELSEWHERE_BEFORE)


def _self_weight(word: str) -> float:
    # "我县" says who speaks; "全省" may be the province it serves; "省政府" is often a superior addressed.
    return 3.0 if word[0] in "我本" else (0.5 if word.endswith("政府") else 1.0)


def self_reference(body: str, kinds: tuple[str, ...] = ()) -> str:
    """The kind of place the report speaks for ("我县…" → county, "全省…全省" → province), or '' when it
    does not say."""
    counts = {kind: sum(_self_weight(w) * body.count(w) for w in words)
              for kind, words in lexicon.SELF_REFERENCE.items() if not kinds or kind in kinds}
    kind = max(counts, key=counts.get)
    return kind if counts[kind] >= 2 else ""


def self_reference_of_place(body: str) -> str:
    """Like :func:`self_reference`, over places only: a department's report (我局) still speaks of 全市."""
    return self_reference(body, tuple(k for k in lexicon.SELF_REFERENCE if k != "department"))


def _fits(place: Place, kind: str) -> bool:
    if kind in ("", "department"):
        return True
    if kind == "city":   # 我市 also in a county-level city's report (义乌市)
        return place.kind == "city" or place.name.endswith("市")
    if kind == "county":  # 我区 also in an autonomous region's or a zone's report
        return place.kind in ("county", "zone") or place.name.endswith("自治区")
    return place.kind == kind


def body_mentions(body: str) -> list[Mention]:
    """Places the body names as places (listed ones, and shaped ones only before their own government:
    "红旗镇人民政府"), courts and places visited left out."""
    # A two-character county (高县, 和县) inside a phrase ("提高县域…") is not named: it needs a boundary.
    listed = [m for m in find_mentions(body, shapes=False) if _names_the_report(body, m)
              and (len(m.text) > 2 or at_boundary(body, m.start, None))]
    shaped = [m for m in find_mentions(body) if not m.places[0].known and m.places[0].kind != "province"
              and _ORG_AFTER.match(body, m.start + len(m.text)) and _names_the_report(body, m)]
    taken = {(m.start, m.text) for m in listed}
    return sorted(listed + [m for m in shaped if (m.start, m.text) not in taken], key=lambda m: m.start)


class _Board:
    """Scores per place, with evidence."""

    def __init__(self, context: str):
        self.context = context
        self.scores: dict[Place, float] = {}
        self.evidence: dict[Place, list[tuple[str, str, float]]] = {}

    def add(self, place: Place, kind: str, text: str, weight: float) -> None:
        self.scores[place] = self.scores.get(place, 0.0) + weight
        self.evidence.setdefault(place, []).append((kind, text, round(weight, 2)))

    def ranked(self) -> list[Candidate]:
        out = [Candidate(p, s, tuple(self.evidence[p])) for p, s in self.scores.items()]
        return sorted(out, key=lambda c: (-c.score, -c.place.level))


def _addressee(opening: list[str]) -> list[Mention]:
    """Places named on an addressee line ("中共X市委、X市人民政府：", "市委、市政府："), which are parents."""
    for line in opening[:3]:
        if _ADDRESSEE.search(line.strip()):
            return find_mentions(line, shapes=False)
    return []


def _addressee_level(opening: list[str]) -> int:
    """The level an addressee line names without a place ("县委、县政府：" → 3): the report comes from a unit
    at or below it, so no place above it is the report's. 0 when it says none."""
    for line in opening[:3]:
        line = line.strip()
        if _ADDRESSEE.search(line):
            m = re.match(r"^(?:中共)?([省市州县区旗])(?:委|人民政府|政府)", line)
            return lexicon.ADDRESSEE_LEVELS.get(m[1], 0) if m else 0
    return 0


def _sentences(opening: list[str]) -> list[str]:
    """The opening lines, and after each its next sentences that start with a year or a lead-in:
    "2025年是…关键之年。一年来,梅县区坚持…" gives both."""
    out = []
    for line in opening[:6]:
        first, *rest = re.split(r"(?<=。)", line.strip())
        out += [line.strip()] + [s.strip() for s in rest[:2] if _OPENING_SUBJECT.match(s.strip()).end()]
    return [s for s in out if s]


def subject_text(opening: list[str], length: int = 20) -> str:
    """The opening sentence's words after its year and lead-in ("2022年,高新区以…" → "高新区以…"), or ''."""
    for line in opening[:6]:
        line = line.strip()
        m = _OPENING_SUBJECT.match(line)
        if len(line) >= 16 and m.end() and not _ADDRESSEE.search(line) and any(p in line for p in "，,。"):
            return line[m.end():][:length]
    return ""


def _bare_zone(text: str, body: str) -> Place | None:
    """A zone named by its kind alone at the head of a title, issuer line or opening sentence ("高新区综治局…",
    "2022年,高新区以…"): the zone of the city the body names most (珠海市 → 珠海高新区)."""
    m = _BARE_ZONE.match(text or "")
    if not m or text[m.end():m.end() + 1] in ("域", "内", "外", "(", "（"):
        return None   # "高新区(新市区)人民政府": the unit in brackets is the place
    cities = Counter(m2.places[0] for m2 in find_mentions(body[:20000], shapes=False)
                     if m2.places[0].kind == "city" and _names_the_report(body, m2))
    kind = lexicon.ZONE_SUFFIXES[m[1]]
    # "经济开发区2024年度…报告" over "2024年宁河经济开发区在…": the zone of that kind the text names.
    named = Counter(m2.places[0] for m2 in find_mentions(body[:3000]) if m2.places[0].kind == "zone"
                    and m2.places[0].name.endswith(kind) and m2.places[0].name != kind)
    if named:
        return named.most_common(1)[0][0]
    if not cities:
        return Place(kind, 1, (), "zone")
    city = cities.most_common(1)[0][0]
    return Place((short_name(city.name) or city.name) + kind, city.level + 1, city.chain, "zone")


def _opening_subject(opening: list[str]) -> Mention | None:
    """The place an opening sentence starts with ("2022年，渝中区深入学习…"), or None."""
    for line in _sentences(opening):
        if len(line) < 16 or _ADDRESSEE.search(line) or not any(p in line for p in "，,。"):
            continue   # a sentence, not a heading, an organisation's name or an addressee
        m = _OPENING_SUBJECT.match(line)
        rest = line[m.end():]
        found = find_mentions(rest[:2 * lexicon.REGION_NAME_MAX])
        if found and found[0].start == 0 and _names_the_report(rest, found[0]):
            subject = found[0]
            for m in found[1:]:
                # "成都市锦江区…": the deepest of the chain that opens the sentence.
                if m.start != subject.start + len(subject.text) or not any(
                        p.parents and p.parents[-1] in {q.name for q in subject.places} for p in m.places):
                    break
                subject = Mention(m.text, m.start, tuple(p for p in m.places if p.parents and p.parents[-1] in
                                                          {q.name for q in subject.places}))
            return subject
    return None


def identify(title: str, issuers: list[tuple[str, str]], body: str, opening: list[str] | None = None,
             site: str = "") -> Identity:
    """The report's place: the best-scored candidate over the title, issuer lines, opening and body.

    Args:
        title: the title, document names already removed.
        issuers: (issuer text, where it was read): signature, title (the line above the title, the title's
            own first words), source.
        body: the folded text of the whole report.
        opening: the folded lines before the first heading, title left out.
        site: the site's or page's name ("XX区人民政府门户网站"), when the page shows it.
    """
    opening = opening or []
    board = _Board(body)
    context = body + title
    prefixes = doc_prefixes(body)
    if title:
        found = place_in(title, context, prefixes=prefixes)
        if found:
            board.add(found[0], "title", title, WEIGHTS["title"] * (0.6 if found[1] else 1.0))
    for text, origin in issuers:
        found = place_in(text, context, prefixes=prefixes)
        if found:
            kind = {"title": "issuer"}.get(origin, origin)
            board.add(found[0], kind, text, WEIGHTS[kind] * (0.6 if found[1] else 1.0))
    if site:
        found = place_in(site, context, shapes=False)
        if found:
            board.add(found[0], "site", site, WEIGHTS["site"])
    for text, kind in [(title, "title")] + [(t, {"title": "issuer"}.get(o, o)) for t, o in issuers] + [
            (subject_text(opening), "opening")]:
        zone = _bare_zone(text, body)
        if zone:
            board.add(zone, kind, text, WEIGHTS[kind])
    subject = _opening_subject(opening)
    if subject:
        place, _ = resolve(subject.places, context, prefixes)
        board.add(place, "opening", subject.text, WEIGHTS["opening"])
    ministry = _ministry(title, issuers, opening)
    if ministry and not any(k in ("title", "signature", "issuer") for ev in board.evidence.values()
                            for k, _, _ in ev):
        place, origin = national(ministry[0]), ministry[1]
        kind = {"title": "title", "opening": "opening"}.get(origin, "issuer")
        return Identity(place, ORIGIN_OF.get(kind, "issuer"), True, confidence=1.0,
                        candidates=(Candidate(place, WEIGHTS[kind], ((kind, ministry[0], WEIGHTS[kind]),)),))
    _score_body(board, body, context, prefixes)
    for place in list(board.scores):
        if abbreviated(place, prefixes):
            board.add(place, "docnumber", next(p for p in prefixes if abbreviated(place, (p,))), WEIGHTS["docnumber"])
    above = _addressee_level(opening)
    for place in list(board.scores):
        if place.level < above and place.kind != "national":
            board.add(place, "addressee", "上级为" + {2: "市", 3: "县区"}.get(above, ""), WEIGHTS["addressee"])
    for m in _addressee(opening):
        for place in m.places:
            board.add(place, "addressee", m.text, WEIGHTS["addressee"])
        parents = {p.name for p in m.places}
        for place in list(board.scores):
            if set(place.parents) & parents:
                board.add(place, "below_addressee", m.text, WEIGHTS["below_addressee"])
    kind = self_reference_of_place(body)
    if kind in ("province", "city") and not any(_fits(p, kind) and v > 0 for p, v in board.scores.items()):
        # "全省…驻马店市…": a report that speaks for a province and names only places under it is that province's.
        for place, score in list(board.scores.items()):
            above = _ancestor(place, kind)
            if above is not None and score > 0:
                board.add(above, "parent_of_named", place.name, min(score, WEIGHTS["body"]))
    if kind == "town" and not any(v > 0 for v in board.scores.values()):
        for place, stem in _slogan_towns(body):
            board.add(place, "slogan", stem, WEIGHTS["slogan"])
    if not any(v > 0 for v in board.scores.values()) and (
            kind == "province" or any(w in body for w in lexicon.PROVINCE_DEPARTMENT_SELF)):
        # "现将我厅…（粤法治办〔2021〕36号）": a province's report whose only place is its documents' 粤.
        province = _province_abbreviated(prefixes)
        if province is not None:
            board.add(province[0], "docnumber", province[1], WEIGHTS["docnumber"])
    if kind:
        for place in list(board.scores):
            if board.scores[place] > 0:
                board.add(place, "level", kind, WEIGHTS["level"] if _fits(place, kind) else -WEIGHTS["level"])
    ranked = [c for c in board.ranked() if c.score > 0]
    if not ranked:
        return Identity(None, candidates=tuple(board.ranked()[:5]))
    best = ranked[0]
    runner = ranked[1].score if len(ranked) > 1 and not _same(ranked[1].place, best.place) else 0.0
    confidence = round((best.score - runner) / best.score, 2) if best.score else 0.0
    kinds = [k for k, _, w in best.evidence if w > 0 and k in ORIGIN_OF]
    origin = next((ORIGIN_OF[k] for k in ("title", "signature", "issuer", "source", "opening", "site", "body")
                   if k in kinds), "body")
    # Units renamed away are no namesakes of a current one (保定's 新市区 is 竞秀区 since 2015).
    namesakes = [p for p in gazetteer()[0].get(best.place.name, ()) if not p.now] or [best.place]
    # A document number that abbreviates the place with its parent (长朝委) shows that parent too.
    ambiguous = (len(namesakes) > 1 and not any(p in context for p in best.place.parents)
                 and not abbreviated(best.place, prefixes))
    if ambiguous:
        confidence = round(confidence / len(namesakes), 2)   # one of several places of that name, a guess
    strong = any(k in STRONG for k in kinds)
    certain = strong and confidence >= CERTAIN_MARGIN and not ambiguous
    return Identity(best.place, origin, certain, ambiguous, confidence, tuple(board.ranked()[:5]))


def _province_abbreviated(prefixes: tuple[str, ...]) -> tuple[Place, str] | None:
    """(the province, the document number prefix) the first prefix abbreviates by its one character (粤 → 广东省)."""
    by_char = {c: name for name, c in lexicon.PROVINCE_ABBREVIATIONS.items()}
    for prefix in prefixes:
        name = by_char.get(prefix[0])
        places = [p for p in gazetteer()[0].get(name or "", ()) if p.kind == "province"]
        if places:
            return places[0], prefix
    return None


def _same(a: Place, b: Place) -> bool:
    return a.name == b.name and a.parents == b.parents


def _ancestor(place: Place, kind: str) -> Place | None:
    """The place of ``kind`` above ``place`` (驻马店市 → 河南省), from the gazetteer."""
    depth = {"province": 1, "city": 2}[kind]
    if len(place.parents) < depth:
        return None
    chain = place.parents[:depth]
    return next((p for p in gazetteer()[0].get(chain[-1], ()) if p.chain == chain), None)


def _slogan_towns(body: str) -> list[tuple[Place, str]]:
    """Towns a report that says 我乡/我镇 names only in a slogan ("法治舒桥建设" → 舒桥乡), when that stem is one
    town's alone."""
    out = []
    for stem in dict.fromkeys(m[1] for m in _SLOGAN.finditer(body)):
        places = [p for p in gazetteer()[0].get(stem + "乡", []) + gazetteer()[0].get(stem + "镇", [])
                  + gazetteer()[0].get(stem + "街道", []) if p.kind == "town"]
        if len(places) == 1:
            out.append((places[0], stem))
    return out


def _score_body(board: _Board, body: str, context: str, prefixes: tuple[str, ...] = ()) -> None:
    """Body evidence: each place's share of the body's mentions, up to WEIGHTS['body']."""
    mentions = body_mentions(body)
    if not mentions:
        return
    counts = Counter(m.text for m in mentions)
    first: dict[str, Mention] = {}
    for m in mentions:
        first.setdefault(m.text, m)
    total = sum(counts.values())
    for text, n in counts.most_common(8):
        place, _ = resolve(first[text].places, context, prefixes)
        board.add(place, "body", f"{text}×{n}", WEIGHTS["body"] * n / total)


def is_organisation(text: str) -> bool:
    """"XX区人民政府", "中共XX县委", "XX局": a line that names an issuing body."""
    names = [n for n in re.split(r"\s+|、", text.strip()) if n]
    return bool(names) and all(_ORG.search(n) for n in names) and len(text) <= 40
