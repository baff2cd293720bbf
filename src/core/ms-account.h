/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "ms-config.h"
#include "ms-core-enums.h"
#include "ms-password.h"
#include "ms-paths.h"
#include "ms-request.h"

G_BEGIN_DECLS

/*
 * MsAccount:
 * One stored account: the settings of one group of accounts.ini
 * (docs/contract.md, "Where state lives"). Never holds a secret.
 *
 * Properties: "id" (construct-only), "address", "display-name", "provider",
 * "host", "port" (0 means the default port of "security"), "security"
 * (MS_TYPE_SECURITY: tls, starttls or none; never auto), "security-set"
 * (whether "security" is the account's own or the default), "username" (NULL
 * means the address), "ca-file", "pin", "online-account" (a GNOME Online
 * Accounts id instead of a keyring secret), "default", and "credentials-dir"
 * (not a setting: where a system account's secret is sealed, NULL for the
 * keyring).
 */
#define MS_TYPE_ACCOUNT (ms_account_get_type ())

G_DECLARE_FINAL_TYPE (MsAccount, ms_account, MS, ACCOUNT, GObject)

MsAccount     *ms_account_new                (const char  *id);
MsAccount     *ms_account_copy               (MsAccount   *self,
                                              const char  *new_id);

const char    *ms_account_get_id             (MsAccount   *self);
const char    *ms_account_get_address        (MsAccount   *self);
void           ms_account_set_address        (MsAccount   *self,
                                              const char  *address);
const char    *ms_account_get_display_name   (MsAccount   *self);
void           ms_account_set_display_name   (MsAccount   *self,
                                              const char  *display_name);
const char    *ms_account_get_provider       (MsAccount   *self);
void           ms_account_set_provider       (MsAccount   *self,
                                              const char  *provider);
const char    *ms_account_get_host           (MsAccount   *self);
void           ms_account_set_host           (MsAccount   *self,
                                              const char  *host);
guint16        ms_account_get_port           (MsAccount   *self);
guint16        ms_account_get_effective_port (MsAccount   *self);
void           ms_account_set_port           (MsAccount   *self,
                                              guint16      port);
MsSecurity     ms_account_get_security       (MsAccount   *self);
void           ms_account_set_security       (MsAccount   *self,
                                              MsSecurity   security);
gboolean       ms_account_get_security_set   (MsAccount   *self);
void           ms_account_unset_security     (MsAccount   *self);
const char    *ms_account_get_username       (MsAccount   *self);
const char    *ms_account_get_effective_username (MsAccount *self);
void           ms_account_set_username       (MsAccount   *self,
                                              const char  *username);
const char    *ms_account_get_ca_file        (MsAccount   *self);
void           ms_account_set_ca_file        (MsAccount   *self,
                                              const char  *ca_file);
const char    *ms_account_get_pin            (MsAccount   *self);
void           ms_account_set_pin            (MsAccount   *self,
                                              const char  *pin);
const char    *ms_account_get_online_account (MsAccount   *self);
void           ms_account_set_online_account (MsAccount   *self,
                                              const char  *goa_id);
MsOnlineSettings ms_account_get_online_settings (MsAccount *self);
gboolean       ms_account_get_default        (MsAccount   *self);
void           ms_account_set_default        (MsAccount   *self,
                                              gboolean     is_default);

gboolean       ms_account_validate           (MsAccount   *self,
                                              GError     **error);
gboolean       ms_account_same_server        (MsAccount   *self,
                                              MsAccount   *other);
MsSmtpConfig  *ms_account_to_smtp_config     (MsAccount   *self);
void           ms_account_set_smtp_config    (MsAccount   *self,
                                              const MsSmtpConfig *config);
const char    *ms_account_get_credentials_dir (MsAccount  *self);
void           ms_account_set_credentials_dir (MsAccount  *self,
                                               const char *credentials_dir);
MsCredentialStore ms_account_get_credential_store (MsAccount *self);
MsRequest     *ms_account_make_request       (MsAccount   *self,
                                              MsPassword  *password);

G_END_DECLS
