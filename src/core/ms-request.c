/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-request"

#include "config.h"

#include "ms-request.h"

G_DEFINE_BOXED_TYPE (MsRequest, ms_request, ms_request_copy, ms_request_free)

/**
 * ms_request_new:
 * @config: (nullable): the connection settings, copied
 *
 * Returns: (transfer full): a new request
 */
MsRequest *
ms_request_new (const MsSmtpConfig *config)
{
  MsRequest *request = g_new0 (MsRequest, 1);

  request->config = config ? ms_smtp_config_copy (config) : ms_smtp_config_new ();

  return request;
}

MsRequest *
ms_request_copy (const MsRequest *request)
{
  MsRequest *copy;

  g_return_val_if_fail (request != NULL, NULL);

  copy = ms_request_new (request->config);
  copy->password = request->password ? ms_password_ref (request->password) : NULL;
  copy->auth = request->auth;
  copy->online_account = g_strdup (request->online_account);
  copy->online_settings = request->online_settings;
  copy->from_online_account = request->from_online_account;
  copy->account = g_strdup (request->account);
  copy->provider = g_strdup (request->provider);
  copy->credential_store = request->credential_store;
  copy->credential_file = g_strdup (request->credential_file);
  copy->from = g_strdup (request->from);
  copy->recipients = g_strdupv (request->recipients);
  copy->message = request->message ? g_bytes_ref (request->message) : NULL;
  copy->program = g_strdup (request->program);
  copy->config_dir = g_strdup (request->config_dir);
  copy->state_dir = g_strdup (request->state_dir);
  copy->auto_tls_port = request->auto_tls_port;
  copy->auto_starttls_port = request->auto_starttls_port;
  copy->dsn_notify = g_strdup (request->dsn_notify);
  copy->dsn_ret = g_strdup (request->dsn_ret);
  copy->dsn_envid = g_strdup (request->dsn_envid);
  copy->body_8bitmime = request->body_8bitmime;
  copy->transcript_func = request->transcript_func;
  copy->transcript_data = request->transcript_data;

  return copy;
}

void
ms_request_free (MsRequest *request)
{
  if (request == NULL)
    return;

  ms_smtp_config_free (request->config);
  g_clear_pointer (&request->password, ms_password_unref);
  g_free (request->online_account);
  g_free (request->account);
  g_free (request->provider);
  g_free (request->credential_file);
  g_free (request->from);
  g_strfreev (request->recipients);
  g_clear_pointer (&request->message, g_bytes_unref);
  g_free (request->program);
  g_free (request->config_dir);
  g_free (request->state_dir);
  g_free (request->dsn_notify);
  g_free (request->dsn_ret);
  g_free (request->dsn_envid);
  g_free (request);
}

/**
 * ms_request_set_auto_ports:
 * @request: a request
 * @tls_port: the port of the implicit TLS candidate; 0 for 465
 * @starttls_port: the port of the STARTTLS candidate; 0 for 587
 *
 * The ports a probe with %MS_SECURITY_AUTO tries. The command line always
 * uses the standard ports; tests and benchmarks point the candidates at
 * their own servers.
 */
void
ms_request_set_auto_ports (MsRequest *request,
                           guint16    tls_port,
                           guint16    starttls_port)
{
  g_return_if_fail (request != NULL);

  request->auto_tls_port = tls_port;
  request->auto_starttls_port = starttls_port;
}
