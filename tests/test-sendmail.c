/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-sendmail"

#include "config.h"

#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "ms-aliases.h"
#include "ms-error.h"
#include "ms-sendmail.h"
#include "ms-session-bus.h"

#define OWN "me@example.com"

/* ---- the option table ---- */

static MsSendmailArgs *
parse (const char * const *argv,
       GError            **error)
{
  return ms_sendmail_args_parse (g_strv_length ((char **) argv), argv, error);
}

static void
assert_rest (MsSendmailArgs     *args,
             const char * const *expected)
{
  g_assert_cmpstrv (args->rest, expected);
}

/* Every caller's command line of the contract, exactly as it writes it. */
static void
test_callers (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsSendmailArgs) cron = NULL;
  g_autoptr(MsSendmailArgs) cronie = NULL;
  g_autoptr(MsSendmailArgs) mutt = NULL;
  g_autoptr(MsSendmailArgs) mailx = NULL;
  g_autoptr(MsSendmailArgs) git = NULL;
  g_autoptr(MsSendmailArgs) php = NULL;

  cron = parse ((const char *[]) { "-FCronDaemon", "-i", "-B8BITMIME", "-oem", "me", NULL }, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cron->full_name, ==, "CronDaemon");
  g_assert_true (cron->ignore_dots);
  g_assert_true (cron->body_8bitmime);
  g_assert_false (cron->extract_recipients);
  g_assert_cmpint (cron->mode, ==, MS_SENDMAIL_MODE_DELIVER);
  assert_rest (cron, (const char *[]) { "me", NULL });

  cronie = parse ((const char *[]) { "-FCronDaemon", "-i", "-odi", "-oem", "-oi", "-t", "-f", "me",
                                     NULL }, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cronie->sender, ==, "me");
  g_assert_true (cronie->extract_recipients);
  assert_rest (cronie, (const char *[]) { NULL });

  mutt = parse ((const char *[]) { "-oem", "-oi", "--", "a@example.com", "-odd@example.com", NULL },
                &error);
  g_assert_no_error (error);
  g_assert_true (mutt->ignore_dots);
  assert_rest (mutt, (const char *[]) { "--", "a@example.com", "-odd@example.com", NULL });

  mailx = parse ((const char *[]) { "-i", "-r", "Backup <b@example.com>", "--", "root", NULL }, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (mailx->sender, ==, "Backup <b@example.com>");
  assert_rest (mailx, (const char *[]) { "--", "root", NULL });

  git = parse ((const char *[]) { "-i", "a@example.com", "b@example.com", NULL }, &error);
  g_assert_no_error (error);
  g_assert_true (git->ignore_dots);
  assert_rest (git, (const char *[]) { "a@example.com", "b@example.com", NULL });

  php = parse ((const char *[]) { "-oi", "-t", NULL }, &error);
  g_assert_no_error (error);
  g_assert_true (php->ignore_dots && php->extract_recipients);
  g_assert_null (php->dsn_notify);
  g_assert_false (php->body_8bitmime);
}

static void
test_options (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsSendmailArgs) args = NULL;
  g_autoptr(MsSendmailArgs) cluster = NULL;
  g_autoptr(MsSendmailArgs) queue = NULL;
  g_autoptr(MsSendmailArgs) list = NULL;

  args = parse ((const char *[]) { "-N", "success,Failure,delay", "-R", "hdrs", "-V", "id+1=2",
                                   "-B", "7bit", "-L", "tag", "-bm", "-v", "--account", "backup",
                                   "x@example.com", "--json", NULL }, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (args->dsn_notify, ==, "SUCCESS,FAILURE,DELAY");
  g_assert_cmpstr (args->dsn_ret, ==, "HDRS");
  g_assert_cmpstr (args->dsn_envid, ==, "id+2B1+3D2");
  g_assert_false (args->body_8bitmime);
  g_assert_true (args->verbose);
  assert_rest (args, (const char *[]) { "--account", "backup", "x@example.com", "--json", NULL });

  /* getopt's clusters: flags together, a value attached or in the next word. */
  cluster = parse ((const char *[]) { "-tiFName", "-Nnever", "-rme", NULL }, &error);
  g_assert_no_error (error);
  g_assert_true (cluster->extract_recipients && cluster->ignore_dots);
  g_assert_cmpstr (cluster->full_name, ==, "Name");
  g_assert_cmpstr (cluster->dsn_notify, ==, "NEVER");
  g_assert_cmpstr (cluster->sender, ==, "me");

  queue = parse ((const char *[]) { "-q15m", NULL }, &error);
  g_assert_no_error (error);
  g_assert_cmpint (queue->mode, ==, MS_SENDMAIL_MODE_QUEUE_FLUSH);
  list = parse ((const char *[]) { "-bp", NULL }, &error);
  g_assert_no_error (error);
  g_assert_cmpint (list->mode, ==, MS_SENDMAIL_MODE_QUEUE_LIST);
}

static void
assert_usage (const char * const *argv,
              const char         *named)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsSendmailArgs) args = parse (argv, &error);

  g_assert_null (args);
  g_assert_error (error, MS_ERROR, MS_ERROR_USAGE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, named));
}

static void
test_refused_options (void)
{
  assert_usage ((const char *[]) { "-X", "/tmp/log", NULL }, "-X");
  assert_usage ((const char *[]) { "-ti", "-h", "5", NULL }, "-h");
  assert_usage ((const char *[]) { "-tx", NULL }, "-x");
  assert_usage ((const char *[]) { "-bs", NULL }, "-bs");
  assert_usage ((const char *[]) { "-bd", NULL }, "-bd");
  assert_usage ((const char *[]) { "-bt", NULL }, "-bt");
  assert_usage ((const char *[]) { "-bi", NULL }, "-bi");
  assert_usage ((const char *[]) { "-F", NULL }, "-F");
  assert_usage ((const char *[]) { "-B", "BINARYMIME", NULL }, "BINARYMIME");
  assert_usage ((const char *[]) { "-N", "never,success", NULL }, "never,success");
  assert_usage ((const char *[]) { "-R", "body", NULL }, "body");
  assert_usage ((const char *[]) { "-V", "two words", NULL }, "two words");
}

/* ---- aliases ---- */

static const char aliases_text[] =
  "# the chain of the contract\n"
  "admin: root\n"
  "Root:  ops@example.com,\n"
  "       me2@example.com\n"
  "\n"
  "loop-a: loop-b\n"
  "loop-b: loop-a, keep@example.com\n"
  "pipe: |/usr/bin/procmail, \"|/bin/cat\", /var/mail/x, :include:/etc/list, kept@example.com\n"
  "onlypipe: |/bin/true\n"
  "escaped: \\backup\n"
  "nocolon\n";

static void
assert_resolves (MsAliases          *aliases,
                 const char         *name,
                 const char * const *expected)
{
  g_auto(GStrv) addresses = ms_aliases_resolve (aliases, name, OWN);

  g_assert_cmpstrv (addresses, expected);
}

static void
test_aliases (void)
{
  g_autoptr(MsAliases) aliases = ms_aliases_new_from_data (aliases_text, "aliases");
  g_autoptr(MsAliases) with_default = ms_aliases_new_from_data ("default: all@example.com\n"
                                                                "root: default2\n", "a");
  const char * const *warnings = ms_aliases_get_warnings (aliases);

  assert_resolves (aliases, "admin", (const char *[]) { "ops@example.com", "me2@example.com", NULL });
  assert_resolves (aliases, "ADMIN", (const char *[]) { "ops@example.com", "me2@example.com", NULL });
  assert_resolves (aliases, "nobody", (const char *[]) { OWN, NULL });
  assert_resolves (aliases, "loop-a", (const char *[]) { OWN, "keep@example.com", NULL });
  assert_resolves (aliases, "pipe", (const char *[]) { "kept@example.com", NULL });
  assert_resolves (aliases, "onlypipe", (const char *[]) { OWN, NULL });
  assert_resolves (aliases, "escaped", (const char *[]) { OWN, NULL });
  assert_resolves (aliases, "x@example.org", (const char *[]) { "x@example.org", NULL });

  /* Every skipped entry and bad line is named, with its line. */
  g_assert_cmpuint (g_strv_length ((char **) warnings), ==, 6);
  g_assert_nonnull (strstr (warnings[0], "aliases:8:"));
  g_assert_nonnull (strstr (warnings[0], "|/usr/bin/procmail"));
  g_assert_nonnull (strstr (warnings[1], "\"|/bin/cat\""));
  g_assert_nonnull (strstr (warnings[2], "/var/mail/x"));
  g_assert_nonnull (strstr (warnings[3], ":include:/etc/list"));
  g_assert_nonnull (strstr (warnings[5], "aliases:11:"));

  /* default: catches every name not found, and a name it leads to. */
  assert_resolves (with_default, "someone", (const char *[]) { "all@example.com", NULL });
  assert_resolves (with_default, "root", (const char *[]) { "all@example.com", NULL });
}

static void
test_aliases_file (void)
{
  g_autofree char *folder = g_dir_make_tmp ("ms-aliases-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (folder, "aliases", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(MsAliases) empty = ms_aliases_load (folder, &error);
  g_autoptr(MsAliases) loaded = NULL;

  g_assert_no_error (error);
  assert_resolves (empty, "root", (const char *[]) { OWN, NULL });

  g_assert_true (g_file_set_contents (path, "root: ops@example.com\n", -1, NULL));
  loaded = ms_aliases_load (folder, &error);
  g_assert_no_error (error);
  assert_resolves (loaded, "root", (const char *[]) { "ops@example.com", NULL });

  g_remove (path);
  g_rmdir (folder);
}

/* ---- local names in the header ---- */

static MsMessageInput *
rewrite (const char *message,
         const char *sender,
         const char *full_name)
{
  g_autoptr(MsAliases) aliases = ms_aliases_new_from_data ("root: ops@example.com\n", "aliases");
  g_autoptr(GBytes) bytes = g_bytes_new (message, strlen (message));
  g_autoptr(MsMessageInput) input = ms_message_parse_sendmail (bytes, TRUE, NULL);

  return ms_sendmail_rewrite_local_names (input, aliases, OWN, sender, full_name);
}

static void
test_rewrite_cron (void)
{
  g_autoptr(MsMessageInput) cron = rewrite ("From: root (Cron Daemon)\n"
                                            "To: root\n"
                                            "Subject: Cron <root@host> run-parts\n"
                                            "MIME-Version: 1.0\n"
                                            "Content-Type: text/plain; charset=UTF-8\n"
                                            "Content-Transfer-Encoding: 8bit\n"
                                            "X-Cron-Env: <SHELL=/bin/sh>\n"
                                            "\n"
                                            "line one\n.\nlast\n",
                                            OWN, "CronDaemon");
  gsize length;
  const char *body = g_bytes_get_data (cron->body, &length);

  g_assert_cmpstr (ms_message_input_get_header (cron, "From"), ==, "Cron Daemon <" OWN ">");
  g_assert_cmpstr (ms_message_input_get_header (cron, "To"), ==, "root <ops@example.com>");
  g_assert_cmpstr (cron->from, ==, OWN);
  g_assert_cmpstrv (cron->to, ((const char *[]) { "ops@example.com", NULL }));
  g_assert_cmpstr (ms_message_input_get_header (cron, "Subject"), ==, "Cron <root@host> run-parts");
  g_assert_cmpstr (ms_message_input_get_header (cron, "X-Cron-Env"), ==, "<SHELL=/bin/sh>");
  g_assert_cmpmem (body, length, "line one\r\n.\r\nlast\r\n", 19);
}

static void
test_rewrite_names (void)
{
  g_autoptr(MsMessageInput) plain = rewrite ("From: root\nTo: a@example.com\n\nx\n", OWN, NULL);
  g_autoptr(MsMessageInput) named = rewrite ("From: root\n\nx\n", OWN, "Backup Job");
  g_autoptr(MsMessageInput) phrase = rewrite ("From: \"Nightly, job\" <root>\n"
                                              "To: Ops <root>, x@example.org (X), bob\n"
                                              "Cc: root\n\nx\n", OWN, "Ignored");
  g_autoptr(MsMessageInput) missing = rewrite ("Subject: x\n\nx\n", "b@example.org", "Backup Job");
  g_autoptr(MsMessageInput) group = rewrite ("To: team: root, a@example.com;\n\nx\n", OWN, NULL);

  g_assert_cmpstr (ms_message_input_get_header (plain, "From"), ==, "root <" OWN ">");
  g_assert_cmpstr (ms_message_input_get_header (plain, "To"), ==, "a@example.com");
  g_assert_cmpstr (ms_message_input_get_header (named, "From"), ==, "Backup Job <" OWN ">");
  g_assert_cmpstr (ms_message_input_get_header (phrase, "From"), ==, "\"Nightly, job\" <" OWN ">");
  g_assert_cmpstr (ms_message_input_get_header (phrase, "To"), ==,
                   "Ops <ops@example.com>, x@example.org (X), bob <" OWN ">");
  g_assert_cmpstr (ms_message_input_get_header (phrase, "Cc"), ==, "root <ops@example.com>");
  g_assert_cmpstr (ms_message_input_get_header (missing, "From"), ==, "Backup Job <b@example.org>");
  /* A group is left as written. */
  g_assert_cmpstr (ms_message_input_get_header (group, "To"), ==, "team: root, a@example.com;");
}

/* ---- the session bus ---- */

static void
make_socket (const char *path)
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  int fd = socket (AF_UNIX, SOCK_STREAM, 0);

  g_assert_cmpint (fd, >=, 0);
  g_strlcpy (address.sun_path, path, sizeof address.sun_path);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &address, sizeof address), ==, 0);
  close (fd);
}

static void
test_session_bus (void)
{
  g_autofree char *root = g_dir_make_tmp ("ms-bus-XXXXXX", NULL);
  g_autofree char *runtime = g_build_filename (root, "runtime", NULL);
  g_autofree char *users = g_build_filename (root, "users", NULL);
  g_autofree char *uid = g_strdup_printf ("%u", (guint) getuid ());
  g_autofree char *user_dir = g_build_filename (users, uid, NULL);
  g_autofree char *runtime_bus = g_build_filename (runtime, "bus", NULL);
  g_autofree char *user_bus = g_build_filename (user_dir, "bus", NULL);
  g_autofree char *expected = NULL;
  g_autofree char *found = NULL;
  g_autofree char *why = NULL;

  g_mkdir_with_parents (runtime, 0700);
  g_mkdir_with_parents (user_dir, 0700);

  /* Nothing there: no address, and a reason. */
  found = ms_session_bus_find_address (runtime, users, getuid (), &why);
  g_assert_null (found);
  g_assert_nonnull (strstr (why, user_bus));
  g_clear_pointer (&why, g_free);

  /* /run/user/UID/bus of a job without XDG_RUNTIME_DIR, as cron runs it. */
  make_socket (user_bus);
  found = ms_session_bus_find_address (NULL, users, getuid (), NULL);
  expected = g_strconcat ("unix:path=", user_bus, NULL);
  g_assert_cmpstr (found, ==, expected);
  g_clear_pointer (&found, g_free);
  g_clear_pointer (&expected, g_free);

  /* $XDG_RUNTIME_DIR/bus first when it is there. */
  make_socket (runtime_bus);
  found = ms_session_bus_find_address (runtime, users, getuid (), NULL);
  expected = g_strconcat ("unix:path=", runtime_bus, NULL);
  g_assert_cmpstr (found, ==, expected);
  g_clear_pointer (&found, g_free);

  /* Another user's socket is never used. */
  found = ms_session_bus_find_address (runtime, users, getuid () + 4242, &why);
  g_assert_null (found);
  g_assert_nonnull (strstr (why, "another user"));
  g_clear_pointer (&why, g_free);

  /* Nor a regular file, nor a link to a socket. */
  g_remove (user_bus);
  g_assert_true (g_file_set_contents (user_bus, "", 0, NULL));
  g_assert_null (ms_session_bus_find_address (NULL, users, getuid (), NULL));
  g_remove (user_bus);
  g_assert_cmpint (symlink (runtime_bus, user_bus), ==, 0);
  g_assert_null (ms_session_bus_find_address (NULL, users, getuid (), NULL));

  g_remove (user_bus);
  g_remove (runtime_bus);
  g_rmdir (user_dir);
  g_rmdir (users);
  g_rmdir (runtime);
  g_rmdir (root);
}

/* ---- diagnose's check ---- */

static const MsCheck *
add_check (const char *sendmail_path,
           const char *sbindir,
           const char *users,
           const char *config_dir,
           MsResult   *result)
{
  const MsSendmailSystem system = { sendmail_path, sbindir, users, getuid (), config_dir };

  ms_sendmail_add_check (result, &system);
  g_assert_cmpuint (result->checks->len, ==, 1);
  g_test_message ("%s", ((MsCheck *) g_ptr_array_index (result->checks, 0))->message);

  return g_ptr_array_index (result->checks, 0);
}

static void
link_to (const char *target,
         const char *folder,
         const char *name)
{
  g_autofree char *path = g_build_filename (folder, name, NULL);

  g_assert_cmpint (symlink (target, path), ==, 0);
}

static void
test_diagnose_check (void)
{
  g_autofree char *root = g_dir_make_tmp ("ms-check-XXXXXX", NULL);
  g_autofree char *bin = g_build_filename (root, "bin", NULL);
  g_autofree char *sbin = g_build_filename (root, "sbin", NULL);
  g_autofree char *other = g_build_filename (root, "other", NULL);
  g_autofree char *users = g_build_filename (root, "users", NULL);
  g_autofree char *uid = g_strdup_printf ("%u", (guint) getuid ());
  g_autofree char *user_dir = g_build_filename (users, uid, NULL);
  g_autofree char *bus = g_build_filename (user_dir, "bus", NULL);
  g_autofree char *cli = g_build_filename (bin, "mailsetup-cli", NULL);
  g_autofree char *exim = g_build_filename (other, "exim4", NULL);
  g_autofree char *ours = g_build_filename (sbin, "sendmail", NULL);
  g_autofree char *theirs = g_build_filename (other, "sendmail", NULL);
  g_autofree char *none = g_build_filename (root, "nowhere", "sendmail", NULL);
  g_autofree char *aliases = g_build_filename (root, "aliases", NULL);
  g_autoptr(MsResult) good = ms_result_new ("diagnose");
  g_autoptr(MsResult) another = ms_result_new ("diagnose");
  g_autoptr(MsResult) missing = ms_result_new ("diagnose");
  const char *links[] = { "sendmail", "mailq", "newaliases" };
  const MsCheck *check;

  g_mkdir_with_parents (bin, 0700);
  g_mkdir_with_parents (sbin, 0700);
  g_mkdir_with_parents (other, 0700);
  g_mkdir_with_parents (user_dir, 0700);
  g_assert_true (g_file_set_contents (cli, "", 0, NULL));
  g_assert_true (g_file_set_contents (exim, "", 0, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (links); i++)
    link_to ("../bin/mailsetup-cli", sbin, links[i]);
  link_to ("exim4", other, "sendmail");
  make_socket (bus);

  /* Ours, links in place, a bus for cron jobs, clean aliases: all good. */
  check = add_check (ours, sbin, users, root, good);
  g_assert_cmpstr (check->check, ==, "sendmail");
  g_assert_true (check->ok);
  g_assert_cmpint (check->severity, ==, MS_CHECK_INFO);
  g_assert_nonnull (strstr (check->message, "is Mail Setup"));
  g_assert_null (strstr (check->message, "links"));
  g_assert_nonnull (strstr (check->message, bus));

  /* Another MTA is named; the links are missing where it looks. */
  check = add_check (theirs, other, users, root, another);
  g_assert_false (check->ok);
  g_assert_cmpint (check->severity, ==, MS_CHECK_WARNING);
  g_assert_nonnull (strstr (check->message, exim));
  g_assert_nonnull (strstr (check->message, "not installed"));

  /* No sendmail; the links are where this build put them; no bus; and an
   * aliases entry that is skipped. */
  g_remove (bus);
  g_assert_true (g_file_set_contents (aliases, "root: |/usr/bin/procmail\n", -1, NULL));
  check = add_check (none, sbin, users, root, missing);
  g_assert_false (check->ok);
  g_assert_nonnull (strstr (check->message, "There is no"));
  g_assert_nonnull (strstr (check->message, "links are installed"));
  g_assert_nonnull (strstr (check->message, "would not find one"));
  g_assert_nonnull (strstr (check->message, "|/usr/bin/procmail"));

  g_remove (aliases);
  for (guint i = 0; i < G_N_ELEMENTS (links); i++)
    {
      g_autofree char *path = g_build_filename (sbin, links[i], NULL);

      g_remove (path);
    }
  g_remove (theirs);
  g_remove (cli);
  g_remove (exim);
  g_rmdir (user_dir);
  g_rmdir (users);
  g_rmdir (bin);
  g_rmdir (sbin);
  g_rmdir (other);
  g_rmdir (root);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/ms/sendmail/callers", test_callers);
  g_test_add_func ("/ms/sendmail/options", test_options);
  g_test_add_func ("/ms/sendmail/refused-options", test_refused_options);
  g_test_add_func ("/ms/sendmail/aliases", test_aliases);
  g_test_add_func ("/ms/sendmail/aliases-file", test_aliases_file);
  g_test_add_func ("/ms/sendmail/rewrite-cron", test_rewrite_cron);
  g_test_add_func ("/ms/sendmail/rewrite-names", test_rewrite_names);
  g_test_add_func ("/ms/sendmail/session-bus", test_session_bus);
  g_test_add_func ("/ms/sendmail/diagnose-check", test_diagnose_check);

  return g_test_run ();
}
