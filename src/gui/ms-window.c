/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-window"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-accounts-view.h"
#include "ms-gui-ops.h"
#include "ms-window.h"
#include "ms-wizard.h"

/*
 * MsWindow:
 * The main window: the wizard on first run (no account yet), the accounts
 * view afterwards. Remembers its size when the settings schema is installed.
 * The accounts view is built the first time it is needed.
 */
struct _MsWindow
{
  AdwApplicationWindow  parent_instance;

  AdwToastOverlay      *toast_overlay;
  GtkStack             *main_stack;
  MsWizard             *wizard;
  MsAccountsView       *accounts_view;   /* NULL until first needed */

  GSettings            *settings;
};

G_DEFINE_FINAL_TYPE (MsWindow, ms_window, ADW_TYPE_APPLICATION_WINDOW)

static GSettings *
settings_new_if_installed (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  /* Running from the build folder, the schema may not be installed: the
   * window then simply opens at its default size. */
  if (source == NULL)
    return NULL;
  schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID_BASE, TRUE);
  if (schema == NULL || !g_settings_schema_has_key (schema, "window-width"))
    return NULL;
  return g_settings_new_full (schema, NULL, NULL);
}

static void
restore_size (MsWindow *self)
{
  int width;
  int height;

  if (self->settings == NULL)
    return;
  width = g_settings_get_int (self->settings, "window-width");
  height = g_settings_get_int (self->settings, "window-height");
  if (width > 0 && height > 0)
    gtk_window_set_default_size (GTK_WINDOW (self), width, height);
  if (g_settings_get_boolean (self->settings, "is-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static void
save_size (MsWindow *self)
{
  int width;
  int height;

  if (self->settings == NULL)
    return;
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_set_boolean (self->settings, "is-maximized", gtk_window_is_maximized (GTK_WINDOW (self)));
  if (!gtk_window_is_maximized (GTK_WINDOW (self)))
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
}

static MsAccountsView *
ensure_accounts_view (MsWindow *self)
{
  if (self->accounts_view != NULL)
    return self->accounts_view;
  self->accounts_view = g_object_new (MS_TYPE_ACCOUNTS_VIEW, NULL);
  gtk_stack_add_named (self->main_stack, GTK_WIDGET (self->accounts_view), "accounts");
  return self->accounts_view;
}

/* Without the accounts view: the accounts there are, for the first page. */
static guint
count_accounts (MsWindow *self)
{
  g_autoptr(GError) error = NULL;

  if (self->accounts_view != NULL)
    return ms_accounts_view_reload (self->accounts_view);
  /* Let the view read them again and say what went wrong. */
  if (!ms_gui_reload_accounts (&error)
      || g_list_model_get_n_items (G_LIST_MODEL (ms_gui_get_accounts ())) > 0)
    return ms_accounts_view_reload (ensure_accounts_view (self));
  return 0;
}

static gboolean
ms_window_close_request (GtkWindow *window)
{
  MsWindow *self = MS_WINDOW (window);

  save_size (self);
  /* Closing the window cancels whatever it was doing. */
  ms_wizard_cancel (self->wizard);
  if (self->accounts_view != NULL)
    ms_accounts_view_cancel (self->accounts_view);

  return GTK_WINDOW_CLASS (ms_window_parent_class)->close_request (window);
}

static void
on_wizard_finished_cb (MsWindow   *self,
                       const char *account_id)
{
  ms_accounts_view_reload (ensure_accounts_view (self));
  ms_window_show_accounts (self);
}

static void
on_wizard_cancelled_cb (MsWindow *self)
{
  ms_window_show_accounts (self);
}

static void
add_account_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  ms_window_show_wizard (MS_WINDOW (widget));
}

static void
ms_window_dispose (GObject *object)
{
  MsWindow *self = MS_WINDOW (object);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (ms_window_parent_class)->dispose (object);
}

static void
ms_window_class_init (MsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = ms_window_dispose;
  window_class->close_request = ms_window_close_request;

  g_type_ensure (MS_TYPE_WIZARD);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ms-window.ui");
  gtk_widget_class_bind_template_child (widget_class, MsWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, MsWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, MsWindow, wizard);
  gtk_widget_class_bind_template_callback (widget_class, on_wizard_finished_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_wizard_cancelled_cb);

  gtk_widget_class_install_action (widget_class, "win.add-account", NULL, add_account_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.add-account", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
}

static void
ms_window_init (MsWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  if (g_strcmp0 (PROFILE, "development") == 0)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");

  self->settings = settings_new_if_installed ();
  restore_size (self);

  if (count_accounts (self) > 0)
    ms_window_show_accounts (self);
  else
    ms_window_show_wizard (self);
}

MsWindow *
ms_window_new (MsApplication *application)
{
  return g_object_new (MS_TYPE_WINDOW, "application", application, NULL);
}

/* ms_window_show_wizard:
 * The wizard from its first page; Back on that page returns to the accounts
 * when there are any. */
void
ms_window_show_wizard (MsWindow *self)
{
  g_return_if_fail (MS_IS_WINDOW (self));

  ms_wizard_set_can_cancel (self->wizard,
                            self->accounts_view != NULL
                            && ms_accounts_view_get_n_accounts (self->accounts_view) > 0);
  gtk_stack_set_visible_child (self->main_stack, GTK_WIDGET (self->wizard));
  ms_wizard_reset (self->wizard);
}

void
ms_window_show_accounts (MsWindow *self)
{
  g_return_if_fail (MS_IS_WINDOW (self));

  gtk_stack_set_visible_child (self->main_stack, GTK_WIDGET (ensure_accounts_view (self)));
}

GtkWidget *
ms_window_get_wizard (MsWindow *self)
{
  g_return_val_if_fail (MS_IS_WINDOW (self), NULL);
  return GTK_WIDGET (self->wizard);
}

/* ms_window_get_accounts_view:
 * For tests. Returns: (transfer none) (nullable): the accounts view, NULL
 * until it was first needed (no account at start-up, wizard not done). */
GtkWidget *
ms_window_get_accounts_view (MsWindow *self)
{
  g_return_val_if_fail (MS_IS_WINDOW (self), NULL);
  return GTK_WIDGET (self->accounts_view);
}

void
ms_window_add_toast (MsWindow   *self,
                     const char *text)
{
  g_return_if_fail (MS_IS_WINDOW (self));
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}
