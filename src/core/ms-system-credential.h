/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ms-password.h"

G_BEGIN_DECLS

/*
 * A system account's secret sealed by systemd-creds (docs/contract.md,
 * "System accounts"): CREDENTIALS_DIR/ID.cred (0600), encrypted under the
 * name "mailsetup-ID" with the machine's host key (and its TPM2 when there
 * is one), so the file opens on this machine only. The only file that runs
 * systemd-creds. The secret goes to it and comes back through pipes: never
 * on a command line, in the environment or in a file in clear; it is read
 * straight into an MsPassword.
 *
 * These block (they wait for systemd-creds): call them from a worker
 * thread or the command line.
 *
 * Error codes: credential-unavailable (systemd-creds missing or failing,
 * the sealed file missing, damaged, or sealed on another machine),
 * cancelled.
 */
gboolean    ms_system_credential_seal   (const char    *credentials_dir,
                                         const char    *account_id,
                                         MsPassword    *password,
                                         GCancellable  *cancellable,
                                         GError       **error);
MsPassword *ms_system_credential_open   (const char    *credentials_dir,
                                         const char    *account_id,
                                         GCancellable  *cancellable,
                                         GError       **error);
gboolean    ms_system_credential_remove (const char    *credentials_dir,
                                         const char    *account_id,
                                         GError       **error);
char       *ms_system_credential_name   (const char    *account_id);

G_END_DECLS
