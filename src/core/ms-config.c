/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-config"

#include "config.h"

#include "ms-config.h"
#include "ms-core-enums.h"

G_DEFINE_BOXED_TYPE (MsSmtpConfig, ms_smtp_config, ms_smtp_config_copy, ms_smtp_config_free)

static const char *security_names[] = {
  [MS_SECURITY_TLS] = "tls",
  [MS_SECURITY_STARTTLS] = "starttls",
  [MS_SECURITY_NONE] = "none",
  [MS_SECURITY_AUTO] = "auto",
};

const char *
ms_security_to_string (MsSecurity security)
{
  g_return_val_if_fail (security <= MS_SECURITY_AUTO, "tls");

  return security_names[security];
}

gboolean
ms_security_from_string (const char *name,
                         MsSecurity *security)
{
  g_return_val_if_fail (security != NULL, FALSE);

  if (name == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (security_names); i++)
    {
      if (g_str_equal (name, security_names[i]))
        {
          *security = i;
          return TRUE;
        }
    }

  return FALSE;
}

guint16
ms_security_default_port (MsSecurity security)
{
  switch (security)
    {
    case MS_SECURITY_STARTTLS:
      return 587;
    case MS_SECURITY_NONE:
      return 25;
    case MS_SECURITY_TLS:
    case MS_SECURITY_AUTO:
    default:
      return 465;
    }
}

/**
 * ms_online_settings_to_strv:
 * @settings: some of the settings of an online account
 *
 * Returns: (transfer full): their names ("host", "port", "security",
 *   "user"), in that order; empty for none
 */
char **
ms_online_settings_to_strv (MsOnlineSettings settings)
{
  g_autoptr(GFlagsClass) klass = g_type_class_ref (MS_TYPE_ONLINE_SETTINGS);
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();

  for (guint i = 0; i < klass->n_values; i++)
    if (klass->values[i].value != 0 && (settings & klass->values[i].value) != 0)
      g_strv_builder_add (names, klass->values[i].value_nick);

  return g_strv_builder_end (names);
}

/**
 * ms_smtp_config_new:
 *
 * Returns: (transfer full): a config for implicit TLS on port 465 with the
 *   default timeout and no host
 */
MsSmtpConfig *
ms_smtp_config_new (void)
{
  MsSmtpConfig *config = g_new0 (MsSmtpConfig, 1);

  config->security = MS_SECURITY_TLS;
  config->port = 465;
  config->timeout_seconds = MS_DEFAULT_TIMEOUT_SECONDS;

  return config;
}

MsSmtpConfig *
ms_smtp_config_copy (const MsSmtpConfig *config)
{
  MsSmtpConfig *copy;

  g_return_val_if_fail (config != NULL, NULL);

  copy = g_memdup2 (config, sizeof *config);
  copy->host = g_strdup (config->host);
  copy->ca_file = g_strdup (config->ca_file);
  copy->pin = g_strdup (config->pin);
  copy->username = g_strdup (config->username);

  return copy;
}

void
ms_smtp_config_free (MsSmtpConfig *config)
{
  if (config == NULL)
    return;

  g_free (config->host);
  g_free (config->ca_file);
  g_free (config->pin);
  g_free (config->username);
  g_free (config);
}
