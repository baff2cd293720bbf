/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-application"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-application.h"
#include "ms-accessible.h"
#include "ms-gui-demo.h"
#include "ms-gui-resources.h"
#include "ms-window.h"

struct _MsApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (MsApplication, ms_application, ADW_TYPE_APPLICATION)

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  GApplication *app = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (app));

  /* Closing each window cancels its work before the application goes. */
  for (GList *l = g_list_copy (windows); l != NULL; l = g_list_delete_link (l, l))
    gtk_window_close (l->data);
  g_application_quit (app);
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (user_data));

  adw_show_about_window (parent,
                         "application-name", _("Mail Setup"),
                         "application-icon", APP_ID,
                         "version", PACKAGE_VERSION,
                         "comments", _("Send mail from your apps, scripts and backup tools through your mail account"),
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action, NULL, NULL, NULL, { 0 } },
  { "about", about_action, NULL, NULL, NULL, { 0 } },
};

static void
ms_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<Control>q", NULL };

  /* Before the first window: every template lives in this resource. */
  ms_gui_register_resource ();
  /* build-aux/run --demo only: its MAILSETUP_DEMO_* variables, read once. */
  ms_gui_demo_load ();
  /* Screen readers: names, row actions (ms-accessible.c). */
  ms_accessible_install ();

  G_APPLICATION_CLASS (ms_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
}

static void
ms_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (ms_window_new (MS_APPLICATION (app)));

  gtk_window_present (window);
}

static void
ms_application_class_init (MsApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->startup = ms_application_startup;
  app_class->activate = ms_application_activate;
}

static void
ms_application_init (MsApplication *self)
{
}

MsApplication *
ms_application_new (void)
{
  return ms_application_new_full (APP_ID, G_APPLICATION_DEFAULT_FLAGS);
}

/* ms_application_new_full:
 * For tests: another id and G_APPLICATION_NON_UNIQUE keep them off the
 * session bus name of a running Mail Setup. */
MsApplication *
ms_application_new_full (const char        *application_id,
                         GApplicationFlags  flags)
{
  return g_object_new (MS_TYPE_APPLICATION,
                       "application-id", application_id,
                       "flags", flags,
                       "resource-base-path", RESOURCE_PREFIX,
                       NULL);
}
