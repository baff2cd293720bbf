/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-outbox-delivery"

#include "config.h"

#include "ms-account-ops.h"
#include "ms-advice.h"
#include "ms-operation.h"
#include "ms-online-account.h"
#include "ms-outbox-delivery.h"
#include "ms-smtp-client.h"

/*
 * Delivering kept messages (docs/contract.md, "The outbox"): the messages
 * of one account, over one connection, signed in once, RSET between them.
 * Each message's fate is written into the outbox as soon as it is known,
 * so a kill between two messages loses no result.
 */

void
ms_outbox_attempt_free (MsOutboxAttempt *attempt)
{
  if (attempt == NULL)
    return;

  ms_outbox_entry_free (attempt->entry);
  g_clear_pointer (&attempt->result, ms_result_unref);
  g_free (attempt);
}

static MsOutboxAttempt *
attempt_new (MsOutboxLock *lock,
             MsResult     *result)
{
  MsOutboxAttempt *attempt = g_new0 (MsOutboxAttempt, 1);

  attempt->entry = ms_outbox_entry_copy (ms_outbox_lock_get_entry (lock));
  attempt->result = result != NULL ? ms_result_ref (result) : NULL;

  return attempt;
}

static GPtrArray *
attempts_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) ms_outbox_attempt_free);
}

/* Writes @failure into the entry. A full disk here leaves the entry as it
 * was (still kept, tried again), which is what matters. */
static MsOutboxAttempt *
record_attempt (MsOutboxLock   *lock,
                MsResult       *failure)
{
  g_autoptr(GError) error = NULL;
  MsOutboxAttempt *attempt;

  if (!ms_outbox_lock_record (lock, failure, &error))
    g_debug ("Could not record the attempt: %s", error->message);
  attempt = attempt_new (lock, failure);
  attempt->tried = TRUE;

  return attempt;
}

/**
 * ms_outbox_record_failure:
 * @locks: (element-type MsOutboxLock): held entries
 * @failure: why none of them could be tried (result->error set), such as
 *   a locked keyring
 *
 * Records @failure as an attempt of every entry.
 *
 * Returns: (transfer full) (element-type MsOutboxAttempt): what became of them
 */
GPtrArray *
ms_outbox_record_failure (GPtrArray      *locks,
                          const MsResult *failure)
{
  GPtrArray *attempts = attempts_new ();

  g_return_val_if_fail (locks != NULL, attempts);
  g_return_val_if_fail (failure != NULL && failure->error != NULL, attempts);

  for (guint i = 0; i < locks->len; i++)
    g_ptr_array_add (attempts, record_attempt (g_ptr_array_index (locks, i),
                                               (MsResult *) failure));

  return attempts;
}

static MsResult *
message_result_new (const MsResult *session)
{
  MsResult *result = ms_result_new ("send");

  result->account = g_strdup (session->account);
  result->host = g_strdup (session->host);
  result->port = session->port;
  result->security = session->security;
  result->from_online_account = session->from_online_account;

  return result;
}

/* The message's fate, once its final reply is in: delivered (the entry
 * goes), or kept with this attempt's error. */
static void
settle (const MsRequest *request,
        MsOutboxLock    *lock,
        MsResult        *result,
        GPtrArray       *attempts)
{
  g_autoptr(GError) error = NULL;
  MsOutboxAttempt *attempt;

  if (result->error != NULL)
    {
      ms_advice_fill (result, request->provider);
      g_ptr_array_add (attempts, record_attempt (lock, result));
      return;
    }

  result->message_id = g_strdup (ms_outbox_lock_get_entry (lock)->message_id);
  attempt = attempt_new (lock, result);
  attempt->tried = TRUE;
  attempt->delivered = TRUE;
  if (!ms_outbox_lock_delivered (lock, &error))
    g_debug ("Delivered, but could not remove the entry: %s", error->message);
  g_ptr_array_add (attempts, attempt);
}

/* One message on an open, signed-in session, streamed from its file in
 * fixed-size buffers (memory stays flat in the message's size). Its final
 * reply may come with the next message's (ms_smtp_client_set_pipeline_messages):
 * then it is settled later. Returns whether it was written whole and waits
 * for that reply. */
static gboolean
deliver_one (MsSmtpClient    *client,
             const MsRequest *request,
             MsResult        *result,
             MsOutboxLock    *lock,
             GPtrArray       *attempts)
{
  const MsOutboxEntry *entry = ms_outbox_lock_get_entry (lock);
  g_autoptr(GInputStream) message = NULL;
  g_autoptr(GError) error = NULL;

  message = ms_outbox_lock_read (lock, &error);
  if (message == NULL)
    {
      ms_result_set_error_from_gerror (result, MS_STEP_DATA, error);
      return FALSE;
    }

  ms_smtp_client_set_result (client, result);
  ms_smtp_client_set_envelope_options (client, entry->dsn_notify, entry->dsn_ret, entry->dsn_envid,
                                       entry->body_8bitmime);

  return ms_smtp_client_send_stream (client, entry->from, (const char * const *) entry->recipients,
                                     message, FALSE);
}

static void
add_untried (GPtrArray *locks,
             guint      from,
             GPtrArray *attempts)
{
  for (guint i = from; i < locks->len; i++)
    g_ptr_array_add (attempts, attempt_new (g_ptr_array_index (locks, i), NULL));
}

/**
 * ms_outbox_deliver:
 * @request: the account's settings and secret (message and recipients
 *   unused)
 * @locks: (element-type MsOutboxLock): held entries of this account, in
 *   the order to send them
 * @attempts: (out) (transfer full) (element-type MsOutboxAttempt): what
 *   became of each entry, in the order of @locks
 * @cancellable: (nullable): a #GCancellable
 *
 * Connects and signs in once, then streams each message from its file,
 * RSET between two.
 * A delivered message leaves the outbox; a failed attempt is recorded in
 * its entry (backoff, held, failed). Blocking: run it in a worker thread.
 *
 * Returns: (transfer full): the session with the first message (steps,
 *   transcript, error); the attempt of every later message has its own
 */
MsResult *
ms_outbox_deliver (const MsRequest  *request,
                   GPtrArray        *locks,
                   GPtrArray       **attempts,
                   GCancellable     *cancellable)
{
  g_autoptr(MsResult) session = ms_result_new ("send");
  g_autoptr(MsSmtpClient) client = NULL;
  g_autoptr(GPtrArray) done = attempts_new ();
  g_autoptr(MsRequest) resolved = NULL;
  g_autoptr(GError) online_error = NULL;
  MsResult *waiting = NULL;
  gboolean opened = FALSE;
  gint64 start;
  guint i = 0;

  g_return_val_if_fail (request != NULL && locks != NULL && attempts != NULL, NULL);

  start = g_get_monotonic_time ();
  /* An online account's settings as GOA has them now. */
  if (request->online_settings != MS_ONLINE_SETTING_NONE)
    {
      resolved = ms_request_copy (request);
      if (ms_online_account_complete_request (resolved, cancellable, &online_error))
        request = resolved;
    }
  session->account = g_strdup (request->account);
  session->host = g_strdup (request->config->host);
  session->port = request->config->port;
  session->security = request->config->security;
  session->from_online_account = request->from_online_account;

  /* A token of its own for an online account (ms_operation_sign_in()). */
  if (online_error != NULL)
    {
      ms_result_add_step (session, MS_STEP_CONFIG, FALSE, 0)->detail =
        g_strdup (online_error->message);
      ms_result_set_error_from_gerror (session, MS_STEP_CONFIG, online_error);
    }
  else
    client = ms_operation_sign_in (request, MS_SMTP_NEEDS_AUTH | MS_SMTP_NEEDS_SENDER, session,
                                   NULL, cancellable, &opened);
  /* Each message's final reply comes in with the next one's commands. */
  if (client != NULL)
    ms_smtp_client_set_pipeline_messages (client, TRUE);
  for (i = 0; opened && i < locks->len; i++)
    {
      g_autoptr(MsResult) result = i == 0 ? ms_result_ref (session) : message_result_new (session);
      MsOutboxLock *lock = g_ptr_array_index (locks, i);
      gboolean written = deliver_one (client, request, result, lock, done);

      /* By now the previous message's final reply has been read. */
      if (waiting != NULL)
        settle (request, g_ptr_array_index (locks, i - 1), waiting, done);
      g_clear_pointer (&waiting, ms_result_unref);
      if (written)
        waiting = g_steal_pointer (&result);
      else
        settle (request, lock, result, done);
      if (!ms_smtp_client_can_continue (client))
        {
          i++;
          break;
        }
    }
  if (waiting != NULL)
    {
      ms_smtp_client_complete_pending (client);
      settle (request, g_ptr_array_index (locks, i - 1), waiting, done);
      g_clear_pointer (&waiting, ms_result_unref);
    }
  if (opened)
    add_untried (locks, i, done);

  /* QUIT's step goes with the session and the first message. */
  if (client != NULL)
    {
      ms_smtp_client_set_result (client, session);
      ms_smtp_client_finish (client);
    }
  session->total_ms = (g_get_monotonic_time () - start) / 1000;

  if (!opened)
    {
      g_autoptr(GPtrArray) failed = NULL;

      ms_advice_fill (session, request->provider);
      failed = ms_outbox_record_failure (locks, session);
      g_ptr_array_extend_and_steal (done, g_steal_pointer (&failed));
    }

  *attempts = g_steal_pointer (&done);

  return g_steal_pointer (&session);
}

typedef struct
{
  MsRequest *request;
  GPtrArray *locks;
  GPtrArray *attempts;
} DeliverData;

static void
deliver_data_free (DeliverData *data)
{
  ms_request_free (data->request);
  g_ptr_array_unref (data->locks);
  g_clear_pointer (&data->attempts, g_ptr_array_unref);
  g_free (data);
}

static void
deliver_in_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  DeliverData *data = task_data;
  MsResult *result = ms_outbox_deliver (data->request, data->locks, &data->attempts, cancellable);

  /* The locks go with the work: released in this thread, now. */
  g_ptr_array_set_size (data->locks, 0);
  g_task_return_pointer (task, result, (GDestroyNotify) ms_result_unref);
}

/**
 * ms_outbox_deliver_async:
 * @request: as for ms_outbox_deliver(); copied
 * @locks: (transfer full) (element-type MsOutboxLock): the entries
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's main context
 * @user_data: data for @callback
 *
 * ms_outbox_deliver() in a worker thread.
 */
void
ms_outbox_deliver_async (const MsRequest     *request,
                         GPtrArray           *locks,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  DeliverData *data = g_new0 (DeliverData, 1);

  data->request = ms_request_copy (request);
  data->locks = locks;
  g_task_set_source_tag (task, ms_outbox_deliver_async);
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, data, (GDestroyNotify) deliver_data_free);
  g_task_run_in_thread (task, deliver_in_thread);
}

/**
 * ms_outbox_deliver_finish:
 * @result: the #GAsyncResult
 * @attempts: (out) (transfer full) (element-type MsOutboxAttempt): what
 *   became of each entry
 * @error: return location for a programming error
 *
 * Returns: (transfer full): the session, as ms_outbox_deliver()'s
 */
MsResult *
ms_outbox_deliver_finish (GAsyncResult  *result,
                          GPtrArray    **attempts,
                          GError       **error)
{
  DeliverData *data;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ms_outbox_deliver_async, NULL);

  data = g_task_get_task_data (G_TASK (result));
  *attempts = g_steal_pointer (&data->attempts);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- sending an account's messages now (the window, the timer) ---- */

static gboolean
wanted_now (const MsOutboxEntry *entry,
            const char * const  *ids,
            gboolean             include_held,
            GDateTime           *now)
{
  if (entry->state == MS_OUTBOX_STATE_FAILED)
    return FALSE;
  if (ids != NULL && ids[0] != NULL)
    return g_strv_contains (ids, entry->id);
  if (include_held)
    return TRUE;

  return ms_outbox_entry_is_due (entry, now);
}

/**
 * ms_outbox_lock_for_sending:
 * @outbox: the outbox
 * @account: an account id
 * @ids: (nullable) (array zero-terminated=1): only these entries
 * @include_held: every queued and held message, not only the due ones
 *
 * The account's messages to send now, each locked by this process and
 * queued (a held one released): @ids when given (any but failed), else the
 * due ones, or with @include_held every queued and held one.
 *
 * Returns: (transfer full) (element-type MsOutboxLock): the locks
 */
GPtrArray *
ms_outbox_lock_for_sending (MsOutbox           *outbox,
                            const char         *account,
                            const char * const *ids,
                            gboolean            include_held)
{
  GPtrArray *locks = g_ptr_array_new_with_free_func ((GDestroyNotify) ms_outbox_lock_free);
  g_autoptr(GPtrArray) entries = ms_outbox_list (outbox, account, NULL);
  g_autoptr(GDateTime) now = ms_outbox_now (outbox);

  for (guint i = 0; entries != NULL && i < entries->len; i++)
    {
      MsOutboxEntry *entry = g_ptr_array_index (entries, i);
      MsOutboxLock *lock;

      if (!wanted_now (entry, ids, include_held, now))
        continue;
      lock = ms_outbox_lock (outbox, entry->id, NULL);
      if (lock == NULL || !wanted_now (ms_outbox_lock_get_entry (lock), ids, include_held, now)
          || (ms_outbox_lock_get_entry (lock)->state != MS_OUTBOX_STATE_QUEUED
              && !ms_outbox_lock_set_state (lock, MS_OUTBOX_STATE_QUEUED, NULL)))
        {
          ms_outbox_lock_free (lock);
          continue;
        }
      g_ptr_array_add (locks, lock);
    }

  return locks;
}

/**
 * ms_outbox_send_now:
 * @outbox: the outbox
 * @account: the account whose messages to send
 * @ids: (nullable) (array zero-terminated=1): only these entries
 * @include_held: also held messages (the account works again)
 * @cancellable: (nullable): a #GCancellable
 *
 * Sends @account's messages that are due (or @ids, or with @include_held
 * every queued and held one) now, with its password from the keyring,
 * over one connection. Blocking: run it in a worker thread.
 *
 * Returns: (transfer full) (element-type MsOutboxAttempt): what became of
 *   each message tried
 */
GPtrArray *
ms_outbox_send_now (MsOutbox           *outbox,
                    MsAccount          *account,
                    const char * const *ids,
                    gboolean            include_held,
                    GCancellable       *cancellable)
{
  g_autoptr(GPtrArray) locks = NULL;
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsResult) session = NULL;
  g_autoptr(GError) keyring_error = NULL;
  GPtrArray *attempts = NULL;

  g_return_val_if_fail (MS_IS_OUTBOX (outbox) && MS_IS_ACCOUNT (account), NULL);

  locks = ms_outbox_lock_for_sending (outbox, ms_account_get_id (account), ids, include_held);
  if (locks->len == 0)
    return attempts_new ();

  request = ms_account_ops_load_request (account, cancellable, &keyring_error);
  if (keyring_error != NULL)
    {
      g_autoptr(MsResult) failure = ms_result_new ("send");

      failure->account = g_strdup (ms_account_get_id (account));
      failure->credential_store = ms_account_get_credential_store (account);
      ms_result_set_error_from_gerror (failure, MS_STEP_KEYRING, keyring_error);
      ms_advice_fill (failure, request->provider);
      return ms_outbox_record_failure (locks, failure);
    }

  session = ms_outbox_deliver (request, locks, &attempts, cancellable);

  return attempts;
}

typedef struct
{
  MsOutbox   *outbox;
  MsAccount  *account;
  char      **ids;
  gboolean    include_held;
} SendNowData;

static void
send_now_data_free (SendNowData *data)
{
  g_object_unref (data->outbox);
  g_object_unref (data->account);
  g_strfreev (data->ids);
  g_free (data);
}

static void
send_now_in_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  SendNowData *data = task_data;

  g_task_return_pointer (task, ms_outbox_send_now (data->outbox, data->account,
                                                   (const char * const *) data->ids,
                                                   data->include_held, cancellable),
                         (GDestroyNotify) g_ptr_array_unref);
}

/**
 * ms_outbox_send_now_async:
 * @outbox: the outbox
 * @account: the account
 * @ids: (nullable) (array zero-terminated=1): only these entries
 * @include_held: also held messages
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's main context
 * @user_data: data for @callback
 *
 * ms_outbox_send_now() in a worker thread.
 */
void
ms_outbox_send_now_async (MsOutbox            *outbox,
                          MsAccount           *account,
                          const char * const  *ids,
                          gboolean             include_held,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (outbox, cancellable, callback, user_data);
  SendNowData *data = g_new0 (SendNowData, 1);

  data->outbox = g_object_ref (outbox);
  data->account = g_object_ref (account);
  data->ids = g_strdupv ((char **) ids);
  data->include_held = include_held;
  g_task_set_source_tag (task, ms_outbox_send_now_async);
  g_task_set_task_data (task, data, (GDestroyNotify) send_now_data_free);
  g_task_run_in_thread (task, send_now_in_thread);
}

/**
 * ms_outbox_send_now_finish:
 * @result: the #GAsyncResult
 * @error: return location for an error (cancelled only)
 *
 * Returns: (transfer full) (element-type MsOutboxAttempt): the attempts
 */
GPtrArray *
ms_outbox_send_now_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ms_outbox_send_now_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
list_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *entries = ms_outbox_list (source_object, NULL, &error);

  if (entries == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, entries, (GDestroyNotify) g_ptr_array_unref);
}

/**
 * ms_outbox_list_async:
 * @outbox: the outbox
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's main context
 * @user_data: data for @callback
 *
 * ms_outbox_list() in a worker thread (its housekeeping writes to disk).
 */
void
ms_outbox_list_async (MsOutbox            *outbox,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (outbox, cancellable, callback, user_data);

  g_task_set_source_tag (task, ms_outbox_list_async);
  g_task_run_in_thread (task, list_in_thread);
}

/**
 * ms_outbox_list_finish:
 * @result: the #GAsyncResult
 * @error: return location for an error
 *
 * Returns: (transfer full) (element-type MsOutboxEntry): the entries;
 *   errors: as ms_outbox_list()
 */
GPtrArray *
ms_outbox_list_finish (GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ms_outbox_list_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
drop_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GError *error = NULL;

  if (ms_outbox_drop (source_object, task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * ms_outbox_drop_async:
 * @outbox: the outbox
 * @id: an entry's id
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's main context
 * @user_data: data for @callback
 *
 * ms_outbox_drop() in a worker thread (it syncs the folder).
 */
void
ms_outbox_drop_async (MsOutbox            *outbox,
                      const char          *id,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (outbox, cancellable, callback, user_data);

  g_task_set_source_tag (task, ms_outbox_drop_async);
  g_task_set_task_data (task, g_strdup (id), g_free);
  g_task_run_in_thread (task, drop_in_thread);
}

gboolean
ms_outbox_drop_finish (GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ms_outbox_drop_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
