/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-gmail-replies"

#include "config.h"

#include <string.h>

#include "ms-fake-server.h"
#include "ms-probe.h"
#include "ms-test-util.h"

/*
 * Every Gmail reply of docs/providers.md, sent by the fake server at AUTH, MAIL,
 * RCPT or after the message, through the real engine (ms_sender_login or
 * ms_sender_test_send) to its contract code, advice and action URL.
 */

#define APP_PASSWORDS "https://myaccount.google.com/apppasswords"
#define SIGN_IN       "https://accounts.google.com/"
#define LIMITS        "https://support.google.com/a/answer/166852"
#define RATE_WORDS    "limits how often"

/*
 * One row of the Gmail replies table (docs/providers.md): the reply as the
 * table gives it and the same code with other words after it, since Google
 * changes them; both must give the same contract code and advice.
 */
typedef struct
{
  const char  *name;
  MsFakeStep   step;
  const char  *raw;          /* the table's reply, on the wire */
  const char  *reworded;     /* the same code, different words */
  MsErrorCode  expected;
  MsStepKind   failed_step;
  const char  *advice_has;
  const char  *advice_lacks; /* or NULL */
  const char  *url;
} GmailCase;

static const GmailCase cases[] = {
  { "app-password-required", MS_FAKE_STEP_AUTH,
    "534-5.7.9 Application-specific password required. For more information, go to\r\n"
    "534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor a1-20020a - gsmtp\r\n",
    "534 5.7.9 This account signs in with an app password only a1-20020a - gsmtp\r\n",
    MS_ERROR_APP_PASSWORD_REQUIRED, MS_STEP_AUTH, "App passwords page", NULL, APP_PASSWORDS },
  { "bad-credentials", MS_FAKE_STEP_AUTH,
    "535-5.7.8 Username and Password not accepted. For more information, go to\r\n"
    "535 5.7.8  https://support.google.com/mail/?p=BadCredentials b2-20020a - gsmtp\r\n",
    "535 5.7.8 Those credentials did not work b2-20020a - gsmtp\r\n",
    MS_ERROR_AUTH_FAILED, MS_STEP_AUTH, "full address", NULL, APP_PASSWORDS },
  { "web-login-required", MS_FAKE_STEP_AUTH,
    "534-5.7.14 <https://accounts.google.com/signin/continue?sarp=1&scc=1&plt=AKgnsbt>\r\n"
    "534-5.7.14 Please log in via your web browser and then try again.\r\n"
    "534-5.7.14  Learn more at\r\n"
    "534 5.7.14  https://support.google.com/mail/answer/78754 c3-20020a - gsmtp\r\n",
    "534 5.7.14 Continue in a browser to confirm this sign-in c3-20020a - gsmtp\r\n",
    MS_ERROR_WEB_LOGIN_REQUIRED, MS_STEP_AUTH, "accounts.google.com", NULL, SIGN_IN },
  /* The ?p= keyword decides over the 5.7.9 that says "app password". */
  { "web-login-required-5-7-9", MS_FAKE_STEP_AUTH,
    "534-5.7.9 Please log in with your web browser and then try again. For more\r\n"
    "534 5.7.9 information, go to https://support.google.com/mail/?p=WebLoginRequired d4-20020a - gsmtp\r\n",
    "534 5.7.9 Open a browser first: https://support.google.com/mail/?p=WebLoginRequired d4-20020a - gsmtp\r\n",
    MS_ERROR_WEB_LOGIN_REQUIRED, MS_STEP_AUTH, "accounts.google.com", NULL, SIGN_IN },
  { "older-535-app-password", MS_FAKE_STEP_AUTH,
    "535 5.7.1 Application-specific password required e5-20020a - gsmtp\r\n",
    "535 5.7.1 An application-specific password is needed for this e5-20020a - gsmtp\r\n",
    MS_ERROR_APP_PASSWORD_REQUIRED, MS_STEP_AUTH, "App passwords page", NULL, APP_PASSWORDS },
  { "older-535-web-login", MS_FAKE_STEP_AUTH,
    "535 5.7.1 Please log in with your web browser f6-20020a - gsmtp\r\n",
    "535 5.7.1 Sign in from a web browser, then retry f6-20020a - gsmtp\r\n",
    MS_ERROR_WEB_LOGIN_REQUIRED, MS_STEP_AUTH, "accounts.google.com", NULL, SIGN_IN },
  { "must-issue-starttls", MS_FAKE_STEP_MAIL,
    "530 5.7.0 Must issue a STARTTLS command first. g7-20020a - gsmtp\r\n",
    "530 5.7.0 STARTTLS is required before this command g7-20020a - gsmtp\r\n",
    MS_ERROR_WRONG_SECURITY_MODE, MS_STEP_MAIL, "STARTTLS on port 587", NULL, NULL },
  { "mail-before-auth", MS_FAKE_STEP_MAIL,
    "530-5.5.1 Authentication Required. For more information, go to\r\n"
    "530 5.5.1  https://support.google.com/mail/?p=WantAuthError h8-20020a - gsmtp\r\n",
    "530 5.5.1 Sign in before sending h8-20020a - gsmtp\r\n",
    MS_ERROR_AUTH_FAILED, MS_STEP_MAIL, "signs in before sending", NULL, APP_PASSWORDS },
  { "pipelined-after-starttls", MS_FAKE_STEP_MAIL,
    "454 4.5.0 SMTP protocol violation, no commands allowed to pipeline after STARTTLS "
    "i9-20020a - gsmtp\r\n",
    "454 4.5.0 Commands were pipelined across STARTTLS i9-20020a - gsmtp\r\n",
    MS_ERROR_PROTOCOL_ERROR, MS_STEP_MAIL, "bug in Mail Setup", NULL, NULL },
  { "auth-temporary", MS_FAKE_STEP_AUTH,
    "454 4.7.0 Cannot authenticate due to a temporary system problem. Try again later. "
    "j1-20020a - gsmtp\r\n",
    "454 4.7.0 Sign-in is unavailable for a moment j1-20020a - gsmtp\r\n",
    MS_ERROR_TEMPORARY_FAILURE, MS_STEP_AUTH, "Wait", RATE_WORDS, NULL },
  /* A generic 421 is a temporary failure: "try again later", no rate limit. */
  { "try-again-later-4-7-0", MS_FAKE_STEP_AUTH,
    "421 4.7.0 Try again later, closing connection. (AUTH) k2-20020a - gsmtp\r\n",
    "421 4.7.0 Closing this connection for now k2-20020a - gsmtp\r\n",
    MS_ERROR_TEMPORARY_FAILURE, MS_STEP_AUTH, "Wait", RATE_WORDS, NULL },
  { "temporary-4-3-0", MS_FAKE_STEP_MAIL,
    "421 4.3.0 Temporary System Problem.  Try again later (10). l3-20020a - gsmtp\r\n",
    "421 4.3.0 Something went wrong on our side l3-20020a - gsmtp\r\n",
    MS_ERROR_TEMPORARY_FAILURE, MS_STEP_MAIL, "Wait", RATE_WORDS, NULL },
  { "server-busy-4-4-5", MS_FAKE_STEP_RCPT,
    "421 4.4.5 Server busy, try again later. m4-20020a - gsmtp\r\n",
    "421 4.4.5 Too busy at the moment m4-20020a - gsmtp\r\n",
    MS_ERROR_TEMPORARY_FAILURE, MS_STEP_RCPT, "Wait", RATE_WORDS, NULL },
  /* Rate-limit advice only when the reply is about a rate. */
  { "rate-limited", MS_FAKE_STEP_AUTH,
    "421 4.7.0 Our system has detected an unusual rate of requests from this client. "
    "n5-20020a - gsmtp\r\n",
    "421 4.7.28 Too many connections from this address, rate limit reached n5-20020a - gsmtp\r\n",
    MS_ERROR_TEMPORARY_FAILURE, MS_STEP_AUTH, RATE_WORDS, NULL, NULL },
  { "daily-limit-mail", MS_FAKE_STEP_MAIL,
    "550-5.4.5 Daily user sending limit exceeded. For more information on Gmail\r\n"
    "550-5.4.5 sending limits go to\r\n"
    "550 5.4.5  https://support.google.com/a/answer/166852 o6-20020a - gsmtp\r\n",
    "550 5.4.5 You have sent too much today o6-20020a - gsmtp\r\n",
    MS_ERROR_QUOTA_EXCEEDED, MS_STEP_MAIL, "24 hours", NULL, LIMITS },
  { "daily-limit-dot", MS_FAKE_STEP_DOT,
    "550 5.4.5 Daily user sending limit exceeded. p7-20020a - gsmtp\r\n",
    "550 5.4.5 Quota for today used up p7-20020a - gsmtp\r\n",
    MS_ERROR_QUOTA_EXCEEDED, MS_STEP_DATA, "24 hours", NULL, LIMITS },
};

static void
run_reply (const GmailCase *c,
           const char      *raw)
{
  g_autoptr(MsFakeServer) server = ms_test_fake_server_new (MS_FAKE_MODE_TLS);
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsResult) result = NULL;
  MsTestOp op = c->step == MS_FAKE_STEP_AUTH ? MS_TEST_OP_LOGIN : MS_TEST_OP_TEST_SEND;

  ms_fake_server_set_reply (server, c->step, raw);
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
  if (c->advice_lacks != NULL)
    g_assert_null (strstr (result->error->advice, c->advice_lacks));
  g_assert_cmpstr (result->error->action_url, ==, c->url);
  g_assert_nonnull (result->error->server_reply);
  g_assert_nonnull (strstr (result->error->server_reply, "gsmtp"));
  g_assert_null (result->message_id);
}

static void
test_gmail_reply (gconstpointer data)
{
  const GmailCase *c = data;

  run_reply (c, c->raw);
}

static void
test_gmail_reply_reworded (gconstpointer data)
{
  const GmailCase *c = data;

  run_reply (c, c->reworded);
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
      g_autofree char *reworded = g_strdup_printf ("/ms/gmail-replies/%s/reworded",
                                                   cases[i].name);

      g_test_add_data_func (path, &cases[i], test_gmail_reply);
      g_test_add_data_func (reworded, &cases[i], test_gmail_reply_reworded);
    }

  return g_test_run ();
}
