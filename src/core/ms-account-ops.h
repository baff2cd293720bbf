/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ms-account.h"
#include "ms-account-store.h"
#include "ms-password.h"
#include "ms-request.h"
#include "ms-result.h"

G_BEGIN_DECLS

/*
 * Account operations that keep accounts.ini and the keyring consistent.
 * @store must be loaded, and is used on the caller's thread only (the
 * _async variants do their keyring and network work on a worker thread and
 * touch the store when they are back). Each writes accounts.ini itself.
 *
 * list and show need no operation: the store is a GListModel of MsAccount,
 * and ms_account_store_lookup() finds one.
 */
typedef enum
{
  MS_ACCOUNT_ADD_FLAGS_NONE = 0,
  MS_ACCOUNT_ADD_NO_VERIFY  = 1 << 0,  /* store without signing in first */
} MsAccountAddFlags;

MsResult *ms_account_ops_add             (MsAccountStore       *store,
                                          MsAccount            *account,
                                          const MsRequest      *request,
                                          MsAccountAddFlags     flags,
                                          GCancellable         *cancellable);
void      ms_account_ops_add_async       (MsAccountStore       *store,
                                          MsAccount            *account,
                                          const MsRequest      *request,
                                          MsAccountAddFlags     flags,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);
MsResult *ms_account_ops_add_finish      (GAsyncResult         *result,
                                          GError              **error);

gboolean  ms_account_ops_update          (MsAccountStore       *store,
                                          MsAccount            *account,
                                          MsPassword           *password,
                                          GCancellable         *cancellable,
                                          GError              **error);
void      ms_account_ops_update_async    (MsAccountStore       *store,
                                          MsAccount            *account,
                                          MsPassword           *password,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);
gboolean  ms_account_ops_update_finish   (GAsyncResult         *result,
                                          GError              **error);

gboolean  ms_account_ops_remove          (MsAccountStore       *store,
                                          const char           *id,
                                          GCancellable         *cancellable,
                                          GError              **error);
void      ms_account_ops_remove_async    (MsAccountStore       *store,
                                          const char           *id,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);
gboolean  ms_account_ops_remove_finish   (GAsyncResult         *result,
                                          GError              **error);

gboolean  ms_account_ops_set_default     (MsAccountStore       *store,
                                          const char           *id,
                                          GError              **error);

MsRequest *ms_account_ops_load_request        (MsAccount            *account,
                                               GCancellable         *cancellable,
                                               GError              **keyring_error);
MsRequest *ms_account_ops_load_request_within (MsAccount            *account,
                                               guint                 timeout_seconds,
                                               GCancellable         *cancellable,
                                               GError              **keyring_error);
void       ms_account_ops_load_request_async  (MsAccount            *account,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
MsRequest *ms_account_ops_load_request_finish (GAsyncResult         *result,
                                               GError              **keyring_error);

MsAccount *ms_account_ops_resolve             (MsAccount            *account,
                                               MsOnlineSettings     *from_online_account,
                                               GCancellable         *cancellable,
                                               GError              **error);
void       ms_account_ops_resolve_async       (MsAccount            *account,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
MsAccount *ms_account_ops_resolve_finish      (GAsyncResult         *result,
                                               MsOnlineSettings     *from_online_account,
                                               GError              **error);

G_END_DECLS
