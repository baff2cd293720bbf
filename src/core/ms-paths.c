/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-paths"

#include "config.h"

#include <unistd.h>

#include "ms-paths.h"

G_DEFINE_BOXED_TYPE (MsPaths, ms_paths, ms_paths_copy, ms_paths_free)

static const char *
variable (const char *name)
{
  const char *value = g_getenv (name);

  return value != NULL && value[0] != '\0' ? value : NULL;
}

static gboolean
has_own_config (const char *config_dir)
{
  return (config_dir != NULL && config_dir[0] != '\0') || variable ("MAILSETUP_CONFIG_DIR") != NULL
         || variable ("XDG_CONFIG_HOME") != NULL;
}

static void
resolve_system (MsPaths *paths)
{
  const char *config = variable ("MAILSETUP_SYSTEM_DIR");
  const char *state = variable ("MAILSETUP_STATE_DIR");

  paths->mode = MS_CONFIG_MODE_SYSTEM;
  paths->config_dir = g_strdup (config != NULL ? config : MS_SYSTEM_CONFIG_DIR);
  paths->state_dir = g_strdup (state != NULL ? state : MS_SYSTEM_STATE_DIR);
  paths->credentials_dir = g_build_filename (paths->config_dir, "credentials", NULL);
  paths->config_dir_is_own = config == NULL;
}

static void
resolve_user (MsPaths    *paths,
              const char *config_dir)
{
  const char *config = variable ("MAILSETUP_CONFIG_DIR");
  const char *state = variable ("MAILSETUP_STATE_DIR");

  paths->mode = MS_CONFIG_MODE_USER;
  paths->config_dir_is_own = (config_dir == NULL || config_dir[0] == '\0') && config == NULL;
  if (config_dir != NULL && config_dir[0] != '\0')
    paths->config_dir = g_strdup (config_dir);
  else if (config != NULL)
    paths->config_dir = g_strdup (config);
  else
    paths->config_dir = g_build_filename (g_get_user_config_dir (), "mailsetup", NULL);
  paths->state_dir = state != NULL ? g_strdup (state)
                                   : g_build_filename (g_get_user_state_dir (), "mailsetup", NULL);
}

/**
 * ms_paths_resolve:
 * @config_dir: (nullable): the `--config-dir` option
 * @system: whether `--system` was given
 * @is_root: whether the caller is root
 *
 * The rule of docs/contract.md: system mode with @system, or for root
 * when none of @config_dir, `$MAILSETUP_CONFIG_DIR` and `$XDG_CONFIG_HOME`
 * is set (root's cron jobs, sudo, services). Then the settings are in
 * `$MAILSETUP_SYSTEM_DIR` or /etc/mailsetup and the state in
 * `$MAILSETUP_STATE_DIR` or /var/spool/mailsetup. Otherwise the user's:
 * @config_dir, `$MAILSETUP_CONFIG_DIR` or `$XDG_CONFIG_HOME/mailsetup`, and
 * `$MAILSETUP_STATE_DIR` or `$XDG_STATE_HOME/mailsetup`. An empty variable
 * counts as unset. @system wins over @config_dir; the command line refuses
 * both together.
 *
 * Returns: (transfer full): the folders in force
 */
MsPaths *
ms_paths_resolve (const char *config_dir,
                  gboolean    system,
                  gboolean    is_root)
{
  MsPaths *paths = g_new0 (MsPaths, 1);

  if (system || (is_root && !has_own_config (config_dir)))
    resolve_system (paths);
  else
    resolve_user (paths, config_dir);

  return paths;
}

/**
 * ms_paths_new:
 * @config_dir: (nullable): the `--config-dir` option
 * @system: whether `--system` was given
 *
 * ms_paths_resolve() for this process (root: effective uid 0).
 *
 * Returns: (transfer full): the folders in force
 */
MsPaths *
ms_paths_new (const char *config_dir,
              gboolean    system)
{
  return ms_paths_resolve (config_dir, system, geteuid () == 0);
}

/**
 * ms_paths_find_state_dir:
 * @state_dir: (nullable): a state folder the caller chose
 *
 * Returns: (transfer full): @state_dir when given, else the state folder in
 *   force (ms_paths_new()): `$MAILSETUP_STATE_DIR`, else
 *   `$XDG_STATE_HOME/mailsetup`, or /var/spool/mailsetup in system mode
 */
char *
ms_paths_find_state_dir (const char *state_dir)
{
  g_autoptr(MsPaths) paths = NULL;

  if (state_dir != NULL && state_dir[0] != '\0')
    return g_strdup (state_dir);

  paths = ms_paths_new (NULL, FALSE);
  return g_steal_pointer (&paths->state_dir);
}

MsPaths *
ms_paths_copy (const MsPaths *paths)
{
  MsPaths *copy;

  g_return_val_if_fail (paths != NULL, NULL);

  copy = g_memdup2 (paths, sizeof *paths);
  copy->config_dir = g_strdup (paths->config_dir);
  copy->state_dir = g_strdup (paths->state_dir);
  copy->credentials_dir = g_strdup (paths->credentials_dir);

  return copy;
}

void
ms_paths_free (MsPaths *paths)
{
  if (paths == NULL)
    return;

  g_free (paths->config_dir);
  g_free (paths->state_dir);
  g_free (paths->credentials_dir);
  g_free (paths);
}

/**
 * ms_config_mode_to_string:
 * @mode: a mode
 *
 * Returns: "user" or "system"
 */
const char *
ms_config_mode_to_string (MsConfigMode mode)
{
  return mode == MS_CONFIG_MODE_SYSTEM ? "system" : "user";
}

/**
 * ms_credential_store_to_string:
 * @store: a store
 *
 * Returns: the contract's name: "keyring" or "system-credential"
 */
const char *
ms_credential_store_to_string (MsCredentialStore store)
{
  return store == MS_CREDENTIAL_STORE_SYSTEM ? "system-credential" : "keyring";
}

/**
 * ms_paths_credential_file:
 * @credentials_dir: the folder of the sealed secrets
 * @account_id: an account id
 *
 * Returns: (transfer full): @credentials_dir/ID.cred
 */
char *
ms_paths_credential_file (const char *credentials_dir,
                          const char *account_id)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (credentials_dir != NULL, NULL);
  g_return_val_if_fail (account_id != NULL, NULL);

  name = g_strconcat (account_id, ".cred", NULL);

  return g_build_filename (credentials_dir, name, NULL);
}
