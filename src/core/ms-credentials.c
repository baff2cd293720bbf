/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-credentials"

#include "config.h"

#include "ms-credentials.h"
#include "ms-secret-store.h"
#include "ms-system-credential.h"

static gboolean
is_system (MsAccount *account)
{
  return ms_account_get_credential_store (account) == MS_CREDENTIAL_STORE_SYSTEM;
}

/**
 * ms_credentials_save:
 * @account: the account
 * @password: its secret
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Stores @password for @account, replacing what was stored: a keyring item
 * (ms_secret_store_save()), or a sealed file (ms_system_credential_seal()).
 *
 * Returns: %TRUE on success; errors: keyring-unavailable, keyring-locked,
 *   credential-unavailable, cancelled
 */
gboolean
ms_credentials_save (MsAccount     *account,
                     MsPassword    *password,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_return_val_if_fail (MS_IS_ACCOUNT (account), FALSE);
  g_return_val_if_fail (password != NULL, FALSE);

  if (is_system (account))
    return ms_system_credential_seal (ms_account_get_credentials_dir (account),
                                      ms_account_get_id (account), password, cancellable, error);

  return ms_secret_store_save (account, password, cancellable, error);
}

/**
 * ms_credentials_lookup:
 * @account: the account
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Returns: (transfer full): the account's secret, or %NULL; errors:
 *   keyring-unavailable, keyring-locked, secret-missing,
 *   credential-unavailable, cancelled
 */
MsPassword *
ms_credentials_lookup (MsAccount     *account,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_return_val_if_fail (MS_IS_ACCOUNT (account), NULL);

  if (is_system (account))
    return ms_system_credential_open (ms_account_get_credentials_dir (account),
                                      ms_account_get_id (account), cancellable, error);

  return ms_secret_store_lookup (account, cancellable, error);
}

/**
 * ms_credentials_lookup_with_timeout:
 * @account: the account
 * @timeout_seconds: how long a keyring unlock prompt may keep it waiting
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * ms_credentials_lookup() for callers with a time limit (the command
 * line): the keyring stops waiting on its unlock prompt at the limit
 * (ms_secret_store_lookup_with_timeout()); systemd-creds never prompts.
 *
 * Returns: (transfer full): the secret, or %NULL; errors as
 *   ms_credentials_lookup()
 */
MsPassword *
ms_credentials_lookup_with_timeout (MsAccount     *account,
                                    guint          timeout_seconds,
                                    GCancellable  *cancellable,
                                    GError       **error)
{
  g_return_val_if_fail (MS_IS_ACCOUNT (account), NULL);

  if (is_system (account))
    return ms_system_credential_open (ms_account_get_credentials_dir (account),
                                      ms_account_get_id (account), cancellable, error);

  return ms_secret_store_lookup_with_timeout (account, timeout_seconds, cancellable, error);
}

/**
 * ms_credentials_clear:
 * @account: the account
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Removes the account's stored secret; one that is already gone is no
 * error.
 *
 * Returns: %TRUE on success; errors: keyring-unavailable, keyring-locked,
 *   credential-unavailable, cancelled
 */
gboolean
ms_credentials_clear (MsAccount     *account,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_return_val_if_fail (MS_IS_ACCOUNT (account), FALSE);

  if (is_system (account))
    return ms_system_credential_remove (ms_account_get_credentials_dir (account),
                                        ms_account_get_id (account), error);

  return ms_secret_store_clear (ms_account_get_id (account), cancellable, error);
}

/* ---- async: systemd-creds on a worker thread, the keyring its own way ---- */

static void
lookup_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;
  MsPassword *password = ms_credentials_lookup (task_data, cancellable, &error);

  if (password != NULL)
    g_task_return_pointer (task, password, (GDestroyNotify) ms_password_unref);
  else
    g_task_return_error (task, error);
}

static void
on_keyring_lookup_done_cb (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  MsPassword *password = ms_secret_store_lookup_finish (result, &error);

  if (password != NULL)
    g_task_return_pointer (task, password, (GDestroyNotify) ms_password_unref);
  else
    g_task_return_error (task, error);
}

void
ms_credentials_lookup_async (MsAccount           *account,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (MS_IS_ACCOUNT (account));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ms_credentials_lookup_async);
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, ms_account_copy (account, NULL), g_object_unref);

  if (is_system (account))
    g_task_run_in_thread (task, lookup_thread);
  else
    ms_secret_store_lookup_async (account, cancellable, on_keyring_lookup_done_cb,
                                  g_steal_pointer (&task));
}

/**
 * ms_credentials_lookup_finish:
 * @result: the #GAsyncResult
 * @error: return location for an error
 *
 * Returns: (transfer full): the secret, or %NULL; see ms_credentials_lookup()
 */
MsPassword *
ms_credentials_lookup_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ms_credentials_lookup_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
clear_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GError *error = NULL;

  if (ms_credentials_clear (task_data, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
on_keyring_clear_done_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (ms_secret_store_clear_finish (result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
ms_credentials_clear_async (MsAccount           *account,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (MS_IS_ACCOUNT (account));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ms_credentials_clear_async);
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, ms_account_copy (account, NULL), g_object_unref);

  if (is_system (account))
    g_task_run_in_thread (task, clear_thread);
  else
    ms_secret_store_clear_async (ms_account_get_id (account), cancellable,
                                 on_keyring_clear_done_cb, g_steal_pointer (&task));
}

/**
 * ms_credentials_clear_finish:
 * @result: the #GAsyncResult
 * @error: return location for an error
 *
 * Returns: %TRUE on success; see ms_credentials_clear()
 */
gboolean
ms_credentials_clear_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ms_credentials_clear_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
