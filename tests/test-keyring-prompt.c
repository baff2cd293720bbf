/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-keyring-prompt"

#include "config.h"

#include <string.h>
#include <sys/wait.h>
#include <json-glib/json-glib.h>

#include "ms-account-store.h"
#include "ms-error.h"
#include "ms-secret-store.h"
#include "ms-test-keyring.h"

/* K5 as a user meets it: the keyring is locked, there is a display, and
 * unlocking brings up gcr-prompter's window, which nobody answers. A
 * lookup with a time limit must come back keyring-locked within that
 * limit, not when someone closes the window; and the keyring daemon must
 * still work afterwards. */

#define TEST_PASSWORD "Prompt-test-p4ss"
#define LIMIT_SECONDS 3

static MsTestKeyring *keyring;
static GError *keyring_error;

static MsAccount *
make_account (const char *id)
{
  g_autoptr(MsAccount) account = ms_account_new (id);

  ms_account_set_address (account, "me@localhost");
  ms_account_set_host (account, "smtp.example.com");
  ms_account_set_port (account, 465);
  ms_account_set_security (account, MS_SECURITY_TLS);
  ms_account_set_username (account, "me@localhost");

  return g_steal_pointer (&account);
}

static gboolean
skip_without_display (void)
{
  if (g_getenv ("DISPLAY") != NULL || g_getenv ("WAYLAND_DISPLAY") != NULL)
    return FALSE;

  if (g_strcmp0 (g_getenv ("MS_TEST_REQUIRE_KEYRING"), "1") == 0)
    {
      g_test_message ("MS_TEST_REQUIRE_KEYRING=1 but no display: run build-aux/test");
      g_test_fail ();
    }
  else
    g_test_skip ("no display for the unlock prompt: run build-aux/test (Xvfb)");

  return TRUE;
}

/* Both accounts' items, then the lock: storing into a locked keyring would
 * itself wait on a prompt. */
static void
store_then_lock (void)
{
  static gboolean done;
  const char *ids[] = { "prompted", "cli-prompted", "send-prompted" };
  g_autoptr(MsPassword) password = ms_password_new (TEST_PASSWORD, strlen (TEST_PASSWORD));
  g_autoptr(GError) error = NULL;

  if (done)
    return;
  done = TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autoptr(MsAccount) account = make_account (ids[i]);

      g_assert_true (ms_secret_store_save (account, password, NULL, &error));
      g_assert_no_error (error);
    }
  g_assert_true (ms_test_keyring_lock (keyring, &error));
  g_assert_no_error (error);
}

static void
lookup_in_subprocess (void)
{
  g_autoptr(MsAccount) account = make_account ("prompted");
  g_autoptr(MsPassword) found = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start, elapsed;

  start = g_get_monotonic_time ();
  found = ms_secret_store_lookup_with_timeout (account, LIMIT_SECONDS, NULL, &error);
  elapsed = g_get_monotonic_time () - start;

  g_assert_null (found);
  g_assert_error (error, MS_ERROR, MS_ERROR_KEYRING_LOCKED);
  /* A real prompt was up and was waited on: the prompter was started, and
   * the answer came at the limit, not at once... */
  g_assert_true (ms_test_keyring_prompter_running (keyring));
  g_assert_cmpint (elapsed, >=, (LIMIT_SECONDS - 1) * G_USEC_PER_SEC);
  /* ...nor long after it. */
  g_assert_cmpint (elapsed, <, (LIMIT_SECONDS + 3) * G_USEC_PER_SEC);
  g_test_message ("keyring-locked after %" G_GINT64_FORMAT " ms: %s", elapsed / 1000,
                  error->message);
}

static void
test_locked_with_prompt (void)
{
  if (g_test_subprocess ())
    {
      lookup_in_subprocess ();
      return;
    }
  if (ms_test_keyring_skip_if_absent (keyring, keyring_error) || skip_without_display ())
    return;

  store_then_lock ();
  g_assert_false (ms_test_keyring_prompter_running (keyring));
  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout_unmatched ("*" TEST_PASSWORD "*");

  /* The daemon survived the abandoned prompt: its items are still there. */
  g_assert_cmpuint (ms_test_keyring_count_items (keyring, NULL), ==, 3);
}

/* The same through mailsetup-cli: `--timeout` bounds the keyring too. */
static void
test_cli_timeout (void)
{
  g_autoptr(MsAccount) account = make_account ("cli-prompted");
  g_autoptr(MsAccountStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ms-prompt-XXXXXX", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *argv[] = { MS_CLI_PATH, "--config-dir", dir, "--json", "--timeout", "2",
                         "password", "cli-prompted", NULL };
  int status = 0;
  gint64 start, elapsed;

  if (ms_test_keyring_skip_if_absent (keyring, keyring_error) || skip_without_display ())
    return;

  store_then_lock ();
  store = ms_account_store_new (dir);
  g_assert_true (ms_account_store_load (store, &error));
  g_assert_true (ms_account_store_add (store, account, &error));
  g_assert_true (ms_account_store_save (store, &error));
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err, &status, &error));
  elapsed = g_get_monotonic_time () - start;
  g_assert_no_error (error);

  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 78);
  g_assert_nonnull (strstr (out, "\"keyring-locked\""));
  g_assert_null (strstr (out, TEST_PASSWORD));
  g_assert_cmpint (elapsed, >=, 1 * G_USEC_PER_SEC);
  g_assert_cmpint (elapsed, <, 5 * G_USEC_PER_SEC);
  g_assert_true (ms_test_keyring_prompter_running (keyring));
  g_assert_cmpuint (ms_test_keyring_count_items (keyring, NULL), ==, 3);
}

/* What a backup job meets: `send --timeout 3` with the keyring locked and
 * an unlock prompt nobody answers comes back within seconds, and the
 * message is kept in the outbox (queued, exit 0), not lost. */
static void
test_send_keeps_message (void)
{
  g_autoptr(MsAccount) account = make_account ("send-prompted");
  g_autoptr(MsAccountStore) store = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ms-prompt-XXXXXX", NULL);
  g_autofree char *state_dir = g_build_filename (dir, "state", NULL);
  g_autofree char *outbox_dir = g_build_filename (state_dir, "outbox", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GDir) outbox = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *result;
  const char *name;
  guint n_messages = 0;
  gint64 start, elapsed;

  if (ms_test_keyring_skip_if_absent (keyring, keyring_error) || skip_without_display ())
    return;

  store_then_lock ();
  store = ms_account_store_new (dir);
  g_assert_true (ms_account_store_load (store, &error));
  g_assert_true (ms_account_store_add (store, account, &error));
  g_assert_true (ms_account_store_save (store, &error));
  g_assert_no_error (error);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE
                                        | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "MAILSETUP_STATE_DIR", state_dir, TRUE);
  start = g_get_monotonic_time ();
  process = g_subprocess_launcher_spawn (launcher, &error, MS_CLI_PATH, "--config-dir", dir,
                                         "--json", "--timeout", "3", "send",
                                         "--account", "send-prompted", "rcpt@localhost",
                                         NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process,
                                                "Subject: backup finished\n\nAll fine.\n",
                                                NULL, &out, &err, &error));
  elapsed = g_get_monotonic_time () - start;
  g_assert_no_error (error);

  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_no_error (error);
  result = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (result, "outcome"), ==, "queued");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (result, "error"),
                                                  "code"), ==, "keyring-locked");
  g_assert_null (strstr (out, TEST_PASSWORD));
  g_assert_null (strstr (err, TEST_PASSWORD));
  g_assert_cmpint (elapsed, <, 8 * G_USEC_PER_SEC);

  outbox = g_dir_open (outbox_dir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (outbox)) != NULL)
    n_messages += g_str_has_suffix (name, ".msg");
  g_assert_cmpuint (n_messages, ==, 1);
  g_assert_true (ms_test_keyring_prompter_running (keyring));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  /* A subprocess inherits the parent's session through the environment. */
  if (!g_test_subprocess ())
    keyring = ms_test_keyring_start_full (TRUE, TRUE, &keyring_error);
  else
    keyring = ms_test_keyring_attach (&keyring_error);

  g_test_add_func ("/ms/keyring-prompt/k5-locked-with-prompt", test_locked_with_prompt);
  g_test_add_func ("/ms/keyring-prompt/cli-timeout", test_cli_timeout);
  g_test_add_func ("/ms/keyring-prompt/send-keeps-message", test_send_keeps_message);

  status = g_test_run ();
  ms_test_keyring_stop (keyring);
  g_clear_error (&keyring_error);

  return status;
}
