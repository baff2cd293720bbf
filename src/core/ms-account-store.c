/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-account-store"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "ms-account-store.h"
#include "ms-error.h"
#include "ms-file-lock.h"
#include "ms-validate.h"

#define ACCOUNTS_FILE "accounts.ini"

struct _MsAccountStore
{
  GObject     parent_instance;

  MsPaths    *paths;
  char       *config_dir;
  char       *path;
  gboolean    is_default_dir;
  GPtrArray  *accounts;   /* MsAccount, file order */
  GKeyFile   *key_file;   /* as loaded: keeps unknown keys and comments */
  GHashTable *lines;      /* "group" and "group\nkey" -> line number */
  char       *checksum;   /* of the file as last read or written; NULL: none */
};

struct _MsAccountStoreLock
{
  int fd;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MsAccountStore, ms_account_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
ms_account_store_get_item_type (GListModel *model)
{
  return MS_TYPE_ACCOUNT;
}

static guint
ms_account_store_get_n_items (GListModel *model)
{
  return MS_ACCOUNT_STORE (model)->accounts->len;
}

static gpointer
ms_account_store_get_item (GListModel *model,
                           guint       position)
{
  MsAccountStore *self = MS_ACCOUNT_STORE (model);

  if (position >= self->accounts->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->accounts, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = ms_account_store_get_item_type;
  iface->get_n_items = ms_account_store_get_n_items;
  iface->get_item = ms_account_store_get_item;
}

static void
ms_account_store_finalize (GObject *object)
{
  MsAccountStore *self = (MsAccountStore *)object;

  for (guint i = 0; i < self->accounts->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->accounts, i), self);
  g_clear_pointer (&self->accounts, g_ptr_array_unref);
  g_clear_pointer (&self->key_file, g_key_file_unref);
  g_clear_pointer (&self->lines, g_hash_table_unref);
  g_clear_pointer (&self->config_dir, g_free);
  g_clear_pointer (&self->paths, ms_paths_free);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->checksum, g_free);

  G_OBJECT_CLASS (ms_account_store_parent_class)->finalize (object);
}

static void
ms_account_store_class_init (MsAccountStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ms_account_store_finalize;
}

static void
ms_account_store_init (MsAccountStore *self)
{
  self->accounts = g_ptr_array_new_with_free_func (g_object_unref);
  self->key_file = g_key_file_new ();
  self->lines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/**
 * ms_account_store_find_config_dir:
 * @config_dir: (nullable): the `--config-dir` option, if given
 *
 * The config folder in force (ms_paths_new()): @config_dir, else
 * `$MAILSETUP_CONFIG_DIR`, else `$XDG_CONFIG_HOME/mailsetup`; for root with
 * none of them, the system folder.
 *
 * Returns: (transfer full): the folder
 */
char *
ms_account_store_find_config_dir (const char *config_dir)
{
  g_autoptr(MsPaths) paths = ms_paths_new (config_dir, FALSE);

  return g_steal_pointer (&paths->config_dir);
}

/**
 * ms_account_store_new:
 * @config_dir: (nullable): the `--config-dir` option, or %NULL
 *
 * Creates an empty store for the folder ms_paths_new() picks. Nothing is
 * read until ms_account_store_load().
 *
 * Returns: (transfer full): a new #MsAccountStore
 */
MsAccountStore *
ms_account_store_new (const char *config_dir)
{
  g_autoptr(MsPaths) paths = ms_paths_new (config_dir, FALSE);

  return ms_account_store_new_for_paths (paths);
}

/**
 * ms_account_store_new_for_paths:
 * @paths: the folders in force (copied)
 *
 * Creates an empty store for @paths->config_dir. In system mode its
 * accounts keep their secrets sealed in @paths->credentials_dir.
 *
 * Returns: (transfer full): a new #MsAccountStore
 */
MsAccountStore *
ms_account_store_new_for_paths (const MsPaths *paths)
{
  MsAccountStore *self;

  g_return_val_if_fail (paths != NULL, NULL);

  self = g_object_new (MS_TYPE_ACCOUNT_STORE, NULL);
  self->paths = ms_paths_copy (paths);
  self->is_default_dir = paths->config_dir_is_own;
  self->config_dir = g_strdup (paths->config_dir);
  self->path = g_build_filename (self->config_dir, ACCOUNTS_FILE, NULL);

  return self;
}

/**
 * ms_account_store_get_paths:
 * @self: an #MsAccountStore
 *
 * Returns: (transfer none): the folders and the mode the store is for
 */
const MsPaths *
ms_account_store_get_paths (MsAccountStore *self)
{
  g_return_val_if_fail (MS_IS_ACCOUNT_STORE (self), NULL);
  return self->paths;
}

/**
 * ms_account_store_attach:
 * @self: an #MsAccountStore
 * @account: an account that is, or is about to be, in this store
 *
 * Tells @account where its secret lives in this store: sealed in the
 * credentials folder in system mode, else the keyring
 * (ms_account_get_credentials_dir()). The store does it for every account
 * it loads or takes; call it on a new account before its secret is stored.
 */
void
ms_account_store_attach (MsAccountStore *self,
                         MsAccount      *account)
{
  g_return_if_fail (MS_IS_ACCOUNT_STORE (self));
  g_return_if_fail (MS_IS_ACCOUNT (account));

  ms_account_set_credentials_dir (account, self->paths->credentials_dir);
}

const char *
ms_account_store_get_config_dir (MsAccountStore *self)
{
  g_return_val_if_fail (MS_IS_ACCOUNT_STORE (self), NULL);
  return self->config_dir;
}

/**
 * ms_account_store_get_path:
 * @self: an #MsAccountStore
 *
 * Returns: (transfer none): the full path of accounts.ini
 */
const char *
ms_account_store_get_path (MsAccountStore *self)
{
  g_return_val_if_fail (MS_IS_ACCOUNT_STORE (self), NULL);
  return self->path;
}

/* ---- loading ---- */

static guint
line_of (MsAccountStore *self,
         const char     *group,
         const char     *key)
{
  g_autofree char *name = key ? g_strconcat (group, "\n", key, NULL) : g_strdup (group);

  return GPOINTER_TO_UINT (g_hash_table_lookup (self->lines, name));
}

static gboolean
fail_at_line (MsAccountStore  *self,
              GError         **error,
              guint            line,
              const char      *what)
{
  /* Translators: %1$s is the file's path, %2$u a line number, %3$s the problem */
  g_set_error (error, MS_ERROR, MS_ERROR_CONFIG_INVALID, _("%1$s, line %2$u: %3$s"),
               self->path, line, what);
  return FALSE;
}

static gboolean
fail_at_key (MsAccountStore  *self,
             GError         **error,
             const char      *group,
             const char      *key,
             const char      *what)
{
  g_autofree char *where = NULL;

  /* Translators: names an account and one of its settings in accounts.ini */
  where = g_strdup_printf (_("account “%s”, key “%s”: %s"), group, key, what);

  return fail_at_line (self, error, line_of (self, group, key), where);
}

static gboolean
scan_group_line (MsAccountStore  *self,
                 const char      *line,
                 guint            number,
                 char           **group,
                 GError         **error)
{
  const char *end = strrchr (line, ']');
  g_autofree char *name = NULL;
  g_autoptr(GError) local_error = NULL;

  if (end == NULL || end[1] != '\0')
    return fail_at_line (self, error, number, _("a group name must end with “]”"));

  name = g_strndup (line + 1, end - line - 1);
  if (!ms_validate_account_id (name, &local_error))
    return fail_at_line (self, error, number, local_error->message);
  if (g_hash_table_contains (self->lines, name))
    return fail_at_line (self, error, number, _("this account appears twice"));

  g_hash_table_insert (self->lines, g_strdup (name), GUINT_TO_POINTER (number));
  g_free (*group);
  *group = g_steal_pointer (&name);

  return TRUE;
}

static gboolean
scan_key_line (MsAccountStore  *self,
               const char      *line,
               guint            number,
               const char      *group,
               GError         **error)
{
  const char *equals = strchr (line, '=');
  g_autofree char *key = NULL;
  g_autofree char *place = NULL;

  if (equals == NULL)
    return fail_at_line (self, error, number,
                         _("not a group, a “key=value” line or a comment"));
  if (group == NULL)
    return fail_at_line (self, error, number, _("a key before the first account"));

  key = g_strstrip (g_strndup (line, equals - line));
  place = g_strconcat (group, "\n", key, NULL);
  /* GKeyFile would keep both copies and rewrite only the last one, so a
   * hidden first copy (even a secret-looking key) would survive a save. */
  if (g_hash_table_contains (self->lines, place))
    {
      g_autofree char *message = g_strdup_printf (_("the key “%s” appears twice in this account"),
                                                  key);

      return fail_at_line (self, error, number, message);
    }
  g_hash_table_insert (self->lines, g_steal_pointer (&place), GUINT_TO_POINTER (number));

  return TRUE;
}

/* GKeyFile's own parse errors name the line's text but not its number, and
 * merge repeated groups silently: this pass finds both first, with line
 * numbers, and remembers where every group and key is for later errors. */
static gboolean
scan_lines (MsAccountStore  *self,
            const char      *data,
            gsize            length,
            GError         **error)
{
  g_auto(GStrv) lines = NULL;
  g_autofree char *group = NULL;

  if (!g_utf8_validate (data, length, NULL) || memchr (data, '\0', length) != NULL)
    {
      const char *end = data;
      guint number = 1;

      g_utf8_validate (data, length, &end);
      for (const char *p = data; p < end; p++)
        number += (*p == '\n');
      return fail_at_line (self, error, number, _("not valid UTF-8 text"));
    }

  lines = g_strsplit (data, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      gboolean ok = TRUE;

      if (line[0] == '\0' || line[0] == '#')
        continue;
      if (line[0] == '[')
        ok = scan_group_line (self, line, i + 1, &group, error);
      else
        ok = scan_key_line (self, line, i + 1, group, error);
      if (!ok)
        return FALSE;
    }

  return TRUE;
}

static gboolean
read_port (MsAccountStore  *self,
           MsAccount       *account,
           const char      *group,
           GError         **error)
{
  g_autofree char *text = g_key_file_get_string (self->key_file, group, "port", NULL);
  g_autoptr(GError) local_error = NULL;
  guint16 port = 0;

  if (text == NULL)
    return TRUE;

  /* Translators: the name of the field holding a port number */
  if (!ms_validate_port (_("Port"), text, &port, &local_error))
    return fail_at_key (self, error, group, "port", local_error->message);

  ms_account_set_port (account, port);
  return TRUE;
}

static gboolean
read_security (MsAccountStore  *self,
               MsAccount       *account,
               const char      *group,
               GError         **error)
{
  g_autofree char *text = g_key_file_get_string (self->key_file, group, "security", NULL);
  MsSecurity security = MS_SECURITY_TLS;

  /* None: implicit TLS, or for an online account GOA's mode. */
  if (text == NULL)
    return TRUE;
  if (!ms_security_from_string (text, &security) || security == MS_SECURITY_AUTO)
    return fail_at_key (self, error, group, "security",
                        /* Translators: tls, starttls and none are values to keep as is */
                        _("must be “tls”, “starttls” or “none”"));

  ms_account_set_security (account, security);
  return TRUE;
}

static gboolean
read_default (MsAccountStore  *self,
              MsAccount       *account,
              const char      *group,
              GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean is_default;

  if (!g_key_file_has_key (self->key_file, group, "default", NULL))
    return TRUE;

  is_default = g_key_file_get_boolean (self->key_file, group, "default", &local_error);
  if (local_error != NULL)
    /* Translators: true and false are values to keep as is */
    return fail_at_key (self, error, group, "default", _("must be “true” or “false”"));

  ms_account_set_default (account, is_default);
  return TRUE;
}

static void
read_strings (MsAccountStore *self,
              MsAccount      *account,
              const char     *group)
{
  static const char *string_keys[] = {
    "address", "display-name", "provider", "host", "username", "ca-file", "pin",
    "online-account",
  };

  for (guint i = 0; i < G_N_ELEMENTS (string_keys); i++)
    {
      g_autofree char *value = g_key_file_get_string (self->key_file, group,
                                                      string_keys[i], NULL);

      if (value != NULL)
        g_object_set (account, string_keys[i], value, NULL);
    }
}

static MsAccount *
read_account (MsAccountStore  *self,
              const char      *group,
              GError         **error)
{
  g_autoptr(MsAccount) account = ms_account_new (group);
  g_autoptr(GError) local_error = NULL;
  static const char *required[] = { "address", "host" };

  for (guint i = 0; i < G_N_ELEMENTS (required); i++)
    /* An online account may leave the server to GNOME Online Accounts. */
    if (!g_key_file_has_key (self->key_file, group, required[i], NULL)
        && !(g_str_equal (required[i], "host")
             && g_key_file_has_key (self->key_file, group, "online-account", NULL)))
      {
        g_autofree char *what = g_strdup_printf (_("account “%s” has no “%s” key"),
                                                 group, required[i]);
        fail_at_line (self, error, line_of (self, group, NULL), what);
        return NULL;
      }

  read_strings (self, account, group);
  ms_account_store_attach (self, account);
  if (!read_port (self, account, group, error) ||
      !read_security (self, account, group, error) ||
      !read_default (self, account, group, error))
    return NULL;

  if (!ms_account_validate (account, &local_error))
    {
      g_autofree char *what = g_strdup_printf (_("account “%s”: %s"), group,
                                               local_error->message);
      fail_at_line (self, error, line_of (self, group, NULL), what);
      return NULL;
    }

  return g_steal_pointer (&account);
}

static gboolean
read_accounts (MsAccountStore  *self,
               GPtrArray       *accounts,
               GError         **error)
{
  g_auto(GStrv) groups = g_key_file_get_groups (self->key_file, NULL);
  MsAccount *first_default = NULL;

  for (guint i = 0; groups[i] != NULL; i++)
    {
      MsAccount *account = read_account (self, groups[i], error);

      if (account == NULL)
        return FALSE;
      g_ptr_array_add (accounts, account);

      if (ms_account_get_default (account) && first_default != NULL)
        return fail_at_key (self, error, groups[i], "default",
                            _("another account is already the default"));
      if (ms_account_get_default (account))
        first_default = account;
    }

  if (first_default == NULL && accounts->len > 0)
    ms_account_set_default (g_ptr_array_index (accounts, 0), TRUE);

  return TRUE;
}

static void on_account_default_changed_cb (MsAccount      *account,
                                           GParamSpec     *pspec,
                                           MsAccountStore *self);

static void
take_accounts (MsAccountStore *self,
               GPtrArray      *accounts)
{
  guint removed = self->accounts->len;

  for (guint i = 0; i < self->accounts->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->accounts, i), self);
  g_ptr_array_unref (self->accounts);
  self->accounts = g_ptr_array_ref (accounts);

  for (guint i = 0; i < accounts->len; i++)
    g_signal_connect_object (g_ptr_array_index (accounts, i), "notify::default",
                             G_CALLBACK (on_account_default_changed_cb), self, 0);

  g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, accounts->len);
}

static gboolean
parse_data (MsAccountStore  *self,
            const char      *data,
            gsize            length,
            GError         **error)
{
  g_autoptr(GPtrArray) accounts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GKeyFile) previous = NULL;
  g_autoptr(GError) local_error = NULL;

  g_hash_table_remove_all (self->lines);
  if (!scan_lines (self, data, length, error))
    return FALSE;

  if (!g_key_file_load_from_data (key_file, data, length,
                                  G_KEY_FILE_KEEP_COMMENTS, &local_error))
    {
      g_set_error (error, MS_ERROR, MS_ERROR_CONFIG_INVALID, "%s: %s",
                   self->path, local_error->message);
      return FALSE;
    }

  /* read_accounts() reads self->key_file: swap the new one in, and back
   * out when the file is rejected, so the store keeps what it held. */
  previous = g_steal_pointer (&self->key_file);
  self->key_file = g_steal_pointer (&key_file);
  if (!read_accounts (self, accounts, error))
    {
      g_key_file_unref (self->key_file);
      self->key_file = g_steal_pointer (&previous);
      return FALSE;
    }

  take_accounts (self, accounts);
  return TRUE;
}

/**
 * ms_account_store_load:
 * @self: an #MsAccountStore
 * @error: return location for an error
 *
 * Reads accounts.ini. A missing file is an empty store. On failure the
 * store keeps what it held before. The error names the line, and the
 * account and key when the problem is in a value.
 *
 * Returns: %TRUE on success; errors: config-invalid
 */
gboolean
ms_account_store_load (MsAccountStore  *self,
                       GError         **error)
{
  g_autofree char *data = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length = 0;

  g_return_val_if_fail (MS_IS_ACCOUNT_STORE (self), FALSE);

  if (!g_file_get_contents (self->path, &data, &length, &local_error))
    {
      g_autoptr(GPtrArray) none = NULL;

      if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_set_error (error, MS_ERROR, MS_ERROR_CONFIG_INVALID,
                       _("Could not read %s: %s"), self->path, local_error->message);
          return FALSE;
        }

      none = g_ptr_array_new_with_free_func (g_object_unref);
      g_clear_pointer (&self->key_file, g_key_file_unref);
      self->key_file = g_key_file_new ();
      take_accounts (self, none);
      g_clear_pointer (&self->checksum, g_free);
      return TRUE;
    }

  if (!parse_data (self, data, length, error))
    return FALSE;

  g_free (self->checksum);
  self->checksum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, length);
  return TRUE;
}

/**
 * ms_account_store_refresh:
 * @self: an #MsAccountStore
 * @error: return location for an error
 *
 * Reads accounts.ini again when another program changed it since this
 * store last read or wrote it, so that a change made under
 * ms_account_store_lock() starts from what is on disk (read, modify, write).
 * An unchanged file is not read again: the accounts keep their objects.
 *
 * Returns: %TRUE on success; errors: config-invalid
 */
gboolean
ms_account_store_refresh (MsAccountStore  *self,
                          GError         **error)
{
  g_autofree char *data = NULL;
  g_autofree char *checksum = NULL;
  gsize length = 0;

  g_return_val_if_fail (MS_IS_ACCOUNT_STORE (self), FALSE);

  if (g_file_get_contents (self->path, &data, &length, NULL))
    checksum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, length);
  if (g_strcmp0 (checksum, self->checksum) == 0)
    return TRUE;

  return ms_account_store_load (self, error);
}

/**
 * ms_account_store_has_stored:
 * @self: an #MsAccountStore
 * @id: an account id
 *
 * Whether accounts.ini on disk holds @id now, whatever this store holds.
 * Reads only the file, so it may be called from any thread.
 *
 * Returns: %TRUE when the file has a group @id
 */
gboolean
ms_account_store_has_stored (MsAccountStore *self,
                             const char     *id)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();

  g_return_val_if_fail (MS_IS_ACCOUNT_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  return g_key_file_load_from_file (key_file, self->path, G_KEY_FILE_NONE, NULL)
         && g_key_file_has_group (key_file, id);
}

/* ---- saving ---- */

static gboolean
key_looks_secret (const char *key)
{
  g_autofree char *lower = g_ascii_strdown (key, -1);

  return strstr (lower, "pass") != NULL || strstr (lower, "secret") != NULL ||
         strstr (lower, "token") != NULL;
}

static void
set_or_remove (GKeyFile   *key_file,
               const char *group,
               const char *key,
               const char *value)
{
  if (value != NULL)
    g_key_file_set_string (key_file, group, key, value);
  else
    g_key_file_remove_key (key_file, group, key, NULL);
}

static void
write_account (GKeyFile  *key_file,
               MsAccount *account)
{
  const char *group = ms_account_get_id (account);
  g_auto(GStrv) keys = g_key_file_get_keys (key_file, group, NULL, NULL);
  guint16 port = ms_account_get_port (account);

  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    if (key_looks_secret (keys[i]))
      g_key_file_remove_key (key_file, group, keys[i], NULL);

  set_or_remove (key_file, group, "address", ms_account_get_address (account));
  set_or_remove (key_file, group, "display-name", ms_account_get_display_name (account));
  set_or_remove (key_file, group, "provider", ms_account_get_provider (account));
  set_or_remove (key_file, group, "host", ms_account_get_host (account));
  if (port != 0)
    g_key_file_set_integer (key_file, group, "port", port);
  else
    g_key_file_remove_key (key_file, group, "port", NULL);
  /* An online account without a mode of its own follows GOA's. */
  if (ms_account_get_security_set (account) || ms_account_get_online_account (account) == NULL)
    g_key_file_set_string (key_file, group, "security",
                           ms_security_to_string (ms_account_get_security (account)));
  else
    g_key_file_remove_key (key_file, group, "security", NULL);
  set_or_remove (key_file, group, "username", ms_account_get_username (account));
  set_or_remove (key_file, group, "ca-file", ms_account_get_ca_file (account));
  set_or_remove (key_file, group, "pin", ms_account_get_pin (account));
  set_or_remove (key_file, group, "online-account", ms_account_get_online_account (account));
  if (ms_account_get_default (account))
    g_key_file_set_boolean (key_file, group, "default", TRUE);
  else
    g_key_file_remove_key (key_file, group, "default", NULL);
}

static GKeyFile *
build_key_file (MsAccountStore *self)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autofree char *old = g_key_file_to_data (self->key_file, NULL, NULL);
  g_auto(GStrv) groups = NULL;

  /* Start from what was loaded, so unknown keys and comments survive. */
  g_key_file_load_from_data (key_file, old, -1, G_KEY_FILE_KEEP_COMMENTS, NULL);

  groups = g_key_file_get_groups (key_file, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      g_autoptr(MsAccount) account = ms_account_store_lookup (self, groups[i], NULL);

      if (account == NULL)
        g_key_file_remove_group (key_file, groups[i], NULL);
    }

  for (guint i = 0; i < self->accounts->len; i++)
    write_account (key_file, g_ptr_array_index (self->accounts, i));

  return g_steal_pointer (&key_file);
}

static gboolean
ensure_folder (MsAccountStore  *self,
               GError         **error)
{
  int saved_errno;

  if (g_file_test (self->config_dir, G_FILE_TEST_IS_DIR))
    {
      /* Our own folder under XDG_CONFIG_HOME is tightened; a folder the user
       * named with --config-dir or MAILSETUP_CONFIG_DIR is left as it is
       * (the file itself is always 0600). */
      if (self->is_default_dir)
        (void) g_chmod (self->config_dir, 0700);
      return TRUE;
    }

  if (g_mkdir_with_parents (self->config_dir, 0700) == 0)
    return TRUE;

  saved_errno = errno;
  g_set_error (error, MS_ERROR, MS_ERROR_CONFIG_INVALID,
               _("Could not create the folder %s: %s"),
               self->config_dir, g_strerror (saved_errno));
  return FALSE;
}

/**
 * ms_account_store_save:
 * @self: an #MsAccountStore
 * @error: return location for an error
 *
 * Writes accounts.ini atomically (a new file renamed over the old one, so a
 * failed write leaves the old file whole), mode 0600, creating the folder
 * with mode 0700. To keep other programs' changes, call it while holding
 * ms_account_store_lock(), after ms_account_store_refresh() and the change.
 *
 * Returns: %TRUE on success; errors: config-invalid (the folder or the file
 *   cannot be written)
 */
gboolean
ms_account_store_save (MsAccountStore  *self,
                       GError         **error)
{
  g_autoptr(GKeyFile) key_file = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *data = NULL;
  gsize length = 0;

  g_return_val_if_fail (MS_IS_ACCOUNT_STORE (self), FALSE);

  if (!ensure_folder (self, error))
    return FALSE;

  key_file = build_key_file (self);
  data = g_key_file_to_data (key_file, &length, NULL);
  if (!g_file_set_contents_full (self->path, data, length,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, &local_error))
    {
      g_set_error (error, MS_ERROR, MS_ERROR_CONFIG_INVALID,
                   _("Could not write %s: %s"), self->path, local_error->message);
      return FALSE;
    }

  g_key_file_unref (self->key_file);
  self->key_file = g_steal_pointer (&key_file);
  g_free (self->checksum);
  self->checksum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, length);
  return TRUE;
}

/* ---- one change at a time ---- */

/**
 * ms_account_store_lock:
 * @self: an #MsAccountStore
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Serialises changes of accounts.ini between processes and threads: an
 * exclusive flock() on `accounts.ini.lock` beside it, waited for up to a
 * minute. Hold it from before the check that a change is possible (and the
 * keyring change that goes with it) until after ms_account_store_save(),
 * with ms_account_store_refresh() in between, so that two programs changing
 * accounts at the same moment both keep their change. Reading needs no
 * lock: the file is replaced atomically. Touches only the store's folder,
 * so it may be called from any thread.
 *
 * Returns: (transfer full): the held lock, or %NULL; errors: config-invalid
 *   (the lock file cannot be made, or another program held it a minute),
 *   cancelled
 */
MsAccountStoreLock *
ms_account_store_lock (MsAccountStore  *self,
                       GCancellable    *cancellable,
                       GError         **error)
{
  MsAccountStoreLock *lock;
  int fd;

  g_return_val_if_fail (MS_IS_ACCOUNT_STORE (self), NULL);

  if (!ensure_folder (self, error))
    return NULL;
  fd = ms_file_lock (self->path, cancellable, error);
  if (fd < 0)
    return NULL;

  lock = g_new0 (MsAccountStoreLock, 1);
  lock->fd = fd;

  return lock;
}

/**
 * ms_account_store_unlock:
 * @lock: (transfer full) (nullable): a lock from ms_account_store_lock()
 *
 * Releases the lock.
 */
void
ms_account_store_unlock (MsAccountStoreLock *lock)
{
  if (lock == NULL)
    return;

  ms_file_unlock (lock->fd);
  g_free (lock);
}

/* ---- changes in memory ---- */

static gboolean
find_account (MsAccountStore *self,
              const char     *id,
              guint          *position)
{
  for (guint i = 0; i < self->accounts->len; i++)
    if (g_strcmp0 (ms_account_get_id (g_ptr_array_index (self->accounts, i)), id) == 0)
      {
        *position = i;
        return TRUE;
      }

  return FALSE;
}

static gboolean
unknown_account (const char  *id,
                 GError     **error)
{
  g_set_error (error, MS_ERROR, MS_ERROR_UNKNOWN_ACCOUNT,
               _("There is no account “%s”."), id);
  return FALSE;
}

/**
 * ms_account_store_lookup:
 * @self: an #MsAccountStore
 * @id: an account id
 * @error: return location for an error
 *
 * Returns: (transfer full): the account, or %NULL with unknown-account
 */
MsAccount *
ms_account_store_lookup (MsAccountStore  *self,
                         const char      *id,
                         GError         **error)
{
  guint position;

  g_return_val_if_fail (MS_IS_ACCOUNT_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  if (!find_account (self, id, &position))
    {
      unknown_account (id, error);
      return NULL;
    }

  return g_object_ref (g_ptr_array_index (self->accounts, position));
}

/**
 * ms_account_store_get_default:
 * @self: an #MsAccountStore
 * @error: return location for an error
 *
 * Returns: (transfer full): the default account, or %NULL with
 *   unknown-account when there is no account at all
 */
MsAccount *
ms_account_store_get_default (MsAccountStore  *self,
                              GError         **error)
{
  g_return_val_if_fail (MS_IS_ACCOUNT_STORE (self), NULL);

  for (guint i = 0; i < self->accounts->len; i++)
    if (ms_account_get_default (g_ptr_array_index (self->accounts, i)))
      return g_object_ref (g_ptr_array_index (self->accounts, i));

  g_set_error_literal (error, MS_ERROR, MS_ERROR_UNKNOWN_ACCOUNT,
                       _("There is no account yet."));
  return NULL;
}

static void
on_account_default_changed_cb (MsAccount      *account,
                               GParamSpec     *pspec,
                               MsAccountStore *self)
{
  if (!ms_account_get_default (account))
    return;

  for (guint i = 0; i < self->accounts->len; i++)
    {
      MsAccount *other = g_ptr_array_index (self->accounts, i);

      if (other != account)
        ms_account_set_default (other, FALSE);
    }
}

static void
insert_account (MsAccountStore *self,
                MsAccount      *account,
                guint           position,
                guint           removed)
{
  if (self->accounts->len == removed)
    ms_account_set_default (account, TRUE);

  ms_account_store_attach (self, account);
  g_ptr_array_insert (self->accounts, position, g_object_ref (account));
  g_signal_connect_object (account, "notify::default",
                           G_CALLBACK (on_account_default_changed_cb), self, 0);
  on_account_default_changed_cb (account, NULL, self);
}

/**
 * ms_account_store_add:
 * @self: an #MsAccountStore
 * @account: a new account; the store keeps a reference
 * @error: return location for an error
 *
 * Adds @account in memory. The first account becomes the default; an
 * account marked default takes the mark from the others.
 *
 * Returns: %TRUE on success; errors: invalid-input (bad settings, or the id
 *   is taken)
 */
gboolean
ms_account_store_add (MsAccountStore  *self,
                      MsAccount       *account,
                      GError         **error)
{
  guint position;

  g_return_val_if_fail (MS_IS_ACCOUNT_STORE (self), FALSE);
  g_return_val_if_fail (MS_IS_ACCOUNT (account), FALSE);

  if (!ms_account_validate (account, error))
    return FALSE;
  if (find_account (self, ms_account_get_id (account), &position))
    {
      g_set_error (error, MS_ERROR, MS_ERROR_INVALID_INPUT,
                   _("An account named “%s” already exists."), ms_account_get_id (account));
      return FALSE;
    }

  insert_account (self, account, self->accounts->len, 0);
  g_list_model_items_changed (G_LIST_MODEL (self), self->accounts->len - 1, 0, 1);
  return TRUE;
}

/**
 * ms_account_store_replace:
 * @self: an #MsAccountStore
 * @account: new settings for an existing id; the store keeps a reference
 * @error: return location for an error
 *
 * Puts @account in place of the stored account with the same id (edit a
 * copy from ms_account_copy(), then replace). The default mark stays where
 * it was unless @account carries it.
 *
 * Returns: %TRUE on success; errors: invalid-input, unknown-account
 */
gboolean
ms_account_store_replace (MsAccountStore  *self,
                          MsAccount       *account,
                          GError         **error)
{
  MsAccount *old;
  guint position;

  g_return_val_if_fail (MS_IS_ACCOUNT_STORE (self), FALSE);
  g_return_val_if_fail (MS_IS_ACCOUNT (account), FALSE);

  if (!find_account (self, ms_account_get_id (account), &position))
    return unknown_account (ms_account_get_id (account), error);
  if (!ms_account_validate (account, error))
    return FALSE;

  old = g_ptr_array_index (self->accounts, position);
  if (old == account)
    return TRUE;
  if (ms_account_get_default (old))
    ms_account_set_default (account, TRUE);

  g_signal_handlers_disconnect_by_data (old, self);
  g_ptr_array_remove_index (self->accounts, position);
  insert_account (self, account, position, 0);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 1);
  return TRUE;
}

/**
 * ms_account_store_remove:
 * @self: an #MsAccountStore
 * @id: an account id
 * @error: return location for an error
 *
 * Removes the account in memory (not its secret: see ms_account_remove()).
 * When it was the default, the first remaining account becomes the default.
 *
 * Returns: %TRUE on success; errors: unknown-account
 */
gboolean
ms_account_store_remove (MsAccountStore  *self,
                         const char      *id,
                         GError         **error)
{
  g_autoptr(MsAccount) account = NULL;
  guint position;

  g_return_val_if_fail (MS_IS_ACCOUNT_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if (!find_account (self, id, &position))
    return unknown_account (id, error);

  account = g_object_ref (g_ptr_array_index (self->accounts, position));
  g_signal_handlers_disconnect_by_data (account, self);
  g_ptr_array_remove_index (self->accounts, position);
  if (ms_account_get_default (account) && self->accounts->len > 0)
    ms_account_set_default (g_ptr_array_index (self->accounts, 0), TRUE);

  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
  return TRUE;
}

/**
 * ms_account_store_set_default:
 * @self: an #MsAccountStore
 * @id: an account id
 * @error: return location for an error
 *
 * Makes @id the default account and no other.
 *
 * Returns: %TRUE on success; errors: unknown-account
 */
gboolean
ms_account_store_set_default (MsAccountStore  *self,
                              const char      *id,
                              GError         **error)
{
  guint position;

  g_return_val_if_fail (MS_IS_ACCOUNT_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if (!find_account (self, id, &position))
    return unknown_account (id, error);

  ms_account_set_default (g_ptr_array_index (self->accounts, position), TRUE);
  return TRUE;
}

static char *
id_base_for_address (const char *address)
{
  GString *id = g_string_new (NULL);

  for (const char *p = address; *p != '\0' && id->len < 60; p++)
    {
      char c = g_ascii_tolower (*p);

      if (g_ascii_isalnum (c) || ((c == '.' || c == '_' || c == '-') && id->len > 0))
        g_string_append_c (id, c);
      else if (id->len > 0 && id->str[id->len - 1] != '-')
        g_string_append_c (id, '-');
    }
  if (id->len == 0)
    g_string_append (id, "account");
  return g_string_free (id, FALSE);
}

static gboolean
id_taken (MsAccountStore *self,
          const char     *id)
{
  guint position;

  return find_account (self, id, &position);
}

/**
 * ms_account_store_new_id:
 * @self: an #MsAccountStore
 * @address: the new account's address
 *
 * A readable account id ([a-z0-9][a-z0-9._-]{0,63}) that no account of
 * @self has yet: "me@gmail.com" gives "me-gmail.com", then
 * "me-gmail.com-2".
 *
 * Returns: (transfer full): the id
 */
char *
ms_account_store_new_id (MsAccountStore *self,
                         const char     *address)
{
  g_autofree char *base = NULL;
  char *id;

  g_return_val_if_fail (MS_IS_ACCOUNT_STORE (self), NULL);
  g_return_val_if_fail (address != NULL, NULL);

  base = id_base_for_address (address);
  id = g_strdup (base);
  for (guint n = 2; id_taken (self, id) && n < 100; n++)
    {
      g_free (id);
      id = g_strdup_printf ("%s-%u", base, n);
    }
  return id;
}
