/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * The stand-in GNOME Online Accounts service (tests/goa-stand-in.py, run
 * by Debian's python3 with python3-dbus) on the session bus that
 * DBUS_SESSION_BUS_ADDRESS names: start it after ms_test_keyring_start().
 * @state_json is the service's state (see the script); the script's state
 * and call log live in a folder of their own, outside the folders the
 * tests search for secrets.
 */
typedef struct _MsTestGoa MsTestGoa;

MsTestGoa *ms_test_goa_start (const char  *state_json,
                              GError     **error);
/* How often METHOD ("GetAccessToken", "EnsureCredentials") was called. */
guint      ms_test_goa_count (MsTestGoa   *goa,
                              const char  *method);
/* Sets the Mail property @name (e.g. "SmtpHost") of the account @id to
 * @value (floating references are sunk), as a change in Settings would;
 * the stand-in emits PropertiesChanged. */
void       ms_test_goa_set_mail (MsTestGoa  *goa,
                                 const char *id,
                                 const char *name,
                                 GVariant   *value);
/* GetAccessToken of the account @id answers @seconds later from now on. */
void       ms_test_goa_set_token_delay (MsTestGoa  *goa,
                                        const char *id,
                                        double      seconds);
/* Adds the account @account_json (an entry of the state's "accounts"), as
 * a person adding it in Settings; the stand-in emits InterfacesAdded. */
void       ms_test_goa_add_account (MsTestGoa  *goa,
                                    const char *account_json);
void       ms_test_goa_stop  (MsTestGoa   *goa);

G_END_DECLS
