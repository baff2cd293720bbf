/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sys/types.h>

#include <glib.h>

G_BEGIN_DECLS

/*
 * A job started by cron has no DBUS_SESSION_BUS_ADDRESS. The session bus of
 * the same user is then at $XDG_RUNTIME_DIR/bus, else at
 * /run/user/UID/bus (docs/contract.md, "The session bus"). Only a socket
 * that belongs to @uid counts: another user's bus is never used.
 *
 * ms_session_bus_find_address() looks in @runtime_dir (nullable: the job's
 * $XDG_RUNTIME_DIR) and then in @users_dir/@uid (`/run/user` on a real
 * system). Returns "unix:path=...", or NULL when neither holds a socket of
 * @uid; @why_not then says why, in the user's language.
 *
 * ms_session_bus_ensure_address() does that for this process when
 * DBUS_SESSION_BUS_ADDRESS is unset and sets the variable, so that GIO,
 * libsecret and GOA connect there. When no bus of ours exists it sets an
 * address that cannot connect, so GIO never falls back on a bus of another
 * user. Call it at start-up, before any thread or bus connection exists.
 */
#define MS_SESSION_BUS_USERS_DIR "/run/user"

char     *ms_session_bus_find_address   (const char  *runtime_dir,
                                         const char  *users_dir,
                                         uid_t        uid,
                                         char       **why_not);
gboolean  ms_session_bus_ensure_address (void);

G_END_DECLS
