/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define MS_TYPE_WIZARD (ms_wizard_get_type ())

G_DECLARE_FINAL_TYPE (MsWizard, ms_wizard, MS, WIZARD, AdwBin)

MsWizard *ms_wizard_new            (void);
void      ms_wizard_reset          (MsWizard *self);
void      ms_wizard_cancel         (MsWizard *self);
void      ms_wizard_set_can_cancel (MsWizard *self,
                                    gboolean  can_cancel);
guint     ms_wizard_get_step       (MsWizard *self);
GtkWidget *ms_wizard_get_page      (MsWizard *self,
                                    guint     step);

G_END_DECLS
