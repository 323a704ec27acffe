"""The files of an index past a million (issue 24 §4): each segment carries its file table, a version writes
only what changed (``changes.jsonl``), the stat cache is a full copy plus changes; format 3 is still read."""
import json
import logging
import random

import pytest

from assistant.index import statcache
from assistant.index.filetable import CHANGES, TABLE
from assistant.index.indexer import compact_index, update_index
from assistant.index.segment import SEGMENTS
from assistant.index.store import CURRENT, SEAL, IndexCorrupt, Store
from assistant.settings import Settings
from embeddings.encoder import HashEncoder
from tests.conftest import REPORT_A, REPORT_B

pytestmark = pytest.mark.unit

HASH = Settings(encoder="hash-64")
ENCODER = HashEncoder(64)


def _report(n: int) -> str:
    return REPORT_A.replace("西湖区", f"第{n}区").replace("12.6%", f"{n}.5%")


def _update(folder, index_dir):
    return update_index(folder, index_dir, ENCODER, HASH)


def _lines(store) -> list[dict]:
    return [json.loads(x) for x in (store.path / CHANGES).read_text(encoding="utf-8").splitlines()]


def _same_files(a: Store, b: Store) -> None:
    assert {n: (e.sha256, e.aliases, e.segment, e.local, e.count, e.meta) for n, e in a.files.items()} == \
           {n: (e.sha256, e.aliases, e.segment, e.local, e.count, e.meta) for n, e in b.files.items()}
    assert [c.id for c in a.chunks] == [c.id for c in b.chunks]


def test_an_update_writes_only_what_changed(tmp_path):
    folder, index_dir = tmp_path / "reports", tmp_path / "index"
    folder.mkdir()
    for n in range(12):
        (folder / f"r{n:02d}.txt").write_text(_report(n), encoding="utf-8")
    first = _update(folder, index_dir)
    assert [line for line in _lines(first) if "set" in line or "drop" in line] == []   # all in the segment's table
    assert "files" not in json.loads((first.path / "manifest.json").read_text(encoding="utf-8"))
    (folder / "new.txt").write_text(REPORT_B, encoding="utf-8")
    added = _update(folder, index_dir)
    assert [line for line in _lines(added) if "set" in line or "drop" in line] == []   # the new file: its own table
    (folder / "r03.txt").unlink()
    (folder / "r05.txt").write_text(_report(55), encoding="utf-8")                      # changed: a new segment
    (folder / "zcopy.txt").write_text(_report(7), encoding="utf-8")   # r07's content again: its other name
    changed = _update(folder, index_dir)
    files = [line for line in _lines(changed) if "set" in line or "drop" in line]
    assert sorted((line.get("drop") or line.get("set"), "drop" if "drop" in line else "set") for line in files) == \
           [("r03.txt", "drop"), ("r05.txt", "drop"), ("r07.txt", "set")], files
    assert changed.files["r07.txt"].aliases == ("zcopy.txt",)
    loaded = Store.load(index_dir)
    _same_files(loaded, changed)
    assert "55.5%" in " ".join(loaded.chunks[r].text for r in loaded.rows_of(["r05.txt"]))
    merged = compact_index(index_dir, ENCODER, HASH)
    assert len(merged.segments) == 1 and [x for x in _lines(merged) if "set" in x or "drop" in x] == []
    _same_files(Store.load(index_dir), merged)
    assert merged.files["r07.txt"].aliases == ("zcopy.txt",)


def test_a_relabel_drops_the_old_rows_and_loads_the_new_label(tmp_path):
    folder, index_dir = tmp_path / "reports", tmp_path / "index"
    folder.mkdir()
    (folder / "a.txt").write_text(REPORT_A, encoding="utf-8")
    for n in range(4):                          # the old segment stays mostly live: no merge folds the change
        (folder / f"r{n}.txt").write_text(_report(n), encoding="utf-8")
    _update(folder, index_dir)
    (folder / "a.txt.meta.json").write_text(json.dumps({"region": "浙江省杭州市上城区", "year": 2020}),
                                            encoding="utf-8")
    relabelled = _update(folder, index_dir)
    assert {"drop": "a.txt", "segment": Store.load(index_dir).segments[0].name} in _lines(relabelled)
    loaded = Store.load(index_dir)
    assert loaded.files["a.txt"].meta.region.endswith("上城区") and loaded.files["a.txt"].meta.year == 2020
    _same_files(loaded, relabelled)


def test_random_updates_load_as_they_were_written(tmp_path):
    """Adds, removals, changes, copies and merges in a random order: every version loads as the writer made it."""
    rng = random.Random(7)
    folder, index_dir = tmp_path / "reports", tmp_path / "index"
    folder.mkdir()
    for step in range(8):
        names = sorted(p.name for p in folder.glob("*.txt"))
        for _ in range(rng.randint(1, 3)):
            action = rng.choice(["add", "add", "remove", "change", "copy"]) if names else "add"
            if action == "add":
                (folder / f"n{step}{rng.randint(0, 99)}.txt").write_text(_report(rng.randint(0, 999)), encoding="utf-8")
            elif action == "remove":
                (folder / rng.choice(names)).unlink(missing_ok=True)
            elif action == "change":
                (folder / rng.choice(names)).write_text(_report(rng.randint(0, 999)), encoding="utf-8")
            elif (folder / (source := rng.choice(names))).exists():
                (folder / f"c{step}.txt").write_bytes((folder / source).read_bytes())
        store = _update(folder, index_dir)
        if step == 5:
            _same_files(Store.load(index_dir), store)
            store = compact_index(index_dir, ENCODER, HASH)
        _same_files(Store.load(index_dir), store)
        assert set(store.files) | {a for e in store.files.values() for a in e.aliases} == \
               {p.name for p in folder.glob("*.txt")}


def test_a_damaged_changes_file_is_refused_with_the_rebuild_hint(tmp_path):
    folder, index_dir = tmp_path / "reports", tmp_path / "index"
    folder.mkdir()
    for n in range(4):
        (folder / f"r{n}.txt").write_text(_report(n), encoding="utf-8")
    _update(folder, index_dir)
    (folder / "r0.txt").unlink()
    store = _update(folder, index_dir)
    path = store.path / CHANGES
    assert '"drop"' in path.read_text(encoding="utf-8")
    path.write_text(path.read_text(encoding="utf-8").replace('"drop"', '"dropx"'), encoding="utf-8")
    with pytest.raises(IndexCorrupt, match="changes.jsonl.*--rebuild"):
        Store.load(index_dir)
    path.unlink()
    with pytest.raises(IndexCorrupt, match="changes.jsonl is missing.*--rebuild"):
        Store.load(index_dir)


def test_the_stat_cache_is_a_full_copy_plus_changes(tmp_path, monkeypatch, caplog):
    from assistant.index import scan

    monkeypatch.setattr(scan, "RACY_NS", -10**15)             # every stat is old enough to be cached at once
    monkeypatch.setattr(statcache, "MIN_CHANGES", 2)
    folder, index_dir = tmp_path / "reports", tmp_path / "index"
    folder.mkdir()
    for n in range(6):
        (folder / f"r{n}.txt").write_text(_report(n), encoding="utf-8")
    first = _update(folder, index_dir)
    copies = sorted((index_dir / statcache.FOLDER).iterdir())
    assert len(copies) == 1 and first.manifest["stat_base"]["lines"] == 6          # 6 changes > 2: a full copy
    assert [x for x in _lines(first) if "stat" in x] == []
    (folder / "r6.txt").write_text(_report(6), encoding="utf-8")
    second = _update(folder, index_dir)
    assert second.manifest["stat_base"] == first.manifest["stat_base"]               # one change: the same copy
    assert [x["stat"][0][0].endswith("r6.txt") for x in _lines(second) if "stat" in x] == [True]
    assert sorted(e[0][0].rsplit("/", 1)[-1] for e in Store.load(index_dir).stats.entries()) == \
           [f"r{n}.txt" for n in range(7)]
    reads = []
    real = scan.read_file
    monkeypatch.setattr(scan, "read_file", lambda cand, s: reads.append(cand.source) or real(cand, s))
    assert not _update(folder, index_dir).version != second.version and reads == []    # nothing read, nothing written
    for n in range(3):
        (folder / f"r{n}.txt").unlink()
    third = _update(folder, index_dir)                         # 3 removals > max(2, 7 // 4): a new full copy
    assert third.manifest["stat_base"]["lines"] == 4 and not [x for x in _lines(third) if "unstat" in x]
    (index_dir / statcache.FOLDER / third.manifest["stat_base"]["name"]).write_text("damaged\n")
    with caplog.at_level(logging.WARNING):
        again = Store.load(index_dir)                          # a cache: ignored with a warning, files hashed again
        assert again.stats.entries() == [] and "stat cache" in caplog.text
    (folder / "r9.txt").write_text(_report(9), encoding="utf-8")
    assert "r9.txt" in _update(folder, index_dir).files


def test_stat_cache_copies_no_version_names_are_deleted(tmp_path, monkeypatch):
    from assistant.index import scan, store

    monkeypatch.setattr(scan, "RACY_NS", -10**15)
    monkeypatch.setattr(statcache, "MIN_CHANGES", 0)
    monkeypatch.setattr(store, "GRACE_S", -1.0)
    folder, index_dir = tmp_path / "reports", tmp_path / "index"
    folder.mkdir()
    for n in range(4):
        (folder / f"r{n}.txt").write_text(_report(n), encoding="utf-8")
        _update(folder, index_dir)
    named = set()
    for version in index_dir.glob("v-*"):
        base = json.loads((version / "manifest.json").read_text(encoding="utf-8")).get("stat_base")
        named.add(base["name"])
    assert {p.name for p in (index_dir / statcache.FOLDER).iterdir()} == named and len(named) <= 2


def test_an_index_of_format_3_is_read_and_updated(tmp_path):
    """An index written before (every file in its manifest, segments without tables) loads as it is; the next
    update writes format 4, carrying the old segments' files as set lines until a merge writes their table."""
    import hashlib

    folder, index_dir = tmp_path / "reports", tmp_path / "index"
    folder.mkdir()
    (folder / "a.txt").write_text(REPORT_A, encoding="utf-8")
    (folder / "b.txt").write_text(REPORT_B, encoding="utf-8")
    store = _update(folder, index_dir)
    # Rewrite it as format 3 wrote it.
    manifest = json.loads((store.path / "manifest.json").read_text(encoding="utf-8"))
    seg = store.segments[0]
    (index_dir / SEGMENTS / seg.name / TABLE).unlink()
    for entry in manifest["segments"]:
        entry["words"]["files"].pop(TABLE)
    for key in ("changes", "stat_base", "files_count"):
        manifest.pop(key)
    manifest.update(format=3, stat_cache=[], files={n: e.to_dict() for n, e in store.files.items()})
    (store.path / CHANGES).unlink()
    raw = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
    (store.path / "manifest.json").write_bytes(raw)
    (store.path / SEAL).write_text(hashlib.sha256(raw).hexdigest())
    old = Store.load(index_dir)
    _same_files(old, store)
    (folder / "c.txt").write_text(_report(3), encoding="utf-8")
    new = _update(folder, index_dir)
    assert Store.load(index_dir).manifest["format"] == 4 and (index_dir / CURRENT).read_text() == new.version
    assert sorted(x["set"] for x in _lines(new) if "set" in x) == ["a.txt", "b.txt"]   # the old segment's files
    _same_files(Store.load(index_dir), new)
    merged = compact_index(index_dir, ENCODER, HASH)
    assert [x for x in _lines(merged) if "set" in x or "drop" in x] == []
    _same_files(Store.load(index_dir), merged)


def test_a_failed_write_removes_its_stat_cache_copy_and_keeps_the_live_version(tmp_path, monkeypatch):
    import errno

    from assistant.index import scan, store, writer
    from assistant.index.store import IndexWriteError

    monkeypatch.setattr(scan, "RACY_NS", -10**15)
    monkeypatch.setattr(statcache, "MIN_CHANGES", 0)               # every update writes a new full copy
    folder, index_dir = tmp_path / "reports", tmp_path / "index"
    folder.mkdir()
    (folder / "a.txt").write_text(REPORT_A, encoding="utf-8")
    live = _update(folder, index_dir)
    copies = sorted(p.name for p in (index_dir / statcache.FOLDER).iterdir())
    (folder / "b.txt").write_text(REPORT_B, encoding="utf-8")

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(writer, "write_version", full_disk)
    with pytest.raises(IndexWriteError, match="磁盘空间不足"):
        _update(folder, index_dir)
    assert (index_dir / CURRENT).read_text() == live.version
    assert sorted(p.name for p in (index_dir / statcache.FOLDER).iterdir()) == copies
    monkeypatch.setattr(writer, "write_version", store.write_version)
    assert "b.txt" in _update(folder, index_dir).files and "b.txt" in Store.load(index_dir).files
