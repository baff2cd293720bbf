/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* The wizard's steps, in order; each one's nick ("address", "sign-in") is
 * its page's name in the wizard's stack. */
typedef enum
{
  MS_WIZARD_STEP_ADDRESS,
  MS_WIZARD_STEP_PASSWORD,
  MS_WIZARD_STEP_SERVER,
  MS_WIZARD_STEP_SIGN_IN,
  MS_WIZARD_STEP_TEST,
  MS_WIZARD_STEP_DONE,
} MsWizardStep;

#define MS_WIZARD_N_STEPS (MS_WIZARD_STEP_DONE + 1)

#define MS_TYPE_WIZARD (ms_wizard_get_type ())

G_DECLARE_FINAL_TYPE (MsWizard, ms_wizard, MS, WIZARD, AdwBin)

MsWizard     *ms_wizard_new            (void);
void          ms_wizard_reset          (MsWizard     *self);
void          ms_wizard_cancel         (MsWizard     *self);
void          ms_wizard_set_can_cancel (MsWizard     *self,
                                        gboolean      can_cancel);
MsWizardStep  ms_wizard_get_step       (MsWizard     *self);
GtkWidget    *ms_wizard_get_page       (MsWizard     *self,
                                        MsWizardStep  step);

G_END_DECLS
