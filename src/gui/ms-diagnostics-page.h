/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ms-gui-ops.h"

G_BEGIN_DECLS

#define MS_TYPE_DIAGNOSTICS_PAGE (ms_diagnostics_page_get_type ())

G_DECLARE_FINAL_TYPE (MsDiagnosticsPage, ms_diagnostics_page, MS, DIAGNOSTICS_PAGE, AdwBin)

void      ms_diagnostics_page_set_account (MsDiagnosticsPage  *self,
                                           MsAccount          *account);
void      ms_diagnostics_page_run         (MsDiagnosticsPage  *self);
void      ms_diagnostics_page_cancel      (MsDiagnosticsPage  *self);
MsResult *ms_diagnostics_page_get_result  (MsDiagnosticsPage  *self);

G_END_DECLS
