/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-test-keyring"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "ms-test-keyring.h"

#define KEYRING_PASSWORD "ms-test-keyring-unlock"
#define SECRETS_NAME "org.freedesktop.secrets"
#define SECRETS_PATH "/org/freedesktop/secrets"
#define SECRETS_IFACE "org.freedesktop.Secret.Service"

struct _MsTestKeyring
{
  char            *folder;
  char            *address;
  GPid             bus_pid;
  GPid             keyring_pid;
  GDBusConnection *connection;
};

/* The unlock prompt of gnome-keyring-daemon, activated on the private bus
 * when a test asks for it: with a display, a real prompt window appears.
 * It is not our program: it gets the system's data folders (the test's are
 * empty, and GTK warns without its icons) and no fatal warnings. */
static const char prompter_service[] =
  "[D-BUS Service]\n"
  "Name=org.gnome.keyring.SystemPrompter\n"
  "Exec=/usr/bin/env -u G_DEBUG XDG_DATA_DIRS=/usr/local/share:/usr/share " GCR_PROMPTER "\n";

static const char bus_config[] =
  "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
  " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
  "<busconfig>\n"
  "  <type>session</type>\n"
  "  <listen>unix:path=%s</listen>\n"
  "%s"
  "  <auth>EXTERNAL</auth>\n"
  "  <policy context=\"default\">\n"
  "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
  "    <allow eavesdrop=\"true\"/>\n"
  "    <allow own=\"*\"/>\n"
  "  </policy>\n"
  "</busconfig>\n";

/* The daemons die with the test, even when it aborts. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static char **
daemon_environment (MsTestKeyring *keyring)
{
  char **env = g_new0 (char *, 8);

  env[0] = g_strdup_printf ("PATH=%s", g_getenv ("PATH"));
  env[1] = g_strdup_printf ("HOME=%s/home", keyring->folder);
  env[2] = g_strdup_printf ("XDG_DATA_HOME=%s/home/data", keyring->folder);
  env[3] = g_strdup_printf ("XDG_CONFIG_HOME=%s/home/config", keyring->folder);
  env[4] = g_strdup_printf ("XDG_RUNTIME_DIR=%s/run", keyring->folder);
  env[5] = g_strdup_printf ("DBUS_SESSION_BUS_ADDRESS=%s", keyring->address);
  env[6] = g_strdup ("LC_ALL=C.UTF-8");

  return env;
}

static gboolean
wait_for (gboolean (*ready) (MsTestKeyring *),
          MsTestKeyring *keyring)
{
  for (guint i = 0; i < 200; i++)
    {
      if (ready (keyring))
        return TRUE;
      g_usleep (G_USEC_PER_SEC / 20);
    }

  return FALSE;
}

static gboolean
bus_ready (MsTestKeyring *keyring)
{
  g_autofree char *socket = g_build_filename (keyring->folder, "bus", NULL);

  return g_file_test (socket, G_FILE_TEST_EXISTS);
}

static gboolean
secrets_ready (MsTestKeyring *keyring)
{
  g_autoptr(GVariant) reply = NULL;
  const char *path = "/";

  reply = g_dbus_connection_call_sync (keyring->connection, SECRETS_NAME, SECRETS_PATH,
                                       SECRETS_IFACE, "ReadAlias",
                                       g_variant_new ("(s)", "default"),
                                       G_VARIANT_TYPE ("(o)"), G_DBUS_CALL_FLAGS_NO_AUTO_START,
                                       1000, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(&o)", &path);

  return reply != NULL && !g_str_equal (path, "/");
}

/* The socket file can exist a moment before dbus-daemon listens on it
 * (Connection refused): try until a connection succeeds, for 5 s at most. */
#define BUS_CONNECT_TIMEOUT_US (5 * G_USEC_PER_SEC)

static gboolean
connect_bus (MsTestKeyring  *keyring,
             GError        **error)
{
  gint64 end = g_get_monotonic_time () + BUS_CONNECT_TIMEOUT_US;
  g_autoptr(GError) local_error = NULL;

  while (keyring->connection == NULL)
    {
      g_clear_error (&local_error);
      keyring->connection = g_dbus_connection_new_for_address_sync (
          keyring->address,
          G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
          NULL, NULL, &local_error);
      if (keyring->connection == NULL && g_get_monotonic_time () > end)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                      "dbus-daemon did not accept a connection in 5 s: ");
          return FALSE;
        }
      if (keyring->connection == NULL)
        g_usleep (G_USEC_PER_SEC / 50);
    }

  return TRUE;
}

static char *
write_service_dir (MsTestKeyring  *keyring,
                   GError        **error)
{
  g_autofree char *dir = g_build_filename (keyring->folder, "services", NULL);
  g_autofree char *file = g_build_filename (dir, "org.gnome.keyring.SystemPrompter.service", NULL);

  g_mkdir_with_parents (dir, 0700);
  if (!g_file_set_contents (file, prompter_service, -1, error))
    return NULL;

  return g_strdup_printf ("  <servicedir>%s</servicedir>\n", dir);
}

static gboolean
start_bus (MsTestKeyring  *keyring,
           gboolean        with_prompter,
           GError        **error)
{
  g_autofree char *socket = g_build_filename (keyring->folder, "bus", NULL);
  g_autofree char *services = with_prompter ? write_service_dir (keyring, error) : g_strdup ("");
  g_autofree char *config = services ? g_strdup_printf (bus_config, socket, services) : NULL;
  g_autofree char *config_path = g_build_filename (keyring->folder, "bus.conf", NULL);
  g_autofree char *config_arg = g_strdup_printf ("--config-file=%s", config_path);
  const char *argv[] = { "dbus-daemon", config_arg, "--nofork", NULL };

  if (config == NULL || !g_file_set_contents (config_path, config, -1, error))
    return FALSE;
  keyring->address = g_strdup_printf ("unix:path=%s", socket);
  if (!g_spawn_async (NULL, (char **) argv, NULL,
                      G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
                      G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                      die_with_parent, NULL, &keyring->bus_pid, error))
    return FALSE;
  if (!wait_for (bus_ready, keyring))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "dbus-daemon did not start");
      return FALSE;
    }

  return connect_bus (keyring, error);
}

static gboolean
spawn_keyring_daemon (MsTestKeyring  *keyring,
                      GPid           *pid,
                      GError        **error)
{
  g_auto(GStrv) env = daemon_environment (keyring);
  const char *argv[] = { "gnome-keyring-daemon", "--components=secrets", "--unlock",
                         "--foreground", NULL };
  int input = -1;
  GPid child = 0;
  gboolean ok;

  ok = g_spawn_async_with_pipes (NULL, (char **) argv, env,
                                 G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
                                 G_SPAWN_STDOUT_TO_DEV_NULL,
                                 die_with_parent, NULL, &child, &input, NULL, NULL, error);
  if (!ok)
    return FALSE;

  g_assert_cmpint (write (input, KEYRING_PASSWORD, strlen (KEYRING_PASSWORD)), >, 0);
  close (input);
  *pid = child;
  return TRUE;
}

/**
 * ms_test_keyring_start:
 * @with_keyring: also run gnome-keyring-daemon
 * @error: why it could not start
 *
 * Returns: (transfer full) (nullable): the session, or %NULL
 */
MsTestKeyring *
ms_test_keyring_start (gboolean   with_keyring,
                       GError   **error)
{
  return ms_test_keyring_start_full (with_keyring, FALSE, error);
}

/**
 * ms_test_keyring_start_full:
 * @with_keyring: also run gnome-keyring-daemon
 * @with_prompter: let the bus activate gcr-prompter for unlock prompts (a
 *   real window when there is a display; see
 *   ms_test_keyring_prompter_running())
 * @error: why it could not start
 *
 * Returns: (transfer full) (nullable): the session, or %NULL
 */
MsTestKeyring *
ms_test_keyring_start_full (gboolean   with_keyring,
                            gboolean   with_prompter,
                            GError   **error)
{
  MsTestKeyring *keyring = g_new0 (MsTestKeyring, 1);
  g_autofree char *run = NULL;

  keyring->folder = g_dir_make_tmp ("ms-keyring-XXXXXX", error);
  if (keyring->folder == NULL)
    goto fail;
  run = g_build_filename (keyring->folder, "run", NULL);
  g_mkdir_with_parents (run, 0700);

  if (!start_bus (keyring, with_prompter, error))
    goto fail;
  if (with_keyring &&
      !spawn_keyring_daemon (keyring, &keyring->keyring_pid, error))
    goto fail;
  if (with_keyring && !wait_for (secrets_ready, keyring))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                           "gnome-keyring-daemon did not offer a default keyring");
      goto fail;
    }

  g_setenv ("DBUS_SESSION_BUS_ADDRESS", keyring->address, TRUE);
  return keyring;

fail:
  ms_test_keyring_stop (keyring);
  return NULL;
}

/**
 * ms_test_keyring_attach:
 * @error: why it failed
 *
 * For a g_test_trap_subprocess() child: uses the session its parent
 * started (found through DBUS_SESSION_BUS_ADDRESS), without owning it.
 * Lock and unlock are not available.
 *
 * Returns: (transfer full) (nullable): the session
 */
MsTestKeyring *
ms_test_keyring_attach (GError **error)
{
  MsTestKeyring *keyring = g_new0 (MsTestKeyring, 1);

  keyring->address = g_strdup (g_getenv ("DBUS_SESSION_BUS_ADDRESS"));
  if (keyring->address != NULL)
    keyring->connection = g_dbus_connection_new_for_address_sync (
        keyring->address,
        G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
        NULL, NULL, error);
  if (keyring->connection == NULL)
    {
      ms_test_keyring_stop (keyring);
      return NULL;
    }

  return keyring;
}

static void
stop_process (GPid pid)
{
  if (pid <= 0)
    return;

  kill (pid, SIGTERM);
  waitpid (pid, NULL, 0);
  g_spawn_close_pid (pid);
}

static void
remove_tree (GFile *file)
{
  g_autoptr(GFileEnumerator) children = NULL;
  GFileInfo *info;

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  while (children != NULL &&
         g_file_enumerator_iterate (children, &info, NULL, NULL, NULL) && info != NULL)
    {
      g_autoptr(GFile) child = g_file_get_child (file, g_file_info_get_name (info));

      remove_tree (child);
    }
  g_file_delete (file, NULL, NULL);
}

void
ms_test_keyring_stop (MsTestKeyring *keyring)
{
  if (keyring == NULL)
    return;

  stop_process (keyring->keyring_pid);
  g_clear_object (&keyring->connection);
  stop_process (keyring->bus_pid);
  if (keyring->folder != NULL)
    {
      g_autoptr(GFile) folder = g_file_new_for_path (keyring->folder);

      remove_tree (folder);
    }
  g_free (keyring->folder);
  g_free (keyring->address);
  g_free (keyring);
}

/**
 * ms_test_keyring_skip_if_absent:
 * @keyring: (nullable): what ms_test_keyring_start() returned
 * @why: (nullable): its error
 *
 * Returns: %TRUE when the test must stop here (skipped or failed)
 */
gboolean
ms_test_keyring_skip_if_absent (MsTestKeyring *keyring,
                                const GError  *why)
{
  g_autofree char *message = NULL;

  if (keyring != NULL)
    return FALSE;

  message = g_strdup_printf ("no private keyring session (%s): install dbus-daemon and "
                             "gnome-keyring, or run build-aux/test",
                             why ? why->message : "not started");
  if (g_strcmp0 (g_getenv ("MS_TEST_REQUIRE_KEYRING"), "1") == 0)
    {
      g_test_message ("MS_TEST_REQUIRE_KEYRING=1: %s", message);
      g_test_fail ();
    }
  else
    g_test_skip (message);

  return TRUE;
}

static char *
default_collection (MsTestKeyring  *keyring,
                    GError        **error)
{
  g_autoptr(GVariant) reply = NULL;
  char *path = NULL;

  reply = g_dbus_connection_call_sync (keyring->connection, SECRETS_NAME, SECRETS_PATH,
                                       SECRETS_IFACE, "ReadAlias",
                                       g_variant_new ("(s)", "default"),
                                       G_VARIANT_TYPE ("(o)"), G_DBUS_CALL_FLAGS_NONE,
                                       5000, NULL, error);
  if (reply != NULL)
    g_variant_get (reply, "(o)", &path);

  return path;
}

/* Locking needs no prompt in gnome-keyring. */
gboolean
ms_test_keyring_lock (MsTestKeyring  *keyring,
                      GError        **error)
{
  g_autofree char *collection = default_collection (keyring, error);
  const char *objects[] = { collection, NULL };
  g_autoptr(GVariant) reply = NULL;

  if (collection == NULL)
    return FALSE;

  reply = g_dbus_connection_call_sync (keyring->connection, SECRETS_NAME, SECRETS_PATH,
                                       SECRETS_IFACE, "Lock",
                                       g_variant_new ("(^ao)", objects),
                                       G_VARIANT_TYPE ("(aoo)"), G_DBUS_CALL_FLAGS_NONE,
                                       5000, NULL, error);
  return reply != NULL;
}

static GVariant *
search_items (MsTestKeyring *keyring,
              const char    *account_id)
{
  GVariantBuilder attributes;

  g_variant_builder_init (&attributes, G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (&attributes, "{ss}", "xdg:schema", "io.github.mailsetup.Account");
  if (account_id != NULL)
    g_variant_builder_add (&attributes, "{ss}", "account", account_id);

  return g_dbus_connection_call_sync (keyring->connection, SECRETS_NAME, SECRETS_PATH,
                                      SECRETS_IFACE, "SearchItems",
                                      g_variant_new ("(a{ss})", &attributes),
                                      G_VARIANT_TYPE ("(aoao)"), G_DBUS_CALL_FLAGS_NONE,
                                      5000, NULL, NULL);
}

/**
 * ms_test_keyring_count_items:
 * @keyring: the session
 * @account_id: (nullable): an account id, or %NULL for every Mail Setup item
 *
 * Returns: the number of items, locked or not
 */
guint
ms_test_keyring_count_items (MsTestKeyring *keyring,
                             const char    *account_id)
{
  g_autoptr(GVariant) reply = search_items (keyring, account_id);
  g_autoptr(GVariant) unlocked = NULL;
  g_autoptr(GVariant) locked = NULL;

  g_assert_nonnull (reply);
  unlocked = g_variant_get_child_value (reply, 0);
  locked = g_variant_get_child_value (reply, 1);

  return g_variant_n_children (unlocked) + g_variant_n_children (locked);
}

/**
 * ms_test_keyring_all_attribute_values:
 * @keyring: the session
 *
 * Returns: (transfer full): every attribute name and value of every item
 *   of the keyring
 */
GPtrArray *
ms_test_keyring_all_attribute_values (MsTestKeyring *keyring)
{
  GPtrArray *values = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariantIter) paths = NULL;
  const char *path;

  reply = g_dbus_connection_call_sync (keyring->connection, SECRETS_NAME, SECRETS_PATH,
                                       SECRETS_IFACE, "SearchItems",
                                       g_variant_new_parsed ("(@a{ss} {},)"),
                                       G_VARIANT_TYPE ("(aoao)"), G_DBUS_CALL_FLAGS_NONE,
                                       5000, NULL, NULL);
  g_assert_nonnull (reply);
  g_variant_get (reply, "(aoao)", &paths, NULL);
  while (g_variant_iter_next (paths, "&o", &path))
    {
      g_autoptr(GVariant) property = NULL;
      g_autoptr(GVariant) attributes = NULL;
      GVariantIter iter;
      const char *name, *value;

      property = g_dbus_connection_call_sync (keyring->connection, SECRETS_NAME, path,
                                              "org.freedesktop.DBus.Properties", "Get",
                                              g_variant_new ("(ss)", "org.freedesktop.Secret.Item",
                                                             "Attributes"),
                                              G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE,
                                              5000, NULL, NULL);
      g_assert_nonnull (property);
      g_variant_get (property, "(v)", &attributes);
      g_variant_iter_init (&iter, attributes);
      while (g_variant_iter_next (&iter, "{&s&s}", &name, &value))
        {
          g_ptr_array_add (values, g_strdup (name));
          g_ptr_array_add (values, g_strdup (value));
        }
    }

  return values;
}

static gboolean
contains (const char *data,
          gsize       length,
          const char *needle)
{
  gsize needle_length = strlen (needle);

  for (gsize i = 0; i + needle_length <= length; i++)
    if (memcmp (data + i, needle, needle_length) == 0)
      return TRUE;

  return FALSE;
}

static void
assert_file_clean (GFile      *file,
                   const char *secret)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_load_contents (file, NULL, &contents, &length, NULL, NULL))
    return;

  if (contains (contents, length, secret))
    {
      g_autofree char *path = g_file_get_path (file);

      g_error ("%s holds the secret", path);
    }
}

static void
check_tree (GFile      *folder,
            const char *secret)
{
  g_autoptr(GFileEnumerator) children = NULL;
  GFileInfo *info;

  children = g_file_enumerate_children (folder,
                                        G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                        G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  while (children != NULL &&
         g_file_enumerator_iterate (children, &info, NULL, NULL, NULL) && info != NULL)
    {
      g_autoptr(GFile) child = g_file_get_child (folder, g_file_info_get_name (info));

      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        check_tree (child, secret);
      else if (g_file_info_get_file_type (info) == G_FILE_TYPE_REGULAR)
        assert_file_clean (child, secret);
    }
}

/**
 * ms_test_assert_no_file_holds:
 * @folder: a folder to search, recursively
 * @secret: text that must appear in no file
 *
 * Aborts the test when any regular file under @folder contains @secret.
 */
void
ms_test_assert_no_file_holds (const char *folder,
                              const char *secret)
{
  g_autoptr(GFile) file = g_file_new_for_path (folder);

  check_tree (file, secret);
}

/**
 * ms_test_keyring_prompter_running:
 * @keyring: a session started with a prompter
 *
 * Returns: whether gcr-prompter owns its name on the bus: it was activated
 *   for an unlock prompt and is still up
 */
gboolean
ms_test_keyring_prompter_running (MsTestKeyring *keyring)
{
  g_autoptr(GVariant) reply = NULL;
  gboolean owned = FALSE;

  reply = g_dbus_connection_call_sync (keyring->connection, "org.freedesktop.DBus",
                                       "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "NameHasOwner",
                                       g_variant_new ("(s)", "org.gnome.keyring.SystemPrompter"),
                                       G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, 5000,
                                       NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);

  return owned;
}
