/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ms-request.h"
#include "ms-result.h"

G_BEGIN_DECLS

/*
 * The operations every surface calls. Each runs its network work in a worker
 * thread, returns on the caller's main context, honours @cancellable within a
 * second, and always yields an MsResult (the failure, if any, is inside it as
 * result->error with a contract code). _finish only fails (returning NULL)
 * for a programming error.
 *
 * ms_probe_run: resolve, connect, TLS, greeting, EHLO (STARTTLS and EHLO
 *   again), QUIT. Never sends credentials. With MS_SECURITY_AUTO, tries
 *   465/tls and 587/starttls in parallel and fills candidates and
 *   recommended.
 * ms_login_run: probe, then AUTH, then QUIT.
 * ms_test_send_run: login, then the test message to request->recipients[0].
 * ms_send_run: login, then request->message to request->recipients.
 *
 * Error codes: every network, TLS and SMTP code of CONTRACT.md, plus
 * invalid-input for bad settings, cancelled.
 */
void      ms_probe_run_async      (const MsRequest     *request,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data);
MsResult *ms_probe_run_finish     (GAsyncResult        *result,
                                   GError             **error);
MsResult *ms_probe_run            (const MsRequest     *request,
                                   GCancellable        *cancellable);

void      ms_login_run_async      (const MsRequest     *request,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data);
MsResult *ms_login_run_finish     (GAsyncResult        *result,
                                   GError             **error);
MsResult *ms_login_run            (const MsRequest     *request,
                                   GCancellable        *cancellable);

void      ms_test_send_run_async  (const MsRequest     *request,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data);
MsResult *ms_test_send_run_finish (GAsyncResult        *result,
                                   GError             **error);
MsResult *ms_test_send_run        (const MsRequest     *request,
                                   GCancellable        *cancellable);

void      ms_send_run_async       (const MsRequest     *request,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data);
MsResult *ms_send_run_finish      (GAsyncResult        *result,
                                   GError             **error);
MsResult *ms_send_run             (const MsRequest     *request,
                                   GCancellable        *cancellable);

G_END_DECLS
