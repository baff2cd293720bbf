/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-baseline-window"

#include "config.h"

#include <adwaita.h>

/*
 * The start-up baseline: the smallest libadwaita window that looks like an
 * application, an AdwApplicationWindow with a header bar and a status page,
 * the same size as the Mail Setup window. build-aux/bench compares the
 * first frame and the memory of `mailsetup` against this program.
 */

static void
on_activate (GtkApplication *app,
             gpointer        user_data)
{
  GtkWidget *window = adw_application_window_new (app);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *status = adw_status_page_new ();

  adw_status_page_set_icon_name (ADW_STATUS_PAGE (status), "mail-send-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (status), "Baseline");
  adw_status_page_set_description (ADW_STATUS_PAGE (status),
                                   "A minimal libadwaita window for start-up benchmarks");
  gtk_widget_set_vexpand (status, TRUE);
  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  gtk_box_append (GTK_BOX (box), status);
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), box);
  gtk_window_set_title (GTK_WINDOW (window), "Baseline");
  gtk_window_set_default_size (GTK_WINDOW (window), 640, 720);
  gtk_window_present (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AdwApplication) app = adw_application_new ("io.github.mailsetup.Baseline",
                                                       G_APPLICATION_DEFAULT_FLAGS);

  g_signal_connect (app, "activate", G_CALLBACK (on_activate), NULL);

  return g_application_run (G_APPLICATION (app), argc, argv);
}
