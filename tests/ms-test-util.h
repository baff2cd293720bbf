/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "ms-fake-server.h"
#include "ms-probe.h"
#include "ms-sender.h"

G_BEGIN_DECLS

/*
 * Helpers shared by the tests that talk to the fake SMTP server.
 *
 * Test PKI (generated at build time by tests/pki/make-pki.sh into
 * <builddir>/tests/pki/; ms_test_pki_file() finds it through
 * $MS_TEST_BUILDDIR or the MS_TEST_BUILDDIR define). Files:
 *   ca.pem                root CA (use as ca_file)
 *   intermediate.pem      intermediate CA
 *   leaf-key.pem          the key of every leaf below except weak and unknown
 *   good.pem              localhost leaf + intermediate (SAN localhost,
 *                         127.0.0.1, ::1)
 *   good-leaf.pem         the same leaf alone (T7: intermediate missing)
 *   renewed.pem           a second good leaf + intermediate, same key (T11)
 *   expired.pem           expired leaf + intermediate
 *   notyet.pem            not-yet-valid leaf + intermediate
 *   wrongname.pem         leaf for other.example + intermediate
 *   selfsigned.pem        self-signed localhost certificate (leaf-key.pem)
 *   selfsigned2.pem       another self-signed one, same key (T11 renewal)
 *   unknown.pem           leaf from an unknown CA + that CA; key unknown-key.pem
 *   unknown-ca.pem        the unknown CA (T13: trusted through ca_file)
 *   weak.pem              RSA 1024 leaf + intermediate; key weak-key.pem
 *   sha1.pem              SHA-1-signed leaf + intermediate (leaf-key.pem)
 */
char       *ms_test_pki_file              (const char   *name);

/* A fake server in @mode serving good.pem, not started yet. */
MsFakeServer *ms_test_fake_server_new     (MsFakeMode    mode);
/* Starts @server or aborts the test. */
void        ms_test_fake_server_start     (MsFakeServer *server);

/* "sha256//BASE64" of the SPKI of the first certificate in @pem_file. */
char       *ms_test_spki_pin              (const char   *pem_file);

/* TRUE when @needle occurs in @haystack (case-insensitive when @nocase). */
gboolean    ms_test_bytes_contain         (GBytes       *haystack,
                                           const char   *needle,
                                           gboolean      nocase);

/* Which secret form @data holds (a description such as
 * "base64(\\0user\\0password)"), or NULL when none: @password, the base64
 * of "\0@user\0@password", of "@user\0@user\0@password", or of @password. */
const char *ms_test_find_secret           (const guint8 *data,
                                           gsize         len,
                                           const char   *user,
                                           const char   *password);

/* Fails the test (g_test_fail + message) when @data holds @password, the
 * base64 of "\0@user\0@password", the base64 of "@user\0@user\0@password",
 * or the base64 of @password. @what names the buffer in the message.
 * Returns TRUE when clean. */
gboolean    ms_test_check_no_secret       (const char   *what,
                                           const guint8 *data,
                                           gsize         len,
                                           const char   *user,
                                           const char   *password);

/* Fails the test when the clear-text recording of @server holds "AUTH",
 * "MAIL FROM", "RCPT TO" or "DATA" as a command (L2). Returns TRUE when
 * clean. */
gboolean    ms_test_check_nothing_in_clear (MsFakeServer *server);

/* Fails the test when the clear recording of @server holds the secret of
 * @user/@password in any form (see ms_test_check_no_secret); when
 * @include_tls, the TLS recording too (for cases that must fail before
 * AUTH). Returns TRUE when clean. */
gboolean    ms_test_check_server_no_secret (MsFakeServer *server,
                                            const char   *user,
                                            const char   *password,
                                            gboolean      include_tls);

/*
 * Running the operations against a fake server (links mailsetup-core).
 */
typedef enum
{
  MS_TEST_OP_PROBE,
  MS_TEST_OP_LOGIN,
  MS_TEST_OP_TEST_SEND,
  MS_TEST_OP_SEND,
} MsTestOp;

#define MS_TEST_FROM      "sender@localhost"
#define MS_TEST_RECIPIENT "rcpt@localhost"

/* $MS_TEST_TIMEOUT_SCALE (1 when unset; e.g. 10 under valgrind): every
 * step timeout and every timing bound of the tests is multiplied by it. */
guint       ms_test_timeout_scale         (void);
#define MS_TEST_MS(ms) ((gint64) (ms) * ms_test_timeout_scale ())

/* A request for @server: host "localhost", its port, @security, ca_file
 * ca.pem, timeout_seconds 2 (times the scale), user/password MS_FAKE_DEFAULT_*, from
 * MS_TEST_FROM, recipients { MS_TEST_RECIPIENT }, program "ms-tests", and a
 * transcript_func that collects lines for ms_test_check_result(). @server
 * may be NULL (port 25). */
MsRequest  *ms_test_request_new           (MsFakeServer *server,
                                           MsSecurity    security);
/* Sets the password (copied into an MsPassword) of @request. */
void        ms_test_request_set_password  (MsRequest    *request,
                                           const char   *password);

/* Runs @op synchronously; never returns NULL (fails the test instead).
 * Remembers the elapsed time (ms_test_last_elapsed_ms()). */
MsResult   *ms_test_run                   (MsTestOp      op,
                                           MsRequest    *request);
gint64      ms_test_last_elapsed_ms       (void);

/* Captures every GLib log message (still printed as usual), so that
 * ms_test_check_result() can look for secrets in them. Call once in main(). */
void        ms_test_capture_logs          (void);

/* L1: fails the test when the result's transcript, its JSON, its error
 * texts, the lines given to the transcript_func, or the captured logs hold
 * the secret of @user/@password in any form. */
void        ms_test_check_result          (MsResult     *result,
                                           const char   *user,
                                           const char   *password);

#define MS_TEST_STEP(kind) (1u << (kind))
#define MS_TEST_ANY_STEP   0u

/* Asserts the result failed with @code at one of the steps in @steps (a
 * mask of MS_TEST_STEP(); MS_TEST_ANY_STEP for any). */
#define ms_test_assert_error(result, code, steps) \
  ms_test_assert_error_impl ((result), (code), (steps), __FILE__, __LINE__)
void        ms_test_assert_error_impl     (MsResult     *result,
                                           MsErrorCode   code,
                                           guint         steps,
                                           const char   *file,
                                           int           line);

/* Asserts a fail-closed outcome: the result failed with @code at @steps;
 * the client closed the connection; no AUTH, MAIL, RCPT or DATA was
 * received in clear; no AUTH at all, no message, no secret in any
 * recording; and nothing secret in the result (L1, L2). */
#define ms_test_assert_fail_closed(server, result, code, steps) \
  ms_test_assert_fail_closed_impl ((server), (result), (code), (steps), __FILE__, __LINE__)
void        ms_test_assert_fail_closed_impl (MsFakeServer *server,
                                             MsResult     *result,
                                             MsErrorCode   code,
                                             guint         steps,
                                             const char   *file,
                                             int           line);

/* Asserts success and runs ms_test_check_result() and the clear-text
 * checks on @server. */
#define ms_test_assert_ok(server, result) \
  ms_test_assert_ok_impl ((server), (result), __FILE__, __LINE__)
void        ms_test_assert_ok_impl        (MsFakeServer *server,
                                           MsResult     *result,
                                           const char   *file,
                                           int           line);

G_END_DECLS
