/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-gui-ops"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-gui-ops.h"
#include "ms-validate.h"

/* Until a core unit lands, its door here answers "not available" after a
 * short pause, so every page can show its busy and failed states. */
#define STUB_DELAY_MS 300

void
ms_gui_detection_free (MsGuiDetection *detection)
{
  if (detection == NULL)
    return;
  g_free (detection->provider_id);
  g_free (detection->display_name);
  g_free (detection->source);
  g_free (detection->host);
  g_free (detection->app_password_url);
  g_free (detection->two_step_url);
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
  copy->app_password_url = g_strdup (detection->app_password_url);
  copy->two_step_url = g_strdup (detection->two_step_url);
  return copy;
}

static MsGuiDetection *
detect_unknown (void)
{
  MsGuiDetection *detection = g_new0 (MsGuiDetection, 1);

  detection->display_name = g_strdup (_("Other provider: you will enter the server"));
  detection->port = 465;
  detection->security = MS_SECURITY_TLS;
  return detection;
}

void
ms_gui_detect_async (const char          *address,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, ms_gui_detect_async);
  /* TODO(providers): ms_provider_detect_async once ms-provider.h lands. */
  g_task_return_pointer (task, detect_unknown (), (GDestroyNotify) ms_gui_detection_free);
}

MsGuiDetection *
ms_gui_detect_finish (GAsyncResult  *result,
                      GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static guint
count_letters (const char *text,
               gboolean   *only_letters)
{
  guint n = 0;

  *only_letters = TRUE;
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c))
        continue;
      if (!g_unichar_isalpha (c))
        *only_letters = FALSE;
      n++;
    }
  return n;
}

/* ms_gui_check_app_password:
 * The live check under the "App password" row. Spaces are ignored. */
MsRowState
ms_gui_check_app_password (const char  *provider_id,
                           const char  *text,
                           char       **message)
{
  gboolean only_letters;
  guint n;

  /* TODO(providers): ms_provider_check_app_password once it lands. */
  n = count_letters (text, &only_letters);
  if (n == 16 && only_letters)
    {
      *message = g_strdup (_("16 letters ✓"));
      return MS_ROW_STATE_OK;
    }
  if (!only_letters && g_strcmp0 (provider_id, "gmail") == 0)
    {
      *message = g_strdup (_("This looks like a normal password. Gmail needs an app password."));
      return MS_ROW_STATE_ERROR;
    }
  *message = g_strdup_printf (g_dngettext (NULL, "An app password has 16 letters; this has %u",
                                           "An app password has 16 letters; this has %u", n), n);
  return MS_ROW_STATE_WARNING;
}

static gboolean
return_not_available_cb (gpointer data)
{
  GTask *task = data;
  MsResult *result = ms_result_new (g_task_get_task_data (task));

  ms_result_set_error (result, MS_ERROR_INTERNAL, MS_STEP_CONFIG,
                       _("This check is not available in this build yet."));
  g_task_return_pointer (task, result, (GDestroyNotify) ms_result_unref);
  return G_SOURCE_REMOVE;
}

static void
return_later (GTask      *task,
              const char *command)
{
  g_task_set_task_data (task, g_strdup (command), g_free);
  g_timeout_add_full (G_PRIORITY_DEFAULT, STUB_DELAY_MS, return_not_available_cb,
                      g_object_ref (task), g_object_unref);
}

void
ms_gui_run_async (MsGuiOperation       operation,
                  const MsRequest     *request,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  static const char *commands[] = { "probe", "login", "test-send" };

  g_task_set_source_tag (task, ms_gui_run_async);
  /* TODO(engine): ms_probe_run_async, ms_login_run_async, ms_test_send_run_async. */
  return_later (task, commands[operation]);
}

/* ms_gui_run_finish:
 * Always a result; a cancelled run gives one whose error is `cancelled`. */
MsResult *
ms_gui_run_finish (GAsyncResult *result)
{
  g_autoptr(GError) error = NULL;
  MsResult *ms_result = g_task_propagate_pointer (G_TASK (result), &error);

  if (ms_result == NULL)
    {
      ms_result = ms_result_new ("probe");
      ms_result_set_error_from_gerror (ms_result, MS_STEP_CONFIG, error);
    }
  return ms_result;
}

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

/* ms_gui_account_id_for_address:
 * A readable account id ([a-z0-9][a-z0-9._-]{0,63}) from the address's
 * local part and domain: "me@gmail.com" gives "me-gmail.com". */
char *
ms_gui_account_id_for_address (const char *address)
{
  GString *id = g_string_new (NULL);

  for (const char *p = address; *p != '\0' && id->len < 64; p++)
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

GPtrArray *
ms_gui_list_accounts (GError **error)
{
  /* TODO(accounts): ms_account_store_load and its list. */
  return g_ptr_array_new_with_free_func ((GDestroyNotify) ms_gui_account_free);
}

static void
return_not_supported (GTask *task)
{
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s",
                           _("Saving accounts is not available in this build yet."));
}

void
ms_gui_save_account_async (const MsGuiAccount  *account,
                           MsPassword          *password,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, ms_gui_save_account_async);
  /* TODO(accounts): ms_account_store_save and ms_secret_store_store. */
  return_not_supported (task);
}

gboolean
ms_gui_save_account_finish (GAsyncResult  *result,
                            GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
ms_gui_remove_account_async (const char          *id,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, ms_gui_remove_account_async);
  return_not_supported (task);
}

gboolean
ms_gui_remove_account_finish (GAsyncResult  *result,
                              GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
ms_gui_forget_password_async (const MsGuiAccount  *account,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, ms_gui_forget_password_async);
  return_not_supported (task);
}

gboolean
ms_gui_forget_password_finish (GAsyncResult  *result,
                               GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
ms_gui_diagnose_async (const MsGuiAccount  *account,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, ms_gui_diagnose_async);
  /* TODO(engine): ms_diagnose_run_async once it lands. */
  return_later (task, "diagnose");
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

  return g_strdup_printf ("account %s\n"
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
}

MsRequest *
ms_gui_account_request (const MsGuiAccount *account,
                        MsPassword         *password)
{
  MsRequest *request = ms_request_new (account->config);

  request->account = g_strdup (account->id);
  request->provider = g_strdup (account->provider_id);
  request->from = g_strdup (account->address);
  request->program = g_strdup (PACKAGE_NAME);
  if (password != NULL)
    request->password = ms_password_ref (password);
  return request;
}

gboolean
ms_gui_validate_address (const char *address)
{
  const char *at;

  /* TODO(parsers): ms_validate_address once ms-validate.c lands. */
  if (address == NULL || strpbrk (address, " \t\r\n") != NULL)
    return FALSE;
  at = strrchr (address, '@');
  return at != NULL && at != address && strchr (at, '.') != NULL
         && at[strlen (at) - 1] != '.';
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

/* ms_gui_account_run_async:
 * An operation with a stored account: its password comes from the keyring.
 * Finish with ms_gui_run_finish(). */
void
ms_gui_account_run_async (MsGuiOperation       operation,
                          const MsGuiAccount  *account,
                          const char          *recipient,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  static const char *commands[] = { "probe", "login", "test-send" };

  g_task_set_source_tag (task, ms_gui_account_run_async);
  /* TODO(accounts): look the password up with ms_secret_store, then run. */
  return_later (task, commands[operation]);
}
