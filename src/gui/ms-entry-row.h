/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define MS_TYPE_ENTRY_ROW (ms_entry_row_get_type ())

G_DECLARE_FINAL_TYPE (MsEntryRow, ms_entry_row, MS, ENTRY_ROW, AdwPreferencesRow)

GtkWidget *ms_entry_row_get_entry    (MsEntryRow *self);
gboolean   ms_entry_row_get_password (MsEntryRow *self);
void       ms_entry_row_add_suffix   (MsEntryRow *self,
                                      GtkWidget  *widget);

G_END_DECLS
