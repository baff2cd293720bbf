/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-smtp-client"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

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
  gboolean             authenticated;
  guint                n_transactions;
  GPtrArray           *secret_forms;  /* the password as a server could echo it */
  gboolean             pipeline_messages;
  MsResult            *pending;       /* a message whose final reply is still to come */
  gint64               pending_start;
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
  g_clear_pointer (&self->pending, ms_result_unref);
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

/**
 * ms_smtp_client_set_envelope_options:
 * @self: an #MsSmtpClient
 * @dsn_notify: (nullable): NOTIFY= for every RCPT
 * @dsn_ret: (nullable): RET= of MAIL
 * @dsn_envid: (nullable): ENVID= of MAIL, xtext
 * @body_8bitmime: BODY=8BITMIME even for a 7-bit message
 *
 * The sendmail command line's requests for the next messages (they start
 * as the request's); each goes on the wire only when the server offers the
 * extension (DSN, RFC 3461; 8BITMIME, RFC 6152).
 */
void
ms_smtp_client_set_envelope_options (MsSmtpClient *self,
                                     const char   *dsn_notify,
                                     const char   *dsn_ret,
                                     const char   *dsn_envid,
                                     gboolean      body_8bitmime)
{
  MsRequest *request;

  g_return_if_fail (MS_IS_SMTP_CLIENT (self));

  request = self->request;
  g_free (request->dsn_notify);
  g_free (request->dsn_ret);
  g_free (request->dsn_envid);
  request->dsn_notify = g_strdup (dsn_notify);
  request->dsn_ret = g_strdup (dsn_ret);
  request->dsn_envid = g_strdup (dsn_envid);
  request->body_8bitmime = body_8bitmime;
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

static char *oauth_initial_response (MsSmtpClient *self,
                                     gboolean      bearer,
                                     gsize        *length);

/* The forms in which the password crosses the wire: as typed, base64 (AUTH
 * LOGIN) and base64 of "\0user\0password" (AUTH PLAIN); an access token also
 * in the base64 of the XOAUTH2 and OAUTHBEARER initial responses. */
static GPtrArray *
build_secret_forms (MsSmtpClient *self,
                    MsPassword   *password,
                    const char   *user)
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

  if (self->request->auth == MS_AUTH_OAUTH2 && self->user != NULL)
    for (guint bearer = 0; bearer < 2; bearer++)
      {
        gsize raw_length;
        char *raw = oauth_initial_response (self, bearer, &raw_length);

        g_ptr_array_add (forms, g_base64_encode ((const guchar *) raw, raw_length));
        ms_wipe (raw, raw_length);
        g_free (raw);
      }

  return forms;
}

/* A hostile or buggy server may echo what it was sent: redact the secret in
 * the reply itself, before it reaches the transcript, a step or an error
 * (docs/security.md, L1). Forms shorter than 3 octets would only mangle
 * ordinary text. */
static void
scrub_reply (MsSmtpClient *self,
             MsSmtpReply  *reply)
{
  if (self->request->password == NULL || reply == NULL)
    return;
  if (self->secret_forms == NULL)
    self->secret_forms = build_secret_forms (self, self->request->password,
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

static gboolean is_base64 (const char *text);
static gboolean check_auth_reply (MsSmtpClient      *self,
                                  const MsSmtpReply *reply);

/* ---- XOAUTH2 and OAUTHBEARER (docs/contract.md, "Online accounts") ---- */

/* XOAUTH2 unless only OAUTHBEARER (RFC 7628) is offered. */
static gboolean
use_bearer (MsSmtpClient *self)
{
  return !ms_smtp_capabilities_has_auth (self->caps, "XOAUTH2")
         && ms_smtp_capabilities_has_auth (self->caps, "OAUTHBEARER");
}

/* The initial response before base64: XOAUTH2's
 * "user=U^Aauth=Bearer T^A^A" or OAUTHBEARER's GS2 header and key-value
 * pairs "n,a=U,^Ahost=H^Aport=P^Aauth=Bearer T^A^A". Wipe it after use. */
static char *
oauth_initial_response (MsSmtpClient *self,
                        gboolean      bearer,
                        gsize        *length)
{
  MsPassword *token = self->request->password;
  GString *raw = g_string_sized_new (128 + strlen (self->user)
                                     + ms_password_get_length (token));
  char *text;

  if (bearer)
    {
      g_autofree char *escaped = NULL;
      g_auto(GStrv) parts = NULL;

      /* RFC 5801: "," and "=" in the authzid are written =2C and =3D. */
      parts = g_strsplit (self->user, "=", -1);
      escaped = g_strjoinv ("=3D", parts);
      g_strfreev (g_steal_pointer (&parts));
      parts = g_strsplit (escaped, ",", -1);
      g_free (escaped);
      escaped = g_strjoinv ("=2C", parts);
      g_string_append_printf (raw, "n,a=%s,\001host=%s\001port=%u\001", escaped,
                              self->host, self->port);
    }
  else
    {
      g_string_append_printf (raw, "user=%s\001", self->user);
    }
  g_string_append (raw, "auth=Bearer ");
  g_string_append_len (raw, ms_password_get_text (token), ms_password_get_length (token));
  g_string_append (raw, "\001\001");

  *length = raw->len;
  text = g_string_free (raw, FALSE);

  return text;
}

static gboolean
oauth_allowed (MsSmtpClient *self)
{
  MsPassword *token = self->request->password;
  const char *text = ms_password_get_text (token);

  /* A bearer token is as good as a password to whoever sees it: TLS only,
   * not even to this computer. */
  if (!ms_transport_is_tls (self->transport))
    return fail_step (self, MS_STEP_AUTH, MS_ERROR_STARTTLS_UNAVAILABLE,
                      "refusing to send an access token without TLS", NULL);

  if (!ms_smtp_capabilities_has_auth (self->caps, "XOAUTH2")
      && !ms_smtp_capabilities_has_auth (self->caps, "OAUTHBEARER"))
    return fail_step (self, MS_STEP_AUTH, MS_ERROR_AUTH_UNSUPPORTED,
                      "the server offers neither AUTH XOAUTH2 nor AUTH OAUTHBEARER", NULL);

  /* The fields are separated by ^A: a token is printable ASCII (RFC 6750). */
  for (gsize i = 0; i < ms_password_get_length (token); i++)
    if (text[i] <= ' ' || text[i] > '~')
      return fail_step (self, MS_STEP_AUTH, MS_ERROR_INVALID_INPUT,
                        "the access token holds a character a bearer token cannot have", NULL);

  return TRUE;
}

/* The 334 after a refused token carries base64 JSON such as
 * {"status":"401","schemes":"Bearer","scope":"..."} (XOAUTH2) or
 * {"status":"invalid_token",...} (RFC 7628). Returns the status, or NULL. */
static char *
oauth_error_status (const MsSmtpReply *reply)
{
  const char *text = reply->lines && reply->lines[0] ? reply->lines[0] : "";
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree guchar *json = NULL;
  JsonNode *root;
  gsize length = 0;

  if (*text == '\0' || !is_base64 (text))
    return NULL;
  json = g_base64_decode (text, &length);
  if (json == NULL || length == 0
      || !json_parser_load_from_data (parser, (const char *) json, length, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;

  return g_strdup (json_object_get_string_member_with_default (json_node_get_object (root),
                                                               "status", NULL));
}

/* Maps the mechanism's error status and the final reply to a contract code:
 * a token the server does not take (401/invalid_token, 403/insufficient_scope,
 * or a 535 without JSON) is online-account-needs-attention, which the
 * operation answers with one fresh token on a new connection. */
static gboolean
fail_oauth (MsSmtpClient      *self,
            const char        *status,
            const MsSmtpReply *final)
{
  g_autofree char *detail = NULL;

  if (final->code != 535)
    return fail_reply (self, MS_STEP_AUTH, final);

  if (status == NULL || g_strcmp0 (status, "401") == 0 || g_strcmp0 (status, "403") == 0
      || g_strcmp0 (status, "invalid_token") == 0
      || g_strcmp0 (status, "insufficient_scope") == 0)
    {
      detail = status ? g_strdup_printf ("the server refused the access token (status %s)",
                                         status)
                      : g_strdup ("the server refused the access token");
      return fail_step (self, MS_STEP_AUTH, MS_ERROR_ONLINE_ACCOUNT_NEEDS_ATTENTION,
                        detail, final);
    }

  detail = g_strdup_printf ("the server refused the sign-in (status %s)", status);

  return fail_step (self, MS_STEP_AUTH, MS_ERROR_AUTH_FAILED, detail, final);
}

static gboolean
auth_oauth (MsSmtpClient *self)
{
  gboolean bearer = use_bearer (self);
  const char *name = bearer ? "AUTH OAUTHBEARER" : "AUTH XOAUTH2";
  g_autoptr(MsSmtpReply) reply = NULL;
  g_autoptr(MsSmtpReply) final = NULL;
  g_autofree char *status = NULL;
  gsize raw_length;
  char *raw, *b64, *line;

  raw = oauth_initial_response (self, bearer, &raw_length);
  b64 = g_base64_encode ((const guchar *) raw, raw_length);
  ms_wipe (raw, raw_length);
  g_free (raw);
  line = g_strconcat (name, " ", b64, NULL);
  ms_wipe (b64, strlen (b64));
  g_free (b64);

  /* Nothing is pipelined after it: a refused token gets a 334 challenge. */
  reserve_out (self, strlen (line) + 4);
  queue_secret (self, name, line);
  ms_wipe (line, strlen (line));
  g_free (line);
  if (!flush (self, MS_STEP_AUTH))
    return FALSE;

  reply = read_reply (self, MS_STEP_AUTH);
  if (reply == NULL)
    return FALSE;
  if (reply->code == 235)
    return check_auth_reply (self, reply);
  if (reply->code != 334)
    return fail_oauth (self, NULL, reply);

  /* The error challenge: the mechanism requires an empty response, and the
   * server then gives its final reply. */
  status = oauth_error_status (reply);
  final = command (self, MS_STEP_AUTH, "");
  if (final == NULL)
    return FALSE;
  if (final->code == 235 || final->code == 334)
    {
      self->broken = TRUE;
      return fail_step (self, MS_STEP_AUTH, MS_ERROR_PROTOCOL_ERROR,
                        "the server went on after its error challenge", final);
    }

  return fail_oauth (self, status, final);
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

  if (self->request->auth == MS_AUTH_OAUTH2)
    return oauth_allowed (self);

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
      self->authenticated = TRUE;
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
 * over TLS (or in clear to a loopback server with security none). With
 * %MS_AUTH_OAUTH2, AUTH XOAUTH2 (or OAUTHBEARER when only that is offered)
 * with the request's access token, over TLS only; a refused token is
 * online-account-needs-attention.
 *
 * Errors: auth-unsupported, auth-failed, app-password-required,
 *   web-login-required (and other provider codes), invalid-input (NUL in
 *   the password for PLAIN), online-account-needs-attention, temporary-failure, protocol-error, timeout,
 *   connection-lost, cancelled.
 *
 * Returns: %TRUE when signed in
 */
gboolean
ms_smtp_client_authenticate (MsSmtpClient *self)
{
  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), FALSE);
  g_return_val_if_fail (self->user != NULL, FALSE);

  if (self->authenticated)
    return TRUE;
  if (!auth_allowed (self))
    return FALSE;

  if (self->request->auth == MS_AUTH_OAUTH2)
    return auth_oauth (self);

  return use_plain (self) ? auth_plain (self) : auth_login (self);
}

/* ---- the mail transaction ---- */

/* Message octets read and written at a time: memory stays flat in the
 * message's size (docs/architecture.md, "The SMTP engine"). */
#define MS_BODY_BUFFER (64 * 1024)

typedef enum
{
  CMD_RSET,
  CMD_AUTH,
  CMD_MAIL,
  CMD_RCPT,
  CMD_DATA,
} CommandKind;

typedef struct
{
  CommandKind  kind;
  const char  *argument;
  guint        index;      /* RCPT: which recipient */
} Command;

typedef struct
{
  const char * const *recipients;
  GInputStream       *message;
  goffset             start;            /* where the message begins in the stream */
  guint64             size;             /* wire octets, not dot-stuffed */
  gboolean            eight_bit;
  gboolean            eight_bit_header;
  gboolean            chunking;
  gboolean            pipelining;
  gboolean            data_accepted;
  gboolean            whole_sent;
  MsSmtpReply       **rcpt_replies;     /* one per recipient, NULL when accepted */
} Transaction;

static void
transaction_clear (Transaction *t)
{
  for (guint i = 0; t->rcpt_replies && t->recipients[i]; i++)
    g_clear_pointer (&t->rcpt_replies[i], ms_smtp_reply_free);
  g_clear_pointer (&t->rcpt_replies, g_free);
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

/* The message read once before anything is sent: its wire size for SIZE=
 * and BDAT, and the 8-bit octets that decide BODY= and SMTPUTF8. */
static gboolean
measure_message (MsSmtpClient  *self,
                 Transaction   *t,
                 GError       **error)
{
  g_autoptr(MsMessageWire) wire = ms_message_wire_new (FALSE);
  g_autoptr(GByteArray) scratch = g_byte_array_sized_new (2 * MS_BODY_BUFFER + 1024);
  g_autofree char *buffer = g_malloc (MS_BODY_BUFFER);
  gssize n;

  t->start = g_seekable_tell (G_SEEKABLE (t->message));
  while ((n = g_input_stream_read (t->message, buffer, MS_BODY_BUFFER, self->cancellable,
                                   error)) > 0)
    {
      ms_message_wire_feed (wire, buffer, n, scratch);
      g_byte_array_set_size (scratch, 0);
    }
  if (n < 0)
    return FALSE;

  ms_message_wire_finish (wire, scratch);
  t->size = ms_message_wire_get_size (wire);
  t->eight_bit = ms_message_wire_has_8bit (wire, &t->eight_bit_header);

  return g_seekable_seek (G_SEEKABLE (t->message), t->start, G_SEEK_SET, self->cancellable,
                          error);
}

static gboolean
fail_message_read (MsSmtpClient *self,
                   MsStepKind    kind,
                   GError       *error)
{
  g_autofree char *detail = g_strdup_printf ("cannot read the message: %s", error->message);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return fail_step (self, kind, MS_ERROR_CANCELLED, error->message, NULL);

  return fail_step (self, kind, MS_ERROR_INTERNAL, detail, NULL);
}

static char *
mail_command (MsSmtpClient       *self,
              const char         *from,
              const Transaction  *t)
{
  GString *line = g_string_new (NULL);

  g_string_printf (line, "MAIL FROM:<%s>", from);
  if (ms_smtp_client_has_extension (self, "SIZE"))
    g_string_append_printf (line, " SIZE=%" G_GUINT64_FORMAT, t->size);
  if (ms_smtp_client_has_extension (self, "8BITMIME")
      && (t->eight_bit || self->request->body_8bitmime))
    g_string_append (line, " BODY=8BITMIME");
  if (ms_smtp_client_has_extension (self, "DSN") && self->request->dsn_ret != NULL)
    g_string_append_printf (line, " RET=%s", self->request->dsn_ret);
  if (ms_smtp_client_has_extension (self, "DSN") && self->request->dsn_envid != NULL)
    g_string_append_printf (line, " ENVID=%s", self->request->dsn_envid);
  /* RFC 6531: UTF-8 in an address, or in a header the server may parse. */
  if (!envelope_is_ascii (from, t->recipients)
      || (t->eight_bit_header && ms_smtp_client_has_extension (self, "SMTPUTF8")))
    g_string_append (line, " SMTPUTF8");

  return g_string_free (line, FALSE);
}

static char *
rcpt_command (MsSmtpClient *self,
              const char   *address)
{
  if (ms_smtp_client_has_extension (self, "DSN") && self->request->dsn_notify != NULL)
    return g_strdup_printf ("RCPT TO:<%s> NOTIFY=%s", address, self->request->dsn_notify);

  return g_strdup_printf ("RCPT TO:<%s>", address);
}

/* P14 and V5: refused here, before any part of the envelope is sent. */
static gboolean
check_transaction (MsSmtpClient       *self,
                   const char         *from,
                   Transaction        *t)
{
  guint64 limit = self->caps ? ms_smtp_capabilities_get_size (self->caps) : 0;
  g_autoptr(GError) error = NULL;

  step_begin (self);
  if (!measure_message (self, t, &error))
    return fail_message_read (self, MS_STEP_MAIL, error);

  if (limit > 0 && t->size > limit)
    {
      g_autofree char *detail = g_strdup_printf ("message of %" G_GUINT64_FORMAT " octets, "
                                                 "server limit %" G_GUINT64_FORMAT,
                                                 t->size, limit);

      return fail_step (self, MS_STEP_MAIL, MS_ERROR_MESSAGE_TOO_LARGE, detail, NULL);
    }

  if (!envelope_is_ascii (from, t->recipients)
      && !ms_smtp_client_has_extension (self, "SMTPUTF8"))
    return fail_step (self, MS_STEP_MAIL, MS_ERROR_INVALID_INPUT,
                      "an address is not ASCII and the server does not offer SMTPUTF8", NULL);

  return TRUE;
}

static void
queue_transaction_command (MsSmtpClient  *self,
                           const Command *command)
{
  g_autofree char *line = NULL;

  switch (command->kind)
    {
    case CMD_RSET:
      queue_command (self, "RSET");
      break;
    case CMD_AUTH:
      queue_auth_plain (self);
      break;
    case CMD_MAIL:
      queue_command (self, command->argument);
      break;
    case CMD_RCPT:
      line = rcpt_command (self, command->argument);
      queue_command (self, line);
      break;
    case CMD_DATA:
      queue_command (self, "DATA");
      break;
    default:
      g_assert_not_reached ();
    }
}

static MsStepKind
command_step (CommandKind kind)
{
  switch (kind)
    {
    case CMD_AUTH:
      return MS_STEP_AUTH;
    case CMD_RSET:
    case CMD_MAIL:
      return MS_STEP_MAIL;
    case CMD_RCPT:
      return MS_STEP_RCPT;
    case CMD_DATA:
    default:
      return MS_STEP_DATA;
    }
}

/* Checks one reply of the transaction. A refused RCPT only counts once
 * every recipient has answered, so that each refusal can be named. */
static void
check_transaction_reply (MsSmtpClient  *self,
                         Transaction   *t,
                         const Command *command,
                         MsSmtpReply   *owned_reply)
{
  g_autoptr(MsSmtpReply) reply = owned_reply;
  gboolean accepted;

  switch (command->kind)
    {
    case CMD_AUTH:
      check_auth_reply (self, reply);
      break;
    case CMD_RSET:
    case CMD_MAIL:
      if (reply->code != 250)
        fail_reply (self, MS_STEP_MAIL, reply);
      else if (command->kind == CMD_MAIL)
        step_end (self, MS_STEP_MAIL, TRUE, reply);
      break;
    case CMD_RCPT:
      accepted = reply->code == 250 || reply->code == 251;
      step_end (self, MS_STEP_RCPT, accepted, reply);
      if (!accepted)
        t->rcpt_replies[command->index] = g_steal_pointer (&reply);
      break;
    case CMD_DATA:
      t->data_accepted = reply->code == 354;
      if (!t->data_accepted)
        fail_reply (self, MS_STEP_DATA, reply);
      break;
    default:
      g_assert_not_reached ();
    }
}

static const MsSmtpReply *
first_refusal (const Transaction *t,
               guint              hundreds)
{
  for (guint i = 0; t->recipients[i]; i++)
    if (t->rcpt_replies[i] != NULL
        && (hundreds == 0 || t->rcpt_replies[i]->code / 100 == hundreds))
      return t->rcpt_replies[i];

  return NULL;
}

/* Any recipient refused (5xx) or deferred (4xx) abandons the whole
 * transaction: nobody gets half a delivery, and a deferred one keeps the
 * message whole for a retry. The error names every such recipient. */
static gboolean
check_recipients (MsSmtpClient *self,
                  Transaction  *t)
{
  const MsSmtpReply *decisive = first_refusal (t, 5);
  g_autofree char *text = NULL;
  g_autofree char *detail = NULL;
  guint n_refused = 0, n_recipients = g_strv_length ((char **) t->recipients);
  MsErrorCode code;

  if (self->result->error != NULL)
    return FALSE;
  if (first_refusal (t, 0) == NULL)
    return TRUE;

  if (decisive == NULL)
    decisive = first_refusal (t, 0);
  text = decisive->lines ? g_strjoinv (" ", decisive->lines) : g_strdup ("");
  code = ms_advice_classify_reply (MS_STEP_RCPT, decisive->code, decisive->enhanced, text);
  if (code == MS_ERROR_PROTOCOL_ERROR)
    code = MS_ERROR_RECIPIENT_REJECTED;

  for (guint i = 0; t->recipients[i]; i++)
    n_refused += t->rcpt_replies[i] != NULL;
  detail = g_strdup_printf ("%u of %u recipients not accepted; nothing was sent",
                            n_refused, n_recipients);
  fail (self, MS_STEP_RCPT, code, detail, decisive);

  for (guint i = 0; t->recipients[i]; i++)
    {
      g_autofree char *reply = NULL;

      if (t->rcpt_replies[i] == NULL)
        continue;
      reply = reply_display (t->rcpt_replies[i]);
      ms_result_error_add_recipient (self->result->error, t->recipients[i], reply);
    }

  return FALSE;
}

/* With PIPELINING the group's replies are read in order (RFC 2920), and
 * the recipients are judged before DATA's reply. */
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

      if (commands[i].kind == CMD_DATA)
        check_recipients (self, t);
      reply = read_reply (self, command_step (commands[i].kind));
      if (reply == NULL)
        return FALSE;
      check_transaction_reply (self, t, &commands[i], reply);
    }

  return self->result->error == NULL;
}

static gboolean fail_final_reply (MsSmtpClient *self);

/* Reads the final reply of the message sent last, into that message's
 * result (ms_smtp_client_set_pipeline_messages()). */
static void
complete_pending (MsSmtpClient *self)
{
  g_autoptr(MsResult) pending = g_steal_pointer (&self->pending);
  g_autoptr(MsResult) current = NULL;
  g_autoptr(MsSmtpReply) reply = NULL;

  if (pending == NULL)
    return;

  current = g_steal_pointer (&self->result);
  self->result = ms_result_ref (pending);
  ms_transcript_set_result (self->transcript, pending);
  self->step_start = self->pending_start;
  ms_transport_set_deadline (self->transport, g_get_monotonic_time () + self->timeout_us);

  reply = read_reply (self, MS_STEP_DATA);
  if (reply == NULL)
    fail_final_reply (self);
  else if (reply->code != 250)
    fail_reply (self, MS_STEP_DATA, reply);
  else
    step_end (self, MS_STEP_DATA, TRUE, reply);

  ms_result_unref (self->result);
  self->result = g_steal_pointer (&current);
  ms_transcript_set_result (self->transcript, self->result);
}

/* With PIPELINING every command goes in one write; without, one command at
 * a time, stopping at the first failure but asking for every recipient.
 * Either way the first failure is the one reported. */
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
          if (!t->pipelining && commands[sent].kind == CMD_DATA && !check_recipients (self, t))
            return FALSE;
          queue_transaction_command (self, &commands[sent]);
        }
      while (++sent < n_commands && t->pipelining);

      if (!flush (self, command_step (commands[first].kind)))
        return FALSE;
      /* The previous message's final reply comes before these replies. */
      complete_pending (self);
      if (!read_command_replies (self, t, commands, first, sent))
        return FALSE;
    }

  return check_recipients (self, t);
}

/* After the whole message went out, no final reply does not mean "not
 * sent": the server may have taken it (docs/contract.md, delivery-unknown). */
static gboolean
fail_final_reply (MsSmtpClient *self)
{
  MsResultError *error = self->result->error;

  if (error == NULL || (error->code != MS_ERROR_TIMEOUT && error->code != MS_ERROR_CONNECTION_LOST))
    return FALSE;

  ms_transcript_event (self->transcript, "no final reply after the whole message: "
                                         "it may have been delivered");
  error->code = MS_ERROR_DELIVERY_UNKNOWN;

  return FALSE;
}

static gboolean
write_body_octets (MsSmtpClient *self,
                   GByteArray   *out,
                   gsize         length)
{
  g_autoptr(GError) error = NULL;

  if (length == 0)
    return TRUE;
  if (!ms_transport_write_all (self->transport, out->data, length, &error))
    return fail_gerror (self, MS_STEP_DATA, error);
  g_byte_array_remove_range (out, 0, length);

  return TRUE;
}

static gboolean
fail_body (MsSmtpClient *self,
           const char   *detail)
{
  self->broken = TRUE;

  return fail_step (self, MS_STEP_DATA, MS_ERROR_INTERNAL, detail, NULL);
}

/* Reads, converts and writes the message in MS_BODY_BUFFER pieces. For
 * BDAT the size was announced: the last octet is held back until the
 * message is known to end there, so a message that changed since it was
 * measured is never taken as complete. */
static gboolean
stream_body (MsSmtpClient *self,
             Transaction  *t,
             GByteArray   *out)
{
  g_autoptr(MsMessageWire) wire = ms_message_wire_new (!t->chunking);
  g_autofree char *buffer = g_malloc (MS_BODY_BUFFER);

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_input_stream_read (t->message, buffer, MS_BODY_BUFFER, self->cancellable,
                                      &error);
      gsize hold;

      if (n < 0)
        {
          self->broken = TRUE;
          return fail_message_read (self, MS_STEP_DATA, error);
        }
      if (n == 0)
        ms_message_wire_finish (wire, out);
      else
        ms_message_wire_feed (wire, buffer, n, out);

      if (t->chunking && ms_message_wire_get_size (wire) > t->size)
        return fail_body (self, "the message grew while it was being sent");
      hold = (t->chunking && n > 0) ? MIN (out->len, 1) : 0;
      if (!write_body_octets (self, out, out->len - hold))
        return FALSE;
      if (n == 0)
        break;
    }

  if (t->chunking && ms_message_wire_get_size (wire) != t->size)
    return fail_body (self, "the message shrank while it was being sent");

  return TRUE;
}

/* The body (after 354, or as one BDAT LAST chunk of the announced size),
 * then the final reply. From the first octet until that reply, the timeout
 * counts time without progress, not the whole transfer. */
static gboolean
send_body (MsSmtpClient *self,
           Transaction  *t)
{
  g_autoptr(GByteArray) out = g_byte_array_sized_new (2 * MS_BODY_BUFFER + MS_MESSAGE_MAX_LINE + 64);
  g_autoptr(MsSmtpReply) reply = NULL;
  gboolean ok;

  step_begin (self);
  if (t->chunking)
    {
      g_autofree char *line = g_strdup_printf ("BDAT %" G_GUINT64_FORMAT " LAST", t->size);

      ms_transcript_client (self->transcript, line);
      g_byte_array_append (out, (const guint8 *) line, strlen (line));
      g_byte_array_append (out, (const guint8 *) "\r\n", 2);
    }
  ms_transcript_client_data (self->transcript, t->size);

  ms_transport_set_idle_timeout (self->transport, self->timeout_us);
  ok = stream_body (self, t, out);
  if (ok && self->pipeline_messages && t->pipelining && !t->chunking)
    {
      /* The next message's commands go out behind the final dot; this
       * reply is read with theirs (RFC 2920 section 3.1). */
      t->whole_sent = TRUE;
      self->pending = ms_result_ref (self->result);
      self->pending_start = self->step_start;
      ms_transport_set_idle_timeout (self->transport, 0);
      return TRUE;
    }
  if (ok)
    {
      t->whole_sent = TRUE;
      self->result->round_trips++;
      reply = read_reply (self, MS_STEP_DATA);
    }
  ms_transport_set_idle_timeout (self->transport, 0);
  ms_transport_set_deadline (self->transport, g_get_monotonic_time () + self->timeout_us);

  if (!ok)
    return FALSE;
  if (reply == NULL)
    return fail_final_reply (self);
  if (reply->code != 250)
    return fail_reply (self, MS_STEP_DATA, reply);

  step_end (self, MS_STEP_DATA, TRUE, reply);

  return TRUE;
}

/* DATA was accepted although the transaction must not go on (a recipient
 * refused, or an earlier command failed on a server that lets MAIL through
 * without AUTH): SMTP has no way to cancel DATA but dropping the
 * connection, and a final dot would deliver. So: no dot, no QUIT, close. */
static void
abort_data (MsSmtpClient *self)
{
  ms_transcript_event (self->transcript, "closing without a message: the transaction failed");
  self->broken = TRUE;
}

static guint
build_commands (MsSmtpClient *self,
                Transaction  *t,
                gboolean      pipelined_auth,
                const char   *mail_line,
                Command      *commands)
{
  guint n = 0;

  /* Between messages on one session (RFC 5321 4.1.1.5). */
  if (self->n_transactions > 0)
    commands[n++] = (Command) { CMD_RSET, NULL, 0 };
  if (pipelined_auth)
    commands[n++] = (Command) { CMD_AUTH, NULL, 0 };
  commands[n++] = (Command) { CMD_MAIL, mail_line, 0 };
  for (guint i = 0; t->recipients[i]; i++)
    commands[n++] = (Command) { CMD_RCPT, t->recipients[i], i };
  if (!t->chunking)
    commands[n++] = (Command) { CMD_DATA, NULL, 0 };

  return n;
}

static gsize
transaction_size (MsSmtpClient       *self,
                  const char         *mail_line,
                  const char * const *recipients)
{
  gsize size = 256 + strlen (mail_line) + auth_plain_size (self);

  for (guint i = 0; recipients[i]; i++)
    size += strlen (recipients[i]) + 16;

  return size;
}

static gboolean
run_transaction (MsSmtpClient *self,
                 Transaction  *t,
                 const char   *from,
                 gboolean      pipelined_auth)
{
  g_autofree char *mail_line = mail_command (self, from, t);
  guint n_recipients = g_strv_length ((char **) t->recipients);
  g_autofree Command *commands = g_new0 (Command, n_recipients + 4);
  guint n = build_commands (self, t, pipelined_auth, mail_line, commands);
  gboolean ok;

  t->rcpt_replies = g_new0 (MsSmtpReply *, n_recipients + 1);
  reserve_out (self, transaction_size (self, mail_line, t->recipients));
  self->n_transactions++;
  ok = run_commands (self, t, commands, n);

  if (t->data_accepted && !ok)
    abort_data (self);
  if (!ok)
    return FALSE;

  return send_body (self, t);
}

static gboolean
send_transaction (MsSmtpClient *self,
                  Transaction  *t,
                  const char   *from,
                  gboolean      authenticate)
{
  gboolean pipelined_auth;

  if (!check_transaction (self, from, t))
    return FALSE;

  t->pipelining = ms_smtp_client_has_extension (self, "PIPELINING");
  t->chunking = ms_smtp_client_has_extension (self, "CHUNKING");
  authenticate = authenticate && !self->authenticated;
  pipelined_auth = authenticate && t->pipelining && self->caps != NULL
                   && self->request->auth == MS_AUTH_PASSWORD && use_plain (self);

  if (pipelined_auth)
    return auth_allowed (self) && run_transaction (self, t, from, TRUE);
  if (authenticate && !ms_smtp_client_authenticate (self))
    return FALSE;

  return run_transaction (self, t, from, FALSE);
}

/**
 * ms_smtp_client_send_stream:
 * @self: an open #MsSmtpClient
 * @from: the envelope sender
 * @recipients: every envelope recipient
 * @message: the message from the stream's current position to its end:
 *   CRLF or bare LF line ends, not dot-stuffed; a #GSeekable stream (a
 *   file or memory input stream), since it is read twice
 * @authenticate: whether to sign in first (skipped when this session has
 *   signed in already)
 *
 * Sends one message, reading it in fixed-size buffers so that memory stays
 * flat in the message's size: a first pass measures it (its wire size for
 * SIZE= and BDAT, 8-bit octets for BODY=8BITMIME, UTF-8 in the header
 * section for SMTPUTF8 when offered), the second converts it as it passes
 * (CRLF everywhere, lines over 998 octets cut, dot-stuffing for DATA) and
 * writes it. The stream is left at its end.
 *
 * No octet of the message is sent before the server has answered AUTH,
 * MAIL and every RCPT. With PIPELINING, AUTH PLAIN (initial response),
 * MAIL, every RCPT and (without CHUNKING) DATA go in one write (RFC 2920,
 * RFC 4954 section 4); with CHUNKING the message follows as one
 * `BDAT size LAST` once the replies are in. A recipient refused (5xx) or
 * deferred (4xx) abandons the transaction: error.recipients names each with
 * the server's reply; if DATA was already accepted the connection is
 * dropped without the final dot. A later message on the same session
 * starts with RSET.
 *
 * The step timeout applies to each command; for the message and its final
 * reply it is the time without progress (the server taking octets). No
 * final reply after the whole message went out is delivery-unknown, never
 * connection-lost.
 *
 * Errors: those of ms_smtp_client_authenticate(), message-too-large,
 *   invalid-input (non-ASCII address without SMTPUTF8), sender-rejected,
 *   recipient-rejected (any RCPT refused with 5xx), temporary-failure and
 *   quota-exceeded (a recipient deferred, or the message refused with 4xx),
 *   message-rejected, connection-lost (before the whole message was sent),
 *   delivery-unknown (after), timeout, cancelled, internal (the stream
 *   could not be read, or changed while it was sent).
 *
 * Returns: %TRUE when the server accepted the message for every recipient
 */
gboolean
ms_smtp_client_send_stream (MsSmtpClient       *self,
                            const char         *from,
                            const char * const *recipients,
                            GInputStream       *message,
                            gboolean            authenticate)
{
  Transaction t = { 0, };
  MsResult *earlier;
  gboolean ok;

  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), FALSE);
  g_return_val_if_fail (from != NULL && recipients != NULL && recipients[0] != NULL, FALSE);
  g_return_val_if_fail (G_IS_SEEKABLE (message) && g_seekable_can_seek (G_SEEKABLE (message)),
                        FALSE);

  t.recipients = recipients;
  t.message = message;
  earlier = self->pending;
  ok = send_transaction (self, &t, from, authenticate);
  transaction_clear (&t);
  /* Failed before its commands went out: the earlier message's reply is
   * still to be read. */
  if (earlier != NULL && self->pending == earlier)
    complete_pending (self);

  return ok;
}

/**
 * ms_smtp_client_send_message:
 * @self: an open #MsSmtpClient
 * @from: the envelope sender
 * @recipients: every envelope recipient
 * @message: the message, CRLF, not dot-stuffed
 * @authenticate: whether to sign in first
 *
 * ms_smtp_client_send_stream() for a message in memory.
 *
 * Errors: those of ms_smtp_client_send_stream().
 *
 * Returns: %TRUE when the server accepted the message for every recipient
 */
gboolean
ms_smtp_client_send_message (MsSmtpClient       *self,
                             const char         *from,
                             const char * const *recipients,
                             GBytes             *message,
                             gboolean            authenticate)
{
  g_autoptr(GInputStream) stream = NULL;

  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);

  stream = g_memory_input_stream_new_from_bytes (message);

  return ms_smtp_client_send_stream (self, from, recipients, stream, authenticate);
}

/**
 * ms_smtp_client_set_result:
 * @self: an #MsSmtpClient
 * @result: where the next steps, details and error go
 *
 * For several messages over one session (a queue flush): each message gets
 * its own result, so one message's failure is not another's.
 */
void
ms_smtp_client_set_result (MsSmtpClient *self,
                           MsResult     *result)
{
  g_return_if_fail (MS_IS_SMTP_CLIENT (self));
  g_return_if_fail (result != NULL);

  if (result == self->result)
    return;
  g_free (result->host);
  result->host = g_strdup (self->result->host);
  result->port = self->result->port;
  ms_result_unref (self->result);
  self->result = ms_result_ref (result);
  ms_transcript_set_result (self->transcript, result);
}

/**
 * ms_smtp_client_can_continue:
 * @self: an #MsSmtpClient
 *
 * Whether another message may be sent on this session: it is open and in
 * step (no dropped DATA, no timeout, no broken reply).
 *
 * Returns: %TRUE when ms_smtp_client_send_stream() may be called again
 */
gboolean
ms_smtp_client_can_continue (MsSmtpClient *self)
{
  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), FALSE);

  return self->transport != NULL && self->caps != NULL && !self->broken;
}

/**
 * ms_smtp_client_set_pipeline_messages:
 * @self: an #MsSmtpClient
 * @pipeline: whether to
 *
 * For several messages over one session (a queue flush): with PIPELINING
 * and without CHUNKING, ms_smtp_client_send_stream() returns once the
 * message is written, and its final reply is read behind the next
 * message's commands (one round trip per message instead of two), or by
 * ms_smtp_client_complete_pending(). Until then the message's result has
 * no DATA step; a connection lost before that reply is delivery-unknown.
 * No message octet still goes out before its own MAIL and RCPT replies.
 */
void
ms_smtp_client_set_pipeline_messages (MsSmtpClient *self,
                                      gboolean      pipeline)
{
  g_return_if_fail (MS_IS_SMTP_CLIENT (self));

  self->pipeline_messages = pipeline;
}

/**
 * ms_smtp_client_complete_pending:
 * @self: an #MsSmtpClient
 *
 * Reads the final reply of the message sent last, if it is still to come,
 * into that message's result.
 */
void
ms_smtp_client_complete_pending (MsSmtpClient *self)
{
  g_return_if_fail (MS_IS_SMTP_CLIENT (self));

  if (self->pending != NULL && self->transport != NULL)
    {
      self->result->round_trips++;
      complete_pending (self);
    }
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

  ms_smtp_client_complete_pending (self);

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
