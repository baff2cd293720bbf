/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-last-check"

#include "config.h"

#include <errno.h>

#include <glib/gstdio.h>

#include "ms-error.h"
#include "ms-last-check.h"

/*
 * The last check of each account, kept in the state folder
 * (`$MAILSETUP_STATE_DIR`, else `$XDG_STATE_HOME/mailsetup`) in
 * `last-checks.ini`, one group per account id (docs/contract.md, "Where
 * state lives"). Every surface records its checks here, so the accounts view
 * shows the last one whoever ran it. A lost update between two processes
 * writing at the same moment costs one account's line until its next check.
 */

#define LAST_CHECKS_FILE "last-checks.ini"

/**
 * ms_last_check_find_dir:
 *
 * Returns: (transfer full): the state folder: `$MAILSETUP_STATE_DIR`, else
 *   `$XDG_STATE_HOME/mailsetup`
 */
char *
ms_last_check_find_dir (void)
{
  const char *env = g_getenv ("MAILSETUP_STATE_DIR");

  if (env != NULL && env[0] != '\0')
    return g_strdup (env);
  return g_build_filename (g_get_user_state_dir (), "mailsetup", NULL);
}

static char *
find_file (void)
{
  g_autofree char *dir = ms_last_check_find_dir ();

  return g_build_filename (dir, LAST_CHECKS_FILE, NULL);
}

static gboolean
is_check (const MsResult *result)
{
  return g_strcmp0 (result->command, "login") == 0
         || g_strcmp0 (result->command, "test-send") == 0
         || g_strcmp0 (result->command, "diagnose") == 0;
}

/**
 * ms_last_check_record:
 * @account_id: (nullable): the account, or %NULL for @result's
 * @result: a finished login, test-send or diagnose
 * @error: return location for an error
 *
 * Stores @result as the account's last check. Does nothing for other
 * operations, a cancelled one, or without an account.
 *
 * Returns: %FALSE with `config-invalid` when the state file cannot be
 *   written
 */
gboolean
ms_last_check_record (const char      *account_id,
                      const MsResult  *result,
                      GError         **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autofree char *path = find_file ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *when = g_date_time_format_iso8601 (now);
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (result != NULL, FALSE);

  if (account_id == NULL)
    account_id = result->account;
  if (account_id == NULL || !is_check (result)
      || (result->error != NULL && result->error->code == MS_ERROR_CANCELLED))
    return TRUE;

  /* A missing or damaged file starts afresh: it only caches what checks found. */
  g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, NULL);
  g_key_file_remove_group (file, account_id, NULL);
  g_key_file_set_string (file, account_id, "command", result->command);
  g_key_file_set_string (file, account_id, "when", when);
  g_key_file_set_boolean (file, account_id, "ok", ms_result_is_ok (result));
  if (result->error != NULL)
    {
      g_key_file_set_string (file, account_id, "code",
                             ms_error_code_to_string (result->error->code));
      if (result->error->message != NULL)
        g_key_file_set_string (file, account_id, "message", result->error->message);
    }

  if (g_mkdir_with_parents (dir, 0700) != 0
      || !g_key_file_save_to_file (file, path, &local_error))
    {
      g_set_error (error, MS_ERROR, MS_ERROR_CONFIG_INVALID,
                   "%s: %s", path, local_error != NULL ? local_error->message
                                                       : g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

/**
 * ms_last_check_lookup:
 * @account_id: an account id
 *
 * Returns: (transfer full) (nullable): the account's last check, or %NULL
 *   when none was recorded
 */
MsLastCheck *
ms_last_check_lookup (const char *account_id)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autofree char *path = find_file ();
  g_autofree char *when = NULL;
  g_autoptr(MsLastCheck) check = NULL;

  g_return_val_if_fail (account_id != NULL, NULL);

  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, NULL)
      || !g_key_file_has_group (file, account_id))
    return NULL;

  check = g_new0 (MsLastCheck, 1);
  check->command = g_key_file_get_string (file, account_id, "command", NULL);
  when = g_key_file_get_string (file, account_id, "when", NULL);
  check->when = when != NULL ? g_date_time_new_from_iso8601 (when, NULL) : NULL;
  check->ok = g_key_file_get_boolean (file, account_id, "ok", NULL);
  check->code = g_key_file_get_string (file, account_id, "code", NULL);
  check->message = g_key_file_get_string (file, account_id, "message", NULL);
  if (check->command == NULL || check->when == NULL)
    return NULL;
  return g_steal_pointer (&check);
}

void
ms_last_check_free (MsLastCheck *check)
{
  if (check == NULL)
    return;
  g_free (check->command);
  g_clear_pointer (&check->when, g_date_time_unref);
  g_free (check->code);
  g_free (check->message);
  g_free (check);
}
