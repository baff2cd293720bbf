/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-wizard-address-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-gui-demo.h"
#include "ms-wizard-address-page.h"

/* Detection may ask DNS for the domain's mail servers: wait for a pause in
 * the typing first. */
#define DETECT_DELAY_MS 300

/*
 * MsWizardAddressPage:
 * Step 1: the address, and the provider it leads to. The detection row
 * follows the address row and the "detection" property through closures in
 * the .ui file.
 */
struct _MsWizardAddressPage
{
  MsWizardPage  parent_instance;

  AdwEntryRow  *address_row;
  AdwActionRow *detection_row;

  char         *address;
  MsDetection  *detection;
  guint         detect_source;
};

G_DEFINE_FINAL_TYPE (MsWizardAddressPage, ms_wizard_address_page, MS_TYPE_WIZARD_PAGE)

enum {
  PROP_0,
  PROP_DETECTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- what the detection row shows (closures in the .ui) ---- */

static gboolean
is_address (MsWizardAddressPage *self,
            const char          *text)
{
  g_autofree char *address = g_strstrip (g_strdup (text != NULL ? text : ""));

  return ms_gui_validate_address (address);
}

static char *
detection_title (MsWizardAddressPage *self,
                 MsDetection         *found)
{
  if (found == NULL)
    return g_strdup (_("Looking up your provider…"));
  /* build-aux/run --demo: the server is the demo's, not a provider's. */
  if (ms_gui_demo_is_address (self->address))
    return g_strdup (_("Demo server on this computer"));
  return ms_detection_describe (found);
}

static char *
detection_subtitle (MsWizardAddressPage *self,
                    MsDetection         *found)
{
  const char *text = NULL;

  if (found != NULL)
    text = ms_gui_detection_has_secret_kind (found, MS_SECRET_OAUTH_ONLY)
           ? ms_gui_detection_note (found) : ms_gui_detection_source (found);
  return g_strdup (text != NULL ? text : "");
}

static MsRowState
detection_state (MsWizardAddressPage *self)
{
  if (self->detection == NULL)
    return MS_ROW_STATE_BUSY;
  if (ms_gui_detection_has_secret_kind (self->detection, MS_SECRET_OAUTH_ONLY))
    return MS_ROW_STATE_WARNING;
  if (self->detection->provider != NULL || ms_gui_demo_is_address (self->address))
    return MS_ROW_STATE_OK;
  return MS_ROW_STATE_NONE;
}

static void
set_detection (MsWizardAddressPage *self,
               MsDetection         *found)
{
  if (self->detection == found)
    return;
  g_clear_pointer (&self->detection, ms_detection_free);
  self->detection = found;
  /* The icon is a prefix widget and the description an accessible
   * property: neither can be bound. */
  ms_status_row_set_state (self->detection_row, detection_state (self));
  if (found != NULL)
    {
      g_autofree char *title = detection_title (self, found);

      gtk_accessible_update_property (GTK_ACCESSIBLE (self->detection_row),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, title,
                                      -1);
    }
  ms_wizard_page_set_valid (MS_WIZARD_PAGE (self), found != NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DETECTION]);
}

static void
on_detect_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(MsWizardAddressPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MsDetection) found = ms_gui_detect_finish (result, &error);

  if (found == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Detection failed: %s", error->message);
      return;
    }
  set_detection (self, g_steal_pointer (&found));
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

  g_clear_handle_id (&self->detect_source, g_source_remove);
  ms_wizard_page_cancel (MS_WIZARD_PAGE (self));
  g_free (self->address);
  self->address = g_strstrip (g_strdup (text));
  set_detection (self, NULL);
  if (!is_address (self, self->address))
    return;

  /* build-aux/run --demo: no DNS for the demo account, its server is here. */
  if (ms_gui_demo_is_address (self->address))
    set_detection (self, ms_gui_demo_detection ());
  else
    {
      ms_status_row_set_state (self->detection_row, MS_ROW_STATE_BUSY);
      self->detect_source = g_timeout_add (DETECT_DELAY_MS, detect_cb, self);
    }
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
ms_wizard_address_page_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  MsWizardAddressPage *self = MS_WIZARD_ADDRESS_PAGE (object);

  switch (prop_id)
    {
    case PROP_DETECTION:
      g_value_set_boxed (value, self->detection);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
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
  g_clear_pointer (&self->detection, ms_detection_free);

  G_OBJECT_CLASS (ms_wizard_address_page_parent_class)->finalize (object);
}

static void
ms_wizard_address_page_class_init (MsWizardAddressPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  MsWizardPageClass *page_class = MS_WIZARD_PAGE_CLASS (klass);

  object_class->dispose = ms_wizard_address_page_dispose;
  object_class->get_property = ms_wizard_address_page_get_property;
  object_class->finalize = ms_wizard_address_page_finalize;
  page_class->leave = ms_wizard_address_page_leave;
  page_class->clear = ms_wizard_address_page_clear;

  /* What the address led to; NULL while it is looked up or not an address. */
  properties[PROP_DETECTION] =
    g_param_spec_boxed ("detection", NULL, NULL, MS_TYPE_DETECTION,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ms-wizard-address-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MsWizardAddressPage, address_row);
  gtk_widget_class_bind_template_child (widget_class, MsWizardAddressPage, detection_row);
  gtk_widget_class_bind_template_callback (widget_class, is_address);
  gtk_widget_class_bind_template_callback (widget_class, detection_title);
  gtk_widget_class_bind_template_callback (widget_class, detection_subtitle);
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
const MsDetection *
ms_wizard_address_page_get_detection (MsWizardAddressPage *self)
{
  g_return_val_if_fail (MS_IS_WIZARD_ADDRESS_PAGE (self), NULL);
  return self->detection;
}
