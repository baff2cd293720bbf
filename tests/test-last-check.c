/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-last-check"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "ms-error.h"
#include "ms-last-check.h"

/* The last check of each account, in the state folder, whoever ran it. */

static char *
state_file (void)
{
  g_autofree char *dir = ms_last_check_find_dir ();

  return g_build_filename (dir, "last-checks.ini", NULL);
}

static void
test_state_dir (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *xdg = g_build_filename (g_get_user_state_dir (), "mailsetup", NULL);

  g_unsetenv ("MAILSETUP_STATE_DIR");
  dir = ms_last_check_find_dir ();
  g_assert_cmpstr (dir, ==, xdg);
  g_free (dir);
  g_setenv ("MAILSETUP_STATE_DIR", "/nonexistent/state", TRUE);
  dir = ms_last_check_find_dir ();
  g_assert_cmpstr (dir, ==, "/nonexistent/state");
  g_unsetenv ("MAILSETUP_STATE_DIR");
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
  g_assert_true (ms_last_check_record (NULL, ok, &error));
  g_assert_no_error (error);
  ms_result_set_error (failed, MS_ERROR_AUTH_FAILED, MS_STEP_AUTH, "The server refused the password.");
  g_assert_true (ms_last_check_record ("home", failed, &error));

  check = ms_last_check_lookup ("work");
  g_assert_nonnull (check);
  g_assert_true (check->ok);
  g_assert_cmpstr (check->command, ==, "login");
  g_assert_nonnull (check->when);
  g_assert_null (check->code);
  g_clear_pointer (&check, ms_last_check_free);

  check = ms_last_check_lookup ("home");
  g_assert_nonnull (check);
  g_assert_false (check->ok);
  g_assert_cmpstr (check->code, ==, "auth-failed");
  g_assert_cmpstr (check->message, ==, "The server refused the password.");
  g_assert_null (ms_last_check_lookup ("nobody"));

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
  g_assert_true (ms_last_check_record (NULL, probe, &error));
  g_assert_true (ms_last_check_record (NULL, cancelled, &error));
  g_assert_true (ms_last_check_record (NULL, anonymous, &error));
  g_assert_no_error (error);
  g_assert_null (ms_last_check_lookup ("probed"));
  g_assert_null (ms_last_check_lookup ("cancelled"));
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
  g_assert_null (ms_last_check_lookup ("any"));
  ok->account = g_strdup ("fresh");
  g_assert_true (ms_last_check_record (NULL, ok, &error));
  check = ms_last_check_lookup ("fresh");
  g_assert_nonnull (check);
  g_assert_true (check->ok);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/ms/last-check/state-dir", test_state_dir);
  g_test_add_func ("/ms/last-check/record-and-lookup", test_record_and_lookup);
  g_test_add_func ("/ms/last-check/not-a-check", test_not_a_check);
  g_test_add_func ("/ms/last-check/damaged-file", test_damaged_file);

  return g_test_run ();
}
