/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define MS_TYPE_PASSWORD_BUFFER (ms_password_buffer_get_type ())

G_DECLARE_FINAL_TYPE (MsPasswordBuffer, ms_password_buffer, MS, PASSWORD_BUFFER, GtkEntryBuffer)

GtkEntryBuffer *ms_password_buffer_new          (void);
const char     *ms_password_buffer_get_password (MsPasswordBuffer *self);
void            ms_password_buffer_set_revealed (MsPasswordBuffer *self,
                                                 gboolean          revealed);

G_END_DECLS
