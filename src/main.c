/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mailsetup"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "ms-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(MsApplication) app = NULL;

  setlocale (LC_ALL, "");
  /* MAILSETUP_LOCALEDIR lets build-aux/run and the tests use the build
   * folder's translations before anything is installed, as mailsetup-cli does. */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("MAILSETUP_LOCALEDIR") ? g_getenv ("MAILSETUP_LOCALEDIR")
                                                                    : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = ms_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
