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
