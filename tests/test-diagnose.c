/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-diagnose"

#include "config.h"

#include <string.h>

#include "ms-diagnose.h"
#include "ms-result-text.h"
#include "ms-fake-server.h"
#include "ms-test-util.h"

/* The diagnostics checks (providers issue item 7) on a good server, one
 * whose certificate expires within days, and broken ones. */

static MsRequest *
make_request (MsFakeServer *server,
              MsSecurity    security,
              const char   *password)
{
  g_autofree char *ca = ms_test_pki_file ("ca.pem");
  MsRequest *request = ms_request_new (NULL);

  request->config->host = g_strdup ("localhost");
  request->config->port = ms_fake_server_get_port (server);
  request->config->security = security;
  request->config->ca_file = g_strdup (ca);
  request->config->username = g_strdup (MS_FAKE_DEFAULT_USER);
  request->config->timeout_seconds = 5;
  request->account = g_strdup ("backup");
  request->from = g_strdup (MS_FAKE_DEFAULT_USER);
  request->recipients = g_strsplit (MS_FAKE_DEFAULT_USER, " ", 0);
  request->program = g_strdup ("test-diagnose");
  if (password != NULL)
    request->password = ms_password_new (password, strlen (password));

  return request;
}

static const MsCheck *
find_check (const MsResult *result,
            const char     *name)
{
  for (guint i = 0; result->checks != NULL && i < result->checks->len; i++)
    {
      const MsCheck *check = g_ptr_array_index (result->checks, i);

      if (g_str_equal (check->check, name))
        return check;
    }

  return NULL;
}

static void
assert_check (const MsResult  *result,
              const char      *name,
              gboolean         ok,
              MsCheckSeverity  severity)
{
  const MsCheck *check = find_check (result, name);

  if (check == NULL)
    g_error ("no check named %s", name);
  g_test_message ("%s: %s", name, check->message);
  g_assert_cmpint (check->ok, ==, ok);
  g_assert_cmpint (check->severity, ==, severity);
  g_assert_nonnull (check->title);
  g_assert_cmpstr (check->message, !=, "");
}

static void
test_good_server (void)
{
  MsFakeServer *server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsResult) result = NULL;
  g_autofree char *report = NULL;

  ms_test_fake_server_start (server);
  request = make_request (server, MS_SECURITY_TLS, MS_FAKE_DEFAULT_PASSWORD);
  result = ms_diagnose_run (request, NULL, TRUE, NULL);

  g_assert_null (result->error);
  g_assert_cmpstr (result->command, ==, "diagnose");
  assert_check (result, "settings", TRUE, MS_CHECK_INFO);
  assert_check (result, "keyring", TRUE, MS_CHECK_INFO);
  assert_check (result, "dns", TRUE, MS_CHECK_INFO);
  assert_check (result, "connect-ipv4", TRUE, MS_CHECK_INFO);
  assert_check (result, "tls", TRUE, MS_CHECK_INFO);
  assert_check (result, "certificate", TRUE, MS_CHECK_INFO);
  assert_check (result, "clock", TRUE, MS_CHECK_INFO);
  assert_check (result, "greeting", TRUE, MS_CHECK_INFO);
  assert_check (result, "capabilities", TRUE, MS_CHECK_INFO);
  assert_check (result, "sign-in", TRUE, MS_CHECK_INFO);
  assert_check (result, "test-message", TRUE, MS_CHECK_INFO);
  g_assert_cmpuint (ms_fake_server_get_n_messages (server), ==, 1);

  /* The report holds the checks and the transcript, never the secret. */
  report = ms_result_text_report (result);
  g_assert_nonnull (strstr (report, "localhost"));
  g_assert_nonnull (strstr (report, "<redacted>"));
  ms_test_check_no_secret ("report", (const guint8 *) report, strlen (report),
                           MS_FAKE_DEFAULT_USER, MS_FAKE_DEFAULT_PASSWORD);
  ms_fake_server_free (server);
}

/* A leaf valid for a few more days, signed by the test intermediate. */
static char *
make_expiring_chain (const char *folder)
{
  g_autofree char *template = g_build_filename (folder, "expiring.tmpl", NULL);
  g_autofree char *leaf = g_build_filename (folder, "expiring-leaf.pem", NULL);
  g_autofree char *chain = g_build_filename (folder, "expiring.pem", NULL);
  g_autofree char *key = ms_test_pki_file ("leaf-key.pem");
  g_autofree char *ca_cert = ms_test_pki_file ("intermediate.pem");
  g_autofree char *ca_key = ms_test_pki_file ("intermediate-key.pem");
  g_autofree char *leaf_pem = NULL;
  g_autofree char *intermediate_pem = NULL;
  g_autofree char *joined = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;
  const char *argv[] = {
    "certtool", "--generate-certificate", "--load-privkey", key, "--load-ca-certificate",
    ca_cert, "--load-ca-privkey", ca_key, "--template", template, "--outfile", leaf, NULL
  };

  g_file_set_contents (template,
                       "cn = \"localhost\"\nserial = 77\nexpiration_days = 5\n"
                       "dns_name = \"localhost\"\nip_address = \"127.0.0.1\"\n"
                       "tls_www_server\nsigning_key\nencryption_key\n", -1, &error);
  g_assert_no_error (error);
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL
                | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);

  g_file_get_contents (leaf, &leaf_pem, NULL, &error);
  g_assert_no_error (error);
  g_file_get_contents (ca_cert, &intermediate_pem, NULL, &error);
  g_assert_no_error (error);
  joined = g_strconcat (leaf_pem, intermediate_pem, NULL);
  g_file_set_contents (chain, joined, -1, &error);
  g_assert_no_error (error);

  return g_steal_pointer (&chain);
}

static void
test_expiring_certificate (void)
{
  g_autofree char *folder = g_dir_make_tmp ("ms-diagnose-XXXXXX", NULL);
  g_autofree char *chain = make_expiring_chain (folder);
  g_autofree char *key = ms_test_pki_file ("leaf-key.pem");
  MsFakeServer *server = ms_fake_server_new (MS_FAKE_MODE_TLS);
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsResult) result = NULL;

  ms_fake_server_set_certificate (server, chain, key);
  ms_test_fake_server_start (server);
  request = make_request (server, MS_SECURITY_TLS, MS_FAKE_DEFAULT_PASSWORD);
  result = ms_diagnose_run (request, NULL, FALSE, NULL);

  /* Still works, but the certificate row warns. */
  g_assert_null (result->error);
  assert_check (result, "certificate", FALSE, MS_CHECK_WARNING);
  assert_check (result, "sign-in", TRUE, MS_CHECK_INFO);
  g_assert_null (find_check (result, "test-message"));
  ms_fake_server_free (server);
}

static void
test_expired_certificate (void)
{
  g_autofree char *chain = ms_test_pki_file ("expired.pem");
  g_autofree char *key = ms_test_pki_file ("leaf-key.pem");
  MsFakeServer *server = ms_fake_server_new (MS_FAKE_MODE_TLS);
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsResult) result = NULL;

  ms_fake_server_set_certificate (server, chain, key);
  ms_test_fake_server_start (server);
  request = make_request (server, MS_SECURITY_TLS, MS_FAKE_DEFAULT_PASSWORD);
  result = ms_diagnose_run (request, NULL, FALSE, NULL);

  g_assert_nonnull (result->error);
  g_assert_cmpint (result->error->code, ==, MS_ERROR_CERTIFICATE_EXPIRED);
  g_assert_nonnull (result->error->advice);
  assert_check (result, "certificate", FALSE, MS_CHECK_ERROR);
  assert_check (result, "clock", FALSE, MS_CHECK_WARNING);
  /* Nothing after the failed handshake ran: no greeting, no sign-in. */
  g_assert_null (find_check (result, "greeting"));
  g_assert_null (find_check (result, "sign-in"));
  g_assert_cmpuint (ms_fake_server_count_command (server, "AUTH"), ==, 0);
  ms_fake_server_free (server);
}

static void
test_wrong_password (void)
{
  MsFakeServer *server = ms_test_fake_server_new (MS_FAKE_MODE_STARTTLS);
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsResult) result = NULL;

  ms_test_fake_server_start (server);
  request = make_request (server, MS_SECURITY_STARTTLS, "not-the-password");
  result = ms_diagnose_run (request, NULL, FALSE, NULL);

  g_assert_nonnull (result->error);
  g_assert_cmpint (result->error->code, ==, MS_ERROR_AUTH_FAILED);
  g_assert_cmpint (result->error->step, ==, MS_STEP_AUTH);
  assert_check (result, "tls", TRUE, MS_CHECK_INFO);
  assert_check (result, "sign-in", FALSE, MS_CHECK_ERROR);
  ms_fake_server_free (server);
}

/* The keyring could not give the password: that is the verdict, the network
 * checks still run, and nothing signs in. */
static void
test_keyring_locked (void)
{
  MsFakeServer *server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsResult) result = NULL;
  g_autoptr(GError) locked = g_error_new_literal (MS_ERROR, MS_ERROR_KEYRING_LOCKED,
                                                  "The keyring is locked.");

  ms_test_fake_server_start (server);
  request = make_request (server, MS_SECURITY_TLS, NULL);
  result = ms_diagnose_run (request, locked, FALSE, NULL);

  g_assert_nonnull (result->error);
  g_assert_cmpint (result->error->code, ==, MS_ERROR_KEYRING_LOCKED);
  g_assert_cmpint (result->error->step, ==, MS_STEP_KEYRING);
  g_assert_nonnull (result->error->advice);
  assert_check (result, "keyring", FALSE, MS_CHECK_ERROR);
  assert_check (result, "greeting", TRUE, MS_CHECK_INFO);
  assert_check (result, "sign-in", FALSE, MS_CHECK_ERROR);
  g_assert_cmpuint (ms_fake_server_count_command (server, "AUTH"), ==, 0);
  ms_fake_server_free (server);
}

static void
test_bad_settings (void)
{
  g_autoptr(MsRequest) request = ms_request_new (NULL);
  g_autoptr(MsResult) result = NULL;

  request->config->host = g_strdup ("bad host");
  result = ms_diagnose_run (request, NULL, FALSE, NULL);

  g_assert_nonnull (result->error);
  g_assert_cmpint (result->error->code, ==, MS_ERROR_INVALID_INPUT);
  g_assert_cmpint (result->error->step, ==, MS_STEP_CONFIG);
  assert_check (result, "settings", FALSE, MS_CHECK_ERROR);
  g_assert_cmpuint (result->checks->len, ==, 1);
}

/* OP25B: port 25 on this machine refuses (nothing listens there in the
 * test environment); the row and the report say why and name 465 and 587. */
static void
test_port_25_blocked (void)
{
  g_autoptr(MsRequest) request = ms_request_new (NULL);
  g_autoptr(MsResult) result = NULL;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) open = NULL;
  g_autofree char *report = NULL;
  const MsCheck *check;

  open = g_socket_client_connect_to_host (client, "127.0.0.1", 25, NULL, NULL);
  if (open != NULL)
    {
      g_test_skip ("something listens on port 25 here");
      return;
    }
  request->config->host = g_strdup ("127.0.0.1");
  request->config->port = 25;
  request->config->security = MS_SECURITY_STARTTLS;
  request->config->timeout_seconds = 5;
  request->account = g_strdup ("op25b");
  request->config->username = g_strdup ("me@example.org");
  request->password = ms_password_new ("not-a-secret", 12);
  result = ms_diagnose_run (request, NULL, FALSE, NULL);

  g_assert_nonnull (result->error);
  g_assert_cmpint (result->error->code, ==, MS_ERROR_CONNECT_REFUSED);
  check = find_check (result, "connect-ipv4");
  g_assert_nonnull (check);
  g_assert_nonnull (strstr (check->message, "OP25B"));
  g_assert_nonnull (strstr (result->error->advice, "OP25B"));
  g_assert_nonnull (strstr (result->error->advice, "465"));
  g_assert_nonnull (strstr (result->error->advice, "587"));
  report = ms_result_text_report (result);
  g_assert_nonnull (strstr (report, "Outbound Port 25 Blocking"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/ms/diagnose/good-server", test_good_server);
  g_test_add_func ("/ms/diagnose/expiring-certificate", test_expiring_certificate);
  g_test_add_func ("/ms/diagnose/expired-certificate", test_expired_certificate);
  g_test_add_func ("/ms/diagnose/wrong-password", test_wrong_password);
  g_test_add_func ("/ms/diagnose/keyring-locked", test_keyring_locked);
  g_test_add_func ("/ms/diagnose/bad-settings", test_bad_settings);
  g_test_add_func ("/ms/diagnose/port-25-blocked", test_port_25_blocked);

  return g_test_run ();
}
