/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-account"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ms-account.h"
#include "ms-error.h"
#include "ms-validate.h"

struct _MsAccount
{
  GObject     parent_instance;

  char       *id;
  char       *address;
  char       *display_name;
  char       *provider;
  char       *host;
  char       *username;
  char       *ca_file;
  char       *pin;
  char       *credentials_dir;
  char       *online_account;
  guint16     port;
  MsSecurity  security;
  gboolean    security_set;
  gboolean    is_default;
};

G_DEFINE_FINAL_TYPE (MsAccount, ms_account, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_ADDRESS,
  PROP_DISPLAY_NAME,
  PROP_PROVIDER,
  PROP_HOST,
  PROP_PORT,
  PROP_SECURITY,
  PROP_SECURITY_SET,
  PROP_USERNAME,
  PROP_CA_FILE,
  PROP_PIN,
  PROP_ONLINE_ACCOUNT,
  PROP_DEFAULT,
  PROP_CREDENTIALS_DIR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Empty strings mean "not set", so that a cleared entry row and a missing
 * key are the same thing. */
static void
set_string (MsAccount   *self,
            char       **field,
            const char  *value,
            guint        prop_id)
{
  if (value != NULL && value[0] == '\0')
    value = NULL;

  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
ms_account_finalize (GObject *object)
{
  MsAccount *self = (MsAccount *)object;

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->address, g_free);
  g_clear_pointer (&self->display_name, g_free);
  g_clear_pointer (&self->provider, g_free);
  g_clear_pointer (&self->host, g_free);
  g_clear_pointer (&self->username, g_free);
  g_clear_pointer (&self->ca_file, g_free);
  g_clear_pointer (&self->pin, g_free);
  g_clear_pointer (&self->credentials_dir, g_free);
  g_clear_pointer (&self->online_account, g_free);

  G_OBJECT_CLASS (ms_account_parent_class)->finalize (object);
}

static void
ms_account_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  MsAccount *self = MS_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_ID: g_value_set_string (value, self->id); break;
    case PROP_ADDRESS: g_value_set_string (value, self->address); break;
    case PROP_DISPLAY_NAME: g_value_set_string (value, self->display_name); break;
    case PROP_PROVIDER: g_value_set_string (value, self->provider); break;
    case PROP_HOST: g_value_set_string (value, self->host); break;
    case PROP_PORT: g_value_set_uint (value, self->port); break;
    case PROP_SECURITY: g_value_set_enum (value, self->security); break;
    case PROP_SECURITY_SET: g_value_set_boolean (value, self->security_set); break;
    case PROP_USERNAME: g_value_set_string (value, self->username); break;
    case PROP_CA_FILE: g_value_set_string (value, self->ca_file); break;
    case PROP_PIN: g_value_set_string (value, self->pin); break;
    case PROP_ONLINE_ACCOUNT: g_value_set_string (value, self->online_account); break;
    case PROP_DEFAULT: g_value_set_boolean (value, self->is_default); break;
    case PROP_CREDENTIALS_DIR: g_value_set_string (value, self->credentials_dir); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_account_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  MsAccount *self = MS_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_ID: self->id = g_value_dup_string (value); break;
    case PROP_ADDRESS: ms_account_set_address (self, g_value_get_string (value)); break;
    case PROP_DISPLAY_NAME: ms_account_set_display_name (self, g_value_get_string (value)); break;
    case PROP_PROVIDER: ms_account_set_provider (self, g_value_get_string (value)); break;
    case PROP_HOST: ms_account_set_host (self, g_value_get_string (value)); break;
    case PROP_PORT: ms_account_set_port (self, g_value_get_uint (value)); break;
    case PROP_SECURITY: ms_account_set_security (self, g_value_get_enum (value)); break;
    case PROP_SECURITY_SET:
      if (!g_value_get_boolean (value))
        ms_account_unset_security (self);
      else
        ms_account_set_security (self, self->security);
      break;
    case PROP_USERNAME: ms_account_set_username (self, g_value_get_string (value)); break;
    case PROP_CA_FILE: ms_account_set_ca_file (self, g_value_get_string (value)); break;
    case PROP_PIN: ms_account_set_pin (self, g_value_get_string (value)); break;
    case PROP_ONLINE_ACCOUNT:
      ms_account_set_online_account (self, g_value_get_string (value));
      break;
    case PROP_DEFAULT: ms_account_set_default (self, g_value_get_boolean (value)); break;
    case PROP_CREDENTIALS_DIR: ms_account_set_credentials_dir (self, g_value_get_string (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
string_property (const char *name)
{
  return g_param_spec_string (name, NULL, NULL, NULL,
                              G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                              G_PARAM_EXPLICIT_NOTIFY);
}

static void
ms_account_class_init (MsAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ms_account_finalize;
  object_class->get_property = ms_account_get_property;
  object_class->set_property = ms_account_set_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ADDRESS] = string_property ("address");
  properties[PROP_DISPLAY_NAME] = string_property ("display-name");
  properties[PROP_PROVIDER] = string_property ("provider");
  properties[PROP_HOST] = string_property ("host");
  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT16, 0,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SECURITY] =
    g_param_spec_enum ("security", NULL, NULL, MS_TYPE_SECURITY, MS_SECURITY_TLS,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SECURITY_SET] =
    g_param_spec_boolean ("security-set", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_USERNAME] = string_property ("username");
  properties[PROP_CA_FILE] = string_property ("ca-file");
  properties[PROP_PIN] = string_property ("pin");
  properties[PROP_ONLINE_ACCOUNT] = string_property ("online-account");
  properties[PROP_DEFAULT] =
    g_param_spec_boolean ("default", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_CREDENTIALS_DIR] = string_property ("credentials-dir");

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ms_account_init (MsAccount *self)
{
  self->security = MS_SECURITY_TLS;
}

/**
 * ms_account_new:
 * @id: the account id (checked by ms_account_validate(), not here)
 *
 * Returns: (transfer full): an account with no settings, implicit TLS
 */
MsAccount *
ms_account_new (const char *id)
{
  g_return_val_if_fail (id != NULL, NULL);

  return g_object_new (MS_TYPE_ACCOUNT, "id", id, NULL);
}

/**
 * ms_account_copy:
 * @self: an #MsAccount
 * @new_id: (nullable): the copy's id, or %NULL for the same id
 *
 * Copies every setting, for editing without touching the stored object.
 *
 * Returns: (transfer full): the copy
 */
MsAccount *
ms_account_copy (MsAccount  *self,
                 const char *new_id)
{
  g_return_val_if_fail (MS_IS_ACCOUNT (self), NULL);

  return g_object_new (MS_TYPE_ACCOUNT,
                       "id", new_id != NULL ? new_id : self->id,
                       "address", self->address,
                       "display-name", self->display_name,
                       "provider", self->provider,
                       "host", self->host,
                       "port", (guint) self->port,
                       "security", self->security,
                       "security-set", self->security_set,
                       "username", self->username,
                       "ca-file", self->ca_file,
                       "pin", self->pin,
                       "online-account", self->online_account,
                       "default", self->is_default,
                       "credentials-dir", self->credentials_dir,
                       NULL);
}

const char *
ms_account_get_id (MsAccount *self)
{
  g_return_val_if_fail (MS_IS_ACCOUNT (self), NULL);
  return self->id;
}

const char *
ms_account_get_address (MsAccount *self)
{
  g_return_val_if_fail (MS_IS_ACCOUNT (self), NULL);
  return self->address;
}

void
ms_account_set_address (MsAccount  *self,
                        const char *address)
{
  g_return_if_fail (MS_IS_ACCOUNT (self));
  set_string (self, &self->address, address, PROP_ADDRESS);
}

const char *
ms_account_get_display_name (MsAccount *self)
{
  g_return_val_if_fail (MS_IS_ACCOUNT (self), NULL);
  return self->display_name;
}

void
ms_account_set_display_name (MsAccount  *self,
                             const char *display_name)
{
  g_return_if_fail (MS_IS_ACCOUNT (self));
  set_string (self, &self->display_name, display_name, PROP_DISPLAY_NAME);
}

const char *
ms_account_get_provider (MsAccount *self)
{
  g_return_val_if_fail (MS_IS_ACCOUNT (self), NULL);
  return self->provider;
}

void
ms_account_set_provider (MsAccount  *self,
                         const char *provider)
{
  g_return_if_fail (MS_IS_ACCOUNT (self));
  set_string (self, &self->provider, provider, PROP_PROVIDER);
}

const char *
ms_account_get_host (MsAccount *self)
{
  g_return_val_if_fail (MS_IS_ACCOUNT (self), NULL);
  return self->host;
}

void
ms_account_set_host (MsAccount  *self,
                     const char *host)
{
  g_return_if_fail (MS_IS_ACCOUNT (self));
  set_string (self, &self->host, host, PROP_HOST);
}

/**
 * ms_account_get_port:
 * @self: an #MsAccount
 *
 * Returns: the port as stored, 0 when it is the default of the security mode
 */
guint16
ms_account_get_port (MsAccount *self)
{
  g_return_val_if_fail (MS_IS_ACCOUNT (self), 0);
  return self->port;
}

/**
 * ms_account_get_effective_port:
 * @self: an #MsAccount
 *
 * Returns: the port to connect to: the stored one, else 465, 587 or 25
 */
guint16
ms_account_get_effective_port (MsAccount *self)
{
  g_return_val_if_fail (MS_IS_ACCOUNT (self), 0);
  return self->port != 0 ? self->port : ms_security_default_port (self->security);
}

void
ms_account_set_port (MsAccount *self,
                     guint16    port)
{
  g_return_if_fail (MS_IS_ACCOUNT (self));

  if (self->port == port)
    return;
  self->port = port;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
}

MsSecurity
ms_account_get_security (MsAccount *self)
{
  g_return_val_if_fail (MS_IS_ACCOUNT (self), MS_SECURITY_TLS);
  return self->security;
}

/**
 * ms_account_set_security:
 * @self: an #MsAccount
 * @security: tls, starttls or none
 *
 * Sets the security mode; it is then set (#MsAccount:security-set), so an
 * account of GNOME Online Accounts keeps it whatever GOA says.
 */
void
ms_account_set_security (MsAccount  *self,
                         MsSecurity  security)
{
  g_return_if_fail (MS_IS_ACCOUNT (self));
  g_return_if_fail (security <= MS_SECURITY_NONE);

  g_object_freeze_notify (G_OBJECT (self));
  if (!self->security_set)
    {
      self->security_set = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SECURITY_SET]);
    }
  if (self->security != security)
    {
      self->security = security;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SECURITY]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * ms_account_get_security_set:
 * @self: an #MsAccount
 *
 * Returns: whether the security mode is set (in accounts.ini, or by
 *   ms_account_set_security()) rather than the default: implicit TLS, or
 *   for an account of GNOME Online Accounts what GOA says
 */
gboolean
ms_account_get_security_set (MsAccount *self)
{
  g_return_val_if_fail (MS_IS_ACCOUNT (self), FALSE);
  return self->security_set;
}

/**
 * ms_account_unset_security:
 * @self: an #MsAccount
 *
 * Back to no security mode of its own: implicit TLS, or for an account of
 * GNOME Online Accounts GOA's mode. Such an account's group then has no
 * `security` key.
 */
void
ms_account_unset_security (MsAccount *self)
{
  g_return_if_fail (MS_IS_ACCOUNT (self));

  g_object_freeze_notify (G_OBJECT (self));
  if (self->security_set)
    {
      self->security_set = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SECURITY_SET]);
    }
  if (self->security != MS_SECURITY_TLS)
    {
      self->security = MS_SECURITY_TLS;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SECURITY]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

const char *
ms_account_get_username (MsAccount *self)
{
  g_return_val_if_fail (MS_IS_ACCOUNT (self), NULL);
  return self->username;
}

/**
 * ms_account_get_effective_username:
 * @self: an #MsAccount
 *
 * Returns: (transfer none) (nullable): the login name: the username, else
 *   the address
 */
const char *
ms_account_get_effective_username (MsAccount *self)
{
  g_return_val_if_fail (MS_IS_ACCOUNT (self), NULL);
  return self->username != NULL ? self->username : self->address;
}

void
ms_account_set_username (MsAccount  *self,
                         const char *username)
{
  g_return_if_fail (MS_IS_ACCOUNT (self));
  set_string (self, &self->username, username, PROP_USERNAME);
}

const char *
ms_account_get_ca_file (MsAccount *self)
{
  g_return_val_if_fail (MS_IS_ACCOUNT (self), NULL);
  return self->ca_file;
}

void
ms_account_set_ca_file (MsAccount  *self,
                        const char *ca_file)
{
  g_return_if_fail (MS_IS_ACCOUNT (self));
  set_string (self, &self->ca_file, ca_file, PROP_CA_FILE);
}

const char *
ms_account_get_pin (MsAccount *self)
{
  g_return_val_if_fail (MS_IS_ACCOUNT (self), NULL);
  return self->pin;
}

void
ms_account_set_pin (MsAccount  *self,
                    const char *pin)
{
  g_return_if_fail (MS_IS_ACCOUNT (self));
  set_string (self, &self->pin, pin, PROP_PIN);
}

gboolean
ms_account_get_default (MsAccount *self)
{
  g_return_val_if_fail (MS_IS_ACCOUNT (self), FALSE);
  return self->is_default;
}

/**
 * ms_account_set_default:
 * @self: an #MsAccount
 * @is_default: whether this is the default account
 *
 * Only marks this object. An #MsAccountStore holding it clears the mark on
 * every other account when this one becomes the default.
 */
void
ms_account_set_default (MsAccount *self,
                        gboolean   is_default)
{
  g_return_if_fail (MS_IS_ACCOUNT (self));

  is_default = !!is_default;
  if (self->is_default == is_default)
    return;
  self->is_default = is_default;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEFAULT]);
}

static gboolean
validate_optional_text (const char  *field,
                        const char  *value,
                        GError     **error)
{
  return value == NULL || ms_validate_no_control (field, value, error);
}

static gboolean
validate_server (MsAccount  *self,
                 GError    **error)
{
  g_autofree char *normalised = NULL;
  gboolean is_literal = FALSE;

  /* An account of GNOME Online Accounts may leave the server to GOA. */
  if (self->host == NULL && self->online_account != NULL)
    return TRUE;
  if (self->host == NULL)
    {
      g_set_error_literal (error, MS_ERROR, MS_ERROR_INVALID_INPUT,
                           _("The account has no server."));
      return FALSE;
    }

  /* Translators: the name of the field holding the SMTP server's name */
  normalised = ms_validate_host (_("Server"), self->host, &is_literal, error);
  if (normalised == NULL)
    return FALSE;

  if (self->security > MS_SECURITY_NONE)
    {
      g_set_error_literal (error, MS_ERROR, MS_ERROR_INVALID_INPUT,
                           /* Translators: "auto" is a value to keep as is */
                           _("An account cannot be stored with security “auto”."));
      return FALSE;
    }

  return TRUE;
}

/**
 * ms_account_validate:
 * @self: an #MsAccount
 * @error: return location for an error
 *
 * Checks every setting as docs/contract.md defines it: the id, the address, the
 * server, CR, LF and NUL in any field, the pin's form. Whether `none` points
 * at a loopback host is checked when connecting, after resolution.
 *
 * Returns: %TRUE when the account can be stored; errors: invalid-input
 */
gboolean
ms_account_validate (MsAccount  *self,
                     GError    **error)
{
  g_return_val_if_fail (MS_IS_ACCOUNT (self), FALSE);

  if (!ms_validate_account_id (self->id, error))
    return FALSE;

  if (self->address == NULL)
    {
      g_set_error_literal (error, MS_ERROR, MS_ERROR_INVALID_INPUT,
                           _("The account has no email address."));
      return FALSE;
    }

  return ms_validate_address (_("Email address"), self->address, error) &&
         validate_server (self, error) &&
         (self->display_name == NULL || ms_validate_display_name (self->display_name, error)) &&
         validate_optional_text (_("Provider"), self->provider, error) &&
         validate_optional_text (_("User name"), self->username, error) &&
         validate_optional_text (_("CA file"), self->ca_file, error) &&
         (self->pin == NULL || ms_validate_pin (self->pin, error));
}

/**
 * ms_account_same_server:
 * @self: an #MsAccount
 * @other: another #MsAccount
 *
 * Returns: %TRUE when both would use the same keyring attributes (host,
 *   effective port and effective user name)
 */
gboolean
ms_account_same_server (MsAccount *self,
                        MsAccount *other)
{
  g_return_val_if_fail (MS_IS_ACCOUNT (self), FALSE);
  g_return_val_if_fail (MS_IS_ACCOUNT (other), FALSE);

  return g_strcmp0 (self->host, other->host) == 0 &&
         ms_account_get_effective_port (self) == ms_account_get_effective_port (other) &&
         g_strcmp0 (ms_account_get_effective_username (self),
                    ms_account_get_effective_username (other)) == 0;
}

/**
 * ms_account_to_smtp_config:
 * @self: an #MsAccount
 *
 * Returns: (transfer full): the connection settings, with the effective port
 *   and user name and the default timeout
 */
MsSmtpConfig *
ms_account_to_smtp_config (MsAccount *self)
{
  MsSmtpConfig *config;

  g_return_val_if_fail (MS_IS_ACCOUNT (self), NULL);

  config = ms_smtp_config_new ();
  config->host = g_strdup (self->host);
  config->security = self->security;
  config->port = ms_account_get_effective_port (self);
  config->username = g_strdup (ms_account_get_effective_username (self));
  config->ca_file = g_strdup (self->ca_file);
  config->pin = g_strdup (self->pin);

  return config;
}

/**
 * ms_account_set_smtp_config:
 * @self: an #MsAccount
 * @config: connection settings, as a form or the wizard found them
 *
 * The inverse of ms_account_to_smtp_config(): sets host, port, security,
 * CA file and pin from @config, and the user name only when it is not the
 * account's address (so that a changed address keeps signing in as
 * itself). The timeout is not an account setting.
 */
void
ms_account_set_smtp_config (MsAccount          *self,
                            const MsSmtpConfig *config)
{
  g_return_if_fail (MS_IS_ACCOUNT (self));
  g_return_if_fail (config != NULL);

  g_object_freeze_notify (G_OBJECT (self));
  ms_account_set_host (self, config->host);
  ms_account_set_security (self, config->security);
  ms_account_set_port (self, config->port);
  ms_account_set_username (self, g_strcmp0 (config->username, self->address) != 0
                                 ? config->username : NULL);
  ms_account_set_ca_file (self, config->ca_file);
  ms_account_set_pin (self, config->pin);
  g_object_thaw_notify (G_OBJECT (self));
}

const char *
ms_account_get_online_account (MsAccount *self)
{
  g_return_val_if_fail (MS_IS_ACCOUNT (self), NULL);

  return self->online_account;
}

/**
 * ms_account_set_online_account:
 * @self: an #MsAccount
 * @goa_id: (nullable): the GNOME Online Accounts id the account signs in
 *   with, or %NULL for a password in the keyring
 *
 * An account with an online account has no keyring item: every connection
 * asks GNOME Online Accounts for an access token (docs/contract.md,
 * "Online accounts").
 */
void
ms_account_set_online_account (MsAccount  *self,
                               const char *goa_id)
{
  g_return_if_fail (MS_IS_ACCOUNT (self));

  set_string (self, &self->online_account, goa_id, PROP_ONLINE_ACCOUNT);
}

/**
 * ms_account_get_online_settings:
 * @self: an #MsAccount
 *
 * The connection settings that an account of GNOME Online Accounts leaves
 * to GOA, because its group does not set them: no `host`, no `port`, no
 * `security`, no `username` (docs/contract.md, "Online accounts"). They
 * are asked of GOA at every connection (ms_online_account_complete_request()), so a
 * change in GOA is followed.
 *
 * Returns: those settings; none for an account with a password
 */
MsOnlineSettings
ms_account_get_online_settings (MsAccount *self)
{
  MsOnlineSettings settings = MS_ONLINE_SETTING_NONE;

  g_return_val_if_fail (MS_IS_ACCOUNT (self), MS_ONLINE_SETTING_NONE);

  if (self->online_account == NULL)
    return MS_ONLINE_SETTING_NONE;
  if (self->host == NULL)
    settings |= MS_ONLINE_SETTING_HOST;
  if (self->port == 0)
    settings |= MS_ONLINE_SETTING_PORT;
  if (!self->security_set)
    settings |= MS_ONLINE_SETTING_SECURITY;
  if (self->username == NULL)
    settings |= MS_ONLINE_SETTING_USER;

  return settings;
}

/**
 * ms_account_make_request:
 * @self: an #MsAccount
 * @password: (nullable): the secret for login, test-send and send
 *
 * Returns: (transfer full): a request for an operation with this account:
 *   its settings, the password, the account id, the provider and the
 *   address as sender; for an account of GNOME Online Accounts, the
 *   settings still to take from GOA (request->online_settings)
 */
MsRequest *
ms_account_make_request (MsAccount  *self,
                         MsPassword *password)
{
  g_autoptr(MsSmtpConfig) config = NULL;
  MsRequest *request;

  g_return_val_if_fail (MS_IS_ACCOUNT (self), NULL);

  config = ms_account_to_smtp_config (self);
  request = ms_request_new (config);
  if (password != NULL)
    request->password = ms_password_ref (password);
  request->account = g_strdup (self->id);
  if (self->online_account != NULL)
    {
      request->online_account = g_strdup (self->online_account);
      request->online_settings = ms_account_get_online_settings (self);
      request->auth = MS_AUTH_OAUTH2;
    }
  request->provider = g_strdup (self->provider);
  request->from = g_strdup (self->address);
  request->credential_store = ms_account_get_credential_store (self);
  if (self->credentials_dir != NULL)
    request->credential_file = ms_paths_credential_file (self->credentials_dir, self->id);

  return request;
}

/**
 * ms_account_get_credentials_dir:
 * @self: an #MsAccount
 *
 * Where the account's secret is sealed: the credentials folder of a system
 * account (docs/contract.md, "System accounts"), or %NULL when the secret
 * is in the keyring. Not a setting: never written to accounts.ini; the
 * store that holds the account sets it (ms_account_store_attach()).
 *
 * Returns: (transfer none) (nullable): the folder
 */
const char *
ms_account_get_credentials_dir (MsAccount *self)
{
  g_return_val_if_fail (MS_IS_ACCOUNT (self), NULL);
  return self->credentials_dir;
}

void
ms_account_set_credentials_dir (MsAccount  *self,
                                const char *credentials_dir)
{
  g_return_if_fail (MS_IS_ACCOUNT (self));
  set_string (self, &self->credentials_dir, credentials_dir, PROP_CREDENTIALS_DIR);
}

/**
 * ms_account_get_credential_store:
 * @self: an #MsAccount
 *
 * Returns: where the account's secret lives: the keyring, or a sealed
 *   system credential
 */
MsCredentialStore
ms_account_get_credential_store (MsAccount *self)
{
  g_return_val_if_fail (MS_IS_ACCOUNT (self), MS_CREDENTIAL_STORE_KEYRING);

  return self->credentials_dir != NULL ? MS_CREDENTIAL_STORE_SYSTEM : MS_CREDENTIAL_STORE_KEYRING;
}
