/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  MS_SECURITY_TLS,
  MS_SECURITY_STARTTLS,
  MS_SECURITY_NONE,
  MS_SECURITY_AUTO,
} MsSecurity;

const char *ms_security_to_string     (MsSecurity  security);
gboolean    ms_security_from_string   (const char *name,
                                       MsSecurity *security);
guint16     ms_security_default_port  (MsSecurity  security);

/*
 * MsOnlineSettings:
 * @MS_ONLINE_SETTING_HOST: the SMTP server (GOA's SmtpHost)
 * @MS_ONLINE_SETTING_PORT: the port (GOA's "host:port", else the default of
 *   the security mode)
 * @MS_ONLINE_SETTING_SECURITY: the security mode (SmtpUseSsl, SmtpUseTls)
 * @MS_ONLINE_SETTING_USER: the user name (SmtpUserName)
 *
 * The connection settings of an account of GNOME Online Accounts that the
 * group of accounts.ini leaves to GOA, and which values came from it
 * (docs/contract.md, "Online accounts"). The nicks ("host", "port",
 * "security", "user") are the names `account show --json` gives.
 */
typedef enum /*< flags >*/
{
  MS_ONLINE_SETTING_NONE     = 0,
  MS_ONLINE_SETTING_HOST     = 1 << 0,
  MS_ONLINE_SETTING_PORT     = 1 << 1,
  MS_ONLINE_SETTING_SECURITY = 1 << 2,
  MS_ONLINE_SETTING_USER     = 1 << 3,
} MsOnlineSettings;

char      **ms_online_settings_to_strv (MsOnlineSettings settings);

#define MS_DEFAULT_TIMEOUT_SECONDS 20

/*
 * MsSmtpConfig:
 * What one SMTP operation connects to and how. A plain copyable struct:
 * the surfaces fill it from an account, the command line or the wizard's
 * rows, and the core never changes the caller's copy.
 *
 * @host is as the user typed it; the core normalises it once (IDN to ASCII,
 * lower case, trailing dot and brackets removed) and uses the same name for
 * DNS, SNI and the certificate check.
 */
typedef struct
{
  char       *host;
  guint16     port;
  MsSecurity  security;
  char       *ca_file;
  char       *pin;
  char       *username;
  guint       timeout_seconds;
} MsSmtpConfig;

#define MS_TYPE_SMTP_CONFIG (ms_smtp_config_get_type ())

GType         ms_smtp_config_get_type (void) G_GNUC_CONST;
MsSmtpConfig *ms_smtp_config_new      (void);
MsSmtpConfig *ms_smtp_config_copy     (const MsSmtpConfig *config);
void          ms_smtp_config_free     (MsSmtpConfig       *config);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsSmtpConfig, ms_smtp_config_free)

G_END_DECLS
