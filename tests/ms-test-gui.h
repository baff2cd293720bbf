/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/*
 * Helpers shared by the tests that drive real windows in-process under
 * Xvfb (test-gui-window, test-gui-export).
 */

/* How long a test waits for the window to get somewhere. */
#define MS_TEST_GUI_WAIT_MS 8000

typedef gboolean (*MsTestCondition) (gpointer data);

/* Iterates the main context until @condition holds; FALSE after @timeout_ms. */
gboolean   ms_test_gui_wait_until           (MsTestCondition  condition,
                                             gpointer         data,
                                             guint            timeout_ms);
/* Iterates the main context for @ms milliseconds. */
void       ms_test_gui_spin                 (guint            ms);

/* Conditions: a visible file chooser window (stored in *(GtkWindow **) @data);
 * the file at the path @data exists. */
gboolean   ms_test_gui_find_file_chooser    (gpointer         data);
gboolean   ms_test_gui_file_exists          (gpointer         data);

/* G_TEST_OPTION_ISOLATE_DIRS empties XDG_DATA_DIRS; this puts back
 * @data_dirs (the value before g_test_init()) and the build folder's
 * compiled schema. */
void       ms_test_gui_keep_system_data_dirs (const char     *data_dirs);

/* GTK and libadwaita for the tests: the cairo renderer, no accessibility
 * bus, no animations. Call after anything that sets up the session bus. */
void       ms_test_gui_init                 (void);

typedef void (*MsTestChooserFunc) (GtkWindow *chooser,
                                   gpointer   data);

/* Activates @action on @widget, which opens a save file chooser, saves into
 * @folder as @name (calling @before_accept, if any, once the chooser shows
 * it) and waits for the file. The working folder is @folder while the
 * chooser is open: the chooser may go back to it whatever it was told.
 * Returns: the file's path. */
char      *ms_test_gui_save_with_chooser    (GtkWidget         *widget,
                                             const char        *action,
                                             const char        *folder,
                                             const char        *name,
                                             MsTestChooserFunc  before_accept,
                                             gpointer           data);

/* Fails the test (g_test_fail_printf, naming @page and each widget) when a
 * mapped label inside @window is ellipsized or has less room than its text
 * needs, or when a mapped widget reaches outside @window (sideways outside
 * the scrolled window that holds it). */
void       ms_test_gui_check_nothing_cut_off (GtkWidget        *window,
                                              const char       *page);

/* Saves @widget as @folder/@name.png under the build's tests folder
 * (e.g. "gui-shots-ja"), letting a page that just changed lay out first;
 * a screenshot that cannot be taken is a test message, not a failure. */
void       ms_test_gui_save_shot            (GtkWidget        *widget,
                                             const char       *folder,
                                             const char       *name);

/* Both widths of the window (docs/ui.md, "The rules": about 640 wide,
 * usable at 360): saves @name and @name-360 into @folder and fails when
 * the window asks for more than 360 px or anything is cut off at either
 * width; leaves the window at 640 × 720. */
void       ms_test_gui_shoot                (GtkWindow        *window,
                                             const char       *folder,
                                             const char       *name);

G_END_DECLS
