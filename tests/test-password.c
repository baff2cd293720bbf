/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-password"

#include "config.h"

#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>

#include "ms-error.h"
#include "ms-password.h"

static MsPassword *
read_from_pipe (const char  *input,
                GError     **error)
{
  int fds[2];
  MsPassword *password;

  g_assert_cmpint (pipe (fds), ==, 0);
  g_assert_cmpint (write (fds[1], input, strlen (input)), ==, (gssize) strlen (input));
  close (fds[1]);
  password = ms_password_read_line (fds[0], error);
  close (fds[0]);

  return password;
}

static void
test_read_line (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsPassword) crlf = read_from_pipe ("abcd efgh\r\nrest\n", &error);
  g_autoptr(MsPassword) bare = NULL;
  g_autoptr(MsPassword) empty = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (ms_password_get_text (crlf), ==, "abcd efgh");
  g_assert_cmpuint (ms_password_get_length (crlf), ==, 9);

  bare = read_from_pipe ("pässwörd", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ms_password_get_text (bare), ==, "pässwörd");

  empty = read_from_pipe ("\n", &error);
  g_assert_null (empty);
  g_assert_error (error, MS_ERROR, MS_ERROR_INVALID_INPUT);
}

static void
test_too_long (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *input = g_strnfill (5000, 'x');
  g_autoptr(MsPassword) password = read_from_pipe (input, &error);

  g_assert_null (password);
  g_assert_error (error, MS_ERROR, MS_ERROR_INVALID_INPUT);
}

/* docs/security.md, L4: while a secret is held the process cannot dump core. */
static void
test_not_dumpable (void)
{
  MsPassword *password;

  prctl (PR_SET_DUMPABLE, 1, 0, 0, 0);
  password = ms_password_new ("secret", 6);
  g_assert_cmpint (prctl (PR_GET_DUMPABLE, 0, 0, 0, 0), ==, 0);
  ms_password_unref (password);
  g_assert_cmpint (prctl (PR_GET_DUMPABLE, 0, 0, 0, 0), ==, 1);
}

/* L3: the buffer is wiped, not only freed; check through ms_wipe on a
 * buffer we still own, since freed memory cannot be read legally. */
static void
test_wipe (void)
{
  char buffer[32];

  memset (buffer, 'p', sizeof buffer);
  ms_wipe (buffer, sizeof buffer);
  for (guint i = 0; i < sizeof buffer; i++)
    g_assert_cmpint (buffer[i], ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/ms/password/read-line", test_read_line);
  g_test_add_func ("/ms/password/too-long", test_too_long);
  g_test_add_func ("/ms/password/not-dumpable", test_not_dumpable);
  g_test_add_func ("/ms/password/wipe", test_wipe);

  return g_test_run ();
}
