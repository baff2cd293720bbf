/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-gmail-replies"

#include "config.h"

#include <string.h>

#include "ms-fake-server.h"
#include "ms-probe.h"
#include "ms-test-util.h"

/*
 * Every Gmail reply of PROVIDERS.md, sent by the fake server at AUTH, MAIL,
 * RCPT or after the message, through the real engine (ms_sender_login or
 * ms_sender_test_send) to its contract code, advice and action URL.
 */

#define APP_PASSWORDS "https://myaccount.google.com/apppasswords"

typedef struct
{
  const char  *name;
  MsFakeStep   step;
  const char  *raw;          /* the reply on the wire */
  MsErrorCode  expected;
  MsStepKind   failed_step;
  const char  *advice_has;
  const char  *url;
} GmailCase;

static const GmailCase cases[] = {
  { "app-password-required", MS_FAKE_STEP_AUTH,
    "534-5.7.9 Application-specific password required. For more information, go to\r\n"
    "534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor a1-20020a - gsmtp\r\n",
    MS_ERROR_APP_PASSWORD_REQUIRED, MS_STEP_AUTH, "app password", APP_PASSWORDS },
  { "bad-credentials", MS_FAKE_STEP_AUTH,
    "535-5.7.8 Username and Password not accepted. For more information, go to\r\n"
    "535 5.7.8  https://support.google.com/mail/?p=BadCredentials b2-20020a - gsmtp\r\n",
    MS_ERROR_AUTH_FAILED, MS_STEP_AUTH, "full address", APP_PASSWORDS },
  { "web-login-required", MS_FAKE_STEP_AUTH,
    "534-5.7.14 <https://accounts.google.com/signin/continue?sarp=1&scc=1&plt=AKgnsbt>\r\n"
    "534-5.7.14 Please log in via your web browser and then try again.\r\n"
    "534-5.7.14  Learn more at\r\n"
    "534 5.7.14  https://support.google.com/mail/answer/78754 c3-20020a - gsmtp\r\n",
    MS_ERROR_WEB_LOGIN_REQUIRED, MS_STEP_AUTH, "accounts.google.com",
    "https://accounts.google.com/" },
  { "auth-temporary", MS_FAKE_STEP_AUTH,
    "454 4.7.0 Cannot authenticate due to a temporary system problem. Try again later. "
    "d4-20020a - gsmtp\r\n",
    MS_ERROR_TEMPORARY_FAILURE, MS_STEP_AUTH, "Wait", NULL },
  { "auth-rate-limit", MS_FAKE_STEP_AUTH,
    "421 4.7.0 Try again later, closing connection. (AUTH) e5-20020a - gsmtp\r\n",
    MS_ERROR_TEMPORARY_FAILURE, MS_STEP_AUTH, "Wait", NULL },
  { "mail-before-auth", MS_FAKE_STEP_MAIL,
    "530-5.5.1 Authentication Required. For more information, go to\r\n"
    "530 5.5.1  https://support.google.com/mail/?p=WantAuthError f6-20020a - gsmtp\r\n",
    MS_ERROR_AUTH_FAILED, MS_STEP_MAIL, "signs in before sending", APP_PASSWORDS },
  { "must-issue-starttls", MS_FAKE_STEP_MAIL,
    "530 5.7.0 Must issue a STARTTLS command first. g7-20020a - gsmtp\r\n",
    MS_ERROR_WRONG_SECURITY_MODE, MS_STEP_MAIL, "STARTTLS on port 587", NULL },
  { "pipelined-after-starttls", MS_FAKE_STEP_MAIL,
    "454 4.5.0 SMTP protocol violation, no commands allowed to pipeline after STARTTLS "
    "h8-20020a - gsmtp\r\n",
    MS_ERROR_PROTOCOL_ERROR, MS_STEP_MAIL, "bug in Mail Setup", NULL },
  { "mail-temporary", MS_FAKE_STEP_MAIL,
    "421 4.3.0 Temporary System Problem.  Try again later (10). i9-20020a - gsmtp\r\n",
    MS_ERROR_TEMPORARY_FAILURE, MS_STEP_MAIL, "Wait", NULL },
  { "rcpt-busy", MS_FAKE_STEP_RCPT,
    "421 4.4.5 Server busy, try again later. j1-20020a - gsmtp\r\n",
    MS_ERROR_TEMPORARY_FAILURE, MS_STEP_RCPT, "Wait", NULL },
  { "daily-limit-mail", MS_FAKE_STEP_MAIL,
    "550-5.4.5 Daily user sending limit exceeded. For more information on Gmail\r\n"
    "550-5.4.5 sending limits go to\r\n"
    "550 5.4.5  https://support.google.com/a/answer/166852 k2-20020a - gsmtp\r\n",
    MS_ERROR_QUOTA_EXCEEDED, MS_STEP_MAIL, "24 hours", "https://support.google.com/a/answer/166852" },
  { "daily-limit-dot", MS_FAKE_STEP_DOT,
    "550 5.4.5 Daily user sending limit exceeded. l3-20020a - gsmtp\r\n",
    MS_ERROR_QUOTA_EXCEEDED, MS_STEP_DATA, "24 hours", "https://support.google.com/a/answer/166852" },
};

static void
test_gmail_reply (gconstpointer data)
{
  const GmailCase *c = data;
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsResult) result = NULL;
  MsTestOp op = c->step == MS_FAKE_STEP_AUTH ? MS_TEST_OP_LOGIN : MS_TEST_OP_TEST_SEND;

  ms_fake_server_set_reply (server, c->step, c->raw);
  ms_test_fake_server_start (server);
  request = ms_test_request_new (server, MS_SECURITY_TLS);
  request->provider = g_strdup ("gmail");

  result = ms_test_run (op, request);
  ms_test_check_result (result, MS_FAKE_DEFAULT_USER, MS_FAKE_DEFAULT_PASSWORD);
  ms_test_assert_error (result, c->expected, MS_TEST_STEP (c->failed_step));

  g_assert_nonnull (result->error->message);
  g_assert_cmpstr (result->error->message, !=, "");
  g_assert_nonnull (result->error->advice);
  g_test_message ("%s: %s / %s", c->name, result->error->message, result->error->advice);
  g_assert_nonnull (strstr (result->error->advice, c->advice_has));
  g_assert_cmpstr (result->error->action_url, ==, c->url);
  g_assert_nonnull (result->error->server_reply);
  g_assert_nonnull (strstr (result->error->server_reply, "gsmtp"));
  g_assert_null (result->message_id);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  ms_test_capture_logs ();

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/ms/gmail-replies/%s", cases[i].name);

      g_test_add_data_func (path, &cases[i], test_gmail_reply);
    }

  return g_test_run ();
}
