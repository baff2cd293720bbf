/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-aliases"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "ms-aliases.h"
#include "ms-error.h"

/* More than any real chain; it only bounds the work a hostile file causes. */
#define MAX_DEPTH 32

struct _MsAliases
{
  GHashTable *entries;    /* folded name -> GStrv of targets */
  GPtrArray  *warnings;   /* NULL-terminated */
};

static void
ms_aliases_warn (MsAliases  *self,
                 const char *origin,
                 guint       line,
                 const char *message)
{
  g_ptr_array_insert (self->warnings, self->warnings->len - 1,
                      g_strdup_printf ("%s:%u: %s", origin, line, message));
}

/* `|command`, `/file` and `:include:` entries: a message saying why the
 * target is skipped, or NULL for an address or a name. */
static char *
unsupported_target (const char *target)
{
  const char *t = target[0] == '"' ? target + 1 : target;

  if (t[0] == '|')
    /* Translators: %s is an entry of the aliases file, e.g. “|/usr/bin/procmail” */
    return g_strdup_printf (_("“%s” runs a command, which Mail Setup does not do: skipped."),
                            target);
  if (t[0] == '/')
    /* Translators: %s is an entry of the aliases file, e.g. “/var/mail/backup” */
    return g_strdup_printf (_("“%s” writes to a file, which Mail Setup does not do: skipped."),
                            target);
  if (g_ascii_strncasecmp (t, ":include:", 9) == 0)
    /* Translators: %s is an entry of the aliases file; keep :include: as is */
    return g_strdup_printf (_("“%s”: :include: lists are not supported: skipped."), target);

  return NULL;
}

static void
add_entry (MsAliases  *self,
           const char *origin,
           guint       line,
           const char *text)
{
  const char *colon = strchr (text, ':');
  g_autofree char *raw_name = NULL;
  g_autofree char *name = NULL;
  g_auto(GStrv) parts = NULL;
  g_autoptr(GPtrArray) targets = g_ptr_array_new_with_free_func (g_free);

  if (colon == NULL)
    {
      ms_aliases_warn (self, origin, line, _("This line has no “name:” and is ignored."));
      return;
    }

  raw_name = g_strndup (text, colon - text);
  name = g_ascii_strdown (g_strstrip (raw_name), -1);
  parts = g_strsplit (colon + 1, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *target = g_strstrip (parts[i]);
      g_autofree char *why = NULL;

      if (target[0] == '\0')
        continue;
      why = unsupported_target (target);
      if (why != NULL)
        ms_aliases_warn (self, origin, line, why);
      else
        g_ptr_array_add (targets, g_strdup (target[0] == '\\' ? target + 1 : target));
    }
  g_ptr_array_add (targets, NULL);

  if (name[0] == '\0' || g_hash_table_contains (self->entries, name))
    {
      ms_aliases_warn (self, origin, line, name[0] == '\0' ? _("This line has an empty name and is ignored.")
                                                           : _("This name was given before; this line is ignored."));
      return;
    }
  g_hash_table_insert (self->entries, g_steal_pointer (&name),
                       g_ptr_array_free (g_steal_pointer (&targets), FALSE));
}

/**
 * ms_aliases_new_from_data:
 * @data: the file's text
 * @origin: the file name, for warnings
 *
 * Returns: (transfer full): the aliases
 */
MsAliases *
ms_aliases_new_from_data (const char *data,
                          const char *origin)
{
  MsAliases *self = g_new0 (MsAliases, 1);
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) entry = g_string_new (NULL);
  guint entry_line = 0;

  g_return_val_if_fail (data != NULL && origin != NULL, NULL);

  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) g_strfreev);
  self->warnings = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->warnings, NULL);

  lines = g_strsplit (data, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = lines[i];

      g_strchomp (line);
      if (line[0] == '#' || (line[0] != ' ' && line[0] != '\t' && line[0] != '\0'))
        {
          if (entry->len > 0)
            add_entry (self, origin, entry_line, entry->str);
          g_string_truncate (entry, 0);
          entry_line = i + 1;
          if (line[0] != '#')
            g_string_append (entry, line);
        }
      else if (entry->len > 0)
        /* A continuation line: the list goes on. */
        g_string_append_printf (entry, ",%s", line);
    }
  if (entry->len > 0)
    add_entry (self, origin, entry_line, entry->str);

  return self;
}

/**
 * ms_aliases_load:
 * @config_dir: (nullable): the config folder (`--config-dir`), or %NULL for
 *   the environment's
 * @error: where to put an error
 *
 * Reads `aliases` in the config folder. A missing file is an empty list.
 *
 * Errors: %MS_ERROR_CONFIG_INVALID when the file exists and cannot be read.
 *
 * Returns: (transfer full) (nullable): the aliases
 */
MsAliases *
ms_aliases_load (const char  *config_dir,
                 GError     **error)
{
  g_autofree char *path = g_build_filename (config_dir, MS_ALIASES_FILE, NULL);
  g_autofree char *data = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (config_dir != NULL, NULL);

  if (!g_file_get_contents (path, &data, NULL, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return ms_aliases_new_from_data ("", path);
      g_set_error (error, MS_ERROR, MS_ERROR_CONFIG_INVALID, "%s", local_error->message);
      return NULL;
    }

  return ms_aliases_new_from_data (data, path);
}

void
ms_aliases_free (MsAliases *aliases)
{
  if (aliases == NULL)
    return;

  g_hash_table_unref (aliases->entries);
  g_ptr_array_unref (aliases->warnings);
  g_free (aliases);
}

/**
 * ms_aliases_get_warnings:
 * @aliases: the aliases
 *
 * Returns: (transfer none): one line per entry that was skipped or
 *   ignored, "FILE:LINE: why", in the user's language
 */
const char * const *
ms_aliases_get_warnings (MsAliases *aliases)
{
  g_return_val_if_fail (aliases != NULL, NULL);

  return (const char * const *) aliases->warnings->pdata;
}

/**
 * ms_address_is_local_name:
 * @address: an address as a program wrote it
 *
 * Returns: whether @address is a local name ("root"): not empty, no `@`
 */
gboolean
ms_address_is_local_name (const char *address)
{
  return address != NULL && address[0] != '\0' && strchr (address, '@') == NULL;
}

static void
add_unique (GPtrArray  *out,
            const char *address)
{
  for (guint i = 0; i < out->len; i++)
    {
      if (g_ascii_strcasecmp (g_ptr_array_index (out, i), address) == 0)
        return;
    }
  g_ptr_array_add (out, g_strdup (address));
}

/* @path holds the names being expanded above this one: meeting one of them
 * again is a loop. */
static void
expand (MsAliases  *self,
        const char *name,
        GPtrArray  *path,
        const char *own_address,
        GPtrArray  *out)
{
  g_autofree char *key = g_ascii_strdown (name, -1);
  const char * const *targets = g_hash_table_lookup (self->entries, key);
  guint before = out->len;

  if (targets == NULL && !g_strv_contains ((const char * const *) path->pdata, "default"))
    {
      g_free (key);
      key = g_strdup ("default");
      targets = g_hash_table_lookup (self->entries, key);
    }
  if (targets == NULL || path->len > MAX_DEPTH
      || g_strv_contains ((const char * const *) path->pdata, key))
    {
      add_unique (out, own_address);
      return;
    }

  g_ptr_array_insert (path, path->len - 1, key);
  for (guint i = 0; targets[i] != NULL; i++)
    {
      if (ms_address_is_local_name (targets[i]))
        expand (self, targets[i], path, own_address, out);
      else
        add_unique (out, targets[i]);
    }
  g_ptr_array_remove_index (path, path->len - 2);

  /* Every target was skipped (a command, a file): the mail still arrives. */
  if (out->len == before)
    add_unique (out, own_address);
}

/**
 * ms_aliases_resolve:
 * @aliases: the aliases
 * @address: an address, or a local name ("root")
 * @own_address: the account's own address
 *
 * An address with a domain is returned as it is. A local name is looked
 * up, following names it points to; a name not found goes to `default:`
 * when there is one, and a name not found otherwise, or caught in a loop,
 * goes to @own_address.
 *
 * Returns: (transfer full): the addresses, each once, never empty
 */
char **
ms_aliases_resolve (MsAliases  *aliases,
                    const char *address,
                    const char *own_address)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) path = g_ptr_array_new ();

  g_return_val_if_fail (aliases != NULL && address != NULL && own_address != NULL, NULL);

  g_ptr_array_add (path, NULL);
  if (ms_address_is_local_name (address))
    expand (aliases, address, path, own_address, out);
  else
    add_unique (out, address);
  g_ptr_array_add (out, NULL);

  return (char **) g_ptr_array_free (g_steal_pointer (&out), FALSE);
}
