/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ms-gui-ops.h"
#include "ms-wizard-page.h"

G_BEGIN_DECLS

#define MS_TYPE_WIZARD_SIGN_IN_PAGE (ms_wizard_sign_in_page_get_type ())

G_DECLARE_FINAL_TYPE (MsWizardSignInPage, ms_wizard_sign_in_page, MS, WIZARD_SIGN_IN_PAGE, MsWizardPage)

void      ms_wizard_sign_in_page_set_request (MsWizardSignInPage *self,
                                              const MsRequest    *request);
MsResult *ms_wizard_sign_in_page_get_result  (MsWizardSignInPage *self);

G_END_DECLS
