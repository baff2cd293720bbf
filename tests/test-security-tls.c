/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-security-tls"

#include "config.h"

#include <string.h>

#include "ms-fake-server.h"
#include "ms-probe.h"
#include "ms-test-util.h"

/*
 * docs/security.md, T: TLS and certificates (T1-T13), and V4 (host forms),
 * through the public operations against the fake server.
 */

#define STEP_TLS MS_TEST_STEP (MS_STEP_TLS)

/* A server in @mode serving @cert (a file of the test PKI) with @key. */
static MsFakeServer *
server_with (MsFakeMode  mode,
             const char *cert,
             const char *key)
{
  MsFakeServer *server = ms_fake_server_new (mode);
  g_autofree char *cert_path = ms_test_pki_file (cert);
  g_autofree char *key_path = ms_test_pki_file (key);

  ms_fake_server_set_certificate (server, cert_path, key_path);
  ms_test_fake_server_start (server);
  return server;
}

static MsSecurity
security_of (MsFakeMode mode)
{
  return mode == MS_FAKE_MODE_TLS ? MS_SECURITY_TLS : MS_SECURITY_STARTTLS;
}

/* Nothing SMTP went over TLS after a refused certificate: in implicit TLS
 * the client sends nothing; over STARTTLS nothing after the handshake. */
static void
assert_no_smtp_over_tls (MsFakeServer *server)
{
  g_autoptr(GBytes) tls = ms_fake_server_dup_tls_bytes (server);

  if (g_bytes_get_size (tls) != 0)
    {
      g_test_message ("the client sent %" G_GSIZE_FORMAT " octets over a refused TLS session",
                      g_bytes_get_size (tls));
      g_test_fail ();
    }
}

/* ---- T1, T2: good chains ---- */

static void
test_t1_good_tls (void)
{
  g_autoptr(MsFakeServer) server = server_with (MS_FAKE_MODE_TLS, "good.pem", "leaf-key.pem");
  g_autoptr(MsRequest) request = ms_test_request_new (server, MS_SECURITY_TLS);
  g_autoptr(MsResult) result = ms_test_run (MS_TEST_OP_LOGIN, request);
  g_autoptr(GBytes) clear = NULL;

  ms_test_assert_ok (server, result);
  g_assert_cmpuint (ms_fake_server_get_n_auth_ok (server), ==, 1);
  clear = ms_fake_server_dup_clear_bytes (server);
  g_assert_cmpuint (g_bytes_get_size (clear), ==, 0);
  g_assert_nonnull (result->tls);
  g_assert_true (result->tls->verified);
  g_assert_false (result->tls->pinned);
  g_assert_true (g_str_has_prefix (result->tls->version, "TLS1."));
  g_assert_cmpstr (result->tls->version, !=, "TLS1.0");
  g_assert_cmpstr (result->tls->version, !=, "TLS1.1");
}

static void
test_t1_test_send (void)
{
  g_autoptr(MsFakeServer) server = server_with (MS_FAKE_MODE_TLS, "good.pem", "leaf-key.pem");
  g_autoptr(MsRequest) request = ms_test_request_new (server, MS_SECURITY_TLS);
  g_autoptr(MsResult) result = ms_test_run (MS_TEST_OP_TEST_SEND, request);
  g_autoptr(MsFakeMessage) message = NULL;

  ms_test_assert_ok (server, result);
  g_assert_cmpuint (ms_fake_server_get_n_messages (server), ==, 1);
  message = ms_fake_server_dup_message (server, 0);
  g_assert_true (message->over_tls);
  g_assert_cmpstr (message->mail_from, ==, MS_TEST_FROM);
  g_assert_cmpstrv (message->rcpt_to, ((const char *[]) { MS_TEST_RECIPIENT, NULL }));
  g_assert_cmpstr (message->auth_user, ==, MS_FAKE_DEFAULT_USER);
  g_assert_nonnull (result->message_id);
}

static void
test_t2_good_starttls (void)
{
  g_autoptr(MsFakeServer) server = server_with (MS_FAKE_MODE_STARTTLS, "good.pem", "leaf-key.pem");
  g_autoptr(MsRequest) request = ms_test_request_new (server, MS_SECURITY_STARTTLS);
  g_autoptr(MsResult) result = ms_test_run (MS_TEST_OP_LOGIN, request);
  g_autoptr(GBytes) clear = NULL;
  g_autoptr(GBytes) tls = NULL;

  ms_test_assert_ok (server, result);
  g_assert_cmpuint (ms_fake_server_get_n_auth_ok (server), ==, 1);
  g_assert_cmpuint (ms_fake_server_count_command (server, "EHLO"), ==, 2);
  clear = ms_fake_server_dup_clear_bytes (server);
  tls = ms_fake_server_dup_tls_bytes (server);
  g_assert_true (ms_test_bytes_contain (clear, "EHLO ", TRUE));
  /* Nothing in clear after STARTTLS (no pipelining into the handshake). */
  g_assert_cmpuint (g_bytes_get_size (clear), >=, 10);
  g_assert_cmpint (g_ascii_strncasecmp ((const char *) g_bytes_get_data (clear, NULL)
                                        + g_bytes_get_size (clear) - 10, "STARTTLS\r\n", 10), ==, 0);
  g_assert_true (ms_test_bytes_contain (tls, "EHLO ", TRUE));
  g_assert_true (ms_test_bytes_contain (tls, "AUTH ", TRUE));
  g_assert_nonnull (result->tls);
  g_assert_true (result->tls->verified);
  /* The capabilities kept are the ones after TLS. */
  g_assert_nonnull (result->capabilities);
  g_assert_false (g_strv_contains ((const char *const *) result->capabilities, "STARTTLS"));
}

/* ---- T3-T8: bad certificates ---- */

typedef struct
{
  const char  *cert;
  const char  *key;
  MsErrorCode  code;     /* MS_ERROR_N_CODES: any certificate error */
  MsFakeMode   mode;
  gboolean     with_ca;  /* ca_file = ca.pem (else no ca_file) */
} BadCert;

static gboolean
is_cert_error (MsErrorCode code)
{
  switch (code)
    {
    case MS_ERROR_CERTIFICATE_UNTRUSTED:
    case MS_ERROR_CERTIFICATE_EXPIRED:
    case MS_ERROR_CERTIFICATE_NOT_YET_VALID:
    case MS_ERROR_CERTIFICATE_NAME_MISMATCH:
    case MS_ERROR_TLS_HANDSHAKE_FAILED:
      return TRUE;
    default:
      return FALSE;
    }
}

static void
run_bad_cert (const BadCert *bad)
{
  g_autoptr(MsFakeServer) server = server_with (bad->mode, bad->cert, bad->key);
  g_autoptr(MsRequest) request = ms_test_request_new (server, security_of (bad->mode));
  g_autoptr(MsResult) result = NULL;

  if (!bad->with_ca)
    g_clear_pointer (&request->config->ca_file, g_free);
  result = ms_test_run (MS_TEST_OP_LOGIN, request);

  if (bad->code != MS_ERROR_N_CODES)
    ms_test_assert_fail_closed (server, result, bad->code, STEP_TLS);
  else
    {
      g_assert_nonnull (result->error);
      if (!is_cert_error (result->error->code))
        g_error ("%s: expected a certificate error, got %s", bad->cert,
                 ms_error_code_to_string (result->error->code));
      ms_test_assert_fail_closed (server, result, result->error->code, STEP_TLS);
    }
  assert_no_smtp_over_tls (server);
  if (result->tls != NULL)
    g_assert_false (result->tls->verified);
  g_assert_cmpint (ms_test_last_elapsed_ms (), <, MS_TEST_MS (4000));
}

static void
test_bad_cert (gconstpointer data)
{
  run_bad_cert (data);
}

static const BadCert bad_certs[] = {
  { "expired.pem", "leaf-key.pem", MS_ERROR_CERTIFICATE_EXPIRED, MS_FAKE_MODE_TLS, TRUE },
  { "notyet.pem", "leaf-key.pem", MS_ERROR_CERTIFICATE_NOT_YET_VALID, MS_FAKE_MODE_TLS, TRUE },
  { "wrongname.pem", "leaf-key.pem", MS_ERROR_CERTIFICATE_NAME_MISMATCH, MS_FAKE_MODE_TLS, TRUE },
  { "selfsigned.pem", "leaf-key.pem", MS_ERROR_CERTIFICATE_UNTRUSTED, MS_FAKE_MODE_TLS, TRUE },
  { "unknown.pem", "unknown-key.pem", MS_ERROR_CERTIFICATE_UNTRUSTED, MS_FAKE_MODE_TLS, TRUE },
  { "good-leaf.pem", "leaf-key.pem", MS_ERROR_CERTIFICATE_UNTRUSTED, MS_FAKE_MODE_TLS, TRUE },
  { "weak.pem", "weak-key.pem", MS_ERROR_N_CODES, MS_FAKE_MODE_TLS, TRUE },
  { "sha1.pem", "leaf-key.pem", MS_ERROR_N_CODES, MS_FAKE_MODE_TLS, TRUE },
};

static const char *bad_names[] = {
  "T3-expired", "T4-not-yet-valid", "T5-name-mismatch", "T6-self-signed",
  "T6-unknown-ca", "T7-missing-intermediate", "T8-weak-rsa1024", "T8-sha1",
};

/* T10: every bad certificate, both modes, with and without the test CA. */
static void
test_t10_no_path_through (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_certs); i++)
    for (guint mode = 0; mode < 2; mode++)
      for (guint ca = 0; ca < 2; ca++)
        {
          BadCert bad = bad_certs[i];

          bad.mode = mode == 0 ? MS_FAKE_MODE_TLS : MS_FAKE_MODE_STARTTLS;
          bad.with_ca = ca == 0;
          if (!bad.with_ca)
            bad.code = MS_ERROR_N_CODES;
          g_test_message ("%s over %s, %s", bad.cert, mode == 0 ? "tls" : "starttls",
                          bad.with_ca ? "ca_file" : "system store only");
          run_bad_cert (&bad);
        }
}

/* ---- T9: old TLS versions only ---- */

static void
test_t9_old_tls (gconstpointer data)
{
  MsFakeMode mode = GPOINTER_TO_INT (data);
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (mode);
  g_autoptr(MsRequest) request = ms_test_request_new (NULL, security_of (mode));
  g_autoptr(MsResult) result = NULL;
  g_autoptr(GBytes) clear = NULL;

  ms_fake_server_set_priority (server, "NORMAL:-VERS-ALL:+VERS-TLS1.1:+VERS-TLS1.0");
  ms_test_fake_server_start (server);
  request->config->port = ms_fake_server_get_port (server);
  result = ms_test_run (MS_TEST_OP_LOGIN, request);

  ms_test_assert_fail_closed (server, result, MS_ERROR_TLS_HANDSHAKE_FAILED, STEP_TLS);
  g_assert_cmpuint (ms_fake_server_get_n_handshakes (server), ==, 0);
  /* Nothing in clear after STARTTLS. */
  clear = ms_fake_server_dup_clear_bytes (server);
  if (mode == MS_FAKE_MODE_STARTTLS)
    {
      gsize len = g_bytes_get_size (clear);
      const char *data_ = g_bytes_get_data (clear, NULL);

      g_assert_cmpuint (len, >=, 10);
      g_assert_cmpint (g_ascii_strncasecmp (data_ + len - 10, "STARTTLS\r\n", 10), ==, 0);
    }
  else
    g_assert_cmpuint (g_bytes_get_size (clear), ==, 0);
}

/* ---- T11: SPKI pin ---- */

static void
run_pin (const char  *cert,
         const char  *pin_of,
         gboolean     with_ca,
         MsFakeMode   mode,
         MsErrorCode  code)
{
  g_autoptr(MsFakeServer) server = server_with (mode, cert, "leaf-key.pem");
  g_autoptr(MsRequest) request = ms_test_request_new (server, security_of (mode));
  g_autoptr(MsResult) result = NULL;
  g_autofree char *pin_file = ms_test_pki_file (pin_of);

  request->config->pin = ms_test_spki_pin (pin_file);
  if (!with_ca)
    g_clear_pointer (&request->config->ca_file, g_free);
  result = ms_test_run (MS_TEST_OP_LOGIN, request);

  if (code == MS_ERROR_N_CODES)
    {
      ms_test_assert_ok (server, result);
      g_assert_nonnull (result->tls);
      g_assert_true (result->tls->pinned);
      g_assert_cmpstr (result->tls->spki_sha256, ==, request->config->pin);
      g_assert_cmpuint (ms_fake_server_get_n_auth_ok (server), ==, 1);
    }
  else
    {
      ms_test_assert_fail_closed (server, result, code, STEP_TLS);
      assert_no_smtp_over_tls (server);
      g_assert_cmpuint (ms_fake_server_count_command (server, "EHLO"),
                        ==, mode == MS_FAKE_MODE_TLS ? 0 : 1);
    }
}

static void
test_t11_pin_self_signed (void)
{
  run_pin ("selfsigned.pem", "selfsigned.pem", FALSE, MS_FAKE_MODE_TLS, MS_ERROR_N_CODES);
}

static void
test_t11_pin_renewed (void)
{
  /* Renewed certificate, same key: the pin still matches. */
  run_pin ("selfsigned2.pem", "selfsigned.pem", FALSE, MS_FAKE_MODE_STARTTLS, MS_ERROR_N_CODES);
}

static void
test_t11_wrong_pin (void)
{
  /* A valid chain does not excuse a wrong pin. */
  run_pin ("good.pem", "weak-leaf.pem", TRUE, MS_FAKE_MODE_TLS, MS_ERROR_PIN_MISMATCH);
}

static void
test_t11_wrong_pin_starttls (void)
{
  run_pin ("good.pem", "unknown-leaf.pem", TRUE, MS_FAKE_MODE_STARTTLS, MS_ERROR_PIN_MISMATCH);
}

/* ---- T12: SNI; V4: host forms ---- */

static void
run_host_form (const char *host,
               const char *address,
               const char *want_sni)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sni = NULL;

  ms_fake_server_set_address (server, address);
  if (!ms_fake_server_start (server, &error))
    {
      g_test_skip (error->message);
      return;
    }
  request = ms_test_request_new (server, MS_SECURITY_TLS);
  g_free (request->config->host);
  request->config->host = g_strdup (host);
  result = ms_test_run (MS_TEST_OP_PROBE, request);

  ms_test_assert_ok (server, result);
  g_assert_cmpuint (ms_fake_server_get_n_handshakes (server), ==, 1);
  sni = ms_fake_server_dup_sni (server);
  g_assert_cmpstr (sni, ==, want_sni);
  if (want_sni == NULL)
    g_assert_false (ms_fake_server_saw_sni (server));
  g_assert_true (result->tls->verified);
  g_assert_cmpuint (ms_fake_server_get_n_auth_ok (server), ==, 0);
  g_assert_cmpuint (ms_fake_server_count_command (server, "AUTH"), ==, 0);
}

static void
test_t12_sni_name (void)
{
  run_host_form ("localhost", "127.0.0.1", "localhost");
}

static void
test_t12_no_sni_ipv4 (void)
{
  run_host_form ("127.0.0.1", "127.0.0.1", NULL);
}

static void
test_v4_ipv6_literal (void)
{
  run_host_form ("[::1]", "::1", NULL);
}

static void
test_v4_upper_case_trailing_dot (void)
{
  run_host_form ("LocalHost.", "127.0.0.1", "localhost");
}

/* ---- T13: --ca-file ---- */

static void
test_t13_ca_file (void)
{
  g_autoptr(MsFakeServer) server = server_with (MS_FAKE_MODE_TLS, "unknown.pem", "unknown-key.pem");
  g_autoptr(MsRequest) request = ms_test_request_new (server, MS_SECURITY_TLS);
  g_autoptr(MsResult) result = NULL;
  g_autoptr(MsResult) without = NULL;

  /* Without the CA file the private CA is unknown... */
  g_clear_pointer (&request->config->ca_file, g_free);
  without = ms_test_run (MS_TEST_OP_PROBE, request);
  ms_test_assert_error (without, MS_ERROR_CERTIFICATE_UNTRUSTED, STEP_TLS);

  /* ...with it, trusted. */
  request->config->ca_file = ms_test_pki_file ("unknown-ca.pem");
  result = ms_test_run (MS_TEST_OP_LOGIN, request);
  ms_test_assert_ok (server, result);
  g_assert_true (result->tls->verified);
  g_assert_false (result->tls->pinned);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  ms_test_capture_logs ();

  g_test_add_func ("/ms/security/T1-good-tls", test_t1_good_tls);
  g_test_add_func ("/ms/security/T1-test-send", test_t1_test_send);
  g_test_add_func ("/ms/security/T2-good-starttls", test_t2_good_starttls);
  for (guint i = 0; i < G_N_ELEMENTS (bad_certs); i++)
    {
      g_autofree char *path = g_strdup_printf ("/ms/security/%s", bad_names[i]);
      g_autofree char *path2 = g_strdup_printf ("/ms/security/%s-starttls", bad_names[i]);
      BadCert *starttls = g_new (BadCert, 1);

      *starttls = bad_certs[i];
      starttls->mode = MS_FAKE_MODE_STARTTLS;
      g_test_add_data_func (path, &bad_certs[i], test_bad_cert);
      g_test_add_data_func_full (path2, starttls, test_bad_cert, g_free);
    }
  g_test_add_data_func ("/ms/security/T9-old-tls", GINT_TO_POINTER (MS_FAKE_MODE_TLS), test_t9_old_tls);
  g_test_add_data_func ("/ms/security/T9-old-tls-starttls", GINT_TO_POINTER (MS_FAKE_MODE_STARTTLS), test_t9_old_tls);
  g_test_add_func ("/ms/security/T10-no-path-through", test_t10_no_path_through);
  g_test_add_func ("/ms/security/T11-pin-self-signed", test_t11_pin_self_signed);
  g_test_add_func ("/ms/security/T11-pin-renewed", test_t11_pin_renewed);
  g_test_add_func ("/ms/security/T11-wrong-pin", test_t11_wrong_pin);
  g_test_add_func ("/ms/security/T11-wrong-pin-starttls", test_t11_wrong_pin_starttls);
  g_test_add_func ("/ms/security/T12-sni-name", test_t12_sni_name);
  g_test_add_func ("/ms/security/T12-no-sni-ipv4", test_t12_no_sni_ipv4);
  g_test_add_func ("/ms/security/V4-ipv6-literal", test_v4_ipv6_literal);
  g_test_add_func ("/ms/security/V4-upper-case-trailing-dot", test_v4_upper_case_trailing_dot);
  g_test_add_func ("/ms/security/T13-ca-file", test_t13_ca_file);

  return g_test_run ();
}
