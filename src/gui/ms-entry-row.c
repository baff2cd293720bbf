/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-entry-row"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-entry-row.h"
#include "ms-password-buffer.h"

/*
 * MsEntryRow:
 * A preferences row with a text field, drawn like libadwaita's entry row
 * (the title in small text above the text, the text edited in place,
 * suffix widgets at the end), whose field is a real GtkEntry, or a
 * GtkPasswordEntry with a "Show Text" toggle when "password" is set.
 *
 * Why not AdwEntryRow: with GTK 4.8 and libadwaita 1.2 the focus sits on the
 * row's inner GtkText, whose accessible role is "none"; GTK reports a focus
 * change of such a widget on its parent widget, which in AdwEntryRow is an
 * unnamed internal box that is never "focused" itself, so a screen reader
 * hears nothing when Tab lands in the field. A GtkEntry is the GtkText's
 * parent and answers "focused" for it, so the field is reported with its
 * name (the row's title), its role and its text (docs/ui.md,
 * "Accessibility").
 *
 * The row is a GtkEditable that delegates to the entry: "text", "changed"
 * and gtk_editable_*() work on the row as they did on the entry rows. A
 * password stays out of GTK 4.8's AT-SPI bridge, which would hand it to
 * any accessibility client: the field reads as stars (ms-password-buffer.c)
 * and typing sends no text-changed event; gtk_editable_get_text() on the row
 * still returns the password (its "text" property, like the entry's, reads
 * as stars while the text is hidden).
 */

struct _MsEntryRow
{
  AdwPreferencesRow  parent_instance;

  GtkWidget         *header;
  GtkWidget         *field_box;
  GtkWidget         *title_label;
  GtkWidget         *edit_icon;
  GtkWidget         *suffixes;
  GtkWidget         *entry;         /* a GtkEntry or a GtkPasswordEntry */
  GtkWidget         *show_text;     /* the password's toggle, or NULL */
  MsPasswordBuffer  *buffer;        /* the password's text, or NULL */
  gboolean           password;
};

static void ms_entry_row_editable_init  (GtkEditableInterface *iface);
static void ms_entry_row_buildable_init (GtkBuildableIface    *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MsEntryRow, ms_entry_row, ADW_TYPE_PREFERENCES_ROW,
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_EDITABLE,
                                                      ms_entry_row_editable_init)
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_BUILDABLE,
                                                      ms_entry_row_buildable_init))

enum {
  PROP_0,
  PROP_PASSWORD,
  PROP_INPUT_PURPOSE,
  N_PROPS
};

enum {
  ENTRY_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];
static GtkBuildableIface *parent_buildable_iface;

static void
on_entry_activate_cb (MsEntryRow *self)
{
  g_signal_emit (self, signals[ENTRY_ACTIVATED], 0);
}

/* While the text has the focus, the focus ring goes round the whole row
 * (style.css) and the pencil that says "editable" goes, as libadwaita draws
 * its entry rows. */
static void
on_entry_focus_notify_cb (MsEntryRow              *self,
                          GParamSpec              *pspec,
                          GtkEventControllerFocus *controller)
{
  gboolean focused = gtk_event_controller_focus_contains_focus (controller);

  if (focused)
    gtk_widget_add_css_class (GTK_WIDGET (self), "focused");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "focused");
  gtk_widget_set_visible (self->edit_icon, !focused);
}

static void
on_show_text_toggled_cb (MsEntryRow *self)
{
  gboolean shown = gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (self->show_text));
  GtkEditable *text = gtk_editable_get_delegate (GTK_EDITABLE (self->entry));

  /* Revealed before it is drawn; hidden as it hides (below). */
  if (shown)
    ms_password_buffer_set_revealed (self->buffer, TRUE);
  gtk_text_set_visibility (GTK_TEXT (text), shown);
}

/* The text shows or hides, by the toggle or by "Show Text" in the entry's
 * context menu: the buffer and the toggle follow. */
static void
on_password_visibility_notify_cb (MsEntryRow *self,
                                  GParamSpec *pspec,
                                  GtkText    *text)
{
  gboolean shown = gtk_text_get_visibility (text);

  ms_password_buffer_set_revealed (self->buffer, shown);
  gtk_button_set_icon_name (GTK_BUTTON (self->show_text),
                            shown ? "view-conceal-symbolic" : "view-reveal-symbolic");
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->show_text), shown);
}

static GtkWidget *
show_text_button_new (MsEntryRow *self)
{
  GtkWidget *button = gtk_toggle_button_new ();

  gtk_button_set_icon_name (GTK_BUTTON (button), "view-reveal-symbolic");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  /* Clicking it leaves the focus (and the caret) in the text. */
  gtk_widget_set_focus_on_click (button, FALSE);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, _("Show Text"));
  /* Its state says whether the text shows: the name stays. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Show Text"),
                                  -1);
  g_signal_connect_object (button, "toggled", G_CALLBACK (on_show_text_toggled_cb), self,
                           G_CONNECT_SWAPPED);
  return button;
}

/* GTK 4.8's AT-SPI bridge sends the characters typed into a field, as
 * they are inserted, to every listener once this signal has run: insert
 * them here and end the emission. */
static void
on_password_insert_text_cb (GtkEditable *text,
                            const char  *chars,
                            int          length,
                            int         *position,
                            MsEntryRow  *self)
{
  GtkEntryBuffer *buffer = GTK_ENTRY_BUFFER (self->buffer);
  int n_chars = g_utf8_strlen (chars, length);

  *position += gtk_entry_buffer_insert_text (buffer, *position, chars, n_chars);
  g_signal_stop_emission_by_name (text, "insert-text");
}

static void
hide_password (MsEntryRow *self)
{
  g_autoptr(GtkEntryBuffer) buffer = ms_password_buffer_new ();
  GtkEditable *text = gtk_editable_get_delegate (GTK_EDITABLE (self->entry));

  self->buffer = MS_PASSWORD_BUFFER (buffer);
  gtk_text_set_buffer (GTK_TEXT (text), buffer);
  g_signal_connect_object (text, "insert-text", G_CALLBACK (on_password_insert_text_cb), self, 0);
  self->show_text = show_text_button_new (self);
  ms_entry_row_add_suffix (self, self->show_text);
  g_signal_connect_object (text, "notify::visibility",
                           G_CALLBACK (on_password_visibility_notify_cb), self, G_CONNECT_SWAPPED);
}

static void
add_entry (MsEntryRow *self)
{
  GtkEventController *focus = gtk_event_controller_focus_new ();

  self->entry = self->password ? gtk_password_entry_new () : gtk_entry_new ();
  gtk_widget_set_hexpand (self->entry, TRUE);
  gtk_widget_add_css_class (self->entry, "flat");
  /* One name, the title's: the label above is what a screen reader reads. */
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self->entry),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, self->title_label, NULL,
                                  -1);
  g_signal_connect_object (self->entry, "activate", G_CALLBACK (on_entry_activate_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (focus, "notify::contains-focus",
                           G_CALLBACK (on_entry_focus_notify_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (self->entry, focus);
  gtk_box_append (GTK_BOX (self->field_box), self->entry);
  gtk_editable_init_delegate (GTK_EDITABLE (self));
  if (self->password)
    hide_password (self);
}

/* ---- widget ---- */

static gboolean
ms_entry_row_grab_focus (GtkWidget *widget)
{
  MsEntryRow *self = MS_ENTRY_ROW (widget);

  return self->entry != NULL && gtk_widget_grab_focus (self->entry);
}

/* Tab moves through the entry and the suffixes, never onto the row. */
static gboolean
ms_entry_row_focus (GtkWidget        *widget,
                    GtkDirectionType  direction)
{
  return gtk_widget_child_focus (MS_ENTRY_ROW (widget)->header, direction);
}

/* A click on the row (outside the text) puts the caret in the text. */
static void
ms_entry_row_activate (GtkListBoxRow *row)
{
  MsEntryRow *self = MS_ENTRY_ROW (row);

  if (GTK_IS_ENTRY (self->entry))
    gtk_entry_grab_focus_without_selecting (GTK_ENTRY (self->entry));
  else
    gtk_widget_grab_focus (self->entry);
}

/* A password shown for a moment is hidden again when the page goes. */
static void
ms_entry_row_unmap (GtkWidget *widget)
{
  MsEntryRow *self = MS_ENTRY_ROW (widget);

  if (self->show_text != NULL)
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->show_text), FALSE);

  GTK_WIDGET_CLASS (ms_entry_row_parent_class)->unmap (widget);
}

/* ---- GtkEditable, GtkBuildable ---- */

static GtkEditable *
ms_entry_row_get_delegate (GtkEditable *editable)
{
  return GTK_EDITABLE (MS_ENTRY_ROW (editable)->entry);
}

static const char *
ms_entry_row_get_text (GtkEditable *editable)
{
  MsEntryRow *self = MS_ENTRY_ROW (editable);

  if (self->buffer != NULL)
    return ms_password_buffer_get_password (self->buffer);
  return gtk_editable_get_text (GTK_EDITABLE (self->entry));
}

static void
ms_entry_row_editable_init (GtkEditableInterface *iface)
{
  iface->get_delegate = ms_entry_row_get_delegate;
  iface->get_text = ms_entry_row_get_text;
}

static void
ms_entry_row_add_child (GtkBuildable *buildable,
                        GtkBuilder   *builder,
                        GObject      *child,
                        const char   *type)
{
  if (g_strcmp0 (type, "suffix") == 0)
    ms_entry_row_add_suffix (MS_ENTRY_ROW (buildable), GTK_WIDGET (child));
  else
    parent_buildable_iface->add_child (buildable, builder, child, type);
}

static void
ms_entry_row_buildable_init (GtkBuildableIface *iface)
{
  parent_buildable_iface = g_type_interface_peek_parent (iface);
  iface->add_child = ms_entry_row_add_child;
}

/* ---- object ---- */

static void
ms_entry_row_constructed (GObject *object)
{
  G_OBJECT_CLASS (ms_entry_row_parent_class)->constructed (object);

  add_entry (MS_ENTRY_ROW (object));
}

static void
ms_entry_row_dispose (GObject *object)
{
  MsEntryRow *self = MS_ENTRY_ROW (object);

  if (self->entry != NULL)
    gtk_editable_finish_delegate (GTK_EDITABLE (self));
  self->entry = NULL;
  self->show_text = NULL;
  self->buffer = NULL;

  G_OBJECT_CLASS (ms_entry_row_parent_class)->dispose (object);
}

static GtkInputPurpose
get_input_purpose (MsEntryRow *self)
{
  return GTK_IS_ENTRY (self->entry) ? gtk_entry_get_input_purpose (GTK_ENTRY (self->entry))
                                    : GTK_INPUT_PURPOSE_PASSWORD;
}

static void
set_input_purpose (MsEntryRow      *self,
                   GtkInputPurpose  purpose)
{
  if (!GTK_IS_ENTRY (self->entry) || get_input_purpose (self) == purpose)
    return;
  gtk_entry_set_input_purpose (GTK_ENTRY (self->entry), purpose);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INPUT_PURPOSE]);
}

static void
ms_entry_row_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  MsEntryRow *self = MS_ENTRY_ROW (object);

  if (gtk_editable_delegate_get_property (object, prop_id, value, pspec))
    return;

  switch (prop_id)
    {
    case PROP_PASSWORD:
      g_value_set_boolean (value, self->password);
      break;
    case PROP_INPUT_PURPOSE:
      g_value_set_enum (value, get_input_purpose (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_entry_row_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  MsEntryRow *self = MS_ENTRY_ROW (object);

  if (gtk_editable_delegate_set_property (object, prop_id, value, pspec))
    return;

  switch (prop_id)
    {
    case PROP_PASSWORD:
      self->password = g_value_get_boolean (value);
      break;
    case PROP_INPUT_PURPOSE:
      set_input_purpose (self, g_value_get_enum (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_entry_row_class_init (MsEntryRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkListBoxRowClass *row_class = GTK_LIST_BOX_ROW_CLASS (klass);

  object_class->constructed = ms_entry_row_constructed;
  object_class->dispose = ms_entry_row_dispose;
  object_class->get_property = ms_entry_row_get_property;
  object_class->set_property = ms_entry_row_set_property;
  widget_class->grab_focus = ms_entry_row_grab_focus;
  widget_class->focus = ms_entry_row_focus;
  widget_class->unmap = ms_entry_row_unmap;
  row_class->activate = ms_entry_row_activate;

  /* A GtkPasswordEntry with a "Show Text" toggle instead of a GtkEntry. */
  properties[PROP_PASSWORD] =
    g_param_spec_boolean ("password", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_INPUT_PURPOSE] =
    g_param_spec_enum ("input-purpose", NULL, NULL,
                       GTK_TYPE_INPUT_PURPOSE, GTK_INPUT_PURPOSE_FREE_FORM,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  gtk_editable_install_properties (object_class, N_PROPS);

  /* Enter in the field. */
  signals[ENTRY_ACTIVATED] =
    g_signal_new ("entry-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/mailsetup/MailSetup/ms-entry-row.ui");
  gtk_widget_class_bind_template_child (widget_class, MsEntryRow, header);
  gtk_widget_class_bind_template_child (widget_class, MsEntryRow, field_box);
  gtk_widget_class_bind_template_child (widget_class, MsEntryRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, MsEntryRow, edit_icon);
  gtk_widget_class_bind_template_child (widget_class, MsEntryRow, suffixes);
}

static void
ms_entry_row_init (MsEntryRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/* ms_entry_row_get_entry:
 * Returns: (transfer none): the GtkEntry or GtkPasswordEntry, which is
 * what a screen reader reads (give it the accessible description). */
GtkWidget *
ms_entry_row_get_entry (MsEntryRow *self)
{
  g_return_val_if_fail (MS_IS_ENTRY_ROW (self), NULL);

  return self->entry;
}

gboolean
ms_entry_row_get_password (MsEntryRow *self)
{
  g_return_val_if_fail (MS_IS_ENTRY_ROW (self), FALSE);

  return self->password;
}

void
ms_entry_row_add_suffix (MsEntryRow *self,
                         GtkWidget  *widget)
{
  g_return_if_fail (MS_IS_ENTRY_ROW (self));
  g_return_if_fail (GTK_IS_WIDGET (widget));

  gtk_box_append (GTK_BOX (self->suffixes), widget);
  gtk_widget_set_visible (self->suffixes, TRUE);
}
