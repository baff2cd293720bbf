/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fuzz-providers"

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "ms-error.h"
#include "ms-provider.h"

int LLVMFuzzerInitialize (int    *argc,
                          char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

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

  /* The built-in table must load: every lookup below depends on it. */
  if (ms_provider_lookup ("gmail") == NULL)
    abort ();

  return 0;
}

/* The end of the string that starts at @i (a quote). */
static gsize
skip_string (const char *data,
             gsize       size,
             gsize       i)
{
  char quote = data[i];

  for (i++; i < size && data[i] != quote; i++)
    if (data[i] == '\\')
      i++;
  return MIN (i + 1, size);
}

/* The end of the value that starts at @i. */
static gsize
skip_value (const char *data,
            gsize       size,
            gsize       i)
{
  guint depth = 0;

  if (data[i] == '"' || data[i] == '\'')
    return skip_string (data, size, i);
  if (data[i] != '{' && data[i] != '[')
    {
      while (i < size && !g_ascii_isspace (data[i]) && strchr ("{}[],:\"'", data[i]) == NULL)
        i++;
      return MAX (i, 1);
    }
  while (i < size)
    {
      if (data[i] == '"' || data[i] == '\'')
        {
          i = skip_string (data, size, i);
          continue;
        }
      if (data[i] == '{' || data[i] == '[')
        depth++;
      else if ((data[i] == '}' || data[i] == ']') && --depth == 0)
        return i + 1;
      i++;
    }
  return size;
}

/* Past whitespace. Text that json-glib may take for comments ("//3") is not
 * skipped: such inputs are then not run, which costs little. */
static gsize
skip_blank (const char *data,
            gsize       size,
            gsize       i)
{
  while (i < size && g_ascii_isspace (data[i]))
    i++;
  return i;
}

/* Whether @data is one JSON value (not none), give or take whitespace, going by
 * brackets and quotes only. json-glib 1.6.6 leaks the tree it built when a
 * second top-level value follows the first ("5{}", "[1]{\"a\":{}}"): a
 * third-party leak (reported), so such inputs are not run, and the fuzzer
 * looks for leaks of our own instead. */
static gboolean
one_top_level_value (const char *data,
                     gsize       size)
{
  gsize i = skip_blank (data, size, 0);

  if (i == size)
    return FALSE;
  return skip_blank (data, size, skip_value (data, size, i)) == size;
}

/* The provider table's validator (the loader's own parser) takes any bytes:
 * it answers yes or no, and a no is always an `internal` error that names
 * providers.json. The same bytes always get the same answer. */
int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) again_error = NULL;
  gboolean valid, again;

  /* Empty input and documents with no value (whitespace, comments) are run
   * too: the loader used to raise criticals on them (fixed). Two values one
   * after the other are not: json-glib 1.6.6 leaks the first tree then. */
  if (size > 0 && !one_top_level_value ((const char *) data, size)
      && skip_blank ((const char *) data, size, 0) < size)
    return 0;

  valid = ms_provider_validate_data (bytes, &error);
  if (valid != (error == NULL))
    abort ();
  if (!valid && (!g_error_matches (error, MS_ERROR, MS_ERROR_INTERNAL)
                 || !g_str_has_prefix (error->message, "providers.json: ")))
    abort ();

  again = ms_provider_validate_data (bytes, &again_error);
  if (again != valid
      || (!valid && strcmp (error->message, again_error->message) != 0))
    abort ();

  return 0;
}
