/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-wizard-address-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-entry-row.h"
#include "ms-gui-demo.h"
#include "ms-wizard-address-page.h"

/* Detection may ask DNS for the domain's mail servers: wait for a pause in
 * the typing first. */
#define DETECT_DELAY_MS 300
/* GNOME Online Accounts answers at once when it is there; a service that
 * hangs must not keep Continue off: the page goes on without it after this
 * long, and still offers the account if the answer comes later. */
#define ONLINE_PATIENCE_MS 2000

/*
 * MsWizardAddressPage:
 * Step 1: the address, and the provider it leads to. The detection row
 * follows the address row and the "detection" property through closures in
 * the .ui file.
 */
struct _MsWizardAddressPage
{
  MsWizardPage  parent_instance;

  MsEntryRow   *address_row;
  AdwActionRow *detection_row;
  AdwActionRow *online_row;
  GtkCheckButton *online_check;
  AdwActionRow *password_choice_row;
  GtkCheckButton *password_check;
  AdwActionRow *missing_row;
  AdwActionRow *settings_row;
  AdwActionRow *check_row;

  char         *address;
  MsDetection  *detection;
  guint         detect_source;

  /* GNOME Online Accounts: the account with Mail for the address, asked
   * once the provider is known, again on "Check Again" and when the window
   * comes back to the front (the person may have added it in Settings). */
  MsOnlineAccount *online_account;
  GCancellable    *online_cancellable;
  gboolean         online_asked;     /* an answer came for this address */
  gboolean         offers_choice;
  gboolean         offers_alternative;
  gboolean         offers_settings;
  gboolean         online_chosen;    /* offered, and the person's choice */
  gboolean         watching_window;
  MsOnlineAccountWatch *online_watch;
  guint            online_patience_source;
};

G_DEFINE_FINAL_TYPE (MsWizardAddressPage, ms_wizard_address_page, MS_TYPE_WIZARD_PAGE)

enum {
  PROP_0,
  PROP_DETECTION,
  PROP_OFFERS_CHOICE,
  PROP_OFFERS_ALTERNATIVE,
  PROP_OFFERS_SETTINGS,
  PROP_ONLINE_CHOSEN,
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

  if (found != NULL && found->provider != NULL && found->provider->online.why != NULL
      && ms_gui_detection_has_secret_kind (found, MS_SECRET_OAUTH_ONLY))
    text = ms_provider_get_text (found->provider->online.why);
  else if (found != NULL)
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

/* ---- GNOME Online Accounts (docs/ui.md, "Online Accounts") ---- */

static const MsProvider *
detected_provider (MsWizardAddressPage *self)
{
  return self->detection != NULL ? self->detection->provider : NULL;
}

/* Outlook.com: no password sign-in at all, Online Accounts is the only way. */
static gboolean
online_only (MsWizardAddressPage *self)
{
  return ms_gui_detection_has_secret_kind (self->detection, MS_SECRET_OAUTH_ONLY)
         && ms_provider_has_online_accounts (detected_provider (self));
}

/* Only an account that signs in with OAuth2 and names an SMTP server can
 * send ("Microsoft 365" accounts have Mail without one). */
static gboolean
online_account_usable (const MsOnlineAccount *info)
{
  return info != NULL && info->oauth2 && info->smtp_host != NULL && *info->smtp_host != '\0';
}

static void
set_offer (MsWizardAddressPage *self,
           gboolean            *field,
           gboolean             value,
           guint                prop)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
update_online (MsWizardAddressPage *self)
{
  const MsProvider *provider = detected_provider (self);
  gboolean usable = online_account_usable (self->online_account);
  gboolean only = online_only (self);
  const char *missing = NULL;
  const char *title = ms_gui_online_words ()->missing_title;

  set_offer (self, &self->offers_choice, usable, PROP_OFFERS_CHOICE);
  set_offer (self, &self->offers_alternative, usable && !only, PROP_OFFERS_ALTERNATIVE);
  set_offer (self, &self->online_chosen,
             usable && gtk_check_button_get_active (self->online_check), PROP_ONLINE_CHOSEN);
  /* The rows are what a screen reader reaches: each says whether it is
   * the choice made. */
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->online_row), GTK_ACCESSIBLE_STATE_CHECKED,
                               gtk_check_button_get_active (self->online_check), -1);
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->password_choice_row),
                               GTK_ACCESSIBLE_STATE_CHECKED,
                               gtk_check_button_get_active (self->password_check), -1);
  set_offer (self, &self->offers_settings,
             self->online_asked && !usable && ms_provider_has_online_accounts (provider),
             PROP_OFFERS_SETTINGS);
  if (provider != NULL && provider->online.missing != NULL)
    missing = provider->online.missing;
  else
    missing = ms_gui_online_words ()->missing;
  if (provider != NULL && provider->online.why_title != NULL)
    title = provider->online.why_title;
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->missing_row),
                                 title != NULL ? ms_provider_get_text (title) : "");
  adw_action_row_set_subtitle (self->missing_row, missing != NULL ? ms_provider_get_text (missing) : "");
  /* Outlook.com goes on only with an account from Online Accounts. */
  ms_wizard_page_set_valid (MS_WIZARD_PAGE (self),
                            self->detection != NULL && self->online_asked
                            && (!only || usable));
}

static void
on_online_found_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(MsWizardAddressPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MsOnlineAccount) info = ms_gui_find_online_account_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || g_error_matches (error, MS_ERROR, MS_ERROR_CANCELLED))
    return;
  if (info == NULL)
    g_debug ("No online account: %s", error->message);
  /* A new account found is the first choice again. */
  if (online_account_usable (info) && !online_account_usable (self->online_account))
    gtk_check_button_set_active (self->online_check, TRUE);
  g_clear_pointer (&self->online_account, ms_online_account_free);
  self->online_account = g_steal_pointer (&info);
  self->online_asked = TRUE;
  g_clear_handle_id (&self->online_patience_source, g_source_remove);
  update_online (self);
}

static gboolean
online_patience_cb (gpointer user_data)
{
  MsWizardAddressPage *self = user_data;

  self->online_patience_source = 0;
  g_debug ("Online Accounts has not answered: going on without it");
  self->online_asked = TRUE;
  update_online (self);
  return G_SOURCE_REMOVE;
}

static void
find_online_account (MsWizardAddressPage *self)
{
  g_cancellable_cancel (self->online_cancellable);
  g_clear_object (&self->online_cancellable);
  if (self->detection == NULL)
    return;
  if (!self->online_asked && self->online_patience_source == 0)
    self->online_patience_source = g_timeout_add (ONLINE_PATIENCE_MS, online_patience_cb, self);
  self->online_cancellable = g_cancellable_new ();
  ms_gui_find_online_account_async (self->address, self->online_cancellable,
                                    on_online_found_cb, g_object_ref (self));
}

static void
forget_online_account (MsWizardAddressPage *self)
{
  g_clear_handle_id (&self->online_patience_source, g_source_remove);
  g_cancellable_cancel (self->online_cancellable);
  g_clear_object (&self->online_cancellable);
  g_clear_pointer (&self->online_account, ms_online_account_free);
  self->online_asked = FALSE;
}

static void
on_online_choice_changed_cb (MsWizardAddressPage *self)
{
  update_online (self);
}

static void
check_online_accounts_action (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *parameter)
{
  find_online_account (MS_WIZARD_ADDRESS_PAGE (widget));
}

static void
open_online_accounts_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *parameter)
{
  ms_gui_open_online_accounts (widget);
}

/* Back from Settings: ask again, once the person may have added it. */
static void
on_window_active_cb (MsWizardAddressPage *self,
                     GParamSpec          *pspec,
                     GtkWindow           *window)
{
  if (gtk_window_is_active (window) && self->offers_settings
      && gtk_widget_get_mapped (GTK_WIDGET (self)))
    find_online_account (self);
}

/* Online Accounts gained, lost or changed an account (or just started). */
static void
on_online_accounts_changed_cb (gpointer user_data)
{
  MsWizardAddressPage *self = user_data;

  if (self->detection != NULL && gtk_widget_get_mapped (GTK_WIDGET (self)))
    find_online_account (self);
}

static void
on_map_cb (MsWizardAddressPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->online_watch == NULL)
    self->online_watch = ms_gui_watch_online_accounts (on_online_accounts_changed_cb, self);
  if (self->watching_window || !GTK_IS_WINDOW (root))
    return;
  self->watching_window = TRUE;
  g_signal_connect_object (root, "notify::is-active", G_CALLBACK (on_window_active_cb), self,
                           G_CONNECT_SWAPPED);
}

static void
set_online_words (MsWizardAddressPage *self)
{
  const MsOnlineWords *words = ms_gui_online_words ();
  struct { AdwActionRow *row; const char *title; const char *subtitle; } rows[] = {
    { self->online_row, words->choice, words->choice_detail },
    { self->password_choice_row, words->alternative, words->alternative_detail },
    { self->missing_row, words->missing_title, NULL },
    { self->settings_row, words->settings_button, NULL },
    { self->check_row, words->check_again, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      const char *title = rows[i].title != NULL ? ms_provider_get_text (rows[i].title) : "";

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (rows[i].row), title);
      if (rows[i].subtitle != NULL)
        adw_action_row_set_subtitle (rows[i].row, ms_provider_get_text (rows[i].subtitle));
    }
}

/* ---- detection ---- */

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
  forget_online_account (self);
  update_online (self);
  find_online_account (self);
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
  g_cancellable_cancel (self->online_cancellable);
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
    case PROP_OFFERS_CHOICE:
      g_value_set_boolean (value, self->offers_choice);
      break;
    case PROP_OFFERS_ALTERNATIVE:
      g_value_set_boolean (value, self->offers_alternative);
      break;
    case PROP_OFFERS_SETTINGS:
      g_value_set_boolean (value, self->offers_settings);
      break;
    case PROP_ONLINE_CHOSEN:
      g_value_set_boolean (value, self->online_chosen);
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
  g_clear_pointer (&self->online_watch, ms_online_account_watch_free);
  forget_online_account (self);

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
  /* What the Online Accounts rows offer: the account found, the app
   * password beside it, or Settings to add one. */
  properties[PROP_OFFERS_CHOICE] =
    g_param_spec_boolean ("offers-choice", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_OFFERS_ALTERNATIVE] =
    g_param_spec_boolean ("offers-alternative", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_OFFERS_SETTINGS] =
    g_param_spec_boolean ("offers-settings", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* The person signs in through the account found (the wizard skips the
   * password page then). */
  properties[PROP_ONLINE_CHOSEN] =
    g_param_spec_boolean ("online-chosen", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (MS_TYPE_ENTRY_ROW);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ms-wizard-address-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MsWizardAddressPage, address_row);
  gtk_widget_class_bind_template_child (widget_class, MsWizardAddressPage, detection_row);
  gtk_widget_class_bind_template_child (widget_class, MsWizardAddressPage, online_row);
  gtk_widget_class_bind_template_child (widget_class, MsWizardAddressPage, online_check);
  gtk_widget_class_bind_template_child (widget_class, MsWizardAddressPage, password_choice_row);
  gtk_widget_class_bind_template_child (widget_class, MsWizardAddressPage, password_check);
  gtk_widget_class_bind_template_child (widget_class, MsWizardAddressPage, missing_row);
  gtk_widget_class_bind_template_child (widget_class, MsWizardAddressPage, settings_row);
  gtk_widget_class_bind_template_child (widget_class, MsWizardAddressPage, check_row);
  gtk_widget_class_bind_template_callback (widget_class, is_address);
  gtk_widget_class_bind_template_callback (widget_class, detection_title);
  gtk_widget_class_bind_template_callback (widget_class, detection_subtitle);
  gtk_widget_class_bind_template_callback (widget_class, on_address_row_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_online_choice_changed_cb);

  gtk_widget_class_install_action (widget_class, "wizard.open-online-accounts", NULL,
                                   open_online_accounts_action);
  gtk_widget_class_install_action (widget_class, "wizard.check-online-accounts", NULL,
                                   check_online_accounts_action);
}

static void
ms_wizard_address_page_init (MsWizardAddressPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  set_online_words (self);
  g_signal_connect (self, "map", G_CALLBACK (on_map_cb), NULL);
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

/* ms_wizard_address_page_get_online_account:
 * Returns: (transfer none) (nullable): the account from GNOME Online
 * Accounts when the person chose to sign in with it, else NULL (the app
 * password way). */
const MsOnlineAccount *
ms_wizard_address_page_get_online_account (MsWizardAddressPage *self)
{
  g_return_val_if_fail (MS_IS_WIZARD_ADDRESS_PAGE (self), NULL);

  return self->online_chosen ? self->online_account : NULL;
}
