/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-test-goa"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "ms-test-goa.h"

struct _MsTestGoa
{
  char  *folder;
  char  *log;
  GPid   pid;
};

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static gboolean
name_owned (GDBusConnection *bus)
{
  g_autoptr(GVariant) reply = g_dbus_connection_call_sync (
      bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
      "NameHasOwner", g_variant_new ("(s)", "org.gnome.OnlineAccounts"),
      G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, 2000, NULL, NULL);
  gboolean owned = FALSE;

  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);

  return owned;
}

MsTestGoa *
ms_test_goa_start (const char  *state_json,
                   GError     **error)
{
  g_autofree char *script = g_build_filename (MS_TEST_SRCDIR, "goa-stand-in.py", NULL);
  g_autofree char *state = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  MsTestGoa *goa = g_new0 (MsTestGoa, 1);
  const char *argv[] = { "/usr/bin/python3", script, NULL, NULL, NULL };

  goa->folder = g_dir_make_tmp ("ms-test-goa-XXXXXX", error);
  if (goa->folder == NULL)
    goto fail;
  state = g_build_filename (goa->folder, "state.json", NULL);
  goa->log = g_build_filename (goa->folder, "calls.log", NULL);
  if (!g_file_set_contents (state, state_json, -1, error)
      || !g_file_set_contents (goa->log, "", 0, error))
    goto fail;

  argv[2] = state;
  argv[3] = goa->log;
  if (!g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                      die_with_parent, NULL, &goa->pid, error))
    goto fail;

  bus = g_dbus_connection_new_for_address_sync (g_getenv ("DBUS_SESSION_BUS_ADDRESS"),
                                                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
                                                | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                NULL, NULL, error);
  if (bus == NULL)
    goto fail;
  for (guint i = 0; i < 200; i++)
    {
      if (name_owned (bus))
        return goa;
      g_usleep (G_USEC_PER_SEC / 20);
    }
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "the stand-in Online Accounts service did not start in 10 s");

fail:
  ms_test_goa_stop (goa);
  return NULL;
}

guint
ms_test_goa_count (MsTestGoa  *goa,
                   const char *method)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  guint n = 0;

  if (!g_file_get_contents (goa->log, &text, NULL, NULL))
    return 0;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], method) && lines[i][strlen (method)] == ' ')
      n++;

  return n;
}

static void
call_stand_in (const char *method,
               GVariant   *parameters)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) reply = NULL;

  bus = g_dbus_connection_new_for_address_sync (g_getenv ("DBUS_SESSION_BUS_ADDRESS"),
                                                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
                                                | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                NULL, NULL, &error);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (bus, "org.gnome.OnlineAccounts",
                                       "/org/gnome/OnlineAccounts",
                                       "io.github.mailsetup.GoaStandIn", method, parameters,
                                       NULL, G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &error);
  g_assert_no_error (error);
}

void
ms_test_goa_set_mail (MsTestGoa  *goa,
                      const char *id,
                      const char *name,
                      GVariant   *value)
{
  call_stand_in ("SetMailProperty", g_variant_new ("(ssv)", id, name, value));
}

void
ms_test_goa_set_token_delay (MsTestGoa  *goa,
                             const char *id,
                             double      seconds)
{
  call_stand_in ("SetTokenDelay", g_variant_new ("(sd)", id, seconds));
}

void
ms_test_goa_add_account (MsTestGoa  *goa,
                         const char *account_json)
{
  call_stand_in ("AddAccount", g_variant_new ("(s)", account_json));
}

void
ms_test_goa_stop (MsTestGoa *goa)
{
  if (goa == NULL)
    return;

  if (goa->pid != 0)
    {
      kill (goa->pid, SIGTERM);
      waitpid (goa->pid, NULL, 0);
      g_spawn_close_pid (goa->pid);
    }
  if (goa->folder != NULL)
    {
      g_autofree char *state = g_build_filename (goa->folder, "state.json", NULL);

      g_unlink (state);
      g_unlink (goa->log);
      g_rmdir (goa->folder);
    }
  g_free (goa->log);
  g_free (goa->folder);
  g_free (goa);
}
