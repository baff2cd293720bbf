/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-window"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-window.h"

struct _MsWindow
{
  AdwApplicationWindow parent_instance;
};

G_DEFINE_FINAL_TYPE (MsWindow, ms_window, ADW_TYPE_APPLICATION_WINDOW)

static void
ms_window_class_init (MsWindowClass *klass)
{
}

static void
ms_window_init (MsWindow *self)
{
  gtk_window_set_title (GTK_WINDOW (self), _("Mail Setup"));
  gtk_window_set_default_size (GTK_WINDOW (self), 640, 720);
}

MsWindow *
ms_window_new (MsApplication *application)
{
  return g_object_new (MS_TYPE_WINDOW, "application", application, NULL);
}
