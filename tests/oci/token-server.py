#!/usr/bin/env python3
"""A minimal token server for the registry's token auth, for the tests only.

Usage: token-server.py PORTFILE KEY.pem CERT.pem ISSUER USER PASSWORD

GET /token?service=S&scope=repository:NAME:ACTIONS with HTTP Basic USER:PASSWORD
answers {"token": JWT} signed RS256 with KEY; the JWT header carries CERT in
x5c, and the registry trusts it through its rootcertbundle. Wrong credentials
get 401. It binds a free loopback port and writes it to PORTFILE, so the test
never guesses a port; it exits by itself after an hour at most.
"""
import base64
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


portfile, keyfile, certfile, issuer, user, password = sys.argv[1:7]
with open(keyfile, "rb") as f:
    KEY = serialization.load_pem_private_key(f.read(), password=None)
with open(certfile, "rb") as f:
    CERT_DER = x509.load_pem_x509_certificate(f.read()).public_bytes(
        serialization.Encoding.DER)
EXPECTED = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def sign(claims):
    header = {"alg": "RS256", "typ": "JWT",
              "x5c": [base64.b64encode(CERT_DER).decode()]}
    head = b64url(json.dumps(header).encode()) + "." + \
        b64url(json.dumps(claims).encode())
    sig = KEY.sign(head.encode(), padding.PKCS1v15(), hashes.SHA256())
    return head + "." + b64url(sig)


def access(scopes):
    out = []
    for scope in scopes:
        for one in scope.split(" "):
            parts = one.split(":")
            if len(parts) >= 3:
                out.append({"type": parts[0], "name": ":".join(parts[1:-1]),
                            "actions": parts[-1].split(",")})
    return out


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urlparse(self.path)
        if url.path != "/token":
            self.send_error(404)
            return
        if self.headers.get("Authorization") != EXPECTED:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="token"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        query = parse_qs(url.query)
        now = int(time.time())
        claims = {"iss": issuer, "sub": user,
                  "aud": query.get("service", [""])[0],
                  "exp": now + 300, "nbf": now - 10, "iat": now,
                  "jti": b64url(str(time.time_ns()).encode()),
                  "access": access(query.get("scope", []))}
        body = json.dumps({"token": sign(claims), "expires_in": 300}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = HTTPServer(("127.0.0.1", 0), Handler)
with open(portfile + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.rename(portfile + ".tmp", portfile)
threading.Timer(3600, server.shutdown).start()
server.serve_forever()
