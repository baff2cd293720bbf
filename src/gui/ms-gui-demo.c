/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-gui-demo"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ms-gui-demo.h"

/*
 * Demo only. build-aux/run --demo starts the fake server with the test PKI
 * and sets:
 *   MAILSETUP_DEMO_HOST      localhost
 *   MAILSETUP_DEMO_PORT      the server's port
 *   MAILSETUP_DEMO_SECURITY  tls, starttls or none (default tls)
 *   MAILSETUP_DEMO_CA_FILE   the test CA that signed the server's certificate
 *   MAILSETUP_DEMO_ADDRESS   the demo account (default demo@example.com)
 * For that one address the wizard skips provider detection and fills in the
 * server; sign-in, the test message and saving take the real code path.
 * No secret comes through the environment.
 */

typedef struct
{
  char       *address;
  char       *host;
  guint16     port;
  MsSecurity  security;
  char       *ca_file;
} MsGuiDemo;

static MsGuiDemo *demo;

static void
demo_free (MsGuiDemo *self)
{
  if (self == NULL)
    return;
  g_free (self->address);
  g_free (self->host);
  g_free (self->ca_file);
  g_free (self);
}

static MsSecurity
parse_security (const char *name)
{
  if (g_strcmp0 (name, "starttls") == 0)
    return MS_SECURITY_STARTTLS;
  if (g_strcmp0 (name, "none") == 0 || g_strcmp0 (name, "plain") == 0)
    return MS_SECURITY_NONE;
  return MS_SECURITY_TLS;
}

/* ms_gui_demo_load:
 * Reads the MAILSETUP_DEMO_* variables (the application does it once, at
 * start-up; tests again after setting them). */
void
ms_gui_demo_load (void)
{
  const char *host = g_getenv ("MAILSETUP_DEMO_HOST");
  const char *port = g_getenv ("MAILSETUP_DEMO_PORT");
  const char *address = g_getenv ("MAILSETUP_DEMO_ADDRESS");
  guint64 number = 0;

  g_clear_pointer (&demo, demo_free);
  if (host == NULL || host[0] == '\0' || port == NULL
      || !g_ascii_string_to_unsigned (port, 10, 1, 65535, &number, NULL))
    return;

  demo = g_new0 (MsGuiDemo, 1);
  demo->host = g_strdup (host);
  demo->port = (guint16) number;
  demo->security = parse_security (g_getenv ("MAILSETUP_DEMO_SECURITY"));
  demo->ca_file = g_strdup (g_getenv ("MAILSETUP_DEMO_CA_FILE"));
  if (demo->ca_file != NULL && demo->ca_file[0] == '\0')
    g_clear_pointer (&demo->ca_file, g_free);
  demo->address = g_strdup (address != NULL && address[0] != '\0' ? address : "demo@example.com");
  g_debug ("Demo server %s port %u", demo->host, demo->port);
}

/* ms_gui_demo_get_address:
 * Returns: (nullable): the demo account's address, or NULL without a demo. */
const char *
ms_gui_demo_get_address (void)
{
  return demo != NULL ? demo->address : NULL;
}

/* ms_gui_demo_is_address:
 * Returns: whether a demo is set up and @address is its account. */
gboolean
ms_gui_demo_is_address (const char *address)
{
  return demo != NULL && address != NULL && g_ascii_strcasecmp (address, demo->address) == 0;
}

/* ms_gui_demo_is_server:
 * Returns: whether a demo is set up and @host, @port is its server (an
 * account of the stand-in Online Accounts may point there too). */
gboolean
ms_gui_demo_is_server (const char *host,
                       guint16     port)
{
  return demo != NULL && host != NULL && g_ascii_strcasecmp (host, demo->host) == 0
         && port == demo->port;
}

/* ms_gui_demo_detection:
 * Returns: (transfer full) (nullable): what the address page shows for the
 * demo account instead of asking DNS (no provider: the server is given), or
 * NULL without a demo. */
MsDetection *
ms_gui_demo_detection (void)
{
  MsDetection *detection;

  if (demo == NULL)
    return NULL;
  detection = g_new0 (MsDetection, 1);
  detection->domain = g_strdup (strchr (demo->address, '@') != NULL
                                ? strchr (demo->address, '@') + 1 : demo->address);
  detection->host = g_strdup (demo->host);
  detection->port = demo->port;
  detection->security = demo->security;
  detection->source = MS_DETECTION_SOURCE_TABLE;
  detection->provider_source = MS_DETECTION_SOURCE_TABLE;
  detection->confirmed = TRUE;
  return detection;
}

/* ms_gui_demo_get_ca_file:
 * Returns: (nullable): the CA that signed the demo server's certificate */
const char *
ms_gui_demo_get_ca_file (void)
{
  return demo != NULL ? demo->ca_file : NULL;
}
