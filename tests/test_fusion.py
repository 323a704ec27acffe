"""Fusion functions against hand-computed scores, and the plan step of an index update."""
import pytest

from assistant.index.plan import plan_update
from assistant.search.fusion import Ranked, rrf, weighted

pytestmark = pytest.mark.unit


def test_rrf_adds_reciprocal_ranks():
    scores = rrf([Ranked.of([7, 3, 5], [9, 8, 7]), Ranked.of([3, 9], [0.9, 0.1])], k=10)
    assert scores == pytest.approx({7: 1 / 11, 3: 1 / 12 + 1 / 11, 5: 1 / 13, 9: 1 / 12})
    assert max(scores, key=scores.get) == 3


def test_rrf_of_nothing_is_empty():
    assert rrf([Ranked.empty(), Ranked.empty()]) == {}


def test_weighted_scales_each_list_then_weighs():
    scores = weighted([Ranked.of([1, 2, 3], [10.0, 5.0, 0.0]), Ranked.of([3, 1], [0.8, 0.4])], [0.25, 0.75])
    assert scores == pytest.approx({1: 0.25, 2: 0.125, 3: 0.75})


def test_weighted_needs_a_weight_per_list():
    with pytest.raises(ValueError):
        weighted([Ranked.empty()], [0.5, 0.5])


@pytest.mark.parametrize("found,old,reread,keep,add,drop,aliases", [
    ([("a", "1"), ("b", "2")], {}, False, (), ("a", "b"), (), {}),
    ([("a", "1"), ("b", "2")], {"a": "1", "b": "2"}, False, ("a", "b"), (), (), {}),
    ([("a", "1"), ("b", "3")], {"a": "1", "b": "2"}, False, ("a",), ("b",), (), {}),
    ([("a", "1")], {"a": "1", "b": "2"}, False, ("a",), (), ("b",), {}),
    ([("a", "1"), ("c", "1")], {"a": "1"}, False, ("a",), (), (), {"a": ("c",)}),
    ([("a", "1")], {"a": "1"}, True, (), ("a",), (), {}),
])
def test_plan(found, old, reread, keep, add, drop, aliases):
    plan = plan_update(found, old, reread)
    assert (plan.keep, plan.add, plan.drop, plan.aliases) == (keep, add, drop, aliases)
    assert plan.changes == bool(add or drop)
