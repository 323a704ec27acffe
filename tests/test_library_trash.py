"""The library is safe: a deleted upload is listed in the trash and 恢复 brings it back (with its metadata);
relabelling refreshes the labels the next answer uses, and the level follows the place."""
import pytest

from assistant import Assistant, Settings
from ui import library as lib
from ui.recover import trash_rows, trashed
from ui.session import Session

pytestmark = pytest.mark.unit

JZ = """晋中市2022年法治政府建设年度报告
一、主要做法
（一）行政复议。全年受理行政复议案件41件，纠错率为9.8%。
（二）法律援助。办理法律援助案件126件。
"""


@pytest.fixture
def bot(tmp_path):
    (tmp_path / "seeds").mkdir()
    (tmp_path / "lib").mkdir()
    (tmp_path / "seeds" / "a.txt").write_text("海盛区2022年法治政府建设年度报告\n一、主要举措\n1.化解行政争议。全年办理行政复议案件12件。\n",
                                              encoding="utf-8")
    (tmp_path / "lib" / "jz.txt").write_text(JZ, encoding="utf-8")
    return Assistant.from_folder(tmp_path / "seeds", index_dir=tmp_path / "idx", settings=Settings(encoder="hash-64"),
                                 library=tmp_path / "lib")


def test_delete_then_restore_from_the_trash(bot):
    assert lib.set_metadata(bot, "library/jz.txt", {"region": "方正县"}).startswith("✓")
    assert lib.delete(bot, "library/jz.txt").startswith("✓")
    assert "library/jz.txt" not in bot.reports
    [entry] = trashed(bot.library)
    assert entry["source"] == "library/jz.txt" and entry["trash"].startswith(".trash/")
    assert trash_rows(bot.library)[0]["where"] == "trash"
    message = lib.restore(bot, "library/jz.txt")
    assert message.startswith("✓ 已从回收站恢复 library/jz.txt"), message
    assert bot.reports["library/jz.txt"].region == "方正县"            # its sidecar came back with it
    assert trashed(bot.library) == []
    assert lib.restore(bot, "library/jz.txt").startswith("✗")         # nothing left to restore


def test_a_restored_upload_never_overwrites_a_newer_one(bot):
    lib.delete(bot, "library/jz.txt")
    (bot.library / "jz.txt").write_text(JZ.replace("41件", "43件"), encoding="utf-8")
    bot.refresh()
    [entry] = trashed(bot.library)
    message = lib.restore(bot, entry["trash"])
    assert "library/jz (2).txt" in message and message.startswith("✓"), message
    assert "43件" in (bot.library / "jz.txt").read_text(encoding="utf-8")
    assert {"library/jz.txt", "library/jz (2).txt"} <= set(bot.reports)


def test_relabelling_refreshes_the_next_answer_and_the_level_follows_the_place(bot):
    session = Session(bot)
    _, before = session.ask("晋中市行政复议案件有多少件？")
    assert before.found and before.lead.startswith("晋中市")
    assert lib.set_metadata(bot, "library/jz.txt", {"region": "塘桥镇"}).startswith("✓")
    row = next(r for r in lib.rows(bot) if r["source"] == "library/jz.txt")
    assert row["region"] == "塘桥镇" and row["level_name"] == "乡镇街道"
    _, after = session.ask("塘桥镇行政复议案件有多少件？")
    assert after.found and after.lead.startswith("塘桥镇") and not after.notices, after.text
