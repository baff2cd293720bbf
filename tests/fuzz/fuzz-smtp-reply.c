/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fuzz-smtp-reply"

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ms-smtp-reply.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* Runs every reply in @data through the parser, feeding chunks whose sizes
 * come from @seed (or everything at once when @whole), and describes what
 * happened. */
static char *
run (const char *data,
     gsize       size,
     gboolean    whole,
     guint32     seed)
{
  g_autoptr(MsSmtpReplyParser) parser = ms_smtp_reply_parser_new ();
  GString *log = g_string_new (NULL);
  gsize offset = 0, pending = 0;

  while (offset < size)
    {
      g_autoptr(GError) error = NULL;
      gsize chunk, used = 0;
      MsSmtpParseStatus status;

      if (pending == 0)
        {
          seed = seed * 1103515245 + 12345;
          pending = whole ? size : 1 + (seed >> 16) % 17;
        }
      chunk = MIN (pending, size - offset);
      status = ms_smtp_reply_parser_feed (parser, data + offset, chunk, &used, &error);
      if (used > chunk)
        abort ();
      offset += used;
      pending -= used;

      if (status == MS_SMTP_PARSE_ERROR)
        {
          g_string_append_printf (log, "error@%" G_GSIZE_FORMAT, offset);
          break;
        }
      if (status == MS_SMTP_PARSE_DONE)
        {
          g_autoptr(MsSmtpReply) reply = ms_smtp_reply_parser_take_reply (parser);
          g_autoptr(MsSmtpCapabilities) caps = ms_smtp_capabilities_parse (reply);
          g_autofree char *wire = ms_smtp_reply_to_wire (reply);
          g_autofree char *display = ms_smtp_reply_to_display (reply);
          g_auto(GStrv) mechs = ms_smtp_capabilities_auth_mechanisms (caps);
          g_auto(GStrv) lines = ms_smtp_capabilities_to_strv (caps);

          if (reply->code < 200 || reply->code > 559 || strchr (display, '\n') != NULL)
            abort ();
          ms_smtp_capabilities_has_auth (caps, "PLAIN");
          ms_smtp_capabilities_get_params (caps, "SIZE");
          if (g_strv_length (lines) + 1 > g_strv_length (reply->lines))
            abort ();
          g_string_append_printf (log, "%u/%s/%" G_GUINT64_FORMAT "/%u@%" G_GSIZE_FORMAT ";",
                                  reply->code, wire, ms_smtp_capabilities_get_size (caps),
                                  g_strv_length (mechs), offset);
        }
    }

  return g_string_free (log, FALSE);
}

/* The first four bytes pick the split; the result must not depend on it
 * (docs/security.md, P7). */
int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *whole = NULL;
  g_autofree char *split = NULL;
  guint32 seed;

  if (size < 4)
    return 0;

  memcpy (&seed, data, 4);
  whole = run ((const char *) data + 4, size - 4, TRUE, 0);
  split = run ((const char *) data + 4, size - 4, FALSE, seed);
  if (strcmp (whole, split) != 0)
    abort ();

  return 0;
}
