"""One index over a shipped folder and a user's library: names, sidecars kept in the library, hidden reports."""
import json
from pathlib import Path

import pytest

from assistant import Assistant, Settings
from assistant.index.roots import Roots, data_home
from assistant.index.scan import Scanner
from tests.conftest import REPORT_A, REPORT_B, CountingEncoder

pytestmark = pytest.mark.unit

HASH = Settings(encoder="hash-128")


def snapshot(folder: Path) -> dict:
    return {str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(folder.rglob("*"))}


@pytest.fixture
def shipped(tmp_path) -> Path:
    folder = tmp_path / "seeds"
    folder.mkdir()
    (folder / "xihu.txt").write_text(REPORT_A, encoding="utf-8")
    return folder


def test_library_files_are_named_library_and_shipped_ones_keep_their_names(shipped, tmp_path):
    library = tmp_path / "lib"
    library.mkdir()
    (library / "wuhou.txt").write_text(REPORT_B, encoding="utf-8")
    bot = Assistant.from_folder(shipped, index_dir=tmp_path / "i", settings=HASH, library=library)
    assert sorted(bot.store.files) == ["library/wuhou.txt", "xihu.txt"]
    assert bot.ask("武侯区2022年办理了多少件行政处罚案件？").citations[0].source == "library/wuhou.txt"
    assert bot.store.manifest["library"] == str(library.resolve())


def test_without_a_library_nothing_changes(shipped, tmp_path):
    bot = Assistant.from_folder(shipped, settings=HASH)
    assert list(bot.store.files) == ["xihu.txt"] and bot.library is None
    assert bot.index_dir == shipped.resolve() / ".index" / "hash-128"


def test_a_library_backed_index_lives_in_the_user_data_folder(shipped, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    library = tmp_path / "new-library"                   # created when missing
    bot = Assistant.from_folder(shipped, settings=HASH, library=library)
    assert library.is_dir() and data_home() == tmp_path / "data" / "gov-report-assistant"
    assert bot.index_dir == data_home() / "index" / Roots(shipped, library).key() / "hash-128"
    assert not (shipped / ".index").exists()
    other = Roots(shipped, tmp_path / "another").key()
    assert other != Roots(shipped, library).key()


def test_a_sidecar_in_the_library_relabels_a_shipped_report_without_writing_to_it(shipped, tmp_path):
    library = tmp_path / "lib"
    enc = CountingEncoder()
    bot = Assistant.from_folder(shipped, index_dir=tmp_path / "i", encoder=enc, library=library)
    before = snapshot(shipped)
    overlay = Roots(shipped, library).overlay("xihu.txt")
    assert overlay == library / ".sidecars" / "xihu.txt.meta.json"
    overlay.parent.mkdir(parents=True)
    overlay.write_text(json.dumps({"region": "南昌市西湖区", "year": 2020}, ensure_ascii=False), encoding="utf-8")
    bot.refresh()
    meta = bot.reports["xihu.txt"]
    assert meta.region_path[-2:] == ("南昌市", "西湖区") and meta.year == 2020
    assert meta.provenance["region"] == meta.provenance["year"] == "sidecar"
    assert snapshot(shipped) == before
    # The sidecar beside a shipped report yields to the one the app wrote.
    (shipped / "xihu.meta.json").write_text('{"region": "杭州市西湖区"}', encoding="utf-8")
    bot.refresh()
    assert bot.reports["xihu.txt"].region_path[-2] == "南昌市"
    overlay.unlink()
    bot.refresh()
    assert bot.reports["xihu.txt"].region_path[-2] == "杭州市"


def test_a_broken_library_sidecar_is_ignored_with_its_reason(shipped, tmp_path):
    library = tmp_path / "lib"
    overlay = Roots(shipped, library).overlay("xihu.txt")
    overlay.parent.mkdir(parents=True)
    overlay.write_text('{"year": 3000}', encoding="utf-8")
    bot = Assistant.from_folder(shipped, index_dir=tmp_path / "i", settings=HASH, library=library)
    assert bot.reports["xihu.txt"].year == 2021
    assert any("xihu.txt.meta.json" in name and "3000" in reason for name, reason in bot.skipped)


def test_hidden_shipped_reports_leave_the_index_and_come_back(shipped, tmp_path):
    library = tmp_path / "lib"
    (shipped / "wuhou.txt").write_text(REPORT_B, encoding="utf-8")
    bot = Assistant.from_folder(shipped, index_dir=tmp_path / "i", settings=HASH, library=library)
    (library / ".hidden.json").write_text(json.dumps({"wuhou.txt": {"title": "武侯区"}}), encoding="utf-8")
    bot.refresh()
    assert list(bot.store.files) == ["xihu.txt"] and not bot.skipped
    (library / ".hidden.json").write_text("{not json", encoding="utf-8")   # a damaged list hides nothing
    bot.refresh()
    assert sorted(bot.store.files) == ["wuhou.txt", "xihu.txt"]


def test_a_library_inside_the_shipped_folder_is_listed_once(shipped, tmp_path):
    library = shipped / "my-library"
    library.mkdir()
    (library / "wuhou.txt").write_text(REPORT_B, encoding="utf-8")
    found, _, skipped = Scanner(Roots(shipped, library), HASH).scan()
    assert sorted(name for name, _ in found) == ["library/wuhou.txt", "xihu.txt"] and not skipped


def test_a_shipped_subfolder_named_library_does_not_collide(shipped, tmp_path):
    (shipped / "library").mkdir()
    (shipped / "library" / "a.txt").write_text(REPORT_B, encoding="utf-8")
    library = tmp_path / "lib"
    library.mkdir()
    (library / "a.txt").write_text(REPORT_B.replace("3120件", "3121件"), encoding="utf-8")
    found, paths, skipped = Scanner(Roots(shipped, library), HASH).scan()
    # Names are distinct by root (issue 20): the upload is library/a.txt, the shipped file ./library/a.txt.
    assert [name for name, _ in found].count("library/a.txt") == 1
    assert paths["library/a.txt"].path == library / "a.txt"
    assert paths["./library/a.txt"].path == shipped / "library" / "a.txt"
    assert skipped == []
