"""A scripted stand-in for an OpenAI-compatible chat server on 127.0.0.1: it streams a canned answer, or fails as
told (HTTP error, dying mid-answer, a slow first token). Tests of the LLM mode's checker and client use it."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class StubServer:
    """``with StubServer() as stub: stub.reply = "…[1]。"``; ``stub.url`` is its base URL.

    ``mode``: "ok" streams ``reply``; "http500" answers an error; "die" streams half the reply and closes the
    connection; "slow" waits ``delay`` seconds before the first byte. ``requests`` keeps every request body;
    ``active_max`` the most requests it held at once; ``gap`` seconds pass between streamed pieces.
    """

    def __init__(self, reply: str = "", mode: str = "ok", delay: float = 0.0, gap: float = 0.0):
        self.reply, self.mode, self.delay, self.gap = reply, mode, delay, gap
        self.requests: list[dict] = []
        self.active = self.active_max = 0
        self._lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                with stub._lock:
                    stub.requests.append(body)
                    stub.active += 1
                    stub.active_max = max(stub.active_max, stub.active)
                try:
                    stub._answer(self)
                finally:
                    with stub._lock:
                        stub.active -= 1

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        if self.mode == "slow":
            time.sleep(self.delay)
        if self.mode == "http500":
            handler.send_response(500)
            handler.send_header("Content-Type", "application/json")
            handler.end_headers()
            handler.wfile.write(json.dumps({"error": {"message": "model crashed"}}).encode())
            return
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.end_headers()
        pieces = [self.reply[i:i + 4] for i in range(0, len(self.reply), 4)]
        if self.mode == "die":
            pieces = pieces[:max(1, len(pieces) // 2)]
        for piece in pieces:
            time.sleep(self.gap)
            event = {"model": "stub", "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
            handler.wfile.write(f"data: {json.dumps(event, ensure_ascii=False)}\n\n".encode())
            handler.wfile.flush()
        if self.mode == "die":
            return   # the connection closes with no finish_reason and no [DONE]
        end = {"model": "stub", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
        handler.wfile.write(f"data: {json.dumps(end)}\n\ndata: [DONE]\n\n".encode())

    def __enter__(self) -> "StubServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
