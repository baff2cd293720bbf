/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/*
 * MsPassword:
 * A secret held in locked memory (never swapped out where the system allows
 * it), wiped when the last reference goes. Reference counted so that a worker
 * thread can hold it while the caller lets go. While any MsPassword exists
 * the process is not dumpable (no core file can hold the secret).
 */
typedef struct _MsPassword MsPassword;

#define MS_TYPE_PASSWORD (ms_password_get_type ())

GType        ms_password_get_type   (void) G_GNUC_CONST;
MsPassword  *ms_password_new        (const char  *text,
                                     gsize        length);
MsPassword  *ms_password_read_line  (int          fd,
                                     GError     **error);
MsPassword  *ms_password_read_all   (int          fd,
                                     GError     **error);
MsPassword  *ms_password_ref        (MsPassword  *password);
void         ms_password_unref      (MsPassword  *password);
const char  *ms_password_get_text   (MsPassword  *password);
gsize        ms_password_get_length (MsPassword  *password);
void         ms_wipe                (gpointer     data,
                                     gsize        length);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsPassword, ms_password_unref)

G_END_DECLS
