/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-gui-util"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-gui-util.h"

static const char *
state_icon_name (MsRowState state)
{
  switch (state)
    {
    case MS_ROW_STATE_OK:
      return "emblem-ok-symbolic";
    case MS_ROW_STATE_WARNING:
      return "dialog-warning-symbolic";
    case MS_ROW_STATE_ERROR:
      return "dialog-error-symbolic";
    case MS_ROW_STATE_NONE:
    case MS_ROW_STATE_BUSY:
    default:
      return NULL;
    }
}

static const char *
state_accessible_text (MsRowState state)
{
  switch (state)
    {
    case MS_ROW_STATE_BUSY:
      return _("In progress");
    case MS_ROW_STATE_OK:
      return _("Done");
    case MS_ROW_STATE_WARNING:
      return _("Warning");
    case MS_ROW_STATE_ERROR:
      return _("Failed");
    case MS_ROW_STATE_NONE:
    default:
      return NULL;
    }
}

static GtkWidget *
state_widget_new (MsRowState state)
{
  GtkWidget *widget;
  const char *text = state_accessible_text (state);

  if (state == MS_ROW_STATE_BUSY)
    {
      widget = gtk_spinner_new ();
      gtk_spinner_start (GTK_SPINNER (widget));
    }
  else if (state_icon_name (state) != NULL)
    {
      widget = gtk_image_new_from_icon_name (state_icon_name (state));
      gtk_widget_add_css_class (widget, state == MS_ROW_STATE_OK ? "success"
                                : state == MS_ROW_STATE_WARNING ? "warning" : "error");
    }
  else
    {
      widget = gtk_image_new ();
    }

  gtk_widget_set_valign (widget, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (widget, 16, 16);
  if (text != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, text,
                                    -1);
  return widget;
}

/* ms_status_row_set_state:
 * Replaces the row's prefix widget (spinner or icon). Done here, not bound
 * in a .ui: the prefix is a child widget, and AdwActionRow 1.2's icon-name
 * carries neither the state's colour class, its accessible label nor a spinner. */
void
ms_status_row_set_state (AdwActionRow *row,
                         MsRowState    state)
{
  GtkWidget *old = g_object_get_data (G_OBJECT (row), "ms-state-widget");
  GtkWidget *widget = state_widget_new (state);

  if (old != NULL)
    adw_action_row_remove (row, old);
  adw_action_row_add_prefix (row, widget);
  g_object_set_data (G_OBJECT (row), "ms-state-widget", widget);
}

/* Why status rows are not AdwActionRows (docs/ui.md, "Size"):
 * AdwActionRow 1.2 lays its title and subtitle out as two wrapping labels in
 * a vertical box, beside the prefixes and suffixes in a horizontal box, and
 * overrides no size measurement. GTK 4.8's horizontal box asks each child
 * how wide it must be at the row's height; the vertical box answers by
 * splitting that height between the two labels by their one-line heights,
 * and a wrapping label asked for its width at less height than its wrapped
 * text needs answers with a wider width (up to its one-line width). When
 * the subtitle wraps more than that split allows, as a Japanese sentence
 * with long Latin words (capability names, host names, a time) does at
 * 360 px, the text column claims more than the row has and lays out past
 * the row's end. Here each horizontal box holds one wrapping label at most
 * (the title), and the detail is a label of its own under it, whose height
 * the vertical box asks for at the width it really has. */
GtkWidget *
ms_status_row_new (MsRowState  state,
                   const char *title,
                   const char *subtitle)
{
  GtkWidget *row = adw_preferences_row_new ();
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  GtkWidget *line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *title_label = gtk_label_new (title);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_add_css_class (content, "ms-detail-row");
  gtk_widget_set_valign (content, GTK_ALIGN_CENTER);
  gtk_label_set_wrap (GTK_LABEL (title_label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (title_label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (title_label), 0.0);
  gtk_widget_set_hexpand (title_label, TRUE);
  gtk_widget_add_css_class (title_label, "title");
  gtk_box_append (GTK_BOX (line), state_widget_new (state));
  gtk_box_append (GTK_BOX (line), title_label);
  /* A row with a title only is as tall as the others (the style's
   * min-height): the line takes the spare height and stays centred. */
  gtk_widget_set_vexpand (line, TRUE);
  gtk_widget_set_valign (line, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (content), line);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, title_label, NULL,
                                  -1);
  if (subtitle != NULL && subtitle[0] != '\0')
    {
      GtkWidget *subtitle_label = gtk_label_new (subtitle);

      gtk_label_set_wrap (GTK_LABEL (subtitle_label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (subtitle_label), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_xalign (GTK_LABEL (subtitle_label), 0.0);
      gtk_widget_add_css_class (subtitle_label, "subtitle");
      /* Under the title: the state icon's 16 px and the line's spacing. */
      gtk_widget_set_margin_start (subtitle_label, 16 + 12);
      gtk_box_append (GTK_BOX (content), subtitle_label);
      gtk_accessible_update_relation (GTK_ACCESSIBLE (row),
                                      GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, subtitle_label, NULL,
                                      -1);
    }
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), content);
  return row;
}

void
ms_list_box_remove_all (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

/* ms_fill_step_rows:
 * One row per step of @result; the failed step carries the error's message. */
void
ms_fill_step_rows (GtkListBox     *list,
                   const MsResult *result)
{
  ms_list_box_remove_all (list);

  for (guint i = 0; result->steps != NULL && i < result->steps->len; i++)
    {
      const MsStep *step = g_ptr_array_index (result->steps, i);
      g_autofree char *title = NULL;
      const char *subtitle = NULL;

      if (step->kind == MS_STEP_QUIT && step->ok)
        continue;
      title = ms_step_describe (result, step);
      if (!step->ok && result->error != NULL)
        subtitle = result->error->message;
      gtk_list_box_append (list, ms_status_row_new (step->ok ? MS_ROW_STATE_OK
                                                            : MS_ROW_STATE_ERROR,
                                                    title, subtitle));
    }

  if (result->error != NULL && (result->steps == NULL || result->steps->len == 0))
    gtk_list_box_append (list, ms_status_row_new (MS_ROW_STATE_ERROR,
                                                  ms_step_failed_title (result->error->step),
                                                  result->error->message));
}

const char *
ms_security_display_name (MsSecurity security)
{
  switch (security)
    {
    case MS_SECURITY_STARTTLS:
      /* Translators: the name of a protocol; keep as is */
      return _("STARTTLS");
    case MS_SECURITY_NONE:
      return _("None (this computer only)");
    case MS_SECURITY_AUTO:
      return _("Automatic");
    case MS_SECURITY_TLS:
    default:
      /* Translators: the name of a protocol; keep as is */
      return _("SSL/TLS");
    }
}

void
ms_copy_to_clipboard (GtkWidget  *widget,
                      const char *text)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);
  ms_show_toast (widget, _("Copied"));
}

void
ms_show_toast (GtkWidget  *widget,
               const char *text)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (widget, ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
}

/* ms_open_uri:
 * gtk_show_uri_full goes through the OpenURI portal inside Flatpak. */
void
ms_open_uri (GtkWidget  *widget,
             const char *uri)
{
  GtkRoot *root = gtk_widget_get_root (widget);

  gtk_show_uri_full (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, uri,
                     GDK_CURRENT_TIME, NULL, NULL, NULL);
}

/* ms_widget_save_png:
 * Renders @widget as it is on screen into a PNG (for tests and screenshots). */
gboolean
ms_widget_save_png (GtkWidget   *widget,
                    const char  *path,
                    GError     **error)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkNative *native = gtk_widget_get_native (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  if (native == NULL || width <= 0 || height <= 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "widget not shown");
      return FALSE;
    }

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_to_node (snapshot);
  if (node == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "nothing drawn");
      return FALSE;
    }
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (native), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (!gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot write %s", path);
      return FALSE;
    }
  return TRUE;
}
