/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-wizard-address-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-gui-demo.h"
#include "ms-wizard-address-page.h"

/* Detection may ask DNS for the domain's mail servers: wait for a pause in
 * the typing first. */
#define DETECT_DELAY_MS 300

struct _MsWizardAddressPage
{
  MsWizardPage    parent_instance;

  AdwEntryRow    *address_row;
  AdwActionRow   *detection_row;

  char           *address;
  MsGuiDetection *detection;
  guint           detect_source;
};

G_DEFINE_FINAL_TYPE (MsWizardAddressPage, ms_wizard_address_page, MS_TYPE_WIZARD_PAGE)

static void
show_detection (MsWizardAddressPage *self)
{
  const MsGuiDetection *detection = self->detection;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->detection_row),
                                 detection->display_name);
  adw_action_row_set_subtitle (self->detection_row,
                               detection->oauth_only ? detection->note
                               : detection->source != NULL ? detection->source : "");
  ms_status_row_set_state (self->detection_row,
                           detection->oauth_only ? MS_ROW_STATE_WARNING
                           : detection->provider_id != NULL || detection->demo ? MS_ROW_STATE_OK
                           : MS_ROW_STATE_NONE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->detection_row),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, detection->display_name,
                                  -1);
}

static void
on_detect_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(MsWizardAddressPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MsGuiDetection) detection = ms_gui_detect_finish (result, &error);

  if (detection == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Detection failed: %s", error->message);
      return;
    }

  g_clear_pointer (&self->detection, ms_gui_detection_free);
  self->detection = g_steal_pointer (&detection);
  show_detection (self);
  ms_wizard_page_set_valid (MS_WIZARD_PAGE (self), TRUE);
}

static gboolean
detect_cb (gpointer user_data)
{
  MsWizardAddressPage *self = user_data;
  GCancellable *cancellable = ms_wizard_page_renew_cancellable (MS_WIZARD_PAGE (self));

  self->detect_source = 0;
  ms_gui_detect_async (self->address, cancellable, on_detect_done_cb, g_object_ref (self));
  return G_SOURCE_REMOVE;
}

static void
on_address_row_changed_cb (MsWizardAddressPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->address_row));
  g_autofree char *address = g_strstrip (g_strdup (text));
  gboolean valid = ms_gui_validate_address (address);

  g_clear_handle_id (&self->detect_source, g_source_remove);
  ms_wizard_page_cancel (MS_WIZARD_PAGE (self));
  ms_wizard_page_set_valid (MS_WIZARD_PAGE (self), FALSE);
  g_clear_pointer (&self->detection, ms_gui_detection_free);
  g_free (self->address);
  self->address = g_steal_pointer (&address);

  gtk_widget_set_visible (GTK_WIDGET (self->detection_row), valid);
  if (!valid)
    return;

  /* build-aux/run --demo: no DNS for the demo account, its server is here. */
  if (ms_gui_demo_is_address (self->address))
    {
      self->detection = ms_gui_demo_detection ();
      show_detection (self);
      ms_wizard_page_set_valid (MS_WIZARD_PAGE (self), TRUE);
      return;
    }

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->detection_row),
                                 _("Looking up your provider…"));
  adw_action_row_set_subtitle (self->detection_row, "");
  ms_status_row_set_state (self->detection_row, MS_ROW_STATE_BUSY);
  self->detect_source = g_timeout_add (DETECT_DELAY_MS, detect_cb, self);
}

static void
on_entry_activated_cb (MsWizardAddressPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "wizard.next", NULL);
}

static void
ms_wizard_address_page_leave (MsWizardPage *page)
{
  MsWizardAddressPage *self = MS_WIZARD_ADDRESS_PAGE (page);

  g_clear_handle_id (&self->detect_source, g_source_remove);
  MS_WIZARD_PAGE_CLASS (ms_wizard_address_page_parent_class)->leave (page);
}

static void
ms_wizard_address_page_clear (MsWizardPage *page)
{
  MsWizardAddressPage *self = MS_WIZARD_ADDRESS_PAGE (page);
  const char *demo = ms_gui_demo_get_address ();

  /* build-aux/run --demo starts with the demo account filled in. */
  gtk_editable_set_text (GTK_EDITABLE (self->address_row), demo != NULL ? demo : "");
}

static void
ms_wizard_address_page_dispose (GObject *object)
{
  MsWizardAddressPage *self = MS_WIZARD_ADDRESS_PAGE (object);

  g_clear_handle_id (&self->detect_source, g_source_remove);

  G_OBJECT_CLASS (ms_wizard_address_page_parent_class)->dispose (object);
}

static void
ms_wizard_address_page_finalize (GObject *object)
{
  MsWizardAddressPage *self = MS_WIZARD_ADDRESS_PAGE (object);

  g_free (self->address);
  g_clear_pointer (&self->detection, ms_gui_detection_free);

  G_OBJECT_CLASS (ms_wizard_address_page_parent_class)->finalize (object);
}

static void
ms_wizard_address_page_class_init (MsWizardAddressPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  MsWizardPageClass *page_class = MS_WIZARD_PAGE_CLASS (klass);

  object_class->dispose = ms_wizard_address_page_dispose;
  object_class->finalize = ms_wizard_address_page_finalize;
  page_class->leave = ms_wizard_address_page_leave;
  page_class->clear = ms_wizard_address_page_clear;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ms-wizard-address-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MsWizardAddressPage, address_row);
  gtk_widget_class_bind_template_child (widget_class, MsWizardAddressPage, detection_row);
  gtk_widget_class_bind_template_callback (widget_class, on_address_row_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated_cb);
}

static void
ms_wizard_address_page_init (MsWizardAddressPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  ms_wizard_page_set_first_field (MS_WIZARD_PAGE (self), GTK_WIDGET (self->address_row));
  if (ms_gui_demo_get_address () != NULL)
    ms_wizard_address_page_clear (MS_WIZARD_PAGE (self));
}

const char *
ms_wizard_address_page_get_address (MsWizardAddressPage *self)
{
  g_return_val_if_fail (MS_IS_WIZARD_ADDRESS_PAGE (self), NULL);
  return self->address;
}

/* ms_wizard_address_page_get_detection:
 * Returns: (transfer none) (nullable): what the address led to. */
const MsGuiDetection *
ms_wizard_address_page_get_detection (MsWizardAddressPage *self)
{
  g_return_val_if_fail (MS_IS_WIZARD_ADDRESS_PAGE (self), NULL);
  return self->detection;
}
