/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-smtp-client"

#include "config.h"

#include <string.h>

#include "ms-fake-server.h"
#include "ms-probe.h"
#include "ms-test-util.h"

/* The happy paths of the SMTP client against the fake server: round trips
 * with and without PIPELINING and CHUNKING, transcript redaction, and a
 * port that speaks the other security mode. */

static gboolean
transcript_has (MsResult   *result,
                const char *line)
{
  for (guint i = 0; i < result->transcript->len; i++)
    if (g_str_equal (g_ptr_array_index (result->transcript, i), line))
      return TRUE;

  return FALSE;
}

static guint
transcript_count_prefix (MsResult   *result,
                         const char *prefix)
{
  guint n = 0;

  for (guint i = 0; i < result->transcript->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (result->transcript, i), prefix))
      n++;

  return n;
}

static MsResult *
run_test_send (MsFakeServer *server,
               MsSecurity    security)
{
  g_autoptr(MsRequest) request = ms_test_request_new (server, security);

  return ms_test_run (MS_TEST_OP_TEST_SEND, request);
}

static void
test_tls_pipelining_round_trips (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  g_autoptr(MsResult) result = NULL;
  g_autoptr(MsFakeMessage) message = NULL;

  ms_test_fake_server_start (server);
  result = run_test_send (server, MS_SECURITY_TLS);
  ms_test_assert_ok (server, result);

  /* TLS 1.3, greeting, EHLO, AUTH+MAIL+RCPT+DATA, body, QUIT */
  g_assert_cmpuint (result->round_trips, ==, 6);
  g_assert_nonnull (result->message_id);
  g_assert_true (ms_fake_server_wait_finished (server, 1, 5000));
  g_assert_cmpuint (ms_fake_server_get_n_messages (server), ==, 1);
  message = ms_fake_server_dup_message (server, 0);
  g_assert_true (message->over_tls);
  g_assert_false (message->bdat);
  g_assert_cmpstr (message->mail_from, ==, MS_TEST_FROM);
  g_assert_cmpstr (message->auth_user, ==, MS_FAKE_DEFAULT_USER);
  g_assert_true (ms_test_bytes_contain (message->content, result->message_id, FALSE));
  g_assert_cmpstr (result->tls->version, ==, "TLS1.3");
  g_assert_true (result->tls->verified);
}

static void
test_tls_chunking_round_trips (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  const char *caps[] = { "PIPELINING", "CHUNKING", "8BITMIME", "SIZE 10485760",
                         "AUTH PLAIN LOGIN", NULL };
  g_autoptr(MsResult) result = NULL;
  g_autoptr(MsFakeMessage) message = NULL;

  ms_fake_server_set_capabilities (server, MS_FAKE_STEP_EHLO_TLS, caps);
  ms_test_fake_server_start (server);
  result = run_test_send (server, MS_SECURITY_TLS);
  ms_test_assert_ok (server, result);

  /* TLS, greeting, EHLO, AUTH+MAIL+RCPT+BDAT LAST with the body, QUIT */
  g_assert_cmpuint (result->round_trips, ==, 5);
  g_assert_true (ms_fake_server_wait_finished (server, 1, 5000));
  message = ms_fake_server_dup_message (server, 0);
  g_assert_true (message->bdat);
  g_assert_cmpuint (ms_fake_server_count_command (server, "DATA"), ==, 0);
}

static void
test_tls_no_pipelining_round_trips (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  const char *caps[] = { "8BITMIME", "AUTH PLAIN LOGIN", NULL };
  g_autoptr(MsResult) result = NULL;

  ms_fake_server_set_capabilities (server, MS_FAKE_STEP_EHLO_TLS, caps);
  ms_test_fake_server_start (server);
  result = run_test_send (server, MS_SECURITY_TLS);
  ms_test_assert_ok (server, result);

  /* TLS, greeting, EHLO, AUTH, MAIL, RCPT, DATA, body, QUIT */
  g_assert_cmpuint (result->round_trips, ==, 9);
  g_assert_true (ms_fake_server_wait_finished (server, 1, 5000));
  g_assert_cmpuint (ms_fake_server_get_n_messages (server), ==, 1);
}

static void
test_chunking_no_pipelining_round_trips (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  const char *caps[] = { "CHUNKING", "AUTH PLAIN", NULL };
  g_autoptr(MsResult) result = NULL;
  g_autoptr(MsFakeMessage) message = NULL;

  ms_fake_server_set_capabilities (server, MS_FAKE_STEP_EHLO_TLS, caps);
  ms_test_fake_server_start (server);
  result = run_test_send (server, MS_SECURITY_TLS);
  ms_test_assert_ok (server, result);

  /* TLS, greeting, EHLO, AUTH, MAIL, RCPT, BDAT LAST with the body, QUIT */
  g_assert_cmpuint (result->round_trips, ==, 8);
  g_assert_true (ms_fake_server_wait_finished (server, 1, 5000));
  message = ms_fake_server_dup_message (server, 0);
  g_assert_true (message->bdat);
}

static void
test_starttls_round_trips (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_STARTTLS);
  g_autoptr(MsResult) result = NULL;

  ms_test_fake_server_start (server);
  result = run_test_send (server, MS_SECURITY_STARTTLS);
  ms_test_assert_ok (server, result);

  /* greeting, EHLO, STARTTLS, TLS, EHLO, group, body, QUIT */
  g_assert_cmpuint (result->round_trips, ==, 8);
  g_assert_cmpuint (ms_fake_server_count_command (server, "EHLO"), ==, 2);
  g_assert_true (ms_test_check_nothing_in_clear (server));
}

static void
test_transcript_redacts_plain (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  g_autoptr(MsResult) result = NULL;

  ms_test_fake_server_start (server);
  result = run_test_send (server, MS_SECURITY_TLS);
  ms_test_assert_ok (server, result);

  g_assert_true (transcript_has (result, "C: AUTH PLAIN <redacted>"));
  g_assert_true (transcript_has (result, "C: DATA"));
  g_assert_cmpuint (transcript_count_prefix (result, "C: <message, "), ==, 1);
  g_assert_cmpuint (transcript_count_prefix (result, "* TLS up: TLS1.3"), ==, 1);
  g_assert_cmpuint (transcript_count_prefix (result, "* certificate verified: "), ==, 1);
  /* The body is summarised, never logged. */
  g_assert_cmpuint (transcript_count_prefix (result, "C: Subject"), ==, 0);
  ms_test_check_result (result, MS_FAKE_DEFAULT_USER, MS_FAKE_DEFAULT_PASSWORD);
}

static void
test_transcript_redacts_login (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  const char *caps[] = { "AUTH LOGIN", NULL };
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsResult) result = NULL;

  ms_fake_server_set_capabilities (server, MS_FAKE_STEP_EHLO_TLS, caps);
  ms_test_fake_server_start (server);
  request = ms_test_request_new (server, MS_SECURITY_TLS);
  result = ms_test_run (MS_TEST_OP_LOGIN, request);
  ms_test_assert_ok (server, result);

  g_assert_true (transcript_has (result, "C: AUTH LOGIN"));
  g_assert_cmpuint (transcript_count_prefix (result, "C: <redacted>"), ==, 2);
  g_assert_cmpuint (ms_fake_server_get_n_auth_ok (server), ==, 1);
  ms_test_check_result (result, MS_FAKE_DEFAULT_USER, MS_FAKE_DEFAULT_PASSWORD);
}

static void
test_pipelined_auth_failure (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsResult) result = NULL;

  ms_test_fake_server_start (server);
  request = ms_test_request_new (server, MS_SECURITY_TLS);
  ms_test_request_set_password (request, "not-the-password");
  result = ms_test_run (MS_TEST_OP_TEST_SEND, request);

  /* MAIL, RCPT and DATA were in the same write; the AUTH reply decides. */
  ms_test_assert_error (result, MS_ERROR_AUTH_FAILED, MS_TEST_STEP (MS_STEP_AUTH));
  g_assert_nonnull (result->error->server_reply);
  g_assert_true (g_str_has_prefix (result->error->server_reply, "535"));
  g_assert_null (result->message_id);
  g_assert_true (ms_fake_server_wait_finished (server, 1, 5000));
  g_assert_cmpuint (ms_fake_server_get_n_messages (server), ==, 0);
  ms_test_check_result (result, MS_FAKE_DEFAULT_USER, "not-the-password");
}

static void
test_send_dot_stuffed (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_STARTTLS);
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsResult) result = NULL;
  g_autoptr(MsFakeMessage) message = NULL;
  static const char text[] = "From: sender@localhost\r\nTo: rcpt@localhost\r\n"
                             "Subject: dots\r\nMessage-ID: <abc@localhost>\r\n\r\n"
                             ".leading dot\r\n.\r\nend\r\n";

  ms_test_fake_server_start (server);
  request = ms_test_request_new (server, MS_SECURITY_STARTTLS);
  request->message = g_bytes_new_static (text, strlen (text));
  result = ms_test_run (MS_TEST_OP_SEND, request);
  ms_test_assert_ok (server, result);

  g_assert_cmpstr (result->message_id, ==, "<abc@localhost>");
  g_assert_true (ms_fake_server_wait_finished (server, 1, 5000));
  message = ms_fake_server_dup_message (server, 0);
  g_assert_true (ms_test_bytes_contain (message->data, "\r\n..leading dot\r\n..\r\nend", FALSE));
  g_assert_cmpmem (g_bytes_get_data (message->content, NULL), g_bytes_get_size (message->content),
                   text, strlen (text));
}

static void
test_tls_to_starttls_port (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_STARTTLS);
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsResult) result = NULL;

  ms_test_fake_server_start (server);
  request = ms_test_request_new (server, MS_SECURITY_TLS);
  result = ms_test_run (MS_TEST_OP_LOGIN, request);

  ms_test_assert_error (result, MS_ERROR_WRONG_SECURITY_MODE, MS_TEST_STEP (MS_STEP_TLS));
  g_assert_true (result->error->has_suggestion);
  g_assert_cmpuint (result->error->suggestion_port, ==, ms_fake_server_get_port (server));
  g_assert_cmpint (result->error->suggestion_security, ==, MS_SECURITY_STARTTLS);
  /* The plain greeting is recognised at once, not after a timeout. */
  g_assert_cmpint (ms_test_last_elapsed_ms (), <, 1900);
  g_assert_true (ms_test_check_nothing_in_clear (server));
}

static void
test_starttls_to_tls_port (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsResult) result = NULL;

  ms_test_fake_server_start (server);
  request = ms_test_request_new (server, MS_SECURITY_STARTTLS);
  request->config->timeout_seconds = 10;
  result = ms_test_run (MS_TEST_OP_LOGIN, request);

  ms_test_assert_error (result, MS_ERROR_WRONG_SECURITY_MODE, MS_TEST_STEP (MS_STEP_GREETING));
  g_assert_true (result->error->has_suggestion);
  g_assert_cmpuint (result->error->suggestion_port, ==, ms_fake_server_get_port (server));
  g_assert_cmpint (result->error->suggestion_security, ==, MS_SECURITY_TLS);
  /* The short greeting wait (2 s) and one handshake, well inside 10 s. */
  g_assert_cmpint (ms_test_last_elapsed_ms (), <, 4000);
  g_assert_true (ms_test_check_nothing_in_clear (server));
}

static void
test_none_refused_off_loopback (void)
{
  g_autoptr(MsRequest) request = ms_test_request_new (NULL, MS_SECURITY_NONE);
  g_autoptr(MsResult) result = NULL;

  g_free (request->config->host);
  request->config->host = g_strdup ("192.0.2.1");
  result = ms_test_run (MS_TEST_OP_PROBE, request);

  ms_test_assert_error (result, MS_ERROR_INVALID_INPUT, MS_TEST_STEP (MS_STEP_CONFIG));
  g_assert_null (ms_result_find_step (result, MS_STEP_CONNECT));
}

static void
test_none_on_loopback (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_PLAIN);
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsResult) result = NULL;

  ms_test_fake_server_start (server);
  request = ms_test_request_new (server, MS_SECURITY_NONE);
  result = ms_test_run (MS_TEST_OP_LOGIN, request);

  g_assert_true (ms_result_is_ok (result));
  g_assert_cmpuint (transcript_count_prefix (result, "* AUTH without TLS"), ==, 1);
  g_assert_true (transcript_has (result, "C: AUTH PLAIN <redacted>"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  ms_test_capture_logs ();

  g_test_add_func ("/ms/smtp-client/round-trips/tls-pipelining", test_tls_pipelining_round_trips);
  g_test_add_func ("/ms/smtp-client/round-trips/tls-chunking", test_tls_chunking_round_trips);
  g_test_add_func ("/ms/smtp-client/round-trips/no-pipelining", test_tls_no_pipelining_round_trips);
  g_test_add_func ("/ms/smtp-client/round-trips/chunking-no-pipelining",
                   test_chunking_no_pipelining_round_trips);
  g_test_add_func ("/ms/smtp-client/round-trips/starttls", test_starttls_round_trips);
  g_test_add_func ("/ms/smtp-client/transcript/plain", test_transcript_redacts_plain);
  g_test_add_func ("/ms/smtp-client/transcript/login", test_transcript_redacts_login);
  g_test_add_func ("/ms/smtp-client/pipelined-auth-failure", test_pipelined_auth_failure);
  g_test_add_func ("/ms/smtp-client/send/dot-stuffed", test_send_dot_stuffed);
  g_test_add_func ("/ms/smtp-client/wrong-mode/tls-to-starttls", test_tls_to_starttls_port);
  g_test_add_func ("/ms/smtp-client/wrong-mode/starttls-to-tls", test_starttls_to_tls_port);
  g_test_add_func ("/ms/smtp-client/none/off-loopback", test_none_refused_off_loopback);
  g_test_add_func ("/ms/smtp-client/none/loopback", test_none_on_loopback);

  return g_test_run ();
}
