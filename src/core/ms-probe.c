/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-probe"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "ms-advice.h"
#include "ms-message.h"
#include "ms-probe.h"
#include "ms-smtp-client.h"
#include "ms-validate.h"

/*
 * The operations. Each runs in one worker thread (g_task_run_in_thread)
 * with blocking calls that wait with poll() on the socket and the
 * cancellable, so a cancel ends it within a second; the GTask hands the
 * result back on the caller's main context.
 *
 * Test hook: with `--security auto` and a loopback host (127.0.0.1, ::1 or
 * localhost), the environment variables MS_TEST_AUTO_TLS_PORT and
 * MS_TEST_AUTO_STARTTLS_PORT replace ports 465 and 587, so that tests can
 * point the two candidates at fake servers. They are ignored for any other
 * host.
 */

typedef enum
{
  OP_PROBE,
  OP_LOGIN,
  OP_TEST_SEND,
  OP_SEND,
} Operation;

static const char *operation_names[] = {
  [OP_PROBE] = "probe",
  [OP_LOGIN] = "login",
  [OP_TEST_SEND] = "test-send",
  [OP_SEND] = "send",
};

static MsSmtpNeeds
operation_needs (Operation op)
{
  switch (op)
    {
    case OP_LOGIN:
      return MS_SMTP_NEEDS_AUTH;
    case OP_TEST_SEND:
      return MS_SMTP_NEEDS_AUTH | MS_SMTP_NEEDS_SENDER;
    case OP_SEND:
      return MS_SMTP_NEEDS_AUTH | MS_SMTP_NEEDS_SENDER | MS_SMTP_NEEDS_MESSAGE;
    case OP_PROBE:
    default:
      return MS_SMTP_NEEDS_NOTHING;
    }
}

/* The Message-ID header of a message the sendmail parser normalised. */
static char *
find_message_id (GBytes *message)
{
  gsize len;
  const char *data = g_bytes_get_data (message, &len);
  const char *p = data, *end = data + len;

  while (p < end && !(*p == '\r' || *p == '\n'))
    {
      const char *eol = memchr (p, '\n', end - p);
      gsize line_len = (eol ? eol : end) - p;

      if (line_len > 11 && g_ascii_strncasecmp (p, "Message-ID:", 11) == 0)
        return g_strstrip (g_strndup (p + 11, line_len - 11));
      if (eol == NULL)
        break;
      p = eol + 1;
    }

  return NULL;
}

static void
run_test_send (MsSmtpClient    *client,
               const MsRequest *request,
               MsResult        *result)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *message_id = NULL;
  g_autoptr(GBytes) message = NULL;
  const char *to = request->recipients && request->recipients[0] ? request->recipients[0]
                                                                  : request->from;
  const char *recipients[] = { to, NULL };
  message = ms_message_compose_test (request->from, to, ms_smtp_client_get_host (client),
                                     result->port,
                                     request->program ? request->program : PACKAGE_NAME,
                                     ms_smtp_client_has_extension (client, "8BITMIME"),
                                     now, &message_id, &error);
  if (message == NULL)
    {
      ms_result_set_error_from_gerror (result, MS_STEP_DATA, error);
      return;
    }

  if (ms_smtp_client_send_message (client, request->from, recipients, message, TRUE))
    result->message_id = g_steal_pointer (&message_id);
}

static void
run_send (MsSmtpClient    *client,
          const MsRequest *request,
          MsResult        *result)
{
  if (ms_smtp_client_send_message (client, request->from,
                                   (const char * const *) request->recipients,
                                   request->message, TRUE))
    result->message_id = find_message_id (request->message);
}

/* One operation against one port and mode, into @result. */
static void
run_single (const MsRequest *request,
            Operation        op,
            MsResult        *result,
            const char      *prefix,
            GCancellable    *cancellable)
{
  g_autoptr(MsSmtpClient) client = ms_smtp_client_new (request, result, prefix, cancellable);

  if (ms_smtp_client_check_config (client, operation_needs (op))
      && ms_smtp_client_open (client))
    {
      switch (op)
        {
        case OP_LOGIN:
          ms_smtp_client_authenticate (client);
          break;
        case OP_TEST_SEND:
          run_test_send (client, request, result);
          break;
        case OP_SEND:
          run_send (client, request, result);
          break;
        case OP_PROBE:
        default:
          break;
        }
    }

  ms_smtp_client_finish (client);
}

/* ---- probe --security auto ---- */

typedef struct
{
  MsRequest    *request;
  MsResult     *result;
  char         *prefix;
  GCancellable *cancellable;
} Candidate;

static gboolean
host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;
  g_autofree char *bare = NULL;

  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;

  bare = g_strdup (host[0] == '[' ? host + 1 : host);
  if (bare[0] != '\0' && bare[strlen (bare) - 1] == ']')
    bare[strlen (bare) - 1] = '\0';
  address = g_inet_address_new_from_string (bare);

  return address != NULL && g_inet_address_get_is_loopback (address);
}

static guint16
candidate_port (const MsRequest *request,
                const char      *variable,
                guint16          port)
{
  const char *value = g_getenv (variable);
  guint64 parsed;

  if (value != NULL && host_is_loopback (request->config->host)
      && g_ascii_string_to_unsigned (value, 10, 1, 65535, &parsed, NULL))
    return parsed;

  return port;
}

static void
candidate_init (Candidate       *candidate,
                const MsRequest *request,
                MsSecurity       security,
                guint16          port,
                GCancellable    *cancellable)
{
  candidate->request = ms_request_copy (request);
  candidate->request->config->security = security;
  candidate->request->config->port = port;
  candidate->result = ms_result_new ("probe");
  candidate->result->account = g_strdup (request->account);
  candidate->result->host = g_strdup (request->config->host);
  candidate->result->port = port;
  candidate->result->security = security;
  candidate->prefix = g_strdup_printf ("[%u/%s] ", port, ms_security_to_string (security));
  candidate->cancellable = cancellable;
}

static gpointer
candidate_thread (gpointer data)
{
  Candidate *candidate = data;
  gint64 start = g_get_monotonic_time ();

  run_single (candidate->request, OP_PROBE, candidate->result, candidate->prefix,
              candidate->cancellable);
  candidate->result->total_ms = (g_get_monotonic_time () - start) / 1000;
  ms_advice_fill (candidate->result, candidate->request->provider);

  return NULL;
}

static gboolean
is_reachability_error (MsErrorCode code)
{
  return code == MS_ERROR_DNS_FAILED || code == MS_ERROR_CONNECT_REFUSED
         || code == MS_ERROR_CONNECT_TIMEOUT || code == MS_ERROR_TIMEOUT;
}

/* No secure option: report the most telling candidate failure (a stripped
 * STARTTLS says more than a blocked port), and recommend nothing (S12). */
static void
set_no_secure_option (MsResult        *result,
                      const MsResult  *tls,
                      const MsResult  *starttls)
{
  const MsResult *source = tls;
  MsResultError *error;

  if (is_reachability_error (tls->error->code) && !is_reachability_error (starttls->error->code))
    source = starttls;

  error = ms_result_set_error (result, source->error->code, source->error->step, NULL);
  error->server_reply = g_strdup (source->error->server_reply);
  error->detail = g_strdup_printf ("no secure option: %u/%s: %s; %u/%s: %s",
                                   tls->port, ms_security_to_string (tls->security),
                                   ms_error_code_to_string (tls->error->code),
                                   starttls->port, ms_security_to_string (starttls->security),
                                   ms_error_code_to_string (starttls->error->code));
}

static void
recommend (MsResult       *result,
           const MsResult *candidate)
{
  result->has_recommended = TRUE;
  result->recommended_port = candidate->port;
  result->recommended_security = candidate->security;
  result->port = candidate->port;
  result->tls = candidate->tls ? ms_tls_info_copy (candidate->tls) : NULL;
  result->capabilities = g_strdupv (candidate->capabilities);
  result->auth_mechanisms = g_strdupv (candidate->auth_mechanisms);
}

/* 465/tls and 587/starttls at the same time; implicit TLS is preferred
 * when both work (RFC 8314 section 3.3). Plain SMTP is never a candidate. */
static void
run_auto (const MsRequest *request,
          MsResult        *result,
          GCancellable    *cancellable)
{
  Candidate candidates[2] = { { 0 } };
  GThread *thread;

  candidate_init (&candidates[0], request, MS_SECURITY_TLS,
                  candidate_port (request, "MS_TEST_AUTO_TLS_PORT", 465), cancellable);
  candidate_init (&candidates[1], request, MS_SECURITY_STARTTLS,
                  candidate_port (request, "MS_TEST_AUTO_STARTTLS_PORT", 587), cancellable);

  thread = g_thread_new ("ms-probe-auto", candidate_thread, &candidates[0]);
  candidate_thread (&candidates[1]);
  g_thread_join (thread);

  result->candidates = g_ptr_array_new_with_free_func ((GDestroyNotify) ms_result_unref);
  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      g_ptr_array_add (result->candidates, g_steal_pointer (&candidates[i].result));
      ms_request_free (candidates[i].request);
      g_free (candidates[i].prefix);
    }

  for (guint i = 0; i < result->candidates->len && !result->has_recommended; i++)
    if (ms_result_is_ok (g_ptr_array_index (result->candidates, i)))
      recommend (result, g_ptr_array_index (result->candidates, i));

  if (!result->has_recommended)
    set_no_secure_option (result, g_ptr_array_index (result->candidates, 0),
                          g_ptr_array_index (result->candidates, 1));
}

/* ---- running an operation ---- */

static MsResult *
run_operation (const MsRequest *request,
               Operation        op,
               GCancellable    *cancellable)
{
  MsResult *result = ms_result_new (operation_names[op]);
  gint64 start = g_get_monotonic_time ();

  result->account = g_strdup (request->account);
  result->host = g_strdup (request->config->host);
  result->port = request->config->port;
  result->security = request->config->security;

  if (op == OP_PROBE && request->config->security == MS_SECURITY_AUTO)
    run_auto (request, result, cancellable);
  else
    run_single (request, op, result, NULL, cancellable);

  result->total_ms = (g_get_monotonic_time () - start) / 1000;
  ms_advice_fill (result, request->provider);

  return result;
}

typedef struct
{
  MsRequest *request;
  Operation  op;
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

  g_task_return_pointer (task, run_operation (data->request, data->op, cancellable),
                         (GDestroyNotify) ms_result_unref);
}

static void
start_operation (const MsRequest     *request,
                 Operation            op,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data,
                 gpointer             source_tag)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  TaskData *data = g_new0 (TaskData, 1);

  data->request = ms_request_copy (request);
  data->op = op;
  g_task_set_source_tag (task, source_tag);
  g_task_set_name (task, operation_names[op]);
  /* A cancelled operation still yields its result, with error cancelled. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, data, (GDestroyNotify) task_data_free);
  g_task_run_in_thread (task, run_in_thread);
}

static MsResult *
finish_operation (GAsyncResult  *result,
                  gpointer       source_tag,
                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * ms_probe_run_async:
 * @request: the server to probe; copied
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's main context with the result
 * @user_data: data for @callback
 *
 * Resolve, connect, TLS, greeting, EHLO (and STARTTLS, EHLO again), QUIT;
 * never sends credentials. With %MS_SECURITY_AUTO, probes 465/tls and
 * 587/starttls in parallel and fills candidates and recommended.
 *
 * Error codes (in the result): see ms_smtp_client_open(); invalid-input,
 *   cancelled.
 */
void
ms_probe_run_async (const MsRequest     *request,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_return_if_fail (request != NULL && request->config != NULL);

  start_operation (request, OP_PROBE, cancellable, callback, user_data, ms_probe_run_async);
}

MsResult *
ms_probe_run_finish (GAsyncResult  *result,
                     GError       **error)
{
  return finish_operation (result, ms_probe_run_async, error);
}

/**
 * ms_probe_run:
 * @request: the server to probe
 * @cancellable: (nullable): a #GCancellable
 *
 * The blocking form of ms_probe_run_async(), for threads and scripts.
 *
 * Returns: (transfer full): the result
 */
MsResult *
ms_probe_run (const MsRequest *request,
              GCancellable    *cancellable)
{
  g_return_val_if_fail (request != NULL && request->config != NULL, NULL);

  return run_operation (request, OP_PROBE, cancellable);
}

/**
 * ms_login_run_async:
 * @request: server, user (config->username, else from) and password
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's main context with the result
 * @user_data: data for @callback
 *
 * A probe, then AUTH, then QUIT; sends no mail.
 *
 * Error codes (in the result): those of the probe, plus auth-unsupported,
 *   auth-failed, app-password-required, web-login-required,
 *   temporary-failure.
 */
void
ms_login_run_async (const MsRequest     *request,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_return_if_fail (request != NULL && request->config != NULL);

  start_operation (request, OP_LOGIN, cancellable, callback, user_data, ms_login_run_async);
}

MsResult *
ms_login_run_finish (GAsyncResult  *result,
                     GError       **error)
{
  return finish_operation (result, ms_login_run_async, error);
}

MsResult *
ms_login_run (const MsRequest *request,
              GCancellable    *cancellable)
{
  g_return_val_if_fail (request != NULL && request->config != NULL, NULL);

  return run_operation (request, OP_LOGIN, cancellable);
}

/**
 * ms_test_send_run_async:
 * @request: as for login, plus from and recipients[0] (default: from)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's main context with the result
 * @user_data: data for @callback
 *
 * A login, then the test message of CONTRACT.md; sets message_id on
 * success.
 *
 * Error codes (in the result): those of login, plus message-too-large,
 *   sender-rejected, recipient-rejected, message-rejected, quota-exceeded,
 *   connection-lost.
 */
void
ms_test_send_run_async (const MsRequest     *request,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_return_if_fail (request != NULL && request->config != NULL);

  start_operation (request, OP_TEST_SEND, cancellable, callback, user_data,
                   ms_test_send_run_async);
}

MsResult *
ms_test_send_run_finish (GAsyncResult  *result,
                         GError       **error)
{
  return finish_operation (result, ms_test_send_run_async, error);
}

MsResult *
ms_test_send_run (const MsRequest *request,
                  GCancellable    *cancellable)
{
  g_return_val_if_fail (request != NULL && request->config != NULL, NULL);

  return run_operation (request, OP_TEST_SEND, cancellable);
}

/**
 * ms_send_run_async:
 * @request: as for login, plus from, recipients and the normalised message
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's main context with the result
 * @user_data: data for @callback
 *
 * A login, then @request->message to every recipient; sets message_id from
 * the message's Message-ID on success.
 *
 * Error codes (in the result): as for ms_test_send_run_async().
 */
void
ms_send_run_async (const MsRequest     *request,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_return_if_fail (request != NULL && request->config != NULL);

  start_operation (request, OP_SEND, cancellable, callback, user_data, ms_send_run_async);
}

MsResult *
ms_send_run_finish (GAsyncResult  *result,
                    GError       **error)
{
  return finish_operation (result, ms_send_run_async, error);
}

MsResult *
ms_send_run (const MsRequest *request,
             GCancellable    *cancellable)
{
  g_return_val_if_fail (request != NULL && request->config != NULL, NULL);

  return run_operation (request, OP_SEND, cancellable);
}
