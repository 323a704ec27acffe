"""The report library without Gradio: rows, metadata edits, delete to the trash, hide and restore."""
import json
from pathlib import Path

import pytest

from assistant import Assistant, Settings
from tests.conftest import REPORT_A
from ui import library as lib

pytestmark = pytest.mark.unit


def snapshot(folder: Path) -> dict:
    return {str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(folder.rglob("*"))}


def test_rows_say_where_each_label_was_read_and_where_the_file_lives(library_bot):
    rows = {r["source"]: r for r in lib.rows(library_bot)}
    assert set(rows) == {"xihu.txt", "library/report.txt", "library/wuhou.txt"}
    xihu = rows["xihu.txt"]
    assert xihu["where"] == "shipped" and xihu["region"] == "杭州市西湖区" and xihu["level_name"] == "县区级"
    assert xihu["chunks"] > 0 and "地区←标题" in xihu["provenance_text"] and rows["library/report.txt"]["where"] == "library"


def test_relabelling_an_upload_writes_its_sidecar_and_changes_answers(library_bot):
    message = lib.set_metadata(library_bot, "library/report.txt", {"region": "方正县", "year_from": 2023})
    assert message.startswith("✓") and "晋中市 → 方正县" in message and "2022 → 2023" in message
    sidecar = json.loads((library_bot.library / "report.txt.meta.json").read_text(encoding="utf-8"))
    assert sidecar == {"region": "方正县", "year_from": 2023, "year_to": 2023}
    meta = library_bot.reports["library/report.txt"]
    assert meta.region_path[-1] == "方正县" and meta.level == "county" and meta.provenance["region"] == "sidecar"
    assert "方正县" in {r["region"] for r in lib.rows(library_bot)}
    assert library_bot.ask("方正县受理了多少件行政复议案件？").citations[0].source == "library/report.txt"
    # An empty value gives the field back to the report's text.
    assert lib.set_metadata(library_bot, "library/report.txt", {"region": "", "year_from": None, "year_to": None}).startswith("✓")
    assert library_bot.reports["library/report.txt"].region == "晋中市"
    assert not (library_bot.library / "report.txt.meta.json").exists()


def test_relabelling_a_shipped_report_never_writes_into_its_folder(library_bot):
    before = snapshot(library_bot.folder)
    assert lib.set_metadata(library_bot, "xihu.txt", {"title": "西湖区报告"}).startswith("✓")
    assert library_bot.reports["xihu.txt"].title == "西湖区报告" and snapshot(library_bot.folder) == before
    assert (library_bot.library / ".sidecars" / "xihu.txt.meta.json").exists()


def test_bad_metadata_is_refused_before_anything_is_written(library_bot):
    message = lib.set_metadata(library_bot, "library/report.txt", {"year_from": 3000})
    assert message.startswith("✗") and "3000" in message and not (library_bot.library / "report.txt.meta.json").exists()
    assert lib.set_metadata(library_bot, "library/report.txt", {"colour": "red"}).startswith("✗")
    assert lib.set_metadata(library_bot, "nope.txt", {"title": "x"}).startswith("✗")


def test_deleting_an_upload_moves_it_and_its_sidecar_to_the_trash(library_bot):
    lib.set_metadata(library_bot, "library/report.txt", {"region": "方正县"})
    message = lib.delete(library_bot, "library/report.txt")
    assert message.startswith("✓") and ".trash" in message
    assert "library/report.txt" not in library_bot.store.files
    trashed = sorted(p.name for p in (library_bot.library / ".trash").rglob("*") if p.is_file())
    assert trashed == ["report.txt", "report.txt.meta.json"] and not (library_bot.library / "report.txt").exists()


def test_deleting_a_shipped_report_hides_it_until_restored(library_bot):
    before = snapshot(library_bot.folder)
    assert lib.delete(library_bot, "xihu.txt").startswith("✓") and "xihu.txt" not in library_bot.store.files
    assert snapshot(library_bot.folder) == before
    hidden = [r for r in lib.rows(library_bot) if r["where"] == "hidden"]
    assert [r["source"] for r in hidden] == ["xihu.txt"] and hidden[0]["region"] == "杭州市西湖区"
    assert lib.restore(library_bot, "xihu.txt").startswith("✓") and "xihu.txt" in library_bot.store.files
    assert lib.restore(library_bot, "xihu.txt").startswith("✗")


def test_without_a_library_the_library_refuses_changes(tmp_path):
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "xihu.txt").write_text(REPORT_A, encoding="utf-8")
    plain = Assistant.from_folder(folder, index_dir=tmp_path / "i", settings=Settings(encoder="hash-128"))
    for message in (lib.set_metadata(plain, "xihu.txt", {"title": "x"}), lib.delete(plain, "xihu.txt")):
        assert message.startswith("✗") and "--library" in message
