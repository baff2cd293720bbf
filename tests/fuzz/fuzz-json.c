/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fuzz-json"

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ms-diagnose.h"
#include "ms-result-text.h"
#include "ms-result.h"

int LLVMFuzzerInitialize (int    *argc,
                          char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* ms-result.c's cap, and the longest thing one character can add past it. */
#define SERVER_TEXT_MAX 1024
#define SERVER_TEXT_SLACK (6 + 3)

/* ---- reading the fuzz input ---- */

typedef struct
{
  const guint8 *p;
  gsize         left;
} Reader;

static guint
take_byte (Reader *r)
{
  if (r->left == 0)
    return 0;
  r->left--;
  return *r->p++;
}

static guint32
take_u32 (Reader *r)
{
  guint32 value = 0;

  for (guint i = 0; i < 4; i++)
    value = (value << 8) | take_byte (r);
  return value;
}

/* A length byte (255: two more bytes add up to 65535 more), then the bytes:
 * a pointer into the input, not nul-terminated. */
static const char *
take_raw (Reader *r,
          gsize  *length)
{
  const char *start;
  gsize n = take_byte (r);

  if (n == 255)
    {
      n += take_byte (r) << 8;
      n += take_byte (r);
    }
  n = MIN (n, r->left);
  start = (const char *) r->p;
  r->p += n;
  r->left -= n;
  *length = n;
  return start;
}

/* Text the program wrote itself (messages, names): valid UTF-8. */
static char *
take_text (Reader *r)
{
  gsize length;
  const char *raw = take_raw (r, &length);

  return g_utf8_make_valid (raw, (gssize) length);
}

static char *
take_text_or_null (Reader *r)
{
  if (take_byte (r) & 1)
    return NULL;
  return take_text (r);
}

/* ---- the escaping of server text ---- */

static gboolean
must_escape (gunichar c)
{
  return c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029
         || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/* One line of valid UTF-8 with no control, line-separator or bidi-override
 * character, capped; plain short text comes out as it went in. */
static void
check_escaped (const char *raw,
               gsize       length,
               const char *out)
{
  gboolean plain = length < SERVER_TEXT_MAX && g_utf8_validate_len (raw, length, NULL);

  if (!g_utf8_validate (out, -1, NULL) || strlen (out) > SERVER_TEXT_MAX + SERVER_TEXT_SLACK)
    abort ();
  for (const char *p = out; *p != '\0'; p = g_utf8_next_char (p))
    if (must_escape (g_utf8_get_char (p)))
      abort ();

  for (const char *p = raw; plain && p < raw + length; p = g_utf8_next_char (p))
    plain = !must_escape (g_utf8_get_char (p));
  if (plain && (strlen (out) != length || memcmp (out, raw, length) != 0))
    abort ();
}

static char *
take_server_text (Reader *r)
{
  gsize length;
  const char *raw = take_raw (r, &length);
  char *out = ms_escape_server_text (raw, (gssize) length);

  check_escaped (raw, length, out);
  return out;
}

static char *
take_server_text_or_null (Reader *r)
{
  if (take_byte (r) & 1)
    return NULL;
  return take_server_text (r);
}

static char **
take_strv (Reader   *r,
           gboolean  server_text)
{
  guint n = take_byte (r);
  GPtrArray *array;

  if (n == 0)
    return NULL;
  array = g_ptr_array_new ();
  for (guint i = 1; i < n % 8; i++)
    g_ptr_array_add (array, server_text ? take_server_text (r) : take_text (r));
  g_ptr_array_add (array, NULL);
  return (char **) g_ptr_array_free (array, FALSE);
}

/* ---- building a result ---- */

static GDateTime *
take_date (Reader *r)
{
  /* Whole seconds from 1970 to 2106: what a certificate can say. */
  return g_date_time_new_from_unix_utc (take_u32 (r));
}

static MsTlsInfo *
take_tls (Reader *r)
{
  MsTlsInfo *tls;

  if (take_byte (r) & 1)
    return NULL;
  tls = g_new0 (MsTlsInfo, 1);
  tls->version = take_text_or_null (r);
  tls->cipher = take_text_or_null (r);
  tls->subject = take_text_or_null (r);
  tls->issuer = take_text_or_null (r);
  tls->not_before = (take_byte (r) & 1) ? NULL : take_date (r);
  tls->not_after = (take_byte (r) & 1) ? NULL : take_date (r);
  tls->spki_sha256 = take_text_or_null (r);
  tls->verified = take_byte (r) & 1;
  tls->pinned = take_byte (r) & 1;
  tls->verify_detail = take_text_or_null (r);
  return tls;
}

static void
take_steps (Reader   *r,
            MsResult *result)
{
  guint n = take_byte (r) % 16;

  for (guint i = 0; i < n; i++)
    {
      MsStepKind kind = take_byte (r) % (MS_STEP_QUIT + 1);
      guint flags = take_byte (r);
      MsStep *step = ms_result_add_step (result, kind, flags & 1, (gint32) take_u32 (r));

      step->reply = take_server_text_or_null (r);
      step->detail = take_text_or_null (r);
      step->address = take_text_or_null (r);
      step->addresses = take_strv (r, FALSE);
    }
}

static void
take_error (Reader   *r,
            MsResult *result)
{
  MsErrorCode code = take_byte (r) % MS_ERROR_N_CODES;
  MsStepKind step = take_byte (r) % (MS_STEP_QUIT + 1);
  g_autofree char *message = take_text (r);
  MsResultError *error = ms_result_set_error (result, code, step, message);
  guint flags;

  error->advice = take_text_or_null (r);
  error->action_url = take_text_or_null (r);
  error->server_reply = take_server_text_or_null (r);
  error->detail = take_text_or_null (r);
  flags = take_byte (r);
  error->has_suggestion = flags & 1;
  error->suggestion_port = take_byte (r) << 8 | take_byte (r);
  error->suggestion_security = (flags >> 1) % (MS_SECURITY_AUTO + 1);
  for (guint i = 0; i < (flags >> 4) % 4; i++)
    {
      g_autofree char *address = take_text (r);
      g_autofree char *reply = take_server_text_or_null (r);

      ms_result_error_add_recipient (error, address, reply);
    }
}

static void
take_checks (Reader   *r,
             MsResult *result)
{
  guint n = take_byte (r) % 12;

  for (guint i = 0; i < n; i++)
    {
      guint flags = take_byte (r);
      g_autofree char *name = take_text (r);
      g_autofree char *title = take_text_or_null (r);
      g_autofree char *message = take_text (r);

      ms_result_add_check (result, name, (flags >> 1) % (MS_CHECK_ERROR + 1), flags & 1,
                           title, message);
    }
}

static void
take_transcript (Reader   *r,
                 MsResult *result)
{
  guint n = take_byte (r) % 16;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = take_server_text (r);
      g_autofree char *line = g_strconcat (i % 2 ? "C: " : "S: ", text, NULL);

      ms_result_add_transcript (result, line);
    }
}

static MsResult *
take_result (Reader *r,
             guint   depth)
{
  g_autofree char *command = take_text_or_null (r);
  MsResult *result = ms_result_new (command);
  guint flags = take_byte (r);

  result->account = take_text_or_null (r);
  result->host = take_text_or_null (r);
  result->port = take_byte (r) << 8 | take_byte (r);
  result->security = flags % (MS_SECURITY_AUTO + 1);
  take_steps (r, result);
  result->tls = take_tls (r);
  result->capabilities = take_strv (r, TRUE);
  result->auth_mechanisms = take_strv (r, FALSE);
  result->message_id = take_text_or_null (r);
  if (flags & 0x08)
    take_error (r, result);
  if ((flags & 0x10) && depth == 0)
    {
      guint n = take_byte (r) % 4;

      result->candidates = g_ptr_array_new_with_free_func ((GDestroyNotify) ms_result_unref);
      for (guint i = 0; i < n; i++)
        g_ptr_array_add (result->candidates, take_result (r, depth + 1));
      result->has_recommended = flags & 0x20;
      result->recommended_port = take_byte (r) << 8 | take_byte (r);
      result->recommended_security = take_byte (r) % (MS_SECURITY_AUTO + 1);
    }
  if (flags & 0x40)
    take_checks (r, result);
  take_transcript (r, result);
  result->total_ms = (gint64) take_u32 (r) << 16;
  result->round_trips = take_u32 (r);
  return result;
}

/* ---- comparing the JSON read back with the result ---- */

static void
check_string (JsonObject *object,
              const char *name,
              const char *expected)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    abort ();
  if (expected == NULL)
    {
      if (!JSON_NODE_HOLDS_NULL (node))
        abort ();
      return;
    }
  if (json_node_get_value_type (node) != G_TYPE_STRING
      || strcmp (json_node_get_string (node), expected) != 0)
    abort ();
}

/* Members the writer leaves out when NULL. */
static void
check_optional_string (JsonObject *object,
                       const char *name,
                       const char *expected)
{
  if (expected == NULL ? json_object_has_member (object, name)
                       : !json_object_has_member (object, name))
    abort ();
  if (expected != NULL)
    check_string (object, name, expected);
}

static void
check_int (JsonObject *object,
           const char *name,
           gint64      expected)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_INT64
      || json_node_get_int (node) != expected)
    abort ();
}

static void
check_boolean (JsonObject *object,
               const char *name,
               gboolean    expected)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_BOOLEAN
      || !json_node_get_boolean (node) != !expected)
    abort ();
}

static void
check_strv (JsonObject         *object,
            const char         *name,
            const char * const *expected)
{
  JsonNode *node = json_object_get_member (object, name);
  JsonArray *array;

  if (node == NULL || (expected == NULL) != JSON_NODE_HOLDS_NULL (node))
    abort ();
  if (expected == NULL)
    return;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    abort ();
  array = json_node_get_array (node);
  if (json_array_get_length (array) != g_strv_length ((char **) expected))
    abort ();
  for (guint i = 0; expected[i] != NULL; i++)
    if (g_strcmp0 (json_array_get_string_element (array, i), expected[i]) != 0)
      abort ();
}

static JsonObject *
get_object (JsonObject *object,
            const char *name,
            gboolean    present)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || (present ? !JSON_NODE_HOLDS_OBJECT (node) : !JSON_NODE_HOLDS_NULL (node)))
    abort ();
  return present ? json_node_get_object (node) : NULL;
}

static void
check_port_security (JsonObject *object,
                     const char *name,
                     gboolean    present,
                     guint16     port,
                     MsSecurity  security)
{
  JsonObject *member = get_object (object, name, present);

  if (member == NULL)
    return;
  check_int (member, "port", port);
  check_string (member, "security", ms_security_to_string (security));
}

static void
check_steps (JsonObject     *object,
             const MsResult *result)
{
  JsonArray *steps = json_object_get_array_member (object, "steps");

  if (json_array_get_length (steps) != result->steps->len)
    abort ();
  for (guint i = 0; i < result->steps->len; i++)
    {
      const MsStep *step = g_ptr_array_index (result->steps, i);
      JsonObject *item = json_array_get_object_element (steps, i);

      check_string (item, "step", ms_step_kind_to_string (step->kind));
      check_boolean (item, "ok", step->ok);
      check_int (item, "ms", step->ms);
      check_optional_string (item, "reply", step->reply);
      check_optional_string (item, "detail", step->detail);
      check_optional_string (item, "address", step->address);
      if (step->addresses != NULL)
        check_strv (item, "addresses", (const char * const *) step->addresses);
      else if (json_object_has_member (item, "addresses"))
        abort ();
    }
}

static void
check_tls (JsonObject      *object,
           const MsTlsInfo *tls)
{
  JsonObject *member = get_object (object, "tls", tls != NULL);
  g_autofree char *not_before = NULL;
  g_autofree char *not_after = NULL;

  if (member == NULL)
    return;
  if (tls->not_before != NULL)
    not_before = g_date_time_format (tls->not_before, "%Y-%m-%dT%H:%M:%SZ");
  if (tls->not_after != NULL)
    not_after = g_date_time_format (tls->not_after, "%Y-%m-%dT%H:%M:%SZ");
  check_string (member, "version", tls->version);
  check_string (member, "cipher", tls->cipher);
  check_string (member, "subject", tls->subject);
  check_string (member, "issuer", tls->issuer);
  check_string (member, "not_before", not_before);
  check_string (member, "not_after", not_after);
  check_string (member, "spki_sha256", tls->spki_sha256);
  check_boolean (member, "verified", tls->verified);
  check_boolean (member, "pinned", tls->pinned);
}

static void
check_error (JsonObject          *object,
             const MsResultError *error)
{
  JsonObject *member = get_object (object, "error", error != NULL);

  if (member == NULL)
    return;
  check_string (member, "code", ms_error_code_to_string (error->code));
  check_string (member, "step", ms_step_kind_to_string (error->step));
  check_string (member, "message", error->message);
  check_string (member, "advice", error->advice);
  check_string (member, "action_url", error->action_url);
  check_string (member, "server_reply", error->server_reply);
  check_string (member, "detail", error->detail);
  check_port_security (member, "suggestion", error->has_suggestion,
                       error->suggestion_port, error->suggestion_security);
}

static void
check_checks (JsonObject      *object,
              const GPtrArray *checks)
{
  static const char *severities[] = { "info", "warning", "error" };
  JsonArray *array;

  if (checks == NULL)
    {
      if (json_object_has_member (object, "checks"))
        abort ();
      return;
    }
  array = json_object_get_array_member (object, "checks");
  if (json_array_get_length (array) != checks->len)
    abort ();
  for (guint i = 0; i < checks->len; i++)
    {
      const MsCheck *check = g_ptr_array_index (checks, i);
      JsonObject *item = json_array_get_object_element (array, i);

      check_string (item, "check", check->check);
      check_boolean (item, "ok", check->ok);
      check_string (item, "severity", severities[check->severity]);
      check_string (item, "title", check->title);
      check_string (item, "message", check->message);
    }
}

static void
check_result (JsonObject     *object,
              const MsResult *result)
{
  check_boolean (object, "ok", result->error == NULL);
  check_string (object, "command", result->command);
  check_string (object, "account", result->account);
  check_string (object, "host", result->host);
  check_int (object, "port", result->port);
  check_string (object, "security", ms_security_to_string (result->security));
  check_steps (object, result);
  check_tls (object, result->tls);
  check_strv (object, "capabilities", (const char * const *) result->capabilities);
  check_strv (object, "auth_mechanisms", (const char * const *) result->auth_mechanisms);
  check_string (object, "message_id", result->message_id);
  check_int (object, "ms", result->total_ms);
  check_int (object, "round_trips", result->round_trips);
  check_error (object, result->error);
  check_checks (object, result->checks);

  if (result->candidates == NULL)
    {
      if (json_object_has_member (object, "candidates"))
        abort ();
      return;
    }
  if (json_array_get_length (json_object_get_array_member (object, "candidates"))
      != result->candidates->len)
    abort ();
  for (guint i = 0; i < result->candidates->len; i++)
    check_result (json_array_get_object_element (json_object_get_array_member (object,
                                                                               "candidates"), i),
                  g_ptr_array_index (result->candidates, i));
  check_port_security (object, "recommended", result->has_recommended,
                       result->recommended_port, result->recommended_security);
}

/* The report for a support request: UTF-8, every check and transcript line
 * in it as it was. */
static void
check_report (const MsResult *result)
{
  g_autofree char *report = ms_result_text_report (result);

  if (!g_utf8_validate (report, -1, NULL))
    abort ();
  for (guint i = 0; result->checks != NULL && i < result->checks->len; i++)
    {
      const MsCheck *check = g_ptr_array_index (result->checks, i);
      g_autofree char *line = g_strdup_printf ("%s: %s\n",
                                               check->title != NULL ? check->title : check->check,
                                               check->message != NULL ? check->message : "");

      if (strstr (report, line) == NULL)
        abort ();
    }
  for (guint i = 0; i < result->transcript->len; i++)
    {
      g_autofree char *line = g_strconcat ("\n", (char *) g_ptr_array_index (result->transcript, i),
                                           "\n", NULL);

      if (strstr (report, line) == NULL)
        abort ();
    }
}

/* A g_return_if_fail(), a critical or a warning is a bug too. abort(), not
 * G_LOG_FLAG_FATAL: GLib's fatal log raises SIGTRAP, which libFuzzer does
 * not catch, so no crash input would be saved. */
static void
fatal_log_handler (const char     *domain,
                   GLogLevelFlags  level,
                   const char     *message,
                   gpointer        user_data)
{
  g_log_default_handler (domain, level, message, user_data);
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    abort ();
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_set_default_handler (fatal_log_handler, NULL);
  return 0;
}

/* The first byte picks pretty printing; the rest builds a result. */
int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  Reader reader = { data, size };
  gboolean pretty = take_byte (&reader) & 1;
  g_autoptr(MsResult) result = take_result (&reader, 0);
  g_autofree char *json = ms_result_to_json (result, pretty);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  if (!g_utf8_validate (json, -1, NULL) || !json_parser_load_from_data (parser, json, -1, &error))
    abort ();
  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    abort ();
  check_result (json_node_get_object (root), result);
  check_report (result);

  return 0;
}
