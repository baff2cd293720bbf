/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-message"

#include "config.h"

#include <string.h>

#include "ms-error.h"
#include "ms-message.h"

/* ---- helpers ---- */

static char *
bytes_to_string (GBytes *bytes)
{
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);

  g_assert_null (memchr (data, '\0', length));

  return g_strndup (data, length);
}

/* CRLF everywhere, no bare CR or LF, no NUL, every line at most @max
 * octets (a dot-stuffing dot not counted when @stuffed). */
static void
assert_wire_clean (GBytes   *bytes,
                   gsize     max,
                   gboolean  stuffed)
{
  gsize length, start = 0;
  const char *data = g_bytes_get_data (bytes, &length);

  for (gsize i = 0; i < length; i++)
    {
      g_assert_cmpint (data[i], !=, '\0');
      if (data[i] == '\r')
        {
          g_assert_cmpuint (i + 1, <, length);
          g_assert_cmpint (data[i + 1], ==, '\n');
        }
      if (data[i] == '\n')
        {
          gsize line = i - 1 - start;

          g_assert_cmpuint (i, >, 0);
          g_assert_cmpint (data[i - 1], ==, '\r');
          if (stuffed && line > 0 && data[start] == '.')
            line--;
          if (line > max)
            g_error ("line of %" G_GSIZE_FORMAT " octets at %" G_GSIZE_FORMAT, line, start);
          start = i + 1;
        }
    }
  g_assert_cmpuint (start, ==, length);
}

static char *
header_block (const char *message)
{
  const char *end = strstr (message, "\r\n\r\n");

  g_assert_nonnull (end);

  return g_strndup (message, end - message + 2);
}

static gboolean
has_header_line (const char *message,
                 const char *line)
{
  g_autofree char *headers = header_block (message);
  g_autofree char *needle = g_strconcat ("\r\n", line, "\r\n", NULL);
  g_autofree char *wrapped = g_strconcat ("\r\n", headers, NULL);

  return strstr (wrapped, needle) != NULL;
}

static guint
count_headers (const char *message,
               const char *name)
{
  g_autofree char *headers = header_block (message);
  g_auto(GStrv) lines = g_strsplit (headers, "\r\n", -1);
  gsize n = strlen (name);
  guint count = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_ascii_strncasecmp (lines[i], name, n) == 0 && lines[i][n] == ':')
      count++;

  return count;
}

static const char *
body_of (const char *message)
{
  const char *end = strstr (message, "\r\n\r\n");

  if (end == NULL)
    g_error ("no end of the header section in \"%s\"", message);

  return end + 4;
}

static int
hex_value (char c)
{
  return g_ascii_xdigit_value (c);
}

static char *
qp_decode (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '=' && p[1] == '\r' && p[2] == '\n')
        p += 2;
      else if (*p == '=' && hex_value (p[1]) >= 0 && hex_value (p[2]) >= 0)
        {
          g_string_append_c (out, (char) (hex_value (p[1]) * 16 + hex_value (p[2])));
          p += 2;
        }
      else
        {
          g_assert_cmpint (*p, !=, '=');
          g_string_append_c (out, *p);
        }
    }

  return g_string_free (out, FALSE);
}

/* Decodes folded RFC 2047 B words; checks each word's length on the way. */
static char *
decode_words (const char *text)
{
  g_auto(GStrv) words = g_strsplit (text, "\r\n ", -1);
  GString *out = g_string_new (NULL);

  for (guint i = 0; words[i] != NULL; i++)
    {
      gsize len = strlen (words[i]), n;
      g_autofree char *b64 = NULL;
      g_autofree guchar *raw = NULL;

      g_assert_cmpuint (len, <=, 75);
      g_assert_true (g_str_has_prefix (words[i], "=?UTF-8?B?"));
      g_assert_true (g_str_has_suffix (words[i], "?="));
      b64 = g_strndup (words[i] + 10, len - 12);
      raw = g_base64_decode (b64, &n);
      g_assert_true (g_utf8_validate ((const char *) raw, n, NULL));
      g_string_append_len (out, (const char *) raw, n);
    }

  return g_string_free (out, FALSE);
}

static GDateTime *
fixed_time (void)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_offset (9 * 3600);

  return g_date_time_new (tz, 2026, 11, 28, 19, 46, 10);
}

/* ---- the test message ---- */

static void
test_compose (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = fixed_time ();
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *id = NULL;
  g_autofree char *text = NULL;
  g_autofree char *id_line = NULL;

  bytes = ms_message_compose_test ("me@example.com", "you@example.org", "smtp.example.com", 465,
                                   "Mail Setup 0.1.0", FALSE, now, &id, &error);
  g_assert_no_error (error);
  assert_wire_clean (bytes, 998, FALSE);
  text = bytes_to_string (bytes);

  g_assert_true (has_header_line (text, "From: me@example.com"));
  g_assert_true (has_header_line (text, "To: you@example.org"));
  g_assert_true (has_header_line (text, "Subject: Mail Setup test message"));
  g_assert_true (has_header_line (text, "Date: Sat, 28 Nov 2026 19:46:10 +0900"));
  g_assert_true (has_header_line (text, "MIME-Version: 1.0"));
  g_assert_true (has_header_line (text, "Content-Type: text/plain; charset=UTF-8"));
  g_assert_true (has_header_line (text, "Content-Transfer-Encoding: 7bit"));
  g_assert_nonnull (id);
  g_assert_true (g_str_has_prefix (id, "<"));
  g_assert_true (g_str_has_suffix (id, "@example.com>"));
  id_line = g_strconcat ("Message-ID: ", id, NULL);
  g_assert_true (has_header_line (text, id_line));

  g_assert_nonnull (strstr (body_of (text), "Mail Setup 0.1.0"));
  g_assert_nonnull (strstr (body_of (text), "smtp.example.com"));
  g_assert_nonnull (strstr (body_of (text), "465"));
  g_assert_nonnull (strstr (body_of (text), "2026"));
}

static void
test_compose_encodings (void)
{
  g_autoptr(GDateTime) now = fixed_time ();
  g_autoptr(GBytes) eight = NULL;
  g_autoptr(GBytes) seven = NULL;
  g_autofree char *eight_text = NULL;
  g_autofree char *seven_text = NULL;
  g_autofree char *decoded = NULL;
  g_autoptr(GError) error = NULL;

  eight = ms_message_compose_test ("me@example.com", "me@example.com", "smtp.例え.jp", 587,
                                   "Mäil Setup", TRUE, now, NULL, &error);
  g_assert_no_error (error);
  assert_wire_clean (eight, 998, FALSE);
  eight_text = bytes_to_string (eight);
  g_assert_true (has_header_line (eight_text, "Content-Transfer-Encoding: 8bit"));
  g_assert_nonnull (strstr (body_of (eight_text), "smtp.例え.jp"));

  seven = ms_message_compose_test ("me@example.com", "me@example.com", "smtp.例え.jp", 587,
                                   "Mäil Setup", FALSE, now, NULL, &error);
  g_assert_no_error (error);
  assert_wire_clean (seven, 76, FALSE);
  seven_text = bytes_to_string (seven);
  g_assert_true (has_header_line (seven_text, "Content-Transfer-Encoding: quoted-printable"));
  for (const char *p = seven_text; *p != '\0'; p++)
    g_assert_cmpuint ((guchar) *p, <, 0x80);
  decoded = qp_decode (body_of (seven_text));
  g_assert_cmpstr (decoded, ==, body_of (eight_text));
}

/* However long the fields, no line passes 998 octets: a long body line
 * makes the body quoted-printable even with 8BITMIME. */
static void
test_compose_long_fields (void)
{
  g_autofree char *program = g_strnfill (1200, 'p');
  GString *name = g_string_new (NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *text = NULL;
  g_autofree char *decoded = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 200; i++)
    g_string_append (name, "名");
  bytes = ms_message_compose_test_full (name->str, "me@example.com", "you@example.com",
                                        "smtp.example.com", 25, program, TRUE, NULL, NULL, &error);
  g_assert_no_error (error);
  assert_wire_clean (bytes, 998, FALSE);
  text = bytes_to_string (bytes);
  g_assert_true (has_header_line (text, "Content-Transfer-Encoding: quoted-printable"));
  decoded = qp_decode (body_of (text));
  g_assert_nonnull (strstr (decoded, program));
  g_string_free (name, TRUE);
}

/* V1 */
static void
test_compose_injection (void)
{
  static const struct { const char *from, *to, *host, *program, *field; } cases[] = {
    { "me@x.com\r\nBcc: victim@y.com", "you@y.com", "smtp.x.com", "MS", "Sender address" },
    { "me@x.com", "you@y.com\nBcc: victim@y.com", "smtp.x.com", "MS", "Recipient address" },
    { "me@x.com", "you@y.com", "smtp.x.com\r\nX: y", "MS", "Server" },
    { "me@x.com", "you@y.com", "smtp.x.com", "MS\r\nBcc: v@y.com", "Program" },
    { "me@x.com", "you@y.com", "smtp.x.com", "MS\r", "Program" },
    { "Me <me@x.com>", "you@y.com", "smtp.x.com", "MS", "Sender address" },
    { "me@x.com", "you@y.com>", "smtp.x.com", "MS", "Recipient address" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autofree char *id = NULL;

      bytes = ms_message_compose_test (cases[i].from, cases[i].to, cases[i].host, 25,
                                       cases[i].program, TRUE, NULL, &id, &error);
      g_assert_null (bytes);
      g_assert_null (id);
      g_assert_error (error, MS_ERROR, MS_ERROR_INVALID_INPUT);
      g_assert_nonnull (strstr (error->message, cases[i].field));
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) bytes = ms_message_compose_test_full ("Me\r\nBcc: v@y.com", "me@x.com",
                                                            "you@y.com", "smtp.x.com", 25, "MS",
                                                            TRUE, NULL, NULL, &error);

    g_assert_null (bytes);
    g_assert_error (error, MS_ERROR, MS_ERROR_INVALID_INPUT);
  }
}

static void
test_compose_display_name (void)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *text = NULL;
  g_autofree char *encoded = ms_message_format_mailbox ("Jöhn Dœ", "j@x.com");
  g_autofree char *quoted = ms_message_format_mailbox ("Doe, \"JD\" \\ John", "j@x.com");
  g_autofree char *plain = ms_message_format_mailbox ("Backup notifications", "j@x.com");
  g_autofree char *none = ms_message_format_mailbox (NULL, "j@x.com");
  g_autofree char *tricky = ms_message_format_mailbox ("=?UTF-8?B?eA==?=", "j@x.com");
  g_autofree char *name = NULL;
  g_autofree char *words = NULL;

  g_assert_cmpstr (plain, ==, "Backup notifications <j@x.com>");
  g_assert_cmpstr (none, ==, "j@x.com");
  g_assert_cmpstr (quoted, ==, "\"Doe, \\\"JD\\\" \\\\ John\" <j@x.com>");
  g_assert_true (g_str_has_suffix (encoded, "?= <j@x.com>"));
  words = g_strndup (encoded, strrchr (encoded, ' ') - encoded);
  name = decode_words (words);
  g_assert_cmpstr (name, ==, "Jöhn Dœ");
  g_assert_cmpstr (tricky, ==, "\"=?UTF-8?B?eA==?=\" <j@x.com>");

  bytes = ms_message_compose_test_full ("Jöhn Dœ", "j@x.com", "k@y.com", "smtp.x.com", 465,
                                        "MS", TRUE, NULL, NULL, NULL);
  text = bytes_to_string (bytes);
  g_assert_true (g_str_has_prefix (text, "From: =?UTF-8?B?"));
  assert_wire_clean (bytes, 998, FALSE);
}

static void
test_date (void)
{
  g_autoptr(GDateTime) plus9 = fixed_time ();
  g_autoptr(GTimeZone) minus = g_time_zone_new_offset (-(3 * 3600 + 30 * 60));
  g_autoptr(GDateTime) newfoundland = g_date_time_new (minus, 2027, 1, 4, 0, 5, 9);
  g_autoptr(GDateTime) utc = g_date_time_new_utc (2026, 2, 1, 23, 59, 59);
  g_autofree char *a = ms_message_format_date (plus9);
  g_autofree char *b = ms_message_format_date (newfoundland);
  g_autofree char *c = ms_message_format_date (utc);

  g_assert_cmpstr (a, ==, "Sat, 28 Nov 2026 19:46:10 +0900");
  g_assert_cmpstr (b, ==, "Mon, 04 Jan 2027 00:05:09 -0330");
  g_assert_cmpstr (c, ==, "Sun, 01 Feb 2026 23:59:59 +0000");
}

static void
test_make_id (void)
{
  g_autofree char *a = ms_message_make_id ("example.com");
  g_autofree char *b = ms_message_make_id ("example.com");
  g_autofree char *idn = ms_message_make_id ("Bücher.example");
  g_autofree char *none = ms_message_make_id (NULL);
  g_autofree char *odd = ms_message_make_id ("[127.0.0.1]");
  g_autofree char *evil = ms_message_make_id ("x.com>\r\nBcc: v@y.com");

  g_assert_true (g_str_has_prefix (a, "<"));
  g_assert_true (g_str_has_suffix (a, "@example.com>"));
  g_assert_cmpuint (strlen (a), >, strlen ("<@example.com>") + 16);
  g_assert_cmpstr (a, !=, b);
  g_assert_true (g_str_has_suffix (idn, "@xn--bcher-kva.example>"));
  g_assert_true (g_str_has_suffix (none, "@mailsetup.invalid>"));
  g_assert_true (g_str_has_suffix (odd, "@mailsetup.invalid>"));
  g_assert_true (g_str_has_suffix (evil, "@mailsetup.invalid>"));
}

static void
test_encode_text (void)
{
  const char *japanese = "メール設定のテストメッセージ：日本語の件名はRFC 2047で符号化されます";
  g_autofree char *ascii = ms_message_encode_text ("Mail Setup test message");
  g_autofree char *encoded = ms_message_encode_text (japanese);
  g_autofree char *decoded = decode_words (encoded);
  g_autofree char *looks_encoded = ms_message_encode_text ("=?UTF-8?B?eA==?=");
  g_autofree char *back = decode_words (looks_encoded);

  g_assert_cmpstr (ascii, ==, "Mail Setup test message");
  g_assert_nonnull (strstr (encoded, "\r\n "));
  g_assert_cmpstr (decoded, ==, japanese);
  for (const char *p = encoded; *p != '\0'; p++)
    g_assert_cmpuint ((guchar) *p, <, 0x80);
  g_assert_cmpstr (back, ==, "=?UTF-8?B?eA==?=");
}

static void
test_quoted_printable (void)
{
  g_autofree char *long_line = g_strnfill (200, 'x');
  g_autofree char *input = g_strconcat ("a=b \r\ntrailing tab\t\r\n", long_line, "\r\nété\r\n", NULL);
  g_autoptr(GBytes) in = g_bytes_new (input, strlen (input));
  g_autoptr(GBytes) out = ms_message_encode_quoted_printable (in);
  g_autofree char *text = bytes_to_string (out);
  g_autofree char *decoded = qp_decode (text);

  assert_wire_clean (out, 76, FALSE);
  g_assert_true (g_str_has_prefix (text, "a=3Db=20\r\ntrailing tab=09\r\n"));
  g_assert_nonnull (strstr (text, "=C3=A9t=C3=A9\r\n"));
  g_assert_cmpstr (decoded, ==, input);
}

/* ---- dot-stuffing (V7) ---- */

static char *
stuff (const char *input,
       gsize       length)
{
  g_autoptr(GBytes) in = g_bytes_new (input, length);
  g_autoptr(GBytes) out = ms_message_dot_stuff (in);

  assert_wire_clean (out, 998, TRUE);

  return bytes_to_string (out);
}

static void
test_dot_stuff (void)
{
  static const struct { const char *in, *out; } cases[] = {
    { "a\r\nb\r\n", "a\r\nb\r\n.\r\n" },
    { "a\nb", "a\r\nb\r\n.\r\n" },
    { ".\r\n", "..\r\n.\r\n" },
    { "x\r\n.\r\ny\r\n", "x\r\n..\r\ny\r\n.\r\n" },
    { ".hidden\n..two\n", "..hidden\r\n...two\r\n.\r\n" },
    { "bare\rcr\r\n", "bare\r\ncr\r\n.\r\n" },
    { "cr at end\r", "cr at end\r\n.\r\n" },
    { "\r\n\r\n", "\r\n\r\n.\r\n" },
    { "\n\r", "\r\n\r\n.\r\n" },
    { " .not first\r\n", " .not first\r\n.\r\n" },
    { "", ".\r\n" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = stuff (cases[i].in, strlen (cases[i].in));

      g_assert_cmpstr (got, ==, cases[i].out);
    }
}

static void
test_dot_stuff_long (void)
{
  g_autofree char *ascii = g_strnfill (1500, 'a');
  g_autofree char *dotted = g_strconcat (".", ascii, NULL);
  GString *utf8 = g_string_new (NULL);
  g_autofree char *got = NULL;
  g_autofree char *got_dotted = NULL;
  g_autofree char *got_utf8 = NULL;
  g_auto(GStrv) lines = NULL;

  got = stuff (ascii, strlen (ascii));
  g_assert_cmpuint (strlen (got), ==, 1500 + 2 + 2 + 3);
  got_dotted = stuff (dotted, strlen (dotted));
  g_assert_true (g_str_has_prefix (got_dotted, ".."));

  for (guint i = 0; i < 1500; i++)
    g_string_append (utf8, "é");
  g_string_prepend_c (utf8, 'a');
  got_utf8 = stuff (utf8->str, utf8->len);
  lines = g_strsplit (got_utf8, "\r\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    g_assert_true (g_utf8_validate (lines[i], -1, NULL));
  g_string_free (utf8, TRUE);
}

/* ---- address lists ---- */

static void
assert_addresses (const char  *text,
                  const char **expected)
{
  g_auto(GStrv) got = ms_message_parse_address_list (text);
  guint n = expected != NULL ? g_strv_length ((char **) expected) : 0;

  if (g_strv_length (got) != n)
    {
      g_autofree char *joined = g_strjoinv ("|", got);

      g_error ("\"%s\" gave %u addresses: %s", text, g_strv_length (got), joined);
    }
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (got[i], ==, expected[i]);
}

static void
test_address_list (void)
{
  assert_addresses ("a@b.com", (const char *[]) { "a@b.com", NULL });
  assert_addresses ("John <j@x.com>, \"Doe, Jane\" <jd@x.com>",
                    (const char *[]) { "j@x.com", "jd@x.com", NULL });
  assert_addresses ("undisclosed-recipients:;", NULL);
  assert_addresses ("friends: a@x.com, B <b@x.com>;, c@y.com",
                    (const char *[]) { "a@x.com", "b@x.com", "c@y.com", NULL });
  assert_addresses ("a@x.com (Comment, with comma)", (const char *[]) { "a@x.com", NULL });
  assert_addresses ("(lead (nested) comment) <a@x.com>", (const char *[]) { "a@x.com", NULL });
  assert_addresses ("<@relay.net,@r2.net:u@x.com>", (const char *[]) { "u@x.com", NULL });
  assert_addresses ("\"q\\\"uote\"@x.com", (const char *[]) { "\"q\\\"uote\"@x.com", NULL });
  assert_addresses ("root", (const char *[]) { "root", NULL });
  assert_addresses ("", NULL);
  assert_addresses (" , ,a@x.com,", (const char *[]) { "a@x.com", NULL });
  assert_addresses ("Name <a@x.com> (comment <b@y.com>)", (const char *[]) { "a@x.com", NULL });
  assert_addresses ("=?UTF-8?B?w6k=?= <e@x.com>", (const char *[]) { "e@x.com", NULL });
  assert_addresses ("john . doe @ example.com", (const char *[]) { "john.doe@example.com", NULL });
  assert_addresses ("\"a <fake@evil.com>\" <real@x.com>", (const char *[]) { "real@x.com", NULL });
  assert_addresses ("Unterminated <a@x.com", (const char *[]) { "a@x.com", NULL });
  assert_addresses ("ユーザー <u@例え.jp>", (const char *[]) { "u@例え.jp", NULL });
  assert_addresses ("a@x.com (unterminated, b@y.com", (const char *[]) { "a@x.com", NULL });
  assert_addresses ("(esc \\) paren, x@evil.com) a@x.com", (const char *[]) { "a@x.com", NULL });
  assert_addresses ("< a@x.com (c) >", (const char *[]) { "a@x.com", NULL });
  assert_addresses ("<\"odd q\"@x.com>", (const char *[]) { "\"odd q\"@x.com", NULL });
  assert_addresses ("\"unterminated, b@y.com", (const char *[]) { "\"unterminated, b@y.com", NULL });
}

/* ---- sendmail input ---- */

static MsMessageInput *
parse_text (const char *text,
            gboolean    ignore_dots)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  g_autoptr(GError) error = NULL;
  MsMessageInput *input = ms_message_parse_sendmail (bytes, ignore_dots, &error);

  g_assert_no_error (error);
  g_assert_nonnull (input);

  return input;
}

static char *
normalise_text (MsMessageInput  *input,
                const char      *default_from,
                gboolean         remove_bcc,
                char           **id)
{
  g_autoptr(GDateTime) now = fixed_time ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = ms_message_normalise (input, default_from, remove_bcc, now, id, &error);

  g_assert_no_error (error);
  assert_wire_clean (out, 998, FALSE);

  return bytes_to_string (out);
}

static void
test_sendmail_parse (void)
{
  g_autoptr(MsMessageInput) input = NULL;
  g_auto(GStrv) rcpts = NULL;

  input = parse_text ("From: Me <me@example.com>\n"
                      "To: You <you@example.org>, other@example.net\n"
                      "Cc: friends: A <a@x.com>, b@x.com;\n"
                      "Bcc: hidden@example.com\n"
                      "Subject: a long\n"
                      " folded\tsubject\n"
                      "X-Empty:\n"
                      "\n"
                      "Body line\n",
                      FALSE);

  g_assert_cmpuint (input->headers->len, ==, 6);
  g_assert_cmpstr (ms_message_input_get_header (input, "subject"), ==, "a long folded\tsubject");
  g_assert_cmpstr (ms_message_input_get_header (input, "X-Empty"), ==, "");
  g_assert_null (ms_message_input_get_header (input, "Date"));
  g_assert_cmpstr (input->from, ==, "me@example.com");
  g_assert_cmpuint (g_strv_length (input->to), ==, 2);
  g_assert_cmpstr (input->to[1], ==, "other@example.net");
  g_assert_cmpuint (g_strv_length (input->cc), ==, 2);
  g_assert_cmpstr (input->bcc[0], ==, "hidden@example.com");
  g_assert_false (input->eight_bit);
  g_assert_cmpmem (g_bytes_get_data (input->body, NULL), g_bytes_get_size (input->body),
                   "Body line\r\n", 11);

  rcpts = ms_message_input_get_recipients (input);
  g_assert_cmpuint (g_strv_length (rcpts), ==, 5);
  g_assert_cmpstr (rcpts[4], ==, "hidden@example.com");
}

static void
test_sendmail_recipients_unique (void)
{
  g_autoptr(MsMessageInput) input = parse_text ("To: a@x.com, A@X.com\nCc: a@x.com\n"
                                                "To: b@x.com\nBcc: b@x.com, c@x.com\n\nx\n",
                                                FALSE);
  g_auto(GStrv) rcpts = ms_message_input_get_recipients (input);

  g_assert_cmpuint (g_strv_length (rcpts), ==, 3);
  g_assert_cmpstr (rcpts[0], ==, "a@x.com");
  g_assert_cmpstr (rcpts[1], ==, "b@x.com");
  g_assert_cmpstr (rcpts[2], ==, "c@x.com");
}

static void
test_sendmail_normalise (void)
{
  g_autoptr(MsMessageInput) input = parse_text ("To: you@example.org\nBcc: hidden@example.com\n"
                                                "Subject: hi\n\nHello\n", FALSE);
  g_autofree char *id = NULL;
  g_autofree char *text = normalise_text (input, "me@example.com", TRUE, &id);
  g_autofree char *id_line = g_strconcat ("Message-ID: ", id, NULL);
  g_autofree char *kept = NULL;

  g_assert_true (has_header_line (text, "To: you@example.org"));
  g_assert_true (has_header_line (text, "Subject: hi"));
  g_assert_true (has_header_line (text, "From: me@example.com"));
  g_assert_true (has_header_line (text, "Date: Sat, 28 Nov 2026 19:46:10 +0900"));
  g_assert_true (g_str_has_suffix (id, "@example.com>"));
  g_assert_true (has_header_line (text, id_line));
  g_assert_cmpuint (count_headers (text, "Bcc"), ==, 0);
  g_assert_null (strstr (text, "hidden@example.com"));
  g_assert_cmpstr (body_of (text), ==, "Hello\r\n");

  kept = normalise_text (input, "me@example.com", FALSE, NULL);
  g_assert_cmpuint (count_headers (kept, "Bcc"), ==, 1);
}

static void
test_sendmail_keeps_existing (void)
{
  g_autoptr(MsMessageInput) input = parse_text ("From: Boss <boss@corp.example>\n"
                                                "Date: Mon, 1 Jan 2024 00:00:00 +0000\n"
                                                "Message-ID:\n <given@corp.example>\n"
                                                "Resent-Bcc: r@x.com\n\nx", FALSE);
  g_autofree char *id = NULL;
  g_autofree char *text = normalise_text (input, "me@example.com", TRUE, &id);

  g_assert_cmpstr (id, ==, "<given@corp.example>");
  g_assert_cmpuint (count_headers (text, "Message-ID"), ==, 1);
  g_assert_cmpuint (count_headers (text, "Date"), ==, 1);
  g_assert_cmpuint (count_headers (text, "From"), ==, 1);
  g_assert_cmpuint (count_headers (text, "Resent-Bcc"), ==, 0);
  g_assert_true (has_header_line (text, "From: Boss <boss@corp.example>"));
  g_assert_true (has_header_line (text, "Date: Mon, 1 Jan 2024 00:00:00 +0000"));
  g_assert_cmpstr (body_of (text), ==, "x\r\n");
}

static void
test_sendmail_id_domain (void)
{
  g_autoptr(MsMessageInput) local = parse_text ("From: root (Cron Daemon)\nTo: root\n\nx\n", FALSE);
  g_autofree char *id = NULL;
  g_autofree char *text = normalise_text (local, "nas@example.net", TRUE, &id);
  g_autoptr(MsMessageInput) none = parse_text ("From: root\n\nx\n", FALSE);
  g_autofree char *id2 = NULL;
  g_autofree char *text2 = normalise_text (none, NULL, TRUE, &id2);

  g_assert_cmpstr (local->from, ==, "root");
  g_assert_true (g_str_has_suffix (id, "@example.net>"));
  g_assert_true (has_header_line (text, "From: root (Cron Daemon)"));
  g_assert_true (g_str_has_suffix (id2, "@mailsetup.invalid>"));
  g_assert_true (has_header_line (text2, "From: root"));
}

static void
test_sendmail_no_from (void)
{
  g_autoptr(MsMessageInput) input = parse_text ("Subject: x\n\nbody\n", FALSE);
  const char *bad_from[] = { NULL, "me@x.com\r\nBcc: v@y.com", "Me <me@x.com>", "" };

  for (guint i = 0; i < G_N_ELEMENTS (bad_from); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) out = ms_message_normalise (input, bad_from[i], TRUE, NULL, NULL, &error);

      g_assert_null (out);
      g_assert_error (error, MS_ERROR, MS_ERROR_INVALID_INPUT);
    }
}

static void
test_sendmail_lone_dot (void)
{
  const char *text = "Subject: x\n\nline\n..\n.\nafter\n";
  g_autoptr(MsMessageInput) stop = parse_text (text, FALSE);
  g_autoptr(MsMessageInput) keep = parse_text (text, TRUE);
  g_autoptr(MsMessageInput) crlf = parse_text ("Subject: x\r\n\r\nline\r\n.\r\nafter\r\n", FALSE);
  g_autoptr(MsMessageInput) in_headers = parse_text ("Subject: x\n.\nTo: y@z.com\n", FALSE);
  g_autofree char *stop_text = normalise_text (stop, "me@x.com", TRUE, NULL);
  g_autofree char *keep_text = normalise_text (keep, "me@x.com", TRUE, NULL);
  g_autofree char *crlf_text = normalise_text (crlf, "me@x.com", TRUE, NULL);

  g_assert_cmpstr (body_of (stop_text), ==, "line\r\n..\r\n");
  g_assert_cmpstr (body_of (keep_text), ==, "line\r\n..\r\n.\r\nafter\r\n");
  g_assert_cmpstr (body_of (crlf_text), ==, "line\r\n");
  g_assert_cmpuint (in_headers->headers->len, ==, 1);
  g_assert_null (in_headers->to[0]);
}

static void
test_sendmail_line_ends (void)
{
  g_autoptr(MsMessageInput) input = parse_text ("Subject: mixed\r\nTo: a@x.com\n\nlf\ncr\rcrlf\r\nend",
                                                FALSE);
  g_autofree char *text = normalise_text (input, "me@x.com", TRUE, NULL);

  g_assert_cmpstr (ms_message_input_get_header (input, "To"), ==, "a@x.com");
  g_assert_cmpstr (body_of (text), ==, "lf\r\ncr\r\ncrlf\r\nend\r\n");
}

static void
test_sendmail_8bit (void)
{
  const char *body = "Grüße, 日本語\r\n";
  g_autofree char *message = g_strconcat ("Subject: x\nContent-Type: text/plain; charset=UTF-8\n\n",
                                          body, NULL);
  g_autoptr(MsMessageInput) input = parse_text (message, FALSE);
  g_autofree char *text = normalise_text (input, "me@x.com", TRUE, NULL);
  g_autoptr(MsMessageInput) utf8_header = parse_text ("Subject: Grüße\n\nascii\n", FALSE);

  g_assert_true (input->eight_bit);
  g_assert_cmpstr (body_of (text), ==, body);
  g_assert_cmpuint (count_headers (text, "Content-Transfer-Encoding"), ==, 0);
  g_assert_true (utf8_header->eight_bit);
}

static void
test_sendmail_long_line (void)
{
  g_autofree char *line = g_strnfill (1500, 'y');
  g_autofree char *message = g_strconcat ("Subject: x\nContent-Transfer-Encoding: 8bit\n\nshort\n.dot\n",
                                          line, "é\nend\n", NULL);
  g_autoptr(MsMessageInput) input = parse_text (message, FALSE);
  g_autofree char *text = normalise_text (input, "me@x.com", TRUE, NULL);
  g_autofree char *decoded = qp_decode (body_of (text));
  g_autofree char *expected = g_strconcat ("short\r\n.dot\r\n", line, "é\r\nend\r\n", NULL);
  g_autoptr(GBytes) whole = g_bytes_new (text, strlen (text));

  assert_wire_clean (whole, 76 * 2, FALSE);
  g_assert_cmpuint (count_headers (text, "Content-Transfer-Encoding"), ==, 1);
  g_assert_true (has_header_line (text, "Content-Transfer-Encoding: quoted-printable"));
  g_assert_true (has_header_line (text, "MIME-Version: 1.0"));
  g_assert_true (has_header_line (text, "Content-Type: text/plain; charset=UTF-8"));
  g_assert_cmpstr (decoded, ==, expected);
}

static void
test_sendmail_long_line_refused (void)
{
  g_autofree char *line = g_strnfill (1500, 'z');
  const char *heads[] = {
    "Content-Type: multipart/mixed; boundary=b\n",
    "Content-Type: message/rfc822\n",
    "Content-Transfer-Encoding: base64\n",
    "Content-Transfer-Encoding: quoted-printable\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (heads); i++)
    {
      g_autofree char *message = g_strconcat (heads[i], "\n", line, "\n", NULL);
      g_autoptr(MsMessageInput) input = parse_text (message, FALSE);
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) out = ms_message_normalise (input, "me@x.com", TRUE, NULL, NULL, &error);

      g_assert_null (out);
      g_assert_error (error, MS_ERROR, MS_ERROR_INVALID_INPUT);
    }
}

static void
test_sendmail_long_header (void)
{
  GString *subject = g_string_new ("Subject:");
  g_autofree char *message = NULL;
  g_autofree char *blob = g_strnfill (1200, 'q');
  g_autofree char *nospace_message = g_strconcat ("X-Long: ", blob, "\n\nx\n", NULL);
  g_autoptr(MsMessageInput) input = NULL;
  g_autoptr(MsMessageInput) bad = NULL;
  g_autoptr(MsMessageInput) reread = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = NULL;

  for (guint i = 0; i < 300; i++)
    g_string_append (subject, " word");
  message = g_strconcat (subject->str, "\n\nbody\n", NULL);
  input = parse_text (message, FALSE);
  text = normalise_text (input, "me@x.com", TRUE, NULL);
  reread = parse_text (text, FALSE);
  g_assert_cmpstr (ms_message_input_get_header (reread, "Subject"), ==,
                   ms_message_input_get_header (input, "Subject"));

  bad = parse_text (nospace_message, FALSE);
  out = ms_message_normalise (bad, "me@x.com", TRUE, NULL, NULL, &error);
  g_assert_null (out);
  g_assert_error (error, MS_ERROR, MS_ERROR_INVALID_INPUT);
  g_string_free (subject, TRUE);
}

/* Header injection: what is parsed is exactly what is sent. */
static void
test_sendmail_injection (void)
{
  g_autoptr(MsMessageInput) cr = parse_text ("To: a@x.com\nSubject: hi\rBcc: victim@evil.com\n\nbody\n",
                                             FALSE);
  g_autoptr(MsMessageInput) no_blank = parse_text ("Subject: x\nnot a header\nBcc: b@evil.com\n",
                                                   FALSE);
  g_autoptr(MsMessageInput) in_body = parse_text ("Subject: x\n\nBcc: c@evil.com\n", FALSE);
  g_autofree char *cr_text = normalise_text (cr, "me@x.com", TRUE, NULL);
  g_autofree char *no_blank_text = normalise_text (no_blank, "me@x.com", TRUE, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) nul = g_bytes_new ("Subject: a\0b\n\nx\n", 16);
  g_autoptr(MsMessageInput) nul_input = ms_message_parse_sendmail (nul, FALSE, &error);

  /* The bare CR ends the Subject: Bcc is a real header, seen and removed. */
  g_assert_cmpstr (cr->bcc[0], ==, "victim@evil.com");
  g_assert_cmpuint (count_headers (cr_text, "Bcc"), ==, 0);
  g_assert_null (strstr (cr_text, "victim"));

  /* A line that is not a header starts the body; a blank line goes before it. */
  g_assert_null (no_blank->bcc[0]);
  g_assert_cmpstr (body_of (no_blank_text), ==, "not a header\r\nBcc: b@evil.com\r\n");

  g_assert_null (in_body->bcc[0]);

  g_assert_null (nul_input);
  g_assert_error (error, MS_ERROR, MS_ERROR_INVALID_INPUT);
}

static void
test_sendmail_mbox_from (void)
{
  g_autoptr(MsMessageInput) input = parse_text ("From someone@x.com Sat Nov 28 19:46:10 2026\n"
                                                "From: someone@x.com\nSubject: s\n\nb\n", FALSE);
  g_autofree char *text = normalise_text (input, NULL, TRUE, NULL);

  g_assert_cmpuint (input->headers->len, ==, 2);
  g_assert_cmpstr (input->from, ==, "someone@x.com");
  g_assert_true (g_str_has_prefix (text, "From: someone@x.com\r\n"));
}

static void
test_sendmail_empty (void)
{
  g_autoptr(MsMessageInput) input = parse_text ("", FALSE);
  g_autoptr(MsMessageInput) only_dot = parse_text (".\n", FALSE);
  g_autofree char *text = normalise_text (input, "me@x.com", TRUE, NULL);

  g_assert_cmpuint (input->headers->len, ==, 0);
  g_assert_cmpuint (g_bytes_get_size (input->body), ==, 0);
  g_assert_cmpuint (only_dot->headers->len, ==, 0);
  g_assert_true (has_header_line (text, "From: me@x.com"));
  g_assert_cmpstr (body_of (text), ==, "");
}

/* Found by fuzzing: a long header line with white space before its colon
 * was folded there, so the field name lost its colon and every header read
 * as body. Folding happens only after the colon, or the message is refused. */
static void
test_sendmail_fold_after_colon (void)
{
  g_autofree char *name = g_strnfill (1000, 'y');
  g_autofree char *word = g_strnfill (600, 'w');
  g_autofree char *early = g_strdup_printf ("Subje%s :v\n\nbody\n", name);
  g_autofree char *late = g_strdup_printf ("Subject: %s %s\n\nbody\n", word, word);
  g_autoptr(MsMessageInput) refused = parse_text (early, FALSE);
  g_autoptr(MsMessageInput) folded = parse_text (late, FALSE);
  g_autoptr(MsMessageInput) again = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  out = ms_message_normalise (refused, "me@x.com", TRUE, NULL, NULL, &error);
  g_assert_null (out);
  g_assert_error (error, MS_ERROR, MS_ERROR_INVALID_INPUT);

  text = normalise_text (folded, "me@x.com", TRUE, NULL);
  g_assert_true (g_str_has_prefix (text, "Subject: "));
  again = parse_text (text, FALSE);
  g_assert_nonnull (ms_message_input_get_header (again, "Subject"));
  g_assert_nonnull (ms_message_input_get_header (again, "From"));
  g_assert_nonnull (ms_message_input_get_header (again, "Message-ID"));
}

/* Found by fuzzing: the Message-ID took the From domain as it was, so an
 * absurdly long one made a header line over 998 octets. */
static void
test_sendmail_long_from_domain (void)
{
  g_autofree char *domain = g_strnfill (900, 'y');
  g_autofree char *message = g_strdup_printf ("From: a@b.%s\n\nbody\n", domain);
  g_autoptr(MsMessageInput) input = parse_text (message, FALSE);
  g_autofree char *id = NULL;
  g_autofree char *text = normalise_text (input, "me@x.com", TRUE, &id);

  g_assert_true (g_str_has_suffix (id, "@mailsetup.invalid>"));
  g_assert_nonnull (strstr (text, "Message-ID: <"));
}


/* A one-digit day: GLib pads %e with U+2007, which must not turn the
 * English test message 8-bit. */
static void
test_compose_single_digit_day (void)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) now = g_date_time_new (utc, 2026, 12, 6, 5, 7, 9);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gsize length;
  const guchar *data;

  bytes = ms_message_compose_test ("me@example.com", "you@example.org", "smtp.example.com", 465,
                                   "Mail Setup 0.1.0", TRUE, now, NULL, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (bytes, &length);
  for (gsize i = 0; i < length; i++)
    g_assert_cmpuint (data[i], <, 0x80);
  text = bytes_to_string (bytes);
  g_assert_true (has_header_line (text, "Date: Sun, 06 Dec 2026 05:07:09 +0000"));
  g_assert_true (has_header_line (text, "Content-Transfer-Encoding: 7bit"));
}

/* The wire form computed in pieces of any size is the wire form of the
 * whole, and the 8-bit findings are right. */
static void
test_wire_in_pieces (void)
{
  static const char input[] = "Subject: x\r\n\r\n.lead\rbare\n\r\n.\r\nGrüße\r\nend";
  g_autofree char *ys = g_strnfill (2100, 'y');
  g_autofree char *zs = g_strnfill (997, 'z');
  g_autofree char *long_input = NULL;
  const char *inputs[2];
  gsize lengths[2];

  long_input = g_strconcat ("A: b\r\n\r\n", ys, "é", zs, "\r\n", NULL);
  inputs[0] = input;
  lengths[0] = strlen (input);
  inputs[1] = long_input;
  lengths[1] = strlen (long_input);

  for (guint k = 0; k < G_N_ELEMENTS (inputs); k++)
    for (guint dot = 0; dot < 2; dot++)
      {
        g_autoptr(GBytes) whole_in = g_bytes_new (inputs[k], lengths[k]);
        g_autoptr(GBytes) whole = dot ? ms_message_dot_stuff (whole_in)
                                      : ms_message_to_crlf (whole_in);

        for (gsize piece = 1; piece < 40; piece += 3)
          {
            g_autoptr(MsMessageWire) wire = ms_message_wire_new (dot);
            g_autoptr(GByteArray) out = g_byte_array_new ();
            gboolean in_header = TRUE;

            for (gsize at = 0; at < lengths[k]; at += piece)
              ms_message_wire_feed (wire, inputs[k] + at, MIN (piece, lengths[k] - at), out);
            ms_message_wire_finish (wire, out);

            g_assert_cmpmem (out->data, out->len, g_bytes_get_data (whole, NULL),
                             g_bytes_get_size (whole));
            g_assert_cmpuint (ms_message_wire_get_size (wire), ==, out->len);
            g_assert_true (ms_message_wire_has_8bit (wire, &in_header));
            g_assert_false (in_header);
          }
      }
}

static void
test_wire_8bit_header (void)
{
  static const char input[] = "Subject: Grüße\r\n\r\nplain\r\n";
  g_autoptr(MsMessageWire) wire = ms_message_wire_new (FALSE);
  g_autoptr(GByteArray) out = g_byte_array_new ();
  gboolean in_header = FALSE;

  ms_message_wire_feed (wire, input, strlen (input), out);
  ms_message_wire_finish (wire, out);
  g_assert_true (ms_message_wire_has_8bit (wire, &in_header));
  g_assert_true (in_header);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/ms/message/compose", test_compose);
  g_test_add_func ("/ms/message/compose-single-digit-day", test_compose_single_digit_day);
  g_test_add_func ("/ms/message/wire-in-pieces", test_wire_in_pieces);
  g_test_add_func ("/ms/message/wire-8bit-header", test_wire_8bit_header);
  g_test_add_func ("/ms/message/compose-encodings", test_compose_encodings);
  g_test_add_func ("/ms/message/compose-long-fields", test_compose_long_fields);
  g_test_add_func ("/ms/message/compose-injection", test_compose_injection);
  g_test_add_func ("/ms/message/compose-display-name", test_compose_display_name);
  g_test_add_func ("/ms/message/date", test_date);
  g_test_add_func ("/ms/message/make-id", test_make_id);
  g_test_add_func ("/ms/message/encode-text", test_encode_text);
  g_test_add_func ("/ms/message/quoted-printable", test_quoted_printable);
  g_test_add_func ("/ms/message/dot-stuff", test_dot_stuff);
  g_test_add_func ("/ms/message/dot-stuff-long", test_dot_stuff_long);
  g_test_add_func ("/ms/message/address-list", test_address_list);
  g_test_add_func ("/ms/message/sendmail-parse", test_sendmail_parse);
  g_test_add_func ("/ms/message/sendmail-recipients-unique", test_sendmail_recipients_unique);
  g_test_add_func ("/ms/message/sendmail-normalise", test_sendmail_normalise);
  g_test_add_func ("/ms/message/sendmail-keeps-existing", test_sendmail_keeps_existing);
  g_test_add_func ("/ms/message/sendmail-id-domain", test_sendmail_id_domain);
  g_test_add_func ("/ms/message/sendmail-no-from", test_sendmail_no_from);
  g_test_add_func ("/ms/message/sendmail-lone-dot", test_sendmail_lone_dot);
  g_test_add_func ("/ms/message/sendmail-line-ends", test_sendmail_line_ends);
  g_test_add_func ("/ms/message/sendmail-8bit", test_sendmail_8bit);
  g_test_add_func ("/ms/message/sendmail-long-line", test_sendmail_long_line);
  g_test_add_func ("/ms/message/sendmail-long-line-refused", test_sendmail_long_line_refused);
  g_test_add_func ("/ms/message/sendmail-long-header", test_sendmail_long_header);
  g_test_add_func ("/ms/message/sendmail-injection", test_sendmail_injection);
  g_test_add_func ("/ms/message/sendmail-mbox-from", test_sendmail_mbox_from);
  g_test_add_func ("/ms/message/sendmail-empty", test_sendmail_empty);
  g_test_add_func ("/ms/message/sendmail-fold-after-colon", test_sendmail_fold_after_colon);
  g_test_add_func ("/ms/message/sendmail-long-from-domain", test_sendmail_long_from_domain);

  return g_test_run ();
}
