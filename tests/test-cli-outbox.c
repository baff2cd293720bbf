/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-cli-outbox"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "ms-fake-server.h"
#include "ms-message.h"
#include "ms-test-cli.h"
#include "ms-test-keyring.h"
#include "ms-test-util.h"

/* The outbox end to end (docs/contract.md, "The outbox: nothing lost,
 * nothing doubled"): mailsetup-cli send and queue as separate processes,
 * a real gnome-keyring-daemon, the fake server, and real faults (a server
 * that is down, refuses, drops after the dot; kill -9; a full disk). */

typedef struct
{
  MsTestKeyring *keyring;
  MsFakeServer  *server;
  guint16        port;
  char          *config_dir;
  char          *state_dir;
  char          *ca;
} Fixture;

static void
cli_run (Fixture            *fixture,
         MsCliRun           *run,
         const char         *input,
         const char * const *argv)
{
  ms_cli_run (run, MS_CLI_PATH, fixture->config_dir, input, TRUE, argv);
  ms_test_check_no_secret ("stdout", (const guint8 *) run->out, strlen (run->out),
                           MS_FAKE_DEFAULT_USER, MS_FAKE_DEFAULT_PASSWORD);
  ms_test_check_no_secret ("stderr", (const guint8 *) run->err, strlen (run->err),
                           MS_FAKE_DEFAULT_USER, MS_FAKE_DEFAULT_PASSWORD);
}

static MsFakeServer *
server_on_port (guint16 port)
{
  MsFakeServer *server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);

  ms_fake_server_set_port (server, port);

  return server;
}

/* Replaces the running server by a fresh one on the same port. */
static void
restart_server (Fixture      *fixture,
                MsFakeServer *server)
{
  g_clear_pointer (&fixture->server, ms_fake_server_free);
  fixture->server = server != NULL ? server : server_on_port (fixture->port);
  ms_test_fake_server_start (fixture->server);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *port = NULL;
  g_autofree char *input = g_strdup_printf ("%s\n", MS_FAKE_DEFAULT_PASSWORD);
  g_auto(MsCliRun) run = { 0 };

  fixture->keyring = ms_test_keyring_start (TRUE, &error);
  if (ms_test_keyring_skip_if_absent (fixture->keyring, error))
    return;

  fixture->server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  ms_test_fake_server_start (fixture->server);
  fixture->port = ms_fake_server_get_port (fixture->server);
  fixture->ca = ms_test_pki_file ("ca.pem");
  fixture->config_dir = g_build_filename (g_get_user_config_dir (), "mailsetup-test", NULL);
  fixture->state_dir = g_build_filename (g_get_user_config_dir (), "mailsetup-state", NULL);
  g_setenv ("MAILSETUP_STATE_DIR", fixture->state_dir, TRUE);

  port = g_strdup_printf ("%u", fixture->port);
  cli_run (fixture, &run, input,
           (const char *[]) { "account", "add", "backup", "--address", MS_FAKE_DEFAULT_USER,
                              "--host", "localhost", "--port", port, "--security", "tls",
                              "--ca-file", fixture->ca, "--password-stdin", "--no-verify",
                              NULL });
  g_assert_cmpint (run.status, ==, 0);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_pointer (&fixture->server, ms_fake_server_free);
  g_clear_pointer (&fixture->keyring, ms_test_keyring_stop);
  g_free (fixture->config_dir);
  g_free (fixture->state_dir);
  g_free (fixture->ca);
}

static char *
message_text (const char *token)
{
  return g_strdup_printf ("To: friend@localhost\nSubject: %s\n\nThe backup %s finished.\n"
                          "end-of-%s\n", token, token, token);
}

/* `queue list --json` as parsed JSON; the array of messages. */
static JsonArray *
list_messages (Fixture    *fixture,
               JsonParser *parser)
{
  g_auto(MsCliRun) run = { 0 };
  g_autoptr(GError) error = NULL;
  JsonObject *root;

  cli_run (fixture, &run, NULL, (const char *[]) { "--json", "queue", "list", NULL });
  g_assert_cmpint (run.status, ==, 0);
  json_parser_load_from_data (parser, run.out, -1, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_true (json_object_get_boolean_member (root, "ok"));

  return json_object_get_array_member (root, "messages");
}

static guint
count_kept (Fixture *fixture)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  return json_array_get_length (list_messages (fixture, parser));
}

static char *
received_text (MsFakeServer *server,
               guint         index)
{
  g_autoptr(MsFakeMessage) message = ms_fake_server_dup_message (server, index);

  return g_strndup (g_bytes_get_data (message->content, NULL), g_bytes_get_size (message->content));
}

static char *
header_value (const char *text,
              const char *name)
{
  g_autofree char *prefix = g_strdup_printf ("\r\n%s: ", name);
  const char *start = strstr (text, prefix);
  const char *end;

  g_assert_nonnull (start);
  start += strlen (prefix);
  end = strstr (start, "\r\n");

  return g_strndup (start, end - start);
}

static void
test_sent_keeps_nothing (Fixture       *fixture,
                         gconstpointer  data)
{
  g_auto(MsCliRun) run = { 0 };
  g_auto(MsCliRun) json = { 0 };
  g_autofree char *input = message_text ("one");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *root;

  if (fixture->keyring == NULL)
    return;

  cli_run (fixture, &run, input, (const char *[]) { "send", "-t", NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpuint (ms_fake_server_get_n_messages (fixture->server), ==, 1);

  cli_run (fixture, &json, input, (const char *[]) { "--json", "send", "-t", NULL });
  g_assert_cmpint (json.status, ==, 0);
  json_parser_load_from_data (parser, json.out, -1, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "outcome"), ==, "sent");
  g_assert_true (json_object_get_null_member (root, "queue_id"));
  g_assert_nonnull (json_object_get_string_member (root, "message_id"));
  g_assert_cmpuint (count_kept (fixture), ==, 0);
}

/* A server that is down: kept (exit 0, one line), then delivered by
 * `queue flush` with the same Message-ID and the same bytes. */
static void
test_down_then_flushed (Fixture       *fixture,
                        gconstpointer  data)
{
  g_auto(MsCliRun) run = { 0 };
  g_auto(MsCliRun) show = { 0 };
  g_auto(MsCliRun) flush_early = { 0 };
  g_auto(MsCliRun) flush = { 0 };
  g_autofree char *input = message_text ("down");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *id = NULL;
  g_autofree char *message_id = NULL;
  g_autofree char *received = NULL;
  g_autofree char *received_id = NULL;
  JsonObject *entry;

  if (fixture->keyring == NULL)
    return;

  ms_fake_server_stop (fixture->server);
  cli_run (fixture, &run, input, (const char *[]) { "send", "-t", NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.err, "kept in the outbox as "));
  g_assert_nonnull (strstr (run.err, "sent automatically"));
  g_assert_null (strchr (strchr (run.err, '\n') + 1, '\n'));

  entry = json_array_get_object_element (list_messages (fixture, parser), 0);
  id = g_strdup (json_object_get_string_member (entry, "id"));
  message_id = g_strdup (json_object_get_string_member (entry, "message_id"));
  g_assert_cmpstr (json_object_get_string_member (entry, "state"), ==, "queued");
  g_assert_cmpstr (json_object_get_string_member (entry, "subject"), ==, "down");
  g_assert_cmpint (json_object_get_int_member (entry, "attempts"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (entry, "error"),
                                                  "code"), ==, "connect-refused");
  g_assert_nonnull (strstr (run.err, id));

  cli_run (fixture, &show, NULL, (const char *[]) { "queue", "show", id, NULL });
  g_assert_cmpint (show.status, ==, 0);
  g_assert_nonnull (strstr (show.out, message_id));
  g_assert_nonnull (strstr (show.out, "end-of-down\r\n"));

  restart_server (fixture, NULL);
  /* Not due yet (the next attempt is a minute away): nothing is tried. */
  cli_run (fixture, &flush_early, NULL, (const char *[]) { "queue", "flush", NULL });
  g_assert_cmpint (flush_early.status, ==, 0);
  g_assert_cmpuint (ms_fake_server_get_n_connections (fixture->server), ==, 0);

  cli_run (fixture, &flush, NULL, (const char *[]) { "queue", "flush", id, NULL });
  g_assert_cmpint (flush.status, ==, 0);
  g_assert_cmpuint (ms_fake_server_get_n_messages (fixture->server), ==, 1);
  received = received_text (fixture->server, 0);
  received_id = header_value (received, "Message-ID");
  g_assert_cmpstr (received_id, ==, message_id);
  g_assert_cmpstr (received, ==, show.out);
  g_assert_cmpuint (count_kept (fixture), ==, 0);
}

/* A refused sign-in: held with the cause's exit status, released by
 * `queue flush --now` once the account works. */
static void
test_held_until_flush_now (Fixture       *fixture,
                           gconstpointer  data)
{
  g_auto(MsCliRun) run = { 0 };
  g_auto(MsCliRun) flush = { 0 };
  g_auto(MsCliRun) flush_now = { 0 };
  g_autofree char *input = message_text ("held");
  g_autoptr(JsonParser) parser = json_parser_new ();
  MsFakeServer *refusing = server_on_port (0);
  JsonObject *entry;

  if (fixture->keyring == NULL)
    {
      ms_fake_server_free (refusing);
      return;
    }

  ms_fake_server_set_port (refusing, fixture->port);
  ms_fake_server_set_credentials (refusing, MS_FAKE_DEFAULT_USER, "another-Pa55word");
  ms_fake_server_stop (fixture->server);
  restart_server (fixture, refusing);

  cli_run (fixture, &run, input, (const char *[]) { "send", "-t", NULL });
  g_assert_cmpint (run.status, ==, 77);
  g_assert_nonnull (strstr (run.err, "auth-failed"));
  g_assert_nonnull (strstr (run.err, "kept in the outbox as"));
  entry = json_array_get_object_element (list_messages (fixture, parser), 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "state"), ==, "held");
  g_assert_true (json_object_get_null_member (entry, "next_attempt"));

  restart_server (fixture, NULL);
  cli_run (fixture, &flush, NULL, (const char *[]) { "queue", "flush", NULL });
  g_assert_cmpint (flush.status, ==, 0);
  g_assert_cmpuint (ms_fake_server_get_n_messages (fixture->server), ==, 0);

  cli_run (fixture, &flush_now, NULL, (const char *[]) { "queue", "flush", "--now", NULL });
  g_assert_cmpint (flush_now.status, ==, 0);
  g_assert_cmpuint (ms_fake_server_get_n_messages (fixture->server), ==, 1);
  g_assert_cmpuint (count_kept (fixture), ==, 0);
}

/* The server drops the connection after the final dot: delivery-unknown,
 * kept and marked uncertain, then retried with the same Message-ID and the
 * same bytes. */
static void
test_dropped_after_dot (Fixture       *fixture,
                        gconstpointer  data)
{
  g_auto(MsCliRun) run = { 0 };
  g_auto(MsCliRun) show = { 0 };
  g_auto(MsCliRun) flush = { 0 };
  g_autofree char *input = message_text ("unknown");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *received = NULL;
  MsFakeServer *dropping = server_on_port (fixture->port);
  JsonObject *root, *entry;

  if (fixture->keyring == NULL)
    {
      ms_fake_server_free (dropping);
      return;
    }

  ms_fake_server_set_action (dropping, MS_FAKE_STEP_DOT, MS_FAKE_ACTION_CLOSE);
  ms_fake_server_stop (fixture->server);
  restart_server (fixture, dropping);

  cli_run (fixture, &run, input, (const char *[]) { "--json", "send", "-t", NULL });
  g_assert_cmpint (run.status, ==, 0);
  json_parser_load_from_data (parser, run.out, -1, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "outcome"), ==, "queued");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (root, "error"),
                                                  "code"), ==, "delivery-unknown");
  id = g_strdup (json_object_get_string_member (root, "queue_id"));

  entry = json_array_get_object_element (list_messages (fixture, parser), 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "id"), ==, id);
  g_assert_true (json_object_get_boolean_member (entry, "uncertain"));
  g_assert_cmpstr (json_object_get_string_member (entry, "state"), ==, "queued");

  cli_run (fixture, &show, NULL, (const char *[]) { "queue", "show", id, NULL });
  g_assert_cmpint (show.status, ==, 0);

  restart_server (fixture, NULL);
  cli_run (fixture, &flush, NULL, (const char *[]) { "queue", "flush", "--now", NULL });
  g_assert_cmpint (flush.status, ==, 0);
  g_assert_cmpuint (ms_fake_server_get_n_messages (fixture->server), ==, 1);
  received = received_text (fixture->server, 0);
  g_assert_cmpstr (received, ==, show.out);
  g_assert_cmpuint (count_kept (fixture), ==, 0);
}

/* One refused and one accepted recipient: nobody gets the message, exit 65,
 * the refused one named with the server's reply, the message listed as
 * failed. A deferred one (4xx) keeps the message queued. */
static void
test_refused_and_deferred_recipients (Fixture       *fixture,
                                      gconstpointer  data)
{
  g_auto(MsCliRun) refused = { 0 };
  g_auto(MsCliRun) deferred = { 0 };
  g_autofree char *input = g_strdup ("To: friend@localhost, nobody@localhost\n"
                                     "Subject: half\n\nbody\n");
  g_autofree char *input2 = g_strdup ("To: friend@localhost, later@localhost\n"
                                      "Subject: later\n\nbody\n");
  g_autoptr(JsonParser) parser = json_parser_new ();
  MsFakeServer *server = server_on_port (fixture->port);
  JsonArray *messages;
  JsonObject *failed = NULL, *queued = NULL, *error;

  if (fixture->keyring == NULL)
    {
      ms_fake_server_free (server);
      return;
    }

  ms_fake_server_set_recipient_reply (server, "nobody@localhost",
                                      "550 5.1.1 <nobody@localhost>: no such user\r\n");
  ms_fake_server_set_recipient_reply (server, "later@localhost",
                                      "451 4.3.0 <later@localhost>: try again later\r\n");
  ms_fake_server_stop (fixture->server);
  restart_server (fixture, server);

  cli_run (fixture, &refused, input, (const char *[]) { "send", "-t", NULL });
  g_assert_cmpint (refused.status, ==, 65);
  g_assert_nonnull (strstr (refused.err, "recipient-rejected"));
  g_assert_nonnull (strstr (refused.err, "nobody@localhost: 550 5.1.1"));
  g_assert_null (strstr (refused.err, "friend@localhost:"));
  g_assert_nonnull (strstr (refused.err, "7 days"));

  cli_run (fixture, &deferred, input2, (const char *[]) { "send", "-t", NULL });
  g_assert_cmpint (deferred.status, ==, 0);
  g_assert_nonnull (strstr (deferred.err, "kept in the outbox"));
  g_assert_cmpuint (ms_fake_server_get_n_messages (fixture->server), ==, 0);

  messages = list_messages (fixture, parser);
  g_assert_cmpuint (json_array_get_length (messages), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *entry = json_array_get_object_element (messages, i);

      if (g_str_equal (json_object_get_string_member (entry, "state"), "failed"))
        failed = entry;
      else
        queued = entry;
    }
  g_assert_nonnull (failed);
  g_assert_nonnull (queued);
  g_assert_cmpstr (json_object_get_string_member (queued, "state"), ==, "queued");
  error = json_object_get_object_member (failed, "error");
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, "recipient-rejected");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (error, "recipients")),
                    ==, 1);
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (json_object_get_array_member (error,
                                                                                  "recipients"),
                                                    0), "address"), ==, "nobody@localhost");
}

/* What `send` keeps, read as a stream, is byte for byte what
 * ms_message_normalise() makes of the whole input. */
static void
test_stream_matches_normalise (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autofree char *long_line = g_strnfill (2500, 'z');
  g_autofree char *long_8bit = g_strnfill (1500, 'q');
  const char *inputs[] = {
    "To: friend@localhost\nSubject: mbox\n\nbody\n",
    "To: friend@localhost\r\nSubject: crlf and bare CR\r\n\r\nline one\rline two\r\n\r\n",
    "To: friend@localhost\nSubject: folded\n  continued\nX-Empty:\nno blank line before this body\n",
    "To: friend@localhost\nSubject: dot\n\nbefore\n.\nafter the dot\n",
    "To: friend@localhost\nBcc: hidden@localhost\nSubject: no final newline\n\nlast line",
    "To: friend@localhost\nSubject: caf\xc3\xa9 8bit\n\ncaf\xc3\xa9 au lait\n",
    NULL, NULL, NULL,
  };

  if (fixture->keyring == NULL)
    return;

  inputs[6] = g_strdup_printf ("To: friend@localhost\nSubject: long\n\nshort\n%s\n end \n",
                               long_line);
  inputs[7] = g_strdup_printf ("To: friend@localhost\nSubject: long 8bit\n\n%s\xe9\n",
                               long_8bit);
  for (guint i = 0; inputs[i] != NULL; i++)
    {
      /* The first one starts with an mbox separator. */
      g_autofree char *input = g_strdup_printf ("%sDate: Sat, 5 Dec 2026 10:00:00 +0000\n"
                                                "Message-ID: <fixed%u@localhost>\n%s",
                                                i == 0 ? "From someone Sat Dec  5 10:00:00 2026\n"
                                                       : "", i, inputs[i]);
      g_autoptr(GBytes) bytes = g_bytes_new (input, strlen (input));
      g_autoptr(GError) error = NULL;
      g_autoptr(MsMessageInput) parsed = ms_message_parse_sendmail (bytes, FALSE, &error);
      g_autoptr(GBytes) expected = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autofree char *expected_text = NULL;
      g_auto(MsCliRun) keep = { 0 };
      g_auto(MsCliRun) show = { 0 };
      const char *id;

      g_assert_no_error (error);
      expected = ms_message_normalise (parsed, MS_FAKE_DEFAULT_USER, TRUE, NULL, NULL, &error);
      g_assert_no_error (error);
      expected_text = g_strndup (g_bytes_get_data (expected, NULL), g_bytes_get_size (expected));

      cli_run (fixture, &keep, input,
               (const char *[]) { "--json", "send", "--queue-only", "-t", NULL });
      g_assert_cmpint (keep.status, ==, 0);
      json_parser_load_from_data (parser, keep.out, -1, &error);
      g_assert_no_error (error);
      id = json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)),
                                          "queue_id");
      cli_run (fixture, &show, NULL, (const char *[]) { "queue", "show", id, NULL });
      g_assert_cmpint (show.status, ==, 0);
      g_assert_cmpstr (show.out, ==, expected_text);
    }
  g_free ((char *) inputs[6]);
  g_free ((char *) inputs[7]);
}

/* Three kept messages over one connection, each final reply read behind
 * the next message's commands: the server drops after the first dot. The
 * first sent is uncertain (it may have arrived), the second was not sent
 * (its commands got no reply), the third was not tried. */
static void
test_pipelined_flush_drop (Fixture       *fixture,
                           gconstpointer  data)
{
  g_auto(MsCliRun) flush = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  MsFakeServer *dropping = server_on_port (fixture->port);
  JsonArray *messages;
  guint uncertain = 0, lost = 0, untried = 0;

  if (fixture->keyring == NULL)
    {
      ms_fake_server_free (dropping);
      return;
    }

  for (int i = 0; i < 3; i++)
    {
      g_auto(MsCliRun) run = { 0 };
      g_autofree char *token = g_strdup_printf ("pipelined%d", i);
      g_autofree char *input = message_text (token);

      cli_run (fixture, &run, input, (const char *[]) { "send", "--queue-only", "-t", NULL });
      g_assert_cmpint (run.status, ==, 0);
    }
  ms_fake_server_set_action (dropping, MS_FAKE_STEP_DOT, MS_FAKE_ACTION_CLOSE);
  ms_fake_server_stop (fixture->server);
  restart_server (fixture, dropping);

  cli_run (fixture, &flush, NULL, (const char *[]) { "queue", "flush", NULL });
  g_assert_cmpint (flush.status, ==, 75);
  g_assert_cmpuint (ms_fake_server_get_n_connections (fixture->server), ==, 1);

  messages = list_messages (fixture, parser);
  g_assert_cmpuint (json_array_get_length (messages), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      JsonObject *entry = json_array_get_object_element (messages, i);
      gint64 attempts = json_object_get_int_member (entry, "attempts");
      const char *code = attempts > 0 ? json_object_get_string_member (
                           json_object_get_object_member (entry, "error"), "code") : "untried";

      if (json_object_get_boolean_member (entry, "uncertain"))
        {
          g_assert_cmpstr (code, ==, "delivery-unknown");
          uncertain++;
        }
      else if (attempts == 1)
        {
          g_assert_cmpstr (code, ==, "connection-lost");
          lost++;
        }
      else
        {
          g_assert_cmpint (attempts, ==, 0);
          untried++;
        }
    }
  g_assert_cmpuint (uncertain, ==, 1);
  g_assert_cmpuint (lost, ==, 1);
  g_assert_cmpuint (untried, ==, 1);
}

/* accounts.ini that cannot be read: held (78) under the default account,
 * with the message's own From; delivered once the file is good again. */
static void
test_held_for_bad_settings (Fixture       *fixture,
                            gconstpointer  data)
{
  g_auto(MsCliRun) run = { 0 };
  g_auto(MsCliRun) flush = { 0 };
  g_autofree char *ini = g_build_filename (fixture->config_dir, "accounts.ini", NULL);
  g_autofree char *good = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *entry;

  if (fixture->keyring == NULL)
    return;

  g_assert_true (g_file_get_contents (ini, &good, NULL, NULL));
  g_assert_true (g_file_set_contents (ini, "[broken\nnot a key file\n", -1, NULL));
  cli_run (fixture, &run, "From: " MS_FAKE_DEFAULT_USER "\nTo: friend@localhost\n"
                          "Subject: bad settings\n\nbody\n",
           (const char *[]) { "send", "-t", NULL });
  g_assert_cmpint (run.status, ==, 78);
  g_assert_nonnull (strstr (run.err, "config-invalid"));
  g_assert_nonnull (strstr (run.err, "kept in the outbox as"));
  entry = json_array_get_object_element (list_messages (fixture, parser), 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "state"), ==, "held");
  g_assert_cmpstr (json_object_get_string_member (entry, "from"), ==, MS_FAKE_DEFAULT_USER);

  g_assert_true (g_file_set_contents (ini, good, -1, NULL));
  cli_run (fixture, &flush, NULL, (const char *[]) { "queue", "flush", "--now", NULL });
  g_assert_cmpint (flush.status, ==, 0);
  g_assert_cmpuint (ms_fake_server_get_n_messages (fixture->server), ==, 1);
  g_assert_cmpuint (count_kept (fixture), ==, 0);
}

/* --queue-only keeps without a connection; the next send delivers both
 * over one connection, RSET between them. queue drop removes one. */
static void
test_queue_only_then_send (Fixture       *fixture,
                           gconstpointer  data)
{
  g_auto(MsCliRun) first = { 0 };
  g_auto(MsCliRun) dropped = { 0 };
  g_auto(MsCliRun) drop = { 0 };
  g_auto(MsCliRun) second = { 0 };
  g_auto(MsCliRun) gone = { 0 };
  g_autofree char *input1 = message_text ("first");
  g_autofree char *input2 = message_text ("second");
  g_autofree char *input3 = message_text ("dropped");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *drop_id = NULL;

  if (fixture->keyring == NULL)
    return;

  cli_run (fixture, &first, input1, (const char *[]) { "send", "--queue-only", "-t", NULL });
  g_assert_cmpint (first.status, ==, 0);
  cli_run (fixture, &dropped, input3,
           (const char *[]) { "--json", "send", "--queue-only", "-t", NULL });
  g_assert_cmpint (dropped.status, ==, 0);
  json_parser_load_from_data (parser, dropped.out, -1, &error);
  g_assert_no_error (error);
  drop_id = g_strdup (json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)),
                                                     "queue_id"));
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)),
                                                  "outcome"), ==, "queued");
  g_assert_cmpuint (ms_fake_server_get_n_connections (fixture->server), ==, 0);
  g_assert_cmpuint (count_kept (fixture), ==, 2);

  cli_run (fixture, &drop, NULL, (const char *[]) { "queue", "drop", drop_id, NULL });
  g_assert_cmpint (drop.status, ==, 0);
  cli_run (fixture, &gone, NULL, (const char *[]) { "queue", "show", drop_id, NULL });
  g_assert_cmpint (gone.status, ==, 65);

  cli_run (fixture, &second, input2, (const char *[]) { "send", "-t", NULL });
  g_assert_cmpint (second.status, ==, 0);
  g_assert_true (ms_fake_server_wait_finished (fixture->server, 1, 5000));
  g_assert_cmpuint (ms_fake_server_get_n_connections (fixture->server), ==, 1);
  g_assert_cmpuint (ms_fake_server_get_n_messages (fixture->server), ==, 2);
  g_assert_cmpuint (ms_fake_server_count_command (fixture->server, "RSET"), ==, 1);
  g_assert_cmpuint (count_kept (fixture), ==, 0);
}

static GSubprocess *
spawn_cli (Fixture            *fixture,
           const char * const *argv,
           const char         *stdin_path)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  GSubprocess *process;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                        | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  if (stdin_path != NULL)
    g_subprocess_launcher_set_stdin_file_path (launcher, stdin_path);

  g_ptr_array_add (args, (char *) MS_CLI_PATH);
  g_ptr_array_add (args, (char *) "--config-dir");
  g_ptr_array_add (args, fixture->config_dir);
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (args, (char *) argv[i]);
  g_ptr_array_add (args, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) args->pdata, &error);
  g_assert_no_error (error);

  return process;
}

/* Eight kept messages, three `queue flush` at once: each message
 * delivered exactly once. */
static void
test_concurrent_flushes (Fixture       *fixture,
                         gconstpointer  data)
{
  GSubprocess *flushes[3];
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (fixture->keyring == NULL)
    return;

  for (int i = 0; i < 8; i++)
    {
      g_auto(MsCliRun) run = { 0 };
      g_autofree char *token = g_strdup_printf ("parallel%d", i);
      g_autofree char *input = message_text (token);

      cli_run (fixture, &run, input, (const char *[]) { "send", "--queue-only", "-t", NULL });
      g_assert_cmpint (run.status, ==, 0);
    }

  for (int i = 0; i < 3; i++)
    flushes[i] = spawn_cli (fixture, (const char *[]) { "queue", "flush", NULL }, NULL);
  for (int i = 0; i < 3; i++)
    {
      g_autoptr(GError) error = NULL;

      g_subprocess_wait_check (flushes[i], NULL, &error);
      g_assert_no_error (error);
      g_object_unref (flushes[i]);
    }

  g_assert_cmpuint (ms_fake_server_get_n_messages (fixture->server), ==, 8);
  for (guint i = 0; i < 8; i++)
    {
      g_autofree char *text = received_text (fixture->server, i);
      char *subject = header_value (text, "Subject");

      g_assert_true (g_hash_table_add (seen, subject));
    }
  g_assert_cmpuint (count_kept (fixture), ==, 0);
}

/* The entry files of the outbox: every listed one is whole. */
static void
assert_entries_whole (Fixture    *fixture,
                      GHashTable *tokens)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *messages = list_messages (fixture, parser);

  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonObject *entry = json_array_get_object_element (messages, i);
      const char *id = json_object_get_string_member (entry, "id");
      const char *subject = json_object_get_string_member (entry, "subject");
      g_autofree char *end = g_strdup_printf ("end-of-%s\r\n", subject);
      g_autofree char *path = g_strdup_printf ("%s/outbox/%s.msg", fixture->state_dir, id);
      g_autofree char *text = NULL;
      gsize length;

      g_assert_true (g_file_get_contents (path, &text, &length, NULL));
      g_assert_cmpint (length, ==, json_object_get_int_member (entry, "size"));
      g_assert_true (g_str_has_suffix (text, end));
      g_assert_true (g_hash_table_contains (tokens, subject));
    }
}

static void
kill_after (GSubprocess *process,
            guint        microseconds)
{
  g_usleep (microseconds);
  g_subprocess_send_signal (process, SIGKILL);
}

/* kill -9 of send at random moments: every message that send accepted
 * (exit 0) is delivered or kept whole; nothing half-written is listed; in
 * the end every kept message goes out. */
static void
test_kill_at_random (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GHashTable) tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) accepted = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) delivered = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *padding = g_strnfill (60000, 'x');
  g_auto(MsCliRun) flush = { 0 };
  guint killed = 0;
  const guint runs = 200;
  gint64 span;
  g_autofree char *input_path = NULL;

  if (fixture->keyring == NULL)
    return;

  input_path = g_build_filename (g_get_user_config_dir (), "input.eml", NULL);

  /* Kill anywhere in the life of a send: from its start to well past the
   * longest of three uninterrupted ones of the same size here. */
  span = 0;
  for (int i = 0; i < 3; i++)
    {
      g_autofree char *input = g_strdup_printf ("To: friend@localhost\nSubject: timing\n\n%s\n%s\n",
                                                padding, padding);
      g_autoptr(GSubprocess) process = NULL;
      gint64 start = g_get_monotonic_time ();

      g_assert_true (g_file_set_contents (input_path, input, -1, NULL));
      process = spawn_cli (fixture, (const char *[]) { "send", "-t", NULL }, input_path);
      g_assert_true (g_subprocess_wait_check (process, NULL, NULL));
      span = MAX (span, g_get_monotonic_time () - start);
    }
  g_test_message ("one send takes up to %" G_GINT64_FORMAT " ms", span / 1000);
  span = span * 3 / 2;

  for (guint i = 0; i < runs; i++)
    {
      g_autofree char *token = g_strdup_printf ("kill%u", i);
      g_autofree char *input = g_strdup_printf ("To: friend@localhost\nSubject: %s\n\n%s\n%s\n"
                                                "end-of-%s\n", token, padding, padding, token);
      g_autoptr(GSubprocess) process = NULL;

      g_assert_true (g_file_set_contents (input_path, input, -1, NULL));
      process = spawn_cli (fixture, (const char *[]) { "send", "-t", NULL }, input_path);
      g_hash_table_add (tokens, g_strdup (token));
      kill_after (process, g_test_rand_int_range (0, span));
      g_subprocess_wait (process, NULL, NULL);
      /* The window follows the load of the machine: narrower after a run
       * that finished, wider after one that was killed. */
      if (g_subprocess_get_if_exited (process) && g_subprocess_get_exit_status (process) == 0)
        {
          g_ptr_array_add (accepted, g_steal_pointer (&token));
          span = span * 9 / 10;
        }
      else
        {
          killed++;
          span = span * 21 / 20;
        }

      if (i % 50 == 49)
        assert_entries_whole (fixture, tokens);
    }
  g_test_message ("%u of %u runs killed before they finished", killed, runs);
  g_assert_cmpuint (killed, >, runs / 10);
  g_assert_cmpuint (killed, <, runs);
  assert_entries_whole (fixture, tokens);

  cli_run (fixture, &flush, NULL, (const char *[]) { "queue", "flush", "--now", NULL });
  g_assert_cmpint (flush.status, ==, 0);
  g_assert_cmpuint (count_kept (fixture), ==, 0);
  for (guint i = 0; i < ms_fake_server_get_n_messages (fixture->server); i++)
    {
      g_autofree char *text = received_text (fixture->server, i);
      char *subject = header_value (text, "Subject");
      g_autofree char *end = g_strdup_printf ("end-of-%s\r\n", subject);

      g_assert_true (g_str_equal (subject, "timing") || g_str_has_suffix (text, end));
      g_hash_table_add (delivered, subject);
    }
  for (guint i = 0; i < accepted->len; i++)
    g_assert_true (g_hash_table_contains (delivered, g_ptr_array_index (accepted, i)));
}

/* A full disk under the state folder (a 64 KiB tmpfs): a clear error, a
 * non-zero exit, nothing half-written, nothing sent. */
static void
test_full_disk (Fixture       *fixture,
                gconstpointer  data)
{
  g_auto(MsCliRun) run = { 0 };
  g_auto(MsCliRun) small = { 0 };
  g_autofree char *padding = g_strnfill (200000, 'y');
  g_autofree char *input = g_strdup_printf ("To: friend@localhost\nSubject: big\n\n%s\n", padding);
  g_autofree char *small_input = message_text ("small");
  g_autoptr(GDir) dir = NULL;
  g_autofree char *outbox = NULL;

  if (fixture->keyring == NULL)
    return;

  g_assert_cmpint (g_mkdir_with_parents (fixture->state_dir, 0700), ==, 0);
  if (mount ("tmpfs", fixture->state_dir, "tmpfs", 0, "size=64k,mode=0700") != 0)
    {
      g_test_skip ("mounting a tmpfs needs root (CAP_SYS_ADMIN)");
      return;
    }

  cli_run (fixture, &run, input, (const char *[]) { "send", "-t", NULL });
  g_assert_cmpint (run.status, ==, 75);
  g_assert_nonnull (strstr (run.err, "Could not keep the message in the outbox"));
  g_assert_nonnull (strstr (run.err, g_strerror (ENOSPC)));
  g_assert_cmpuint (ms_fake_server_get_n_connections (fixture->server), ==, 0);
  outbox = g_build_filename (fixture->state_dir, "outbox", NULL);
  dir = g_dir_open (outbox, 0, NULL);
  g_assert_nonnull (dir);
  g_assert_null (g_dir_read_name (dir));
  g_clear_pointer (&dir, g_dir_close);

  /* A message that fits still goes out. */
  cli_run (fixture, &small, small_input, (const char *[]) { "send", "-t", NULL });
  g_assert_cmpint (small.status, ==, 0);
  g_assert_cmpuint (ms_fake_server_get_n_messages (fixture->server), ==, 1);

  g_assert_cmpint (umount (fixture->state_dir), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/ms/cli-outbox/sent-keeps-nothing", test_sent_keeps_nothing);
  ADD ("/ms/cli-outbox/down-then-flushed", test_down_then_flushed);
  ADD ("/ms/cli-outbox/held-until-flush-now", test_held_until_flush_now);
  ADD ("/ms/cli-outbox/held-for-bad-settings", test_held_for_bad_settings);
  ADD ("/ms/cli-outbox/dropped-after-dot", test_dropped_after_dot);
  ADD ("/ms/cli-outbox/pipelined-flush-drop", test_pipelined_flush_drop);
  ADD ("/ms/cli-outbox/stream-matches-normalise", test_stream_matches_normalise);
  ADD ("/ms/cli-outbox/refused-and-deferred-recipients", test_refused_and_deferred_recipients);
  ADD ("/ms/cli-outbox/queue-only-then-send", test_queue_only_then_send);
  ADD ("/ms/cli-outbox/concurrent-flushes", test_concurrent_flushes);
  ADD ("/ms/cli-outbox/kill-at-random", test_kill_at_random);
  ADD ("/ms/cli-outbox/full-disk", test_full_disk);
#undef ADD

  return g_test_run ();
}
