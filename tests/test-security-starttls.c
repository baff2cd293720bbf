/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-security-starttls"

#include "config.h"

#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "ms-fake-server.h"
#include "ms-probe.h"
#include "ms-test-util.h"

/*
 * docs/security.md, S: STARTTLS attacks (S1-S12), through the public
 * operations against the fake server. Every case but S10 must fail closed:
 * the contract's code, no AUTH/MAIL/RCPT in clear, no secret anywhere.
 */

#define STEP_STARTTLS MS_TEST_STEP (MS_STEP_STARTTLS)
#define STEP_EHLO     MS_TEST_STEP (MS_STEP_EHLO)
#define STEP_TLS      MS_TEST_STEP (MS_STEP_TLS)

/* Runs a login over STARTTLS against @server (started here). */
static MsResult *
login_starttls (MsFakeServer *server)
{
  g_autoptr(MsRequest) request = NULL;

  ms_test_fake_server_start (server);
  request = ms_test_request_new (server, MS_SECURITY_STARTTLS);
  return ms_test_run (MS_TEST_OP_LOGIN, request);
}

/* The clear recording ends right after @last (nothing sent after it). */
static void
assert_clear_ends_with (MsFakeServer *server,
                        const char   *last)
{
  g_autoptr(GBytes) clear = ms_fake_server_dup_clear_bytes (server);
  gsize len = g_bytes_get_size (clear);
  gsize n = strlen (last);
  const char *data = g_bytes_get_data (clear, NULL);

  if (len < n || g_ascii_strncasecmp (data + len - n, last, n) != 0)
    {
      if (ms_test_find_secret ((const guint8 *) data, len, MS_FAKE_DEFAULT_USER,
                               MS_FAKE_DEFAULT_PASSWORD) == NULL)
        g_test_message ("clear recording: %.*s", (int) MIN (len, 400), data);
      g_test_fail ();
    }
}

/* S1: STARTTLS not advertised, AUTH offered in clear. */
static void
test_s1_not_advertised (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_PLAIN);
  g_autoptr(MsResult) result = login_starttls (server);

  ms_test_assert_fail_closed (server, result, MS_ERROR_STARTTLS_UNAVAILABLE,
                              STEP_STARTTLS | STEP_EHLO);
  g_assert_cmpuint (ms_fake_server_count_command (server, "STARTTLS"), ==, 0);
}

/* S2, S3, S4: STARTTLS answered with something other than 220. */
typedef struct
{
  const char  *name;
  const char  *reply;
  MsErrorCode  code;   /* MS_ERROR_N_CODES: any error */
} StarttlsReply;

static const StarttlsReply starttls_replies[] = {
  { "S2-502", "502 5.5.1 Command not implemented\r\n", MS_ERROR_STARTTLS_UNAVAILABLE },
  { "S2-500", "500 5.5.2 Syntax error\r\n", MS_ERROR_STARTTLS_UNAVAILABLE },
  { "S2-501", "501 5.5.4 Syntax error in parameters\r\n", MS_ERROR_STARTTLS_UNAVAILABLE },
  { "S2-530", "530 5.7.0 Must issue a STARTTLS command first\r\n", MS_ERROR_STARTTLS_UNAVAILABLE },
  { "S2-554", "554 5.7.3 TLS not available\r\n", MS_ERROR_STARTTLS_UNAVAILABLE },
  { "S3-454", "454 4.7.0 TLS not available due to temporary reason\r\n", MS_ERROR_TEMPORARY_FAILURE },
  { "S4-354", "354 Go ahead\r\n", MS_ERROR_N_CODES },
  { "S4-221", "221 2.0.0 Bye\r\n", MS_ERROR_N_CODES },
  { "S4-421", "421 4.3.2 Service shutting down\r\n", MS_ERROR_N_CODES },
  /* S9: an extra reply line before the 220. */
  { "S9-extra-line", "250 2.0.0 Extra\r\n220 2.0.0 Ready to start TLS\r\n", MS_ERROR_PROTOCOL_ERROR },
};

static void
test_starttls_reply (gconstpointer data)
{
  const StarttlsReply *sr = data;
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_STARTTLS);
  g_autoptr(MsResult) result = NULL;

  ms_fake_server_set_reply (server, MS_FAKE_STEP_STARTTLS, sr->reply);
  result = login_starttls (server);

  if (sr->code == MS_ERROR_N_CODES)
    {
      g_assert_nonnull (result->error);
      ms_test_assert_fail_closed (server, result, result->error->code, STEP_STARTTLS);
    }
  else
    ms_test_assert_fail_closed (server, result, sr->code, STEP_STARTTLS);
  /* Never a plaintext session: nothing after STARTTLS. */
  assert_clear_ends_with (server, "STARTTLS\r\n");
  g_assert_cmpuint (ms_fake_server_get_n_handshakes (server), ==, 0);
  if (result->error->has_suggestion)
    g_assert_cmpint (result->error->suggestion_security, !=, MS_SECURITY_NONE);
}

/* S5: EHLO refused; the server knows HELO only. */
static void
test_s5_ehlo_refused (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_STARTTLS);
  g_autoptr(MsResult) result = NULL;

  ms_fake_server_set_reply (server, MS_FAKE_STEP_EHLO, "502 5.5.2 Error: command not recognized\r\n");
  result = login_starttls (server);

  g_assert_nonnull (result->error);
  ms_test_assert_fail_closed (server, result, result->error->code, STEP_EHLO | STEP_STARTTLS);
  g_assert_cmpuint (ms_fake_server_get_n_handshakes (server), ==, 0);
  g_assert_cmpuint (ms_fake_server_count_command (server, "MAIL"), ==, 0);
}

/* S6-S8: bytes after the 220 in the same segment. */
typedef struct
{
  const char *name;
  const char *reply;
} Injection;

static const Injection injections[] = {
  { "S6-injected-reply", "220 Ready\r\n250-x\r\n250 AUTH PLAIN\r\n" },
  { "S7-partial-line", "220 Ready\r\n250-AUTH PL" },
  { "S8-appended-421", "220 2.0.0 Ready to start TLS\r\n421 bye\r\n" },
};

static void
test_injection (gconstpointer data)
{
  const Injection *inj = data;
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_STARTTLS);
  g_autoptr(MsResult) result = NULL;

  ms_fake_server_set_reply (server, MS_FAKE_STEP_STARTTLS, inj->reply);
  result = login_starttls (server);

  ms_test_assert_fail_closed (server, result, MS_ERROR_STARTTLS_INJECTION,
                              STEP_STARTTLS | STEP_TLS);
  assert_clear_ends_with (server, "STARTTLS\r\n");
  /* The client must not use what was injected: no EHLO or AUTH over TLS. */
  g_assert_cmpuint (ms_fake_server_count_command (server, "EHLO"), ==, 1);
}

/* S9, before STARTTLS: unsolicited replies queued after the greeting or
 * after the EHLO reply (a man in the middle answering STARTTLS ahead of
 * time). However the client reads them, it must fail closed. */
static void
test_extra_before_starttls (gconstpointer data)
{
  MsFakeStep step = GPOINTER_TO_INT (data);
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_STARTTLS);
  g_autoptr(MsResult) result = NULL;

  if (step == MS_FAKE_STEP_GREETING)
    ms_fake_server_set_reply (server, step, "220 localhost ESMTP\r\n250 extra\r\n");
  else
    ms_fake_server_set_reply (server, step,
                              "250-localhost\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n"
                              "220 2.0.0 Ready to start TLS\r\n");
  result = login_starttls (server);

  g_assert_nonnull (result->error);
  g_test_message ("got %s at %s", ms_error_code_to_string (result->error->code),
                  ms_step_kind_to_string (result->error->step));
  /* After the greeting the client has not spoken yet: anything more is a
   * protocol error at once, not something read as the EHLO reply. */
  if (step == MS_FAKE_STEP_GREETING)
    ms_test_assert_fail_closed (server, result, MS_ERROR_PROTOCOL_ERROR,
                                MS_TEST_STEP (MS_STEP_GREETING));
  else
    ms_test_assert_fail_closed (server, result, result->error->code, MS_TEST_ANY_STEP);
}

/* S10: different capabilities in clear and over TLS. */
static void
test_s10_capabilities_after_tls (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_STARTTLS);
  g_autoptr(MsResult) result = NULL;
  g_autoptr(GBytes) tls = NULL;
  const char *clear_caps[] = { "STARTTLS", "AUTH PLAIN", "X-CLEAR-ONLY", NULL };
  const char *tls_caps[] = { "AUTH LOGIN", "X-TLS-ONLY", NULL };

  ms_fake_server_set_capabilities (server, MS_FAKE_STEP_EHLO, clear_caps);
  ms_fake_server_set_capabilities (server, MS_FAKE_STEP_EHLO_TLS, tls_caps);
  result = login_starttls (server);

  ms_test_assert_ok (server, result);
  tls = ms_fake_server_dup_tls_bytes (server);
  g_assert_true (ms_test_bytes_contain (tls, "AUTH LOGIN", TRUE));
  g_assert_false (ms_test_bytes_contain (tls, "AUTH PLAIN", TRUE));
  g_assert_nonnull (result->capabilities);
  g_assert_false (g_strv_contains ((const char *const *) result->capabilities, "X-CLEAR-ONLY"));
  g_assert_false (g_strv_contains ((const char *const *) result->capabilities, "STARTTLS"));
  g_assert_true (g_strv_contains ((const char *const *) result->capabilities, "X-TLS-ONLY"));
  g_assert_nonnull (result->auth_mechanisms);
  g_assert_cmpstrv (result->auth_mechanisms, ((const char *[]) { "LOGIN", NULL }));
}

/* S10, the other way: AUTH only in clear, none over TLS. */
static void
test_s10_auth_only_in_clear (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_STARTTLS);
  g_autoptr(MsResult) result = NULL;
  const char *clear_caps[] = { "STARTTLS", "AUTH PLAIN LOGIN", NULL };
  const char *tls_caps[] = { "PIPELINING", NULL };

  ms_fake_server_set_capabilities (server, MS_FAKE_STEP_EHLO, clear_caps);
  ms_fake_server_set_capabilities (server, MS_FAKE_STEP_EHLO_TLS, tls_caps);
  result = login_starttls (server);

  ms_test_assert_fail_closed (server, result, MS_ERROR_AUTH_UNSUPPORTED,
                              MS_TEST_STEP (MS_STEP_AUTH) | STEP_EHLO);
}

/* S11: 250-STARTTLS rewritten to 250-XXXXXXXX. */
static void
test_s11_rewritten (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_STARTTLS);
  g_autoptr(MsResult) result = NULL;
  const char *caps[] = { "PIPELINING", "XXXXXXXX", "AUTH PLAIN LOGIN", NULL };

  ms_fake_server_set_capabilities (server, MS_FAKE_STEP_EHLO, caps);
  result = login_starttls (server);

  ms_test_assert_fail_closed (server, result, MS_ERROR_STARTTLS_UNAVAILABLE,
                              STEP_STARTTLS | STEP_EHLO);
  g_assert_cmpuint (ms_fake_server_count_command (server, "STARTTLS"), ==, 0);
}

/* A loopback port where nothing listens (connection refused). */
static guint16
closed_port (void)
{
  struct sockaddr_in sin = { 0 };
  socklen_t len = sizeof sin;
  int fd = socket (AF_INET, SOCK_STREAM, 0);
  guint16 port;

  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &sin, sizeof sin), ==, 0);
  g_assert_cmpint (getsockname (fd, (struct sockaddr *) &sin, &len), ==, 0);
  port = ntohs (sin.sin_port);
  close (fd);
  return port;
}

static void
assert_never_plaintext (MsResult *result)
{
  if (result->has_recommended)
    g_assert_cmpint (result->recommended_security, !=, MS_SECURITY_NONE);
  if (result->error != NULL && result->error->has_suggestion)
    g_assert_cmpint (result->error->suggestion_security, !=, MS_SECURITY_NONE);
  for (guint i = 0; result->candidates != NULL && i < result->candidates->len; i++)
    {
      MsResult *candidate = result->candidates->pdata[i];

      g_assert_cmpint (candidate->security, !=, MS_SECURITY_NONE);
      if (candidate->error != NULL && candidate->error->has_suggestion)
        g_assert_cmpint (candidate->error->suggestion_security, !=, MS_SECURITY_NONE);
    }
}

/* S12: 587 stripped (no STARTTLS, AUTH in clear), 465 blocked. */
static void
test_s12_auto_under_attack (void)
{
  g_autoptr(MsFakeServer) stripped = ms_test_fake_server_new (MS_FAKE_MODE_PLAIN);
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsResult) result = NULL;

  ms_test_fake_server_start (stripped);
  request = ms_test_request_new (NULL, MS_SECURITY_AUTO);
  ms_request_set_auto_ports (request, closed_port (), ms_fake_server_get_port (stripped));
  request->config->port = 0;
  result = ms_test_run (MS_TEST_OP_PROBE, request);

  g_assert_false (ms_result_is_ok (result));
  g_assert_false (result->has_recommended);
  g_assert_nonnull (result->candidates);
  g_assert_cmpuint (result->candidates->len, ==, 2);
  assert_never_plaintext (result);
  ms_test_assert_fail_closed (stripped, result, result->error->code, MS_TEST_ANY_STEP);
  g_assert_cmpuint (ms_fake_server_count_command (stripped, "STARTTLS"), ==, 0);
  g_assert_cmpint (ms_test_last_elapsed_ms (), <, MS_TEST_MS (4000));
}

/* S12, control: with 465 reachable, auto recommends it, still without AUTH. */
static void
test_s12_auto_recommends_tls (void)
{
  g_autoptr(MsFakeServer) tls = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  g_autoptr(MsFakeServer) stripped = ms_test_fake_server_new (MS_FAKE_MODE_PLAIN);
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsResult) result = NULL;

  ms_test_fake_server_start (tls);
  ms_test_fake_server_start (stripped);
  request = ms_test_request_new (NULL, MS_SECURITY_AUTO);
  ms_request_set_auto_ports (request, ms_fake_server_get_port (tls),
                             ms_fake_server_get_port (stripped));
  request->config->port = 0;
  result = ms_test_run (MS_TEST_OP_PROBE, request);

  ms_test_assert_ok (tls, result);
  g_assert_true (result->has_recommended);
  g_assert_cmpint (result->recommended_security, ==, MS_SECURITY_TLS);
  g_assert_cmpuint (result->recommended_port, ==, ms_fake_server_get_port (tls));
  assert_never_plaintext (result);
  g_assert_true (ms_fake_server_wait_finished (stripped, 1, MS_TEST_MS (3000)));
  g_assert_cmpuint (ms_fake_server_count_command (tls, "AUTH"), ==, 0);
  g_assert_cmpuint (ms_fake_server_count_command (stripped, "AUTH"), ==, 0);
  ms_test_check_nothing_in_clear (stripped);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  ms_test_capture_logs ();

  g_test_add_func ("/ms/security/S1-not-advertised", test_s1_not_advertised);
  for (guint i = 0; i < G_N_ELEMENTS (starttls_replies); i++)
    {
      g_autofree char *path = g_strdup_printf ("/ms/security/%s", starttls_replies[i].name);

      g_test_add_data_func (path, &starttls_replies[i], test_starttls_reply);
    }
  g_test_add_func ("/ms/security/S5-ehlo-refused", test_s5_ehlo_refused);
  g_test_add_data_func ("/ms/security/S9-extra-after-greeting",
                        GINT_TO_POINTER (MS_FAKE_STEP_GREETING), test_extra_before_starttls);
  g_test_add_data_func ("/ms/security/S9-extra-after-ehlo",
                        GINT_TO_POINTER (MS_FAKE_STEP_EHLO), test_extra_before_starttls);
  for (guint i = 0; i < G_N_ELEMENTS (injections); i++)
    {
      g_autofree char *path = g_strdup_printf ("/ms/security/%s", injections[i].name);

      g_test_add_data_func (path, &injections[i], test_injection);
    }
  g_test_add_func ("/ms/security/S10-capabilities-after-tls", test_s10_capabilities_after_tls);
  g_test_add_func ("/ms/security/S10-auth-only-in-clear", test_s10_auth_only_in_clear);
  g_test_add_func ("/ms/security/S11-rewritten", test_s11_rewritten);
  g_test_add_func ("/ms/security/S12-auto-under-attack", test_s12_auto_under_attack);
  g_test_add_func ("/ms/security/S12-auto-recommends-tls", test_s12_auto_recommends_tls);

  return g_test_run ();
}
