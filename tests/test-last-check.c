/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-last-check"

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ms-error.h"
#include "ms-last-check.h"
#include "ms-paths.h"

/* The last check of each account, in the state folder, whoever ran it. */

static char *
state_file (void)
{
  g_autofree char *dir = ms_last_check_find_dir (NULL);

  return g_build_filename (dir, "last-checks.ini", NULL);
}

static void
test_state_dir (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *xdg = g_build_filename (g_get_user_state_dir (), "mailsetup", NULL);

  g_unsetenv ("MAILSETUP_STATE_DIR");
  dir = ms_last_check_find_dir (NULL);
  g_assert_cmpstr (dir, ==, xdg);
  g_free (dir);
  g_setenv ("MAILSETUP_STATE_DIR", "/nonexistent/state", TRUE);
  dir = ms_last_check_find_dir (NULL);
  g_assert_cmpstr (dir, ==, "/nonexistent/state");
  g_free (dir);
  /* A folder the caller chose (the command line's, from its paths) wins. */
  dir = ms_last_check_find_dir ("/chosen/state");
  g_assert_cmpstr (dir, ==, "/chosen/state");
  g_unsetenv ("MAILSETUP_STATE_DIR");
}

/* Root with no configuration of its own is in system mode (ms-paths.c):
 * its checks go to /var/spool/mailsetup like its outbox, not to a home. */
static void
test_system_mode (void)
{
  g_autofree char *config_home = g_strdup (g_getenv ("XDG_CONFIG_HOME"));
  g_autoptr(MsPaths) paths = NULL;
  g_autofree char *dir = NULL;

  if (geteuid () != 0)
    {
      g_test_skip ("not root: system mode is root's default");
      return;
    }
  g_unsetenv ("MAILSETUP_STATE_DIR");
  g_unsetenv ("MAILSETUP_CONFIG_DIR");
  g_unsetenv ("XDG_CONFIG_HOME");
  paths = ms_paths_new (NULL, FALSE);
  dir = ms_last_check_find_dir (NULL);
  g_setenv ("XDG_CONFIG_HOME", config_home, TRUE);

  g_assert_cmpint (paths->mode, ==, MS_CONFIG_MODE_SYSTEM);
  g_assert_cmpstr (dir, ==, MS_SYSTEM_STATE_DIR);
  g_assert_cmpstr (dir, ==, paths->state_dir);
}

static void
test_record_and_lookup (void)
{
  g_autoptr(MsResult) ok = ms_result_new ("login");
  g_autoptr(MsResult) failed = ms_result_new ("diagnose");
  g_autoptr(MsLastCheck) check = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = state_file ();
  g_autofree char *contents = NULL;

  ok->account = g_strdup ("work");
  g_assert_true (ms_last_check_record (NULL, NULL, ok, &error));
  g_assert_no_error (error);
  ms_result_set_error (failed, MS_ERROR_AUTH_FAILED, MS_STEP_AUTH, "The server refused the password.");
  g_assert_true (ms_last_check_record (NULL, "home", failed, &error));

  check = ms_last_check_lookup (NULL, "work");
  g_assert_nonnull (check);
  g_assert_true (check->ok);
  g_assert_cmpstr (check->command, ==, "login");
  g_assert_nonnull (check->when);
  g_assert_null (check->code);
  g_clear_pointer (&check, ms_last_check_free);

  check = ms_last_check_lookup (NULL, "home");
  g_assert_nonnull (check);
  g_assert_false (check->ok);
  g_assert_cmpstr (check->code, ==, "auth-failed");
  g_assert_cmpstr (check->message, ==, "The server refused the password.");
  g_assert_null (ms_last_check_lookup (NULL, "nobody"));

  /* Settings and results only: the file is private to the user. */
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_null (strstr (contents, "password="));
}

static void
test_not_a_check (void)
{
  g_autoptr(MsResult) probe = ms_result_new ("probe");
  g_autoptr(MsResult) cancelled = ms_result_new ("test-send");
  g_autoptr(MsResult) anonymous = ms_result_new ("login");
  g_autoptr(GError) error = NULL;

  probe->account = g_strdup ("probed");
  cancelled->account = g_strdup ("cancelled");
  ms_result_set_error (cancelled, MS_ERROR_CANCELLED, MS_STEP_CONNECT, "Cancelled");
  g_assert_true (ms_last_check_record (NULL, NULL, probe, &error));
  g_assert_true (ms_last_check_record (NULL, NULL, cancelled, &error));
  g_assert_true (ms_last_check_record (NULL, NULL, anonymous, &error));
  g_assert_no_error (error);
  g_assert_null (ms_last_check_lookup (NULL, "probed"));
  g_assert_null (ms_last_check_lookup (NULL, "cancelled"));
}

static void
test_damaged_file (void)
{
  g_autoptr(MsResult) ok = ms_result_new ("test-send");
  g_autoptr(MsLastCheck) check = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = state_file ();
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, "[broken\n\0garbage", 16, NULL));
  g_assert_null (ms_last_check_lookup (NULL, "any"));
  ok->account = g_strdup ("fresh");
  g_assert_true (ms_last_check_record (NULL, NULL, ok, &error));
  check = ms_last_check_lookup (NULL, "fresh");
  g_assert_nonnull (check);
  g_assert_true (check->ok);
}

#define N_WRITERS 10
#define N_ROUNDS  20

/* One writer process: a check of each of its @rounds accounts, as
 * `mailsetup-cli login` notes them. Never returns. */
static void
write_checks (const char *state_dir,
              guint       writer,
              guint       rounds)
{
  g_autoptr(MsResult) result = ms_result_new ("login");

  for (guint i = 0; i < rounds; i++)
    {
      g_autofree char *account = g_strdup_printf ("writer-%u-%u", writer, i);

      if (!ms_last_check_record (state_dir, account, result, NULL))
        _exit (1);
    }
  _exit (0);
}

static GKeyFile *
load_checks (const char *state_dir)
{
  g_autofree char *path = g_build_filename (state_dir, "last-checks.ini", NULL);
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) error = NULL;

  g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&file);
}

/* Ten processes noting checks of their own accounts at the same moment,
 * twenty each: all two hundred are there at the end (each writer reads the
 * file again under the lock before it writes). */
static void
test_concurrent_writers (void)
{
  g_autofree char *state_dir = g_build_filename (g_get_user_state_dir (), "concurrent", NULL);
  g_autoptr(GKeyFile) file = NULL;
  g_auto(GStrv) groups = NULL;
  pid_t children[N_WRITERS];

  for (guint i = 0; i < N_WRITERS; i++)
    {
      children[i] = fork ();
      g_assert_cmpint (children[i], >=, 0);
      if (children[i] == 0)
        write_checks (state_dir, i, N_ROUNDS);
    }
  for (guint i = 0; i < N_WRITERS; i++)
    {
      int status = 0;

      g_assert_cmpint (waitpid (children[i], &status, 0), ==, children[i]);
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 0);
    }

  file = load_checks (state_dir);
  groups = g_key_file_get_groups (file, NULL);
  g_assert_cmpuint (g_strv_length (groups), ==, N_WRITERS * N_ROUNDS);
  for (guint i = 0; i < N_WRITERS; i++)
    for (guint j = 0; j < N_ROUNDS; j++)
      {
        g_autofree char *account = g_strdup_printf ("writer-%u-%u", i, j);
        g_autoptr(MsLastCheck) check = ms_last_check_lookup (state_dir, account);

        g_assert_nonnull (check);
        g_assert_true (check->ok);
        g_assert_cmpstr (check->command, ==, "login");
      }
}

/* A writer killed at any moment leaves the old file or the new one, never
 * half of one, and no lock behind. Each round kills a writer that has many
 * accounts to note after a random 0 to 8 ms, often in the middle of a
 * write. */
static void
test_killed_writer (void)
{
  /* G_TEST_OPTION_ISOLATE_DIRS: a throw-away folder, with what a killed
   * writer may leave (its temporary file). */
  g_autofree char *state_dir = g_build_filename (g_get_user_state_dir (), "killed", NULL);
  g_autoptr(MsResult) result = ms_result_new ("diagnose");
  g_autoptr(MsResult) large = ms_result_new ("diagnose");
  g_autofree char *message = g_strnfill (512 * 1024, 'x');

  /* Half a megabyte to write each time: a long window to be killed in. */
  ms_result_set_error (large, MS_ERROR_AUTH_FAILED, MS_STEP_AUTH, message);
  g_assert_true (ms_last_check_record (state_dir, "kept", large, NULL));
  for (guint round = 0; round < 100; round++)
    {
      g_autoptr(GKeyFile) file = NULL;
      g_autoptr(MsLastCheck) kept = NULL;
      g_autoptr(GError) error = NULL;
      int status = 0;
      pid_t child = fork ();

      g_assert_cmpint (child, >=, 0);
      if (child == 0)
        write_checks (state_dir, round, G_MAXUINT);
      g_usleep (g_random_int_range (0, 8000));
      g_assert_cmpint (kill (child, SIGKILL), ==, 0);
      g_assert_cmpint (waitpid (child, &status, 0), ==, child);
      g_assert_true (WIFSIGNALED (status));

      file = load_checks (state_dir);
      kept = ms_last_check_lookup (state_dir, "kept");
      g_assert_nonnull (kept);
      /* The lock went with the process: the next writer goes on at once. */
      g_assert_true (ms_last_check_record (state_dir, "after", result, &error));
      g_assert_no_error (error);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/ms/last-check/state-dir", test_state_dir);
  g_test_add_func ("/ms/last-check/system-mode", test_system_mode);
  g_test_add_func ("/ms/last-check/record-and-lookup", test_record_and_lookup);
  g_test_add_func ("/ms/last-check/not-a-check", test_not_a_check);
  g_test_add_func ("/ms/last-check/damaged-file", test_damaged_file);
  g_test_add_func ("/ms/last-check/concurrent-writers", test_concurrent_writers);
  g_test_add_func ("/ms/last-check/killed-writer", test_killed_writer);

  return g_test_run ();
}
