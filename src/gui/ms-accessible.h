/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

void ms_accessible_install (void);
void ms_accessible_fix     (GtkWidget *widget);

G_END_DECLS
