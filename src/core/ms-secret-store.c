/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-secret-store"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>

#include "ms-error.h"
#include "ms-secret-store.h"

#define SERVICE_SMTP "smtp"

/* docs/contract.md, "Where state lives". Never change a name here: stored items
 * would no longer be found. */
static const SecretSchema account_schema = {
  "io.github.mailsetup.Account", SECRET_SCHEMA_NONE,
  {
    { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "service", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "host", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "port", SECRET_SCHEMA_ATTRIBUTE_INTEGER },
    { "user", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
  0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
};

typedef enum
{
  JOB_SAVE,
  JOB_LOOKUP,
  JOB_CLEAR,
} JobKind;

/* What a worker thread needs, copied from the account so that the caller
 * may change or drop the account meanwhile. */
typedef struct
{
  JobKind     kind;
  char       *account;
  char       *host;
  char       *user;
  guint       port;
  guint       timeout_seconds;   /* lookup: 0 waits as long as an unlock prompt is up */
  MsPassword *password;
} SecretJob;

static void
secret_job_free (SecretJob *job)
{
  g_free (job->account);
  g_free (job->host);
  g_free (job->user);
  g_clear_pointer (&job->password, ms_password_unref);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SecretJob, secret_job_free)

static SecretJob *
secret_job_new (JobKind     kind,
                MsAccount  *account,
                MsPassword *password)
{
  SecretJob *job = g_new0 (SecretJob, 1);

  job->kind = kind;
  job->account = g_strdup (ms_account_get_id (account));
  job->host = g_strdup (ms_account_get_host (account));
  job->user = g_strdup (ms_account_get_effective_username (account));
  job->port = ms_account_get_effective_port (account);
  job->password = password ? ms_password_ref (password) : NULL;

  return job;
}

static void
set_locked_error (GError **error)
{
  g_set_error_literal (error, MS_ERROR, MS_ERROR_KEYRING_LOCKED,
                       _("The keyring is locked. Unlock it (it usually opens when you log in) and try again."));
}

/* libsecret reports a dismissed prompt as a cancelled call: it is only a
 * cancellation when our own cancellable fired. Everything else that is not
 * a lock is the keyring being out of reach (no bus, no service, a broken
 * service); the technical text is kept for the diagnostics. */
static void
map_error (GError        *error,
           GCancellable  *cancellable,
           GError       **out)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      g_cancellable_is_cancelled (cancellable))
    g_set_error_literal (out, MS_ERROR, MS_ERROR_CANCELLED,
                         _("The keyring request was cancelled."));
  else if (g_error_matches (error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED) ||
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    set_locked_error (out);
  else
    g_set_error (out, MS_ERROR, MS_ERROR_KEYRING_UNAVAILABLE,
                 _("The system keyring cannot be reached (%s). Mail Setup never keeps the password anywhere else."),
                 error->message);
}

static gboolean
check_cancelled (GCancellable  *cancellable,
                 GError       **error)
{
  if (!g_cancellable_is_cancelled (cancellable))
    return FALSE;

  g_set_error_literal (error, MS_ERROR, MS_ERROR_CANCELLED,
                       _("The keyring request was cancelled."));
  return TRUE;
}

/* Items of this account that are for another server (or user) than @job:
 * left over from before the account's settings changed. */
static gboolean
remove_stale_items (SecretJob     *job,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  GList *items;

  items = secret_password_search_sync (&account_schema, SECRET_SEARCH_ALL, cancellable,
                                       &local_error,
                                       "account", job->account, "service", SERVICE_SMTP,
                                       NULL);
  if (local_error != NULL)
    {
      map_error (local_error, cancellable, error);
      return FALSE;
    }

  for (GList *l = items; l != NULL && local_error == NULL; l = l->next)
    {
      g_autoptr(GHashTable) attributes = secret_retrievable_get_attributes (l->data);
      const char *host = g_hash_table_lookup (attributes, "host");
      const char *user = g_hash_table_lookup (attributes, "user");
      g_autofree char *port = g_strdup_printf ("%u", job->port);

      if (g_strcmp0 (host, job->host) == 0 && g_strcmp0 (user, job->user) == 0 &&
          g_strcmp0 (g_hash_table_lookup (attributes, "port"), port) == 0)
        continue;

      secret_password_clearv_sync (&account_schema, attributes, cancellable, &local_error);
    }
  g_list_free_full (items, g_object_unref);

  if (local_error != NULL)
    {
      map_error (local_error, cancellable, error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
run_save (SecretJob     *job,
          GCancellable  *cancellable,
          GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *label = NULL;
  SecretValue *value;

  if (check_cancelled (cancellable, error))
    return FALSE;

  /* Translators: the keyring item's label; %1$s is a user name, %2$s a server */
  label = g_strdup_printf (_("Mail Setup: %1$s on %2$s"), job->user, job->host);
  /* secret_value_new copies into libsecret's non-pageable memory. */
  value = secret_value_new (ms_password_get_text (job->password),
                            ms_password_get_length (job->password), "text/plain");
  secret_password_store_binary_sync (&account_schema, SECRET_COLLECTION_DEFAULT, label, value,
                                     cancellable, &local_error,
                                     "account", job->account, "service", SERVICE_SMTP,
                                     "host", job->host, "port", (int) job->port,
                                     "user", job->user, NULL);
  secret_value_unref (value);

  if (local_error != NULL)
    {
      map_error (local_error, cancellable, error);
      return FALSE;
    }

  /* Only after the new item is safe, so a failure never loses the old one. */
  return remove_stale_items (job, cancellable, error);
}

/* libsecret answers NULL without an error both when there is no item and
 * when the item is locked and the unlock prompt was dismissed or could not
 * be shown. A search that does not unlock tells them apart: a locked item
 * still shows its attributes. */
static void
explain_no_value (SecretJob     *job,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  GList *items;

  items = secret_password_search_sync (&account_schema, SECRET_SEARCH_ALL, cancellable,
                                       &local_error,
                                       "account", job->account, "service", SERVICE_SMTP,
                                       "host", job->host, "port", (int) job->port,
                                       "user", job->user, NULL);
  if (local_error != NULL)
    map_error (local_error, cancellable, error);
  else if (items != NULL)
    set_locked_error (error);
  else
    g_set_error (error, MS_ERROR, MS_ERROR_SECRET_MISSING,
                 _("The keyring holds no password for the account “%s” on %s. Store it again."),
                 job->account, job->host);

  g_list_free_full (items, g_object_unref);
}

/* ---- unlocking within a time limit ---- */

/* libsecret 0.20 waits on an unlock prompt for as long as it stays on the
 * screen, and its asynchronous calls, when cancelled, complete the dismissed
 * prompt with neither a result nor an error (a critical warning). So for a
 * lookup with a limit the unlock is done here, on the Secret Service's own
 * D-Bus interface: Unlock, then the Prompt object, waited on up to the
 * limit. */
#define SECRETS_NAME         "org.freedesktop.secrets"
#define SECRETS_PATH         "/org/freedesktop/secrets"
#define SECRETS_SERVICE      "org.freedesktop.Secret.Service"
#define SECRETS_PROMPT       "org.freedesktop.Secret.Prompt"

typedef struct
{
  gboolean completed;
  gboolean dismissed;
  gboolean timed_out;
  gboolean cancelled;
} PromptWait;

static void
on_prompt_completed_cb (GDBusConnection *connection,
                        const char      *sender,
                        const char      *path,
                        const char      *interface,
                        const char      *signal,
                        GVariant        *parameters,
                        gpointer         user_data)
{
  PromptWait *wait = user_data;

  wait->completed = TRUE;
  if (g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(bv)")))
    g_variant_get_child (parameters, 0, "b", &wait->dismissed);
  else
    wait->dismissed = TRUE;
}

static gboolean
on_prompt_timeout_cb (gpointer user_data)
{
  PromptWait *wait = user_data;

  wait->timed_out = TRUE;

  return G_SOURCE_REMOVE;
}

static gboolean
on_prompt_cancelled_cb (GCancellable *cancellable,
                        gpointer      user_data)
{
  PromptWait *wait = user_data;

  wait->cancelled = TRUE;

  return G_SOURCE_REMOVE;
}

/* Shows the prompt and waits for its Completed signal, the limit or the
 * cancellable, on a context of our own. A prompt still up is left alone:
 * gnome-keyring-daemon 42 aborts when a pending unlock prompt is dismissed
 * (Prompt.Dismiss, which libsecret sends on cancel), whereas it closes the
 * prompt cleanly when its caller leaves the bus, as mailsetup-cli does when
 * it exits with keyring-locked. */
static void
run_prompt (GDBusConnection *bus,
            const char      *prompt_path,
            guint            timeout_seconds,
            GCancellable    *cancellable,
            PromptWait      *wait)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GSource) timer = g_timeout_source_new (timeout_seconds * 1000);
  g_autoptr(GSource) cancel = NULL;
  g_autoptr(GVariant) reply = NULL;
  guint subscription;

  g_main_context_push_thread_default (context);
  subscription = g_dbus_connection_signal_subscribe (bus, SECRETS_NAME, SECRETS_PROMPT, "Completed",
                                                     prompt_path, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                                     on_prompt_completed_cb, wait, NULL);
  g_source_set_callback (timer, on_prompt_timeout_cb, wait, NULL);
  g_source_attach (timer, context);
  if (cancellable != NULL)
    {
      cancel = g_cancellable_source_new (cancellable);
      g_source_set_callback (cancel, G_SOURCE_FUNC (on_prompt_cancelled_cb), wait, NULL);
      g_source_attach (cancel, context);
    }

  reply = g_dbus_connection_call_sync (bus, SECRETS_NAME, prompt_path, SECRETS_PROMPT, "Prompt",
                                       g_variant_new ("(s)", ""), NULL, G_DBUS_CALL_FLAGS_NONE,
                                       timeout_seconds * 1000, cancellable, NULL);
  wait->completed |= reply == NULL;
  while (!wait->completed && !wait->timed_out && !wait->cancelled)
    g_main_context_iteration (context, TRUE);

  g_dbus_connection_signal_unsubscribe (bus, subscription);
  g_source_destroy (timer);
  if (cancel != NULL)
    g_source_destroy (cancel);
  g_main_context_pop_thread_default (context);
}

/* Unlocks the item at @item_path, waiting on a prompt at most
 * @timeout_seconds. */
static gboolean
unlock_within (const char    *item_path,
               guint          timeout_seconds,
               GCancellable  *cancellable,
               GError       **error)
{
  const char *paths[] = { item_path, NULL };
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) unlocked = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *prompt_path = "/";
  PromptWait wait = { FALSE, };

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, cancellable, &local_error);
  if (bus != NULL)
    reply = g_dbus_connection_call_sync (bus, SECRETS_NAME, SECRETS_PATH, SECRETS_SERVICE,
                                         "Unlock", g_variant_new ("(^ao)", paths),
                                         G_VARIANT_TYPE ("(aoo)"), G_DBUS_CALL_FLAGS_NONE,
                                         timeout_seconds * 1000, cancellable, &local_error);
  if (reply == NULL)
    {
      map_error (local_error, cancellable, error);
      return FALSE;
    }

  g_variant_get (reply, "(@ao&o)", &unlocked, &prompt_path);
  if (g_variant_n_children (unlocked) > 0)
    return TRUE;
  if (g_str_equal (prompt_path, "/"))
    {
      set_locked_error (error);
      return FALSE;
    }

  run_prompt (bus, prompt_path, timeout_seconds, cancellable, &wait);
  if (wait.cancelled)
    return !check_cancelled (cancellable, error);
  if (wait.timed_out)
    {
      g_set_error (error, MS_ERROR, MS_ERROR_KEYRING_LOCKED,
                   _("The keyring was not unlocked within %u seconds. Unlock it (it usually opens when you log in) and try again."),
                   timeout_seconds);
      return FALSE;
    }
  if (wait.dismissed)
    {
      set_locked_error (error);
      return FALSE;
    }

  return TRUE;
}

/* Before a lookup with a limit: an item that is there but locked is
 * unlocked first, within the limit. A missing item is left to the lookup. */
static gboolean
unlock_item_within (SecretJob     *job,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean ok = TRUE;
  GList *items;

  items = secret_password_search_sync (&account_schema, SECRET_SEARCH_ALL, cancellable,
                                       &local_error,
                                       "account", job->account, "service", SERVICE_SMTP,
                                       "host", job->host, "port", (int) job->port,
                                       "user", job->user, NULL);
  if (local_error != NULL)
    {
      map_error (local_error, cancellable, error);
      return FALSE;
    }

  for (GList *l = items; l != NULL && ok; l = l->next)
    if (SECRET_IS_ITEM (l->data) && secret_item_get_locked (l->data))
      ok = unlock_within (g_dbus_proxy_get_object_path (l->data), job->timeout_seconds,
                          cancellable, error);
  g_list_free_full (items, g_object_unref);

  return ok;
}

static MsPassword *
run_lookup (SecretJob     *job,
            GCancellable  *cancellable,
            GError       **error)
{
  /* Holding an (empty) password keeps the process undumpable while the
   * secret passes through libsecret's buffers (docs/security.md, L4). */
  G_GNUC_UNUSED g_autoptr(MsPassword) guard = ms_password_new ("", 0);
  g_autoptr(GError) local_error = NULL;
  SecretValue *value;
  const char *data;
  gsize length = 0;
  MsPassword *password;

  if (check_cancelled (cancellable, error))
    return NULL;

  /* The _binary calls hand back a SecretValue in non-pageable memory, never
   * a plain string (docs/security.md, L3). */
  if (job->timeout_seconds > 0 && !unlock_item_within (job, cancellable, error))
    return NULL;
  value = secret_password_lookup_binary_sync (&account_schema, cancellable, &local_error,
                                              "account", job->account,
                                              "service", SERVICE_SMTP,
                                              "host", job->host, "port", (int) job->port,
                                              "user", job->user, NULL);
  if (local_error != NULL)
    {
      map_error (local_error, cancellable, error);
      return NULL;
    }
  if (value == NULL)
    {
      explain_no_value (job, cancellable, error);
      return NULL;
    }

  data = secret_value_get (value, &length);
  password = ms_password_new (data, length);
  secret_value_unref (value);

  return password;
}

static gboolean
run_clear (SecretJob     *job,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  GList *items = NULL;
  gboolean remaining;

  if (check_cancelled (cancellable, error))
    return FALSE;

  secret_password_clear_sync (&account_schema, cancellable, &local_error,
                              "account", job->account, "service", SERVICE_SMTP, NULL);
  if (local_error == NULL)
    items = secret_password_search_sync (&account_schema, SECRET_SEARCH_ALL, cancellable,
                                         &local_error, "account", job->account,
                                         "service", SERVICE_SMTP, NULL);
  if (local_error != NULL)
    {
      map_error (local_error, cancellable, error);
      return FALSE;
    }

  /* Like a lookup, a clear whose unlock prompt was dismissed answers
   * "nothing removed" without an error: the items still there say why. */
  remaining = items != NULL;
  g_list_free_full (items, g_object_unref);
  if (remaining)
    set_locked_error (error);

  return !remaining;
}

static void
secret_job_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  SecretJob *job = task_data;
  GError *error = NULL;
  MsPassword *password;

  switch (job->kind)
    {
    case JOB_SAVE:
      if (run_save (job, cancellable, &error))
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_error (task, error);
      break;

    case JOB_LOOKUP:
      password = run_lookup (job, cancellable, &error);
      if (password != NULL)
        g_task_return_pointer (task, password, (GDestroyNotify) ms_password_unref);
      else
        g_task_return_error (task, error);
      break;

    case JOB_CLEAR:
    default:
      if (run_clear (job, cancellable, &error))
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_error (task, error);
      break;
    }
}

static void
start_job (SecretJob           *job,
           gpointer             source_tag,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  /* Our errors are MS_ERROR codes: GTask must not swap in its own. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, job, (GDestroyNotify) secret_job_free);
  g_task_run_in_thread (task, secret_job_thread);
}

/**
 * ms_secret_store_save:
 * @account: the account (its id, host, port and user name are used)
 * @password: the secret
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Stores @password as the account's only item, replacing any earlier one.
 * A failed save leaves the earlier item in place. A cancelled save may
 * still have reached the keyring: callers that must store nothing clear it.
 *
 * Returns: %TRUE on success; errors: keyring-unavailable, keyring-locked,
 *   cancelled
 */
gboolean
ms_secret_store_save (MsAccount     *account,
                      MsPassword    *password,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(SecretJob) job = NULL;

  g_return_val_if_fail (MS_IS_ACCOUNT (account), FALSE);
  g_return_val_if_fail (password != NULL, FALSE);

  job = secret_job_new (JOB_SAVE, account, password);
  return run_save (job, cancellable, error);
}

void
ms_secret_store_save_async (MsAccount           *account,
                            MsPassword          *password,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (MS_IS_ACCOUNT (account));
  g_return_if_fail (password != NULL);

  start_job (secret_job_new (JOB_SAVE, account, password), ms_secret_store_save_async,
             cancellable, callback, user_data);
}

gboolean
ms_secret_store_save_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ms_secret_store_save_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * ms_secret_store_lookup:
 * @account: the account
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Finds the item of @account for its current server and user name. The
 * secret travels from libsecret's non-pageable memory into an #MsPassword;
 * the process is not dumpable meanwhile.
 *
 * Returns: (transfer full): the password, or %NULL; errors:
 *   keyring-unavailable, keyring-locked, secret-missing, cancelled
 */
MsPassword *
ms_secret_store_lookup (MsAccount     *account,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(SecretJob) job = NULL;

  g_return_val_if_fail (MS_IS_ACCOUNT (account), NULL);

  job = secret_job_new (JOB_LOOKUP, account, NULL);
  return run_lookup (job, cancellable, error);
}

/**
 * ms_secret_store_lookup_with_timeout:
 * @account: the account
 * @timeout_seconds: how long an unlock prompt may keep the lookup waiting;
 *   0 for as long as the prompt stays up
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * ms_secret_store_lookup() for callers nobody may be watching (`send` from
 * a cron job, `--timeout`): with the keyring locked and a display, the wait
 * on the unlock prompt ends after @timeout_seconds with keyring-locked,
 * instead of lasting until someone closes the prompt. The prompt itself
 * stays up until this process leaves the session bus (gnome-keyring-daemon
 * 42 aborts when a pending unlock prompt is dismissed), so this is for
 * short-lived processes such as mailsetup-cli; the window uses
 * ms_secret_store_lookup_async(), whose prompt waits for the user.
 *
 * Returns: (transfer full): the password, or %NULL; errors:
 *   keyring-unavailable, keyring-locked, secret-missing, cancelled
 */
MsPassword *
ms_secret_store_lookup_with_timeout (MsAccount     *account,
                                     guint          timeout_seconds,
                                     GCancellable  *cancellable,
                                     GError       **error)
{
  g_autoptr(SecretJob) job = NULL;

  g_return_val_if_fail (MS_IS_ACCOUNT (account), NULL);

  job = secret_job_new (JOB_LOOKUP, account, NULL);
  job->timeout_seconds = timeout_seconds;

  return run_lookup (job, cancellable, error);
}

void
ms_secret_store_lookup_async (MsAccount           *account,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (MS_IS_ACCOUNT (account));

  start_job (secret_job_new (JOB_LOOKUP, account, NULL), ms_secret_store_lookup_async,
             cancellable, callback, user_data);
}

/**
 * ms_secret_store_lookup_finish:
 * @result: the #GAsyncResult
 * @error: return location for an error
 *
 * Returns: (transfer full): the password, or %NULL (see
 *   ms_secret_store_lookup())
 */
MsPassword *
ms_secret_store_lookup_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ms_secret_store_lookup_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static SecretJob *
clear_job_new (const char *account_id)
{
  SecretJob *job = g_new0 (SecretJob, 1);

  job->kind = JOB_CLEAR;
  job->account = g_strdup (account_id);

  return job;
}

/**
 * ms_secret_store_clear:
 * @account_id: an account id
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Removes every item of @account_id, for any server. Succeeds when there
 * was none; fails with keyring-locked when an item is still there after
 * (the keyring stayed locked).
 *
 * Returns: %TRUE on success; errors: keyring-unavailable, keyring-locked,
 *   cancelled
 */
gboolean
ms_secret_store_clear (const char    *account_id,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(SecretJob) job = NULL;

  g_return_val_if_fail (account_id != NULL, FALSE);

  job = clear_job_new (account_id);
  return run_clear (job, cancellable, error);
}

void
ms_secret_store_clear_async (const char          *account_id,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (account_id != NULL);

  start_job (clear_job_new (account_id), ms_secret_store_clear_async,
             cancellable, callback, user_data);
}

gboolean
ms_secret_store_clear_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ms_secret_store_clear_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
