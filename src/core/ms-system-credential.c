/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-system-credential"

#include "config.h"

#include <errno.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gio/gunixinputstream.h>

#include "ms-error.h"
#include "ms-paths.h"
#include "ms-system-credential.h"

/**
 * ms_system_credential_name:
 * @account_id: an account id
 *
 * Returns: (transfer full): the name the secret is sealed under,
 *   "mailsetup-ID"; systemd-creds refuses to open it under any other
 */
char *
ms_system_credential_name (const char *account_id)
{
  return g_strconcat ("mailsetup-", account_id, NULL);
}

static gboolean
set_unavailable (GError     **error,
                 const char  *account_id,
                 const char  *why)
{
  /* Translators: %1$s is an account id, %2$s why the sealed password could not be used */
  g_set_error (error, MS_ERROR, MS_ERROR_CREDENTIAL_UNAVAILABLE,
               _("The sealed password of system account “%1$s” cannot be used: %2$s"),
               account_id, why);
  return FALSE;
}

static GSubprocess *
spawn_creds (const char * const  *argv,
             GSubprocessFlags     flags,
             const char          *account_id,
             GError             **error)
{
  g_autofree char *program = g_find_program_in_path ("systemd-creds");
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GError) local_error = NULL;
  GSubprocess *process;

  if (program == NULL)
    {
      set_unavailable (error, account_id,
                       _("systemd-creds is not installed (Debian package systemd)."));
      return NULL;
    }

  g_ptr_array_add (args, program);
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (args, (char *) argv[i]);
  g_ptr_array_add (args, NULL);

  process = g_subprocess_newv ((const char * const *) args->pdata,
                               flags | G_SUBPROCESS_FLAGS_STDERR_PIPE, &local_error);
  if (process == NULL)
    set_unavailable (error, account_id, local_error->message);

  return process;
}

/* systemd-creds says why in its last line on standard error. */
static char *
last_line (GBytes *bytes)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  gsize length = 0;
  const char *data = bytes ? g_bytes_get_data (bytes, &length) : NULL;
  guint n;

  if (data == NULL || length == 0)
    return g_strdup (_("systemd-creds failed."));
  text = g_utf8_make_valid (data, length);
  lines = g_strsplit (g_strstrip (text), "\n", -1);
  n = g_strv_length (lines);

  return g_strdup (n > 0 && lines[n - 1][0] != '\0' ? lines[n - 1] : _("systemd-creds failed."));
}

static GBytes *
read_to_end (GInputStream  *stream,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();

  if (g_output_stream_splice (memory, stream, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                              cancellable, error) < 0)
    return NULL;

  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
}

/* Reads what @process prints (standard output only when @out_out is
 * given) and waits for it; a cancel stops it rather than leaving it
 * behind. Its standard input, if any, is closed already. */
static gboolean
finish_creds (GSubprocess   *process,
              const char    *account_id,
              GBytes       **out_out,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  g_autoptr(GError) local_error = NULL;

  if ((out_out != NULL
       && (out = read_to_end (g_subprocess_get_stdout_pipe (process), cancellable,
                              &local_error)) == NULL)
      || (err = read_to_end (g_subprocess_get_stderr_pipe (process), cancellable,
                             &local_error)) == NULL
      || !g_subprocess_wait (process, cancellable, &local_error))
    {
      g_subprocess_force_exit (process);
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_set_error_literal (error, MS_ERROR, MS_ERROR_CANCELLED, local_error->message);
          return FALSE;
        }
      return set_unavailable (error, account_id, local_error->message);
    }

  if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0)
    {
      g_autofree char *why = last_line (err);

      return set_unavailable (error, account_id, why);
    }

  if (out_out != NULL)
    *out_out = g_steal_pointer (&out);
  return TRUE;
}

static gboolean
write_secret (GSubprocess  *process,
              MsPassword   *password,
              const char   *account_id,
              GError      **error)
{
  GOutputStream *input = g_subprocess_get_stdin_pipe (process);
  g_autoptr(GError) local_error = NULL;

  /* Straight from locked memory into the pipe: no copy on the way. */
  if (!g_output_stream_write_all (input, ms_password_get_text (password),
                                  ms_password_get_length (password), NULL, NULL, &local_error)
      || !g_output_stream_close (input, NULL, &local_error))
    {
      g_subprocess_force_exit (process);
      return set_unavailable (error, account_id, local_error->message);
    }

  return TRUE;
}

static gboolean
ensure_folder (const char  *credentials_dir,
               const char  *account_id,
               GError     **error)
{
  if (g_mkdir_with_parents (credentials_dir, 0700) != 0 || g_chmod (credentials_dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_autofree char *why = g_strdup_printf ("%s: %s", credentials_dir, g_strerror (saved_errno));

      return set_unavailable (error, account_id, why);
    }

  return TRUE;
}

/**
 * ms_system_credential_seal:
 * @credentials_dir: the folder of the sealed secrets
 * @account_id: the account id
 * @password: the secret
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Seals @password with `systemd-creds encrypt --name=mailsetup-ID` (the
 * secret on its standard input) and writes what it prints, atomically and
 * 0600, as ID.cred, replacing an earlier one. The folder is created 0700.
 *
 * Returns: %TRUE on success; errors: credential-unavailable, cancelled
 */
gboolean
ms_system_credential_seal (const char    *credentials_dir,
                           const char    *account_id,
                           MsPassword    *password,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autofree char *name = NULL;
  g_autofree char *name_option = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length = 0;
  const char *data;

  g_return_val_if_fail (credentials_dir != NULL && account_id != NULL, FALSE);
  g_return_val_if_fail (password != NULL, FALSE);

  name = ms_system_credential_name (account_id);
  name_option = g_strconcat ("--name=", name, NULL);
  if (!ensure_folder (credentials_dir, account_id, error))
    return FALSE;

  process = spawn_creds ((const char *[]) { "encrypt", name_option, "-", "-", NULL },
                         G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                         account_id, error);
  if (process == NULL || !write_secret (process, password, account_id, error)
      || !finish_creds (process, account_id, &sealed, cancellable, error))
    return FALSE;

  data = g_bytes_get_data (sealed, &length);
  if (length == 0)
    return set_unavailable (error, account_id, _("systemd-creds printed nothing."));

  path = ms_paths_credential_file (credentials_dir, account_id);
  if (!g_file_set_contents_full (path, data, length,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, &local_error))
    return set_unavailable (error, account_id, local_error->message);

  return TRUE;
}

/**
 * ms_system_credential_open:
 * @credentials_dir: the folder of the sealed secrets
 * @account_id: the account id
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Opens ID.cred with `systemd-creds decrypt --name=mailsetup-ID` and reads
 * the secret from its standard output straight into locked memory.
 *
 * Returns: (transfer full): the secret, or %NULL; errors:
 *   credential-unavailable (the file is missing, damaged, sealed on another
 *   machine or under another name, or systemd-creds is missing), cancelled
 */
MsPassword *
ms_system_credential_open (const char    *credentials_dir,
                           const char    *account_id,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autofree char *name = NULL;
  g_autofree char *name_option = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(MsPassword) password = NULL;
  g_autoptr(GBytes) rest = NULL;
  g_autoptr(GError) local_error = NULL;
  GInputStream *output;

  g_return_val_if_fail (credentials_dir != NULL && account_id != NULL, NULL);

  path = ms_paths_credential_file (credentials_dir, account_id);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      /* Translators: %s is the path of the missing file */
      g_autofree char *why = g_strdup_printf (_("the file %s does not exist."), path);

      set_unavailable (error, account_id, why);
      return NULL;
    }

  name = ms_system_credential_name (account_id);
  name_option = g_strconcat ("--name=", name, NULL);
  process = spawn_creds ((const char *[]) { "decrypt", name_option, path, "-", NULL },
                         G_SUBPROCESS_FLAGS_STDOUT_PIPE, account_id, error);
  if (process == NULL)
    return NULL;

  output = g_subprocess_get_stdout_pipe (process);
  password = ms_password_read_all (g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (output)),
                                   &local_error);
  if (!finish_creds (process, account_id, &rest, cancellable, error))
    return NULL;
  if (rest != NULL && g_bytes_get_size (rest) > 0)
    {
      /* Only when the secret was too long: what was left of it goes too. */
      gsize length = 0;
      gpointer data = g_bytes_unref_to_data (g_steal_pointer (&rest), &length);

      ms_wipe (data, length);
      g_free (data);
    }
  if (password == NULL)
    {
      set_unavailable (error, account_id, local_error->message);
      return NULL;
    }

  return g_steal_pointer (&password);
}

/**
 * ms_system_credential_remove:
 * @credentials_dir: the folder of the sealed secrets
 * @account_id: the account id
 * @error: return location for an error
 *
 * Deletes ID.cred; a file that is already gone is no error.
 *
 * Returns: %TRUE on success; errors: credential-unavailable
 */
gboolean
ms_system_credential_remove (const char  *credentials_dir,
                             const char  *account_id,
                             GError     **error)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (credentials_dir != NULL && account_id != NULL, FALSE);

  path = ms_paths_credential_file (credentials_dir, account_id);
  if (g_unlink (path) != 0 && errno != ENOENT)
    {
      int saved_errno = errno;
      g_autofree char *why = g_strdup_printf ("%s: %s", path, g_strerror (saved_errno));

      return set_unavailable (error, account_id, why);
    }

  return TRUE;
}
