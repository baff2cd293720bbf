/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-result-text"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "ms-result-text.h"

/**
 * ms_step_label:
 * @kind: a step
 *
 * The step's short name, for a table of steps ("Resolve", "Sign-in").
 *
 * Returns: (transfer none): the translated name
 */
const char *
ms_step_label (MsStepKind kind)
{
  switch (kind)
    {
    case MS_STEP_CONFIG: return _("Settings");
    case MS_STEP_KEYRING: return _("Keyring");
    case MS_STEP_RESOLVE: return _("Resolve");
    case MS_STEP_CONNECT: return _("Connect");
    case MS_STEP_GREETING: return _("Greeting");
    /* Translators: the SMTP command, keep as is */
    case MS_STEP_EHLO: return _("EHLO");
    /* Translators: the SMTP command, keep as is */
    case MS_STEP_STARTTLS: return _("STARTTLS");
    case MS_STEP_TLS: return _("Secure connection");
    case MS_STEP_AUTH: return _("Sign-in");
    case MS_STEP_MAIL: return _("Sender");
    case MS_STEP_RCPT: return _("Recipients");
    case MS_STEP_DATA: return _("Message");
    case MS_STEP_QUIT: return _("Goodbye");
    default: return "?";
    }
}

static gboolean
is_sealed (const MsResult *result)
{
  return result->credential_store == MS_CREDENTIAL_STORE_SYSTEM;
}

/**
 * ms_result_step_label:
 * @result: the result the step belongs to
 * @kind: a step
 *
 * ms_step_label() for a step of @result: the "keyring" step of a system
 * account, whose password systemd-creds seals, is named for that.
 *
 * Returns: (transfer none): the translated name
 */
const char *
ms_result_step_label (const MsResult *result,
                      MsStepKind      kind)
{
  g_return_val_if_fail (result != NULL, NULL);

  if (kind == MS_STEP_KEYRING && is_sealed (result))
    /* Translators: a step's short name: a system account's password,
     * sealed by systemd-creds instead of kept in a keyring */
    return _("Sealed password");
  return ms_step_label (kind);
}

static char *
cn_of (const char *dn)
{
  const char *cn;
  const char *end;

  if (dn == NULL)
    return NULL;
  cn = strstr (dn, "CN=");
  if (cn == NULL)
    return g_strdup (dn);
  cn += 3;
  end = strchr (cn, ',');
  return end != NULL ? g_strndup (cn, end - cn) : g_strdup (cn);
}

static char *
tls_version_display (const char *version)
{
  if (version == NULL)
    return g_strdup ("TLS");
  if (g_str_has_prefix (version, "TLS") && version[3] != ' ' && version[3] != '\0')
    return g_strdup_printf ("TLS %s", version + 3);
  return g_strdup (version);
}

/**
 * ms_format_date:
 * @date: a date
 *
 * A date as the user's language writes it ("24 Dec 2026"), in local time.
 *
 * Returns: (transfer full): the date
 */
char *
ms_format_date (GDateTime *date)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (date);

  /* Translators: a date, "24 Dec 2026"; see g_date_time_format() for the codes */
  /* xgettext:no-c-format */
  return g_date_time_format (local, _("%-d %b %Y"));
}

static char *
describe_tls (const MsResult *result)
{
  g_autofree char *version = NULL;
  g_autofree char *name = NULL;
  g_autofree char *until = NULL;

  if (result->tls == NULL)
    return g_strdup (_("Secure connection"));

  version = tls_version_display (result->tls->version);
  name = cn_of (result->tls->subject);
  if (result->tls->not_after != NULL)
    until = ms_format_date (result->tls->not_after);

  if (name != NULL && until != NULL)
    /* Translators: "Secure connection: TLS 1.3, certificate for smtp.gmail.com valid until 24 Dec 2026" */
    return g_strdup_printf (_("Secure connection: %s, certificate for %s valid until %s"),
                            version, name, until);
  /* Translators: %s is a TLS version such as "TLS 1.3" */
  return g_strdup_printf (_("Secure connection: %s"), version);
}

static char *
describe_ehlo (const MsResult *result)
{
  g_autofree char *mechanisms = NULL;

  if (result->auth_mechanisms == NULL || result->auth_mechanisms[0] == NULL)
    return g_strdup (_("Server ready"));
  mechanisms = g_strjoinv (", ", result->auth_mechanisms);
  /* Translators: %s is a list of sign-in methods such as "PLAIN, LOGIN" */
  return g_strdup_printf (_("Server ready: sign-in with %s"), mechanisms);
}

static char *
describe_ok_step (const MsResult *result,
                  const MsStep   *step)
{
  guint n;

  switch (step->kind)
    {
    case MS_STEP_CONFIG:
      return g_strdup (_("Settings are complete"));
    case MS_STEP_KEYRING:
      if (is_sealed (result))
        /* Translators: systemd-creds is a program's name; keep it as is */
        return g_strdup (_("Password sealed by systemd-creds"));
      return g_strdup (_("Password read from the keyring"));
    case MS_STEP_RESOLVE:
      n = step->addresses != NULL ? g_strv_length (step->addresses) : 1;
      return g_strdup_printf (g_dngettext (NULL, "Server found (%u address)",
                                           "Server found (%u addresses)", n), n);
    case MS_STEP_CONNECT:
      if (step->address != NULL && strchr (step->address, ':') != NULL)
        return g_strdup (_("Connected (IPv6)"));
      return g_strdup (_("Connected (IPv4)"));
    case MS_STEP_GREETING:
      return g_strdup (_("Server answered"));
    case MS_STEP_EHLO:
      return describe_ehlo (result);
    case MS_STEP_STARTTLS:
      /* Translators: STARTTLS is a protocol command; keep it as is */
      return g_strdup (_("Server agreed to STARTTLS"));
    case MS_STEP_TLS:
      return describe_tls (result);
    case MS_STEP_AUTH:
      return g_strdup (_("Signed in"));
    case MS_STEP_MAIL:
      return g_strdup (_("Sender accepted"));
    case MS_STEP_RCPT:
      return g_strdup (_("Recipient accepted"));
    case MS_STEP_DATA:
      return g_strdup (_("Message accepted"));
    case MS_STEP_QUIT:
    default:
      return g_strdup (_("Connection closed"));
    }
}

/**
 * ms_step_failed_title:
 * @kind: a step
 *
 * What it means for the person when this step failed ("Sign-in failed").
 *
 * Returns: (transfer none): the translated title
 */
const char *
ms_step_failed_title (MsStepKind kind)
{
  switch (kind)
    {
    case MS_STEP_CONFIG:
      return _("Settings are not complete");
    case MS_STEP_KEYRING:
      return _("Could not read the password from the keyring");
    case MS_STEP_RESOLVE:
      return _("Server not found");
    case MS_STEP_CONNECT:
      return _("Could not connect");
    case MS_STEP_GREETING:
    case MS_STEP_EHLO:
      return _("The server did not accept the connection");
    case MS_STEP_STARTTLS:
    case MS_STEP_TLS:
      return _("No secure connection");
    case MS_STEP_AUTH:
      return _("Sign-in failed");
    case MS_STEP_MAIL:
      return _("Sender refused");
    case MS_STEP_RCPT:
      return _("Recipient refused");
    case MS_STEP_DATA:
      return _("Message refused");
    case MS_STEP_QUIT:
    default:
      return _("Connection closed early");
    }
}

/**
 * ms_step_describe:
 * @result: the result @step belongs to
 * @step: a step
 *
 * One line for a step in the person's words ("Server found (2 addresses)",
 * "Secure connection: TLS 1.3, ..."; see docs/ui.md), or its failure title.
 *
 * Returns: (transfer full): the line
 */
char *
ms_step_describe (const MsResult *result,
                  const MsStep   *step)
{
  if (step->ok)
    return describe_ok_step (result, step);
  if (step->kind == MS_STEP_KEYRING && is_sealed (result))
    /* Translators: systemd-creds is a program's name; keep it as is */
    return g_strdup (_("Could not open the password sealed by systemd-creds"));
  return g_strdup (ms_step_failed_title (step->kind));
}

/**
 * ms_format_transcript:
 * @result: a result
 *
 * Returns: (transfer full): the transcript, one line each, or ""
 */
char *
ms_format_transcript (const MsResult *result)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; result->transcript != NULL && i < result->transcript->len; i++)
    {
      g_string_append (text, g_ptr_array_index (result->transcript, i));
      g_string_append_c (text, '\n');
    }
  return g_string_free (text, FALSE);
}

static const char *
check_mark (gboolean        ok,
            MsCheckSeverity severity)
{
  if (ok)
    return "[ok]  ";
  return severity == MS_CHECK_WARNING ? "[warn]" : "[FAIL]";
}

/**
 * ms_result_text_from_online_account:
 * @settings: the settings whose values came from GNOME Online Accounts
 *
 * Returns: (transfer full): which ones, in words: "server, port and
 *   security from Online Accounts"; "" for none
 */
char *
ms_result_text_from_online_account (MsOnlineSettings settings)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autofree char *list = NULL;
  GString *text;

  if (settings == MS_ONLINE_SETTING_NONE)
    return g_strdup ("");
  if (settings & MS_ONLINE_SETTING_HOST)
    /* Translators: one item of "server, port and security from Online Accounts" */
    g_ptr_array_add (names, _("server"));
  if (settings & MS_ONLINE_SETTING_PORT)
    /* Translators: one item of "server, port and security from Online Accounts" */
    g_ptr_array_add (names, _("port"));
  if (settings & MS_ONLINE_SETTING_SECURITY)
    /* Translators: one item of "server, port and security from Online Accounts" */
    g_ptr_array_add (names, _("security"));
  if (settings & MS_ONLINE_SETTING_USER)
    /* Translators: one item of "server, port and security from Online Accounts" */
    g_ptr_array_add (names, _("user name"));

  text = g_string_new (g_ptr_array_index (names, 0));
  for (guint i = 1; i < names->len; i++)
    g_string_append_printf (text, "%s%s",
                            i + 1 < names->len
                            /* Translators: between the items of a list but the last two */
                            ? _(", ")
                            /* Translators: between the last two items of a list */
                            : _(" and "),
                            (const char *) g_ptr_array_index (names, i));

  list = g_string_free (text, FALSE);
  /* Translators: %s is a list such as "server, port and security" */
  return g_strdup_printf (_("%s from Online Accounts"), list);
}

/**
 * ms_result_text_report:
 * @result: any result; a diagnose result lists its checks, any other its
 *   steps
 *
 * A plain-text report to paste into a support request: the window's Copy
 * Report and `mailsetup-cli diagnose -v` print this. It holds no secret:
 * the transcript was redacted where it was written, and the password is
 * never part of a result.
 *
 * Returns: (transfer full): the report
 */
char *
ms_result_text_report (const MsResult *result)
{
  GString *report = g_string_new (NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *when = g_date_time_format (now, "%Y-%m-%d %H:%M:%S UTC");
  gboolean has_checks;

  g_return_val_if_fail (result != NULL, NULL);

  has_checks = result->checks != NULL && result->checks->len > 0;
  g_string_append_printf (report, "Mail Setup %s — %s\n", PACKAGE_VERSION,
                          has_checks || result->command == NULL ? _("diagnostics")
                                                                : result->command);
  g_string_append_printf (report, "%s: %s\n", _("Date"), when);
  if (result->account != NULL)
    g_string_append_printf (report, "%s: %s\n", _("Account"), result->account);
  g_string_append_printf (report, "%s: %s:%u (%s)", _("Server"),
                          result->host ? result->host : "?", result->port,
                          ms_security_to_string (result->security));
  if (result->from_online_account != MS_ONLINE_SETTING_NONE)
    {
      g_autofree char *from = ms_result_text_from_online_account (result->from_online_account);

      g_string_append_printf (report, ", %s", from);
    }
  g_string_append (report, "\n\n");

  for (guint i = 0; has_checks && i < result->checks->len; i++)
    {
      const MsCheck *check = g_ptr_array_index (result->checks, i);

      g_string_append_printf (report, "%s %s: %s\n", check_mark (check->ok, check->severity),
                              check->title != NULL ? check->title : check->check,
                              check->message != NULL ? check->message : "");
    }
  for (guint i = 0; !has_checks && result->steps != NULL && i < result->steps->len; i++)
    {
      const MsStep *step = g_ptr_array_index (result->steps, i);
      g_autofree char *line = ms_step_describe (result, step);

      g_string_append_printf (report, "%s %s: %s (%" G_GINT64_FORMAT " ms)\n",
                              check_mark (step->ok, MS_CHECK_ERROR),
                              ms_result_step_label (result, step->kind),
                              line, step->ms);
    }

  if (result->error != NULL)
    {
      g_string_append_printf (report, "\n%s (%s): %s\n", _("Error"),
                              ms_error_code_to_string (result->error->code),
                              result->error->message != NULL ? result->error->message : "");
      if (result->error->advice != NULL)
        g_string_append_printf (report, "%s %s\n", _("What to do:"), result->error->advice);
      if (result->error->server_reply != NULL)
        g_string_append_printf (report, "%s %s\n", _("Server said:"), result->error->server_reply);
    }

  if (result->transcript != NULL && result->transcript->len > 0)
    {
      g_string_append_printf (report, "\n%s\n", _("Transcript:"));
      for (guint i = 0; i < result->transcript->len; i++)
        g_string_append_printf (report, "%s\n", (char *) g_ptr_array_index (result->transcript, i));
    }

  return g_string_free (report, FALSE);
}
