/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-account-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-account-page.h"
#include "ms-entry-row.h"
#include "ms-header-title.h"
#include "ms-wizard-server-page.h"

/*
 * MsAccountPage:
 * One stored account: its settings (the wizard's server page, re-checked
 * live), a test message, the way to Diagnostics, and Remove. The test row
 * follows the "testing" and "test-result" properties through closures in
 * the .ui file. An account of GNOME Online Accounts shows the settings it
 * leaves to GOA as GOA has them now, marked as such, and the online row
 * says it signs in through Online Accounts, or why GOA cannot be asked
 * (docs/ui.md, "Online Accounts").
 */
struct _MsAccountPage
{
  AdwBin               parent_instance;

  MsWizardServerPage  *server_page;
  AdwPreferencesGroup *actions_group;
  MsEntryRow          *to_row;
  AdwActionRow        *test_row;
  AdwActionRow        *online_row;
  AdwActionRow        *remove_row;

  MsAccount           *account;
  MsAccount           *shown;   /* an online account with GOA's settings, or NULL */
  GCancellable        *resolving;
  GCancellable        *cancellable;
  MsResult            *test_result;
  gboolean             testing;
};

G_DEFINE_FINAL_TYPE (MsAccountPage, ms_account_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_ACCOUNT,
  PROP_TESTING,
  PROP_TEST_RESULT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  REMOVED,
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static GCancellable *
renew_cancellable (MsAccountPage *self)
{
  ms_account_page_cancel (self);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  return self->cancellable;
}

/* What the server page was filled with: GOA's settings for an online
 * account, else the stored ones. */
static MsAccount *
shown_account (MsAccountPage *self)
{
  return self->shown != NULL ? self->shown : self->account;
}

static gboolean
settings_changed (MsAccountPage *self)
{
  g_autoptr(MsSmtpConfig) config = ms_wizard_server_page_dup_config (self->server_page);
  g_autoptr(MsSmtpConfig) stored = ms_account_to_smtp_config (shown_account (self));

  return config != NULL
         && (g_strcmp0 (config->host, stored->host) != 0 || config->port != stored->port
             || config->security != stored->security
             || g_strcmp0 (config->username, stored->username) != 0
             || g_strcmp0 (config->pin, stored->pin) != 0);
}

static void
on_server_page_valid_cb (MsAccountPage *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.save",
                                 self->account != NULL
                                 && ms_wizard_page_get_valid (MS_WIZARD_PAGE (self->server_page))
                                 && settings_changed (self));
}

/* ---- what the test row shows (closures in the .ui) ---- */

static gboolean
shows_test (MsAccountPage *self,
            gboolean       testing,
            MsResult      *result)
{
  return testing || result != NULL;
}

static char *
test_title (MsAccountPage *self,
            gboolean       testing,
            MsResult      *result)
{
  if (testing)
    return g_strdup (_("Sending…"));
  if (result == NULL)
    return g_strdup ("");
  if (result->error != NULL)
    return g_strdup (result->error->message != NULL ? result->error->message : "");
  return g_strdup_printf (_("Sent. Look for “Mail Setup test message” in the inbox of %s."),
                          gtk_editable_get_text (GTK_EDITABLE (self->to_row)));
}

static char *
test_advice (MsAccountPage *self,
             gboolean       testing,
             MsResult      *result)
{
  if (testing || result == NULL || result->error == NULL || result->error->advice == NULL)
    return g_strdup ("");
  return g_strdup (result->error->advice);
}

/* ---- state ---- */

static void
set_testing (MsAccountPage *self,
             gboolean       testing)
{
  if (self->testing == testing)
    return;
  self->testing = testing;
  /* The row's icon is a prefix widget, not a property to bind. */
  if (testing)
    ms_status_row_set_state (self->test_row, MS_ROW_STATE_BUSY);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.test-send", !testing);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TESTING]);
}

static void
set_test_result (MsAccountPage *self,
                 MsResult      *result)
{
  if (self->test_result == result)
    return;
  g_clear_pointer (&self->test_result, ms_result_unref);
  self->test_result = result != NULL ? ms_result_ref (result) : NULL;
  if (result != NULL)
    ms_status_row_set_state (self->test_row,
                             result->error == NULL ? MS_ROW_STATE_OK : MS_ROW_STATE_ERROR);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEST_RESULT]);
}

static void
on_test_send_done_cb (GObject      *source,
                      GAsyncResult *async_result,
                      gpointer      user_data)
{
  g_autoptr(MsAccountPage) self = user_data;
  g_autoptr(MsResult) result = ms_gui_run_finish (async_result);

  if (result->error != NULL && result->error->code == MS_ERROR_CANCELLED)
    return;
  set_test_result (self, result);
  set_testing (self, FALSE);
}

static void
test_send_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  MsAccountPage *self = MS_ACCOUNT_PAGE (widget);
  const char *to = gtk_editable_get_text (GTK_EDITABLE (self->to_row));

  if (!ms_gui_validate_address (to))
    {
      g_autoptr(MsResult) result = ms_result_new ("test");

      ms_result_set_error (result, MS_ERROR_INVALID_INPUT, MS_STEP_CONFIG,
                           _("Enter the address to send the test message to"));
      set_test_result (self, result);
      return;
    }
  set_test_result (self, NULL);
  set_testing (self, TRUE);
  ms_gui_account_run_async (MS_GUI_OP_TEST_SEND, self->account, to, renew_cancellable (self),
                            on_test_send_done_cb, g_object_ref (self));
}

static void
on_saved_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(MsAccountPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ms_gui_save_account_finish (result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        ms_show_toast (GTK_WIDGET (self), error->message);
      return;
    }
  ms_show_toast (GTK_WIDGET (self), _("Saved"));
  g_signal_emit (self, signals[SAVED], 0);
}

/* Only what was changed from GOA's settings is stored over them: the rest
 * keeps following Online Accounts (as the wizard stores such an account). */
static void
keep_following_online_account (MsAccountPage      *self,
                               MsAccount          *account,
                               const MsSmtpConfig *config)
{
  g_autoptr(MsSmtpConfig) given = ms_account_to_smtp_config (self->shown);

  if (g_strcmp0 (config->host, given->host) != 0)
    ms_account_set_host (account, config->host);
  if (config->port != given->port)
    ms_account_set_port (account, config->port);
  if (config->security != given->security)
    ms_account_set_security (account, config->security);
  if (g_strcmp0 (config->username, given->username) != 0)
    ms_account_set_username (account, config->username);
  ms_account_set_ca_file (account, config->ca_file);
  ms_account_set_pin (account, config->pin);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  MsAccountPage *self = MS_ACCOUNT_PAGE (widget);
  g_autoptr(MsSmtpConfig) config = ms_wizard_server_page_dup_config (self->server_page);
  g_autoptr(MsAccount) account = NULL;

  g_return_if_fail (config != NULL);
  account = ms_account_copy (self->account, NULL);
  if (self->shown != NULL)
    keep_following_online_account (self, account, config);
  else
    ms_account_set_smtp_config (account, config);
  ms_account_page_set_account (self, account);
  /* No password: the keyring item stays as it is. */
  ms_gui_save_account_async (account, NULL, renew_cancellable (self), on_saved_cb,
                             g_object_ref (self));
}

static void
on_removed_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(MsAccountPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ms_gui_remove_account_finish (result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        ms_show_toast (GTK_WIDGET (self), error->message);
      return;
    }
  g_signal_emit (self, signals[REMOVED], 0);
}

static void
on_remove_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       MsAccountPage    *self)
{
  if (g_strcmp0 (response, "remove") != 0 || self->account == NULL)
    return;
  ms_gui_remove_account_async (ms_account_get_id (self->account), renew_cancellable (self),
                               on_removed_cb,
                               g_object_ref (self));
}

static void
remove_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  MsAccountPage *self = MS_ACCOUNT_PAGE (widget);
  g_autofree char *heading = NULL;
  GtkWidget *dialog;

  /* Translators: %s is an email address */
  heading = g_strdup_printf (_("Remove %s?"), ms_account_get_address (self->account));
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), heading,
                                   ms_account_get_online_account (self->account) != NULL
                                   ? _("The settings are deleted; the account stays in Online Accounts. Programs that send mail with this account will stop working.")
                                   : _("The settings and the password in the keyring are deleted. Programs that send mail with this account will stop working."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"), "remove", _("_Remove"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_remove_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
ms_account_page_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  MsAccountPage *self = MS_ACCOUNT_PAGE (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      g_value_set_object (value, self->account);
      break;
    case PROP_TESTING:
      g_value_set_boolean (value, self->testing);
      break;
    case PROP_TEST_RESULT:
      g_value_set_boxed (value, self->test_result);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_account_page_dispose (GObject *object)
{
  MsAccountPage *self = MS_ACCOUNT_PAGE (object);

  ms_account_page_cancel (self);
  if (self->resolving != NULL)
    g_cancellable_cancel (self->resolving);

  G_OBJECT_CLASS (ms_account_page_parent_class)->dispose (object);
}

static void
ms_account_page_finalize (GObject *object)
{
  MsAccountPage *self = MS_ACCOUNT_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->account);
  g_clear_object (&self->shown);
  g_clear_object (&self->resolving);
  g_clear_pointer (&self->test_result, ms_result_unref);

  G_OBJECT_CLASS (ms_account_page_parent_class)->finalize (object);
}

static void
ms_account_page_class_init (MsAccountPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ms_account_page_dispose;
  object_class->finalize = ms_account_page_finalize;
  object_class->get_property = ms_account_page_get_property;

  /* The account shown; its address and id are the page's title (in the .ui). */
  properties[PROP_ACCOUNT] =
    g_param_spec_object ("account", NULL, NULL, MS_TYPE_ACCOUNT,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* A test message is on its way. */
  properties[PROP_TESTING] =
    g_param_spec_boolean ("testing", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* The last test message's result, or why none was sent; NULL before one. */
  properties[PROP_TEST_RESULT] =
    g_param_spec_boxed ("test-result", NULL, NULL, MS_TYPE_RESULT,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[REMOVED] = g_signal_new ("removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (MS_TYPE_ACCOUNT);
  g_type_ensure (MS_TYPE_ENTRY_ROW);
  g_type_ensure (MS_TYPE_WIZARD_SERVER_PAGE);
  g_type_ensure (MS_TYPE_HEADER_TITLE);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ms-account-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MsAccountPage, server_page);
  gtk_widget_class_bind_template_child (widget_class, MsAccountPage, actions_group);
  gtk_widget_class_bind_template_child (widget_class, MsAccountPage, to_row);
  gtk_widget_class_bind_template_child (widget_class, MsAccountPage, test_row);
  gtk_widget_class_bind_template_child (widget_class, MsAccountPage, online_row);
  gtk_widget_class_bind_template_child (widget_class, MsAccountPage, remove_row);
  gtk_widget_class_bind_template_callback (widget_class, shows_test);
  gtk_widget_class_bind_template_callback (widget_class, test_title);
  gtk_widget_class_bind_template_callback (widget_class, test_advice);
  gtk_widget_class_bind_template_callback (widget_class, on_server_page_valid_cb);

  gtk_widget_class_install_action (widget_class, "account.test-send", NULL, test_send_action);
  gtk_widget_class_install_action (widget_class, "account.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "account.remove", NULL, remove_action);
}

static void
ms_account_page_init (MsAccountPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  ms_wizard_server_page_add_group (self->server_page, self->actions_group);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.save", FALSE);
}

/* ---- GNOME Online Accounts ---- */

static void
show_online_row (MsAccountPage *self,
                 MsRowState     state,
                 const char    *subtitle)
{
  adw_action_row_set_subtitle (self->online_row, subtitle != NULL ? subtitle : "");
  ms_status_row_set_state (self->online_row, state);
  gtk_widget_set_visible (GTK_WIDGET (self->online_row), TRUE);
}

static void
on_resolved_cb (GObject      *source,
                GAsyncResult *async_result,
                gpointer      user_data)
{
  g_autoptr(MsAccountPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MsAccount) shown = NULL;
  g_autoptr(MsSmtpConfig) config = NULL;
  g_autofree char *label = NULL;
  MsOnlineSettings from = MS_ONLINE_SETTING_NONE;
  const char *note = ms_gui_online_words ()->done_note;

  shown = ms_gui_resolve_account_finish (async_result, &from, &error);
  if (g_error_matches (error, MS_ERROR, MS_ERROR_CANCELLED)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (shown == NULL)
    {
      /* What `account show` gives as online_account_error, said plainly;
       * the fields stay as the group has them. */
      /* Also where the check would be, near the top: nothing can be
       * checked with settings GOA was to give. */
      show_online_row (self, MS_ROW_STATE_ERROR, error->message);
      ms_wizard_server_page_show_problem (self->server_page,
                                          adw_preferences_row_get_title (ADW_PREFERENCES_ROW (self->online_row)),
                                          error->message);
      return;
    }
  show_online_row (self, MS_ROW_STATE_OK, note != NULL ? ms_provider_get_text (note) : NULL);
  if (from == MS_ONLINE_SETTING_NONE)
    {
      /* The group sets every setting itself: nothing comes from GOA. */
      ms_wizard_server_page_recheck (self->server_page);
      return;
    }
  g_set_object (&self->shown, shown);
  config = ms_account_to_smtp_config (shown);
  label = ms_gui_describe_online_settings (from);
  ms_wizard_server_page_set_online_defaults (self->server_page, config, label);
  ms_wizard_server_page_recheck (self->server_page);
  on_server_page_valid_cb (self);
}

void
ms_account_page_set_account (MsAccountPage *self,
                             MsAccount     *account)
{
  g_autoptr(MsSmtpConfig) config = NULL;
  gboolean online;

  g_return_if_fail (MS_IS_ACCOUNT_PAGE (self));
  g_return_if_fail (MS_IS_ACCOUNT (account));

  ms_account_page_cancel (self);
  if (self->resolving != NULL)
    g_cancellable_cancel (self->resolving);
  g_clear_object (&self->resolving);
  g_clear_object (&self->shown);
  g_set_object (&self->account, account);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCOUNT]);
  config = ms_account_to_smtp_config (account);
  gtk_editable_set_text (GTK_EDITABLE (self->to_row), ms_account_get_address (account));
  set_testing (self, FALSE);
  set_test_result (self, NULL);
  online = ms_account_get_online_account (account) != NULL;
  adw_action_row_set_subtitle (self->remove_row,
                               online ? _("Deletes the settings; the account stays in Online Accounts")
                                      : _("Deletes the settings and the password in the keyring"));
  gtk_widget_set_visible (GTK_WIDGET (self->online_row), FALSE);
  ms_wizard_server_page_set_config (self->server_page, config);
  ms_wizard_server_page_show_fields (self->server_page);
  if (online)
    {
      /* GOA's settings, asked now: a change in Settings shows when the
       * page is opened again. The fields wait for them. */
      self->resolving = g_cancellable_new ();
      ms_gui_resolve_account_async (account, self->resolving, on_resolved_cb,
                                    g_object_ref (self));
      on_server_page_valid_cb (self);
      return;
    }
  ms_wizard_server_page_recheck (self->server_page);
  on_server_page_valid_cb (self);
}

/* ms_account_page_get_account:
 * Returns: (transfer none) (nullable): the account shown. */
MsAccount *
ms_account_page_get_account (MsAccountPage *self)
{
  g_return_val_if_fail (MS_IS_ACCOUNT_PAGE (self), NULL);
  return self->account;
}

void
ms_account_page_cancel (MsAccountPage *self)
{
  g_return_if_fail (MS_IS_ACCOUNT_PAGE (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  ms_wizard_page_cancel (MS_WIZARD_PAGE (self->server_page));
}
