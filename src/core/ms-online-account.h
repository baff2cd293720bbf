/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ms-account.h"
#include "ms-config.h"
#include "ms-password.h"
#include "ms-request.h"

G_BEGIN_DECLS

/*
 * GNOME Online Accounts (docs/contract.md, "Online accounts"): the accounts
 * with Mail turned on, their SMTP settings, and fresh access tokens. Every
 * call is blocking D-Bus: call it from a worker thread or the command line.
 * Errors: online-account-unavailable (no session bus, GOA not running, the
 * account gone or with Mail off), online-account-needs-attention.
 */
typedef struct
{
  char       *id;                /* GOA's Id */
  char       *provider;          /* GOA's ProviderType: "google", "ms_graph", ... */
  char       *address;           /* Mail's EmailAddress */
  char       *smtp_host;         /* without GOA's ":port" */
  guint16     smtp_port;         /* from "host:port", else 0 */
  MsSecurity  security;          /* SmtpUseSsl: tls; SmtpUseTls: starttls; else none */
  char       *smtp_user;         /* SmtpUserName, nullable */
  gboolean    smtp_supported;    /* SmtpSupported */
  gboolean    oauth2;            /* has OAuth2Based: no password needed */
  gboolean    attention_needed;  /* AttentionNeeded */
} MsOnlineAccount;

void             ms_online_account_free        (MsOnlineAccount  *account);
GPtrArray       *ms_online_account_list        (GCancellable     *cancellable,
                                                GError          **error);
MsOnlineAccount *ms_online_account_lookup      (const char       *id,
                                                GCancellable     *cancellable,
                                                GError          **error);
MsOnlineAccount *ms_online_account_find_address (const char      *address,
                                                GCancellable     *cancellable,
                                                GError          **error);
MsPassword      *ms_online_account_get_token   (const char       *id,
                                                GCancellable     *cancellable,
                                                GError          **error);
gboolean         ms_online_account_renew       (const char       *id,
                                                GCancellable     *cancellable,
                                                GError          **error);
gboolean         ms_online_account_apply       (const MsOnlineAccount *account,
                                                MsRequest        *request,
                                                GError          **error);
gboolean         ms_online_account_complete_request (MsRequest   *request,
                                                     GCancellable *cancellable,
                                                     GError     **error);

/*
 * What `account add --online-account` (its connection options) and the
 * wizard (its server page) set over the GOA account's values; NULL, 0 and
 * MS_SECURITY_AUTO leave them to GOA.
 */
typedef struct
{
  const char *display_name;
  const char *provider;   /* a provider id; NULL: the address's domain decides */
  const char *host;
  guint16     port;
  MsSecurity  security;
  const char *username;
  const char *ca_file;
  const char *pin;
} MsOnlineAccountOverrides;

MsOnlineAccount *ms_online_account_resolve     (const char      *goa_id,
                                                const char      *address,
                                                GCancellable    *cancellable,
                                                GError         **error);
MsAccount       *ms_online_account_make_account (const MsOnlineAccount          *info,
                                                 const char                     *id,
                                                 const char                     *address,
                                                 const MsOnlineAccountOverrides *overrides,
                                                 GError                        **error);

/*
 * MsOnlineAccountWatch: calls @func on the main context whenever GNOME
 * Online Accounts gains, loses or changes an account (GOA's object
 * manager), and when the service starts; the wizard then asks again.
 */
typedef struct _MsOnlineAccountWatch MsOnlineAccountWatch;
typedef void (*MsOnlineAccountWatchFunc) (gpointer user_data);

MsOnlineAccountWatch *ms_online_account_watch_new  (MsOnlineAccountWatchFunc  func,
                                                    gpointer                  user_data);
void                  ms_online_account_watch_free (MsOnlineAccountWatch     *watch);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsOnlineAccount, ms_online_account_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsOnlineAccountWatch, ms_online_account_watch_free)

G_END_DECLS
