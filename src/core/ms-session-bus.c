/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-session-bus"

#include "config.h"

#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <gio/gio.h>

#include "ms-session-bus.h"

/* What GIO answers for an address it cannot use: "unix:path=" of a name no
 * file can have keeps the failure a plain "no such file". */
#define MS_SESSION_BUS_NONE "unix:path=/nonexistent/mailsetup-no-session-bus"

static gboolean
is_own_socket (const char  *path,
               uid_t        uid,
               char       **why_not)
{
  struct stat st;

  /* lstat: a link planted by someone else is not followed. */
  if (lstat (path, &st) != 0)
    {
      /* Translators: %s is a path such as /run/user/1000/bus */
      *why_not = g_strdup_printf (_("%s does not exist."), path);
      return FALSE;
    }
  if (!S_ISSOCK (st.st_mode))
    {
      *why_not = g_strdup_printf (_("%s is not a socket."), path);
      return FALSE;
    }
  if (st.st_uid != uid)
    {
      *why_not = g_strdup_printf (_("%s belongs to another user and is not used."), path);
      return FALSE;
    }

  return TRUE;
}

static char *
socket_address (const char *path)
{
  g_autofree char *escaped = g_dbus_address_escape_value (path);

  return g_strconcat ("unix:path=", escaped, NULL);
}

/**
 * ms_session_bus_find_address:
 * @runtime_dir: (nullable): $XDG_RUNTIME_DIR
 * @users_dir: the folder of the per-user runtime folders, `/run/user`
 * @uid: the calling user
 * @why_not: (out) (optional): why no bus was found
 *
 * Returns: (transfer full) (nullable): "unix:path=SOCKET"
 */
char *
ms_session_bus_find_address (const char  *runtime_dir,
                             const char  *users_dir,
                             uid_t        uid,
                             char       **why_not)
{
  g_autofree char *uid_text = g_strdup_printf ("%u", (guint) uid);
  g_autofree char *from_runtime = NULL;
  g_autofree char *from_users = g_build_filename (users_dir, uid_text, "bus", NULL);
  g_autofree char *first_reason = NULL;
  g_autofree char *reason = NULL;

  g_return_val_if_fail (users_dir != NULL, NULL);

  if (runtime_dir != NULL && runtime_dir[0] == '/')
    {
      from_runtime = g_build_filename (runtime_dir, "bus", NULL);
      if (is_own_socket (from_runtime, uid, &first_reason))
        return socket_address (from_runtime);
    }
  if (is_own_socket (from_users, uid, &reason))
    return socket_address (from_users);

  if (why_not != NULL)
    *why_not = first_reason != NULL ? g_strdup_printf ("%s %s", first_reason, reason)
                                    : g_steal_pointer (&reason);

  return NULL;
}

/**
 * ms_session_bus_ensure_address:
 *
 * See the header.
 *
 * Returns: whether DBUS_SESSION_BUS_ADDRESS now names a bus of this user
 *   (or was set by the caller)
 */
gboolean
ms_session_bus_ensure_address (void)
{
  g_autofree char *address = NULL;

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") != NULL)
    return TRUE;

  address = ms_session_bus_find_address (g_getenv ("XDG_RUNTIME_DIR"), MS_SESSION_BUS_USERS_DIR,
                                         getuid (), NULL);
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", address ? address : MS_SESSION_BUS_NONE, TRUE);

  return address != NULL;
}
