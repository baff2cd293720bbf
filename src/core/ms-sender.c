/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-sender"

#include "config.h"

#include <string.h>

#include "ms-message.h"
#include "ms-operation.h"
#include "ms-sender.h"

/*
 * Signing in, the test message and `send`. Each opens a session the way a
 * probe does (ms-operation.c), then authenticates and, for the two sends,
 * hands one message to the server.
 */

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
login_session (MsSmtpClient    *client,
               const MsRequest *request,
               MsResult        *result)
{
  ms_smtp_client_authenticate (client);
}

static void
test_send_session (MsSmtpClient    *client,
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
send_session (MsSmtpClient    *client,
              const MsRequest *request,
              MsResult        *result)
{
  if (ms_smtp_client_send_message (client, request->from,
                                   (const char * const *) request->recipients,
                                   request->message, TRUE))
    result->message_id = find_message_id (request->message);
}

static void
login_body (const MsRequest *request,
            MsResult        *result,
            GCancellable    *cancellable)
{
  ms_operation_run_session (request, MS_SMTP_NEEDS_AUTH, login_session, result, NULL,
                            cancellable);
}

static void
test_send_body (const MsRequest *request,
                MsResult        *result,
                GCancellable    *cancellable)
{
  ms_operation_run_session (request, MS_SMTP_NEEDS_AUTH | MS_SMTP_NEEDS_SENDER,
                            test_send_session, result, NULL, cancellable);
}

static void
send_body (const MsRequest *request,
           MsResult        *result,
           GCancellable    *cancellable)
{
  ms_operation_run_session (request,
                            MS_SMTP_NEEDS_AUTH | MS_SMTP_NEEDS_SENDER | MS_SMTP_NEEDS_MESSAGE,
                            send_session, result, NULL, cancellable);
}

/**
 * ms_sender_login_async:
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
ms_sender_login_async (const MsRequest     *request,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_return_if_fail (request != NULL && request->config != NULL);

  ms_operation_start (request, "login", login_body, cancellable, callback, user_data,
                      ms_sender_login_async);
}

MsResult *
ms_sender_login_finish (GAsyncResult  *result,
                        GError       **error)
{
  return ms_operation_finish (result, ms_sender_login_async, error);
}

/**
 * ms_sender_login:
 * @request: as for ms_sender_login_async()
 * @cancellable: (nullable): a #GCancellable
 *
 * The blocking form of ms_sender_login_async(), for threads and scripts.
 *
 * Returns: (transfer full): the result
 */
MsResult *
ms_sender_login (const MsRequest *request,
                 GCancellable    *cancellable)
{
  g_return_val_if_fail (request != NULL && request->config != NULL, NULL);

  return ms_operation_run (request, "login", login_body, cancellable);
}

/**
 * ms_sender_test_send_async:
 * @request: as for login, plus from and recipients[0] (default: from)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's main context with the result
 * @user_data: data for @callback
 *
 * A login, then the test message of the contract (docs/contract.md); sets
 * message_id on success.
 *
 * Error codes (in the result): those of login, plus message-too-large,
 *   sender-rejected, recipient-rejected, message-rejected, quota-exceeded,
 *   connection-lost.
 */
void
ms_sender_test_send_async (const MsRequest     *request,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (request != NULL && request->config != NULL);

  ms_operation_start (request, "test-send", test_send_body, cancellable, callback, user_data,
                      ms_sender_test_send_async);
}

MsResult *
ms_sender_test_send_finish (GAsyncResult  *result,
                            GError       **error)
{
  return ms_operation_finish (result, ms_sender_test_send_async, error);
}

/**
 * ms_sender_test_send:
 * @request: as for ms_sender_test_send_async()
 * @cancellable: (nullable): a #GCancellable
 *
 * The blocking form of ms_sender_test_send_async().
 *
 * Returns: (transfer full): the result
 */
MsResult *
ms_sender_test_send (const MsRequest *request,
                     GCancellable    *cancellable)
{
  g_return_val_if_fail (request != NULL && request->config != NULL, NULL);

  return ms_operation_run (request, "test-send", test_send_body, cancellable);
}

/**
 * ms_sender_send_async:
 * @request: as for login, plus from, recipients and the normalised message
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's main context with the result
 * @user_data: data for @callback
 *
 * A login, then @request->message to every recipient; sets message_id from
 * the message's Message-ID on success.
 *
 * Error codes (in the result): as for ms_sender_test_send_async().
 */
void
ms_sender_send_async (const MsRequest     *request,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_return_if_fail (request != NULL && request->config != NULL);

  ms_operation_start (request, "send", send_body, cancellable, callback, user_data,
                      ms_sender_send_async);
}

MsResult *
ms_sender_send_finish (GAsyncResult  *result,
                       GError       **error)
{
  return ms_operation_finish (result, ms_sender_send_async, error);
}

/**
 * ms_sender_send:
 * @request: as for ms_sender_send_async()
 * @cancellable: (nullable): a #GCancellable
 *
 * The blocking form of ms_sender_send_async().
 *
 * Returns: (transfer full): the result
 */
MsResult *
ms_sender_send (const MsRequest *request,
                GCancellable    *cancellable)
{
  g_return_val_if_fail (request != NULL && request->config != NULL, NULL);

  return ms_operation_run (request, "send", send_body, cancellable);
}
