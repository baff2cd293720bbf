/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-keyring-absent"

#include "config.h"

#include <string.h>

#include "ms-account.h"
#include "ms-error.h"
#include "ms-secret-store.h"
#include "ms-test-keyring.h"

#define TEST_PASSWORD "K-absent-s3cret-9Wx"

static MsTestKeyring *bare_bus;
static GError *bare_bus_error;

/* Every call fails with keyring-unavailable, and no file anywhere under the
 * (isolated) home and XDG folders holds the secret: no plaintext fallback. */
static void
assert_unavailable_everywhere (void)
{
  g_autoptr(MsAccount) account = ms_account_new ("absent");
  g_autoptr(MsPassword) password = ms_password_new (TEST_PASSWORD, strlen (TEST_PASSWORD));
  g_autoptr(MsPassword) found = NULL;
  g_autoptr(GError) error = NULL;

  ms_account_set_address (account, "me@example.com");
  ms_account_set_host (account, "smtp.example.com");

  g_assert_false (ms_secret_store_save (account, password, NULL, &error));
  g_assert_error (error, MS_ERROR, MS_ERROR_KEYRING_UNAVAILABLE);
  g_clear_error (&error);

  found = ms_secret_store_lookup (account, NULL, &error);
  g_assert_null (found);
  g_assert_error (error, MS_ERROR, MS_ERROR_KEYRING_UNAVAILABLE);
  g_clear_error (&error);

  g_assert_false (ms_secret_store_clear ("absent", NULL, &error));
  g_assert_error (error, MS_ERROR, MS_ERROR_KEYRING_UNAVAILABLE);

  ms_test_assert_no_file_holds (g_get_home_dir (), TEST_PASSWORD);
  ms_test_assert_no_file_holds (g_get_user_config_dir (), TEST_PASSWORD);
  ms_test_assert_no_file_holds (g_get_user_data_dir (), TEST_PASSWORD);
  ms_test_assert_no_file_holds (g_get_user_cache_dir (), TEST_PASSWORD);
  ms_test_assert_no_file_holds (g_get_user_runtime_dir (), TEST_PASSWORD);
}

static void
run_in_subprocess (void)
{
  g_test_trap_subprocess (NULL, 20 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout_unmatched ("*" TEST_PASSWORD "*");
  g_test_trap_assert_stderr_unmatched ("*" TEST_PASSWORD "*");
}

/* K3: a session bus with no Secret Service on it (and no activation). */
static void
test_no_service (void)
{
  if (g_test_subprocess ())
    {
      assert_unavailable_everywhere ();
      return;
    }

  if (ms_test_keyring_skip_if_absent (bare_bus, bare_bus_error))
    return;
  run_in_subprocess ();
}

/* K4: a bus address that leads nowhere. */
static void
test_bus_nowhere (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *address = g_strdup_printf ("unix:path=%s/no-such-bus",
                                                  g_get_user_runtime_dir ());

      g_setenv ("DBUS_SESSION_BUS_ADDRESS", address, TRUE);
      assert_unavailable_everywhere ();
      return;
    }

  run_in_subprocess ();
}

/* K4: no bus address at all, no X display to autolaunch one. */
static void
test_no_bus (void)
{
  if (g_test_subprocess ())
    {
      g_unsetenv ("DBUS_SESSION_BUS_ADDRESS");
      g_unsetenv ("DISPLAY");
      g_unsetenv ("WAYLAND_DISPLAY");
      assert_unavailable_everywhere ();
      return;
    }

  run_in_subprocess ();
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  /* The parent starts a bare bus; its children inherit the address. */
  if (!g_test_subprocess ())
    bare_bus = ms_test_keyring_start (FALSE, &bare_bus_error);

  g_test_add_func ("/ms/keyring-absent/k3-no-secret-service", test_no_service);
  g_test_add_func ("/ms/keyring-absent/k4-bus-nowhere", test_bus_nowhere);
  g_test_add_func ("/ms/keyring-absent/k4-no-bus", test_no_bus);

  status = g_test_run ();
  ms_test_keyring_stop (bare_bus);
  g_clear_error (&bare_bus_error);

  return status;
}
