"""The Gradio app: the chat (one Session per browser or API client), sources and each cited passage in its
report, export, and the report library (list, relabel, delete, upload, replace).

The work is done by modules without Gradio: :mod:`ui.render` (HTML), :mod:`ui.viewer` (a passage in its
report), :mod:`ui.export`, :mod:`ui.library`, :mod:`ui.upload`, :mod:`ui.examples`. This module lays out
the page and wires events; every endpoint scripts may call has an ``api_name`` (see README, "API").
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from assistant.api import Assistant
from assistant.answer.render import provenance_text, report_label
from assistant.ingest.formats import SUPPORTED
from assistant.search.filters import Filters
from ui import library as lib
from ui.examples import MAX_EXAMPLES, example_questions
from ui.indicators import indicators_tab
from ui.export import FORMATS, ExportError, export
from ui.render import CSS, answer_html, conflicts, esc, library_html, sources_html, text, user_message
from ui.recover import trash_rows
from ui.session import Session
from ui.startup import LiveAssistant, Startup, bot_status
from ui.upload import replace_upload, safe_name, upload
from ui.validate import Invalid, chat_history, question_text, region_filter, year_filter
from ui.viewer import report_view

__all__ = ["build_app", "launch", "safe_name"]

ALL = "全部"                 # what API callers may pass for "no filter"
ALL_REGIONS, ALL_YEARS = "全部地区", "全部年份"
MAX_HISTORY = 40            # chat messages a client may send back; older ones are dropped
# Sessions whose state the server keeps (Gradio's default is 10,000): beyond it the least recently used one is
# forgotten, so memory stays bounded however many API clients come and go (eval.session_memory: ~1.6 MB each).
MAX_SESSIONS = 500
SCOPES = [("当前回答", "answer"), ("整个对话", "conversation")]
EXPORT_CHOICES = [("Markdown", "md"), ("Word（DOCX）", "docx"), ("对比表 CSV", "csv"), ("对比表 Excel（XLSX）", "xlsx")]
# The answer's place in the chat while it is looked up (the question is shown at once, even when the server
# is busy with other people's questions).
WAITING_HTML = "<div class='waiting'>正在查找……</div>"
_CITE_REF = re.compile(r"^(r?)(\d+)-(\d+)$")   # "turn-n": citation n; "rturn-i": the report of table row i

# Runs once on load: a citation link ([n] in an answer, "在整篇报告中查看" on a source card) asks the server
# for that passage in its report, through a hidden textbox and button.
CITE_JS = """
() => {
  if (window.__citeHandler) return;
  window.__citeHandler = true;
  document.addEventListener('click', (event) => {
    const link = event.target.closest && event.target.closest('a.cite');
    if (!link) return;
    const found = (link.getAttribute('href') || '').match(/^#(cite|report)-(\\d+)-(\\d+)$/);
    if (!found) return;
    event.preventDefault();
    event.stopPropagation();
    const box = document.querySelector('#cite-box textarea, #cite-box input');
    const go = document.querySelector('#cite-go');
    if (!box || !go) return;
    const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(box), 'value').set;
    setter.call(box, (found[1] === 'report' ? 'r' : '') + found[2] + '-' + found[3] + '-' + Date.now());
    box.dispatchEvent(new Event('input', {bubbles: true}));
    setTimeout(() => go.click(), 80);
  }, true);
}
"""
# Scroll the report's own box (not the page) so the highlighted passage sits in its upper third.
SCROLL_JS = """
() => { setTimeout(() => { const el = document.getElementById('rv-focus');
  const box = el && el.closest('.rv-scroll');
  if (box) box.scrollTop = Math.max(0, el.offsetTop - box.clientHeight / 3); }, 150); }
"""
# A new answer opens at its start: the chat's own scroll box moves so the last answer's top (its lead line)
# is at the top, not its end (Gradio's autoscroll is off).
SHOW_ANSWER_JS = """
() => { setTimeout(() => { const all = document.querySelectorAll('#chat .answer');
  const last = all[all.length - 1]; if (!last) return;
  let box = last.parentElement;
  while (box && !(box.scrollHeight > box.clientHeight + 2 && /(auto|scroll)/.test(getComputedStyle(box).overflowY)))
    box = box.parentElement;
  if (!box) return;
  const bubble = last.closest('.message-row, .message-wrap > div') || last;
  box.scrollTop += bubble.getBoundingClientRect().top - box.getBoundingClientRect().top - 4; }, 120); }
"""
DOWNLOAD_JS = """
() => { setTimeout(() => { const a = document.querySelector('#export-file a[download], #export-file a[href]');
  if (a) a.click(); }, 300); }
"""


def status_line(bot: Assistant) -> str:
    """Counts, index age, vectors' progress and which search answers (see :mod:`ui.startup`)."""
    return bot_status(bot)


def skipped_markdown(bot: Assistant) -> str:
    """Each file that could not be indexed, with its reason (names are escaped)."""
    rows = bot.skipped
    if not rows:
        return "没有跳过的文件。"
    return "\n".join(f"- {text(name)}：{text(reason)}" for name, reason in rows)


def folders_markdown(bot: Assistant) -> str:
    shipped = f"内置报告：<code>{esc(str(bot.folder.resolve()))}</code>（只读，从不改动）"
    if bot.library is None:
        return shipped + " · 没有报告库"
    return (f"{shipped} · 报告库：<code>{esc(str(bot.library.resolve()))}</code>（上传的报告和修改的元数据；"
            "删除的报告移到其中的回收站文件夹 <code>.trash</code>）")


def filter_choices(bot: Assistant) -> tuple[list[str], list[str]]:
    metas = bot.reports.values()
    regions = [ALL_REGIONS] + sorted({m.region for m in metas if m.region})
    years = [ALL_YEARS] + sorted({str(y) for m in metas for y in range(m.year_from or 0, (m.year_to or 0) + 1) if y},
                           reverse=True)
    return regions, years


def _filters(region: str | None, year: str | None) -> Filters | None:
    """The page's filters; ui.validate.Invalid (a Chinese message) for a value an API client made up."""
    picked, when = region_filter(region), year_filter(year)
    regions, years = ((picked,) if picked else ()), ((when,) if when else ())
    return Filters(regions=regions, years=years) if (regions or years) else None


def report_choices(bot: Assistant) -> list[tuple[str, str]]:
    """(label, source) for the library's picker: region and year, title, file."""
    out = []
    for row in lib.rows(bot) + trash_rows(bot.library):
        if row["where"] == "trash":
            out.append((f"回收站 · {row['provenance_text']}", row["source"]))
            continue
        where = "已隐藏 · " if row["where"] == lib.HIDDEN_FILE else ""
        label = row.get("label") or report_label(row.get("region", ""), row.get("years", ""))
        out.append((f"{where}{label} · {row.get('title') or '（无标题）'} · {row['source']}", row["source"]))
    return out


def _year(value) -> int | None | str:
    """A year typed in the form: an int, None when empty, or the text itself when it is not a year."""
    value = str(value or "").strip().removesuffix("年")
    if not value:
        return None
    return int(value) if value.isdigit() else value


def build_app(source: Assistant | Startup):
    """The Blocks app for an Assistant, or for one still being built (a :class:`ui.startup.Startup`: the page
    is served at once and shows the indexing progress); launch it with :func:`launch`."""
    import gradio as gr

    start = source if isinstance(source, Startup) else Startup.ready(source)
    bot = LiveAssistant(start)      # handlers wait for the reports to be read, then answer (BM25 at first)
    ready = start.bot is not None

    exports = Path(tempfile.mkdtemp(prefix="gra-export-"))

    # -- chat --------------------------------------------------------------------------------

    def respond(message, history, session, region, year):
        """A chat turn, streamed: the question at once (with a 正在查找 line), then the answer with its sources.
        Gradio sends the second step as a diff of the first (the answer's message and the source panel, not the
        history again); the history's messages are never rendered again, only the new answer is."""
        try:
            history = chat_history(history, MAX_HISTORY)
            message = question_text(message)
            filters = _filters(region, year)
        except Invalid as exc:     # said in the chat, so an API client sees it in the history it gets back
            kept = chat_history(history, MAX_HISTORY) if isinstance(history, list) else []
            yield kept + [{"role": "assistant", "content": text(f"✗ {exc}")}], session, gr.skip(), ""
            return
        if not message.strip():
            yield history, session, gr.skip(), ""
            return
        history = history + [{"role": "user", "content": user_message(message)}]
        # Before the session: a new one waits for the reports to be read (the page is served before that).
        yield history + [{"role": "assistant", "content": WAITING_HTML}], session, gr.skip(), ""
        session = session or Session(bot, exports)
        turn, answer = session.ask(message, filters)
        history.append({"role": "assistant", "content": answer_html(answer, turn)})
        # The last step carries every output's value (an API client reads them from it; "" is a diff of nothing).
        yield history, session, sources_html(answer.citations, turn), ""

    def warning(session):
        answer = session.last if session else None
        found = conflicts(answer) if answer else []
        if not found:
            return gr.update(value="", visible=False), gr.update(visible=False)
        # The notices name both the question's place or year and the filter's.
        note = f"<div class='conflict-warn'>⚠ {esc('；'.join(found))}。</div>"
        return gr.update(value=note, visible=True), gr.update(visible=True)

    def lift():
        return ALL_REGIONS, ALL_YEARS, gr.update(value="", visible=False), gr.update(visible=False)

    def clear():
        return [], None, sources_html([]), "", "<div class='sources-empty'>点击回答中的 [编号] 在这里查看原文。</div>"

    def ask_json(question, region, year):
        try:
            return bot.ask(question_text(question), filters=_filters(region, year)).to_dict()
        except Invalid as exc:
            return {"found": False, "error": str(exc), "reason": str(exc)}

    def open_citation(ref, session):
        found = _CITE_REF.match("-".join(str(ref or "").split("-")[:2]))
        answer = session.answer(int(found.group(2))) if (found and session) else None
        n = int(found.group(3)) if found else 0
        if answer is not None and found.group(1):   # a 未写明 row without a related passage: its report
            rows = answer.table.rows if answer.table else ()
            passages = bot.retriever.passages(rows[n - 1].source) if 1 <= n <= len(rows) else []
            view = report_view(bot, passages[0]) if passages else "<div class='sources-empty'>找不到这份报告。</div>"
        elif answer is None or not 1 <= n <= len(answer.citations):
            view = "<div class='sources-empty'>这条回答已不在本次对话中（只保留最近 20 轮），请重新提问。</div>"
        else:
            view = report_view(bot, answer.citations[n - 1], n)
        return view, gr.Tabs(selected="report-tab")

    def do_export(session, scope, fmt):
        answers = [] if session is None else (session.all() if scope == "conversation" else
                                              [session.last] if session.last else [])
        try:
            path = export(answers, fmt, session.exports if session is not None else exports)
        except ExportError as exc:
            return None, f"✗ {exc}"
        return str(path), f"✓ 已导出 {FORMATS.get(fmt, fmt)} 文件：{path.name}（{len(answers)} 个回答）"

    # -- library -----------------------------------------------------------------------------

    def everything():
        """What changes with the library: status, filters, examples, the library table and picker, skipped."""
        regions, years = filter_choices(bot)
        questions = example_questions(bot)
        buttons = [gr.update(value=questions[i], visible=True) if i < len(questions) else gr.update(visible=False)
                   for i in range(MAX_EXAMPLES)]
        return (start.status_text(), gr.update(choices=regions), gr.update(choices=years), *buttons,
                library_html(lib.rows(bot) + trash_rows(bot.library)), gr.update(choices=report_choices(bot)),
                skipped_markdown(bot))

    def fill_form(source):
        meta = bot.reports.get(source or "")
        if meta is None:
            hidden = source in bot.roots.hidden()
            trashed = str(source or "").startswith(".trash/")
            note = ("这份内置报告已隐藏；点“恢复”可重新加入索引。" if hidden else
                    "这份报告在回收站中；点“恢复”可放回报告库并重新加入索引。" if trashed else "请选择一份报告。")
            return "", "", "", "", "", note
        where = "报告库中的文件" if bot.roots.in_library(source) else "内置报告（文件只读，修改保存在报告库中）"
        return (meta.title, meta.region, str(meta.year_from or ""), str(meta.year_to or ""), meta.issuer,
                f"{where} · 标签来源：{provenance_text(meta.provenance) or '无'}")

    def save_form(source, title, region, year_from, year_to, issuer, progress=gr.Progress()):
        meta = bot.reports.get(source or "")
        if meta is None:
            return "✗ 请先选择一份已索引的报告"
        typed = {"title": title, "region": region, "year_from": _year(year_from), "year_to": _year(year_to),
                 "issuer": issuer}
        shown = {"title": meta.title, "region": meta.region, "year_from": meta.year_from, "year_to": meta.year_to,
                 "issuer": meta.issuer}
        changes = {k: v for k, v in typed.items() if (v.strip() if isinstance(v, str) else v) != shown[k]}
        if not changes:
            return "没有改动。"
        return lib.set_metadata(bot, source, changes, _progress(progress))

    def delete_picked(source, progress=gr.Progress()):
        return lib.delete(bot, source or "", _progress(progress)) if source else "✗ 请先选择一份报告"

    def ask_delete(source):
        meta = bot.reports.get(source or "")
        if meta is None:
            return gr.update(visible=False), "", "✗ 请先选择一份已索引的报告"
        what = "移到回收站（可恢复）" if bot.roots.in_library(source) else "隐藏（原文件不改动，可恢复）"
        name = f"{report_label(meta.region, meta.years, meta.uncertain)}《{meta.title or source}》"
        return gr.update(visible=True), f"确定删除 {esc(name)}？它将{what}。", ""

    def restore_picked(source, progress=gr.Progress()):
        return lib.restore(bot, source or "", _progress(progress)) if source else "✗ 请先选择一份报告"

    def add_files(files, progress=gr.Progress()):
        if not files:
            return "请选择要上传的文件。"
        return upload(bot, files, _progress(progress))

    def replace_picked(file, source, keep_labels=False, progress=gr.Progress()):
        if not file or not source:
            return "✗ 请先选择要替换的报告和新文件"
        return replace_upload(bot, file, source, _progress(progress), keep_labels=bool(keep_labels))

    # -- API only ------------------------------------------------------------------------------

    def library() -> list[dict]:
        """Every indexed report (and hidden shipped ones): title, region, level, years, issuer, chunks, file,
        where each label was read (provenance) and which are guesses (uncertain), and where the file lives."""
        return lib.rows(bot)

    def set_metadata(source: str, fields: dict) -> dict:
        """Set fields of a report's metadata: title, region, year_from, year_to, issuer. An empty value
        drops the override (the field is read from the report again); fields not given stay as they are."""
        message = lib.set_metadata(bot, source, fields)
        row = next((r for r in lib.rows(bot) if r["source"] == source), None)
        return {"ok": message.startswith("✓"), "message": message, "report": row}

    def delete_report(source: str) -> dict:
        """Take a report out of the index: an upload goes to the library's trash, a shipped report is hidden."""
        message = lib.delete(bot, source)
        return {"ok": message.startswith("✓"), "message": message}

    def restore_report(source: str) -> dict:
        """Bring a hidden shipped report back, or a deleted upload from the trash (by its name in the index,
        ``library/x.txt``, or its place in the trash, ``.trash/<time>/x.txt``)."""
        message = lib.restore(bot, source)
        return {"ok": message.startswith("✓"), "message": message}

    # -- layout --------------------------------------------------------------------------------

    def tick(seen):
        """Every 2 s while indexing: the status line; once the reports are read, everything else once."""
        keep = [gr.update()] * (len(refreshed) - 1)
        more = gr.Timer(active=start.indexing)
        if start.bot is not None and not seen:
            return (*everything(), True, more)
        return (start.status_text(), *keep, seen, more)

    regions, years = filter_choices(bot) if ready else ([ALL_REGIONS], [ALL_YEARS])
    questions = example_questions(bot) if ready else []
    # No analytics: the app runs offline, and what is asked must not leave the machine.
    with gr.Blocks(title="法治政府建设年度报告问答", analytics_enabled=False) as app:
        # A session's exports go when it does (its tab closed, or an hour unused).
        session = gr.State(None, time_to_live=3600, delete_callback=lambda s: s.close() if s else None)
        with gr.Row(elem_id="header", equal_height=True):
            gr.Markdown("## 法治政府建设年度报告问答")
            status = gr.Markdown(start.status_text(), elem_id="status")
        with gr.Tabs(elem_id="main-tabs"):
            with gr.Tab("问答", id="chat-tab", elem_id="chat-tab"):
                with gr.Row():
                    with gr.Column(scale=3, min_width=520):
                        chatbot = gr.Chatbot(label="对话", show_label=False, height=340, elem_id="chat",
                                             sanitize_html=True, buttons=["copy"], autoscroll=False,
                                             placeholder="回答直接引用报告原文和数字，每条注明出处；报告没有写的，会说“报告中没有找到”。")
                        with gr.Row(equal_height=True):
                            warn = gr.HTML("", visible=False, elem_id="conflict", padding=False)
                            lift_btn = gr.Button("取消页面筛选", size="sm", visible=False, elem_id="lift", scale=0,
                                                 min_width=120)
                        with gr.Row(equal_height=True):
                            box = gr.Textbox(label="问题", placeholder="例如：肇庆在行政复议方面做了什么？", show_label=False, scale=6,
                                             lines=1, max_lines=3, elem_id="question", container=False)
                            send = gr.Button("发送", variant="primary", scale=1, min_width=70, elem_id="send")
                            clear_btn = gr.Button("清空对话", scale=1, min_width=90, elem_id="clear")
                        with gr.Row(equal_height=True, elem_id="filters"):
                            # Custom values: API callers pass "全部" (or a region the index does not hold) as before.
                            region = gr.Dropdown(regions, value=ALL_REGIONS, label="地区筛选", show_label=False,
                                                 container=False, scale=3, elem_id="region", allow_custom_value=True)
                            year = gr.Dropdown(years, value=ALL_YEARS, label="年份筛选", show_label=False,
                                               container=False, scale=2, elem_id="year", allow_custom_value=True)
                        gr.Markdown("**示例问题**（点击填入）", elem_id="examples-title")
                        with gr.Row(elem_id="examples"):
                            example_btns = [gr.Button(questions[i] if i < len(questions) else "", size="sm",
                                                      visible=i < len(questions), elem_classes=["example"])
                                            for i in range(MAX_EXAMPLES)]
                    with gr.Column(scale=2, min_width=380):
                        with gr.Tabs(elem_id="side-tabs") as side:
                            with gr.Tab("来源", id="sources-tab", elem_id="sources-tab"):
                                sources = gr.HTML(sources_html([]), elem_id="sources")
                            with gr.Tab("原文", id="report-tab", elem_id="report-tab"):
                                viewer = gr.HTML("<div class='sources-empty'>点击回答中的 [编号] 在这里查看原文。</div>",
                                                 elem_id="report-view")
                            with gr.Tab("导出", id="export-tab", elem_id="export-tab"):
                                scope = gr.Radio(SCOPES, value="answer", label="导出范围", elem_id="export-scope")
                                fmt = gr.Radio(EXPORT_CHOICES, value="md", label="格式", elem_id="export-format")
                                export_btn = gr.Button("导出并下载", variant="primary", elem_id="export-btn")
                                export_msg = gr.Markdown("", elem_id="export-msg")
                                export_file = gr.File(label="导出的文件", interactive=False, elem_id="export-file")
                            with gr.Tab("模型", id="llm-tab", elem_id="llm-tab"):
                                llm_url, llm_model, llm_btn, llm_note = llm_settings(gr, bot.llm if ready else start.llm)
            with gr.Tab("报告库", id="library-tab", elem_id="library-tab"):
                gr.Markdown(folders_markdown(start), elem_id="folders")
                table = gr.HTML(library_html(lib.rows(bot) + trash_rows(bot.library)) if ready else "", elem_id="library")
                with gr.Row(equal_height=True):
                    # Custom values: an API client names a report its session has not seen listed (/replace).
                    pick = gr.Dropdown(report_choices(bot) if ready else [], value=None, label="选择报告", scale=4, elem_id="pick",
                                       allow_custom_value=True)
                    delete_btn = gr.Button("删除（内置报告为隐藏）", variant="stop", scale=1, elem_id="delete-btn")
                    restore_btn = gr.Button("恢复（隐藏的或回收站中的）", scale=1, elem_id="restore-btn")
                # Delete asks first; the answer to every library action shows right under these buttons.
                with gr.Row(visible=False, elem_id="confirm-row", equal_height=True) as confirm_row:
                    confirm_note = gr.Markdown("", elem_id="confirm-note")
                    confirm_btn = gr.Button("确认删除", variant="stop", scale=0, min_width=100, elem_id="confirm-delete")
                    cancel_btn = gr.Button("取消", scale=0, min_width=80, elem_id="cancel-delete")
                lib_msg = gr.Textbox(label="操作结果", interactive=False, lines=2, elem_id="lib-msg")
                form_note = gr.Markdown("请选择一份报告。", elem_id="form-note")
                with gr.Row():
                    title_in = gr.Textbox(label="标题", scale=3, elem_id="meta-title")
                    region_in = gr.Textbox(label="地区", scale=2, elem_id="meta-region")
                    from_in = gr.Textbox(label="起始年份", scale=1, elem_id="meta-year-from")
                    to_in = gr.Textbox(label="结束年份", scale=1, elem_id="meta-year-to")
                    issuer_in = gr.Textbox(label="发布机关", scale=2, elem_id="meta-issuer")
                save_btn = gr.Button("保存元数据并重新索引", variant="primary", elem_id="save-meta")
                with gr.Row():
                    with gr.Column():
                        files = gr.File(label=f"上传报告：{'、'.join(SUPPORTED)}（每个不超过 {start.settings.max_file_mb:g} MB）",
                                        file_count="multiple", file_types=list(SUPPORTED), elem_id="upload")
                        upload_btn = gr.Button("上传并加入索引", elem_id="upload-btn")
                        upload_msg = gr.Textbox(label="上传结果", interactive=False, lines=2, elem_id="upload-msg")
                    with gr.Column():
                        new_file = gr.File(label="用新文件替换所选的上传报告（格式须相同）", file_count="single",
                                           file_types=list(SUPPORTED), elem_id="replace-file")
                        keep_labels = gr.Checkbox(False, label="沿用旧版本手动设置的标签（地区、年份等）",
                                                  elem_id="replace-keep-labels")
                        replace_btn = gr.Button("替换所选报告", elem_id="replace-btn")
                        replace_msg = gr.Textbox(label="替换结果", interactive=False, lines=2, elem_id="replace-msg")
                with gr.Accordion("跳过的文件", open=False):
                    skipped = gr.Markdown(skipped_markdown(bot) if ready else "", elem_id="skipped")
            indicators_tab(bot, exports, ready)
        cite_box = gr.Textbox(visible="hidden", elem_id="cite-box")
        cite_go = gr.Button("打开原文", visible="hidden", elem_id="cite-go")
        hidden_q = gr.Textbox(visible=False)
        api_out = gr.JSON(visible=False)

        # -- events ----------------------------------------------------------------------------
        chat_in = [box, chatbot, session, region, year]
        chat_out = [chatbot, session, sources, box]
        for trigger, name in ((send.click, "chat"), (box.submit, False)):
            trigger(respond, chat_in, chat_out, api_name=name).then(
                warning, [session], [warn, lift_btn], api_name=False).then(None, None, None, js=SHOW_ANSWER_JS)
        lift_btn.click(lift, None, [region, year, warn, lift_btn], api_name=False)
        clear_btn.click(clear, None, [chatbot, session, sources, box, viewer], api_name="clear").then(
            lambda: (gr.update(value="", visible=False), gr.update(visible=False)), None, [warn, lift_btn],
            api_name=False)
        for btn in example_btns:
            btn.click(lambda q: q, btn, box, api_name=False)
        cite_go.click(open_citation, [cite_box, session], [viewer, side], api_name=False).then(
            None, None, None, js=SCROLL_JS)
        export_btn.click(do_export, [session, scope, fmt], [export_file, export_msg], api_name="export").then(
            None, None, None, js=DOWNLOAD_JS)
        hidden_q.submit(ask_json, [hidden_q, region, year], api_out, api_name="ask")
        llm_btn.click(lambda url, model: apply_llm(bot, url, model), [llm_url, llm_model], llm_note,
                      api_name="set_llm")

        refreshed = [status, region, year, *example_btns, table, pick, skipped]
        pick.change(fill_form, pick, [title_in, region_in, from_in, to_in, issuer_in, form_note], api_name=False)
        delete_btn.click(ask_delete, pick, [confirm_row, confirm_note, lib_msg], api_name=False)
        cancel_btn.click(lambda: (gr.update(visible=False), "已取消删除。"), None, [confirm_row, lib_msg],
                         api_name=False)
        for trigger, fn, inputs, out, name in (
                (save_btn.click, save_form, [pick, title_in, region_in, from_in, to_in, issuer_in], lib_msg, False),
                (confirm_btn.click, delete_picked, [pick], lib_msg, False),
                (restore_btn.click, restore_picked, [pick], lib_msg, False),
                (upload_btn.click, add_files, [files], upload_msg, "upload"),
                (replace_btn.click, replace_picked, [new_file, pick, keep_labels], replace_msg, "replace")):
            trigger(fn, inputs, out, api_name=name).then(everything, None, refreshed, api_name=False).then(
                fill_form, pick, [title_in, region_in, from_in, to_in, issuer_in, form_note], api_name=False)
        confirm_btn.click(lambda: gr.update(visible=False), None, confirm_row, api_name=False)
        # A finished upload leaves the box empty; files that failed stay, to be fixed and sent again.
        upload_msg.change(lambda msg, now: None if msg and "✗" not in msg else now, [upload_msg, files], files,
                          api_name=False)
        gr.api(library, api_name="library")
        gr.api(set_metadata, api_name="set_metadata")
        gr.api(delete_report, api_name="delete")
        gr.api(restore_report, api_name="restore")
        # On load, and every 2 s while the index is built: the status line follows it, and the rest of the
        # page is filled in once the reports are read; the timer stops once the vectors are complete.
        seen = gr.State(False)
        timer = gr.Timer(2.0, active=start.indexing)
        for trigger in (app.load, timer.tick):
            trigger(tick, seen, [*refreshed, seen, timer], api_name=False, show_progress="hidden")
    return app


def llm_settings(gr, writer):
    """The page's LLM setting: the user's own OpenAI-compatible server (off while the address is empty).
    ``writer`` is the LLM writer in force (None: off), known before the reports are read."""
    cfg = writer.config if writer is not None else None
    url = gr.Textbox(cfg.base_url if cfg else "", label="模型服务地址（OpenAI 兼容，留空则不使用模型）",
                     placeholder="http://127.0.0.1:8080/v1", elem_id="llm-url")
    model = gr.Textbox(cfg.model if cfg else "", label="模型名称（可留空）", elem_id="llm-model")
    btn = gr.Button("应用", elem_id="llm-apply")
    note = gr.Markdown(llm_note(writer), elem_id="llm-note")
    return url, model, btn, note


def llm_note(writer) -> str:
    """One line on the LLM mode in force (``writer``: None when off)."""
    if writer is None:
        return "未使用模型：回答直接摘录报告原文。"
    cfg = writer.config
    return (f"使用 {cfg.base_url}{'（' + cfg.model + '）' if cfg.model else ''} 撰写回答；每句须与所引原文核对通过才显示，"
            f"否则显示原文摘录。API 密钥从环境变量 {cfg.api_key_env} 读取。")


def apply_llm(bot: Assistant, url: str, model: str) -> str:
    """Turn the LLM mode on for ``url`` (off when empty); a bad address is said, and changes nothing."""
    try:
        bot.set_llm((url or "").strip() or None, (model or "").strip())
    except ValueError as exc:
        return f"✗ {exc}"
    return "✓ " + llm_note(bot.llm)


def _progress(progress):
    """An indexing Progress that moves a Gradio progress bar."""
    def report(stage, done, total, detail):
        label = "读取文件" if stage == "read" else "向量编码"
        progress((done / total) if total else 1.0, desc=f"{label} {done}/{total}")
    return report


def launch(bot: Assistant | Startup, host: str = "127.0.0.1", port: int = 7860, share: bool = False, **kwargs):
    import gradio as gr
    from starlette.middleware import Middleware

    from ui.locale import ChineseLocale, hover_script

    # After every event Gradio rebuilds a pandas table of its last 10,000 events, for a monitoring summary this
    # app never shows: work per chat turn that grows while the server runs (a third of a turn's server CPU
    # with 20 sessions), and memory it keeps. And per event it switches matplotlib's backend to agg and back.
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", str(10**9))
    os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "1")
    os.environ.setdefault("MPLBACKEND", "Agg")
    app = build_app(bot)
    # Answers take tens of milliseconds; 50 clients at once should wait in the queue, not time out.
    app.queue(default_concurrency_limit=16, max_size=None)
    # Local fonts only: the default theme fetches Google Fonts, which an intranet cannot reach.
    fonts = [gr.themes.Font(name) for name in ("Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "sans-serif")]
    theme = gr.themes.Soft(font=fonts, font_mono=[gr.themes.Font("Noto Sans Mono CJK SC"), gr.themes.Font("monospace")])
    js = f"() => {{ ({CITE_JS.strip()})(); ({hover_script()})(); }}"
    return app.launch(server_name=host, server_port=port, share=share, css=CSS, theme=theme, js=js,
                      footer_links=["api"], quiet=True, max_file_size=f"{bot.settings.max_file_mb:g}mb",
                      state_session_capacity=MAX_SESSIONS,
                      app_kwargs={"middleware": [Middleware(ChineseLocale)]}, **kwargs)
