"""Reliability II (issue 13): no bad file, name, sidecar or upload costs what is indexed, stops updates or leaks
a file. One regression test per defect found by the adversarial run; all fast (hash encoder, small generated
files, bombs bounded by lowered limits)."""
import contextlib
import errno
import io
import json
import os
import re
import shutil
import socket
import threading
import zipfile
from pathlib import Path

import numpy as np
import pytest

from assistant import Assistant, Settings
from assistant.index.store import IndexCorrupt, Store
from embeddings.encoder import HashEncoder
from tests.conftest import REPORT_A, REPORT_B

pytestmark = pytest.mark.unit

BODY = ("一、主要做法\n（一）行政复议。全年受理行政复议案件321件，纠错率为8.8%。\n"
        "二、存在的不足\n基层执法力量薄弱。\n")
REPORT_C = "关于成都市锦江区2022年度法治政府建设情况的报告\n" + BODY
FANGZHENG = ("黑龙江省哈尔滨市方正县2021年法治政府建设年度报告\n一、主要做法\n"
             "（一）行政复议。方正县全年受理行政复议案件41件，纠错率为4.9%。\n方正县人民政府\n2022年1月10日\n")
YILAN = ("黑龙江省哈尔滨市依兰县2021年法治政府建设年度报告\n一、主要做法\n"
         "（一）行政复议。依兰县全年受理行政复议案件57件，纠错率为7.0%。\n依兰县人民政府\n2022年1月12日\n")
SECRET = "关于机密县2022年度法治政府建设情况的报告\n一、主要做法\n机密事项共777件，不得外传。\n"
CJK = re.compile(r"[\u4e00-\u9fff]")
# A deadlock guard only (never a performance bound): how long one thread waits for another that, once the
# issue is fixed, finishes in well under a second.
DEADLOCK_GUARD_S = 120


def build(folder: Path, tmp_path: Path, encoder=None, **settings) -> Assistant:
    return Assistant.from_folder(folder, index_dir=tmp_path / "index", encoder=encoder,
                                 settings=Settings(encoder="hash-64", **settings))


def indexed(bot: Assistant, name: str) -> bool:
    return name in bot.store.files or any(name in e.aliases for e in bot.store.files.values())


def others_kept(bot: Assistant) -> None:
    """The two good reports of the tiny folder are indexed and answer."""
    assert {"xihu.txt", "wuhou.txt"} <= set(bot.store.files), bot.skipped
    assert "12.6%" in bot.ask("西湖区2021年行政复议纠错率是多少？").text


def html_page(text: str, charset: str) -> bytes:
    paras = "".join(f"<p>{line}</p>\n" for line in text.splitlines() if line.strip())
    return (f"<!DOCTYPE html><html><head><meta charset='{charset}'><title>{text.splitlines()[0]}</title></head>"
            f"<body><div class='article'>{paras}</div></body></html>").encode("utf-8")


def snapshot(folder: Path) -> dict:
    return {str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.stat().st_size, p.is_dir())
            for p in sorted(folder.rglob("*"))}


# -- 1. uploads never overwrite ---------------------------------------------------------------

def _file(tmp_path: Path, sub: str, name: str, text: str | bytes) -> Path:
    path = tmp_path / sub / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def test_upload_under_an_existing_name_keeps_both_reports(hash_bot, tmp_path):
    from ui.upload import upload

    upload(hash_bot, [_file(tmp_path, "u1", "report.txt", FANGZHENG)], lambda *a: None)
    message = upload(hash_bot, [_file(tmp_path, "u2", "report.txt", YILAN)], lambda *a: None)
    regions = {m.region for m in hash_bot.reports.values()}
    assert any("方正县" in r for r in regions) and any("依兰县" in r for r in regions), (regions, message)
    assert "library/report (2).txt" in message
    assert "方正县" in (hash_bot.library / "report.txt").read_text(encoding="utf-8")


def test_damaged_upload_under_an_existing_name_removes_nothing(hash_bot, tmp_path):
    from ui.upload import upload

    upload(hash_bot, [_file(tmp_path, "u1", "report.txt", FANGZHENG)], lambda *a: None)
    message = upload(hash_bot, [_file(tmp_path, "u2", "report.txt", b"")], lambda *a: None)
    assert "library/report.txt" in hash_bot.store.files and "✗ library/report (2).txt" in message
    assert "41件" in hash_bot.ask("方正县受理了多少件行政复议案件？").text


def test_replacing_an_upload_is_explicit_and_says_what_it_replaces(hash_bot, tmp_path):
    from ui.upload import replace_upload, upload

    upload(hash_bot, [_file(tmp_path, "u1", "report.txt", FANGZHENG)], lambda *a: None)
    refused = replace_upload(hash_bot, _file(tmp_path, "u2", "report.txt", b""), "library/report.txt",
                             lambda *a: None)
    assert "未替换" in refused and "41件" in hash_bot.ask("方正县受理了多少件行政复议案件？").text
    message = replace_upload(hash_bot, _file(tmp_path, "u3", "other.txt", YILAN), "library/report.txt",
                             lambda *a: None)
    assert "替换" in message and "方正县" in message and "依兰县" in message
    old_versions = list((hash_bot.library / ".trash").rglob("report.txt"))     # the old version is kept
    assert "旧版本已移到" in message and [p.read_text(encoding="utf-8") for p in old_versions] == [FANGZHENG]
    regions = {m.region for m in hash_bot.reports.values()}
    assert not any("方正县" in r for r in regions) and any("依兰县" in r for r in regions)


def test_the_same_upload_twice_is_stored_once(hash_bot, tmp_path):
    from ui.upload import upload

    upload(hash_bot, [_file(tmp_path, "u1", "report.txt", FANGZHENG)], lambda *a: None)
    message = upload(hash_bot, [_file(tmp_path, "u2", "report.txt", FANGZHENG)], lambda *a: None)
    assert "内容相同" in message and not (hash_bot.library / "report (2).txt").exists()


def test_long_chinese_upload_name_is_shortened_and_keeps_its_format(hash_bot, tmp_path):
    from ui.upload import upload

    name = "黑龙江省哈尔滨市方正县" * 9 + ".txt"        # 103 characters but 301 bytes: over the file-name limit
    source = _file(tmp_path, "u1", "x.txt", FANGZHENG)
    browser_file = type("Upload", (), {"name": str(source), "orig_name": name})()
    message = upload(hash_bot, [browser_file], lambda *a: None)
    saved = list(hash_bot.library.iterdir())
    assert len(saved) == 1 and saved[0].suffix == ".txt" and len(os.fsencode(saved[0].name)) <= 200, message
    assert "✓" in message and any("方正县" in m.region for m in hash_bot.reports.values())


# -- 2. one bad HTML page blocks nothing ------------------------------------------------------

def test_html_declaring_an_undefined_charset_is_read_and_blocks_nothing(tiny_folder, tmp_path):
    (tiny_folder / "c.html").write_bytes(html_page(REPORT_C, "undefined"))
    bot = build(tiny_folder, tmp_path)
    others_kept(bot)
    assert "c.html" in bot.store.files, bot.skipped
    assert "321件" in bot.ask("锦江区受理了多少件行政复议案件？").text
    (tiny_folder / "new.txt").write_text(REPORT_C.replace("锦江区", "青羊区"), encoding="utf-8")
    assert "new.txt" in build(tiny_folder, tmp_path).store.files     # later updates still work


def test_garbling_declared_charset_is_detected_and_decoded_right(tiny_folder, tmp_path):
    (tiny_folder / "c.html").write_bytes(html_page(REPORT_C, "iso-8859-1"))
    bot = build(tiny_folder, tmp_path)
    entry = bot.store.files["c.html"]
    assert entry.meta.region == "成都市锦江区" and "utf-8" in entry.encoding, entry
    assert "321件" in bot.ask("锦江区受理了多少件行政复议案件？").text


# -- 3. a damaged index is refused, never answers wrongly -------------------------------------

def _damage_vectors(path: Path, kind: str) -> None:
    data = path.read_bytes()
    header = 128                      # the .npy header: the array keeps its shape, only its numbers change
    body = os.urandom(len(data) - header) if kind == "random" else bytes(len(data) - header)
    path.write_bytes(data[:header] + body)


@pytest.mark.parametrize("kind", ["random", "zeros"])
def test_damaged_vectors_are_refused_at_load(hash_bot, kind):
    _damage_vectors(hash_bot.store.part("vectors.npy"), kind)
    with pytest.raises(IndexCorrupt, match="--rebuild"):
        Store.load(hash_bot.index_dir)


def test_edited_figure_in_chunks_is_refused_at_load(hash_bot):
    path = hash_bot.store.part("chunks.jsonl")
    path.write_text(path.read_text(encoding="utf-8").replace("12.6%", "92.6%"), encoding="utf-8")
    with pytest.raises(IndexCorrupt, match="--rebuild"):
        Store.load(hash_bot.index_dir)


def test_swapped_metadata_in_the_file_table_is_refused_at_load(hash_bot):
    path = hash_bot.store.part("files.jsonl")          # each segment's files, written and checksummed with it
    files = {d["source"]: d for d in map(json.loads, path.read_text(encoding="utf-8").splitlines())}
    files["xihu.txt"]["meta"], files["wuhou.txt"]["meta"] = files["wuhou.txt"]["meta"], files["xihu.txt"]["meta"]
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in files.values()), encoding="utf-8")
    with pytest.raises(IndexCorrupt, match="--rebuild"):
        Store.load(hash_bot.index_dir)


def test_an_update_never_copies_damage_forward(hash_bot, tiny_folder):
    _damage_vectors(hash_bot.store.part("vectors.npy"), "zeros")
    (tiny_folder / "new.txt").write_text(REPORT_C, encoding="utf-8")
    with pytest.raises(IndexCorrupt, match="--rebuild"):
        Assistant.from_folder(tiny_folder, index_dir=hash_bot.index_dir, encoder=hash_bot.encoder)
    bot = Assistant.from_folder(tiny_folder, index_dir=hash_bot.index_dir, encoder=hash_bot.encoder, rebuild=True)
    assert bot.ask("西湖区2021年行政复议纠错率是多少？").citations[0].source == "xihu.txt"


def test_a_rebuild_reuses_sound_vectors_but_never_damaged_ones(tiny_folder, tmp_path):
    from tests.conftest import CountingEncoder

    encoder = CountingEncoder()
    bot = Assistant.from_folder(tiny_folder, index_dir=tmp_path / "index", encoder=encoder)
    first = encoder.passages
    bot = Assistant.from_folder(tiny_folder, index_dir=tmp_path / "index", encoder=encoder, rebuild=True)
    assert encoder.passages == first                          # unchanged passages keep their vectors
    _damage_vectors(bot.store.part("vectors.npy"), "zeros")
    bot = Assistant.from_folder(tiny_folder, index_dir=tmp_path / "index", encoder=encoder, rebuild=True)
    assert encoder.passages == 2 * first                      # zeroed vectors are not carried into the rebuild
    assert np.linalg.norm(bot.store.vectors.vectors, axis=1).min() > 0.99


# -- 4. only regular files inside the folder ---------------------------------------------------

@pytest.mark.parametrize("how", ["absolute", "relative"])
def test_links_leaving_the_folder_are_not_indexed(tiny_folder, tmp_path, how):
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    target = secret if how == "absolute" else Path("..") / "secret.txt"
    (tiny_folder / "notes.txt").symlink_to(target)
    bot = build(tiny_folder, tmp_path)
    others_kept(bot)
    assert not any("777件" in c.text for c in bot.store.chunks)
    assert "文件夹之外" in dict(bot.skipped)["notes.txt"]


def test_link_to_a_report_inside_the_folder_is_still_read(tiny_folder, tmp_path):
    (tiny_folder / "sub").mkdir()
    (tiny_folder / "sub" / "c.txt").write_text(REPORT_C, encoding="utf-8")
    (tiny_folder / "c-link.txt").symlink_to(Path("sub") / "c.txt")
    bot = build(tiny_folder, tmp_path)
    assert indexed(bot, "c-link.txt") and indexed(bot, "sub/c.txt"), bot.skipped


def test_fifo_is_skipped_without_blocking(tiny_folder, tmp_path):
    fifo = tiny_folder / "x.txt"
    os.mkfifo(fifo)
    stop = threading.Event()

    def writer():
        # Feeds the FIFO to whoever opens it for reading, so an indexer that (wrongly) reads it does not hang.
        while not stop.is_set():
            try:
                with open(fifo, "w", encoding="utf-8") as fh:
                    fh.write(REPORT_C)
            except BrokenPipeError:     # the reader closed first
                pass

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    try:
        bot = build(tiny_folder, tmp_path)
    finally:
        stop.set()
        while thread.is_alive():        # release the writer blocked in open()
            fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
            with contextlib.suppress(BlockingIOError):    # the writer has not written yet
                os.read(fd, 65536)
            os.close(fd)
            thread.join(0.05)
    others_kept(bot)
    assert "x.txt" not in bot.store.files and "命名管道" in dict(bot.skipped)["x.txt"]


@pytest.mark.parametrize("device", ["/dev/null", "/dev/zero"])
def test_links_to_devices_are_skipped(tiny_folder, tmp_path, device):
    (tiny_folder / "dev.txt").symlink_to(device)
    bot = build(tiny_folder, tmp_path)
    others_kept(bot)
    reason = dict(bot.skipped)["dev.txt"]
    assert "文件夹之外" in reason or "不是普通文件" in reason


def test_socket_is_skipped_as_not_a_regular_file(tiny_folder, tmp_path):
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tiny_folder / "s.txt"))
    try:
        bot = build(tiny_folder, tmp_path)
    finally:
        sock.close()
    others_kept(bot)
    assert "不是普通文件" in dict(bot.skipped)["s.txt"]


# -- 5. bad sidecars and names cost only themselves --------------------------------------------

SIDECARS = {
    "region-number": '{"region": 123}',
    "region-list": '{"region": ["成都市"]}',
    "year-null": '{"year": null}',
    "year-infinity": '{"year": Infinity}',
    "region-path-number": '{"region_path": 5}',
    "nested-200000": '{"region": ' + "[" * 200_000 + "]" * 200_000 + "}",
    "nested-30000": '{"region": ' + "[" * 30_000 + "]" * 30_000 + "}",     # under the size limit
    "year-to-300000000": '{"year_to": 300000000}',
    "year-1800": '{"year": 1800}',
    "years-reversed": '{"year_from": 2022, "year_to": 2019}',
    "title-10mb": json.dumps({"title": "很长的标题" * 700_000}, ensure_ascii=False),
    "directory": None,
}


@pytest.mark.parametrize("kind", list(SIDECARS))
def test_bad_sidecar_is_ignored_and_the_report_indexed_on_its_own_metadata(tiny_folder, tmp_path, kind):
    (tiny_folder / "side.txt").write_text(REPORT_C, encoding="utf-8")
    sidecar = tiny_folder / "side.meta.json"
    if SIDECARS[kind] is None:
        sidecar.mkdir()
    else:
        sidecar.write_text(SIDECARS[kind], encoding="utf-8")
    bot = build(tiny_folder, tmp_path)
    others_kept(bot)
    meta = bot.store.files["side.txt"].meta
    assert (meta.region, meta.year_from, meta.year_to) == ("成都市锦江区", 2022, 2022)
    assert len(meta.title) < 200
    reason = dict(bot.skipped)["side.meta.json"]
    assert "已忽略" in reason and CJK.search(reason)
    assert all(1949 <= (m.year_to or 2000) <= 2100 for m in bot.reports.values())


def test_good_sidecar_still_overrides(tiny_folder, tmp_path):
    (tiny_folder / "side.txt").write_text(REPORT_C, encoding="utf-8")
    (tiny_folder / "side.meta.json").write_text('{"region": "肇庆市", "year": "2021"}', encoding="utf-8")
    bot = build(tiny_folder, tmp_path)
    meta = bot.store.files["side.txt"].meta
    assert meta.region == "肇庆市" and meta.year == 2021 and "side.meta.json" not in dict(bot.skipped)


def test_gbk_file_name_is_indexed_under_its_readable_name(tiny_folder, tmp_path):
    raw = os.fsencode(tiny_folder) + b"/" + "方正县报告.txt".encode("gbk")
    with open(raw, "wb") as fh:
        fh.write(FANGZHENG.encode("utf-8"))
    bot = build(tiny_folder, tmp_path)
    others_kept(bot)
    assert "方正县报告.txt" in bot.store.files, (list(bot.store.files), bot.skipped)
    assert bot.ask("方正县受理了多少件行政复议案件？").citations[0].source == "方正县报告.txt"


def test_file_name_too_long_for_a_sidecar_is_indexed(tiny_folder, tmp_path):
    name = "报" * 82 + ".txt"                           # 250 bytes: "<stem>.meta.json" would be 256
    assert len(name.encode()) == 250
    (tiny_folder / name).write_text(REPORT_C, encoding="utf-8")
    bot = build(tiny_folder, tmp_path)
    others_kept(bot)
    assert name in bot.store.files, bot.skipped


# -- 6. bounds: nothing hangs or runs away -----------------------------------------------------

def _docx_bomb(megabytes: float) -> bytes:
    """A small DOCX whose document.xml unpacks to ``megabytes`` (bounded, so the test stays fast)."""
    from eval.format_samples import make_docx

    src = zipfile.ZipFile(io.BytesIO(make_docx(REPORT_C)))
    para = ("<w:p><w:r><w:t>" + "锦江区持续推进依法行政，进一步优化服务。" * 20 + "</w:t></w:r></w:p>").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                at = data.index(b"<w:sectPr") if b"<w:sectPr" in data else data.index(b"</w:body>")
                data = data[:at] + para * int(megabytes * 2**20 / len(para)) + data[at:]
            dst.writestr(item, data)
    return out.getvalue()


def test_docx_bomb_is_refused_by_its_unpacked_size(tiny_folder, tmp_path):
    bomb = _docx_bomb(3)
    assert len(bomb) < 100_000
    (tiny_folder / "bomb.docx").write_bytes(bomb)
    bot = build(tiny_folder, tmp_path, max_expanded_mb=1)
    others_kept(bot)
    assert "文件展开后超过 1 MB" in dict(bot.skipped)["bomb.docx"]


def test_pdf_and_html_are_refused_by_their_unpacked_size(tiny_folder, tmp_path):
    from eval.format_samples import make_pdf

    text = (Path(__file__).parent.parent / "seeds" / "004_52d06903635f611d.txt").read_text(encoding="utf-8")
    (tiny_folder / "big.pdf").write_bytes(make_pdf(text, "攀枝花市西区人民政府文件"))
    (tiny_folder / "big.html").write_bytes(html_page(text, "utf-8"))
    bot = build(tiny_folder, tmp_path, max_expanded_mb=0.01)
    others_kept(bot)
    skipped = dict(bot.skipped)
    assert "文件展开后超过 0.01 MB" in skipped["big.pdf"] and "文件展开后超过 0.01 MB" in skipped["big.html"]


@pytest.mark.parametrize("kind,name", [
    ("counted", "long.txt"),        # cut into chunks, then counted
    ("estimated", "long.txt"),      # so long that it is refused from its length, before chunking
    ("docx-bomb", "bomb.docx"),     # refused while python-docx reads it, not minutes later
])
def test_chunks_per_file_are_capped(tiny_folder, tmp_path, kind, name):
    if kind == "docx-bomb":
        (tiny_folder / name).write_bytes(_docx_bomb(3))
    else:
        repeat = 600 if kind == "counted" else 2000
        (tiny_folder / name).write_text(REPORT_C + "二、其他\n" + "锦江区推进依法行政，优化营商环境。" * repeat,
                                        encoding="utf-8")
    bot = build(tiny_folder, tmp_path, max_chunks_per_file=30)
    others_kept(bot)
    reason = dict(bot.skipped)[name]
    assert "段落" in reason and "30" in reason
    assert ("切分出" in reason) == (kind == "counted")


class GateEncoder(HashEncoder):
    """The hash encoder, holding any batch with a marked passage until released."""

    def __init__(self):
        super().__init__(64)
        self.entered, self.release = threading.Event(), threading.Event()

    def encode_passages(self, texts):
        if any("巨型报告" in t for t in texts):
            self.entered.set()
            self.release.wait(DEADLOCK_GUARD_S)
        return super().encode_passages(texts)


def test_a_huge_file_being_embedded_does_not_block_another_update(tiny_folder, tmp_path):
    encoder = GateEncoder()
    bot = Assistant.from_folder(tiny_folder, index_dir=tmp_path / "index", encoder=encoder)
    (tiny_folder / "huge.txt").write_text("关于巨型报告县2022年度法治政府建设情况的报告\n" + BODY, encoding="utf-8")
    first = threading.Thread(target=bot.refresh)
    first.start()
    assert encoder.entered.wait(DEADLOCK_GUARD_S)
    (tiny_folder / "small.txt").write_text(REPORT_C, encoding="utf-8")
    result = {}
    second = threading.Thread(target=lambda: result.setdefault("store", bot.refresh()))
    second.start()
    second.join(DEADLOCK_GUARD_S)
    finished_while_the_huge_file_embedded = not second.is_alive()
    encoder.release.set()
    first.join()
    second.join()
    assert finished_while_the_huge_file_embedded
    assert "small.txt" in result["store"].files
    assert {"huge.txt", "small.txt", "xihu.txt", "wuhou.txt"} <= set(bot.store.files)
    assert {"huge.txt", "small.txt"} <= set(Store.load(tmp_path / "index").files)


# -- per-file isolation at every stage ---------------------------------------------------------

def _failing(real, marker="锦江区"):
    def fake(*args, **kwargs):
        if marker in repr(args)[:200000]:
            raise KeyError("simulated failure")
        return real(*args, **kwargs)
    return fake


@pytest.mark.parametrize("stage", ["cleaning", "metadata", "chunking", "tokens", "embedding"])
def test_a_failure_at_any_stage_skips_only_that_file(tiny_folder, tmp_path, monkeypatch, stage):
    import assistant.ingest.report as report

    (tiny_folder / "c.txt").write_text(REPORT_C, encoding="utf-8")
    encoder = HashEncoder(64)
    if stage == "cleaning":
        monkeypatch.setattr(report, "clean", _failing(report.clean))
    elif stage == "metadata":
        monkeypatch.setattr(report, "extract_metadata", _failing(report.extract_metadata))
    elif stage == "chunking":
        monkeypatch.setattr(report, "chunk_report", _failing(report.chunk_report))
    elif stage == "tokens":
        import assistant.index.embedding as embedding

        monkeypatch.setattr(embedding, "tokenize", _failing(embedding.tokenize))
    else:
        monkeypatch.setattr(encoder, "encode_passages", _failing(encoder.encode_passages))
    bot = Assistant.from_folder(tiny_folder, index_dir=tmp_path / "index", encoder=encoder)
    others_kept(bot)
    assert "c.txt" not in bot.store.files and CJK.search(dict(bot.skipped)["c.txt"])


def test_a_report_that_breaks_the_indicator_reader_is_skipped_alone(tiny_folder, tmp_path, monkeypatch):
    """Issue 22's indicator rows are read per file: one report whose reading raises is skipped with its reason,
    the others are indexed and answer, and the next run (reader fixed) indexes it too."""
    import assistant.index.writer as writer

    (tiny_folder / "c.txt").write_text(REPORT_C, encoding="utf-8")
    real = writer.read_report
    monkeypatch.setattr(writer, "read_report",
                        lambda source, *a: (_ for _ in ()).throw(ValueError("坏表")) if source == "c.txt"
                        else real(source, *a))
    bot = Assistant.from_folder(tiny_folder, index_dir=tmp_path / "index", encoder=HashEncoder(64))
    others_kept(bot)
    reason = dict(bot.skipped)["c.txt"]
    assert "c.txt" not in bot.store.files and reason.startswith("指标提取失败") and "坏表" in reason
    assert Store.load(tmp_path / "index").skipped == [("c.txt", reason)]      # the skip is part of the version
    monkeypatch.setattr(writer, "read_report", real)
    again = Assistant.from_folder(tiny_folder, index_dir=tmp_path / "index", encoder=HashEncoder(64))
    assert {"xihu.txt", "wuhou.txt", "c.txt"} <= set(again.store.files) and not again.skipped
    assert "321件" in again.ask("锦江区受理了多少件行政复议案件？").text


def test_a_ray_block_skips_a_report_that_breaks_the_indicator_reader(tiny_folder, monkeypatch):
    """The same on the Ray path: read_block (a plain function; no Ray needed) gives the bad file's reason and
    the others' NewReports with their indicator rows."""
    import pickle

    import assistant.index.writer as writer
    from assistant.index.cluster import read_block
    from assistant.index.scan import Candidate, fingerprint, read_sidecar
    from assistant.index.writer import NewReport

    (tiny_folder / "c.txt").write_text(REPORT_C, encoding="utf-8")
    real = writer.read_report
    monkeypatch.setattr(writer, "read_report",
                        lambda source, *a: (_ for _ in ()).throw(ValueError("坏表")) if source == "c.txt"
                        else real(source, *a))
    settings = Settings(encoder="hash-64")
    files = []
    for n, name in enumerate(["c.txt", "xihu.txt"]):
        cand = Candidate(name, tiny_folder / name, tiny_folder.resolve())
        digest = fingerprint((tiny_folder / name).read_bytes(), read_sidecar(cand, settings))
        files.append((n, name, digest, cand))
    out = pickle.loads(read_block({"block": 0, "files": pickle.dumps(files)}, settings.to_dict())["items"])
    by_name = {source: item for _, source, item in out}
    assert isinstance(by_name["c.txt"], str) and by_name["c.txt"].startswith("指标提取失败")
    assert isinstance(by_name["xihu.txt"], NewReport) and by_name["xihu.txt"].indicators is not None


@pytest.mark.parametrize("data,word", [
    (b"", "空文件"), (b" \n\t \n", "空白"), (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "二进制"),
])
def test_skip_reasons_are_in_chinese(tiny_folder, tmp_path, data, word):
    (tiny_folder / "bad.txt").write_bytes(data)
    bot = build(tiny_folder, tmp_path)
    assert word in dict(bot.skipped)["bad.txt"]


# -- 7. disk full and read-only ----------------------------------------------------------------

def _no_space(monkeypatch, when=lambda: True):
    real = np.save

    def save(file, *args, **kwargs):
        if when():
            raise OSError(errno.ENOSPC, "No space left on device", str(file))
        return real(file, *args, **kwargs)

    monkeypatch.setattr(np, "save", save)


def test_a_full_disk_keeps_the_old_index_live_and_says_so(hash_bot, tiny_folder, monkeypatch):
    before = hash_bot.store.path
    (tiny_folder / "new.txt").write_text(REPORT_C, encoding="utf-8")
    _no_space(monkeypatch)
    with pytest.raises(Exception) as err:
        hash_bot.refresh()
    assert "磁盘空间不足" in str(err.value) and "原索引" in str(err.value)
    assert not [p for p in hash_bot.index_dir.iterdir() if p.name.endswith(".tmp")]
    assert Store.load(hash_bot.index_dir).path == before and hash_bot.store.path == before
    assert "12.6%" in hash_bot.ask("西湖区2021年行政复议纠错率是多少？").text


def test_stale_unfinished_versions_are_removed_before_writing(hash_bot, tiny_folder, monkeypatch):
    stale = hash_bot.index_dir / "v-20200101T000000-abcdef.tmp"
    stale.mkdir()
    (stale / "vectors.npy").write_bytes(bytes(4096))
    _no_space(monkeypatch, when=stale.exists)           # the disk is full while the stale folder is there
    (tiny_folder / "new.txt").write_text(REPORT_C, encoding="utf-8")
    hash_bot.refresh()
    assert not stale.exists() and "new.txt" in hash_bot.store.files


def test_nothing_changed_writes_nothing(hash_bot, tiny_folder):
    before = snapshot(hash_bot.index_dir)
    bot = Assistant.from_folder(tiny_folder, index_dir=hash_bot.index_dir, encoder=hash_bot.encoder)
    assert bot.ask("西湖区2021年行政复议纠错率是多少？").found
    bot.refresh()
    assert snapshot(hash_bot.index_dir) == before


class ReadOnly:
    """Every write under ``root`` fails with EROFS, as on a read-only mount (root ignores chmod)."""

    def __init__(self, monkeypatch, root: Path):
        import builtins

        import faiss

        self.root = str(root)
        real_open, real_os_open = builtins.open, os.open

        def guarded_open(file, mode="r", *args, **kwargs):
            if isinstance(file, (str, os.PathLike)) and any(c in mode for c in "wax+"):
                self.check(file)
            return real_open(file, mode, *args, **kwargs)

        def guarded_os_open(path, flags, *args, **kwargs):
            if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
                self.check(path)
            return real_os_open(path, flags, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", guarded_open)
        monkeypatch.setattr(io, "open", guarded_open)
        monkeypatch.setattr(os, "open", guarded_os_open)
        for module, name in ((os, "replace"), (os, "rename"), (os, "mkdir"), (os, "unlink"), (os, "remove"),
                             (os, "rmdir"), (shutil, "rmtree"), (faiss, "write_index")):
            monkeypatch.setattr(module, name, self.wrap(getattr(module, name)))

    def check(self, path) -> None:
        if str(os.fspath(path) if not isinstance(path, int) else "").startswith(self.root):
            raise OSError(errno.EROFS, "Read-only file system", str(path))

    def wrap(self, fn):
        def guarded(*args, **kwargs):
            for arg in args[:2]:
                if isinstance(arg, (str, os.PathLike)):
                    self.check(arg)
            return fn(*args, **kwargs)
        return guarded


def test_a_read_only_index_still_answers(hash_bot, tiny_folder, monkeypatch):
    ReadOnly(monkeypatch, hash_bot.index_dir)
    bot = Assistant.from_folder(tiny_folder, index_dir=hash_bot.index_dir, encoder=hash_bot.encoder)
    assert "12.6%" in bot.ask("西湖区2021年行政复议纠错率是多少？").text
    bot.refresh()


def test_a_read_only_index_with_changes_says_why_and_keeps_the_old_one(hash_bot, tiny_folder, monkeypatch):
    (tiny_folder / "new.txt").write_text(REPORT_C, encoding="utf-8")
    ReadOnly(monkeypatch, hash_bot.index_dir)
    with pytest.raises(Exception) as err:
        hash_bot.refresh()
    assert "只读" in str(err.value) and "原索引" in str(err.value)
    monkeypatch.undo()
    assert "new.txt" not in Store.load(hash_bot.index_dir).files


# -- 8. smaller defects ------------------------------------------------------------------------

def test_copy_restricted_aes_pdf_opens(tiny_folder, tmp_path):
    import pypdf

    from eval.format_samples import make_pdf

    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(make_pdf(REPORT_C, "锦江区人民政府文件"))))
    writer.encrypt(user_password="", owner_password="owner-only", algorithm="AES-256")
    buf = io.BytesIO()
    writer.write(buf)
    (tiny_folder / "locked.pdf").write_bytes(buf.getvalue())
    bot = build(tiny_folder, tmp_path)
    assert "locked.pdf" in bot.store.files, bot.skipped
    assert "321件" in bot.ask("锦江区受理了多少件行政复议案件？").text


def test_cryptography_is_a_declared_dependency():
    pyproject = (Path(__file__).parent.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'"cryptography>=', pyproject)
