/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-operation"

#include "config.h"

#include "ms-advice.h"
#include "ms-last-check.h"
#include "ms-online-account.h"
#include "ms-operation.h"

/*
 * Each operation runs in one worker thread (g_task_run_in_thread) with
 * blocking calls that wait with poll() on the socket and the cancellable,
 * so a cancel ends it within a second; the GTask hands the result back on
 * the caller's main context.
 */

static void
note (const MsRequest *request,
      MsResult        *result,
      const char      *line)
{
  ms_result_add_transcript (result, line);
  if (request->transcript_func != NULL)
    request->transcript_func (line, request->transcript_data);
}

/* The settings could not be had from GNOME Online Accounts: nothing was
 * connected. */
static void
fail_settings (MsResult     *result,
               const GError *error)
{
  ms_result_add_step (result, MS_STEP_CONFIG, FALSE, 0)->detail = g_strdup (error->message);
  ms_result_set_error_from_gerror (result, MS_STEP_CONFIG, error);
}

static void
fail_token (MsResult     *result,
            const GError *error)
{
  ms_result_add_step (result, MS_STEP_AUTH, FALSE, 0)->detail = g_strdup (error->message);
  ms_result_set_error_from_gerror (result, MS_STEP_AUTH, error);
}

/* One connection with a token fresh from GNOME Online Accounts: exactly one
 * GetAccessToken per connection attempt. */
static MsSmtpClient *
online_attempt (const MsRequest *request,
                MsSmtpNeeds      needs,
                MsResult        *result,
                const char      *prefix,
                GCancellable    *cancellable,
                gboolean        *signed_in)
{
  g_autoptr(MsRequest) with_token = ms_request_copy (request);
  g_autoptr(GError) error = NULL;
  MsSmtpClient *client;

  *signed_in = FALSE;
  with_token->auth = MS_AUTH_OAUTH2;
  g_clear_pointer (&with_token->password, ms_password_unref);
  with_token->password = ms_online_account_get_token (request->online_account, cancellable,
                                                      &error);
  if (with_token->password == NULL)
    {
      fail_token (result, error);
      return NULL;
    }

  client = ms_smtp_client_new (with_token, result, prefix, cancellable);
  *signed_in = ms_smtp_client_check_config (client, needs)
               && ms_smtp_client_open (client)
               && ms_smtp_client_authenticate (client);

  return client;
}

/**
 * ms_operation_sign_in:
 * @request: the settings and the password, or an online account
 * @needs: what @request must carry; %MS_SMTP_NEEDS_AUTH at least
 * @result: where the steps, the error and the transcript go
 * @prefix: (nullable): a prefix for transcript lines
 * @cancellable: (nullable): a #GCancellable
 * @signed_in: (out): whether the session is open and signed in
 *
 * Checks the settings, connects, greets, and signs in. For an account of
 * GNOME Online Accounts (request->online_account) each connection gets a
 * token of its own; when the server refuses it, GOA is asked to renew the
 * credentials (EnsureCredentials), and one more token signs in on a new
 * connection; a second refusal stays online-account-needs-attention
 * (docs/contract.md, "Online accounts").
 *
 * Returns: (transfer full) (nullable): the client, to use while
 *   @signed_in and to finish in any case; %NULL when no connection was made
 */
MsSmtpClient *
ms_operation_sign_in (const MsRequest *request,
                      MsSmtpNeeds      needs,
                      MsResult        *result,
                      const char      *prefix,
                      GCancellable    *cancellable,
                      gboolean        *signed_in)
{
  g_autoptr(MsSmtpClient) client = NULL;
  g_autoptr(GError) error = NULL;

  if (request->online_account == NULL)
    {
      client = ms_smtp_client_new (request, result, prefix, cancellable);
      *signed_in = ms_smtp_client_check_config (client, needs)
                   && ms_smtp_client_open (client)
                   && ms_smtp_client_authenticate (client);
      return g_steal_pointer (&client);
    }

  client = online_attempt (request, needs, result, prefix, cancellable, signed_in);
  if (*signed_in || client == NULL || result->error == NULL
      || result->error->code != MS_ERROR_ONLINE_ACCOUNT_NEEDS_ATTENTION
      || result->error->step != MS_STEP_AUTH)
    return g_steal_pointer (&client);

  /* The server refused the token: close this connection, let GOA renew. */
  ms_smtp_client_finish (client);
  g_clear_object (&client);
  note (request, result, "* the server refused the access token: "
                         "asking Online Accounts to renew it, then a new connection");
  if (!ms_online_account_renew (request->online_account, cancellable, &error))
    {
      fail_token (result, error);
      return NULL;
    }
  ms_result_clear_error (result);

  return online_attempt (request, needs, result, prefix, cancellable, signed_in);
}

/**
 * ms_operation_run_session:
 * @request: the settings
 * @needs: what @request must carry besides the server (checked first)
 * @func: (nullable): what to do once the session is open; %NULL to only
 *   open it (a probe)
 * @result: where the steps, the error and the transcript go
 * @prefix: (nullable): a prefix for transcript lines ("[465/tls] ")
 * @cancellable: (nullable): a #GCancellable
 *
 * One session against one port and mode: check the settings, connect,
 * greeting, EHLO (STARTTLS and EHLO again), then @func, then QUIT.
 */
void
ms_operation_run_session (const MsRequest *request,
                          MsSmtpNeeds      needs,
                          MsSessionFunc    func,
                          MsResult        *result,
                          const char      *prefix,
                          GCancellable    *cancellable)
{
  g_autoptr(MsSmtpClient) client = NULL;
  gboolean signed_in = FALSE;

  /* An online account signs in before anything else (nothing is pipelined
   * after AUTH XOAUTH2), so @func finds the session signed in. */
  if (request->online_account != NULL && (needs & MS_SMTP_NEEDS_AUTH))
    {
      client = ms_operation_sign_in (request, needs, result, prefix, cancellable, &signed_in);
      if (signed_in && func != NULL)
        func (client, request, result);
      if (client != NULL)
        ms_smtp_client_finish (client);
      return;
    }

  client = ms_smtp_client_new (request, result, prefix, cancellable);
  if (ms_smtp_client_check_config (client, needs)
      && ms_smtp_client_open (client)
      && func != NULL)
    func (client, request, result);

  ms_smtp_client_finish (client);
}

/**
 * ms_operation_run:
 * @request: the settings
 * @name: the operation's name, for the result ("probe", "send", ...)
 * @body: fills the result
 * @cancellable: (nullable): a #GCancellable
 *
 * Runs @body in the calling thread, and sets the result's timing and
 * advice. An account of GNOME Online Accounts first gets the settings its
 * group leaves to GOA (ms_online_account_complete_request()); when GOA cannot give
 * them, @body does not run and the error is GOA's.
 *
 * Returns: (transfer full): the result
 */
MsResult *
ms_operation_run (const MsRequest *request,
                  const char      *name,
                  MsOperationBody  body,
                  GCancellable    *cancellable)
{
  MsResult *result = ms_result_new (name);
  g_autoptr(MsRequest) resolved = NULL;
  g_autoptr(GError) online_error = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  if (request->online_settings != MS_ONLINE_SETTING_NONE)
    {
      resolved = ms_request_copy (request);
      if (ms_online_account_complete_request (resolved, cancellable, &online_error))
        request = resolved;
    }

  result->account = g_strdup (request->account);
  result->host = g_strdup (request->config->host);
  result->port = request->config->port;
  result->security = request->config->security;
  result->from_online_account = request->from_online_account;

  if (online_error != NULL)
    fail_settings (result, online_error);
  else
    body (request, result, cancellable);

  result->total_ms = (g_get_monotonic_time () - start) / 1000;
  ms_advice_fill (result, request->provider);
  /* A sign-in or test message of a stored account is its last check, shown
   * by the accounts view whoever ran it; failing to note it fails nothing. */
  if (!ms_last_check_record (request->state_dir, NULL, result, &error))
    g_debug ("Last check not recorded: %s", error->message);

  return result;
}

typedef struct
{
  MsRequest       *request;
  const char      *name;
  MsOperationBody  body;
} TaskData;

static void
task_data_free (TaskData *data)
{
  ms_request_free (data->request);
  g_free (data);
}

static void
run_in_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  TaskData *data = task_data;

  g_task_return_pointer (task,
                         ms_operation_run (data->request, data->name, data->body, cancellable),
                         (GDestroyNotify) ms_result_unref);
}

/**
 * ms_operation_start:
 * @request: the settings; copied
 * @name: the operation's name; a static string
 * @body: fills the result, in the worker thread
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's main context with the result
 * @user_data: data for @callback
 * @source_tag: the public _async function, checked by ms_operation_finish()
 *
 * ms_operation_run() in a worker thread. A cancelled operation still
 * yields its result, with the error cancelled.
 */
void
ms_operation_start (const MsRequest     *request,
                    const char          *name,
                    MsOperationBody      body,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data,
                    gpointer             source_tag)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  TaskData *data = g_new0 (TaskData, 1);

  data->request = ms_request_copy (request);
  data->name = name;
  data->body = body;
  g_task_set_source_tag (task, source_tag);
  g_task_set_name (task, name);
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, data, (GDestroyNotify) task_data_free);
  g_task_run_in_thread (task, run_in_thread);
}

/**
 * ms_operation_finish:
 * @result: the #GAsyncResult given to the callback
 * @source_tag: the public _async function that started it
 * @error: only set for a programming error
 *
 * Returns: (transfer full): the result
 */
MsResult *
ms_operation_finish (GAsyncResult  *result,
                     gpointer       source_tag,
                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
