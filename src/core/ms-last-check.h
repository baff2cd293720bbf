/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ms-result.h"

G_BEGIN_DECLS

/*
 * MsLastCheck:
 * The last check of an account, whoever ran it (the wizard, the account
 * page, the diagnostics page, `mailsetup-cli login`, `test-send` or
 * `diagnose`). No secret: the operation, when, whether it passed, and the
 * error's code and message.
 */
typedef struct
{
  char      *command;   /* "login", "test-send", "diagnose" */
  GDateTime *when;
  gboolean   ok;
  char      *code;      /* nullable; the error code when it failed */
  char      *message;   /* nullable; what happened, in the language of the run */
} MsLastCheck;

char        *ms_last_check_find_dir       (const char          *state_dir);
gboolean     ms_last_check_record         (const char          *state_dir,
                                           const char          *account_id,
                                           const MsResult      *result,
                                           GError             **error);
void         ms_last_check_record_async   (const char          *state_dir,
                                           const char          *account_id,
                                           MsResult            *result,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean     ms_last_check_record_finish  (GAsyncResult        *result,
                                           GError             **error);
MsLastCheck *ms_last_check_lookup         (const char          *state_dir,
                                           const char          *account_id);
void         ms_last_check_free           (MsLastCheck         *check);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsLastCheck, ms_last_check_free)

G_END_DECLS
