/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-wizard-done-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-export.h"
#include "ms-last-check.h"
#include "ms-wizard-done-page.h"

/*
 * MsWizardDonePage:
 * Step 6: saves the account (settings in accounts.ini, the password in the
 * keyring unless the switch is off) and shows how to use it elsewhere.
 */
struct _MsWizardDonePage
{
  MsWizardPage  parent_instance;

  AdwActionRow *saved_row;
  GtkButton    *retry_button;
  GtkSwitch    *keyring_switch;
  AdwActionRow *keyring_row;
  AdwActionRow *keyring_warning_row;
  AdwActionRow *server_row;
  GtkButton    *server_copy;
  AdwActionRow *port_row;
  GtkButton    *port_copy;
  AdwActionRow *security_row;
  GtkButton    *security_copy;
  AdwActionRow *user_row;
  GtkButton    *user_copy;
  AdwActionRow *app_password_row;
  AdwActionRow *command_row;
  GtkButton    *command_copy;

  MsAccount    *account;
  MsAccount    *shown;     /* an online account with GOA's settings filled in, or NULL */
  MsPassword   *password;
  MsResult     *check;     /* the wizard's last sign-in or test message */
  gboolean      filling;
  gboolean      saved;
};

G_DEFINE_FINAL_TYPE (MsWizardDonePage, ms_wizard_done_page, MS_TYPE_WIZARD_PAGE)

static void forget (MsWizardDonePage *self);

/* What the rows show and the export writes: the settings in effect. */
static MsAccount *
shown_account (MsWizardDonePage *self)
{
  return self->shown != NULL ? self->shown : self->account;
}

static void
set_copy_row (AdwActionRow *row,
              GtkButton    *button,
              const char   *shown,
              const char   *value)
{
  adw_action_row_set_subtitle (row, shown);
  g_object_set_data_full (G_OBJECT (button), "ms-value", g_strdup (value), g_free);
}

static void
on_copy_value_clicked_cb (GtkButton        *button,
                          MsWizardDonePage *self)
{
  const char *value = g_object_get_data (G_OBJECT (button), "ms-value");

  if (value != NULL)
    ms_copy_to_clipboard (GTK_WIDGET (self), value);
}

/* The keyring row's subtitle follows the switch (a closure in the .ui). */
static char *
describe_keyring_choice (MsWizardDonePage *self,
                         gboolean          keep)
{
  return g_strdup (keep ? _("Programs and scripts you start can send without asking.")
                        : _("You will be asked every time, and mailsetup-cli cannot send unattended."));
}

static void
show_saving (MsWizardDonePage *self,
             MsRowState        state,
             const char       *title,
             const char       *subtitle)
{
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->saved_row), title);
  adw_action_row_set_subtitle (self->saved_row, subtitle != NULL ? subtitle : "");
  ms_status_row_set_state (self->saved_row, state);
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button), state == MS_ROW_STATE_ERROR);
}

/* An account of GNOME Online Accounts has no password to keep or copy;
 * the saved row says what that means for jobs instead. */
static const char *
online_note (MsWizardDonePage *self)
{
  const char *note = ms_gui_online_words ()->done_note;

  if (ms_account_get_online_account (self->account) == NULL || note == NULL)
    return NULL;
  return ms_provider_get_text (note);
}

static void
on_check_recorded_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(MsWizardDonePage) self = user_data;
  g_autoptr(GError) error = NULL;

  /* Failing to note it fails nothing. */
  if (!ms_last_check_record_finish (result, &error))
    g_debug ("Last check not recorded: %s", error->message);
  ms_wizard_page_set_valid (MS_WIZARD_PAGE (self), TRUE);
}

static void
on_saved_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(MsWizardDonePage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MsAccount) saved = NULL;
  g_autofree char *title = NULL;

  if (!ms_gui_save_account_finish (result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      show_saving (self, MS_ROW_STATE_ERROR, _("The account could not be saved"), error->message);
      return;
    }
  /* From now on, the account as the store has it (it may be the default). */
  saved = ms_account_store_lookup (ms_gui_get_accounts (), ms_account_get_id (self->account),
                                   NULL);
  if (saved != NULL)
    g_set_object (&self->account, saved);
  /* Translators: %s is an account name such as "me-gmail.com" */
  title = g_strdup_printf (_("Saved as account “%s”"), ms_account_get_id (self->account));
  show_saving (self, MS_ROW_STATE_OK, title, online_note (self));
  self->saved = TRUE;
  if (!gtk_switch_get_active (self->keyring_switch))
    forget (self);
  /* The accounts view shows the wizard's check as the account's last one:
   * noted before Done is allowed, off the main thread (it waits for a lock
   * and the disk). */
  if (self->check != NULL)
    ms_last_check_record_async (NULL, ms_account_get_id (self->account), self->check, NULL,
                                on_check_recorded_cb, g_object_ref (self));
  else
    ms_wizard_page_set_valid (MS_WIZARD_PAGE (self), TRUE);
}

/* The account is always saved with its password (the keyring item is what
 * the account operations keep in step with accounts.ini); with the switch
 * off, the item is cleared right after. */
static void
save (MsWizardDonePage *self)
{
  GCancellable *cancellable = ms_wizard_page_renew_cancellable (MS_WIZARD_PAGE (self));

  ms_wizard_page_set_valid (MS_WIZARD_PAGE (self), FALSE);
  show_saving (self, MS_ROW_STATE_BUSY, _("Saving…"), NULL);
  ms_gui_save_account_async (self->account, self->password, cancellable,
                             on_saved_cb, g_object_ref (self));
}

static void
on_retry_clicked_cb (MsWizardDonePage *self)
{
  save (self);
}

static void
on_forgotten_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(MsWizardDonePage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ms_gui_forget_password_finish (result, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    ms_show_toast (GTK_WIDGET (self), error->message);
}

static void
forget (MsWizardDonePage *self)
{
  ms_gui_forget_password_async (self->account,
                                ms_wizard_page_renew_cancellable (MS_WIZARD_PAGE (self)),
                                on_forgotten_cb, g_object_ref (self));
}

static void
on_keyring_switch_changed_cb (MsWizardDonePage *self)
{
  if (self->filling || self->account == NULL || !self->saved)
    return;
  if (gtk_switch_get_active (self->keyring_switch))
    save (self);
  else
    forget (self);
}

static void
on_copy_password_response_cb (AdwMessageDialog *dialog,
                              const char       *response,
                              MsWizardDonePage *self)
{
  if (g_strcmp0 (response, "copy") != 0 || self->password == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)),
                          ms_password_get_text (self->password));
  ms_show_toast (GTK_WIDGET (self), _("Password copied"));
}

static void
copy_password_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)),
                                   _("Copy the App Password?"),
                                   _("Any program can read the clipboard. Paste the password only where it is needed, then copy something else."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"), "copy", _("_Copy"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "copy",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_copy_password_response_cb),
                           widget, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
write_export (MsWizardDonePage *self,
              GFile            *file,
              MsAccount        *account)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = ms_export_msmtp (account, NULL);

  if (!g_file_replace_contents (file, text, strlen (text), NULL, FALSE,
                                G_FILE_CREATE_PRIVATE, NULL, NULL, &error))
    ms_show_toast (GTK_WIDGET (self), error->message);
  else
    ms_show_toast (GTK_WIDGET (self), _("Exported"));
}

static void
on_export_resolved_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GFile) file = user_data;
  MsWizardDonePage *self = g_object_get_data (G_OBJECT (file), "ms-done-page");
  g_autoptr(GError) error = NULL;
  g_autoptr(MsAccount) resolved = ms_gui_resolve_account_finish (result, NULL, &error);

  if (self == NULL)
    return;
  if (resolved == NULL)
    ms_show_toast (GTK_WIDGET (self), error->message);
  else
    write_export (self, file, resolved);
}

static void
on_export_response_cb (GtkNativeDialog  *chooser,
                       int               response,
                       MsWizardDonePage *self)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT && self->account != NULL)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      if (ms_account_get_online_account (self->account) == NULL)
        write_export (self, file, self->account);
      else
        {
          /* The settings left to GNOME Online Accounts as GOA has them now,
           * as `mailsetup-cli export` writes them (never "host (null)"). */
          g_object_set_data_full (G_OBJECT (file), "ms-done-page", g_object_ref (self),
                                  g_object_unref);
          ms_gui_resolve_account_async (self->account, NULL, on_export_resolved_cb,
                                        g_steal_pointer (&file));
        }
    }
  g_object_unref (chooser);
}

static void
export_msmtp_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Export for msmtp"),
                                         GTK_WINDOW (gtk_widget_get_root (widget)),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), "msmtprc");
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_export_response_cb), widget, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
fill_rows (MsWizardDonePage *self,
           gboolean          app_password)
{
  MsAccount *account = shown_account (self);
  MsSecurity mode = ms_account_get_security (account);
  const char *host = ms_account_get_host (account);
  g_autofree char *port = g_strdup_printf ("%u", ms_account_get_effective_port (account));
  g_autofree char *security = NULL;
  g_autofree char *command = NULL;
  const char *user = ms_account_get_effective_username (account);

  if (mode == MS_SECURITY_TLS)
    /* Translators: keep SSL/TLS; the quoted words are what other programs may call it */
    security = g_strdup (_("SSL/TLS (other programs may call it “SSL” or “Secure connection”)"));
  else
    security = g_strdup (ms_security_display_name (mode));

  set_copy_row (self->server_row, self->server_copy, host, host);
  set_copy_row (self->port_row, self->port_copy, port, port);
  set_copy_row (self->security_row, self->security_copy, security,
                ms_security_display_name (mode));
  set_copy_row (self->user_row, self->user_copy, user, user);
  command = g_strdup_printf ("printf 'Subject: Hello\\n\\nIt works.\\n' | mailsetup-cli send --account %s %s",
                             ms_account_get_id (account), ms_account_get_address (account));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->command_row), command);
  g_object_set_data_full (G_OBJECT (self->command_copy), "ms-value", g_strdup (command), g_free);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->app_password_row),
                                 app_password ? _("Copy App Password") : _("Copy Password"));
}

static void
ms_wizard_done_page_enter (MsWizardPage *page)
{
  MsWizardDonePage *self = MS_WIZARD_DONE_PAGE (page);

  MS_WIZARD_PAGE_CLASS (ms_wizard_done_page_parent_class)->enter (page);
  if (self->account != NULL && !ms_wizard_page_get_valid (page))
    save (self);
}

/* Nothing, least of all the password, stays once the wizard starts again. */
static void
ms_wizard_done_page_clear (MsWizardPage *page)
{
  MsWizardDonePage *self = MS_WIZARD_DONE_PAGE (page);

  g_clear_object (&self->account);
  g_clear_object (&self->shown);
  g_clear_pointer (&self->password, ms_password_unref);
  g_clear_pointer (&self->check, ms_result_unref);
}

static void
ms_wizard_done_page_finalize (GObject *object)
{
  MsWizardDonePage *self = MS_WIZARD_DONE_PAGE (object);

  g_clear_object (&self->account);
  g_clear_object (&self->shown);
  g_clear_pointer (&self->password, ms_password_unref);
  g_clear_pointer (&self->check, ms_result_unref);

  G_OBJECT_CLASS (ms_wizard_done_page_parent_class)->finalize (object);
}

static void
ms_wizard_done_page_class_init (MsWizardDonePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  MsWizardPageClass *page_class = MS_WIZARD_PAGE_CLASS (klass);

  object_class->finalize = ms_wizard_done_page_finalize;
  page_class->clear = ms_wizard_done_page_clear;
  page_class->enter = ms_wizard_done_page_enter;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ms-wizard-done-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MsWizardDonePage, saved_row);
  gtk_widget_class_bind_template_child (widget_class, MsWizardDonePage, retry_button);
  gtk_widget_class_bind_template_child (widget_class, MsWizardDonePage, keyring_switch);
  gtk_widget_class_bind_template_child (widget_class, MsWizardDonePage, keyring_row);
  gtk_widget_class_bind_template_child (widget_class, MsWizardDonePage, keyring_warning_row);
  gtk_widget_class_bind_template_child (widget_class, MsWizardDonePage, server_row);
  gtk_widget_class_bind_template_child (widget_class, MsWizardDonePage, server_copy);
  gtk_widget_class_bind_template_child (widget_class, MsWizardDonePage, port_row);
  gtk_widget_class_bind_template_child (widget_class, MsWizardDonePage, port_copy);
  gtk_widget_class_bind_template_child (widget_class, MsWizardDonePage, security_row);
  gtk_widget_class_bind_template_child (widget_class, MsWizardDonePage, security_copy);
  gtk_widget_class_bind_template_child (widget_class, MsWizardDonePage, user_row);
  gtk_widget_class_bind_template_child (widget_class, MsWizardDonePage, user_copy);
  gtk_widget_class_bind_template_child (widget_class, MsWizardDonePage, app_password_row);
  gtk_widget_class_bind_template_child (widget_class, MsWizardDonePage, command_row);
  gtk_widget_class_bind_template_child (widget_class, MsWizardDonePage, command_copy);
  gtk_widget_class_bind_template_callback (widget_class, on_copy_value_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_retry_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_keyring_switch_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, describe_keyring_choice);

  gtk_widget_class_install_action (widget_class, "wizard.copy-password", NULL, copy_password_action);
  gtk_widget_class_install_action (widget_class, "wizard.export-msmtp", NULL, export_msmtp_action);
}

static void
ms_wizard_done_page_init (MsWizardDonePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  ms_wizard_page_set_first_field (MS_WIZARD_PAGE (self), GTK_WIDGET (self->keyring_switch));
}

void
ms_wizard_done_page_set_account (MsWizardDonePage *self,
                                 MsAccount        *account,
                                 MsPassword       *password,
                                 gboolean          app_password)
{
  g_return_if_fail (MS_IS_WIZARD_DONE_PAGE (self));
  g_return_if_fail (MS_IS_ACCOUNT (account));

  ms_wizard_page_cancel (MS_WIZARD_PAGE (self));
  g_set_object (&self->account, account);
  g_clear_object (&self->shown);
  g_clear_pointer (&self->password, ms_password_unref);
  self->password = password != NULL ? ms_password_ref (password) : NULL;
  ms_wizard_page_set_valid (MS_WIZARD_PAGE (self), FALSE);
  self->saved = FALSE;
  self->filling = TRUE;
  gtk_switch_set_active (self->keyring_switch, TRUE);
  self->filling = FALSE;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "wizard.copy-password", password != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->keyring_row),
                          ms_account_get_online_account (account) == NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->app_password_row),
                          ms_account_get_online_account (account) == NULL);
  /* No keyring item: the saved row says instead what jobs need. */
  gtk_widget_set_visible (GTK_WIDGET (self->keyring_warning_row),
                          ms_account_get_online_account (account) == NULL);
  ms_wizard_page_set_first_field (MS_WIZARD_PAGE (self),
                                  ms_account_get_online_account (account) == NULL
                                  ? GTK_WIDGET (self->keyring_switch)
                                  : GTK_WIDGET (self->server_copy));
  fill_rows (self, app_password);
}

/* ms_wizard_done_page_set_check:
 * The wizard's last check (sign-in or test message), recorded as the
 * account's last check once it is saved. */
void
ms_wizard_done_page_set_check (MsWizardDonePage *self,
                               MsResult         *check)
{
  g_return_if_fail (MS_IS_WIZARD_DONE_PAGE (self));

  g_clear_pointer (&self->check, ms_result_unref);
  self->check = check != NULL ? ms_result_ref (check) : NULL;
}

const char *
ms_wizard_done_page_get_account_id (MsWizardDonePage *self)
{
  g_return_val_if_fail (MS_IS_WIZARD_DONE_PAGE (self), NULL);
  return self->account != NULL ? ms_account_get_id (self->account) : NULL;
}

/* ms_wizard_done_page_set_shown:
 * For an account of GNOME Online Accounts, the same account with the
 * settings it leaves to GOA filled in (ms_gui_show_online_account()): the
 * rows and the msmtp export show those; what is saved is the account. */
void
ms_wizard_done_page_set_shown (MsWizardDonePage *self,
                               MsAccount        *shown)
{
  g_return_if_fail (MS_IS_WIZARD_DONE_PAGE (self));
  g_return_if_fail (MS_IS_ACCOUNT (shown));

  g_set_object (&self->shown, shown);
  fill_rows (self, FALSE);
}
