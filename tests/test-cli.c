/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-cli"

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "ms-fake-server.h"
#include "ms-test-cli.h"
#include "ms-test-util.h"

/* Runs mailsetup-cli with @argv and @input on standard input. */
static void
cli_run (MsCliRun           *run,
         const char         *input,
         const char * const *argv)
{
  ms_cli_run (run, MS_CLI_PATH, NULL, input, TRUE, argv);
}

static JsonObject *
parse_json (const char  *text,
            JsonParser  *parser)
{
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));

  return json_node_get_object (json_parser_get_root (parser));
}

static const char *
error_code (JsonObject *root)
{
  return json_object_get_string_member (json_object_get_object_member (root, "error"), "code");
}

/* docs/security.md, L1 over the CLI's own output. */
static void
assert_no_secret (const MsCliRun *run)
{
  ms_test_check_no_secret ("stdout", (const guint8 *) run->out, strlen (run->out),
                           MS_FAKE_DEFAULT_USER, MS_FAKE_DEFAULT_PASSWORD);
  ms_test_check_no_secret ("stderr", (const guint8 *) run->err, strlen (run->err),
                           MS_FAKE_DEFAULT_USER, MS_FAKE_DEFAULT_PASSWORD);
}

static void
test_help_and_usage (void)
{
  g_auto(MsCliRun) help = { 0 };
  g_auto(MsCliRun) version = { 0 };
  g_auto(MsCliRun) unknown = { 0 };
  g_auto(MsCliRun) nothing = { 0 };
  g_auto(MsCliRun) bad_mode = { 0 };
  g_auto(MsCliRun) bad_timeout = { 0 };

  cli_run (&help, NULL, (const char *[]) { "--help", NULL });
  g_assert_cmpint (help.status, ==, 0);
  g_assert_nonnull (strstr (help.out, "test-send"));
  g_assert_nonnull (strstr (help.out, "--password-stdin"));

  cli_run (&version, NULL, (const char *[]) { "--version", NULL });
  g_assert_cmpint (version.status, ==, 0);
  g_assert_true (g_str_has_prefix (version.out, "mailsetup-cli " PACKAGE_VERSION));

  cli_run (&unknown, NULL, (const char *[]) { "frobnicate", NULL });
  g_assert_cmpint (unknown.status, ==, 64);
  g_assert_nonnull (strstr (unknown.err, "mailsetup-cli [--config-dir DIR]"));

  cli_run (&nothing, NULL, (const char *[]) { NULL });
  g_assert_cmpint (nothing.status, ==, 64);

  cli_run (&bad_mode, NULL, (const char *[]) { "probe", "--host", "localhost", "--security", "ssl", NULL });
  g_assert_cmpint (bad_mode.status, ==, 64);

  cli_run (&bad_timeout, NULL, (const char *[]) { "--timeout", "0", "probe", "localhost", NULL });
  g_assert_cmpint (bad_timeout.status, ==, 64);
}

/* A password is never taken from the command line: there is no option for
 * it, and login without --password-stdin or --account is a usage error. */
static void
test_no_password_on_command_line (void)
{
  g_auto(MsCliRun) run = { 0 };
  g_auto(MsCliRun) option = { 0 };

  cli_run (&run, NULL, (const char *[]) { "login", "--host", "localhost", "--user", "u", NULL });
  g_assert_cmpint (run.status, ==, 64);

  cli_run (&option, NULL, (const char *[]) { "login", "--host", "localhost", "--password", "x", NULL });
  g_assert_cmpint (option.status, ==, 64);
}

static void
test_invalid_input (void)
{
  g_auto(MsCliRun) port = { 0 };
  g_auto(MsCliRun) host = { 0 };

  cli_run (&port, NULL, (const char *[]) { "--json", "probe", "--host", "localhost", "--port", "70000", NULL });
  g_assert_cmpint (port.status, ==, 65);

  cli_run (&host, NULL, (const char *[]) { "--json", "probe", "--host", "bad host\r\nname", NULL });
  g_assert_cmpint (host.status, ==, 65);
}

static char *
port_string (MsFakeServer *server)
{
  return g_strdup_printf ("%u", ms_fake_server_get_port (server));
}

/* Port 0 is not "the default port" (V3), for every command that takes it. */
static void
test_port_zero (void)
{
  const char *values[] = { "0", "-1", "65536" };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_auto(MsCliRun) probe = { 0 };
      g_auto(MsCliRun) add = { 0 };
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(JsonParser) add_parser = json_parser_new ();
      g_autofree char *dir = g_dir_make_tmp ("ms-cli-XXXXXX", NULL);
      g_autofree char *ini = g_build_filename (dir, "accounts.ini", NULL);

      cli_run (&probe, NULL, (const char *[]) { "--json", "probe", "--host", "localhost",
                                                "--port", values[i], NULL });
      g_assert_cmpint (probe.status, ==, 65);
      g_assert_cmpstr (error_code (parse_json (probe.out, parser)), ==, "invalid-input");

      ms_cli_run (&add, MS_CLI_PATH, dir, "not-a-real-secret\n", TRUE,
                  (const char *[]) { "--json", "account", "add", "zero", "--address",
                                     "me@localhost", "--host", "localhost", "--security",
                                     "tls", "--port", values[i], "--no-verify",
                                     "--password-stdin", NULL });
      g_assert_cmpint (add.status, ==, 65);
      g_assert_cmpstr (error_code (parse_json (add.out, add_parser)), ==, "invalid-input");
      g_assert_false (g_file_test (ini, G_FILE_TEST_EXISTS));
      g_rmdir (dir);
    }
}

/* V1: a line break in any argument is refused before anything is read,
 * looked up or sent: the part after it never becomes a command. */
static void
test_line_break_in_arguments (void)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  g_autofree char *port = NULL;
  g_autofree char *ca = ms_test_pki_file ("ca.pem");
  g_autofree char *input = g_strdup_printf ("%s\n", MS_FAKE_DEFAULT_PASSWORD);
  const char *bad[] = { "a@localhost\r\nRCPT TO:<evil@localhost>", "a@localhost\nb@localhost",
                        "a@localhost\r" };

  ms_test_fake_server_start (server);
  port = port_string (server);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_auto(MsCliRun) test_send = { 0 };
      g_auto(MsCliRun) send = { 0 };
      g_auto(MsCliRun) display_name = { 0 };
      g_autoptr(JsonParser) parser = json_parser_new ();

      cli_run (&test_send, input,
               (const char *[]) { "--json", "test-send", "--host", "localhost", "--port", port,
                                  "--security", "tls", "--ca-file", ca,
                                  "--user", MS_FAKE_DEFAULT_USER, "--from", MS_FAKE_DEFAULT_USER,
                                  "--to", bad[i], "--password-stdin", NULL });
      g_assert_cmpint (test_send.status, ==, 65);
      g_assert_cmpstr (error_code (parse_json (test_send.out, parser)), ==, "invalid-input");

      cli_run (&send, "Subject: x\n\nbody\n", (const char *[]) { "send", bad[i], NULL });
      g_assert_cmpint (send.status, ==, 65);

      cli_run (&display_name, "not-a-real-secret\n",
               (const char *[]) { "account", "add", "x", "--address", "me@localhost",
                                  "--display-name", bad[i], "--no-verify", "--password-stdin",
                                  NULL });
      g_assert_cmpint (display_name.status, ==, 65);
    }

  g_assert_cmpuint (ms_fake_server_get_n_connections (server), ==, 0);
}

static void
run_test_send (MsFakeMode  mode,
               const char *security)
{
  MsFakeServer *server = ms_test_fake_server_new (mode);
  g_autofree char *port = NULL;
  g_autofree char *ca = ms_test_pki_file ("ca.pem");
  g_autofree char *input = g_strdup_printf ("%s\n", MS_FAKE_DEFAULT_PASSWORD);
  g_autoptr(MsFakeMessage) message = NULL;
  g_auto(MsCliRun) run = { 0 };

  ms_test_fake_server_start (server);
  port = port_string (server);
  cli_run (&run, input,
           (const char *[]) { "-v", "test-send", "--host", "localhost", "--port", port,
                              "--security", security, "--ca-file", ca,
                              "--user", MS_FAKE_DEFAULT_USER, "--from", MS_FAKE_DEFAULT_USER,
                              "--to", "friend@localhost", "--password-stdin", NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "Message-ID"));
  g_assert_nonnull (strstr (run.err, "<redacted>"));
  assert_no_secret (&run);

  g_assert_cmpuint (ms_fake_server_get_n_messages (server), ==, 1);
  message = ms_fake_server_dup_message (server, 0);
  g_assert_cmpstr (message->mail_from, ==, MS_FAKE_DEFAULT_USER);
  g_assert_cmpstr (message->rcpt_to[0], ==, "friend@localhost");
  g_assert_true (message->over_tls);
  g_assert_true (ms_test_check_nothing_in_clear (server));
  ms_fake_server_free (server);
}

static void
test_test_send_tls (void)
{
  run_test_send (MS_FAKE_MODE_TLS, "tls");
}

static void
test_test_send_starttls (void)
{
  run_test_send (MS_FAKE_MODE_STARTTLS, "starttls");
}

static void
test_probe_json (void)
{
  MsFakeServer *server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *port = NULL;
  g_autofree char *ca = ms_test_pki_file ("ca.pem");
  g_auto(MsCliRun) run = { 0 };
  JsonObject *root;

  ms_test_fake_server_start (server);
  port = port_string (server);
  cli_run (&run, NULL,
           (const char *[]) { "--json", "probe", "localhost", "--port", port, "--security", "tls",
                              "--ca-file", ca, NULL });
  g_assert_cmpint (run.status, ==, 0);
  root = parse_json (run.out, parser);
  g_assert_true (json_object_get_boolean_member (root, "ok"));
  g_assert_cmpstr (json_object_get_string_member (root, "command"), ==, "probe");
  g_assert_cmpint (json_object_get_int_member (root, "port"), ==, ms_fake_server_get_port (server));
  g_assert_true (json_object_get_null_member (root, "error"));
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (root, "tls"),
                                                 "verified"));
  g_assert_cmpuint (ms_fake_server_count_command (server, "AUTH"), ==, 0);
  ms_fake_server_free (server);
}

/* `detect` finds every provider of the Japan table from the table itself
 * (docs/providers.md), and the Japanese Outlook.com domains lead to
 * Outlook.com. Table entries ask no DNS question, so this runs offline. */
static void
test_detect_japan (void)
{
  static const struct { const char *address, *provider, *host; gint64 port; const char *security; } rows[] = {
    { "taro@yahoo.co.jp", "yahoo-japan", "smtp.mail.yahoo.co.jp", 465, "tls" },
    { "taro@ybb.ne.jp", "yahoo-bb", "ybbsmtp.mail.yahoo.co.jp", 465, "tls" },
    { "taro@ocn.ne.jp", "ocn", "smtp.ocn.ne.jp", 465, "tls" },
    { "taro@biglobe.ne.jp", "biglobe", "mail.biglobe.ne.jp", 465, "tls" },
    { "taro@nifty.com", "nifty", "smtp.nifty.com", 465, "tls" },
    { "taro@ab.auone-net.jp", "au-one-net", "msa.ab.auone-net.jp", 465, "tls" },
    { "hanako@docomo.ne.jp", "docomo", "smtp.spmode.ne.jp", 465, "tls" },
    { "hanako@i.softbank.jp", "softbank", "smtp.softbank.jp", 465, "tls" },
    { "me@outlook.jp", "outlook", "smtp-mail.outlook.com", 587, "starttls" },
    { "me@hotmail.co.jp", "outlook", "smtp-mail.outlook.com", 587, "starttls" },
    { "me@live.jp", "outlook", "smtp-mail.outlook.com", 587, "starttls" },
    { "me@live.co.jp", "outlook", "smtp-mail.outlook.com", 587, "starttls" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_auto(MsCliRun) run = { 0 };
      JsonObject *root;

      cli_run (&run, NULL, (const char *[]) { "--json", "detect", rows[i].address, NULL });
      g_assert_cmpint (run.status, ==, 0);
      root = parse_json (run.out, parser);
      g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (root, "provider"),
                                                      "id"), ==, rows[i].provider);
      g_assert_cmpstr (json_object_get_string_member (root, "source"), ==, "table");
      g_assert_cmpstr (json_object_get_string_member (root, "host"), ==, rows[i].host);
      g_assert_cmpint (json_object_get_int_member (root, "port"), ==, rows[i].port);
      g_assert_cmpstr (json_object_get_string_member (root, "security"), ==, rows[i].security);
    }
}

static void
test_login_refused (void)
{
  MsFakeServer *server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *port = NULL;
  g_autofree char *ca = ms_test_pki_file ("ca.pem");
  g_auto(MsCliRun) run = { 0 };
  JsonObject *root;

  ms_test_fake_server_start (server);
  port = port_string (server);
  cli_run (&run, "not-the-password\n",
           (const char *[]) { "--json", "login", "--host", "localhost", "--port", port,
                              "--ca-file", ca, "--user", MS_FAKE_DEFAULT_USER,
                              "--password-stdin", NULL });
  g_assert_cmpint (run.status, ==, 77);
  root = parse_json (run.out, parser);
  g_assert_cmpstr (error_code (root), ==, "auth-failed");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (root, "error"),
                                                  "step"), ==, "auth");
  g_assert_null (strstr (run.out, "not-the-password"));
  g_assert_null (strstr (run.err, "not-the-password"));
  ms_fake_server_free (server);
}

static void
test_certificate_exit_status (void)
{
  MsFakeServer *server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *port = NULL;
  g_auto(MsCliRun) run = { 0 };
  JsonObject *root;

  /* No --ca-file: the test CA is unknown to the system store. */
  ms_test_fake_server_start (server);
  port = port_string (server);
  cli_run (&run, NULL, (const char *[]) { "--json", "probe", "--host", "localhost", "--port", port, NULL });
  g_assert_cmpint (run.status, ==, 76);
  root = parse_json (run.out, parser);
  g_assert_cmpstr (error_code (root), ==, "certificate-untrusted");
  ms_fake_server_free (server);
}

static void
test_connect_refused (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *port = NULL;
  g_auto(MsCliRun) run = { 0 };

  /* Bind without listening: the port is ours and refuses connections. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (socket, address, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  port = g_strdup_printf ("%u", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));

  cli_run (&run, NULL, (const char *[]) { "--json", "probe", "--host", "127.0.0.1", "--port", port, NULL });
  g_assert_cmpint (run.status, ==, 69);
  g_assert_cmpstr (error_code (parse_json (run.out, parser)), ==, "connect-refused");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/ms/cli/help-and-usage", test_help_and_usage);
  g_test_add_func ("/ms/cli/no-password-on-command-line", test_no_password_on_command_line);
  g_test_add_func ("/ms/cli/invalid-input", test_invalid_input);
  g_test_add_func ("/ms/cli/port-zero", test_port_zero);
  g_test_add_func ("/ms/cli/line-break-in-arguments", test_line_break_in_arguments);
  g_test_add_func ("/ms/cli/test-send-tls", test_test_send_tls);
  g_test_add_func ("/ms/cli/test-send-starttls", test_test_send_starttls);
  g_test_add_func ("/ms/cli/probe-json", test_probe_json);
  g_test_add_func ("/ms/cli/detect-japan", test_detect_japan);
  g_test_add_func ("/ms/cli/login-refused", test_login_refused);
  g_test_add_func ("/ms/cli/certificate-exit-status", test_certificate_exit_status);
  g_test_add_func ("/ms/cli/connect-refused", test_connect_refused);

  return g_test_run ();
}
