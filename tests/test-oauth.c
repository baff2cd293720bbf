/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-oauth"

#include "config.h"

#include <string.h>

#include "ms-fake-server.h"
#include "ms-smtp-client.h"
#include "ms-test-util.h"

/* AUTH XOAUTH2 and OAUTHBEARER in the SMTP engine against the fake server
 * (docs/contract.md, "Online accounts"): a good token signs in, a refused
 * one is answered with the empty response and becomes
 * online-account-needs-attention, nothing is pipelined after the AUTH, the
 * token is redacted in every form, and it never goes out without TLS. */

#define GOOD_TOKEN "ya29.a0-fake-access-token-0123456789abcdef"
#define OLD_TOKEN  "ya29.a0-expired-access-token-fedcba9876543210"

static gboolean
transcript_has (MsResult   *result,
                const char *line)
{
  for (guint i = 0; i < result->transcript->len; i++)
    if (g_str_equal (g_ptr_array_index (result->transcript, i), line))
      return TRUE;

  return FALSE;
}

static MsFakeServer *
oauth_server (MsFakeMode         mode,
              const char * const *caps)
{
  MsFakeServer *server = ms_test_fake_server_new (mode);

  ms_fake_server_set_oauth_token (server, GOOD_TOKEN);
  if (caps != NULL)
    ms_fake_server_set_capabilities (server, mode == MS_FAKE_MODE_PLAIN ? MS_FAKE_STEP_EHLO
                                                                        : MS_FAKE_STEP_EHLO_TLS,
                                     caps);
  ms_test_fake_server_start (server);

  return server;
}

static MsRequest *
oauth_request (MsFakeServer *server,
               MsSecurity    security,
               const char   *token)
{
  MsRequest *request = ms_test_request_new (server, security);

  request->auth = MS_AUTH_OAUTH2;
  ms_test_request_set_password (request, token);

  return request;
}

/* The token in the forms it crosses the wire: inside the base64 of the
 * XOAUTH2 and of the OAUTHBEARER initial response. */
static void
check_no_token (MsResult     *result,
                MsFakeServer *server)
{
  g_autofree char *xoauth = g_strdup_printf ("user=%s\001auth=Bearer %s\001\001",
                                             MS_FAKE_DEFAULT_USER, GOOD_TOKEN);
  g_autofree char *xoauth_b64 = g_base64_encode ((const guchar *) xoauth, strlen (xoauth));
  g_autoptr(GString) all = g_string_new (NULL);

  ms_test_check_result (result, MS_FAKE_DEFAULT_USER, GOOD_TOKEN);
  ms_test_check_result (result, MS_FAKE_DEFAULT_USER, OLD_TOKEN);
  for (guint i = 0; i < result->transcript->len; i++)
    g_string_append (all, g_ptr_array_index (result->transcript, i));
  g_assert_null (strstr (all->str, xoauth_b64));
  g_assert_null (strstr (all->str, "Bearer"));
  g_assert_true (ms_test_check_server_no_secret (server, MS_FAKE_DEFAULT_USER, GOOD_TOKEN,
                                                 FALSE));
}

static void
test_xoauth2_test_send (void)
{
  g_autoptr(MsFakeServer) server = oauth_server (MS_FAKE_MODE_TLS, NULL);
  g_autoptr(MsRequest) request = oauth_request (server, MS_SECURITY_TLS, GOOD_TOKEN);
  g_autoptr(MsResult) result = ms_test_run (MS_TEST_OP_TEST_SEND, request);
  g_autoptr(MsFakeMessage) message = NULL;

  ms_test_assert_ok (server, result);
  g_assert_true (transcript_has (result, "C: AUTH XOAUTH2 <redacted>"));
  g_assert_cmpuint (ms_fake_server_get_n_auth_ok (server), ==, 1);
  g_assert_cmpuint (ms_fake_server_count_command (server, "AUTH"), ==, 1);
  /* TLS, greeting, EHLO, AUTH alone, MAIL+RCPT+DATA, body, QUIT */
  g_assert_cmpuint (result->round_trips, ==, 7);
  g_assert_true (ms_fake_server_wait_finished (server, 1, 5000));
  message = ms_fake_server_dup_message (server, 0);
  g_assert_cmpstr (message->auth_user, ==, MS_FAKE_DEFAULT_USER);
  check_no_token (result, server);
}

static void
test_oauthbearer_only (void)
{
  const char *caps[] = { "PIPELINING", "AUTH PLAIN OAUTHBEARER", NULL };
  g_autoptr(MsFakeServer) server = oauth_server (MS_FAKE_MODE_STARTTLS, caps);
  g_autoptr(MsRequest) request = oauth_request (server, MS_SECURITY_STARTTLS, GOOD_TOKEN);
  g_autoptr(MsResult) result = ms_test_run (MS_TEST_OP_LOGIN, request);

  ms_test_assert_ok (server, result);
  g_assert_true (transcript_has (result, "C: AUTH OAUTHBEARER <redacted>"));
  g_assert_cmpuint (ms_fake_server_get_n_auth_ok (server), ==, 1);
  check_no_token (result, server);
}

/* A refused token: 334 with base64 JSON, the empty response, 535; nothing
 * after AUTH was pipelined, so no MAIL reached the server. */
static void
test_refused_token (gconstpointer data)
{
  gboolean bearer = GPOINTER_TO_INT (data);
  const char *caps_x[] = { "PIPELINING", "CHUNKING", "AUTH PLAIN LOGIN XOAUTH2 OAUTHBEARER", NULL };
  const char *caps_b[] = { "PIPELINING", "CHUNKING", "AUTH PLAIN LOGIN OAUTHBEARER", NULL };
  g_autoptr(MsFakeServer) server = oauth_server (MS_FAKE_MODE_TLS, bearer ? caps_b : caps_x);
  g_autoptr(MsRequest) request = oauth_request (server, MS_SECURITY_TLS, OLD_TOKEN);
  g_autoptr(MsResult) result = ms_test_run (MS_TEST_OP_TEST_SEND, request);

  ms_test_assert_error (result, MS_ERROR_ONLINE_ACCOUNT_NEEDS_ATTENTION,
                        MS_TEST_STEP (MS_STEP_AUTH));
  g_assert_cmpuint (ms_fake_server_get_n_oauth_refused (server), ==, 1);
  g_assert_cmpuint (ms_fake_server_count_command (server, "MAIL"), ==, 0);
  g_assert_cmpuint (ms_fake_server_count_command (server, "BDAT"), ==, 0);
  g_assert_cmpuint (ms_fake_server_get_n_messages (server), ==, 0);
  g_assert_nonnull (strstr (result->error->server_reply, "535"));
  g_assert_nonnull (strstr (result->error->detail, bearer ? "invalid_token" : "401"));
  /* The empty response is in the transcript as an empty client line. */
  g_assert_true (transcript_has (result, "C: "));
  ms_test_check_result (result, MS_FAKE_DEFAULT_USER, OLD_TOKEN);
}

static void
test_no_oauth_offered (void)
{
  const char *caps[] = { "AUTH PLAIN LOGIN", NULL };
  g_autoptr(MsFakeServer) server = oauth_server (MS_FAKE_MODE_TLS, caps);
  g_autoptr(MsRequest) request = oauth_request (server, MS_SECURITY_TLS, GOOD_TOKEN);
  g_autoptr(MsResult) result = ms_test_run (MS_TEST_OP_LOGIN, request);

  ms_test_assert_error (result, MS_ERROR_AUTH_UNSUPPORTED, MS_TEST_STEP (MS_STEP_AUTH));
  g_assert_cmpuint (ms_fake_server_count_command (server, "AUTH"), ==, 0);
}

/* Security none to loopback allows a password, never a bearer token. */
static void
test_no_token_in_clear (void)
{
  const char *caps[] = { "AUTH PLAIN XOAUTH2", NULL };
  g_autoptr(MsFakeServer) server = oauth_server (MS_FAKE_MODE_PLAIN, caps);
  g_autoptr(MsRequest) request = oauth_request (server, MS_SECURITY_NONE, GOOD_TOKEN);
  g_autoptr(MsResult) result = ms_test_run (MS_TEST_OP_LOGIN, request);

  ms_test_assert_error (result, MS_ERROR_STARTTLS_UNAVAILABLE, MS_TEST_STEP (MS_STEP_AUTH));
  g_assert_cmpuint (ms_fake_server_count_command (server, "AUTH"), ==, 0);
  g_assert_true (ms_test_check_server_no_secret (server, MS_FAKE_DEFAULT_USER, GOOD_TOKEN,
                                                 TRUE));
}

static void
test_token_with_separator (void)
{
  g_autoptr(MsFakeServer) server = oauth_server (MS_FAKE_MODE_TLS, NULL);
  g_autoptr(MsRequest) request = oauth_request (server, MS_SECURITY_TLS, "abc\001user=x");
  g_autoptr(MsResult) result = ms_test_run (MS_TEST_OP_LOGIN, request);

  ms_test_assert_error (result, MS_ERROR_INVALID_INPUT, MS_TEST_STEP (MS_STEP_AUTH));
  g_assert_cmpuint (ms_fake_server_count_command (server, "AUTH"), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  ms_test_capture_logs ();

  g_test_add_func ("/ms/oauth/xoauth2/test-send", test_xoauth2_test_send);
  g_test_add_func ("/ms/oauth/oauthbearer/only-offered", test_oauthbearer_only);
  g_test_add_data_func ("/ms/oauth/xoauth2/refused-token", GINT_TO_POINTER (FALSE),
                        test_refused_token);
  g_test_add_data_func ("/ms/oauth/oauthbearer/refused-token", GINT_TO_POINTER (TRUE),
                        test_refused_token);
  g_test_add_func ("/ms/oauth/not-offered", test_no_oauth_offered);
  g_test_add_func ("/ms/oauth/never-in-clear", test_no_token_in_clear);
  g_test_add_func ("/ms/oauth/token-with-separator", test_token_with_separator);

  return g_test_run ();
}
