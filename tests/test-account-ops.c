/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-account-ops"

#include "config.h"

#include <string.h>

#include "ms-account-ops.h"
#include "ms-error.h"
#include "ms-fake-server.h"
#include "ms-secret-store.h"
#include "ms-test-keyring.h"
#include "ms-test-util.h"

#define TEST_PASSWORD "K8-ops-pa\xc3\x9f-4Rt"

static MsTestKeyring *keyring;
static GError *keyring_error;

static MsAccountStore *
new_store (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_config_dir (), "mailsetup", NULL);
  MsAccountStore *store = ms_account_store_new (dir);

  g_assert_true (ms_account_store_load (store, NULL));
  return store;
}

static MsAccount *
account_for (const char *id,
             guint16     port)
{
  g_autofree char *ca = ms_test_pki_file ("ca.pem");
  MsAccount *account = ms_account_new (id);

  g_object_set (account,
                "address", MS_TEST_FROM,
                "host", "localhost",
                "port", (guint) port,
                "security", MS_SECURITY_TLS,
                "username", MS_FAKE_DEFAULT_USER,
                "ca-file", ca,
                NULL);
  return account;
}

static MsRequest *
request_for (MsAccount  *account,
             const char *password)
{
  g_autoptr(MsPassword) secret = ms_password_new (password, strlen (password));
  MsRequest *request = ms_account_make_request (account, secret);

  request->config->timeout_seconds = MS_TEST_MS (2);
  return request;
}

static gboolean
file_mentions (MsAccountStore *store,
               const char     *text)
{
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (ms_account_store_get_path (store), &contents, NULL, NULL))
    return FALSE;

  return strstr (contents, text) != NULL;
}

static void
assert_step (MsResult   *result,
             MsStepKind  kind,
             gboolean    ok)
{
  MsStep *step = ms_result_find_step (result, kind);

  g_assert_nonnull (step);
  g_assert_cmpint (step->ok, ==, ok);
}

static void
assert_nothing_stored (MsAccountStore *store,
                       const char     *id)
{
  g_autoptr(MsAccountStore) reloaded = new_store ();
  g_autoptr(MsAccount) found = ms_account_store_lookup (store, id, NULL);
  g_autoptr(MsAccount) on_disk = ms_account_store_lookup (reloaded, id, NULL);

  g_assert_null (found);
  g_assert_null (on_disk);
  g_assert_cmpuint (ms_test_keyring_count_items (keyring, id), ==, 0);
}

/* Sign in against the fake server, then store both. */
static void
test_add_verified (void)
{
  g_autoptr(MsFakeServer) server = NULL;
  g_autoptr(MsAccountStore) store = new_store ();
  g_autoptr(MsAccount) account = NULL;
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsResult) result = NULL;
  g_autoptr(MsAccount) stored = NULL;
  g_autoptr(MsPassword) found = NULL;

  if (ms_test_keyring_skip_if_absent (keyring, keyring_error))
    return;

  server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  ms_test_fake_server_start (server);
  account = account_for ("verified", ms_fake_server_get_port (server));
  request = request_for (account, MS_FAKE_DEFAULT_PASSWORD);

  result = ms_account_ops_add (store, account, request, MS_ACCOUNT_ADD_FLAGS_NONE, NULL);
  g_assert_null (result->error);
  g_assert_cmpstr (result->command, ==, "account-add");
  g_assert_cmpstr (result->account, ==, "verified");
  assert_step (result, MS_STEP_AUTH, TRUE);
  assert_step (result, MS_STEP_KEYRING, TRUE);
  assert_step (result, MS_STEP_CONFIG, TRUE);
  g_assert_cmpuint (ms_fake_server_get_n_auth_ok (server), ==, 1);

  stored = ms_account_store_lookup (store, "verified", NULL);
  g_assert_nonnull (stored);
  found = ms_secret_store_lookup (stored, NULL, NULL);
  g_assert_nonnull (found);
  g_assert_cmpstr (ms_password_get_text (found), ==, MS_FAKE_DEFAULT_PASSWORD);
  g_assert_true (file_mentions (store, "[verified]"));
  g_assert_false (file_mentions (store, MS_FAKE_DEFAULT_PASSWORD));

  g_assert_true (ms_account_ops_remove (store, "verified", NULL, NULL));
}

/* K8: a refused sign-in stores nothing. */
static void
test_add_sign_in_fails (void)
{
  g_autoptr(MsFakeServer) server = NULL;
  g_autoptr(MsAccountStore) store = new_store ();
  g_autoptr(MsAccount) account = NULL;
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsResult) result = NULL;

  if (ms_test_keyring_skip_if_absent (keyring, keyring_error))
    return;

  server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  ms_test_fake_server_start (server);
  account = account_for ("refused", ms_fake_server_get_port (server));
  request = request_for (account, TEST_PASSWORD);

  result = ms_account_ops_add (store, account, request, MS_ACCOUNT_ADD_FLAGS_NONE, NULL);
  g_assert_nonnull (result->error);
  g_assert_cmpint (result->error->code, ==, MS_ERROR_AUTH_FAILED);
  g_assert_null (ms_result_find_step (result, MS_STEP_KEYRING));
  assert_nothing_stored (store, "refused");
  g_assert_false (g_file_test (ms_account_store_get_path (store), G_FILE_TEST_EXISTS));
}

/* K8: when accounts.ini cannot be written, the secret just stored goes. */
static void
test_add_file_fails (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_config_dir (), "unwritable", NULL);
  g_autofree char *blocker = g_build_filename (dir, "accounts.ini", NULL);
  g_autoptr(MsAccountStore) store = ms_account_store_new (dir);
  g_autoptr(MsAccount) account = account_for ("unwritable", 465);
  g_autoptr(MsRequest) request = request_for (account, TEST_PASSWORD);
  g_autoptr(MsResult) result = NULL;

  if (ms_test_keyring_skip_if_absent (keyring, keyring_error))
    return;

  /* A folder where accounts.ini should be: the lock beside it works, the
   * keyring is changed, and only the write fails, so the change is undone. */
  g_assert_cmpint (g_mkdir_with_parents (blocker, 0700), ==, 0);
  result = ms_account_ops_add (store, account, request, MS_ACCOUNT_ADD_NO_VERIFY, NULL);
  g_assert_nonnull (result->error);
  g_assert_cmpint (result->error->code, ==, MS_ERROR_CONFIG_INVALID);
  g_assert_cmpint (result->error->step, ==, MS_STEP_CONFIG);
  assert_step (result, MS_STEP_KEYRING, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
  g_assert_cmpuint (ms_test_keyring_count_items (keyring, "unwritable"), ==, 0);
}

static void
test_add_invalid (void)
{
  g_autoptr(MsAccountStore) store = new_store ();
  g_autoptr(MsAccount) account = account_for ("Bad Id", 465);
  g_autoptr(MsAccount) twice = account_for ("twice", 465);
  g_autoptr(MsRequest) request = request_for (account, TEST_PASSWORD);
  g_autoptr(MsRequest) twice_request = request_for (twice, TEST_PASSWORD);
  g_autoptr(MsResult) result = NULL;

  if (ms_test_keyring_skip_if_absent (keyring, keyring_error))
    return;

  result = ms_account_ops_add (store, account, request, MS_ACCOUNT_ADD_NO_VERIFY, NULL);
  g_assert_cmpint (result->error->code, ==, MS_ERROR_INVALID_INPUT);
  g_assert_cmpint (result->error->step, ==, MS_STEP_CONFIG);
  g_clear_pointer (&result, ms_result_unref);

  result = ms_account_ops_add (store, twice, twice_request, MS_ACCOUNT_ADD_NO_VERIFY, NULL);
  g_assert_null (result->error);
  g_clear_pointer (&result, ms_result_unref);
  result = ms_account_ops_add (store, twice, twice_request, MS_ACCOUNT_ADD_NO_VERIFY, NULL);
  g_assert_cmpint (result->error->code, ==, MS_ERROR_INVALID_INPUT);
  g_assert_cmpuint (ms_test_keyring_count_items (keyring, "twice"), ==, 1);

  g_assert_true (ms_account_ops_remove (store, "twice", NULL, NULL));
}

/* K8: remove leaves no item behind, and works when the item is gone. */
static void
test_remove (void)
{
  g_autoptr(MsAccountStore) store = new_store ();
  g_autoptr(MsAccount) a = account_for ("rm-a", 465);
  g_autoptr(MsAccount) b = account_for ("rm-b", 587);
  g_autoptr(MsRequest) ra = request_for (a, TEST_PASSWORD);
  g_autoptr(MsRequest) rb = request_for (b, TEST_PASSWORD);
  g_autoptr(MsResult) result = NULL;
  g_autoptr(GError) error = NULL;

  if (ms_test_keyring_skip_if_absent (keyring, keyring_error))
    return;

  result = ms_account_ops_add (store, a, ra, MS_ACCOUNT_ADD_NO_VERIFY, NULL);
  g_assert_null (result->error);
  g_clear_pointer (&result, ms_result_unref);
  result = ms_account_ops_add (store, b, rb, MS_ACCOUNT_ADD_NO_VERIFY, NULL);
  g_assert_null (result->error);

  g_assert_true (ms_account_ops_remove (store, "rm-a", NULL, &error));
  g_assert_no_error (error);
  assert_nothing_stored (store, "rm-a");
  g_assert_false (file_mentions (store, "[rm-a]"));

  g_assert_true (ms_secret_store_clear ("rm-b", NULL, NULL));
  g_assert_true (ms_account_ops_remove (store, "rm-b", NULL, &error));
  g_assert_no_error (error);
  assert_nothing_stored (store, "rm-b");

  g_assert_false (ms_account_ops_remove (store, "rm-b", NULL, &error));
  g_assert_error (error, MS_ERROR, MS_ERROR_UNKNOWN_ACCOUNT);
}

static void
test_update (void)
{
  g_autoptr(MsAccountStore) store = new_store ();
  g_autoptr(MsAccount) account = account_for ("upd", 465);
  g_autoptr(MsRequest) request = request_for (account, TEST_PASSWORD);
  g_autoptr(MsResult) result = NULL;
  g_autoptr(MsAccount) edited = NULL;
  g_autoptr(MsPassword) found = NULL;
  g_autoptr(MsPassword) fresh = ms_password_new ("fresh-one", 9);
  g_autoptr(GError) error = NULL;

  if (ms_test_keyring_skip_if_absent (keyring, keyring_error))
    return;

  result = ms_account_ops_add (store, account, request, MS_ACCOUNT_ADD_NO_VERIFY, NULL);
  g_assert_null (result->error);

  /* New server, no new password: the secret moves with the account. */
  edited = ms_account_copy (account, NULL);
  ms_account_set_port (edited, 587);
  ms_account_set_security (edited, MS_SECURITY_STARTTLS);
  g_assert_true (ms_account_ops_update (store, edited, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (file_mentions (store, "port=587"));
  found = ms_secret_store_lookup (edited, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ms_password_get_text (found), ==, TEST_PASSWORD);
  g_assert_cmpuint (ms_test_keyring_count_items (keyring, "upd"), ==, 1);
  g_clear_pointer (&found, ms_password_unref);

  /* A new password replaces the item. */
  g_assert_true (ms_account_ops_update (store, edited, fresh, NULL, &error));
  found = ms_secret_store_lookup (edited, NULL, NULL);
  g_assert_cmpstr (ms_password_get_text (found), ==, "fresh-one");
  g_assert_cmpuint (ms_test_keyring_count_items (keyring, "upd"), ==, 1);

  g_assert_true (ms_account_ops_remove (store, "upd", NULL, NULL));
}

static void
test_set_default (void)
{
  g_autoptr(MsAccountStore) store = new_store ();
  g_autoptr(MsAccountStore) reloaded = NULL;
  g_autoptr(MsAccount) a = account_for ("def-a", 465);
  g_autoptr(MsAccount) b = account_for ("def-b", 465);
  g_autoptr(MsAccount) found = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (ms_account_store_add (store, a, NULL));
  g_assert_true (ms_account_store_add (store, b, NULL));
  g_assert_true (ms_account_ops_set_default (store, "def-b", &error));
  g_assert_no_error (error);

  reloaded = new_store ();
  found = ms_account_store_get_default (reloaded, NULL);
  g_assert_cmpstr (ms_account_get_id (found), ==, "def-b");

  g_assert_false (ms_account_ops_set_default (store, "nope", &error));
  g_assert_error (error, MS_ERROR, MS_ERROR_UNKNOWN_ACCOUNT);
}

static void
on_add_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  MsResult **out = user_data;

  *out = ms_account_ops_add_finish (result, NULL);
  g_assert_nonnull (*out);
}

static void
on_bool_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  int *out = user_data;
  g_autoptr(GError) error = NULL;

  *out = ms_account_ops_remove_finish (result, &error) ? 1 : 2;
  g_assert_no_error (error);
}

static void
test_async (void)
{
  g_autoptr(MsAccountStore) store = new_store ();
  g_autoptr(MsAccount) account = account_for ("async", 465);
  g_autoptr(MsRequest) request = request_for (account, TEST_PASSWORD);
  g_autoptr(MsResult) result = NULL;
  int removed = 0;

  if (ms_test_keyring_skip_if_absent (keyring, keyring_error))
    return;

  ms_account_ops_add_async (store, account, request, MS_ACCOUNT_ADD_NO_VERIFY, NULL,
                            on_add_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (result->error);
  g_assert_cmpuint (ms_test_keyring_count_items (keyring, "async"), ==, 1);
  g_assert_true (file_mentions (store, "[async]"));

  ms_account_ops_remove_async (store, "async", NULL, on_bool_done_cb, &removed);
  while (removed == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (removed, ==, 1);
  assert_nothing_stored (store, "async");
}

/* Cancelled before it starts: nothing stored, one callback. */
static void
test_cancelled (void)
{
  g_autoptr(MsAccountStore) store = new_store ();
  g_autoptr(MsAccount) account = account_for ("cancelled", 465);
  g_autoptr(MsRequest) request = request_for (account, TEST_PASSWORD);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(MsResult) result = NULL;

  if (ms_test_keyring_skip_if_absent (keyring, keyring_error))
    return;

  g_cancellable_cancel (cancellable);
  ms_account_ops_add_async (store, account, request, MS_ACCOUNT_ADD_NO_VERIFY, cancellable,
                            on_add_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (result->error->code, ==, MS_ERROR_CANCELLED);
  assert_nothing_stored (store, "cancelled");
}

/* With the keyring out of reach, add stores nothing and remove removes
 * nothing: the file and the keyring never disagree. */
static void
test_keyring_unavailable (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *address = g_strdup_printf ("unix:path=%s/no-bus", g_get_user_runtime_dir ());
      g_autoptr(MsAccountStore) store = new_store ();
      g_autoptr(MsAccount) account = account_for ("offline", 465);
      g_autoptr(MsAccount) kept = account_for ("kept", 465);
      g_autoptr(MsRequest) request = request_for (account, TEST_PASSWORD);
      g_autoptr(MsResult) result = NULL;
      g_autoptr(GError) error = NULL;

      g_setenv ("DBUS_SESSION_BUS_ADDRESS", address, TRUE);
      result = ms_account_ops_add (store, account, request, MS_ACCOUNT_ADD_NO_VERIFY, NULL);
      g_assert_cmpint (result->error->code, ==, MS_ERROR_KEYRING_UNAVAILABLE);
      g_assert_cmpint (result->error->step, ==, MS_STEP_KEYRING);
      g_assert_false (g_file_test (ms_account_store_get_path (store), G_FILE_TEST_EXISTS));

      g_assert_true (ms_account_store_add (store, kept, NULL));
      g_assert_true (ms_account_store_save (store, NULL));
      g_assert_false (ms_account_ops_remove (store, "kept", NULL, &error));
      g_assert_error (error, MS_ERROR, MS_ERROR_KEYRING_UNAVAILABLE);
      g_assert_true (file_mentions (store, "[kept]"));
      ms_test_assert_no_file_holds (g_get_home_dir (), TEST_PASSWORD);
      ms_test_assert_no_file_holds (g_get_user_config_dir (), TEST_PASSWORD);
      return;
    }

  g_test_trap_subprocess (NULL, 20 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout_unmatched ("*" TEST_PASSWORD "*");
  g_test_trap_assert_stderr_unmatched ("*" TEST_PASSWORD "*");
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  if (!g_test_subprocess ())
    keyring = ms_test_keyring_start (TRUE, &keyring_error);

  g_test_add_func ("/ms/account-ops/add-verified", test_add_verified);
  g_test_add_func ("/ms/account-ops/k8-add-sign-in-fails", test_add_sign_in_fails);
  g_test_add_func ("/ms/account-ops/k8-add-file-fails", test_add_file_fails);
  g_test_add_func ("/ms/account-ops/add-invalid", test_add_invalid);
  g_test_add_func ("/ms/account-ops/k8-remove", test_remove);
  g_test_add_func ("/ms/account-ops/update", test_update);
  g_test_add_func ("/ms/account-ops/set-default", test_set_default);
  g_test_add_func ("/ms/account-ops/async", test_async);
  g_test_add_func ("/ms/account-ops/cancelled", test_cancelled);
  g_test_add_func ("/ms/account-ops/keyring-unavailable", test_keyring_unavailable);

  status = g_test_run ();
  ms_test_keyring_stop (keyring);
  g_clear_error (&keyring_error);

  return status;
}
