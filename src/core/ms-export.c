/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-export"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ms-export.h"

/*
 * An account's settings for other programs. The window's "Export for
 * msmtp" and `mailsetup-cli export` both write what these functions return
 * (the file formats are in docs/contract.md).
 */

static char *
secret_command (const char *verb,
                const char *account_id,
                const char *config_dir)
{
  g_autofree char *quoted_id = g_shell_quote (account_id);
  g_autofree char *quoted_dir = NULL;

  if (config_dir == NULL)
    return g_strdup_printf ("mailsetup-cli %s %s", verb, quoted_id);

  quoted_dir = g_shell_quote (config_dir);
  return g_strdup_printf ("mailsetup-cli --config-dir %s %s %s", quoted_dir, verb, quoted_id);
}

/**
 * ms_export_password_command:
 * @account_id: the account
 * @config_dir: (nullable): the configuration folder in use when it is not
 *   the default one (`--config-dir`)
 *
 * The command that prints the account's password from the keyring, quoted
 * for a shell: what another program runs instead of storing the password.
 *
 * Returns: (transfer full): the command
 */
char *
ms_export_password_command (const char *account_id,
                            const char *config_dir)
{
  g_return_val_if_fail (account_id != NULL, NULL);

  return secret_command ("password", account_id, config_dir);
}

/**
 * ms_export_account_password_command:
 * @account: the account
 * @config_dir: (nullable): as for ms_export_password_command()
 *
 * ms_export_password_command() for @account; a system account's command
 * names `--system`, so root's programs find the sealed secret whatever
 * their environment holds; an account of GNOME Online Accounts gets
 * `mailsetup-cli token ID`, which prints a fresh access token.
 *
 * Returns: (transfer full): the command
 */
char *
ms_export_account_password_command (MsAccount  *account,
                                    const char *config_dir)
{
  g_autofree char *quoted_id = NULL;

  g_return_val_if_fail (MS_IS_ACCOUNT (account), NULL);

  /* An account of GNOME Online Accounts has no password: a fresh token. */
  if (ms_account_get_online_account (account) != NULL)
    return secret_command ("token", ms_account_get_id (account), config_dir);
  if (ms_account_get_credential_store (account) != MS_CREDENTIAL_STORE_SYSTEM)
    return ms_export_password_command (ms_account_get_id (account), config_dir);

  quoted_id = g_shell_quote (ms_account_get_id (account));
  return g_strdup_printf ("mailsetup-cli --system password %s", quoted_id);
}

/**
 * ms_export_msmtp:
 * @account: the account
 * @config_dir: (nullable): as for ms_export_password_command()
 *
 * The account as an msmtp configuration (an msmtprc): server, TLS mode,
 * the trust file (the account's CA file, else the system's), user and
 * sender, and `passwordeval` with ms_export_password_command(), so the
 * password stays in the keyring. msmtp cannot check an SPKI pin: a pinned
 * account gets a comment that says so, with the pin. The default account
 * is also msmtp's default. An account of GNOME Online Accounts must come
 * with the settings in effect: pass what ms_account_ops_resolve() (or its
 * _async form) returns, not the stored account, whose group may leave the
 * server to GOA.
 *
 * Returns: (transfer full): the file's text
 */
char *
ms_export_msmtp (MsAccount  *account,
                 const char *config_dir)
{
  GString *text = g_string_new (NULL);
  const char *id;
  MsSecurity security;
  gboolean online;
  g_autofree char *command = NULL;
  g_autofree char *escaped = NULL;

  g_return_val_if_fail (MS_IS_ACCOUNT (account), NULL);

  id = ms_account_get_id (account);
  security = ms_account_get_security (account);
  /* An online account: msmtp asks for a fresh token each time (`token ID`). */
  online = ms_account_get_online_account (account) != NULL;
  command = ms_export_account_password_command (account, config_dir);
  escaped = g_strescape (command, NULL);

  if (online)
    g_string_append_printf (text, "# %s\n",
                            _("msmtp settings exported by Mail Setup; each access token comes from GNOME Online Accounts."));
  else if (ms_account_get_credential_store (account) == MS_CREDENTIAL_STORE_SYSTEM)
    g_string_append_printf (text, "# %s\n",
                            _("msmtp settings exported by Mail Setup; the password stays sealed by systemd-creds."));
  else
    g_string_append_printf (text, "# %s\n",
                            _("msmtp settings exported by Mail Setup; the password stays in the keyring."));
  g_string_append_printf (text, "account %s\n", id);
  g_string_append_printf (text, "host %s\n", ms_account_get_host (account));
  g_string_append_printf (text, "port %u\n", ms_account_get_effective_port (account));
  g_string_append_printf (text, "tls %s\n", security == MS_SECURITY_NONE ? "off" : "on");
  g_string_append_printf (text, "tls_starttls %s\n", security == MS_SECURITY_STARTTLS ? "on" : "off");
  g_string_append_printf (text, "tls_trust_file %s\n",
                          ms_account_get_ca_file (account) != NULL ? ms_account_get_ca_file (account)
                                                                   : "system");
  if (ms_account_get_pin (account) != NULL)
    g_string_append_printf (text, "# %s %s\n",
                            _("msmtp cannot check this key pin; give it the server's certificate with tls_trust_file:"),
                            ms_account_get_pin (account));
  g_string_append (text, online ? "auth xoauth2\n" : "auth on\n");
  g_string_append_printf (text, "user %s\n", ms_account_get_effective_username (account));
  g_string_append_printf (text, "from %s\n", ms_account_get_address (account));
  g_string_append_printf (text, "passwordeval \"%s\"\n", escaped);
  if (ms_account_get_default (account))
    g_string_append_printf (text, "\naccount default : %s\n", id);

  return g_string_free (text, FALSE);
}
