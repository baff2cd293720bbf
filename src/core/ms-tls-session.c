/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-tls-session"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "ms-error.h"
#include "ms-tls-session.h"

/* TLS 1.2 minimum (RFC 8996, RFC 8314); %PROFILE_MEDIUM rejects keys under
 * 2048 bits and SHA-1 signatures (docs/security.md, T8). */
#define MS_TLS_PRIORITY "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:%PROFILE_MEDIUM"

#define MS_PIN_PREFIX "sha256//"

struct _MsTlsSession
{
  gnutls_session_t                  session;
  gnutls_certificate_credentials_t  credentials;   /* shared, never freed here */
  char                             *host;
  gboolean                          host_is_literal;
  char                             *pin;
  MsTlsIo                           io;
  MsTlsInfo                        *info;
};

static ssize_t
pull_cb (gnutls_transport_ptr_t ptr,
         void                  *buffer,
         size_t                 length)
{
  MsTlsSession *self = ptr;

  return self->io.recv (self->io.io, buffer, length);
}

static ssize_t
push_cb (gnutls_transport_ptr_t ptr,
         const void            *buffer,
         size_t                 length)
{
  MsTlsSession *self = ptr;

  return self->io.send (self->io.io, buffer, length);
}

static int
pull_timeout_cb (gnutls_transport_ptr_t ptr,
                 unsigned int           timeout_ms)
{
  MsTlsSession *self = ptr;

  if (timeout_ms == GNUTLS_INDEFINITE_TIMEOUT)
    timeout_ms = G_MAXUINT;

  return self->io.wait (self->io.io, timeout_ms);
}

static gboolean
set_tls_error (GError     **error,
               MsErrorCode  code,
               int          ret,
               const char  *what)
{
  g_set_error (error, MS_ERROR, code, "%s: %s", what, gnutls_strerror (ret));

  return FALSE;
}

/* Credentials trusting the system store, with the verification profile
 * that rejects weak keys and SHA-1. */
static gnutls_certificate_credentials_t
new_system_credentials (void)
{
  gnutls_certificate_credentials_t credentials = NULL;
  int ret;

  if (gnutls_certificate_allocate_credentials (&credentials) < 0)
    return NULL;

  /* No system store (a minimal container) leaves only the CA file and
   * the pin; verification then fails closed. */
  ret = gnutls_certificate_set_x509_system_trust (credentials);
  if (ret < 0)
    g_debug ("system trust store: %s", gnutls_strerror (ret));

  gnutls_certificate_set_verify_flags (credentials,
                                       GNUTLS_PROFILE_TO_VFLAGS (GNUTLS_PROFILE_MEDIUM));

  return credentials;
}

/* Loading the system store parses every CA on the machine (30-45 ms); do
 * it once per process. The credentials are only read after this, which
 * GnuTLS allows from several sessions and threads at once. */
static gnutls_certificate_credentials_t
shared_system_credentials (void)
{
  static gsize initialized;
  static gnutls_certificate_credentials_t credentials;

  if (g_once_init_enter (&initialized))
    {
      credentials = new_system_credentials ();
      g_once_init_leave (&initialized, 1);
    }

  return credentials;
}

/* System store plus @ca_file, shared per file version: the CLI's tests, a
 * NAS behind a private CA and the benchmarks all connect again and again
 * with the same file. A changed file (size or time) gets new credentials. */
static gnutls_certificate_credentials_t
shared_ca_file_credentials (const char  *ca_file,
                            GError     **error)
{
  static GMutex lock;
  static GHashTable *cache;
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&lock);
  g_autofree char *key = NULL;
  gnutls_certificate_credentials_t credentials;
  GStatBuf st;

  if (g_stat (ca_file, &st) != 0)
    {
      g_set_error (error, MS_ERROR, MS_ERROR_INVALID_INPUT,
                   _("The CA file “%s” cannot be read"), ca_file);
      return NULL;
    }

  key = g_strdup_printf ("%s\n%" G_GINT64_FORMAT "\n%" G_GINT64_FORMAT, ca_file,
                         (gint64) st.st_size, (gint64) st.st_mtime);
  if (cache == NULL)
    cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  credentials = g_hash_table_lookup (cache, key);
  if (credentials != NULL)
    return credentials;

  credentials = new_system_credentials ();
  if (credentials == NULL)
    {
      set_tls_error (error, MS_ERROR_INTERNAL, GNUTLS_E_MEMORY_ERROR, "credentials");
      return NULL;
    }
  if (gnutls_certificate_set_x509_trust_file (credentials, ca_file, GNUTLS_X509_FMT_PEM) <= 0)
    {
      gnutls_certificate_free_credentials (credentials);
      g_set_error (error, MS_ERROR, MS_ERROR_INVALID_INPUT,
                   _("The CA file “%s” holds no usable certificate"), ca_file);
      return NULL;
    }

  g_hash_table_insert (cache, g_steal_pointer (&key), credentials);

  return credentials;
}

static gboolean
load_trust (MsTlsSession  *self,
            const char    *ca_file,
            GError       **error)
{
  /* Shared credentials are only read once set up, which GnuTLS allows from
   * several sessions and threads at once; they live as long as the process. */
  if (ca_file == NULL || *ca_file == '\0')
    {
      self->credentials = shared_system_credentials ();
      return self->credentials != NULL
             || set_tls_error (error, MS_ERROR_INTERNAL, GNUTLS_E_MEMORY_ERROR, "credentials");
    }

  self->credentials = shared_ca_file_credentials (ca_file, error);

  return self->credentials != NULL;
}

static gboolean
init_session (MsTlsSession  *self,
              GError       **error)
{
  const char *error_pos = NULL;
  int ret = gnutls_init (&self->session, GNUTLS_CLIENT);

  if (ret < 0)
    return set_tls_error (error, MS_ERROR_INTERNAL, ret, "gnutls_init");

  ret = gnutls_priority_set_direct (self->session, MS_TLS_PRIORITY, &error_pos);
  if (ret < 0)
    return set_tls_error (error, MS_ERROR_INTERNAL, ret, "priority");

  ret = gnutls_credentials_set (self->session, GNUTLS_CRD_CERTIFICATE, self->credentials);
  if (ret < 0)
    return set_tls_error (error, MS_ERROR_INTERNAL, ret, "credentials");

  /* SNI names a host, never an address (RFC 6066 section 3). */
  if (!self->host_is_literal)
    gnutls_server_name_set (self->session, GNUTLS_NAME_DNS, self->host, strlen (self->host));

  gnutls_transport_set_ptr (self->session, self);
  gnutls_transport_set_pull_function (self->session, pull_cb);
  gnutls_transport_set_push_function (self->session, push_cb);
  gnutls_transport_set_pull_timeout_function (self->session, pull_timeout_cb);

  return TRUE;
}

/**
 * ms_tls_session_new:
 * @host: the normalised host name or address
 * @host_is_literal: whether @host is an IP address (no SNI then)
 * @ca_file: (nullable): extra trusted CA certificates (PEM)
 * @pin: (nullable): "sha256//BASE64" of the server key's SPKI
 * @io: how to reach the socket
 * @error: return location for an error
 *
 * Errors: invalid-input (unreadable CA file), internal.
 *
 * Returns: (transfer full) (nullable): a session ready for the handshake
 */
MsTlsSession *
ms_tls_session_new (const char     *host,
                    gboolean        host_is_literal,
                    const char     *ca_file,
                    const char     *pin,
                    const MsTlsIo  *io,
                    GError        **error)
{
  g_autoptr(MsTlsSession) self = g_new0 (MsTlsSession, 1);

  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (io != NULL, NULL);

  self->host = g_strdup (host);
  self->host_is_literal = host_is_literal;
  self->pin = (pin != NULL && *pin != '\0') ? g_strdup (pin) : NULL;
  self->io = *io;

  if (!load_trust (self, ca_file, error) || !init_session (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

void
ms_tls_session_free (MsTlsSession *self)
{
  if (self == NULL)
    return;

  if (self->session != NULL)
    gnutls_deinit (self->session);
  ms_tls_info_free (self->info);
  g_free (self->host);
  g_free (self->pin);
  g_free (self);
}

/**
 * ms_tls_session_handshake:
 * @self: an #MsTlsSession
 * @error: return location for an error
 *
 * Runs the handshake only; ms_tls_session_verify() decides whether the peer
 * is trusted, and the caller sends nothing before it has. When the I/O
 * functions failed (timeout, cancelled), the caller holds the better error.
 *
 * Errors: tls-handshake-failed.
 *
 * Returns: %TRUE when the handshake completed
 */
gboolean
ms_tls_session_handshake (MsTlsSession  *self,
                          GError       **error)
{
  int ret;

  g_return_val_if_fail (self != NULL, FALSE);

  do
    ret = gnutls_handshake (self->session);
  while (ret < 0 && !gnutls_error_is_fatal (ret));

  if (ret < 0)
    return set_tls_error (error, MS_ERROR_TLS_HANDSHAKE_FAILED, ret,
                          _("The TLS handshake failed"));

  return TRUE;
}

static GDateTime *
date_from_time (time_t t)
{
  if (t == (time_t) -1)
    return NULL;

  return g_date_time_new_from_unix_utc (t);
}

static char *
datum_to_string (gnutls_datum_t *datum)
{
  char *text = g_strndup ((const char *) datum->data, datum->size);

  gnutls_free (datum->data);
  datum->data = NULL;

  return text;
}

static char *
spki_pin_of (gnutls_x509_crt_t crt)
{
  gnutls_pubkey_t pubkey = NULL;
  gnutls_datum_t der = { NULL, 0 };
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  g_autofree char *b64 = NULL;

  if (gnutls_pubkey_init (&pubkey) < 0)
    return NULL;
  if (gnutls_pubkey_import_x509 (pubkey, crt, 0) < 0
      || gnutls_pubkey_export2 (pubkey, GNUTLS_X509_FMT_DER, &der) < 0)
    {
      gnutls_pubkey_deinit (pubkey);
      return NULL;
    }

  g_checksum_update (checksum, der.data, der.size);
  g_checksum_get_digest (checksum, digest, &digest_len);
  gnutls_free (der.data);
  gnutls_pubkey_deinit (pubkey);
  b64 = g_base64_encode (digest, digest_len);

  return g_strconcat (MS_PIN_PREFIX, b64, NULL);
}

static char *
chain_to_pem (const gnutls_datum_t *certs,
              guint                 n_certs)
{
  GString *pem = g_string_new (NULL);

  for (guint i = 0; i < n_certs; i++)
    {
      gnutls_datum_t out = { NULL, 0 };

      if (gnutls_pem_base64_encode2 ("CERTIFICATE", &certs[i], &out) < 0)
        continue;
      g_string_append_len (pem, (const char *) out.data, out.size);
      gnutls_free (out.data);
    }

  return g_string_free (pem, FALSE);
}

static void
fill_cert_info (MsTlsInfo         *info,
                gnutls_x509_crt_t  leaf)
{
  gnutls_datum_t dn = { NULL, 0 };

  if (gnutls_x509_crt_get_dn3 (leaf, &dn, 0) >= 0)
    info->subject = datum_to_string (&dn);
  if (gnutls_x509_crt_get_issuer_dn3 (leaf, &dn, 0) >= 0)
    info->issuer = datum_to_string (&dn);
  info->not_before = date_from_time (gnutls_x509_crt_get_activation_time (leaf));
  info->not_after = date_from_time (gnutls_x509_crt_get_expiration_time (leaf));
  info->spki_sha256 = spki_pin_of (leaf);
}

static MsTlsInfo *
new_session_info (MsTlsSession *self)
{
  MsTlsInfo *info = g_new0 (MsTlsInfo, 1);
  const char *suite = gnutls_ciphersuite_get (self->session);

  info->version = g_strdup (gnutls_protocol_get_name (gnutls_protocol_get_version (self->session)));
  info->cipher = g_strdup (suite);

  return info;
}

static char *
status_text (unsigned int status)
{
  gnutls_datum_t out = { NULL, 0 };

  if (gnutls_certificate_verification_status_print (status, GNUTLS_CRT_X509, &out, 0) < 0)
    return g_strdup_printf ("verification status 0x%x", status);

  return datum_to_string (&out);
}

typedef struct
{
  MsErrorCode  code;
  const char  *message;
} Verdict;

/* One code per problem; when several apply the one nearest the cause wins
 * (docs/contract.md): the clock first, then the chain, then the name. */
static const Verdict verdict_expired = {
  MS_ERROR_CERTIFICATE_EXPIRED, N_("The server’s certificate has expired")
};
static const Verdict verdict_not_yet_valid = {
  MS_ERROR_CERTIFICATE_NOT_YET_VALID, N_("The server’s certificate is not valid yet")
};
static const Verdict verdict_untrusted = {
  MS_ERROR_CERTIFICATE_UNTRUSTED, N_("The server’s certificate is not trusted")
};
static const Verdict verdict_name_mismatch = {
  MS_ERROR_CERTIFICATE_NAME_MISMATCH, N_("The server’s certificate is for another name")
};

#define MS_CHAIN_PROBLEMS (GNUTLS_CERT_SIGNER_NOT_FOUND | GNUTLS_CERT_SIGNER_NOT_CA \
                           | GNUTLS_CERT_INSECURE_ALGORITHM | GNUTLS_CERT_REVOKED \
                           | GNUTLS_CERT_SIGNATURE_FAILURE \
                           | GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE)

static gboolean
classify_status (unsigned int  status,
                 time_t        not_before,
                 time_t        not_after,
                 Verdict      *verdict)
{
  time_t now = time (NULL);

  if ((status & GNUTLS_CERT_EXPIRED) || (not_after != (time_t) -1 && now > not_after))
    *verdict = verdict_expired;
  else if ((status & GNUTLS_CERT_NOT_ACTIVATED) || (not_before != (time_t) -1 && now < not_before))
    *verdict = verdict_not_yet_valid;
  else if (status & MS_CHAIN_PROBLEMS)
    *verdict = verdict_untrusted;
  else if (status & GNUTLS_CERT_UNEXPECTED_OWNER)
    *verdict = verdict_name_mismatch;
  else if (status != 0)
    *verdict = verdict_untrusted;
  else
    return TRUE;

  return FALSE;
}

/* A matching pin stands in for the CA chain only: the clock, the name and
 * the key strength still count. */
static unsigned int
status_without_chain (unsigned int status)
{
  status &= ~(GNUTLS_CERT_SIGNER_NOT_FOUND | GNUTLS_CERT_SIGNER_NOT_CA | GNUTLS_CERT_INVALID);

  return status != 0 ? (status | GNUTLS_CERT_INVALID) : 0;
}

static gboolean
verify_leaf (MsTlsSession       *self,
             gnutls_x509_crt_t   leaf,
             GError            **error)
{
  unsigned int status = 0;
  Verdict verdict;
  int ret = gnutls_certificate_verify_peers3 (self->session, self->host, &status);

  if (ret < 0)
    return set_tls_error (error, MS_ERROR_CERTIFICATE_UNTRUSTED, ret,
                          _("The server’s certificate could not be checked"));

  if (self->pin != NULL)
    {
      if (g_strcmp0 (self->pin, self->info->spki_sha256) != 0)
        {
          self->info->verify_detail = g_strdup_printf ("server key %s, pin %s",
                                                       self->info->spki_sha256, self->pin);
          g_set_error (error, MS_ERROR, MS_ERROR_PIN_MISMATCH, "%s",
                       _("The server’s key does not match the pin"));
          return FALSE;
        }
      status = status_without_chain (status);
    }

  if (!classify_status (status,
                        gnutls_x509_crt_get_activation_time (leaf),
                        gnutls_x509_crt_get_expiration_time (leaf),
                        &verdict))
    {
      self->info->verify_detail = status != 0 ? status_text (status)
                                              : g_strdup (_(verdict.message));
      g_set_error (error, MS_ERROR, verdict.code, "%s: %s", _(verdict.message),
                   self->info->verify_detail);
      return FALSE;
    }

  self->info->verified = TRUE;
  self->info->pinned = self->pin != NULL;

  return TRUE;
}

/**
 * ms_tls_session_verify:
 * @self: an #MsTlsSession after a successful handshake
 * @error: return location for an error
 *
 * Checks the server's certificate: the chain against the system store and
 * the CA file (or the pin in its place), the validity dates, the host name,
 * the key and signature strength. Fills the session's #MsTlsInfo even when
 * the check fails, so that the certificate can be shown.
 *
 * Errors: certificate-expired, certificate-not-yet-valid,
 *   certificate-untrusted, certificate-name-mismatch, pin-mismatch.
 *
 * Returns: %TRUE when the server is trusted
 */
gboolean
ms_tls_session_verify (MsTlsSession  *self,
                       GError       **error)
{
  const gnutls_datum_t *certs;
  unsigned int n_certs = 0;
  gnutls_x509_crt_t leaf = NULL;
  gboolean ok;

  g_return_val_if_fail (self != NULL, FALSE);

  ms_tls_info_free (self->info);
  self->info = new_session_info (self);

  certs = gnutls_certificate_get_peers (self->session, &n_certs);
  if (certs == NULL || n_certs == 0)
    {
      g_set_error (error, MS_ERROR, MS_ERROR_CERTIFICATE_UNTRUSTED, "%s",
                   _("The server sent no certificate"));
      return FALSE;
    }

  self->info->chain_pem = chain_to_pem (certs, n_certs);
  if (gnutls_x509_crt_init (&leaf) < 0
      || gnutls_x509_crt_import (leaf, &certs[0], GNUTLS_X509_FMT_DER) < 0)
    {
      if (leaf != NULL)
        gnutls_x509_crt_deinit (leaf);
      g_set_error (error, MS_ERROR, MS_ERROR_CERTIFICATE_UNTRUSTED, "%s",
                   _("The server’s certificate could not be read"));
      return FALSE;
    }

  fill_cert_info (self->info, leaf);
  ok = verify_leaf (self, leaf, error);
  gnutls_x509_crt_deinit (leaf);

  return ok;
}

/**
 * ms_tls_session_dup_info:
 * @self: an #MsTlsSession
 *
 * Returns: (transfer full) (nullable): what the last verification saw
 */
MsTlsInfo *
ms_tls_session_dup_info (MsTlsSession *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->info ? ms_tls_info_copy (self->info) : NULL;
}

/**
 * ms_tls_session_get_flights:
 * @self: an #MsTlsSession after the handshake
 *
 * Returns: how many times the handshake waited for the server: one for
 *   TLS 1.3, two for TLS 1.2
 */
guint
ms_tls_session_get_flights (MsTlsSession *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return gnutls_protocol_get_version (self->session) == GNUTLS_TLS1_3 ? 1 : 2;
}

/**
 * ms_tls_session_recv:
 * @self: an #MsTlsSession
 * @buffer: where to put the data
 * @length: room in @buffer
 * @error: return location for an error
 *
 * Errors: connection-lost, protocol-error (a broken record).
 *
 * Returns: octets read, 0 at a clean end of stream, -1 on error
 */
gssize
ms_tls_session_recv (MsTlsSession  *self,
                     void          *buffer,
                     gsize          length,
                     GError       **error)
{
  ssize_t ret;

  do
    ret = gnutls_record_recv (self->session, buffer, length);
  while (ret == GNUTLS_E_AGAIN || ret == GNUTLS_E_INTERRUPTED);

  if (ret >= 0)
    return ret;

  if (ret == GNUTLS_E_PREMATURE_TERMINATION)
    g_set_error (error, MS_ERROR, MS_ERROR_CONNECTION_LOST, "%s: %s",
                 _("The connection closed"), gnutls_strerror (ret));
  else
    g_set_error (error, MS_ERROR, MS_ERROR_PROTOCOL_ERROR, "TLS: %s", gnutls_strerror (ret));

  return -1;
}

/**
 * ms_tls_session_send_all:
 * @self: an #MsTlsSession
 * @buffer: data to send
 * @length: its length
 * @error: return location for an error
 *
 * Errors: connection-lost.
 *
 * Returns: %TRUE when everything was sent
 */
gboolean
ms_tls_session_send_all (MsTlsSession  *self,
                         const void    *buffer,
                         gsize          length,
                         GError       **error)
{
  const char *p = buffer;

  while (length > 0)
    {
      ssize_t ret = gnutls_record_send (self->session, p, length);

      if (ret == GNUTLS_E_AGAIN || ret == GNUTLS_E_INTERRUPTED)
        continue;
      if (ret < 0)
        return set_tls_error (error, MS_ERROR_CONNECTION_LOST, ret, _("Sending failed"));
      p += ret;
      length -= ret;
    }

  return TRUE;
}

/**
 * ms_tls_session_pending:
 * @self: an #MsTlsSession
 *
 * Returns: decrypted octets waiting to be read
 */
gsize
ms_tls_session_pending (MsTlsSession *self)
{
  return gnutls_record_check_pending (self->session);
}

/**
 * ms_tls_session_bye:
 * @self: an #MsTlsSession
 *
 * Sends close_notify without waiting for the server's.
 */
void
ms_tls_session_bye (MsTlsSession *self)
{
  gnutls_bye (self->session, GNUTLS_SHUT_WR);
}

/**
 * ms_tls_spki_pin_from_pem:
 * @pem: a PEM certificate
 * @error: return location for an error
 *
 * Errors: invalid-input.
 *
 * Returns: (transfer full) (nullable): the certificate's pin, "sha256//BASE64"
 */
char *
ms_tls_spki_pin_from_pem (const char  *pem,
                          GError     **error)
{
  gnutls_x509_crt_t crt = NULL;
  gnutls_datum_t datum = { (unsigned char *) pem, pem ? strlen (pem) : 0 };
  char *pin = NULL;

  g_return_val_if_fail (pem != NULL, NULL);

  if (gnutls_x509_crt_init (&crt) >= 0
      && gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_PEM) >= 0)
    pin = spki_pin_of (crt);
  if (crt != NULL)
    gnutls_x509_crt_deinit (crt);

  if (pin == NULL)
    g_set_error (error, MS_ERROR, MS_ERROR_INVALID_INPUT, "%s", _("Not a PEM certificate"));

  return pin;
}
