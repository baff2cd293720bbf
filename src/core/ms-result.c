/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-result"

#include "config.h"

#include <string.h>

#include "ms-result.h"

/* Server text is shown to people: cap it so a hostile server cannot flood
 * the window or a log (docs/security.md, L6). */
#define MS_SERVER_TEXT_MAX 1024

G_DEFINE_BOXED_TYPE (MsResult, ms_result, ms_result_ref, ms_result_unref)

static const char *step_names[] = {
  [MS_STEP_CONFIG] = "config",
  [MS_STEP_KEYRING] = "keyring",
  [MS_STEP_RESOLVE] = "resolve",
  [MS_STEP_CONNECT] = "connect",
  [MS_STEP_GREETING] = "greeting",
  [MS_STEP_EHLO] = "ehlo",
  [MS_STEP_STARTTLS] = "starttls",
  [MS_STEP_TLS] = "tls",
  [MS_STEP_AUTH] = "auth",
  [MS_STEP_MAIL] = "mail",
  [MS_STEP_RCPT] = "rcpt",
  [MS_STEP_DATA] = "data",
  [MS_STEP_QUIT] = "quit",
};

static const char *severity_names[] = {
  [MS_CHECK_INFO] = "info",
  [MS_CHECK_WARNING] = "warning",
  [MS_CHECK_ERROR] = "error",
};

const char *
ms_step_kind_to_string (MsStepKind kind)
{
  g_return_val_if_fail (kind <= MS_STEP_QUIT, "config");

  return step_names[kind];
}

static void
ms_step_free (MsStep *step)
{
  g_free (step->reply);
  g_strfreev (step->addresses);
  g_free (step->address);
  g_free (step->detail);
  g_free (step);
}

static void
ms_check_free (MsCheck *check)
{
  g_free (check->check);
  g_free (check->title);
  g_free (check->message);
  g_free (check);
}

static void
ms_recipient_reply_free (MsRecipientReply *recipient)
{
  g_free (recipient->address);
  g_free (recipient->reply);
  g_free (recipient);
}

static void
ms_result_error_free (MsResultError *error)
{
  if (error == NULL)
    return;
  g_clear_pointer (&error->recipients, g_ptr_array_unref);
  g_free (error->message);
  g_free (error->advice);
  g_free (error->action_url);
  g_free (error->server_reply);
  g_free (error->detail);
  g_free (error);
}

MsTlsInfo *
ms_tls_info_copy (const MsTlsInfo *info)
{
  MsTlsInfo *copy;

  g_return_val_if_fail (info != NULL, NULL);

  copy = g_memdup2 (info, sizeof *info);
  copy->version = g_strdup (info->version);
  copy->cipher = g_strdup (info->cipher);
  copy->subject = g_strdup (info->subject);
  copy->issuer = g_strdup (info->issuer);
  copy->not_before = info->not_before ? g_date_time_ref (info->not_before) : NULL;
  copy->not_after = info->not_after ? g_date_time_ref (info->not_after) : NULL;
  copy->spki_sha256 = g_strdup (info->spki_sha256);
  copy->verify_detail = g_strdup (info->verify_detail);
  copy->chain_pem = g_strdup (info->chain_pem);

  return copy;
}

void
ms_tls_info_free (MsTlsInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->version);
  g_free (info->cipher);
  g_free (info->subject);
  g_free (info->issuer);
  g_clear_pointer (&info->not_before, g_date_time_unref);
  g_clear_pointer (&info->not_after, g_date_time_unref);
  g_free (info->spki_sha256);
  g_free (info->verify_detail);
  g_free (info->chain_pem);
  g_free (info);
}

/**
 * ms_result_new:
 * @command: the command name of docs/contract.md ("probe", "test-send", ...)
 *
 * Returns: (transfer full): an empty, successful result
 */
MsResult *
ms_result_new (const char *command)
{
  MsResult *result = g_new0 (MsResult, 1);

  g_atomic_ref_count_init (&result->ref_count);
  result->command = g_strdup (command);
  result->steps = g_ptr_array_new_with_free_func ((GDestroyNotify) ms_step_free);
  result->transcript = g_ptr_array_new_with_free_func (g_free);

  return result;
}

MsResult *
ms_result_ref (MsResult *result)
{
  g_return_val_if_fail (result != NULL, NULL);

  g_atomic_ref_count_inc (&result->ref_count);

  return result;
}

void
ms_result_unref (MsResult *result)
{
  g_return_if_fail (result != NULL);

  if (!g_atomic_ref_count_dec (&result->ref_count))
    return;

  g_free (result->command);
  g_free (result->account);
  g_free (result->host);
  g_ptr_array_unref (result->steps);
  ms_tls_info_free (result->tls);
  g_strfreev (result->capabilities);
  g_strfreev (result->auth_mechanisms);
  g_free (result->message_id);
  ms_result_error_free (result->error);
  g_clear_pointer (&result->candidates, g_ptr_array_unref);
  g_clear_pointer (&result->checks, g_ptr_array_unref);
  g_ptr_array_unref (result->transcript);
  g_free (result);
}

gboolean
ms_result_is_ok (const MsResult *result)
{
  g_return_val_if_fail (result != NULL, FALSE);

  return result->error == NULL;
}

/**
 * ms_result_add_step:
 * @result: an #MsResult
 * @kind: the step
 * @ok: whether it succeeded
 * @ms: how long it took, in milliseconds
 *
 * Returns: (transfer none): the new step, for the caller to add details to
 */
MsStep *
ms_result_add_step (MsResult   *result,
                    MsStepKind  kind,
                    gboolean    ok,
                    gint64      ms)
{
  MsStep *step = g_new0 (MsStep, 1);

  g_return_val_if_fail (result != NULL, NULL);

  step->kind = kind;
  step->ok = ok;
  step->ms = ms;
  g_ptr_array_add (result->steps, step);

  return step;
}

/**
 * ms_result_find_step:
 * @result: an #MsResult
 * @kind: a step
 *
 * Returns: (transfer none) (nullable): the last step of that kind
 */
MsStep *
ms_result_find_step (const MsResult *result,
                     MsStepKind      kind)
{
  g_return_val_if_fail (result != NULL, NULL);

  for (guint i = result->steps->len; i > 0; i--)
    {
      MsStep *step = g_ptr_array_index (result->steps, i - 1);

      if (step->kind == kind)
        return step;
    }

  return NULL;
}

/**
 * ms_result_set_error:
 * @result: an #MsResult
 * @code: the contract code
 * @step: the step that failed
 * @message: what happened, in the user's language
 *
 * Replaces any earlier error: the last failure set is the one reported.
 *
 * Returns: (transfer none): the error, for the caller to add advice to
 */
MsResultError *
ms_result_set_error (MsResult    *result,
                     MsErrorCode  code,
                     MsStepKind   step,
                     const char  *message)
{
  MsResultError *error;

  g_return_val_if_fail (result != NULL, NULL);

  ms_result_error_free (result->error);
  error = g_new0 (MsResultError, 1);
  error->code = code;
  error->step = step;
  error->message = g_strdup (message);
  result->error = error;

  return error;
}

/**
 * ms_result_clear_error:
 * @result: an #MsResult
 *
 * Forgets the error, for an operation that tries again (a fresh access
 * token on a new connection); the steps and the transcript stay.
 */
void
ms_result_clear_error (MsResult *result)
{
  g_return_if_fail (result != NULL);

  g_clear_pointer (&result->error, ms_result_error_free);
}

/**
 * ms_result_error_add_recipient:
 * @error: an #MsResultError
 * @address: a recipient address the server refused or deferred
 * @reply: (nullable): the server's reply to its RCPT, already escaped
 *
 * Adds one entry to `error.recipients` (docs/contract.md, "The JSON result"),
 * in the order the recipients were given.
 */
void
ms_result_error_add_recipient (MsResultError *error,
                               const char    *address,
                               const char    *reply)
{
  MsRecipientReply *recipient;

  g_return_if_fail (error != NULL);
  g_return_if_fail (address != NULL);

  if (error->recipients == NULL)
    error->recipients = g_ptr_array_new_with_free_func ((GDestroyNotify) ms_recipient_reply_free);

  recipient = g_new0 (MsRecipientReply, 1);
  recipient->address = g_strdup (address);
  recipient->reply = g_strdup (reply);
  g_ptr_array_add (error->recipients, recipient);
}

void
ms_result_set_error_from_gerror (MsResult     *result,
                                 MsStepKind    step,
                                 const GError *error)
{
  g_return_if_fail (result != NULL);
  g_return_if_fail (error != NULL);

  ms_result_set_error (result, ms_error_get_code (error), step, error->message);
}

/**
 * ms_result_add_check:
 * @result: an #MsResult
 * @check: the check's stable name
 * @severity: how bad a failure is
 * @ok: whether the check passed
 * @title: (nullable): a translated title
 * @message: a translated one-line verdict
 *
 * Returns: (transfer none): the new check
 */
MsCheck *
ms_result_add_check (MsResult        *result,
                     const char      *check,
                     MsCheckSeverity  severity,
                     gboolean         ok,
                     const char      *title,
                     const char      *message)
{
  MsCheck *item = g_new0 (MsCheck, 1);

  g_return_val_if_fail (result != NULL, NULL);

  if (result->checks == NULL)
    result->checks = g_ptr_array_new_with_free_func ((GDestroyNotify) ms_check_free);

  item->check = g_strdup (check);
  item->severity = severity;
  item->ok = ok;
  item->title = g_strdup (title);
  item->message = g_strdup (message);
  g_ptr_array_add (result->checks, item);

  return item;
}

/**
 * ms_result_add_transcript:
 * @result: an #MsResult
 * @line: a transcript line, already redacted by its writer
 */
void
ms_result_add_transcript (MsResult   *result,
                          const char *line)
{
  g_return_if_fail (result != NULL);
  g_return_if_fail (line != NULL);

  g_ptr_array_add (result->transcript, g_strdup (line));
}

/**
 * ms_result_exit_status:
 * @result: an #MsResult
 *
 * Returns: 0 on success, else the contract's exit status for the error
 */
int
ms_result_exit_status (const MsResult *result)
{
  g_return_val_if_fail (result != NULL, 70);

  if (result->error == NULL)
    return 0;

  return ms_error_code_exit_status (result->error->code);
}

/**
 * ms_escape_server_text:
 * @text: text a server sent
 * @length: its length, or -1 when nul-terminated
 *
 * Makes server text safe to show: control characters and invalid UTF-8
 * become visible escapes, and the result is cut to a sane length with an
 * ellipsis (docs/security.md, L6). Line breaks between reply lines become
 * " | " so the text stays on one line.
 *
 * Returns: (transfer full): the escaped text
 */
char *
ms_escape_server_text (const char *text,
                       gssize      length)
{
  GString *out;
  const char *p, *end;

  g_return_val_if_fail (text != NULL || length == 0, NULL);

  if (length < 0)
    length = strlen (text);

  out = g_string_sized_new (MIN ((gsize) length, MS_SERVER_TEXT_MAX) + 8);
  p = text;
  end = text + length;

  while (p < end && out->len < MS_SERVER_TEXT_MAX)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append_printf (out, "\\x%02x", (guchar) *p);
          p++;
          continue;
        }

      if (c == '\r' && p + 1 < end && p[1] == '\n')
        ;
      else if (c == '\n')
        {
          if (p + 1 < end)
            g_string_append (out, " | ");
        }
      else if (c == '\t')
        g_string_append_c (out, ' ');
      else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
        g_string_append_printf (out, "\\x%02x", c);
      else if (c == 0x2028 || c == 0x2029 || c == 0x202e || c == 0x2066
               || c == 0x2067 || c == 0x2068 || c == 0x2069 || c == 0x202a
               || c == 0x202b || c == 0x202c || c == 0x202d)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);

      p = g_utf8_next_char (p);
    }

  if (p < end)
    g_string_append (out, "…");

  return g_string_free (out, FALSE);
}

/**
 * ms_json_add_string_or_null:
 * @builder: a #JsonBuilder inside an object
 * @name: the member name
 * @value: (nullable): the value; %NULL becomes JSON null
 *
 * One string member of the JSON output (docs/contract.md), as every
 * result and command writes it.
 */
void
ms_json_add_string_or_null (JsonBuilder *builder,
                            const char  *name,
                            const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_strv (JsonBuilder        *builder,
          const char         *name,
          const char * const *values)
{
  json_builder_set_member_name (builder, name);
  if (values == NULL)
    {
      json_builder_add_null_value (builder);
      return;
    }
  json_builder_begin_array (builder);
  for (guint i = 0; values[i] != NULL; i++)
    json_builder_add_string_value (builder, values[i]);
  json_builder_end_array (builder);
}

static void
add_date (JsonBuilder *builder,
          const char  *name,
          GDateTime   *date)
{
  g_autofree char *text = date ? g_date_time_format (date, "%Y-%m-%dT%H:%M:%SZ") : NULL;

  ms_json_add_string_or_null (builder, name, text);
}

static void
add_port_security (JsonBuilder *builder,
                   const char  *name,
                   gboolean     present,
                   guint16      port,
                   MsSecurity   security)
{
  json_builder_set_member_name (builder, name);
  if (!present)
    {
      json_builder_add_null_value (builder);
      return;
    }
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "port");
  json_builder_add_int_value (builder, port);
  ms_json_add_string_or_null (builder, "security", ms_security_to_string (security));
  json_builder_end_object (builder);
}

static void
add_step (JsonBuilder  *builder,
          const MsStep *step)
{
  json_builder_begin_object (builder);
  ms_json_add_string_or_null (builder, "step", ms_step_kind_to_string (step->kind));
  json_builder_set_member_name (builder, "ok");
  json_builder_add_boolean_value (builder, step->ok);
  json_builder_set_member_name (builder, "ms");
  json_builder_add_int_value (builder, step->ms);
  if (step->addresses != NULL)
    add_strv (builder, "addresses", (const char * const *) step->addresses);
  if (step->address != NULL)
    ms_json_add_string_or_null (builder, "address", step->address);
  if (step->reply != NULL)
    ms_json_add_string_or_null (builder, "reply", step->reply);
  if (step->detail != NULL)
    ms_json_add_string_or_null (builder, "detail", step->detail);
  json_builder_end_object (builder);
}

static void
add_tls (JsonBuilder     *builder,
         const MsTlsInfo *tls)
{
  json_builder_set_member_name (builder, "tls");
  if (tls == NULL)
    {
      json_builder_add_null_value (builder);
      return;
    }
  json_builder_begin_object (builder);
  ms_json_add_string_or_null (builder, "version", tls->version);
  ms_json_add_string_or_null (builder, "cipher", tls->cipher);
  ms_json_add_string_or_null (builder, "subject", tls->subject);
  ms_json_add_string_or_null (builder, "issuer", tls->issuer);
  add_date (builder, "not_before", tls->not_before);
  add_date (builder, "not_after", tls->not_after);
  ms_json_add_string_or_null (builder, "spki_sha256", tls->spki_sha256);
  json_builder_set_member_name (builder, "verified");
  json_builder_add_boolean_value (builder, tls->verified);
  json_builder_set_member_name (builder, "pinned");
  json_builder_add_boolean_value (builder, tls->pinned);
  json_builder_end_object (builder);
}

static void
add_recipients (JsonBuilder     *builder,
                const GPtrArray *recipients)
{
  json_builder_set_member_name (builder, "recipients");
  json_builder_begin_array (builder);
  for (guint i = 0; i < recipients->len; i++)
    {
      const MsRecipientReply *recipient = g_ptr_array_index (recipients, i);

      json_builder_begin_object (builder);
      ms_json_add_string_or_null (builder, "address", recipient->address);
      ms_json_add_string_or_null (builder, "reply", recipient->reply);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static void
add_error (JsonBuilder         *builder,
           const MsResultError *error)
{
  json_builder_set_member_name (builder, "error");
  if (error == NULL)
    {
      json_builder_add_null_value (builder);
      return;
    }
  json_builder_begin_object (builder);
  ms_json_add_string_or_null (builder, "code", ms_error_code_to_string (error->code));
  ms_json_add_string_or_null (builder, "step", ms_step_kind_to_string (error->step));
  ms_json_add_string_or_null (builder, "message", error->message);
  ms_json_add_string_or_null (builder, "advice", error->advice);
  ms_json_add_string_or_null (builder, "action_url", error->action_url);
  ms_json_add_string_or_null (builder, "server_reply", error->server_reply);
  ms_json_add_string_or_null (builder, "detail", error->detail);
  add_port_security (builder, "suggestion", error->has_suggestion,
                     error->suggestion_port, error->suggestion_security);
  if (error->recipients != NULL)
    add_recipients (builder, error->recipients);
  json_builder_end_object (builder);
}

static void
add_checks (JsonBuilder     *builder,
            const GPtrArray *checks)
{
  json_builder_set_member_name (builder, "checks");
  json_builder_begin_array (builder);
  for (guint i = 0; i < checks->len; i++)
    {
      const MsCheck *check = g_ptr_array_index (checks, i);

      json_builder_begin_object (builder);
      ms_json_add_string_or_null (builder, "check", check->check);
      json_builder_set_member_name (builder, "ok");
      json_builder_add_boolean_value (builder, check->ok);
      ms_json_add_string_or_null (builder, "severity", severity_names[check->severity]);
      ms_json_add_string_or_null (builder, "title", check->title);
      ms_json_add_string_or_null (builder, "message", check->message);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static void
build_result (JsonBuilder    *builder,
              const MsResult *result)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "ok");
  json_builder_add_boolean_value (builder, result->error == NULL);
  ms_json_add_string_or_null (builder, "command", result->command);
  ms_json_add_string_or_null (builder, "account", result->account);
  ms_json_add_string_or_null (builder, "host", result->host);
  json_builder_set_member_name (builder, "port");
  json_builder_add_int_value (builder, result->port);
  ms_json_add_string_or_null (builder, "security", ms_security_to_string (result->security));
  if (result->from_online_account != MS_ONLINE_SETTING_NONE)
    {
      g_auto(GStrv) names = ms_online_settings_to_strv (result->from_online_account);

      add_strv (builder, "from_online_account", (const char * const *) names);
    }

  json_builder_set_member_name (builder, "steps");
  json_builder_begin_array (builder);
  for (guint i = 0; i < result->steps->len; i++)
    add_step (builder, g_ptr_array_index (result->steps, i));
  json_builder_end_array (builder);

  add_tls (builder, result->tls);
  add_strv (builder, "capabilities", (const char * const *) result->capabilities);
  add_strv (builder, "auth_mechanisms", (const char * const *) result->auth_mechanisms);
  ms_json_add_string_or_null (builder, "message_id", result->message_id);
  json_builder_set_member_name (builder, "ms");
  json_builder_add_int_value (builder, result->total_ms);
  json_builder_set_member_name (builder, "round_trips");
  json_builder_add_int_value (builder, result->round_trips);

  if (result->candidates != NULL)
    {
      json_builder_set_member_name (builder, "candidates");
      json_builder_begin_array (builder);
      for (guint i = 0; i < result->candidates->len; i++)
        build_result (builder, g_ptr_array_index (result->candidates, i));
      json_builder_end_array (builder);
      add_port_security (builder, "recommended", result->has_recommended,
                         result->recommended_port, result->recommended_security);
    }

  if (result->checks != NULL)
    add_checks (builder, result->checks);

  add_error (builder, result->error);
  json_builder_end_object (builder);
}

/**
 * ms_result_to_json_node:
 * @result: an #MsResult
 *
 * Returns: (transfer full): the JSON object of docs/contract.md, "The JSON result"
 */
JsonNode *
ms_result_to_json_node (const MsResult *result)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (result != NULL, NULL);

  build_result (builder, result);

  return json_builder_get_root (builder);
}

/**
 * ms_result_to_json:
 * @result: an #MsResult
 * @pretty: whether to indent
 *
 * Returns: (transfer full): the result as JSON text
 */
char *
ms_result_to_json (const MsResult *result,
                   gboolean        pretty)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  g_return_val_if_fail (result != NULL, NULL);

  root = ms_result_to_json_node (result);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, pretty);

  return json_generator_to_data (generator, NULL);
}
