/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * MsAliases: the `aliases` file of the config folder, in the /etc/aliases
 * syntax, for the local names that programs started as `sendmail` address
 * ("root", the login name). See docs/contract.md, "The system's sendmail".
 *
 *   # comment
 *   admin: root
 *   root:  ops@example.com, me@example.com
 *   default: me@example.com
 *
 * Names are compared without case; a line starting with white space
 * continues the previous one. `|command`, `/file` and `:include:` targets
 * are not supported: they are skipped, and each skip is listed by
 * ms_aliases_get_warnings().
 */
typedef struct _MsAliases MsAliases;

#define MS_ALIASES_FILE "aliases"

MsAliases          *ms_aliases_new_from_data (const char  *data,
                                              const char  *origin);
MsAliases          *ms_aliases_load          (const char  *config_dir,
                                              GError     **error);
void                ms_aliases_free          (MsAliases   *aliases);
const char * const *ms_aliases_get_warnings  (MsAliases   *aliases);
char              **ms_aliases_resolve       (MsAliases   *aliases,
                                              const char  *address,
                                              const char  *own_address);
gboolean            ms_address_is_local_name (const char  *address);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsAliases, ms_aliases_free)

G_END_DECLS
