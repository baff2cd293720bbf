/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-wizard-password-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-gui-demo.h"
#include "ms-wizard-password-page.h"

/*
 * MsWizardPasswordPage:
 * Step 2. For a provider that needs an app password, how to create one, with
 * buttons for the provider's pages; otherwise just the account password.
 */
struct _MsWizardPasswordPage
{
  MsWizardPage          parent_instance;

  AdwPreferencesGroup  *why_group;
  AdwPreferencesGroup  *steps_group;
  AdwActionRow         *two_step_row;
  AdwActionRow         *app_passwords_row;
  GtkButton            *two_step_button;
  GtkButton            *app_passwords_button;
  AdwActionRow         *name_row;
  AdwActionRow         *copy_row;
  AdwExpanderRow       *help_row;
  AdwPasswordEntryRow  *password_row;
  AdwActionRow         *check_row;
  AdwActionRow         *demo_row;

  MsGuiDetection       *detection;
};

G_DEFINE_FINAL_TYPE (MsWizardPasswordPage, ms_wizard_password_page, MS_TYPE_WIZARD_PAGE)

static gboolean
needs_app_password (MsWizardPasswordPage *self)
{
  return self->detection != NULL && self->detection->needs_app_password;
}

static void
update_check (MsWizardPasswordPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  g_autofree char *message = NULL;
  MsRowState state;

  if (!needs_app_password (self) || text[0] == '\0')
    {
      gtk_widget_set_visible (GTK_WIDGET (self->check_row), FALSE);
      ms_wizard_page_set_valid (MS_WIZARD_PAGE (self), text[0] != '\0');
      return;
    }

  state = ms_gui_check_app_password (self->detection->provider_id, text, &message);
  if (message == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->check_row), FALSE);
      ms_wizard_page_set_valid (MS_WIZARD_PAGE (self), TRUE);
      return;
    }
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->check_row), message);
  ms_status_row_set_state (self->check_row, state);
  gtk_widget_set_visible (GTK_WIDGET (self->check_row), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->password_row),
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

static void
set_link (GtkButton  *button,
          const char *uri)
{
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", uri);
}

static gboolean
is_google (MsWizardPasswordPage *self)
{
  return self->detection != NULL
         && (g_strcmp0 (self->detection->provider_id, "gmail") == 0
             || g_strcmp0 (self->detection->provider_id, "google-workspace") == 0);
}

static void
set_step_row (AdwActionRow *row,
              GtkButton    *button,
              guint         number,
              const char   *label,
              const char   *uri)
{
  g_autofree char *title = NULL;

  gtk_widget_set_visible (GTK_WIDGET (row), uri != NULL);
  if (uri == NULL)
    return;
  set_link (button, uri);
  /* Translators: a numbered step, "2. Open App passwords" */
  title = g_strdup_printf (_("%u. %s"), number, label != NULL ? label : uri);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
}

/* Another provider's app password: its own pages and its note, none of
 * Google's words. */
static void
show_other_steps (MsWizardPasswordPage *self)
{
  const MsGuiDetection *found = self->detection;
  guint number = 1;

  adw_preferences_group_set_description (self->why_group,
                                         _("Your provider does not let other programs use your account password. An app password is a separate password just for this program."));
  set_step_row (self->two_step_row, self->two_step_button, number, found->two_step_label,
                found->two_step_url);
  if (found->two_step_url != NULL)
    number++;
  set_step_row (self->app_passwords_row, self->app_passwords_button, number,
                found->app_password_label, found->app_password_url);
  gtk_widget_set_visible (GTK_WIDGET (self->name_row), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->copy_row), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->help_row), FALSE);
  adw_preferences_group_set_description (self->steps_group, found->note);
}

static void
show_plain_password (MsWizardPasswordPage *self)
{
  const MsGuiDetection *found = self->detection;
  gboolean oauth_only = found != NULL && found->oauth_only;

  ms_wizard_page_set_title (MS_WIZARD_PAGE (self), _("Password"));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->password_row), _("Password"));
  gtk_widget_set_visible (GTK_WIDGET (self->steps_group), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->why_group), found != NULL && found->note != NULL);
  if (found == NULL || found->note == NULL)
    return;
  adw_preferences_group_set_title (self->why_group,
                                   oauth_only ? _("Password Sign-In Not Possible")
                                              : _("Before You Start"));
  adw_preferences_group_set_description (self->why_group, found->note);
}

/* build-aux/run --demo: the fake server's throw-away password, in plain
 * sight (it opens nothing else). */
static void
show_demo_hint (MsWizardPasswordPage *self)
{
  gboolean demo = self->detection != NULL && self->detection->demo;
  g_autofree char *hint = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->demo_row), demo);
  if (!demo)
    return;
  /* Translators: %s is the demo server's throw-away password, shown as is */
  hint = g_strdup_printf (_("Demo: the password is %s"), MS_GUI_DEMO_PASSWORD);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->demo_row), hint);
}

static void
show_app_password_help (MsWizardPasswordPage *self)
{
  show_demo_hint (self);
  if (!needs_app_password (self))
    {
      show_plain_password (self);
      return;
    }

  ms_wizard_page_set_title (MS_WIZARD_PAGE (self), _("Create an App Password"));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->password_row), _("App password"));
  adw_preferences_group_set_title (self->why_group, _("Why an App Password?"));
  gtk_widget_set_visible (GTK_WIDGET (self->why_group), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->steps_group), TRUE);
  if (!is_google (self))
    {
      show_other_steps (self);
      return;
    }
  adw_preferences_group_set_description (self->why_group,
                                         _("Google does not let other programs use your Google password. An app password is a separate 16-letter password just for this program."));
  adw_preferences_group_set_description (self->steps_group, NULL);
  set_step_row (self->two_step_row, self->two_step_button, 1,
                _("Turn on 2-Step Verification"), self->detection->two_step_url);
  set_step_row (self->app_passwords_row, self->app_passwords_button, 2,
                _("Open App passwords"), self->detection->app_password_url);
  gtk_widget_set_visible (GTK_WIDGET (self->name_row), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->copy_row), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->help_row), TRUE);
}

/* The typed secret does not outlive the wizard run. */
static void
ms_wizard_password_page_clear (MsWizardPage *page)
{
  MsWizardPasswordPage *self = MS_WIZARD_PASSWORD_PAGE (page);

  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
}

static void
ms_wizard_password_page_finalize (GObject *object)
{
  MsWizardPasswordPage *self = MS_WIZARD_PASSWORD_PAGE (object);

  g_clear_pointer (&self->detection, ms_gui_detection_free);

  G_OBJECT_CLASS (ms_wizard_password_page_parent_class)->finalize (object);
}

static void
ms_wizard_password_page_class_init (MsWizardPasswordPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = ms_wizard_password_page_finalize;
  MS_WIZARD_PAGE_CLASS (klass)->clear = ms_wizard_password_page_clear;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ms-wizard-password-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MsWizardPasswordPage, why_group);
  gtk_widget_class_bind_template_child (widget_class, MsWizardPasswordPage, steps_group);
  gtk_widget_class_bind_template_child (widget_class, MsWizardPasswordPage, two_step_row);
  gtk_widget_class_bind_template_child (widget_class, MsWizardPasswordPage, app_passwords_row);
  gtk_widget_class_bind_template_child (widget_class, MsWizardPasswordPage, two_step_button);
  gtk_widget_class_bind_template_child (widget_class, MsWizardPasswordPage, app_passwords_button);
  gtk_widget_class_bind_template_child (widget_class, MsWizardPasswordPage, name_row);
  gtk_widget_class_bind_template_child (widget_class, MsWizardPasswordPage, copy_row);
  gtk_widget_class_bind_template_child (widget_class, MsWizardPasswordPage, help_row);
  gtk_widget_class_bind_template_child (widget_class, MsWizardPasswordPage, password_row);
  gtk_widget_class_bind_template_child (widget_class, MsWizardPasswordPage, check_row);
  gtk_widget_class_bind_template_child (widget_class, MsWizardPasswordPage, demo_row);
  gtk_widget_class_bind_template_callback (widget_class, on_password_row_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated_cb);
}

static void
ms_wizard_password_page_init (MsWizardPasswordPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  ms_wizard_page_set_first_field (MS_WIZARD_PAGE (self), GTK_WIDGET (self->password_row));
}

void
ms_wizard_password_page_set_detection (MsWizardPasswordPage *self,
                                       const MsGuiDetection *detection)
{
  g_return_if_fail (MS_IS_WIZARD_PASSWORD_PAGE (self));

  g_clear_pointer (&self->detection, ms_gui_detection_free);
  if (detection != NULL)
    self->detection = ms_gui_detection_copy (detection);
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

  return ms_gui_normalise_password (self->detection != NULL ? self->detection->provider_id : NULL,
                                    gtk_editable_get_text (GTK_EDITABLE (self->password_row)));
}
