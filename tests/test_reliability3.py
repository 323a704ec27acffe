"""Issue 20, one test (or a few) per defect: an empty start, odd file names, one file's metadata, private
exports, formula-free tables, readers during commits, shadowing, lost edits, immutable segments, API values."""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from assistant import Assistant, Settings
from assistant.index import scan, store as store_mod
from assistant.index.store import IndexCorrupt, Store, write_version
from assistant.records import Answer, Hit, Table, TableRow
from tests.conftest import FANGZHENG_MISLABELLED, REPORT_A, REPORT_B
from ui import library as lib
from ui.upload import replace_upload, upload

pytestmark = pytest.mark.unit
SETTINGS = Settings(encoder="hash-128")


def quiet(*_args):
    pass


def make_bot(shipped: Path, tmp: Path, library: bool = True) -> Assistant:
    return Assistant.from_folder(shipped, index_dir=tmp / "index", settings=SETTINGS,
                                 library=tmp / "library" if library else None)


def tmp_left(index_dir: Path) -> list[str]:
    return [p.name for p in index_dir.rglob("*") if p.name.endswith(".tmp")]


# -- 1. an empty index -------------------------------------------------------------------------------

def test_an_empty_shipped_folder_starts_answers_takes_uploads_and_restarts(tmp_path):
    shipped = tmp_path / "seeds"
    shipped.mkdir()
    bot = make_bot(shipped, tmp_path)
    assert len(bot.store) == 0 and bot.store.files == {}
    again = make_bot(shipped, tmp_path)                   # a restart loads the empty index
    answer = again.ask("杭州市西湖区行政复议纠错率是多少？")
    assert not answer.found and "还没有" in answer.reason
    src = tmp_path / "西湖区.txt"
    src.write_text(REPORT_A, encoding="utf-8")
    message = upload(again, [src], quiet)
    assert message.startswith("✓ library/西湖区.txt"), message
    third = make_bot(shipped, tmp_path)
    assert "library/西湖区.txt" in third.store.files
    assert lib.delete(third, "library/西湖区.txt").startswith("✓")       # back to empty, and loads again
    assert len(make_bot(shipped, tmp_path).store) == 0


# -- 2. file names in any encoding -------------------------------------------------------------------

def _gbk_path(folder: Path, name: str) -> Path:
    return Path(os.fsdecode(os.fsencode(folder) + b"/" + name.encode("gbk")))


def test_a_gbk_file_name_is_indexed_and_remembered_bytes_safe(tmp_path, monkeypatch):
    monkeypatch.setattr(scan, "RACY_NS", -10**15)        # every stat is old enough to be cached at once
    shipped = tmp_path / "seeds"
    shipped.mkdir()
    _gbk_path(shipped, "西湖区报告.txt").write_text(REPORT_A, encoding="utf-8")
    (shipped / "wuhou.txt").write_text(REPORT_B, encoding="utf-8")
    bot = make_bot(shipped, tmp_path)
    assert "西湖区报告.txt" in bot.store.files and tmp_left(tmp_path / "index") == []
    assert bot.store.stats.entries()                          # the GBK name is in the stat cache, written as text
    assert Store.load(tmp_path / "index").stats.entries()
    again = make_bot(shipped, tmp_path)                       # and it loads and refreshes again
    assert "西湖区报告.txt" in again.store.files
    assert again.ask("西湖区行政复议纠错率是多少？").found
    json.dumps(lib.rows(again), ensure_ascii=False).encode("utf-8")


def test_a_gbk_named_upload_takes_its_metadata_beside_the_real_file(tmp_path, monkeypatch):
    monkeypatch.setattr(scan, "RACY_NS", -10**15)
    shipped = tmp_path / "seeds"
    shipped.mkdir()
    library = tmp_path / "library"
    library.mkdir()
    _gbk_path(library, "晋中报告.txt").write_text(FANGZHENG_MISLABELLED, encoding="utf-8")
    bot = make_bot(shipped, tmp_path)
    assert "library/晋中报告.txt" in bot.store.files
    message = lib.set_metadata(bot, "library/晋中报告.txt", {"region": "方正县"})
    assert message.startswith("✓") and "方正县" in message, message
    assert bot.reports["library/晋中报告.txt"].region.endswith("方正县")
    sidecars = [os.fsencode(p.name) for p in library.iterdir() if p.name.endswith(".meta.json")]
    assert sidecars == ["晋中报告.txt".encode("gbk") + b".meta.json"]
    assert lib.delete(bot, "library/晋中报告.txt").startswith("✓")
    assert "library/晋中报告.txt" not in bot.store.files


def test_a_version_with_unencodable_text_is_written_escaped_and_leaves_no_tmp(tmp_path):
    index_dir = tmp_path / "index"
    bad = os.fsdecode("坏名".encode("gbk") + b"\xff.txt")     # lone surrogates in a str
    manifest = {"encoder": "hash-128", "dim": 128, "chunks": 0, "segments": [], "files": {},
                "skipped": [[bad, "原因"]], "stat_cache": [[[bad, 1, 2, 3, 4, 5, None], "x", "", ""]]}
    write_version(index_dir, manifest)
    assert tmp_left(index_dir) == []
    loaded = Store.load(index_dir)
    assert len(loaded) == 0 and loaded.skipped[0][0].endswith(".txt")


# -- 3. metadata belongs to one file -----------------------------------------------------------------

HTML_B = "<html><head><title>x</title></head><body>" + "".join(
    f"<p>{line}</p>" for line in REPORT_B.splitlines() if line.strip()) + "</body></html>"


@pytest.fixture
def stems_bot(tmp_path) -> Assistant:
    shipped = tmp_path / "seeds"
    shipped.mkdir()
    library = tmp_path / "library"
    library.mkdir()
    (library / "报告.txt").write_text(FANGZHENG_MISLABELLED, encoding="utf-8")
    (library / "报告.html").write_text(HTML_B, encoding="utf-8")
    return make_bot(shipped, tmp_path)


def test_two_uploads_with_one_stem_keep_their_own_metadata(stems_bot):
    before = stems_bot.reports["library/报告.html"].region
    assert lib.set_metadata(stems_bot, "library/报告.txt", {"region": "方正县"}).startswith("✓")
    assert (stems_bot.library / "报告.txt.meta.json").exists() and not (stems_bot.library / "报告.meta.json").exists()
    assert stems_bot.reports["library/报告.txt"].region.endswith("方正县")
    assert stems_bot.reports["library/报告.html"].region == before
    assert lib.delete(stems_bot, "library/报告.html").startswith("✓")
    assert stems_bot.reports["library/报告.txt"].region.endswith("方正县")


def test_an_old_sidecar_is_read_and_migrated_to_the_full_name(tmp_path):
    shipped = tmp_path / "seeds"
    shipped.mkdir()
    library = tmp_path / "library"
    library.mkdir()
    (library / "report.txt").write_text(FANGZHENG_MISLABELLED, encoding="utf-8")
    (library / "report.meta.json").write_text('{"region": "方正县"}', encoding="utf-8")
    bot = make_bot(shipped, tmp_path)
    assert bot.reports["library/report.txt"].region.endswith("方正县")
    assert lib.set_metadata(bot, "library/report.txt", {"year_from": 2023}).startswith("✓")
    assert not (library / "report.meta.json").exists()
    assert json.loads((library / "report.txt.meta.json").read_text(encoding="utf-8"))["region"] == "方正县"
    assert bot.reports["library/report.txt"].region.endswith("方正县") and bot.reports["library/report.txt"].year == 2023


def test_an_old_sidecar_shared_by_two_stems_is_used_by_neither(tmp_path):
    shipped = tmp_path / "seeds"
    shipped.mkdir()
    library = tmp_path / "library"
    library.mkdir()
    (library / "报告.txt").write_text(FANGZHENG_MISLABELLED, encoding="utf-8")
    (library / "报告.html").write_text(HTML_B, encoding="utf-8")
    (library / "报告.meta.json").write_text('{"region": "方正县"}', encoding="utf-8")
    bot = make_bot(shipped, tmp_path)
    assert not any(m.region.endswith("方正县") for m in bot.reports.values())
    assert any("报告.meta.json" in name and "共用" in why for name, why in bot.skipped), bot.skipped


def test_replace_says_whether_old_labels_are_kept_or_cleared(library_bot, tmp_path):
    lib.set_metadata(library_bot, "library/report.txt", {"region": "方正县", "year_from": 2021})
    new = tmp_path / "v2.txt"
    new.write_text(FANGZHENG_MISLABELLED.replace("晋中市2022年", "晋中市2023年"), encoding="utf-8")
    cleared = replace_upload(library_bot, new, "library/report.txt", quiet)
    meta = library_bot.reports["library/report.txt"]
    assert cleared.startswith("✓") and "清除" in cleared and meta.region == "晋中市" and meta.year == 2023, cleared
    assert "晋中市 2023" in cleared                        # the reply says what is indexed now
    lib.set_metadata(library_bot, "library/report.txt", {"region": "方正县"})
    kept = replace_upload(library_bot, new, "library/report.txt", quiet, keep_labels=True)
    assert kept.startswith("✓") and "沿用" in kept and library_bot.reports["library/report.txt"].region.endswith("方正县")


# -- 4./5. exports -------------------------------------------------------------------------------------

def _table_answer(label: str, value: str = "12件") -> Answer:
    hit = Hit(source="a.txt", section="一、", text="=cmd|' /C calc'!A0", score=1.0, region=label, year=2022,
              title="@SUM(1+1)", quotes=("-2+3",))
    return Answer(found=True, question="=HYPERLINK(\"http://x\",\"y\")", table=Table("+件数", (
        TableRow("a.txt", label, value, 1),)), citations=(hit,))


def test_tables_never_hold_formulas(tmp_path):
    from openpyxl import load_workbook

    from ui.export import tables_csv, tables_xlsx

    answer = _table_answer("\t=1+2", "\r-5")
    rows = list(csv.reader(io.StringIO(tables_csv([answer]).decode("utf-8-sig"))))
    for cell in rows[1]:
        assert not cell or cell[0] not in "=+-@\t\r", rows[1]
    path = tmp_path / "t.xlsx"
    path.write_bytes(tables_xlsx([answer]))
    sheet = load_workbook(path).active
    for cell in sheet[2]:
        assert cell.data_type == "s", (cell.value, cell.data_type)


def test_each_session_exports_into_its_own_unguessable_folder(hash_bot, tmp_path):
    from ui.export import export
    from ui.session import Session

    a, b = Session(hash_bot, tmp_path / "exports"), Session(hash_bot, tmp_path / "exports")
    a.ask("西湖区行政复议纠错率是多少？")
    b.ask("武侯区行政处罚案件有多少？")
    pa, pb = export(a.all(), "md", a.exports), export(b.all(), "md", b.exports)
    assert pa.parent != pb.parent and pa.read_bytes() != pb.read_bytes()
    for path in (pa, pb):
        assert len(path.parent.name) >= 22 and (path.parent.stat().st_mode & 0o077) == 0
    assert "西湖" in pa.read_text(encoding="utf-8") and "武侯" not in pa.read_text(encoding="utf-8")
    a.close()
    assert not pa.exists()


# -- 6. readers never see a version vanish -----------------------------------------------------------

def test_quick_commits_keep_versions_a_loader_may_still_be_reading(hash_bot):
    index_dir = hash_bot.index_dir
    first = hash_bot.store.version
    for i in range(4):
        (hash_bot.library).mkdir(exist_ok=True)
        (hash_bot.library / f"r{i}.txt").write_text(REPORT_B.replace("武侯区", f"武侯区{i}"), encoding="utf-8")
        hash_bot.refresh()
    assert (index_dir / first / "manifest.json").exists()   # superseded seconds ago: within the grace period
    assert Store.load(index_dir)


def test_a_loader_retries_once_when_its_version_vanishes(hash_bot, monkeypatch):
    index_dir = hash_bot.index_dir
    live = hash_bot.store.version
    shutil.copytree(index_dir / live, index_dir / "v-99999999T999999-aaaaaa")
    (index_dir / "CURRENT").write_text("v-00000000T000000-gone00")   # a version a writer just removed
    real = store_mod.current_version
    calls = []

    def moving(path):                     # the writer switches CURRENT while the loader reads
        calls.append(1)
        if len(calls) == 1:
            (index_dir / "CURRENT").write_text("v-99999999T999999-aaaaaa")
        return real(path)

    monkeypatch.setattr(store_mod, "current_version", moving)
    assert len(Store.load(index_dir)) == len(hash_bot.store)


def test_loaders_during_many_quick_commits_never_see_damaged(hash_bot):
    index_dir = hash_bot.index_dir
    manifest = dict(hash_bot.store.manifest)
    errors, loads, stop = [], [0], threading.Event()

    def loader():
        deadline = time.monotonic() + 30
        while not stop.is_set() and time.monotonic() < deadline:
            try:
                Store.load(index_dir)
                loads[0] += 1
            except Exception as exc:     # any failure is the defect
                errors.append(repr(exc)[:200])

    threads = [threading.Thread(target=loader) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        for _ in range(40):               # quick commits: each a new version naming the same segments
            write_version(index_dir, manifest)
    finally:
        stop.set()
        for t in threads:
            t.join(60)
    assert loads[0] > 0 and errors == [], (loads, errors[:3], len(errors))


# -- 7. uploads and shipped files never shadow each other --------------------------------------------

def test_a_shipped_library_folder_never_shadows_an_upload(tmp_path):
    shipped = tmp_path / "seeds"
    (shipped / "library").mkdir(parents=True)
    (shipped / "library" / "x.txt").write_text(REPORT_A, encoding="utf-8")
    bot = make_bot(shipped, tmp_path)
    src = tmp_path / "x.txt"
    src.write_text(REPORT_B, encoding="utf-8")
    message = upload(bot, [src], quiet)
    assert message.startswith("✓ library/x.txt") and "武侯区" in message, message
    assert bot.store.files["library/x.txt"].meta.region.endswith("武侯区")
    shipped_name = next(s for s in bot.store.files if s != "library/x.txt")
    assert bot.store.files[shipped_name].meta.region.endswith("西湖区") and not bot.roots.in_library(shipped_name)
    assert lib.set_metadata(bot, "library/x.txt", {"title": "上传的"}).startswith("✓ 已修改 library/x.txt")
    assert bot.reports["library/x.txt"].title == "上传的" and bot.reports[shipped_name].title != "上传的"
    assert lib.delete(bot, shipped_name).startswith("✓ 已隐藏")
    assert "library/x.txt" in bot.store.files and (tmp_path / "library" / "x.txt").exists()


# -- 8. library edits are serialised -----------------------------------------------------------------

def test_two_edits_at_once_both_land(library_bot, monkeypatch):
    real = lib._existing

    def slow(path):
        out = real(path)
        time.sleep(0.3)                  # both edits read the sidecar before either writes it
        return out

    monkeypatch.setattr(lib, "_existing", slow)
    replies = []
    edits = [{"title": "新标题"}, {"issuer": "方正县人民政府"}]
    threads = [threading.Thread(target=lambda e=e: replies.append(lib.set_metadata(library_bot, "library/report.txt", e)))
               for e in edits]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    final = json.loads((library_bot.library / "report.txt.meta.json").read_text(encoding="utf-8"))
    ok = [r for r in replies if r.startswith("✓")]
    assert all(r.startswith("✓") or "重试" in r for r in replies), replies
    assert len(final) == len(ok) and ok, (final, replies)


def test_an_edit_that_cannot_get_the_lock_changes_nothing_and_says_retry(library_bot, monkeypatch):
    from filelock import FileLock

    monkeypatch.setattr(lib, "LOCK_WAIT_S", 0.2)
    holder = FileLock(str(library_bot.library / lib.EDIT_LOCK))
    replies = []
    with holder:                          # another edit holds the lock (another thread, another process)
        t = threading.Thread(target=lambda: replies.append(
            lib.set_metadata(library_bot, "library/report.txt", {"title": "新标题"})))
        t.start()
        t.join(30)
    assert replies and replies[0].startswith("✗") and "重试" in replies[0], replies
    assert not (library_bot.library / "report.txt.meta.json").exists()


def test_two_hides_at_once_both_land(tmp_path, monkeypatch):
    shipped = tmp_path / "seeds"
    shipped.mkdir()
    (shipped / "a.txt").write_text(REPORT_A, encoding="utf-8")
    (shipped / "b.txt").write_text(REPORT_B, encoding="utf-8")
    bot = make_bot(shipped, tmp_path)
    real = bot.roots.hidden
    roots_cls = type(bot.roots)

    def slow(self):
        out = real()
        time.sleep(0.3)
        return out

    monkeypatch.setattr(roots_cls, "hidden", slow)
    replies = []
    threads = [threading.Thread(target=lambda s=s: replies.append(lib.delete(bot, s))) for s in ("a.txt", "b.txt")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    monkeypatch.undo()
    hidden = json.loads((tmp_path / "library" / ".hidden.json").read_text(encoding="utf-8"))
    assert sorted(hidden) == sorted(s for s, r in zip(("a.txt", "b.txt"), replies) if r.startswith("✓")) or \
        sorted(hidden) == ["a.txt", "b.txt"]
    assert all(r.startswith("✓") or "重试" in r for r in replies) and len(hidden) == sum(r.startswith("✓") for r in replies)


# -- 9. segments are immutable -----------------------------------------------------------------------

def test_a_segment_changed_while_the_app_runs_is_refused_by_the_next_version(hash_bot):
    seg = next((hash_bot.index_dir / "segments").glob("s-*/chunks.jsonl"))
    text = seg.read_text(encoding="utf-8")
    seg.write_text(text.replace("12.6%", "19.6%"), encoding="utf-8")   # same length, changed in place
    (hash_bot.library / "new.txt").write_text(FANGZHENG_MISLABELLED, encoding="utf-8")
    with pytest.raises(IndexCorrupt) as caught:
        hash_bot.refresh()
    assert "--rebuild" in str(caught.value)
    assert hash_bot.store.version == store_mod.current_version(hash_bot.index_dir)


# -- 10./11. API values, deep folders, paths ---------------------------------------------------------

@pytest.mark.parametrize("year", ["²", "9" * 5000, "-1", "20x", "２０２²", ["2022"]])
def test_odd_year_filters_get_a_chinese_message(year):
    from ui.validate import Invalid, year_filter

    with pytest.raises(Invalid) as caught:
        year_filter(year)
    assert "年份" in str(caught.value)
    assert year_filter("2022") == 2022 and year_filter("全部年份") is None and year_filter(None) is None
    assert year_filter("２０２２年") == 2022 and year_filter(2021) == 2021


def test_odd_api_values_are_refused_in_chinese(library_bot, tmp_path):
    new = tmp_path / "v2.txt"
    new.write_text(FANGZHENG_MISLABELLED, encoding="utf-8")
    assert replace_upload(library_bot, new, "library/re\x00port.txt", quiet).startswith("✗")
    assert lib.set_metadata(library_bot, "library/report.txt", ["region"]).startswith("✗")
    assert lib.set_metadata(library_bot, "library/report.txt", {"region": ["a"]}).startswith("✗")
    assert lib.set_metadata(library_bot, 5, {"region": "方正县"}).startswith("✗")
    assert lib.delete(library_bot, "xi\x00hu.txt").startswith("✗")


def test_set_metadata_on_a_shipped_report_with_a_long_name(tmp_path):
    shipped = tmp_path / "seeds"
    shipped.mkdir()
    name = "西" * 83 + ".txt"                               # 253 bytes: the sidecar name would be longer
    (shipped / name).write_text(REPORT_A, encoding="utf-8")
    bot = make_bot(shipped, tmp_path)
    message = lib.set_metadata(bot, name, {"region": "方正县"})
    assert message.startswith("✗") and "过长" in message, message


def test_a_folder_a_thousand_deep_is_walked_without_recursion(tmp_path):
    root = tmp_path / "deep"
    (root / "a").mkdir(parents=True)
    (root / "a" / "near.txt").write_text(REPORT_A, encoding="utf-8")
    levels = [str(root)]
    for _ in range(1000):                       # made one level at a time: Path.mkdir(parents=True) recurses
        levels.append(levels[-1] + "/d")
        os.mkdir(levels[-1])
    (Path(levels[-1]) / "far.txt").write_text(REPORT_B, encoding="utf-8")
    try:
        found, skipped = scan.discover(root)
        assert [c.source for c in found] == ["a/near.txt"]
        assert any("层" in why for _, why in skipped), skipped
    finally:                                    # and removed the same way (shutil.rmtree recurses on 3.11)
        os.unlink(levels[-1] + "/far.txt")
        for level in reversed(levels[1:]):
            os.rmdir(level)


def test_replies_name_library_files_not_server_paths(library_bot, tmp_path):
    new = tmp_path / "v2.txt"
    new.write_text(FANGZHENG_MISLABELLED, encoding="utf-8")
    replaced = replace_upload(library_bot, new, "library/report.txt", quiet)
    deleted = lib.delete(library_bot, "library/wuhou.txt")
    for message in (replaced, deleted):
        assert message.startswith("✓") and str(tmp_path) not in message and ".trash/" in message, message


def test_a_failed_update_names_no_server_path(library_bot, tmp_path, monkeypatch):
    def damaged(**_kwargs):
        raise IndexCorrupt(f"index {library_bot.index_dir} is damaged: x; rebuild it with: python -m assistant "
                           f"index <folder> --index-dir {library_bot.index_dir} --rebuild")

    monkeypatch.setattr(library_bot, "refresh", damaged)
    src = tmp_path / "新.txt"
    src.write_text(REPORT_B, encoding="utf-8")
    message = upload(library_bot, [src], quiet)
    assert "索引更新失败" in message and "--rebuild" in message and str(tmp_path) not in message, message


def test_a_target_inside_the_trash_cannot_be_replaced(library_bot, tmp_path):
    lib.delete(library_bot, "library/wuhou.txt")
    trashed = next((library_bot.library / ".trash").rglob("wuhou.txt"))
    target = "library/" + trashed.relative_to(library_bot.library).as_posix()
    new = tmp_path / "v2.txt"
    new.write_text(REPORT_B, encoding="utf-8")
    assert replace_upload(library_bot, new, target, quiet).startswith("✗")
    assert trashed.read_text(encoding="utf-8") == REPORT_B and not (library_bot.library / "wuhou.txt").exists()


def test_a_flipped_manifest_seal_is_damaged_with_the_rebuild_hint(hash_bot):
    seal = hash_bot.index_dir / hash_bot.store.version / "manifest.sha256"
    seal.write_bytes(bytes(b ^ 0xFF for b in seal.read_bytes()))
    with pytest.raises(IndexCorrupt) as caught:
        Store.load(hash_bot.index_dir)
    assert "--rebuild" in str(caught.value)


def test_a_huge_question_keeps_a_session_small(hash_bot):
    import pickle

    from ui.session import Session
    from ui.validate import chat_history, question_text

    question = question_text("西湖区" * 70_000 + "\x00")          # 210 KB of text: cut long before it is kept
    assert len(question) <= 10_000 and "\x00" not in question
    session = Session(hash_bot)
    session.ask(question)
    assert len(pickle.dumps([a.to_dict() for a in session.all()])) < 60_000
    sent = [{"role": "user", "content": "问" * 200_000}, {"role": "assistant", "content": "答"}] * 30
    kept = chat_history(sent, 40)                                   # what a client sends back is bounded too
    assert len(kept) == 40 and sum(len(m["content"]) for m in kept) < 40 * 20_100
    parts = [{"role": "user", "metadata": None, "content": [{"text": "问" * 200_000, "type": "text"}] * 50}]
    kept = chat_history(parts, 40)                                  # Gradio's own shape: a list of parts
    assert sum(len(p["text"]) for p in kept[0]["content"]) < 20 * 20_100
    assert chat_history([{"role": "user", "content": 5}, "x"], 40) == []
