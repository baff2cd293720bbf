/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-cli-system"

#include "config.h"

#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "ms-fake-server.h"
#include "ms-test-cli.h"
#include "ms-test-util.h"

/* System accounts end to end (docs/contract.md, "System accounts: root's
 * jobs without a plaintext password"): mailsetup-cli as root with no
 * configuration folder of its own and no D-Bus session, the real
 * systemd-creds, the fake server with the test PKI. The contract's
 * variables point the system folders at a throw-away folder. */

#define SYSTEM_PASSWORD "Sys-s3aled-pw-4Kq"
#define NOBODY_UID 65534

typedef struct
{
  MsFakeServer *server;
  char         *root;        /* the throw-away folder */
  char         *system_dir;  /* MAILSETUP_SYSTEM_DIR */
  char         *state_dir;   /* MAILSETUP_STATE_DIR */
  char         *port;
  char         *ca;
} Fixture;

/* Root and a systemd-creds that seals and opens here, or a reason. */
static char *
why_not_usable (void)
{
  g_autofree char *program = g_find_program_in_path ("systemd-creds");
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sealed = NULL;
  g_autofree char *opened = NULL;
  g_autofree char *err = NULL;
  g_autofree char *file = NULL;
  g_autofree char *dir = NULL;

  if (geteuid () != 0)
    return g_strdup ("not root: system accounts are root's");
  if (program == NULL)
    return g_strdup ("no systemd-creds on this machine");

  dir = g_dir_make_tmp ("mailsetup-creds-XXXXXX", &error);
  g_assert_no_error (error);
  file = g_build_filename (dir, "probe.cred", NULL);
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                              | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                              program, "encrypt", "--name=mailsetup-probe", "-", file, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, "probe", NULL, &sealed, &err, &error);
  g_assert_no_error (error);
  if (g_subprocess_get_exit_status (process) == 0)
    {
      g_clear_object (&process);
      g_clear_pointer (&err, g_free);
      process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                  &error, program, "decrypt", "--name=mailsetup-probe", file, "-",
                                  NULL);
      g_assert_no_error (error);
      g_subprocess_communicate_utf8 (process, NULL, NULL, &opened, &err, &error);
      g_assert_no_error (error);
    }
  g_unlink (file);
  g_rmdir (dir);
  if (g_strcmp0 (opened, "probe") != 0)
    return g_strdup_printf ("systemd-creds cannot seal and open here: %s", err ? err : "");

  return NULL;
}

/* Runs mailsetup-cli as root's cron would: no XDG_CONFIG_HOME, no
 * MAILSETUP_CONFIG_DIR, no session bus; the system folders in the
 * throw-away folder. @env holds more NAME=VALUE pairs (or NAME= to unset). */
static void
cli_run_program (Fixture            *fixture,
                 MsCliRun           *run,
                 const char         *program,
                 const char         *input,
                 gboolean            log_output,
                 const char * const *env,
                 const char * const *prefix,
                 const char * const *argv)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE
                                        | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_unsetenv (launcher, "XDG_CONFIG_HOME");
  g_subprocess_launcher_unsetenv (launcher, "MAILSETUP_CONFIG_DIR");
  g_subprocess_launcher_unsetenv (launcher, "DBUS_SESSION_BUS_ADDRESS");
  g_subprocess_launcher_setenv (launcher, "MAILSETUP_SYSTEM_DIR", fixture->system_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "MAILSETUP_STATE_DIR", fixture->state_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "MAILSETUP_LOCALEDIR", MS_TEST_LOCALEDIR, TRUE);
  for (guint i = 0; env != NULL && env[i] != NULL; i++)
    {
      g_auto(GStrv) pair = g_strsplit (env[i], "=", 2);

      if (pair[1][0] == '\0')
        g_subprocess_launcher_unsetenv (launcher, pair[0]);
      else
        g_subprocess_launcher_setenv (launcher, pair[0], pair[1], TRUE);
    }

  for (guint i = 0; prefix != NULL && prefix[i] != NULL; i++)
    g_ptr_array_add (args, (char *) prefix[i]);
  g_ptr_array_add (args, (char *) program);
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (args, (char *) argv[i]);
  g_ptr_array_add (args, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input ? input : "", NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  run->status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
  g_test_message ("%s: exit %d\nstdout: %s\nstderr: %s", argv[0], run->status,
                  log_output ? run->out : "(not logged)", run->err);

  ms_test_check_no_secret ("stderr", (const guint8 *) run->err, strlen (run->err),
                           MS_FAKE_DEFAULT_USER, SYSTEM_PASSWORD);
  if (log_output)
    ms_test_check_no_secret ("stdout", (const guint8 *) run->out, strlen (run->out),
                             MS_FAKE_DEFAULT_USER, SYSTEM_PASSWORD);
}

static void
cli_run_env (Fixture            *fixture,
             MsCliRun           *run,
             const char         *input,
             gboolean            log_output,
             const char * const *env,
             const char * const *prefix,
             const char * const *argv)
{
  cli_run_program (fixture, run, MS_CLI_PATH, input, log_output, env, prefix, argv);
}

static void
cli_run (Fixture            *fixture,
         MsCliRun           *run,
         const char         *input,
         const char * const *argv)
{
  cli_run_env (fixture, run, input, TRUE, NULL, NULL, argv);
}

static void
add_system_account (Fixture *fixture)
{
  g_auto(MsCliRun) run = { 0 };

  cli_run (fixture, &run, SYSTEM_PASSWORD "\n",
           (const char *[]) { "account", "add", "nas", "--address", MS_FAKE_DEFAULT_USER,
                              "--host", "localhost", "--port", fixture->port, "--security", "tls",
                              "--ca-file", fixture->ca, "--password-stdin", NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "System account “nas” saved"));
  /* The step that stored the password is named for what it did: no keyring. */
  g_assert_nonnull (strstr (run.out, "✓ Sealed password"));
  g_assert_null (strstr (run.out, "Keyring"));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *why = why_not_usable ();
  g_autoptr(GError) error = NULL;

  if (why != NULL)
    {
      g_test_skip (why);
      return;
    }

  fixture->root = g_dir_make_tmp ("mailsetup-system-XXXXXX", &error);
  g_assert_no_error (error);
  /* The non-root test reaches its own folder in here. */
  g_assert_cmpint (g_chmod (fixture->root, 0755), ==, 0);
  fixture->system_dir = g_build_filename (fixture->root, "etc", "mailsetup", NULL);
  fixture->state_dir = g_build_filename (fixture->root, "spool", "mailsetup", NULL);

  fixture->server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  ms_fake_server_set_credentials (fixture->server, MS_FAKE_DEFAULT_USER, SYSTEM_PASSWORD);
  ms_test_fake_server_start (fixture->server);
  fixture->port = g_strdup_printf ("%u", ms_fake_server_get_port (fixture->server));
  fixture->ca = ms_test_pki_file ("ca.pem");

  add_system_account (fixture);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_pointer (&fixture->server, ms_fake_server_free);
  if (fixture->root != NULL)
    remove_tree (fixture->root);
  g_free (fixture->root);
  g_free (fixture->system_dir);
  g_free (fixture->state_dir);
  g_free (fixture->port);
  g_free (fixture->ca);
}

static char *
sealed_file (Fixture *fixture)
{
  return g_build_filename (fixture->system_dir, "credentials", "nas.cred", NULL);
}

static int
decrypt_with_systemd_creds (const char  *name,
                            const char  *file,
                            char       **out)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *option = g_strconcat ("--name=", name, NULL);

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                              &error, "systemd-creds", "decrypt", option, file, "-", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, out, NULL, &error);
  g_assert_no_error (error);

  return g_subprocess_get_exit_status (process);
}

/* No file anywhere under @path holds the password in any form (L1). */
static void
assert_no_clear_secret (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_autofree char *data = NULL;
      gsize length = 0;

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        {
          assert_no_clear_secret (child);
          continue;
        }
      g_assert_true (g_file_get_contents (child, &data, &length, NULL));
      g_assert_true (ms_test_check_no_secret (child, (const guint8 *) data, length,
                                              MS_FAKE_DEFAULT_USER, SYSTEM_PASSWORD));
    }
}

static void
assert_mode (const char *path,
             guint       mode)
{
  struct stat st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 0777, ==, mode);
}

static JsonObject *
parse_object (JsonParser *parser,
              const char *text)
{
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);

  return json_node_get_object (json_parser_get_root (parser));
}

/* account add as root signs in, seals the password under its name, and
 * leaves it nowhere in clear; show, password and remove use the same. */
static void
test_sealed_account (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *file = NULL;
  g_autofree char *ini = g_build_filename (fixture->system_dir, "accounts.ini", NULL);
  g_autofree char *opened = NULL;
  g_autofree char *refused = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_auto(MsCliRun) show = { 0 };
  g_auto(MsCliRun) password = { 0 };
  g_auto(MsCliRun) removed = { 0 };
  JsonObject *account;

  if (fixture->root == NULL)
    return;

  g_assert_cmpuint (ms_fake_server_get_n_auth_ok (fixture->server), ==, 1);
  file = sealed_file (fixture);
  assert_mode (file, 0600);
  assert_mode (ini, 0600);
  assert_mode (fixture->system_dir, 0700);

  /* Sealed under its name: it opens as mailsetup-nas and as nothing else. */
  g_assert_cmpint (decrypt_with_systemd_creds ("mailsetup-nas", file, &opened), ==, 0);
  g_assert_true (g_strcmp0 (opened, SYSTEM_PASSWORD) == 0);
  g_assert_cmpint (decrypt_with_systemd_creds ("mailsetup-other", file, &refused), !=, 0);
  assert_no_clear_secret (fixture->root);

  cli_run (fixture, &show, NULL, (const char *[]) { "--json", "account", "show", "nas", NULL });
  g_assert_cmpint (show.status, ==, 0);
  account = json_object_get_object_member (parse_object (parser, show.out), "account");
  g_assert_cmpstr (json_object_get_string_member (account, "store"), ==, "system-credential");

  /* For msmtp's passwordeval: the password and a newline, never logged. */
  cli_run_env (fixture, &password, NULL, FALSE, NULL, NULL,
               (const char *[]) { "password", "nas", NULL });
  g_assert_cmpint (password.status, ==, 0);
  g_assert_true (g_strcmp0 (password.out, SYSTEM_PASSWORD "\n") == 0);

  cli_run (fixture, &removed, NULL, (const char *[]) { "account", "remove", "nas", NULL });
  g_assert_cmpint (removed.status, ==, 0);
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
}

static char *
message_text (const char *subject)
{
  return g_strdup_printf ("From: root\nTo: %s\nSubject: %s\n\nThe nightly backup finished.\n",
                          MS_FAKE_DEFAULT_USER, subject);
}

static guint
count_kept (Fixture    *fixture,
            const char *state)
{
  g_auto(MsCliRun) list = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *messages;
  guint n = 0;

  cli_run (fixture, &list, NULL, (const char *[]) { "--json", "queue", "list", NULL });
  g_assert_cmpint (list.status, ==, 0);
  messages = json_object_get_array_member (parse_object (parser, list.out), "messages");
  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonObject *entry = json_array_get_object_element (messages, i);

      if (g_str_equal (json_object_get_string_member (entry, "state"), state))
        n++;
    }

  return n;
}

/* send with the sealed secret delivers, over TLS, signed in. */
static void
test_send_delivers (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *input = message_text ("Backup done");
  g_autoptr(MsFakeMessage) message = NULL;
  g_auto(MsCliRun) run = { 0 };

  if (fixture->root == NULL)
    return;

  cli_run (fixture, &run, input, (const char *[]) { "send", "-i", MS_FAKE_DEFAULT_USER, NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpuint (ms_fake_server_get_n_messages (fixture->server), ==, 1);
  message = ms_fake_server_dup_message (fixture->server, 0);
  g_assert_cmpstr (message->rcpt_to[0], ==, MS_FAKE_DEFAULT_USER);
  g_assert_cmpstr (message->auth_user, ==, MS_FAKE_DEFAULT_USER);
  g_assert_true (message->over_tls);
  g_assert_true (ms_test_bytes_contain (message->content, "Subject: Backup done", FALSE));
  g_assert_cmpuint (count_kept (fixture, "queued") + count_kept (fixture, "held"), ==, 0);
  assert_no_clear_secret (fixture->root);
}

static void
damage_sealed_file (Fixture *fixture)
{
  g_autofree char *file = sealed_file (fixture);
  g_autofree char *data = NULL;
  gsize length = 0;

  /* Flip one byte in the middle of the ciphertext. */
  g_assert_true (g_file_get_contents (file, &data, &length, NULL));
  g_assert_cmpuint (length, >, 40);
  data[length / 2] = data[length / 2] == 'A' ? 'B' : 'A';
  g_assert_true (g_file_set_contents (file, data, length, NULL));
}

static void
assert_credential_unavailable (Fixture    *fixture,
                               const char *language,
                               const char *expected_advice)
{
  g_auto(MsCliRun) run = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *language_env = g_strconcat ("LANGUAGE=", language, NULL);
  JsonObject *error;

  cli_run_env (fixture, &run, NULL, TRUE, (const char *[]) { language_env, NULL }, NULL,
               (const char *[]) { "--json", "password", "nas", NULL });
  g_assert_cmpint (run.status, ==, 78);
  error = json_object_get_object_member (parse_object (parser, run.out), "error");
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, "credential-unavailable");
  g_assert_nonnull (strstr (json_object_get_string_member (error, "advice"), expected_advice));
}

/* A damaged sealed file: 78 credential-unavailable with the advice to
 * store it again, in English and Japanese; send keeps the message. */
static void
test_damaged_credential (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *input = message_text ("Disk check");
  g_auto(MsCliRun) send = { 0 };
  g_auto(MsCliRun) diagnose = { 0 };

  if (fixture->root == NULL)
    return;

  damage_sealed_file (fixture);
  assert_credential_unavailable (fixture, "en", "Store the password again on this machine");
  assert_credential_unavailable (fixture, "ja", "このマシンでパスワードを保存し直して");

  cli_run (fixture, &send, input, (const char *[]) { "send", "-i", MS_FAKE_DEFAULT_USER, NULL });
  g_assert_cmpint (send.status, ==, 78);
  g_assert_nonnull (strstr (send.err, "credential-unavailable"));
  g_assert_nonnull (strstr (send.err, "kept in the outbox"));
  g_assert_cmpuint (ms_fake_server_get_n_messages (fixture->server), ==, 0);
  g_assert_cmpuint (count_kept (fixture, "held"), ==, 1);

  cli_run (fixture, &diagnose, NULL, (const char *[]) { "diagnose", "nas", NULL });
  g_assert_cmpint (diagnose.status, ==, 78);
  g_assert_nonnull (strstr (diagnose.out, "System account"));
  g_assert_nonnull (strstr (diagnose.out, "✗ Sealed password"));
}

/* Debian's cron mails root's job output exactly so; through a `sendmail`
 * link it reaches the system account's own address (no aliases file), with
 * cron's From rewritten to that address. */
static void
test_root_cron_line (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *bin = NULL;
  g_autofree char *sendmail = NULL;
  g_autoptr(MsFakeMessage) message = NULL;
  g_auto(MsCliRun) run = { 0 };
  const char *input = "From: root (Cron Daemon)\nTo: root\n"
                      "Subject: Cron <root@nas> test -x /usr/sbin/anacron || run-parts --report /etc/cron.daily\n"
                      "MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n"
                      "Content-Transfer-Encoding: 8bit\n\n/etc/cron.daily/logrotate: done\n";

  if (fixture->root == NULL)
    return;

  bin = g_build_filename (fixture->root, "sbin", NULL);
  sendmail = g_build_filename (bin, "sendmail", NULL);
  g_assert_cmpint (g_mkdir_with_parents (bin, 0755), ==, 0);
  g_assert_cmpint (symlink (MS_CLI_PATH, sendmail), ==, 0);

  cli_run_program (fixture, &run, sendmail, input, TRUE, NULL, NULL,
                   (const char *[]) { "-FCronDaemon", "-i", "-B8BITMIME", "-oem", "root", NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpuint (ms_fake_server_get_n_messages (fixture->server), ==, 1);
  message = ms_fake_server_dup_message (fixture->server, 0);
  g_assert_cmpstr (message->rcpt_to[0], ==, MS_FAKE_DEFAULT_USER);
  g_assert_null (message->rcpt_to[1]);
  g_assert_cmpstr (message->mail_from, ==, MS_FAKE_DEFAULT_USER);
  g_assert_true (ms_test_bytes_contain (message->content,
                                        "From: Cron Daemon <" MS_FAKE_DEFAULT_USER ">", FALSE));
  g_assert_true (ms_test_bytes_contain (message->content, "logrotate: done", FALSE));
}

/* diagnose says which mode and which store, and that the seal opens. */
static void
test_diagnose (Fixture       *fixture,
               gconstpointer  data)
{
  g_auto(MsCliRun) run = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *checks;
  gboolean seen_store = FALSE, seen_seal = FALSE, seen_no_bus = FALSE;
  g_autoptr(GKeyFile) noted = g_key_file_new ();
  g_autofree char *last_checks = NULL;
  g_autofree char *command = NULL;

  if (fixture->root == NULL)
    return;

  cli_run (fixture, &run, NULL, (const char *[]) { "--json", "diagnose", "nas", NULL });
  g_assert_cmpint (run.status, ==, 0);
  checks = json_object_get_array_member (parse_object (parser, run.out), "checks");
  for (guint i = 0; i < json_array_get_length (checks); i++)
    {
      JsonObject *check = json_array_get_object_element (checks, i);
      const char *name = json_object_get_string_member (check, "check");
      const char *message = json_object_get_string_member (check, "message");

      if (g_str_equal (name, "store"))
        seen_store = strstr (message, "System account") != NULL
                     && strstr (message, "nas.cred") != NULL;
      if (g_str_equal (name, "keyring"))
        seen_seal = json_object_get_boolean_member (check, "ok")
                    && strstr (message, "systemd-creds opens") != NULL;
      /* Root's cron jobs need no session bus for a system account. */
      if (g_str_equal (name, "sendmail"))
        seen_no_bus = strstr (message, "needs no session bus") != NULL;
    }
  g_assert_true (seen_store);
  g_assert_true (seen_seal);
  g_assert_true (seen_no_bus);
  g_assert_cmpuint (ms_fake_server_get_n_auth_ok (fixture->server), ==, 2);

  /* The check is noted in the system's state folder, beside its outbox. */
  last_checks = g_build_filename (fixture->state_dir, "last-checks.ini", NULL);
  g_assert_true (g_key_file_load_from_file (noted, last_checks, G_KEY_FILE_NONE, NULL));
  command = g_key_file_get_string (noted, "nas", "command", NULL);
  g_assert_cmpstr (command, ==, "diagnose");
  g_assert_true (g_key_file_get_boolean (noted, "nas", "ok", NULL));
}

/* --system wins over XDG_CONFIG_HOME; without it, root with its own folder
 * is in user mode; --system with --config-dir is a usage error. */
static void
test_system_option (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *xdg = g_build_filename (fixture->root ? fixture->root : "", "xdg", NULL);
  g_autofree char *xdg_env = g_strconcat ("XDG_CONFIG_HOME=", xdg, NULL);
  const char *env[] = { xdg_env, NULL };
  g_auto(MsCliRun) system = { 0 };
  g_auto(MsCliRun) user = { 0 };
  g_auto(MsCliRun) both = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonParser) parser2 = json_parser_new ();

  if (fixture->root == NULL)
    return;

  cli_run_env (fixture, &system, NULL, TRUE, env, NULL,
               (const char *[]) { "--system", "--json", "account", "list", NULL });
  g_assert_cmpint (system.status, ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (parse_object (parser, system.out),
                                                                         "accounts")), ==, 1);

  cli_run_env (fixture, &user, NULL, TRUE, env, NULL,
               (const char *[]) { "--json", "account", "list", NULL });
  g_assert_cmpint (user.status, ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (parse_object (parser2, user.out),
                                                                         "accounts")), ==, 0);

  cli_run (fixture, &both, NULL,
           (const char *[]) { "--system", "--config-dir", xdg, "account", "list", NULL });
  g_assert_cmpint (both.status, ==, 64);
}

/* systemd-creds missing (not on PATH): credential-unavailable, named. */
static void
test_no_systemd_creds (Fixture       *fixture,
                       gconstpointer  data)
{
  g_auto(MsCliRun) run = { 0 };

  if (fixture->root == NULL)
    return;

  cli_run_env (fixture, &run, NULL, TRUE, (const char *[]) { "PATH=/nonexistent", NULL }, NULL,
               (const char *[]) { "password", "nas", NULL });
  g_assert_cmpint (run.status, ==, 78);
  g_assert_nonnull (strstr (run.err, "credential-unavailable"));
  g_assert_nonnull (strstr (run.err, "systemd-creds is not installed"));
}

/* A service user (nobody) has neither a session keyring nor root's system
 * accounts: keyring-unavailable, with advice that names system accounts. */
static void
test_service_user (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *home = NULL;
  g_autofree char *dot_config = NULL;
  g_autofree char *config = NULL;
  g_autofree char *ini = NULL;
  g_autofree char *home_env = NULL;
  g_autofree char *state = NULL;
  g_autofree char *state_env = NULL;
  g_autofree char *input = message_text ("From a service");
  g_auto(MsCliRun) send = { 0 };
  g_autofree char *setpriv = g_find_program_in_path ("setpriv");
  g_autofree char *uid = g_strdup_printf ("--reuid=%d", NOBODY_UID);
  g_autofree char *gid = g_strdup_printf ("--regid=%d", NOBODY_UID);
  g_auto(MsCliRun) run = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *error;

  if (fixture->root == NULL)
    return;
  if (setpriv == NULL)
    {
      g_test_skip ("setpriv (util-linux) is missing");
      return;
    }

  /* Its own account, in its own folder under HOME: user mode. */
  home = g_build_filename (fixture->root, "nobody", NULL);
  dot_config = g_build_filename (home, ".config", NULL);
  config = g_build_filename (dot_config, "mailsetup", NULL);
  g_assert_cmpint (g_mkdir_with_parents (config, 0700), ==, 0);
  ini = g_build_filename (config, "accounts.ini", NULL);
  g_assert_true (g_file_set_contents (ini, "[svc]\naddress=" MS_FAKE_DEFAULT_USER
                                      "\nhost=localhost\n", -1, NULL));
  for (const char * const *path = (const char *[]) { home, dot_config, config, ini, NULL };
       *path != NULL; path++)
    g_assert_cmpint (chown (*path, NOBODY_UID, NOBODY_UID), ==, 0);
  home_env = g_strconcat ("HOME=", home, NULL);

  cli_run_env (fixture, &run, NULL, TRUE,
               (const char *[]) { home_env, "XDG_RUNTIME_DIR=", "MAILSETUP_STATE_DIR=",
                                  "DISPLAY=", NULL },
               (const char *[]) { setpriv, uid, gid, "--clear-groups", NULL },
               (const char *[]) { "--json", "password", "svc", NULL });
  g_assert_cmpint (run.status, ==, 78);
  error = json_object_get_object_member (parse_object (parser, run.out), "error");
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, "keyring-unavailable");
  g_assert_nonnull (strstr (json_object_get_string_member (error, "advice"), "system account"));

  /* Its message is kept in its own outbox, to go out when it can. */
  state = g_build_filename (home, "state", NULL);
  g_assert_cmpint (g_mkdir_with_parents (state, 0700), ==, 0);
  g_assert_cmpint (chown (state, NOBODY_UID, NOBODY_UID), ==, 0);
  state_env = g_strconcat ("MAILSETUP_STATE_DIR=", state, NULL);
  cli_run_env (fixture, &send, input, TRUE,
               (const char *[]) { home_env, "XDG_RUNTIME_DIR=", state_env, "DISPLAY=", NULL },
               (const char *[]) { setpriv, uid, gid, "--clear-groups", NULL },
               (const char *[]) { "send", "-i", MS_FAKE_DEFAULT_USER, NULL });
  g_assert_cmpint (send.status, ==, 0);
  g_assert_nonnull (strstr (send.err, "kept in the outbox"));
  g_assert_cmpuint (ms_fake_server_get_n_messages (fixture->server), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/ms/cli-system/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("sealed-account", test_sealed_account);
  ADD ("send-delivers", test_send_delivers);
  ADD ("damaged-credential", test_damaged_credential);
  ADD ("root-cron-line", test_root_cron_line);
  ADD ("diagnose", test_diagnose);
  ADD ("system-option", test_system_option);
  ADD ("no-systemd-creds", test_no_systemd_creds);
  ADD ("service-user", test_service_user);
#undef ADD

  return g_test_run ();
}
