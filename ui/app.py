"""The Gradio chat app: one Conversation per browser session, sources beside the chat, uploads indexed in place."""
from __future__ import annotations

from assistant.api import Assistant
from assistant.ingest.formats import SUPPORTED
from assistant.search.filters import Filters
from ui.render import CSS, answer_markdown, sources_html
from ui.upload import safe_name, upload

__all__ = ["build_app", "launch", "safe_name"]

ALL = "全部"


def status_line(bot: Assistant) -> str:
    s = bot.status()
    age = s["index_age_s"]
    age_text = f"{age:.0f} 秒前" if age < 60 else (f"{age / 60:.0f} 分钟前" if age < 3600 else f"{age / 3600:.1f} 小时前")
    skipped = f" · 跳过 {s['skipped']} 个文件" if s["skipped"] else ""
    return (f"已索引 **{s['reports']}** 份报告、**{s['chunks']}** 个段落 · 编码器 `{s['encoder']}` · "
            f"索引更新于 {age_text}{skipped}")


def skipped_markdown(bot: Assistant) -> str:
    """Each file that could not be indexed, with its reason (report names are escaped)."""
    from ui.render import text

    rows = bot.skipped
    if not rows:
        return "没有跳过的文件。"
    return "\n".join(f"- `{text(name)}`：{text(reason)}" for name, reason in rows)


def example_questions(bot: Assistant, n: int = 4) -> list[str]:
    """Questions drawn from the indexed reports' own regions, years and sections."""
    out = []
    for meta in list(bot.reports.values()):
        if not meta.region:
            continue
        year = f"{meta.year}年" if meta.year else ""
        out.append(f"{meta.region}{year}有哪些主要问题？")
        if len(out) >= n:
            break
    first = next((m for m in bot.reports.values() if m.region), None)
    if first and len(out) < n + 1:
        out.append(f"{first.region}下一步有什么工作计划？")
    return out[:n]


def _filters(region: str | None, year: str | None) -> Filters | None:
    regions = (region,) if region and region != ALL else ()
    years = (int(year),) if year and year != ALL else ()
    return Filters(regions=regions, years=years) if (regions or years) else None


def build_app(bot: Assistant):
    """The Blocks app for ``bot``; launch it with :func:`launch`."""
    import gradio as gr

    def choices():
        metas = bot.reports.values()
        regions = [ALL] + sorted({m.region for m in metas if m.region})
        years = [ALL] + sorted({str(y) for m in metas for y in range(m.year_from or 0, (m.year_to or 0) + 1) if y},
                               reverse=True)
        return regions, years

    def respond(message, history, conv, region, year):
        history = list(history or [])
        message = (message or "").strip()
        if not message:
            return history, conv, gr.update(), ""
        if conv is None:
            conv = bot.chat()
        answer = conv.ask(message, filters=_filters(region, year))
        history.append({"role": "user", "content": message})
        history.append({"role": "assistant", "content": answer_markdown(answer)})
        return history, conv, sources_html(answer.citations), ""

    def ask_json(question, region, year):
        return bot.ask(question or "", filters=_filters(region, year)).to_dict()

    def clear():
        return [], bot.chat(), sources_html([]), ""

    def add_files(files, progress=gr.Progress()):
        if not files:
            return "请选择要上传的文件。", status_line(bot), gr.update(), gr.update()

        def report(stage, done, total, detail):
            label = "读取文件" if stage == "read" else "向量编码"
            progress((done / total) if total else 1.0, desc=f"{label} {done}/{total}")

        message = upload(bot, files, report)
        regions, years = choices()
        return message, status_line(bot), gr.update(choices=regions), gr.update(choices=years)

    regions, years = choices()
    with gr.Blocks(title="法治政府建设年度报告问答") as app:
        gr.Markdown("## 法治政府建设年度报告问答\n回答直接引用报告原文和数字，每条都注明来源文件和章节；报告没有写的，会明确说“报告中没有找到”。")
        status = gr.Markdown(status_line(bot), elem_id="status")
        conv = gr.State(None)
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(label="对话", height=520, elem_id="chat", sanitize_html=True)
                with gr.Row():
                    box = gr.Textbox(placeholder="例如：肇庆在行政复议方面做了什么？", show_label=False, scale=5,
                                     elem_id="question")
                    send = gr.Button("发送", variant="primary", scale=1, elem_id="send")
                with gr.Row():
                    region = gr.Dropdown(regions, value=ALL, label="地区", elem_id="region")
                    year = gr.Dropdown(years, value=ALL, label="年份", elem_id="year")
                    clear_btn = gr.Button("清空对话", elem_id="clear")
                gr.Markdown("**示例问题**（点击填入）")
                with gr.Row():
                    for q in example_questions(bot):
                        gr.Button(q, size="sm").click(lambda q=q: q, None, box, api_name=False)
            with gr.Column(scale=2):
                gr.Markdown("### 来源")
                sources = gr.HTML(sources_html([]), elem_id="sources")
                with gr.Accordion("上传报告", open=False):
                    files = gr.File(label=f"上传 {'、'.join(SUPPORTED)} 文件（每个不超过 {bot.settings.max_file_mb:g} MB）",
                                    file_count="multiple", file_types=list(SUPPORTED), elem_id="upload")
                    upload_btn = gr.Button("加入索引", elem_id="upload-btn")
                    upload_msg = gr.Textbox(label="上传结果", interactive=False, lines=4, elem_id="upload-msg")
                with gr.Accordion("跳过的文件", open=False):
                    skipped = gr.Markdown(skipped_markdown(bot), elem_id="skipped")
        api_out = gr.JSON(visible=False)
        inputs = [box, chatbot, conv, region, year]
        outputs = [chatbot, conv, sources, box]
        send.click(respond, inputs, outputs, api_name="chat")
        box.submit(respond, inputs, outputs, api_name=False)
        clear_btn.click(clear, None, outputs, api_name="clear")
        upload_btn.click(add_files, [files], [upload_msg, status, region, year], api_name="upload").then(
            lambda: skipped_markdown(bot), None, skipped, api_name=False)
        hidden_q = gr.Textbox(visible=False)
        hidden_q.submit(ask_json, [hidden_q, region, year], api_out, api_name="ask")
        app.load(lambda: (status_line(bot), skipped_markdown(bot)), None, [status, skipped], api_name=False)
    return app


def launch(bot: Assistant, host: str = "127.0.0.1", port: int = 7860, share: bool = False, **kwargs):
    import gradio as gr

    app = build_app(bot)
    app.queue(default_concurrency_limit=8)
    # Local fonts only: the default theme fetches Google Fonts, which an intranet cannot reach.
    fonts = [gr.themes.Font(name) for name in ("Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "sans-serif")]
    theme = gr.themes.Soft(font=fonts, font_mono=[gr.themes.Font("Noto Sans Mono CJK SC"), gr.themes.Font("monospace")])
    return app.launch(server_name=host, server_port=port, share=share, css=CSS, theme=theme,
                      max_file_size=f"{bot.settings.max_file_mb:g}mb", **kwargs)
