/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ms-account.h"

G_BEGIN_DECLS

/*
 * MsAccountStore:
 * accounts.ini in memory (docs/contract.md, "Where state lives"), as a GListModel
 * of MsAccount in file order. Changes stay in memory until
 * ms_account_store_save(). When it holds any account, exactly one is the
 * default. Keys it does not know are kept as they are when saving (a newer
 * version's settings survive an older version's write), except keys whose
 * name looks like a secret ("pass", "secret", "token"), which are dropped.
 * Not thread-safe: use it from one thread (the main one).
 */
#define MS_TYPE_ACCOUNT_STORE (ms_account_store_get_type ())

G_DECLARE_FINAL_TYPE (MsAccountStore, ms_account_store, MS, ACCOUNT_STORE, GObject)

char           *ms_account_store_find_config_dir (const char      *config_dir);
MsAccountStore *ms_account_store_new             (const char      *config_dir);
MsAccountStore *ms_account_store_new_for_paths   (const MsPaths   *paths);
const MsPaths  *ms_account_store_get_paths       (MsAccountStore  *self);
void            ms_account_store_attach          (MsAccountStore  *self,
                                                  MsAccount       *account);
const char     *ms_account_store_get_config_dir  (MsAccountStore  *self);
const char     *ms_account_store_get_path        (MsAccountStore  *self);
gboolean        ms_account_store_load            (MsAccountStore  *self,
                                                  GError         **error);
gboolean        ms_account_store_save            (MsAccountStore  *self,
                                                  GError         **error);
MsAccount      *ms_account_store_lookup          (MsAccountStore  *self,
                                                  const char      *id,
                                                  GError         **error);
MsAccount      *ms_account_store_get_default     (MsAccountStore  *self,
                                                  GError         **error);
gboolean        ms_account_store_add             (MsAccountStore  *self,
                                                  MsAccount       *account,
                                                  GError         **error);
gboolean        ms_account_store_replace         (MsAccountStore  *self,
                                                  MsAccount       *account,
                                                  GError         **error);
gboolean        ms_account_store_remove          (MsAccountStore  *self,
                                                  const char      *id,
                                                  GError         **error);
gboolean        ms_account_store_set_default     (MsAccountStore  *self,
                                                  const char      *id,
                                                  GError         **error);
char           *ms_account_store_new_id          (MsAccountStore  *self,
                                                  const char      *address);

typedef struct _MsAccountStoreLock MsAccountStoreLock;

MsAccountStoreLock *ms_account_store_lock        (MsAccountStore  *self,
                                                  GCancellable    *cancellable,
                                                  GError         **error);
void            ms_account_store_unlock          (MsAccountStoreLock *lock);
gboolean        ms_account_store_refresh         (MsAccountStore  *self,
                                                  GError         **error);
gboolean        ms_account_store_has_stored      (MsAccountStore  *self,
                                                  const char      *id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsAccountStoreLock, ms_account_store_unlock)

G_END_DECLS
