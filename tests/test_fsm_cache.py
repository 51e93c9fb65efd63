"""The on-disk cache of grammar automata gives back exactly what building gives."""

import json

from tct.codec.profiles import expression
from tct.schema import fsm_cache


def test_a_cached_automaton_is_the_built_one(tmp_path, monkeypatch):
    monkeypatch.setenv("TCT_CACHE_DIR", str(tmp_path))
    built = []

    def build():
        built.append(1)
        return expression._Grammar(expression.CONDITION).automaton()
    first = fsm_cache.cached_automaton("cond", "k1", build)
    again = fsm_cache.cached_automaton("cond", "k1", build)
    assert len(built) == 1 and list(tmp_path.iterdir()) == [tmp_path / "cond-k1.json"]
    assert fsm_cache._to_json(again) == fsm_cache._to_json(first)
    assert again.fsm.map == first.fsm.map and again.roles == first.roles and again.labels == first.labels
    # a new key (the code changed) builds anew; a damaged file is rebuilt and rewritten
    fsm_cache.cached_automaton("cond", "k2", build)
    (tmp_path / "cond-k1.json").write_text('{"classes": [')
    fsm_cache.cached_automaton("cond", "k1", build)
    assert len(built) == 3 and json.loads((tmp_path / "cond-k1.json").read_text())["finals"]


def test_the_cache_can_be_turned_off(tmp_path, monkeypatch):
    monkeypatch.setenv("TCT_CACHE_DIR", "off")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    fsm_cache.cached_automaton("row", "k", lambda: expression._Grammar(expression.ROW).automaton())
    assert not list(tmp_path.iterdir())
