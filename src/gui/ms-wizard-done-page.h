/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ms-gui-ops.h"
#include "ms-wizard-page.h"

G_BEGIN_DECLS

#define MS_TYPE_WIZARD_DONE_PAGE (ms_wizard_done_page_get_type ())

G_DECLARE_FINAL_TYPE (MsWizardDonePage, ms_wizard_done_page, MS, WIZARD_DONE_PAGE, MsWizardPage)

void        ms_wizard_done_page_set_account (MsWizardDonePage   *self,
                                             MsAccount          *account,
                                             MsPassword         *password,
                                             gboolean            app_password);
void        ms_wizard_done_page_set_check   (MsWizardDonePage   *self,
                                             MsResult           *check);
const char *ms_wizard_done_page_get_account_id (MsWizardDonePage *self);
void        ms_wizard_done_page_set_shown   (MsWizardDonePage   *self,
                                             MsAccount          *shown);

G_END_DECLS
