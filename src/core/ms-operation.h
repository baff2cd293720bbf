/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ms-request.h"
#include "ms-result.h"
#include "ms-smtp-client.h"

G_BEGIN_DECLS

/*
 * How ms-probe and ms-sender run an operation; not called by the surfaces.
 *
 * An operation has a name ("probe", "login", "test-send", "send") and a
 * body that fills an MsResult whose account, host, port and security are
 * already set. ms_operation_run() times the body and adds the advice;
 * ms_operation_start() does the same in a worker thread (g_task_run_in_thread)
 * and hands the result back on the caller's main context.
 */
typedef void (*MsOperationBody)  (const MsRequest *request,
                                  MsResult        *result,
                                  GCancellable    *cancellable);

/* What to do on an open session (greeting, EHLO and STARTTLS done). */
typedef void (*MsSessionFunc)    (MsSmtpClient    *client,
                                  const MsRequest *request,
                                  MsResult        *result);

void      ms_operation_run_session (const MsRequest     *request,
                                    MsSmtpNeeds          needs,
                                    MsSessionFunc        func,
                                    MsResult            *result,
                                    const char          *prefix,
                                    GCancellable        *cancellable);

MsSmtpClient *ms_operation_sign_in (const MsRequest     *request,
                                    MsSmtpNeeds          needs,
                                    MsResult            *result,
                                    const char          *prefix,
                                    GCancellable        *cancellable,
                                    gboolean            *signed_in);

MsResult *ms_operation_run         (const MsRequest     *request,
                                    const char          *name,
                                    MsOperationBody      body,
                                    GCancellable        *cancellable);

void      ms_operation_start       (const MsRequest     *request,
                                    const char          *name,
                                    MsOperationBody      body,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data,
                                    gpointer             source_tag);

MsResult *ms_operation_finish      (GAsyncResult        *result,
                                    gpointer             source_tag,
                                    GError             **error);

G_END_DECLS
