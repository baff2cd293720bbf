/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

int  ms_file_lock   (const char    *path,
                     GCancellable  *cancellable,
                     GError       **error);
void ms_file_unlock (int            fd);

G_END_DECLS
