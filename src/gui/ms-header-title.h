/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define MS_TYPE_HEADER_TITLE (ms_header_title_get_type ())

G_DECLARE_FINAL_TYPE (MsHeaderTitle, ms_header_title, MS, HEADER_TITLE, AdwBin)

const char *ms_header_title_get_title    (MsHeaderTitle *self);
void        ms_header_title_set_title    (MsHeaderTitle *self,
                                          const char    *title);
const char *ms_header_title_get_subtitle (MsHeaderTitle *self);
void        ms_header_title_set_subtitle (MsHeaderTitle *self,
                                          const char    *subtitle);

G_END_DECLS
