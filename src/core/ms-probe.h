/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ms-request.h"
#include "ms-result.h"

G_BEGIN_DECLS

/*
 * Probing a server: resolve, connect, TLS, greeting, EHLO (STARTTLS and
 * EHLO again), QUIT. Never sends credentials. With MS_SECURITY_AUTO, tries
 * 465/tls and 587/starttls (or request->auto_*_port) in parallel and fills
 * candidates and recommended. Signing in and sending are in ms-sender.h.
 *
 * Like every operation, it runs its network work in a worker thread,
 * returns on the caller's main context, honours @cancellable within a
 * second, and always yields an MsResult (the failure, if any, is inside it
 * as result->error with a contract code). _finish only fails (returning
 * NULL) for a programming error.
 *
 * Error codes: every network, TLS and SMTP code of the contract
 * (docs/contract.md), plus invalid-input for bad settings, cancelled.
 */
void      ms_probe_run_async      (const MsRequest     *request,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data);
MsResult *ms_probe_run_finish     (GAsyncResult        *result,
                                   GError             **error);
MsResult *ms_probe_run            (const MsRequest     *request,
                                   GCancellable        *cancellable);

G_END_DECLS
