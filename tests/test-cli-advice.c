/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-cli-advice"

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ms-fake-server.h"
#include "ms-test-util.h"

/* The providers issue's "Done when": for each common failure, mailsetup-cli
 * says in one or two sentences, in English and in Japanese, what happened
 * and what to do, with the right code. */

typedef struct
{
  const char *name;
  MsFakeMode  mode;
  const char *certificate;   /* PKI file name, or NULL for the good chain */
  MsFakeStep  step;
  const char *reply;         /* raw reply at @step, or NULL */
  const char *command;
  const char *security;
  const char *code;
  int         status;
  const char *advice_has;    /* a word the English advice holds */
  const char *url_has;       /* part of the action URL, or NULL */
} AdviceCase;

static const AdviceCase cases[] = {
  { "normal-google-password", MS_FAKE_MODE_TLS, NULL, MS_FAKE_STEP_AUTH,
    "534-5.7.9 Application-specific password required. Learn more at\r\n"
    "534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor x1-20 - gsmtp\r\n",
    "login", "tls", "app-password-required", 77, "app password", "myaccount.google.com/apppasswords" },
  { "mistyped-app-password", MS_FAKE_MODE_TLS, NULL, MS_FAKE_STEP_AUTH,
    "535-5.7.8 Username and Password not accepted. For more information, go to\r\n"
    "535 5.7.8  https://support.google.com/mail/?p=BadCredentials x1-20 - gsmtp\r\n",
    "login", "tls", "auth-failed", 77, "app password", NULL },
  { "browser-sign-in-needed", MS_FAKE_MODE_TLS, NULL, MS_FAKE_STEP_AUTH,
    "534-5.7.14 <https://accounts.google.com/signin/continue?sarp=1&scc=1&plt=AKgnsbt>\r\n"
    "534-5.7.14 Please log in via your web browser and then try again.\r\n"
    "534 5.7.14  Learn more at https://support.google.com/mail/answer/78754 x1 - gsmtp\r\n",
    "login", "tls", "web-login-required", 77, "browser", "accounts.google.com" },
  { "ssl-on-starttls-port", MS_FAKE_MODE_STARTTLS, NULL, MS_FAKE_N_STEPS, NULL,
    "probe", "tls", "wrong-security-mode", 76, "STARTTLS", NULL },
  { "starttls-on-ssl-port", MS_FAKE_MODE_TLS, NULL, MS_FAKE_N_STEPS, NULL,
    "probe", "starttls", "wrong-security-mode", 76, "SSL/TLS", NULL },
  { "daily-limit", MS_FAKE_MODE_TLS, NULL, MS_FAKE_STEP_MAIL,
    "550-5.4.5 Daily user sending limit exceeded. For more information on Gmail\r\n"
    "550 5.4.5 sending limits go to https://support.google.com/a/answer/166852 x1 - gsmtp\r\n",
    "test-send", "tls", "quota-exceeded", 75, "24 hours", NULL },
  { "expired-certificate", MS_FAKE_MODE_TLS, "expired.pem", MS_FAKE_N_STEPS, NULL,
    "probe", "tls", "certificate-expired", 76, "certificate", NULL },
};

static JsonObject *
run_case (const AdviceCase *test,
          MsFakeServer     *server,
          const char       *language,
          JsonParser       *parser,
          int              *status)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE
                                                                       | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                                                       | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *port = g_strdup_printf ("%u", ms_fake_server_get_port (server));
  g_autofree char *ca = ms_test_pki_file ("ca.pem");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *argv[] = {
    MS_CLI_PATH, "--json", "--timeout", "5", test->command, "--host", "localhost", "--port", port,
    "--security", test->security, "--ca-file", ca, "--user", "me@gmail.com", "--password-stdin",
    /* only test-send has a sender */
    g_str_equal (test->command, "test-send") ? "--from" : NULL, "me@gmail.com", NULL
  };

  g_subprocess_launcher_setenv (launcher, "LANGUAGE", language, TRUE);
  g_subprocess_launcher_setenv (launcher, "MAILSETUP_LOCALEDIR", MS_TEST_LOCALEDIR, TRUE);

  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, MS_FAKE_DEFAULT_PASSWORD "\n", NULL, &out, &err, &error);
  g_assert_no_error (error);
  *status = g_subprocess_get_exit_status (process);
  g_test_message ("%s (%s): exit %d\n%s", test->name, language, *status, out);

  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);

  return json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)),
                                        "error");
}

static gboolean
has_japanese (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if ((c >= 0x3040 && c <= 0x30ff) || (c >= 0x4e00 && c <= 0x9fff))
        return TRUE;
    }

  return FALSE;
}

/* "One or two sentences": a short message, a short piece of advice. */
static void
assert_short (const char *text)
{
  g_assert_nonnull (text);
  g_assert_cmpuint (strlen (text), >, 10);
  g_assert_cmpuint (g_utf8_strlen (text, -1), <, 400);
}

static void
test_case (gconstpointer data)
{
  const AdviceCase *test = data;
  MsFakeServer *server = ms_fake_server_new (test->mode);
  g_autofree char *chain = ms_test_pki_file (test->certificate ? test->certificate : "good.pem");
  g_autofree char *key = ms_test_pki_file ("leaf-key.pem");
  g_autoptr(JsonParser) english_parser = json_parser_new ();
  g_autoptr(JsonParser) japanese_parser = json_parser_new ();
  JsonObject *english, *japanese;
  int status = 0;

  ms_fake_server_set_certificate (server, chain, key);
  ms_fake_server_set_credentials (server, "me@gmail.com", MS_FAKE_DEFAULT_PASSWORD);
  if (test->reply != NULL)
    ms_fake_server_set_reply (server, test->step, test->reply);
  ms_test_fake_server_start (server);

  english = run_case (test, server, "en", english_parser, &status);
  g_assert_cmpint (status, ==, test->status);
  g_assert_cmpstr (json_object_get_string_member (english, "code"), ==, test->code);
  assert_short (json_object_get_string_member (english, "message"));
  assert_short (json_object_get_string_member (english, "advice"));
  g_assert_nonnull (strstr (json_object_get_string_member (english, "advice"), test->advice_has));
  if (test->url_has != NULL)
    g_assert_nonnull (strstr (json_object_get_string_member (english, "action_url"), test->url_has));

  japanese = run_case (test, server, "ja", japanese_parser, &status);
  g_assert_cmpint (status, ==, test->status);
  g_assert_cmpstr (json_object_get_string_member (japanese, "code"), ==, test->code);
  assert_short (json_object_get_string_member (japanese, "message"));
  assert_short (json_object_get_string_member (japanese, "advice"));
  g_assert_true (has_japanese (json_object_get_string_member (japanese, "message")));
  g_assert_true (has_japanese (json_object_get_string_member (japanese, "advice")));

  ms_fake_server_free (server);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/ms/cli-advice/%s", cases[i].name);

      g_test_add_data_func (path, &cases[i], test_case);
    }

  return g_test_run ();
}
