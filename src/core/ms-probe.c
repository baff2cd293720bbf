/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-probe"

#include "config.h"

#include "ms-advice.h"
#include "ms-operation.h"
#include "ms-probe.h"

/*
 * Probing: what a server offers, without credentials. Signing in and
 * sending are in ms-sender.c; both run through ms-operation.c.
 */

/* ---- probe --security auto ---- */

typedef struct
{
  MsRequest    *request;
  MsResult     *result;
  char         *prefix;
  GCancellable *cancellable;
} Candidate;

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

  ms_operation_run_session (candidate->request, MS_SMTP_NEEDS_NOTHING, NULL,
                            candidate->result, candidate->prefix, candidate->cancellable);
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

/* 465/tls and 587/starttls (or the request's auto ports) at the same time;
 * implicit TLS is preferred when both work (RFC 8314 section 3.3). Plain
 * SMTP is never a candidate. */
static void
run_auto (const MsRequest *request,
          MsResult        *result,
          GCancellable    *cancellable)
{
  Candidate candidates[2] = { { 0 } };
  GThread *thread;

  candidate_init (&candidates[0], request, MS_SECURITY_TLS,
                  request->auto_tls_port ? request->auto_tls_port : 465, cancellable);
  candidate_init (&candidates[1], request, MS_SECURITY_STARTTLS,
                  request->auto_starttls_port ? request->auto_starttls_port : 587,
                  cancellable);

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

static void
probe_body (const MsRequest *request,
            MsResult        *result,
            GCancellable    *cancellable)
{
  if (request->config->security == MS_SECURITY_AUTO)
    run_auto (request, result, cancellable);
  else
    ms_operation_run_session (request, MS_SMTP_NEEDS_NOTHING, NULL, result, NULL, cancellable);
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
 * 587/starttls (see ms_request_set_auto_ports()) in parallel and fills
 * candidates and recommended.
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

  ms_operation_start (request, "probe", probe_body, cancellable, callback, user_data,
                      ms_probe_run_async);
}

MsResult *
ms_probe_run_finish (GAsyncResult  *result,
                     GError       **error)
{
  return ms_operation_finish (result, ms_probe_run_async, error);
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

  return ms_operation_run (request, "probe", probe_body, cancellable);
}
