/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "ms-application.h"

G_BEGIN_DECLS

#define MS_TYPE_WINDOW (ms_window_get_type ())

G_DECLARE_FINAL_TYPE (MsWindow, ms_window, MS, WINDOW, AdwApplicationWindow)

MsWindow  *ms_window_new          (MsApplication *application);
void       ms_window_show_wizard  (MsWindow      *self);
void       ms_window_show_accounts (MsWindow     *self);
GtkWidget *ms_window_get_wizard   (MsWindow      *self);
GtkWidget *ms_window_get_accounts_view (MsWindow *self);
void       ms_window_add_toast    (MsWindow      *self,
                                   const char    *text);

G_END_DECLS
