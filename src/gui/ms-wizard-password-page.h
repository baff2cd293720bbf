/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ms-gui-ops.h"
#include "ms-wizard-page.h"

G_BEGIN_DECLS

#define MS_TYPE_WIZARD_PASSWORD_PAGE (ms_wizard_password_page_get_type ())

G_DECLARE_FINAL_TYPE (MsWizardPasswordPage, ms_wizard_password_page, MS, WIZARD_PASSWORD_PAGE, MsWizardPage)

void        ms_wizard_password_page_set_detection (MsWizardPasswordPage *self,
                                                   const char           *address,
                                                   const MsDetection    *detection);
MsPassword *ms_wizard_password_page_dup_password  (MsWizardPasswordPage *self);

G_END_DECLS
