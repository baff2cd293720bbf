/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-secret-store"

#include "config.h"

#include <string.h>
#include <sys/prctl.h>

#include "ms-account.h"
#include "ms-error.h"
#include "ms-secret-store.h"
#include "ms-test-keyring.h"

/* docs/security.md, L1: this text must never appear in any output or file. */
#define TEST_PASSWORD "K-test-p\xc3\xa4ssw0rd-7Qz"

static MsTestKeyring *keyring;
static GError *keyring_error;

static MsAccount *
make_account (const char *id,
              const char *host,
              guint16     port,
              const char *user)
{
  MsAccount *account = ms_account_new (id);

  ms_account_set_address (account, "me@example.com");
  ms_account_set_host (account, host);
  ms_account_set_port (account, port);
  ms_account_set_username (account, user);

  return account;
}

static MsPassword *
password_of (const char *text)
{
  return ms_password_new (text, strlen (text));
}

static void
assert_password (MsAccount  *account,
                 const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsPassword) found = ms_secret_store_lookup (account, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (found);
  g_assert_cmpmem (ms_password_get_text (found), ms_password_get_length (found),
                   expected, strlen (expected));
}

static void
assert_missing (MsAccount *account)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsPassword) found = ms_secret_store_lookup (account, NULL, &error);

  g_assert_null (found);
  g_assert_error (error, MS_ERROR, MS_ERROR_SECRET_MISSING);
}

/* K1 */
static void
test_store_lookup_clear (void)
{
  g_autoptr(MsAccount) account = make_account ("k1", "smtp.example.com", 465, "me");
  g_autoptr(MsPassword) password = password_of (TEST_PASSWORD);
  g_autoptr(GError) error = NULL;

  if (ms_test_keyring_skip_if_absent (keyring, keyring_error))
    return;

  g_assert_true (ms_secret_store_save (account, password, NULL, &error));
  g_assert_no_error (error);
  assert_password (account, TEST_PASSWORD);
  g_assert_cmpuint (ms_test_keyring_count_items (keyring, "k1"), ==, 1);

  g_assert_true (ms_secret_store_clear ("k1", NULL, &error));
  g_assert_no_error (error);
  assert_missing (account);
  g_assert_cmpuint (ms_test_keyring_count_items (keyring, "k1"), ==, 0);

  /* Clearing what is not there is no error. */
  g_assert_true (ms_secret_store_clear ("k1", NULL, &error));
  g_assert_no_error (error);
}

/* K2, and one item per account when the server changes */
static void
test_replace (void)
{
  g_autoptr(MsAccount) account = make_account ("k2", "smtp.example.com", 465, "me");
  g_autoptr(MsAccount) moved = make_account ("k2", "mail.example.org", 587, "me");
  g_autoptr(MsPassword) first = password_of ("first-value");
  g_autoptr(MsPassword) second = password_of (TEST_PASSWORD);
  g_autoptr(GError) error = NULL;

  if (ms_test_keyring_skip_if_absent (keyring, keyring_error))
    return;

  g_assert_true (ms_secret_store_save (account, first, NULL, &error));
  g_assert_true (ms_secret_store_save (account, second, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ms_test_keyring_count_items (keyring, "k2"), ==, 1);
  assert_password (account, TEST_PASSWORD);

  /* A secret is only found for the server it was stored for. */
  g_assert_true (ms_secret_store_save (moved, first, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ms_test_keyring_count_items (keyring, "k2"), ==, 1);
  assert_password (moved, "first-value");
  assert_missing (account);

  g_assert_true (ms_secret_store_clear ("k2", NULL, NULL));
}

/* K7 */
static void
test_distinct_items (void)
{
  g_autoptr(MsAccount) alice = make_account ("alice", "smtp.example.com", 465, "alice");
  g_autoptr(MsAccount) bob = make_account ("bob", "smtp.example.com", 465, "bob");
  g_autoptr(MsAccount) submission = make_account ("alice-587", "smtp.example.com", 587, "alice");
  MsAccount *accounts[] = { alice, bob, submission };
  const char *secrets[] = { "secret-a", "secret-b", "secret-c" };

  if (ms_test_keyring_skip_if_absent (keyring, keyring_error))
    return;

  for (guint i = 0; i < G_N_ELEMENTS (accounts); i++)
    {
      g_autoptr(MsPassword) password = password_of (secrets[i]);
      g_autoptr(GError) error = NULL;

      g_assert_true (ms_secret_store_save (accounts[i], password, NULL, &error));
      g_assert_no_error (error);
    }

  for (guint i = 0; i < G_N_ELEMENTS (accounts); i++)
    assert_password (accounts[i], secrets[i]);

  for (guint i = 0; i < G_N_ELEMENTS (accounts); i++)
    g_assert_true (ms_secret_store_clear (ms_account_get_id (accounts[i]), NULL, NULL));
}

/* K5: a locked keyring is never "no password"; nothing waits for a prompt
 * (the private bus activates no prompter, so the unlock prompt fails at
 * once, as it does for a cron job with no display). */
static void
test_locked (void)
{
  g_autoptr(MsAccount) account = make_account ("k5", "smtp.example.com", 465, "me");
  g_autoptr(MsAccount) other = make_account ("k5-other", "smtp.example.com", 465, "me");
  g_autoptr(MsPassword) password = password_of (TEST_PASSWORD);
  g_autoptr(MsPassword) found = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;

  if (ms_test_keyring_skip_if_absent (keyring, keyring_error))
    return;

  g_assert_true (ms_secret_store_save (account, password, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (ms_test_keyring_lock (keyring, &error));
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  found = ms_secret_store_lookup (account, NULL, &error);
  g_assert_null (found);
  g_assert_error (error, MS_ERROR, MS_ERROR_KEYRING_LOCKED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_clear_error (&error);

  /* Storing into a locked keyring fails the same way. */
  g_assert_false (ms_secret_store_save (other, password, NULL, &error));
  g_assert_error (error, MS_ERROR, MS_ERROR_KEYRING_LOCKED);
  g_clear_error (&error);

  /* An item that really is missing stays "missing" while locked. */
  assert_missing (other);

  /* Clearing a locked item must not claim success while it stays. */
  if (!ms_secret_store_clear ("k5", NULL, &error))
    {
      g_assert_error (error, MS_ERROR, MS_ERROR_KEYRING_LOCKED);
      g_assert_cmpuint (ms_test_keyring_count_items (keyring, "k5"), ==, 1);
      g_clear_error (&error);
    }
  else
    g_assert_cmpuint (ms_test_keyring_count_items (keyring, "k5"), ==, 0);

  /* The keyring stays locked: a test cannot answer the unlock prompt, so
   * this case runs last, in this binary's private keyring. */
}

static void
on_lookup_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GPtrArray *calls = user_data;
  GError *error = NULL;
  MsPassword *password = ms_secret_store_lookup_finish (result, &error);

  g_assert_null (password);
  g_ptr_array_add (calls, error);
}

static gboolean
on_timeout_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
run_for (guint milliseconds)
{
  gboolean done = FALSE;

  g_timeout_add (milliseconds, on_timeout_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* K6 */
static void
test_cancel (void)
{
  g_autoptr(MsAccount) account = make_account ("k6", "smtp.example.com", 465, "me");
  g_autoptr(GPtrArray) calls = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  g_autoptr(GCancellable) later = g_cancellable_new ();
  gint64 start;

  if (ms_test_keyring_skip_if_absent (keyring, keyring_error))
    return;

  g_cancellable_cancel (cancelled);
  ms_secret_store_lookup_async (account, cancelled, on_lookup_done_cb, calls);
  start = g_get_monotonic_time ();
  ms_secret_store_lookup_async (account, later, on_lookup_done_cb, calls);
  g_cancellable_cancel (later);

  while (calls->len < 2 && g_get_monotonic_time () - start < 2 * G_USEC_PER_SEC)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (calls->len, ==, 2);
  g_assert_error ((GError *) g_ptr_array_index (calls, 0), MS_ERROR, MS_ERROR_CANCELLED);
  /* The second one was either cancelled or had already found nothing. */
  g_assert_true (g_error_matches (g_ptr_array_index (calls, 1), MS_ERROR, MS_ERROR_CANCELLED) ||
                 g_error_matches (g_ptr_array_index (calls, 1), MS_ERROR, MS_ERROR_SECRET_MISSING));

  /* No late callback. */
  run_for (200);
  g_assert_cmpuint (calls->len, ==, 2);
}

static void
on_save_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (ms_secret_store_save_finish (result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

static void
test_async_save (void)
{
  g_autoptr(MsAccount) account = make_account ("async", "smtp.example.com", 465, "me");
  g_autoptr(MsPassword) password = password_of (TEST_PASSWORD);
  gboolean done = FALSE;

  if (ms_test_keyring_skip_if_absent (keyring, keyring_error))
    return;

  ms_secret_store_save_async (account, password, NULL, on_save_done_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  assert_password (account, TEST_PASSWORD);
  g_assert_true (ms_secret_store_clear ("async", NULL, NULL));
}

/* L3 and L4: the process is not dumpable while a secret is held. */
static void
test_not_dumpable (void)
{
  g_autoptr(MsAccount) account = make_account ("l4", "smtp.example.com", 465, "me");
  g_autoptr(MsPassword) password = password_of (TEST_PASSWORD);
  g_autoptr(MsPassword) found = NULL;

  if (ms_test_keyring_skip_if_absent (keyring, keyring_error))
    return;

  g_assert_true (ms_secret_store_save (account, password, NULL, NULL));
  g_clear_pointer (&password, ms_password_unref);
  g_assert_cmpint (prctl (PR_GET_DUMPABLE, 0, 0, 0, 0), ==, 1);

  found = ms_secret_store_lookup (account, NULL, NULL);
  g_assert_nonnull (found);
  g_assert_cmpint (prctl (PR_GET_DUMPABLE, 0, 0, 0, 0), ==, 0);
  g_clear_pointer (&found, ms_password_unref);
  g_assert_cmpint (prctl (PR_GET_DUMPABLE, 0, 0, 0, 0), ==, 1);

  g_assert_true (ms_secret_store_clear ("l4", NULL, NULL));
}

/* L3 and CONTRIBUTING.md, "House style", read from the sources: only ms-secret-store.c
 * includes libsecret, and it looks secrets up through the non-pageable
 * SecretValue API only. */
static void
test_sources (void)
{
  g_autofree char *path = g_build_filename (MS_TEST_SRCDIR, "..", "src", "core",
                                            "ms-secret-store.c", NULL);
  g_autofree char *source = NULL;
  const char *folders[] = { "core", "cli", "gui" };

  g_assert_true (g_file_get_contents (path, &source, NULL, NULL));
  g_assert_nonnull (strstr (source, "secret_password_lookup_binary_sync ("));
  g_assert_null (strstr (source, "secret_password_lookup_sync ("));
  g_assert_null (strstr (source, "secret_value_get_text"));
  g_assert_null (strstr (source, "secret_password_store_sync ("));

  for (guint i = 0; i < G_N_ELEMENTS (folders); i++)
    {
      g_autofree char *folder = g_build_filename (MS_TEST_SRCDIR, "..", "src", folders[i], NULL);
      g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *file = g_build_filename (folder, name, NULL);
          g_autofree char *text = NULL;

          if (g_str_equal (name, "ms-secret-store.c") || !g_file_get_contents (file, &text, NULL, NULL))
            continue;
          if (strstr (text, "libsecret/secret.h") != NULL)
            g_error ("%s includes libsecret", file);
        }
    }
}

/* L5 */
static void
test_attributes_hold_no_secret (void)
{
  g_autoptr(MsAccount) account = make_account ("l5", "smtp.example.com", 465, "me@example.com");
  g_autoptr(MsPassword) password = password_of (TEST_PASSWORD);
  g_autoptr(GPtrArray) values = NULL;
  g_autofree char *encoded = g_base64_encode ((const guchar *) TEST_PASSWORD, strlen (TEST_PASSWORD));

  if (ms_test_keyring_skip_if_absent (keyring, keyring_error))
    return;

  g_assert_true (ms_secret_store_save (account, password, NULL, NULL));
  values = ms_test_keyring_all_attribute_values (keyring);
  g_assert_cmpuint (values->len, >=, 12);
  for (guint i = 0; i < values->len; i++)
    {
      g_assert_null (strstr (g_ptr_array_index (values, i), TEST_PASSWORD));
      g_assert_null (strstr (g_ptr_array_index (values, i), encoded));
    }

  g_assert_true (ms_secret_store_clear ("l5", NULL, NULL));
}

/* L1 for this unit: the whole scenario, with every debug message on, says
 * nothing secret on stdout or stderr, and leaves no file holding it. */
static void
test_no_leak (void)
{
  if (ms_test_keyring_skip_if_absent (keyring, keyring_error))
    return;

  if (g_test_subprocess ())
    {
      g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
      test_store_lookup_clear ();
      test_replace ();
      test_distinct_items ();
      test_async_save ();
      test_attributes_hold_no_secret ();
      ms_test_assert_no_file_holds (g_get_home_dir (), TEST_PASSWORD);
      ms_test_assert_no_file_holds (g_get_user_config_dir (), TEST_PASSWORD);
      return;
    }

  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout_unmatched ("*" TEST_PASSWORD "*");
  g_test_trap_assert_stderr_unmatched ("*" TEST_PASSWORD "*");
  g_test_trap_assert_stdout_unmatched ("*Sy10ZXN0LXDDpHNzdzByZC03UXo*");
  g_test_trap_assert_stderr_unmatched ("*Sy10ZXN0LXDDpHNzdzByZC03UXo*");
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  /* A subprocess inherits the parent's session through the environment. */
  if (!g_test_subprocess ())
    keyring = ms_test_keyring_start (TRUE, &keyring_error);
  else
    keyring = ms_test_keyring_attach (&keyring_error);

  g_test_add_func ("/ms/secret-store/k1-store-lookup-clear", test_store_lookup_clear);
  g_test_add_func ("/ms/secret-store/k2-replace", test_replace);
  g_test_add_func ("/ms/secret-store/k6-cancel", test_cancel);
  g_test_add_func ("/ms/secret-store/k7-distinct-items", test_distinct_items);
  g_test_add_func ("/ms/secret-store/async-save", test_async_save);
  g_test_add_func ("/ms/secret-store/l3-sources", test_sources);
  g_test_add_func ("/ms/secret-store/l4-not-dumpable", test_not_dumpable);
  g_test_add_func ("/ms/secret-store/l5-attributes", test_attributes_hold_no_secret);
  g_test_add_func ("/ms/secret-store/l1-no-leak", test_no_leak);
  /* Last: it leaves the private keyring locked. */
  g_test_add_func ("/ms/secret-store/k5-locked", test_locked);

  status = g_test_run ();
  ms_test_keyring_stop (keyring);
  g_clear_error (&keyring_error);

  return status;
}
