/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "ms-account.h"

G_BEGIN_DECLS

char *ms_export_password_command (const char *account_id,
                                  const char *config_dir);
char *ms_export_account_password_command (MsAccount  *account,
                                          const char *config_dir);
char *ms_export_msmtp            (MsAccount  *account,
                                  const char *config_dir);

G_END_DECLS
