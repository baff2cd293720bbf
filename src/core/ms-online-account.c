/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-online-account"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#define GOA_API_IS_SUBJECT_TO_CHANGE
#include <goa/goa.h>

#include "ms-error.h"
#include "ms-online-account.h"
#include "ms-provider.h"
#include "ms-validate.h"

/*
 * The only file that includes <goa/goa.h> (docs/architecture.md). Each call
 * makes its own GoaClient, so the properties it reads (AttentionNeeded
 * after EnsureCredentials) are the service's current ones, and nothing is
 * kept between calls: no token is ever cached or written here.
 */

void
ms_online_account_free (MsOnlineAccount *account)
{
  if (account == NULL)
    return;

  g_free (account->id);
  g_free (account->provider);
  g_free (account->address);
  g_free (account->smtp_host);
  g_free (account->smtp_user);
  g_free (account);
}

static void
set_unavailable (GError     **error,
                 const char  *why)
{
  g_set_error (error, MS_ERROR, MS_ERROR_ONLINE_ACCOUNT_UNAVAILABLE,
               /* Translators: %s says why, e.g. "no session bus" */
               _("GNOME Online Accounts cannot be reached: %s"), why);
}

/* A client whose service is running; the bus may be missing (a cron job),
 * and GOA may not be there. */
static GoaClient *
client_new (GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GoaClient) client = goa_client_new_sync (cancellable, &local_error);
  GDBusObjectManager *manager;

  if (client == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_set_error_literal (error, MS_ERROR, MS_ERROR_CANCELLED, local_error->message);
      else
        set_unavailable (error, local_error->message);
      return NULL;
    }

  manager = goa_client_get_object_manager (client);
  if (g_dbus_object_manager_client_get_name_owner (G_DBUS_OBJECT_MANAGER_CLIENT (manager)) == NULL)
    {
      set_unavailable (error, _("the Online Accounts service is not running"));
      return NULL;
    }

  return g_steal_pointer (&client);
}

/* GOA's SmtpHost may be "host:port" (and "[v6]:port"). */
static void
split_host (const char  *text,
            char       **host,
            guint16     *port)
{
  const char *colon = strrchr (text, ':');
  guint64 value = 0;

  *port = 0;
  if (colon != NULL && strchr (text, ':') == colon
      && g_ascii_string_to_unsigned (colon + 1, 10, 1, 65535, &value, NULL))
    {
      *host = g_strndup (text, colon - text);
      *port = (guint16) value;
      return;
    }
  if (text[0] == '[' && colon != NULL && colon > text && colon[-1] == ']'
      && g_ascii_string_to_unsigned (colon + 1, 10, 1, 65535, &value, NULL))
    {
      *host = g_strndup (text + 1, colon - text - 2);
      *port = (guint16) value;
      return;
    }
  *host = g_strdup (text);
}

/* NULL unless the object is an account with Mail turned on. */
static MsOnlineAccount *
account_from_object (GoaObject *object)
{
  GoaAccount *account = goa_object_peek_account (object);
  GoaMail *mail = goa_object_peek_mail (object);
  MsOnlineAccount *info;
  const char *host;

  if (account == NULL || mail == NULL || goa_account_get_mail_disabled (account))
    return NULL;

  info = g_new0 (MsOnlineAccount, 1);
  info->id = g_strdup (goa_account_get_id (account));
  info->provider = g_strdup (goa_account_get_provider_type (account));
  info->address = g_strdup (goa_mail_get_email_address (mail));
  host = goa_mail_get_smtp_host (mail);
  split_host (host ? host : "", &info->smtp_host, &info->smtp_port);
  info->security = goa_mail_get_smtp_use_ssl (mail) ? MS_SECURITY_TLS
                   : goa_mail_get_smtp_use_tls (mail) ? MS_SECURITY_STARTTLS
                   : MS_SECURITY_NONE;
  info->smtp_user = g_strdup (goa_mail_get_smtp_user_name (mail));
  info->smtp_supported = goa_mail_get_smtp_supported (mail);
  info->oauth2 = goa_object_peek_oauth2_based (object) != NULL;
  info->attention_needed = goa_account_get_attention_needed (account);

  return info;
}

/**
 * ms_online_account_list:
 * @cancellable: (nullable): a #GCancellable
 * @error: online-account-unavailable when GOA cannot be asked
 *
 * Returns: (transfer full) (element-type MsOnlineAccount): the accounts
 *   with Mail turned on (password-based ones too, with oauth2 %FALSE), in
 *   GOA's order; %NULL on error
 */
GPtrArray *
ms_online_account_list (GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(GoaClient) client = client_new (cancellable, error);
  GPtrArray *accounts;
  GList *objects;

  if (client == NULL)
    return NULL;

  accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) ms_online_account_free);
  objects = goa_client_get_accounts (client);
  for (GList *l = objects; l != NULL; l = l->next)
    {
      MsOnlineAccount *info = account_from_object (l->data);

      if (info != NULL)
        g_ptr_array_add (accounts, info);
    }
  g_list_free_full (objects, g_object_unref);

  return accounts;
}

static GoaObject *
lookup_object (GoaClient   *client,
               const char  *id,
               GError     **error)
{
  GoaObject *object = goa_client_lookup_by_id (client, id);

  if (object == NULL)
    {
      g_set_error (error, MS_ERROR, MS_ERROR_ONLINE_ACCOUNT_UNAVAILABLE,
                   _("There is no account “%s” in Online Accounts."), id);
      return NULL;
    }
  if (goa_object_peek_mail (object) == NULL
      || goa_account_get_mail_disabled (goa_object_peek_account (object)))
    {
      g_set_error (error, MS_ERROR, MS_ERROR_ONLINE_ACCOUNT_UNAVAILABLE,
                   _("Mail is turned off for the account “%s” in Online Accounts."), id);
      g_object_unref (object);
      return NULL;
    }

  return object;
}

/**
 * ms_online_account_lookup:
 * @id: a GOA account id
 * @cancellable: (nullable): a #GCancellable
 * @error: online-account-unavailable when GOA cannot be asked, or the
 *   account is gone or has Mail turned off
 *
 * Returns: (transfer full): the account, or %NULL
 */
MsOnlineAccount *
ms_online_account_lookup (const char    *id,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autoptr(GoaClient) client = NULL;
  g_autoptr(GoaObject) object = NULL;

  g_return_val_if_fail (id != NULL, NULL);

  client = client_new (cancellable, error);
  if (client == NULL)
    return NULL;
  object = lookup_object (client, id, error);

  return object ? account_from_object (object) : NULL;
}

/**
 * ms_online_account_find_address:
 * @address: a mail address
 * @cancellable: (nullable): a #GCancellable
 * @error: online-account-unavailable when GOA cannot be asked or has no
 *   account with Mail for @address
 *
 * The account `account add --online-account auto` and the wizard pick:
 * the first with Mail for @address (compared without case), preferring one
 * that signs in with OAuth2.
 *
 * Returns: (transfer full): the account, or %NULL
 */
MsOnlineAccount *
ms_online_account_find_address (const char    *address,
                                GCancellable  *cancellable,
                                GError       **error)
{
  g_autoptr(GPtrArray) accounts = ms_online_account_list (cancellable, error);
  MsOnlineAccount *found = NULL;

  if (accounts == NULL)
    return NULL;

  for (guint i = 0; i < accounts->len; i++)
    {
      MsOnlineAccount *info = g_ptr_array_index (accounts, i);

      if (info->address == NULL || g_ascii_strcasecmp (info->address, address) != 0)
        continue;
      if (found == NULL || (info->oauth2 && !found->oauth2))
        found = info;
    }
  if (found == NULL)
    {
      g_set_error (error, MS_ERROR, MS_ERROR_ONLINE_ACCOUNT_UNAVAILABLE,
                   _("No account in Online Accounts has Mail for %s."), address);
      return NULL;
    }

  /* Steal it out of the array. */
  for (guint i = 0; i < accounts->len; i++)
    if (g_ptr_array_index (accounts, i) == found)
      return g_ptr_array_steal_index (accounts, i);

  g_assert_not_reached ();
}

static gboolean
needs_attention (GError     **error,
                 const char  *id)
{
  g_set_error (error, MS_ERROR, MS_ERROR_ONLINE_ACCOUNT_NEEDS_ATTENTION,
               _("Online Accounts says the account “%s” needs you to sign in again."), id);

  return FALSE;
}

/* A D-Bus failure of a call: GOA's NotAuthorized means the grant is gone. */
static gboolean
call_failed (GError      *call_error,
             const char  *id,
             GError     **error)
{
  if (g_error_matches (call_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_set_error_literal (error, MS_ERROR, MS_ERROR_CANCELLED, call_error->message);
  else if (g_error_matches (call_error, GOA_ERROR, GOA_ERROR_NOT_AUTHORIZED))
    needs_attention (error, id);
  else
    {
      g_dbus_error_strip_remote_error (call_error);
      set_unavailable (error, call_error->message);
    }

  return FALSE;
}

/**
 * ms_online_account_get_token:
 * @id: a GOA account id
 * @cancellable: (nullable): a #GCancellable
 * @error: online-account-unavailable, online-account-needs-attention
 *
 * Asks GOA for an access token once (OAuth2Based.GetAccessToken). The
 * token is never written anywhere: the caller wipes it with the
 * #MsPassword.
 *
 * Returns: (transfer full): the token, or %NULL
 */
MsPassword *
ms_online_account_get_token (const char    *id,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_autoptr(GoaClient) client = NULL;
  g_autoptr(GoaObject) object = NULL;
  g_autoptr(GError) call_error = NULL;
  g_autofree char *token = NULL;
  GoaOAuth2Based *oauth2;
  MsPassword *password;
  gint expires_in = 0;

  g_return_val_if_fail (id != NULL, NULL);

  client = client_new (cancellable, error);
  if (client == NULL)
    return NULL;
  object = lookup_object (client, id, error);
  if (object == NULL)
    return NULL;

  oauth2 = goa_object_peek_oauth2_based (object);
  if (oauth2 == NULL)
    {
      g_set_error (error, MS_ERROR, MS_ERROR_ONLINE_ACCOUNT_UNAVAILABLE,
                   _("The account “%s” in Online Accounts does not sign in with OAuth2."), id);
      return NULL;
    }
  if (goa_account_get_attention_needed (goa_object_peek_account (object)))
    return needs_attention (error, id), NULL;

  if (!goa_oauth2_based_call_get_access_token_sync (oauth2, &token, &expires_in, cancellable,
                                                    &call_error))
    return call_failed (call_error, id, error), NULL;
  if (token == NULL || *token == '\0')
    return needs_attention (error, id), NULL;

  password = ms_password_new (token, strlen (token));
  ms_wipe (token, strlen (token));

  return password;
}

/**
 * ms_online_account_renew:
 * @id: a GOA account id
 * @cancellable: (nullable): a #GCancellable
 * @error: online-account-unavailable, online-account-needs-attention
 *
 * Account.EnsureCredentials: GOA renews the token, or marks the account as
 * needing attention (then this fails with online-account-needs-attention).
 *
 * Returns: %TRUE when GOA has usable credentials again
 */
gboolean
ms_online_account_renew (const char    *id,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(GoaClient) client = NULL;
  g_autoptr(GoaObject) object = NULL;
  g_autoptr(GError) call_error = NULL;
  gint expires_in = 0;

  g_return_val_if_fail (id != NULL, FALSE);

  client = client_new (cancellable, error);
  if (client == NULL)
    return FALSE;
  object = lookup_object (client, id, error);
  if (object == NULL)
    return FALSE;

  if (!goa_account_call_ensure_credentials_sync (goa_object_peek_account (object), &expires_in,
                                                 cancellable, &call_error))
    return call_failed (call_error, id, error);

  return TRUE;
}

/**
 * ms_online_account_resolve:
 * @goa_id: a GOA account id, or `auto`
 * @address: the address the account sends from
 * @cancellable: (nullable): a #GCancellable
 * @error: online-account-unavailable (GOA cannot be asked, no such account,
 *   or it signs in with a password), online-account-needs-attention
 *
 * The GOA account an account of Mail Setup can use: @goa_id's, or with
 * `auto` the one ms_online_account_find_address() picks for @address; it
 * must sign in with OAuth2 and not need attention.
 *
 * Returns: (transfer full): the account, or %NULL
 */
MsOnlineAccount *
ms_online_account_resolve (const char    *goa_id,
                           const char    *address,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autoptr(MsOnlineAccount) info = NULL;

  g_return_val_if_fail (goa_id != NULL, NULL);
  g_return_val_if_fail (address != NULL, NULL);

  info = g_str_equal (goa_id, "auto")
         ? ms_online_account_find_address (address, cancellable, error)
         : ms_online_account_lookup (goa_id, cancellable, error);
  if (info == NULL)
    return NULL;
  if (!info->oauth2)
    {
      g_set_error (error, MS_ERROR, MS_ERROR_ONLINE_ACCOUNT_UNAVAILABLE,
                   _("The account “%s” in Online Accounts signs in with a password, not OAuth2: add it with --password-stdin instead."),
                   info->id);
      return NULL;
    }
  if (info->attention_needed)
    return needs_attention (error, info->id), NULL;

  return g_steal_pointer (&info);
}

/* Only what was given: the rest stays out of the group and is asked of
 * GOA at every connection (ms_online_account_complete_request()). */
static void
apply_overrides (MsAccount                      *account,
                 const MsOnlineAccountOverrides *overrides)
{
  if (overrides->host != NULL)
    ms_account_set_host (account, overrides->host);
  if (overrides->security != MS_SECURITY_AUTO)
    ms_account_set_security (account, overrides->security);
  if (overrides->port != 0)
    ms_account_set_port (account, overrides->port);
  if (overrides->username != NULL)
    ms_account_set_username (account, overrides->username);
  if (overrides->ca_file != NULL)
    ms_account_set_ca_file (account, overrides->ca_file);
  if (overrides->pin != NULL)
    ms_account_set_pin (account, overrides->pin);
}

/**
 * ms_online_account_make_account:
 * @info: the GOA account, from ms_online_account_resolve()
 * @id: the new account's id
 * @address: the address it sends from
 * @overrides: (nullable): settings given over GOA's
 * @error: invalid-input
 *
 * The account that signs in through @info, as `account add
 * --online-account` and the wizard store it: the address,
 * `online-account=`, the provider, and only the settings @overrides
 * gives. GOA's server, port, security and user name are not copied: the
 * account follows GOA, which is asked for them at every connection
 * (ms_online_account_complete_request(); docs/contract.md, "Online
 * accounts"); a setting in @overrides stays in force whatever GOA says.
 * No secret.
 *
 * Returns: (transfer full): the account, or %NULL
 */
MsAccount *
ms_online_account_make_account (const MsOnlineAccount          *info,
                                const char                     *id,
                                const char                     *address,
                                const MsOnlineAccountOverrides *overrides,
                                GError                        **error)
{
  static const MsOnlineAccountOverrides none = { .security = MS_SECURITY_AUTO };
  g_autoptr(MsAccount) account = NULL;
  const MsProvider *provider;

  g_return_val_if_fail (info != NULL, NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (address != NULL, NULL);

  if (overrides == NULL)
    overrides = &none;
  if (!ms_validate_account_id (id, error)
      || !ms_validate_address (_("Email address"), address, error))
    return NULL;

  account = ms_account_new (id);
  ms_account_set_address (account, address);
  ms_account_set_online_account (account, info->id);
  if (overrides->display_name != NULL)
    ms_account_set_display_name (account, overrides->display_name);
  provider = overrides->provider != NULL ? ms_provider_lookup (overrides->provider)
                                         : ms_provider_lookup_domain (strrchr (address, '@') + 1);
  if (provider != NULL)
    ms_account_set_provider (account, provider->id);
  apply_overrides (account, overrides);

  if (!ms_account_validate (account, error))
    return NULL;

  return g_steal_pointer (&account);
}

/**
 * ms_online_account_apply:
 * @account: the GOA account @request signs in with, as just read
 * @request: (inout): a request of an account of GNOME Online Accounts
 * @error: online-account-unavailable when GOA gives no SMTP server
 *
 * Takes the settings that @request still has to take from GOA
 * (request->online_settings, the ones its group does not set) from
 * @account's Mail interface: the host of SmtpHost; the security mode
 * (SmtpUseSsl: tls, SmtpUseTls: starttls, else none); the port of GOA's
 * `host:port` form when both the host and the mode come from GOA, else the
 * mode's default; the user name SmtpUserName when GOA has one. Records in
 * request->from_online_account which values came from GOA, and leaves
 * nothing more to take (docs/contract.md, "Online accounts").
 *
 * Returns: %TRUE when @request is complete
 */
gboolean
ms_online_account_apply (const MsOnlineAccount  *account,
                         MsRequest              *request,
                         GError                **error)
{
  MsOnlineSettings wanted;
  MsOnlineSettings from = MS_ONLINE_SETTING_NONE;
  MsSmtpConfig *config;

  g_return_val_if_fail (account != NULL && request != NULL, FALSE);

  wanted = request->online_settings;
  config = request->config;

  if ((wanted & MS_ONLINE_SETTING_HOST) != 0)
    {
      if (account->smtp_host == NULL || *account->smtp_host == '\0' || !account->smtp_supported)
        {
          g_set_error (error, MS_ERROR, MS_ERROR_ONLINE_ACCOUNT_UNAVAILABLE,
                       _("Online Accounts gives no server for sending mail for the account “%s”."),
                       account->id);
          return FALSE;
        }
      g_free (config->host);
      config->host = g_strdup (account->smtp_host);
      from |= MS_ONLINE_SETTING_HOST;
    }
  if ((wanted & MS_ONLINE_SETTING_SECURITY) != 0)
    {
      config->security = account->security;
      from |= MS_ONLINE_SETTING_SECURITY;
    }
  if ((wanted & MS_ONLINE_SETTING_PORT) != 0)
    {
      /* GOA's port belongs to GOA's host and mode: with a host or a mode of
       * the group's own, the mode's default port. */
      if ((wanted & MS_ONLINE_SETTING_HOST) != 0 && (wanted & MS_ONLINE_SETTING_SECURITY) != 0
          && account->smtp_port != 0)
        config->port = account->smtp_port;
      else
        config->port = ms_security_default_port (config->security);
      if ((wanted & MS_ONLINE_SETTING_SECURITY) != 0)
        from |= MS_ONLINE_SETTING_PORT;
    }
  if ((wanted & MS_ONLINE_SETTING_USER) != 0
      && account->smtp_user != NULL && *account->smtp_user != '\0')
    {
      g_free (config->username);
      config->username = g_strdup (account->smtp_user);
      from |= MS_ONLINE_SETTING_USER;
    }

  request->online_settings = MS_ONLINE_SETTING_NONE;
  request->from_online_account |= from;

  return TRUE;
}

/**
 * ms_online_account_complete_request:
 * @request: (inout): a request of an account of GNOME Online Accounts
 * @cancellable: (nullable): a #GCancellable
 * @error: online-account-unavailable (no session bus, GOA not running, the
 *   account gone, Mail off, no SMTP server), cancelled
 *
 * The one place where an account that follows GOA gets its effective
 * settings: asks GOA for the account now (its current properties, never
 * a cached copy) and applies them with ms_online_account_apply(). Every
 * operation calls it before connecting (ms_operation_run(),
 * ms_outbox_deliver(), ms_diagnose_run()), and `account show` and
 * `export` through ms_account_ops_resolve(). Does nothing, and asks GOA
 * nothing, when the request has nothing to take from GOA (an account with
 * a password, or one whose group sets every setting). Blocking D-Bus: call
 * it from a worker thread or the command line. Asks for no token.
 *
 * Returns: %TRUE when @request is complete
 */
gboolean
ms_online_account_complete_request (MsRequest     *request,
                                    GCancellable  *cancellable,
                                    GError       **error)
{
  g_autoptr(MsOnlineAccount) account = NULL;

  g_return_val_if_fail (request != NULL, FALSE);

  if (request->online_account == NULL || request->online_settings == MS_ONLINE_SETTING_NONE)
    return TRUE;

  account = ms_online_account_lookup (request->online_account, cancellable, error);
  if (account == NULL)
    return FALSE;

  return ms_online_account_apply (account, request, error);
}

/* ---- watching for accounts ---- */

struct _MsOnlineAccountWatch
{
  GoaClient                *client;
  GCancellable             *cancellable;
  MsOnlineAccountWatchFunc  func;
  gpointer                  user_data;
  /* goa_client_new() has not called back yet: the callback frees a
   * watch given up meanwhile (func NULL), since a client that was
   * ready before the cancellation still arrives. */
  gboolean                  pending;
};

static void
watch_destroy (MsOnlineAccountWatch *watch)
{
  g_clear_object (&watch->cancellable);
  if (watch->client != NULL)
    g_signal_handlers_disconnect_by_data (watch->client, watch);
  g_clear_object (&watch->client);
  g_free (watch);
}

static void
on_accounts_changed_cb (GoaClient            *client,
                        GoaObject            *object,
                        MsOnlineAccountWatch *watch)
{
  watch->func (watch->user_data);
}

static void
on_watch_client_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  GoaClient *client = goa_client_new_finish (result, &error);
  MsOnlineAccountWatch *watch = user_data;

  watch->pending = FALSE;
  if (watch->func == NULL)
    {
      g_clear_object (&client);
      watch_destroy (watch);
      return;
    }
  if (client == NULL)
    {
      g_debug ("Not watching Online Accounts: %s", error->message);
      return;
    }
  watch->client = client;
  /* The object manager follows the service: these come when it starts too. */
  g_signal_connect (client, "account-added", G_CALLBACK (on_accounts_changed_cb), watch);
  g_signal_connect (client, "account-removed", G_CALLBACK (on_accounts_changed_cb), watch);
  g_signal_connect (client, "account-changed", G_CALLBACK (on_accounts_changed_cb), watch);
}

/**
 * ms_online_account_watch_new:
 * @func: called on the caller's main context after a change
 * @user_data: for @func
 *
 * Watches GNOME Online Accounts without blocking (the client is made
 * asynchronously); no bus or no service only means no call. The one
 * long-lived #GoaClient in Mail Setup: it reads no token and keeps none.
 *
 * Returns: (transfer full): the watch; free it with
 *   ms_online_account_watch_free()
 */
MsOnlineAccountWatch *
ms_online_account_watch_new (MsOnlineAccountWatchFunc func,
                             gpointer                 user_data)
{
  MsOnlineAccountWatch *watch;

  g_return_val_if_fail (func != NULL, NULL);

  watch = g_new0 (MsOnlineAccountWatch, 1);
  watch->func = func;
  watch->user_data = user_data;
  watch->cancellable = g_cancellable_new ();
  watch->pending = TRUE;
  goa_client_new (watch->cancellable, on_watch_client_cb, watch);

  return watch;
}

void
ms_online_account_watch_free (MsOnlineAccountWatch *watch)
{
  if (watch == NULL)
    return;

  g_cancellable_cancel (watch->cancellable);
  if (watch->pending)
    {
      watch->func = NULL;
      return;
    }
  watch_destroy (watch);
}
