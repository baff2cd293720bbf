/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-provider-strings"

#include "config.h"

#include <stdio.h>

#include "ms-provider.h"

/*
 * A build tool: writes the human strings of providers.json as XML, which
 * xgettext reads with po/its/providers.its (gettext 0.21 has no JSON
 * extractor; po/README.md). The strings come from the core's own parser,
 * so the catalogue holds exactly what the program translates.
 *
 *   ms-provider-strings providers.json providers.json.i18n
 */

static void
write_string (GString                *out,
              const MsProviderString *string)
{
  g_autofree char *text = g_markup_escape_text (string->text, -1);
  g_autofree char *note = NULL;

  /* Where the string is tells the translator what it is for. */
  if (string->translators != NULL)
    note = g_markup_printf_escaped ("%s. %s", string->where, string->translators);
  else
    note = g_markup_escape_text (string->where, -1);
  g_string_append_printf (out, "  <string context=\"provider\" comments=\"%s\">%s</string>\n",
                          note, text);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) strings = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *json = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize length = 0;

  if (argc != 3)
    {
      g_printerr ("usage: %s providers.json OUTPUT\n", argv[0]);
      return 2;
    }
  if (!g_file_get_contents (argv[1], &json, &length, &error))
    goto fail;
  bytes = g_bytes_new_take (g_steal_pointer (&json), length);
  strings = ms_provider_collect_strings (bytes, &error);
  if (strings == NULL)
    goto fail;
  g_string_append (out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                        "<!-- Generated from providers.json by ms-provider-strings; "
                        "do not edit. -->\n<provider-strings>\n");
  for (guint i = 0; i < strings->len; i++)
    write_string (out, g_ptr_array_index (strings, i));
  g_string_append (out, "</provider-strings>\n");
  if (!g_file_set_contents (argv[2], out->str, (gssize) out->len, &error))
    goto fail;
  return 0;

fail:
  g_printerr ("%s: %s\n", argv[0], error->message);
  return 1;
}
