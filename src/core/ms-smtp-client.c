/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-smtp-client"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "ms-advice.h"
#include "ms-error.h"
#include "ms-message.h"
#include "ms-smtp-client.h"
#include "ms-smtp-reply.h"
#include "ms-transcript.h"
#include "ms-transport.h"
#include "ms-validate.h"

/* What we call ourselves in EHLO: no host name leaks, as msmtp does. */
#define MS_EHLO_DOMAIN "localhost"

/* A port that sends no greeting this soon may be waiting for a ClientHello
 * (implicit TLS): then one handshake on a fresh connection tells. */
#define MS_GREETING_SHORT_WAIT_US (2 * G_USEC_PER_SEC)
#define MS_TLS_SNIFF_MAX_US       (3 * G_USEC_PER_SEC)

struct _MsSmtpClient
{
  GObject              parent_instance;

  MsRequest           *request;
  MsResult            *result;
  GCancellable        *cancellable;
  MsTranscript        *transcript;
  MsTransport         *transport;
  MsSmtpReplyParser   *parser;
  MsSmtpCapabilities  *caps;
  GString             *out;
  gboolean             out_has_secret;
  char                *host;
  gboolean             host_is_literal;
  guint16              port;
  char                *user;
  GList               *addresses;
  gint64               timeout_us;
  gint64               step_start;
  gboolean             broken;
  GPtrArray           *secret_forms;  /* the password as a server could echo it */
};

G_DEFINE_FINAL_TYPE (MsSmtpClient, ms_smtp_client, G_TYPE_OBJECT)

static void
wipe_out (MsSmtpClient *self)
{
  if (self->out_has_secret)
    ms_wipe (self->out->str, self->out->allocated_len);
  g_string_truncate (self->out, 0);
  self->out_has_secret = FALSE;
}

static void
ms_smtp_client_finalize (GObject *object)
{
  MsSmtpClient *self = MS_SMTP_CLIENT (object);

  g_clear_pointer (&self->transport, ms_transport_free);
  wipe_out (self);
  g_string_free (self->out, TRUE);
  g_clear_pointer (&self->caps, ms_smtp_capabilities_free);
  g_clear_pointer (&self->parser, ms_smtp_reply_parser_free);
  g_clear_pointer (&self->transcript, ms_transcript_free);
  g_list_free_full (self->addresses, g_object_unref);
  g_clear_pointer (&self->request, ms_request_free);
  g_clear_pointer (&self->result, ms_result_unref);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->secret_forms, g_ptr_array_unref);
  g_free (self->host);
  g_free (self->user);

  G_OBJECT_CLASS (ms_smtp_client_parent_class)->finalize (object);
}

static void
ms_smtp_client_class_init (MsSmtpClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ms_smtp_client_finalize;
}

static void
ms_smtp_client_init (MsSmtpClient *self)
{
  self->parser = ms_smtp_reply_parser_new ();
  self->out = g_string_sized_new (1024);
}

/**
 * ms_smtp_client_new:
 * @request: what to connect to and with; copied
 * @result: where every step, detail and error goes
 * @transcript_prefix: (nullable): put before each line given to the
 *   request's transcript function
 * @cancellable: (nullable): cancels every blocking call within a second
 *
 * Returns: (transfer full): a new client, not connected
 */
MsSmtpClient *
ms_smtp_client_new (const MsRequest *request,
                    MsResult        *result,
                    const char      *transcript_prefix,
                    GCancellable    *cancellable)
{
  MsSmtpClient *self;

  g_return_val_if_fail (request != NULL && request->config != NULL, NULL);
  g_return_val_if_fail (result != NULL, NULL);

  self = g_object_new (MS_TYPE_SMTP_CLIENT, NULL);
  self->request = ms_request_copy (request);
  self->result = ms_result_ref (result);
  self->cancellable = cancellable ? g_object_ref (cancellable) : NULL;
  self->transcript = ms_transcript_new (result, request->transcript_func,
                                        request->transcript_data, transcript_prefix);
  self->timeout_us = (gint64) (request->config->timeout_seconds ? request->config->timeout_seconds
                                                                : MS_DEFAULT_TIMEOUT_SECONDS)
                     * G_USEC_PER_SEC;

  return self;
}

/* ---- steps and errors ---- */

static void
step_begin (MsSmtpClient *self)
{
  self->step_start = g_get_monotonic_time ();
  if (self->transport != NULL)
    ms_transport_set_deadline (self->transport, self->step_start + self->timeout_us);
}

static char *
reply_display (const MsSmtpReply *reply)
{
  return ms_smtp_reply_to_display (reply);
}

static MsStep *
step_end (MsSmtpClient      *self,
          MsStepKind         kind,
          gboolean           ok,
          const MsSmtpReply *reply)
{
  gint64 ms = (g_get_monotonic_time () - self->step_start) / 1000;
  MsStep *step = ms_result_add_step (self->result, kind, ok, ms);

  if (reply != NULL)
    step->reply = reply_display (reply);

  return step;
}

/* The first failure is the one reported: later ones (a 530 to MAIL after a
 * failed AUTH in one pipelined group) are its consequences. */
static gboolean
fail (MsSmtpClient      *self,
      MsStepKind         kind,
      MsErrorCode        code,
      const char        *detail,
      const MsSmtpReply *reply)
{
  MsResultError *error;

  if (self->result->error != NULL)
    return FALSE;

  error = ms_result_set_error (self->result, code, kind, NULL);
  error->detail = g_strdup (detail);
  if (reply != NULL)
    error->server_reply = reply_display (reply);

  return FALSE;
}

static gboolean
fail_step (MsSmtpClient      *self,
           MsStepKind         kind,
           MsErrorCode        code,
           const char        *detail,
           const MsSmtpReply *reply)
{
  MsStep *step = step_end (self, kind, FALSE, reply);

  step->detail = g_strdup (detail);

  return fail (self, kind, code, detail, reply);
}

static gboolean
fail_gerror (MsSmtpClient *self,
             MsStepKind    kind,
             const GError *error)
{
  MsErrorCode code = ms_error_get_code (error);

  if (code != MS_ERROR_INVALID_INPUT)
    self->broken = TRUE;

  return fail_step (self, kind, code, error->message, NULL);
}

static gboolean
fail_reply (MsSmtpClient      *self,
            MsStepKind         kind,
            const MsSmtpReply *reply)
{
  g_autofree char *text = reply->lines ? g_strjoinv (" ", reply->lines) : g_strdup ("");
  MsErrorCode code = ms_advice_classify_reply (kind, reply->code, reply->enhanced, text);

  return fail_step (self, kind, code, NULL, reply);
}

/* ---- the wire ---- */

static void
queue_command (MsSmtpClient *self,
               const char   *line)
{
  ms_transcript_client (self->transcript, line);
  g_string_append (self->out, line);
  g_string_append (self->out, "\r\n");
}

/* @line holds a secret: the transcript gets @visible and a placeholder, the
 * buffer is wiped once sent. The buffer was sized beforehand so that no
 * reallocation leaves a copy behind. */
static void
queue_secret (MsSmtpClient *self,
              const char   *visible,
              const char   *line)
{
  ms_transcript_client_redacted (self->transcript, visible);
  self->out_has_secret = TRUE;
  g_string_append (self->out, line);
  g_string_append (self->out, "\r\n");
}

static void
reserve_out (MsSmtpClient *self,
             gsize         size)
{
  if (self->out->allocated_len < size + 1)
    {
      wipe_out (self);
      g_string_free (self->out, TRUE);
      self->out = g_string_sized_new (size + 1);
    }
}

/* Sends what was queued; the client then waits for the server, which is
 * what a round trip is. */
static gboolean
flush (MsSmtpClient *self,
       MsStepKind    kind)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = ms_transport_write_all (self->transport, self->out->str, self->out->len, &error);

  wipe_out (self);
  if (!ok)
    return fail_gerror (self, kind, error);

  self->result->round_trips++;

  return TRUE;
}

static void
wipe_and_free (gpointer text)
{
  ms_wipe (text, strlen (text));
  g_free (text);
}

/* The forms in which the password crosses the wire: as typed, base64 (AUTH
 * LOGIN) and base64 of "\0user\0password" (AUTH PLAIN). */
static GPtrArray *
build_secret_forms (MsPassword *password,
                    const char *user)
{
  GPtrArray *forms = g_ptr_array_new_with_free_func (wipe_and_free);
  const char *text = ms_password_get_text (password);
  gsize length = ms_password_get_length (password);
  gsize user_length = user ? strlen (user) : 0;
  g_autofree guchar *plain = g_malloc (user_length + length + 2);

  g_ptr_array_add (forms, g_strdup (text));
  g_ptr_array_add (forms, g_base64_encode ((const guchar *) text, length));
  plain[0] = '\0';
  memcpy (plain + 1, user ? user : "", user_length);
  plain[user_length + 1] = '\0';
  memcpy (plain + user_length + 2, text, length);
  g_ptr_array_add (forms, g_base64_encode (plain, user_length + length + 2));
  ms_wipe (plain, user_length + length + 2);

  return forms;
}

/* A hostile or buggy server may echo what it was sent: redact the secret in
 * the reply itself, before it reaches the transcript, a step or an error
 * (SECURITY-TESTS.md L1). Forms shorter than 3 octets would only mangle
 * ordinary text. */
static void
scrub_reply (MsSmtpClient *self,
             MsSmtpReply  *reply)
{
  if (self->request->password == NULL || reply == NULL)
    return;
  if (self->secret_forms == NULL)
    self->secret_forms = build_secret_forms (self->request->password,
                                             self->user ? self->user
                                                        : self->request->config->username);

  for (guint i = 0; reply->lines != NULL && reply->lines[i] != NULL; i++)
    {
      for (guint j = 0; j < self->secret_forms->len; j++)
        {
          const char *form = g_ptr_array_index (self->secret_forms, j);
          g_auto(GStrv) parts = NULL;

          if (strlen (form) < 3 || strstr (reply->lines[i], form) == NULL)
            continue;
          parts = g_strsplit (reply->lines[i], form, -1);
          wipe_and_free (reply->lines[i]);
          reply->lines[i] = g_strjoinv ("<redacted>", parts);
        }
    }
}

static MsSmtpReply *
read_reply (MsSmtpClient *self,
            MsStepKind    kind)
{
  g_autoptr(GError) error = NULL;
  MsSmtpReply *reply = ms_transport_read_reply (self->transport, self->parser, &error);

  if (reply == NULL)
    {
      fail_gerror (self, kind, error);
      return NULL;
    }

  scrub_reply (self, reply);
  ms_transcript_server_reply (self->transcript, reply);

  return reply;
}

static MsSmtpReply *
command (MsSmtpClient *self,
         MsStepKind    kind,
         const char   *line)
{
  queue_command (self, line);
  if (!flush (self, kind))
    return NULL;

  return read_reply (self, kind);
}

/* ---- configuration ---- */

static gboolean
fail_config (MsSmtpClient *self,
             GError       *error)
{
  step_begin (self);

  return fail_step (self, MS_STEP_CONFIG, ms_error_get_code (error), error->message, NULL);
}

static gboolean
check_server (MsSmtpClient  *self,
              GError       **error)
{
  const MsSmtpConfig *config = self->request->config;

  self->host = ms_validate_host (_("Server"), config->host, &self->host_is_literal, error);
  if (self->host == NULL)
    return FALSE;

  if (config->security == MS_SECURITY_AUTO)
    {
      g_set_error (error, MS_ERROR, MS_ERROR_INVALID_INPUT, "%s",
                   _("Choose a security mode: “auto” is only for probing"));
      return FALSE;
    }

  self->port = config->port ? config->port : ms_security_default_port (config->security);

  return (config->pin == NULL || *config->pin == '\0' || ms_validate_pin (config->pin, error))
         && ms_validate_no_control (_("CA file"), config->ca_file ? config->ca_file : "", error);
}

static gboolean
check_login (MsSmtpClient  *self,
             GError       **error)
{
  const char *user = self->request->config->username;

  if (user == NULL || *user == '\0')
    user = self->request->from;

  if (user == NULL || *user == '\0')
    {
      g_set_error (error, MS_ERROR, MS_ERROR_INVALID_INPUT, "%s",
                   _("No user name to sign in with"));
      return FALSE;
    }
  if (self->request->password == NULL || ms_password_get_length (self->request->password) == 0)
    {
      g_set_error (error, MS_ERROR, MS_ERROR_INVALID_INPUT, "%s",
                   _("No password to sign in with"));
      return FALSE;
    }

  self->user = g_strdup (user);

  return ms_validate_no_control (_("User name"), user, error);
}

static gboolean
check_envelope (MsSmtpClient  *self,
                gboolean       needs_message,
                GError       **error)
{
  const MsRequest *request = self->request;

  if (!ms_validate_address (_("Sender"), request->from ? request->from : "", error))
    return FALSE;

  for (guint i = 0; request->recipients && request->recipients[i]; i++)
    if (!ms_validate_address (_("Recipient"), request->recipients[i], error))
      return FALSE;

  if (needs_message && (request->recipients == NULL || request->recipients[0] == NULL))
    {
      g_set_error (error, MS_ERROR, MS_ERROR_INVALID_INPUT, "%s", _("No recipient"));
      return FALSE;
    }
  if (needs_message && request->message == NULL)
    {
      g_set_error (error, MS_ERROR, MS_ERROR_INVALID_INPUT, "%s", _("No message to send"));
      return FALSE;
    }

  return TRUE;
}

/**
 * ms_smtp_client_check_config:
 * @self: an #MsSmtpClient
 * @needs: what the operation will need besides the server
 *
 * Checks everything before any byte goes out: host (normalised once for
 * DNS, SNI and the certificate), port, security, pin, and as @needs says
 * the credentials, the sender, the recipients and the message.
 *
 * Errors: invalid-input (step config).
 *
 * Returns: %TRUE when the request can be run
 */
gboolean
ms_smtp_client_check_config (MsSmtpClient *self,
                             MsSmtpNeeds   needs)
{
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), FALSE);

  if (!check_server (self, &error)
      || ((needs & MS_SMTP_NEEDS_AUTH) && !check_login (self, &error))
      || ((needs & MS_SMTP_NEEDS_SENDER)
          && !check_envelope (self, (needs & MS_SMTP_NEEDS_MESSAGE) != 0, &error)))
    return fail_config (self, error);

  g_free (self->result->host);
  self->result->host = g_strdup (self->host);
  self->result->port = self->port;

  return TRUE;
}

const char *
ms_smtp_client_get_host (MsSmtpClient *self)
{
  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), NULL);

  return self->host;
}

/* ---- connecting ---- */

static char **
addresses_to_strv (GList *addresses)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  char **strv;

  for (GList *l = addresses; l != NULL; l = l->next)
    {
      g_autofree char *text = g_inet_address_to_string (l->data);

      g_strv_builder_add (builder, text);
    }

  strv = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);

  return strv;
}

static gboolean
resolve (MsSmtpClient *self)
{
  g_autoptr(GError) error = NULL;
  MsStep *step;

  step_begin (self);
  self->addresses = ms_transport_resolve (self->host, self->cancellable, &error);
  if (self->addresses == NULL)
    return fail_gerror (self, MS_STEP_RESOLVE, error);

  step = step_end (self, MS_STEP_RESOLVE, TRUE, NULL);
  step->addresses = addresses_to_strv (self->addresses);

  /* Plain SMTP would carry the password in clear: only on this machine. */
  if (self->request->config->security == MS_SECURITY_NONE
      && !ms_transport_all_loopback (self->addresses))
    {
      step_begin (self);
      return fail_step (self, MS_STEP_CONFIG, MS_ERROR_INVALID_INPUT,
                        _("Security “none” is only allowed when the server is this "
                          "computer (loopback)"), NULL);
    }

  return TRUE;
}

static gboolean
connect_server (MsSmtpClient *self)
{
  g_autoptr(GError) error = NULL;
  MsStep *step;

  step_begin (self);
  self->transport = ms_transport_connect (self->addresses, self->port,
                                          self->step_start + self->timeout_us,
                                          self->cancellable, &error);
  if (self->transport == NULL)
    return fail_gerror (self, MS_STEP_CONNECT, error);

  step = step_end (self, MS_STEP_CONNECT, TRUE, NULL);
  step->address = g_inet_address_to_string (ms_transport_get_address (self->transport));
  ms_transcript_event (self->transcript, "connected to %s port %u", step->address, self->port);

  return TRUE;
}

static void
log_tls (MsSmtpClient *self,
         gboolean      ok)
{
  MsTlsInfo *info = self->result->tls;

  if (info == NULL)
    return;

  if (ok)
    ms_transcript_event (self->transcript, "TLS up: %s, %s", info->version, info->cipher);
  if (ok && info->pinned)
    ms_transcript_event (self->transcript, "certificate pinned: %s (%s)",
                         info->subject ? info->subject : "", info->spki_sha256);
  else if (ok)
    ms_transcript_event (self->transcript, "certificate verified: %s, issued by %s",
                         info->subject ? info->subject : "", info->issuer ? info->issuer : "");
  else
    ms_transcript_event (self->transcript, "certificate rejected: %s",
                         info->verify_detail ? info->verify_detail : "");
}

static gboolean
start_tls (MsSmtpClient *self)
{
  const MsSmtpConfig *config = self->request->config;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  step_begin (self);
  ok = ms_transport_start_tls (self->transport, self->host, self->host_is_literal,
                               config->ca_file, config->pin, &error);
  self->result->round_trips += ms_transport_get_tls_flights (self->transport);
  ms_tls_info_free (self->result->tls);
  self->result->tls = ms_transport_dup_tls_info (self->transport);
  log_tls (self, ok);

  /* Plain SMTP where the ServerHello should be, after our STARTTLS got its
   * 220: someone on the path is talking, not a port in the other mode. */
  if (!ok && config->security == MS_SECURITY_STARTTLS
      && g_error_matches (error, MS_ERROR, MS_ERROR_WRONG_SECURITY_MODE))
    {
      g_clear_error (&error);
      g_set_error (&error, MS_ERROR, MS_ERROR_STARTTLS_INJECTION, "%s",
                   "plain SMTP data instead of the TLS handshake after STARTTLS");
    }

  if (!ok)
    {
      fail_gerror (self, MS_STEP_TLS, error);
      if (self->result->error && self->result->tls && self->result->tls->verify_detail)
        {
          g_free (self->result->error->detail);
          self->result->error->detail = g_strdup (self->result->tls->verify_detail);
        }
      if (g_error_matches (error, MS_ERROR, MS_ERROR_WRONG_SECURITY_MODE) && self->result->error)
        {
          self->result->error->has_suggestion = TRUE;
          self->result->error->suggestion_port = self->port;
          self->result->error->suggestion_security = MS_SECURITY_STARTTLS;
        }
      return FALSE;
    }

  step_end (self, MS_STEP_TLS, TRUE, NULL);

  return TRUE;
}

/* Nothing after a short wait: perhaps the port waits for a ClientHello. */
static gboolean
greeting_missing_speaks_tls (MsSmtpClient *self)
{
  g_autoptr(GError) error = NULL;
  gint64 short_wait = MIN (MS_GREETING_SHORT_WAIT_US, self->timeout_us / 3);
  gint64 sniff_deadline;

  if (ms_transport_wait_input (self->transport, self->step_start + short_wait, &error))
    return FALSE;
  if (g_error_matches (error, MS_ERROR, MS_ERROR_CANCELLED))
    return FALSE;

  sniff_deadline = MIN (self->step_start + self->timeout_us,
                        g_get_monotonic_time () + MS_TLS_SNIFF_MAX_US);

  return ms_transport_speaks_tls (ms_transport_get_address (self->transport), self->port,
                                  self->host, self->host_is_literal, sniff_deadline,
                                  self->cancellable);
}

static gboolean
greeting (MsSmtpClient *self)
{
  g_autoptr(MsSmtpReply) reply = NULL;

  step_begin (self);

  if (!ms_transport_is_tls (self->transport) && greeting_missing_speaks_tls (self))
    {
      MsResultError *error;

      fail_step (self, MS_STEP_GREETING, MS_ERROR_WRONG_SECURITY_MODE,
                 "no greeting; the port answers a TLS handshake (implicit TLS)", NULL);
      error = self->result->error;
      error->has_suggestion = TRUE;
      error->suggestion_port = self->port;
      error->suggestion_security = MS_SECURITY_TLS;
      self->broken = TRUE;
      return FALSE;
    }

  self->result->round_trips++;
  reply = read_reply (self, MS_STEP_GREETING);
  if (reply == NULL)
    return FALSE;

  /* A server speaks after the greeting only when asked: a reply already
   * waiting would be taken for the EHLO reply (a pre-injected one). */
  if (reply->code == 220 && ms_transport_has_buffered_input (self->transport))
    {
      self->broken = TRUE;
      return fail_step (self, MS_STEP_GREETING, MS_ERROR_PROTOCOL_ERROR,
                        "the server sent more after its greeting before EHLO", reply);
    }

  if (reply->code == 220)
    {
      step_end (self, MS_STEP_GREETING, TRUE, reply);
      return TRUE;
    }

  return fail_step (self, MS_STEP_GREETING,
                    reply->code >= 400 ? MS_ERROR_GREETING_REJECTED : MS_ERROR_PROTOCOL_ERROR,
                    NULL, reply);
}

static gboolean
ehlo (MsSmtpClient *self)
{
  g_autoptr(MsSmtpReply) reply = NULL;

  step_begin (self);
  /* After STARTTLS nothing learnt in clear may be used (S10). */
  g_clear_pointer (&self->caps, ms_smtp_capabilities_free);
  g_clear_pointer (&self->result->capabilities, g_strfreev);
  g_clear_pointer (&self->result->auth_mechanisms, g_strfreev);

  reply = command (self, MS_STEP_EHLO, "EHLO " MS_EHLO_DOMAIN);
  if (reply == NULL)
    return FALSE;

  /* Never HELO: a server without ESMTP cannot do STARTTLS or AUTH (S5). */
  if (reply->code != 250)
    return fail_reply (self, MS_STEP_EHLO, reply);

  self->caps = ms_smtp_capabilities_parse (reply);
  if (self->caps == NULL)
    return fail_step (self, MS_STEP_EHLO, MS_ERROR_PROTOCOL_ERROR, "unreadable EHLO reply", reply);

  self->result->capabilities = ms_smtp_capabilities_to_strv (self->caps);
  self->result->auth_mechanisms = ms_smtp_capabilities_auth_mechanisms (self->caps);
  step_end (self, MS_STEP_EHLO, TRUE, reply);

  return TRUE;
}

static MsErrorCode
starttls_refusal_code (guint code)
{
  if (code >= 500)
    return MS_ERROR_STARTTLS_UNAVAILABLE;
  if (code >= 400)
    return MS_ERROR_TEMPORARY_FAILURE;

  return MS_ERROR_PROTOCOL_ERROR;
}

static gboolean
starttls (MsSmtpClient *self)
{
  g_autoptr(MsSmtpReply) reply = NULL;

  step_begin (self);
  if (!ms_smtp_capabilities_has (self->caps, "STARTTLS"))
    return fail_step (self, MS_STEP_STARTTLS, MS_ERROR_STARTTLS_UNAVAILABLE,
                      "STARTTLS not offered in the EHLO reply", NULL);

  reply = command (self, MS_STEP_STARTTLS, "STARTTLS");
  if (reply == NULL)
    return FALSE;

  if (reply->code != 220)
    {
      self->broken = TRUE;
      return fail_step (self, MS_STEP_STARTTLS, starttls_refusal_code (reply->code), NULL, reply);
    }

  /* Anything the server "sent" before our ClientHello was injected by
   * someone on the path (S6-S8): it must not reach the TLS session. */
  if (ms_transport_has_pending_input (self->transport))
    {
      self->broken = TRUE;
      ms_transcript_event (self->transcript, "bytes after the STARTTLS reply: injection");
      return fail_step (self, MS_STEP_STARTTLS, MS_ERROR_STARTTLS_INJECTION,
                        "data arrived between the 220 reply to STARTTLS and the TLS handshake",
                        reply);
    }

  step_end (self, MS_STEP_STARTTLS, TRUE, reply);

  return start_tls (self) && ehlo (self);
}

/**
 * ms_smtp_client_open:
 * @self: an #MsSmtpClient after ms_smtp_client_check_config()
 *
 * Resolve, connect, TLS (implicit), greeting, EHLO, and for STARTTLS the
 * upgrade and EHLO again. Detects a port that speaks the other mode.
 *
 * Errors: dns-failed, connect-refused, connect-timeout, timeout,
 *   wrong-security-mode (with a suggestion), tls-handshake-failed,
 *   certificate-*, pin-mismatch, greeting-rejected, starttls-unavailable,
 *   starttls-injection, temporary-failure, protocol-error, connection-lost,
 *   invalid-input (security none to a host that is not loopback), cancelled.
 *
 * Returns: %TRUE when the session is ready for AUTH or MAIL
 */
gboolean
ms_smtp_client_open (MsSmtpClient *self)
{
  MsSecurity security;

  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), FALSE);
  g_return_val_if_fail (self->host != NULL, FALSE);

  security = self->request->config->security;
  if (!resolve (self) || !connect_server (self))
    return FALSE;

  if (security == MS_SECURITY_TLS)
    return start_tls (self) && greeting (self) && ehlo (self);

  if (!greeting (self) || !ehlo (self))
    return FALSE;

  if (security == MS_SECURITY_NONE)
    {
      ms_transcript_event (self->transcript,
                           "no encryption: allowed only because the server is on this computer");
      return TRUE;
    }

  return starttls (self);
}

gboolean
ms_smtp_client_has_extension (MsSmtpClient *self,
                              const char   *keyword)
{
  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), FALSE);

  return self->caps != NULL && ms_smtp_capabilities_has (self->caps, keyword);
}

/* ---- AUTH ---- */

static gboolean
use_plain (MsSmtpClient *self)
{
  return ms_smtp_capabilities_has_auth (self->caps, "PLAIN");
}

static gboolean
auth_allowed (MsSmtpClient *self)
{
  MsPassword *password = self->request->password;

  step_begin (self);

  if (self->transport == NULL || self->caps == NULL)
    return fail_step (self, MS_STEP_AUTH, MS_ERROR_INTERNAL, "not connected", NULL);

  /* Defence in depth: open() never leaves a TLS-required session in clear. */
  if (!ms_transport_is_tls (self->transport)
      && !(self->request->config->security == MS_SECURITY_NONE
           && ms_transport_all_loopback (self->addresses)))
    return fail_step (self, MS_STEP_AUTH, MS_ERROR_STARTTLS_UNAVAILABLE,
                      "refusing to send credentials without TLS", NULL);

  if (!ms_transport_is_tls (self->transport))
    ms_transcript_event (self->transcript, "AUTH without TLS: the server is on this computer");

  if (!ms_smtp_capabilities_has_auth (self->caps, "PLAIN")
      && !ms_smtp_capabilities_has_auth (self->caps, "LOGIN"))
    return fail_step (self, MS_STEP_AUTH, MS_ERROR_AUTH_UNSUPPORTED,
                      "the server offers neither AUTH PLAIN nor AUTH LOGIN", NULL);

  /* V6: PLAIN separates the fields with NUL, so a NUL cannot be sent. */
  if (use_plain (self)
      && memchr (ms_password_get_text (password), '\0', ms_password_get_length (password)))
    return fail_step (self, MS_STEP_AUTH, MS_ERROR_INVALID_INPUT,
                      "the password holds a NUL character, which AUTH PLAIN cannot carry", NULL);

  return TRUE;
}

/* "AUTH PLAIN base64(\0user\0password)" into the output buffer; every
 * temporary copy of the secret is wiped. */
static void
queue_auth_plain (MsSmtpClient *self)
{
  MsPassword *password = self->request->password;
  gsize user_len = strlen (self->user);
  gsize pass_len = ms_password_get_length (password);
  gsize raw_len = 1 + user_len + 1 + pass_len;
  g_autofree char *raw = NULL;
  char *b64, *line;

  raw = g_malloc0 (raw_len);
  memcpy (raw + 1, self->user, user_len);
  memcpy (raw + 2 + user_len, ms_password_get_text (password), pass_len);
  b64 = g_base64_encode ((const guchar *) raw, raw_len);
  ms_wipe (raw, raw_len);
  line = g_strconcat ("AUTH PLAIN ", b64, NULL);
  ms_wipe (b64, strlen (b64));
  g_free (b64);

  queue_secret (self, "AUTH PLAIN", line);
  ms_wipe (line, strlen (line));
  g_free (line);
}

static gsize
auth_plain_size (MsSmtpClient *self)
{
  gsize raw = strlen (self->user) + ms_password_get_length (self->request->password) + 2;

  return 16 + (raw + 2) / 3 * 4;
}

static gboolean
check_auth_reply (MsSmtpClient      *self,
                  const MsSmtpReply *reply)
{
  if (reply->code == 235)
    {
      step_end (self, MS_STEP_AUTH, TRUE, reply);
      return TRUE;
    }
  if (reply->code == 334)
    {
      self->broken = TRUE;
      return fail_step (self, MS_STEP_AUTH, MS_ERROR_PROTOCOL_ERROR,
                        "a challenge after AUTH PLAIN with an initial response", reply);
    }

  return fail_reply (self, MS_STEP_AUTH, reply);
}

static gboolean
is_base64 (const char *text)
{
  gsize len = strlen (text);

  for (const char *p = text; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '+' && *p != '/' && *p != '=')
      return FALSE;

  return len % 4 == 0;
}

/* A 334 whose text is not base64 is not a challenge: cancel with "*". */
static gboolean
check_login_challenge (MsSmtpClient      *self,
                       const MsSmtpReply *reply)
{
  g_autoptr(MsSmtpReply) cancel_reply = NULL;
  const char *text = reply->lines && reply->lines[0] ? reply->lines[0] : "";

  if (reply->code != 334)
    return fail_reply (self, MS_STEP_AUTH, reply);
  if (is_base64 (text))
    return TRUE;

  cancel_reply = command (self, MS_STEP_AUTH, "*");
  self->broken = TRUE;

  return fail_step (self, MS_STEP_AUTH, MS_ERROR_PROTOCOL_ERROR,
                    "AUTH LOGIN challenge is not base64", reply);
}

static MsSmtpReply *
send_login_secret (MsSmtpClient *self,
                   const char   *secret,
                   gsize         length)
{
  char *b64 = g_base64_encode ((const guchar *) secret, length);

  reserve_out (self, strlen (b64) + 4);
  queue_secret (self, NULL, b64);
  ms_wipe (b64, strlen (b64));
  g_free (b64);

  if (!flush (self, MS_STEP_AUTH))
    return NULL;

  return read_reply (self, MS_STEP_AUTH);
}

static gboolean
auth_login (MsSmtpClient *self)
{
  MsPassword *password = self->request->password;
  g_autoptr(MsSmtpReply) challenge = command (self, MS_STEP_AUTH, "AUTH LOGIN");
  g_autoptr(MsSmtpReply) user_reply = NULL;
  g_autoptr(MsSmtpReply) final = NULL;

  if (challenge == NULL || !check_login_challenge (self, challenge))
    return FALSE;

  user_reply = send_login_secret (self, self->user, strlen (self->user));
  if (user_reply == NULL || !check_login_challenge (self, user_reply))
    return FALSE;

  final = send_login_secret (self, ms_password_get_text (password),
                             ms_password_get_length (password));
  if (final == NULL)
    return FALSE;

  return check_auth_reply (self, final);
}

static gboolean
auth_plain (MsSmtpClient *self)
{
  g_autoptr(MsSmtpReply) reply = NULL;

  reserve_out (self, auth_plain_size (self));
  queue_auth_plain (self);
  if (!flush (self, MS_STEP_AUTH))
    return FALSE;

  reply = read_reply (self, MS_STEP_AUTH);

  return reply != NULL && check_auth_reply (self, reply);
}

/**
 * ms_smtp_client_authenticate:
 * @self: an open #MsSmtpClient
 *
 * AUTH PLAIN with an initial response when offered, else AUTH LOGIN; only
 * over TLS (or in clear to a loopback server with security none).
 *
 * Errors: auth-unsupported, auth-failed, app-password-required,
 *   web-login-required (and other provider codes), invalid-input (NUL in
 *   the password for PLAIN), temporary-failure, protocol-error, timeout,
 *   connection-lost, cancelled.
 *
 * Returns: %TRUE when signed in
 */
gboolean
ms_smtp_client_authenticate (MsSmtpClient *self)
{
  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), FALSE);
  g_return_val_if_fail (self->user != NULL, FALSE);

  if (!auth_allowed (self))
    return FALSE;

  return use_plain (self) ? auth_plain (self) : auth_login (self);
}

/* ---- the mail transaction ---- */

typedef enum
{
  CMD_AUTH,
  CMD_MAIL,
  CMD_RCPT,
  CMD_DATA,
  CMD_BDAT,
} CommandKind;

typedef struct
{
  const char * const *recipients;
  GBytes             *message;
  GBytes             *wire;       /* dot-stuffed for DATA, CRLF only for BDAT */
  gboolean            chunking;
  gboolean            pipelining;
  guint               n_accepted;
  MsSmtpReply        *last_refusal;
  gboolean            data_accepted;
} Transaction;

static void
transaction_clear (Transaction *t)
{
  g_clear_pointer (&t->wire, g_bytes_unref);
  g_clear_pointer (&t->last_refusal, ms_smtp_reply_free);
}

static gboolean
has_8bit (GBytes *bytes)
{
  gsize len;
  const guchar *p = g_bytes_get_data (bytes, &len);

  for (gsize i = 0; i < len; i++)
    if (p[i] & 0x80)
      return TRUE;

  return FALSE;
}

static gboolean
envelope_is_ascii (const char         *from,
                   const char * const *recipients)
{
  if (!ms_address_is_ascii (from))
    return FALSE;
  for (guint i = 0; recipients[i]; i++)
    if (!ms_address_is_ascii (recipients[i]))
      return FALSE;

  return TRUE;
}

static char *
mail_command (MsSmtpClient       *self,
              const char         *from,
              const char * const *recipients,
              GBytes             *message)
{
  GString *line = g_string_new (NULL);

  g_string_printf (line, "MAIL FROM:<%s>", from);
  if (ms_smtp_client_has_extension (self, "SIZE"))
    g_string_append_printf (line, " SIZE=%" G_GSIZE_FORMAT, g_bytes_get_size (message));
  if (ms_smtp_client_has_extension (self, "8BITMIME") && has_8bit (message))
    g_string_append (line, " BODY=8BITMIME");
  if (!envelope_is_ascii (from, recipients))
    g_string_append (line, " SMTPUTF8");

  return g_string_free (line, FALSE);
}

/* P14 and V5: refused here, before any part of the envelope is sent. */
static gboolean
check_transaction (MsSmtpClient       *self,
                   const char         *from,
                   const char * const *recipients,
                   GBytes             *message)
{
  guint64 size = self->caps ? ms_smtp_capabilities_get_size (self->caps) : 0;

  step_begin (self);
  if (size > 0 && g_bytes_get_size (message) > size)
    {
      g_autofree char *detail = g_strdup_printf ("message of %" G_GSIZE_FORMAT " octets, "
                                                 "server limit %" G_GUINT64_FORMAT,
                                                 g_bytes_get_size (message), size);

      return fail_step (self, MS_STEP_MAIL, MS_ERROR_MESSAGE_TOO_LARGE, detail, NULL);
    }

  if (!envelope_is_ascii (from, recipients) && !ms_smtp_client_has_extension (self, "SMTPUTF8"))
    return fail_step (self, MS_STEP_MAIL, MS_ERROR_INVALID_INPUT,
                      "an address is not ASCII and the server does not offer SMTPUTF8", NULL);

  return TRUE;
}

static void
queue_transaction_command (MsSmtpClient *self,
                           Transaction  *t,
                           CommandKind   kind,
                           const char   *argument)
{
  g_autofree char *line = NULL;

  switch (kind)
    {
    case CMD_AUTH:
      queue_auth_plain (self);
      break;
    case CMD_MAIL:
      queue_command (self, argument);
      break;
    case CMD_RCPT:
      line = g_strdup_printf ("RCPT TO:<%s>", argument);
      queue_command (self, line);
      break;
    case CMD_DATA:
      queue_command (self, "DATA");
      break;
    case CMD_BDAT:
      line = g_strdup_printf ("BDAT %" G_GSIZE_FORMAT " LAST", g_bytes_get_size (t->wire));
      queue_command (self, line);
      g_string_append_len (self->out, g_bytes_get_data (t->wire, NULL), g_bytes_get_size (t->wire));
      ms_transcript_client_data (self->transcript, g_bytes_get_size (t->wire));
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Checks one reply of the transaction; RCPT refusals only count once every
 * recipient has answered. */
static gboolean
check_transaction_reply (MsSmtpClient      *self,
                         Transaction       *t,
                         CommandKind        kind,
                         MsSmtpReply       *owned_reply)
{
  g_autoptr(MsSmtpReply) reply = owned_reply;

  switch (kind)
    {
    case CMD_AUTH:
      return check_auth_reply (self, reply);
    case CMD_MAIL:
      if (reply->code != 250)
        return fail_reply (self, MS_STEP_MAIL, reply);
      step_end (self, MS_STEP_MAIL, TRUE, reply);
      return TRUE;
    case CMD_RCPT:
      step_end (self, MS_STEP_RCPT, reply->code == 250 || reply->code == 251, reply);
      if (reply->code == 250 || reply->code == 251)
        t->n_accepted++;
      else
        {
          g_clear_pointer (&t->last_refusal, ms_smtp_reply_free);
          t->last_refusal = g_steal_pointer (&reply);
        }
      return TRUE;
    case CMD_DATA:
      t->data_accepted = reply->code == 354;
      if (!t->data_accepted)
        return fail_reply (self, MS_STEP_DATA, reply);
      return TRUE;
    case CMD_BDAT:
      if (reply->code != 250)
        return fail_reply (self, MS_STEP_DATA, reply);
      step_end (self, MS_STEP_DATA, TRUE, reply);
      return TRUE;
    default:
      g_assert_not_reached ();
    }
}

static gboolean
check_recipients (MsSmtpClient *self,
                  Transaction  *t)
{
  if (t->n_accepted > 0 || self->result->error != NULL)
    return TRUE;

  if (t->last_refusal != NULL)
    {
      g_autofree char *text = t->last_refusal->lines ? g_strjoinv (" ", t->last_refusal->lines)
                                                     : g_strdup ("");
      MsErrorCode code = ms_advice_classify_reply (MS_STEP_RCPT, t->last_refusal->code,
                                                   t->last_refusal->enhanced, text);

      return fail (self, MS_STEP_RCPT, code, "every recipient was refused", t->last_refusal);
    }

  return fail (self, MS_STEP_RCPT, MS_ERROR_RECIPIENT_REJECTED, "no recipient accepted", NULL);
}

typedef struct
{
  CommandKind  kind;
  const char  *argument;
} Command;

/* With PIPELINING every command goes in one write and the replies are read
 * in order (RFC 2920); without, one command at a time, stopping at the
 * first failure. Either way the first failure is the one reported. */
static MsStepKind
command_step (CommandKind kind)
{
  switch (kind)
    {
    case CMD_AUTH:
      return MS_STEP_AUTH;
    case CMD_MAIL:
      return MS_STEP_MAIL;
    case CMD_RCPT:
      return MS_STEP_RCPT;
    case CMD_DATA:
    case CMD_BDAT:
    default:
      return MS_STEP_DATA;
    }
}

static gboolean
is_data_command (CommandKind kind)
{
  return kind == CMD_DATA || kind == CMD_BDAT;
}

static gboolean
read_command_replies (MsSmtpClient  *self,
                      Transaction   *t,
                      const Command *commands,
                      guint          first,
                      guint          end)
{
  for (guint i = first; i < end; i++)
    {
      MsSmtpReply *reply;

      if (t->pipelining && is_data_command (commands[i].kind))
        check_recipients (self, t);
      reply = read_reply (self, command_step (commands[i].kind));
      if (reply == NULL)
        return FALSE;
      check_transaction_reply (self, t, commands[i].kind, reply);
    }

  return self->result->error == NULL;
}

static gboolean
run_commands (MsSmtpClient  *self,
              Transaction   *t,
              const Command *commands,
              guint          n_commands)
{
  guint sent = 0;

  step_begin (self);
  while (sent < n_commands)
    {
      guint first = sent;

      do
        {
          /* Unpipelined, no message goes out once every RCPT was refused. */
          if (!t->pipelining && is_data_command (commands[sent].kind)
              && !check_recipients (self, t))
            return FALSE;
          queue_transaction_command (self, t, commands[sent].kind, commands[sent].argument);
        }
      while (++sent < n_commands && t->pipelining);

      if (!flush (self, command_step (commands[first].kind))
          || !read_command_replies (self, t, commands, first, sent))
        return FALSE;
    }

  return TRUE;
}

static gboolean
send_body (MsSmtpClient *self,
           Transaction  *t)
{
  g_autoptr(MsSmtpReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  gsize size = g_bytes_get_size (t->wire);

  ms_transcript_client_data (self->transcript, g_bytes_get_size (t->message));
  if (!ms_transport_write_all (self->transport, g_bytes_get_data (t->wire, NULL), size, &error))
    return fail_gerror (self, MS_STEP_DATA, error);

  self->result->round_trips++;
  /* F5: no final reply means not sent, whatever was written. */
  reply = read_reply (self, MS_STEP_DATA);
  if (reply == NULL)
    return FALSE;
  if (reply->code != 250)
    return fail_reply (self, MS_STEP_DATA, reply);

  step_end (self, MS_STEP_DATA, TRUE, reply);

  return TRUE;
}

/* DATA was accepted although the transaction failed before it (pipelined,
 * on a server that lets MAIL through without AUTH): SMTP has no way to
 * cancel DATA but dropping the connection, and a final dot would deliver
 * an empty message. So: no dot, no QUIT, close. */
static void
abort_data (MsSmtpClient *self)
{
  ms_transcript_event (self->transcript, "closing without a message: an earlier command failed");
  self->broken = TRUE;
}

static guint
build_commands (MsSmtpClient       *self,
                Transaction        *t,
                gboolean            authenticate,
                const char         *mail_line,
                const char * const *recipients,
                Command            *commands)
{
  guint n = 0;

  if (authenticate)
    commands[n++] = (Command) { CMD_AUTH, NULL };
  commands[n++] = (Command) { CMD_MAIL, mail_line };
  for (guint i = 0; recipients[i]; i++)
    commands[n++] = (Command) { CMD_RCPT, recipients[i] };
  commands[n++] = (Command) { t->chunking ? CMD_BDAT : CMD_DATA, NULL };

  return n;
}

static gsize
transaction_size (MsSmtpClient       *self,
                  Transaction        *t,
                  const char         *mail_line,
                  const char * const *recipients)
{
  gsize size = 256 + strlen (mail_line) + auth_plain_size (self);

  for (guint i = 0; recipients[i]; i++)
    size += strlen (recipients[i]) + 16;
  if (t->chunking)
    size += g_bytes_get_size (t->wire);

  return size;
}

static gboolean
run_transaction (MsSmtpClient       *self,
                 Transaction        *t,
                 const char         *from,
                 const char * const *recipients,
                 gboolean            pipelined_auth)
{
  g_autofree char *mail_line = mail_command (self, from, recipients, t->message);
  g_autofree Command *commands = g_new0 (Command, g_strv_length ((char **) recipients) + 3);
  guint n = build_commands (self, t, pipelined_auth, mail_line, recipients, commands);
  gboolean ok;

  reserve_out (self, transaction_size (self, t, mail_line, recipients));
  ok = run_commands (self, t, commands, n);

  if (t->data_accepted && !ok)
    abort_data (self);
  if (!ok || t->chunking)
    return ok;

  step_begin (self);
  return send_body (self, t);
}

/**
 * ms_smtp_client_send_message:
 * @self: an open #MsSmtpClient
 * @from: the envelope sender
 * @recipients: every envelope recipient
 * @message: the message, CRLF, not dot-stuffed
 * @authenticate: whether to sign in first
 *
 * With PIPELINING, AUTH PLAIN (initial response), MAIL, every RCPT and DATA
 * go in one write (RFC 2920, RFC 4954 section 4); with CHUNKING, BDAT LAST
 * carries the message in that same write. Without PIPELINING, one command
 * at a time. The message is sent only when every step before it succeeded
 * or (pipelined) is refused by the server for the failure before it.
 *
 * Errors: those of ms_smtp_client_authenticate(), message-too-large,
 *   invalid-input (non-ASCII address without SMTPUTF8), sender-rejected,
 *   recipient-rejected (every RCPT refused), message-rejected,
 *   quota-exceeded, temporary-failure, connection-lost, timeout, cancelled.
 *
 * Returns: %TRUE when the server accepted the message
 */
gboolean
ms_smtp_client_send_message (MsSmtpClient       *self,
                             const char         *from,
                             const char * const *recipients,
                             GBytes             *message,
                             gboolean            authenticate)
{
  Transaction t = { recipients, message, NULL, FALSE, FALSE, 0, NULL, FALSE };
  gboolean pipelined_auth;
  gboolean ok;

  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), FALSE);
  g_return_val_if_fail (from != NULL && recipients != NULL && message != NULL, FALSE);

  if (!check_transaction (self, from, recipients, message))
    return FALSE;

  t.pipelining = ms_smtp_client_has_extension (self, "PIPELINING");
  t.chunking = ms_smtp_client_has_extension (self, "CHUNKING");
  t.wire = t.chunking ? ms_message_to_crlf (message) : ms_message_dot_stuff (message);
  pipelined_auth = authenticate && t.pipelining && self->caps != NULL && use_plain (self);

  if (pipelined_auth)
    ok = auth_allowed (self) && run_transaction (self, &t, from, recipients, TRUE);
  else if (authenticate)
    ok = ms_smtp_client_authenticate (self) && run_transaction (self, &t, from, recipients, FALSE);
  else
    ok = run_transaction (self, &t, from, recipients, FALSE);

  transaction_clear (&t);

  return ok;
}

/* ---- the end ---- */

/**
 * ms_smtp_client_finish:
 * @self: an #MsSmtpClient
 *
 * QUIT when the session is still in a state to say it, then closes. A
 * failed QUIT is recorded as a step but never becomes the result's error:
 * a delivered message stays delivered.
 */
void
ms_smtp_client_finish (MsSmtpClient *self)
{
  g_autoptr(MsSmtpReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  MsStep *step;

  g_return_if_fail (MS_IS_SMTP_CLIENT (self));

  if (self->transport == NULL)
    return;

  if (!self->broken && self->caps != NULL)
    {
      step_begin (self);
      ms_transcript_client (self->transcript, "QUIT");
      if (ms_transport_write_all (self->transport, "QUIT\r\n", 6, &error))
        {
          self->result->round_trips++;
          reply = ms_transport_read_reply (self->transport, self->parser, &error);
        }
      scrub_reply (self, reply);
      if (reply != NULL)
        ms_transcript_server_reply (self->transcript, reply);
      step = step_end (self, MS_STEP_QUIT, reply != NULL && reply->code == 221, reply);
      if (error != NULL)
        step->detail = g_strdup (error->message);
    }

  ms_transport_close (self->transport);
  g_clear_pointer (&self->transport, ms_transport_free);
}
