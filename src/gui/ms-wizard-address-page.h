/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ms-gui-ops.h"
#include "ms-wizard-page.h"

G_BEGIN_DECLS

#define MS_TYPE_WIZARD_ADDRESS_PAGE (ms_wizard_address_page_get_type ())

G_DECLARE_FINAL_TYPE (MsWizardAddressPage, ms_wizard_address_page, MS, WIZARD_ADDRESS_PAGE, MsWizardPage)

const char           *ms_wizard_address_page_get_address   (MsWizardAddressPage *self);
const MsDetection    *ms_wizard_address_page_get_detection (MsWizardAddressPage *self);
const MsOnlineAccount *ms_wizard_address_page_get_online_account (MsWizardAddressPage *self);

G_END_DECLS
