/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fuzz-validate"

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ms-message.h"
#include "ms-validate.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* A valid host normalises to itself. */
static void
check_host (const char *text)
{
  gboolean literal = FALSE, again_literal = FALSE;
  g_autofree char *host = ms_validate_host ("Server", text, &literal, NULL);
  g_autofree char *again = NULL;

  if (host == NULL)
    return;
  if (strpbrk (host, " \r\n\t/@") != NULL || strlen (host) > 253)
    abort ();
  again = ms_validate_host ("Server", host, &again_literal, NULL);
  if (again == NULL || strcmp (again, host) != 0 || again_literal != literal)
    abort ();
}

static void
check_address (const char *text)
{
  const char *at;

  if (!ms_validate_address ("Email address", text, NULL))
    return;
  at = strrchr (text, '@');
  if (strpbrk (text, " <>\r\n\t\"") != NULL || at == NULL || at - text > 64)
    abort ();
}

/* Header text built from a value that passed the checks never breaks a
 * line, other than the "CRLF SP" of a fold. */
static void
check_header_text (const char *text)
{
  g_autofree char *encoded = NULL;
  g_autofree char *mailbox = NULL;

  if (!ms_validate_display_name (text, NULL))
    return;
  encoded = ms_message_encode_text (text);
  mailbox = ms_message_format_mailbox (text, "me@example.com");
  for (const char *s = encoded; *s != '\0'; s++)
    if ((*s == '\r' && (s[1] != '\n' || s[2] != ' ')) || (*s == '\n' && (s == encoded || s[-1] != '\r')))
      abort ();
  for (const char *s = mailbox; *s != '\0'; s++)
    if ((*s == '\r' && (s[1] != '\n' || s[2] != ' ')) || (*s == '\n' && (s == mailbox || s[-1] != '\r')))
      abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_auto(GStrv) list = NULL;
  guint16 port;

  check_host (text);
  check_address (text);
  check_header_text (text);
  ms_validate_port ("Port", text, &port, NULL);
  ms_validate_account_id (text, NULL);
  ms_validate_pin (text, NULL);
  list = ms_message_parse_address_list (text);
  for (guint i = 0; list[i] != NULL; i++)
    if (list[i][0] == '\0')
      abort ();

  return 0;
}
