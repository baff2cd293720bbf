/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ms-gui-ops.h"
#include "ms-wizard-page.h"

G_BEGIN_DECLS

#define MS_TYPE_WIZARD_TEST_PAGE (ms_wizard_test_page_get_type ())

G_DECLARE_FINAL_TYPE (MsWizardTestPage, ms_wizard_test_page, MS, WIZARD_TEST_PAGE, MsWizardPage)

void      ms_wizard_test_page_set_request (MsWizardTestPage *self,
                                           const MsRequest  *request);
MsResult *ms_wizard_test_page_get_result  (MsWizardTestPage *self);

G_END_DECLS
