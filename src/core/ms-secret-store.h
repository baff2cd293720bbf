/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ms-account.h"
#include "ms-password.h"

G_BEGIN_DECLS

/*
 * The account secrets in the system keyring (docs/contract.md, "The keyring item": schema
 * io.github.mailsetup.Account; attributes account, service "smtp", host,
 * port, user; label "Mail Setup: USER on HOST"; one item per account).
 *
 * An item belongs to one account AND one server: a lookup matches all five
 * attributes (the account id, host, effective port and effective user name
 * of @account), so a secret is never handed to a server other than the one
 * it was stored for. Saving replaces the account's item, whatever server it
 * was for. Clearing removes every item of the account id.
 *
 * The _async variants run on a worker thread and call back on the caller's
 * thread-default main context, exactly once. The plain variants block (for
 * the command line). Nothing ever falls back to a file.
 *
 * Error codes: keyring-unavailable (no session bus, no Secret Service),
 * keyring-locked (the keyring stays locked or the unlock prompt was
 * dismissed), secret-missing (lookup: no item), cancelled.
 *
 * What libsecret 0.20 does against gnome-keyring-daemon 42 (the tests
 * check each): with the collection locked, lookup and clear try to unlock
 * with a prompt; when the prompt is dismissed or cannot be shown (no
 * prompter, no display: at once, no hang) they answer "no item" / "nothing
 * removed" WITHOUT an error. A search that does not unlock still lists the
 * locked items, so: lookup NULL + item listed = keyring-locked; clear + item
 * still listed = keyring-locked. Storing into a locked collection fails
 * with SECRET_ERROR_IS_LOCKED ("Cannot create an item in a locked
 * collection"). A dismissed prompt that libsecret reports as
 * G_IO_ERROR_CANCELLED is keyring-locked unless our cancellable fired. No
 * session bus, or a bus without org.freedesktop.secrets: a GIO/D-Bus error
 * at once, mapped to keyring-unavailable.
 */
gboolean    ms_secret_store_save          (MsAccount            *account,
                                           MsPassword           *password,
                                           GCancellable         *cancellable,
                                           GError              **error);
void        ms_secret_store_save_async    (MsAccount            *account,
                                           MsPassword           *password,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean    ms_secret_store_save_finish   (GAsyncResult         *result,
                                           GError              **error);

MsPassword *ms_secret_store_lookup        (MsAccount            *account,
                                           GCancellable         *cancellable,
                                           GError              **error);
MsPassword *ms_secret_store_lookup_with_timeout (MsAccount       *account,
                                                 guint            timeout_seconds,
                                                 GCancellable    *cancellable,
                                                 GError         **error);
void        ms_secret_store_lookup_async  (MsAccount            *account,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
MsPassword *ms_secret_store_lookup_finish (GAsyncResult         *result,
                                           GError              **error);

gboolean    ms_secret_store_clear         (const char           *account_id,
                                           GCancellable         *cancellable,
                                           GError              **error);
void        ms_secret_store_clear_async   (const char           *account_id,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean    ms_secret_store_clear_finish  (GAsyncResult         *result,
                                           GError              **error);

G_END_DECLS
