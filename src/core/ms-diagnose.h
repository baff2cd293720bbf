/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ms-request.h"
#include "ms-result.h"

G_BEGIN_DECLS

/*
 * The diagnostics page and `mailsetup-cli diagnose` run this same code:
 * every check in order (settings, keyring, DNS, connection per address
 * family, secure connection, certificate, clock, greeting, capabilities,
 * sign-in, optional test message), each an MsCheck in result->checks with a
 * translated title and verdict. result->error is the first failure that
 * stopped the run, with the same advice the wizard gives.
 *
 * @request carries the settings and the password, which is NULL when the
 * keyring could not give it; @keyring_error then says why (it becomes the
 * keyring check's verdict and the sign-in is skipped).
 *
 * The plain-text report of a diagnose result is ms_result_text_report().
 */
void      ms_diagnose_run_async  (const MsRequest     *request,
                                  const GError        *keyring_error,
                                  gboolean             send_test,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data);
MsResult *ms_diagnose_run_finish (GAsyncResult        *result,
                                  GError             **error);
MsResult *ms_diagnose_run        (const MsRequest     *request,
                                  const GError        *keyring_error,
                                  gboolean             send_test,
                                  GCancellable        *cancellable);

#define MS_DIAGNOSE_CERTIFICATE_WARNING_DAYS 14

G_END_DECLS
