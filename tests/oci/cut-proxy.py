#!/usr/bin/env python3
"""A proxy in front of a test registry that dies in the middle of an upload.

Usage: cut-proxy.py PORTFILE TARGET_PORT PATCHES [METHOD PATH_PREFIX DIR]

Forwards every request to 127.0.0.1:TARGET_PORT (the Host header kept, so the
registry's Location URLs point back at the proxy) until PATCHES blob chunks
went through; on the next PATCH it drops the connection without an answer and
stops listening, as a registry that crashes would (PATCHES -1: never).

With METHOD PATH_PREFIX DIR, the first such request is held: the proxy
creates DIR/held and forwards the request only once DIR/release exists, so
a test can make a client stall at a chosen step while another one writes.
Exits by itself after five minutes at most.
"""
import http.client
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

portfile, target, patches = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
hold = sys.argv[4:7] if len(sys.argv) >= 7 else None
seen = {"patch": 0, "held": False}


def hold_if_wanted(method, path):
    if not hold or seen["held"] or method != hold[0] or not path.startswith(hold[1]):
        return
    seen["held"] = True
    open(os.path.join(hold[2], "held"), "w").close()
    for _ in range(600):
        if os.path.exists(os.path.join(hold[2], "release")):
            return
        time.sleep(0.1)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        hold_if_wanted(self.command, self.path)
        if self.command == "PATCH" and patches >= 0:
            if seen["patch"] >= patches:
                self.close_connection = True
                self.connection.close()
                threading.Thread(target=self.server.shutdown).start()
                return
            seen["patch"] += 1
        conn = http.client.HTTPConnection("127.0.0.1", target, timeout=30)
        headers = {k: v for k, v in self.headers.items()}
        conn.request(self.command, self.path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        conn.close()

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = forward

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(portfile + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(portfile + ".tmp", portfile)
threading.Timer(300, server.shutdown).start()
server.serve_forever()
server.server_close()
