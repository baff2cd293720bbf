/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-message"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "ms-error.h"
#include "ms-message.h"
#include "ms-validate.h"

#define MS_ENCODED_WORD_BYTES 39   /* 52 base64 characters: a 64-octet word */
#define MS_QP_LINE            76   /* RFC 2045 6.7 (5) */
#define MS_ID_FALLBACK_DOMAIN "mailsetup.invalid"

/* ---- small helpers ---- */

static gboolean
is_ascii (const char *data,
          gsize       length)
{
  for (gsize i = 0; i < length; i++)
    if ((guchar) data[i] >= 0x80)
      return FALSE;

  return TRUE;
}

/* The longest line of CRLF-separated @data, CRLF excluded. */
static gsize
longest_line (const char *data,
              gsize       length)
{
  gsize longest = 0, start = 0;

  for (gsize i = 0; i <= length; i++)
    {
      if (i < length && data[i] != '\n')
        continue;
      longest = MAX (longest, (i - start) - (i > start && data[i - 1] == '\r' ? 1 : 0));
      start = i + 1;
    }

  return longest;
}

/* Appends @text with every "\n" (and "\r\n") written as CRLF. */
static void
append_crlf_lines (GString    *out,
                   const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\r' && p[1] == '\n')
        continue;
      if (*p == '\n')
        g_string_append (out, "\r\n");
      else
        g_string_append_c (out, *p);
    }
}

/**
 * ms_message_format_date:
 * @when: a time
 *
 * RFC 5322 3.3 form, always in English whatever the locale.
 *
 * Returns: (transfer full): "Sat, 28 Nov 2026 19:46:10 +0000"
 */
char *
ms_message_format_date (GDateTime *when)
{
  static const char *days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
  static const char *months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  gint64 offset;
  char sign;

  g_return_val_if_fail (when != NULL, NULL);

  offset = g_date_time_get_utc_offset (when) / G_TIME_SPAN_MINUTE;
  sign = offset < 0 ? '-' : '+';
  offset = ABS (offset);

  return g_strdup_printf ("%s, %02d %s %04d %02d:%02d:%02d %c%02d%02d",
                          days[g_date_time_get_day_of_week (when) - 1],
                          g_date_time_get_day_of_month (when),
                          months[g_date_time_get_month (when) - 1],
                          g_date_time_get_year (when),
                          g_date_time_get_hour (when),
                          g_date_time_get_minute (when),
                          g_date_time_get_second (when),
                          sign, (int) (offset / 60), (int) (offset % 60));
}

/* A Message-ID domain must be plain ASCII LDH of a host name's length:
 * anything else (an IDN that does not convert, an odd character, a name so
 * long that the header line would pass 998 octets) falls back to a
 * reserved name. */
static char *
id_domain (const char *domain)
{
  g_autofree char *ascii = NULL;

  if (domain == NULL || domain[0] == '\0')
    return g_strdup (MS_ID_FALLBACK_DOMAIN);

  ascii = g_hostname_to_ascii (domain);
  if (ascii == NULL || ascii[0] == '\0' || strlen (ascii) > 253)
    return g_strdup (MS_ID_FALLBACK_DOMAIN);

  for (const char *p = ascii; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '-')
      return g_strdup (MS_ID_FALLBACK_DOMAIN);

  return g_ascii_strdown (ascii, -1);
}

/**
 * ms_message_make_id:
 * @domain: (nullable): the sender's domain (IDN converted to ASCII)
 *
 * Returns: (transfer full): "<random@domain>", angle brackets included
 */
char *
ms_message_make_id (const char *domain)
{
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *ascii = id_domain (domain);

  return g_strdup_printf ("<%s@%s>", uuid, ascii);
}

/* RFC 2047 B encoded-words, each at most MS_ENCODED_WORD_BYTES octets of
 * UTF-8 (never splitting a character), separated by a fold. */
static void
append_encoded_words (GString    *out,
                      const char *text)
{
  const char *p = text;

  while (*p != '\0')
    {
      const char *end = p;
      g_autofree char *b64 = NULL;

      while (*end != '\0')
        {
          const char *next = g_utf8_next_char (end);

          if (next - p > MS_ENCODED_WORD_BYTES && end > p)
            break;
          end = next;
        }

      b64 = g_base64_encode ((const guchar *) p, end - p);
      if (p != text)
        g_string_append (out, "\r\n ");
      g_string_append_printf (out, "=?UTF-8?B?%s?=", b64);
      p = end;
    }
}

/**
 * ms_message_encode_text:
 * @text: unstructured header text (a Subject), valid UTF-8, no controls
 *
 * Returns: (transfer full): @text when it is ASCII (and holds no "=?"),
 *   else RFC 2047 B encoded-words folded with CRLF SP
 */
char *
ms_message_encode_text (const char *text)
{
  GString *out;

  g_return_val_if_fail (text != NULL, NULL);

  if (is_ascii (text, strlen (text)) && strstr (text, "=?") == NULL)
    return g_strdup (text);

  out = g_string_new (NULL);
  append_encoded_words (out, text);

  return g_string_free (out, FALSE);
}

static gboolean
is_phrase_atom (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != ' ' && strchr ("!#$%&'*+-/=?^_`{|}~", *p) == NULL)
      return FALSE;

  return text[0] != ' ' && strstr (text, "=?") == NULL;
}

/**
 * ms_message_format_mailbox:
 * @display_name: (nullable): a display name, no controls
 * @address: a valid address
 *
 * Returns: (transfer full): @address alone, or "Name <address>" with the
 *   name as atoms, a quoted string, or RFC 2047 words when not ASCII
 */
char *
ms_message_format_mailbox (const char *display_name,
                           const char *address)
{
  GString *out;

  g_return_val_if_fail (address != NULL, NULL);

  if (display_name == NULL || display_name[0] == '\0')
    return g_strdup (address);

  out = g_string_new (NULL);
  if (!is_ascii (display_name, strlen (display_name)))
    append_encoded_words (out, display_name);
  else if (is_phrase_atom (display_name))
    g_string_append (out, display_name);
  else
    {
      g_string_append_c (out, '"');
      for (const char *p = display_name; *p != '\0'; p++)
        {
          if (*p == '"' || *p == '\\')
            g_string_append_c (out, '\\');
          g_string_append_c (out, *p);
        }
      g_string_append_c (out, '"');
    }
  g_string_append_printf (out, " <%s>", address);

  return g_string_free (out, FALSE);
}

/* ---- quoted-printable ---- */

static void
qp_append (GString *out,
           gsize   *column,
           const char *piece,
           gsize    length)
{
  /* Leave room for the "=" of a soft break. */
  if (*column + length > MS_QP_LINE - 1)
    {
      g_string_append (out, "=\r\n");
      *column = 0;
    }
  g_string_append_len (out, piece, length);
  *column += length;
}

static void
qp_encode_line (GString    *out,
                const char *line,
                gsize       length)
{
  gsize column = 0;

  for (gsize i = 0; i < length; i++)
    {
      guchar c = line[i];
      gboolean last = i + 1 == length;
      char piece[4];

      if ((c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last))
        qp_append (out, &column, (const char *) &line[i], 1);
      else
        {
          g_snprintf (piece, sizeof piece, "=%02X", c);
          qp_append (out, &column, piece, 3);
        }
    }
}

/**
 * ms_message_encode_quoted_printable:
 * @body: text whose lines are separated by CRLF (or LF)
 *
 * Returns: (transfer full): RFC 2045 quoted-printable, hard line breaks as
 *   CRLF, output lines at most 76 octets
 */
GBytes *
ms_message_encode_quoted_printable (GBytes *body)
{
  GString *out;
  const char *data;
  gsize length, start = 0;

  g_return_val_if_fail (body != NULL, NULL);

  data = g_bytes_get_data (body, &length);
  out = g_string_sized_new (length + length / 8 + 16);

  for (gsize i = 0; i <= length; i++)
    {
      gsize end;

      if (i < length && data[i] != '\n')
        continue;
      end = (i > start && data[i - 1] == '\r') ? i - 1 : i;
      qp_encode_line (out, data + start, end - start);
      if (i < length)
        g_string_append (out, "\r\n");
      start = i + 1;
    }

  return g_string_free_to_bytes (out);
}

/* ---- the test message ---- */

static char *
test_body (const char *program,
           const char *host,
           guint16     port,
           GDateTime  *now)
{
  g_autofree char *when = g_date_time_format (now, "%c");
  g_autofree char *text = NULL;
  GString *out = g_string_new (NULL);
  g_auto(GStrv) parts = NULL;

  /* GLib pads a one-digit day with U+2007 FIGURE SPACE: in English that one
   * character would make the whole test message 8-bit. */
  parts = g_strsplit (when != NULL ? when : "", "\u2007", -1);
  g_free (when);
  when = g_strjoinv (" ", parts);

  /* Translators: the body of the test message. %1$s is the program
   * ("Mail Setup 0.1.0"), %2$s the date and time, %3$s the server name,
   * %4$u the port number. Keep the line breaks short (under 70 characters). */
  text = g_strdup_printf (_("This is a test message from %1$s.\n"
                            "\n"
                            "It was sent on %2$s\n"
                            "through the server %3$s, port %4$u.\n"
                            "\n"
                            "If you can read it, this account can send mail.\n"
                            "There is nothing else to do.\n"),
                          program, when != NULL ? when : "", host, port);
  append_crlf_lines (out, text);

  return g_string_free (out, FALSE);
}

static const char *
pick_transfer_encoding (const char *body,
                        gboolean    eight_bit_ok)
{
  gsize length = strlen (body);
  gboolean short_lines = longest_line (body, length) <= MS_MESSAGE_MAX_LINE;

  if (short_lines && is_ascii (body, length))
    return "7bit";
  if (short_lines && eight_bit_ok)
    return "8bit";

  return "quoted-printable";
}

static gboolean
check_test_fields (const char  *from_name,
                   const char  *from,
                   const char  *to,
                   const char  *host,
                   const char  *program,
                   GError     **error)
{
  return ms_validate_address (_("Sender address"), from, error)
         && ms_validate_address (_("Recipient address"), to, error)
         && ms_validate_no_control (_("Server"), host, error)
         && ms_validate_no_control (_("Program"), program, error)
         && (from_name == NULL || ms_validate_display_name (from_name, error));
}

static void
append_test_headers (GString    *out,
                     const char *from_name,
                     const char *from,
                     const char *to,
                     GDateTime  *now,
                     const char *id,
                     const char *encoding)
{
  g_autofree char *mailbox = ms_message_format_mailbox (from_name, from);
  /* Translators: the subject of the test message */
  g_autofree char *subject = ms_message_encode_text (_("Mail Setup test message"));
  g_autofree char *date = ms_message_format_date (now);

  g_string_append_printf (out, "From: %s\r\n", mailbox);
  g_string_append_printf (out, "To: %s\r\n", to);
  g_string_append_printf (out, "Subject: %s\r\n", subject);
  g_string_append_printf (out, "Date: %s\r\n", date);
  g_string_append_printf (out, "Message-ID: %s\r\n", id);
  g_string_append (out, "MIME-Version: 1.0\r\n");
  g_string_append (out, "Content-Type: text/plain; charset=UTF-8\r\n");
  g_string_append_printf (out, "Content-Transfer-Encoding: %s\r\n\r\n", encoding);
}

/**
 * ms_message_compose_test_full:
 * @from_name: (nullable): the sender's display name
 * @from: the sender's address
 * @to: the recipient's address
 * @host: the server, as shown in the body
 * @port: the port
 * @program: the sending program, e.g. "Mail Setup 0.1.0"
 * @eight_bit_ok: the server offers 8BITMIME
 * @now: (nullable): the time for Date and the body; %NULL for now
 * @message_id: (out) (optional): the Message-ID, with angle brackets
 * @error: where to put an error
 *
 * Composes the test message of docs/contract.md, CRLF line ends, not dot-stuffed.
 *
 * Errors: %MS_ERROR_INVALID_INPUT naming the field when an address is not
 * valid or a field holds CR, LF or another control character.
 *
 * Returns: (transfer full) (nullable): the message
 */
GBytes *
ms_message_compose_test_full (const char  *from_name,
                              const char  *from,
                              const char  *to,
                              const char  *host,
                              guint16      port,
                              const char  *program,
                              gboolean     eight_bit_ok,
                              GDateTime   *now,
                              char       **message_id,
                              GError     **error)
{
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *domain = NULL;
  g_autofree char *id = NULL;
  g_autofree char *body = NULL;
  const char *encoding;
  GString *out;

  if (!check_test_fields (from_name, from, to, host, program, error))
    return NULL;

  when = now != NULL ? g_date_time_ref (now) : g_date_time_new_now_local ();
  domain = ms_address_get_domain (from);
  id = ms_message_make_id (domain);
  body = test_body (program, host, port, when);
  encoding = pick_transfer_encoding (body, eight_bit_ok);

  out = g_string_new (NULL);
  append_test_headers (out, from_name, from, to, when, id, encoding);
  if (g_str_equal (encoding, "quoted-printable"))
    {
      g_autoptr(GBytes) raw = g_bytes_new_static (body, strlen (body));
      g_autoptr(GBytes) qp = ms_message_encode_quoted_printable (raw);

      g_string_append_len (out, g_bytes_get_data (qp, NULL), g_bytes_get_size (qp));
    }
  else
    g_string_append (out, body);

  if (message_id != NULL)
    *message_id = g_steal_pointer (&id);

  return g_string_free_to_bytes (out);
}

/**
 * ms_message_compose_test:
 *
 * ms_message_compose_test_full() without a display name.
 *
 * Errors: %MS_ERROR_INVALID_INPUT
 *
 * Returns: (transfer full) (nullable): the message
 */
GBytes *
ms_message_compose_test (const char  *from,
                         const char  *to,
                         const char  *host,
                         guint16      port,
                         const char  *program,
                         gboolean     eight_bit_ok,
                         GDateTime   *now,
                         char       **message_id,
                         GError     **error)
{
  return ms_message_compose_test_full (NULL, from, to, host, port, program,
                                       eight_bit_ok, now, message_id, error);
}

/* ---- the wire form ---- */

struct _MsMessageWire
{
  gboolean dot_stuff;
  gboolean pending_cr;      /* the last octet was CR: a LF right after it ends nothing */
  gboolean in_header;       /* no empty line seen yet */
  gboolean eight_bit;
  gboolean eight_bit_header;
  guint64  size;
  gsize    line_len;
  char     line[MS_MESSAGE_MAX_LINE + 1];
};

/**
 * ms_message_wire_new:
 * @dot_stuff: double a leading dot and end with ".\r\n" (DATA); %FALSE
 *   for BDAT
 *
 * Returns: (transfer full): a converter at the start of a message
 */
MsMessageWire *
ms_message_wire_new (gboolean dot_stuff)
{
  MsMessageWire *wire = g_new0 (MsMessageWire, 1);

  wire->dot_stuff = dot_stuff;
  wire->in_header = TRUE;

  return wire;
}

void
ms_message_wire_free (MsMessageWire *wire)
{
  g_free (wire);
}

/* Where to break a line that is too long: at most MS_MESSAGE_MAX_LINE
 * octets, never inside a UTF-8 sequence when that can be helped. */
static gsize
break_point (const char *line,
             gsize       length)
{
  gsize cut = MS_MESSAGE_MAX_LINE;

  if (length <= cut)
    return length;
  while (cut > MS_MESSAGE_MAX_LINE - 4 && ((guchar) line[cut] & 0xc0) == 0x80)
    cut--;

  return ((guchar) line[cut] & 0xc0) == 0x80 ? MS_MESSAGE_MAX_LINE : cut;
}

static void
emit_line (MsMessageWire *wire,
           gsize          length,
           GByteArray    *out)
{
  if (wire->dot_stuff && length > 0 && wire->line[0] == '.')
    {
      g_byte_array_append (out, (const guint8 *) ".", 1);
      wire->size++;
    }
  g_byte_array_append (out, (const guint8 *) wire->line, length);
  g_byte_array_append (out, (const guint8 *) "\r\n", 2);
  wire->size += length + 2;
}

/* The line buffer holds one octet past the limit: cut it, keep the rest. */
static void
cut_line (MsMessageWire *wire,
          GByteArray    *out)
{
  gsize cut = break_point (wire->line, wire->line_len);

  emit_line (wire, cut, out);
  memmove (wire->line, wire->line + cut, wire->line_len - cut);
  wire->line_len -= cut;
}

static void
end_line (MsMessageWire *wire,
          GByteArray    *out)
{
  if (wire->line_len == 0)
    wire->in_header = FALSE;
  emit_line (wire, wire->line_len, out);
  wire->line_len = 0;
}

/**
 * ms_message_wire_feed:
 * @wire: an #MsMessageWire
 * @data: the next octets of the message
 * @length: how many
 * @out: where the wire octets go (appended)
 *
 * Converts a piece of the message; pieces may be cut anywhere, even
 * between CR and LF. At most 2 * @length + MS_MESSAGE_MAX_LINE + 3 octets
 * are appended, so a caller that feeds fixed-size pieces needs a buffer of
 * fixed size.
 */
void
ms_message_wire_feed (MsMessageWire *wire,
                      const char    *data,
                      gsize          length,
                      GByteArray    *out)
{
  g_return_if_fail (wire != NULL);
  g_return_if_fail (data != NULL || length == 0);
  g_return_if_fail (out != NULL);

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (c == '\n' && wire->pending_cr)
        {
          wire->pending_cr = FALSE;
          continue;
        }
      wire->pending_cr = c == '\r';
      if (c == '\r' || c == '\n')
        {
          end_line (wire, out);
          continue;
        }

      if ((guchar) c >= 0x80)
        {
          wire->eight_bit = TRUE;
          wire->eight_bit_header |= wire->in_header;
        }
      wire->line[wire->line_len++] = c;
      if (wire->line_len > MS_MESSAGE_MAX_LINE)
        cut_line (wire, out);
    }
}

/**
 * ms_message_wire_finish:
 * @wire: an #MsMessageWire
 * @out: where the last wire octets go (appended)
 *
 * Ends a last line that had no line end, and for DATA adds the final
 * ".\r\n".
 */
void
ms_message_wire_finish (MsMessageWire *wire,
                        GByteArray    *out)
{
  g_return_if_fail (wire != NULL);
  g_return_if_fail (out != NULL);

  if (wire->line_len > 0)
    end_line (wire, out);
  wire->pending_cr = FALSE;
  if (wire->dot_stuff)
    {
      g_byte_array_append (out, (const guint8 *) ".\r\n", 3);
      wire->size += 3;
    }
}

/**
 * ms_message_wire_get_size:
 * @wire: an #MsMessageWire
 *
 * Returns: the octets appended to the outputs so far
 */
guint64
ms_message_wire_get_size (MsMessageWire *wire)
{
  g_return_val_if_fail (wire != NULL, 0);

  return wire->size;
}

/**
 * ms_message_wire_has_8bit:
 * @wire: an #MsMessageWire
 * @in_header: (out) (optional): whether one of them is in the header
 *   section (before the first empty line)
 *
 * Returns: whether an octet >= 0x80 went through
 */
gboolean
ms_message_wire_has_8bit (MsMessageWire *wire,
                          gboolean      *in_header)
{
  g_return_val_if_fail (wire != NULL, FALSE);

  if (in_header != NULL)
    *in_header = wire->eight_bit_header;

  return wire->eight_bit;
}

static GBytes *
convert_all (GBytes   *message,
             gboolean  dot_stuff)
{
  g_autoptr(MsMessageWire) wire = ms_message_wire_new (dot_stuff);
  gsize length;
  const char *data = g_bytes_get_data (message, &length);
  GByteArray *out = g_byte_array_sized_new (length + length / 64 + 8);

  ms_message_wire_feed (wire, data, length, out);
  ms_message_wire_finish (wire, out);

  return g_byte_array_free_to_bytes (out);
}

/**
 * ms_message_dot_stuff:
 * @message: a message
 *
 * Returns: (transfer full): the message for DATA (see the header)
 */
GBytes *
ms_message_dot_stuff (GBytes *message)
{
  g_return_val_if_fail (message != NULL, NULL);

  return convert_all (message, TRUE);
}

/**
 * ms_message_to_crlf:
 * @message: a message
 *
 * Returns: (transfer full): the message for BDAT: CRLF everywhere and lines
 *   of at most MS_MESSAGE_MAX_LINE octets, not dot-stuffed
 */
GBytes *
ms_message_to_crlf (GBytes *message)
{
  g_return_val_if_fail (message != NULL, NULL);

  return convert_all (message, FALSE);
}

/* ---- sendmail input ---- */

static void
header_free (gpointer data)
{
  MsMessageHeader *header = data;

  g_free (header->name);
  g_free (header->value);
  g_free (header->raw);
  g_free (header);
}

/**
 * ms_message_input_free:
 * @input: (nullable) (transfer full): a parsed message
 */
void
ms_message_input_free (MsMessageInput *input)
{
  if (input == NULL)
    return;

  g_ptr_array_unref (input->headers);
  g_clear_pointer (&input->body, g_bytes_unref);
  g_strfreev (input->to);
  g_strfreev (input->cc);
  g_strfreev (input->bcc);
  g_free (input->from);
  g_free (input);
}

/* Splits at CRLF, bare LF and bare CR; stops at a lone "." unless
 * @ignore_dots. A final line without a line end counts as a line. */
static GPtrArray *
split_lines (const char *data,
             gsize       length,
             gboolean    ignore_dots)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  gsize start = 0, i = 0;

  while (i <= length)
    {
      char *line;

      if (i < length && data[i] != '\r' && data[i] != '\n')
        {
          i++;
          continue;
        }
      if (i == length && start == length)
        break;
      line = g_strndup (data + start, i - start);
      if (!ignore_dots && g_str_equal (line, "."))
        {
          g_free (line);
          break;
        }
      g_ptr_array_add (lines, line);
      i += (i < length && data[i] == '\r' && i + 1 < length && data[i + 1] == '\n') ? 2 : 1;
      start = i;
    }

  return lines;
}

/* RFC 5322 2.2: a field name is printable ASCII but ":"; obsolete syntax
 * allows white space before the colon. Returns the name's length, or 0. */
static gsize
header_name_length (const char *line)
{
  gsize n = 0, colon;

  while ((guchar) line[n] >= 33 && (guchar) line[n] <= 126 && line[n] != ':')
    n++;
  colon = n;
  while (line[colon] == ' ' || line[colon] == '\t')
    colon++;

  return n > 0 && line[colon] == ':' ? n : 0;
}

static void
header_add_line (MsMessageHeader *header,
                 const char      *line)
{
  g_autofree char *raw = header->raw;
  g_autofree char *value = header->value;

  header->raw = g_strconcat (raw, line, "\r\n", NULL);
  header->value = g_strconcat (value, line, NULL);
}

/**
 * ms_message_header_name_length:
 * @line: one line of a message, without its line end
 *
 * The header rule of ms_message_parse_sendmail(), for readers that find
 * the end of the header section themselves (a message read as a stream).
 *
 * Returns: the length of the field name when @line starts a header, else 0
 */
gsize
ms_message_header_name_length (const char *line)
{
  g_return_val_if_fail (line != NULL, 0);

  return header_name_length (line);
}

static MsMessageHeader *
header_new (const char *line,
            gsize       name_length)
{
  MsMessageHeader *header = g_new0 (MsMessageHeader, 1);

  header->name = g_strndup (line, name_length);
  header->raw = g_strconcat (line, "\r\n", NULL);
  header->value = g_strdup (strchr (line, ':') + 1);

  return header;
}

/* Reads the header section; returns the index of the first body line. */
static guint
parse_headers (MsMessageInput *input,
               GPtrArray      *lines)
{
  MsMessageHeader *current = NULL;
  guint i = 0;

  /* An mbox separator, but not an (obsolete) "From : x" header. */
  if (lines->len > 0 && g_str_has_prefix (g_ptr_array_index (lines, 0), "From ")
      && header_name_length (g_ptr_array_index (lines, 0)) == 0)
    i++;

  for (; i < lines->len; i++)
    {
      const char *line = g_ptr_array_index (lines, i);
      gsize name_length;

      if (line[0] == '\0')
        return i + 1;
      if ((line[0] == ' ' || line[0] == '\t') && current != NULL)
        {
          header_add_line (current, line);
          continue;
        }
      name_length = header_name_length (line);
      if (name_length == 0)
        return i;
      current = header_new (line, name_length);
      g_ptr_array_add (input->headers, current);
    }

  return i;
}

static GBytes *
join_body (GPtrArray *lines,
           guint      first)
{
  GString *out = g_string_new (NULL);

  for (guint i = first; i < lines->len; i++)
    {
      g_string_append (out, g_ptr_array_index (lines, i));
      g_string_append (out, "\r\n");
    }

  return g_string_free_to_bytes (out);
}

/* ---- address lists (RFC 5322 3.4) ---- */

typedef struct
{
  GString   *phrase;     /* text outside <>, comments dropped, quotes kept */
  GString   *angle;      /* the last <...> */
  gboolean   has_angle;
  GPtrArray *out;
} AddressScan;

static const char *
skip_comment (const char *p)
{
  int depth = 0;

  for (; *p != '\0'; p++)
    {
      if (*p == '\\' && p[1] != '\0')
        p++;
      else if (*p == '(')
        depth++;
      else if (*p == ')' && --depth == 0)
        return p + 1;
    }

  return p;
}

/* Copies a quoted string, quotes and escapes included. */
static const char *
copy_quoted (GString    *to,
             const char *p)
{
  g_string_append_c (to, *p++);
  for (; *p != '\0'; p++)
    {
      g_string_append_c (to, *p);
      if (*p == '\\' && p[1] != '\0')
        g_string_append_c (to, *++p);
      else if (*p == '"')
        return p + 1;
    }

  return p;
}

static const char *
read_angle (AddressScan *scan,
            const char  *p)
{
  g_string_truncate (scan->angle, 0);
  scan->has_angle = TRUE;

  for (p++; *p != '\0' && *p != '>';)
    {
      if (*p == '"')
        p = copy_quoted (scan->angle, p);
      else if (*p == '(')
        p = skip_comment (p);
      else if (*p == ' ' || *p == '\t')
        p++;
      else
        g_string_append_c (scan->angle, *p++);
    }

  return *p == '>' ? p + 1 : p;
}

/* Removes white space outside quoted strings (obsolete "a . b @ c"). */
static char *
squeeze (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0';)
    {
      if (*p == '"')
        p = copy_quoted (out, p);
      else if (*p == ' ' || *p == '\t')
        p++;
      else
        g_string_append_c (out, *p++);
    }

  return g_string_free (out, FALSE);
}

static void
scan_flush (AddressScan *scan)
{
  char *address;

  if (scan->has_angle)
    {
      const char *a = scan->angle->str;

      /* Obsolete route: "<@relay,@relay:user@example.com>". */
      if (a[0] == '@' && strchr (a, ':') != NULL)
        a = strchr (a, ':') + 1;
      address = g_strdup (a);
    }
  else
    address = squeeze (scan->phrase->str);

  if (address[0] != '\0')
    g_ptr_array_add (scan->out, address);
  else
    g_free (address);

  g_string_truncate (scan->phrase, 0);
  g_string_truncate (scan->angle, 0);
  scan->has_angle = FALSE;
}

static const char *
scan_step (AddressScan *scan,
           const char  *p)
{
  switch (*p)
    {
    case '"':
      return copy_quoted (scan->phrase, p);
    case '(':
      return skip_comment (p);
    case '<':
      return read_angle (scan, p);
    case ':':
      /* A group's display name is not an address. */
      g_string_truncate (scan->phrase, 0);
      return p + 1;
    case ',':
    case ';':
      scan_flush (scan);
      return p + 1;
    default:
      g_string_append_c (scan->phrase, *p);
      return p + 1;
    }
}

/**
 * ms_message_parse_address_list:
 * @text: the unfolded value of To, Cc, Bcc or From
 *
 * Returns: (transfer full): the addresses, without display names, comments
 *   or angle brackets; groups flattened; entries without an @ kept as written
 */
char **
ms_message_parse_address_list (const char *text)
{
  AddressScan scan = { 0 };

  g_return_val_if_fail (text != NULL, NULL);

  scan.phrase = g_string_new (NULL);
  scan.angle = g_string_new (NULL);
  scan.out = g_ptr_array_new ();

  for (const char *p = text; *p != '\0';)
    p = scan_step (&scan, p);
  scan_flush (&scan);

  g_string_free (scan.phrase, TRUE);
  g_string_free (scan.angle, TRUE);
  g_ptr_array_add (scan.out, NULL);

  return (char **) g_ptr_array_free (scan.out, FALSE);
}

static char **
collect_addresses (const MsMessageInput *input,
                   const char           *name)
{
  GPtrArray *all = g_ptr_array_new ();

  for (guint i = 0; i < input->headers->len; i++)
    {
      const MsMessageHeader *header = g_ptr_array_index (input->headers, i);
      g_auto(GStrv) list = NULL;

      if (g_ascii_strcasecmp (header->name, name) != 0)
        continue;
      list = ms_message_parse_address_list (header->value);
      for (guint j = 0; list[j] != NULL; j++)
        g_ptr_array_add (all, g_steal_pointer (&list[j]));
    }
  g_ptr_array_add (all, NULL);

  return (char **) g_ptr_array_free (all, FALSE);
}

static void
finish_input (MsMessageInput *input)
{
  const char *from;
  gsize length;
  const char *body = g_bytes_get_data (input->body, &length);

  input->to = collect_addresses (input, "To");
  input->cc = collect_addresses (input, "Cc");
  input->bcc = collect_addresses (input, "Bcc");

  from = ms_message_input_get_header (input, "From");
  if (from != NULL)
    {
      g_auto(GStrv) list = ms_message_parse_address_list (from);

      input->from = g_strdup (list[0]);
    }

  input->eight_bit = !is_ascii (body != NULL ? body : "", length);
  for (guint i = 0; i < input->headers->len && !input->eight_bit; i++)
    {
      const MsMessageHeader *header = g_ptr_array_index (input->headers, i);

      input->eight_bit = !is_ascii (header->raw, strlen (header->raw));
    }
}

/**
 * ms_message_parse_sendmail:
 * @input: the message as read from standard input
 * @ignore_dots: -i / -oi: a lone "." is an ordinary line
 * @error: where to put an error
 *
 * See the header for the rules.
 *
 * Errors: %MS_ERROR_INVALID_INPUT when the message holds a NUL.
 *
 * Returns: (transfer full) (nullable): the parsed message
 */
MsMessageInput *
ms_message_parse_sendmail (GBytes    *input,
                           gboolean   ignore_dots,
                           GError   **error)
{
  g_autoptr(GPtrArray) lines = NULL;
  MsMessageInput *message;
  const char *data;
  gsize length;
  guint body_start;

  g_return_val_if_fail (input != NULL, NULL);

  data = g_bytes_get_data (input, &length);
  if (length > 0 && memchr (data, '\0', length) != NULL)
    {
      g_set_error_literal (error, MS_ERROR, MS_ERROR_INVALID_INPUT,
                           _("The message contains a NUL byte, which mail cannot carry."));
      return NULL;
    }

  lines = split_lines (data != NULL ? data : "", length, ignore_dots);
  message = g_new0 (MsMessageInput, 1);
  message->headers = g_ptr_array_new_with_free_func (header_free);
  body_start = parse_headers (message, lines);

  for (guint i = 0; i < message->headers->len; i++)
    {
      MsMessageHeader *header = g_ptr_array_index (message->headers, i);

      g_strstrip (header->value);
    }

  message->body = join_body (lines, body_start);
  finish_input (message);

  return message;
}

/**
 * ms_message_input_get_header:
 * @input: a parsed message
 * @name: a header name, any case
 *
 * Returns: (nullable): the unfolded value of the first such header
 */
const char *
ms_message_input_get_header (const MsMessageInput *input,
                             const char           *name)
{
  g_return_val_if_fail (input != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < input->headers->len; i++)
    {
      const MsMessageHeader *header = g_ptr_array_index (input->headers, i);

      if (g_ascii_strcasecmp (header->name, name) == 0)
        return header->value;
    }

  return NULL;
}

static void
add_unique (GPtrArray  *all,
            char      **list)
{
  for (guint i = 0; list != NULL && list[i] != NULL; i++)
    {
      gboolean seen = FALSE;

      for (guint j = 0; j < all->len && !seen; j++)
        seen = g_ascii_strcasecmp (g_ptr_array_index (all, j), list[i]) == 0;
      if (!seen)
        g_ptr_array_add (all, g_strdup (list[i]));
    }
}

/**
 * ms_message_input_get_recipients:
 * @input: a parsed message
 *
 * The recipients for -t: To, Cc and Bcc, each address once (compared
 * without regard to ASCII case), in that order.
 *
 * Returns: (transfer full): the addresses
 */
char **
ms_message_input_get_recipients (const MsMessageInput *input)
{
  GPtrArray *all;

  g_return_val_if_fail (input != NULL, NULL);

  all = g_ptr_array_new ();
  add_unique (all, input->to);
  add_unique (all, input->cc);
  add_unique (all, input->bcc);
  g_ptr_array_add (all, NULL);

  return (char **) g_ptr_array_free (all, FALSE);
}

/* ---- normalising ---- */

typedef struct
{
  gboolean to_qp;          /* re-encode the body as quoted-printable */
  gboolean add_mime;       /* ... and add MIME-Version */
  gboolean add_type;       /* ... and Content-Type */
} BodyPlan;

static gboolean
value_has_prefix (const MsMessageInput *input,
                  const char           *name,
                  const char           *prefix)
{
  const char *value = ms_message_input_get_header (input, name);

  return value != NULL && g_ascii_strncasecmp (value, prefix, strlen (prefix)) == 0;
}

static gboolean
plan_body (const MsMessageInput  *input,
           BodyPlan              *plan,
           GError               **error)
{
  const char *data;
  gsize length;
  const char *cte = ms_message_input_get_header (input, "Content-Transfer-Encoding");

  data = g_bytes_get_data (input->body, &length);
  memset (plan, 0, sizeof *plan);
  if (longest_line (data != NULL ? data : "", length) <= MS_MESSAGE_MAX_LINE)
    return TRUE;

  if (value_has_prefix (input, "Content-Type", "multipart/")
      || value_has_prefix (input, "Content-Type", "message/")
      || (cte != NULL && g_ascii_strcasecmp (cte, "7bit") != 0
          && g_ascii_strcasecmp (cte, "8bit") != 0 && g_ascii_strcasecmp (cte, "binary") != 0))
    {
      g_set_error_literal (error, MS_ERROR, MS_ERROR_INVALID_INPUT,
                           _("The message has a line longer than 998 bytes that cannot be re-encoded."));
      return FALSE;
    }

  plan->to_qp = TRUE;
  plan->add_mime = ms_message_input_get_header (input, "MIME-Version") == NULL;
  plan->add_type = ms_message_input_get_header (input, "Content-Type") == NULL;

  return TRUE;
}

/* Folds one physical header line over 998 octets at white space, never
 * before @first_cut (the field name and its colon must stay on the first
 * line, or the header would read as body). */
static gboolean
append_header_line (GString    *out,
                    const char *line,
                    gsize       length,
                    gsize       first_cut)
{
  while (length > MS_MESSAGE_MAX_LINE)
    {
      gsize cut = MS_MESSAGE_MAX_LINE;

      while (cut > first_cut && line[cut] != ' ' && line[cut] != '\t')
        cut--;
      if (line[cut] != ' ' && line[cut] != '\t')
        return FALSE;
      g_string_append_len (out, line, cut);
      g_string_append (out, "\r\n");
      line += cut;
      length -= cut;
      first_cut = 1;
    }
  g_string_append_len (out, line, length);
  g_string_append (out, "\r\n");

  return TRUE;
}

static gboolean
append_header (GString               *out,
               const MsMessageHeader *header,
               GError               **error)
{
  g_auto(GStrv) lines = g_strsplit (header->raw, "\r\n", -1);

  /* raw ends in CRLF: the last piece is empty. */
  for (guint i = 0; lines[i] != NULL && lines[i + 1] != NULL; i++)
    {
      const char *colon = i == 0 ? strchr (lines[i], ':') : NULL;
      gsize length = strlen (lines[i]);
      gsize first_cut = i > 0 ? 1 : colon ? (gsize) (colon - lines[i]) + 1 : length;

      if (!append_header_line (out, lines[i], length, first_cut))
        {
          g_set_error (error, MS_ERROR, MS_ERROR_INVALID_INPUT,
                       /* Translators: %s is a header name, e.g. "Subject" */
                       _("The %s header has a line longer than 998 bytes with no space to fold it at."),
                       header->name);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
is_dropped (const MsMessageHeader *header,
            gboolean               remove_bcc,
            const BodyPlan        *plan)
{
  if (remove_bcc && (g_ascii_strcasecmp (header->name, "Bcc") == 0
                     || g_ascii_strcasecmp (header->name, "Resent-Bcc") == 0))
    return TRUE;

  return plan->to_qp && g_ascii_strcasecmp (header->name, "Content-Transfer-Encoding") == 0;
}

static gboolean
append_missing_headers (GString         *out,
                        MsMessageInput  *input,
                        const char      *default_from,
                        GDateTime       *now,
                        char           **message_id,
                        GError         **error)
{
  const char *from = input->from;
  const char *id = ms_message_input_get_header (input, "Message-ID");

  if (ms_message_input_get_header (input, "From") == NULL)
    {
      if (default_from == NULL)
        {
          g_set_error_literal (error, MS_ERROR, MS_ERROR_INVALID_INPUT,
                               _("The message has no From header and no sender was given."));
          return FALSE;
        }
      if (!ms_validate_address (_("Sender address"), default_from, error))
        return FALSE;
      g_string_append_printf (out, "From: %s\r\n", default_from);
      from = default_from;
    }

  if (ms_message_input_get_header (input, "Date") == NULL)
    {
      g_autoptr(GDateTime) when = now != NULL ? g_date_time_ref (now) : g_date_time_new_now_local ();
      g_autofree char *date = ms_message_format_date (when);

      g_string_append_printf (out, "Date: %s\r\n", date);
    }

  if (id == NULL || id[0] == '\0')
    {
      g_autofree char *domain = from != NULL ? ms_address_get_domain (from) : NULL;

      /* A From without a domain ("root"): the sender we were given has one. */
      if (domain == NULL && default_from != NULL)
        domain = ms_address_get_domain (default_from);

      *message_id = ms_message_make_id (domain);
      g_string_append_printf (out, "Message-ID: %s\r\n", *message_id);
    }
  else
    *message_id = g_strdup (id);

  return TRUE;
}

static void
append_body (GString              *out,
             const MsMessageInput *input,
             const BodyPlan       *plan)
{
  const char *data;
  gsize length;

  if (plan->to_qp)
    {
      g_autoptr(GBytes) qp = ms_message_encode_quoted_printable (input->body);

      data = g_bytes_get_data (qp, &length);
      g_string_append_len (out, data, length);
      if (length > 0 && data[length - 1] != '\n')
        g_string_append (out, "\r\n");
      return;
    }

  data = g_bytes_get_data (input->body, &length);
  g_string_append_len (out, data, length);
}

static void
append_qp_headers (GString              *out,
                   const MsMessageInput *input,
                   const BodyPlan       *plan)
{
  gsize length;
  const char *data = g_bytes_get_data (input->body, &length);

  if (!plan->to_qp)
    return;
  if (plan->add_mime)
    g_string_append (out, "MIME-Version: 1.0\r\n");
  if (plan->add_type)
    g_string_append_printf (out, "Content-Type: text/plain; charset=%s\r\n",
                            g_utf8_validate_len (data, length, NULL) ? "UTF-8" : "unknown-8bit");
  g_string_append (out, "Content-Transfer-Encoding: quoted-printable\r\n");
}

/**
 * ms_message_normalise:
 * @input: a parsed message
 * @default_from: (nullable): the sender, used when the message has no From
 * @remove_bcc: drop Bcc and Resent-Bcc (always true for -t)
 * @now: (nullable): the time for a missing Date
 * @message_id_out: (out) (optional): the Message-ID header's value
 * @error: where to put an error
 *
 * See the header for the rules.
 *
 * Errors: %MS_ERROR_INVALID_INPUT for a missing or invalid sender, a header
 * line that cannot be folded, or a long line in a body that cannot be
 * re-encoded.
 *
 * Returns: (transfer full) (nullable): the message, CRLF, not dot-stuffed
 */
GBytes *
ms_message_normalise (MsMessageInput  *input,
                      const char      *default_from,
                      gboolean         remove_bcc,
                      GDateTime       *now,
                      char           **message_id_out,
                      GError         **error)
{
  g_autoptr(GString) out = NULL;
  g_autofree char *id = NULL;
  BodyPlan plan;

  g_return_val_if_fail (input != NULL, NULL);

  if (!plan_body (input, &plan, error))
    return NULL;

  out = g_string_new (NULL);
  for (guint i = 0; i < input->headers->len; i++)
    {
      const MsMessageHeader *header = g_ptr_array_index (input->headers, i);

      if (!is_dropped (header, remove_bcc, &plan) && !append_header (out, header, error))
        return NULL;
    }

  if (!append_missing_headers (out, input, default_from, now, &id, error))
    return NULL;
  append_qp_headers (out, input, &plan);
  g_string_append (out, "\r\n");
  append_body (out, input, &plan);

  if (message_id_out != NULL)
    *message_id_out = g_steal_pointer (&id);

  return g_string_free_to_bytes (g_steal_pointer (&out));
}
