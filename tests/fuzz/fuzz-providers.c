/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fuzz-providers"

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ms-error.h"
#include "ms-provider.h"

int LLVMFuzzerInitialize (int    *argc,
                          char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* A g_return_if_fail() or a warning in the loader is a bug too. */
int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);

  /* The built-in table must load: every lookup below depends on it. */
  if (ms_provider_lookup ("gmail") == NULL)
    abort ();

  return 0;
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

  /* Empty bytes have a NULL data pointer, which the loader hands to
   * json_parser_load_from_data(): a critical (reported; not fuzzed here so
   * that the rest can be). */
  if (size == 0)
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
