/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-test-util"

#include "config.h"

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>

#include "ms-test-util.h"
#include "ms-result.h"

#ifndef MS_TEST_BUILDDIR
#define MS_TEST_BUILDDIR "."
#endif

/**
 * ms_test_pki_file:
 * @name: a file name of the test PKI ("ca.pem")
 *
 * Returns: (transfer full): the path of @name in the generated test PKI
 */
char *
ms_test_pki_file (const char *name)
{
  const char *builddir = g_getenv ("MS_TEST_BUILDDIR");

  if (builddir == NULL || *builddir == '\0')
    builddir = MS_TEST_BUILDDIR;
  return g_build_filename (builddir, "pki", name, NULL);
}

MsFakeServer *
ms_test_fake_server_new (MsFakeMode mode)
{
  MsFakeServer *server = ms_fake_server_new (mode);
  g_autofree char *cert = ms_test_pki_file ("good.pem");
  g_autofree char *key = ms_test_pki_file ("leaf-key.pem");

  ms_fake_server_set_certificate (server, cert, key);
  return server;
}

void
ms_test_fake_server_start (MsFakeServer *server)
{
  g_autoptr(GError) error = NULL;

  ms_fake_server_start (server, &error);
  g_assert_no_error (error);
}

/**
 * ms_test_spki_pin:
 * @pem_file: a PEM file whose first certificate is read
 *
 * Returns: (transfer full): "sha256//BASE64" of its SubjectPublicKeyInfo
 */
char *
ms_test_spki_pin (const char *pem_file)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  gnutls_datum_t in, spki = { NULL, 0 };
  gnutls_x509_crt_t crt = NULL;
  gnutls_pubkey_t key = NULL;
  guint8 digest[32];
  char *pin;

  g_assert_true (g_file_get_contents (pem_file, &contents, &len, NULL));
  in.data = (unsigned char *) contents;
  in.size = (unsigned int) len;
  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_import (crt, &in, GNUTLS_X509_FMT_PEM), ==, 0);
  g_assert_cmpint (gnutls_pubkey_init (&key), ==, 0);
  g_assert_cmpint (gnutls_pubkey_import_x509 (key, crt, 0), ==, 0);
  g_assert_cmpint (gnutls_pubkey_export2 (key, GNUTLS_X509_FMT_DER, &spki), ==, 0);
  g_assert_cmpint (gnutls_hash_fast (GNUTLS_DIG_SHA256, spki.data, spki.size, digest), ==, 0);

  {
    g_autofree char *b64 = g_base64_encode (digest, sizeof digest);

    pin = g_strconcat ("sha256//", b64, NULL);
  }
  gnutls_free (spki.data);
  gnutls_pubkey_deinit (key);
  gnutls_x509_crt_deinit (crt);
  return pin;
}

static gboolean
mem_contains (const guint8 *data,
              gsize         len,
              const char   *needle,
              gsize         needle_len,
              gboolean      nocase)
{
  if (needle_len == 0 || needle_len > len)
    return FALSE;
  if (!nocase)
    return memmem (data, len, needle, needle_len) != NULL;
  for (gsize i = 0; i + needle_len <= len; i++)
    if (g_ascii_strncasecmp ((const char *) data + i, needle, needle_len) == 0)
      return TRUE;
  return FALSE;
}

gboolean
ms_test_bytes_contain (GBytes     *haystack,
                       const char *needle,
                       gboolean    nocase)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (haystack, &len);

  return mem_contains (data, len, needle, strlen (needle), nocase);
}

static char *
plain_form (const char *authzid,
            const char *user,
            const char *password)
{
  g_autoptr(GByteArray) raw = g_byte_array_new ();

  g_byte_array_append (raw, (const guint8 *) authzid, (guint) strlen (authzid));
  g_byte_array_append (raw, (const guint8 *) "", 1);
  g_byte_array_append (raw, (const guint8 *) user, (guint) strlen (user));
  g_byte_array_append (raw, (const guint8 *) "", 1);
  g_byte_array_append (raw, (const guint8 *) password, (guint) strlen (password));
  return g_base64_encode (raw->data, raw->len);
}

const char *
ms_test_find_secret (const guint8 *data,
                     gsize         len,
                     const char   *user,
                     const char   *password)
{
  g_autofree char *plain = plain_form ("", user, password);
  g_autofree char *plain_z = plain_form (user, user, password);
  g_autofree char *b64_pass = g_base64_encode ((const guchar *) password, strlen (password));
  const char *forms[] = { password, plain, plain_z, b64_pass };
  const char *names[] = { "the password", "base64(\\0user\\0password)",
                          "base64(user\\0user\\0password)", "base64(password)" };

  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      gsize n = strlen (forms[i]);

      /* Base64 forms: drop the padding and the last character, which
       * depend on what follows when the secret is part of a longer
       * encoding. */
      if (i > 0)
        {
          while (n > 0 && forms[i][n - 1] == '=')
            n--;
          if (n > 4)
            n--;
        }
      if (mem_contains (data, len, forms[i], n, FALSE))
        return names[i];
    }
  return NULL;
}

/**
 * ms_test_check_no_secret:
 *
 * See ms-test-util.h.
 */
gboolean
ms_test_check_no_secret (const char   *what,
                         const guint8 *data,
                         gsize         len,
                         const char   *user,
                         const char   *password)
{
  const char *found = ms_test_find_secret (data, len, user, password);

  if (found == NULL)
    return TRUE;
  g_test_message ("%s holds %s", what, found);
  g_test_fail ();
  return FALSE;
}

/* Whether @data holds @verb at the start of a line. */
static gboolean
has_command (const guint8 *data,
             gsize         len,
             const char   *verb)
{
  gsize vlen = strlen (verb);

  for (gsize i = 0; i + vlen <= len; i++)
    {
      if ((i == 0 || data[i - 1] == '\n') &&
          g_ascii_strncasecmp ((const char *) data + i, verb, vlen) == 0)
        return TRUE;
    }
  return FALSE;
}

gboolean
ms_test_check_nothing_in_clear (MsFakeServer *server)
{
  g_autoptr(GBytes) clear = ms_fake_server_dup_clear_bytes (server);
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (clear, &len);
  const char *verbs[] = { "AUTH", "MAIL FROM", "RCPT TO", "DATA", "BDAT" };
  gboolean clean = TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (verbs); i++)
    {
      if (has_command (data, len, verbs[i]))
        {
          g_test_message ("the fake server received %s in clear", verbs[i]);
          g_test_fail ();
          clean = FALSE;
        }
    }
  return clean;
}

gboolean
ms_test_check_server_no_secret (MsFakeServer *server,
                                const char   *user,
                                const char   *password,
                                gboolean      include_tls)
{
  g_autoptr(GBytes) clear = ms_fake_server_dup_clear_bytes (server);
  gboolean clean;

  clean = ms_test_check_no_secret ("the clear-text recording",
                                   g_bytes_get_data (clear, NULL),
                                   g_bytes_get_size (clear), user, password);
  if (include_tls)
    {
      g_autoptr(GBytes) tls = ms_fake_server_dup_tls_bytes (server);

      clean &= ms_test_check_no_secret ("the TLS recording",
                                        g_bytes_get_data (tls, NULL),
                                        g_bytes_get_size (tls), user, password);
    }
  return clean;
}

/* ---- running operations ---- */

static GMutex capture_mutex;
static GString *captured_logs;
static GPtrArray *captured_transcript;
static gint64 last_elapsed_ms;

static void
collect_transcript (const char *line,
                    gpointer    user_data)
{
  g_mutex_lock (&capture_mutex);
  if (captured_transcript == NULL)
    captured_transcript = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (captured_transcript, g_strdup (line));
  g_mutex_unlock (&capture_mutex);
}

guint
ms_test_timeout_scale (void)
{
  const char *value = g_getenv ("MS_TEST_TIMEOUT_SCALE");
  guint64 scale = 1;

  if (value != NULL && !g_ascii_string_to_unsigned (value, 10, 1, 100, &scale, NULL))
    scale = 1;
  return (guint) scale;
}

/* Forgets the lines and logs captured so far: each operation is checked
 * on its own (a leak in one test does not fail the next). */
static void
reset_capture (void)
{
  g_mutex_lock (&capture_mutex);
  g_clear_pointer (&captured_transcript, g_ptr_array_unref);
  if (captured_logs != NULL)
    g_string_truncate (captured_logs, 0);
  g_mutex_unlock (&capture_mutex);
}

MsRequest *
ms_test_request_new (MsFakeServer *server,
                     MsSecurity    security)
{
  g_autoptr(MsSmtpConfig) config = ms_smtp_config_new ();
  g_autofree char *ca = ms_test_pki_file ("ca.pem");
  MsRequest *request;
  const char *recipients[] = { MS_TEST_RECIPIENT, NULL };

  config->host = g_strdup ("localhost");
  config->port = server != NULL ? ms_fake_server_get_port (server) : 25;
  config->security = security;
  config->ca_file = g_strdup (ca);
  config->username = g_strdup (MS_FAKE_DEFAULT_USER);
  config->timeout_seconds = 2 * ms_test_timeout_scale ();

  reset_capture ();
  request = ms_request_new (config);
  request->password = ms_password_new (MS_FAKE_DEFAULT_PASSWORD, strlen (MS_FAKE_DEFAULT_PASSWORD));
  request->from = g_strdup (MS_TEST_FROM);
  request->recipients = g_strdupv ((char **) recipients);
  request->program = g_strdup ("ms-tests");
  request->transcript_func = collect_transcript;
  request->transcript_data = NULL;
  return request;
}

void
ms_test_request_set_password (MsRequest  *request,
                              const char *password)
{
  g_clear_pointer (&request->password, ms_password_unref);
  request->password = ms_password_new (password, strlen (password));
}

MsResult *
ms_test_run (MsTestOp   op,
             MsRequest *request)
{
  gint64 start;
  MsResult *result = NULL;

  reset_capture ();
  start = g_get_monotonic_time ();
  switch (op)
    {
    case MS_TEST_OP_PROBE:
      result = ms_probe_run (request, NULL);
      break;
    case MS_TEST_OP_LOGIN:
      result = ms_sender_login (request, NULL);
      break;
    case MS_TEST_OP_TEST_SEND:
      result = ms_sender_test_send (request, NULL);
      break;
    case MS_TEST_OP_SEND:
    default:
      result = ms_sender_send (request, NULL);
      break;
    }
  last_elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  g_assert_nonnull (result);
  return result;
}

gint64
ms_test_last_elapsed_ms (void)
{
  return last_elapsed_ms;
}

static GLogWriterOutput
capture_writer (GLogLevelFlags   log_level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  g_mutex_lock (&capture_mutex);
  if (captured_logs == NULL)
    captured_logs = g_string_new (NULL);
  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_strcmp0 (fields[i].key, "MESSAGE") == 0 && fields[i].value != NULL)
        {
          if (fields[i].length < 0)
            g_string_append (captured_logs, fields[i].value);
          else
            g_string_append_len (captured_logs, fields[i].value, fields[i].length);
          g_string_append_c (captured_logs, '\n');
        }
    }
  g_mutex_unlock (&capture_mutex);
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

void
ms_test_capture_logs (void)
{
  g_log_set_writer_func (capture_writer, NULL, NULL);
}

static void
check_text (const char *what,
            const char *text,
            const char *user,
            const char *password)
{
  if (text != NULL)
    ms_test_check_no_secret (what, (const guint8 *) text, strlen (text), user, password);
}

void
ms_test_check_result (MsResult   *result,
                      const char *user,
                      const char *password)
{
  g_autofree char *json = ms_result_to_json (result, FALSE);

  check_text ("the result's JSON", json, user, password);
  for (guint i = 0; result->transcript != NULL && i < result->transcript->len; i++)
    check_text ("the result's transcript", result->transcript->pdata[i], user, password);
  for (guint i = 0; result->steps != NULL && i < result->steps->len; i++)
    {
      MsStep *step = result->steps->pdata[i];

      check_text ("a step's reply", step->reply, user, password);
      check_text ("a step's detail", step->detail, user, password);
    }
  if (result->error != NULL)
    {
      check_text ("the error message", result->error->message, user, password);
      check_text ("the error advice", result->error->advice, user, password);
      check_text ("the error's server reply", result->error->server_reply, user, password);
      check_text ("the error detail", result->error->detail, user, password);
    }

  g_mutex_lock (&capture_mutex);
  for (guint i = 0; captured_transcript != NULL && i < captured_transcript->len; i++)
    check_text ("the live transcript", captured_transcript->pdata[i], user, password);
  if (captured_logs != NULL)
    check_text ("the logs", captured_logs->str, user, password);
  g_mutex_unlock (&capture_mutex);
}

static char *
steps_to_string (guint steps)
{
  GString *s = g_string_new (NULL);

  for (guint k = 0; k <= MS_STEP_QUIT; k++)
    if (steps & (1u << k))
      g_string_append_printf (s, "%s%s", s->len > 0 ? "|" : "", ms_step_kind_to_string (k));
  return g_string_free (s, FALSE);
}

static void
transcript_message (MsResult *result)
{
  for (guint i = 0; result->transcript != NULL && i < result->transcript->len && i < 40; i++)
    {
      const char *line = result->transcript->pdata[i];

      /* Diagnostics never repeat a leaked secret. */
      if (ms_test_find_secret ((const guint8 *) line, strlen (line),
                               MS_FAKE_DEFAULT_USER, MS_FAKE_DEFAULT_PASSWORD) != NULL)
        line = "<this line holds the test secret>";
      g_test_message ("  transcript: %s", line);
    }
}

void
ms_test_assert_error_impl (MsResult    *result,
                           MsErrorCode  code,
                           guint        steps,
                           const char  *file,
                           int          line)
{
  g_autofree char *want_steps = steps_to_string (steps);
  g_autofree char *msg = NULL;

  if (result->error == NULL)
    {
      transcript_message (result);
      msg = g_strdup_printf ("expected error %s at %s, got success",
                             ms_error_code_to_string (code), steps ? want_steps : "any step");
      g_assertion_message (G_LOG_DOMAIN, file, line, G_STRFUNC, msg);
      return;
    }
  if (result->error->code != code ||
      (steps != MS_TEST_ANY_STEP && (steps & MS_TEST_STEP (result->error->step)) == 0))
    {
      transcript_message (result);
      msg = g_strdup_printf ("expected error %s at %s, got %s at %s (%s; detail: %s)",
                             ms_error_code_to_string (code), steps ? want_steps : "any step",
                             ms_error_code_to_string (result->error->code),
                             ms_step_kind_to_string (result->error->step),
                             result->error->message ? result->error->message : "",
                             result->error->detail ? result->error->detail : "");
      g_assertion_message (G_LOG_DOMAIN, file, line, G_STRFUNC, msg);
    }
}

void
ms_test_assert_fail_closed_impl (MsFakeServer *server,
                                 MsResult     *result,
                                 MsErrorCode   code,
                                 guint         steps,
                                 const char   *file,
                                 int           line)
{
  ms_test_assert_error_impl (result, code, steps, file, line);
  if (!ms_fake_server_wait_finished (server, 1, MS_TEST_MS (3000)))
    g_assertion_message (G_LOG_DOMAIN, file, line, G_STRFUNC,
                         "the client left a connection open after failing");
  ms_test_check_nothing_in_clear (server);
  if (ms_fake_server_count_command (server, "AUTH") != 0)
    {
      g_test_message ("the client sent AUTH");
      g_test_fail ();
    }
  if (ms_fake_server_get_n_messages (server) != 0)
    {
      g_test_message ("the client sent a message");
      g_test_fail ();
    }
  ms_test_check_server_no_secret (server, MS_FAKE_DEFAULT_USER, MS_FAKE_DEFAULT_PASSWORD, TRUE);
  ms_test_check_result (result, MS_FAKE_DEFAULT_USER, MS_FAKE_DEFAULT_PASSWORD);
  if (g_test_failed ())
    g_assertion_message (G_LOG_DOMAIN, file, line, G_STRFUNC, "not fail-closed (see above)");
}

void
ms_test_assert_ok_impl (MsFakeServer *server,
                        MsResult     *result,
                        const char   *file,
                        int           line)
{
  if (result->error != NULL)
    {
      g_autofree char *msg = NULL;

      transcript_message (result);
      msg = g_strdup_printf ("expected success, got %s at %s (%s; detail: %s)",
                             ms_error_code_to_string (result->error->code),
                             ms_step_kind_to_string (result->error->step),
                             result->error->message ? result->error->message : "",
                             result->error->detail ? result->error->detail : "");
      g_assertion_message (G_LOG_DOMAIN, file, line, G_STRFUNC, msg);
      return;
    }
  g_assert_true (ms_result_is_ok (result));
  if (server != NULL)
    {
      g_assert_true (ms_fake_server_wait_finished (server, 1, MS_TEST_MS (3000)));
      ms_test_check_server_no_secret (server, MS_FAKE_DEFAULT_USER, MS_FAKE_DEFAULT_PASSWORD, FALSE);
      if (ms_fake_server_get_n_handshakes (server) > 0)
        ms_test_check_nothing_in_clear (server);
    }
  ms_test_check_result (result, MS_FAKE_DEFAULT_USER, MS_FAKE_DEFAULT_PASSWORD);
  if (g_test_failed ())
    g_assertion_message (G_LOG_DOMAIN, file, line, G_STRFUNC, "leaks (see above)");
}
