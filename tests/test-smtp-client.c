/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-smtp-client"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "ms-fake-server.h"
#include "ms-message.h"
#include "ms-probe.h"
#include "ms-smtp-client.h"
#include "ms-test-proxy.h"
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

  /* TLS, greeting, EHLO, AUTH+MAIL+RCPT, BDAT LAST with the body, QUIT:
   * the message waits for the replies to AUTH, MAIL and RCPT. */
  g_assert_cmpuint (result->round_trips, ==, 6);
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


/* ---- the transaction's rules ---- */

static const char *chunking_caps[] = { "PIPELINING", "CHUNKING", "8BITMIME", "SIZE 10485760",
                                       "AUTH PLAIN LOGIN", "ENHANCEDSTATUSCODES", NULL };

static const char send_text[] = "From: sender@localhost\r\nTo: a@localhost, b@localhost\r\n"
                                "Subject: rules\r\nMessage-ID: <rules@localhost>\r\n\r\n"
                                "BODY-MARKER one\r\nQUIT\r\nBODY-MARKER two\r\n";

static MsResult *
run_send_to (MsFakeServer       *server,
             const char * const *recipients,
             const char         *password)
{
  g_autoptr(MsRequest) request = ms_test_request_new (server, MS_SECURITY_TLS);

  g_strfreev (request->recipients);
  request->recipients = g_strdupv ((char **) recipients);
  request->message = g_bytes_new_static (send_text, strlen (send_text));
  if (password != NULL)
    ms_test_request_set_password (request, password);

  return ms_test_run (MS_TEST_OP_SEND, request);
}

static const MsRecipientReply *
error_recipient (MsResult *result,
                 guint     index)
{
  g_assert_nonnull (result->error);
  g_assert_nonnull (result->error->recipients);
  g_assert_cmpuint (index, <, result->error->recipients->len);

  return g_ptr_array_index (result->error->recipients, index);
}

static void
assert_nothing_delivered (MsFakeServer *server)
{
  g_assert_true (ms_fake_server_wait_finished (server, 1, MS_TEST_MS (5000)));
  g_assert_cmpuint (ms_fake_server_get_n_messages (server), ==, 0);
}

static void
test_one_recipient_refused (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  const char *recipients[] = { "a@localhost", "b@localhost", NULL };
  g_autoptr(MsResult) result = NULL;
  g_autofree char *json = NULL;

  ms_fake_server_set_recipient_reply (server, "b@localhost",
                                      "550 5.1.1 <b@localhost>: Recipient address rejected\r\n");
  ms_test_fake_server_start (server);
  result = run_send_to (server, recipients, NULL);

  ms_test_assert_error (result, MS_ERROR_RECIPIENT_REJECTED, MS_TEST_STEP (MS_STEP_RCPT));
  g_assert_cmpint (ms_result_exit_status (result), ==, 65);
  g_assert_cmpuint (result->error->recipients->len, ==, 1);
  g_assert_cmpstr (error_recipient (result, 0)->address, ==, "b@localhost");
  g_assert_true (g_str_has_prefix (error_recipient (result, 0)->reply, "550 5.1.1 <b@localhost>"));
  g_assert_null (result->message_id);
  /* DATA was pipelined and accepted: the only way out is to close without
   * the final dot, so a@localhost does not get it either. */
  assert_nothing_delivered (server);
  json = ms_result_to_json (result, FALSE);
  g_assert_nonnull (strstr (json, "\"recipients\":[{\"address\":\"b@localhost\""));
  ms_test_check_result (result, MS_FAKE_DEFAULT_USER, MS_FAKE_DEFAULT_PASSWORD);
}

static void
test_one_recipient_refused_chunking (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  const char *recipients[] = { "a@localhost", "b@localhost", NULL };
  g_autoptr(MsResult) result = NULL;
  MsStep *quit;

  ms_fake_server_set_capabilities (server, MS_FAKE_STEP_EHLO_TLS, chunking_caps);
  ms_fake_server_set_recipient_reply (server, "a@localhost", "550 5.1.1 No such user\r\n");
  ms_test_fake_server_start (server);
  result = run_send_to (server, recipients, NULL);

  ms_test_assert_error (result, MS_ERROR_RECIPIENT_REJECTED, MS_TEST_STEP (MS_STEP_RCPT));
  g_assert_cmpuint (result->error->recipients->len, ==, 1);
  g_assert_cmpstr (error_recipient (result, 0)->address, ==, "a@localhost");
  assert_nothing_delivered (server);
  /* No BDAT at all: the transaction is abandoned cleanly and QUIT answered. */
  g_assert_cmpuint (ms_fake_server_count_command (server, "BDAT"), ==, 0);
  quit = ms_result_find_step (result, MS_STEP_QUIT);
  g_assert_nonnull (quit);
  g_assert_true (quit->ok);
}

static void
test_every_recipient_named (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  const char *recipients[] = { "a@localhost", "ok@localhost", "b@localhost", NULL };
  g_autoptr(MsResult) result = NULL;

  ms_fake_server_set_recipient_reply (server, "a@localhost", "451 4.2.1 Mailbox busy\r\n");
  ms_fake_server_set_recipient_reply (server, "b@localhost", "550 5.1.1 No such user\r\n");
  ms_test_fake_server_start (server);
  result = run_send_to (server, recipients, NULL);

  /* A refusal outweighs a deferral: the message cannot go as it is. */
  ms_test_assert_error (result, MS_ERROR_RECIPIENT_REJECTED, MS_TEST_STEP (MS_STEP_RCPT));
  g_assert_true (g_str_has_prefix (result->error->server_reply, "550"));
  g_assert_cmpuint (result->error->recipients->len, ==, 2);
  g_assert_cmpstr (error_recipient (result, 0)->address, ==, "a@localhost");
  g_assert_true (g_str_has_prefix (error_recipient (result, 0)->reply, "451 4.2.1"));
  g_assert_cmpstr (error_recipient (result, 1)->address, ==, "b@localhost");
  g_assert_true (g_str_has_prefix (error_recipient (result, 1)->reply, "550 5.1.1"));
  assert_nothing_delivered (server);
}

static void
test_recipient_deferred (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  const char *recipients[] = { "a@localhost", "b@localhost", NULL };
  g_autoptr(MsResult) result = NULL;

  ms_fake_server_set_capabilities (server, MS_FAKE_STEP_EHLO_TLS, chunking_caps);
  ms_fake_server_set_recipient_reply (server, "b@localhost", "451 4.3.0 Try again later\r\n");
  ms_test_fake_server_start (server);
  result = run_send_to (server, recipients, NULL);

  ms_test_assert_error (result, MS_ERROR_TEMPORARY_FAILURE, MS_TEST_STEP (MS_STEP_RCPT));
  g_assert_cmpint (ms_result_exit_status (result), ==, 75);
  g_assert_cmpuint (result->error->recipients->len, ==, 1);
  g_assert_cmpstr (error_recipient (result, 0)->address, ==, "b@localhost");
  g_assert_true (g_str_has_prefix (error_recipient (result, 0)->reply, "451 4.3.0"));
  assert_nothing_delivered (server);
}

/* Debian's Dovecot submission server reads a message pipelined behind a
 * refused AUTH as commands; none of it may reach the server. */
static void
test_wrong_password_chunking (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  const char *recipients[] = { "a@localhost", NULL };
  g_autoptr(MsResult) result = NULL;
  g_autoptr(GBytes) received = NULL;
  MsStep *quit;

  ms_fake_server_set_capabilities (server, MS_FAKE_STEP_EHLO_TLS, chunking_caps);
  ms_fake_server_set_require_auth (server, TRUE);
  ms_test_fake_server_start (server);
  result = run_send_to (server, recipients, "not-the-password");

  ms_test_assert_error (result, MS_ERROR_AUTH_FAILED, MS_TEST_STEP (MS_STEP_AUTH));
  g_assert_true (g_str_has_prefix (result->error->server_reply, "535"));
  assert_nothing_delivered (server);
  received = ms_fake_server_dup_tls_bytes (server);
  g_assert_false (ms_test_bytes_contain (received, "BODY-MARKER", FALSE));
  g_assert_false (ms_test_bytes_contain (received, "Subject: rules", FALSE));
  g_assert_cmpuint (ms_fake_server_count_command (server, "BDAT"), ==, 0);
  g_assert_cmpuint (ms_fake_server_count_command (server, "DATA"), ==, 0);
  /* The body's "QUIT" line never became a command: QUIT came once, from
   * the client, and got its own 221. */
  g_assert_cmpuint (ms_fake_server_count_command (server, "QUIT"), ==, 1);
  quit = ms_result_find_step (result, MS_STEP_QUIT);
  g_assert_nonnull (quit);
  g_assert_true (quit->ok);
  g_assert_true (g_str_has_prefix (quit->reply, "221"));
  ms_test_check_result (result, MS_FAKE_DEFAULT_USER, "not-the-password");
}

static void
test_closed_while_body_sent (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsResult) result = NULL;
  GString *text = g_string_new ("Subject: big\r\n\r\n");

  while (text->len < 4 * 1024 * 1024)
    g_string_append (text, "0123456789012345678901234567890123456789012345678901234567890123\r\n");
  ms_fake_server_set_reply (server, MS_FAKE_STEP_DATA, "354 Go ahead\r\n");
  ms_fake_server_set_action (server, MS_FAKE_STEP_DATA, MS_FAKE_ACTION_CLOSE);
  ms_test_fake_server_start (server);
  request = ms_test_request_new (server, MS_SECURITY_TLS);
  request->message = g_string_free_to_bytes (text);
  result = ms_test_run (MS_TEST_OP_SEND, request);

  /* The final dot never went out: the message cannot have arrived. */
  ms_test_assert_error (result, MS_ERROR_CONNECTION_LOST, MS_TEST_STEP (MS_STEP_DATA));
  g_assert_cmpint (ms_result_exit_status (result), ==, 74);
  assert_nothing_delivered (server);
}

static void
test_utf8_header_smtputf8 (gconstpointer data)
{
  gboolean offered = GPOINTER_TO_INT (data);
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  const char *caps_with[] = { "PIPELINING", "8BITMIME", "SMTPUTF8", "AUTH PLAIN", NULL };
  const char *caps_without[] = { "PIPELINING", "8BITMIME", "AUTH PLAIN", NULL };
  static const char text[] = "From: sender@localhost\r\nSubject: Grüße\r\n\r\nplain body\r\n";
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsResult) result = NULL;
  g_autoptr(GBytes) received = NULL;

  ms_fake_server_set_capabilities (server, MS_FAKE_STEP_EHLO_TLS, offered ? caps_with : caps_without);
  ms_test_fake_server_start (server);
  request = ms_test_request_new (server, MS_SECURITY_TLS);
  request->message = g_bytes_new_static (text, strlen (text));
  result = ms_test_run (MS_TEST_OP_SEND, request);
  ms_test_assert_ok (server, result);

  received = ms_fake_server_dup_tls_bytes (server);
  g_assert_true (ms_test_bytes_contain (received, " BODY=8BITMIME", FALSE));
  g_assert_cmpint (ms_test_bytes_contain (received, " SMTPUTF8\r\n", FALSE), ==, offered);
  g_assert_cmpuint (ms_fake_server_get_n_messages (server), ==, 1);
}

static void
test_utf8_body_only (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  const char *caps[] = { "PIPELINING", "8BITMIME", "SMTPUTF8", "AUTH PLAIN", NULL };
  static const char text[] = "From: sender@localhost\r\nSubject: plain\r\n\r\nGrüße\r\n";
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsResult) result = NULL;
  g_autoptr(GBytes) received = NULL;

  ms_fake_server_set_capabilities (server, MS_FAKE_STEP_EHLO_TLS, caps);
  ms_test_fake_server_start (server);
  request = ms_test_request_new (server, MS_SECURITY_TLS);
  request->message = g_bytes_new_static (text, strlen (text));
  result = ms_test_run (MS_TEST_OP_SEND, request);
  ms_test_assert_ok (server, result);

  received = ms_fake_server_dup_tls_bytes (server);
  g_assert_true (ms_test_bytes_contain (received, " BODY=8BITMIME\r\n", FALSE));
  g_assert_false (ms_test_bytes_contain (received, "SMTPUTF8", FALSE));
}

/* ---- streaming ---- */

/* Every awkward case, repeated past several buffers: line ends of every
 * kind (a CR LF pair may fall across two reads), leading dots, a lone dot,
 * a line of 1,500 octets and UTF-8. */
static GBytes *
awkward_message (gsize at_least)
{
  GString *text = g_string_new ("From: sender@localhost\r\nSubject: stream\r\n\r\n");
  g_autofree char *long_line = g_strnfill (1500, 'x');

  for (guint i = 0; text->len < at_least; i++)
    g_string_append_printf (text, "line %u\r\n.dot\n.\rbare cr\r%s\r\nGrüße\r\n\r\n", i,
                            i % 50 == 0 ? long_line : "short");
  g_string_append (text, "no final line end");

  return g_string_free_to_bytes (text);
}

typedef struct
{
  MsSmtpClient *client;
  MsResult     *result;
} Session;

static void
session_open (Session      *session,
              MsFakeServer *server,
              MsRequest    *request)
{
  session->result = ms_result_new ("send");
  session->client = ms_smtp_client_new (request, session->result, NULL, NULL);
  g_assert_true (ms_smtp_client_check_config (session->client,
                                              MS_SMTP_NEEDS_AUTH | MS_SMTP_NEEDS_SENDER));
  g_assert_true (ms_smtp_client_open (session->client));
}

static void
session_close (Session *session)
{
  ms_smtp_client_finish (session->client);
  g_clear_object (&session->client);
  g_clear_pointer (&session->result, ms_result_unref);
}

static GInputStream *
file_stream_at (GBytes *message,
                goffset *offset)
{
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "entry", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GByteArray) contents = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  GFileInputStream *stream;
  static const char prefix[] = "state=queued\nnot part of the message\n";

  /* An outbox entry may keep its own lines before the message. */
  g_byte_array_append (contents, (const guint8 *) prefix, strlen (prefix));
  g_byte_array_append (contents, g_bytes_get_data (message, NULL), g_bytes_get_size (message));
  g_assert_true (g_file_set_contents (path, (const char *) contents->data, contents->len, &error));
  g_assert_no_error (error);
  stream = g_file_read (file, NULL, &error);
  g_assert_no_error (error);
  *offset = strlen (prefix);
  g_assert_true (g_seekable_seek (G_SEEKABLE (stream), *offset, G_SEEK_SET, NULL, &error));

  return G_INPUT_STREAM (stream);
}

static void
test_stream_from_file (gconstpointer data)
{
  gboolean chunking = GPOINTER_TO_INT (data);
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  const char *recipients[] = { MS_TEST_RECIPIENT, NULL };
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(GBytes) message = awkward_message (600 * 1024);
  g_autoptr(GBytes) expected = NULL;
  g_autoptr(GBytes) stuffed = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(MsFakeMessage) got = NULL;
  Session session = { NULL, };
  goffset offset;

  if (chunking)
    ms_fake_server_set_capabilities (server, MS_FAKE_STEP_EHLO_TLS, chunking_caps);
  ms_test_fake_server_start (server);
  request = ms_test_request_new (server, MS_SECURITY_TLS);
  stream = file_stream_at (message, &offset);
  session_open (&session, server, request);
  g_assert_true (ms_smtp_client_send_stream (session.client, MS_TEST_FROM, recipients, stream,
                                             TRUE));
  ms_test_assert_ok (NULL, session.result);
  session_close (&session);

  g_assert_true (ms_fake_server_wait_finished (server, 1, MS_TEST_MS (5000)));
  got = ms_fake_server_dup_message (server, 0);
  g_assert_nonnull (got);
  g_assert_cmpint (got->bdat, ==, chunking);
  /* The same octets as the in-memory conversion, which the message tests
   * check line by line. */
  expected = ms_message_to_crlf (message);
  g_assert_cmpmem (g_bytes_get_data (got->content, NULL), g_bytes_get_size (got->content),
                   g_bytes_get_data (expected, NULL), g_bytes_get_size (expected));
  if (!chunking)
    {
      stuffed = ms_message_dot_stuff (message);
      g_assert_cmpmem (g_bytes_get_data (got->data, NULL), g_bytes_get_size (got->data),
                       g_bytes_get_data (stuffed, NULL), g_bytes_get_size (stuffed) - 3);
    }
}

static void
test_two_messages_one_session (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  const char *first_to[] = { "a@localhost", "bad@localhost", NULL };
  const char *second_to[] = { "b@localhost", NULL };
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(GBytes) message = g_bytes_new_static (send_text, strlen (send_text));
  g_autoptr(GInputStream) first = g_memory_input_stream_new_from_bytes (message);
  g_autoptr(GInputStream) second = g_memory_input_stream_new_from_bytes (message);
  g_autoptr(MsResult) second_result = ms_result_new ("send");
  g_autoptr(MsFakeMessage) got = NULL;
  Session session = { NULL, };

  ms_fake_server_set_capabilities (server, MS_FAKE_STEP_EHLO_TLS, chunking_caps);
  ms_fake_server_set_recipient_reply (server, "bad@localhost", "550 5.1.1 No such user\r\n");
  ms_test_fake_server_start (server);
  request = ms_test_request_new (server, MS_SECURITY_TLS);
  session_open (&session, server, request);

  g_assert_false (ms_smtp_client_send_stream (session.client, MS_TEST_FROM, first_to, first, TRUE));
  ms_test_assert_error (session.result, MS_ERROR_RECIPIENT_REJECTED, MS_TEST_STEP (MS_STEP_RCPT));
  g_assert_true (ms_smtp_client_can_continue (session.client));

  ms_smtp_client_set_result (session.client, second_result);
  g_assert_true (ms_smtp_client_send_stream (session.client, MS_TEST_FROM, second_to, second,
                                             TRUE));
  ms_test_assert_ok (NULL, second_result);
  g_assert_cmpstr (second_result->host, ==, "localhost");
  session_close (&session);

  g_assert_true (ms_fake_server_wait_finished (server, 1, MS_TEST_MS (5000)));
  g_assert_cmpuint (ms_fake_server_get_n_connections (server), ==, 1);
  g_assert_cmpuint (ms_fake_server_count_command (server, "AUTH"), ==, 1);
  g_assert_cmpuint (ms_fake_server_count_command (server, "RSET"), ==, 1);
  g_assert_cmpuint (ms_fake_server_get_n_messages (server), ==, 1);
  got = ms_fake_server_dup_message (server, 0);
  g_assert_cmpstr (got->rcpt_to[0], ==, "b@localhost");
  g_assert_null (got->rcpt_to[1]);
}

/* ---- the timeout during the body: time without progress ---- */

static GBytes *
filler_message (gsize size)
{
  GString *text = g_string_sized_new (size + 128);

  g_string_append (text, "From: sender@localhost\r\nSubject: large\r\n\r\n");
  while (text->len < size)
    g_string_append (text, "The quick brown fox jumps over the lazy dog, again and again.\r\n");

  return g_string_free_to_bytes (text);
}

static MsResult *
send_through_proxy (MsFakeServer *server,
                    MsTestProxy  *proxy,
                    GBytes       *message)
{
  g_autoptr(MsRequest) request = ms_test_request_new (server, MS_SECURITY_TLS);

  request->config->port = ms_test_proxy_get_port (proxy);
  request->config->timeout_seconds = ms_test_timeout_scale ();
  request->message = g_bytes_ref (message);

  return ms_test_run (MS_TEST_OP_SEND, request);
}

static void
test_slow_uplink_not_cut_off (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  g_autoptr(MsTestProxy) proxy = NULL;
  g_autoptr(GBytes) message = filler_message (3 * 1024 * 1024);
  g_autoptr(MsResult) result = NULL;

  ms_test_fake_server_start (server);
  /* 1 MB/s: about 3 s in all, three times the 1 s timeout, but never a
   * second without progress (both stretched alike under valgrind). */
  proxy = ms_test_proxy_new (ms_fake_server_get_port (server),
                             1000 * 1000 / ms_test_timeout_scale (), 0);
  result = send_through_proxy (server, proxy, message);

  ms_test_assert_ok (server, result);
  g_assert_cmpint (ms_test_last_elapsed_ms (), >, MS_TEST_MS (2000));
  g_assert_cmpuint (ms_fake_server_get_n_messages (server), ==, 1);
}

static void
test_stalled_uplink_times_out (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  g_autoptr(MsTestProxy) proxy = NULL;
  g_autoptr(GBytes) message = filler_message (8 * 1024 * 1024);
  g_autoptr(MsResult) result = NULL;

  ms_test_fake_server_start (server);
  proxy = ms_test_proxy_new (ms_fake_server_get_port (server), 0, 512 * 1024);
  result = send_through_proxy (server, proxy, message);

  /* The rest of the message never left this computer: not sent. */
  ms_test_assert_error (result, MS_ERROR_TIMEOUT, MS_TEST_STEP (MS_STEP_DATA));
  g_assert_cmpint (ms_test_last_elapsed_ms (), <, MS_TEST_MS (6000));
  g_assert_cmpuint (ms_fake_server_get_n_messages (server), ==, 0);
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
  g_assert_cmpint (ms_test_last_elapsed_ms (), <, MS_TEST_MS (1900));
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
  request->config->timeout_seconds = MS_TEST_MS (10);
  result = ms_test_run (MS_TEST_OP_LOGIN, request);

  ms_test_assert_error (result, MS_ERROR_WRONG_SECURITY_MODE, MS_TEST_STEP (MS_STEP_GREETING));
  g_assert_true (result->error->has_suggestion);
  g_assert_cmpuint (result->error->suggestion_port, ==, ms_fake_server_get_port (server));
  g_assert_cmpint (result->error->suggestion_security, ==, MS_SECURITY_TLS);
  /* The short greeting wait (2 s) and one handshake, well inside 10 s. */
  g_assert_cmpint (ms_test_last_elapsed_ms (), <, MS_TEST_MS (4000));
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
  g_test_add_func ("/ms/smtp-client/recipients/one-refused", test_one_recipient_refused);
  g_test_add_func ("/ms/smtp-client/recipients/one-refused-chunking",
                   test_one_recipient_refused_chunking);
  g_test_add_func ("/ms/smtp-client/recipients/every-one-named", test_every_recipient_named);
  g_test_add_func ("/ms/smtp-client/recipients/deferred", test_recipient_deferred);
  g_test_add_func ("/ms/smtp-client/auth/wrong-password-chunking", test_wrong_password_chunking);
  g_test_add_func ("/ms/smtp-client/body/closed-while-sent", test_closed_while_body_sent);
  g_test_add_data_func ("/ms/smtp-client/smtputf8/header-offered", GINT_TO_POINTER (TRUE),
                        test_utf8_header_smtputf8);
  g_test_add_data_func ("/ms/smtp-client/smtputf8/header-not-offered", GINT_TO_POINTER (FALSE),
                        test_utf8_header_smtputf8);
  g_test_add_func ("/ms/smtp-client/smtputf8/body-only", test_utf8_body_only);
  g_test_add_data_func ("/ms/smtp-client/stream/file-data", GINT_TO_POINTER (FALSE),
                        test_stream_from_file);
  g_test_add_data_func ("/ms/smtp-client/stream/file-bdat", GINT_TO_POINTER (TRUE),
                        test_stream_from_file);
  g_test_add_func ("/ms/smtp-client/session/two-messages", test_two_messages_one_session);
  g_test_add_func ("/ms/smtp-client/timeout/slow-uplink-moves", test_slow_uplink_not_cut_off);
  g_test_add_func ("/ms/smtp-client/timeout/stalled-uplink", test_stalled_uplink_times_out);
  g_test_add_func ("/ms/smtp-client/wrong-mode/tls-to-starttls", test_tls_to_starttls_port);
  g_test_add_func ("/ms/smtp-client/wrong-mode/starttls-to-tls", test_starttls_to_tls_port);
  g_test_add_func ("/ms/smtp-client/none/off-loopback", test_none_refused_off_loopback);
  g_test_add_func ("/ms/smtp-client/none/loopback", test_none_on_loopback);

  return g_test_run ();
}
