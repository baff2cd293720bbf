/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ms-account-store.h"
#include "ms-outbox.h"
#include "ms-gui-util.h"
#include "ms-online-account.h"
#include "ms-password.h"
#include "ms-probe.h"
#include "ms-provider.h"

G_BEGIN_DECLS

/*
 * The GUI's one door into the core: every call the windows make to the
 * provider table, the operations and the account store goes through here,
 * so a change in a core API touches this file only.
 */

/* Provider detection: the core's MsDetection, and what the pages read from it. */
const char     *ms_gui_detection_provider_id     (const MsDetection   *found);
gboolean        ms_gui_detection_has_secret_kind (const MsDetection   *found,
                                                  MsSecretKind         kind);
const char     *ms_gui_detection_note            (const MsDetection   *found);
const char     *ms_gui_detection_source          (const MsDetection   *found);

void            ms_gui_detect_async     (const char          *address,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
MsDetection    *ms_gui_detect_finish    (GAsyncResult        *result,
                                         GError             **error);

MsRowState      ms_gui_check_app_password (const char  *provider_id,
                                           const char  *text,
                                           char       **message);
MsPassword     *ms_gui_normalise_password (const char  *provider_id,
                                           const char  *text);

typedef enum
{
  MS_GUI_OP_PROBE,
  MS_GUI_OP_LOGIN,
  MS_GUI_OP_TEST_SEND,
} MsGuiOperation;

void            ms_gui_run_async        (MsGuiOperation       operation,
                                         const MsRequest     *request,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
MsResult       *ms_gui_run_finish       (GAsyncResult        *result);

MsAccountStore *ms_gui_get_accounts     (void);
gboolean        ms_gui_reload_accounts  (GError             **error);
MsAccount      *ms_gui_new_account      (const char          *address,
                                         const char          *provider_id,
                                         const MsSmtpConfig  *config);
void            ms_gui_save_account_async  (MsAccount           *account,
                                            MsPassword          *password,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean        ms_gui_save_account_finish (GAsyncResult        *result,
                                            GError             **error);
void            ms_gui_remove_account_async  (const char          *id,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean        ms_gui_remove_account_finish (GAsyncResult        *result,
                                              GError             **error);
void            ms_gui_forget_password_async  (MsAccount           *account,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean        ms_gui_forget_password_finish (GAsyncResult        *result,
                                               GError             **error);
void            ms_gui_diagnose_async   (MsAccount           *account,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
MsResult       *ms_gui_diagnose_finish  (GAsyncResult        *result);
void            ms_gui_account_run_async (MsGuiOperation       operation,
                                          MsAccount           *account,
                                          const char          *recipient,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean        ms_gui_validate_address (const char *address);

/* GNOME Online Accounts (docs/ui.md, "Online Accounts"). */
void             ms_gui_find_online_account_async  (const char          *address,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
MsOnlineAccount *ms_gui_find_online_account_finish (GAsyncResult        *result,
                                                    GError             **error);
MsAccount       *ms_gui_new_online_account         (const char            *address,
                                                    const char            *provider_id,
                                                    const MsOnlineAccount *info,
                                                    const MsSmtpConfig    *config);
MsSmtpConfig    *ms_gui_online_account_config      (const char            *address,
                                                    const MsOnlineAccount *info);
MsAccount       *ms_gui_show_online_account        (MsAccount             *account,
                                                    const MsOnlineAccount *info);
void             ms_gui_resolve_account_async      (MsAccount           *account,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
MsAccount       *ms_gui_resolve_account_finish     (GAsyncResult        *result,
                                                    MsOnlineSettings    *from_online_account,
                                                    GError             **error);
char            *ms_gui_describe_online_settings   (MsOnlineSettings     settings);
const MsOnlineWords *ms_gui_online_words           (void);
void             ms_gui_open_online_accounts       (GtkWidget           *widget);
MsOnlineAccountWatch *ms_gui_watch_online_accounts (MsOnlineAccountWatchFunc  func,
                                                    gpointer                  user_data);
MsOutbox       *ms_gui_get_outbox       (void);

G_END_DECLS
