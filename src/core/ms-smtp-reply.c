/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-smtp-reply"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "ms-error.h"
#include "ms-result.h"
#include "ms-smtp-reply.h"

/*
 * RFC 5321 4.2 reply parsing. The parser sees the bytes exactly once, keeps
 * at most one line (MS_SMTP_MAX_LINE octets) and MS_SMTP_MAX_LINES lines,
 * and stops at the end of the reply so that whatever follows stays with the
 * caller (the STARTTLS injection check depends on that).
 */

struct _MsSmtpReplyParser
{
  GString     *line;     /* the current line, line end excluded */
  gboolean     saw_cr;   /* the last byte of @line was a CR */
  GPtrArray   *texts;    /* text of each complete line */
  guint        code;     /* code of the first line, 0 before it */
  MsSmtpReply *reply;    /* set once a reply is complete */
  gboolean     failed;
};

/**
 * ms_smtp_reply_free:
 * @reply: (nullable) (transfer full): a reply
 */
void
ms_smtp_reply_free (MsSmtpReply *reply)
{
  if (reply == NULL)
    return;

  g_free (reply->enhanced);
  g_strfreev (reply->lines);
  g_free (reply);
}

/**
 * ms_smtp_reply_to_wire:
 * @reply: a reply
 *
 * The reply as it was on the wire ("250-a", "250 b"), lines joined with
 * CRLF, without a final line end. A last line with no text is written as
 * the bare code.
 *
 * Returns: (transfer full): the text
 */
char *
ms_smtp_reply_to_wire (const MsSmtpReply *reply)
{
  GString *out;
  guint n;

  g_return_val_if_fail (reply != NULL, NULL);

  out = g_string_new (NULL);
  n = reply->lines != NULL ? g_strv_length (reply->lines) : 0;

  for (guint i = 0; i < n; i++)
    {
      gboolean last = i + 1 == n;

      if (i > 0)
        g_string_append (out, "\r\n");
      if (last && reply->lines[i][0] == '\0')
        g_string_append_printf (out, "%03u", reply->code);
      else
        g_string_append_printf (out, "%03u%c%s", reply->code, last ? ' ' : '-', reply->lines[i]);
    }

  if (n == 0)
    g_string_append_printf (out, "%03u", reply->code);

  return g_string_free (out, FALSE);
}

/**
 * ms_smtp_reply_to_display:
 * @reply: a reply
 *
 * The reply on one line, safe to show: control characters escaped, lines
 * separated by " | ", cut to a sane length (ms_escape_server_text()).
 *
 * Returns: (transfer full): the text
 */
char *
ms_smtp_reply_to_display (const MsSmtpReply *reply)
{
  g_autofree char *wire = NULL;

  g_return_val_if_fail (reply != NULL, NULL);

  wire = ms_smtp_reply_to_wire (reply);

  return ms_escape_server_text (wire, -1);
}

/**
 * ms_smtp_reply_parser_new:
 *
 * Returns: (transfer full): a parser waiting for the first line of a reply
 */
MsSmtpReplyParser *
ms_smtp_reply_parser_new (void)
{
  MsSmtpReplyParser *parser = g_new0 (MsSmtpReplyParser, 1);

  parser->line = g_string_sized_new (128);
  parser->texts = g_ptr_array_new_with_free_func (g_free);

  return parser;
}

/**
 * ms_smtp_reply_parser_free:
 * @parser: (nullable) (transfer full): a parser
 */
void
ms_smtp_reply_parser_free (MsSmtpReplyParser *parser)
{
  if (parser == NULL)
    return;

  g_string_free (parser->line, TRUE);
  g_ptr_array_unref (parser->texts);
  ms_smtp_reply_free (parser->reply);
  g_free (parser);
}

/**
 * ms_smtp_reply_parser_reset:
 * @parser: a parser
 *
 * Forgets everything: partial lines, a finished reply not taken, an error.
 */
void
ms_smtp_reply_parser_reset (MsSmtpReplyParser *parser)
{
  g_return_if_fail (parser != NULL);

  g_string_truncate (parser->line, 0);
  parser->saw_cr = FALSE;
  g_ptr_array_set_size (parser->texts, 0);
  parser->code = 0;
  g_clear_pointer (&parser->reply, ms_smtp_reply_free);
  parser->failed = FALSE;
}

static gboolean
parser_fail (MsSmtpReplyParser  *parser,
             GError            **error,
             const char         *detail)
{
  parser->failed = TRUE;
  g_set_error (error, MS_ERROR, MS_ERROR_PROTOCOL_ERROR,
               /* Translators: %s is a technical detail, e.g. "a line is too long" */
               _("The server sent a reply that breaks the SMTP rules (%s)."), detail);
  return FALSE;
}

/* RFC 3463: class.subject.detail at the start of the text, followed by a
 * space or the end. The class must agree with the reply code (RFC 2034). */
static char *
parse_enhanced (guint       code,
                const char *text)
{
  const char *p = text;
  guint digits;

  if (p[0] != '2' && p[0] != '4' && p[0] != '5')
    return NULL;
  if ((guint) (p[0] - '0') != code / 100 || p[1] != '.')
    return NULL;
  p += 2;

  for (guint part = 0; part < 2; part++)
    {
      for (digits = 0; g_ascii_isdigit (p[digits]); digits++)
        ;
      if (digits < 1 || digits > 3)
        return NULL;
      p += digits;
      if (part == 0 && *p++ != '.')
        return NULL;
    }

  if (*p != '\0' && *p != ' ')
    return NULL;

  return g_strndup (text, p - text);
}

static void
parser_finish (MsSmtpReplyParser *parser)
{
  MsSmtpReply *reply = g_new0 (MsSmtpReply, 1);

  reply->code = parser->code;
  g_ptr_array_add (parser->texts, NULL);
  reply->lines = (char **) g_ptr_array_steal (parser->texts, NULL);
  reply->enhanced = parse_enhanced (reply->code, reply->lines[0]);
  parser->reply = reply;
}

/* One complete line, line end removed. */
static gboolean
parser_take_line (MsSmtpReplyParser  *parser,
                  GError            **error)
{
  const char *s = parser->line->str;
  gsize len = parser->line->len;
  guint code;

  if (len < 3 || !g_ascii_isdigit (s[0]) || !g_ascii_isdigit (s[1]) || !g_ascii_isdigit (s[2]))
    return parser_fail (parser, error, _("the reply code is not three digits"));
  if (s[0] < '2' || s[0] > '5' || s[1] > '5')
    return parser_fail (parser, error, _("unknown reply code"));
  if (len > 3 && s[3] != ' ' && s[3] != '-')
    return parser_fail (parser, error, _("the reply code is not three digits"));
  if (memchr (s, '\r', len) != NULL)
    return parser_fail (parser, error, _("a carriage return inside a line"));

  code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
  if (parser->code != 0 && code != parser->code)
    return parser_fail (parser, error, _("the lines of one reply have different codes"));
  if (parser->texts->len >= MS_SMTP_MAX_LINES)
    return parser_fail (parser, error, _("the reply has too many lines"));

  parser->code = code;
  g_ptr_array_add (parser->texts, g_strndup (len > 4 ? s + 4 : "", len > 4 ? len - 4 : 0));
  g_string_truncate (parser->line, 0);

  if (len == 3 || s[3] == ' ')
    parser_finish (parser);

  return TRUE;
}

/**
 * ms_smtp_reply_parser_feed:
 * @parser: a parser
 * @data: bytes from the server
 * @length: how many
 * @consumed: (out): how many of @data the parser used
 * @error: where to put an error
 *
 * Feeds bytes in any split. The parser stops right after the line end of
 * the reply's last line: *@consumed then tells where the rest (which
 * belongs to the next reply, or is an injection after STARTTLS) begins.
 * Line ends are CRLF or a bare LF. Once DONE, take the reply with
 * ms_smtp_reply_parser_take_reply() before feeding more; feeding while a
 * reply waits consumes nothing and returns DONE again. After an ERROR the
 * parser keeps failing until reset.
 *
 * Errors: %MS_ERROR_PROTOCOL_ERROR for a bad code, mixed codes, a NUL, a
 * line over %MS_SMTP_MAX_LINE octets (reported as soon as the cap is
 * passed) or more than %MS_SMTP_MAX_LINES lines.
 *
 * Returns: NEED_MORE, DONE or ERROR
 */
MsSmtpParseStatus
ms_smtp_reply_parser_feed (MsSmtpReplyParser  *parser,
                           const char         *data,
                           gsize               length,
                           gsize              *consumed,
                           GError            **error)
{
  gsize i;

  g_return_val_if_fail (parser != NULL, MS_SMTP_PARSE_ERROR);
  g_return_val_if_fail (data != NULL || length == 0, MS_SMTP_PARSE_ERROR);
  g_return_val_if_fail (consumed != NULL, MS_SMTP_PARSE_ERROR);

  *consumed = 0;
  if (parser->failed)
    {
      parser_fail (parser, error, _("an earlier error"));
      return MS_SMTP_PARSE_ERROR;
    }
  if (parser->reply != NULL)
    return MS_SMTP_PARSE_DONE;

  for (i = 0; i < length; i++)
    {
      char c = data[i];

      *consumed = i + 1;
      if (c == '\0')
        {
          parser_fail (parser, error, _("a NUL byte"));
          return MS_SMTP_PARSE_ERROR;
        }

      if (c == '\n')
        {
          if (parser->saw_cr)
            g_string_truncate (parser->line, parser->line->len - 1);
          parser->saw_cr = FALSE;
          if (!parser_take_line (parser, error))
            return MS_SMTP_PARSE_ERROR;
          if (parser->reply != NULL)
            return MS_SMTP_PARSE_DONE;
          continue;
        }

      /* +1 for the LF still to come: the cap counts the line end. */
      if (parser->line->len + 2 > MS_SMTP_MAX_LINE)
        {
          parser_fail (parser, error, _("a line is too long"));
          return MS_SMTP_PARSE_ERROR;
        }

      g_string_append_c (parser->line, c);
      parser->saw_cr = c == '\r';
    }

  return MS_SMTP_PARSE_NEED_MORE;
}

/**
 * ms_smtp_reply_parser_take_reply:
 * @parser: a parser that returned DONE
 *
 * Takes the finished reply; the parser is then ready for the next one.
 *
 * Returns: (transfer full) (nullable): the reply, or %NULL when none is done
 */
MsSmtpReply *
ms_smtp_reply_parser_take_reply (MsSmtpReplyParser *parser)
{
  MsSmtpReply *reply;

  g_return_val_if_fail (parser != NULL, NULL);

  reply = g_steal_pointer (&parser->reply);
  if (reply != NULL)
    ms_smtp_reply_parser_reset (parser);

  return reply;
}

/* ---- capabilities ---- */

typedef struct
{
  char *keyword;   /* upper case */
  char *params;    /* "" when none */
} MsCapability;

struct _MsSmtpCapabilities
{
  char       *domain;
  GPtrArray  *lines;       /* as received, without the domain line */
  GArray     *entries;     /* MsCapability */
  GPtrArray  *auth;        /* upper case, unique */
  guint64     size;
};

static void
capability_clear (gpointer data)
{
  MsCapability *cap = data;

  g_free (cap->keyword);
  g_free (cap->params);
}

/**
 * ms_smtp_capabilities_free:
 * @caps: (nullable) (transfer full): capabilities
 */
void
ms_smtp_capabilities_free (MsSmtpCapabilities *caps)
{
  if (caps == NULL)
    return;

  g_free (caps->domain);
  g_ptr_array_unref (caps->lines);
  g_array_unref (caps->entries);
  g_ptr_array_unref (caps->auth);
  g_free (caps);
}

static void
add_auth_mechanisms (MsSmtpCapabilities *caps,
                     const char         *params)
{
  g_auto(GStrv) words = g_strsplit_set (params, " \t", -1);

  for (guint i = 0; words[i] != NULL; i++)
    {
      g_autofree char *upper = NULL;

      if (words[i][0] == '\0')
        continue;
      upper = g_ascii_strup (words[i], -1);
      if (!g_ptr_array_find_with_equal_func (caps->auth, upper, g_str_equal, NULL))
        g_ptr_array_add (caps->auth, g_steal_pointer (&upper));
    }
}

/* SIZE's parameter: decimal octets; absent, 0 or garbage means no limit
 * known (0). */
static guint64
parse_size (const char *params)
{
  guint64 value = 0;

  if (!g_ascii_string_to_unsigned (params, 10, 0, G_MAXUINT64, &value, NULL))
    return 0;

  return value;
}

/* RFC 5321 4.1.1.1: ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-"),
 * then SP and parameters. "AUTH=" is the pre-standard form some servers
 * still send next to "AUTH ". */
static void
parse_capability_line (MsSmtpCapabilities *caps,
                       const char         *line)
{
  MsCapability cap;
  gsize n = 0;

  while (g_ascii_isalnum (line[n]) || (n > 0 && line[n] == '-'))
    n++;
  if (n == 0 || (line[n] != '\0' && line[n] != ' ' && line[n] != '='))
    return;

  cap.keyword = g_ascii_strup (line, n);
  if (line[n] == '=' && g_strcmp0 (cap.keyword, "AUTH") != 0)
    {
      g_free (cap.keyword);
      return;
    }
  cap.params = g_strstrip (g_strdup (line[n] != '\0' ? line + n + 1 : ""));

  if (g_str_equal (cap.keyword, "AUTH"))
    add_auth_mechanisms (caps, cap.params);
  else if (g_str_equal (cap.keyword, "SIZE"))
    caps->size = parse_size (cap.params);

  g_array_append_val (caps->entries, cap);
}

/**
 * ms_smtp_capabilities_parse:
 * @ehlo_reply: a reply to EHLO
 *
 * Reads the capabilities: the first line is the server's domain and
 * greeting, every other line a keyword and its parameters. Keywords are
 * matched case-insensitively and exactly; lines that are not keywords are
 * kept in to_strv() but never match.
 *
 * Returns: (transfer full): the capabilities
 */
MsSmtpCapabilities *
ms_smtp_capabilities_parse (const MsSmtpReply *ehlo_reply)
{
  MsSmtpCapabilities *caps;

  g_return_val_if_fail (ehlo_reply != NULL, NULL);

  caps = g_new0 (MsSmtpCapabilities, 1);
  caps->lines = g_ptr_array_new_with_free_func (g_free);
  caps->entries = g_array_new (FALSE, FALSE, sizeof (MsCapability));
  g_array_set_clear_func (caps->entries, capability_clear);
  caps->auth = g_ptr_array_new_with_free_func (g_free);

  if (ehlo_reply->lines == NULL || ehlo_reply->lines[0] == NULL)
    return caps;

  caps->domain = g_strndup (ehlo_reply->lines[0], strcspn (ehlo_reply->lines[0], " "));
  for (guint i = 1; ehlo_reply->lines[i] != NULL; i++)
    {
      g_ptr_array_add (caps->lines, g_strdup (ehlo_reply->lines[i]));
      parse_capability_line (caps, ehlo_reply->lines[i]);
    }

  return caps;
}

static const MsCapability *
find_capability (const MsSmtpCapabilities *caps,
                 const char               *keyword)
{
  for (guint i = 0; i < caps->entries->len; i++)
    {
      const MsCapability *cap = &g_array_index (caps->entries, MsCapability, i);

      if (g_ascii_strcasecmp (cap->keyword, keyword) == 0)
        return cap;
    }

  return NULL;
}

/**
 * ms_smtp_capabilities_has:
 * @caps: capabilities
 * @keyword: a keyword, any case ("STARTTLS")
 *
 * Returns: %TRUE when a line's keyword is exactly @keyword, ignoring ASCII
 *   case ("STARTTLSX" and "X-STARTTLS" never match "STARTTLS")
 */
gboolean
ms_smtp_capabilities_has (const MsSmtpCapabilities *caps,
                          const char               *keyword)
{
  g_return_val_if_fail (caps != NULL, FALSE);
  g_return_val_if_fail (keyword != NULL, FALSE);

  return find_capability (caps, keyword) != NULL;
}

/**
 * ms_smtp_capabilities_get_params:
 * @caps: capabilities
 * @keyword: a keyword, any case
 *
 * Returns: (nullable): the parameters of the first line with @keyword
 *   ("" when it has none), or %NULL when the server did not offer it
 */
const char *
ms_smtp_capabilities_get_params (const MsSmtpCapabilities *caps,
                                 const char               *keyword)
{
  const MsCapability *cap;

  g_return_val_if_fail (caps != NULL, NULL);
  g_return_val_if_fail (keyword != NULL, NULL);

  cap = find_capability (caps, keyword);

  return cap != NULL ? cap->params : NULL;
}

/**
 * ms_smtp_capabilities_has_auth:
 * @caps: capabilities
 * @mechanism: a SASL mechanism, any case ("PLAIN")
 *
 * Returns: %TRUE when an AUTH (or AUTH=) line lists exactly @mechanism
 */
gboolean
ms_smtp_capabilities_has_auth (const MsSmtpCapabilities *caps,
                               const char               *mechanism)
{
  g_return_val_if_fail (caps != NULL, FALSE);
  g_return_val_if_fail (mechanism != NULL, FALSE);

  for (guint i = 0; i < caps->auth->len; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (caps->auth, i), mechanism) == 0)
      return TRUE;

  return FALSE;
}

static char **
ptr_array_to_strv (GPtrArray *array)
{
  char **strv = g_new0 (char *, array->len + 1);

  for (guint i = 0; i < array->len; i++)
    strv[i] = g_strdup (g_ptr_array_index (array, i));

  return strv;
}

/**
 * ms_smtp_capabilities_auth_mechanisms:
 * @caps: capabilities
 *
 * Returns: (transfer full): the AUTH mechanisms, upper case, each once, in
 *   the server's order
 */
char **
ms_smtp_capabilities_auth_mechanisms (const MsSmtpCapabilities *caps)
{
  g_return_val_if_fail (caps != NULL, NULL);

  return ptr_array_to_strv (caps->auth);
}

/**
 * ms_smtp_capabilities_get_size:
 * @caps: capabilities
 *
 * Returns: the SIZE limit in octets, or 0 when none is known
 */
guint64
ms_smtp_capabilities_get_size (const MsSmtpCapabilities *caps)
{
  g_return_val_if_fail (caps != NULL, 0);

  return caps->size;
}

/**
 * ms_smtp_capabilities_to_strv:
 * @caps: capabilities
 *
 * Returns: (transfer full): the capability lines as received, without the
 *   domain line
 */
char **
ms_smtp_capabilities_to_strv (const MsSmtpCapabilities *caps)
{
  g_return_val_if_fail (caps != NULL, NULL);

  return ptr_array_to_strv (caps->lines);
}

/**
 * ms_smtp_capabilities_get_domain:
 * @caps: capabilities
 *
 * Returns: (nullable): the first word of the EHLO reply's first line (the
 *   server's name for itself), as sent; %NULL for an empty reply
 */
const char *
ms_smtp_capabilities_get_domain (const MsSmtpCapabilities *caps)
{
  g_return_val_if_fail (caps != NULL, NULL);

  return caps->domain;
}
