/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ms-gui-ops.h"

G_BEGIN_DECLS

#define MS_TYPE_ACCOUNT_PAGE (ms_account_page_get_type ())

G_DECLARE_FINAL_TYPE (MsAccountPage, ms_account_page, MS, ACCOUNT_PAGE, AdwBin)

void                ms_account_page_set_account (MsAccountPage      *self,
                                                 MsAccount          *account);
MsAccount     *ms_account_page_get_account (MsAccountPage      *self);
void                ms_account_page_cancel      (MsAccountPage      *self);

G_END_DECLS
