/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-wizard-password-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-entry-row.h"
#include "ms-gui-demo.h"
#include "ms-provider.h"
#include "ms-wizard-password-page.h"

/*
 * MsWizardPasswordPage:
 * Step 2. What the provider wants as the password and how to get it: its
 * words and numbered steps from providers.json, with buttons for its pages;
 * otherwise just the account password. The live check's row and the demo's
 * hint follow the "password-check" and "demo" properties in the .ui file,
 * the group above the steps "why-title" and "why", the password row's
 * title "password-label".
 */
struct _MsWizardPasswordPage
{
  MsWizardPage          parent_instance;

  AdwPreferencesGroup  *steps_group;
  AdwExpanderRow       *help_row;
  GtkLabel             *help_label;
  GPtrArray            *step_rows;   /* the rows added to steps_group */
  GtkWidget            *help_link_row; /* the row added to help_row, or NULL */
  MsEntryRow           *password_row;
  AdwActionRow         *check_row;

  MsDetection          *detection;
  char                 *password_check;
  gboolean              demo;
  char                 *why_title;
  char                 *why;
  char                 *password_label;
};

G_DEFINE_FINAL_TYPE (MsWizardPasswordPage, ms_wizard_password_page, MS_TYPE_WIZARD_PAGE)

enum {
  PROP_0,
  PROP_PASSWORD_CHECK,
  PROP_DEMO,
  PROP_WHY_TITLE,
  PROP_WHY,
  PROP_PASSWORD_LABEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- what the rows under the password show (closures in the .ui) ---- */

static gboolean
has_password_check (MsWizardPasswordPage *self,
                    const char           *message)
{
  return message != NULL;
}

static char *
password_check_title (MsWizardPasswordPage *self,
                      const char           *message)
{
  return g_strdup (message != NULL ? message : "");
}

/* build-aux/run --demo: the fake server's throw-away password, in plain
 * sight (it opens nothing else). */
static char *
demo_hint (MsWizardPasswordPage *self,
           gboolean              demo)
{
  if (!demo)
    return g_strdup ("");
  /* Translators: %s is the demo server's throw-away password, shown as is */
  return g_strdup_printf (_("Demo: the password is %s"), MS_GUI_DEMO_PASSWORD);
}

static gboolean
has_text (MsWizardPasswordPage *self,
          const char           *text)
{
  return text != NULL;
}

/* Sets *@field to @value and notifies @prop_id if it changed. */
static void
set_string (MsWizardPasswordPage  *self,
            char                 **field,
            const char            *value,
            guint                  prop_id)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
set_password_check (MsWizardPasswordPage *self,
                    const char           *message)
{
  if (g_strcmp0 (self->password_check, message) == 0)
    return;
  g_free (self->password_check);
  self->password_check = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PASSWORD_CHECK]);
}

static gboolean
needs_app_password (MsWizardPasswordPage *self)
{
  return ms_gui_detection_has_secret_kind (self->detection, MS_SECRET_APP_PASSWORD);
}

static void
update_check (MsWizardPasswordPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  g_autofree char *message = NULL;
  MsRowState state;

  if (!needs_app_password (self) || text[0] == '\0')
    {
      set_password_check (self, NULL);
      ms_wizard_page_set_valid (MS_WIZARD_PAGE (self), text[0] != '\0');
      return;
    }

  state = ms_gui_check_app_password (ms_gui_detection_provider_id (self->detection), text,
                                     &message);
  if (message == NULL)
    {
      set_password_check (self, NULL);
      ms_wizard_page_set_valid (MS_WIZARD_PAGE (self), TRUE);
      return;
    }
  /* The icon is a prefix widget, the description an accessible property. */
  ms_status_row_set_state (self->check_row, state);
  set_password_check (self, message);
  gtk_accessible_update_property (GTK_ACCESSIBLE (ms_entry_row_get_entry (self->password_row)),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message,
                                  -1);
  /* A warning still lets the person go on: the server has the last word. */
  ms_wizard_page_set_valid (MS_WIZARD_PAGE (self), state != MS_ROW_STATE_ERROR);
}

static void
on_password_row_changed_cb (MsWizardPasswordPage *self)
{
  update_check (self);
}

static void
on_entry_activated_cb (MsWizardPasswordPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "wizard.next", NULL);
}

static const MsProvider *
get_provider (MsWizardPasswordPage *self)
{
  return self->detection != NULL ? self->detection->provider : NULL;
}

static void
clear_steps (MsWizardPasswordPage *self)
{
  for (guint i = 0; i < self->step_rows->len; i++)
    adw_preferences_group_remove (self->steps_group, g_ptr_array_index (self->step_rows, i));
  g_ptr_array_set_size (self->step_rows, 0);
  if (self->help_link_row != NULL)
    adw_expander_row_remove (self->help_row, g_steal_pointer (&self->help_link_row));
}

static GtkWidget *
link_button_new (const MsProviderLink *link)
{
  GtkWidget *button = gtk_button_new_from_icon_name ("adw-external-link-symbolic");
  g_autofree char *accessible = NULL;

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, _("Open in Browser"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "wizard.open-uri");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", link->url);
  /* Translators: the accessible name of a button; %s is the name of a
     provider's page, for example "App passwords". */
  accessible = g_strdup_printf (_("Open %s in the browser"), ms_provider_link_get_label (link));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
  return button;
}

static GtkWidget *
link_row_new (const char           *title,
              const MsProviderLink *link)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
  if (link != NULL)
    {
      GtkWidget *button = link_button_new (link);

      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), button);
    }
  return row;
}

static void
add_step (MsWizardPasswordPage *self,
          const MsProvider     *provider,
          const MsProviderStep *step,
          guint                 number)
{
  g_autofree char *title = NULL;
  GtkWidget *row;

  /* Translators: a numbered step, "2. Open App passwords" */
  title = g_strdup_printf (_("%u. %s"), number, ms_provider_get_text (step->text));
  row = link_row_new (title, ms_provider_get_link (provider, step->link));
  adw_preferences_group_add (self->steps_group, row);
  g_ptr_array_add (self->step_rows, row);
}

/* The provider's numbered steps and its help expander: rows built from the
 * table's list, so added here rather than bound (GTK 4.8 has no list model
 * for a preferences group). */
static void
show_steps (MsWizardPasswordPage *self,
            const MsProvider     *provider)
{
  const MsProviderSignIn *sign_in = provider != NULL ? &provider->sign_in : NULL;
  gboolean has_help = sign_in != NULL && sign_in->help != NULL;
  const MsProviderLink *link;

  clear_steps (self);
  /* The group only appends: take the help row out and put it back last. */
  g_object_ref (self->help_row);
  adw_preferences_group_remove (self->steps_group, GTK_WIDGET (self->help_row));
  for (guint i = 0; sign_in != NULL && i < sign_in->steps->len; i++)
    add_step (self, provider, g_ptr_array_index (sign_in->steps, i), i + 1);
  adw_preferences_group_add (self->steps_group, GTK_WIDGET (self->help_row));
  g_object_unref (self->help_row);
  gtk_widget_set_visible (GTK_WIDGET (self->steps_group), self->step_rows->len > 0 || has_help);
  gtk_widget_set_visible (GTK_WIDGET (self->help_row), has_help);
  if (!has_help)
    return;
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->help_row),
                                 sign_in->help_title != NULL
                                 ? ms_provider_get_text (sign_in->help_title) : _("More Help"));
  gtk_label_set_text (self->help_label, ms_provider_get_text (sign_in->help));
  link = ms_provider_get_link (provider, sign_in->help_link);
  if (link != NULL)
    {
      self->help_link_row = link_row_new (ms_provider_link_get_label (link), link);
      adw_expander_row_add_row (self->help_row, self->help_link_row);
    }
}

static void
show_why (MsWizardPasswordPage *self,
          const char           *title,
          const char           *text)
{
  set_string (self, &self->why_title, title, PROP_WHY_TITLE);
  set_string (self, &self->why, text, PROP_WHY);
}

static void
show_plain_password (MsWizardPasswordPage *self,
                     const MsProvider     *provider)
{
  gboolean oauth_only = ms_gui_detection_has_secret_kind (self->detection, MS_SECRET_OAUTH_ONLY);
  const char *why = provider != NULL ? ms_provider_get_text (provider->sign_in.why) : NULL;

  if (why == NULL)
    why = ms_gui_detection_note (self->detection);
  ms_wizard_page_set_title (MS_WIZARD_PAGE (self),
                            provider != NULL && provider->sign_in.title != NULL
                            ? ms_provider_get_text (provider->sign_in.title) : _("Password"));
  set_string (self, &self->password_label,
              provider != NULL && provider->sign_in.password_label != NULL
              ? ms_provider_get_text (provider->sign_in.password_label) : _("Password"),
              PROP_PASSWORD_LABEL);
  show_why (self, oauth_only ? _("No Password Sign-In") : _("Before You Start"), why);
  adw_preferences_group_set_description (self->steps_group, NULL);
  show_steps (self, provider);
}

static void
show_app_password_help (MsWizardPasswordPage *self)
{
  const MsProvider *provider = get_provider (self);
  const MsProviderSignIn *sign_in = provider != NULL ? &provider->sign_in : NULL;
  const char *why;

  if (!needs_app_password (self))
    {
      show_plain_password (self, provider);
      return;
    }

  ms_wizard_page_set_title (MS_WIZARD_PAGE (self),
                            sign_in != NULL && sign_in->title != NULL
                            ? ms_provider_get_text (sign_in->title) : _("Create an App Password"));
  set_string (self, &self->password_label,
              sign_in != NULL && sign_in->password_label != NULL
              ? ms_provider_get_text (sign_in->password_label) : _("App password"),
              PROP_PASSWORD_LABEL);
  why = sign_in != NULL && sign_in->why != NULL
        ? ms_provider_get_text (sign_in->why)
        : _("Your provider does not let other programs use your account password. An app password is a separate password just for this program.");
  show_why (self, sign_in != NULL && sign_in->why_title != NULL
                  ? ms_provider_get_text (sign_in->why_title) : _("Why an App Password?"),
            why);
  show_steps (self, provider);
  /* A provider without its own help: its first note under the steps. */
  adw_preferences_group_set_description (self->steps_group,
                                         sign_in != NULL && sign_in->help == NULL
                                         ? ms_gui_detection_note (self->detection) : NULL);
}

/* The typed secret does not outlive the wizard run. */
static void
ms_wizard_password_page_clear (MsWizardPage *page)
{
  MsWizardPasswordPage *self = MS_WIZARD_PASSWORD_PAGE (page);

  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
}

static void
ms_wizard_password_page_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  MsWizardPasswordPage *self = MS_WIZARD_PASSWORD_PAGE (object);

  switch (prop_id)
    {
    case PROP_PASSWORD_CHECK:
      g_value_set_string (value, self->password_check);
      break;
    case PROP_DEMO:
      g_value_set_boolean (value, self->demo);
      break;
    case PROP_WHY_TITLE:
      g_value_set_string (value, self->why_title);
      break;
    case PROP_WHY:
      g_value_set_string (value, self->why);
      break;
    case PROP_PASSWORD_LABEL:
      g_value_set_string (value, self->password_label);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_wizard_password_page_finalize (GObject *object)
{
  MsWizardPasswordPage *self = MS_WIZARD_PASSWORD_PAGE (object);

  g_clear_pointer (&self->detection, ms_detection_free);
  g_clear_pointer (&self->password_check, g_free);
  g_clear_pointer (&self->why_title, g_free);
  g_clear_pointer (&self->why, g_free);
  g_clear_pointer (&self->password_label, g_free);
  g_clear_pointer (&self->step_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (ms_wizard_password_page_parent_class)->finalize (object);
}

static void
ms_wizard_password_page_class_init (MsWizardPasswordPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = ms_wizard_password_page_finalize;
  object_class->get_property = ms_wizard_password_page_get_property;
  MS_WIZARD_PAGE_CLASS (klass)->clear = ms_wizard_password_page_clear;

  /* The live check's words about the typed app password; NULL: nothing to say. */
  properties[PROP_PASSWORD_CHECK] =
    g_param_spec_string ("password-check", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* The address is build-aux/run --demo's account. */
  properties[PROP_DEMO] =
    g_param_spec_boolean ("demo", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* The heading of what the provider wants as the password and why. */
  properties[PROP_WHY_TITLE] =
    g_param_spec_string ("why-title", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* Its words (the provider's, or ours); NULL: nothing to explain. */
  properties[PROP_WHY] =
    g_param_spec_string ("why", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* The name of the secret the provider wants ("App password", "IMAP password"). */
  properties[PROP_PASSWORD_LABEL] =
    g_param_spec_string ("password-label", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (MS_TYPE_ENTRY_ROW);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ms-wizard-password-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MsWizardPasswordPage, steps_group);
  gtk_widget_class_bind_template_child (widget_class, MsWizardPasswordPage, help_row);
  gtk_widget_class_bind_template_child (widget_class, MsWizardPasswordPage, help_label);
  gtk_widget_class_bind_template_child (widget_class, MsWizardPasswordPage, password_row);
  gtk_widget_class_bind_template_child (widget_class, MsWizardPasswordPage, check_row);
  gtk_widget_class_bind_template_callback (widget_class, has_password_check);
  gtk_widget_class_bind_template_callback (widget_class, password_check_title);
  gtk_widget_class_bind_template_callback (widget_class, demo_hint);
  gtk_widget_class_bind_template_callback (widget_class, has_text);
  gtk_widget_class_bind_template_callback (widget_class, on_password_row_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated_cb);
}

static void
ms_wizard_password_page_init (MsWizardPasswordPage *self)
{
  self->password_label = g_strdup (_("App password"));
  gtk_widget_init_template (GTK_WIDGET (self));
  self->step_rows = g_ptr_array_new ();
  ms_wizard_page_set_first_field (MS_WIZARD_PAGE (self), GTK_WIDGET (self->password_row));
}

void
ms_wizard_password_page_set_detection (MsWizardPasswordPage *self,
                                       const char           *address,
                                       const MsDetection    *detection)
{
  g_return_if_fail (MS_IS_WIZARD_PASSWORD_PAGE (self));

  g_clear_pointer (&self->detection, ms_detection_free);
  if (detection != NULL)
    self->detection = ms_detection_copy (detection);
  if (self->demo != ms_gui_demo_is_address (address))
    {
      self->demo = !self->demo;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEMO]);
    }
  show_app_password_help (self);
  update_check (self);
}

/* ms_wizard_password_page_dup_password:
 * Returns: (transfer full) (nullable): the password as the provider wants
 * it (an app password without its spaces), in locked memory. */
MsPassword *
ms_wizard_password_page_dup_password (MsWizardPasswordPage *self)
{
  g_return_val_if_fail (MS_IS_WIZARD_PASSWORD_PAGE (self), NULL);

  return ms_gui_normalise_password (ms_gui_detection_provider_id (self->detection),
                                    gtk_editable_get_text (GTK_EDITABLE (self->password_row)));
}
