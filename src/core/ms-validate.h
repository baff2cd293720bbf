/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Input checks shared by every surface. Each fails with MS_ERROR_INVALID_INPUT
 * and a message in the user's language that names the field ("Server", "Port",
 * "Email address", ...): @field is that name, already translated.
 */
gboolean  ms_validate_no_control     (const char  *field,
                                      const char  *value,
                                      GError     **error);
gboolean  ms_validate_address        (const char  *field,
                                      const char  *address,
                                      GError     **error);
gboolean  ms_address_is_ascii        (const char  *address);
char     *ms_address_get_domain      (const char  *address);
char     *ms_validate_host           (const char  *field,
                                      const char  *host,
                                      gboolean    *is_address_literal,
                                      GError     **error);
gboolean  ms_validate_port           (const char  *field,
                                      const char  *text,
                                      guint16     *port,
                                      GError     **error);
gboolean  ms_validate_account_id     (const char  *id,
                                      GError     **error);
gboolean  ms_validate_pin            (const char  *pin,
                                      GError     **error);
gboolean  ms_validate_display_name   (const char  *name,
                                      GError     **error);

G_END_DECLS
