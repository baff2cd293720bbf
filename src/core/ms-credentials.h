/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ms-account.h"
#include "ms-password.h"

G_BEGIN_DECLS

/*
 * Where an account's sign-in secret comes from, behind one interface
 * (docs/architecture.md, ms-credentials): the keyring (ms-secret-store) for
 * a user's account, or a secret sealed by systemd-creds
 * (ms-system-credential) for a system account, as the account says
 * (ms_account_get_credential_store()). The SMTP client gets an MsPassword
 * and never learns where it came from.
 *
 * The plain variants block; the _async variants call back on the caller's
 * thread-default main context, exactly once.
 *
 * Error codes: keyring-unavailable, keyring-locked, secret-missing
 * (the keyring), credential-unavailable (a system account), cancelled.
 */
gboolean    ms_credentials_save          (MsAccount            *account,
                                          MsPassword           *password,
                                          GCancellable         *cancellable,
                                          GError              **error);
MsPassword *ms_credentials_lookup        (MsAccount            *account,
                                          GCancellable         *cancellable,
                                          GError              **error);
MsPassword *ms_credentials_lookup_with_timeout (MsAccount      *account,
                                                guint           timeout_seconds,
                                                GCancellable   *cancellable,
                                                GError        **error);
void        ms_credentials_lookup_async  (MsAccount            *account,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);
MsPassword *ms_credentials_lookup_finish (GAsyncResult         *result,
                                          GError              **error);
gboolean    ms_credentials_clear         (MsAccount            *account,
                                          GCancellable         *cancellable,
                                          GError              **error);
void        ms_credentials_clear_async   (MsAccount            *account,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);
gboolean    ms_credentials_clear_finish  (GAsyncResult         *result,
                                          GError              **error);

G_END_DECLS
