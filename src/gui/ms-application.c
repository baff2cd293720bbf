/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-application"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ms-application.h"
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

  G_APPLICATION_CLASS (ms_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
}

/* ---- benchmark support (tests/bench) ----
 * MS_BENCH_EXIT_AFTER_FIRST_FRAME=1: once the first frame is painted, print
 * exactly one line, "first-frame-ms=N vmhwm-kb=N" (milliseconds since the
 * process started, from /proc/self/stat, and the peak resident memory), and
 * quit. Nothing else changes. */

static gint64
process_age_ms (void)
{
  g_autofree char *stat = NULL;
  g_auto(GStrv) fields = NULL;
  const char *end;
  guint64 start_ticks;
  struct timespec now;

  /* Field 22, starttime, counts clock ticks from boot; the fields start
   * again after the command's closing parenthesis, with field 3. */
  if (!g_file_get_contents ("/proc/self/stat", &stat, NULL, NULL)
      || (end = strrchr (stat, ')')) == NULL)
    return -1;
  fields = g_strsplit (end + 2, " ", 0);
  if (g_strv_length (fields) < 20 || clock_gettime (CLOCK_BOOTTIME, &now) != 0)
    return -1;
  start_ticks = g_ascii_strtoull (fields[19], NULL, 10);
  return (gint64) now.tv_sec * 1000 + now.tv_nsec / 1000000
         - (gint64) (start_ticks * 1000 / (guint64) sysconf (_SC_CLK_TCK));
}

static guint64
peak_rss_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL)
      || (line = strstr (status, "VmHWM:")) == NULL)
    return 0;
  return g_ascii_strtoull (line + strlen ("VmHWM:"), NULL, 10);
}

static void
on_first_frame_cb (GdkFrameClock *clock,
                   GApplication  *app)
{
  g_signal_handlers_disconnect_by_func (clock, on_first_frame_cb, app);
  printf ("first-frame-ms=%" G_GINT64_FORMAT " vmhwm-kb=%" G_GUINT64_FORMAT "\n",
          process_age_ms (), peak_rss_kb ());
  fflush (stdout);
  g_application_quit (app);
}

static void
ms_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));
  GdkFrameClock *clock;

  if (window == NULL)
    window = GTK_WINDOW (ms_window_new (MS_APPLICATION (app)));

  gtk_window_present (window);

  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  if (g_strcmp0 (g_getenv ("MS_BENCH_EXIT_AFTER_FIRST_FRAME"), "1") == 0 && clock != NULL)
    g_signal_connect_object (clock, "after-paint", G_CALLBACK (on_first_frame_cb), app, 0);
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
