/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-smtp-reply"

#include "config.h"

#include <string.h>

#include "ms-error.h"
#include "ms-smtp-reply.h"

/* Feeds @data in chunks of @chunk octets (0: all at once) and returns the
 * reply, or NULL with @error set. *@consumed gets the total used. */
static MsSmtpReply *
parse_chunked (const char  *data,
               gsize        length,
               gsize        chunk,
               gsize       *consumed,
               GError     **error)
{
  g_autoptr(MsSmtpReplyParser) parser = ms_smtp_reply_parser_new ();
  gsize offset = 0;

  *consumed = 0;
  while (offset < length || length == 0)
    {
      gsize n = chunk == 0 ? length - offset : MIN (chunk, length - offset);
      gsize used = 0;
      MsSmtpParseStatus status = ms_smtp_reply_parser_feed (parser, data + offset, n, &used, error);

      g_assert_cmpuint (used, <=, n);
      *consumed += used;
      if (status == MS_SMTP_PARSE_ERROR)
        return NULL;
      if (status == MS_SMTP_PARSE_DONE)
        return ms_smtp_reply_parser_take_reply (parser);
      g_assert_cmpuint (used, ==, n);
      offset += n;
      if (length == 0)
        break;
    }

  return NULL;
}

static MsSmtpReply *
parse (const char  *text,
       gsize       *consumed,
       GError     **error)
{
  return parse_chunked (text, strlen (text), 0, consumed, error);
}

static void
assert_protocol_error (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsSmtpReply) reply = NULL;
  gsize consumed;

  reply = parse (text, &consumed, &error);
  if (reply != NULL)
    g_error ("parsed but should not: \"%s\"", text);
  g_assert_error (error, MS_ERROR, MS_ERROR_PROTOCOL_ERROR);
}

static void
test_single (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsSmtpReply) reply = NULL;
  g_autofree char *wire = NULL;
  gsize consumed;

  reply = parse ("250 OK\r\n", &consumed, &error);
  g_assert_no_error (error);
  g_assert_nonnull (reply);
  g_assert_cmpuint (reply->code, ==, 250);
  g_assert_cmpuint (consumed, ==, 8);
  g_assert_cmpuint (g_strv_length (reply->lines), ==, 1);
  g_assert_cmpstr (reply->lines[0], ==, "OK");
  g_assert_null (reply->enhanced);
  wire = ms_smtp_reply_to_wire (reply);
  g_assert_cmpstr (wire, ==, "250 OK");
}

/* P4 */
static void
test_codes (void)
{
  static const char *good[] = { "250\r\n", "250 text\r\n", "200 x\r\n", "554 x\r\n", "559 x\r\n",
                                "354 go ahead\n", "220 \r\n" };
  static const char *bad[] = { "25\r\n", "2500 x\r\n", "abc\r\n", "250x\r\n", "650 x\r\n",
                               "150 x\r\n", "260 x\r\n", "2a0 x\r\n", "\r\n", " 250 x\r\n",
                               "250\tx\r\n", "-250 x\r\n", "25 x\r\n" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MsSmtpReply) reply = NULL;
      gsize consumed;

      reply = parse (good[i], &consumed, &error);
      g_assert_no_error (error);
      g_assert_nonnull (reply);
      g_assert_cmpuint (consumed, ==, strlen (good[i]));
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    assert_protocol_error (bad[i]);
}

static void
test_bare_code (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsSmtpReply) reply = NULL;
  g_autofree char *wire = NULL;
  gsize consumed;

  reply = parse ("250\r\n", &consumed, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reply->code, ==, 250);
  g_assert_cmpstr (reply->lines[0], ==, "");
  wire = ms_smtp_reply_to_wire (reply);
  g_assert_cmpstr (wire, ==, "250");
}

static void
test_multiline (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsSmtpReply) reply = NULL;
  g_autofree char *wire = NULL;
  g_autofree char *display = NULL;
  const char *text = "250-smtp.example.com Hello\r\n250-SIZE 1000\r\n250-\r\n250 8BITMIME\r\n";
  gsize consumed;

  reply = parse (text, &consumed, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (consumed, ==, strlen (text));
  g_assert_cmpuint (g_strv_length (reply->lines), ==, 4);
  g_assert_cmpstr (reply->lines[2], ==, "");
  g_assert_cmpstr (reply->lines[3], ==, "8BITMIME");
  wire = ms_smtp_reply_to_wire (reply);
  g_assert_cmpstr (wire, ==, "250-smtp.example.com Hello\r\n250-SIZE 1000\r\n250-\r\n250 8BITMIME");
  display = ms_smtp_reply_to_display (reply);
  g_assert_cmpstr (display, ==, "250-smtp.example.com Hello | 250-SIZE 1000 | 250- | 250 8BITMIME");
}

/* The parser stops at the reply's end: the rest stays with the caller
 * (S6-S8 rely on this). */
static void
test_leftover (void)
{
  const char *text = "220 Ready\r\n250-x\r\n250 AUTH PLAIN\r\n";
  g_autoptr(MsSmtpReplyParser) parser = ms_smtp_reply_parser_new ();
  g_autoptr(MsSmtpReply) first = NULL;
  g_autoptr(MsSmtpReply) second = NULL;
  g_autoptr(GError) error = NULL;
  gsize consumed, more;

  g_assert_cmpint (ms_smtp_reply_parser_feed (parser, text, strlen (text), &consumed, &error),
                   ==, MS_SMTP_PARSE_DONE);
  g_assert_no_error (error);
  g_assert_cmpuint (consumed, ==, strlen ("220 Ready\r\n"));

  /* A reply waiting to be taken: nothing more is consumed. */
  g_assert_cmpint (ms_smtp_reply_parser_feed (parser, text + consumed, 3, &more, &error),
                   ==, MS_SMTP_PARSE_DONE);
  g_assert_cmpuint (more, ==, 0);

  first = ms_smtp_reply_parser_take_reply (parser);
  g_assert_cmpuint (first->code, ==, 220);
  g_assert_null (ms_smtp_reply_parser_take_reply (parser));

  g_assert_cmpint (ms_smtp_reply_parser_feed (parser, text + consumed, strlen (text) - consumed,
                                              &more, &error), ==, MS_SMTP_PARSE_DONE);
  g_assert_cmpuint (consumed + more, ==, strlen (text));
  second = ms_smtp_reply_parser_take_reply (parser);
  g_assert_cmpuint (second->code, ==, 250);
  g_assert_cmpstr (second->lines[1], ==, "AUTH PLAIN");
}

/* Pipelined replies in one buffer, fed whole and byte by byte: the same
 * replies in order, each consumed exactly. */
static void
test_pipelined (void)
{
  const char *text = "250 2.1.0 Ok\r\n250-2.1.5 Ok\r\n250 2.1.5 still\n354 End data with <CR><LF>.<CR><LF>\r\n";
  static const guint codes[] = { 250, 250, 354 };
  gsize length = strlen (text);

  for (gsize chunk = 1; chunk <= length; chunk += length - 1)
    {
      g_autoptr(MsSmtpReplyParser) parser = ms_smtp_reply_parser_new ();
      gsize offset = 0;
      guint n = 0;

      while (offset < length)
        {
          g_autoptr(GError) error = NULL;
          gsize used = 0, size = MIN (chunk, length - offset);
          MsSmtpParseStatus status = ms_smtp_reply_parser_feed (parser, text + offset, size, &used, &error);

          g_assert_no_error (error);
          offset += used;
          if (status == MS_SMTP_PARSE_DONE)
            {
              g_autoptr(MsSmtpReply) reply = ms_smtp_reply_parser_take_reply (parser);

              g_assert_cmpuint (n, <, G_N_ELEMENTS (codes));
              g_assert_cmpuint (reply->code, ==, codes[n]);
              n++;
            }
          else
            g_assert_cmpuint (used, ==, size);
        }
      g_assert_cmpuint (n, ==, 3);
    }
}

/* A partial line after the reply is left unconsumed too (S7). */
static void
test_partial_leftover (void)
{
  const char *text = "220 Ready\r\n250-AUTH PL";
  g_autoptr(GError) error = NULL;
  g_autoptr(MsSmtpReply) reply = NULL;
  gsize consumed;

  reply = parse (text, &consumed, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reply->code, ==, 220);
  g_assert_cmpuint (consumed, ==, 11);
}

/* P5 */
static void
test_mixed_codes (void)
{
  assert_protocol_error ("250-a\r\n251 b\r\n");
  assert_protocol_error ("250-a\r\n250-b\r\n550 c\r\n");
  assert_protocol_error ("250-a\r\nfoo\r\n");
}

/* P6 */
static void
test_lf_only (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsSmtpReply) reply = NULL;
  gsize consumed;

  reply = parse ("250-a\n250-b\r\n250 c\n", &consumed, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (consumed, ==, 19);
  g_assert_cmpstr (reply->lines[0], ==, "a");
  g_assert_cmpstr (reply->lines[1], ==, "b");
  g_assert_cmpstr (reply->lines[2], ==, "c");
}

static void
test_bare_cr (void)
{
  assert_protocol_error ("250 a\rb\r\n");
  assert_protocol_error ("250 a\r\r\n");
}

/* P3 */
static void
test_nul (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsSmtpReply) reply = NULL;
  gsize consumed;
  const char text[] = "250 a\0b\r\n";

  reply = parse_chunked (text, sizeof text - 1, 0, &consumed, &error);
  g_assert_null (reply);
  g_assert_error (error, MS_ERROR, MS_ERROR_PROTOCOL_ERROR);
  g_clear_error (&error);

  reply = parse_chunked ("\0" "250 x\r\n", 8, 0, &consumed, &error);
  g_assert_error (error, MS_ERROR, MS_ERROR_PROTOCOL_ERROR);
  g_clear_error (&error);

  reply = parse_chunked ("250-x\r\n\0", 8, 1, &consumed, &error);
  g_assert_error (error, MS_ERROR, MS_ERROR_PROTOCOL_ERROR);
}

static char *
make_line (const char *prefix,
           gsize       total,
           const char *end)
{
  GString *s = g_string_new (prefix);

  while (s->len + strlen (end) < total)
    g_string_append_c (s, 'x');
  g_string_append (s, end);

  return g_string_free (s, FALSE);
}

/* P2 */
static void
test_long_line (void)
{
  g_autofree char *line512 = make_line ("250 ", 512, "\r\n");
  g_autofree char *at_cap = make_line ("250 ", MS_SMTP_MAX_LINE, "\r\n");
  g_autofree char *at_cap_lf = make_line ("250 ", MS_SMTP_MAX_LINE, "\n");
  g_autofree char *past_cap = make_line ("250 ", MS_SMTP_MAX_LINE + 1, "\r\n");
  g_autoptr(MsSmtpReplyParser) parser = ms_smtp_reply_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *chunk = g_malloc (1024);
  gsize total = 0, consumed;
  MsSmtpParseStatus status = MS_SMTP_PARSE_NEED_MORE;

  for (const char *ok[] = { line512, at_cap, at_cap_lf }, **p = ok; p < ok + 3; p++)
    {
      g_autoptr(MsSmtpReply) reply = parse (*p, &consumed, &error);

      g_assert_no_error (error);
      g_assert_nonnull (reply);
    }
  assert_protocol_error (past_cap);

  /* 64 KiB without LF: fails once the cap is passed, having used no more. */
  memset (chunk, 'x', 1024);
  memcpy (chunk, "250 ", 4);
  while (total < 64 * 1024 && status == MS_SMTP_PARSE_NEED_MORE)
    {
      status = ms_smtp_reply_parser_feed (parser, chunk, 1024, &consumed, &error);
      total += consumed;
      chunk[0] = 'x';
    }
  g_assert_cmpint (status, ==, MS_SMTP_PARSE_ERROR);
  g_assert_error (error, MS_ERROR, MS_ERROR_PROTOCOL_ERROR);
  g_assert_cmpuint (total, <=, MS_SMTP_MAX_LINE);

  /* It stays failed until reset. */
  g_clear_error (&error);
  status = ms_smtp_reply_parser_feed (parser, "250 x\r\n", 7, &consumed, &error);
  g_assert_cmpint (status, ==, MS_SMTP_PARSE_ERROR);
  g_clear_error (&error);
  ms_smtp_reply_parser_reset (parser);
  status = ms_smtp_reply_parser_feed (parser, "250 x\r\n", 7, &consumed, &error);
  g_assert_cmpint (status, ==, MS_SMTP_PARSE_DONE);
  g_assert_no_error (error);
}

static char *
make_reply (guint lines)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i + 1 < lines; i++)
    g_string_append_printf (s, "250-LINE%u\r\n", i);
  g_string_append (s, "250 END\r\n");

  return g_string_free (s, FALSE);
}

/* P1 */
static void
test_line_count (void)
{
  g_autofree char *fifty = make_reply (50);
  g_autofree char *at_cap = make_reply (MS_SMTP_MAX_LINES);
  g_autofree char *past_cap = make_reply (MS_SMTP_MAX_LINES + 1);
  g_autofree char *thousand = make_reply (1000);
  g_autoptr(GError) error = NULL;
  g_autoptr(MsSmtpReply) reply = NULL;
  g_autoptr(MsSmtpReply) reply2 = NULL;
  gsize consumed;

  reply = parse (fifty, &consumed, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (reply->lines), ==, 50);
  reply2 = parse (at_cap, &consumed, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (reply2->lines), ==, MS_SMTP_MAX_LINES);

  assert_protocol_error (past_cap);
  assert_protocol_error (thousand);
}

/* The outcome of parsing, as a string, to compare splits with. */
static char *
outcome (const char *data,
         gsize       length,
         gsize       chunk)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsSmtpReply) reply = NULL;
  g_autofree char *wire = NULL;
  gsize consumed;

  reply = parse_chunked (data, length, chunk, &consumed, &error);
  if (error != NULL)
    return g_strdup_printf ("error %d", error->code);
  if (reply == NULL)
    return g_strdup_printf ("need-more %" G_GSIZE_FORMAT, consumed);
  wire = ms_smtp_reply_to_wire (reply);

  return g_strdup_printf ("%u [%s] %" G_GSIZE_FORMAT " %s", reply->code,
                          reply->enhanced ? reply->enhanced : "-", consumed, wire);
}

static char *
outcome_split (const char *data,
               gsize       length,
               gsize       a,
               gsize       b)
{
  g_autoptr(MsSmtpReplyParser) parser = ms_smtp_reply_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(MsSmtpReply) reply = NULL;
  g_autofree char *wire = NULL;
  gsize cuts[] = { 0, a, b, length };
  gsize total = 0;

  for (guint i = 0; i < 3 && reply == NULL && error == NULL; i++)
    {
      gsize used = 0;
      MsSmtpParseStatus status;

      status = ms_smtp_reply_parser_feed (parser, data + cuts[i], cuts[i + 1] - cuts[i], &used, &error);
      total += used;
      if (status == MS_SMTP_PARSE_DONE)
        reply = ms_smtp_reply_parser_take_reply (parser);
    }
  if (error != NULL)
    return g_strdup_printf ("error %d", error->code);
  if (reply == NULL)
    return g_strdup_printf ("need-more %" G_GSIZE_FORMAT, total);
  wire = ms_smtp_reply_to_wire (reply);

  return g_strdup_printf ("%u [%s] %" G_GSIZE_FORMAT " %s", reply->code,
                          reply->enhanced ? reply->enhanced : "-", total, wire);
}

/* P7: every split point (two and three pieces), and 1-byte reads. */
static void
test_split (void)
{
  static const char *samples[] = {
    "250 OK\r\n",
    "250\r\n",
    "220 Ready\r\n250-x\r\n250 AUTH PLAIN\r\n",
    "250-smtp.example.com\r\n250-AUTH=PLAIN LOGIN\r\n250-SIZE 35882577\n250 8BITMIME\r\n",
    "534-5.7.9 Application-specific password required.\r\n534 5.7.9 Learn more\r\n",
    "250-a\r\n251 b\r\n",
    "25\r\n",
    "250 a\rb\r\n",
    "250-partial",
    "650 x\r\n",
    "250 x\r\n\r\n",
  };

  for (guint s = 0; s < G_N_ELEMENTS (samples); s++)
    {
      const char *data = samples[s];
      gsize length = strlen (data);
      g_autofree char *whole = outcome (data, length, 0);
      g_autofree char *bytewise = outcome (data, length, 1);

      g_assert_cmpstr (whole, ==, bytewise);
      for (gsize a = 0; a <= length; a++)
        for (gsize b = a; b <= length; b++)
          {
            g_autofree char *split = outcome_split (data, length, a, b);

            if (g_strcmp0 (split, whole) != 0)
              g_error ("sample %u split at %" G_GSIZE_FORMAT ",%" G_GSIZE_FORMAT ": %s != %s",
                       s, a, b, split, whole);
          }
    }
}

static void
assert_enhanced (const char *text,
                 const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsSmtpReply) reply = NULL;
  gsize consumed;

  reply = parse (text, &consumed, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (reply->enhanced, ==, expected);
}

static void
test_enhanced (void)
{
  assert_enhanced ("534-5.7.9 Application-specific password required.\r\n534 5.7.9 x\r\n", "5.7.9");
  assert_enhanced ("250 2.0.0 OK\r\n", "2.0.0");
  assert_enhanced ("250 2.0.0\r\n", "2.0.0");
  assert_enhanced ("550 5.4.5 Daily user sending limit exceeded\r\n", "5.4.5");
  assert_enhanced ("421 4.123.456 x\r\n", "4.123.456");
  assert_enhanced ("250 2.0 OK\r\n", NULL);
  assert_enhanced ("250 2.0.0x\r\n", NULL);
  assert_enhanced ("550 4.7.0 class mismatch\r\n", NULL);
  assert_enhanced ("250 3.0.0 x\r\n", NULL);
  assert_enhanced ("250 2.1234.0 x\r\n", NULL);
  assert_enhanced ("250 OK 2.0.0\r\n", NULL);
  assert_enhanced ("250\r\n", NULL);
}

/* Server text shown to people is escaped (L6). */
static void
test_display_escapes (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsSmtpReply) reply = NULL;
  g_autofree char *display = NULL;
  gsize consumed;

  reply = parse ("554 \x1b[31mred\x7f\r\n", &consumed, &error);
  g_assert_no_error (error);
  display = ms_smtp_reply_to_display (reply);
  g_assert_null (strchr (display, '\x1b'));
  g_assert_null (strchr (display, '\x7f'));
  g_assert_true (g_str_has_prefix (display, "554 "));
  g_assert_nonnull (strstr (display, "red"));
}

static MsSmtpCapabilities *
caps_from (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsSmtpReply) reply = NULL;
  gsize consumed;

  reply = parse (text, &consumed, &error);
  g_assert_no_error (error);

  return ms_smtp_capabilities_parse (reply);
}

static void
test_ehlo_basic (void)
{
  g_autoptr(MsSmtpCapabilities) caps = NULL;
  g_auto(GStrv) strv = NULL;
  g_auto(GStrv) mechs = NULL;

  caps = caps_from ("250-smtp.gmail.com at your service, [1.2.3.4]\r\n"
                    "250-SIZE 35882577\r\n"
                    "250-8BITMIME\r\n"
                    "250-AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH\r\n"
                    "250-ENHANCEDSTATUSCODES\r\n"
                    "250-PIPELINING\r\n"
                    "250-CHUNKING\r\n"
                    "250 SMTPUTF8\r\n");
  g_assert_cmpstr (ms_smtp_capabilities_get_domain (caps), ==, "smtp.gmail.com");
  g_assert_true (ms_smtp_capabilities_has (caps, "8BITMIME"));
  g_assert_true (ms_smtp_capabilities_has (caps, "pipelining"));
  g_assert_true (ms_smtp_capabilities_has (caps, "SMTPUTF8"));
  g_assert_false (ms_smtp_capabilities_has (caps, "STARTTLS"));
  g_assert_false (ms_smtp_capabilities_has (caps, "smtp.gmail.com"));
  g_assert_cmpuint (ms_smtp_capabilities_get_size (caps), ==, 35882577);
  g_assert_cmpstr (ms_smtp_capabilities_get_params (caps, "size"), ==, "35882577");
  g_assert_cmpstr (ms_smtp_capabilities_get_params (caps, "CHUNKING"), ==, "");
  g_assert_null (ms_smtp_capabilities_get_params (caps, "DSN"));
  g_assert_true (ms_smtp_capabilities_has_auth (caps, "PLAIN"));
  g_assert_true (ms_smtp_capabilities_has_auth (caps, "login"));
  g_assert_false (ms_smtp_capabilities_has_auth (caps, "CRAM-MD5"));

  mechs = ms_smtp_capabilities_auth_mechanisms (caps);
  g_assert_cmpuint (g_strv_length (mechs), ==, 6);
  g_assert_cmpstr (mechs[0], ==, "LOGIN");
  g_assert_cmpstr (mechs[2], ==, "XOAUTH2");

  strv = ms_smtp_capabilities_to_strv (caps);
  g_assert_cmpuint (g_strv_length (strv), ==, 7);
  g_assert_cmpstr (strv[0], ==, "SIZE 35882577");
  g_assert_cmpstr (strv[2], ==, "AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH");
}

/* P8 */
static void
test_ehlo_exact (void)
{
  g_autoptr(MsSmtpCapabilities) old_form = caps_from ("250-x\r\n250 AUTH=PLAIN LOGIN\r\n");
  g_autoptr(MsSmtpCapabilities) plainx = caps_from ("250-x\r\n250 AUTH PLAINX\r\n");
  g_autoptr(MsSmtpCapabilities) lower = caps_from ("250-x\r\n250 auth plain\r\n");
  g_autoptr(MsSmtpCapabilities) xauth = caps_from ("250-x\r\n250 X-AUTH PLAIN\r\n");
  g_autoptr(MsSmtpCapabilities) prefix = caps_from ("250-x\r\n250-STARTTLSX\r\n250 AUTHX PLAIN\r\n");
  g_autoptr(MsSmtpCapabilities) only = caps_from ("250 x\r\n");

  g_assert_true (ms_smtp_capabilities_has (old_form, "AUTH"));
  g_assert_true (ms_smtp_capabilities_has_auth (old_form, "PLAIN"));
  g_assert_true (ms_smtp_capabilities_has_auth (old_form, "LOGIN"));

  g_assert_true (ms_smtp_capabilities_has (plainx, "AUTH"));
  g_assert_false (ms_smtp_capabilities_has_auth (plainx, "PLAIN"));
  g_assert_true (ms_smtp_capabilities_has_auth (plainx, "PLAINX"));

  g_assert_true (ms_smtp_capabilities_has (lower, "AUTH"));
  g_assert_true (ms_smtp_capabilities_has_auth (lower, "PLAIN"));

  g_assert_false (ms_smtp_capabilities_has (xauth, "AUTH"));
  g_assert_false (ms_smtp_capabilities_has_auth (xauth, "PLAIN"));
  g_assert_true (ms_smtp_capabilities_has (xauth, "X-AUTH"));

  g_assert_false (ms_smtp_capabilities_has (prefix, "STARTTLS"));
  g_assert_false (ms_smtp_capabilities_has (prefix, "AUTH"));
  g_assert_false (ms_smtp_capabilities_has_auth (prefix, "PLAIN"));

  g_assert_cmpstr (ms_smtp_capabilities_get_domain (only), ==, "x");
  g_assert_false (ms_smtp_capabilities_has (only, "x"));
}

static void
test_ehlo_auth_merge (void)
{
  g_autoptr(MsSmtpCapabilities) caps = NULL;
  g_auto(GStrv) mechs = NULL;

  caps = caps_from ("250-x\r\n250-AUTH LOGIN  plain\r\n250-AUTH=LOGIN PLAIN\r\n250 AUTH  CRAM-MD5 \r\n");
  mechs = ms_smtp_capabilities_auth_mechanisms (caps);
  g_assert_cmpuint (g_strv_length (mechs), ==, 3);
  g_assert_cmpstr (mechs[0], ==, "LOGIN");
  g_assert_cmpstr (mechs[1], ==, "PLAIN");
  g_assert_cmpstr (mechs[2], ==, "CRAM-MD5");
}

static void
test_ehlo_size (void)
{
  static const struct { const char *line; guint64 size; } cases[] = {
    { "250 SIZE 1000", 1000 },
    { "250 SIZE", 0 },
    { "250 SIZE 0", 0 },
    { "250 SIZE abc", 0 },
    { "250 SIZE -5", 0 },
    { "250 SIZE 99999999999999999999999", 0 },
    { "250 size 52428800", 52428800 },
    { "250 SIZEX 10", 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strdup_printf ("250-x\r\n%s\r\n", cases[i].line);
      g_autoptr(MsSmtpCapabilities) caps = caps_from (text);

      g_assert_cmpuint (ms_smtp_capabilities_get_size (caps), ==, cases[i].size);
    }
}

/* Lines that are not keywords are listed, never matched. */
static void
test_ehlo_junk (void)
{
  g_autoptr(MsSmtpCapabilities) caps = caps_from ("250-x\r\n250- STARTTLS\r\n250-=AUTH PLAIN\r\n"
                                                  "250-SIZE=10\r\n250 -PIPELINING\r\n");
  g_auto(GStrv) strv = ms_smtp_capabilities_to_strv (caps);

  g_assert_cmpuint (g_strv_length (strv), ==, 4);
  g_assert_false (ms_smtp_capabilities_has (caps, "STARTTLS"));
  g_assert_false (ms_smtp_capabilities_has (caps, "AUTH"));
  g_assert_false (ms_smtp_capabilities_has (caps, "SIZE"));
  g_assert_false (ms_smtp_capabilities_has (caps, "PIPELINING"));
  g_assert_cmpuint (ms_smtp_capabilities_get_size (caps), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/ms/reply/single", test_single);
  g_test_add_func ("/ms/reply/codes", test_codes);
  g_test_add_func ("/ms/reply/bare-code", test_bare_code);
  g_test_add_func ("/ms/reply/multiline", test_multiline);
  g_test_add_func ("/ms/reply/leftover", test_leftover);
  g_test_add_func ("/ms/reply/pipelined", test_pipelined);
  g_test_add_func ("/ms/reply/partial-leftover", test_partial_leftover);
  g_test_add_func ("/ms/reply/mixed-codes", test_mixed_codes);
  g_test_add_func ("/ms/reply/lf-only", test_lf_only);
  g_test_add_func ("/ms/reply/bare-cr", test_bare_cr);
  g_test_add_func ("/ms/reply/nul", test_nul);
  g_test_add_func ("/ms/reply/long-line", test_long_line);
  g_test_add_func ("/ms/reply/line-count", test_line_count);
  g_test_add_func ("/ms/reply/split", test_split);
  g_test_add_func ("/ms/reply/enhanced", test_enhanced);
  g_test_add_func ("/ms/reply/display-escapes", test_display_escapes);
  g_test_add_func ("/ms/reply/ehlo-basic", test_ehlo_basic);
  g_test_add_func ("/ms/reply/ehlo-exact", test_ehlo_exact);
  g_test_add_func ("/ms/reply/ehlo-auth-merge", test_ehlo_auth_merge);
  g_test_add_func ("/ms/reply/ehlo-size", test_ehlo_size);
  g_test_add_func ("/ms/reply/ehlo-junk", test_ehlo_junk);

  return g_test_run ();
}
