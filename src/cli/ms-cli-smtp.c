/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mailsetup-cli"

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "ms-cli-private.h"
#include "ms-error.h"
#include "ms-message.h"
#include "ms-probe.h"
#include "ms-validate.h"

static void
ms_cli_set_str (char       **target,
                const char  *value)
{
  g_free (*target);
  *target = g_strdup (value);
}

/**
 * ms_cli_check_port:
 * @options: the parsed options
 * @error: return location for an error
 *
 * Returns: %TRUE when --port was not given or is 1-65535; else
 *   invalid-input (port 0 is not "the default")
 */
gboolean
ms_cli_check_port (MsCliOptions  *options,
                   GError       **error)
{
  if (options->port == MS_CLI_PORT_UNSET || (options->port >= 1 && options->port <= 65535))
    return TRUE;

  g_set_error (error, MS_ERROR, MS_ERROR_INVALID_INPUT,
               _("Port: %d is not a port number (1-65535)."), options->port);

  return FALSE;
}

static gboolean
apply_connection_options (MsCliOptions  *options,
                          MsSmtpConfig  *config,
                          GError       **error)
{
  if (options->host != NULL)
    ms_cli_set_str (&config->host, options->host);

  if (options->security != NULL
      && !ms_security_from_string (options->security, &config->security))
    {
      g_set_error (error, MS_ERROR, MS_ERROR_USAGE,
                   _("--security takes tls, starttls, none or auto, not “%s”."),
                   options->security);
      return FALSE;
    }

  if (!ms_cli_check_port (options, error))
    return FALSE;
  if (options->port != MS_CLI_PORT_UNSET)
    config->port = options->port;
  else if (options->security != NULL || config->port == 0)
    config->port = ms_security_default_port (config->security);

  if (options->ca_file != NULL)
    ms_cli_set_str (&config->ca_file, options->ca_file);
  if (options->pin != NULL)
    {
      if (!ms_validate_pin (options->pin, error))
        return FALSE;
      ms_cli_set_str (&config->pin, options->pin);
    }
  if (options->user != NULL)
    ms_cli_set_str (&config->username, options->user);
  config->timeout_seconds = options->timeout_seconds;

  return TRUE;
}

/**
 * ms_cli_build_request:
 * @options: the parsed options
 * @needs_password: whether the command signs in
 * @request_out: (out): the request
 * @error: return location for an error
 *
 * Builds the request from --account (settings from accounts.ini, secret from
 * the keyring) and the connection options, which win over the account's.
 *
 * Returns: %TRUE on success; errors: usage, invalid-input, unknown-account,
 *   config-invalid, keyring-unavailable, keyring-locked, secret-missing
 */
gboolean
ms_cli_build_request (MsCliOptions  *options,
                      gboolean       needs_password,
                      MsRequest    **request_out,
                      GError       **error)
{
  g_autoptr(MsRequest) request = ms_request_new (NULL);

  request->config->port = 0;
  if (!ms_cli_load_account_into (options, request, needs_password && !options->password_stdin,
                                 error))
    return FALSE;
  if (!apply_connection_options (options, request->config, error))
    return FALSE;
  /* What is given here is not taken from GNOME Online Accounts. */
  if (options->host != NULL)
    request->online_settings &= ~MS_ONLINE_SETTING_HOST;
  if (options->security != NULL)
    request->online_settings &= ~(MS_ONLINE_SETTING_SECURITY | MS_ONLINE_SETTING_PORT);
  if (options->port != MS_CLI_PORT_UNSET)
    request->online_settings &= ~MS_ONLINE_SETTING_PORT;
  if (options->user != NULL)
    request->online_settings &= ~MS_ONLINE_SETTING_USER;

  if (request->config->host == NULL
      && (request->online_settings & MS_ONLINE_SETTING_HOST) == 0)
    {
      g_set_error_literal (error, MS_ERROR, MS_ERROR_USAGE,
                           _("No server given: use --host HOST or --account ID."));
      return FALSE;
    }

  if (options->from != NULL)
    ms_cli_set_str (&request->from, options->from);
  if (request->config->username == NULL)
    request->config->username = g_strdup (request->from);

  if (needs_password && options->password_stdin)
    {
      /* A password given here replaces the account's online sign-in. */
      g_clear_pointer (&request->online_account, g_free);
      if ((request->online_settings & MS_ONLINE_SETTING_HOST) != 0)
        {
          g_set_error_literal (error, MS_ERROR, MS_ERROR_USAGE,
                               _("No server given: use --host HOST or --account ID."));
          return FALSE;
        }
      request->online_settings = MS_ONLINE_SETTING_NONE;
      request->auth = MS_AUTH_PASSWORD;
      g_clear_pointer (&request->password, ms_password_unref);
      request->password = ms_password_read_line (STDIN_FILENO, error);
      if (request->password == NULL)
        return FALSE;
    }
  else if (needs_password && request->password == NULL && request->online_account == NULL)
    {
      g_set_error_literal (error, MS_ERROR, MS_ERROR_USAGE,
                           _("No password: use --password-stdin, or --account ID for a stored account."));
      return FALSE;
    }

  if (needs_password && request->config->username == NULL)
    {
      g_set_error_literal (error, MS_ERROR, MS_ERROR_USAGE,
                           _("No user name: use --user USER or --from ADDR."));
      return FALSE;
    }

  *request_out = g_steal_pointer (&request);

  return TRUE;
}

static int
run_smtp_command (MsCliOptions *options,
                  const char   *command,
                  gboolean      needs_password)
{
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsResult) result = NULL;
  g_autoptr(GError) error = NULL;

  if (!ms_cli_build_request (options, needs_password, &request, &error))
    return ms_cli_fail (options, command, error);

  if (request->config->security == MS_SECURITY_AUTO && !g_str_equal (command, "probe"))
    {
      g_set_error_literal (&error, MS_ERROR, MS_ERROR_USAGE,
                           _("--security auto is for probe only: probe first, then use the mode it recommends."));
      return ms_cli_fail (options, command, error);
    }

  if (g_str_equal (command, "test-send"))
    {
      if (request->from == NULL)
        request->from = g_strdup (request->config->username);
      request->recipients = g_new0 (char *, 2);
      request->recipients[0] = g_strdup (options->to ? options->to : request->from);
      request->program = g_strdup ("mailsetup-cli");
    }

  result = ms_cli_run_operation (options, command, request);

  return ms_cli_finish (options, result);
}

int
ms_cli_probe (MsCliOptions *options)
{
  if (options->args != NULL && options->args[0] != NULL)
    {
      if (options->args[1] != NULL)
        return ms_cli_usage_error (_("probe takes at most one host."));
      if (options->host == NULL)
        options->host = g_strdup (options->args[0]);
    }

  return run_smtp_command (options, "probe", FALSE);
}

int
ms_cli_login (MsCliOptions *options)
{
  if (options->args != NULL && options->args[0] != NULL)
    return ms_cli_usage_error (_("login takes no arguments."));

  return run_smtp_command (options, "login", TRUE);
}

int
ms_cli_test_send (MsCliOptions *options)
{
  if (options->args != NULL && options->args[0] != NULL)
    return ms_cli_usage_error (_("test-send takes no arguments."));

  return run_smtp_command (options, "test-send", TRUE);
}

static char **
collect_recipients (MsCliOptions          *options,
                    const MsMessageInput  *input,
                    GError               **error)
{
  g_autoptr(GPtrArray) recipients = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) from_headers = NULL;

  for (guint i = 0; options->args != NULL && options->args[i] != NULL; i++)
    {
      g_auto(GStrv) parsed = ms_message_parse_address_list (options->args[i]);

      for (guint j = 0; parsed != NULL && parsed[j] != NULL; j++)
        g_ptr_array_add (recipients, g_strdup (parsed[j]));
    }

  if (options->extract_recipients)
    {
      from_headers = ms_message_input_get_recipients (input);
      for (guint i = 0; from_headers != NULL && from_headers[i] != NULL; i++)
        g_ptr_array_add (recipients, g_strdup (from_headers[i]));
    }
  ms_cli_sendmail_resolve (options, recipients);

  if (recipients->len == 0)
    {
      g_set_error_literal (error, MS_ERROR, options->extract_recipients ? MS_ERROR_INVALID_INPUT
                                                                        : MS_ERROR_USAGE,
                           options->extract_recipients
                           ? _("The message has no To, Cc or Bcc recipient.")
                           : _("No recipient: name them as arguments or use -t."));
      return NULL;
    }

  for (guint i = 0; i < recipients->len; i++)
    {
      if (!ms_validate_address (_("Recipient"), g_ptr_array_index (recipients, i), error))
        return NULL;
    }

  g_ptr_array_add (recipients, NULL);

  return (char **) g_ptr_array_free (g_steal_pointer (&recipients), FALSE);
}

/* Reads the message from standard input into a draft in the outbox, as it
 * goes on the wire, checking it as it passes; memory stays flat in its
 * size. */
static MsOutboxDraft *
prepare_send (MsCliOptions  *options,
              MsOutbox      *outbox,
              MsRequest     *request,
              char         **message_id,
              char         **subject,
              GError       **error)
{
  g_autoptr(MsCliInput) read = NULL;
  g_autoptr(MsMessageInput) input = NULL;
  g_autoptr(GBytes) normalised = NULL;

  read = ms_cli_input_read (outbox, STDIN_FILENO, options->ignore_dots, error);
  if (read == NULL)
    return NULL;
  input = ms_cli_input_parse (read, error);
  if (input == NULL)
    return NULL;
  /* No account to name a sender (accounts.ini unreadable): the message's. */
  if (request->from == NULL)
    request->from = g_strdup (input->from);
  input = ms_cli_sendmail_rewrite (options, request, input);

  request->recipients = collect_recipients (options, input, error);
  if (request->recipients == NULL)
    return NULL;
  *subject = g_strdup (ms_message_input_get_header (input, "Subject"));

  /* Bcc is removed always, not only with -t: a blind copy that shows its
   * recipients to everyone is never what the sender meant. */
  normalised = ms_message_normalise (input, request->from, TRUE, NULL, message_id, error);
  if (normalised == NULL)
    return NULL;

  return ms_cli_input_compose (read, normalised, outbox, error);
}

/* send --no-queue: one attempt, nothing kept, the cause's exit status. */
static int
send_without_queue (MsCliOptions  *options,
                    MsRequest     *request,
                    MsOutboxDraft *draft,
                    const char    *message_id)
{
  g_autoptr(MsRequest) with_secret = ms_request_new (NULL);
  g_autoptr(MsResult) result = NULL;
  g_autoptr(GError) error = NULL;

  request->message = ms_outbox_draft_map (draft, &error);
  if (request->message == NULL
      || !ms_cli_load_account_into (options, with_secret, TRUE, &error))
    return ms_cli_fail (options, "send", error);
  request->password = g_steal_pointer (&with_secret->password);
  request->auth = with_secret->auth;
  request->online_account = g_steal_pointer (&with_secret->online_account);

  result = ms_cli_run_operation (options, "send", request);
  if (result->error == NULL && result->message_id == NULL)
    result->message_id = g_strdup (message_id);

  /* sendmail is silent on success; callers read only the exit status. */
  if (result->error == NULL && !options->json)
    return 0;

  return ms_cli_finish (options, result);
}

int
ms_cli_send (MsCliOptions *options)
{
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsOutbox) outbox = ms_outbox_new (ms_cli_paths (options)->state_dir);
  g_autoptr(MsOutboxDraft) draft = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) held_because = NULL;
  g_autofree char *message_id = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *sender = ms_cli_sendmail_take_sender (options);

  if (options->no_queue && options->queue_only)
    return ms_cli_usage_error (_("--no-queue and --queue-only exclude each other."));

  /* The message is read and checked before the keyring or the network is
   * touched: a locked keyring or a dead link must never lose it. */
  if (!ms_cli_build_request (options, FALSE, &request, &error))
    {
      /* An unreadable accounts.ini is the user's to fix: the message is
       * kept, held, and goes out once the account works. */
      if (options->no_queue || !g_error_matches (error, MS_ERROR, MS_ERROR_CONFIG_INVALID))
        return ms_cli_fail (options, "send", error);
      held_because = g_steal_pointer (&error);
      g_clear_pointer (&request, ms_request_free);
      request = ms_request_new (NULL);
      request->account = g_strdup (options->account);
      request->from = g_strdup (sender);
    }
  if (!ms_cli_sendmail_prepare (options, request, sender, &error))
    return ms_cli_fail (options, "send", error);
  draft = prepare_send (options, outbox, request, &message_id, &subject, &error);
  if (draft == NULL)
    return g_error_matches (error, MS_ERROR, MS_ERROR_USAGE)
           ? ms_cli_usage_error ("%s", error->message)
           : ms_cli_fail (options, "send", error);

  if (options->no_queue)
    return send_without_queue (options, request, draft, message_id);

  return ms_cli_send_kept (options, outbox, request, g_steal_pointer (&draft), message_id,
                           subject, held_because);
}
