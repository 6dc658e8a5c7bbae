#!/usr/bin/env python3
"""Loopback servers for tests/unit/notify_test.cpp. Each binds 127.0.0.1 on a free port,
writes the port to PORTFILE (renamed into place once it accepts connections) and runs until
SIGTERM.

  notify_servers.py smtp   PORTFILE DIR [--tls CERT KEY] [--auth USER PASSWORD]
      aiosmtpd (STARTTLS offered with --tls; AUTH PLAIN/LOGIN over TLS with --auth): stores
      message N as DIR/N.eml (raw) and DIR/N.json: envelope, decoded subject, headers and
      text body (Python's email module), whether TLS was on, the login.
  notify_servers.py http   PORTFILE DIR STATUS [--tls CERT KEY]
      answers every POST with STATUS (over TLS with --tls); stores the body as DIR/N.body,
      the path and headers as DIR/N.json.
  notify_servers.py silent PORTFILE
      accepts connections and says nothing; hangs up after 20 s (for timeouts).
"""
import asyncio
import email
import email.header
import email.policy
import http.server
import json
import logging
import os
import signal
import socket
import ssl
import sys
import threading


def publish_port(portfile, port):
    tmp = portfile + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(port))
    os.replace(tmp, portfile)


def next_name(folder, ext):
    n = len([f for f in os.listdir(folder) if f.endswith(ext)]) + 1
    return os.path.join(folder, "%d%s" % (n, ext))


def serve_smtp(folder, portfile, args):
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

    # A refused handshake is an expected outcome here (the client's line is what is checked).
    logging.getLogger("mail.log").disabled = True

    tls = None
    if "--tls" in args:
        i = args.index("--tls")
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args[i + 1], args[i + 2])
    login = None
    if "--auth" in args:
        i = args.index("--auth")
        login = (args[i + 1].encode(), args[i + 2].encode())

    def authenticator(server, session, envelope, mechanism, data):
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == login
        return AuthResult(success=ok, handled=False, auth_data=data if ok else None)

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            raw = envelope.original_content or envelope.content
            base = next_name(folder, ".json")[:-5]
            with open(base + ".eml", "wb") as f:
                f.write(raw)
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            record = {
                "mail_from": envelope.mail_from,
                "rcpt_tos": envelope.rcpt_tos,
                "tls": session.ssl is not None,
                "login": session.auth_data.login.decode() if session.auth_data else None,
                "subject": str(msg["Subject"]),
                "headers": {k: str(v) for k, v in msg.items()},
                "content_type": msg.get_content_type(),
                "charset": msg.get_content_charset(),
                "body": msg.get_content(),
            }
            with open(base + ".json.tmp", "w", encoding="utf-8") as f:
                json.dump(record, f, ensure_ascii=False)
            os.replace(base + ".json.tmp", base + ".json")  # last: the test waits for it
            return "250 OK"

    def factory():
        return SMTP(Handler(), hostname="test.local", tls_context=tls, require_starttls=False,
                    authenticator=authenticator if login else None, auth_require_tls=True,
                    decode_data=False)

    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(loop.create_server(factory, "127.0.0.1", 0))
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    publish_port(portfile, server.sockets[0].getsockname()[1])
    loop.run_forever()


def serve_http(folder, portfile, status, args):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            name = next_name(folder, ".body")
            with open(name[:-5] + ".json", "w", encoding="utf-8") as f:
                json.dump({"path": self.path, "headers": dict(self.headers.items())}, f)
            with open(name + ".tmp", "wb") as f:
                f.write(body)
            os.replace(name + ".tmp", name)
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if "--tls" in args:
        i = args.index("--tls")
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args[i + 1], args[i + 2])
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    signal.signal(signal.SIGTERM, lambda *a: threading.Thread(target=server.shutdown).start())
    publish_port(portfile, server.server_address[1])
    server.serve_forever()


def serve_silent(portfile):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held = []
    publish_port(portfile, listener.getsockname()[1])
    while True:
        conn, _ = listener.accept()
        held.append(conn)
        # Hang up after 20 s, so a client that ignores its timeout fails instead of hanging.
        threading.Timer(20, conn.close).start()


def main(argv):
    mode, portfile = argv[1], argv[2]
    if mode == "smtp":
        serve_smtp(argv[3], portfile, argv[4:])
    elif mode == "http":
        serve_http(argv[3], portfile, int(argv[4]), argv[5:])
    elif mode == "silent":
        serve_silent(portfile)
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main(sys.argv)
