/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mailsetup-cli"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "ms-account-store.h"
#include "ms-cli-private.h"
#include "ms-online-account.h"
#include "ms-validate.h"

/*
 * GNOME Online Accounts on the command line (docs/contract.md, "Online
 * accounts"): `online-accounts`, `token ID`, and the account that
 * `account add --online-account GOA_ID|auto` stores.
 */

static void
build_online_json (JsonBuilder     *builder,
                   MsOnlineAccount *info)
{
  json_builder_begin_object (builder);
  ms_cli_json_add_string (builder, "id", info->id);
  ms_cli_json_add_string (builder, "provider", info->provider);
  ms_cli_json_add_string (builder, "address", info->address);
  ms_cli_json_add_string (builder, "smtp_host", info->smtp_host);
  json_builder_set_member_name (builder, "oauth2");
  json_builder_add_boolean_value (builder, info->oauth2);
  json_builder_set_member_name (builder, "attention_needed");
  json_builder_add_boolean_value (builder, info->attention_needed);
  json_builder_end_object (builder);
}

/**
 * ms_cli_online_accounts:
 * @options: the parsed options
 *
 * `online-accounts`: the GOA accounts with Mail turned on.
 *
 * Returns: the exit status
 */
int
ms_cli_online_accounts (MsCliOptions *options)
{
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(GError) error = NULL;

  if (options->args != NULL && options->args[0] != NULL)
    return ms_cli_usage_error (_("online-accounts takes no arguments."));

  accounts = ms_online_account_list (NULL, &error);
  if (accounts == NULL)
    return ms_cli_fail (options, "online-accounts", error);

  if (!options->json)
    {
      if (accounts->len == 0)
        printf ("%s\n", _("No account in Online Accounts has Mail turned on: add one in Settings → Online Accounts."));
      for (guint i = 0; i < accounts->len; i++)
        {
          MsOnlineAccount *info = g_ptr_array_index (accounts, i);

          printf ("%s\n", info->id);
          printf ("  %-16s %s\n", _("Address:"), info->address ? info->address : "");
          printf ("  %-16s %s\n", _("Provider:"), info->provider ? info->provider : "");
          printf ("  %-16s %s\n", _("Server:"), info->smtp_host ? info->smtp_host : "");
          printf ("  %-16s %s\n", _("Sign-in:"),
                  info->oauth2 ? _("OAuth2 (no app password)") : _("password"));
          if (info->attention_needed)
            printf ("  %s\n", _("Needs attention: sign in again in Settings → Online Accounts."));
        }
      return 0;
    }

  builder = json_builder_new ();
  ms_cli_json_begin_ok (builder, "online-accounts");
  json_builder_set_member_name (builder, "accounts");
  json_builder_begin_array (builder);
  for (guint i = 0; i < accounts->len; i++)
    build_online_json (builder, g_ptr_array_index (accounts, i));
  json_builder_end_array (builder);

  return ms_cli_json_end_ok (builder);
}

/**
 * ms_cli_token:
 * @options: the parsed options
 *
 * `token ID`: a fresh access token and a newline, for msmtp's
 * `passwordeval` with `auth xoauth2`. Nothing else goes to standard output,
 * and never as JSON: the token is for the program that asked.
 *
 * Returns: the exit status
 */
int
ms_cli_token (MsCliOptions *options)
{
  g_autoptr(MsAccountStore) store = NULL;
  g_autoptr(MsAccount) account = NULL;
  g_autoptr(MsPassword) token = NULL;
  g_autoptr(GError) error = NULL;
  const char *goa_id;

  if (options->args == NULL || options->args[0] == NULL || options->args[1] != NULL)
    return ms_cli_usage_error (_("token takes one account id."));
  if (options->json)
    return ms_cli_usage_error (_("token prints only the token: --json is not available."));

  store = ms_account_store_new (options->config_dir);
  if (!ms_account_store_load (store, &error))
    return ms_cli_fail (options, "token", error);
  account = ms_account_store_lookup (store, options->args[0], &error);
  if (account == NULL)
    return ms_cli_fail (options, "token", error);

  goa_id = ms_account_get_online_account (account);
  if (goa_id == NULL)
    {
      g_set_error (&error, MS_ERROR, MS_ERROR_USAGE,
                   _("The account “%s” does not sign in through Online Accounts: use “mailsetup-cli password %s”."),
                   options->args[0], options->args[0]);
      return ms_cli_fail (options, "token", error);
    }

  token = ms_online_account_get_token (goa_id, NULL, &error);
  if (token == NULL)
    return ms_cli_fail (options, "token", error);

  fwrite (ms_password_get_text (token), 1, ms_password_get_length (token), stdout);
  fputc ('\n', stdout);
  fflush (stdout);

  return 0;
}

/* --security for an account: a mode, not auto; unset leaves GOA's. */
static gboolean
parse_security (MsCliOptions  *options,
                MsSecurity    *security,
                GError       **error)
{
  *security = MS_SECURITY_AUTO;
  if (options->security == NULL
      || (ms_security_from_string (options->security, security)
          && *security != MS_SECURITY_AUTO))
    return TRUE;

  g_set_error (error, MS_ERROR, MS_ERROR_USAGE,
               _("--security takes tls, starttls or none for an account, not “%s”."),
               options->security);
  return FALSE;
}

/**
 * ms_cli_online_account_new:
 * @options: the parsed options (--address, --online-account and the
 *   connection options)
 * @id: the new account's id
 * @error: return location for an error
 *
 * The account `account add --online-account` stores
 * (ms_online_account_make_account(), as the wizard's): only the connection
 * options given here; the rest follows GOA.
 *
 * Returns: (transfer full): the account, or %NULL; errors: usage,
 *   invalid-input, online-account-unavailable,
 *   online-account-needs-attention
 */
MsAccount *
ms_cli_online_account_new (MsCliOptions  *options,
                           const char    *id,
                           GError       **error)
{
  g_autoptr(MsOnlineAccount) info = NULL;
  MsOnlineAccountOverrides overrides = { NULL, };

  if (!ms_validate_account_id (id, error))
    return NULL;
  if (options->address == NULL)
    {
      g_set_error_literal (error, MS_ERROR, MS_ERROR_USAGE, _("account add needs --address ADDR."));
      return NULL;
    }
  if (!ms_validate_address (_("Email address"), options->address, error))
    return NULL;

  info = ms_online_account_resolve (options->online_account, options->address, NULL, error);
  if (info == NULL
      || !parse_security (options, &overrides.security, error)
      || !ms_cli_check_port (options, error))
    return NULL;

  overrides.display_name = options->display_name;
  if (options->provider != NULL && !g_str_equal (options->provider, "auto"))
    overrides.provider = options->provider;
  overrides.host = options->host;
  overrides.port = options->port != MS_CLI_PORT_UNSET ? (guint16) options->port : 0;
  overrides.username = options->user;
  overrides.ca_file = options->ca_file;
  overrides.pin = options->pin;

  return ms_online_account_make_account (info, id, options->address, &overrides, error);
}
