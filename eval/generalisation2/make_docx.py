"""Build reports/sfb_2021.docx (司法部 2021) from _src/sfb_2021.txt with python-docx.

Run with: /work/main/.venv/bin/python make_docx.py
First line = title (Title style); lines like "一、…" = Heading 1; the rest = body paragraphs,
the last two lines right-aligned (signature). Each line becomes exactly one <w:p>.
"""
import re
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

HERE = Path(__file__).resolve().parent
SRC = HERE / "_src" / "sfb_2021.txt"
OUT = HERE / "reports" / "sfb_2021.docx"


def main() -> None:
    lines = [l.strip() for l in SRC.read_text(encoding="utf-8").splitlines() if l.strip()]
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "FangSong"
    normal.font.size = Pt(16)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋_GB2312")
    doc.core_properties.title = lines[0]
    doc.core_properties.author = "司法部法治督察局"
    doc.add_paragraph(lines[0], style="Title")
    body = lines[1:]
    for i, line in enumerate(body):
        if re.match(r"^[一二三四五六七八九十]+、", line):
            doc.add_paragraph(line, style="Heading 1")
        else:
            p = doc.add_paragraph()
            # split a paragraph into two runs so that text is not one <w:t> (as real Word files do)
            cut = len(line) // 3
            p.add_run(line[:cut])
            p.add_run(line[cut:])
            if i >= len(body) - 2:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            else:
                p.paragraph_format.first_line_indent = Pt(32)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    doc.save(OUT)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
