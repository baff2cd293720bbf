/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-cli-sendmail"

#include "config.h"

#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "ms-fake-server.h"
#include "ms-test-cli.h"
#include "ms-test-keyring.h"
#include "ms-test-util.h"

/*
 * The system's sendmail end to end: mailsetup-cli started through a link
 * named `sendmail`, with the exact command lines and messages of the
 * programs that call it (cron, cronie, mutt, mailx, git send-email, PHP,
 * unattended-upgrades), then two of those programs for real, against a
 * real gnome-keyring-daemon in a private session and the fake server.
 */

#define OWN MS_FAKE_DEFAULT_USER

typedef struct
{
  MsTestKeyring *keyring;
  MsFakeServer  *server;
  char          *config_dir;
  char          *bin;       /* holds the sendmail, mailq and newaliases links */
  char          *sendmail;
  char          *state_dir;
  char          *ca;
} Fixture;

static void
check_output (MsCliRun *run)
{
  ms_test_check_no_secret ("stdout", (const guint8 *) run->out, strlen (run->out), OWN,
                           MS_FAKE_DEFAULT_PASSWORD);
  ms_test_check_no_secret ("stderr", (const guint8 *) run->err, strlen (run->err), OWN,
                           MS_FAKE_DEFAULT_PASSWORD);
}

static void
add_account (Fixture      *fixture,
             const char   *id,
             MsFakeServer *server)
{
  g_auto(MsCliRun) run = { 0 };
  g_autofree char *input = g_strdup_printf ("%s\n", MS_FAKE_DEFAULT_PASSWORD);
  g_autofree char *port = g_strdup_printf ("%u", ms_fake_server_get_port (server));

  ms_cli_run (&run, MS_CLI_PATH, fixture->config_dir, input, TRUE,
              (const char *[]) { "account", "add", id, "--address", OWN, "--host", "localhost",
                                 "--port", port, "--security", "tls", "--ca-file", fixture->ca,
                                 "--password-stdin", NULL });
  g_assert_cmpint (run.status, ==, 0);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *names[] = { "sendmail", "mailq", "newaliases" };

  fixture->keyring = ms_test_keyring_start (TRUE, &error);
  if (ms_test_keyring_skip_if_absent (fixture->keyring, error))
    return;

  fixture->server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  ms_test_fake_server_start (fixture->server);
  fixture->ca = ms_test_pki_file ("ca.pem");
  /* Where a job that has only HOME finds it: $HOME/.config/mailsetup. */
  fixture->config_dir = g_build_filename (g_get_home_dir (), ".config", "mailsetup", NULL);
  fixture->bin = g_build_filename (g_get_home_dir (), "bin", NULL);
  g_assert_cmpint (g_mkdir_with_parents (fixture->bin, 0700), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *link = g_build_filename (fixture->bin, names[i], NULL);

      g_assert_cmpint (symlink (MS_CLI_PATH, link), ==, 0);
    }
  fixture->sendmail = g_build_filename (fixture->bin, "sendmail", NULL);
  /* The outbox, for the messages that cannot go now: $HOME/.local/state too. */
  fixture->state_dir = g_build_filename (g_get_home_dir (), ".local", "state", "mailsetup", NULL);
  g_setenv ("MAILSETUP_STATE_DIR", fixture->state_dir, TRUE);
  add_account (fixture, "backup", fixture->server);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_pointer (&fixture->server, ms_fake_server_free);
  g_clear_pointer (&fixture->keyring, ms_test_keyring_stop);
  g_free (fixture->config_dir);
  g_free (fixture->bin);
  g_free (fixture->sendmail);
  g_free (fixture->state_dir);
  g_free (fixture->ca);
}

static void
run_program (MsCliRun            *run,
             GSubprocessLauncher *launcher,
             const char          *input,
             const char * const  *argv)
{
  g_autofree char *line = g_strjoinv (" ", (char **) argv);

  g_test_message ("%s", line);
  ms_cli_run_program (run, launcher, input, TRUE, argv);
  check_output (run);
}

static GSubprocessLauncher *
new_launcher (Fixture *fixture)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                                             | G_SUBPROCESS_FLAGS_STDERR_PIPE);

  /* s-nail runs its MTA with the passwd entry's HOME: name the folder. */
  g_subprocess_launcher_setenv (launcher, "MAILSETUP_CONFIG_DIR", fixture->config_dir, TRUE);

  return launcher;
}

/* `sendmail ARGS` as a program runs it: through the link, no --config-dir. */
static void
run_sendmail (Fixture            *fixture,
              MsCliRun           *run,
              const char         *input,
              const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = new_launcher (fixture);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, fixture->sendmail);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  run_program (run, launcher, input, (const char * const *) argv->pdata);
}

static char *
content_of (MsFakeMessage *message)
{
  return g_strndup (g_bytes_get_data (message->content, NULL), g_bytes_get_size (message->content));
}

static char *
header_section (const char *content)
{
  const char *end = strstr (content, "\r\n\r\n");

  g_assert_nonnull (end);
  return g_strndup (content, end - content + 2);
}

static void
assert_has_header (const char *headers,
                   const char *line)
{
  g_autofree char *needle = g_strconcat ("\r\n", line, "\r\n", NULL);
  g_autofree char *framed = g_strconcat ("\r\n", headers, NULL);

  if (strstr (framed, needle) == NULL)
    g_error ("no header line “%s” in:\n%s", line, headers);
}

/* Message-ID, whatever the case of its name (git writes Message-Id). */
static void
assert_has_message_id (const char *headers)
{
  g_autofree char *framed = g_strconcat ("\r\n", headers, NULL);
  g_autofree char *lower = g_ascii_strdown (framed, -1);

  g_assert_nonnull (strstr (lower, "\r\nmessage-id: <"));
}

/* The last line starting with @verb that the server received for the last message. */
static char *
last_command (MsFakeServer *server,
              const char   *verb)
{
  g_autoptr(GBytes) bytes = ms_fake_server_dup_tls_bytes (server);
  g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_auto(GStrv) lines = g_strsplit (text, "\r\n", -1);
  char *found = NULL;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], verb))
        {
          g_free (found);
          found = g_strdup (lines[i]);
        }
    }
  g_assert_nonnull (found);

  return found;
}

/* ---- the callers of the contract, with the messages they write ---- */

typedef struct
{
  const char *args[10];
  const char *message;
  const char *mail_from;
  const char *rcpt[3];
  const char *headers[4];   /* lines the delivered header must hold */
  const char *absent;       /* nullable: text the header must not hold */
  const char *body;         /* the body as delivered, CRLF */
} Caller;

/* Debian's cron 3.0pl1 (do_command.c): From with a comment, To the login
 * name, the environment as X-Cron-Env; `-B8BITMIME` although the body is
 * ASCII. */
static const Caller debian_cron = {
  { "-FCronDaemon", "-i", "-B8BITMIME", "-oem", "me", NULL },
  "From: root (Cron Daemon)\n"
  "To: me\n"
  "Subject: Cron <me@nas> /usr/local/bin/backup --nightly\n"
  "MIME-Version: 1.0\n"
  "Content-Type: text/plain; charset=UTF-8\n"
  "Content-Transfer-Encoding: 8bit\n"
  "X-Cron-Env: <SHELL=/bin/sh>\n"
  "X-Cron-Env: <HOME=/home/me>\n"
  "X-Cron-Env: <PATH=/usr/bin:/bin>\n"
  "X-Cron-Env: <LOGNAME=me>\n"
  "\n"
  "backup: 3 files copied\n"
  ".\n"
  "backup: done\n",
  OWN, { OWN, NULL },
  { "From: Cron Daemon <" OWN ">", "To: me <" OWN ">",
    "Subject: Cron <me@nas> /usr/local/bin/backup --nightly", "X-Cron-Env: <LOGNAME=me>" },
  "root",
  "backup: 3 files copied\r\n.\r\nbackup: done\r\n",
};

/* cronie (do_command.c): the From phrase in quotes, -t and -f USER. */
static const Caller cronie = {
  { "-FCronDaemon", "-i", "-odi", "-oem", "-oi", "-t", "-f", "me", NULL },
  "From: \"(Cron Daemon)\" <me>\n"
  "To: me\n"
  "Subject: Cron <me@nas> /usr/local/bin/backup\n"
  "MIME-Version: 1.0\n"
  "Content-Type: text/plain; charset=UTF-8\n"
  "Auto-Submitted: auto-generated\n"
  "Precedence: bulk\n"
  "X-Cron-Env: <LANG=C.UTF-8>\n"
  "\n"
  "rsync: 12 MB\n"
  ".\n"
  "ok\n",
  OWN, { OWN, NULL },
  { "From: \"(Cron Daemon)\" <" OWN ">", "To: me <" OWN ">", "Auto-Submitted: auto-generated",
    "Precedence: bulk" },
  NULL,
  "rsync: 12 MB\r\n.\r\nok\r\n",
};

static const Caller mutt = {
  { "-oem", "-oi", "--", "friend@example.com", "other@example.org", NULL },
  "Date: Sun, 6 Dec 2026 07:00:00 +0100\n"
  "From: Me <" OWN ">\n"
  "To: Friend <friend@example.com>\n"
  "Cc: other@example.org\n"
  "Subject: the photos\n"
  "Message-ID: <20261206060000.abcdef@nas>\n"
  "MIME-Version: 1.0\n"
  "Content-Type: text/plain; charset=us-ascii\n"
  "Content-Disposition: inline\n"
  "User-Agent: NeoMutt/20220429\n"
  "\n"
  "Here they are.\n"
  ".\n"
  "-- \n"
  "Me\n",
  OWN, { "friend@example.com", "other@example.org", NULL },
  { "From: Me <" OWN ">", "To: Friend <friend@example.com>",
    "Message-ID: <20261206060000.abcdef@nas>", "User-Agent: NeoMutt/20220429" },
  NULL,
  "Here they are.\r\n.\r\n-- \r\nMe\r\n",
};

/* mailx / s-nail with -r: that address is the envelope sender. */
static const Caller mailx = {
  { "-i", "-r", "backup@example.net", "--", "root", NULL },
  "Date: Sun, 06 Dec 2026 06:00:00 +0000\n"
  "From: backup@example.net\n"
  "To: root\n"
  "Subject: Nightly report\n"
  "Message-ID: <20261206060000.gOnBo%backup@example.net>\n"
  "User-Agent: s-nail v14.9.24\n"
  "\n"
  "all good\n"
  ".\n"
  "end\n",
  "backup@example.net", { OWN, NULL },
  { "From: backup@example.net", "To: root <" OWN ">", "Subject: Nightly report", NULL },
  NULL,
  "all good\r\n.\r\nend\r\n",
};

static const Caller git_send_email = {
  { "-i", "ops@example.com", NULL },
  "From: Me <" OWN ">\n"
  "To: ops@example.com\n"
  "Subject: [PATCH] Add f\n"
  "Date: Sun,  6 Dec 2026 05:41:50 +0000\n"
  "Message-Id: <20261206054150.403-1-" OWN ">\n"
  "X-Mailer: git-send-email 2.39.5\n"
  "MIME-Version: 1.0\n"
  "Content-Transfer-Encoding: 8bit\n"
  "\n"
  "---\n"
  " f | 3 +++\n"
  "\n"
  "+a\n"
  ".\n"
  "+b\n",
  OWN, { "ops@example.com", NULL },
  { "Subject: [PATCH] Add f", "X-Mailer: git-send-email 2.39.5", "To: ops@example.com", NULL },
  NULL,
  "---\r\n f | 3 +++\r\n\r\n+a\r\n.\r\n+b\r\n",
};

/* PHP's mail(): To and Subject first, then the script's own headers. */
static const Caller php = {
  { "-t", "-i", NULL },
  "To: client@example.com\n"
  "Subject: Order 42\n"
  "X-PHP-Originating-Script: 33:order.php\n"
  "From: shop@example.com\n"
  "\n"
  "Thank you.\n"
  ".\n"
  "The shop\n",
  OWN, { "client@example.com", NULL },
  { "To: client@example.com", "From: shop@example.com",
    "X-PHP-Originating-Script: 33:order.php", NULL },
  NULL,
  "Thank you.\r\n.\r\nThe shop\r\n",
};

/* unattended-upgrades (and mdadm, smartd, logwatch): From and To root. */
static const Caller unattended_upgrades = {
  { "-oi", "-t", NULL },
  "Subject: unattended-upgrades result for nas: True\n"
  "From: root\n"
  "To: root\n"
  "MIME-Version: 1.0\n"
  "Content-Type: text/plain; charset=\"utf-8\"\n"
  "Content-Transfer-Encoding: 8bit\n"
  "\n"
  "Unattended upgrade result: All upgrades installed\n"
  ".\n"
  "Packages that were upgraded:\n"
  " libc6\n",
  OWN, { OWN, NULL },
  { "From: root <" OWN ">", "To: root <" OWN ">",
    "Subject: unattended-upgrades result for nas: True", NULL },
  NULL,
  "Unattended upgrade result: All upgrades installed\r\n.\r\nPackages that were upgraded:\r\n"
  " libc6\r\n",
};

static void
assert_delivered (MsFakeServer  *server,
                  guint          index,
                  const Caller  *caller)
{
  g_autoptr(MsFakeMessage) message = NULL;
  g_autofree char *content = NULL;
  g_autofree char *headers = NULL;
  const char *body;

  g_assert_cmpuint (ms_fake_server_get_n_messages (server), ==, index + 1);
  message = ms_fake_server_dup_message (server, index);
  g_assert_cmpstr (message->mail_from, ==, caller->mail_from);
  g_assert_cmpstrv (message->rcpt_to, caller->rcpt);

  content = content_of (message);
  headers = header_section (content);
  for (guint i = 0; i < G_N_ELEMENTS (caller->headers) && caller->headers[i] != NULL; i++)
    assert_has_header (headers, caller->headers[i]);
  assert_has_message_id (headers);
  if (caller->absent != NULL)
    g_assert_null (strstr (headers, caller->absent));
  body = strstr (content, "\r\n\r\n") + 4;
  g_assert_cmpstr (body, ==, caller->body);
}

static void
test_caller (Fixture       *fixture,
             gconstpointer  data)
{
  const Caller *caller = data;
  g_auto(MsCliRun) run = { 0 };

  if (fixture->keyring == NULL)
    return;

  run_sendmail (fixture, &run, caller->message, caller->args);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_cmpstr (run.err, ==, "");
  assert_delivered (fixture->server, 0, caller);
}

/* -B8BITMIME is declared (the server offers 8BITMIME) though the body is
 * ASCII; without -B an ASCII message is not declared 8-bit. */
static void
test_body_type (Fixture       *fixture,
                gconstpointer  data)
{
  g_auto(MsCliRun) cron = { 0 };
  g_auto(MsCliRun) plain = { 0 };
  g_autofree char *cron_mail = NULL;
  g_autofree char *plain_mail = NULL;

  if (fixture->keyring == NULL)
    return;

  run_sendmail (fixture, &cron, debian_cron.message, debian_cron.args);
  g_assert_cmpint (cron.status, ==, 0);
  cron_mail = last_command (fixture->server, "MAIL FROM:");
  g_assert_nonnull (strstr (cron_mail, " BODY=8BITMIME"));

  run_sendmail (fixture, &plain, debian_cron.message, (const char *[]) { "-i", "me", NULL });
  g_assert_cmpint (plain.status, ==, 0);
  plain_mail = last_command (fixture->server, "MAIL FROM:");
  g_assert_null (strstr (plain_mail, "BODY="));
}

/* ---- aliases, -t with arguments ---- */

static void
write_aliases (Fixture    *fixture,
               const char *text)
{
  g_autofree char *path = g_build_filename (fixture->config_dir, "aliases", NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static void
test_aliases_chain (Fixture       *fixture,
                    gconstpointer  data)
{
  g_auto(MsCliRun) run = { 0 };
  g_auto(MsCliRun) piped = { 0 };
  g_autoptr(MsFakeMessage) message = NULL;
  g_autoptr(MsFakeMessage) second = NULL;
  g_autofree char *content = NULL;

  if (fixture->keyring == NULL)
    return;

  write_aliases (fixture, "# who reads root's mail\n"
                          "admin: root\n"
                          "root: ops@example.com\n"
                          "backup: |/usr/local/bin/handle-backup, admin\n");
  run_sendmail (fixture, &run, "From: admin\nTo: admin\nSubject: disk 91% full\n\n/dev/sda1\n",
                (const char *[]) { "-i", "admin", NULL });
  g_assert_cmpint (run.status, ==, 0);
  message = ms_fake_server_dup_message (fixture->server, 0);
  g_assert_cmpstr (message->mail_from, ==, OWN);
  g_assert_cmpstrv (message->rcpt_to, ((const char *[]) { "ops@example.com", NULL }));
  content = content_of (message);
  assert_has_header (content, "To: admin <ops@example.com>");
  assert_has_header (content, "From: admin <" OWN ">");

  /* A command entry is skipped with a warning; the rest of the list counts. */
  run_sendmail (fixture, &piped, "Subject: x\n\nx\n", (const char *[]) { "backup", NULL });
  g_assert_cmpint (piped.status, ==, 0);
  g_assert_nonnull (strstr (piped.err, "|/usr/local/bin/handle-backup"));
  second = ms_fake_server_dup_message (fixture->server, 1);
  g_assert_cmpstrv (second->rcpt_to, ((const char *[]) { "ops@example.com", NULL }));
}

static void
test_extract_adds_arguments (Fixture       *fixture,
                             gconstpointer  data)
{
  g_auto(MsCliRun) run = { 0 };
  g_autoptr(MsFakeMessage) message = NULL;

  if (fixture->keyring == NULL)
    return;

  run_sendmail (fixture, &run, "To: a@example.com\nBcc: hidden@example.com\nSubject: x\n\nx\n",
                (const char *[]) { "-t", "-i", "extra@example.org", NULL });
  g_assert_cmpint (run.status, ==, 0);
  message = ms_fake_server_dup_message (fixture->server, 0);
  g_assert_cmpstrv (message->rcpt_to,
                    ((const char *[]) { "extra@example.org", "a@example.com", "hidden@example.com",
                                        NULL }));
}

/* ---- DSN: only when the server offers it ---- */

static void
test_dsn (Fixture       *fixture,
          gconstpointer  data)
{
  const char *caps[] = { "PIPELINING", "8BITMIME", "DSN", "SIZE 10485760", "AUTH PLAIN LOGIN",
                         "ENHANCEDSTATUSCODES", NULL };
  const char *args[] = { "--account", "dsn", "-N", "failure,delay", "-R", "hdrs", "-V", "job=7",
                         "-i", "ops@example.com", NULL };
  const char *plain_args[] = { "-N", "failure,delay", "-R", "hdrs", "-V", "job=7", "-i",
                               "ops@example.com", NULL };
  g_autoptr(MsFakeServer) dsn_server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  g_auto(MsCliRun) run = { 0 };
  g_auto(MsCliRun) plain = { 0 };
  g_autofree char *mail = NULL;
  g_autofree char *rcpt = NULL;
  g_autofree char *plain_mail = NULL;
  g_autofree char *plain_rcpt = NULL;

  if (fixture->keyring == NULL)
    return;

  ms_fake_server_set_capabilities (dsn_server, MS_FAKE_STEP_EHLO_TLS, caps);
  ms_test_fake_server_start (dsn_server);
  add_account (fixture, "dsn", dsn_server);

  run_sendmail (fixture, &run, "Subject: x\n\nx\n", args);
  g_assert_cmpint (run.status, ==, 0);
  mail = last_command (dsn_server, "MAIL FROM:");
  rcpt = last_command (dsn_server, "RCPT TO:");
  g_assert_nonnull (strstr (mail, " RET=HDRS"));
  g_assert_nonnull (strstr (mail, " ENVID=job+3D7"));
  g_assert_cmpstr (rcpt, ==, "RCPT TO:<ops@example.com> NOTIFY=FAILURE,DELAY");

  /* The default account's server offers no DSN: nothing of it is sent. */
  run_sendmail (fixture, &plain, "Subject: x\n\nx\n", plain_args);
  g_assert_cmpint (plain.status, ==, 0);
  plain_mail = last_command (fixture->server, "MAIL FROM:");
  plain_rcpt = last_command (fixture->server, "RCPT TO:");
  g_assert_null (strstr (plain_mail, "RET="));
  g_assert_null (strstr (plain_mail, "ENVID="));
  g_assert_cmpstr (plain_rcpt, ==, "RCPT TO:<ops@example.com>");
}

/* ---- options that are refused: 64, nothing sent ---- */

static void
test_refused_options (Fixture       *fixture,
                      gconstpointer  data)
{
  const struct
  {
    const char *args[4];
    const char *named;
  } cases[] = {
    { { "-bs", NULL }, "-bs" },
    { { "-bd", NULL }, "-bd" },
    { { "-bt", NULL }, "-bt" },
    { { "-X", "/tmp/traffic.log", "me", NULL }, "-X" },
    { { "-i", "-h", "3", NULL }, "-h" },
    { { "-tiC", "/etc/mail/sendmail.cf", NULL }, "-C" },
    { { "--frobnicate", "me", NULL }, "--frobnicate" },
    { { "-B", "BINARYMIME", "me", NULL }, "BINARYMIME" },
  };

  if (fixture->keyring == NULL)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(MsCliRun) run = { 0 };

      run_sendmail (fixture, &run, "Subject: x\n\nx\n", cases[i].args);
      g_assert_cmpint (run.status, ==, 64);
      g_assert_nonnull (strstr (run.err, cases[i].named));
    }
  g_assert_cmpuint (ms_fake_server_get_n_connections (fixture->server), ==, 1);
  g_assert_cmpuint (ms_fake_server_get_n_messages (fixture->server), ==, 0);
}

/* ---- the names: mailq, newaliases ---- */

static void
test_other_names (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *mailq = NULL;
  g_autofree char *newaliases = NULL;
  g_auto(MsCliRun) kept = { 0 };
  g_auto(MsCliRun) queue = { 0 };
  g_auto(MsCliRun) listed = { 0 };
  g_auto(MsCliRun) flush = { 0 };
  g_auto(MsCliRun) empty = { 0 };
  g_auto(MsCliRun) aliases = { 0 };
  g_autoptr(MsFakeMessage) message = NULL;

  if (fixture->keyring == NULL)
    return;

  launcher = new_launcher (fixture);
  mailq = g_build_filename (fixture->bin, "mailq", NULL);
  newaliases = g_build_filename (fixture->bin, "newaliases", NULL);

  /* mailq is `queue list`: a message kept for later is listed. */
  run_sendmail (fixture, &kept, "Subject: kept for later\n\nx\n",
                (const char *[]) { "--queue-only", "-i", "root", NULL });
  g_assert_cmpint (kept.status, ==, 0);
  run_program (&queue, launcher, NULL, (const char *[]) { mailq, NULL });
  g_assert_cmpint (queue.status, ==, 0);
  g_assert_nonnull (strstr (queue.out, "kept for later"));
  g_assert_nonnull (strstr (queue.out, OWN));
  run_sendmail (fixture, &listed, NULL, (const char *[]) { "-bp", NULL });
  g_assert_cmpstr (listed.out, ==, queue.out);

  /* -q is `queue flush`: the kept message is due, and goes. */
  g_assert_cmpuint (ms_fake_server_get_n_messages (fixture->server), ==, 0);
  run_sendmail (fixture, &flush, NULL, (const char *[]) { "-q", NULL });
  g_assert_cmpint (flush.status, ==, 0);
  g_assert_cmpuint (ms_fake_server_get_n_messages (fixture->server), ==, 1);
  message = ms_fake_server_dup_message (fixture->server, 0);
  g_assert_cmpstrv (message->rcpt_to, ((const char *[]) { OWN, NULL }));
  run_program (&empty, launcher, NULL, (const char *[]) { mailq, NULL });
  g_assert_cmpint (empty.status, ==, 0);
  g_assert_null (strstr (empty.out, "kept for later"));

  /* newaliases does nothing. */
  run_program (&aliases, launcher, NULL, (const char *[]) { newaliases, NULL });
  g_assert_cmpint (aliases.status, ==, 0);
  g_assert_cmpstr (aliases.out, ==, "");
  g_assert_cmpuint (ms_fake_server_get_n_messages (fixture->server), ==, 1);
}

/* ---- diagnose: can programs that call sendmail reach this account ---- */

static void
test_diagnose (Fixture       *fixture,
               gconstpointer  data)
{
  g_auto(MsCliRun) run = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *checks;
  JsonObject *sendmail = NULL;

  if (fixture->keyring == NULL)
    return;

  write_aliases (fixture, "root: |/usr/local/bin/handle-root\n");
  ms_cli_run (&run, MS_CLI_PATH, fixture->config_dir, NULL, TRUE,
              (const char *[]) { "--json", "diagnose", "backup", NULL });
  g_assert_cmpint (run.status, ==, 0);
  json_parser_load_from_data (parser, run.out, -1, &error);
  g_assert_no_error (error);
  checks = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                         "checks");
  for (guint i = 0; i < json_array_get_length (checks); i++)
    {
      JsonObject *check = json_array_get_object_element (checks, i);

      if (g_str_equal (json_object_get_string_member (check, "check"), "sendmail"))
        sendmail = check;
    }
  g_assert_nonnull (sendmail);
  g_assert_false (json_object_get_boolean_member (sendmail, "ok"));
  g_assert_cmpstr (json_object_get_string_member (sendmail, "severity"), ==, "warning");
  /* The skipped aliases entry of this account's folder is named. */
  g_assert_nonnull (strstr (json_object_get_string_member (sendmail, "message"),
                            "|/usr/local/bin/handle-root"));
  g_assert_nonnull (strstr (json_object_get_string_member (sendmail, "message"), "sendmail"));
}

/* ---- a job with an empty environment, as cron starts it ---- */

static char *
session_runtime_dir (void)
{
  const char *address = g_getenv ("DBUS_SESSION_BUS_ADDRESS");

  g_assert_true (g_str_has_prefix (address, "unix:path="));
  g_assert_true (g_str_has_suffix (address, "/bus"));

  return g_path_get_dirname (address + strlen ("unix:path="));
}

static void
run_as_cron_job (Fixture    *fixture,
                 MsCliRun   *run,
                 const char *runtime_dir)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                                                      | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autofree char *home = g_strdup_printf ("HOME=%s", g_get_home_dir ());
  g_autofree char *runtime = g_strdup_printf ("XDG_RUNTIME_DIR=%s", runtime_dir);
  /* Root with no folder of its own is system mode (/etc/mailsetup, root's
   * own jobs); a user's job finds $HOME/.config/mailsetup. As root, this
   * test names that folder to stand for the user. */
  g_autofree char *config = g_strdup_printf ("MAILSETUP_CONFIG_DIR=%s", fixture->config_dir);
  const char *env[] = { home, "LOGNAME=me", "PATH=/usr/bin:/bin", "SHELL=/bin/sh", runtime,
                        getuid () == 0 ? config : NULL, NULL };

  /* env -i, then only what cron sets, and the runtime folder of the user's
   * session (as /run/user/UID is when the user is logged in). */
  g_subprocess_launcher_set_environ (launcher, (char **) env);
  run_program (run, launcher, debian_cron.message,
               (const char *[]) { fixture->sendmail, "-FCronDaemon", "-i", "-B8BITMIME", "-oem",
                                  "me", NULL });
}

static void
test_empty_environment (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *runtime_dir = NULL;
  g_autofree char *bus = NULL;
  g_auto(MsCliRun) run = { 0 };
  g_auto(MsCliRun) foreign = { 0 };

  if (fixture->keyring == NULL)
    return;

  runtime_dir = session_runtime_dir ();
  run_as_cron_job (fixture, &run, runtime_dir);
  g_assert_cmpint (run.status, ==, 0);
  assert_delivered (fixture->server, 0, &debian_cron);

  /* A bus socket that belongs to another user is never used. */
  if (getuid () != 0)
    {
      g_test_message ("not root: the other-user socket case needs chown");
      return;
    }
  bus = g_build_filename (runtime_dir, "bus", NULL);
  g_assert_cmpint (lchown (bus, 4242, 4242), ==, 0);
  run_as_cron_job (fixture, &foreign, runtime_dir);
  g_assert_cmpint (lchown (bus, getuid (), getgid ()), ==, 0);
  /* No keyring, so nothing sent: the message is kept for later (exit 0). */
  g_assert_cmpint (foreign.status, ==, 0);
  g_assert_cmpstr (foreign.err, !=, "");
  g_assert_cmpuint (ms_fake_server_get_n_messages (fixture->server), ==, 1);
  g_assert_cmpuint (ms_fake_server_get_n_connections (fixture->server), ==, 2);
}

/* ---- real clients ---- */

static gboolean
have_program (const char *program)
{
  g_autofree char *path = g_find_program_in_path (program);

  if (path != NULL)
    return TRUE;

  if (g_strcmp0 (g_getenv ("MS_TEST_REQUIRE_KEYRING"), "1") == 0)
    {
      g_test_message ("%s is missing (build-aux/packages installs it)", program);
      g_test_fail ();
    }
  else
    {
      g_autofree char *message = g_strdup_printf ("%s is not installed", program);

      g_test_skip (message);
    }

  return FALSE;
}

static void
test_s_nail (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *mta = NULL;
  g_auto(MsCliRun) run = { 0 };
  g_autoptr(MsFakeMessage) message = NULL;
  g_autofree char *content = NULL;

  if (fixture->keyring == NULL || !have_program ("s-nail"))
    return;

  write_aliases (fixture, "root: ops@example.com\n");
  launcher = new_launcher (fixture);
  mta = g_strdup_printf ("mta=%s", fixture->sendmail);
  /* -:/ reads no rc file; -r sets the sender as mailx users do. */
  run_program (&run, launcher, "all good\n.\nend\n",
               (const char *[]) { "s-nail", "-:/", "-S", mta, "-r", "backup@example.net",
                                  "-s", "Nightly report", "root", NULL });
  g_assert_cmpint (run.status, ==, 0);

  g_assert_cmpuint (ms_fake_server_get_n_messages (fixture->server), ==, 1);
  message = ms_fake_server_dup_message (fixture->server, 0);
  g_assert_cmpstr (message->mail_from, ==, "backup@example.net");
  g_assert_cmpstrv (message->rcpt_to, ((const char *[]) { "ops@example.com", NULL }));
  content = content_of (message);
  assert_has_header (content, "To: root <ops@example.com>");
  assert_has_header (content, "Subject: Nightly report");
  g_assert_true (g_str_has_suffix (content, "\r\n\r\nall good\r\n.\r\nend\r\n"));
}

static void
run_git (const char         *folder,
         const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  g_subprocess_launcher_set_cwd (launcher, folder);
  g_subprocess_launcher_setenv (launcher, "GIT_CONFIG_NOSYSTEM", "1", TRUE);
  g_ptr_array_add (argv, (char *) "git");
  g_ptr_array_add (argv, (char *) "-c");
  g_ptr_array_add (argv, (char *) "user.name=Me");
  g_ptr_array_add (argv, (char *) "-c");
  g_ptr_array_add (argv, (char *) "user.email=" OWN);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (process, NULL, &error));
  g_assert_no_error (error);
}

static void
test_git_send_email (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *repo = NULL;
  g_autofree char *file = NULL;
  g_autofree char *patch = NULL;
  g_autofree char *command = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_auto(MsCliRun) run = { 0 };
  g_autoptr(MsFakeMessage) message = NULL;
  g_autofree char *content = NULL;

  if (fixture->keyring == NULL || !have_program ("git"))
    return;
  if (!g_file_test ("/usr/lib/git-core/git-send-email", G_FILE_TEST_EXISTS)
      && !have_program ("git-send-email"))
    return;

  repo = g_build_filename (g_get_home_dir (), "repo", NULL);
  g_assert_cmpint (g_mkdir_with_parents (repo, 0700), ==, 0);
  run_git (repo, (const char *[]) { "init", "-q", NULL });
  file = g_build_filename (repo, "f", NULL);
  g_assert_true (g_file_set_contents (file, "a\n.\nb\n", -1, NULL));
  run_git (repo, (const char *[]) { "add", "f", NULL });
  run_git (repo, (const char *[]) { "commit", "-q", "-m", "Add f", NULL });
  run_git (repo, (const char *[]) { "format-patch", "-q", "-1", "-o", "patches", NULL });
  patch = g_build_filename (repo, "patches", "0001-Add-f.patch", NULL);

  launcher = new_launcher (fixture);
  g_subprocess_launcher_set_cwd (launcher, repo);
  g_subprocess_launcher_setenv (launcher, "GIT_CONFIG_NOSYSTEM", "1", TRUE);
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *name = g_strdup_printf ("GIT_%s_NAME", i ? "AUTHOR" : "COMMITTER");
      g_autofree char *email = g_strdup_printf ("GIT_%s_EMAIL", i ? "AUTHOR" : "COMMITTER");

      g_subprocess_launcher_setenv (launcher, name, "Me", TRUE);
      g_subprocess_launcher_setenv (launcher, email, OWN, TRUE);
    }
  command = g_strdup_printf ("--sendmail-cmd=%s", fixture->sendmail);
  run_program (&run, launcher, NULL,
               (const char *[]) { "git", "send-email", command, "--to=ops@example.com",
                                  "--from=Me <" OWN ">", "--confirm=never", "--suppress-cc=all",
                                  patch, NULL });
  g_assert_cmpint (run.status, ==, 0);

  g_assert_cmpuint (ms_fake_server_get_n_messages (fixture->server), ==, 1);
  message = ms_fake_server_dup_message (fixture->server, 0);
  g_assert_cmpstr (message->mail_from, ==, OWN);
  g_assert_cmpstrv (message->rcpt_to, ((const char *[]) { "ops@example.com", NULL }));
  content = content_of (message);
  assert_has_header (content, "Subject: [PATCH] Add f");
  assert_has_header (content, "From: Me <" OWN ">");
  g_assert_nonnull (strstr (content, "\r\n+a\r\n+.\r\n+b\r\n"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func, data) \
  g_test_add ("/ms/sendmail-cli/" path, Fixture, data, fixture_set_up, func, fixture_tear_down)

  ADD ("caller/debian-cron", test_caller, &debian_cron);
  ADD ("caller/cronie", test_caller, &cronie);
  ADD ("caller/mutt", test_caller, &mutt);
  ADD ("caller/mailx", test_caller, &mailx);
  ADD ("caller/git-send-email", test_caller, &git_send_email);
  ADD ("caller/php", test_caller, &php);
  ADD ("caller/unattended-upgrades", test_caller, &unattended_upgrades);
  ADD ("body-type", test_body_type, NULL);
  ADD ("aliases-chain", test_aliases_chain, NULL);
  ADD ("extract-adds-arguments", test_extract_adds_arguments, NULL);
  ADD ("dsn", test_dsn, NULL);
  ADD ("refused-options", test_refused_options, NULL);
  ADD ("other-names", test_other_names, NULL);
  ADD ("diagnose", test_diagnose, NULL);
  ADD ("empty-environment", test_empty_environment, NULL);
  ADD ("s-nail", test_s_nail, NULL);
  ADD ("git-send-email", test_git_send_email, NULL);

#undef ADD

  return g_test_run ();
}
