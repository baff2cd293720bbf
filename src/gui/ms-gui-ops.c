/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-gui-ops"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-account-ops.h"
#include "ms-diagnose.h"
#include "ms-gui-demo.h"
#include "ms-gui-ops.h"
#include "ms-outbox-delivery.h"
#include "ms-provider.h"
#include "ms-result-text.h"
#include "ms-sender.h"
#include "ms-credentials.h"
#include "ms-validate.h"

/* The accounts as last read; the account operations keep it and
 * accounts.ini in step, and the accounts view shows it. Used from the main
 * thread only. */
static MsAccountStore *account_store;
/* The outbox, shared by the window's outbox list and the release of held
 * messages after a successful sign-in. */
static MsOutbox *outbox;

/* ms_gui_get_outbox:
 * Returns: (transfer none): the outbox of $MAILSETUP_STATE_DIR or
 * $XDG_STATE_HOME/mailsetup */
MsOutbox *
ms_gui_get_outbox (void)
{
  if (outbox == NULL)
    outbox = ms_outbox_new (NULL);
  return outbox;
}

static MsAccountStore *
get_store (GError **error)
{
  g_autoptr(MsAccountStore) store = NULL;

  if (account_store != NULL)
    return account_store;
  store = ms_account_store_new (NULL);
  if (!ms_account_store_load (store, error))
    return NULL;
  account_store = g_steal_pointer (&store);
  return account_store;
}

/* ---- detection and app passwords ---- */

/* ms_gui_detection_provider_id:
 * Returns: (nullable): the detected provider's id, NULL for an unknown one */
const char *
ms_gui_detection_provider_id (const MsDetection *found)
{
  return found != NULL && found->provider != NULL ? found->provider->id : NULL;
}

/* ms_gui_detection_has_secret_kind:
 * Returns: whether the detected provider is known and signs in with @kind */
gboolean
ms_gui_detection_has_secret_kind (const MsDetection *found,
                                  MsSecretKind       kind)
{
  return found != NULL && found->provider != NULL && found->provider->secret_kind == kind;
}

/* ms_gui_detection_note:
 * Returns: (nullable): the detected provider's first note, translated */
const char *
ms_gui_detection_note (const MsDetection *found)
{
  if (found == NULL || found->provider == NULL || found->provider->notes == NULL
      || found->provider->notes[0] == NULL)
    return NULL;
  return ms_provider_get_note (found->provider, 0);
}

/* ms_gui_detection_source:
 * Returns: (nullable): where the address page says the settings came from:
 * DNS or a guess for an unknown provider; the MX or SRV records, or
 * "usually" for a known one; nothing for one simply in the table. */
const char *
ms_gui_detection_source (const MsDetection *found)
{
  if (found->provider == NULL)
    return found->label;
  if (found->provider_source == MS_DETECTION_SOURCE_MX)
    return _("found from the domain's mail servers");
  if (found->source == MS_DETECTION_SOURCE_SRV || !found->confirmed)
    return found->label;
  return NULL;
}

void
ms_gui_detect_async (const char          *address,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  ms_provider_detect_async (address, NULL, cancellable, callback, user_data);
}

MsDetection *
ms_gui_detect_finish (GAsyncResult  *result,
                      GError       **error)
{
  return ms_provider_detect_finish (result, error);
}

/* ms_gui_check_app_password:
 * The live check under the "App password" row. */
MsRowState
ms_gui_check_app_password (const char  *provider_id,
                           const char  *text,
                           char       **message)
{
  const MsProvider *provider = provider_id != NULL ? ms_provider_lookup (provider_id) : NULL;
  MsPasswordVerdict verdict;
  guint length = 0;

  *message = NULL;
  if (provider == NULL)
    return MS_ROW_STATE_NONE;
  verdict = ms_provider_check_password (provider, text, &length, NULL);
  *message = ms_provider_password_message (provider, verdict, length);
  switch (verdict)
    {
    case MS_PASSWORD_OK:
      return MS_ROW_STATE_OK;
    case MS_PASSWORD_EMPTY:
      return MS_ROW_STATE_NONE;
    case MS_PASSWORD_LOOKS_LIKE_ACCOUNT_PASSWORD:
      return MS_ROW_STATE_ERROR;
    case MS_PASSWORD_TOO_SHORT:
    case MS_PASSWORD_TOO_LONG:
    case MS_PASSWORD_BAD_CHARACTERS:
    default:
      return MS_ROW_STATE_WARNING;
    }
}

/* ms_gui_normalise_password:
 * The password as the provider wants it (an app password without the spaces
 * it is shown with). Returns: (transfer full) (nullable) */
MsPassword *
ms_gui_normalise_password (const char *provider_id,
                           const char *text)
{
  const MsProvider *provider = provider_id != NULL ? ms_provider_lookup (provider_id) : NULL;
  MsPassword *password = NULL;

  if (text == NULL || text[0] == '\0')
    return NULL;
  if (provider != NULL)
    ms_provider_check_password (provider, text, NULL, &password);
  if (password == NULL)
    password = ms_password_new (text, strlen (text));
  return password;
}

gboolean
ms_gui_validate_address (const char *address)
{
  return address != NULL && ms_validate_address (_("Email address"), address, NULL);
}

/* ---- operations ---- */

typedef MsResult *(*FinishFunc) (GAsyncResult *, GError **);

static void
on_run_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FinishFunc finish = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  MsResult *ms_result = finish (result, &error);

  if (ms_result == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, ms_result, (GDestroyNotify) ms_result_unref);
}

void
ms_gui_run_async (MsGuiOperation       operation,
                  const MsRequest     *request,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, ms_gui_run_async);
  switch (operation)
    {
    case MS_GUI_OP_LOGIN:
      g_task_set_task_data (task, ms_sender_login_finish, NULL);
      ms_sender_login_async (request, cancellable, on_run_done_cb, task);
      break;
    case MS_GUI_OP_TEST_SEND:
      g_task_set_task_data (task, ms_sender_test_send_finish, NULL);
      ms_sender_test_send_async (request, cancellable, on_run_done_cb, task);
      break;
    case MS_GUI_OP_PROBE:
    default:
      g_task_set_task_data (task, ms_probe_run_finish, NULL);
      ms_probe_run_async (request, cancellable, on_run_done_cb, task);
      break;
    }
}

/* ms_gui_run_finish:
 * Always a result; a failure outside the operation (a programming error, a
 * keyring that cannot be read) becomes the result's error. */
MsResult *
ms_gui_run_finish (GAsyncResult *result)
{
  g_autoptr(GError) error = NULL;
  MsResult *ms_result = g_task_propagate_pointer (G_TASK (result), &error);

  if (ms_result == NULL)
    {
      ms_result = ms_result_new ("gui");
      ms_result_set_error_from_gerror (ms_result, MS_STEP_KEYRING, error);
    }
  return ms_result;
}

/* ---- accounts ---- */

/* ms_gui_get_accounts:
 * The stored accounts: the store, a GListModel of MsAccount, which the
 * account operations keep in step with accounts.ini. Read the first time;
 * empty when accounts.ini cannot be read (ms_gui_reload_accounts() says
 * why).
 * Returns: (transfer none) */
MsAccountStore *
ms_gui_get_accounts (void)
{
  static MsAccountStore *unreadable;

  if (get_store (NULL) != NULL)
    return account_store;
  /* Nothing is ever saved into this one. */
  if (unreadable == NULL)
    unreadable = ms_account_store_new (NULL);
  return unreadable;
}

/* ms_gui_reload_accounts:
 * Reads accounts.ini again, into a new store: lists bound to the old one
 * bind again (the configuration folder may have changed, as in tests). */
gboolean
ms_gui_reload_accounts (GError **error)
{
  g_clear_object (&account_store);
  return get_store (error) != NULL;
}

/* ms_gui_new_account:
 * A new account for @address with a readable id that is not taken yet
 * ("me@gmail.com" gives "me-gmail.com"), and the server settings @config.
 * Returns: (transfer full) */
MsAccount *
ms_gui_new_account (const char         *address,
                    const char         *provider_id,
                    const MsSmtpConfig *config)
{
  g_autofree char *id = ms_account_store_new_id (ms_gui_get_accounts (), address);
  MsAccount *account = ms_account_new (id);

  ms_account_set_address (account, address);
  ms_account_set_provider (account, provider_id);
  ms_account_set_smtp_config (account, config);
  return account;
}

static gboolean
id_taken (const char *id)
{
  MsAccountStore *store = get_store (NULL);
  g_autoptr(MsAccount) existing = NULL;

  if (store == NULL)
    return FALSE;
  existing = ms_account_store_lookup (store, id, NULL);
  return existing != NULL;
}

static void
return_boolean_or_error (GTask   *task,
                         gboolean ok,
                         GError  *error)
{
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
on_added_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_autoptr(MsResult) ms_result = ms_account_ops_add_finish (result, &error);

  if (ms_result != NULL && ms_result->error != NULL)
    error = g_error_new (MS_ERROR, ms_result->error->code, "%s%s%s",
                         ms_result->error->message,
                         ms_result->error->advice != NULL ? " " : "",
                         ms_result->error->advice != NULL ? ms_result->error->advice : "");
  return_boolean_or_error (task, error == NULL, error);
}

static void
on_updated_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  gboolean ok = ms_account_ops_update_finish (result, &error);

  return_boolean_or_error (task, ok, error);
}

/* ms_gui_save_account_async:
 * Adds the account (the wizard: already signed in, so without a second
 * sign-in) or updates it when its id exists; the store then holds a new
 * MsAccount for it (look it up by id). @password: (nullable): NULL keeps
 * the stored secret (an update only). */
void
ms_gui_save_account_async (MsAccount           *account,
                           MsPassword          *password,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(MsAccount) copy = ms_account_copy (account, NULL);
  g_autoptr(MsRequest) request = NULL;
  GError *error = NULL;
  MsAccountStore *store = get_store (&error);

  g_task_set_source_tag (task, ms_gui_save_account_async);
  if (store == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (id_taken (ms_account_get_id (account)))
    {
      ms_account_ops_update_async (store, copy, password, cancellable, on_updated_cb, task);
      return;
    }
  request = ms_account_make_request (copy, password);
  ms_account_ops_add_async (store, copy, request, MS_ACCOUNT_ADD_NO_VERIFY, cancellable,
                            on_added_cb, task);
}

gboolean
ms_gui_save_account_finish (GAsyncResult  *result,
                            GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_removed_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  gboolean ok = ms_account_ops_remove_finish (result, &error);

  return_boolean_or_error (task, ok, error);
}

void
ms_gui_remove_account_async (const char          *id,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  GError *error = NULL;
  MsAccountStore *store = get_store (&error);

  g_task_set_source_tag (task, ms_gui_remove_account_async);
  if (store == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  ms_account_ops_remove_async (store, id, cancellable, on_removed_cb, task);
}

gboolean
ms_gui_remove_account_finish (GAsyncResult  *result,
                              GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_cleared_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  gboolean ok = ms_credentials_clear_finish (result, &error);

  return_boolean_or_error (task, ok, error);
}

void
ms_gui_forget_password_async (MsAccount           *account,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, ms_gui_forget_password_async);
  ms_credentials_clear_async (account, cancellable, on_cleared_cb, task);
}

gboolean
ms_gui_forget_password_finish (GAsyncResult  *result,
                               GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- operations with a stored account: password from the keyring ---- */

typedef struct
{
  MsGuiOperation  operation;   /* or -1 for diagnose */
  char           *recipient;
  MsAccount      *account;
} AccountJob;

#define OP_DIAGNOSE ((MsGuiOperation) -1)

static void
account_job_free (AccountJob *job)
{
  g_free (job->recipient);
  g_clear_object (&job->account);
  g_free (job);
}

static void
on_account_op_done_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AccountJob *job = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  MsResult *ms_result;

  if (job->operation == OP_DIAGNOSE)
    ms_result = ms_diagnose_run_finish (result, &error);
  else
    ms_result = ms_gui_run_finish (result);
  if (ms_result == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* The account works again: its held messages go out now (docs/contract.md,
   * "The outbox"). A sign-in that only probed proves nothing. */
  if (job->operation != MS_GUI_OP_PROBE && ms_result_is_ok (ms_result))
    ms_outbox_send_now_async (ms_gui_get_outbox (), job->account, NULL, TRUE, NULL, NULL, NULL);
  g_task_return_pointer (task, ms_result, (GDestroyNotify) ms_result_unref);
}

static void
on_account_loaded_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GTask *task = user_data;
  AccountJob *job = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(MsRequest) request = ms_account_ops_load_request_finish (result, &error);
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (job->operation == OP_DIAGNOSE)
    {
      /* A keyring that cannot give the password is the keyring check's verdict. */
      ms_diagnose_run_async (request, error, FALSE, cancellable, on_account_op_done_cb, task);
      return;
    }
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  request->recipients = g_new0 (char *, 2);
  request->recipients[0] = g_strdup (job->recipient);
  request->program = g_strdup (PACKAGE_NAME);
  ms_gui_run_async (job->operation, request, cancellable, on_account_op_done_cb, task);
}

static void
start_account_job (GTask          *task,
                   MsGuiOperation  operation,
                   MsAccount      *account,
                   const char     *recipient)
{
  AccountJob *job = g_new0 (AccountJob, 1);

  job->operation = operation;
  job->recipient = g_strdup (recipient);
  job->account = g_object_ref (account);
  g_task_set_task_data (task, job, (GDestroyNotify) account_job_free);
  ms_account_ops_load_request_async (account, g_task_get_cancellable (task),
                                     on_account_loaded_cb, task);
}

/* ms_gui_account_run_async:
 * An operation with a stored account, its password from the keyring.
 * Finish with ms_gui_run_finish(). */
void
ms_gui_account_run_async (MsGuiOperation       operation,
                          MsAccount           *account,
                          const char          *recipient,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, ms_gui_account_run_async);
  start_account_job (task, operation, account, recipient);
}

/* ms_gui_diagnose_async:
 * Every check of the diagnostics page (ms_diagnose_run), with the password
 * from the keyring when it can be read. */
void
ms_gui_diagnose_async (MsAccount           *account,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, ms_gui_diagnose_async);
  start_account_job (task, OP_DIAGNOSE, account, NULL);
}

MsResult *
ms_gui_diagnose_finish (GAsyncResult *result)
{
  return ms_gui_run_finish (result);
}

/* ---- GNOME Online Accounts ---- */

static void
find_online_account_thread (GTask        *task,
                            gpointer      source,
                            gpointer      task_data,
                            GCancellable *cancellable)
{
  GError *error = NULL;
  MsOnlineAccount *info = ms_online_account_find_address (task_data, cancellable, &error);

  if (info == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, info, (GDestroyNotify) ms_online_account_free);
}

/* ms_gui_find_online_account_async:
 * The GOA account with Mail for @address (a D-Bus round trip, so off the
 * main thread); fails with online-account-unavailable when there is none
 * or GOA is not there. */
void
ms_gui_find_online_account_async (const char          *address,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, ms_gui_find_online_account_async);
  g_task_set_task_data (task, g_strdup (address), g_free);
  g_task_run_in_thread (task, find_online_account_thread);
}

/* Returns: (transfer full) (nullable) */
MsOnlineAccount *
ms_gui_find_online_account_finish (GAsyncResult  *result,
                                   GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ms_gui_show_online_account:
 * A copy of @account with the settings it leaves to GNOME Online Accounts
 * filled in from @info, the GOA account as the wizard just read it (no
 * D-Bus here): what the server and done pages show and export. Never
 * stored: the stored group keeps following GOA.
 * Returns: (transfer full) */
MsAccount *
ms_gui_show_online_account (MsAccount             *account,
                            const MsOnlineAccount *info)
{
  g_autoptr(MsRequest) request = ms_account_make_request (account, NULL);
  g_autoptr(GError) error = NULL;
  MsAccount *copy = ms_account_copy (account, NULL);

  if (ms_online_account_apply (info, request, &error))
    ms_account_set_smtp_config (copy, request->config);
  else
    g_debug ("Online account %s: %s", info->id, error->message);
  return copy;
}

/* ms_gui_online_account_config:
 * The server settings @info gives, as the server page shows them.
 * Returns: (transfer full) */
MsSmtpConfig *
ms_gui_online_account_config (const char            *address,
                              const MsOnlineAccount *info)
{
  g_autoptr(MsAccount) account = NULL;
  g_autoptr(MsAccount) shown = NULL;
  g_autoptr(GError) error = NULL;
  MsSmtpConfig *config;

  /* Exactly what an account without overrides connects with. */
  account = ms_online_account_make_account (info, "online", address, NULL, &error);
  if (account == NULL)
    {
      config = ms_smtp_config_new ();
      g_debug ("Online account %s: %s", info->id, error->message);
      config->host = g_strdup (info->smtp_host);
      return config;
    }
  shown = ms_gui_show_online_account (account, info);
  config = ms_account_to_smtp_config (shown);
  /* build-aux/run --demo: the demo server's certificate is from the test CA. */
  if (ms_gui_demo_is_server (config->host, config->port) && config->ca_file == NULL)
    config->ca_file = g_strdup (ms_gui_demo_get_ca_file ());
  return config;
}

/* ms_gui_new_online_account:
 * The wizard's account for @info, made by the core as `account add
 * --online-account` makes it: only what the server page changed from
 * Online Accounts' settings is stored over them.
 * Returns: (transfer full) (nullable) */
MsAccount *
ms_gui_new_online_account (const char            *address,
                           const char            *provider_id,
                           const MsOnlineAccount *info,
                           const MsSmtpConfig    *config)
{
  g_autofree char *id = ms_account_store_new_id (ms_gui_get_accounts (), address);
  g_autoptr(MsSmtpConfig) given = ms_gui_online_account_config (address, info);
  MsOnlineAccountOverrides overrides = { NULL, };
  g_autoptr(GError) error = NULL;
  MsAccount *account;

  overrides.provider = provider_id;
  overrides.security = config->security != given->security ? config->security
                                                           : MS_SECURITY_AUTO;
  if (g_strcmp0 (config->host, given->host) != 0)
    overrides.host = config->host;
  if (config->port != given->port)
    overrides.port = config->port;
  if (config->username != NULL && g_strcmp0 (config->username, given->username) != 0
      && g_ascii_strcasecmp (config->username, address) != 0)
    overrides.username = config->username;
  overrides.ca_file = config->ca_file;
  overrides.pin = config->pin;

  account = ms_online_account_make_account (info, id, address, &overrides, &error);
  if (account == NULL)
    g_warning ("The online account %s cannot be stored: %s", info->id, error->message);
  return account;
}

/* ms_gui_resolve_account_async:
 * The settings @account connects with, as the account page shows them and
 * the msmtp export writes them: the ones its group leaves to GNOME Online
 * Accounts asked from GOA now (ms_account_ops_resolve_async()); any other
 * account as it is. Never store the copy: the group would stop following
 * GOA. */
void
ms_gui_resolve_account_async (MsAccount           *account,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  ms_account_ops_resolve_async (account, cancellable, callback, user_data);
}

/* Returns: (transfer full) (nullable): the copy, or NULL with
 * online-account-unavailable (the reason `account show --json` gives as
 * online_account_error) or cancelled */
MsAccount *
ms_gui_resolve_account_finish (GAsyncResult      *result,
                               MsOnlineSettings  *from_online_account,
                               GError           **error)
{
  return ms_account_ops_resolve_finish (result, from_online_account, error);
}

/* ms_gui_describe_online_settings:
 * Returns: (transfer full): "server, port and security from Online
 * Accounts", as diagnose says it; "" for none */
char *
ms_gui_describe_online_settings (MsOnlineSettings settings)
{
  return ms_result_text_from_online_account (settings);
}

/* ms_gui_online_words:
 * Returns: (transfer none): the wizard's words for Online Accounts,
 * untranslated (show them with ms_provider_get_text()) */
const MsOnlineWords *
ms_gui_online_words (void)
{
  return ms_provider_get_online_words ();
}

/* ms_gui_open_online_accounts:
 * Settings → Online Accounts, started as a program of its own (no shell
 * reads the command line); when GNOME Settings is not installed, a dialog
 * says so and what to do instead. */
void
ms_gui_open_online_accounts (GtkWidget *widget)
{
  const char *argv[] = { "gnome-control-center", "online-accounts", NULL };
  g_autoptr(GError) error = NULL;
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *dialog;

  if (g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH
                     | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, NULL, &error))
    return;

  g_debug ("gnome-control-center: %s", error->message);
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Online Accounts Cannot Be Opened"),
                                   ms_provider_get_text (ms_provider_get_online_words ()->no_settings));
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ms_gui_watch_online_accounts:
 * @func runs when Online Accounts gains, loses or changes an account.
 * Returns: (transfer full): free with ms_online_account_watch_free() */
MsOnlineAccountWatch *
ms_gui_watch_online_accounts (MsOnlineAccountWatchFunc func,
                              gpointer                 user_data)
{
  return ms_online_account_watch_new (func, user_data);
}
