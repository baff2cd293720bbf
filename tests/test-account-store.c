/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-account-store"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "ms-account-store.h"
#include "ms-error.h"

static char *
config_dir (void)
{
  return g_build_filename (g_get_user_config_dir (), "mailsetup-test", NULL);
}

static MsAccountStore *
load_text (const char  *text,
           GError     **error)
{
  g_autofree char *dir = config_dir ();
  g_autofree char *path = g_build_filename (dir, "accounts.ini", NULL);
  g_autoptr(MsAccountStore) store = ms_account_store_new (dir);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  if (!ms_account_store_load (store, error))
    return NULL;

  return g_steal_pointer (&store);
}

static MsAccount *
full_account (const char *id)
{
  MsAccount *account = ms_account_new (id);

  g_object_set (account,
                "address", "me@gmail.com",
                "display-name", "Backup notifications",
                "provider", "gmail",
                "host", "smtp.gmail.com",
                "port", 465,
                "security", MS_SECURITY_TLS,
                "username", "me@gmail.com",
                "ca-file", "/etc/ssl/private-ca.pem",
                "pin", "sha256//cB1F7wlz7hszpCtAsb3cBYsXW2KxeRZLzPOZz/ZUp1k=",
                NULL);

  return account;
}

static void
assert_same_account (MsAccount *a,
                     MsAccount *b)
{
  const char *keys[] = { "id", "address", "display-name", "provider", "host", "username",
                         "ca-file", "pin" };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autofree char *x = NULL;
      g_autofree char *y = NULL;

      g_object_get (a, keys[i], &x, NULL);
      g_object_get (b, keys[i], &y, NULL);
      g_assert_cmpstr (x, ==, y);
    }
  g_assert_cmpuint (ms_account_get_port (a), ==, ms_account_get_port (b));
  g_assert_cmpuint (ms_account_get_security (a), ==, ms_account_get_security (b));
  g_assert_cmpint (ms_account_get_default (a), ==, ms_account_get_default (b));
}

/* The contract's example, every key, written and read back. */
static void
test_round_trip (void)
{
  g_autofree char *dir = config_dir ();
  g_autoptr(MsAccountStore) store = ms_account_store_new (dir);
  g_autoptr(MsAccountStore) again = ms_account_store_new (dir);
  g_autoptr(MsAccount) backup = full_account ("backup");
  g_autoptr(MsAccount) nas = ms_account_new ("nas.local_2");
  g_autoptr(MsAccount) loaded = NULL;
  g_autoptr(GError) error = NULL;

  g_object_set (nas, "address", "nas@example.org", "host", "127.0.0.1",
                "security", MS_SECURITY_NONE, NULL);

  g_assert_true (ms_account_store_load (store, &error));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
  g_assert_true (ms_account_store_add (store, backup, &error));
  g_assert_true (ms_account_store_add (store, nas, &error));
  g_assert_true (ms_account_store_save (store, &error));
  g_assert_no_error (error);

  g_assert_true (ms_account_store_load (again, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (again)), ==, 2);
  loaded = ms_account_store_lookup (again, "backup", &error);
  assert_same_account (backup, loaded);
  g_assert_true (ms_account_get_default (loaded));
  g_clear_object (&loaded);
  loaded = g_list_model_get_item (G_LIST_MODEL (again), 1);
  assert_same_account (nas, loaded);
}

/* Missing optional keys: the port follows the security mode, the user name
 * is the address, the first account is the default. */
static void
test_defaults (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsAccountStore) store = load_text ("[a]\naddress=a@example.com\nhost=smtp.example.com\n"
                                               "[b]\naddress=b@example.com\nhost=smtp.example.com\n"
                                               "security=starttls\nusername=bee\n", &error);
  g_autoptr(MsAccount) a = NULL;
  g_autoptr(MsAccount) b = NULL;
  g_autoptr(MsSmtpConfig) config = NULL;

  g_assert_no_error (error);
  a = ms_account_store_lookup (store, "a", NULL);
  b = ms_account_store_lookup (store, "b", NULL);
  g_assert_cmpuint (ms_account_get_port (a), ==, 0);
  g_assert_cmpuint (ms_account_get_effective_port (a), ==, 465);
  g_assert_cmpuint (ms_account_get_effective_port (b), ==, 587);
  g_assert_cmpstr (ms_account_get_effective_username (a), ==, "a@example.com");
  g_assert_true (ms_account_get_default (a));
  g_assert_false (ms_account_get_default (b));

  config = ms_account_to_smtp_config (b);
  g_assert_cmpstr (config->host, ==, "smtp.example.com");
  g_assert_cmpuint (config->port, ==, 587);
  g_assert_cmpint (config->security, ==, MS_SECURITY_STARTTLS);
  g_assert_cmpstr (config->username, ==, "bee");
}

static void
test_config_dir_order (void)
{
  g_autofree char *xdg = g_build_filename (g_get_user_config_dir (), "mailsetup", NULL);
  g_autofree char *found = NULL;

  g_unsetenv ("MAILSETUP_CONFIG_DIR");
  found = ms_account_store_find_config_dir (NULL);
  g_assert_cmpstr (found, ==, xdg);
  g_clear_pointer (&found, g_free);

  g_setenv ("MAILSETUP_CONFIG_DIR", "/from/env", TRUE);
  found = ms_account_store_find_config_dir (NULL);
  g_assert_cmpstr (found, ==, "/from/env");
  g_clear_pointer (&found, g_free);

  found = ms_account_store_find_config_dir ("/from/option");
  g_assert_cmpstr (found, ==, "/from/option");
  g_unsetenv ("MAILSETUP_CONFIG_DIR");
}

static void
test_one_default (void)
{
  g_autofree char *dir = config_dir ();
  g_autoptr(MsAccountStore) store = ms_account_store_new (dir);
  g_autoptr(MsAccount) a = full_account ("a");
  g_autoptr(MsAccount) b = full_account ("b");
  g_autoptr(MsAccount) c = full_account ("c");
  g_autoptr(MsAccount) found = NULL;
  g_autoptr(GError) error = NULL;

  found = ms_account_store_get_default (store, &error);
  g_assert_error (error, MS_ERROR, MS_ERROR_UNKNOWN_ACCOUNT);
  g_clear_error (&error);

  g_assert_true (ms_account_store_add (store, a, NULL));
  g_assert_true (ms_account_store_add (store, b, NULL));
  g_assert_true (ms_account_get_default (a));
  g_assert_false (ms_account_get_default (b));

  ms_account_set_default (c, TRUE);
  g_assert_true (ms_account_store_add (store, c, NULL));
  g_assert_false (ms_account_get_default (a));
  g_assert_true (ms_account_get_default (c));

  g_assert_true (ms_account_store_set_default (store, "b", NULL));
  g_assert_false (ms_account_get_default (c));
  g_assert_true (ms_account_get_default (b));

  g_assert_false (ms_account_store_set_default (store, "zz", &error));
  g_assert_error (error, MS_ERROR, MS_ERROR_UNKNOWN_ACCOUNT);
  g_clear_error (&error);

  g_assert_true (ms_account_store_remove (store, "b", NULL));
  g_assert_true (ms_account_get_default (a));
  found = ms_account_store_get_default (store, NULL);
  g_assert_true (found == a);

  g_assert_false (ms_account_store_remove (store, "b", &error));
  g_assert_error (error, MS_ERROR, MS_ERROR_UNKNOWN_ACCOUNT);
  g_clear_error (&error);

  g_clear_object (&c);
  c = full_account ("a");
  g_assert_false (ms_account_store_add (store, c, &error));
  g_assert_error (error, MS_ERROR, MS_ERROR_INVALID_INPUT);
}

typedef struct
{
  const char *text;
  const char *expected;   /* a glob over the message */
} Corruption;

static void
test_corruption (void)
{
  const Corruption cases[] = {
    { "[a]\naddress=a@example.com\nhost=h.example.com\njunk line\n", "*line 4:*" },
    { "# c\n[Not An Id]\naddress=a@example.com\nhost=h.example.com\n", "*line 2:*" },
    { "[a\naddress=a@example.com\n", "*line 1:*" },
    { "address=a@example.com\n", "*line 1:*" },
    { "[a]\naddress=a@example.com\nhost=h.example.com\n[a]\nport=1\n", "*line 4:*twice*" },
    { "[a]\naddress=a@example.com\nhost=h.example.com\nport=99999\n", "*line 4:*“a”*“port”*" },
    { "[a]\naddress=a@example.com\nhost=h.example.com\nport=abc\n", "*line 4:*“port”*" },
    { "[a]\naddress=a@example.com\nhost=h.example.com\n\nsecurity=ssl\n", "*line 5:*“security”*" },
    { "[a]\naddress=a@example.com\nhost=h.example.com\nsecurity=auto\n", "*line 4:*“security”*" },
    { "[a]\naddress=a@example.com\nhost=h.example.com\ndefault=maybe\n", "*line 4:*“default”*" },
    { "[a]\naddress=a@example.com\n", "*line 1:*“host”*" },
    { "[a]\naddress=not an address\nhost=h.example.com\n", "*line 1:*“a”*" },
    { "[a]\naddress=a@example.com\nhost=h.example.com\ndefault=true\n"
      "[b]\naddress=b@example.com\nhost=h.example.com\ndefault=true\n", "*line 8:*“b”*“default”*" },
    { "[a]\naddress=a@example.com\nhost=h.example.com\ndisplay-name=\xff\xfe\n", "*line 4:*UTF-8*" },
    /* found by fuzzing: a repeated key would survive a save unseen */
    { "[a]\naddress=a@example.com\nhost=h.example.com\npassword=one\npassword=two\n",
      "*line 5:*“password”*twice*" },
    /* found by fuzzing: IDNA maps a soft hyphen to nothing */
    { "[a]\naddress=a@example.com\nhost=\xc2\xad\n", "*“a”*Server*" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MsAccountStore) store = load_text (cases[i].text, &error);

      g_test_message ("case %u: %s", i, error ? error->message : "(loaded)");
      g_assert_null (store);
      g_assert_error (error, MS_ERROR, MS_ERROR_CONFIG_INVALID);
      g_assert_true (g_pattern_match_simple ("*accounts.ini*", error->message));
      g_assert_true (g_pattern_match_simple (cases[i].expected, error->message));
    }
}

/* A failed load keeps what the store held. */
static void
test_failed_load_keeps_accounts (void)
{
  g_autofree char *dir = config_dir ();
  g_autofree char *path = g_build_filename (dir, "accounts.ini", NULL);
  g_autoptr(MsAccountStore) store = load_text ("# mine\n[a]\naddress=a@example.com\n"
                                               "host=h.example.com\nx-future=kept\n", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = NULL;

  g_assert_nonnull (store);
  g_assert_true (g_file_set_contents (path, "[a]\nbroken\n", -1, NULL));
  g_assert_false (ms_account_store_load (store, &error));
  g_assert_error (error, MS_ERROR, MS_ERROR_CONFIG_INVALID);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);

  /* Found by fuzzing: a file that parses but holds an invalid account must
   * not leave its key file behind either; a save writes the old one. */
  g_clear_error (&error);
  g_assert_true (g_file_set_contents (path, "[b]\naddress=b@example.com\nhost=h.example.com\n"
                                      "port=0x\nx-rejected=1\n", -1, NULL));
  g_assert_false (ms_account_store_load (store, &error));
  g_assert_true (ms_account_store_save (store, NULL));
  g_assert_true (g_file_get_contents (path, &saved, NULL, NULL));
  g_assert_nonnull (strstr (saved, "# mine"));
  g_assert_nonnull (strstr (saved, "x-future=kept"));
  g_assert_null (strstr (saved, "x-rejected"));
  g_assert_null (strstr (saved, "[b]"));
}

static void
test_permissions (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_config_dir (), "new", "mailsetup", NULL);
  g_autofree char *path = g_build_filename (dir, "accounts.ini", NULL);
  g_autoptr(MsAccountStore) store = ms_account_store_new (dir);
  g_autoptr(MsAccount) account = full_account ("a");
  g_autoptr(GError) error = NULL;
  mode_t old_umask = umask (022);
  struct stat st;

  g_assert_true (ms_account_store_add (store, account, NULL));
  g_assert_true (ms_account_store_save (store, &error));
  g_assert_no_error (error);
  umask (old_umask);

  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* A file that was readable by others is 0600 again after a save. */
  g_assert_cmpint (g_chmod (path, 0644), ==, 0);
  g_assert_true (ms_account_store_save (store, &error));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
}

/* Our own folder under XDG_CONFIG_HOME is tightened to 0700. */
static void
test_default_folder_tightened (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_config_dir (), "mailsetup", NULL);
  g_autoptr(MsAccountStore) store = NULL;
  g_autoptr(MsAccount) account = full_account ("a");
  struct stat st;

  g_unsetenv ("MAILSETUP_CONFIG_DIR");
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
  store = ms_account_store_new (NULL);
  g_assert_cmpstr (ms_account_store_get_config_dir (store), ==, dir);
  g_assert_true (ms_account_store_add (store, account, NULL));
  g_assert_true (ms_account_store_save (store, NULL));
  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
}

/* A write that fails half-way leaves the old file whole: the new text goes
 * to a temporary file first. RLIMIT_FSIZE makes the write fail even for
 * root, whom a read-only folder does not stop. */
static void
test_atomic_write (void)
{
  g_autofree char *dir = config_dir ();
  g_autofree char *path = g_build_filename (dir, "accounts.ini", NULL);
  g_autoptr(MsAccountStore) store = load_text ("[a]\naddress=a@example.com\nhost=h.example.com\n", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;
  struct rlimit saved, small;
  void (*saved_handler) (int);

  g_assert_nonnull (store);
  g_assert_true (g_file_get_contents (path, &before, NULL, NULL));
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *id = g_strdup_printf ("more-%u", i);
      g_autoptr(MsAccount) account = full_account (id);

      g_assert_true (ms_account_store_add (store, account, NULL));
    }

  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  small = saved;
  small.rlim_cur = 64;
  saved_handler = signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &small), ==, 0);
  g_assert_false (ms_account_store_save (store, &error));
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  signal (SIGXFSZ, saved_handler);

  g_assert_error (error, MS_ERROR, MS_ERROR_CONFIG_INVALID);
  g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
  g_assert_cmpstr (before, ==, after);
}

/* Keys this version does not know are kept, except ones that look like a
 * secret; comments survive; removed accounts lose their group. */
static void
test_unknown_keys (void)
{
  g_autofree char *dir = config_dir ();
  g_autofree char *path = g_build_filename (dir, "accounts.ini", NULL);
  g_autoptr(MsAccountStore) store = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  store = load_text ("# my accounts\n[a]\naddress=a@example.com\nhost=h.example.com\n"
                     "future-key=kept\npassword=hunter2\nsmtp_token=abc\n"
                     "[b]\naddress=b@example.com\nhost=h.example.com\n", &error);
  g_assert_no_error (error);
  g_assert_true (ms_account_store_remove (store, "b", NULL));
  g_assert_true (ms_account_store_save (store, &error));
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));

  g_assert_nonnull (strstr (text, "# my accounts"));
  g_assert_nonnull (strstr (text, "future-key=kept"));
  g_assert_null (strstr (text, "hunter2"));
  g_assert_null (strstr (text, "abc"));
  g_assert_null (strstr (text, "[b]"));
}

static void
test_replace (void)
{
  g_autofree char *dir = config_dir ();
  g_autoptr(MsAccountStore) store = ms_account_store_new (dir);
  g_autoptr(MsAccount) a = full_account ("a");
  g_autoptr(MsAccount) edited = NULL;
  g_autoptr(MsAccount) found = NULL;
  g_autoptr(MsAccount) stranger = full_account ("stranger");
  g_autoptr(MsAccount) bad = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (ms_account_store_add (store, a, NULL));
  edited = ms_account_copy (a, NULL);
  ms_account_set_default (edited, FALSE);
  ms_account_set_host (edited, "smtp.example.net");
  g_assert_true (ms_account_store_replace (store, edited, &error));
  found = ms_account_store_lookup (store, "a", NULL);
  g_assert_true (found == edited);
  /* The default mark stays where it was. */
  g_assert_true (ms_account_get_default (found));

  bad = ms_account_copy (edited, NULL);
  ms_account_set_host (bad, "bad\r\nhost");
  g_assert_false (ms_account_store_replace (store, bad, &error));
  g_assert_error (error, MS_ERROR, MS_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  g_assert_false (ms_account_store_replace (store, stranger, &error));
  g_assert_error (error, MS_ERROR, MS_ERROR_UNKNOWN_ACCOUNT);
}

static void
on_notify_cb (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  (*(guint *) user_data)++;
}

/* Notify only on change (CONTRIBUTING.md, "House style"). */
static void
test_notify (void)
{
  g_autoptr(MsAccount) account = ms_account_new ("a");
  guint count = 0;

  g_signal_connect (account, "notify::host", G_CALLBACK (on_notify_cb), &count);
  ms_account_set_host (account, "h.example.com");
  ms_account_set_host (account, "h.example.com");
  g_object_set (account, "host", "h.example.com", NULL);
  g_assert_cmpuint (count, ==, 1);
  ms_account_set_host (account, "");
  g_assert_null (ms_account_get_host (account));
  g_assert_cmpuint (count, ==, 2);
}


/* Two programs changing accounts.ini: under the lock, each reads the file
 * again before its change, so neither change is lost. */
static void
test_refresh_under_lock (void)
{
  g_autofree char *dir = config_dir ();
  g_autoptr(MsAccountStore) first = ms_account_store_new (dir);
  g_autoptr(MsAccountStore) second = ms_account_store_new (dir);
  g_autoptr(MsAccountStore) check = ms_account_store_new (dir);
  g_autoptr(MsAccount) a = full_account ("first");
  g_autoptr(MsAccount) b = full_account ("second");
  g_autoptr(GError) error = NULL;
  g_autoptr(MsAccountStoreLock) lock = NULL;
  MsAccount *kept;

  g_assert_true (ms_account_store_load (first, &error));
  g_assert_true (ms_account_store_load (second, &error));

  lock = ms_account_store_lock (first, NULL, &error);
  g_assert_nonnull (lock);
  g_assert_true (ms_account_store_refresh (first, &error));
  g_assert_true (ms_account_store_add (first, a, &error));
  g_assert_true (ms_account_store_save (first, &error));
  g_clear_pointer (&lock, ms_account_store_unlock);
  g_assert_true (ms_account_store_has_stored (second, "first"));

  lock = ms_account_store_lock (second, NULL, &error);
  g_assert_nonnull (lock);
  g_assert_true (ms_account_store_refresh (second, &error));
  g_assert_true (ms_account_store_add (second, b, &error));
  g_assert_true (ms_account_store_save (second, &error));
  g_clear_pointer (&lock, ms_account_store_unlock);
  g_assert_no_error (error);

  g_assert_true (ms_account_store_load (check, &error));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (check)), ==, 2);

  /* An unchanged file is not read again: the accounts keep their objects. */
  kept = g_list_model_get_item (G_LIST_MODEL (check), 0);
  g_assert_true (ms_account_store_refresh (check, &error));
  g_assert_true (g_list_model_get_item (G_LIST_MODEL (check), 0) == kept);
  g_object_unref (kept);
  g_object_unref (kept);
}

typedef struct
{
  MsAccountStore *store;
  gint            acquired;
} LockWaiter;

static gpointer
take_lock_thread (gpointer data)
{
  LockWaiter *waiter = data;
  MsAccountStoreLock *lock = ms_account_store_lock (waiter->store, NULL, NULL);

  g_assert_nonnull (lock);
  g_atomic_int_set (&waiter->acquired, 1);
  ms_account_store_unlock (lock);

  return NULL;
}

/* The lock is exclusive (flock on accounts.ini.lock, 0600): a second taker
 * waits until the first lets go. */
static void
test_lock_exclusive (void)
{
  g_autofree char *dir = config_dir ();
  g_autofree char *lock_path = g_build_filename (dir, "accounts.ini.lock", NULL);
  g_autoptr(MsAccountStore) store = ms_account_store_new (dir);
  g_autoptr(MsAccountStore) other = ms_account_store_new (dir);
  g_autoptr(GError) error = NULL;
  MsAccountStoreLock *lock = ms_account_store_lock (store, NULL, &error);
  LockWaiter waiter = { other, 0 };
  GThread *thread;
  GStatBuf st;

  g_assert_no_error (error);
  g_assert_nonnull (lock);
  g_assert_cmpint (g_stat (lock_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  thread = g_thread_new ("lock-waiter", take_lock_thread, &waiter);
  g_usleep (300 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpint (g_atomic_int_get (&waiter.acquired), ==, 0);
  ms_account_store_unlock (lock);
  g_thread_join (thread);
  g_assert_cmpint (g_atomic_int_get (&waiter.acquired), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/ms/account-store/round-trip", test_round_trip);
  g_test_add_func ("/ms/account-store/defaults", test_defaults);
  g_test_add_func ("/ms/account-store/config-dir-order", test_config_dir_order);
  g_test_add_func ("/ms/account-store/one-default", test_one_default);
  g_test_add_func ("/ms/account-store/corruption", test_corruption);
  g_test_add_func ("/ms/account-store/failed-load", test_failed_load_keeps_accounts);
  g_test_add_func ("/ms/account-store/permissions", test_permissions);
  g_test_add_func ("/ms/account-store/default-folder", test_default_folder_tightened);
  g_test_add_func ("/ms/account-store/atomic-write", test_atomic_write);
  g_test_add_func ("/ms/account-store/unknown-keys", test_unknown_keys);
  g_test_add_func ("/ms/account-store/replace", test_replace);
  g_test_add_func ("/ms/account-store/notify", test_notify);
  g_test_add_func ("/ms/account-store/refresh-under-lock", test_refresh_under_lock);
  g_test_add_func ("/ms/account-store/lock-exclusive", test_lock_exclusive);

  return g_test_run ();
}
