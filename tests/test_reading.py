import pytest

from assistant.ingest.reading import ReadError, decode

pytestmark = pytest.mark.unit
TEXT = "一、主要做法\n西湖区2021年受理行政复议案件198件，纠错率12.6%。\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "utf-16-le", "utf-16-be"])
def test_every_common_encoding_reads_back_exactly(encoding):
    decoded = decode(TEXT.encode(encoding), "r.txt")
    assert decoded.text == TEXT


def test_mixed_utf8_and_gbk_lines_both_read():
    data = "第一行是UTF-8编码。\n".encode("utf-8") + "第二行是GBK编码。\n".encode("gbk")
    decoded = decode(data, "mixed.txt")
    assert "第一行是UTF-8编码" in decoded.text and "第二行是GBK编码" in decoded.text
    assert "mixed" in decoded.encoding


def test_invalid_bytes_in_the_middle_are_replaced_not_fatal():
    body = "西湖区全年受理行政复议申请215件，纠错率为12.6%。" * 5
    data = ("前一句。" + body + "\n").encode() + b"\xff\xfe\xfa broken \n" + ("后一句。" + body + "\n").encode()
    decoded = decode(data, "bad.txt")
    assert "前一句" in decoded.text and "后一句" in decoded.text


@pytest.mark.parametrize("data,reason", [
    (b"", "空文件"), (b"  \n\t \r\n", "空白"), (bytes(range(256)) * 40, "二进制"),
    (b"\x89PNG\r\n\x1a\n" + bytes(200), "二进制"),
])
def test_unreadable_input_names_file_and_reason(data, reason):
    with pytest.raises(ReadError) as err:
        decode(data, "x.txt")
    assert "x.txt" in str(err.value) and reason in err.value.reason
