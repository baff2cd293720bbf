/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ms-account.h"
#include "ms-outbox.h"
#include "ms-request.h"
#include "ms-result.h"

G_BEGIN_DECLS

/*
 * MsOutboxAttempt:
 * What became of one kept message in a delivery: delivered (and removed
 * from the outbox), or kept with the error of this attempt. @tried is
 * %FALSE for a message that was not tried because the connection had
 * already failed: it stays as it was.
 */
typedef struct
{
  MsOutboxEntry *entry;      /* after the attempt */
  MsResult      *result;     /* this message's error and message_id */
  gboolean       tried;
  gboolean       delivered;
} MsOutboxAttempt;

void      ms_outbox_attempt_free       (MsOutboxAttempt     *attempt);

MsResult *ms_outbox_deliver            (const MsRequest     *request,
                                        GPtrArray           *locks,
                                        GPtrArray          **attempts,
                                        GCancellable        *cancellable);
void      ms_outbox_deliver_async      (const MsRequest     *request,
                                        GPtrArray           *locks,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
MsResult *ms_outbox_deliver_finish     (GAsyncResult        *result,
                                        GPtrArray          **attempts,
                                        GError             **error);
GPtrArray *ms_outbox_record_failure    (GPtrArray           *locks,
                                        const MsResult      *failure);

GPtrArray *ms_outbox_lock_for_sending (MsOutbox            *outbox,
                                        const char          *account,
                                        const char * const  *ids,
                                        gboolean             include_held);
GPtrArray *ms_outbox_send_now         (MsOutbox            *outbox,
                                        MsAccount           *account,
                                        const char * const  *ids,
                                        gboolean             include_held,
                                        GCancellable        *cancellable);
void       ms_outbox_send_now_async   (MsOutbox            *outbox,
                                        MsAccount           *account,
                                        const char * const  *ids,
                                        gboolean             include_held,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
GPtrArray *ms_outbox_send_now_finish  (GAsyncResult        *result,
                                        GError             **error);
void       ms_outbox_list_async        (MsOutbox            *outbox,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
GPtrArray *ms_outbox_list_finish       (GAsyncResult        *result,
                                        GError             **error);
void       ms_outbox_drop_async        (MsOutbox            *outbox,
                                        const char          *id,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gboolean   ms_outbox_drop_finish       (GAsyncResult        *result,
                                        GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsOutboxAttempt, ms_outbox_attempt_free)

G_END_DECLS
