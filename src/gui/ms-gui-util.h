/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ms-result.h"
#include "ms-result-text.h"

G_BEGIN_DECLS

/* The state a row shows at its start: a spinner or an icon with text for
 * screen readers. */
typedef enum
{
  MS_ROW_STATE_NONE,
  MS_ROW_STATE_BUSY,
  MS_ROW_STATE_OK,
  MS_ROW_STATE_WARNING,
  MS_ROW_STATE_ERROR,
} MsRowState;

GtkWidget *ms_status_row_new           (MsRowState       state,
                                        const char      *title,
                                        const char      *subtitle);
void       ms_status_row_set_state     (AdwActionRow    *row,
                                        MsRowState       state);
void       ms_list_box_remove_all      (GtkListBox      *list);
void       ms_fill_step_rows           (GtkListBox      *list,
                                        const MsResult  *result);
const char *ms_security_display_name   (MsSecurity       security);
void       ms_copy_to_clipboard        (GtkWidget       *widget,
                                        const char      *text);
void       ms_show_toast               (GtkWidget       *widget,
                                        const char      *text);
void       ms_open_uri                 (GtkWidget       *widget,
                                        const char      *uri);
gboolean   ms_widget_save_png          (GtkWidget       *widget,
                                        const char      *path,
                                        GError         **error);

G_END_DECLS
