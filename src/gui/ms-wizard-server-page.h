/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ms-gui-ops.h"
#include "ms-wizard-page.h"

G_BEGIN_DECLS

#define MS_TYPE_WIZARD_SERVER_PAGE (ms_wizard_server_page_get_type ())

G_DECLARE_FINAL_TYPE (MsWizardServerPage, ms_wizard_server_page, MS, WIZARD_SERVER_PAGE, MsWizardPage)

void          ms_wizard_server_page_set_defaults (MsWizardServerPage   *self,
                                                  const char           *address,
                                                  const MsDetection    *detection);
void          ms_wizard_server_page_set_config   (MsWizardServerPage   *self,
                                                  const MsSmtpConfig   *config);
void          ms_wizard_server_page_set_online_defaults (MsWizardServerPage *self,
                                                         const MsSmtpConfig *config,
                                                         const char         *label);
void          ms_wizard_server_page_show_fields  (MsWizardServerPage   *self);
void          ms_wizard_server_page_show_problem (MsWizardServerPage   *self,
                                                  const char           *title,
                                                  const char           *message);
MsSmtpConfig *ms_wizard_server_page_dup_config   (MsWizardServerPage   *self);
MsResult     *ms_wizard_server_page_get_result   (MsWizardServerPage   *self);
void          ms_wizard_server_page_add_group    (MsWizardServerPage   *self,
                                                  AdwPreferencesGroup  *group);
void          ms_wizard_server_page_recheck      (MsWizardServerPage   *self);

G_END_DECLS
