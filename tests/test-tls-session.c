/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-tls-session"

#include "config.h"

#include <string.h>

#include "ms-error.h"
#include "ms-fake-server.h"
#include "ms-test-util.h"
#include "ms-tls-session.h"
#include "ms-transport.h"

/* The TLS layer on its own: a transport to a fake implicit-TLS server, the
 * handshake, the certificate details (filled even when the check fails),
 * the pin, and a plain greeting where a ServerHello was expected. */

typedef struct
{
  MsFakeServer *server;
  MsTransport  *transport;
  MsTlsInfo    *info;
  GError       *error;
  gboolean      ok;
} Fixture;

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_pointer (&fixture->transport, ms_transport_free);
  g_clear_pointer (&fixture->info, ms_tls_info_free);
  g_clear_error (&fixture->error);
  g_clear_pointer (&fixture->server, ms_fake_server_free);
}

static void
start_server (Fixture    *fixture,
              MsFakeMode  mode,
              const char *cert)
{
  fixture->server = cert ? ms_fake_server_new (mode) : ms_test_fake_server_new (mode);
  if (cert != NULL)
    {
      g_autofree char *cert_file = ms_test_pki_file (cert);
      g_autofree char *key_file = ms_test_pki_file ("leaf-key.pem");

      ms_fake_server_set_certificate (fixture->server, cert_file, key_file);
    }
  ms_test_fake_server_start (fixture->server);
}

static void
handshake (Fixture    *fixture,
           const char *host,
           const char *ca,
           const char *pin)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GList addresses = { loopback, NULL, NULL };
  g_autofree char *ca_file = ca ? ms_test_pki_file (ca) : NULL;
  gint64 deadline = g_get_monotonic_time () + MS_TEST_MS (2000) * 1000;

  fixture->transport = ms_transport_connect (&addresses, ms_fake_server_get_port (fixture->server),
                                             deadline, NULL, &fixture->error);
  g_assert_no_error (fixture->error);
  ms_transport_set_deadline (fixture->transport, deadline);
  fixture->ok = ms_transport_start_tls (fixture->transport, host,
                                        g_hostname_is_ip_address (host),
                                        ca_file, pin, &fixture->error);
  fixture->info = ms_transport_dup_tls_info (fixture->transport);
}

static void
test_good (Fixture       *fixture,
           gconstpointer  data)
{
  g_autofree char *good = ms_test_pki_file ("good.pem");
  g_autofree char *pin = ms_test_spki_pin (good);
  g_autofree char *pem = NULL;
  g_autofree char *own_pin = NULL;
  g_autofree char *sni = NULL;

  start_server (fixture, MS_FAKE_MODE_TLS, NULL);
  handshake (fixture, "localhost", "ca.pem", NULL);
  g_assert_no_error (fixture->error);
  g_assert_true (fixture->ok);

  g_assert_nonnull (fixture->info);
  g_assert_cmpstr (fixture->info->version, ==, "TLS1.3");
  g_assert_true (g_str_has_prefix (fixture->info->cipher, "TLS_"));
  g_assert_nonnull (strstr (fixture->info->subject, "localhost"));
  g_assert_nonnull (fixture->info->issuer);
  g_assert_nonnull (fixture->info->not_before);
  g_assert_nonnull (fixture->info->not_after);
  g_assert_true (fixture->info->verified);
  g_assert_false (fixture->info->pinned);
  g_assert_cmpstr (fixture->info->spki_sha256, ==, pin);
  g_assert_true (g_str_has_prefix (fixture->info->chain_pem, "-----BEGIN CERTIFICATE-----"));
  g_assert_cmpuint (ms_transport_get_tls_flights (fixture->transport), ==, 1);

  /* The pin helper agrees with the test PKI's. */
  g_assert_true (g_file_get_contents (good, &pem, NULL, NULL));
  own_pin = ms_tls_spki_pin_from_pem (pem, NULL);
  g_assert_cmpstr (own_pin, ==, pin);

  /* SNI carried the name. */
  ms_transport_close (fixture->transport);
  g_assert_true (ms_fake_server_wait_finished (fixture->server, 1, 5000));
  sni = ms_fake_server_dup_sni (fixture->server);
  g_assert_cmpstr (sni, ==, "localhost");
}

static void
test_literal_no_sni (Fixture       *fixture,
                     gconstpointer  data)
{
  start_server (fixture, MS_FAKE_MODE_TLS, NULL);
  handshake (fixture, "127.0.0.1", "ca.pem", NULL);
  g_assert_no_error (fixture->error);
  g_assert_true (fixture->ok);
  ms_transport_close (fixture->transport);
  g_assert_true (ms_fake_server_wait_finished (fixture->server, 1, 5000));
  g_assert_false (ms_fake_server_saw_sni (fixture->server));
}

static void
test_untrusted_keeps_details (Fixture       *fixture,
                              gconstpointer  data)
{
  start_server (fixture, MS_FAKE_MODE_TLS, NULL);
  handshake (fixture, "localhost", NULL, NULL);
  g_assert_error (fixture->error, MS_ERROR, MS_ERROR_CERTIFICATE_UNTRUSTED);
  g_assert_false (fixture->ok);

  /* The GUI shows the certificate that was refused. */
  g_assert_nonnull (fixture->info);
  g_assert_false (fixture->info->verified);
  g_assert_nonnull (fixture->info->verify_detail);
  g_assert_nonnull (strstr (fixture->info->subject, "localhost"));
  g_assert_nonnull (fixture->info->chain_pem);
}

static void
test_expired_wins (Fixture       *fixture,
                   gconstpointer  data)
{
  /* Untrusted (no CA) and expired: expired is nearer the cause. */
  start_server (fixture, MS_FAKE_MODE_TLS, "expired.pem");
  handshake (fixture, "localhost", NULL, NULL);
  g_assert_error (fixture->error, MS_ERROR, MS_ERROR_CERTIFICATE_EXPIRED);
}

static void
test_pin_self_signed (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *cert = ms_test_pki_file ("selfsigned.pem");
  g_autofree char *pin = ms_test_spki_pin (cert);

  start_server (fixture, MS_FAKE_MODE_TLS, "selfsigned.pem");
  handshake (fixture, "localhost", NULL, pin);
  g_assert_no_error (fixture->error);
  g_assert_true (fixture->info->verified);
  g_assert_true (fixture->info->pinned);
}

static void
test_pin_mismatch_valid_chain (Fixture       *fixture,
                               gconstpointer  data)
{
  start_server (fixture, MS_FAKE_MODE_TLS, NULL);
  handshake (fixture, "localhost", "ca.pem",
             "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
  g_assert_error (fixture->error, MS_ERROR, MS_ERROR_PIN_MISMATCH);
  g_assert_false (fixture->info->verified);
}

static void
test_plain_greeting (Fixture       *fixture,
                     gconstpointer  data)
{
  start_server (fixture, MS_FAKE_MODE_STARTTLS, NULL);
  handshake (fixture, "localhost", "ca.pem", NULL);
  g_assert_error (fixture->error, MS_ERROR, MS_ERROR_WRONG_SECURITY_MODE);
}

static void
test_speaks_tls (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(MsFakeServer) plain = ms_fake_server_new (MS_FAKE_MODE_STARTTLS);
  gint64 deadline = g_get_monotonic_time () + MS_TEST_MS (2000) * 1000;
  g_autofree char *cert = ms_test_pki_file ("good.pem");
  g_autofree char *key = ms_test_pki_file ("leaf-key.pem");

  start_server (fixture, MS_FAKE_MODE_TLS, NULL);
  g_assert_true (ms_transport_speaks_tls (loopback, ms_fake_server_get_port (fixture->server),
                                          "localhost", FALSE, deadline, NULL));

  ms_fake_server_set_certificate (plain, cert, key);
  ms_test_fake_server_start (plain);
  g_assert_false (ms_transport_speaks_tls (loopback, ms_fake_server_get_port (plain),
                                           "localhost", FALSE, deadline, NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add ("/ms/tls-session/" path, Fixture, NULL, NULL, func, fixture_teardown)
  ADD ("good", test_good);
  ADD ("literal-no-sni", test_literal_no_sni);
  ADD ("untrusted-keeps-details", test_untrusted_keeps_details);
  ADD ("expired-wins", test_expired_wins);
  ADD ("pin/self-signed", test_pin_self_signed);
  ADD ("pin/mismatch-valid-chain", test_pin_mismatch_valid_chain);
  ADD ("plain-greeting", test_plain_greeting);
  ADD ("speaks-tls", test_speaks_tls);
#undef ADD

  return g_test_run ();
}
