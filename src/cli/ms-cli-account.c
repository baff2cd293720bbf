/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mailsetup-cli"

#include "config.h"

#include <string.h>

#include <stdio.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "ms-account-ops.h"
#include "ms-account-store.h"
#include "ms-cli-private.h"
#include "ms-credentials.h"
#include "ms-export.h"
#include "ms-provider.h"
#include "ms-result-text.h"
#include "ms-validate.h"

static MsAccountStore *
open_store (MsCliOptions  *options,
            GError       **error)
{
  g_autoptr(MsAccountStore) store = ms_account_store_new_for_paths (ms_cli_paths (options));

  if (!ms_account_store_load (store, error))
    return NULL;

  return g_steal_pointer (&store);
}

static MsAccount *
find_account (MsAccountStore  *store,
              const char      *id,
              GError         **error)
{
  if (id == NULL)
    return ms_account_store_get_default (store, error);

  return ms_account_store_lookup (store, id, error);
}

/**
 * ms_cli_load_account_into:
 * @options: the parsed options (--account, --config-dir)
 * @request: the request to fill
 * @with_secret: whether to read the password (keyring or sealed file)
 * @error: return location for an error
 *
 * Fills @request from the account named by --account (the default account
 * for `send`); does nothing without --account for the other commands.
 *
 * Returns: %TRUE on success; errors: config-invalid, unknown-account,
 *   keyring-unavailable, keyring-locked, secret-missing,
 *   credential-unavailable, cancelled
 */
gboolean
ms_cli_load_account_into (MsCliOptions  *options,
                          MsRequest     *request,
                          gboolean       with_secret,
                          GError       **error)
{
  g_autoptr(MsAccountStore) store = NULL;
  g_autoptr(MsAccount) account = NULL;
  g_autoptr(MsRequest) filled = NULL;
  g_autoptr(GError) keyring_error = NULL;

  /* send and the outbox's messages kept for it use the default account. */
  if (options->account == NULL && !g_str_equal (options->command, "send")
      && !g_str_equal (options->command, "queue"))
    return TRUE;

  store = open_store (options, error);
  if (store == NULL)
    return FALSE;
  account = find_account (store, options->account, error);
  if (account == NULL)
    return FALSE;

  filled = with_secret ? ms_account_ops_load_request_within (account, options->timeout_seconds,
                                                             NULL, &keyring_error)
                       : ms_account_make_request (account, NULL);
  if (keyring_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&keyring_error));
      return FALSE;
    }
  ms_smtp_config_free (request->config);
  request->config = g_steal_pointer (&filled->config);
  request->password = g_steal_pointer (&filled->password);
  request->auth = filled->auth;
  request->online_account = g_steal_pointer (&filled->online_account);
  request->online_settings = filled->online_settings;
  request->account = g_steal_pointer (&filled->account);
  request->provider = g_steal_pointer (&filled->provider);
  request->from = g_steal_pointer (&filled->from);
  request->config_dir = g_strdup (ms_account_store_get_config_dir (store));
  request->state_dir = g_strdup (ms_account_store_get_paths (store)->state_dir);

  return TRUE;
}

/*
 * An account as shown: its settings in effect. For an account of GNOME
 * Online Accounts, those its group leaves to GOA are asked of GOA now
 * (ms_account_ops_resolve(), as every connection does); when GOA cannot be
 * asked, the group's own settings are shown with GOA's error.
 */
typedef struct
{
  MsAccount        *account;       /* the settings in effect */
  MsOnlineSettings  from_online;   /* which came from GOA (or would, on error) */
  GError           *online_error;  /* why GOA could not be asked */
} Shown;

static void
shown_clear (Shown *shown)
{
  g_clear_object (&shown->account);
  g_clear_error (&shown->online_error);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Shown, shown_clear)

static void
shown_init (Shown     *shown,
            MsAccount *account)
{
  shown->account = ms_account_ops_resolve (account, &shown->from_online, NULL,
                                           &shown->online_error);
  if (shown->account == NULL)
    {
      shown->account = g_object_ref (account);
      shown->from_online = ms_account_get_online_settings (account);
    }
}

static void
build_account_json (JsonBuilder *builder,
                    MsAccount   *stored)
{
  g_auto(Shown) shown = { 0 };
  MsAccount *account;

  shown_init (&shown, stored);
  account = shown.account;
  json_builder_begin_object (builder);
  ms_cli_json_add_string (builder, "id", ms_account_get_id (account));
  ms_cli_json_add_string (builder, "address", ms_account_get_address (account));
  ms_cli_json_add_string (builder, "display_name", ms_account_get_display_name (account));
  ms_cli_json_add_string (builder, "provider", ms_account_get_provider (account));
  ms_cli_json_add_string (builder, "host", ms_account_get_host (account));
  json_builder_set_member_name (builder, "port");
  json_builder_add_int_value (builder, ms_account_get_effective_port (account));
  ms_cli_json_add_string (builder, "security", ms_security_to_string (ms_account_get_security (account)));
  ms_cli_json_add_string (builder, "username", ms_account_get_effective_username (account));
  ms_cli_json_add_string (builder, "ca_file", ms_account_get_ca_file (account));
  ms_cli_json_add_string (builder, "pin", ms_account_get_pin (account));
  if (ms_account_get_online_account (account) != NULL)
    {
      g_auto(GStrv) names = ms_online_settings_to_strv (shown.from_online);

      ms_cli_json_add_string (builder, "online_account", ms_account_get_online_account (account));
      json_builder_set_member_name (builder, "from_online_account");
      json_builder_begin_array (builder);
      for (guint i = 0; names[i] != NULL; i++)
        json_builder_add_string_value (builder, names[i]);
      json_builder_end_array (builder);
      if (shown.online_error != NULL)
        {
          json_builder_set_member_name (builder, "online_account_error");
          json_builder_begin_object (builder);
          ms_cli_json_add_string (builder, "code",
                                  ms_error_code_to_string (ms_error_get_code (shown.online_error)));
          ms_cli_json_add_string (builder, "message", shown.online_error->message);
          json_builder_end_object (builder);
        }
    }
  json_builder_set_member_name (builder, "default");
  json_builder_add_boolean_value (builder, ms_account_get_default (account));
  ms_cli_json_add_string (builder, "store",
                          ms_credential_store_to_string (ms_account_get_credential_store (account)));
  json_builder_end_object (builder);
}

static void
print_account (MsAccount *stored)
{
  g_auto(Shown) shown = { 0 };
  MsAccount *account;
  const char *display_name;

  shown_init (&shown, stored);
  account = shown.account;
  display_name = ms_account_get_display_name (account);

  printf ("%s%s\n", ms_account_get_id (account),
          ms_account_get_default (account) ? _(" (default)") : "");
  printf ("  %-14s %s\n", _("Address:"), ms_account_get_address (account));
  if (display_name != NULL)
    printf ("  %-14s %s\n", _("Name:"), display_name);
  if (ms_account_get_provider (account) != NULL)
    printf ("  %-14s %s\n", _("Provider:"), ms_account_get_provider (account));
  if (shown.online_error != NULL && (shown.from_online & MS_ONLINE_SETTING_HOST) != 0)
    printf ("  %-14s %s\n", _("Server:"), _("from Online Accounts, which cannot be asked now"));
  else
    printf ("  %-14s %s:%u (%s)\n", _("Server:"), ms_account_get_host (account),
            ms_account_get_effective_port (account),
            ms_security_to_string (ms_account_get_security (account)));
  printf ("  %-14s %s\n", _("User name:"), ms_account_get_effective_username (account));
  if (shown.from_online != MS_ONLINE_SETTING_NONE)
    {
      g_autofree char *from = ms_result_text_from_online_account (shown.from_online);

      printf ("  %-14s %s\n", "", from);
    }
  if (shown.online_error != NULL)
    printf ("  %-14s %s\n", "", shown.online_error->message);
  if (ms_account_get_ca_file (account) != NULL)
    printf ("  %-14s %s\n", _("CA file:"), ms_account_get_ca_file (account));
  if (ms_account_get_pin (account) != NULL)
    printf ("  %-14s %s\n", _("Pin:"), ms_account_get_pin (account));
  if (ms_account_get_online_account (account) != NULL)
    printf ("  %-14s %s\n", _("Sign-in:"), ms_account_get_online_account (account));
  else if (ms_account_get_credential_store (account) == MS_CREDENTIAL_STORE_SYSTEM)
    {
      g_autofree char *file = ms_paths_credential_file (ms_account_get_credentials_dir (account),
                                                        ms_account_get_id (account));

      printf ("  %-14s ", _("Password:"));
      /* Translators: %s is the path of the sealed file */
      printf (_("sealed by systemd-creds in %s (system account)\n"), file);
    }
  else
    printf ("  %-14s %s\n", _("Password:"), _("in the keyring"));
}

static int
account_list (MsCliOptions   *options,
              MsAccountStore *store)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (store));
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  if (!options->json)
    {
      if (n == 0)
        printf ("%s\n", _("No accounts yet: add one with “mailsetup-cli account add”."));
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(MsAccount) account = g_list_model_get_item (G_LIST_MODEL (store), i);

          print_account (account);
        }
      return 0;
    }

  ms_cli_json_begin_ok (builder, "account list");
  json_builder_set_member_name (builder, "accounts");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(MsAccount) account = g_list_model_get_item (G_LIST_MODEL (store), i);

      build_account_json (builder, account);
    }
  json_builder_end_array (builder);

  return ms_cli_json_end_ok (builder);
}

static int
account_show (MsCliOptions *options,
              MsAccount    *account)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  if (!options->json)
    {
      print_account (account);
      return 0;
    }

  ms_cli_json_begin_ok (builder, "account show");
  json_builder_set_member_name (builder, "account");
  build_account_json (builder, account);

  return ms_cli_json_end_ok (builder);
}

static int
report_done (MsCliOptions *options,
             const char   *command,
             const char   *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  if (!options->json)
    {
      printf ("%s\n", message);
      return 0;
    }

  ms_cli_json_begin_ok (builder, command);
  return ms_cli_json_end_ok (builder);
}

/* A provider that wants the part before the @ as the user name gets it,
 * unless --user says otherwise. */
static void
set_provider_username (MsCliOptions     *options,
                       MsAccount        *account,
                       const MsProvider *provider)
{
  g_autofree char *username = NULL;

  if (options->user != NULL || provider == NULL)
    return;
  username = ms_provider_get_username (provider, options->address);
  if (!g_str_equal (username, options->address))
    ms_account_set_username (account, username);
}

/* Fills host, port and security from --provider, or from detection when
 * the provider is auto and no --host was given. Detected settings are
 * printed before any password is sent (docs/security.md, V8). */
static gboolean
apply_provider (MsCliOptions  *options,
                MsAccount     *account,
                GError       **error)
{
  g_autoptr(MsDetection) detection = NULL;
  g_autofree char *description = NULL;
  const MsProvider *provider = NULL;

  if (options->provider != NULL && !g_str_equal (options->provider, "auto"))
    {
      provider = ms_provider_lookup (options->provider);
      if (provider == NULL)
        {
          g_set_error (error, MS_ERROR, MS_ERROR_INVALID_INPUT,
                       _("Provider: “%s” is not a known provider (see “mailsetup-cli providers”)."),
                       options->provider);
          return FALSE;
        }
      ms_account_set_provider (account, provider->id);
      if (options->host == NULL && provider->smtp != NULL)
        {
          /* au's "msa.{domain}"; a hosting service's "{mx}" needs --host. */
          g_autofree char *domain = g_strdup (strrchr (options->address, '@') + 1);
          g_autofree char *host = ms_provider_expand_host (provider->smtp->host, domain,
                                                           NULL, NULL);

          ms_account_set_host (account, host);
          ms_account_set_port (account, provider->smtp->port);
          ms_account_set_security (account, provider->smtp->security);
        }
      set_provider_username (options, account, provider);
      return TRUE;
    }

  detection = ms_provider_detect_sync (options->address, NULL, NULL, error);
  if (detection == NULL)
    return FALSE;
  if (detection->provider != NULL)
    ms_account_set_provider (account, detection->provider->id);
  set_provider_username (options, account, detection->provider);
  if (options->host != NULL)
    return TRUE;
  if (detection->host == NULL)
    {
      g_set_error_literal (error, MS_ERROR, MS_ERROR_USAGE,
                           _("No server is known for this address: give one with --host."));
      return FALSE;
    }

  ms_account_set_host (account, detection->host);
  ms_account_set_port (account, detection->port);
  ms_account_set_security (account, detection->security);
  description = ms_detection_describe (detection);
  fprintf (stderr, "%s\n", description);

  return TRUE;
}

static MsAccount *
account_from_options (MsCliOptions  *options,
                      const char    *id,
                      GError       **error)
{
  g_autoptr(MsAccount) account = NULL;
  MsSecurity security;

  if (!ms_validate_account_id (id, error))
    return NULL;
  if (options->address == NULL)
    {
      g_set_error_literal (error, MS_ERROR, MS_ERROR_USAGE, _("account add needs --address ADDR."));
      return NULL;
    }
  if (!ms_validate_address (_("Email address"), options->address, error))
    return NULL;

  account = ms_account_new (id);
  ms_account_set_address (account, options->address);
  if (options->display_name != NULL)
    ms_account_set_display_name (account, options->display_name);
  if (!apply_provider (options, account, error))
    return NULL;

  if (options->host != NULL)
    ms_account_set_host (account, options->host);
  if (options->security != NULL)
    {
      if (!ms_security_from_string (options->security, &security) || security == MS_SECURITY_AUTO)
        {
          g_set_error (error, MS_ERROR, MS_ERROR_USAGE,
                       _("--security takes tls, starttls or none for an account, not “%s”."),
                       options->security);
          return NULL;
        }
      ms_account_set_security (account, security);
      if (options->port == MS_CLI_PORT_UNSET)
        ms_account_set_port (account, ms_security_default_port (security));
    }
  if (!ms_cli_check_port (options, error))
    return NULL;
  if (options->port != MS_CLI_PORT_UNSET)
    ms_account_set_port (account, options->port);
  if (options->user != NULL)
    ms_account_set_username (account, options->user);
  if (options->ca_file != NULL)
    ms_account_set_ca_file (account, options->ca_file);
  if (options->pin != NULL)
    ms_account_set_pin (account, options->pin);

  if (!ms_account_validate (account, error))
    return NULL;

  return g_steal_pointer (&account);
}

/* account add --online-account: no secret is read or stored. */
static int
account_add_online (MsCliOptions   *options,
                    MsAccountStore *store,
                    const char     *id)
{
  g_autoptr(MsAccount) account = NULL;
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsResult) result = NULL;
  g_autoptr(GError) error = NULL;

  if (options->password_stdin)
    {
      g_set_error_literal (&error, MS_ERROR, MS_ERROR_USAGE,
                           _("--online-account and --password-stdin exclude each other: an account of Online Accounts has no password."));
      return ms_cli_fail (options, "account add", error);
    }

  account = ms_cli_online_account_new (options, id, &error);
  if (account == NULL)
    return ms_cli_fail (options, "account add", error);

  request = ms_account_make_request (account, NULL);
  request->config->timeout_seconds = options->timeout_seconds;
  result = ms_account_ops_add (store, account, request,
                               options->no_verify ? MS_ACCOUNT_ADD_NO_VERIFY
                                                  : MS_ACCOUNT_ADD_FLAGS_NONE,
                               NULL);

  if (result->error == NULL && !options->json)
    printf (_("Account “%s” saved: settings in %s; it signs in through Online Accounts (%s), with no password stored.\n"),
            id, ms_account_store_get_path (store), ms_account_get_online_account (account));

  return ms_cli_finish (options, result);
}

static int
account_add (MsCliOptions   *options,
             MsAccountStore *store,
             const char     *id)
{
  g_autoptr(MsAccount) account = NULL;
  g_autoptr(MsPassword) password = NULL;
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsResult) result = NULL;
  g_autoptr(GError) error = NULL;

  if (options->online_account != NULL)
    return account_add_online (options, store, id);

  if (!options->password_stdin)
    {
      g_set_error_literal (&error, MS_ERROR, MS_ERROR_USAGE,
                           _("account add needs --password-stdin: the password is read from standard input, never from the command line."));
      return ms_cli_fail (options, "account add", error);
    }

  account = account_from_options (options, id, &error);
  if (account == NULL)
    return ms_cli_fail (options, "account add", error);

  password = ms_password_read_line (STDIN_FILENO, &error);
  if (password == NULL)
    return ms_cli_fail (options, "account add", error);

  request = ms_account_make_request (account, password);
  request->config->timeout_seconds = options->timeout_seconds;
  result = ms_account_ops_add (store, account, request,
                               options->no_verify ? MS_ACCOUNT_ADD_NO_VERIFY
                                                  : MS_ACCOUNT_ADD_FLAGS_NONE,
                               NULL);

  if (result->error == NULL && !options->json
      && ms_account_store_get_paths (store)->mode == MS_CONFIG_MODE_SYSTEM)
    {
      g_autofree char *file = ms_paths_credential_file (ms_account_store_get_paths (store)->credentials_dir,
                                                        id);

      printf (_("System account “%s” saved: settings in %s, password sealed by systemd-creds in %s.\n"),
              id, ms_account_store_get_path (store), file);
    }
  else if (result->error == NULL && !options->json)
    printf (_("Account “%s” saved: settings in %s, password in the keyring.\n"), id,
            ms_account_store_get_path (store));

  return ms_cli_finish (options, result);
}

static int
account_command (MsCliOptions   *options,
                 MsAccountStore *store,
                 const char     *verb,
                 const char     *id)
{
  g_autoptr(MsAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *command = g_strdup_printf ("account %s", verb);
  g_autofree char *message = NULL;

  if (g_str_equal (verb, "add"))
    return account_add (options, store, id);

  if (g_str_equal (verb, "show"))
    {
      account = ms_account_store_lookup (store, id, &error);
      return account ? account_show (options, account) : ms_cli_fail (options, command, error);
    }

  if (g_str_equal (verb, "remove"))
    {
      if (!ms_account_ops_remove (store, id, NULL, &error))
        return ms_cli_fail (options, command, error);
      message = ms_account_store_get_paths (store)->mode == MS_CONFIG_MODE_SYSTEM
                ? g_strdup_printf (_("System account “%s” removed, with its sealed password."), id)
                : g_strdup_printf (_("Account “%s” removed, with its password in the keyring."), id);
      return report_done (options, command, message);
    }

  if (!ms_account_ops_set_default (store, id, &error))
    return ms_cli_fail (options, command, error);
  message = g_strdup_printf (_("“%s” is now the default account."), id);
  return report_done (options, command, message);
}

int
ms_cli_account (MsCliOptions *options)
{
  g_autoptr(MsAccountStore) store = NULL;
  g_autoptr(GError) error = NULL;
  const char *verb = options->args ? options->args[0] : NULL;
  guint n_args = options->args ? g_strv_length (options->args) : 0;

  if (verb == NULL)
    return ms_cli_usage_error (_("account needs one of add, list, show, remove, set-default."));

  if (!g_str_equal (verb, "list") && !g_str_equal (verb, "add") && !g_str_equal (verb, "show")
      && !g_str_equal (verb, "remove") && !g_str_equal (verb, "set-default"))
    return ms_cli_usage_error (_("Unknown account command “%s”."), verb);

  if (g_str_equal (verb, "list") ? n_args != 1 : n_args != 2)
    return ms_cli_usage_error (g_str_equal (verb, "list") ? _("account list takes no arguments.")
                                                          : _("This account command takes one account id."));

  store = open_store (options, &error);
  if (store == NULL)
    return ms_cli_fail (options, "account", error);

  if (g_str_equal (verb, "list"))
    return account_list (options, store);

  return account_command (options, store, verb, options->args[1]);
}

static MsAccount *
load_named_account (MsCliOptions  *options,
                    const char    *what,
                    GError       **error)
{
  g_autoptr(MsAccountStore) store = NULL;

  if (options->args == NULL || options->args[0] == NULL || options->args[1] != NULL)
    {
      g_set_error (error, MS_ERROR, MS_ERROR_USAGE, _("%s takes one account id."), what);
      return NULL;
    }

  store = open_store (options, error);
  if (store == NULL)
    return NULL;

  return ms_account_store_lookup (store, options->args[0], error);
}

int
ms_cli_password (MsCliOptions *options)
{
  g_autoptr(MsAccount) account = NULL;
  g_autoptr(MsPassword) password = NULL;
  g_autoptr(GError) error = NULL;

  account = load_named_account (options, "password", &error);
  if (account == NULL)
    return g_error_matches (error, MS_ERROR, MS_ERROR_USAGE)
           ? ms_cli_usage_error ("%s", error->message)
           : ms_cli_fail (options, "password", error);

  password = ms_credentials_lookup_with_timeout (account, options->timeout_seconds, NULL,
                                                 &error);
  if (password == NULL)
    return ms_cli_fail (options, "password", error);

  /* Straight from locked memory to the pipe: no copy in a stdio buffer. */
  if (write (STDOUT_FILENO, ms_password_get_text (password), ms_password_get_length (password)) < 0
      || write (STDOUT_FILENO, "\n", 1) < 0)
    return ms_error_code_exit_status (MS_ERROR_INTERNAL);

  return 0;
}

static void
print_export_json (MsCliOptions *options,
                   MsAccount    *account)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *command = ms_export_account_password_command (account, options->config_dir);

  ms_cli_json_begin_ok (builder, "export");
  json_builder_set_member_name (builder, "account");
  build_account_json (builder, account);
  ms_cli_json_add_string (builder, "password_command", command);
  ms_cli_json_end_ok (builder);
}

int
ms_cli_export (MsCliOptions *options)
{
  g_autoptr(MsAccount) stored = NULL;
  g_autoptr(MsAccount) account = NULL;
  g_autoptr(GError) error = NULL;

  if (options->format == NULL
      || (!g_str_equal (options->format, "msmtp") && !g_str_equal (options->format, "json")))
    return ms_cli_usage_error (_("export needs --format msmtp or --format json."));

  stored = load_named_account (options, "export", &error);
  if (stored == NULL)
    return g_error_matches (error, MS_ERROR, MS_ERROR_USAGE)
           ? ms_cli_usage_error ("%s", error->message)
           : ms_cli_fail (options, "export", error);
  /* The settings in effect: an online account's as GOA has them now. */
  account = ms_account_ops_resolve (stored, NULL, NULL, &error);
  if (account == NULL)
    return ms_cli_fail (options, "export", error);

  if (g_str_equal (options->format, "msmtp"))
    {
      g_autofree char *text = ms_export_msmtp (account, options->config_dir);

      fputs (text, stdout);
    }
  else
    print_export_json (options, stored);

  return 0;
}
