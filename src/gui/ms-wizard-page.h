/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define MS_TYPE_WIZARD_PAGE (ms_wizard_page_get_type ())

G_DECLARE_DERIVABLE_TYPE (MsWizardPage, ms_wizard_page, MS, WIZARD_PAGE, AdwBin)

/*
 * MsWizardPageClass:
 * @enter: the page became visible (start work, focus the first field)
 * @leave: the page is going away (cancel work)
 * @activate: the main button was pressed; return TRUE when the page handled
 *   it itself (the wizard then stays on the page)
 * @clear: forget what was typed (the wizard starts again)
 */
struct _MsWizardPageClass
{
  AdwBinClass parent_class;

  void     (*enter)    (MsWizardPage *self);
  void     (*leave)    (MsWizardPage *self);
  gboolean (*activate) (MsWizardPage *self);
  void     (*clear)    (MsWizardPage *self);
};

const char *ms_wizard_page_get_title       (MsWizardPage *self);
void        ms_wizard_page_set_title       (MsWizardPage *self,
                                            const char   *title);
const char *ms_wizard_page_get_main_label  (MsWizardPage *self);
void        ms_wizard_page_set_main_label  (MsWizardPage *self,
                                            const char   *label);
gboolean    ms_wizard_page_get_valid       (MsWizardPage *self);
void        ms_wizard_page_set_valid       (MsWizardPage *self,
                                            gboolean      valid);
void        ms_wizard_page_set_first_field (MsWizardPage *self,
                                            GtkWidget    *widget);
void        ms_wizard_page_enter           (MsWizardPage *self);
void        ms_wizard_page_leave           (MsWizardPage *self);
gboolean    ms_wizard_page_activate        (MsWizardPage *self);
void        ms_wizard_page_clear           (MsWizardPage *self);
void        ms_wizard_page_finished        (MsWizardPage *self);
GCancellable *ms_wizard_page_renew_cancellable (MsWizardPage *self);
void        ms_wizard_page_cancel          (MsWizardPage *self);

G_END_DECLS
