/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-gui-ops"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-account-ops.h"
#include "ms-diagnose.h"
#include "ms-gui-ops.h"
#include "ms-sender.h"
#include "ms-provider.h"
#include "ms-secret-store.h"
#include "ms-validate.h"

/* The accounts as last read; the account operations keep it and
 * accounts.ini in step. Used from the main thread only. */
static MsAccountStore *account_store;

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

void
ms_gui_detection_free (MsGuiDetection *detection)
{
  if (detection == NULL)
    return;
  g_free (detection->provider_id);
  g_free (detection->display_name);
  g_free (detection->source);
  g_free (detection->host);
  g_free (detection->note);
  g_free (detection->ca_file);
  g_free (detection);
}

MsGuiDetection *
ms_gui_detection_copy (const MsGuiDetection *detection)
{
  MsGuiDetection *copy = g_new0 (MsGuiDetection, 1);

  *copy = *detection;
  copy->provider_id = g_strdup (detection->provider_id);
  copy->display_name = g_strdup (detection->display_name);
  copy->source = g_strdup (detection->source);
  copy->host = g_strdup (detection->host);
  copy->note = g_strdup (detection->note);
  copy->ca_file = g_strdup (detection->ca_file);
  return copy;
}

static MsGuiDetection *
detection_from_core (const MsDetection *found)
{
  MsGuiDetection *detection = g_new0 (MsGuiDetection, 1);
  const MsProvider *provider = found->provider;

  detection->host = g_strdup (found->host);
  detection->port = found->port != 0 ? found->port : 465;
  detection->security = found->security;
  if (provider == NULL)
    {
      /* Where the prefilled server came from: DNS, or a guess to check. */
      detection->display_name = g_strdup (_("Other provider: you will enter the server"));
      detection->source = g_strdup (found->label);
      return detection;
    }
  detection->provider_id = g_strdup (provider->id);
  detection->display_name = g_strdup (ms_provider_get_name (provider));
  if (found->provider_source == MS_DETECTION_SOURCE_MX)
    detection->source = g_strdup (_("found from the domain's mail servers"));
  else if (found->source == MS_DETECTION_SOURCE_SRV)
    detection->source = g_strdup (found->label);
  detection->needs_app_password = provider->secret_kind == MS_SECRET_APP_PASSWORD;
  detection->oauth_only = provider->secret_kind == MS_SECRET_OAUTH_ONLY;
  if (provider->notes != NULL && provider->notes[0] != NULL)
    detection->note = g_strdup (ms_provider_get_note (provider, 0));
  return detection;
}

static void
on_detected_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MsDetection) found = ms_provider_detect_finish (result, &error);

  if (found == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, detection_from_core (found), (GDestroyNotify) ms_gui_detection_free);
}

void
ms_gui_detect_async (const char          *address,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, ms_gui_detect_async);
  ms_provider_detect_async (address, NULL, cancellable, on_detected_cb, g_steal_pointer (&task));
}

MsGuiDetection *
ms_gui_detect_finish (GAsyncResult  *result,
                      GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
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

MsGuiAccount *
ms_gui_account_new (void)
{
  MsGuiAccount *account = g_new0 (MsGuiAccount, 1);

  account->config = ms_smtp_config_new ();
  return account;
}

void
ms_gui_account_free (MsGuiAccount *account)
{
  if (account == NULL)
    return;
  g_free (account->id);
  g_free (account->address);
  g_free (account->display_name);
  g_free (account->provider_id);
  g_clear_pointer (&account->config, ms_smtp_config_free);
  g_free (account);
}

MsGuiAccount *
ms_gui_account_copy (const MsGuiAccount *account)
{
  MsGuiAccount *copy = ms_gui_account_new ();

  copy->id = g_strdup (account->id);
  copy->address = g_strdup (account->address);
  copy->display_name = g_strdup (account->display_name);
  copy->provider_id = g_strdup (account->provider_id);
  ms_smtp_config_free (copy->config);
  copy->config = ms_smtp_config_copy (account->config);
  return copy;
}

static MsGuiAccount *
account_from_core (MsAccount *core)
{
  MsGuiAccount *account = ms_gui_account_new ();

  account->id = g_strdup (ms_account_get_id (core));
  account->address = g_strdup (ms_account_get_address (core));
  account->display_name = g_strdup (ms_account_get_display_name (core));
  account->provider_id = g_strdup (ms_account_get_provider (core));
  ms_smtp_config_free (account->config);
  account->config = ms_account_to_smtp_config (core);
  return account;
}

static MsAccount *
account_to_core (const MsGuiAccount *account)
{
  MsAccount *core = ms_account_new (account->id);
  const MsSmtpConfig *config = account->config;

  ms_account_set_address (core, account->address);
  ms_account_set_display_name (core, account->display_name);
  ms_account_set_provider (core, account->provider_id);
  ms_account_set_host (core, config->host);
  ms_account_set_security (core, config->security);
  ms_account_set_port (core, config->port);
  /* The user name is stored only when it is not the address. */
  ms_account_set_username (core, g_strcmp0 (config->username, account->address) != 0
                                 ? config->username : NULL);
  ms_account_set_ca_file (core, config->ca_file);
  ms_account_set_pin (core, config->pin);
  return core;
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

static char *
id_base_for_address (const char *address)
{
  GString *id = g_string_new (NULL);

  for (const char *p = address; *p != '\0' && id->len < 60; p++)
    {
      char c = g_ascii_tolower (*p);

      if (g_ascii_isalnum (c) || ((c == '.' || c == '_' || c == '-') && id->len > 0))
        g_string_append_c (id, c);
      else if (id->len > 0 && id->str[id->len - 1] != '-')
        g_string_append_c (id, '-');
    }
  if (id->len == 0)
    g_string_append (id, "account");
  return g_string_free (id, FALSE);
}

/* ms_gui_account_id_for_address:
 * A readable account id ([a-z0-9][a-z0-9._-]{0,63}) that is not taken yet:
 * "me@gmail.com" gives "me-gmail.com", then "me-gmail.com-2". */
char *
ms_gui_account_id_for_address (const char *address)
{
  g_autofree char *base = id_base_for_address (address);
  char *id = g_strdup (base);

  for (guint n = 2; id_taken (id) && n < 100; n++)
    {
      g_free (id);
      id = g_strdup_printf ("%s-%u", base, n);
    }
  return id;
}

/* ms_gui_list_accounts:
 * Reads accounts.ini again. Returns: (transfer full): MsGuiAccount array */
GPtrArray *
ms_gui_list_accounts (GError **error)
{
  GPtrArray *accounts;
  MsAccountStore *store;

  g_clear_object (&account_store);
  store = get_store (error);
  if (store == NULL)
    return NULL;
  accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) ms_gui_account_free);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (store)); i++)
    {
      g_autoptr(MsAccount) core = g_list_model_get_item (G_LIST_MODEL (store), i);

      g_ptr_array_add (accounts, account_from_core (core));
    }
  return accounts;
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
 * sign-in) or updates it when its id exists. @password: (nullable): NULL
 * keeps the stored secret (an update only). */
void
ms_gui_save_account_async (const MsGuiAccount  *account,
                           MsPassword          *password,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(MsAccount) core = account_to_core (account);
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
  if (id_taken (account->id))
    {
      ms_account_ops_update_async (store, core, password, cancellable, on_updated_cb, task);
      return;
    }
  request = ms_account_make_request (core, password);
  ms_account_ops_add_async (store, core, request, MS_ACCOUNT_ADD_NO_VERIFY, cancellable,
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
  gboolean ok = ms_secret_store_clear_finish (result, &error);

  return_boolean_or_error (task, ok, error);
}

void
ms_gui_forget_password_async (const MsGuiAccount  *account,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, ms_gui_forget_password_async);
  ms_secret_store_clear_async (account->id, cancellable, on_cleared_cb, task);
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
  MsGuiAccount   *account;
  char           *recipient;
} AccountJob;

#define OP_DIAGNOSE ((MsGuiOperation) -1)

static void
account_job_free (AccountJob *job)
{
  ms_gui_account_free (job->account);
  g_free (job->recipient);
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
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, ms_result, (GDestroyNotify) ms_result_unref);
}

static void
on_account_looked_up_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  GTask *task = user_data;
  AccountJob *job = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(MsPassword) password = ms_secret_store_lookup_finish (result, &error);
  g_autoptr(MsAccount) core = account_to_core (job->account);
  g_autoptr(MsRequest) request = ms_account_make_request (core, password);
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (job->operation == OP_DIAGNOSE)
    {
      /* A keyring that cannot give the password is the keyring check's verdict. */
      ms_diagnose_run_async (request, error, FALSE, cancellable, on_account_op_done_cb, task);
      return;
    }
  if (password == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  g_strfreev (request->recipients);
  request->recipients = g_new0 (char *, 2);
  request->recipients[0] = g_strdup (job->recipient);
  g_free (request->program);
  request->program = g_strdup (PACKAGE_NAME);
  ms_gui_run_async (job->operation, request, cancellable, on_account_op_done_cb, task);
}

static void
start_account_job (GTask              *task,
                   MsGuiOperation      operation,
                   const MsGuiAccount *account,
                   const char         *recipient)
{
  AccountJob *job = g_new0 (AccountJob, 1);
  g_autoptr(MsAccount) core = account_to_core (account);

  job->operation = operation;
  job->account = ms_gui_account_copy (account);
  job->recipient = g_strdup (recipient);
  g_task_set_task_data (task, job, (GDestroyNotify) account_job_free);
  ms_secret_store_lookup_async (core, g_task_get_cancellable (task), on_account_looked_up_cb,
                                task);
}

/* ms_gui_account_run_async:
 * An operation with a stored account, its password from the keyring.
 * Finish with ms_gui_run_finish(). */
void
ms_gui_account_run_async (MsGuiOperation       operation,
                          const MsGuiAccount  *account,
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
ms_gui_diagnose_async (const MsGuiAccount  *account,
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

/* ms_gui_export_msmtp:
 * The account as an msmtp configuration; the password stays in the keyring
 * and msmtp asks `mailsetup-cli password ID` for it. */
char *
ms_gui_export_msmtp (const MsGuiAccount *account)
{
  const MsSmtpConfig *config = account->config;
  g_autofree char *trust = NULL;
  g_autofree char *text = NULL;

  /* A server signed by its own CA (the demo's): msmtp must trust it too. */
  if (config->ca_file != NULL && config->security != MS_SECURITY_NONE)
    trust = g_strdup_printf ("tls_trust_file %s\n", config->ca_file);
  text = g_strdup_printf ("account %s\n"
                          "host %s\n"
                          "port %u\n"
                          "tls %s\n"
                          "tls_starttls %s\n"
                          "auth on\n"
                          "user %s\n"
                          "from %s\n"
                          "passwordeval \"mailsetup-cli password %s\"\n",
                          account->id, config->host, config->port,
                          config->security == MS_SECURITY_NONE ? "off" : "on",
                          config->security == MS_SECURITY_STARTTLS ? "on" : "off",
                          config->username != NULL ? config->username : account->address,
                          account->address, account->id);
  return g_strconcat (text, trust, NULL);
}

MsRequest *
ms_gui_account_request (const MsGuiAccount *account,
                        MsPassword         *password)
{
  g_autoptr(MsAccount) core = account_to_core (account);
  MsRequest *request = ms_account_make_request (core, password);

  g_free (request->program);
  request->program = g_strdup (PACKAGE_NAME);
  return request;
}
