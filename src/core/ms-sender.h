/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ms-request.h"
#include "ms-result.h"

G_BEGIN_DECLS

/*
 * Signing in and sending, as every surface calls them. Like the probe
 * (ms-probe.h), each runs its network work in a worker thread, returns on
 * the caller's main context, honours @cancellable within a second, and
 * always yields an MsResult (the failure, if any, is inside it as
 * result->error with a contract code). _finish only fails (returning NULL)
 * for a programming error. The blocking forms are for threads and the
 * command line.
 *
 * ms_sender_login: a probe's session, then AUTH, then QUIT.
 * ms_sender_test_send: login, then the test message to
 *   request->recipients[0] (default: request->from).
 * ms_sender_send: login, then request->message to request->recipients.
 */
void      ms_sender_login_async      (const MsRequest     *request,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
MsResult *ms_sender_login_finish     (GAsyncResult        *result,
                                      GError             **error);
MsResult *ms_sender_login            (const MsRequest     *request,
                                      GCancellable        *cancellable);

void      ms_sender_test_send_async  (const MsRequest     *request,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
MsResult *ms_sender_test_send_finish (GAsyncResult        *result,
                                      GError             **error);
MsResult *ms_sender_test_send        (const MsRequest     *request,
                                      GCancellable        *cancellable);

void      ms_sender_send_async       (const MsRequest     *request,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
MsResult *ms_sender_send_finish      (GAsyncResult        *result,
                                      GError             **error);
MsResult *ms_sender_send             (const MsRequest     *request,
                                      GCancellable        *cancellable);

G_END_DECLS
