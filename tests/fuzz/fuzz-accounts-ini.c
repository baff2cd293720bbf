/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fuzz-accounts-ini"

#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "ms-account-store.h"
#include "ms-error.h"

int LLVMFuzzerInitialize (int    *argc,
                          char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* What the store holds before each input: a failed load must leave it so. */
static const char good_file[] =
  "# two accounts\n"
  "[work]\n"
  "address=me@example.com\n"
  "host=smtp.example.com\n"
  "x-unknown=kept\n"
  "[home]\n"
  "address=me@example.org\n"
  "host=mail.example.org\n"
  "port=587\n"
  "security=starttls\n"
  "default=true\n";

static char *config_dir;
static char *path;

static void
remove_dir (void)
{
  g_unlink (path);
  g_rmdir (config_dir);
}

/* Known, reported, not ours: GLib 2.74's g_key_file_get_string() warns
 * "GError set over the top of a previous GError" for a value with a bad
 * escape and a backslash at its end ("display-name=\\m\\"). */
static const char *const known_messages[] = {
  "escape character at end of line",
};

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
  for (guint i = 0; i < G_N_ELEMENTS (known_messages); i++)
    if (strstr (message, known_messages[i]) != NULL)
      return;
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    abort ();
}

/* The folder lives in $TMPDIR when set (build-aux/fuzz points it at its
 * own folder on tmpfs, removed afterwards), else on tmpfs when there is one:
 * save() asks for fsync. Each process has its own, so parallel jobs
 * (-jobs=N) do not share it; a crashed one leaves its folder behind. */
int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autofree char *template = NULL;

  g_log_set_default_handler (fatal_log_handler, NULL);

  template = g_build_filename (g_getenv ("TMPDIR") == NULL
                               && g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR)
                               ? "/dev/shm" : g_get_tmp_dir (),
                               "fuzz-accounts-ini-XXXXXX", NULL);
  config_dir = g_mkdtemp (template) ? g_steal_pointer (&template) : NULL;
  if (config_dir == NULL)
    abort ();
  path = g_build_filename (config_dir, "accounts.ini", NULL);
  atexit (remove_dir);

  return 0;
}

static void
write_file (const void *data,
            gsize       size)
{
  FILE *file = fopen (path, "wb");

  if (file == NULL || fwrite (data, 1, size, file) != size || fclose (file) != 0)
    abort ();
}

static gboolean
same_account (MsAccount *a,
              MsAccount *b)
{
  return g_strcmp0 (ms_account_get_id (a), ms_account_get_id (b)) == 0
         && g_strcmp0 (ms_account_get_address (a), ms_account_get_address (b)) == 0
         && g_strcmp0 (ms_account_get_display_name (a), ms_account_get_display_name (b)) == 0
         && g_strcmp0 (ms_account_get_provider (a), ms_account_get_provider (b)) == 0
         && g_strcmp0 (ms_account_get_host (a), ms_account_get_host (b)) == 0
         && ms_account_get_port (a) == ms_account_get_port (b)
         && ms_account_get_security (a) == ms_account_get_security (b)
         && g_strcmp0 (ms_account_get_username (a), ms_account_get_username (b)) == 0
         && g_strcmp0 (ms_account_get_ca_file (a), ms_account_get_ca_file (b)) == 0
         && g_strcmp0 (ms_account_get_pin (a), ms_account_get_pin (b)) == 0
         && ms_account_get_default (a) == ms_account_get_default (b);
}

/* Every account valid, ids unique, exactly one default when any. */
static void
check_loaded (MsAccountStore *store)
{
  GListModel *model = G_LIST_MODEL (store);
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  guint defaults = 0, n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(MsAccount) account = g_list_model_get_item (model, i);
      g_autoptr(GError) error = NULL;

      if (!ms_account_validate (account, &error)
          || !g_hash_table_add (ids, (gpointer) ms_account_get_id (account)))
        abort ();
      defaults += ms_account_get_default (account);
    }
  if (n > 0 && defaults != 1)
    abort ();
}

/* A key that appears twice in a group ("password=a" then "password=b")
 * would survive a save in its first copy: the loader refuses such files
 * (fixed after this target found it), which the target checks. */
static gboolean
has_duplicate_key (const char *data,
                   gsize       size)
{
  g_autoptr(GKeyFile) input = g_key_file_new ();
  g_auto(GStrv) groups = NULL;

  if (!g_key_file_load_from_data (input, data, size, G_KEY_FILE_NONE, NULL))
    return FALSE;
  groups = g_key_file_get_groups (input, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      g_auto(GStrv) keys = g_key_file_get_keys (input, groups[i], NULL, NULL);
      g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

      for (guint j = 0; keys != NULL && keys[j] != NULL; j++)
        if (!g_hash_table_add (seen, keys[j]))
          return TRUE;
    }
  return FALSE;
}

/* What was saved holds no secret-looking key and reads back the same. */
static void
check_round_trip (MsAccountStore *store)
{
  g_autoptr(MsAccountStore) again = ms_account_store_new (config_dir);
  g_autoptr(GKeyFile) saved = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) groups = NULL;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (store));

  if (!ms_account_store_save (store, &error))
    abort ();
  if (!g_key_file_load_from_file (saved, path, G_KEY_FILE_NONE, NULL))
    abort ();
  groups = g_key_file_get_groups (saved, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      g_auto(GStrv) keys = g_key_file_get_keys (saved, groups[i], NULL, NULL);

      for (guint j = 0; keys != NULL && keys[j] != NULL; j++)
        {
          g_autofree char *lower = g_ascii_strdown (keys[j], -1);

          if (strstr (lower, "pass") || strstr (lower, "secret") || strstr (lower, "token"))
            abort ();
        }
    }

  if (!ms_account_store_load (again, &error)
      || g_list_model_get_n_items (G_LIST_MODEL (again)) != n)
    {
      g_autofree char *text = NULL;

      g_file_get_contents (path, &text, NULL, NULL);
      g_printerr ("the saved file does not read back (%s):\n%s\n",
                  error ? error->message : "a different number of accounts", text);
      abort ();
    }
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(MsAccount) a = g_list_model_get_item (G_LIST_MODEL (store), i);
      g_autoptr(MsAccount) b = g_list_model_get_item (G_LIST_MODEL (again), i);

      if (!same_account (a, b))
        {
          g_printerr ("account %u reads back different\n", i);
          abort ();
        }
    }
}

/* After the path: ", line N: " with N >= 1 (our own errors), or ": " (the
 * ones GKeyFile words itself). */
static gboolean
names_a_line (const char *message)
{
  const char *rest = message + strlen (path);
  char *end = NULL;
  guint64 line;

  if (g_str_has_prefix (rest, ": "))
    return TRUE;
  if (!g_str_has_prefix (rest, ", line "))
    return FALSE;
  line = g_ascii_strtoull (rest + strlen (", line "), &end, 10);
  return line >= 1 && g_str_has_prefix (end, ": ");
}

/* The error is config-invalid, names the file and a line (never line 0),
 * and is one line of UTF-8 text; the store still holds the good file's
 * accounts. */
static void
check_failed (MsAccountStore *store,
              const GError   *error)
{
  g_autoptr(MsAccount) first = NULL;

  if (!g_error_matches (error, MS_ERROR, MS_ERROR_CONFIG_INVALID)
      || !g_str_has_prefix (error->message, path)
      || !names_a_line (error->message)
      || strchr (error->message, '\n') != NULL
      || !g_utf8_validate (error->message, -1, NULL))
    {
      g_printerr ("bad error: %s\n", error->message);
      abort ();
    }

  if (g_list_model_get_n_items (G_LIST_MODEL (store)) != 2)
    abort ();
  first = g_list_model_get_item (G_LIST_MODEL (store), 0);
  if (g_strcmp0 (ms_account_get_id (first), "work") != 0)
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(MsAccountStore) store = ms_account_store_new (config_dir);
  g_autoptr(GError) error = NULL;

  write_file (good_file, sizeof good_file - 1);
  if (!ms_account_store_load (store, NULL))
    abort ();

  write_file (data, size);
  if (ms_account_store_load (store, &error))
    {
      check_loaded (store);
      if (has_duplicate_key ((const char *) data, size))
        abort ();
      check_round_trip (store);
    }
  else
    check_failed (store, error);

  return 0;
}
