/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fuzz-sendmail"

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ms-message.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* CRLF only, no NUL, lines within @max octets (a stuffing dot aside). */
static void
check_wire (GBytes   *bytes,
            gsize     max,
            gboolean  stuffed)
{
  gsize length, start = 0;
  const char *p = g_bytes_get_data (bytes, &length);

  for (gsize i = 0; i < length; i++)
    {
      if (p[i] == '\0' || (p[i] == '\r' && (i + 1 == length || p[i + 1] != '\n')))
        abort ();
      if (p[i] != '\n')
        continue;
      if (i == 0 || p[i - 1] != '\r')
        abort ();
      if (i - 1 - start > max + (stuffed && p[start] == '.' ? 1 : 0))
        abort ();
      start = i + 1;
    }
  if (start != length)
    abort ();
}

static void
check_normalised (GBytes *out)
{
  g_autoptr(GBytes) stuffed = ms_message_dot_stuff (out);
  g_autoptr(MsMessageInput) again = NULL;
  gsize length;
  const char *p;

  check_wire (out, MS_MESSAGE_MAX_LINE, FALSE);
  check_wire (stuffed, MS_MESSAGE_MAX_LINE, TRUE);
  p = g_bytes_get_data (stuffed, &length);
  if (length < 3 || memcmp (p + length - 3, ".\r\n", 3) != 0)
    abort ();

  /* What was sent, read again, holds no Bcc and has the added headers. */
  again = ms_message_parse_sendmail (out, TRUE, NULL);
  if (again == NULL || ms_message_input_get_header (again, "Bcc") != NULL
      || ms_message_input_get_header (again, "From") == NULL
      || ms_message_input_get_header (again, "Date") == NULL
      || ms_message_input_get_header (again, "Message-ID") == NULL)
    abort ();
}

/* The first byte chooses -i; the rest is the message. */
int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(MsMessageInput) input = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_utc (2026, 11, 28, 20, 0, 0);
  g_autofree char *id = NULL;
  g_auto(GStrv) recipients = NULL;

  if (size < 1)
    return 0;

  bytes = g_bytes_new (data + 1, size - 1);
  input = ms_message_parse_sendmail (bytes, data[0] & 1, NULL);
  if (input == NULL)
    return 0;

  recipients = ms_message_input_get_recipients (input);
  out = ms_message_normalise (input, "me@example.com", TRUE, now, &id, NULL);
  if (out != NULL)
    check_normalised (out);

  return 0;
}
