/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * A private D-Bus session for keyring tests: its own dbus-daemon (no service
 * activation, so no prompter window can ever appear and nothing hangs) and,
 * when asked, a real gnome-keyring-daemon with an unlocked "login" keyring,
 * all under a throw-away folder. ms_test_keyring_start() points
 * DBUS_SESSION_BUS_ADDRESS at it, so call it before anything touches the bus.
 *
 * When dbus-daemon or gnome-keyring-daemon is missing, start returns NULL
 * and ms_test_keyring_skip_if_absent() skips the test, unless
 * MS_TEST_REQUIRE_KEYRING=1 (build-aux/test sets it): then it fails.
 */
typedef struct _MsTestKeyring MsTestKeyring;

MsTestKeyring *ms_test_keyring_start          (gboolean        with_keyring,
                                               GError        **error);
MsTestKeyring *ms_test_keyring_start_full     (gboolean        with_keyring,
                                               gboolean        with_prompter,
                                               GError        **error);
gboolean       ms_test_keyring_prompter_running (MsTestKeyring *keyring);
MsTestKeyring *ms_test_keyring_attach         (GError        **error);
void           ms_test_keyring_stop           (MsTestKeyring  *keyring);
gboolean       ms_test_keyring_skip_if_absent (MsTestKeyring  *keyring,
                                               const GError   *why);
gboolean       ms_test_keyring_lock           (MsTestKeyring  *keyring,
                                               GError        **error);
guint          ms_test_keyring_count_items    (MsTestKeyring  *keyring,
                                               const char     *account_id);
GPtrArray     *ms_test_keyring_all_attribute_values (MsTestKeyring *keyring);
void           ms_test_assert_no_file_holds   (const char     *folder,
                                               const char     *secret);

G_END_DECLS
