/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-online-accounts"

/* memmem() */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/types.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "ms-fake-server.h"
#include "ms-test-cli.h"
#include "ms-test-goa.h"
#include "ms-test-keyring.h"
#include "ms-test-util.h"

/* Signing in through GNOME Online Accounts end to end (docs/contract.md,
 * "Online accounts"): mailsetup-cli as a separate process, a stand-in GOA
 * service on a private session bus (tests/goa-stand-in.py), a real
 * gnome-keyring-daemon, and the fake server taking one valid XOAUTH2
 * token. A Gmail address is set up, tested and used by `send` without any
 * password being typed. */

#define ADDRESS     "someone@gmail.com"
#define GOA_ID      "account_1733000000_0"
#define GOOD_TOKEN  "ya29.a0-stand-in-good-token-5b0c7e21d9"
#define OLD_TOKEN   "ya29.a0-stand-in-expired-token-93fa104c"
#define UNUSED_PASS "no-password-is-ever-typed-77"

typedef enum
{
  GRANT_GOOD,     /* GetAccessToken gives the good token */
  GRANT_EXPIRED,  /* first an expired one; EnsureCredentials renews */
  GRANT_REVOKED,  /* an expired one; EnsureCredentials marks attention */
} Grant;

typedef struct
{
  MsTestKeyring *keyring;
  MsTestGoa     *goa;
  MsFakeServer  *server;
  char          *config_dir;
  char          *state_dir;
  char          *ca;
} Fixture;

/* Which form of a stand-in token @data holds, or NULL: either token as it
 * is, its XOAUTH2 and OAUTHBEARER initial responses in base64, and the
 * forms ms_test_find_secret() knows. */
static const char *
find_token (const guint8 *data,
            gsize         len)
{
  static const char *tokens[] = { GOOD_TOKEN, OLD_TOKEN };

  for (guint i = 0; i < G_N_ELEMENTS (tokens); i++)
    {
      g_autofree char *xoauth2 = g_strdup_printf ("user=%s\001auth=Bearer %s\001\001",
                                                  ADDRESS, tokens[i]);
      g_autofree char *bearer = g_strdup_printf ("n,a=%s,\001auth=Bearer %s\001\001",
                                                 ADDRESS, tokens[i]);
      g_autofree char *xoauth2_b64 = g_base64_encode ((const guchar *) xoauth2, strlen (xoauth2));
      g_autofree char *bearer_b64 = g_base64_encode ((const guchar *) bearer, strlen (bearer));
      const char *form;

      if (memmem (data, len, tokens[i], strlen (tokens[i])) != NULL)
        return "the token";
      if (memmem (data, len, xoauth2_b64, strlen (xoauth2_b64)) != NULL)
        return "the XOAUTH2 response";
      if (memmem (data, len, bearer_b64, strlen (bearer_b64)) != NULL)
        return "the OAUTHBEARER response";
      form = ms_test_find_secret (data, len, ADDRESS, tokens[i]);
      if (form != NULL)
        return form;
    }

  return NULL;
}

/* What a command printed (-v, --json) holds no token in any form. */
static void
check_clean (const char *what,
             const char *text)
{
  const char *form = find_token ((const guint8 *) text, strlen (text));

  if (form != NULL)
    g_error ("%s holds %s", what, form);
}

static void
cli_run (Fixture            *fixture,
         MsCliRun           *run,
         const char         *input,
         const char * const *argv)
{
  ms_cli_run (run, MS_CLI_PATH, fixture->config_dir, input, TRUE, argv);
  check_clean ("stdout", run->out);
  check_clean ("stderr", run->err);
}

static char *
goa_state (guint16 port,
           Grant   grant)
{
  const char *tokens = grant == GRANT_GOOD ? "[\"" GOOD_TOKEN "\"]"
                       : grant == GRANT_EXPIRED ? "[\"" OLD_TOKEN "\", \"" GOOD_TOKEN "\"]"
                       : "[\"" OLD_TOKEN "\"]";

  /* GOA's "host:port" form of SmtpHost, implicit TLS; a password-based
   * account, and one with Mail turned off, beside it. */
  return g_strdup_printf (
      "{\"accounts\": ["
      "{\"id\": \"" GOA_ID "\", \"provider\": \"google\", \"address\": \"" ADDRESS "\","
      " \"smtp_host\": \"localhost:%u\", \"smtp_use_ssl\": true, \"smtp_use_tls\": false,"
      " \"oauth2\": true, \"tokens\": %s, \"revoked\": %s},"
      "{\"id\": \"account_2\", \"provider\": \"imap_smtp\", \"address\": \"me@example.org\","
      " \"smtp_host\": \"smtp.example.org\", \"oauth2\": false, \"tokens\": []},"
      "{\"id\": \"account_3\", \"provider\": \"google\", \"address\": \"other@gmail.com\","
      " \"smtp_host\": \"smtp.gmail.com\", \"mail_disabled\": true, \"tokens\": []}"
      "]}", port, tokens, grant == GRANT_REVOKED ? "true" : "false");
}

static guint n_fixtures;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  Grant grant = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;
  g_autofree char *state = NULL;

  fixture->keyring = ms_test_keyring_start (TRUE, &error);
  if (ms_test_keyring_skip_if_absent (fixture->keyring, error))
    return;

  fixture->server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  ms_fake_server_set_credentials (fixture->server, ADDRESS, UNUSED_PASS);
  ms_fake_server_set_oauth_token (fixture->server, GOOD_TOKEN);
  ms_test_fake_server_start (fixture->server);

  state = goa_state (ms_fake_server_get_port (fixture->server), grant);
  fixture->goa = ms_test_goa_start (state, &error);
  g_assert_no_error (error);

  fixture->ca = ms_test_pki_file ("ca.pem");
  /* Each test its own folders: accounts from an earlier test stay out. */
  n_fixtures++;
  fixture->config_dir = g_strdup_printf ("%s/mailsetup-goa-%u", g_get_user_config_dir (),
                                         n_fixtures);
  fixture->state_dir = g_strdup_printf ("%s/mailsetup-goa-state-%u", g_get_user_config_dir (),
                                        n_fixtures);
  g_setenv ("MAILSETUP_STATE_DIR", fixture->state_dir, TRUE);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->config_dir != NULL)
    {
      ms_test_assert_no_file_holds (fixture->config_dir, GOOD_TOKEN);
      ms_test_assert_no_file_holds (fixture->config_dir, OLD_TOKEN);
      ms_test_assert_no_file_holds (fixture->state_dir, GOOD_TOKEN);
      ms_test_assert_no_file_holds (fixture->state_dir, OLD_TOKEN);
    }
  g_clear_pointer (&fixture->goa, ms_test_goa_stop);
  g_clear_pointer (&fixture->server, ms_fake_server_free);
  g_clear_pointer (&fixture->keyring, ms_test_keyring_stop);
  g_free (fixture->config_dir);
  g_free (fixture->state_dir);
  g_free (fixture->ca);
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

/* account add --online-account auto, with the CA of the test PKI. */
static void
add_account (Fixture  *fixture,
             gboolean  verify,
             MsCliRun *run)
{
  cli_run (fixture, run, NULL,
           (const char *[]) { "--json", "account", "add", "gmail", "--address", ADDRESS,
                              "--online-account", "auto", "--ca-file", fixture->ca,
                              verify ? NULL : "--no-verify", NULL });
}

static char *
message_text (const char *word)
{
  return g_strdup_printf ("To: friend@localhost\nSubject: %s\n\nThe backup finished.\n", word);
}

static void
test_list (Fixture       *fixture,
           gconstpointer  data)
{
  g_auto(MsCliRun) run = { 0 };
  g_auto(MsCliRun) text = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root, *first, *second;
  JsonArray *accounts;

  if (fixture->keyring == NULL)
    return;

  cli_run (fixture, &run, NULL, (const char *[]) { "--json", "online-accounts", NULL });
  g_assert_cmpint (run.status, ==, 0);
  root = parse_object (parser, run.out);
  g_assert_cmpstr (json_object_get_string_member (root, "command"), ==, "online-accounts");
  accounts = json_object_get_array_member (root, "accounts");
  /* Mail turned off: not listed. */
  g_assert_cmpuint (json_array_get_length (accounts), ==, 2);
  first = json_array_get_object_element (accounts, 0);
  second = json_array_get_object_element (accounts, 1);
  g_assert_cmpstr (json_object_get_string_member (first, "id"), ==, GOA_ID);
  g_assert_cmpstr (json_object_get_string_member (first, "provider"), ==, "google");
  g_assert_cmpstr (json_object_get_string_member (first, "address"), ==, ADDRESS);
  g_assert_cmpstr (json_object_get_string_member (first, "smtp_host"), ==, "localhost");
  g_assert_true (json_object_get_boolean_member (first, "oauth2"));
  g_assert_false (json_object_get_boolean_member (first, "attention_needed"));
  g_assert_false (json_object_get_boolean_member (second, "oauth2"));
  /* Listing asks for no token. */
  g_assert_cmpuint (ms_test_goa_count (fixture->goa, "GetAccessToken"), ==, 0);

  cli_run (fixture, &text, NULL, (const char *[]) { "online-accounts", NULL });
  g_assert_cmpint (text.status, ==, 0);
  g_assert_nonnull (strstr (text.out, GOA_ID));
  g_assert_nonnull (strstr (text.out, "OAuth2 (no app password)"));
}

/* The whole path: add (signs in), show, test-send, send, token, export. */
static void
test_gmail_without_password (Fixture       *fixture,
                             gconstpointer  data)
{
  g_auto(MsCliRun) add = { 0 };
  g_auto(MsCliRun) show = { 0 };
  g_auto(MsCliRun) test_send = { 0 };
  g_auto(MsCliRun) send = { 0 };
  g_auto(MsCliRun) token = { 0 };
  g_auto(MsCliRun) token_json = { 0 };
  g_auto(MsCliRun) export = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(MsFakeMessage) message = NULL;
  g_autofree char *input = message_text ("goa");
  g_autofree char *ini = NULL;
  g_autofree char *ini_path = NULL;
  JsonObject *root, *account;

  if (fixture->keyring == NULL)
    return;

  add_account (fixture, TRUE, &add);
  g_assert_cmpint (add.status, ==, 0);
  g_assert_cmpuint (ms_fake_server_get_n_auth_ok (fixture->server), ==, 1);
  g_assert_cmpuint (ms_test_goa_count (fixture->goa, "GetAccessToken"), ==, 1);
  /* No keyring item, and accounts.ini names the GOA account. */
  g_assert_cmpuint (ms_test_keyring_count_items (fixture->keyring, "gmail"), ==, 0);
  ini_path = g_build_filename (fixture->config_dir, "accounts.ini", NULL);
  g_assert_true (g_file_get_contents (ini_path, &ini, NULL, NULL));
  g_assert_nonnull (strstr (ini, "online-account=" GOA_ID "\n"));

  cli_run (fixture, &show, NULL, (const char *[]) { "--json", "account", "show", "gmail", NULL });
  g_assert_cmpint (show.status, ==, 0);
  root = parse_object (parser, show.out);
  account = json_object_get_object_member (root, "account");
  g_assert_cmpstr (json_object_get_string_member (account, "online_account"), ==, GOA_ID);
  g_assert_cmpstr (json_object_get_string_member (account, "host"), ==, "localhost");
  g_assert_cmpint (json_object_get_int_member (account, "port"), ==,
                   ms_fake_server_get_port (fixture->server));
  g_assert_cmpstr (json_object_get_string_member (account, "security"), ==, "tls");
  g_assert_cmpstr (json_object_get_string_member (account, "provider"), ==, "gmail");

  /* -v shows the AUTH, never the token. */
  cli_run (fixture, &test_send, NULL,
           (const char *[]) { "-v", "test-send", "--account", "gmail", NULL });
  g_assert_cmpint (test_send.status, ==, 0);
  g_assert_nonnull (strstr (test_send.err, "C: AUTH XOAUTH2 <redacted>"));
  g_assert_cmpuint (ms_test_goa_count (fixture->goa, "GetAccessToken"), ==, 2);

  cli_run (fixture, &send, input, (const char *[]) { "--json", "send", "--account", "gmail",
                                                     "-t", NULL });
  g_assert_cmpint (send.status, ==, 0);
  root = parse_object (parser, send.out);
  g_assert_cmpstr (json_object_get_string_member (root, "outcome"), ==, "sent");
  g_assert_cmpuint (ms_test_goa_count (fixture->goa, "GetAccessToken"), ==, 3);
  g_assert_cmpuint (ms_test_goa_count (fixture->goa, "EnsureCredentials"), ==, 0);
  g_assert_true (ms_fake_server_wait_finished (fixture->server, 3, 5000));
  g_assert_cmpuint (ms_fake_server_get_n_messages (fixture->server), ==, 2);
  message = ms_fake_server_dup_message (fixture->server, 1);
  g_assert_cmpstr (message->auth_user, ==, ADDRESS);
  g_assert_cmpstr (message->mail_from, ==, ADDRESS);
  g_assert_cmpuint (ms_fake_server_get_n_oauth_refused (fixture->server), ==, 0);

  /* token prints the token alone (not logged), and never as JSON. */
  ms_cli_run (&token, MS_CLI_PATH, fixture->config_dir, NULL, FALSE,
              (const char *[]) { "token", "gmail", NULL });
  g_assert_cmpint (token.status, ==, 0);
  g_assert_cmpstr (token.out, ==, GOOD_TOKEN "\n");
  g_assert_cmpstr (token.err, ==, "");
  cli_run (fixture, &token_json, NULL, (const char *[]) { "--json", "token", "gmail", NULL });
  g_assert_cmpint (token_json.status, ==, 64);

  cli_run (fixture, &export, NULL,
           (const char *[]) { "export", "gmail", "--format", "msmtp", NULL });
  g_assert_cmpint (export.status, ==, 0);
  g_assert_nonnull (strstr (export.out, "\nauth xoauth2\n"));
  g_assert_nonnull (strstr (export.out, " token 'gmail'\"\n"));
  g_assert_null (strstr (export.out, "auth on"));
}

/* An expired token: refused once (334 JSON, empty response, 535), renewed
 * with EnsureCredentials, the next token signs in on a new connection. */
static void
test_expired_token_refreshed (Fixture       *fixture,
                              gconstpointer  data)
{
  g_auto(MsCliRun) add = { 0 };
  g_auto(MsCliRun) run = { 0 };

  if (fixture->keyring == NULL)
    return;

  add_account (fixture, FALSE, &add);
  g_assert_cmpint (add.status, ==, 0);
  g_assert_cmpuint (ms_test_goa_count (fixture->goa, "GetAccessToken"), ==, 0);

  cli_run (fixture, &run, NULL,
           (const char *[]) { "-v", "test-send", "--account", "gmail", NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpuint (ms_fake_server_get_n_oauth_refused (fixture->server), ==, 1);
  g_assert_cmpuint (ms_fake_server_get_n_auth_ok (fixture->server), ==, 1);
  g_assert_cmpuint (ms_fake_server_get_n_connections (fixture->server), ==, 2);
  g_assert_cmpuint (ms_test_goa_count (fixture->goa, "GetAccessToken"), ==, 2);
  g_assert_cmpuint (ms_test_goa_count (fixture->goa, "EnsureCredentials"), ==, 1);
  g_assert_nonnull (strstr (run.err, "refused the access token"));
  g_assert_cmpuint (ms_fake_server_get_n_messages (fixture->server), ==, 1);
}

/* A revoked grant: the new code, exit 78, the message held in the outbox. */
static void
test_revoked_grant_holds (Fixture       *fixture,
                          gconstpointer  data)
{
  g_auto(MsCliRun) add = { 0 };
  g_auto(MsCliRun) send = { 0 };
  g_auto(MsCliRun) list = { 0 };
  g_auto(MsCliRun) diagnose = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *input = message_text ("revoked");
  JsonObject *root, *entry, *error;

  if (fixture->keyring == NULL)
    return;

  add_account (fixture, FALSE, &add);
  g_assert_cmpint (add.status, ==, 0);

  cli_run (fixture, &send, input, (const char *[]) { "--json", "send", "--account", "gmail",
                                                     "-t", NULL });
  g_assert_cmpint (send.status, ==, 78);
  root = parse_object (parser, send.out);
  g_assert_cmpstr (json_object_get_string_member (root, "outcome"), ==, "held");
  error = json_object_get_object_member (root, "error");
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==,
                   "online-account-needs-attention");
  g_assert_cmpuint (ms_fake_server_get_n_oauth_refused (fixture->server), ==, 1);
  g_assert_cmpuint (ms_test_goa_count (fixture->goa, "GetAccessToken"), ==, 1);
  g_assert_cmpuint (ms_test_goa_count (fixture->goa, "EnsureCredentials"), ==, 1);
  g_assert_cmpuint (ms_fake_server_get_n_messages (fixture->server), ==, 0);

  cli_run (fixture, &list, NULL, (const char *[]) { "--json", "queue", "list", NULL });
  g_assert_cmpint (list.status, ==, 0);
  root = parse_object (parser, list.out);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "messages")), ==, 1);
  entry = json_array_get_object_element (json_object_get_array_member (root, "messages"), 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "state"), ==, "held");

  /* diagnose sees that GOA now wants a new sign-in, before any token. */
  cli_run (fixture, &diagnose, NULL, (const char *[]) { "--json", "diagnose", "gmail", NULL });
  g_assert_cmpint (diagnose.status, ==, 78);
  g_assert_nonnull (strstr (diagnose.out, "\"online-account-needs-attention\""));
  g_assert_cmpuint (ms_test_goa_count (fixture->goa, "GetAccessToken"), ==, 1);
}

static char *
read_ini (Fixture *fixture)
{
  g_autofree char *path = g_build_filename (fixture->config_dir, "accounts.ini", NULL);
  char *ini = NULL;

  g_assert_true (g_file_get_contents (path, &ini, NULL, NULL));
  return ini;
}

/* The lines of the group [@id], for checking which keys it has. */
static char *
ini_group (const char *ini,
           const char *id)
{
  g_autofree char *header = g_strdup_printf ("[%s]\n", id);
  const char *start = strstr (ini, header);
  const char *end;

  g_assert_nonnull (start);
  end = strstr (start + strlen (header), "\n[");
  return end != NULL ? g_strndup (start, end - start + 1) : g_strdup (start);
}

static void
send_with (Fixture    *fixture,
           const char *id,
           const char *expected_host)
{
  g_auto(MsCliRun) send = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *input = message_text (id);
  JsonObject *root;

  cli_run (fixture, &send, input, (const char *[]) { "--json", "send", "--account", id, "-t",
                                                     NULL });
  g_assert_cmpint (send.status, ==, 0);
  root = parse_object (parser, send.out);
  g_assert_cmpstr (json_object_get_string_member (root, "outcome"), ==, "sent");
  g_assert_cmpstr (json_object_get_string_member (root, "host"), ==, expected_host);
}

/* The settings follow GOA (docs/contract.md, "Online accounts"): add
 * stores only what was given, every connection asks GOA, so a change of
 * SmtpHost in Settings moves the next send to the new server; what the
 * group sets (an explicit --host and --port, or an account stored by an
 * older version with GOA's values copied) stays in force. */
static void
test_follows_goa (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(MsFakeServer) moved = NULL;
  g_auto(MsCliRun) add = { 0 };
  g_auto(MsCliRun) fixed = { 0 };
  g_auto(MsCliRun) show = { 0 };
  g_auto(MsCliRun) show_text = { 0 };
  g_auto(MsCliRun) diagnose = { 0 };
  g_auto(MsCliRun) diagnose_ja = { 0 };
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *ini = NULL;
  g_autofree char *group = NULL;
  g_autofree char *port_a = NULL;
  g_autofree char *goa_host = NULL;
  g_autofree char *legacy = NULL;
  g_autofree char *ini_path = NULL;
  guint16 a;
  JsonObject *root, *account;
  JsonArray *from;

  if (fixture->keyring == NULL)
    return;

  a = ms_fake_server_get_port (fixture->server);
  port_a = g_strdup_printf ("%u", a);
  add_account (fixture, TRUE, &add);
  g_assert_cmpint (add.status, ==, 0);
  cli_run (fixture, &fixed, NULL,
           (const char *[]) { "account", "add", "fixed", "--address", ADDRESS,
                              "--online-account", GOA_ID, "--host", "localhost",
                              "--port", port_a, "--ca-file", fixture->ca, "--no-verify", NULL });
  g_assert_cmpint (fixed.status, ==, 0);

  /* Only what was given is stored: GOA's values are not copied. */
  ini = read_ini (fixture);
  group = ini_group (ini, "gmail");
  g_assert_nonnull (strstr (group, "online-account=" GOA_ID "\n"));
  g_assert_null (strstr (group, "\nhost="));
  g_assert_null (strstr (group, "\nport="));
  g_assert_null (strstr (group, "\nsecurity="));
  g_assert_null (strstr (group, "\nusername="));
  g_clear_pointer (&group, g_free);
  group = ini_group (ini, "fixed");
  g_assert_nonnull (strstr (group, "\nhost=localhost\n"));
  g_assert_nonnull (strstr (group, port_a));
  g_assert_null (strstr (group, "\nsecurity="));

  /* An account stored by an older version: GOA's values in the group. */
  legacy = g_strdup_printf ("%s\n[legacy]\naddress=" ADDRESS "\nhost=localhost\nport=%u\n"
                            "security=tls\nca-file=%s\nonline-account=" GOA_ID "\n",
                            ini, a, fixture->ca);
  ini_path = g_build_filename (fixture->config_dir, "accounts.ini", NULL);
  g_assert_true (g_file_set_contents (ini_path, legacy, -1, NULL));

  /* show says what is in effect, and what of it came from GOA. */
  cli_run (fixture, &show, NULL, (const char *[]) { "--json", "account", "show", "gmail", NULL });
  g_assert_cmpint (show.status, ==, 0);
  root = parse_object (parser, show.out);
  account = json_object_get_object_member (root, "account");
  g_assert_cmpstr (json_object_get_string_member (account, "host"), ==, "localhost");
  g_assert_cmpint (json_object_get_int_member (account, "port"), ==, a);
  g_assert_cmpstr (json_object_get_string_member (account, "security"), ==, "tls");
  g_assert_cmpstr (json_object_get_string_member (account, "username"), ==, ADDRESS);
  from = json_object_get_array_member (account, "from_online_account");
  g_assert_cmpuint (json_array_get_length (from), ==, 4);
  g_assert_cmpstr (json_array_get_string_element (from, 0), ==, "host");
  g_assert_cmpstr (json_array_get_string_element (from, 1), ==, "port");
  g_assert_cmpstr (json_array_get_string_element (from, 2), ==, "security");
  g_assert_cmpstr (json_array_get_string_element (from, 3), ==, "user");

  send_with (fixture, "gmail", "localhost");
  g_assert_cmpuint (ms_fake_server_get_n_messages (fixture->server), ==, 1);

  /* Settings → Online Accounts now names another server. */
  moved = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  ms_fake_server_set_credentials (moved, ADDRESS, UNUSED_PASS);
  ms_fake_server_set_oauth_token (moved, GOOD_TOKEN);
  ms_test_fake_server_start (moved);
  goa_host = g_strdup_printf ("127.0.0.1:%u", ms_fake_server_get_port (moved));
  ms_test_goa_set_mail (fixture->goa, GOA_ID, "SmtpHost", g_variant_new_string (goa_host));

  send_with (fixture, "gmail", "127.0.0.1");
  g_assert_true (ms_fake_server_wait_finished (moved, 1, 5000));
  g_assert_cmpuint (ms_fake_server_get_n_messages (moved), ==, 1);
  g_assert_cmpuint (ms_fake_server_get_n_messages (fixture->server), ==, 1);

  /* The group's own --host and --port, and the older copy, stay. */
  send_with (fixture, "fixed", "localhost");
  send_with (fixture, "legacy", "localhost");
  g_assert_true (ms_fake_server_wait_finished (fixture->server, 3, 5000));
  g_assert_cmpuint (ms_fake_server_get_n_messages (fixture->server), ==, 3);
  g_assert_cmpuint (ms_fake_server_get_n_messages (moved), ==, 1);

  /* show, in words, and diagnose name GOA's server and say where it came from. */
  cli_run (fixture, &show_text, NULL, (const char *[]) { "account", "show", "gmail", NULL });
  g_assert_cmpint (show_text.status, ==, 0);
  g_assert_nonnull (strstr (show_text.out, goa_host));
  g_assert_nonnull (strstr (show_text.out,
                            "server, port, security and user name from Online Accounts"));
  cli_run (fixture, &diagnose, NULL, (const char *[]) { "-v", "diagnose", "gmail", NULL });
  g_assert_cmpint (diagnose.status, ==, 0);
  g_assert_nonnull (strstr (diagnose.out, goa_host));
  g_assert_nonnull (strstr (diagnose.out, "from Online Accounts"));
  g_assert_nonnull (strstr (diagnose.out, "In use: " "127.0.0.1:"));

  /* And in Japanese. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "LANGUAGE", "ja", TRUE);
  g_subprocess_launcher_setenv (launcher, "MAILSETUP_LOCALEDIR", MS_TEST_LOCALEDIR, TRUE);
  ms_cli_run_program (&diagnose_ja, launcher, NULL, TRUE,
                      (const char *[]) { MS_CLI_PATH, "--config-dir", fixture->config_dir,
                                         "diagnose", "gmail", NULL });
  g_assert_cmpint (diagnose_ja.status, ==, 0);
  check_clean ("stdout", diagnose_ja.out);
  g_assert_nonnull (strstr (diagnose_ja.out, goa_host));
  g_assert_nonnull (strstr (diagnose_ja.out,
                            "サーバー、ポート、セキュリティ、ユーザー名はオンラインアカウントから"));
}

/* ---- the token in no other process's view, file or output ---- */

/* What `ps e` shows of a process: its environment and its command line.
 * Returns FALSE when the process is gone. */
static gboolean
assert_process_clean (GPid        pid,
                      const char *who)
{
  static const char *parts[] = { "environ", "cmdline" };

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      g_autofree char *path = g_strdup_printf ("/proc/%d/%s", (int) pid, parts[i]);
      g_autofree char *data = NULL;
      gsize len = 0;
      const char *form;

      if (!g_file_get_contents (path, &data, &len, NULL))
        return FALSE;
      /* A process's environment is never empty here: it was read. */
      if (i == 0)
        g_assert_cmpuint (len, >, 0);
      form = find_token ((const guint8 *) data, len);
      if (form != NULL)
        g_error ("%s of %s (pid %d) holds %s", parts[i], who, (int) pid, form);
    }

  return TRUE;
}

static gboolean
program_exists (const char *program)
{
  g_autofree char *path = g_find_program_in_path (program);

  return path != NULL;
}

static GPid
parent_of (const char *pid_name)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/stat", pid_name);
  g_autofree char *stat = NULL;
  const char *end;
  int state_char, ppid = 0;

  if (!g_file_get_contents (path, &stat, NULL, NULL) || (end = strrchr (stat, ')')) == NULL
      || sscanf (end + 1, " %c %d", (char *) &state_char, &ppid) != 2)
    return 0;

  return ppid;
}

/* @root and every process below it. */
static GArray *
process_tree (GPid root)
{
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (GPid));
  gboolean grew = TRUE;

  g_array_append_val (pids, root);
  while (grew)
    {
      g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
      const char *name;

      grew = FALSE;
      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          GPid pid = (GPid) g_ascii_strtoll (name, NULL, 10);
          GPid ppid;
          gboolean known = FALSE, parent_known = FALSE;

          if (pid <= 0)
            continue;
          ppid = parent_of (name);
          for (guint i = 0; i < pids->len; i++)
            {
              known |= g_array_index (pids, GPid, i) == pid;
              parent_known |= g_array_index (pids, GPid, i) == ppid;
            }
          if (!known && parent_known)
            {
              g_array_append_val (pids, pid);
              grew = TRUE;
            }
        }
    }

  return pids;
}

/* Every process from @root down; returns how many of them had @word in
 * their command line (a NUL-separated list of arguments). */
static guint
assert_tree_clean (GPid        root,
                   const char *who,
                   const char *word)
{
  g_autoptr(GArray) pids = process_tree (root);
  guint found = 0;

  for (guint i = 0; i < pids->len; i++)
    {
      GPid pid = g_array_index (pids, GPid, i);
      g_autofree char *path = g_strdup_printf ("/proc/%d/cmdline", (int) pid);
      g_autofree char *cmdline = NULL;
      gsize len = 0;

      if (!assert_process_clean (pid, who))
        continue;
      if (word != NULL && g_file_get_contents (path, &cmdline, &len, NULL))
        for (gsize at = 0; at < len; at += strlen (cmdline + at) + 1)
          if (g_str_equal (cmdline + at, word))
            found++;
    }

  return found;
}

static gboolean
wait_auth (MsFakeServer *server,
           guint         n)
{
  for (guint i = 0; i < 200; i++)
    {
      if (ms_fake_server_get_n_auth_ok (server) >= n)
        return TRUE;
      g_usleep (G_USEC_PER_SEC / 20);
    }

  return FALSE;
}

static GSubprocess *
spawn (GSubprocessLauncher *launcher,
       const char * const  *argv)
{
  g_autoptr(GError) error = NULL;
  GSubprocess *process = g_subprocess_launcher_spawnv (launcher, argv, &error);

  g_assert_no_error (error);
  return process;
}

/* Ends @process (it waits on a server that stopped answering) and checks
 * what it printed. */
static void
end_process (Fixture     *fixture,
             GSubprocess *process)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("stdout: %s\nstderr: %s", out, err);
  check_clean ("stdout", out);
  check_clean ("stderr", err);
}

/* The token is in no process's environment or command line while
 * mailsetup-cli send and test-send, and msmtp with the exported settings
 * (its passwordeval child `mailsetup-cli token`), hold it against a server
 * that stopped answering after AUTH; and in no file of the test's home
 * and XDG folders afterwards. What they print (-v, --json) is checked by
 * cli_run() and end_process(). */
static void
test_token_not_in_environment (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(MsFakeServer) stalled = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_auto(MsCliRun) add = { 0 };
  g_auto(MsCliRun) export = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *port = NULL;
  g_autofree char *message_path = NULL;
  g_autofree char *msmtprc = NULL;
  g_autofree char *cli_dir = g_path_get_dirname (MS_CLI_PATH);
  g_autofree char *path = NULL;
  g_autofree char *input = message_text ("environment");
  const char *folders[] = { g_get_home_dir (), g_get_user_config_dir (), g_get_user_data_dir (),
                            g_get_user_cache_dir (), g_get_user_state_dir (),
                            g_get_user_runtime_dir () };
  guint caught = 0;

  if (fixture->keyring == NULL)
    return;

  /* Signs in, then never answers MAIL. */
  stalled = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  ms_fake_server_set_credentials (stalled, ADDRESS, UNUSED_PASS);
  ms_fake_server_set_oauth_token (stalled, GOOD_TOKEN);
  ms_fake_server_set_action (stalled, MS_FAKE_STEP_MAIL, MS_FAKE_ACTION_STALL);
  ms_test_fake_server_start (stalled);
  port = g_strdup_printf ("%u", ms_fake_server_get_port (stalled));
  cli_run (fixture, &add, NULL,
           (const char *[]) { "account", "add", "stalled", "--address", ADDRESS,
                              "--online-account", GOA_ID, "--host", "localhost", "--port", port,
                              "--ca-file", fixture->ca, "--no-verify", NULL });
  g_assert_cmpint (add.status, ==, 0);

  message_path = g_build_filename (fixture->config_dir, "message.txt", NULL);
  g_assert_true (g_file_set_contents (message_path, input, -1, NULL));
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_stdin_file_path (launcher, message_path);

  /* send and test-send, signed in and waiting. */
  process = spawn (launcher, (const char *[]) { MS_CLI_PATH, "--config-dir", fixture->config_dir,
                                                "-v", "--json", "--timeout", "30", "send",
                                                "--account", "stalled", "-t", NULL });
  g_assert_true (wait_auth (stalled, 1));
  g_assert_cmpuint (assert_tree_clean (atoi (g_subprocess_get_identifier (process)),
                                       "mailsetup-cli send", "send"), ==, 1);
  end_process (fixture, process);
  g_clear_object (&process);

  process = spawn (launcher, (const char *[]) { MS_CLI_PATH, "--config-dir", fixture->config_dir,
                                                "-v", "--timeout", "30", "test-send",
                                                "--account", "stalled", NULL });
  g_assert_true (wait_auth (stalled, 2));
  g_assert_cmpuint (assert_tree_clean (atoi (g_subprocess_get_identifier (process)),
                                       "mailsetup-cli test-send", "test-send"), ==, 1);
  end_process (fixture, process);
  g_clear_object (&process);

  /* msmtp with the exported file: first while its passwordeval child
   * waits for GOA's token, then signed in and waiting. build-aux/test
   * installs msmtp; elsewhere its part may be left out, saying so. */
  if (g_getenv ("MS_TEST_REQUIRE_REAL_SERVER") == NULL && !program_exists ("msmtp"))
    {
      g_test_message ("no msmtp: its part is left out (build-aux/test installs it)");
      goto files;
    }
  ms_cli_run (&export, MS_CLI_PATH, fixture->config_dir, NULL, TRUE,
              (const char *[]) { "export", "stalled", "--format", "msmtp", NULL });
  g_assert_cmpint (export.status, ==, 0);
  msmtprc = g_build_filename (fixture->config_dir, "msmtprc", NULL);
  g_assert_true (g_file_set_contents (msmtprc, export.out, -1, NULL));
  g_assert_cmpint (g_chmod (msmtprc, 0600), ==, 0);
  path = g_strdup_printf ("%s:%s", cli_dir, g_getenv ("PATH"));
  g_subprocess_launcher_setenv (launcher, "PATH", path, TRUE);
  ms_test_goa_set_token_delay (fixture->goa, GOA_ID, 3);
  process = spawn (launcher, (const char *[]) { "msmtp", "-C", msmtprc, "-a", "stalled",
                                                "friend@localhost", NULL });
  for (guint i = 0; i < 100 && caught == 0; i++)
    {
      g_usleep (G_USEC_PER_SEC / 20);
      caught = assert_tree_clean (atoi (g_subprocess_get_identifier (process)),
                                  "msmtp and its passwordeval", "token");
    }
  g_assert_cmpuint (caught, ==, 1);
  if (!wait_auth (stalled, 3))
    end_process (fixture, process);
  g_assert_true (wait_auth (stalled, 3));
  ms_test_goa_set_token_delay (fixture->goa, GOA_ID, 0);
  g_assert_cmpuint (assert_tree_clean (atoi (g_subprocess_get_identifier (process)),
                                       "msmtp", NULL), ==, 0);
  end_process (fixture, process);
  g_clear_object (&process);
  /* The token did sign in every time. */
  g_assert_cmpuint (ms_test_goa_count (fixture->goa, "GetAccessToken"), ==, 3);

files:
  /* No file of the test's home and XDG folders holds it (accounts.ini, the
   * outbox, the last checks, the msmtp file). */
  for (guint i = 0; i < G_N_ELEMENTS (folders); i++)
    {
      ms_test_assert_no_file_holds (folders[i], GOOD_TOKEN);
      ms_test_assert_no_file_holds (folders[i], OLD_TOKEN);
    }
}

/* No session bus (a plain cron job): held with online-account-unavailable. */
static void
test_no_session_bus (Fixture       *fixture,
                     gconstpointer  data)
{
  g_auto(MsCliRun) add = { 0 };
  g_auto(MsCliRun) send = { 0 };
  g_auto(MsCliRun) list = { 0 };
  g_auto(MsCliRun) show = { 0 };
  g_auto(MsCliRun) export = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonParser) show_parser = json_parser_new ();
  g_autofree char *input = message_text ("cron");
  JsonObject *account;
  g_autofree char *bus = NULL;
  JsonObject *root;

  if (fixture->keyring == NULL)
    return;

  add_account (fixture, TRUE, &add);
  g_assert_cmpint (add.status, ==, 0);

  bus = g_strdup (g_getenv ("DBUS_SESSION_BUS_ADDRESS"));
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus", TRUE);
  cli_run (fixture, &send, input, (const char *[]) { "--json", "send", "--account", "gmail",
                                                     "-t", NULL });
  /* show still shows the group, and says why GOA's part is missing;
   * export cannot write a server it does not know. */
  cli_run (fixture, &show, NULL, (const char *[]) { "--json", "account", "show", "gmail", NULL });
  cli_run (fixture, &export, NULL,
           (const char *[]) { "export", "gmail", "--format", "msmtp", NULL });
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", bus, TRUE);
  g_assert_cmpint (show.status, ==, 0);
  account = json_object_get_object_member (parse_object (show_parser, show.out), "account");
  g_assert_true (json_object_get_null_member (account, "host"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (account,
                                                                                 "online_account_error"),
                                                  "code"), ==, "online-account-unavailable");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (account,
                                                                         "from_online_account")),
                    ==, 4);
  g_assert_cmpint (export.status, ==, 78);
  g_assert_cmpstr (export.out, ==, "");
  g_assert_cmpint (send.status, ==, 78);
  root = parse_object (parser, send.out);
  g_assert_cmpstr (json_object_get_string_member (root, "outcome"), ==, "held");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (root, "error"),
                                                  "code"), ==, "online-account-unavailable");
  g_assert_cmpuint (ms_fake_server_get_n_connections (fixture->server), ==, 1);

  /* Back in the session, queue flush --now sends it with a fresh token. */
  cli_run (fixture, &list, NULL, (const char *[]) { "queue", "flush", "--now", NULL });
  g_assert_cmpint (list.status, ==, 0);
  g_assert_cmpuint (ms_fake_server_get_n_messages (fixture->server), ==, 1);
  g_assert_cmpuint (ms_test_goa_count (fixture->goa, "GetAccessToken"), ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, grant, func) \
  g_test_add (path, Fixture, GINT_TO_POINTER (grant), fixture_set_up, func, fixture_tear_down)
  ADD ("/ms/online-accounts/list", GRANT_GOOD, test_list);
  ADD ("/ms/online-accounts/gmail-without-password", GRANT_GOOD, test_gmail_without_password);
  ADD ("/ms/online-accounts/expired-token-refreshed", GRANT_EXPIRED, test_expired_token_refreshed);
  ADD ("/ms/online-accounts/revoked-grant-holds", GRANT_REVOKED, test_revoked_grant_holds);
  ADD ("/ms/online-accounts/no-session-bus", GRANT_GOOD, test_no_session_bus);
  ADD ("/ms/online-accounts/follows-goa", GRANT_GOOD, test_follows_goa);
  ADD ("/ms/online-accounts/token-not-in-environment", GRANT_GOOD,
       test_token_not_in_environment);
#undef ADD

  return g_test_run ();
}
