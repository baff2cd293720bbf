/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-wizard-sign-in-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-wizard-sign-in-page.h"

/*
 * MsWizardSignInPage:
 * Step 4: runs AUTH as soon as it is shown and moves on by itself on success.
 * On failure: the provider's meaning, what to do, a button for the page that
 * fixes it, and the server's own words in small monospace text; those
 * follow the "result" property through closures in the .ui file.
 */
struct _MsWizardSignInPage
{
  MsWizardPage         parent_instance;

  GtkListBox          *steps_list;
  GtkButton           *action_button;

  MsRequest           *request;
  MsResult            *result;
};

G_DEFINE_FINAL_TYPE (MsWizardSignInPage, ms_wizard_sign_in_page, MS_TYPE_WIZARD_PAGE)

enum {
  PROP_0,
  PROP_RESULT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- what the error group shows (closures in the .ui) ---- */

static const MsResultError *
failure (MsResult *result)
{
  return result != NULL ? result->error : NULL;
}

static gboolean
has_failed (MsWizardSignInPage *self,
            MsResult           *result)
{
  return failure (result) != NULL;
}

static char *
failure_message (MsWizardSignInPage *self,
                 MsResult           *result)
{
  return g_strdup (failure (result) != NULL && failure (result)->message != NULL
                   ? failure (result)->message : "");
}

static char *
failure_advice (MsWizardSignInPage *self,
                MsResult           *result)
{
  return g_strdup (failure (result) != NULL ? failure (result)->advice : NULL);
}

static gboolean
has_advice (MsWizardSignInPage *self,
            MsResult           *result)
{
  return failure (result) != NULL && failure (result)->advice != NULL;
}

static gboolean
has_action_url (MsWizardSignInPage *self,
                MsResult           *result)
{
  return failure (result) != NULL && failure (result)->action_url != NULL;
}

static char *
server_said (MsWizardSignInPage *self,
             MsResult           *result)
{
  if (failure (result) == NULL || failure (result)->server_reply == NULL)
    return NULL;
  /* Translators: followed by the server's reply, as the server wrote it */
  return g_strdup_printf (_("Server said: %s"), failure (result)->server_reply);
}

static gboolean
has_server_reply (MsWizardSignInPage *self,
                  MsResult           *result)
{
  return failure (result) != NULL && failure (result)->server_reply != NULL;
}

static void
set_result (MsWizardSignInPage *self,
            MsResult           *result)
{
  if (self->result == result)
    return;
  g_clear_pointer (&self->result, ms_result_unref);
  self->result = result != NULL ? ms_result_ref (result) : NULL;
  /* The page that fixes it is the button's target. */
  if (has_action_url (self, result))
    gtk_actionable_set_action_target (GTK_ACTIONABLE (self->action_button), "s",
                                      result->error->action_url);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESULT]);
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

  set_result (self, result);
  ms_fill_step_rows (self->steps_list, self->result);
  ms_wizard_page_set_valid (MS_WIZARD_PAGE (self), TRUE);
  if (ms_result_is_ok (self->result))
    {
      ms_wizard_page_set_main_label (MS_WIZARD_PAGE (self), _("Continue"));
      ms_wizard_page_finished (MS_WIZARD_PAGE (self));
      return;
    }
  ms_wizard_page_set_main_label (MS_WIZARD_PAGE (self), _("Try Again"));
}

static void
start_login (MsWizardSignInPage *self)
{
  GCancellable *cancellable = ms_wizard_page_renew_cancellable (MS_WIZARD_PAGE (self));
  g_autofree char *title = NULL;

  set_result (self, NULL);
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
  set_result (self, NULL);
}

static void
ms_wizard_sign_in_page_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  MsWizardSignInPage *self = MS_WIZARD_SIGN_IN_PAGE (object);

  switch (prop_id)
    {
    case PROP_RESULT:
      g_value_set_boxed (value, self->result);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
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
  object_class->get_property = ms_wizard_sign_in_page_get_property;
  page_class->clear = ms_wizard_sign_in_page_clear;
  page_class->enter = ms_wizard_sign_in_page_enter;
  page_class->activate = ms_wizard_sign_in_page_activate;

  /* The last sign-in's result; NULL while one runs. */
  properties[PROP_RESULT] =
    g_param_spec_boxed ("result", NULL, NULL, MS_TYPE_RESULT,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ms-wizard-sign-in-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MsWizardSignInPage, steps_list);
  gtk_widget_class_bind_template_child (widget_class, MsWizardSignInPage, action_button);
  gtk_widget_class_bind_template_callback (widget_class, has_failed);
  gtk_widget_class_bind_template_callback (widget_class, failure_message);
  gtk_widget_class_bind_template_callback (widget_class, failure_advice);
  gtk_widget_class_bind_template_callback (widget_class, has_advice);
  gtk_widget_class_bind_template_callback (widget_class, has_action_url);
  gtk_widget_class_bind_template_callback (widget_class, server_said);
  gtk_widget_class_bind_template_callback (widget_class, has_server_reply);
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
