/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-account-ops"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ms-account-ops.h"
#include "ms-error.h"
#include "ms-credentials.h"
#include "ms-online-account.h"
#include "ms-sender.h"

/*
 * Every operation runs in two phases: the secret (in the keyring, or sealed
 * for a system account: ms-credentials; for add, the sign-in first) on any
 * thread, touching only copies; then accounts.ini on the caller's thread.
 * When the file cannot be written, the secret is put back as it was, so the
 * two never disagree. Other programs may change accounts at the same
 * moment: the secret change and the file change happen under accounts.ini's
 * lock (ms_account_store_lock(), taken after any sign-in), and the file is
 * read again under it before the change is applied.
 */

typedef enum
{
  OP_ADD,
  OP_UPDATE,
  OP_REMOVE,
} OpKind;

typedef struct
{
  OpKind             kind;
  MsAccountStore    *store;
  MsAccount         *account;   /* add, update: the new settings (a copy) */
  MsAccount         *old;       /* update, remove: the stored settings (a copy) */
  MsRequest         *request;   /* add */
  MsPassword        *password;  /* add, update: the new secret, nullable */
  MsPassword        *previous;  /* update, remove: the old secret, for undoing */
  MsAccountAddFlags  flags;
  MsResult          *result;    /* add */
  GError            *error;     /* update, remove */
  MsAccountStoreLock *lock;     /* held from the keyring phase to the file's write */
} OpsJob;

static void
ops_job_free (OpsJob *job)
{
  g_clear_object (&job->store);
  g_clear_object (&job->account);
  g_clear_object (&job->old);
  g_clear_pointer (&job->request, ms_request_free);
  g_clear_pointer (&job->password, ms_password_unref);
  g_clear_pointer (&job->previous, ms_password_unref);
  g_clear_pointer (&job->result, ms_result_unref);
  g_clear_error (&job->error);
  g_clear_pointer (&job->lock, ms_account_store_unlock);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpsJob, ops_job_free)

static OpsJob *
ops_job_new (OpKind          kind,
             MsAccountStore *store)
{
  OpsJob *job = g_new0 (OpsJob, 1);

  job->kind = kind;
  job->store = g_object_ref (store);

  return job;
}

static gint64
elapsed_ms (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000;
}

/* Undoing must not be cancelled half-way: no cancellable here. */
static void
undo_secret (MsAccount  *account,
             MsPassword *previous)
{
  g_autoptr(GError) error = NULL;

  if (previous != NULL)
    ms_credentials_save (account, previous, NULL, &error);
  else
    ms_credentials_clear (account, NULL, &error);

  if (error != NULL)
    g_warning ("Could not undo the secret change for account %s: %s",
               ms_account_get_id (account), error->message);
}

/* ---- add ---- */

static void
add_fill_result (OpsJob *job)
{
  MsResult *result = job->result;

  g_free (result->command);
  result->command = g_strdup ("account-add");
  g_free (result->account);
  result->account = g_strdup (ms_account_get_id (job->account));
  if (result->host == NULL)
    {
      result->host = g_strdup (ms_account_get_host (job->account));
      result->port = ms_account_get_effective_port (job->account);
      result->security = ms_account_get_security (job->account);
    }
}

static gboolean
add_prepare (OpsJob *job)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsAccount) existing = NULL;

  job->result = ms_result_new ("account-add");
  add_fill_result (job);

  if (job->password == NULL && ms_account_get_online_account (job->account) == NULL)
    g_set_error_literal (&error, MS_ERROR, MS_ERROR_INVALID_INPUT,
                         _("No password was given for the account."));
  else if (ms_account_validate (job->account, &error))
    {
      existing = ms_account_store_lookup (job->store, ms_account_get_id (job->account), NULL);
      if (existing != NULL)
        g_set_error (&error, MS_ERROR, MS_ERROR_INVALID_INPUT,
                     _("An account named “%s” already exists."),
                     ms_account_get_id (job->account));
    }

  if (error == NULL)
    return TRUE;

  ms_result_add_step (job->result, MS_STEP_CONFIG, FALSE, 0);
  ms_result_set_error_from_gerror (job->result, MS_STEP_CONFIG, error);
  return FALSE;
}

/* Under the lock, the id is checked again against the file itself: another
 * program may have added it since this store was read, and saving the
 * secret would replace that account's. */
static gboolean
add_lock (OpsJob       *job,
          GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;
  const char *id = ms_account_get_id (job->account);

  job->lock = ms_account_store_lock (job->store, cancellable, &error);
  if (job->lock != NULL && ms_account_store_has_stored (job->store, id))
    g_set_error (&error, MS_ERROR, MS_ERROR_INVALID_INPUT,
                 _("An account named “%s” already exists."), id);
  if (error == NULL)
    return TRUE;

  ms_result_add_step (job->result, MS_STEP_CONFIG, FALSE, 0);
  ms_result_set_error_from_gerror (job->result, MS_STEP_CONFIG, error);
  return FALSE;
}

static void
add_keyring_phase (OpsJob       *job,
                   GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;
  gint64 start;

  if (!(job->flags & MS_ACCOUNT_ADD_NO_VERIFY))
    {
      g_clear_pointer (&job->result, ms_result_unref);
      job->result = ms_sender_login (job->request, cancellable);
      add_fill_result (job);
      if (!ms_result_is_ok (job->result))
        return;
    }

  if (!add_lock (job, cancellable))
    return;

  /* An online account has no keyring item: GOA holds the sign-in. */
  if (ms_account_get_online_account (job->account) != NULL)
    return;

  start = g_get_monotonic_time ();
  /* Attached to its store by now: the keyring, or sealed. */
  job->result->credential_store = ms_account_get_credential_store (job->account);
  if (ms_credentials_save (job->account, job->password, cancellable, &error))
    {
      ms_result_add_step (job->result, MS_STEP_KEYRING, TRUE, elapsed_ms (start));
      return;
    }

  /* A cancelled save may have reached the keyring all the same. */
  if (g_error_matches (error, MS_ERROR, MS_ERROR_CANCELLED))
    undo_secret (job->account, NULL);
  ms_result_add_step (job->result, MS_STEP_KEYRING, FALSE, elapsed_ms (start));
  ms_result_set_error_from_gerror (job->result, MS_STEP_KEYRING, error);
}

static void
add_file_phase (OpsJob *job)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsAccount) stored = NULL;
  gint64 start = g_get_monotonic_time ();
  const char *id = ms_account_get_id (job->account);

  if (!ms_result_is_ok (job->result))
    {
      g_clear_pointer (&job->lock, ms_account_store_unlock);
      return;
    }

  if (ms_account_store_refresh (job->store, &error) &&
      ms_account_store_add (job->store, job->account, &error) &&
      ms_account_store_save (job->store, &error))
    {
      g_clear_pointer (&job->lock, ms_account_store_unlock);
      ms_result_add_step (job->result, MS_STEP_CONFIG, TRUE, elapsed_ms (start));
      return;
    }

  stored = ms_account_store_lookup (job->store, id, NULL);
  if (stored == job->account)
    ms_account_store_remove (job->store, id, NULL);
  undo_secret (job->account, NULL);
  g_clear_pointer (&job->lock, ms_account_store_unlock);
  ms_result_add_step (job->result, MS_STEP_CONFIG, FALSE, elapsed_ms (start));
  ms_result_set_error_from_gerror (job->result, MS_STEP_CONFIG, error);
}

static OpsJob *
add_job_new (MsAccountStore    *store,
             MsAccount         *account,
             const MsRequest   *request,
             MsAccountAddFlags  flags)
{
  OpsJob *job = ops_job_new (OP_ADD, store);

  job->account = ms_account_copy (account, NULL);
  ms_account_store_attach (store, job->account);
  job->request = request ? ms_request_copy (request) : ms_account_make_request (account, NULL);
  job->password = job->request->password ? ms_password_ref (job->request->password) : NULL;
  job->flags = flags;

  return job;
}

/**
 * ms_account_ops_add:
 * @store: a loaded #MsAccountStore
 * @account: the new account (copied; the store gets the copy)
 * @request: the sign-in request, with the password (see
 *   ms_account_make_request(); set a transcript function or timeout on it)
 * @flags: %MS_ACCOUNT_ADD_NO_VERIFY to skip the sign-in
 * @cancellable: (nullable): a #GCancellable
 *
 * Validates, signs in (unless told not to), stores the secret in the
 * keyring, then adds the account to accounts.ini. Nothing is stored when any
 * step fails: a secret already stored is removed again. The result is the
 * sign-in's, with the command "account-add" and the steps "keyring" and
 * "config" after it.
 *
 * Returns: (transfer full): the result; its error is one of invalid-input
 *   (step config), every sign-in code (see ms_sender_login()),
 *   keyring-unavailable, keyring-locked (step keyring), config-invalid
 *   (step config), cancelled
 */
MsResult *
ms_account_ops_add (MsAccountStore    *store,
                    MsAccount         *account,
                    const MsRequest   *request,
                    MsAccountAddFlags  flags,
                    GCancellable      *cancellable)
{
  g_autoptr(OpsJob) job = NULL;

  g_return_val_if_fail (MS_IS_ACCOUNT_STORE (store), NULL);
  g_return_val_if_fail (MS_IS_ACCOUNT (account), NULL);

  job = add_job_new (store, account, request, flags);
  if (add_prepare (job))
    {
      add_keyring_phase (job, cancellable);
      add_file_phase (job);
    }

  return g_steal_pointer (&job->result);
}

/* ---- update ---- */

static gboolean
update_prepare (OpsJob  *job,
                GError **error)
{
  g_autoptr(MsAccount) stored = ms_account_store_lookup (job->store,
                                                         ms_account_get_id (job->account),
                                                         error);

  if (stored == NULL || !ms_account_validate (job->account, error))
    return FALSE;

  job->old = ms_account_copy (stored, NULL);
  return TRUE;
}

/* No secret to keep for undoing: none stored, or a sealed one that no
 * longer opens (which is why it is being replaced or removed). */
static gboolean
secret_is_gone (const GError *error)
{
  return g_error_matches (error, MS_ERROR, MS_ERROR_SECRET_MISSING)
         || g_error_matches (error, MS_ERROR, MS_ERROR_CREDENTIAL_UNAVAILABLE);
}

/* Nothing to move or keep in the keyring: no new secret, and the same
 * server, or an account of Online Accounts before and after (it has no
 * keyring item, and no server of its own to look one up by: GOA holds the
 * sign-in). */
static gboolean
keyring_untouched (OpsJob *job)
{
  return job->password == NULL
         && (ms_account_same_server (job->old, job->account)
             || (ms_account_get_online_account (job->old) != NULL
                 && ms_account_get_online_account (job->account) != NULL));
}

static gboolean
update_keyring_phase (OpsJob        *job,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  MsPassword *secret;

  job->lock = ms_account_store_lock (job->store, cancellable, error);
  if (job->lock == NULL)
    return FALSE;
  if (keyring_untouched (job))
    return TRUE;

  /* The old secret: moved to the new server, or kept for undoing. */
  job->previous = ms_credentials_lookup (job->old, cancellable, &local_error);
  if (job->previous == NULL &&
      (job->password == NULL || !secret_is_gone (local_error)))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  secret = job->password != NULL ? job->password : job->previous;
  return ms_credentials_save (job->account, secret, cancellable, error);
}

static gboolean
update_file_phase (OpsJob  *job,
                   GError **error)
{
  g_autoptr(MsAccount) old = ms_account_copy (job->old, NULL);
  /* Held until this phase returns: the file is re-read and written under it. */
  g_autoptr(MsAccountStoreLock) lock G_GNUC_UNUSED = g_steal_pointer (&job->lock);

  if (ms_account_store_refresh (job->store, error) &&
      ms_account_store_replace (job->store, job->account, error) &&
      ms_account_store_save (job->store, error))
    return TRUE;

  ms_account_store_replace (job->store, old, NULL);
  if (!keyring_untouched (job))
    undo_secret (job->old, job->previous);
  return FALSE;
}

/**
 * ms_account_ops_update:
 * @store: a loaded #MsAccountStore
 * @account: new settings for an existing account id (copied)
 * @password: (nullable): a new secret, or %NULL to keep the stored one
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Changes an account. A new password replaces the keyring item; new server
 * settings without a password move the stored secret to the new server's
 * attributes. When accounts.ini cannot be written, the keyring is put back.
 * It does not sign in: check with ms_sender_login() first if you want to.
 *
 * Returns: %TRUE on success; errors: unknown-account, invalid-input,
 *   keyring-unavailable, keyring-locked, secret-missing (moving a secret
 *   that is not there), config-invalid, cancelled
 */
gboolean
ms_account_ops_update (MsAccountStore  *store,
                       MsAccount       *account,
                       MsPassword      *password,
                       GCancellable    *cancellable,
                       GError         **error)
{
  g_autoptr(OpsJob) job = NULL;

  g_return_val_if_fail (MS_IS_ACCOUNT_STORE (store), FALSE);
  g_return_val_if_fail (MS_IS_ACCOUNT (account), FALSE);

  job = ops_job_new (OP_UPDATE, store);
  job->account = ms_account_copy (account, NULL);
  job->password = password ? ms_password_ref (password) : NULL;

  return update_prepare (job, error) &&
         update_keyring_phase (job, cancellable, error) &&
         update_file_phase (job, error);
}

/* ---- remove ---- */

static gboolean
remove_prepare (OpsJob     *job,
                const char *id,
                GError    **error)
{
  g_autoptr(MsAccount) stored = ms_account_store_lookup (job->store, id, error);

  if (stored == NULL)
    return FALSE;

  job->old = ms_account_copy (stored, NULL);
  return TRUE;
}

static gboolean
remove_keyring_phase (OpsJob        *job,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  job->lock = ms_account_store_lock (job->store, cancellable, error);
  if (job->lock == NULL)
    return FALSE;

  /* Kept only to put it back if the file cannot be written. */
  job->previous = ms_credentials_lookup (job->old, cancellable, &local_error);
  if (job->previous == NULL && !secret_is_gone (local_error))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return ms_credentials_clear (job->old, cancellable, error);
}

static gboolean
remove_file_phase (OpsJob  *job,
                   GError **error)
{
  const char *id = ms_account_get_id (job->old);
  /* Held until this phase returns: the file is re-read and written under it. */
  g_autoptr(MsAccountStoreLock) lock G_GNUC_UNUSED = g_steal_pointer (&job->lock);

  if (ms_account_store_refresh (job->store, error) &&
      ms_account_store_remove (job->store, id, error) &&
      ms_account_store_save (job->store, error))
    return TRUE;

  ms_account_store_add (job->store, job->old, NULL);
  if (job->previous != NULL)
    undo_secret (job->old, job->previous);
  return FALSE;
}

/**
 * ms_account_ops_remove:
 * @store: a loaded #MsAccountStore
 * @id: an account id
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Removes the account's keyring items, then its group in accounts.ini. An
 * item that is already gone is no obstacle. When the keyring cannot be
 * reached or stays locked, nothing is removed and that error is returned
 * (removing only the group would leave the secret behind unseen).
 *
 * Returns: %TRUE on success; errors: unknown-account, keyring-unavailable,
 *   keyring-locked, config-invalid, cancelled
 */
gboolean
ms_account_ops_remove (MsAccountStore  *store,
                       const char      *id,
                       GCancellable    *cancellable,
                       GError         **error)
{
  g_autoptr(OpsJob) job = NULL;

  g_return_val_if_fail (MS_IS_ACCOUNT_STORE (store), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  job = ops_job_new (OP_REMOVE, store);

  return remove_prepare (job, id, error) &&
         remove_keyring_phase (job, cancellable, error) &&
         remove_file_phase (job, error);
}

/**
 * ms_account_ops_set_default:
 * @store: a loaded #MsAccountStore
 * @id: an account id
 * @error: return location for an error
 *
 * Makes @id the default account and writes accounts.ini.
 *
 * Returns: %TRUE on success; errors: unknown-account, config-invalid
 */
gboolean
ms_account_ops_set_default (MsAccountStore  *store,
                            const char      *id,
                            GError         **error)
{
  g_autoptr(MsAccount) previous = NULL;
  g_autoptr(MsAccountStoreLock) lock = NULL;

  g_return_val_if_fail (MS_IS_ACCOUNT_STORE (store), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  lock = ms_account_store_lock (store, NULL, error);
  if (lock == NULL || !ms_account_store_refresh (store, error))
    return FALSE;
  previous = ms_account_store_get_default (store, NULL);
  if (!ms_account_store_set_default (store, id, error))
    return FALSE;
  if (ms_account_store_save (store, error))
    return TRUE;

  if (previous != NULL)
    ms_account_set_default (previous, TRUE);
  return FALSE;
}

/* ---- async: the keyring phase on a worker thread, the file on ours ---- */

static void
keyring_phase_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  OpsJob *job = task_data;

  switch (job->kind)
    {
    case OP_ADD:
      add_keyring_phase (job, cancellable);
      break;
    case OP_UPDATE:
      update_keyring_phase (job, cancellable, &job->error);
      break;
    case OP_REMOVE:
    default:
      remove_keyring_phase (job, cancellable, &job->error);
      break;
    }

  g_task_return_boolean (task, TRUE);
}

static void
finish_job (GTask *task)
{
  OpsJob *job = g_task_get_task_data (task);

  if (job->kind == OP_ADD)
    g_task_return_pointer (task, g_steal_pointer (&job->result),
                           (GDestroyNotify) ms_result_unref);
  else if (job->error != NULL)
    g_task_return_error (task, g_steal_pointer (&job->error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_keyring_phase_done_cb (GObject      *source_object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  OpsJob *job = g_task_get_task_data (task);

  if (job->kind == OP_ADD)
    add_file_phase (job);
  else if (job->error == NULL && job->kind == OP_UPDATE)
    update_file_phase (job, &job->error);
  else if (job->error == NULL)
    remove_file_phase (job, &job->error);

  finish_job (task);
}

static void
start_job (OpsJob              *job,
           gboolean             prepared,
           gpointer             source_tag,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GTask) worker = NULL;

  g_task_set_source_tag (task, source_tag);
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, job, (GDestroyNotify) ops_job_free);

  if (!prepared)
    {
      finish_job (task);
      return;
    }

  worker = g_task_new (NULL, cancellable, on_keyring_phase_done_cb, g_object_ref (task));
  g_task_set_check_cancellable (worker, FALSE);
  g_task_set_task_data (worker, job, NULL);
  g_task_run_in_thread (worker, keyring_phase_thread);
}

void
ms_account_ops_add_async (MsAccountStore      *store,
                          MsAccount           *account,
                          const MsRequest     *request,
                          MsAccountAddFlags    flags,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  OpsJob *job;

  g_return_if_fail (MS_IS_ACCOUNT_STORE (store));
  g_return_if_fail (MS_IS_ACCOUNT (account));

  job = add_job_new (store, account, request, flags);
  start_job (job, add_prepare (job), ms_account_ops_add_async, cancellable, callback, user_data);
}

/**
 * ms_account_ops_add_finish:
 * @result: the #GAsyncResult
 * @error: return location for an error (only for programming errors)
 *
 * Returns: (transfer full): the result, see ms_account_ops_add()
 */
MsResult *
ms_account_ops_add_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ms_account_ops_add_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ms_account_ops_update_async (MsAccountStore      *store,
                             MsAccount           *account,
                             MsPassword          *password,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  OpsJob *job;

  g_return_if_fail (MS_IS_ACCOUNT_STORE (store));
  g_return_if_fail (MS_IS_ACCOUNT (account));

  job = ops_job_new (OP_UPDATE, store);
  job->account = ms_account_copy (account, NULL);
  job->password = password ? ms_password_ref (password) : NULL;
  start_job (job, update_prepare (job, &job->error), ms_account_ops_update_async,
             cancellable, callback, user_data);
}

gboolean
ms_account_ops_update_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ms_account_ops_update_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
ms_account_ops_remove_async (MsAccountStore      *store,
                             const char          *id,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  OpsJob *job;

  g_return_if_fail (MS_IS_ACCOUNT_STORE (store));
  g_return_if_fail (id != NULL);

  job = ops_job_new (OP_REMOVE, store);
  start_job (job, remove_prepare (job, id, &job->error), ms_account_ops_remove_async,
             cancellable, callback, user_data);
}

gboolean
ms_account_ops_remove_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ms_account_ops_remove_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- an account with its secret ---- */

/**
 * ms_account_ops_load_request:
 * @account: a stored account
 * @cancellable: (nullable): a #GCancellable
 * @keyring_error: (nullable): where to say why the keyring gave no password
 *
 * An account together with its secret: a request with the account's
 * settings, id, provider and address as sender (ms_account_make_request()),
 * and its password from the keyring. Blocks on the keyring: call it from a
 * worker thread or the command line.
 *
 * Returns: (transfer full): the request, always; without a password when
 *   the keyring could not give it, and then @keyring_error is set
 *   (keyring-unavailable, keyring-locked, secret-missing, cancelled)
 */
MsRequest *
ms_account_ops_load_request (MsAccount     *account,
                             GCancellable  *cancellable,
                             GError       **keyring_error)
{
  g_return_val_if_fail (MS_IS_ACCOUNT (account), NULL);

  return ms_account_ops_load_request_within (account, 0, cancellable, keyring_error);
}

/**
 * ms_account_ops_load_request_within:
 * @account: a stored account
 * @timeout_seconds: how long an unlock prompt may keep it waiting (0: as
 *   long as the prompt is up); see ms_secret_store_lookup_with_timeout()
 * @cancellable: (nullable): a #GCancellable
 * @keyring_error: (nullable): where to say why the keyring gave no password
 *
 * ms_account_ops_load_request() for the command line, where `--timeout`
 * also bounds the keyring.
 *
 * Returns: (transfer full): the request, always (see
 *   ms_account_ops_load_request())
 */
MsRequest *
ms_account_ops_load_request_within (MsAccount     *account,
                                    guint          timeout_seconds,
                                    GCancellable  *cancellable,
                                    GError       **keyring_error)
{
  g_autoptr(MsPassword) password = NULL;

  g_return_val_if_fail (MS_IS_ACCOUNT (account), NULL);

  /* An online account asks GOA for a token per connection, not the keyring. */
  if (ms_account_get_online_account (account) != NULL)
    return ms_account_make_request (account, NULL);

  password = ms_credentials_lookup_with_timeout (account, timeout_seconds, cancellable,
                                                 keyring_error);

  return ms_account_make_request (account, password);
}

typedef struct
{
  MsAccount *account;
  MsRequest *request;
  GError    *keyring_error;
} LoadJob;

static void
load_job_free (LoadJob *job)
{
  g_clear_object (&job->account);
  g_clear_pointer (&job->request, ms_request_free);
  g_clear_error (&job->keyring_error);
  g_free (job);
}

static void
on_secret_looked_up_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LoadJob *job = g_task_get_task_data (task);
  g_autoptr(MsPassword) password = ms_credentials_lookup_finish (result, &job->keyring_error);

  job->request = ms_account_make_request (job->account, password);
  g_task_return_boolean (task, TRUE);
}

/**
 * ms_account_ops_load_request_async:
 * @account: a stored account
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's main context
 * @user_data: data for @callback
 *
 * ms_account_ops_load_request() without blocking: the keyring is asked
 * asynchronously.
 */
void
ms_account_ops_load_request_async (MsAccount           *account,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task;
  LoadJob *job;

  g_return_if_fail (MS_IS_ACCOUNT (account));

  task = g_task_new (NULL, cancellable, callback, user_data);
  job = g_new0 (LoadJob, 1);
  job->account = g_object_ref (account);
  g_task_set_source_tag (task, ms_account_ops_load_request_async);
  g_task_set_task_data (task, job, (GDestroyNotify) load_job_free);
  if (ms_account_get_online_account (account) != NULL)
    {
      job->request = ms_account_make_request (account, NULL);
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  ms_credentials_lookup_async (account, cancellable, on_secret_looked_up_cb, task);
}

/**
 * ms_account_ops_load_request_finish:
 * @result: the #GAsyncResult given to the callback
 * @keyring_error: (nullable): as for ms_account_ops_load_request()
 *
 * Returns: (transfer full): the request, always
 */
MsRequest *
ms_account_ops_load_request_finish (GAsyncResult  *result,
                                    GError       **keyring_error)
{
  LoadJob *job;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == ms_account_ops_load_request_async, NULL);

  job = g_task_get_task_data (G_TASK (result));
  if (job->keyring_error != NULL)
    g_propagate_error (keyring_error, g_steal_pointer (&job->keyring_error));

  return g_steal_pointer (&job->request);
}

/* ---- an account's settings in effect ---- */

/**
 * ms_account_ops_resolve:
 * @account: a stored account
 * @from_online_account: (out) (optional): which of its settings came from
 *   GNOME Online Accounts
 * @cancellable: (nullable): a #GCancellable
 * @error: online-account-unavailable, cancelled
 *
 * The settings an account connects with, for showing and exporting: an
 * account of GNOME Online Accounts gets the ones its group leaves to GOA
 * as GOA has them now (ms_online_account_complete_request(), the same function the
 * operations call before connecting); any other account is copied as it
 * is. The copy is for reading: storing it would write GOA's values into
 * the group, which would then stop following GOA. Blocks on D-Bus for an
 * online account: call it from a worker thread or the command line, or
 * use ms_account_ops_resolve_async().
 *
 * Returns: (transfer full): a copy with the settings in effect, or %NULL
 */
MsAccount *
ms_account_ops_resolve (MsAccount         *account,
                        MsOnlineSettings  *from_online_account,
                        GCancellable      *cancellable,
                        GError           **error)
{
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsAccount) copy = NULL;

  g_return_val_if_fail (MS_IS_ACCOUNT (account), NULL);

  if (from_online_account != NULL)
    *from_online_account = MS_ONLINE_SETTING_NONE;
  copy = ms_account_copy (account, NULL);
  if (ms_account_get_online_settings (account) == MS_ONLINE_SETTING_NONE)
    return g_steal_pointer (&copy);

  request = ms_account_make_request (account, NULL);
  if (!ms_online_account_complete_request (request, cancellable, error))
    return NULL;

  ms_account_set_smtp_config (copy, request->config);
  if (from_online_account != NULL)
    *from_online_account = request->from_online_account;

  return g_steal_pointer (&copy);
}

typedef struct
{
  MsAccount        *account;
  MsOnlineSettings  from_online_account;
} ResolveJob;

static void
resolve_job_free (ResolveJob *job)
{
  g_clear_object (&job->account);
  g_free (job);
}

static void
resolve_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  ResolveJob *job = task_data;
  GError *error = NULL;
  MsAccount *resolved = ms_account_ops_resolve (job->account, &job->from_online_account,
                                                cancellable, &error);

  if (resolved == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, resolved, g_object_unref);
}

/**
 * ms_account_ops_resolve_async:
 * @account: a stored account (copied)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's main context
 * @user_data: data for @callback
 *
 * ms_account_ops_resolve() in a worker thread, for the window.
 */
void
ms_account_ops_resolve_async (MsAccount           *account,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ResolveJob *job;

  g_return_if_fail (MS_IS_ACCOUNT (account));

  job = g_new0 (ResolveJob, 1);
  job->account = ms_account_copy (account, NULL);
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ms_account_ops_resolve_async);
  g_task_set_task_data (task, job, (GDestroyNotify) resolve_job_free);
  g_task_run_in_thread (task, resolve_thread);
}

/**
 * ms_account_ops_resolve_finish:
 * @result: the #GAsyncResult given to the callback
 * @from_online_account: (out) (optional): as for ms_account_ops_resolve()
 * @error: as for ms_account_ops_resolve()
 *
 * Returns: (transfer full): the copy with the settings in effect, or %NULL
 */
MsAccount *
ms_account_ops_resolve_finish (GAsyncResult      *result,
                               MsOnlineSettings  *from_online_account,
                               GError           **error)
{
  ResolveJob *job;
  MsAccount *account;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == ms_account_ops_resolve_async, NULL);

  job = g_task_get_task_data (G_TASK (result));
  account = g_task_propagate_pointer (G_TASK (result), error);
  if (from_online_account != NULL)
    *from_online_account = account != NULL ? job->from_online_account : MS_ONLINE_SETTING_NONE;

  return account;
}
