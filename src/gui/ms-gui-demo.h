/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ms-gui-ops.h"

G_BEGIN_DECLS

/*
 * Demo support, for `build-aux/run --demo` only: the test suite's fake SMTP
 * server on this computer stands in for a provider. Nothing here is used
 * unless MAILSETUP_DEMO_HOST and MAILSETUP_DEMO_PORT are set.
 */

/* The fake server's throw-away password: build-aux/run gives the same one
 * to the server on its stdin. It opens nothing but that server. */
#define MS_GUI_DEMO_PASSWORD "demo-app-password"

void                  ms_gui_demo_load       (void);
const char           *ms_gui_demo_get_address (void);
gboolean              ms_gui_demo_is_address (const char *address);
gboolean              ms_gui_demo_is_server  (const char *host,
                                              guint16     port);
MsDetection          *ms_gui_demo_detection  (void);
const char           *ms_gui_demo_get_ca_file (void);

G_END_DECLS
