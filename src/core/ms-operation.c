/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-operation"

#include "config.h"

#include "ms-advice.h"
#include "ms-operation.h"

/*
 * Each operation runs in one worker thread (g_task_run_in_thread) with
 * blocking calls that wait with poll() on the socket and the cancellable,
 * so a cancel ends it within a second; the GTask hands the result back on
 * the caller's main context.
 */

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
  g_autoptr(MsSmtpClient) client = ms_smtp_client_new (request, result, prefix, cancellable);

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
 * advice.
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
  gint64 start = g_get_monotonic_time ();

  result->account = g_strdup (request->account);
  result->host = g_strdup (request->config->host);
  result->port = request->config->port;
  result->security = request->config->security;

  body (request, result, cancellable);

  result->total_ms = (g_get_monotonic_time () - start) / 1000;
  ms_advice_fill (result, request->provider);

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
