/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-last-check"

#include "config.h"

#include <errno.h>

#include <glib/gstdio.h>

#include "ms-error.h"
#include "ms-file-lock.h"
#include "ms-last-check.h"
#include "ms-paths.h"

/*
 * The last check of each account, kept in the state folder in force
 * (ms-paths.c: `$MAILSETUP_STATE_DIR`, else `$XDG_STATE_HOME/mailsetup`, or
 * /var/spool/mailsetup in system mode) in `last-checks.ini`, one group per
 * account id (docs/contract.md, "Where state lives"). Every surface records
 * its checks here, so the accounts view shows the last one whoever ran it.
 * Writers take `last-checks.ini.lock`, read the file again, change their
 * account's group and replace the file (a fsynced new file renamed over the
 * old one), so no writer loses another's line and a crash leaves the old
 * file or the new one.
 */

#define LAST_CHECKS_FILE "last-checks.ini"

/**
 * ms_last_check_find_dir:
 * @state_dir: (nullable): a state folder the caller chose
 *
 * Returns: (transfer full): @state_dir when given, else the state folder
 *   in force (ms_paths_new()): `$MAILSETUP_STATE_DIR`, else
 *   `$XDG_STATE_HOME/mailsetup`, or /var/spool/mailsetup in system mode
 */
char *
ms_last_check_find_dir (const char *state_dir)
{
  return ms_paths_find_state_dir (state_dir);
}

static char *
find_file (const char *state_dir)
{
  g_autofree char *dir = ms_last_check_find_dir (state_dir);

  return g_build_filename (dir, LAST_CHECKS_FILE, NULL);
}

static gboolean
is_check (const MsResult *result)
{
  return g_strcmp0 (result->command, "login") == 0
         || g_strcmp0 (result->command, "test-send") == 0
         || g_strcmp0 (result->command, "diagnose") == 0;
}

static void
set_check (GKeyFile       *file,
           const char     *account_id,
           const MsResult *result)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *when = g_date_time_format_iso8601 (now);

  g_key_file_remove_group (file, account_id, NULL);
  g_key_file_set_string (file, account_id, "command", result->command);
  g_key_file_set_string (file, account_id, "when", when);
  g_key_file_set_boolean (file, account_id, "ok", ms_result_is_ok (result));
  if (result->error == NULL)
    return;
  g_key_file_set_string (file, account_id, "code", ms_error_code_to_string (result->error->code));
  if (result->error->message != NULL)
    g_key_file_set_string (file, account_id, "message", result->error->message);
}

/* Under the lock: what is on disk now, with @account_id's check replaced. */
static gboolean
write_check (const char      *path,
             const char      *account_id,
             const MsResult  *result,
             GError         **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autofree char *data = NULL;
  gsize length = 0;

  /* A missing or damaged file starts afresh: it only caches what checks found. */
  g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, NULL);
  set_check (file, account_id, result);
  data = g_key_file_to_data (file, &length, NULL);

  return g_file_set_contents_full (path, data, length,
                                   G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                   0600, error);
}

/**
 * ms_last_check_record:
 * @state_dir: (nullable): the state folder; see ms_last_check_find_dir()
 * @account_id: (nullable): the account, or %NULL for @result's
 * @result: a finished login, test-send or diagnose
 * @error: return location for an error
 *
 * Stores @result as the account's last check, keeping every other
 * account's (under `last-checks.ini.lock`, ms_file_lock()). Does nothing for
 * other operations, a cancelled one, or without an account. Blocks on the
 * lock and on the disk: call it from a worker thread, or through
 * ms_last_check_record_async().
 *
 * Returns: %FALSE with `config-invalid` when the state file cannot be
 *   written or locked
 */
gboolean
ms_last_check_record (const char      *state_dir,
                      const char      *account_id,
                      const MsResult  *result,
                      GError         **error)
{
  g_autofree char *path = find_file (state_dir);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) local_error = NULL;
  int lock;
  int saved_errno;
  gboolean written;

  g_return_val_if_fail (result != NULL, FALSE);

  if (account_id == NULL)
    account_id = result->account;
  if (account_id == NULL || !is_check (result)
      || (result->error != NULL && result->error->code == MS_ERROR_CANCELLED))
    return TRUE;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      saved_errno = errno;
      g_set_error (error, MS_ERROR, MS_ERROR_CONFIG_INVALID, "%s: %s", dir,
                   g_strerror (saved_errno));
      return FALSE;
    }
  lock = ms_file_lock (path, NULL, error);
  if (lock < 0)
    return FALSE;
  written = write_check (path, account_id, result, &local_error);
  ms_file_unlock (lock);
  if (!written)
    g_set_error (error, MS_ERROR, MS_ERROR_CONFIG_INVALID, "%s: %s", path, local_error->message);
  return written;
}

typedef struct
{
  char     *state_dir;
  char     *account_id;
  MsResult *result;
} RecordData;

static void
record_data_free (RecordData *data)
{
  g_free (data->state_dir);
  g_free (data->account_id);
  ms_result_unref (data->result);
  g_free (data);
}

static void
record_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  RecordData *data = task_data;
  GError *error = NULL;

  if (ms_last_check_record (data->state_dir, data->account_id, data->result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * ms_last_check_record_async:
 * @state_dir: (nullable): the state folder; see ms_last_check_find_dir()
 * @account_id: (nullable): the account, or %NULL for @result's
 * @result: a finished login, test-send or diagnose
 * @cancellable: (nullable): a #GCancellable
 * @callback: (nullable): called when it is written
 * @user_data: data for @callback
 *
 * ms_last_check_record() in a worker thread, for the window's main thread.
 */
void
ms_last_check_record_async (const char          *state_dir,
                            const char          *account_id,
                            MsResult            *result,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  RecordData *data = g_new0 (RecordData, 1);

  g_return_if_fail (result != NULL);

  data->state_dir = g_strdup (state_dir);
  data->account_id = g_strdup (account_id);
  data->result = ms_result_ref (result);
  g_task_set_source_tag (task, ms_last_check_record_async);
  g_task_set_task_data (task, data, (GDestroyNotify) record_data_free);
  g_task_run_in_thread (task, record_thread);
}

/**
 * ms_last_check_record_finish:
 * @result: the #GAsyncResult
 * @error: return location for an error
 *
 * Returns: as ms_last_check_record()
 */
gboolean
ms_last_check_record_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * ms_last_check_lookup:
 * @state_dir: (nullable): the state folder; see ms_last_check_find_dir()
 * @account_id: an account id
 *
 * Returns: (transfer full) (nullable): the account's last check, or %NULL
 *   when none was recorded
 */
MsLastCheck *
ms_last_check_lookup (const char *state_dir,
                      const char *account_id)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autofree char *path = find_file (state_dir);
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
