"""Gradio's own strings in Chinese whatever the browser's language.

Gradio translates its interface ("Drop File Here" → "将文件拖放到此处") from the browser's
``navigator.language`` when the page starts, before any ``head`` script of the app runs. This ASGI
middleware puts a script at the top of the page's ``<head>`` that reports zh-CN, so Gradio's bundled
zh-CN translation is used on an English-language browser too.
"""
from __future__ import annotations

LOCALE = "zh-CN"
SCRIPT = (b"<script>(function(){try{var p=Navigator.prototype;"
          b"Object.defineProperty(p,'language',{get:function(){return 'zh-CN'},configurable:true});"
          b"Object.defineProperty(p,'languages',{get:function(){return ['zh-CN','zh']},configurable:true});"
          b"}catch(e){}})();</script>")


class ChineseLocale:
    """Rewrites the HTML of the app's page (GET ``/``): the locale script first in ``<head>``, ``lang="zh-CN"``."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") != "GET" or scope.get("path") not in ("/", ""):
            await self.app(scope, receive, send)
            return
        start: dict = {}
        body: list[bytes] = []

        async def rewrite(message):
            if message["type"] == "http.response.start":
                start.update(message)
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body"):
                return
            data = b"".join(body)
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            if any(k.lower() == b"content-type" and b"text/html" in v for k, v in headers) and b"<head>" in data:
                data = data.replace(b"<head>", b"<head>" + SCRIPT, 1).replace(b'lang="en"', b'lang="zh-CN"', 1)
            await send({**start, "headers": headers + [(b"content-length", str(len(data)).encode())]})
            await send({"type": "http.response.body", "body": data})

        await self.app(scope, receive, rewrite)


# Hover titles and screen-reader labels that Gradio's zh-CN translation leaves in English.
HOVER = {
    "Copy message": "复制消息", "Copied message": "已复制", "Copy": "复制", "Copied!": "已复制", "Copied": "已复制",
    "Copy to clipboard": "复制到剪贴板", "Clear": "清除", "Close": "关闭", "Dismiss": "关闭",
    "Remove file": "移除文件", "Remove this file": "移除此文件", "Uploaded files": "已上传的文件",
    "Upload file": "上传文件", "Upload a file": "上传文件", "Uploading": "正在上传", "Download": "下载",
    "View full screen": "全屏查看", "Exit full screen": "退出全屏", "Fullscreen": "全屏", "Exit fullscreen mode": "退出全屏",
    "Loading response": "正在生成回答", "Submit": "发送", "Stop": "停止", "Open in new tab": "在新标签页中打开",
    "Share": "分享", "Retry": "重试", "Undo": "撤销", "Edit": "编辑", "Like": "赞", "Dislike": "踩",
    "chatbot conversation": "对话", "Chatbot conversation": "对话", "Scroll down": "向下滚动",
    "Scroll to bottom": "滚动到底部", "More tabs": "更多标签页", "Table actions": "表格操作", "Refresh": "刷新",
    "Click to upload or drop files": "点击上传或拖放文件", "Empty value": "空", "File upload": "上传文件",
    "Gradio footer navigation": "页脚导航",
}
# Labels that start with English and go on with the message ("user's message: 肇庆…"); a message's HTML is
# read out as its text.
HOVER_PREFIXES = {"user's message: ": "问题：", "bot's message: ": "回答："}


def hover_script() -> str:
    """JavaScript (run on load) that puts HOVER's Chinese into ``title`` and ``aria-label``, now and whenever
    Gradio adds elements (a new chat message brings its own copy button)."""
    import json

    return ("() => { const map = " + json.dumps(HOVER, ensure_ascii=False) + ";\n"
            "  const prefixes = " + json.dumps(HOVER_PREFIXES, ensure_ascii=False) + ";\n"
            "  const chinese = (v) => { if (!v) return null; if (map[v.trim()]) return map[v.trim()];\n"
            "    for (const [en, zh] of Object.entries(prefixes)) if (v.startsWith(en))\n"
            "      return zh + v.slice(en.length).replace(/<[^>]*>/g, ' ').replace(/\\s+/g, ' ').trim();\n"
            "    return null; };\n"
            "  const fix = (root) => { for (const el of root.querySelectorAll('[title], [aria-label]')) {\n"
            "    for (const a of ['title', 'aria-label']) { const zh = chinese(el.getAttribute(a));\n"
            "      if (zh) el.setAttribute(a, zh); } } };\n"
            "  fix(document);\n"
            "  new MutationObserver((changes) => { for (const c of changes) {\n"
            "    if (c.type === 'attributes') { const zh = chinese(c.target.getAttribute(c.attributeName));\n"
            "      if (zh) c.target.setAttribute(c.attributeName, zh); }\n"
            "    for (const n of c.addedNodes || []) if (n.querySelectorAll) { fix(n.parentNode || n); } } })\n"
            "    .observe(document.body, {subtree: true, childList: true, attributes: true,\n"
            "             attributeFilter: ['title', 'aria-label']}); }")
