/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-paths"

#include "config.h"

#include <glib.h>

#include "ms-account-store.h"
#include "ms-paths.h"

/* Which configuration is in force (docs/contract.md, "System accounts"). */

static void
clear_environment (void)
{
  g_unsetenv ("MAILSETUP_CONFIG_DIR");
  g_unsetenv ("MAILSETUP_SYSTEM_DIR");
  g_unsetenv ("MAILSETUP_STATE_DIR");
  g_unsetenv ("XDG_CONFIG_HOME");
}

static void
assert_system (const MsPaths *paths,
               const char    *config_dir,
               const char    *state_dir)
{
  g_autofree char *credentials = g_build_filename (config_dir, "credentials", NULL);

  g_assert_cmpint (paths->mode, ==, MS_CONFIG_MODE_SYSTEM);
  g_assert_cmpstr (paths->config_dir, ==, config_dir);
  g_assert_cmpstr (paths->state_dir, ==, state_dir);
  g_assert_cmpstr (paths->credentials_dir, ==, credentials);
}

/* Root with no folder of its own: /etc/mailsetup and /var/spool/mailsetup. */
static void
test_root_without_folder (void)
{
  g_autoptr(MsPaths) paths = NULL;

  clear_environment ();
  paths = ms_paths_resolve (NULL, FALSE, TRUE);
  assert_system (paths, "/etc/mailsetup", "/var/spool/mailsetup");
  g_assert_true (paths->config_dir_is_own);
}

/* The contract's variables replace both system folders. */
static void
test_system_variables (void)
{
  g_autoptr(MsPaths) paths = NULL;

  clear_environment ();
  g_setenv ("MAILSETUP_SYSTEM_DIR", "/tmp/etc-ms", TRUE);
  g_setenv ("MAILSETUP_STATE_DIR", "/tmp/spool-ms", TRUE);
  paths = ms_paths_resolve (NULL, FALSE, TRUE);
  assert_system (paths, "/tmp/etc-ms", "/tmp/spool-ms");
  g_assert_false (paths->config_dir_is_own);
  clear_environment ();
}

/* Root with any folder of its own stays in user mode; so does anyone else. */
static void
test_user_mode (void)
{
  g_autoptr(MsPaths) option = NULL;
  g_autoptr(MsPaths) variable = NULL;
  g_autoptr(MsPaths) xdg = NULL;
  g_autoptr(MsPaths) user = NULL;

  clear_environment ();
  option = ms_paths_resolve ("/from/option", FALSE, TRUE);
  g_assert_cmpint (option->mode, ==, MS_CONFIG_MODE_USER);
  g_assert_cmpstr (option->config_dir, ==, "/from/option");
  g_assert_null (option->credentials_dir);

  g_setenv ("MAILSETUP_CONFIG_DIR", "/from/env", TRUE);
  variable = ms_paths_resolve (NULL, FALSE, TRUE);
  g_assert_cmpint (variable->mode, ==, MS_CONFIG_MODE_USER);
  g_assert_cmpstr (variable->config_dir, ==, "/from/env");

  clear_environment ();
  g_setenv ("XDG_CONFIG_HOME", "/home/x/.config", TRUE);
  xdg = ms_paths_resolve (NULL, FALSE, TRUE);
  g_assert_cmpint (xdg->mode, ==, MS_CONFIG_MODE_USER);

  clear_environment ();
  user = ms_paths_resolve (NULL, FALSE, FALSE);
  g_assert_cmpint (user->mode, ==, MS_CONFIG_MODE_USER);
  g_assert_null (user->credentials_dir);
}

/* --system wins over XDG_CONFIG_HOME and MAILSETUP_CONFIG_DIR, for anyone. */
static void
test_system_option_wins (void)
{
  g_autoptr(MsPaths) paths = NULL;

  clear_environment ();
  g_setenv ("XDG_CONFIG_HOME", "/home/x/.config", TRUE);
  g_setenv ("MAILSETUP_CONFIG_DIR", "/from/env", TRUE);
  paths = ms_paths_resolve (NULL, TRUE, FALSE);
  assert_system (paths, "/etc/mailsetup", "/var/spool/mailsetup");
  clear_environment ();
}

/* An empty variable counts as unset. */
static void
test_empty_variables (void)
{
  g_autoptr(MsPaths) paths = NULL;

  clear_environment ();
  g_setenv ("XDG_CONFIG_HOME", "", TRUE);
  g_setenv ("MAILSETUP_CONFIG_DIR", "", TRUE);
  paths = ms_paths_resolve (NULL, FALSE, TRUE);
  g_assert_cmpint (paths->mode, ==, MS_CONFIG_MODE_SYSTEM);
  clear_environment ();
}

/* A system store gives its accounts the credentials folder; a copy keeps it. */
static void
test_store_attaches (void)
{
  g_autoptr(MsPaths) paths = NULL;
  g_autoptr(MsAccountStore) store = NULL;
  g_autoptr(MsAccount) account = ms_account_new ("nas");
  g_autoptr(MsAccount) copy = NULL;

  clear_environment ();
  g_setenv ("MAILSETUP_SYSTEM_DIR", "/tmp/etc-ms", TRUE);
  paths = ms_paths_resolve (NULL, TRUE, TRUE);
  store = ms_account_store_new_for_paths (paths);
  g_assert_cmpint (ms_account_get_credential_store (account), ==, MS_CREDENTIAL_STORE_KEYRING);
  ms_account_store_attach (store, account);
  g_assert_cmpint (ms_account_get_credential_store (account), ==, MS_CREDENTIAL_STORE_SYSTEM);
  g_assert_cmpstr (ms_account_get_credentials_dir (account), ==, "/tmp/etc-ms/credentials");
  copy = ms_account_copy (account, NULL);
  g_assert_cmpstr (ms_account_get_credentials_dir (copy), ==, "/tmp/etc-ms/credentials");
  g_assert_cmpstr (ms_credential_store_to_string (ms_account_get_credential_store (copy)), ==,
                   "system-credential");
  clear_environment ();
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ms/paths/root-without-folder", test_root_without_folder);
  g_test_add_func ("/ms/paths/system-variables", test_system_variables);
  g_test_add_func ("/ms/paths/user-mode", test_user_mode);
  g_test_add_func ("/ms/paths/system-option-wins", test_system_option_wins);
  g_test_add_func ("/ms/paths/empty-variables", test_empty_variables);
  g_test_add_func ("/ms/paths/store-attaches", test_store_attaches);

  return g_test_run ();
}
