/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-test-gui"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "ms-gui-util.h"
#include "ms-test-gui.h"

gboolean
ms_test_gui_wait_until (MsTestCondition condition,
                        gpointer        data,
                        guint           timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return TRUE;
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

void
ms_test_gui_spin (guint ms)
{
  ms_test_gui_wait_until (never, NULL, ms);
}

gboolean
ms_test_gui_find_file_chooser (gpointer data)
{
  GtkWindow **found = data;
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (GTK_IS_FILE_CHOOSER (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        {
          *found = window;
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
ms_test_gui_file_exists (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_EXISTS);
}

/* GTK needs the system's read-only data: shared-mime-info to load the SVG
 * icons, and the compiled GSettings schemas that libadwaita 1.2 and the
 * file chooser read when there is no portal (GSETTINGS_BACKEND=memory keeps
 * every write in memory). */
void
ms_test_gui_keep_system_data_dirs (const char *data_dirs)
{
  g_autofree char *schemas = g_build_filename (MS_TEST_BUILDDIR, "..", "data", NULL);
  g_autofree char *compiled = g_build_filename (schemas, "gschemas.compiled", NULL);

  g_setenv ("XDG_DATA_DIRS", data_dirs != NULL ? data_dirs : "/usr/local/share:/usr/share", TRUE);
  /* The application's own schema, compiled in the build folder. */
  if (g_file_test (compiled, G_FILE_TEST_EXISTS))
    g_setenv ("GSETTINGS_SCHEMA_DIR", schemas, TRUE);
}

void
ms_test_gui_init (void)
{
  g_setenv ("GSK_RENDERER", "cairo", TRUE);
  /* The private bus has no accessibility bus; GTK would warn (fatal). */
  g_setenv ("GTK_A11Y", "none", FALSE);
  gtk_init ();
  adw_init ();
  /* Pages switch at once, so that every screenshot shows one page. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
}

char *
ms_test_gui_save_with_chooser (GtkWidget         *widget,
                               const char        *action,
                               const char        *folder,
                               const char        *name,
                               MsTestChooserFunc  before_accept,
                               gpointer           data)
{
  g_autofree char *path = g_build_filename (folder, name, NULL);
  g_autofree char *start_folder = g_get_current_dir ();
  g_autoptr(GFile) folder_file = g_file_new_for_path (folder);
  GtkWindow *chooser = NULL;

  g_assert_cmpint (g_chdir (folder), ==, 0);
  g_assert_true (gtk_widget_activate_action (widget, action, NULL));
  g_assert_true (ms_test_gui_wait_until (ms_test_gui_find_file_chooser, &chooser,
                                         MS_TEST_GUI_WAIT_MS));
  /* Once it is shown: on showing, the chooser goes to its own start folder. */
  ms_test_gui_spin (300);
  g_assert_true (gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder_file,
                                                      NULL));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  ms_test_gui_spin (300);
  if (before_accept != NULL)
    before_accept (chooser, data);
  gtk_widget_activate (gtk_dialog_get_widget_for_response (GTK_DIALOG (chooser),
                                                           GTK_RESPONSE_ACCEPT));
  g_assert_true (ms_test_gui_wait_until (ms_test_gui_file_exists, path, MS_TEST_GUI_WAIT_MS));
  ms_test_gui_spin (100);
  g_assert_cmpint (g_chdir (start_folder), ==, 0);

  return g_steal_pointer (&path);
}

/* ---- nothing cut off ---- */

/* "GtkLabel "Step 4 of 6"", for the failure message. */
static char *
describe (GtkWidget *widget)
{
  const char *text = GTK_IS_LABEL (widget) ? gtk_label_get_text (GTK_LABEL (widget)) : NULL;
  GtkWidget *labelled = widget;

  /* A row is named by its title, another container by its first label:
   * "AdwActionRow (Server)". */
  if (ADW_IS_PREFERENCES_ROW (widget))
    text = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget));
  while (text == NULL && labelled != NULL)
    {
      for (labelled = gtk_widget_get_first_child (labelled);
           labelled != NULL && !gtk_widget_get_visible (labelled);
           labelled = gtk_widget_get_next_sibling (labelled))
        ;
      if (GTK_IS_LABEL (labelled))
        text = gtk_label_get_text (GTK_LABEL (labelled));
    }
  return g_strdup_printf ("%s “%s”", G_OBJECT_TYPE_NAME (widget), text != NULL ? text : "");
}

static void
check_label (GtkLabel *label,
             GString  *problems)
{
  PangoLayout *layout;
  int width;
  int height;

  if (gtk_label_get_text (label)[0] == '\0')
    return;
  /* The layout as the last allocation set it up: wrapped or ellipsized at
   * the width the label got. */
  layout = gtk_label_get_layout (label);
  pango_layout_get_pixel_size (layout, &width, &height);
  if (pango_layout_is_ellipsized (layout))
    {
      g_autofree char *name = describe (GTK_WIDGET (label));

      g_string_append_printf (problems, "\n%s is ellipsized", name);
    }
  else if (width > gtk_widget_get_width (GTK_WIDGET (label))
           || height > gtk_widget_get_height (GTK_WIDGET (label)))
    {
      g_autofree char *name = describe (GTK_WIDGET (label));

      g_string_append_printf (problems, "\n%s needs %d × %d px, has %d × %d", name, width,
                              height, gtk_widget_get_width (GTK_WIDGET (label)),
                              gtk_widget_get_height (GTK_WIDGET (label)));
    }
}

static gboolean
reaches_outside (const graphene_rect_t *bounds,
                 const graphene_rect_t *frame,
                 gboolean               scrolls)
{
  /* Sub-pixel rounding of centred children. */
  const float slack = 0.5f;

  return bounds->origin.x < frame->origin.x - slack
         || bounds->origin.x + bounds->size.width > frame->origin.x + frame->size.width + slack
         || (!scrolls && (bounds->origin.y < frame->origin.y - slack
                          || bounds->origin.y + bounds->size.height
                             > frame->origin.y + frame->size.height + slack));
}

/* The nearest list row @widget is in, if it reaches past that row's sides. */
static GtkWidget *
row_it_leaves (GtkWidget             *widget,
               GtkWidget             *window,
               const graphene_rect_t *bounds)
{
  GtkWidget *parent = gtk_widget_get_parent (widget);
  GtkWidget *row = parent != NULL ? gtk_widget_get_ancestor (parent, GTK_TYPE_LIST_BOX_ROW)
                                  : NULL;
  graphene_rect_t row_bounds;

  if (row == NULL || !gtk_widget_compute_bounds (row, window, &row_bounds)
      || !reaches_outside (bounds, &row_bounds, TRUE))
    return NULL;
  return row;
}

/* Sideways, a widget stays inside @frame (the window, or the scrolled
 * window that holds it) and inside its own list row; up and down inside
 * @frame too, unless it scrolls. A row's text column wider than the row
 * (ms-gui-util.c says how AdwActionRow came to that) fails even when the
 * row fits the window. */
static void
check_bounds (GtkWidget             *widget,
              GtkWidget             *window,
              const graphene_rect_t *frame,
              gboolean               scrolls,
              GString               *problems)
{
  graphene_rect_t bounds;
  GtkWidget *row;

  if (!gtk_widget_compute_bounds (widget, window, &bounds))
    return;
  if (reaches_outside (&bounds, frame, scrolls))
    {
      g_autofree char *name = describe (widget);

      g_string_append_printf (problems, "\n%s reaches outside (%g, %g, %g × %g)", name,
                              bounds.origin.x, bounds.origin.y, bounds.size.width,
                              bounds.size.height);
    }
  else if ((row = row_it_leaves (widget, window, &bounds)) != NULL)
    {
      g_autofree char *name = describe (widget);
      g_autofree char *row_name = describe (row);

      g_string_append_printf (problems, "\n%s reaches past the side of its row %s (%g, %g, "
                              "%g × %g)", name, row_name, bounds.origin.x, bounds.origin.y,
                              bounds.size.width, bounds.size.height);
    }
}

static void
check_tree (GtkWidget             *widget,
            GtkWidget             *window,
            const graphene_rect_t *frame,
            gboolean               scrolls,
            GString               *problems)
{
  graphene_rect_t own_frame;

  /* Overlay scroll bars reach past their scrolled window on purpose; a
   * transparent widget is not seen (AdwEntryRow sizes itself with one). */
  if (!gtk_widget_get_mapped (widget) || (GTK_IS_NATIVE (widget) && widget != window)
      || GTK_IS_SCROLLBAR (widget) || gtk_widget_get_opacity (widget) == 0.0)
    return;
  check_bounds (widget, window, frame, scrolls, problems);
  if (GTK_IS_LABEL (widget))
    check_label (GTK_LABEL (widget), problems);

  if (GTK_IS_SCROLLED_WINDOW (widget) && gtk_widget_compute_bounds (widget, window, &own_frame))
    {
      frame = &own_frame;
      scrolls = TRUE;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    check_tree (child, window, frame, scrolls, problems);
}

void
ms_test_gui_check_nothing_cut_off (GtkWidget  *window,
                                   const char *page)
{
  g_autoptr(GString) problems = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  graphene_rect_t frame;

  /* The whole window, its frame and shadow included. */
  g_assert_true (gtk_widget_compute_bounds (window, window, &frame));
  check_tree (window, window, &frame, FALSE, problems);
  if (problems->len == 0)
    return;
  lines = g_strsplit (problems->str + 1, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    g_test_message ("%s: %s", page, lines[i]);
  g_test_fail_printf ("%s (%d px wide): %u widgets cut off", page, gtk_widget_get_width (window),
                      g_strv_length (lines));
}

void
ms_test_gui_save_shot (GtkWidget  *widget,
                       const char *folder,
                       const char *name)
{
  g_autofree char *dir = g_build_filename (MS_TEST_BUILDDIR, folder, NULL);
  g_autofree char *file = g_strdup_printf ("%s.png", name);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autoptr(GError) error = NULL;

  g_mkdir_with_parents (dir, 0755);
  /* A page that just changed may need a layout pass or two first. */
  for (guint i = 0; i < 10; i++)
    {
      g_clear_error (&error);
      ms_test_gui_spin (150);
      if (ms_widget_save_png (widget, path, &error))
        return;
    }
  g_test_message ("no screenshot %s: %s", name, error->message);
}

void
ms_test_gui_shoot (GtkWindow  *window,
                   const char *folder,
                   const char *name)
{
  g_autofree char *narrow = g_strdup_printf ("%s-360", name);

  ms_test_gui_save_shot (GTK_WIDGET (window), folder, name);
  ms_test_gui_check_nothing_cut_off (GTK_WIDGET (window), name);
  gtk_window_set_default_size (window, 360, 720);
  ms_test_gui_spin (250);
  /* Nothing asks for more than 360 px (the header bar did, with minimise
   * and maximise buttons), and nothing is cut off there. */
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, 360);
  ms_test_gui_save_shot (GTK_WIDGET (window), folder, narrow);
  ms_test_gui_check_nothing_cut_off (GTK_WIDGET (window), narrow);
  gtk_window_set_default_size (window, 640, 720);
  ms_test_gui_spin (250);
}
