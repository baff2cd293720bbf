/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-advice"

#include "config.h"

#include <string.h>

#include "ms-advice.h"
#include "ms-provider.h"

#define APP_PASSWORDS "https://myaccount.google.com/apppasswords"

typedef struct
{
  MsStepKind   step;
  guint        code;
  const char  *enhanced;
  const char  *text;
  MsErrorCode  expected;
  const char  *advice_has;  /* the fix the advice must name */
  const char  *url;         /* the action URL, or NULL */
} GmailCase;

/* Every Gmail reply of docs/providers.md (texts shortened as Google varies them). */
static const GmailCase gmail_cases[] = {
  { MS_STEP_AUTH, 534, "5.7.9",
    "Application-specific password required. For more information, go to\n"
    "https://support.google.com/mail/?p=InvalidSecondFactor a1-20020a - gsmtp",
    MS_ERROR_APP_PASSWORD_REQUIRED, "app password", APP_PASSWORDS },
  { MS_STEP_AUTH, 535, "5.7.8",
    "Username and Password not accepted. For more information, go to\n"
    "https://support.google.com/mail/?p=BadCredentials b2-20020a - gsmtp",
    MS_ERROR_AUTH_FAILED, "full address", APP_PASSWORDS },
  { MS_STEP_AUTH, 534, "5.7.14",
    "<https://accounts.google.com/signin/continue?sarp=1&scc=1&plt=AKgnsbt>\n"
    "Please log in via your web browser and then try again.\n"
    "Learn more at https://support.google.com/mail/answer/78754 c3-20020a - gsmtp",
    MS_ERROR_WEB_LOGIN_REQUIRED, "accounts.google.com", "https://accounts.google.com/" },
  { MS_STEP_MAIL, 530, "5.7.0", "Must issue a STARTTLS command first. d4-20020a - gsmtp",
    MS_ERROR_WRONG_SECURITY_MODE, "STARTTLS", NULL },
  { MS_STEP_AUTH, 530, "5.7.0", "Must issue a STARTTLS command first. d4-20020a - gsmtp",
    MS_ERROR_WRONG_SECURITY_MODE, "port 587", NULL },
  { MS_STEP_MAIL, 530, "5.5.1",
    "Authentication Required. For more information, go to\n"
    "https://support.google.com/mail/?p=WantAuthError e5-20020a - gsmtp",
    MS_ERROR_AUTH_FAILED, "signs in before sending", APP_PASSWORDS },
  { MS_STEP_EHLO, 454, "4.5.0",
    "SMTP protocol violation, no commands allowed to pipeline after STARTTLS f6-20020a - gsmtp",
    MS_ERROR_PROTOCOL_ERROR, "bug in Mail Setup", NULL },
  { MS_STEP_AUTH, 454, "4.7.0",
    "Cannot authenticate due to a temporary system problem. Try again later. g7-20020a - gsmtp",
    MS_ERROR_TEMPORARY_FAILURE, "Wait", NULL },
  { MS_STEP_MAIL, 421, "4.7.0", "Try again later, closing connection. (MAIL) h8-20020a - gsmtp",
    MS_ERROR_TEMPORARY_FAILURE, "Wait", NULL },
  { MS_STEP_AUTH, 421, "4.3.0", "Temporary System Problem.  Try again later. i9-20020a - gsmtp",
    MS_ERROR_TEMPORARY_FAILURE, "Wait", NULL },
  { MS_STEP_RCPT, 421, "4.4.5", "Server busy, try again later. j1-20020a - gsmtp",
    MS_ERROR_TEMPORARY_FAILURE, "Wait", NULL },
  { MS_STEP_MAIL, 550, "5.4.5",
    "Daily user sending limit exceeded. For more information on Gmail\n"
    "sending limits go to https://support.google.com/a/answer/166852 k2-20020a - gsmtp",
    MS_ERROR_QUOTA_EXCEEDED, "24 hours", "https://support.google.com/a/answer/166852" },
  { MS_STEP_DATA, 550, "5.4.5", "Daily user sending limit exceeded. l3-20020a - gsmtp",
    MS_ERROR_QUOTA_EXCEEDED, "24 hours", "https://support.google.com/a/answer/166852" },
};

static MsResult *
gmail_result (MsErrorCode  code,
              MsStepKind   step,
              const char  *reply)
{
  MsResult *result = ms_result_new ("login");
  MsResultError *error;

  result->host = g_strdup ("smtp.gmail.com");
  result->port = 465;
  result->security = MS_SECURITY_TLS;
  error = ms_result_set_error (result, code, step, NULL);
  error->server_reply = g_strdup (reply);
  return result;
}

static void
test_gmail_replies (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (gmail_cases); i++)
    {
      const GmailCase *c = &gmail_cases[i];
      MsErrorCode code = ms_advice_classify_reply (c->step, c->code, c->enhanced, c->text);
      g_autoptr(MsResult) result = NULL;
      g_autofree char *reply = NULL;

      g_test_message ("%u %s: %s", c->code, c->enhanced, ms_error_code_to_string (code));
      g_assert_cmpstr (ms_error_code_to_string (code), ==, ms_error_code_to_string (c->expected));

      /* As the engine keeps it: the code, then the text. */
      reply = g_strdup_printf ("%u %s %s", c->code, c->enhanced, c->text);
      result = gmail_result (code, c->step, reply);
      ms_advice_fill (result, "gmail");
      g_assert_nonnull (result->error->message);
      g_assert_cmpstr (result->error->message, !=, "");
      g_assert_nonnull (result->error->advice);
      g_assert_nonnull (strstr (result->error->advice, c->advice_has));
      g_assert_cmpstr (result->error->action_url, ==, c->url);
      /* The raw reply stays for "Server said: ...". */
      g_assert_cmpstr (result->error->server_reply, ==, reply);
      g_assert_cmpstr (ms_error_code_to_string (result->error->code), ==,
                       ms_error_code_to_string (c->expected));
    }
}

static void
test_gmail_words (void)
{
  g_autoptr(MsResult) app = gmail_result (MS_ERROR_APP_PASSWORD_REQUIRED, MS_STEP_AUTH, "534");
  g_autoptr(MsResult) bad = gmail_result (MS_ERROR_AUTH_FAILED, MS_STEP_AUTH, "535");
  g_autoptr(MsResult) workspace = gmail_result (MS_ERROR_APP_PASSWORD_REQUIRED, MS_STEP_AUTH, "534");
  g_autoptr(MsResult) by_host = gmail_result (MS_ERROR_APP_PASSWORD_REQUIRED, MS_STEP_AUTH, "534");

  ms_advice_fill (app, "gmail");
  g_assert_cmpstr (app->error->message, ==, "Google wants an app password for this account.");
  g_assert_nonnull (strstr (app->error->advice, "2-Step Verification"));
  g_assert_nonnull (strstr (app->error->advice, "App passwords page"));
  g_assert_cmpstr (app->error->action_url, ==, APP_PASSWORDS);

  ms_advice_fill (bad, "gmail");
  g_assert_nonnull (strstr (bad->error->advice, "normal Google password does not work"));
  g_assert_nonnull (strstr (bad->error->advice, "revokes every app password"));

  ms_advice_fill (workspace, "google-workspace");
  g_assert_cmpstr (workspace->error->action_url, ==, APP_PASSWORDS);

  /* No provider named: found from the host. */
  ms_advice_fill (by_host, NULL);
  g_assert_cmpstr (by_host->error->action_url, ==, APP_PASSWORDS);
}

typedef struct
{
  MsStepKind   step;
  guint        code;
  const char  *enhanced;
  MsErrorCode  expected;
} GenericCase;

static const GenericCase generic_cases[] = {
  { MS_STEP_GREETING, 554, "5.7.1", MS_ERROR_GREETING_REJECTED },
  { MS_STEP_GREETING, 421, NULL, MS_ERROR_GREETING_REJECTED },
  { MS_STEP_EHLO, 421, NULL, MS_ERROR_TEMPORARY_FAILURE },
  { MS_STEP_EHLO, 500, NULL, MS_ERROR_PROTOCOL_ERROR },
  { MS_STEP_STARTTLS, 454, "4.7.0", MS_ERROR_TEMPORARY_FAILURE },
  { MS_STEP_STARTTLS, 502, "5.5.1", MS_ERROR_STARTTLS_UNAVAILABLE },
  { MS_STEP_AUTH, 535, NULL, MS_ERROR_AUTH_FAILED },
  { MS_STEP_AUTH, 534, NULL, MS_ERROR_AUTH_FAILED },
  { MS_STEP_AUTH, 530, NULL, MS_ERROR_AUTH_FAILED },
  { MS_STEP_AUTH, 504, "5.5.4", MS_ERROR_AUTH_UNSUPPORTED },
  { MS_STEP_AUTH, 454, NULL, MS_ERROR_TEMPORARY_FAILURE },
  { MS_STEP_MAIL, 553, "5.7.1", MS_ERROR_SENDER_REJECTED },
  { MS_STEP_MAIL, 552, "5.3.4", MS_ERROR_MESSAGE_TOO_LARGE },
  { MS_STEP_MAIL, 451, "4.3.0", MS_ERROR_TEMPORARY_FAILURE },
  { MS_STEP_RCPT, 550, "5.1.1", MS_ERROR_RECIPIENT_REJECTED },
  { MS_STEP_RCPT, 452, "4.5.3", MS_ERROR_TEMPORARY_FAILURE },
  { MS_STEP_DATA, 554, "5.7.1", MS_ERROR_MESSAGE_REJECTED },
  { MS_STEP_DATA, 552, "5.3.4", MS_ERROR_MESSAGE_TOO_LARGE },
  { MS_STEP_DATA, 451, NULL, MS_ERROR_TEMPORARY_FAILURE },
  { MS_STEP_QUIT, 500, NULL, MS_ERROR_PROTOCOL_ERROR },
  { MS_STEP_AUTH, 250, NULL, MS_ERROR_PROTOCOL_ERROR },
  { MS_STEP_AUTH, 700, NULL, MS_ERROR_PROTOCOL_ERROR },
};

static void
test_generic_codes (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (generic_cases); i++)
    {
      const GenericCase *c = &generic_cases[i];
      MsErrorCode code = ms_advice_classify_reply (c->step, c->code, c->enhanced, "Some text");

      g_test_message ("%s %u %s", ms_step_kind_to_string (c->step), c->code, c->enhanced);
      g_assert_cmpstr (ms_error_code_to_string (code), ==, ms_error_code_to_string (c->expected));
    }
  /* A NULL text is fine. */
  g_assert_cmpint (ms_advice_classify_reply (MS_STEP_AUTH, 535, NULL, NULL), ==,
                   MS_ERROR_AUTH_FAILED);
}

static void
assert_filled (MsErrorCode code,
               const char *provider_id,
               const char *host)
{
  g_autoptr(MsResult) result = ms_result_new ("login");

  result->host = g_strdup (host);
  result->port = 587;
  result->security = MS_SECURITY_STARTTLS;
  ms_result_set_error (result, code, MS_STEP_AUTH, NULL);
  ms_advice_fill (result, provider_id);

  g_test_message ("%s for %s", ms_error_code_to_string (code), provider_id ? provider_id : "-");
  g_assert_nonnull (result->error->message);
  g_assert_cmpuint (strlen (result->error->message), >, 10);
  if (code != MS_ERROR_CANCELLED)
    {
      g_assert_nonnull (result->error->advice);
      g_assert_cmpuint (strlen (result->error->advice), >, 10);
    }
  if (result->error->action_url != NULL)
    g_assert_true (g_str_has_prefix (result->error->action_url, "https://"));
}

static void
test_every_code (void)
{
  for (guint code = 0; code < MS_ERROR_N_CODES; code++)
    {
      assert_filled (code, NULL, "mail.example.org");
      assert_filled (code, "gmail", "smtp.gmail.com");
      assert_filled (code, "yahoo", "smtp.mail.yahoo.com");
      assert_filled (code, "outlook", "smtp-mail.outlook.com");
      assert_filled (code, "proton-bridge", "127.0.0.1");
      assert_filled (code, "nonesuch", NULL);
    }
}

static void
test_wrong_security_mode (void)
{
  g_autoptr(MsResult) result = ms_result_new ("probe");
  g_autoptr(MsResult) other_port = ms_result_new ("probe");
  g_autoptr(MsResult) bare = ms_result_new ("probe");
  MsResultError *error;

  result->host = g_strdup ("smtp.gmail.com");
  result->port = 587;
  result->security = MS_SECURITY_TLS;
  error = ms_result_set_error (result, MS_ERROR_WRONG_SECURITY_MODE, MS_STEP_TLS,
                               "TLS handshake failed");
  error->has_suggestion = TRUE;
  error->suggestion_port = 587;
  error->suggestion_security = MS_SECURITY_STARTTLS;
  ms_advice_fill (result, "gmail");
  g_assert_cmpstr (result->error->message, ==, "Port 587 expects STARTTLS, not SSL/TLS.");
  g_assert_cmpstr (result->error->advice, ==, "Change the security setting to STARTTLS.");

  other_port->port = 465;
  other_port->security = MS_SECURITY_STARTTLS;
  error = ms_result_set_error (other_port, MS_ERROR_WRONG_SECURITY_MODE, MS_STEP_GREETING, NULL);
  error->has_suggestion = TRUE;
  error->suggestion_port = 465;
  error->suggestion_security = MS_SECURITY_TLS;
  ms_advice_fill (other_port, NULL);
  g_assert_cmpstr (other_port->error->message, ==, "Port 465 expects SSL/TLS, not STARTTLS.");

  bare->port = 2525;
  bare->security = MS_SECURITY_TLS;
  ms_result_set_error (bare, MS_ERROR_WRONG_SECURITY_MODE, MS_STEP_TLS, NULL);
  ms_advice_fill (bare, NULL);
  g_assert_nonnull (strstr (bare->error->advice, "SSL/TLS on port 465"));
  g_assert_nonnull (strstr (bare->error->advice, "STARTTLS on port 587"));
}

static void
test_engine_message_kept (void)
{
  g_autoptr(MsResult) result = ms_result_new ("probe");
  g_autoptr(MsResult) reply_only = ms_result_new ("login");
  MsResultError *error;

  ms_result_set_error (result, MS_ERROR_CERTIFICATE_EXPIRED, MS_STEP_TLS,
                       "The certificate of mail.example.org expired on 1 May 2026.");
  ms_advice_fill (result, NULL);
  g_assert_cmpstr (result->error->message, ==,
                   "The certificate of mail.example.org expired on 1 May 2026.");
  g_assert_nonnull (result->error->advice);

  error = ms_result_set_error (reply_only, MS_ERROR_RECIPIENT_REJECTED, MS_STEP_RCPT,
                               "550 5.1.1 No such user");
  error->server_reply = g_strdup ("550 5.1.1 No such user");
  ms_advice_fill (reply_only, NULL);
  g_assert_cmpstr (reply_only->error->message, ==, "The server refused the recipient address.");

  /* No error: nothing to do. */
  {
    g_autoptr(MsResult) ok = ms_result_new ("probe");

    ms_advice_fill (ok, "gmail");
    g_assert_null (ok->error);
  }
}

static void
test_other_providers (void)
{
  g_autoptr(MsResult) yahoo = ms_result_new ("login");
  g_autoptr(MsResult) outlook = ms_result_new ("login");

  ms_result_set_error (yahoo, MS_ERROR_AUTH_FAILED, MS_STEP_AUTH, NULL);
  ms_advice_fill (yahoo, "yahoo");
  g_assert_nonnull (strstr (yahoo->error->advice, "app password"));
  g_assert_cmpstr (yahoo->error->action_url, ==,
                   ms_provider_get_secret_url (ms_provider_lookup ("yahoo")));

  ms_result_set_error (outlook, MS_ERROR_AUTH_FAILED, MS_STEP_AUTH, NULL);
  ms_advice_fill (outlook, "outlook");
  g_assert_nonnull (strstr (outlook->error->message, "password"));
  g_assert_nonnull (strstr (outlook->error->advice, "OAuth"));
}

/* OP25B: a refused or timed-out connection to port 25 names the blocking
 * and proposes 465 and 587; the same failure on another port does not. */
static void
test_port_25_blocked (void)
{
  const MsErrorCode codes[] = { MS_ERROR_CONNECT_REFUSED, MS_ERROR_CONNECT_TIMEOUT };

  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      g_autoptr(MsResult) blocked = ms_result_new ("probe");
      g_autoptr(MsResult) other = ms_result_new ("probe");

      blocked->host = g_strdup ("smtp.ocn.ne.jp");
      blocked->port = 25;
      ms_result_set_error (blocked, codes[i], MS_STEP_CONNECT, "Connection refused");
      ms_advice_fill (blocked, NULL);
      g_test_message ("%s / %s", blocked->error->message, blocked->error->advice);
      g_assert_nonnull (strstr (blocked->error->message, "port 25"));
      g_assert_nonnull (strstr (blocked->error->advice, "OP25B"));
      g_assert_nonnull (strstr (blocked->error->advice, "465"));
      g_assert_nonnull (strstr (blocked->error->advice, "587"));

      other->port = 2525;
      ms_result_set_error (other, codes[i], MS_STEP_CONNECT, NULL);
      ms_advice_fill (other, NULL);
      g_assert_null (strstr (other->error->advice, "OP25B"));
    }
  g_assert_null (ms_advice_port_25_hint (587));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/ms/advice/gmail-replies", test_gmail_replies);
  g_test_add_func ("/ms/advice/gmail-words", test_gmail_words);
  g_test_add_func ("/ms/advice/generic-codes", test_generic_codes);
  g_test_add_func ("/ms/advice/every-code", test_every_code);
  g_test_add_func ("/ms/advice/wrong-security-mode", test_wrong_security_mode);
  g_test_add_func ("/ms/advice/engine-message-kept", test_engine_message_kept);
  g_test_add_func ("/ms/advice/other-providers", test_other_providers);
  g_test_add_func ("/ms/advice/port-25-blocked", test_port_25_blocked);

  return g_test_run ();
}
