/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/*
 * Which configuration is in force (docs/contract.md, "Where state lives"
 * and "System accounts"): the caller's own folders, or system mode for
 * root's jobs. Decided once per process from the options and the
 * environment; the account store, the outbox and the command line all take
 * their folders from here.
 */
typedef enum
{
  MS_CONFIG_MODE_USER,
  MS_CONFIG_MODE_SYSTEM,
} MsConfigMode;

/* Where an account's secret lives. */
typedef enum
{
  MS_CREDENTIAL_STORE_KEYRING,
  MS_CREDENTIAL_STORE_SYSTEM,
} MsCredentialStore;

#define MS_SYSTEM_CONFIG_DIR "/etc/mailsetup"
#define MS_SYSTEM_STATE_DIR  "/var/spool/mailsetup"

/*
 * MsPaths:
 * @mode: user or system
 * @config_dir: the folder of accounts.ini (and aliases)
 * @state_dir: the folder that holds outbox/
 * @credentials_dir: system mode: the folder of the sealed secrets
 *   (@config_dir/credentials); %NULL in user mode (the keyring)
 * @config_dir_is_own: whether @config_dir is the default folder, which the
 *   store may tighten to 0700 (not one the caller named)
 */
typedef struct
{
  MsConfigMode  mode;
  char         *config_dir;
  char         *state_dir;
  char         *credentials_dir;
  gboolean      config_dir_is_own;
} MsPaths;

#define MS_TYPE_PATHS (ms_paths_get_type ())

GType              ms_paths_get_type                (void) G_GNUC_CONST;
MsPaths           *ms_paths_new                     (const char    *config_dir,
                                                     gboolean       system);
MsPaths           *ms_paths_resolve                 (const char    *config_dir,
                                                     gboolean       system,
                                                     gboolean       is_root);
char              *ms_paths_find_state_dir          (const char    *state_dir);
MsPaths           *ms_paths_copy                    (const MsPaths *paths);
void               ms_paths_free                    (MsPaths       *paths);
const char        *ms_config_mode_to_string         (MsConfigMode   mode);
const char        *ms_credential_store_to_string    (MsCredentialStore store);
char              *ms_paths_credential_file         (const char    *credentials_dir,
                                                     const char    *account_id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsPaths, ms_paths_free)

G_END_DECLS
