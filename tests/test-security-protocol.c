/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-security-protocol"

#include "config.h"

#include <string.h>

#include "ms-fake-server.h"
#include "ms-message.h"
#include "ms-probe.h"
#include "ms-test-util.h"

/*
 * docs/security.md through the client: P9-P14 (AUTH, greeting, envelope
 * and message replies), V1 and V5-V7 (what reaches the wire), L6 (server
 * text shown to the user).
 */

#define STEP(kind) MS_TEST_STEP (MS_STEP_ ## kind)

static MsFakeServer *
tls_server (void)
{
  return ms_test_fake_server_new (MS_FAKE_MODE_TLS);
}

static MsResult *
run_tls (MsFakeServer *server,
         MsTestOp      op)
{
  g_autoptr(MsRequest) request = NULL;

  ms_test_fake_server_start (server);
  request = ms_test_request_new (server, MS_SECURITY_TLS);
  return ms_test_run (op, request);
}

/* ---- P9, P10, P11: AUTH ---- */

static void
test_p9_plain_ok (void)
{
  g_autoptr(MsFakeServer) server = tls_server ();
  g_autoptr(MsResult) result = run_tls (server, MS_TEST_OP_LOGIN);
  g_autoptr(GBytes) tls = NULL;

  ms_test_assert_ok (server, result);
  tls = ms_fake_server_dup_tls_bytes (server);
  g_assert_true (ms_test_bytes_contain (tls, "AUTH PLAIN ", TRUE));
  g_assert_cmpuint (ms_fake_server_get_n_auth_ok (server), ==, 1);
  g_assert_cmpuint (ms_fake_server_count_command (server, "MAIL"), ==, 0);
}

static void
test_p9_auth_failed (void)
{
  g_autoptr(MsFakeServer) server = tls_server ();
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsResult) result = NULL;

  ms_test_fake_server_start (server);
  request = ms_test_request_new (server, MS_SECURITY_TLS);
  ms_test_request_set_password (request, "not-the-password");
  result = ms_test_run (MS_TEST_OP_LOGIN, request);

  ms_test_assert_error (result, MS_ERROR_AUTH_FAILED, STEP (AUTH));
  g_assert_nonnull (result->error->server_reply);
  g_assert_true (g_str_has_prefix (result->error->server_reply, "535"));
  ms_test_check_result (result, MS_FAKE_DEFAULT_USER, "not-the-password");
  g_assert_true (ms_fake_server_wait_finished (server, 1, MS_TEST_MS (3000)));
  ms_test_check_nothing_in_clear (server);
}

/* With a pipelined group led by AUTH, a refused AUTH is still auth-failed
 * and no message is accepted. */
static void
test_p9_auth_failed_test_send (void)
{
  g_autoptr(MsFakeServer) server = tls_server ();
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsResult) result = NULL;

  ms_test_fake_server_start (server);
  request = ms_test_request_new (server, MS_SECURITY_TLS);
  ms_test_request_set_password (request, "not-the-password");
  result = ms_test_run (MS_TEST_OP_TEST_SEND, request);

  ms_test_assert_error (result, MS_ERROR_AUTH_FAILED, STEP (AUTH));
  g_assert_null (result->message_id);
  g_assert_true (ms_fake_server_wait_finished (server, 1, MS_TEST_MS (3000)));
  g_assert_cmpuint (ms_fake_server_get_n_messages (server), ==, 0);
  /* DATA may end a pipelined group led by AUTH (docs/architecture.md, "The SMTP
   * engine"), but the body must never follow a refused AUTH. */
  {
    g_autoptr(GBytes) tls = ms_fake_server_dup_tls_bytes (server);

    g_assert_false (ms_test_bytes_contain (tls, "Subject:", TRUE));
  }
  ms_test_check_result (result, MS_FAKE_DEFAULT_USER, "not-the-password");
}

/* A connection dropped at AUTH is a network error, not a wrong password. */
static void
test_p9_auth_connection_lost (void)
{
  g_autoptr(MsFakeServer) server = tls_server ();
  g_autoptr(MsResult) result = NULL;

  ms_fake_server_set_action (server, MS_FAKE_STEP_AUTH, MS_FAKE_ACTION_CLOSE);
  result = run_tls (server, MS_TEST_OP_LOGIN);

  ms_test_assert_error (result, MS_ERROR_CONNECTION_LOST, STEP (AUTH));
  ms_test_check_result (result, MS_FAKE_DEFAULT_USER, MS_FAKE_DEFAULT_PASSWORD);
}

static void
test_p9_auth_temporary (void)
{
  g_autoptr(MsFakeServer) server = tls_server ();
  g_autoptr(MsResult) result = NULL;

  ms_fake_server_set_reply (server, MS_FAKE_STEP_AUTH, "454 4.7.0 Temporary authentication failure\r\n");
  result = run_tls (server, MS_TEST_OP_LOGIN);

  ms_test_assert_error (result, MS_ERROR_TEMPORARY_FAILURE, STEP (AUTH));
  ms_test_check_result (result, MS_FAKE_DEFAULT_USER, MS_FAKE_DEFAULT_PASSWORD);
}

static void
test_p10_login (void)
{
  g_autoptr(MsFakeServer) server = tls_server ();
  g_autoptr(MsResult) result = NULL;
  g_autoptr(GBytes) tls = NULL;
  const char *caps[] = { "AUTH LOGIN", "PIPELINING", NULL };

  ms_fake_server_set_capabilities (server, MS_FAKE_STEP_EHLO_TLS, caps);
  result = run_tls (server, MS_TEST_OP_LOGIN);

  ms_test_assert_ok (server, result);
  tls = ms_fake_server_dup_tls_bytes (server);
  g_assert_true (ms_test_bytes_contain (tls, "AUTH LOGIN", TRUE));
  g_assert_false (ms_test_bytes_contain (tls, "AUTH PLAIN", TRUE));
  g_assert_cmpuint (ms_fake_server_get_n_auth_ok (server), ==, 1);
}

/* P10: a challenge that is not base64 is cancelled with "*"; the password
 * is not sent. P11: a 12 KiB challenge is handled or refused cleanly. */
static void
run_bad_challenge (const char *challenge,
                   gboolean    must_cancel)
{
  g_autoptr(MsFakeServer) server = tls_server ();
  g_autoptr(MsResult) result = NULL;
  g_autoptr(GBytes) tls = NULL;
  const char *caps[] = { "AUTH LOGIN", NULL };

  ms_fake_server_set_capabilities (server, MS_FAKE_STEP_EHLO_TLS, caps);
  ms_fake_server_set_reply (server, MS_FAKE_STEP_AUTH, challenge);
  result = run_tls (server, MS_TEST_OP_LOGIN);

  g_assert_nonnull (result->error);
  g_assert_cmpint (result->error->step, ==, MS_STEP_AUTH);
  g_assert_cmpint (ms_test_last_elapsed_ms (), <, MS_TEST_MS (4000));
  g_assert_true (ms_fake_server_wait_finished (server, 1, MS_TEST_MS (3000)));
  ms_test_check_server_no_secret (server, MS_FAKE_DEFAULT_USER, MS_FAKE_DEFAULT_PASSWORD, TRUE);
  ms_test_check_result (result, MS_FAKE_DEFAULT_USER, MS_FAKE_DEFAULT_PASSWORD);
  ms_test_check_nothing_in_clear (server);
  tls = ms_fake_server_dup_tls_bytes (server);
  g_test_message ("got %s", ms_error_code_to_string (result->error->code));
  /* Refused cleanly: either cancelled with "*", or the connection closed. */
  if (must_cancel && !ms_test_bytes_contain (tls, "\r\n*\r\n", FALSE))
    {
      g_test_message ("the client did not cancel the exchange with \"*\"");
      g_test_fail ();
    }
  if (!ms_test_bytes_contain (tls, "\r\n*\r\n", FALSE))
    g_assert_cmpuint (ms_fake_server_count_command (server, "MAIL"), ==, 0);
}

static void
test_p10_bad_challenge (void)
{
  run_bad_challenge ("334 not*base64!\r\n", TRUE);
}

static void
test_p11_huge_challenge (void)
{
  g_autoptr(GString) challenge = g_string_new ("334 ");

  for (guint i = 0; i < 12 * 1024 / 4; i++)
    g_string_append (challenge, "QUJD");
  g_string_append (challenge, "\r\n");
  run_bad_challenge (challenge->str, FALSE);
}

/* ---- P12: greeting rejected ---- */

static void
test_greeting (gconstpointer data)
{
  g_autoptr(MsFakeServer) server = tls_server ();
  g_autoptr(MsResult) result = NULL;

  ms_fake_server_set_reply (server, MS_FAKE_STEP_GREETING, data);
  result = run_tls (server, MS_TEST_OP_LOGIN);

  ms_test_assert_fail_closed (server, result, MS_ERROR_GREETING_REJECTED, STEP (GREETING));
  g_assert_cmpuint (ms_fake_server_count_command (server, "EHLO"), ==, 0);
  g_assert_nonnull (result->error->server_reply);
}

/* ---- P13: envelope and message replies ---- */

typedef struct
{
  const char  *name;
  MsFakeStep   at;
  const char  *reply;
  MsErrorCode  code;
  MsStepKind   step;
} Refusal;

static const Refusal refusals[] = {
  { "P13-mail-550", MS_FAKE_STEP_MAIL, "550 5.7.1 Sender rejected\r\n", MS_ERROR_SENDER_REJECTED, MS_STEP_MAIL },
  { "P13-rcpt-550", MS_FAKE_STEP_RCPT, "550 5.1.1 No such user\r\n", MS_ERROR_RECIPIENT_REJECTED, MS_STEP_RCPT },
  { "P13-data-554", MS_FAKE_STEP_DATA, "554 5.7.1 Transaction failed\r\n", MS_ERROR_MESSAGE_REJECTED, MS_STEP_DATA },
  { "P13-dot-452", MS_FAKE_STEP_DOT, "452 4.3.1 Insufficient system storage\r\n", MS_ERROR_TEMPORARY_FAILURE, MS_STEP_DATA },
  { "P13-dot-554", MS_FAKE_STEP_DOT, "554 5.6.0 Message content rejected\r\n", MS_ERROR_MESSAGE_REJECTED, MS_STEP_DATA },
};

static void
test_refusal (gconstpointer data)
{
  const Refusal *r = data;
  g_autoptr(MsFakeServer) server = tls_server ();
  g_autoptr(MsResult) result = NULL;

  ms_fake_server_set_reply (server, r->at, r->reply);
  result = run_tls (server, MS_TEST_OP_TEST_SEND);

  ms_test_assert_error (result, r->code, MS_TEST_STEP (r->step));
  g_assert_null (result->message_id);
  g_assert_nonnull (result->error->server_reply);
  g_assert_cmpint (strncmp (result->error->server_reply, r->reply, 3), ==, 0);
  g_assert_true (ms_fake_server_wait_finished (server, 1, MS_TEST_MS (3000)));
  ms_test_check_nothing_in_clear (server);
  ms_test_check_result (result, MS_FAKE_DEFAULT_USER, MS_FAKE_DEFAULT_PASSWORD);
}

/* ---- P14: SIZE ---- */

static void
test_p14_size (void)
{
  g_autoptr(MsFakeServer) server = tls_server ();
  g_autoptr(MsResult) result = NULL;

  ms_fake_server_set_max_size (server, 64);
  result = run_tls (server, MS_TEST_OP_TEST_SEND);

  ms_test_assert_error (result, MS_ERROR_MESSAGE_TOO_LARGE,
                        STEP (MAIL) | STEP (DATA) | STEP (CONFIG) | STEP (EHLO));
  g_assert_true (ms_fake_server_wait_finished (server, 1, MS_TEST_MS (3000)));
  g_assert_cmpuint (ms_fake_server_count_command (server, "DATA"), ==, 0);
  g_assert_cmpuint (ms_fake_server_count_command (server, "BDAT"), ==, 0);
  g_assert_cmpuint (ms_fake_server_get_n_messages (server), ==, 0);
}

/* ---- V1: CR, LF in fields: nothing sent ---- */

typedef enum
{
  FIELD_HOST,
  FIELD_USER,
  FIELD_FROM,
  FIELD_RECIPIENT,
} Field;

static void
test_v1_control (gconstpointer data)
{
  Field field = GPOINTER_TO_INT (data);
  const char *bad[] = { "a\r\nRSET", "a\nb", "a\rb" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(MsFakeServer) server = tls_server ();
      g_autoptr(MsRequest) request = NULL;
      g_autoptr(MsResult) result = NULL;
      g_autofree char *value = g_strdup_printf ("x%s@localhost", bad[i]);

      ms_test_fake_server_start (server);
      request = ms_test_request_new (server, MS_SECURITY_TLS);
      switch (field)
        {
        case FIELD_HOST:
          g_free (request->config->host);
          request->config->host = g_strdup_printf ("local%shost", bad[i]);
          break;
        case FIELD_USER:
          g_free (request->config->username);
          request->config->username = g_steal_pointer (&value);
          break;
        case FIELD_FROM:
          g_free (request->from);
          request->from = g_steal_pointer (&value);
          break;
        case FIELD_RECIPIENT:
        default:
          g_free (request->recipients[0]);
          request->recipients[0] = g_steal_pointer (&value);
          break;
        }
      result = ms_test_run (MS_TEST_OP_TEST_SEND, request);

      ms_test_assert_error (result, MS_ERROR_INVALID_INPUT, STEP (CONFIG));
      g_assert_cmpuint (ms_fake_server_get_n_connections (server), ==, 0);
    }
}

/* V1: the program name goes into the test message's body: whatever it
 * holds, it must not end the DATA phase and start a second transaction. */
static void
test_v1_program (void)
{
  g_autoptr(MsFakeServer) server = tls_server ();
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsResult) result = NULL;

  ms_test_fake_server_start (server);
  request = ms_test_request_new (server, MS_SECURITY_TLS);
  g_free (request->program);
  request->program = g_strdup ("x\r\n.\r\nMAIL FROM:<evil@localhost>\r\nRCPT TO:<victim@localhost>\r\nDATA\r\n");
  result = ms_test_run (MS_TEST_OP_TEST_SEND, request);

  g_assert_true (ms_fake_server_wait_finished (server, 0, MS_TEST_MS (3000)));
  g_assert_cmpuint (ms_fake_server_count_command (server, "MAIL"), <=, 1);
  g_assert_cmpuint (ms_fake_server_count_command (server, "DATA"), <=, 1);
  g_assert_cmpuint (ms_fake_server_get_n_messages (server), <=, 1);
  if (result->error != NULL)
    g_assert_cmpint (result->error->code, ==, MS_ERROR_INVALID_INPUT);
  else
    {
      g_autoptr(MsFakeMessage) message = ms_fake_server_dup_message (server, 0);

      g_assert_cmpstrv (message->rcpt_to, ((const char *[]) { MS_TEST_RECIPIENT, NULL }));
    }
}

/* ---- V5: UTF-8 address, no SMTPUTF8 ---- */

static void
test_v5_utf8_address (void)
{
  g_autoptr(MsFakeServer) server = tls_server ();
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsResult) result = NULL;

  ms_test_fake_server_start (server);
  request = ms_test_request_new (server, MS_SECURITY_TLS);
  g_free (request->recipients[0]);
  request->recipients[0] = g_strdup ("rené@localhost");
  result = ms_test_run (MS_TEST_OP_TEST_SEND, request);

  ms_test_assert_error (result, MS_ERROR_INVALID_INPUT,
                        STEP (CONFIG) | STEP (EHLO) | STEP (MAIL) | STEP (RCPT));
  g_assert_true (ms_fake_server_wait_finished (server, 0, MS_TEST_MS (3000)));
  g_assert_cmpuint (ms_fake_server_count_command (server, "MAIL"), ==, 0);
  g_assert_cmpuint (ms_fake_server_get_n_messages (server), ==, 0);
}

/* ---- V6: passwords ---- */

static void
run_password (const char *password)
{
  g_autoptr(MsFakeServer) server = tls_server ();
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsResult) result = NULL;

  ms_fake_server_set_credentials (server, MS_FAKE_DEFAULT_USER, password);
  ms_test_fake_server_start (server);
  request = ms_test_request_new (server, MS_SECURITY_TLS);
  ms_test_request_set_password (request, password);
  result = ms_test_run (MS_TEST_OP_LOGIN, request);

  if (result->error != NULL)
    g_error ("expected success, got %s", ms_error_code_to_string (result->error->code));
  g_assert_cmpuint (ms_fake_server_get_n_auth_ok (server), ==, 1);
  ms_test_check_result (result, MS_FAKE_DEFAULT_USER, password);
  g_assert_true (ms_fake_server_wait_finished (server, 1, MS_TEST_MS (3000)));
  ms_test_check_nothing_in_clear (server);
}

static void
test_v6_non_ascii (void)
{
  run_password ("pässwörd-✓-密码");
}

static void
test_v6_1k (void)
{
  g_autoptr(GString) password = g_string_new (NULL);

  for (guint i = 0; i < 1024; i++)
    g_string_append_c (password, "abcdefghijklmnopqrstuvwxyz0123456789!#%&"[i % 40]);
  run_password (password->str);
}

static void
test_v6_nul (void)
{
  g_autoptr(MsFakeServer) server = tls_server ();
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsResult) result = NULL;
  g_autoptr(GBytes) tls = NULL;

  ms_test_fake_server_start (server);
  request = ms_test_request_new (server, MS_SECURITY_TLS);
  g_clear_pointer (&request->password, ms_password_unref);
  request->password = ms_password_new ("ab\0cd", 5);
  result = ms_test_run (MS_TEST_OP_LOGIN, request);

  g_assert_nonnull (result->error);
  g_assert_cmpint (result->error->code, ==, MS_ERROR_INVALID_INPUT);
  g_assert_true (ms_fake_server_wait_finished (server, 0, MS_TEST_MS (3000)));
  tls = ms_fake_server_dup_tls_bytes (server);
  g_assert_false (ms_test_bytes_contain (tls, "AUTH PLAIN", TRUE));
  g_assert_cmpuint (ms_fake_server_get_n_auth_ok (server), ==, 0);
}

/* ---- V7: the wire form of a message ---- */

/* Soft: reports the first violation and marks the test failed, so the
 * tests after it still run. */
static void
assert_wire_form (GBytes *data)
{
  gsize len = 0;
  const guint8 *p = g_bytes_get_data (data, &len);
  gsize line_len = 0;
  const char *problem = NULL;
  gsize at = 0;

  for (gsize i = 0; i < len && problem == NULL; i++)
    {
      at = i;
      if (p[i] == '\r')
        {
          if (i + 1 >= len || p[i + 1] != '\n')
            problem = "a bare CR";
          else if (line_len > 998)
            problem = "a line over 998 octets";
          line_len = 0;
          i++;
        }
      else if (p[i] == '\n')
        problem = "a bare LF";
      else if (p[i] == '\0')
        problem = "a NUL";
      else
        line_len++;
    }
  if (problem == NULL && line_len != 0)
    problem = "a last line without CRLF";
  if (problem != NULL)
    {
      g_test_message ("on the wire: %s at octet %" G_GSIZE_FORMAT, problem, at);
      g_test_fail ();
    }
}

static GString *
v7_message (void)
{
  GString *body = g_string_new ("From: sender@localhost\r\nTo: rcpt@localhost\r\n"
                                "Subject: V7\r\n\r\n");

  g_string_append (body, ".starts with a dot\r\n");
  g_string_append (body, ".\r\n");
  g_string_append (body, "..two dots\r\n");
  g_string_append (body, "bare LF\nnext\r\n");
  g_string_append (body, "bare CR\rnext\r\n");
  for (guint i = 0; i < 1500; i++)
    g_string_append_c (body, 'x');
  g_string_append (body, "\r\nlast line\r\n");
  return body;
}

static MsFakeServer *
v7_server (gboolean chunking)
{
  MsFakeServer *server = tls_server ();

  if (chunking)
    {
      const char *caps[] = { "PIPELINING", "CHUNKING", "8BITMIME", "AUTH PLAIN LOGIN", NULL };

      ms_fake_server_set_capabilities (server, MS_FAKE_STEP_EHLO_TLS, caps);
    }
  ms_test_fake_server_start (server);
  return server;
}

static MsFakeMessage *
v7_send (MsFakeServer *server,
         GBytes       *message)
{
  g_autoptr(MsRequest) request = ms_test_request_new (server, MS_SECURITY_TLS);
  g_autoptr(MsResult) result = NULL;

  request->message = g_bytes_ref (message);
  result = ms_test_run (MS_TEST_OP_SEND, request);
  ms_test_assert_ok (server, result);
  g_assert_cmpuint (ms_fake_server_get_n_messages (server), ==, 1);
  return ms_fake_server_dup_message (server, 0);
}

/* The sendmail path (what mailsetup-cli send does): parse, normalise,
 * send. On the wire: CRLF, lines <= 998, dot-stuffed for DATA; and the
 * server gets back exactly the normalised message. */
static void
run_v7_normalised (gboolean chunking)
{
  g_autoptr(MsFakeServer) server = v7_server (chunking);
  g_autoptr(GString) text = v7_message ();
  g_autoptr(GBytes) input = g_bytes_new (text->str, text->len);
  g_autoptr(MsMessageInput) parsed = NULL;
  g_autoptr(GBytes) normalised = NULL;
  g_autoptr(MsFakeMessage) message = NULL;
  g_autofree char *message_id = NULL;
  g_autoptr(GError) error = NULL;

  parsed = ms_message_parse_sendmail (input, TRUE, &error);
  g_assert_no_error (error);
  normalised = ms_message_normalise (parsed, MS_TEST_FROM, TRUE, NULL, &message_id, &error);
  g_assert_no_error (error);
  message = v7_send (server, normalised);

  g_test_message ("sent with %s", message->bdat ? "BDAT" : "DATA");
  assert_wire_form (message->data);
  g_assert_cmpmem (g_bytes_get_data (message->content, NULL), g_bytes_get_size (message->content),
                   g_bytes_get_data (normalised, NULL), g_bytes_get_size (normalised));
  if (!message->bdat)
    g_assert_true (ms_test_bytes_contain (message->data, "\r\n..", FALSE));
}

static void
test_v7_normalised (void)
{
  run_v7_normalised (FALSE);
}

static void
test_v7_normalised_chunking (void)
{
  run_v7_normalised (TRUE);
}

/* A message that skipped normalisation (bare LF, bare CR, a 1500-octet
 * line) still goes out in wire form: the engine is the last line of
 * defence before the socket. */
static void
run_v7_raw (gboolean chunking)
{
  g_autoptr(MsFakeServer) server = v7_server (chunking);
  g_autoptr(GString) text = v7_message ();
  g_autoptr(GBytes) raw = g_bytes_new (text->str, text->len);
  g_autoptr(MsFakeMessage) message = v7_send (server, raw);
  GBytes *content = message->content;

  g_test_message ("sent with %s", message->bdat ? "BDAT" : "DATA");
  assert_wire_form (message->data);
  if (g_test_failed ())
    return;
  /* Dot-stuffed on the wire, the dots back after unstuffing. */
  if (!message->bdat)
    {
      g_assert_true (ms_test_bytes_contain (message->data, "\r\n..starts with a dot\r\n", FALSE));
      g_assert_true (ms_test_bytes_contain (message->data, "\r\n..\r\n", FALSE));
      g_assert_true (ms_test_bytes_contain (message->data, "\r\n...two dots\r\n", FALSE));
    }
  g_assert_true (ms_test_bytes_contain (content, "\r\n.starts with a dot\r\n", FALSE));
  g_assert_true (ms_test_bytes_contain (content, "\r\n.\r\n", FALSE));
  g_assert_true (ms_test_bytes_contain (content, "bare LF\r\nnext\r\n", FALSE));
  g_assert_true (ms_test_bytes_contain (content, "bare CR\r\nnext\r\n", FALSE));
  g_assert_true (ms_test_bytes_contain (content, "\r\nlast line\r\n", FALSE));
}

static void
test_v7_raw (void)
{
  run_v7_raw (FALSE);
}

static void
test_v7_raw_chunking (void)
{
  run_v7_raw (TRUE);
}

static void
test_v7_test_message (void)
{
  g_autoptr(MsFakeServer) server = tls_server ();
  g_autoptr(MsResult) result = run_tls (server, MS_TEST_OP_TEST_SEND);
  g_autoptr(MsFakeMessage) message = NULL;

  ms_test_assert_ok (server, result);
  message = ms_fake_server_dup_message (server, 0);
  g_assert_nonnull (message);
  assert_wire_form (message->data);
  g_assert_true (ms_test_bytes_contain (message->content, "\r\nMessage-ID: ", TRUE) ||
                 ms_test_bytes_contain (message->content, "Message-ID: ", TRUE));
  g_assert_true (ms_test_bytes_contain (message->content, result->message_id, FALSE));
}

/* ---- P1-P8 through the client (the parser's own tests are elsewhere) ---- */

typedef struct
{
  const char *name;
  MsFakeStep  at;
  const char *reply;
  gsize       len;       /* 0: strlen (reply) */
  gboolean    ok;        /* else protocol-error */
  MsStepKind  step;
} BadReply;

static const BadReply bad_replies[] = {
  { "P3-nul-in-greeting", MS_FAKE_STEP_GREETING, "220 local\0host\r\n", 17, FALSE, MS_STEP_GREETING },
  { "P4-code-25", MS_FAKE_STEP_GREETING, "25\r\n", 0, FALSE, MS_STEP_GREETING },
  { "P4-code-2500", MS_FAKE_STEP_GREETING, "2500 x\r\n", 0, FALSE, MS_STEP_GREETING },
  { "P4-code-abc", MS_FAKE_STEP_GREETING, "abc\r\n", 0, FALSE, MS_STEP_GREETING },
  { "P4-code-250x", MS_FAKE_STEP_EHLO_TLS, "250x\r\n", 0, FALSE, MS_STEP_EHLO },
  { "P4-code-650", MS_FAKE_STEP_EHLO_TLS, "650 x\r\n", 0, FALSE, MS_STEP_EHLO },
  { "P4-code-bare-250", MS_FAKE_STEP_EHLO_TLS, "250\r\n", 0, TRUE, MS_STEP_EHLO },
  { "P5-mixed-codes", MS_FAKE_STEP_EHLO_TLS, "250-localhost\r\n251 AUTH PLAIN\r\n", 0, FALSE, MS_STEP_EHLO },
  { "P6-lf-only", MS_FAKE_STEP_EHLO_TLS, "250-localhost\n250-PIPELINING\n250 AUTH PLAIN LOGIN\n", 0, TRUE, MS_STEP_EHLO },
};

static void
test_bad_reply (gconstpointer data)
{
  const BadReply *br = data;
  g_autoptr(MsFakeServer) server = tls_server ();
  g_autoptr(MsResult) result = NULL;

  ms_fake_server_set_reply_len (server, br->at, br->reply, br->len ? br->len : strlen (br->reply));
  result = run_tls (server, br->ok ? MS_TEST_OP_PROBE : MS_TEST_OP_LOGIN);

  if (br->ok)
    ms_test_assert_ok (server, result);
  else
    ms_test_assert_fail_closed (server, result, MS_ERROR_PROTOCOL_ERROR, MS_TEST_STEP (br->step));
  g_assert_cmpint (ms_test_last_elapsed_ms (), <, MS_TEST_MS (4000));
}

static void
run_ehlo_lines (guint    n_lines,
                gboolean ok)
{
  g_autoptr(MsFakeServer) server = tls_server ();
  g_autoptr(MsResult) result = NULL;
  g_autoptr(GPtrArray) caps = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < n_lines - 2; i++)
    g_ptr_array_add (caps, g_strdup_printf ("X-CAPABILITY-%u", i));
  g_ptr_array_add (caps, g_strdup ("AUTH PLAIN LOGIN"));
  g_ptr_array_add (caps, NULL);
  ms_fake_server_set_capabilities (server, MS_FAKE_STEP_EHLO_TLS, (const char *const *) caps->pdata);
  result = run_tls (server, MS_TEST_OP_LOGIN);

  if (ok)
    ms_test_assert_ok (server, result);
  else
    ms_test_assert_fail_closed (server, result, MS_ERROR_PROTOCOL_ERROR, STEP (EHLO));
}

static void
test_p1_ehlo_50 (void)
{
  run_ehlo_lines (50, TRUE);
}

static void
test_p1_ehlo_past_cap (void)
{
  run_ehlo_lines (1000, FALSE);
}

static void
run_long_greeting (gsize    len,
                   gboolean terminated,
                   gboolean ok)
{
  g_autoptr(MsFakeServer) server = tls_server ();
  g_autoptr(MsResult) result = NULL;
  g_autoptr(GString) greeting = g_string_new ("220 ");

  while (greeting->len < len)
    g_string_append_c (greeting, 'a');
  if (terminated)
    g_string_append (greeting, "\r\n");
  else
    ms_fake_server_set_action (server, MS_FAKE_STEP_GREETING, MS_FAKE_ACTION_STALL);
  ms_fake_server_set_reply (server, MS_FAKE_STEP_GREETING, greeting->str);
  result = run_tls (server, MS_TEST_OP_PROBE);

  if (ok)
    ms_test_assert_ok (server, result);
  else
    ms_test_assert_fail_closed (server, result, MS_ERROR_PROTOCOL_ERROR, STEP (GREETING));
  /* At the cap, not at the timeout. */
  g_test_message ("took %" G_GINT64_FORMAT " ms", ms_test_last_elapsed_ms ());
  g_assert_cmpint (ms_test_last_elapsed_ms (), <, MS_TEST_MS (1900));
}

static void
test_p2_512_line (void)
{
  run_long_greeting (510, TRUE, TRUE);
}

static void
test_p2_64k_no_lf (void)
{
  run_long_greeting (64 * 1024, FALSE, FALSE);
}

static void
test_p7_trickle (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_STARTTLS);
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsResult) result = NULL;

  ms_fake_server_set_trickle (server, TRUE);
  ms_test_fake_server_start (server);
  request = ms_test_request_new (server, MS_SECURITY_STARTTLS);
  request->config->timeout_seconds = 5 * ms_test_timeout_scale ();
  result = ms_test_run (MS_TEST_OP_LOGIN, request);

  ms_test_assert_ok (server, result);
  g_assert_cmpuint (ms_fake_server_get_n_auth_ok (server), ==, 1);
}

typedef struct
{
  const char *name;
  const char *auth_line;
  gboolean    ok;
} AuthToken;

static const AuthToken auth_tokens[] = {
  { "P8-auth-equals", "AUTH=PLAIN LOGIN", TRUE },
  { "P8-lower-case", "auth plain login", TRUE },
  { "P8-plainx", "AUTH PLAINX", FALSE },
  { "P8-x-auth", "X-AUTH PLAIN LOGIN", FALSE },
};

static void
test_auth_token (gconstpointer data)
{
  const AuthToken *at = data;
  g_autoptr(MsFakeServer) server = tls_server ();
  g_autoptr(MsResult) result = NULL;
  const char *caps[] = { "PIPELINING", at->auth_line, NULL };

  ms_fake_server_set_capabilities (server, MS_FAKE_STEP_EHLO_TLS, caps);
  result = run_tls (server, MS_TEST_OP_LOGIN);

  if (at->ok)
    {
      ms_test_assert_ok (server, result);
      g_assert_cmpuint (ms_fake_server_get_n_auth_ok (server), ==, 1);
    }
  else
    ms_test_assert_fail_closed (server, result, MS_ERROR_AUTH_UNSUPPORTED,
                                STEP (AUTH) | STEP (EHLO));
}

/* ---- L1: a server that echoes the secret back ---- */

/* A hostile (or buggy) server quotes the AUTH payload and the password in
 * its reply: the result, transcript and JSON must still not hold them. */
static void
test_l1_server_echoes_secret (void)
{
  g_autoptr(MsFakeServer) server = tls_server ();
  g_autoptr(MsResult) result = NULL;
  g_autoptr(GByteArray) raw = g_byte_array_new ();
  g_autofree char *b64 = NULL;
  g_autofree char *b64_pass = g_base64_encode ((const guchar *) MS_FAKE_DEFAULT_PASSWORD,
                                               strlen (MS_FAKE_DEFAULT_PASSWORD));
  g_autofree char *reply = NULL;

  g_byte_array_append (raw, (const guint8 *) "", 1);
  g_byte_array_append (raw, (const guint8 *) MS_FAKE_DEFAULT_USER, strlen (MS_FAKE_DEFAULT_USER));
  g_byte_array_append (raw, (const guint8 *) "", 1);
  g_byte_array_append (raw, (const guint8 *) MS_FAKE_DEFAULT_PASSWORD, strlen (MS_FAKE_DEFAULT_PASSWORD));
  b64 = g_base64_encode (raw->data, raw->len);
  reply = g_strdup_printf ("535-5.7.8 Rejected AUTH PLAIN %s\r\n535-5.7.8 password %s\r\n"
                           "535 5.7.8 base64 %s\r\n", b64, MS_FAKE_DEFAULT_PASSWORD, b64_pass);
  ms_fake_server_set_reply (server, MS_FAKE_STEP_AUTH, reply);
  result = run_tls (server, MS_TEST_OP_LOGIN);

  ms_test_assert_error (result, MS_ERROR_AUTH_FAILED, STEP (AUTH));
  ms_test_check_result (result, MS_FAKE_DEFAULT_USER, MS_FAKE_DEFAULT_PASSWORD);
}

/* ---- L6: server text shown to the user ---- */

static void
test_l6_server_text (void)
{
  g_autoptr(MsFakeServer) server = tls_server ();
  g_autoptr(MsResult) result = NULL;
  g_autoptr(GString) greeting = g_string_new ("554 5.3.2 \x1b[31mEVIL\x1b[0m \x07 bell\ttab ");
  const char *reply;

  for (guint i = 0; i < 400; i++)
    g_string_append (greeting, "long ");
  g_string_append (greeting, "\r\n");
  ms_fake_server_set_reply (server, MS_FAKE_STEP_GREETING, greeting->str);
  result = run_tls (server, MS_TEST_OP_PROBE);

  ms_test_assert_error (result, MS_ERROR_GREETING_REJECTED, STEP (GREETING));
  reply = result->error->server_reply;
  g_assert_nonnull (reply);
  g_assert_true (g_utf8_validate (reply, -1, NULL));
  for (const char *p = reply; *p != '\0'; p++)
    g_assert_false (g_ascii_iscntrl (*p));
  g_assert_cmpuint (strlen (reply), <, 1100);
  g_assert_true (g_str_has_prefix (reply, "554"));
  g_assert_nonnull (strstr (reply, "EVIL"));
  for (guint i = 0; result->transcript != NULL && i < result->transcript->len; i++)
    for (const char *p = result->transcript->pdata[i]; *p != '\0'; p++)
      g_assert_cmpint (*p, !=, '\x1b');
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  ms_test_capture_logs ();

  g_test_add_func ("/ms/security/P9-plain-ok", test_p9_plain_ok);
  g_test_add_func ("/ms/security/P9-auth-failed", test_p9_auth_failed);
  g_test_add_func ("/ms/security/P9-auth-failed-test-send", test_p9_auth_failed_test_send);
  g_test_add_func ("/ms/security/P9-auth-connection-lost", test_p9_auth_connection_lost);
  g_test_add_func ("/ms/security/P9-auth-temporary", test_p9_auth_temporary);
  g_test_add_func ("/ms/security/P10-login", test_p10_login);
  g_test_add_func ("/ms/security/P10-bad-challenge", test_p10_bad_challenge);
  g_test_add_func ("/ms/security/P11-huge-challenge", test_p11_huge_challenge);
  g_test_add_data_func ("/ms/security/P12-greeting-554", "554 5.3.2 No service here\r\n", test_greeting);
  g_test_add_data_func ("/ms/security/P12-greeting-421", "421 4.3.2 Too busy\r\n", test_greeting);
  for (guint i = 0; i < G_N_ELEMENTS (refusals); i++)
    {
      g_autofree char *path = g_strdup_printf ("/ms/security/%s", refusals[i].name);

      g_test_add_data_func (path, &refusals[i], test_refusal);
    }
  g_test_add_func ("/ms/security/P14-size", test_p14_size);
  g_test_add_data_func ("/ms/security/V1-host", GINT_TO_POINTER (FIELD_HOST), test_v1_control);
  g_test_add_data_func ("/ms/security/V1-user", GINT_TO_POINTER (FIELD_USER), test_v1_control);
  g_test_add_data_func ("/ms/security/V1-from", GINT_TO_POINTER (FIELD_FROM), test_v1_control);
  g_test_add_data_func ("/ms/security/V1-recipient", GINT_TO_POINTER (FIELD_RECIPIENT), test_v1_control);
  g_test_add_func ("/ms/security/V1-program", test_v1_program);
  g_test_add_func ("/ms/security/V5-utf8-address", test_v5_utf8_address);
  g_test_add_func ("/ms/security/V6-non-ascii-password", test_v6_non_ascii);
  g_test_add_func ("/ms/security/V6-1k-password", test_v6_1k);
  g_test_add_func ("/ms/security/V6-nul-password", test_v6_nul);
  g_test_add_func ("/ms/security/V7-normalised", test_v7_normalised);
  g_test_add_func ("/ms/security/V7-normalised-chunking", test_v7_normalised_chunking);
  g_test_add_func ("/ms/security/V7-raw", test_v7_raw);
  g_test_add_func ("/ms/security/V7-raw-chunking", test_v7_raw_chunking);
  g_test_add_func ("/ms/security/V7-test-message", test_v7_test_message);
  g_test_add_func ("/ms/security/L1-server-echoes-secret", test_l1_server_echoes_secret);
  g_test_add_func ("/ms/security/L6-server-text", test_l6_server_text);
  g_test_add_func ("/ms/security/P1-ehlo-50-lines", test_p1_ehlo_50);
  g_test_add_func ("/ms/security/P1-ehlo-past-cap", test_p1_ehlo_past_cap);
  g_test_add_func ("/ms/security/P2-512-line", test_p2_512_line);
  g_test_add_func ("/ms/security/P2-64k-no-lf", test_p2_64k_no_lf);
  for (guint i = 0; i < G_N_ELEMENTS (bad_replies); i++)
    {
      g_autofree char *path = g_strdup_printf ("/ms/security/%s", bad_replies[i].name);

      g_test_add_data_func (path, &bad_replies[i], test_bad_reply);
    }
  g_test_add_func ("/ms/security/P7-trickle", test_p7_trickle);
  for (guint i = 0; i < G_N_ELEMENTS (auth_tokens); i++)
    {
      g_autofree char *path = g_strdup_printf ("/ms/security/%s", auth_tokens[i].name);

      g_test_add_data_func (path, &auth_tokens[i], test_auth_token);
    }

  return g_test_run ();
}
