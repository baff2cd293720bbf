/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-security-faults"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "ms-fake-server.h"
#include "ms-probe.h"
#include "ms-test-util.h"

/*
 * docs/security.md, F: timeouts and faults (F1, F3-F8; F2 needs a name
 * with several addresses, which loopback cannot give: its black-hole part
 * is covered with one address). Timing bounds are generous: the step
 * timeout is 2 s, a case must end within 2 s + 2 s.
 */

#define STEP(kind) MS_TEST_STEP (MS_STEP_ ## kind)
#define BOUND_MS MS_TEST_MS (4000)

/* ---- a black hole on loopback ---- */

/* A listening socket whose accept queue is full: further SYNs are dropped,
 * so a connect() to it hangs. Keeps the sockets until black_hole_free(). */
typedef struct
{
  int     listen_fd;
  int     filler_fd;
  guint16 port;
} BlackHole;

static BlackHole *
black_hole_new (void)
{
  BlackHole *hole = g_new0 (BlackHole, 1);
  struct sockaddr_in sin = { 0 };
  socklen_t len = sizeof sin;

  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  hole->listen_fd = socket (AF_INET, SOCK_STREAM, 0);
  g_assert_cmpint (bind (hole->listen_fd, (struct sockaddr *) &sin, sizeof sin), ==, 0);
  g_assert_cmpint (listen (hole->listen_fd, 0), ==, 0);
  g_assert_cmpint (getsockname (hole->listen_fd, (struct sockaddr *) &sin, &len), ==, 0);
  hole->port = ntohs (sin.sin_port);

  /* One connection fills a backlog of 0. */
  hole->filler_fd = socket (AF_INET, SOCK_STREAM, 0);
  g_assert_cmpint (connect (hole->filler_fd, (struct sockaddr *) &sin, sizeof sin), ==, 0);
  return hole;
}

static void
black_hole_free (BlackHole *hole)
{
  close (hole->filler_fd);
  close (hole->listen_fd);
  g_free (hole);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BlackHole, black_hole_free)

/* ---- F1: no greeting ---- */

static void
assert_bounded (void)
{
  gint64 ms = ms_test_last_elapsed_ms ();

  g_test_message ("took %" G_GINT64_FORMAT " ms", ms);
  g_assert_cmpint (ms, <, BOUND_MS);
}

static void
test_f1_no_greeting (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_STARTTLS);
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsResult) result = NULL;

  ms_fake_server_set_action (server, MS_FAKE_STEP_GREETING, MS_FAKE_ACTION_STALL);
  ms_test_fake_server_start (server);
  request = ms_test_request_new (server, MS_SECURITY_STARTTLS);
  result = ms_test_run (MS_TEST_OP_LOGIN, request);

  ms_test_assert_fail_closed (server, result, MS_ERROR_TIMEOUT, STEP (GREETING));
  assert_bounded ();
  g_assert_cmpint (ms_test_last_elapsed_ms (), >=, MS_TEST_MS (1500));
}

/* F1: STARTTLS client on an implicit-TLS port (it waits for a ClientHello). */
static void
test_f1_implicit_tls_port (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsResult) result = NULL;

  ms_test_fake_server_start (server);
  request = ms_test_request_new (server, MS_SECURITY_STARTTLS);
  result = ms_test_run (MS_TEST_OP_LOGIN, request);

  g_assert_nonnull (result->error);
  if (result->error->code != MS_ERROR_TIMEOUT)
    ms_test_assert_error (result, MS_ERROR_WRONG_SECURITY_MODE, MS_TEST_ANY_STEP);
  ms_test_assert_fail_closed (server, result, result->error->code, STEP (GREETING) | STEP (TLS));
  assert_bounded ();
  if (result->error->code == MS_ERROR_WRONG_SECURITY_MODE && result->error->has_suggestion)
    g_assert_cmpint (result->error->suggestion_security, ==, MS_SECURITY_TLS);
}

/* The other way: implicit TLS client on a STARTTLS port (greets in clear). */
static void
test_f1_plain_port_with_tls (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_STARTTLS);
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsResult) result = NULL;

  ms_test_fake_server_start (server);
  request = ms_test_request_new (server, MS_SECURITY_TLS);
  result = ms_test_run (MS_TEST_OP_LOGIN, request);

  ms_test_assert_fail_closed (server, result, MS_ERROR_WRONG_SECURITY_MODE, STEP (TLS));
  assert_bounded ();
  if (result->error->has_suggestion)
    g_assert_cmpint (result->error->suggestion_security, ==, MS_SECURITY_STARTTLS);
  g_assert_cmpuint (ms_fake_server_count_command (server, "EHLO"), ==, 0);
}

/* ---- F2 (one address): black-holed ---- */

static void
test_f2_black_hole (void)
{
  g_autoptr(BlackHole) hole = black_hole_new ();
  g_autoptr(MsRequest) request = ms_test_request_new (NULL, MS_SECURITY_TLS);
  g_autoptr(MsResult) result = NULL;

  g_free (request->config->host);
  request->config->host = g_strdup ("127.0.0.1");
  request->config->port = hole->port;
  result = ms_test_run (MS_TEST_OP_LOGIN, request);

  ms_test_assert_error (result, MS_ERROR_CONNECT_TIMEOUT, STEP (CONNECT));
  assert_bounded ();
  ms_test_check_result (result, MS_FAKE_DEFAULT_USER, MS_FAKE_DEFAULT_PASSWORD);
}

/* ---- F3: no ServerHello ---- */

static void
test_f3_silent_tls (gconstpointer data)
{
  MsFakeMode mode = GPOINTER_TO_INT (data);
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (mode);
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsResult) result = NULL;

  ms_fake_server_set_action (server, MS_FAKE_STEP_HANDSHAKE, MS_FAKE_ACTION_STALL);
  ms_test_fake_server_start (server);
  request = ms_test_request_new (server, mode == MS_FAKE_MODE_TLS ? MS_SECURITY_TLS
                                                                  : MS_SECURITY_STARTTLS);
  result = ms_test_run (MS_TEST_OP_LOGIN, request);

  ms_test_assert_fail_closed (server, result, MS_ERROR_TIMEOUT, STEP (TLS));
  assert_bounded ();
}

/* ---- F4: stall mid-line ---- */

static void
test_f4_stall_mid_line (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_STARTTLS);
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsResult) result = NULL;

  ms_fake_server_set_reply (server, MS_FAKE_STEP_EHLO, "250-localhost\r\n250-PIPEL");
  ms_fake_server_set_action (server, MS_FAKE_STEP_EHLO, MS_FAKE_ACTION_STALL);
  ms_test_fake_server_start (server);
  request = ms_test_request_new (server, MS_SECURITY_STARTTLS);
  result = ms_test_run (MS_TEST_OP_LOGIN, request);

  ms_test_assert_fail_closed (server, result, MS_ERROR_TIMEOUT, STEP (EHLO));
  assert_bounded ();
}

/* F4 over TLS, mid-way through the AUTH reply. */
static void
test_f4_stall_mid_auth (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsResult) result = NULL;

  ms_fake_server_set_reply (server, MS_FAKE_STEP_AUTH, "235 2.7.0 Authentic");
  ms_fake_server_set_action (server, MS_FAKE_STEP_AUTH, MS_FAKE_ACTION_STALL);
  ms_test_fake_server_start (server);
  request = ms_test_request_new (server, MS_SECURITY_TLS);
  result = ms_test_run (MS_TEST_OP_LOGIN, request);

  ms_test_assert_error (result, MS_ERROR_TIMEOUT, STEP (AUTH));
  assert_bounded ();
  ms_test_check_result (result, MS_FAKE_DEFAULT_USER, MS_FAKE_DEFAULT_PASSWORD);
}

/* ---- F5: closed after the message body ---- */

static void
test_f5_closed_after_body (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsResult) result = NULL;

  ms_fake_server_set_action (server, MS_FAKE_STEP_DOT, MS_FAKE_ACTION_CLOSE);
  ms_test_fake_server_start (server);
  request = ms_test_request_new (server, MS_SECURITY_TLS);
  result = ms_test_run (MS_TEST_OP_TEST_SEND, request);

  /* The whole message went out: it may have arrived, so never "not sent"
   * (docs/contract.md, delivery-unknown), and never "sent" either. */
  ms_test_assert_error (result, MS_ERROR_DELIVERY_UNKNOWN, STEP (DATA));
  g_assert_cmpint (ms_result_exit_status (result), ==, 75);
  g_assert_null (result->message_id);
  g_assert_false (ms_result_is_ok (result));
  assert_bounded ();
  ms_test_check_result (result, MS_FAKE_DEFAULT_USER, MS_FAKE_DEFAULT_PASSWORD);
}

/* ---- F6: slow final-dot reply ---- */

static void
test_f6_slow_dot (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsResult) result = NULL;

  ms_fake_server_set_delay (server, MS_FAKE_STEP_DOT, 1500);
  ms_test_fake_server_start (server);
  request = ms_test_request_new (server, MS_SECURITY_TLS);
  result = ms_test_run (MS_TEST_OP_TEST_SEND, request);

  ms_test_assert_ok (server, result);
  g_assert_cmpuint (ms_fake_server_get_n_messages (server), ==, 1);
  g_assert_cmpint (ms_test_last_elapsed_ms (), >=, 1500);
  g_assert_nonnull (result->message_id);
}

/* ---- F7: cancellation ---- */

typedef struct
{
  GMainLoop *loop;
  MsTestOp   op;
  MsResult  *result;
  guint      n_callbacks;
  gint64     cancelled_at;
  gint64     done_at;
  GCancellable *cancellable;
} AsyncRun;

static void
on_done (GObject      *source,
         GAsyncResult *res,
         gpointer      user_data)
{
  AsyncRun *run = user_data;
  g_autoptr(GError) error = NULL;

  run->n_callbacks++;
  run->done_at = g_get_monotonic_time ();
  if (run->op == MS_TEST_OP_TEST_SEND)
    run->result = ms_sender_test_send_finish (res, &error);
  else
    run->result = ms_sender_login_finish (res, &error);
  g_assert_no_error (error);
  g_main_loop_quit (run->loop);
}

static gboolean
do_cancel (gpointer user_data)
{
  AsyncRun *run = user_data;

  run->cancelled_at = g_get_monotonic_time ();
  g_cancellable_cancel (run->cancellable);
  return G_SOURCE_REMOVE;
}

static gboolean
quit_loop (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static void
run_cancel (MsFakeServer *server,
            guint16       port,
            MsTestOp      op,
            guint         cancel_after_ms)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(MsRequest) request = ms_test_request_new (server, MS_SECURITY_TLS);
  AsyncRun run = { 0 };
  GSource *source;

  g_main_context_push_thread_default (context);
  run.loop = g_main_loop_new (context, FALSE);
  run.op = op;
  run.cancellable = g_cancellable_new ();
  request->config->timeout_seconds = 10 * ms_test_timeout_scale ();
  if (server == NULL)
    {
      g_free (request->config->host);
      request->config->host = g_strdup ("127.0.0.1");
      request->config->port = port;
    }

  if (op == MS_TEST_OP_TEST_SEND)
    ms_sender_test_send_async (request, run.cancellable, on_done, &run);
  else
    ms_sender_login_async (request, run.cancellable, on_done, &run);
  g_clear_pointer (&request, ms_request_free);  /* the operation keeps a copy */

  source = g_timeout_source_new (cancel_after_ms);
  g_source_set_callback (source, do_cancel, &run, NULL);
  g_source_attach (source, context);
  g_source_unref (source);
  g_main_loop_run (run.loop);

  g_assert_cmpuint (run.n_callbacks, ==, 1);
  g_assert_nonnull (run.result);
  g_assert_cmpint (run.cancelled_at, >, 0);
  g_test_message ("returned %" G_GINT64_FORMAT " ms after the cancel",
                  (run.done_at - run.cancelled_at) / 1000);
  g_assert_cmpint (run.done_at - run.cancelled_at, <, MS_TEST_MS (G_USEC_PER_SEC));
  ms_test_assert_error (run.result, MS_ERROR_CANCELLED, MS_TEST_ANY_STEP);
  ms_test_check_result (run.result, MS_FAKE_DEFAULT_USER, MS_FAKE_DEFAULT_PASSWORD);

  /* No second callback later. */
  source = g_timeout_source_new (300);
  g_source_set_callback (source, quit_loop, run.loop, NULL);
  g_source_attach (source, context);
  g_source_unref (source);
  g_main_loop_run (run.loop);
  g_assert_cmpuint (run.n_callbacks, ==, 1);

  ms_result_unref (run.result);
  g_object_unref (run.cancellable);
  g_main_loop_unref (run.loop);
  g_main_context_pop_thread_default (context);
}

static void
test_f7_cancel_connect (void)
{
  g_autoptr(BlackHole) hole = black_hole_new ();

  run_cancel (NULL, hole->port, MS_TEST_OP_LOGIN, 300);
}

static void
test_f7_cancel_handshake (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);

  ms_fake_server_set_action (server, MS_FAKE_STEP_HANDSHAKE, MS_FAKE_ACTION_STALL);
  ms_test_fake_server_start (server);
  run_cancel (server, 0, MS_TEST_OP_LOGIN, (guint) MS_TEST_MS (300));
  g_assert_true (ms_fake_server_wait_finished (server, 1, MS_TEST_MS (3000)));
}

static void
test_f7_cancel_auth (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);

  ms_fake_server_set_action (server, MS_FAKE_STEP_AUTH, MS_FAKE_ACTION_STALL);
  ms_test_fake_server_start (server);
  run_cancel (server, 0, MS_TEST_OP_LOGIN, (guint) MS_TEST_MS (500));
  g_assert_true (ms_fake_server_wait_finished (server, 1, MS_TEST_MS (3000)));
  g_assert_cmpuint (ms_fake_server_count_command (server, "AUTH"), ==, 1);
}

static void
test_f7_cancel_data (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);

  ms_fake_server_set_action (server, MS_FAKE_STEP_DOT, MS_FAKE_ACTION_STALL);
  ms_test_fake_server_start (server);
  run_cancel (server, 0, MS_TEST_OP_TEST_SEND, (guint) MS_TEST_MS (700));
  g_assert_true (ms_fake_server_wait_finished (server, 1, MS_TEST_MS (3000)));
  g_assert_cmpuint (ms_fake_server_count_command (server, "DATA"), ==, 1);
  g_assert_cmpuint (ms_fake_server_get_n_messages (server), ==, 0);
}

/* ---- F8: DNS ---- */

static void
test_f8_dns_failed (void)
{
  g_autoptr(MsRequest) request = ms_test_request_new (NULL, MS_SECURITY_TLS);
  g_autoptr(MsResult) result = NULL;

  g_free (request->config->host);
  request->config->host = g_strdup ("no-such-host.invalid");
  request->config->port = 465;
  result = ms_test_run (MS_TEST_OP_LOGIN, request);

  ms_test_assert_error (result, MS_ERROR_DNS_FAILED, STEP (RESOLVE));
  ms_test_check_result (result, MS_FAKE_DEFAULT_USER, MS_FAKE_DEFAULT_PASSWORD);
}

static gboolean
result_mentions (MsResult   *result,
                 const char *text)
{
  g_autofree char *json = ms_result_to_json (result, FALSE);

  return strstr (json, text) != NULL;
}

static void
test_f8_idn (void)
{
  g_autoptr(MsRequest) request = ms_test_request_new (NULL, MS_SECURITY_TLS);
  g_autoptr(MsResult) result = NULL;

  g_free (request->config->host);
  request->config->host = g_strdup ("bücher.invalid");
  request->config->port = 465;
  result = ms_test_run (MS_TEST_OP_LOGIN, request);

  ms_test_assert_error (result, MS_ERROR_DNS_FAILED, STEP (RESOLVE));
  /* The name looked up was the ASCII form. */
  g_assert_true (result_mentions (result, "xn--bcher-kva.invalid"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  ms_test_capture_logs ();

  g_test_add_func ("/ms/security/F1-no-greeting", test_f1_no_greeting);
  g_test_add_func ("/ms/security/F1-implicit-tls-port", test_f1_implicit_tls_port);
  g_test_add_func ("/ms/security/F1-plain-port-with-tls", test_f1_plain_port_with_tls);
  g_test_add_func ("/ms/security/F2-black-hole", test_f2_black_hole);
  g_test_add_data_func ("/ms/security/F3-silent-tls", GINT_TO_POINTER (MS_FAKE_MODE_TLS), test_f3_silent_tls);
  g_test_add_data_func ("/ms/security/F3-silent-tls-starttls", GINT_TO_POINTER (MS_FAKE_MODE_STARTTLS), test_f3_silent_tls);
  g_test_add_func ("/ms/security/F4-stall-mid-line", test_f4_stall_mid_line);
  g_test_add_func ("/ms/security/F4-stall-mid-auth", test_f4_stall_mid_auth);
  g_test_add_func ("/ms/security/F5-closed-after-body", test_f5_closed_after_body);
  g_test_add_func ("/ms/security/F6-slow-dot", test_f6_slow_dot);
  g_test_add_func ("/ms/security/F7-cancel-connect", test_f7_cancel_connect);
  g_test_add_func ("/ms/security/F7-cancel-handshake", test_f7_cancel_handshake);
  g_test_add_func ("/ms/security/F7-cancel-auth", test_f7_cancel_auth);
  g_test_add_func ("/ms/security/F7-cancel-data", test_f7_cancel_data);
  g_test_add_func ("/ms/security/F8-dns-failed", test_f8_dns_failed);
  g_test_add_func ("/ms/security/F8-idn", test_f8_idn);

  return g_test_run ();
}
