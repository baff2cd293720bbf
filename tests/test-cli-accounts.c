/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-cli-accounts"

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ms-fake-server.h"
#include "ms-test-cli.h"
#include "ms-test-keyring.h"
#include "ms-test-util.h"

/* The accounts issue end to end: account add, list, show, password,
 * export, send as sendmail would be called, remove; against a real
 * gnome-keyring-daemon and the fake server. */

typedef struct
{
  MsTestKeyring *keyring;
  MsFakeServer  *server;
  char          *config_dir;
  char          *port;
  char          *ca;
  char          *state_dir;
} Fixture;

static void
cli_run (Fixture            *fixture,
         MsCliRun           *run,
         const char         *input,
         const char * const *argv)
{
  /* `password` prints the secret by design: never into the test log (L1). */
  gboolean prints_secret = g_str_equal (argv[0], "password");

  ms_cli_run (run, MS_CLI_PATH, fixture->config_dir, input, !prints_secret, argv);
  ms_test_check_no_secret ("stdout", (const guint8 *) run->out, strlen (run->out),
                           MS_FAKE_DEFAULT_USER,
                           prints_secret ? "no-secret-check" : MS_FAKE_DEFAULT_PASSWORD);
  ms_test_check_no_secret ("stderr", (const guint8 *) run->err, strlen (run->err),
                           MS_FAKE_DEFAULT_USER, MS_FAKE_DEFAULT_PASSWORD);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->keyring = ms_test_keyring_start (TRUE, &error);
  if (ms_test_keyring_skip_if_absent (fixture->keyring, error))
    return;

  fixture->server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  ms_test_fake_server_start (fixture->server);
  fixture->port = g_strdup_printf ("%u", ms_fake_server_get_port (fixture->server));
  fixture->ca = ms_test_pki_file ("ca.pem");
  fixture->config_dir = g_build_filename (g_get_user_config_dir (), "mailsetup-test", NULL);
  fixture->state_dir = g_build_filename (g_get_user_config_dir (), "mailsetup-state", NULL);
  g_setenv ("MAILSETUP_STATE_DIR", fixture->state_dir, TRUE);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_pointer (&fixture->server, ms_fake_server_free);
  g_clear_pointer (&fixture->keyring, ms_test_keyring_stop);
  g_free (fixture->config_dir);
  g_free (fixture->port);
  g_free (fixture->ca);
  g_free (fixture->state_dir);
}

static void
add_account (Fixture    *fixture,
             const char *id,
             int         expected_status)
{
  g_auto(MsCliRun) run = { 0 };
  g_autofree char *input = g_strdup_printf ("%s\n", MS_FAKE_DEFAULT_PASSWORD);

  cli_run (fixture, &run, input,
           (const char *[]) { "account", "add", id, "--address", MS_FAKE_DEFAULT_USER,
                              "--host", "localhost", "--port", fixture->port, "--security", "tls",
                              "--ca-file", fixture->ca, "--password-stdin", NULL });
  g_assert_cmpint (run.status, ==, expected_status);
}

/* The item is where other tools look: `secret-tool search service smtp`. */
static void
assert_secret_tool_finds (Fixture *fixture)
{
  const char *argv[] = { "secret-tool", "search", "--all", "service", "smtp", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *all = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (g_find_program_in_path ("secret-tool") == NULL)
    {
      g_test_message ("secret-tool is not installed; skipping that check");
      return;
    }
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status,
                &error);
  g_assert_no_error (error);
  /* secret-tool prints the secret too: assert, never log its output. */
  all = g_strconcat (out, err, NULL);
  g_assert_nonnull (strstr (all, "label = Mail Setup: " MS_FAKE_DEFAULT_USER " on localhost"));
  g_assert_nonnull (strstr (all, "attribute.account = backup"));
  g_assert_nonnull (strstr (all, "attribute.host = localhost"));
  g_assert_nonnull (strstr (all, "attribute.service = smtp"));
  g_assert_nonnull (strstr (all, "schema = io.github.mailsetup.Account"));
}

static void
test_account_lifecycle (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *ini_path = NULL;
  g_autofree char *ini = NULL;
  g_auto(MsCliRun) list = { 0 };
  g_auto(MsCliRun) login = { 0 };
  g_auto(MsCliRun) test_send = { 0 };
  g_auto(MsCliRun) password = { 0 };
  g_auto(MsCliRun) export = { 0 };
  g_auto(MsCliRun) removed = { 0 };
  g_auto(MsCliRun) after = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *accounts;
  struct stat st;

  if (fixture->keyring == NULL)
    return;

  add_account (fixture, "backup", 0);
  g_assert_cmpuint (ms_fake_server_get_n_auth_ok (fixture->server), ==, 1);
  g_assert_cmpuint (ms_test_keyring_count_items (fixture->keyring, "backup"), ==, 1);

  /* accounts.ini holds the settings, 0600, and no secret. */
  ini_path = g_build_filename (fixture->config_dir, "accounts.ini", NULL);
  g_assert_true (g_file_get_contents (ini_path, &ini, NULL, NULL));
  g_assert_nonnull (strstr (ini, "[backup]"));
  g_assert_nonnull (strstr (ini, "host=localhost"));
  g_assert_null (strstr (ini, MS_FAKE_DEFAULT_PASSWORD));
  g_assert_cmpint (stat (ini_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  ms_test_assert_no_file_holds (g_get_home_dir (), MS_FAKE_DEFAULT_PASSWORD);

  assert_secret_tool_finds (fixture);

  /* login and test-send take their settings and secret from --account. */
  cli_run (fixture, &login, NULL, (const char *[]) { "login", "--account", "backup", NULL });
  g_assert_cmpint (login.status, ==, 0);
  cli_run (fixture, &test_send, NULL,
           (const char *[]) { "test-send", "--account", "backup", "--to", "friend@localhost", NULL });
  g_assert_cmpint (test_send.status, ==, 0);
  g_assert_cmpuint (ms_fake_server_get_n_messages (fixture->server), ==, 1);

  cli_run (fixture, &list, NULL, (const char *[]) { "--json", "account", "list", NULL });
  g_assert_cmpint (list.status, ==, 0);
  json_parser_load_from_data (parser, list.out, -1, NULL);
  accounts = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                           "accounts");
  g_assert_cmpuint (json_array_get_length (accounts), ==, 1);
  g_assert_true (json_object_get_boolean_member (json_array_get_object_element (accounts, 0),
                                                 "default"));

  cli_run (fixture, &password, NULL, (const char *[]) { "password", "backup", NULL });
  g_assert_cmpint (password.status, ==, 0);
  g_assert_cmpstr (password.out, ==, MS_FAKE_DEFAULT_PASSWORD "\n");

  cli_run (fixture, &export, NULL, (const char *[]) { "export", "backup", "--format", "msmtp", NULL });
  g_assert_cmpint (export.status, ==, 0);
  g_assert_nonnull (strstr (export.out, "passwordeval"));
  g_assert_nonnull (strstr (export.out, "tls_starttls off"));
  g_assert_null (strstr (export.out, MS_FAKE_DEFAULT_PASSWORD));

  cli_run (fixture, &removed, NULL, (const char *[]) { "account", "remove", "backup", NULL });
  g_assert_cmpint (removed.status, ==, 0);
  g_assert_cmpuint (ms_test_keyring_count_items (fixture->keyring, "backup"), ==, 0);

  cli_run (fixture, &after, NULL, (const char *[]) { "password", "backup", NULL });
  g_assert_cmpint (after.status, ==, 67);
}

/* K8: a sign-in that fails stores nothing, in the keyring or the file. */
static void
test_add_refused_stores_nothing (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_auto(MsCliRun) run = { 0 };
  g_autofree char *ini_path = NULL;
  g_autofree char *ini = NULL;

  if (fixture->keyring == NULL)
    return;

  cli_run (fixture, &run, "wrong-password\n",
           (const char *[]) { "account", "add", "backup", "--address", MS_FAKE_DEFAULT_USER,
                              "--host", "localhost", "--port", fixture->port,
                              "--ca-file", fixture->ca, "--password-stdin", NULL });
  g_assert_cmpint (run.status, ==, 77);
  g_assert_cmpuint (ms_test_keyring_count_items (fixture->keyring, "backup"), ==, 0);
  ini_path = g_build_filename (fixture->config_dir, "accounts.ini", NULL);
  if (g_file_get_contents (ini_path, &ini, NULL, NULL))
    g_assert_null (strstr (ini, "[backup]"));
}

static void
test_send_as_sendmail (Fixture       *fixture,
                       gconstpointer  data)
{
  g_auto(MsCliRun) run = { 0 };
  g_autoptr(MsFakeMessage) message = NULL;
  g_autofree char *content = NULL;
  const char *input =
    "To: Friend <friend@localhost>\n"
    "Cc: other@localhost\n"
    "Bcc: hidden@localhost\n"
    "Subject: done\n"
    "\n"
    "backup ok\n"
    ".leading dot\n"
    "caf\xc3\xa9\n";

  if (fixture->keyring == NULL)
    return;

  add_account (fixture, "backup", 0);
  cli_run (fixture, &run, input, (const char *[]) { "send", "-t", "-oi", NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "");

  g_assert_cmpuint (ms_fake_server_get_n_messages (fixture->server), ==, 1);
  message = ms_fake_server_dup_message (fixture->server, 0);
  g_assert_cmpstr (message->mail_from, ==, MS_FAKE_DEFAULT_USER);
  g_assert_cmpuint (g_strv_length (message->rcpt_to), ==, 3);
  g_assert_true (g_strv_contains ((const char * const *) message->rcpt_to, "hidden@localhost"));

  content = g_strndup (g_bytes_get_data (message->content, NULL), g_bytes_get_size (message->content));
  g_assert_null (strstr (content, "Bcc:"));
  g_assert_null (strstr (content, "hidden@localhost"));
  g_assert_nonnull (strstr (content, "\r\nDate: "));
  g_assert_nonnull (strstr (content, "\r\nMessage-ID: <"));
  g_assert_nonnull (strstr (content, "From: "));
  g_assert_nonnull (strstr (content, "\r\n.leading dot\r\n"));
  g_assert_nonnull (strstr (content, "caf\xc3\xa9\r\n"));
}

/* An account on its own fake server whose RCPT reply is @rcpt_reply. */
static MsFakeServer *
add_account_with_rcpt_reply (Fixture    *fixture,
                             const char *id,
                             const char *rcpt_reply)
{
  MsFakeServer *server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  g_autofree char *port = NULL;
  g_autofree char *input = g_strdup_printf ("%s\n", MS_FAKE_DEFAULT_PASSWORD);
  g_auto(MsCliRun) run = { 0 };

  ms_fake_server_set_reply (server, MS_FAKE_STEP_RCPT, rcpt_reply);
  ms_test_fake_server_start (server);
  port = g_strdup_printf ("%u", ms_fake_server_get_port (server));
  cli_run (fixture, &run, input,
           (const char *[]) { "account", "add", id, "--address", MS_FAKE_DEFAULT_USER,
                              "--host", "localhost", "--port", port, "--security", "tls",
                              "--ca-file", fixture->ca, "--password-stdin", NULL });
  g_assert_cmpint (run.status, ==, 0);

  return server;
}

static void
test_send_exit_statuses (Fixture       *fixture,
                         gconstpointer  data)
{
  g_auto(MsCliRun) rejected = { 0 };
  g_auto(MsCliRun) later = { 0 };
  g_auto(MsCliRun) later_no_queue = { 0 };
  g_auto(MsCliRun) usage = { 0 };
  g_auto(MsCliRun) unknown = { 0 };
  MsFakeServer *refusing, *busy;

  if (fixture->keyring == NULL)
    return;

  refusing = add_account_with_rcpt_reply (fixture, "refusing", "550 5.1.1 No such user\r\n");
  busy = add_account_with_rcpt_reply (fixture, "busy", "451 4.3.0 Try again later\r\n");

  /* "fix the settings" (65) versus "try again later" (75) */
  cli_run (fixture, &rejected, "Subject: x\n\nbody\n",
           (const char *[]) { "send", "--account", "refusing", "nobody@localhost", NULL });
  g_assert_cmpint (rejected.status, ==, 65);
  g_assert_cmpuint (ms_fake_server_get_n_messages (refusing), ==, 0);

  /* A deferred recipient: kept in the outbox for a retry, exit 0, one line. */
  cli_run (fixture, &later, "Subject: x\n\nbody\n",
           (const char *[]) { "send", "--account", "busy", "someone@localhost", NULL });
  g_assert_cmpint (later.status, ==, 0);
  g_assert_nonnull (strstr (later.err, "kept in the outbox"));
  g_assert_cmpuint (ms_fake_server_get_n_messages (busy), ==, 0);

  cli_run (fixture, &later_no_queue, "Subject: x\n\nbody\n",
           (const char *[]) { "send", "--no-queue", "--account", "busy", "someone@localhost",
                              NULL });
  g_assert_cmpint (later_no_queue.status, ==, 75);

  cli_run (fixture, &usage, "Subject: x\n\nbody\n", (const char *[]) { "send", NULL });
  g_assert_cmpint (usage.status, ==, 64);

  cli_run (fixture, &unknown, "Subject: x\n\nbody\n",
           (const char *[]) { "send", "--account", "nope", "a@localhost", NULL });
  g_assert_cmpint (unknown.status, ==, 67);

  ms_fake_server_free (refusing);
  ms_fake_server_free (busy);
}


/* ---- many processes at once (docs/contract.md, accounts.ini's lock) ---- */

#define N_PARALLEL 20

/* Starts @n mailsetup-cli processes at once, one per id, each with the
 * password on standard input, and waits for all; each must exit 0. */
static void
run_parallel (Fixture            *fixture,
              const char * const *verb,
              guint               n,
              gboolean            with_details)
{
  g_autoptr(GPtrArray) processes = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *input = g_strdup_printf ("%s\n", MS_FAKE_DEFAULT_PASSWORD);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = g_strdup_printf ("par%02u", i);
      g_autofree char *address = g_strdup_printf ("par%02u@localhost", i);
      g_autoptr(GError) error = NULL;
      GSubprocess *process;

      if (with_details)
        process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                    | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                                    MS_CLI_PATH, "--config-dir", fixture->config_dir,
                                    verb[0], verb[1], id, "--address", address,
                                    "--host", "localhost", "--port", fixture->port,
                                    "--security", "tls", "--no-verify", "--password-stdin",
                                    NULL);
      else
        process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                    | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                                    MS_CLI_PATH, "--config-dir", fixture->config_dir,
                                    verb[0], verb[1], id, NULL);
      g_assert_no_error (error);
      g_ptr_array_add (processes, process);
    }

  /* Every process is running before any gets its password. */
  for (guint i = 0; i < processes->len; i++)
    {
      GOutputStream *stdin_pipe = g_subprocess_get_stdin_pipe (processes->pdata[i]);

      g_output_stream_write_all (stdin_pipe, input, strlen (input), NULL, NULL, NULL);
      g_output_stream_close (stdin_pipe, NULL, NULL);
    }

  for (guint i = 0; i < processes->len; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (g_subprocess_wait (processes->pdata[i], NULL, &error));
      g_assert_no_error (error);
      g_assert_true (g_subprocess_get_if_exited (processes->pdata[i]));
      g_assert_cmpint (g_subprocess_get_exit_status (processes->pdata[i]), ==, 0);
    }
}

static guint
count_listed_accounts (Fixture *fixture)
{
  g_auto(MsCliRun) list = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *root;

  cli_run (fixture, &list, NULL, (const char *[]) { "--json", "account", "list", NULL });
  g_assert_cmpint (list.status, ==, 0);
  g_assert_true (json_parser_load_from_data (parser, list.out, -1, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));

  return json_array_get_length (json_object_get_array_member (root, "accounts"));
}

static void
assert_each_has_one_item (Fixture  *fixture,
                          guint     n,
                          guint     expected)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = g_strdup_printf ("par%02u", i);

      g_assert_cmpuint (ms_test_keyring_count_items (fixture->keyring, id), ==, expected);
    }
}

static void
test_parallel_add_remove (Fixture       *fixture,
                          gconstpointer  data)
{
  const char *add[] = { "account", "add" };
  const char *remove[] = { "account", "remove" };

  if (fixture->keyring == NULL)
    return;

  run_parallel (fixture, add, N_PARALLEL, TRUE);
  /* No account lost, each with exactly its own keyring item. */
  g_assert_cmpuint (count_listed_accounts (fixture), ==, N_PARALLEL);
  assert_each_has_one_item (fixture, N_PARALLEL, 1);

  run_parallel (fixture, remove, N_PARALLEL, FALSE);
  /* Nothing left behind: no account, no orphaned keyring item. */
  g_assert_cmpuint (count_listed_accounts (fixture), ==, 0);
  assert_each_has_one_item (fixture, N_PARALLEL, 0);
  g_assert_cmpuint (ms_test_keyring_count_items (fixture->keyring, NULL), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/ms/cli/account-lifecycle", Fixture, NULL, fixture_set_up,
              test_account_lifecycle, fixture_tear_down);
  g_test_add ("/ms/cli/account-add-refused-stores-nothing", Fixture, NULL, fixture_set_up,
              test_add_refused_stores_nothing, fixture_tear_down);
  g_test_add ("/ms/cli/send-as-sendmail", Fixture, NULL, fixture_set_up,
              test_send_as_sendmail, fixture_tear_down);
  g_test_add ("/ms/cli/send-exit-statuses", Fixture, NULL, fixture_set_up,
              test_send_exit_statuses, fixture_tear_down);
  g_test_add ("/ms/cli/parallel-add-remove", Fixture, NULL, fixture_set_up,
              test_parallel_add_remove, fixture_tear_down);

  return g_test_run ();
}
