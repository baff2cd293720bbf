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
