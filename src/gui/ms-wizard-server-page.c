/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-wizard-server-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-certificate-dialog.h"
#include "ms-entry-row.h"
#include "ms-gui-demo.h"
#include "ms-provider.h"
#include "ms-wizard-server-page.h"

/* Re-check after a short pause in the typing, cancelling the check before. */
#define CHECK_DELAY_MS 500

/*
 * MsWizardServerPage:
 * Step 3: the server settings, prefilled for a known provider, checked live
 * (resolve, connect, TLS, greeting, EHLO; never a password) with one row per
 * step, a one-click switch for the wrong security mode and the certificate
 * dialog for a certificate problem. That problem group follows the
 * "last-check" property through closures in the .ui file; the summary and
 * edit groups follow "editing", the summary row the fields and
 * "provider-label", the data-centre row "regions" and "region".
 */
struct _MsWizardServerPage
{
  MsWizardPage         parent_instance;

  AdwPreferencesPage  *preferences_page;
  GtkButton           *change_button;
  MsEntryRow          *host_row;
  MsEntryRow          *port_row;
  AdwComboRow         *security_row;
  MsEntryRow          *user_row;
  GtkListBox          *steps_list;

  AdwComboRow         *region_row;
  GArray              *region_servers; /* MsProviderServer, borrowed from the table */

  gboolean             editing;
  char                *provider_label;
  GListModel          *regions;
  guint                region;

  char                *pin;
  char                *ca_file;
  MsResult            *result;
  /* The problem group follows it: set when a check ends, cleared when the
   * next one starts (result itself is cleared as soon as a field changes). */
  MsResult            *last_check;
  guint                check_source;
  gboolean             filling;
};

G_DEFINE_FINAL_TYPE (MsWizardServerPage, ms_wizard_server_page, MS_TYPE_WIZARD_PAGE)

enum {
  PROP_0,
  PROP_LAST_CHECK,
  PROP_EDITING,
  PROP_PROVIDER_LABEL,
  PROP_REGIONS,
  PROP_REGION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void schedule_check (MsWizardServerPage *self,
                            guint               delay_ms);
static void set_last_check (MsWizardServerPage *self,
                            MsResult           *result);
static void on_region_selected_cb (MsWizardServerPage *self);

static MsSecurity
selected_security (MsWizardServerPage *self)
{
  static const MsSecurity securities[] = { MS_SECURITY_TLS, MS_SECURITY_STARTTLS, MS_SECURITY_NONE };
  guint selected = adw_combo_row_get_selected (self->security_row);

  return selected < G_N_ELEMENTS (securities) ? securities[selected] : MS_SECURITY_TLS;
}

static void
select_security (MsWizardServerPage *self,
                 MsSecurity          security)
{
  adw_combo_row_set_selected (self->security_row,
                              security == MS_SECURITY_STARTTLS ? 1
                              : security == MS_SECURITY_NONE ? 2 : 0);
}

static void
set_port (MsWizardServerPage *self,
          guint16             port)
{
  g_autofree char *text = g_strdup_printf ("%u", port);

  gtk_editable_set_text (GTK_EDITABLE (self->port_row), text);
}

static gboolean
parse_port (MsWizardServerPage *self,
            guint16            *port)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->port_row));
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 1, 65535, &value, NULL))
    return FALSE;
  *port = (guint16) value;
  return TRUE;
}

/* ---- what the summary and data-centre rows show (closures in the .ui) ---- */

static char *
summary_title (MsWizardServerPage *self,
               const char         *host,
               const char         *port_text,
               guint               selected)
{
  static const MsSecurity securities[] = { MS_SECURITY_TLS, MS_SECURITY_STARTTLS, MS_SECURITY_NONE };
  MsSecurity security = selected < G_N_ELEMENTS (securities) ? securities[selected] : MS_SECURITY_TLS;
  guint64 port = 0;

  if (!g_ascii_string_to_unsigned (port_text != NULL ? port_text : "", 10, 1, 65535, &port, NULL))
    port = 0;
  /* Translators: "smtp.gmail.com · port 465 · SSL/TLS" */
  return g_strdup_printf (_("%s · port %u · %s"), host != NULL ? host : "", (guint) port,
                          ms_security_display_name (security));
}

static gboolean
is_false (MsWizardServerPage *self,
          gboolean            value)
{
  return !value;
}

static gboolean
is_set (MsWizardServerPage *self,
        const char         *text)
{
  return text != NULL && text[0] != '\0';
}

static gboolean
has_regions (MsWizardServerPage *self,
             GListModel         *regions)
{
  return regions != NULL && g_list_model_get_n_items (regions) >= 2;
}

static void
set_editing (MsWizardServerPage *self,
             gboolean            editing)
{
  if (self->editing == editing)
    return;
  self->editing = editing;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EDITING]);
}

static void
set_provider_label (MsWizardServerPage *self,
                    const char         *label)
{
  if (g_strcmp0 (self->provider_label, label) == 0)
    return;
  g_free (self->provider_label);
  self->provider_label = g_strdup (label);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROVIDER_LABEL]);
}

static void
show_checking (MsWizardServerPage *self)
{
  g_autofree char *title = NULL;

  ms_list_box_remove_all (self->steps_list);
  set_last_check (self, NULL);
  title = g_strdup_printf (_("Checking %s…"), gtk_editable_get_text (GTK_EDITABLE (self->host_row)));
  gtk_list_box_append (self->steps_list, ms_status_row_new (MS_ROW_STATE_BUSY, title, NULL));
}

static void
show_incomplete (MsWizardServerPage *self)
{
  ms_list_box_remove_all (self->steps_list);
  set_last_check (self, NULL);
  gtk_list_box_append (self->steps_list,
                       ms_status_row_new (MS_ROW_STATE_NONE,
                                          _("Enter the server and a port from 1 to 65535"),
                                          NULL));
}

static const char *
security_name_for_mode (MsSecurity security)
{
  return security == MS_SECURITY_STARTTLS ? _("STARTTLS") : _("SSL/TLS");
}

static gboolean
is_certificate_problem (MsErrorCode code)
{
  return code == MS_ERROR_CERTIFICATE_UNTRUSTED || code == MS_ERROR_CERTIFICATE_EXPIRED
         || code == MS_ERROR_CERTIFICATE_NOT_YET_VALID
         || code == MS_ERROR_CERTIFICATE_NAME_MISMATCH || code == MS_ERROR_PIN_MISMATCH;
}

/* ---- what the problem group shows (closures in the .ui) ---- */

static gboolean
has_mode_problem (MsWizardServerPage *self,
                  MsResult           *result)
{
  return result != NULL && result->error != NULL
         && result->error->code == MS_ERROR_WRONG_SECURITY_MODE && result->error->has_suggestion;
}

static gboolean
has_certificate_problem (MsWizardServerPage *self,
                         MsResult           *result)
{
  return result != NULL && result->error != NULL && is_certificate_problem (result->error->code)
         && result->tls != NULL;
}

static gboolean
has_problem (MsWizardServerPage *self,
             MsResult           *result)
{
  return has_mode_problem (self, result) || has_certificate_problem (self, result);
}

static char *
mode_title (MsWizardServerPage *self,
            MsResult           *result)
{
  if (!has_mode_problem (self, result))
    return g_strdup ("");
  /* Translators: "Port 587 expects STARTTLS, not SSL/TLS." */
  return g_strdup_printf (_("Port %u expects %s, not %s."), result->port,
                          security_name_for_mode (result->error->suggestion_security),
                          security_name_for_mode (result->security));
}

static char *
mode_button_label (MsWizardServerPage *self,
                   MsResult           *result)
{
  if (!has_mode_problem (self, result))
    return g_strdup ("");
  /* Translators: a button, "Use STARTTLS" or "Use SSL/TLS" */
  return g_strdup_printf (_("Use %s"), security_name_for_mode (result->error->suggestion_security));
}

static char *
mode_action (MsWizardServerPage *self,
             MsResult           *result)
{
  if (!has_mode_problem (self, result))
    return NULL;
  return g_strdup (result->error->suggestion_security == MS_SECURITY_STARTTLS
                   ? "wizard.use-starttls" : "wizard.use-tls");
}

/* The check's row says what is wrong; this one what to do about it. */
static char *
certificate_advice (MsWizardServerPage *self,
                    MsResult           *result)
{
  if (!has_certificate_problem (self, result))
    return g_strdup ("");
  return g_strdup (result->error->advice != NULL ? result->error->advice
                                                 : result->error->message);
}

static void
set_last_check (MsWizardServerPage *self,
                MsResult           *result)
{
  if (self->last_check == result)
    return;
  g_clear_pointer (&self->last_check, ms_result_unref);
  self->last_check = result != NULL ? ms_result_ref (result) : NULL;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_CHECK]);
}

/* A network that was down, a server being restarted: nothing to edit, so
 * a way to ask again. */
static GtkWidget *
check_again_row_new (void)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name ("view-refresh-symbolic");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("_Check Again"));
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Check Again"), -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), icon);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "wizard.recheck");
  return row;
}

static void
show_result (MsWizardServerPage *self)
{
  MsResult *result = self->result;
  gboolean mode = has_mode_problem (self, result);
  gboolean certificate = has_certificate_problem (self, result);

  ms_fill_step_rows (self->steps_list, result);
  set_last_check (self, result);
  if (result->error != NULL && result->error->advice != NULL && !mode && !certificate)
    gtk_list_box_append (self->steps_list,
                         ms_status_row_new (MS_ROW_STATE_NONE, result->error->advice, NULL));
  if (!ms_result_is_ok (result))
    gtk_list_box_append (self->steps_list, check_again_row_new ());
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "wizard.view-certificate", certificate);
  ms_wizard_page_set_valid (MS_WIZARD_PAGE (self), ms_result_is_ok (result));
}

static void
on_probe_done_cb (GObject      *source,
                  GAsyncResult *async_result,
                  gpointer      user_data)
{
  g_autoptr(MsWizardServerPage) self = user_data;
  g_autoptr(MsResult) result = ms_gui_run_finish (async_result);

  if (result->error != NULL && result->error->code == MS_ERROR_CANCELLED)
    return;
  g_clear_pointer (&self->result, ms_result_unref);
  self->result = g_steal_pointer (&result);
  show_result (self);
}

static gboolean
check_cb (gpointer user_data)
{
  MsWizardServerPage *self = user_data;
  g_autoptr(MsSmtpConfig) config = ms_wizard_server_page_dup_config (self);
  g_autoptr(MsRequest) request = NULL;
  GCancellable *cancellable;

  self->check_source = 0;
  if (config == NULL)
    {
      show_incomplete (self);
      return G_SOURCE_REMOVE;
    }

  request = ms_request_new (config);
  cancellable = ms_wizard_page_renew_cancellable (MS_WIZARD_PAGE (self));
  show_checking (self);
  ms_gui_run_async (MS_GUI_OP_PROBE, request, cancellable, on_probe_done_cb, g_object_ref (self));
  return G_SOURCE_REMOVE;
}

static void
schedule_check (MsWizardServerPage *self,
                guint               delay_ms)
{
  g_clear_handle_id (&self->check_source, g_source_remove);
  ms_wizard_page_cancel (MS_WIZARD_PAGE (self));
  g_clear_pointer (&self->result, ms_result_unref);
  ms_wizard_page_set_valid (MS_WIZARD_PAGE (self), FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "wizard.view-certificate", FALSE);
  self->check_source = g_timeout_add (delay_ms, check_cb, self);
}

static void
on_field_changed_cb (MsWizardServerPage *self)
{
  if (self->filling)
    return;
  schedule_check (self, CHECK_DELAY_MS);
}

static void
on_host_row_changed_cb (MsWizardServerPage *self)
{
  /* A pin belongs to one server. */
  if (!self->filling)
    g_clear_pointer (&self->pin, g_free);
  on_field_changed_cb (self);
}

static void
on_security_row_changed_cb (MsWizardServerPage *self)
{
  MsSecurity security = selected_security (self);
  guint16 port = 0;

  /* Follow the mode's usual port while the port is the other mode's usual one. */
  if (!self->filling && parse_port (self, &port)
      && (port == 465 || port == 587 || port == 25)
      && port != ms_security_default_port (security))
    {
      self->filling = TRUE;
      set_port (self, ms_security_default_port (security));
      self->filling = FALSE;
    }
  on_field_changed_cb (self);
}

static void
on_entry_activated_cb (MsWizardServerPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "wizard.next", NULL);
}

static void
on_change_clicked_cb (MsWizardServerPage *self)
{
  set_editing (self, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->host_row));
}

static void
use_security (MsWizardServerPage *self,
              MsSecurity          security)
{
  guint16 port = 0;

  self->filling = TRUE;
  parse_port (self, &port);
  select_security (self, security);
  if (self->result != NULL && self->result->error != NULL && self->result->error->has_suggestion
      && self->result->error->suggestion_port != 0)
    port = self->result->error->suggestion_port;
  set_port (self, port);
  self->filling = FALSE;
  schedule_check (self, 0);
}

static void
use_starttls_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  use_security (MS_WIZARD_SERVER_PAGE (widget), MS_SECURITY_STARTTLS);
}

static void
use_tls_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  use_security (MS_WIZARD_SERVER_PAGE (widget), MS_SECURITY_TLS);
}

static void
on_certificate_trusted_cb (MsWizardServerPage *self,
                           const char         *pin)
{
  g_free (self->pin);
  self->pin = g_strdup (pin);
  schedule_check (self, 0);
}

static void
view_certificate_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  MsWizardServerPage *self = MS_WIZARD_SERVER_PAGE (widget);
  MsCertificateDialog *dialog;
  gboolean can_trust;

  if (self->result == NULL || self->result->tls == NULL || self->result->error == NULL)
    return;

  /* Only a chain nobody vouches for may be pinned: never a certificate for
   * another name, nor one out of its dates. */
  can_trust = self->result->error->code == MS_ERROR_CERTIFICATE_UNTRUSTED;
  dialog = ms_certificate_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)),
                                      self->result->tls, self->result->error->message,
                                      can_trust);
  g_signal_connect_object (dialog, "trust", G_CALLBACK (on_certificate_trusted_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
recheck_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  schedule_check (MS_WIZARD_SERVER_PAGE (widget), 0);
}

static void
ms_wizard_server_page_enter (MsWizardPage *page)
{
  MsWizardServerPage *self = MS_WIZARD_SERVER_PAGE (page);

  MS_WIZARD_PAGE_CLASS (ms_wizard_server_page_parent_class)->enter (page);
  if (self->result == NULL)
    schedule_check (self, 0);
}

static void
ms_wizard_server_page_leave (MsWizardPage *page)
{
  MsWizardServerPage *self = MS_WIZARD_SERVER_PAGE (page);

  if (self->check_source != 0 || self->result == NULL)
    {
      g_clear_handle_id (&self->check_source, g_source_remove);
      ms_list_box_remove_all (self->steps_list);
    }
  MS_WIZARD_PAGE_CLASS (ms_wizard_server_page_parent_class)->leave (page);
}

static void
ms_wizard_server_page_dispose (GObject *object)
{
  MsWizardServerPage *self = MS_WIZARD_SERVER_PAGE (object);

  g_clear_handle_id (&self->check_source, g_source_remove);
  g_clear_object (&self->regions);

  G_OBJECT_CLASS (ms_wizard_server_page_parent_class)->dispose (object);
}

static void
ms_wizard_server_page_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  MsWizardServerPage *self = MS_WIZARD_SERVER_PAGE (object);

  switch (prop_id)
    {
    case PROP_LAST_CHECK:
      g_value_set_boxed (value, self->last_check);
      break;
    case PROP_EDITING:
      g_value_set_boolean (value, self->editing);
      break;
    case PROP_PROVIDER_LABEL:
      g_value_set_string (value, self->provider_label);
      break;
    case PROP_REGIONS:
      g_value_set_object (value, self->regions);
      break;
    case PROP_REGION:
      g_value_set_uint (value, self->region);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_wizard_server_page_finalize (GObject *object)
{
  MsWizardServerPage *self = MS_WIZARD_SERVER_PAGE (object);

  g_free (self->pin);
  g_free (self->ca_file);
  g_clear_pointer (&self->result, ms_result_unref);
  g_clear_pointer (&self->last_check, ms_result_unref);
  g_clear_pointer (&self->region_servers, g_array_unref);
  g_free (self->provider_label);

  G_OBJECT_CLASS (ms_wizard_server_page_parent_class)->finalize (object);
}

static void
ms_wizard_server_page_class_init (MsWizardServerPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  MsWizardPageClass *page_class = MS_WIZARD_PAGE_CLASS (klass);

  object_class->dispose = ms_wizard_server_page_dispose;
  object_class->finalize = ms_wizard_server_page_finalize;
  object_class->get_property = ms_wizard_server_page_get_property;
  page_class->enter = ms_wizard_server_page_enter;
  page_class->leave = ms_wizard_server_page_leave;

  /* The last finished check, as the problem group shows it; NULL while one runs. */
  properties[PROP_LAST_CHECK] =
    g_param_spec_boxed ("last-check", NULL, NULL, MS_TYPE_RESULT,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* The server fields are shown; FALSE: a known provider's summary instead. */
  properties[PROP_EDITING] =
    g_param_spec_boolean ("editing", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* The summary's subtitle: the provider, and whether its settings are confirmed. */
  properties[PROP_PROVIDER_LABEL] =
    g_param_spec_string ("provider-label", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* The names of the provider's data centres (strings), or NULL. */
  properties[PROP_REGIONS] =
    g_param_spec_object ("regions", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* The position in "regions" of the data centre the server is; also
   * notified with a new "regions", where the same number means another one. */
  properties[PROP_REGION] =
    g_param_spec_uint ("region", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (MS_TYPE_ENTRY_ROW);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ms-wizard-server-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MsWizardServerPage, preferences_page);
  gtk_widget_class_bind_template_child (widget_class, MsWizardServerPage, change_button);
  gtk_widget_class_bind_template_child (widget_class, MsWizardServerPage, region_row);
  gtk_widget_class_bind_template_child (widget_class, MsWizardServerPage, host_row);
  gtk_widget_class_bind_template_child (widget_class, MsWizardServerPage, port_row);
  gtk_widget_class_bind_template_child (widget_class, MsWizardServerPage, security_row);
  gtk_widget_class_bind_template_child (widget_class, MsWizardServerPage, user_row);
  gtk_widget_class_bind_template_child (widget_class, MsWizardServerPage, steps_list);
  gtk_widget_class_bind_template_callback (widget_class, has_problem);
  gtk_widget_class_bind_template_callback (widget_class, has_mode_problem);
  gtk_widget_class_bind_template_callback (widget_class, has_certificate_problem);
  gtk_widget_class_bind_template_callback (widget_class, mode_title);
  gtk_widget_class_bind_template_callback (widget_class, mode_button_label);
  gtk_widget_class_bind_template_callback (widget_class, mode_action);
  gtk_widget_class_bind_template_callback (widget_class, certificate_advice);
  gtk_widget_class_bind_template_callback (widget_class, summary_title);
  gtk_widget_class_bind_template_callback (widget_class, is_false);
  gtk_widget_class_bind_template_callback (widget_class, is_set);
  gtk_widget_class_bind_template_callback (widget_class, has_regions);
  gtk_widget_class_bind_template_callback (widget_class, on_region_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_field_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_host_row_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_security_row_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_change_clicked_cb);

  gtk_widget_class_install_action (widget_class, "wizard.use-starttls", NULL, use_starttls_action);
  gtk_widget_class_install_action (widget_class, "wizard.use-tls", NULL, use_tls_action);
  gtk_widget_class_install_action (widget_class, "wizard.view-certificate", NULL, view_certificate_action);
  gtk_widget_class_install_action (widget_class, "wizard.recheck", NULL, recheck_action);
}

static void
ms_wizard_server_page_init (MsWizardServerPage *self)
{
  /* Before the template: its data-centre row's handler reads them. */
  self->editing = TRUE;
  self->region_servers = g_array_new (FALSE, TRUE, sizeof (MsProviderServer));
  gtk_widget_init_template (GTK_WIDGET (self));
  ms_wizard_page_set_first_field (MS_WIZARD_PAGE (self), GTK_WIDGET (self->host_row));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "wizard.view-certificate", FALSE);
}

void
ms_wizard_server_page_set_config (MsWizardServerPage *self,
                                  const MsSmtpConfig *config)
{
  g_return_if_fail (MS_IS_WIZARD_SERVER_PAGE (self));

  self->filling = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->host_row), config->host != NULL ? config->host : "");
  set_port (self, config->port != 0 ? config->port : ms_security_default_port (config->security));
  select_security (self, config->security);
  gtk_editable_set_text (GTK_EDITABLE (self->user_row),
                         config->username != NULL ? config->username : "");
  g_free (self->pin);
  self->pin = g_strdup (config->pin);
  g_free (self->ca_file);
  self->ca_file = g_strdup (config->ca_file);
  self->filling = FALSE;
  g_clear_pointer (&self->result, ms_result_unref);
  ms_list_box_remove_all (self->steps_list);
}

/* Zoho and the like: one server per data centre, named in the table; the
 * person picks theirs. */
static void
on_region_selected_cb (MsWizardServerPage *self)
{
  guint selected = adw_combo_row_get_selected (self->region_row);
  g_autoptr(MsSmtpConfig) config = NULL;
  const MsProviderServer *server;

  if (self->filling || selected >= self->region_servers->len)
    return;
  /* The row's own choice: "region" follows it, so no binding sets it back. */
  if (self->region != selected)
    {
      self->region = selected;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REGION]);
    }
  server = &g_array_index (self->region_servers, MsProviderServer, selected);
  config = ms_wizard_server_page_dup_config (self);
  if (config == NULL)
    config = ms_smtp_config_new ();
  g_free (config->host);
  config->host = g_strdup (server->host);
  config->port = server->port;
  config->security = server->security;
  ms_wizard_server_page_set_config (self, config);
  schedule_check (self, 0);
}

static void
add_region (MsWizardServerPage     *self,
            GtkStringList          *labels,
            const MsProviderServer *server)
{
  if (server == NULL || server->label == NULL)
    return;
  gtk_string_list_append (labels, ms_provider_get_text (server->label));
  g_array_append_val (self->region_servers, *server);
}

static void
show_regions (MsWizardServerPage *self,
              const MsProvider   *provider,
              const char         *host)
{
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  GListModel *model;
  guint region = 0;

  g_array_set_size (self->region_servers, 0);
  for (guint i = 0; provider != NULL && i <= provider->alternatives->len; i++)
    add_region (self, labels, i == 0 ? provider->smtp
                                     : &g_array_index (provider->alternatives, MsProviderServer, i - 1));
  for (guint i = 0; i < self->region_servers->len; i++)
    if (g_strcmp0 (g_array_index (self->region_servers, MsProviderServer, i).host, host) == 0)
      region = i;

  /* The row's model and selection change under the bindings: not a choice. */
  self->filling = TRUE;
  model = self->region_servers->len >= 2 ? G_LIST_MODEL (labels) : NULL;
  if (g_set_object (&self->regions, model))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REGIONS]);
  if (self->regions != NULL || self->region != region)
    {
      self->region = region;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REGION]);
    }
  self->filling = FALSE;
}

void
ms_wizard_server_page_set_defaults (MsWizardServerPage *self,
                                    const char         *address,
                                    const MsDetection  *detection)
{
  g_autoptr(MsSmtpConfig) config = ms_smtp_config_new ();
  const MsProvider *provider = detection != NULL ? detection->provider : NULL;
  gboolean known = provider != NULL && detection->host != NULL;
  g_autofree char *name = NULL;
  g_autofree char *subtitle = NULL;

  g_return_if_fail (MS_IS_WIZARD_SERVER_PAGE (self));

  config->host = g_strdup (detection != NULL ? detection->host : NULL);
  config->port = detection != NULL && detection->port != 0 ? detection->port : 465;
  config->security = detection != NULL ? detection->security : MS_SECURITY_TLS;
  config->username = ms_provider_get_username (provider, address);
  /* build-aux/run --demo: the demo server's certificate is from the test CA. */
  if (ms_gui_demo_is_address (address))
    config->ca_file = g_strdup (ms_gui_demo_get_ca_file ());
  ms_wizard_server_page_set_config (self, config);

  set_editing (self, !known);
  if (known)
    name = ms_detection_describe (detection);
  if (known && !detection->confirmed)
    /* Translators: %s is a provider name; the settings above are what it
       usually uses, not confirmed on its own pages. */
    subtitle = g_strdup_printf (_("%s: what it usually uses; check it on the provider's pages if the check fails"),
                                name);
  if (known)
    set_provider_label (self, subtitle != NULL ? subtitle : name);
  show_regions (self, known ? provider : NULL, config->host);
  ms_wizard_page_set_first_field (MS_WIZARD_PAGE (self),
                                  known ? GTK_WIDGET (self->change_button)
                                        : GTK_WIDGET (self->host_row));
}

/* ms_wizard_server_page_set_online_defaults:
 * The settings GNOME Online Accounts gives, in the summary row with @label
 * saying where they came from; "Change" still edits them. */
void
ms_wizard_server_page_set_online_defaults (MsWizardServerPage *self,
                                           const MsSmtpConfig *config,
                                           const char         *label)
{
  g_return_if_fail (MS_IS_WIZARD_SERVER_PAGE (self));

  ms_wizard_server_page_set_config (self, config);
  set_editing (self, FALSE);
  set_provider_label (self, label);
  show_regions (self, NULL, config->host);
  ms_wizard_page_set_first_field (MS_WIZARD_PAGE (self), GTK_WIDGET (self->change_button));
}

/* ms_wizard_server_page_show_fields:
 * The fields themselves, without a summary row: the account page shows an
 * account of its own this way (and goes back to it after an online one). */
void
ms_wizard_server_page_show_fields (MsWizardServerPage *self)
{
  g_return_if_fail (MS_IS_WIZARD_SERVER_PAGE (self));

  set_editing (self, TRUE);
  set_provider_label (self, NULL);
  show_regions (self, NULL, NULL);
  ms_wizard_page_set_first_field (MS_WIZARD_PAGE (self), GTK_WIDGET (self->host_row));
}

/* ms_wizard_server_page_show_problem:
 * Why the settings cannot be checked now (the account page: GNOME Online
 * Accounts cannot be asked for them), in place of the check's rows; the
 * next change of a field checks again. */
void
ms_wizard_server_page_show_problem (MsWizardServerPage *self,
                                    const char         *title,
                                    const char         *message)
{
  g_return_if_fail (MS_IS_WIZARD_SERVER_PAGE (self));

  g_clear_handle_id (&self->check_source, g_source_remove);
  ms_wizard_page_cancel (MS_WIZARD_PAGE (self));
  g_clear_pointer (&self->result, ms_result_unref);
  ms_wizard_page_set_valid (MS_WIZARD_PAGE (self), FALSE);
  ms_list_box_remove_all (self->steps_list);
  set_last_check (self, NULL);
  gtk_list_box_append (self->steps_list, ms_status_row_new (MS_ROW_STATE_ERROR, title, message));
}

/* ms_wizard_server_page_dup_config:
 * Returns: (transfer full) (nullable): the settings, or NULL while the
 * server or the port is missing. */
MsSmtpConfig *
ms_wizard_server_page_dup_config (MsWizardServerPage *self)
{
  g_autoptr(MsSmtpConfig) config = ms_smtp_config_new ();
  g_autofree char *host = NULL;
  g_autofree char *user = NULL;

  g_return_val_if_fail (MS_IS_WIZARD_SERVER_PAGE (self), NULL);

  host = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->host_row))));
  user = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->user_row))));
  if (host[0] == '\0' || !parse_port (self, &config->port))
    return NULL;
  config->host = g_steal_pointer (&host);
  config->security = selected_security (self);
  config->username = user[0] != '\0' ? g_steal_pointer (&user) : NULL;
  config->pin = g_strdup (self->pin);
  config->ca_file = g_strdup (self->ca_file);
  config->timeout_seconds = MS_DEFAULT_TIMEOUT_SECONDS;
  return g_steal_pointer (&config);
}

/* ms_wizard_server_page_get_result:
 * Returns: (transfer none) (nullable): the last finished check. */
MsResult *
ms_wizard_server_page_get_result (MsWizardServerPage *self)
{
  g_return_val_if_fail (MS_IS_WIZARD_SERVER_PAGE (self), NULL);
  return self->result;
}

/* ms_wizard_server_page_add_group:
 * Appends @group below the check (the account page adds its actions). */
void
ms_wizard_server_page_add_group (MsWizardServerPage  *self,
                                 AdwPreferencesGroup *group)
{
  g_return_if_fail (MS_IS_WIZARD_SERVER_PAGE (self));
  adw_preferences_page_add (self->preferences_page, group);
}

/* ms_wizard_server_page_recheck:
 * Checks the settings again now (the account page calls it when shown). */
void
ms_wizard_server_page_recheck (MsWizardServerPage *self)
{
  g_return_if_fail (MS_IS_WIZARD_SERVER_PAGE (self));
  schedule_check (self, 0);
}
