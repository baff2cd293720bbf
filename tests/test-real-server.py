#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# mailsetup-cli against a real SMTP server from Debian (python3-aiosmtpd), not
# only the project's own fake one: implicit TLS and STARTTLS with AUTH, the
# test CA from the build's PKI. TAP output.
#
#   test-real-server.py MAILSETUP_CLI PKI_DIR

import os
import socket
import ssl
import subprocess
import sys
import tempfile

try:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword
except ImportError:
    if os.environ.get("MS_TEST_REQUIRE_REAL_SERVER") == "1":
        print("Bail out! python3-aiosmtpd is missing")
        sys.exit(1)
    print("1..0 # SKIP python3-aiosmtpd is not installed")
    sys.exit(0)

CLI, PKI = sys.argv[1], sys.argv[2]
USER = "backup@localhost"
PASSWORD = "real-Serv3r-pw-Zq8"
results = []


class Handler:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope, session.authenticated))
        return "250 2.0.0 OK delivered"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode()
          and auth_data.password == PASSWORD.encode())
    return AuthResult(success=ok, handled=False)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check(name, condition, detail=""):
    results.append(condition)
    print("%s %d - %s" % ("ok" if condition else "not ok", len(results), name))
    if not condition and detail:
        for line in detail.splitlines():
            print("# " + line)


def cli(*args, password=PASSWORD):
    return subprocess.run([CLI, *args], input=password + "\n", capture_output=True, text=True,
                          timeout=60)


def main():
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(os.path.join(PKI, "good.pem"), os.path.join(PKI, "leaf-key.pem"))
    handler = Handler()
    tls_port, starttls_port = free_port(), free_port()
    implicit = Controller(handler, hostname="127.0.0.1", port=tls_port, ssl_context=context,
                          authenticator=authenticator, auth_require_tls=False)
    starttls = Controller(handler, hostname="127.0.0.1", port=starttls_port, tls_context=context,
                          require_starttls=True, authenticator=authenticator, auth_require_tls=True)
    implicit.start()
    starttls.start()
    ca = os.path.join(PKI, "ca.pem")
    try:
        for mode, port in (("tls", tls_port), ("starttls", starttls_port)):
            before = len(handler.messages)
            run = cli("test-send", "--host", "localhost", "--port", str(port), "--security", mode,
                      "--ca-file", ca, "--user", USER, "--from", USER, "--to", "friend@localhost",
                      "--password-stdin")
            check("test-send over %s exits 0" % mode, run.returncode == 0, run.stdout + run.stderr)
            delivered = handler.messages[before:]
            check("one message delivered over %s, signed in" % mode,
                  len(delivered) == 1 and delivered[0][1], repr(delivered))
            if delivered:
                envelope = delivered[0][0]
                content = envelope.original_content
                check("envelope over %s" % mode,
                      envelope.mail_from == USER and envelope.rcpt_tos == ["friend@localhost"],
                      repr((envelope.mail_from, envelope.rcpt_tos)))
                check("headers over %s" % mode,
                      all(h in content for h in (b"\r\nSubject: ", b"\r\nMessage-ID: <",
                                                 b"\r\nDate: ", b"\r\nMIME-Version: 1.0"))
                      and (content.startswith(b"From: ") or b"\r\nFrom: " in content),
                      content[:400].decode("utf-8", "replace"))
            check("no secret in the output over %s" % mode,
                  PASSWORD not in run.stdout + run.stderr)

        run = cli("login", "--host", "localhost", "--port", str(tls_port), "--ca-file", ca,
                  "--user", USER, "--password-stdin", password="wrong-password")
        check("a wrong password is auth-failed (77)", run.returncode == 77,
              run.stdout + run.stderr)
    finally:
        implicit.stop()
        starttls.stop()

    print("1..%d" % len(results))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
