"""The Gradio app: the chat (one Session per browser or API client), sources and each cited passage in its
report, export, and the report library (list, relabel, delete, upload, replace).

The work is done by modules without Gradio: :mod:`ui.render` (HTML), :mod:`ui.viewer` (a passage in its
report), :mod:`ui.export`, :mod:`ui.library`, :mod:`ui.upload`, :mod:`ui.examples`. This module lays out
the page and wires events; every endpoint scripts may call has an ``api_name`` (see README, "API").
"""
from __future__ import annotations

import re
import tempfile
from pathlib import Path

from assistant.api import Assistant
from assistant.answer.render import provenance_text, report_label
from assistant.ingest.formats import SUPPORTED
from assistant.search.filters import Filters
from ui import library as lib
from ui.examples import MAX_EXAMPLES, example_questions
from ui.export import FORMATS, ExportError, export
from ui.render import CSS, answer_html, conflicts, esc, library_html, sources_html, text, user_message
from ui.session import Session
from ui.upload import replace_upload, safe_name, upload
from ui.viewer import report_view

__all__ = ["build_app", "launch", "safe_name"]

ALL = "全部"                 # what API callers may pass for "no filter"
ALL_REGIONS, ALL_YEARS = "全部地区", "全部年份"
MAX_HISTORY = 40            # chat messages a client may send back; older ones are dropped
SCOPES = [("当前回答", "answer"), ("整个对话", "conversation")]
EXPORT_CHOICES = [("Markdown", "md"), ("Word（DOCX）", "docx"), ("对比表 CSV", "csv"), ("对比表 Excel（XLSX）", "xlsx")]
_CITE_REF = re.compile(r"^(\d+)-(\d+)$")

# Runs once on load: a citation link ([n] in an answer, "在整篇报告中查看" on a source card) asks the server
# for that passage in its report, through a hidden textbox and button.
CITE_JS = """
() => {
  if (window.__citeHandler) return;
  window.__citeHandler = true;
  document.addEventListener('click', (event) => {
    const link = event.target.closest && event.target.closest('a.cite');
    if (!link) return;
    const found = (link.getAttribute('href') || '').match(/^#cite-(\\d+)-(\\d+)$/);
    if (!found) return;
    event.preventDefault();
    event.stopPropagation();
    const box = document.querySelector('#cite-box textarea, #cite-box input');
    const go = document.querySelector('#cite-go');
    if (!box || !go) return;
    const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(box), 'value').set;
    setter.call(box, found[1] + '-' + found[2] + '-' + Date.now());
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
DOWNLOAD_JS = """
() => { setTimeout(() => { const a = document.querySelector('#export-file a[download], #export-file a[href]');
  if (a) a.click(); }, 300); }
"""


def status_line(bot: Assistant) -> str:
    s = bot.status()
    age = s["index_age_s"]
    age_text = f"{age:.0f} 秒前" if age < 60 else (f"{age / 60:.0f} 分钟前" if age < 3600 else f"{age / 3600:.1f} 小时前")
    skipped = f" · 跳过 {s['skipped']} 个文件" if s["skipped"] else ""
    return (f"已索引 **{s['reports']}** 份报告、**{s['chunks']}** 个段落 · 索引更新于 {age_text}{skipped}")


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
    regions = (region,) if region and not region.startswith(ALL) else ()
    years = (int(year),) if year and str(year).isdigit() else ()
    return Filters(regions=regions, years=years) if (regions or years) else None


def report_choices(bot: Assistant) -> list[tuple[str, str]]:
    """(label, source) for the library's picker: region and year, title, file."""
    out = []
    for row in lib.rows(bot):
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


def build_app(bot: Assistant):
    """The Blocks app for ``bot``; launch it with :func:`launch`."""
    import gradio as gr

    exports = Path(tempfile.mkdtemp(prefix="gra-export-"))

    # -- chat --------------------------------------------------------------------------------

    def respond(message, history, session, region, year):
        history = list(history or [])[-MAX_HISTORY:]
        message = message or ""
        if not message.strip():
            return history, session, gr.update(), ""
        session = session or Session(bot)
        turn, answer = session.ask(message, _filters(region, year))
        history.append({"role": "user", "content": user_message(message)})
        history.append({"role": "assistant", "content": answer_html(answer, turn)})
        return history, session, sources_html(answer.citations, turn), ""

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
        return [], Session(bot), sources_html([]), "", "<div class='sources-empty'>点击回答中的 [编号] 在这里查看原文。</div>"

    def ask_json(question, region, year):
        return bot.ask(question or "", filters=_filters(region, year)).to_dict()

    def open_citation(ref, session):
        found = _CITE_REF.match("-".join(str(ref or "").split("-")[:2]))
        answer = session.answer(int(found.group(1))) if (found and session) else None
        n = int(found.group(2)) if found else 0
        if answer is None or not 1 <= n <= len(answer.citations):
            view = "<div class='sources-empty'>这条回答已不在本次对话中（只保留最近 20 轮），请重新提问。</div>"
        else:
            view = report_view(bot, answer.citations[n - 1], n)
        return view, gr.Tabs(selected="report-tab")

    def do_export(session, scope, fmt):
        answers = [] if session is None else (session.all() if scope == "conversation" else
                                              [session.last] if session.last else [])
        try:
            path = export(answers, fmt, exports)
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
        return (status_line(bot), gr.update(choices=regions), gr.update(choices=years), *buttons,
                library_html(lib.rows(bot)), gr.update(choices=report_choices(bot)), skipped_markdown(bot))

    def fill_form(source):
        meta = bot.reports.get(source or "")
        if meta is None:
            hidden = source in bot.roots.hidden()
            note = "这份内置报告已隐藏；点“恢复”可重新加入索引。" if hidden else "请选择一份报告。"
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

    def restore_picked(source, progress=gr.Progress()):
        return lib.restore(bot, source or "", _progress(progress)) if source else "✗ 请先选择一份报告"

    def add_files(files, progress=gr.Progress()):
        if not files:
            return "请选择要上传的文件。"
        return upload(bot, files, _progress(progress))

    def replace_picked(file, source, progress=gr.Progress()):
        if not file or not source:
            return "✗ 请先选择要替换的报告和新文件"
        return replace_upload(bot, file, source, _progress(progress))

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
        """Bring a hidden shipped report back."""
        message = lib.restore(bot, source)
        return {"ok": message.startswith("✓"), "message": message}

    # -- layout --------------------------------------------------------------------------------

    regions, years = filter_choices(bot)
    questions = example_questions(bot)
    # No analytics: the app runs offline, and what is asked must not leave the machine.
    with gr.Blocks(title="法治政府建设年度报告问答", analytics_enabled=False) as app:
        session = gr.State(None)
        with gr.Row(elem_id="header", equal_height=True):
            gr.Markdown("## 法治政府建设年度报告问答")
            status = gr.Markdown(status_line(bot), elem_id="status")
        with gr.Tabs(elem_id="main-tabs"):
            with gr.Tab("问答", id="chat-tab", elem_id="chat-tab"):
                with gr.Row():
                    with gr.Column(scale=3, min_width=520):
                        chatbot = gr.Chatbot(label="对话", show_label=False, height=300, elem_id="chat",
                                             sanitize_html=True, buttons=["copy"],
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
                                llm_url, llm_model, llm_btn, llm_note = llm_settings(gr, bot)
            with gr.Tab("报告库", id="library-tab", elem_id="library-tab"):
                gr.Markdown(folders_markdown(bot), elem_id="folders")
                table = gr.HTML(library_html(lib.rows(bot)), elem_id="library")
                with gr.Row(equal_height=True):
                    # Custom values: an API client names a report its session has not seen listed (/replace).
                    pick = gr.Dropdown(report_choices(bot), value=None, label="选择报告", scale=4, elem_id="pick",
                                       allow_custom_value=True)
                    delete_btn = gr.Button("删除（内置报告为隐藏）", variant="stop", scale=1, elem_id="delete-btn")
                    restore_btn = gr.Button("恢复隐藏的报告", scale=1, elem_id="restore-btn")
                form_note = gr.Markdown("请选择一份报告。", elem_id="form-note")
                with gr.Row():
                    title_in = gr.Textbox(label="标题", scale=3, elem_id="meta-title")
                    region_in = gr.Textbox(label="地区", scale=2, elem_id="meta-region")
                    from_in = gr.Textbox(label="起始年份", scale=1, elem_id="meta-year-from")
                    to_in = gr.Textbox(label="结束年份", scale=1, elem_id="meta-year-to")
                    issuer_in = gr.Textbox(label="发布机关", scale=2, elem_id="meta-issuer")
                save_btn = gr.Button("保存元数据并重新索引", variant="primary", elem_id="save-meta")
                lib_msg = gr.Textbox(label="操作结果", interactive=False, lines=3, elem_id="lib-msg")
                with gr.Row():
                    with gr.Column():
                        files = gr.File(label=f"上传报告：{'、'.join(SUPPORTED)}（每个不超过 {bot.settings.max_file_mb:g} MB）",
                                        file_count="multiple", file_types=list(SUPPORTED), elem_id="upload")
                        upload_btn = gr.Button("上传并加入索引", elem_id="upload-btn")
                    with gr.Column():
                        new_file = gr.File(label="用新文件替换所选的上传报告（格式须相同）", file_count="single",
                                           file_types=list(SUPPORTED), elem_id="replace-file")
                        replace_btn = gr.Button("替换所选报告", elem_id="replace-btn")
                with gr.Accordion("跳过的文件", open=False):
                    skipped = gr.Markdown(skipped_markdown(bot), elem_id="skipped")
        cite_box = gr.Textbox(visible="hidden", elem_id="cite-box")
        cite_go = gr.Button("打开原文", visible="hidden", elem_id="cite-go")
        hidden_q = gr.Textbox(visible=False)
        api_out = gr.JSON(visible=False)

        # -- events ----------------------------------------------------------------------------
        chat_in = [box, chatbot, session, region, year]
        chat_out = [chatbot, session, sources, box]
        for trigger, name in ((send.click, "chat"), (box.submit, False)):
            trigger(respond, chat_in, chat_out, api_name=name).then(
                warning, [session], [warn, lift_btn], api_name=False)
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
        for trigger, fn, inputs, name in (
                (save_btn.click, save_form, [pick, title_in, region_in, from_in, to_in, issuer_in], False),
                (delete_btn.click, delete_picked, [pick], False),
                (restore_btn.click, restore_picked, [pick], False),
                (upload_btn.click, add_files, [files], "upload"),
                (replace_btn.click, replace_picked, [new_file, pick], "replace")):
            trigger(fn, inputs, lib_msg, api_name=name).then(everything, None, refreshed, api_name=False).then(
                fill_form, pick, [title_in, region_in, from_in, to_in, issuer_in, form_note], api_name=False)
        gr.api(library, api_name="library")
        gr.api(set_metadata, api_name="set_metadata")
        gr.api(delete_report, api_name="delete")
        gr.api(restore_report, api_name="restore")
        app.load(everything, None, refreshed, api_name=False)
    return app


def llm_settings(gr, bot: Assistant):
    """The page's LLM setting: the user's own OpenAI-compatible server (off while the address is empty)."""
    cfg = bot.llm.config if bot.llm is not None else None
    url = gr.Textbox(cfg.base_url if cfg else "", label="模型服务地址（OpenAI 兼容，留空则不使用模型）",
                     placeholder="http://127.0.0.1:8080/v1", elem_id="llm-url")
    model = gr.Textbox(cfg.model if cfg else "", label="模型名称（可留空）", elem_id="llm-model")
    btn = gr.Button("应用", elem_id="llm-apply")
    note = gr.Markdown(llm_note(bot), elem_id="llm-note")
    return url, model, btn, note


def llm_note(bot: Assistant) -> str:
    if bot.llm is None:
        return "未使用模型：回答直接摘录报告原文。"
    cfg = bot.llm.config
    return (f"使用 {cfg.base_url}{'（' + cfg.model + '）' if cfg.model else ''} 撰写回答；每句须与所引原文核对通过才显示，"
            f"否则显示原文摘录。API 密钥从环境变量 {cfg.api_key_env} 读取。")


def apply_llm(bot: Assistant, url: str, model: str) -> str:
    """Turn the LLM mode on for ``url`` (off when empty); a bad address is said, and changes nothing."""
    try:
        bot.set_llm((url or "").strip() or None, (model or "").strip())
    except ValueError as exc:
        return f"✗ {exc}"
    return "✓ " + llm_note(bot)


def _progress(progress):
    """An indexing Progress that moves a Gradio progress bar."""
    def report(stage, done, total, detail):
        label = "读取文件" if stage == "read" else "向量编码"
        progress((done / total) if total else 1.0, desc=f"{label} {done}/{total}")
    return report


def launch(bot: Assistant, host: str = "127.0.0.1", port: int = 7860, share: bool = False, **kwargs):
    import gradio as gr
    from starlette.middleware import Middleware

    from ui.locale import ChineseLocale

    app = build_app(bot)
    # Answers take tens of milliseconds; 50 clients at once should wait in the queue, not time out.
    app.queue(default_concurrency_limit=16, max_size=None)
    # Local fonts only: the default theme fetches Google Fonts, which an intranet cannot reach.
    fonts = [gr.themes.Font(name) for name in ("Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "sans-serif")]
    theme = gr.themes.Soft(font=fonts, font_mono=[gr.themes.Font("Noto Sans Mono CJK SC"), gr.themes.Font("monospace")])
    return app.launch(server_name=host, server_port=port, share=share, css=CSS, theme=theme, js=CITE_JS,
                      footer_links=["api"], quiet=True, max_file_size=f"{bot.settings.max_file_mb:g}mb",
                      app_kwargs={"middleware": [Middleware(ChineseLocale)]}, **kwargs)
