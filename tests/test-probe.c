/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-probe"

#include "config.h"

#include <string.h>

#include "ms-fake-server.h"
#include "ms-probe.h"
#include "ms-test-util.h"

/* The operations: --security auto (both candidates in parallel, through the
 * ports a request can set for them), async delivery on the caller's
 * main context, and cancellation. */

static guint16
port_of (MsFakeServer *server)
{
  /* Port 1: nothing listens there, the candidate is refused. */
  return server ? ms_fake_server_get_port (server) : 1;
}

static MsResult *
probe_auto (MsFakeServer *tls,
            MsFakeServer *starttls)
{
  g_autoptr(MsRequest) request = ms_test_request_new (NULL, MS_SECURITY_AUTO);

  g_free (request->config->host);
  request->config->host = g_strdup ("127.0.0.1");
  request->config->timeout_seconds = MS_TEST_MS (5);
  ms_request_set_auto_ports (request, port_of (tls), port_of (starttls));

  return ms_test_run (MS_TEST_OP_PROBE, request);
}

/* Without ports set, the candidates are the standard 465 and 587. */
static void
test_auto_default_ports (void)
{
  g_autoptr(MsRequest) request = ms_test_request_new (NULL, MS_SECURITY_AUTO);
  g_autoptr(MsRequest) copy = NULL;
  g_autoptr(MsResult) result = NULL;

  g_free (request->config->host);
  request->config->host = g_strdup ("127.0.0.1");
  request->config->timeout_seconds = MS_TEST_MS (5);
  result = ms_test_run (MS_TEST_OP_PROBE, request);

  g_assert_nonnull (result->candidates);
  g_assert_cmpuint (result->candidates->len, ==, 2);
  g_assert_cmpuint (((MsResult *) result->candidates->pdata[0])->port, ==, 465);
  g_assert_cmpint (((MsResult *) result->candidates->pdata[0])->security, ==, MS_SECURITY_TLS);
  g_assert_cmpuint (((MsResult *) result->candidates->pdata[1])->port, ==, 587);
  g_assert_cmpint (((MsResult *) result->candidates->pdata[1])->security, ==,
                   MS_SECURITY_STARTTLS);

  /* A copy keeps the ports a test set. */
  ms_request_set_auto_ports (request, 2465, 2587);
  copy = ms_request_copy (request);
  g_assert_cmpuint (copy->auto_tls_port, ==, 2465);
  g_assert_cmpuint (copy->auto_starttls_port, ==, 2587);
}

static void
test_auto_both (void)
{
  g_autoptr(MsFakeServer) tls = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  g_autoptr(MsFakeServer) starttls = ms_test_fake_server_new (MS_FAKE_MODE_STARTTLS);
  g_autoptr(MsResult) result = NULL;

  /* Each greeting takes 1.5 s: in parallel the whole takes about that,
   * one after the other it would take 3 s. */
  ms_fake_server_set_delay (tls, MS_FAKE_STEP_GREETING, 1500);
  ms_fake_server_set_delay (starttls, MS_FAKE_STEP_GREETING, 1500);
  ms_test_fake_server_start (tls);
  ms_test_fake_server_start (starttls);

  result = probe_auto (tls, starttls);
  g_assert_true (ms_result_is_ok (result));
  g_assert_nonnull (result->candidates);
  g_assert_cmpuint (result->candidates->len, ==, 2);
  g_assert_true (ms_result_is_ok (g_ptr_array_index (result->candidates, 0)));
  g_assert_true (ms_result_is_ok (g_ptr_array_index (result->candidates, 1)));
  g_assert_true (result->has_recommended);
  g_assert_cmpint (result->recommended_security, ==, MS_SECURITY_TLS);
  g_assert_cmpuint (result->recommended_port, ==, ms_fake_server_get_port (tls));
  g_assert_cmpint (ms_test_last_elapsed_ms (), <, MS_TEST_MS (2900));
  /* Each candidate keeps its own transcript. */
  for (guint i = 0; i < 2; i++)
    {
      MsResult *candidate = g_ptr_array_index (result->candidates, i);

      g_assert_cmpuint (candidate->transcript->len, >, 0);
      g_assert_cmpint (candidate->security, ==, i == 0 ? MS_SECURITY_TLS : MS_SECURITY_STARTTLS);
    }
  /* A probe never signs in. */
  g_assert_cmpuint (ms_fake_server_count_command (tls, "AUTH"), ==, 0);
  g_assert_cmpuint (ms_fake_server_count_command (starttls, "AUTH"), ==, 0);
}

static void
test_auto_starttls_only (void)
{
  g_autoptr(MsFakeServer) starttls = ms_test_fake_server_new (MS_FAKE_MODE_STARTTLS);
  g_autoptr(MsResult) result = NULL;

  ms_test_fake_server_start (starttls);

  result = probe_auto (NULL, starttls);
  g_assert_true (ms_result_is_ok (result));
  g_assert_true (result->has_recommended);
  g_assert_cmpint (result->recommended_security, ==, MS_SECURITY_STARTTLS);
  g_assert_cmpuint (result->recommended_port, ==, ms_fake_server_get_port (starttls));
  g_assert_false (ms_result_is_ok (g_ptr_array_index (result->candidates, 0)));
}

static void
test_auto_under_attack (void)
{
  g_autoptr(MsFakeServer) starttls = ms_test_fake_server_new (MS_FAKE_MODE_STARTTLS);
  const char *stripped[] = { "PIPELINING", "AUTH PLAIN LOGIN", NULL };
  g_autoptr(MsResult) result = NULL;

  /* S12: 587 stripped of STARTTLS, 465 blocked. */
  ms_fake_server_set_capabilities (starttls, MS_FAKE_STEP_EHLO, stripped);
  ms_test_fake_server_start (starttls);

  result = probe_auto (NULL, starttls);
  g_assert_false (ms_result_is_ok (result));
  g_assert_false (result->has_recommended);
  g_assert_cmpint (result->error->code, ==, MS_ERROR_STARTTLS_UNAVAILABLE);
  g_assert_true (ms_fake_server_wait_finished (starttls, 1, 5000));
  g_assert_true (ms_test_check_nothing_in_clear (starttls));
  ms_test_check_result (result, MS_FAKE_DEFAULT_USER, MS_FAKE_DEFAULT_PASSWORD);
}

typedef struct
{
  GMainLoop *loop;
  MsResult  *result;
  GThread   *thread;
  GCancellable *cancellable;
  gint64     cancelled_at;
  gint64     done;
} AsyncData;

static void
on_probe_done_cb (GObject      *source,
                  GAsyncResult *res,
                  gpointer      user_data)
{
  AsyncData *data = user_data;
  g_autoptr(GError) error = NULL;

  data->result = ms_probe_run_finish (res, &error);
  g_assert_no_error (error);
  data->thread = g_thread_self ();
  data->done = g_get_monotonic_time ();
  g_main_loop_quit (data->loop);
}

static gboolean
cancel_cb (gpointer user_data)
{
  AsyncData *data = user_data;

  data->cancelled_at = g_get_monotonic_time ();
  g_cancellable_cancel (data->cancellable);

  return G_SOURCE_REMOVE;
}

static void
test_async_main_context (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  AsyncData data = { loop, NULL, NULL, NULL, 0, 0 };

  ms_test_fake_server_start (server);
  request = ms_test_request_new (server, MS_SECURITY_TLS);
  ms_probe_run_async (request, NULL, on_probe_done_cb, &data);
  g_main_loop_run (loop);

  g_assert_true (data.thread == g_thread_self ());
  g_assert_true (ms_result_is_ok (data.result));
  g_assert_cmpstr (data.result->command, ==, "probe");
  g_assert_nonnull (ms_result_find_step (data.result, MS_STEP_QUIT));
  ms_result_unref (data.result);
}

static void
run_cancelled (MsFakeServer *server,
               MsSecurity    security)
{
  g_autoptr(MsRequest) request = ms_test_request_new (server, security);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  AsyncData data = { loop, NULL, NULL, cancellable, 0, 0 };

  request->config->timeout_seconds = 20;
  ms_probe_run_async (request, cancellable, on_probe_done_cb, &data);
  g_timeout_add (300, cancel_cb, &data);
  g_main_loop_run (loop);

  g_assert_nonnull (data.result);
  g_assert_nonnull (data.result->error);
  g_assert_cmpint (data.result->error->code, ==, MS_ERROR_CANCELLED);
  /* F7: back on the main context within a second of the cancel. */
  g_assert_cmpint (data.cancelled_at, >, 0);
  g_assert_cmpint (data.done - data.cancelled_at, <, G_USEC_PER_SEC);
  ms_result_unref (data.result);
}

static void
test_cancel_greeting (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);

  ms_fake_server_set_action (server, MS_FAKE_STEP_GREETING, MS_FAKE_ACTION_STALL);
  ms_test_fake_server_start (server);
  run_cancelled (server, MS_SECURITY_TLS);
}

static void
test_cancel_handshake (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);

  ms_fake_server_set_action (server, MS_FAKE_STEP_HANDSHAKE, MS_FAKE_ACTION_STALL);
  ms_test_fake_server_start (server);
  run_cancelled (server, MS_SECURITY_TLS);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  ms_test_capture_logs ();

  g_test_add_func ("/ms/probe/auto/default-ports", test_auto_default_ports);
  g_test_add_func ("/ms/probe/auto/both", test_auto_both);
  g_test_add_func ("/ms/probe/auto/starttls-only", test_auto_starttls_only);
  g_test_add_func ("/ms/probe/auto/under-attack", test_auto_under_attack);
  g_test_add_func ("/ms/probe/async/main-context", test_async_main_context);
  g_test_add_func ("/ms/probe/cancel/greeting", test_cancel_greeting);
  g_test_add_func ("/ms/probe/cancel/handshake", test_cancel_handshake);

  return g_test_run ();
}
