/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-diagnose"

#include "config.h"

#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "ms-advice.h"
#include "ms-diagnose.h"
#include "ms-last-check.h"
#include "ms-online-account.h"
#include "ms-result-text.h"
#include "ms-probe.h"
#include "ms-sender.h"
#include "ms-sendmail.h"
#include "ms-session-bus.h"
#include "ms-validate.h"

typedef struct
{
  MsRequest *request;
  GError    *keyring_error;
  gboolean   send_test;
} DiagnoseData;

static void
diagnose_data_free (DiagnoseData *data)
{
  ms_request_free (data->request);
  g_clear_error (&data->keyring_error);
  g_free (data);
}

/* Only the first failure becomes the result's error: it is the one that
 * explains the others. */
static void
note_failure (MsResult    *result,
              MsErrorCode  code,
              MsStepKind   step,
              const char  *message)
{
  if (result->error == NULL)
    ms_result_set_error (result, code, step, message);
}

static gboolean
check_settings (MsResult        *result,
                const MsRequest *request)
{
  const MsSmtpConfig *config = request->config;
  g_autoptr(GError) error = NULL;
  g_autofree char *host = NULL;
  gboolean literal = FALSE;

  host = ms_validate_host (_("Server"), config->host, &literal, &error);
  if (host != NULL && config->port == 0)
    g_set_error (&error, MS_ERROR, MS_ERROR_INVALID_INPUT, _("Port: no port is set."));
  if (error == NULL && request->from != NULL)
    ms_validate_address (_("Email address"), request->from, &error);
  if (error == NULL && config->username != NULL)
    ms_validate_no_control (_("User name"), config->username, &error);
  if (error == NULL && config->pin != NULL)
    ms_validate_pin (config->pin, &error);
  if (error == NULL && config->ca_file != NULL
      && !g_file_test (config->ca_file, G_FILE_TEST_IS_REGULAR))
    g_set_error (&error, MS_ERROR, MS_ERROR_INVALID_INPUT,
                 _("CA file: %s does not exist."), config->ca_file);

  if (error != NULL)
    {
      ms_result_add_check (result, "settings", MS_CHECK_ERROR, FALSE, _("Settings"),
                           error->message);
      note_failure (result, MS_ERROR_INVALID_INPUT, MS_STEP_CONFIG, error->message);
      return FALSE;
    }

  ms_result_add_check (result, "settings", MS_CHECK_INFO, TRUE, _("Settings"),
                       _("Server, port, security and addresses are valid."));
  return TRUE;
}

/* Which configuration the account belongs to and where its secret lives
 * (docs/contract.md, "System accounts"). */
static void
check_store (MsResult        *result,
             const MsRequest *request)
{
  g_autofree char *message = NULL;

  if (request->credential_store == MS_CREDENTIAL_STORE_SYSTEM)
    /* Translators: %s is the path of the sealed file */
    message = g_strdup_printf (_("System account (system mode, for root's jobs): the password is sealed by systemd-creds in %s."),
                               request->credential_file ? request->credential_file : "?");
  else
    message = g_strdup (_("User account: the password is in the desktop's keyring."));

  ms_result_add_check (result, "store", MS_CHECK_INFO, TRUE, _("Account type"), message);
}

/* An account of GNOME Online Accounts: GOA answers, the account is there
 * with Mail, and GOA does not say it needs attention; the settings the
 * group leaves to GOA are taken from it (@resolved). No token is asked
 * here: the sign-in check asks for one. */
static gboolean
check_online_account (MsResult        *result,
                      MsRequest       *resolved,
                      GCancellable    *cancellable)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsOnlineAccount) account = ms_online_account_lookup (resolved->online_account,
                                                                 cancellable, &error);
  g_autofree char *message = NULL;

  if (account != NULL && account->attention_needed)
    g_set_error_literal (&error, MS_ERROR, MS_ERROR_ONLINE_ACCOUNT_NEEDS_ATTENTION,
                         _("Online Accounts says this account needs you to sign in again."));
  else if (account != NULL)
    ms_online_account_apply (account, resolved, &error);
  if (error != NULL)
    {
      ms_result_add_check (result, "online-account", MS_CHECK_ERROR, FALSE,
                           _("Online Accounts"), error->message);
      note_failure (result, ms_error_get_code (error), MS_STEP_AUTH, error->message);
      return FALSE;
    }

  /* Translators: %s is the account's address in GNOME Online Accounts */
  message = g_strdup_printf (_("Online Accounts answers and signs in as %s."), account->address);
  if (resolved->from_online_account != MS_ONLINE_SETTING_NONE)
    {
      g_autofree char *from = ms_result_text_from_online_account (resolved->from_online_account);
      g_autofree char *sentence = NULL;
      char *both;

      /* Translators: the server, its port and its security mode, as in
       * "smtp.gmail.com:465 (tls)", the user name, then "server, port and
       * security from Online Accounts" */
      sentence = g_strdup_printf (_("In use: %s:%u (%s), user name %s; %s."),
                                  resolved->config->host, resolved->config->port,
                                  ms_security_to_string (resolved->config->security),
                                  resolved->config->username ? resolved->config->username : "?",
                                  from);
      /* Translators: two sentences, one after the other */
      both = g_strdup_printf (C_("sentences", "%s %s"), message, sentence);
      g_free (message);
      message = both;
    }
  ms_result_add_check (result, "online-account", MS_CHECK_INFO, TRUE, _("Online Accounts"),
                       message);
  return TRUE;
}

/* The checks (and the first error) of @from, after those of @result. */
static void
take_checks (MsResult *result,
             MsResult *from)
{
  for (guint i = 0; from->checks != NULL && i < from->checks->len; i++)
    {
      const MsCheck *check = g_ptr_array_index (from->checks, i);

      ms_result_add_check (result, check->check, check->severity, check->ok, check->title,
                           check->message);
    }
  if (from->error != NULL)
    note_failure (result, from->error->code, from->error->step, from->error->message);
}

static void
check_keyring (MsResult        *result,
               const MsRequest *request,
               const GError    *keyring_error)
{
  gboolean sealed = request->credential_store == MS_CREDENTIAL_STORE_SYSTEM;
  const char *title = sealed ? _("Sealed password") : _("Keyring");

  check_store (result, request);
  if (request->password != NULL)
    {
      ms_result_add_check (result, "keyring", MS_CHECK_INFO, TRUE, title,
                           sealed ? _("systemd-creds opens the sealed password on this machine.")
                                  : _("The password can be read from the keyring."));
      return;
    }

  ms_result_add_check (result, "keyring", MS_CHECK_ERROR, FALSE, title,
                       keyring_error ? keyring_error->message
                                     : _("No password is available."));
  note_failure (result, keyring_error ? ms_error_get_code (keyring_error) : MS_ERROR_SECRET_MISSING,
                MS_STEP_KEYRING,
                keyring_error ? keyring_error->message : _("No password is available."));
}

static GList *
check_dns (MsResult        *result,
           const MsRequest *request,
           GCancellable    *cancellable)
{
  g_autoptr(GResolver) resolver = g_resolver_get_default ();
  g_autoptr(GError) error = NULL;
  g_autofree char *host = ms_validate_host (_("Server"), request->config->host, NULL, NULL);
  g_autofree char *message = NULL;
  GList *addresses;

  addresses = g_resolver_lookup_by_name (resolver, host, cancellable, &error);
  if (addresses == NULL)
    {
      message = g_strdup_printf (_("The server name %s was not found: %s"), host, error->message);
      ms_result_add_check (result, "dns", MS_CHECK_ERROR, FALSE, _("Server name (DNS)"), message);
      note_failure (result, g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                              ? MS_ERROR_CANCELLED : MS_ERROR_DNS_FAILED,
                    MS_STEP_RESOLVE, message);
      return NULL;
    }

  message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s has %u address.",
                                          "%s has %u addresses.", g_list_length (addresses)),
                             host, g_list_length (addresses));
  ms_result_add_check (result, "dns", MS_CHECK_INFO, TRUE, _("Server name (DNS)"), message);

  return addresses;
}

static GInetAddress *
first_of_family (GList          *addresses,
                 GSocketFamily   family)
{
  for (GList *l = addresses; l != NULL; l = l->next)
    {
      if (g_inet_address_get_family (l->data) == family)
        return l->data;
    }

  return NULL;
}

/* A plain TCP connection per address family: a machine whose IPv6 route is
 * broken waits on every connection before falling back to IPv4, and that
 * shows here as a warning rather than a mystery delay. */
static gboolean
check_family (MsResult        *result,
              GList           *addresses,
              GSocketFamily    family,
              const MsRequest *request,
              gboolean         other_family_works,
              GCancellable    *cancellable)
{
  const char *name = family == G_SOCKET_FAMILY_IPV6 ? "connect-ipv6" : "connect-ipv4";
  const char *title = family == G_SOCKET_FAMILY_IPV6 ? _("Connection (IPv6)") : _("Connection (IPv4)");
  GInetAddress *address = first_of_family (addresses, family);
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) target = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *message = NULL;
  const char *reason;
  gint64 start = g_get_monotonic_time ();

  if (address == NULL)
    return FALSE;

  text = g_inet_address_to_string (address);
  target = g_inet_socket_address_new (address, request->config->port);
  g_socket_client_set_timeout (client, request->config->timeout_seconds);
  connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (target), cancellable, &error);
  if (connection == NULL)
    {
      /* GIO's message repeats "could not connect to ADDRESS": keep only
       * its reason, after the last ": " (IPv6 addresses hold no space). */
      reason = g_strrstr (error->message, ": ");
      message = g_strdup_printf (_("Could not connect to %s port %u: %s"), text,
                                 request->config->port, reason ? reason + 2 : error->message);
      /* OP25B: say why, in the row itself (docs/providers.md). */
      if (ms_advice_port_25_hint (request->config->port) != NULL)
        {
          char *with_hint = g_strconcat (message, " ",
                                         ms_advice_port_25_hint (request->config->port), NULL);

          g_free (message);
          message = with_hint;
        }
      ms_result_add_check (result, name, other_family_works ? MS_CHECK_WARNING : MS_CHECK_ERROR,
                           FALSE, title, message);
      return FALSE;
    }

  message = g_strdup_printf (_("Connected to %s port %u in %d ms."), text, request->config->port,
                             (int) ((g_get_monotonic_time () - start) / 1000));
  ms_result_add_check (result, name, MS_CHECK_INFO, TRUE, title, message);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);

  return TRUE;
}

static gboolean
check_connections (MsResult        *result,
                   GList           *addresses,
                   const MsRequest *request,
                   GCancellable    *cancellable)
{
  gboolean v4 = check_family (result, addresses, G_SOCKET_FAMILY_IPV4, request, FALSE, cancellable);
  gboolean v6 = check_family (result, addresses, G_SOCKET_FAMILY_IPV6, request, v4, cancellable);

  /* IPv4 was tested first without knowing about IPv6: soften it now. */
  if (v6 && !v4 && first_of_family (addresses, G_SOCKET_FAMILY_IPV4) != NULL)
    {
      MsCheck *check = g_ptr_array_index (result->checks, result->checks->len - 2);

      check->severity = MS_CHECK_WARNING;
    }

  return v4 || v6;
}

static MsResult *
run_operation (const MsRequest *request,
               gboolean         send_test,
               GCancellable    *cancellable)
{
  if (request->password == NULL && request->online_account == NULL)
    return ms_probe_run (request, cancellable);
  if (send_test)
    return ms_sender_test_send (request, cancellable);
  return ms_sender_login (request, cancellable);
}

static void
merge_operation (MsResult       *result,
                 const MsResult *operation)
{
  for (guint i = 0; i < operation->steps->len; i++)
    {
      const MsStep *step = g_ptr_array_index (operation->steps, i);
      MsStep *copy = ms_result_add_step (result, step->kind, step->ok, step->ms);

      copy->reply = g_strdup (step->reply);
      copy->addresses = g_strdupv (step->addresses);
      copy->address = g_strdup (step->address);
      copy->detail = g_strdup (step->detail);
    }
  for (guint i = 0; i < operation->transcript->len; i++)
    ms_result_add_transcript (result, g_ptr_array_index (operation->transcript, i));

  result->tls = operation->tls ? ms_tls_info_copy (operation->tls) : NULL;
  result->capabilities = g_strdupv (operation->capabilities);
  result->auth_mechanisms = g_strdupv (operation->auth_mechanisms);
  result->message_id = g_strdup (operation->message_id);
  result->round_trips = operation->round_trips;

  if (operation->error != NULL && result->error == NULL)
    {
      const MsResultError *from = operation->error;
      MsResultError *to = ms_result_set_error (result, from->code, from->step, from->message);

      to->advice = g_strdup (from->advice);
      to->action_url = g_strdup (from->action_url);
      to->server_reply = g_strdup (from->server_reply);
      to->detail = g_strdup (from->detail);
      to->has_suggestion = from->has_suggestion;
      to->suggestion_port = from->suggestion_port;
      to->suggestion_security = from->suggestion_security;
      for (guint i = 0; from->recipients != NULL && i < from->recipients->len; i++)
        {
          const MsRecipientReply *recipient = g_ptr_array_index (from->recipients, i);

          ms_result_error_add_recipient (to, recipient->address, recipient->reply);
        }
    }
}

static gboolean
operation_failed_at (const MsResult *operation,
                     MsStepKind      step)
{
  return operation->error != NULL && operation->error->step == step;
}

static void
check_tls (MsResult       *result,
           const MsResult *operation)
{
  g_autofree char *message = NULL;

  if (operation->tls == NULL || operation->tls->version == NULL)
    {
      if (operation_failed_at (operation, MS_STEP_TLS) || operation_failed_at (operation, MS_STEP_STARTTLS))
        ms_result_add_check (result, "tls", MS_CHECK_ERROR, FALSE, _("Secure connection"),
                             operation->error->message);
      else if (result->security == MS_SECURITY_NONE)
        ms_result_add_check (result, "tls", MS_CHECK_WARNING, FALSE, _("Secure connection"),
                             _("No encryption: allowed only because the server is this computer."));
      return;
    }

  /* Translators: "TLS1.3 with TLS_AES_256_GCM_SHA384" */
  message = g_strdup_printf (_("%s with %s."), operation->tls->version, operation->tls->cipher);
  ms_result_add_check (result, "tls", MS_CHECK_INFO, TRUE, _("Secure connection"), message);
}

static int
days_between (GDateTime *from,
              GDateTime *to)
{
  return (int) (g_date_time_difference (to, from) / G_TIME_SPAN_DAY);
}

static void
check_certificate (MsResult       *result,
                   const MsResult *operation,
                   GDateTime      *now)
{
  const MsTlsInfo *tls = operation->tls;
  g_autofree char *message = NULL;
  int days_left;

  if (tls == NULL || tls->not_after == NULL)
    return;

  days_left = days_between (now, tls->not_after);
  if (!tls->verified && !tls->pinned)
    {
      message = g_strdup_printf (_("Not trusted: %s (issued by %s)."),
                                 operation->error ? operation->error->message : "",
                                 tls->issuer);
      ms_result_add_check (result, "certificate", MS_CHECK_ERROR, FALSE, _("Certificate"), message);
      return;
    }

  if (days_left < MS_DIAGNOSE_CERTIFICATE_WARNING_DAYS)
    {
      message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "Issued by %s; expires in %d day. The server's administrator must renew it.",
                                              "Issued by %s; expires in %d days. The server's administrator must renew it.",
                                              days_left),
                                 tls->issuer, days_left);
      ms_result_add_check (result, "certificate", MS_CHECK_WARNING, FALSE, _("Certificate"), message);
      return;
    }

  if (tls->pinned)
    message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "Trusted by its pinned key; valid for %d more day.",
                                            "Trusted by its pinned key; valid for %d more days.",
                                            days_left),
                               days_left);
  else
    message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Issued by %s; valid for %d more day.",
                                            "Issued by %s; valid for %d more days.", days_left),
                               tls->issuer, days_left);
  ms_result_add_check (result, "certificate", MS_CHECK_INFO, TRUE, _("Certificate"), message);
}

/* A certificate that looks expired or not yet valid while the server is a
 * well-run one usually means this computer's clock is wrong. */
static void
check_clock (MsResult       *result,
             const MsResult *operation,
             GDateTime      *now)
{
  const MsTlsInfo *tls = operation->tls;
  g_autofree char *now_text = g_date_time_format (now, "%Y-%m-%d %H:%M UTC");
  g_autofree char *message = NULL;

  if (tls == NULL || tls->not_before == NULL || tls->not_after == NULL)
    return;

  if (g_date_time_compare (now, tls->not_before) < 0)
    {
      message = g_strdup_printf (_("This computer's clock says %s, before the certificate's start. Check the date and time settings."),
                                 now_text);
      ms_result_add_check (result, "clock", MS_CHECK_WARNING, FALSE, _("Clock"), message);
      return;
    }
  if (g_date_time_compare (now, tls->not_after) > 0)
    {
      message = g_strdup_printf (_("This computer's clock says %s, after the certificate's end. If the date is wrong, fix it; otherwise the server's certificate has expired."),
                                 now_text);
      ms_result_add_check (result, "clock", MS_CHECK_WARNING, FALSE, _("Clock"), message);
      return;
    }

  message = g_strdup_printf (_("%s, within the certificate's validity."), now_text);
  ms_result_add_check (result, "clock", MS_CHECK_INFO, TRUE, _("Clock"), message);
}

static void
check_greeting (MsResult       *result,
                const MsResult *operation)
{
  MsStep *step = ms_result_find_step (operation, MS_STEP_GREETING);

  if (step == NULL)
    return;

  ms_result_add_check (result, "greeting", step->ok ? MS_CHECK_INFO : MS_CHECK_ERROR, step->ok,
                       _("Server greeting"),
                       step->reply ? step->reply
                                   : (operation->error ? operation->error->message : ""));
}

static void
check_capabilities (MsResult       *result,
                    const MsResult *operation)
{
  g_autoptr(GString) message = g_string_new (NULL);
  g_autofree char *mechanisms = NULL;

  if (operation->capabilities == NULL)
    {
      if (operation_failed_at (operation, MS_STEP_EHLO))
        ms_result_add_check (result, "capabilities", MS_CHECK_ERROR, FALSE, _("Capabilities"),
                             operation->error->message);
      return;
    }

  mechanisms = operation->auth_mechanisms ? g_strjoinv (", ", operation->auth_mechanisms)
                                          : g_strdup (_("none"));
  for (guint i = 0; operation->capabilities[i] != NULL; i++)
    {
      const char *cap = operation->capabilities[i];

      if (g_ascii_strncasecmp (cap, "SIZE", 4) == 0 || g_ascii_strcasecmp (cap, "PIPELINING") == 0
          || g_ascii_strcasecmp (cap, "8BITMIME") == 0 || g_ascii_strcasecmp (cap, "CHUNKING") == 0
          || g_ascii_strcasecmp (cap, "SMTPUTF8") == 0)
        g_string_append_printf (message, "%s%s", message->len ? ", " : "", cap);
    }
  if (message->len > 0)
    /* Translators: a list of SMTP extensions, then of sign-in methods (PLAIN, LOGIN) */
    g_string_append_printf (message, _("; sign-in methods: %s"), mechanisms);
  else
    /* Translators: the server offers no notable extension, only these sign-in methods */
    g_string_append_printf (message, _("Sign-in methods: %s"), mechanisms);

  ms_result_add_check (result, "capabilities",
                       operation->auth_mechanisms ? MS_CHECK_INFO : MS_CHECK_ERROR,
                       operation->auth_mechanisms != NULL, _("Capabilities"), message->str);
}

static void
check_sign_in (MsResult        *result,
               const MsRequest *request,
               const MsResult  *operation)
{
  MsStep *step = ms_result_find_step (operation, MS_STEP_AUTH);

  if (request->password == NULL && request->online_account == NULL)
    {
      ms_result_add_check (result, "sign-in", MS_CHECK_ERROR, FALSE, _("Sign-in"),
                           request->credential_store == MS_CREDENTIAL_STORE_SYSTEM
                           ? _("Not tried: the sealed password could not be opened.")
                           : _("Not tried: the password could not be read from the keyring."));
      return;
    }
  if (step == NULL)
    return;

  if (step->ok && request->online_account != NULL)
    ms_result_add_check (result, "sign-in", MS_CHECK_INFO, TRUE, _("Sign-in"),
                         _("The server accepted the access token from Online Accounts."));
  else if (step->ok)
    ms_result_add_check (result, "sign-in", MS_CHECK_INFO, TRUE, _("Sign-in"),
                         _("The server accepted the user name and password."));
  else
    ms_result_add_check (result, "sign-in", MS_CHECK_ERROR, FALSE, _("Sign-in"),
                         operation->error ? operation->error->message : "");
}

static void
check_test_message (MsResult       *result,
                    const MsResult *operation)
{
  g_autofree char *message = NULL;

  if (operation->message_id != NULL)
    {
      message = g_strdup_printf (_("Sent; Message-ID %s."), operation->message_id);
      ms_result_add_check (result, "test-message", MS_CHECK_INFO, TRUE, _("Test message"), message);
      return;
    }

  if (ms_result_find_step (operation, MS_STEP_AUTH) != NULL
      && ms_result_find_step (operation, MS_STEP_AUTH)->ok)
    ms_result_add_check (result, "test-message", MS_CHECK_ERROR, FALSE, _("Test message"),
                         operation->error ? operation->error->message : "");
}

static void
run_network_checks (MsResult        *result,
                    const MsRequest *request,
                    gboolean         send_test,
                    GCancellable    *cancellable)
{
  g_autolist(GInetAddress) addresses = NULL;
  g_autoptr(MsResult) operation = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  addresses = check_dns (result, request, cancellable);
  if (addresses == NULL)
    return;
  if (!check_connections (result, addresses, request, cancellable))
    note_failure (result, MS_ERROR_CONNECT_REFUSED, MS_STEP_CONNECT,
                  _("No address of the server accepted a connection."));

  operation = run_operation (request, send_test, cancellable);
  merge_operation (result, operation);
  check_tls (result, operation);
  check_certificate (result, operation, now);
  check_clock (result, operation, now);
  check_greeting (result, operation);
  check_capabilities (result, operation);
  check_sign_in (result, request, operation);
  if (send_test)
    check_test_message (result, operation);
}

static void
check_sendmail (MsResult        *result,
                const MsRequest *request)
{
  const MsSendmailSystem system = { MS_SENDMAIL_PATH, SBINDIR, MS_SESSION_BUS_USERS_DIR, getuid (),
                                    request->config_dir,
                                    request->credential_store == MS_CREDENTIAL_STORE_SYSTEM };

  ms_sendmail_add_check (result, &system);
}

/**
 * ms_diagnose_run:
 * @request: the account's settings and password (nullable password)
 * @keyring_error: (nullable): why the password is missing
 * @send_test: whether to send a test message too
 * @cancellable: (nullable): a #GCancellable
 *
 * Runs every check synchronously; call from a worker thread or the CLI.
 *
 * Returns: (transfer full): the result with its checks; error codes are
 *   those of the operations plus invalid-input and the keyring codes
 */
MsResult *
ms_diagnose_run (const MsRequest *request,
                 const GError    *keyring_error,
                 gboolean         send_test,
                 GCancellable    *cancellable)
{
  g_autoptr(MsResult) result = ms_result_new ("diagnose");
  g_autoptr(MsResult) online_checks = NULL;
  g_autoptr(MsRequest) resolved = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  gboolean online_ok = TRUE;

  g_return_val_if_fail (request != NULL, NULL);

  /* An online account: GOA first, since the settings the group leaves to
   * GOA come from it (ms_online_account_apply()); its check is listed
   * after the settings' as for any account. */
  if (request->online_account != NULL)
    {
      resolved = ms_request_copy (request);
      online_checks = ms_result_new ("diagnose");
      online_ok = check_online_account (online_checks, resolved, cancellable);
      request = resolved;
    }

  result->account = g_strdup (request->account);
  result->host = g_strdup (request->config->host);
  result->port = request->config->port;
  result->security = request->config->security;
  result->from_online_account = request->from_online_account;

  if (!online_ok && request->online_settings != MS_ONLINE_SETTING_NONE)
    {
      /* Without GOA there is no server to check. */
      take_checks (result, online_checks);
      check_sendmail (result, request);
    }
  else if (check_settings (result, request))
    {
      if (request->online_account != NULL)
        take_checks (result, online_checks);
      else
        check_keyring (result, request, keyring_error);
      run_network_checks (result, request, send_test, cancellable);
      check_sendmail (result, request);
    }

  result->total_ms = (g_get_monotonic_time () - start) / 1000;
  if (result->error != NULL && result->error->advice == NULL)
    ms_advice_fill (result, request->provider);
  /* The accounts view shows it, whoever ran it (ms-last-check.c). */
  if (!ms_last_check_record (request->state_dir, NULL, result, &error))
    g_debug ("Last check not recorded: %s", error->message);

  return g_steal_pointer (&result);
}

static void
diagnose_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  DiagnoseData *data = task_data;

  g_task_return_pointer (task,
                         ms_diagnose_run (data->request, data->keyring_error, data->send_test,
                                          cancellable),
                         (GDestroyNotify) ms_result_unref);
}

/**
 * ms_diagnose_run_async:
 * @request: the settings and password (nullable password)
 * @keyring_error: (nullable): why the password is missing
 * @send_test: whether to send a test message too
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's main context when done
 * @user_data: data for @callback
 *
 * Runs ms_diagnose_run() in a worker thread.
 */
void
ms_diagnose_run_async (const MsRequest     *request,
                       const GError        *keyring_error,
                       gboolean             send_test,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  DiagnoseData *data;

  g_return_if_fail (request != NULL);

  data = g_new0 (DiagnoseData, 1);
  data->request = ms_request_copy (request);
  data->keyring_error = keyring_error ? g_error_copy (keyring_error) : NULL;
  data->send_test = send_test;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ms_diagnose_run_async);
  g_task_set_task_data (task, data, (GDestroyNotify) diagnose_data_free);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, diagnose_thread);
}

/**
 * ms_diagnose_run_finish:
 * @result: the #GAsyncResult
 * @error: return location for an error
 *
 * Returns: (transfer full): the diagnose result
 */
MsResult *
ms_diagnose_run_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
