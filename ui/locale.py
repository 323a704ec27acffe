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
