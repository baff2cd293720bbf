/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-advice"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "ms-advice.h"
#include "ms-provider.h"

/* ---- classifying replies ---- */

static gboolean
enhanced_is (const char *enhanced,
             const char *expected)
{
  return enhanced != NULL && g_str_equal (enhanced, expected);
}

static gboolean
text_has (const char *text,
          const char *needle)
{
  g_autofree char *lower = g_ascii_strdown (text, -1);
  g_autofree char *lower_needle = g_ascii_strdown (needle, -1);

  return strstr (lower, lower_needle) != NULL;
}

/*
 * Replies whose meaning is more precise than their basic code. A provider
 * that signs its replies (Gmail's "gsmtp") is known from the reply alone:
 * its rules in providers.json come first (matched on the enhanced code and
 * the keyword, never on the whole sentence, which providers change). Then
 * the meanings any server may give.
 */
static gboolean
classify_specific (MsStepKind   step,
                   guint        code,
                   const char  *enhanced,
                   const char  *text,
                   MsErrorCode *out)
{
  const MsProvider *provider = ms_provider_lookup_reply (text);
  const MsProviderReply *rule = NULL;

  if (provider != NULL)
    rule = ms_provider_match_reply (provider, code, enhanced, text);
  if (rule != NULL)
    *out = rule->error;
  else if (code == 530 && text_has (text, "STARTTLS"))
    *out = MS_ERROR_WRONG_SECURITY_MODE;
  else if (code == 454 && enhanced_is (enhanced, "4.5.0") && text_has (text, "pipelin"))
    *out = MS_ERROR_PROTOCOL_ERROR;
  else if (code / 100 == 5 && enhanced_is (enhanced, "5.3.4") && step >= MS_STEP_MAIL)
    *out = MS_ERROR_MESSAGE_TOO_LARGE;
  else
    return FALSE;
  return TRUE;
}

static MsErrorCode
classify_permanent (MsStepKind step,
                    guint      code)
{
  switch (step)
    {
    case MS_STEP_GREETING:
      return MS_ERROR_GREETING_REJECTED;
    case MS_STEP_STARTTLS:
      return MS_ERROR_STARTTLS_UNAVAILABLE;
    case MS_STEP_AUTH:
      if (code == 504)
        return MS_ERROR_AUTH_UNSUPPORTED;
      if (code == 538)
        return MS_ERROR_WRONG_SECURITY_MODE;
      return MS_ERROR_AUTH_FAILED;
    case MS_STEP_MAIL:
      return code == 530 ? MS_ERROR_AUTH_FAILED : MS_ERROR_SENDER_REJECTED;
    case MS_STEP_RCPT:
      return code == 530 ? MS_ERROR_AUTH_FAILED : MS_ERROR_RECIPIENT_REJECTED;
    case MS_STEP_DATA:
      return MS_ERROR_MESSAGE_REJECTED;
    default:
      return MS_ERROR_PROTOCOL_ERROR;
    }
}

/**
 * ms_advice_classify_reply:
 * @step: the step whose command got the reply
 * @code: the reply's basic code (200..599)
 * @enhanced: (nullable): the enhanced status code ("5.7.9")
 * @text: (nullable): the reply text, all lines
 *
 * The contract code for a final reply that failed at @step: provider
 * meanings first (Gmail: 534 5.7.9 app-password-required, 534 5.7.14
 * web-login-required, 550 5.4.5 quota-exceeded, ...), then the generic
 * meaning of the code at that step. A 4xx is temporary-failure everywhere
 * but in the greeting (greeting-rejected, as a 554 is).
 *
 * Returns: the contract code
 */
MsErrorCode
ms_advice_classify_reply (MsStepKind  step,
                          guint       code,
                          const char *enhanced,
                          const char *text)
{
  MsErrorCode specific;

  if (code < 400 || code > 599)
    return MS_ERROR_PROTOCOL_ERROR;
  if (classify_specific (step, code, enhanced, text != NULL ? text : "", &specific))
    return specific;
  if (step == MS_STEP_GREETING)
    return MS_ERROR_GREETING_REJECTED;
  if (code / 100 == 4)
    return MS_ERROR_TEMPORARY_FAILURE;
  return classify_permanent (step, code);
}

/* ---- words ---- */

typedef struct
{
  const char *message;
  const char *advice;
} Words;

/* What happened and what to do, for every contract code. N_() here, _() at use. */
static const Words generic_words[MS_ERROR_N_CODES] = {
  [MS_ERROR_INVALID_INPUT] = {
    N_("A setting is not valid."),
    N_("Check the address, the server name and the port for typing mistakes. Line breaks and other control characters are not allowed in any field.") },
  [MS_ERROR_USAGE] = {
    N_("The command line is not valid."),
    N_("Run “mailsetup-cli --help” to see the commands and their options.") },
  [MS_ERROR_UNKNOWN_ACCOUNT] = {
    N_("There is no account with this name."),
    N_("Run “mailsetup-cli account list” to see the accounts, or add the account first.") },
  [MS_ERROR_DNS_FAILED] = {
    N_("The server name could not be found."),
    N_("Check the server name for typing mistakes, and check that this computer is online.") },
  [MS_ERROR_CONNECT_REFUSED] = {
    N_("The server refused the connection on this port."),
    /* Translators: 465 and 587 are port numbers; keep them as they are. */
    N_("Check the port number. Mail servers take mail from programs on port 465 or 587; a firewall may also block the port.") },
  [MS_ERROR_CONNECT_TIMEOUT] = {
    N_("The server did not answer in time."),
    /* Translators: 465 and 587 are port numbers; keep them as they are. */
    N_("The network or a firewall may be blocking this port. Check that this computer is online, or try the other port (465 or 587).") },
  [MS_ERROR_TIMEOUT] = {
    N_("The server stopped answering."),
    N_("Try again in a few minutes. If it keeps happening, the network may be dropping the connection.") },
  [MS_ERROR_WRONG_SECURITY_MODE] = {
    N_("The port and the security setting do not match."),
    /* Translators: SSL/TLS and STARTTLS are the names of the settings,
       465 and 587 port numbers; keep them as they are. */
    N_("Use SSL/TLS on port 465, or STARTTLS on port 587.") },
  [MS_ERROR_TLS_HANDSHAKE_FAILED] = {
    N_("A secure connection could not be set up."),
    N_("The server may not speak TLS on this port, or may need a TLS version this computer does not allow. Check the port and the security setting.") },
  [MS_ERROR_CERTIFICATE_UNTRUSTED] = {
    N_("The server's certificate does not come from an authority this computer trusts."),
    N_("If this is your own server with a self-signed or private certificate, view the certificate and trust it. Otherwise do not go on: someone may be intercepting the connection.") },
  [MS_ERROR_CERTIFICATE_EXPIRED] = {
    N_("The server's certificate has expired."),
    N_("Tell the server's administrator; the certificate has to be renewed. Do not go on until it is.") },
  [MS_ERROR_CERTIFICATE_NOT_YET_VALID] = {
    N_("The server's certificate is not valid yet."),
    N_("Check that this computer's date and time are right. If they are, tell the server's administrator.") },
  [MS_ERROR_CERTIFICATE_NAME_MISMATCH] = {
    N_("The server's certificate is for a different name."),
    N_("Check the server name: use the name your provider gives, not an address or another name for it. If the name is right, someone may be intercepting the connection.") },
  [MS_ERROR_PIN_MISMATCH] = {
    N_("The server's key does not match the one saved for it."),
    N_("If the server's certificate was replaced on purpose, view the new certificate and trust it again. Otherwise do not go on: someone may be intercepting the connection.") },
  [MS_ERROR_STARTTLS_UNAVAILABLE] = {
    /* Translators: STARTTLS is a protocol name; keep it as it is. */
    N_("The server does not offer STARTTLS, so the password cannot be sent safely."),
    /* Translators: SSL/TLS is the name of the setting, 465 a port number; keep them as they are. */
    N_("Try SSL/TLS on port 465. If the server offers no encryption at all, use a different server.") },
  [MS_ERROR_STARTTLS_INJECTION] = {
    N_("Someone added data to the connection while encryption was being set up."),
    N_("This is a sign of an attack on the network. Do not go on; try again from another network.") },
  [MS_ERROR_PROTOCOL_ERROR] = {
    N_("The server sent a reply that breaks the mail protocol."),
    N_("Check that this port belongs to a mail server. If it does, the server or something in between is misbehaving: tell its administrator.") },
  [MS_ERROR_GREETING_REJECTED] = {
    N_("The server refused to talk to this computer."),
    N_("It may be busy, or it may block this network. Try again later or from another network.") },
  [MS_ERROR_AUTH_UNSUPPORTED] = {
    N_("The server offers no sign-in method that Mail Setup can use."),
    /* Translators: PLAIN, LOGIN and STARTTLS are protocol names; keep them as they are. */
    N_("Mail Setup signs in with PLAIN or LOGIN over an encrypted connection. Check the port and the security setting: some servers offer sign-in only after STARTTLS.") },
  [MS_ERROR_AUTH_FAILED] = {
    N_("The server did not accept the user name or the password."),
    N_("Check the user name (usually the full address) and type the password again.") },
  [MS_ERROR_APP_PASSWORD_REQUIRED] = {
    N_("The provider wants an app password for this account."),
    N_("Create an app password in your account's security settings and use it instead of your normal password.") },
  [MS_ERROR_WEB_LOGIN_REQUIRED] = {
    N_("The provider wants you to sign in once in a web browser."),
    N_("Sign in to your account in a web browser, confirm that it was you, then try again.") },
  [MS_ERROR_SENDER_REJECTED] = {
    N_("The server refused the sender address."),
    N_("Send from the address of this account, or from an address your provider lets you send from.") },
  [MS_ERROR_RECIPIENT_REJECTED] = {
    N_("The server refused the recipient address."),
    N_("Check the recipient address for typing mistakes.") },
  [MS_ERROR_MESSAGE_REJECTED] = {
    N_("The server refused the message."),
    N_("The server's reply may say why: it may have taken the message for spam. Change the message or ask the provider.") },
  [MS_ERROR_MESSAGE_TOO_LARGE] = {
    N_("The message is larger than the server accepts."),
    N_("Send a smaller message, or share large files another way.") },
  [MS_ERROR_QUOTA_EXCEEDED] = {
    N_("The account has reached its sending limit."),
    N_("Wait until the provider lets the account send again, then try again.") },
  [MS_ERROR_TEMPORARY_FAILURE] = {
    N_("The server cannot take the request right now."),
    N_("The problem is on the server's side and should pass. Wait a few minutes and try again.") },
  [MS_ERROR_CONNECTION_LOST] = {
    N_("The connection closed before the server confirmed."),
    N_("Nothing was sent. Try again; if it keeps happening, the network may be dropping the connection.") },
  [MS_ERROR_DELIVERY_UNKNOWN] = {
    N_("The whole message was sent, but the server did not confirm it."),
    N_("The message may have arrived. Ask a recipient before sending it again; if it keeps happening, the network may be dropping the connection.") },
  [MS_ERROR_KEYRING_UNAVAILABLE] = {
    N_("The keyring cannot be reached."),
    N_("The password is kept in the desktop's keyring, which only a desktop session can reach: a cron job, a service or another user has none. Run this inside your desktop session; for root's jobs and services, set up a system account as root instead (README: “Servers and NAS boxes”).") },
  [MS_ERROR_KEYRING_LOCKED] = {
    N_("The keyring is locked."),
    N_("Unlock the keyring (signing in to the desktop usually does) and try again.") },
  [MS_ERROR_SECRET_MISSING] = {
    N_("The password of this account is not in the keyring."),
    N_("Add the account again to store its password in the keyring.") },
  [MS_ERROR_CREDENTIAL_UNAVAILABLE] = {
    N_("The sealed password of this system account cannot be opened on this machine."),
    N_("Store the password again on this machine: as root, remove the account (mailsetup-cli account remove) and add it again with --password-stdin. A sealed password opens only on the machine that sealed it, with systemd-creds (Debian package systemd).") },
  [MS_ERROR_CONFIG_INVALID] = {
    N_("The account settings cannot be read."),
    N_("Check accounts.ini in the settings folder for a broken line, or remove the account and add it again.") },
  [MS_ERROR_ONLINE_ACCOUNT_UNAVAILABLE] = {
    N_("The account in Online Accounts cannot be reached."),
    N_("This account signs in through GNOME Online Accounts, which only runs inside a desktop session: a job started from cron or as root has no session and cannot ask it. Check in Settings → Online Accounts that the account is still there with Mail turned on.") },
  [MS_ERROR_ONLINE_ACCOUNT_NEEDS_ATTENTION] = {
    N_("Online Accounts could not sign in to this account."),
    N_("The sign-in has expired or was revoked. Open Settings → Online Accounts, choose the account and sign in again.") },
  [MS_ERROR_CANCELLED] = {
    N_("The operation was cancelled."),
    NULL },
  [MS_ERROR_INTERNAL] = {
    N_("Something went wrong inside Mail Setup."),
    N_("This is a bug. Please report it, with the details below.") },
};

static const char *
security_display_name (MsSecurity security)
{
  switch (security)
    {
    case MS_SECURITY_TLS:
      /* Translators: the name of the implicit TLS setting; keep it as it is. */
      return _("SSL/TLS");
    case MS_SECURITY_STARTTLS:
      /* Translators: a protocol name; keep it as it is. */
      return _("STARTTLS");
    case MS_SECURITY_NONE:
      return _("no encryption");
    case MS_SECURITY_AUTO:
    default:
      return _("automatic");
    }
}

static void
set_words (MsResultError *error,
           char          *message,
           char          *advice,
           const char    *url)
{
  g_free (error->message);
  error->message = message;
  g_free (error->advice);
  error->advice = advice;
  g_free (error->action_url);
  error->action_url = g_strdup (url);
}

/* "534-5.7.9 Application-specific ..." (ms_smtp_reply_to_display()): the
 * basic and the enhanced code of the first line. */
static gboolean
parse_reply_codes (const char  *reply,
                   guint       *code,
                   char       **enhanced)
{
  g_auto(GStrv) words = NULL;

  if (reply == NULL || strlen (reply) < 3 || !g_ascii_isdigit (reply[0])
      || !g_ascii_isdigit (reply[1]) || !g_ascii_isdigit (reply[2])
      || (reply[3] != '\0' && reply[3] != ' ' && reply[3] != '-'))
    return FALSE;
  *code = (guint) g_ascii_strtoull (reply, NULL, 10);
  words = g_strsplit (reply[3] != '\0' ? reply + 4 : "", " ", 2);
  *enhanced = NULL;
  if (words[0] != NULL && words[0][0] == reply[0] && words[0][1] == '.')
    *enhanced = g_strdup (words[0]);
  return TRUE;
}

/* The provider's rule for the reply in @error, from providers.json. */
static const MsProviderReply *
match_provider_reply (const MsResultError *error,
                      const MsProvider    *provider)
{
  g_autofree char *enhanced = NULL;
  guint code = 0;

  if (provider == NULL || !parse_reply_codes (error->server_reply, &code, &enhanced))
    return NULL;
  return ms_provider_match_reply (provider, code, enhanced, error->server_reply);
}

static gboolean
fill_other_provider (MsResultError    *error,
                     const MsProvider *provider)
{
  const char *name = ms_provider_get_short_name (provider);

  if (provider->secret_kind == MS_SECRET_OAUTH_ONLY
      && (error->code == MS_ERROR_AUTH_FAILED || error->code == MS_ERROR_AUTH_UNSUPPORTED))
    {
      /* Translators: %s is a provider name, for example "Outlook.com". */
      set_words (error, g_strdup_printf (_("%s does not let programs sign in with a password."), name),
                 g_strdup (ms_provider_get_note (provider, 0)), NULL);
      return TRUE;
    }
  if (provider->secret_kind == MS_SECRET_APP_PASSWORD
      && (error->code == MS_ERROR_AUTH_FAILED || error->code == MS_ERROR_APP_PASSWORD_REQUIRED))
    {
      /* Translators: %s is a provider name, for example "Yahoo Mail". */
      set_words (error, g_strdup_printf (_("%s did not accept the user name or the app password."), name),
                 /* Translators: %s is a provider name, for example "Yahoo Mail". */
                 g_strdup_printf (_("%s needs an app password here, not your normal password. Create one, paste it again, and check that the user name is your full address."), name),
                 ms_provider_get_secret_url (provider));
      return TRUE;
    }
  return FALSE;
}

/**
 * ms_advice_port_25_hint:
 * @port: the port a connection failed on
 *
 * Port 25 is for servers talking to servers; most home and mobile lines
 * block it outward (OP25B, Outbound Port 25 Blocking: every big Japanese
 * provider does), so a program's connection there times out or is refused
 * while the server is fine.
 *
 * Returns: (transfer none) (nullable): what to do, in the user's language,
 *   for a failed connection to port 25; %NULL for any other port
 */
const char *
ms_advice_port_25_hint (guint16 port)
{
  if (port != 25)
    return NULL;
  /* Translators: OP25B is the usual name of this blocking in Japan; 25, 465
     and 587 are port numbers, SSL/TLS and STARTTLS setting names. */
  return _("Your internet provider probably blocks outgoing connections to port 25 (Outbound Port 25 Blocking, OP25B), which is for servers, not for programs. Use port 465 with SSL/TLS or port 587 with STARTTLS, with a user name and password.");
}

static gboolean
fill_blocked_port_25 (MsResult      *result,
                      MsResultError *error)
{
  const char *hint = ms_advice_port_25_hint (result->port);

  if (hint == NULL || (error->code != MS_ERROR_CONNECT_REFUSED
                       && error->code != MS_ERROR_CONNECT_TIMEOUT))
    return FALSE;
  /* Translators: 25 is a port number. */
  set_words (error, g_strdup (_("The connection to port 25 was blocked or refused.")),
             g_strdup (hint), NULL);
  return TRUE;
}

static gboolean
fill_wrong_security_mode (MsResult      *result,
                          MsResultError *error)
{
  const char *now = security_display_name (result->security);
  const char *wanted;

  if (!error->has_suggestion)
    {
      if (error->server_reply == NULL || !text_has (error->server_reply, "STARTTLS"))
        return FALSE;
      /* Translators: STARTTLS is a protocol name; keep it as it is. */
      set_words (error, g_strdup (_("The server wants the connection secured with STARTTLS first.")),
                 /* Translators: STARTTLS and SSL/TLS are setting names,
                    587 and 465 port numbers; keep them as they are. */
                 g_strdup (_("Use STARTTLS on port 587, or SSL/TLS on port 465.")), NULL);
      return TRUE;
    }
  wanted = security_display_name (error->suggestion_security);
  if (error->suggestion_port == result->port)
    /* Translators: "Port 587 expects STARTTLS, not SSL/TLS." %u is the port
       number, each %s is SSL/TLS or STARTTLS. */
    set_words (error, g_strdup_printf (_("Port %u expects %s, not %s."), result->port, wanted, now),
               /* Translators: %s is SSL/TLS or STARTTLS. */
               g_strdup_printf (_("Change the security setting to %s."), wanted), NULL);
  else
    /* Translators: %u is a port number, %s SSL/TLS or STARTTLS. */
    set_words (error, g_strdup_printf (_("Port %u does not speak %s."), result->port, now),
               /* Translators: the first %s is SSL/TLS or STARTTLS, %u a port number. */
               g_strdup_printf (_("Use %s on port %u instead."), wanted, error->suggestion_port),
               NULL);
  return TRUE;
}

static gboolean
message_is_unset (const MsResultError *error)
{
  return error->message == NULL || *error->message == '\0'
         || (error->server_reply != NULL && g_str_equal (error->message, error->server_reply));
}

/**
 * ms_advice_fill:
 * @result: a result with an error
 * @provider_id: (nullable): the provider ("gmail"), or %NULL to find it
 *   from the result's host
 *
 * Fills result->error's message (when the engine left none, or only the
 * server's reply), its advice and its action URL from the error code, the
 * provider and the suggestion, in the user's language: what happened, why,
 * and what to do. Does nothing when the result has no error.
 */
static const MsProvider *
find_provider (const MsResult *result,
               const char     *provider_id)
{
  const MsProvider *provider = NULL;

  if (provider_id != NULL)
    provider = ms_provider_lookup (provider_id);
  else if (result->host != NULL)
    provider = ms_provider_lookup_host (result->host);
  /* A provider that signs its replies (Gmail: "- gsmtp") is known behind
   * an alias host name or a local relay too. */
  if (provider == NULL && result->error != NULL)
    provider = ms_provider_lookup_reply (result->error->server_reply);
  return provider;
}

/* The provider's words: its rule for this reply, else its words for the
 * code, else what its kind of secret implies. */
static gboolean
fill_provider (MsResultError         *error,
               const MsProvider      *provider,
               const MsProviderReply *rule)
{
  const MsProviderWords *words = rule != NULL ? &rule->words : NULL;

  if (words == NULL || (words->message == NULL && words->advice == NULL))
    words = &provider->advice[error->code];
  if (words->message != NULL || words->advice != NULL)
    {
      if (words->message != NULL)
        set_words (error, g_strdup (ms_provider_get_text (words->message)),
                   g_strdup (ms_provider_get_text (words->advice)),
                   ms_provider_get_link_url (provider, words->link));
      else
        set_words (error, g_steal_pointer (&error->message),
                   g_strdup (ms_provider_get_text (words->advice)),
                   ms_provider_get_link_url (provider, words->link));
      return TRUE;
    }
  return fill_other_provider (error, provider);
}

/**
 * ms_advice_fill:
 * @result: a result with an error
 * @provider_id: (nullable): the provider ("gmail"), or %NULL to find it
 *   from the result's host or from the reply's signature
 *
 * Fills result->error's message (when the engine left none, or only the
 * server's reply), its advice and its action URL from the error code, the
 * provider and the suggestion, in the user's language: what happened, why,
 * and what to do. A reply the provider's table explains (Microsoft's
 * 535 5.7.139) also sets the code it means. Does nothing when the result
 * has no error.
 */
void
ms_advice_fill (MsResult   *result,
                const char *provider_id)
{
  MsResultError *error;
  const MsProvider *provider;
  const MsProviderReply *rule;
  const Words *words;
  g_autofree char *kept_message = NULL;
  gboolean keep_message;
  gboolean specific = FALSE;

  g_return_if_fail (result != NULL);

  error = result->error;
  if (error == NULL || (guint) error->code >= MS_ERROR_N_CODES)
    return;
  provider = find_provider (result, provider_id);
  rule = match_provider_reply (error, provider);
  if (rule != NULL && error->code != MS_ERROR_WRONG_SECURITY_MODE)
    error->code = rule->error;

  keep_message = !message_is_unset (error);
  kept_message = g_strdup (error->message);
  words = &generic_words[error->code];
  set_words (error, g_strdup (_(words->message)),
             words->advice != NULL ? g_strdup (_(words->advice)) : NULL, NULL);

  if (error->code == MS_ERROR_WRONG_SECURITY_MODE)
    specific = fill_wrong_security_mode (result, error);
  else if (fill_blocked_port_25 (result, error))
    specific = TRUE;
  else if (provider != NULL)
    specific = fill_provider (error, provider, rule);

  /* The engine's own words win unless ours are about this provider or mode. */
  if (keep_message && !specific)
    {
      g_free (error->message);
      error->message = g_steal_pointer (&kept_message);
    }
}
