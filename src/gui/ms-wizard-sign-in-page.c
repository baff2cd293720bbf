/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-wizard-sign-in-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-wizard-sign-in-page.h"

/*
 * MsWizardSignInPage:
 * Step 4: runs AUTH as soon as it is shown and moves on by itself on success.
 * On failure: the provider's meaning, what to do, a button for the page that
 * fixes it, and the server's own words in small monospace text.
 */
struct _MsWizardSignInPage
{
  MsWizardPage         parent_instance;

  GtkListBox          *steps_list;
  AdwPreferencesGroup *error_group;
  GtkLabel            *message_label;
  GtkLabel            *advice_label;
  GtkButton           *action_button;
  GtkLabel            *reply_label;

  MsRequest           *request;
  MsResult            *result;
};

G_DEFINE_FINAL_TYPE (MsWizardSignInPage, ms_wizard_sign_in_page, MS_TYPE_WIZARD_PAGE)

static void
show_error (MsWizardSignInPage *self)
{
  const MsResultError *error = self->result->error;
  g_autofree char *reply = NULL;

  gtk_label_set_text (self->message_label, error->message != NULL ? error->message : "");
  gtk_label_set_text (self->advice_label, error->advice != NULL ? error->advice : "");
  gtk_widget_set_visible (GTK_WIDGET (self->advice_label), error->advice != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->action_button), error->action_url != NULL);
  if (error->action_url != NULL)
    {
      gtk_actionable_set_action_target (GTK_ACTIONABLE (self->action_button), "s", error->action_url);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->action_button), "wizard.open-uri");
    }
  if (error->server_reply != NULL)
    /* Translators: followed by the server's reply, as the server wrote it */
    reply = g_strdup_printf (_("Server said: %s"), error->server_reply);
  gtk_label_set_text (self->reply_label, reply != NULL ? reply : "");
  gtk_widget_set_visible (GTK_WIDGET (self->reply_label), reply != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->error_group), TRUE);
}

static void
on_login_done_cb (GObject      *source,
                  GAsyncResult *async_result,
                  gpointer      user_data)
{
  g_autoptr(MsWizardSignInPage) self = user_data;
  g_autoptr(MsResult) result = ms_gui_run_finish (async_result);

  if (result->error != NULL && result->error->code == MS_ERROR_CANCELLED)
    return;

  g_clear_pointer (&self->result, ms_result_unref);
  self->result = g_steal_pointer (&result);
  ms_fill_step_rows (self->steps_list, self->result);
  ms_wizard_page_set_valid (MS_WIZARD_PAGE (self), TRUE);
  if (ms_result_is_ok (self->result))
    {
      ms_wizard_page_set_main_label (MS_WIZARD_PAGE (self), _("Continue"));
      ms_wizard_page_finished (MS_WIZARD_PAGE (self));
      return;
    }
  ms_wizard_page_set_main_label (MS_WIZARD_PAGE (self), _("Try Again"));
  show_error (self);
}

static void
start_login (MsWizardSignInPage *self)
{
  GCancellable *cancellable = ms_wizard_page_renew_cancellable (MS_WIZARD_PAGE (self));
  g_autofree char *title = NULL;

  g_clear_pointer (&self->result, ms_result_unref);
  gtk_widget_set_visible (GTK_WIDGET (self->error_group), FALSE);
  ms_wizard_page_set_valid (MS_WIZARD_PAGE (self), FALSE);
  ms_list_box_remove_all (self->steps_list);
  title = g_strdup_printf (_("Signing in to %s…"), self->request->config->host);
  gtk_list_box_append (self->steps_list, ms_status_row_new (MS_ROW_STATE_BUSY, title, NULL));
  ms_gui_run_async (MS_GUI_OP_LOGIN, self->request, cancellable, on_login_done_cb,
                    g_object_ref (self));
}

static void
ms_wizard_sign_in_page_enter (MsWizardPage *page)
{
  MsWizardSignInPage *self = MS_WIZARD_SIGN_IN_PAGE (page);

  MS_WIZARD_PAGE_CLASS (ms_wizard_sign_in_page_parent_class)->enter (page);
  if (self->request != NULL)
    start_login (self);
}

static gboolean
ms_wizard_sign_in_page_activate (MsWizardPage *page)
{
  MsWizardSignInPage *self = MS_WIZARD_SIGN_IN_PAGE (page);

  if (self->result != NULL && ms_result_is_ok (self->result))
    return FALSE;
  start_login (self);
  return TRUE;
}

/* Nothing, least of all the password, stays once the wizard starts again. */
static void
ms_wizard_sign_in_page_clear (MsWizardPage *page)
{
  MsWizardSignInPage *self = MS_WIZARD_SIGN_IN_PAGE (page);

  g_clear_pointer (&self->request, ms_request_free);
  g_clear_pointer (&self->result, ms_result_unref);
}

static void
ms_wizard_sign_in_page_finalize (GObject *object)
{
  MsWizardSignInPage *self = MS_WIZARD_SIGN_IN_PAGE (object);

  g_clear_pointer (&self->request, ms_request_free);
  g_clear_pointer (&self->result, ms_result_unref);

  G_OBJECT_CLASS (ms_wizard_sign_in_page_parent_class)->finalize (object);
}

static void
ms_wizard_sign_in_page_class_init (MsWizardSignInPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  MsWizardPageClass *page_class = MS_WIZARD_PAGE_CLASS (klass);

  object_class->finalize = ms_wizard_sign_in_page_finalize;
  page_class->clear = ms_wizard_sign_in_page_clear;
  page_class->enter = ms_wizard_sign_in_page_enter;
  page_class->activate = ms_wizard_sign_in_page_activate;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ms-wizard-sign-in-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MsWizardSignInPage, steps_list);
  gtk_widget_class_bind_template_child (widget_class, MsWizardSignInPage, error_group);
  gtk_widget_class_bind_template_child (widget_class, MsWizardSignInPage, message_label);
  gtk_widget_class_bind_template_child (widget_class, MsWizardSignInPage, advice_label);
  gtk_widget_class_bind_template_child (widget_class, MsWizardSignInPage, action_button);
  gtk_widget_class_bind_template_child (widget_class, MsWizardSignInPage, reply_label);
}

static void
ms_wizard_sign_in_page_init (MsWizardSignInPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

void
ms_wizard_sign_in_page_set_request (MsWizardSignInPage *self,
                                    const MsRequest    *request)
{
  g_return_if_fail (MS_IS_WIZARD_SIGN_IN_PAGE (self));

  g_clear_pointer (&self->request, ms_request_free);
  self->request = ms_request_copy (request);
  ms_wizard_page_set_main_label (MS_WIZARD_PAGE (self), _("Sign In"));
}

/* ms_wizard_sign_in_page_get_result:
 * Returns: (transfer none) (nullable): the last sign-in's result. */
MsResult *
ms_wizard_sign_in_page_get_result (MsWizardSignInPage *self)
{
  g_return_val_if_fail (MS_IS_WIZARD_SIGN_IN_PAGE (self), NULL);
  return self->result;
}
