/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-wizard-test-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-wizard-test-page.h"

/*
 * MsWizardTestPage:
 * Step 5: sends the test message, shows progress by step, then the outcome,
 * with the transcript one expander away.
 */
struct _MsWizardTestPage
{
  MsWizardPage         parent_instance;

  AdwEntryRow         *to_row;
  AdwPreferencesGroup *progress_group;
  GtkListBox          *steps_list;
  AdwPreferencesGroup *outcome_group;
  AdwActionRow        *outcome_row;
  AdwExpanderRow      *details_row;
  GtkLabel            *transcript_label;

  MsRequest           *request;
  MsResult            *result;
  gboolean             running;
};

G_DEFINE_FINAL_TYPE (MsWizardTestPage, ms_wizard_test_page, MS_TYPE_WIZARD_PAGE)

static const char *
recipient (MsWizardTestPage *self)
{
  return gtk_editable_get_text (GTK_EDITABLE (self->to_row));
}

static void
update_valid (MsWizardTestPage *self)
{
  ms_wizard_page_set_valid (MS_WIZARD_PAGE (self),
                            !self->running && ms_gui_validate_address (recipient (self)));
}

static char *
format_success (MsWizardTestPage *self)
{
  g_autofree char *seconds = g_strdup_printf ("%.1f", self->result->total_ms / 1000.0);

  /* Translators: the first %s is an address, the second a number of seconds */
  return g_strdup_printf (_("Sent. Look for “Mail Setup test message” in the inbox of %s. It took %s s."),
                          recipient (self), seconds);
}

static void
show_outcome (MsWizardTestPage *self)
{
  g_autofree char *text = NULL;
  g_autofree char *transcript = ms_format_transcript (self->result);
  const MsResultError *error = self->result->error;

  if (error == NULL)
    text = format_success (self);
  else
    text = g_strdup (error->message != NULL ? error->message : "");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->outcome_row), text);
  adw_action_row_set_subtitle (self->outcome_row,
                               error != NULL && error->advice != NULL ? error->advice : "");
  ms_status_row_set_state (self->outcome_row, error == NULL ? MS_ROW_STATE_OK : MS_ROW_STATE_ERROR);
  gtk_label_set_text (self->transcript_label, transcript);
  gtk_widget_set_visible (GTK_WIDGET (self->details_row), transcript[0] != '\0');
  gtk_widget_set_visible (GTK_WIDGET (self->outcome_group), TRUE);
}

static void
on_test_send_done_cb (GObject      *source,
                      GAsyncResult *async_result,
                      gpointer      user_data)
{
  g_autoptr(MsWizardTestPage) self = user_data;
  g_autoptr(MsResult) result = ms_gui_run_finish (async_result);

  if (result->error != NULL && result->error->code == MS_ERROR_CANCELLED)
    return;

  self->running = FALSE;
  g_clear_pointer (&self->result, ms_result_unref);
  self->result = g_steal_pointer (&result);
  ms_fill_step_rows (self->steps_list, self->result);
  show_outcome (self);
  ms_wizard_page_set_main_label (MS_WIZARD_PAGE (self),
                                 ms_result_is_ok (self->result) ? _("Continue")
                                                                : _("Send Test Message"));
  update_valid (self);
}

static void
start_test_send (MsWizardTestPage *self)
{
  GCancellable *cancellable = ms_wizard_page_renew_cancellable (MS_WIZARD_PAGE (self));
  g_autoptr(MsRequest) request = ms_request_copy (self->request);
  g_autofree char *title = NULL;

  g_strfreev (request->recipients);
  request->recipients = g_new0 (char *, 2);
  request->recipients[0] = g_strdup (recipient (self));

  g_clear_pointer (&self->result, ms_result_unref);
  self->running = TRUE;
  update_valid (self);
  gtk_widget_set_visible (GTK_WIDGET (self->outcome_group), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_group), TRUE);
  ms_list_box_remove_all (self->steps_list);
  title = g_strdup_printf (_("Sending a test message to %s…"), recipient (self));
  gtk_list_box_append (self->steps_list, ms_status_row_new (MS_ROW_STATE_BUSY, title, NULL));
  ms_gui_run_async (MS_GUI_OP_TEST_SEND, request, cancellable, on_test_send_done_cb,
                    g_object_ref (self));
}

static gboolean
ms_wizard_test_page_activate (MsWizardPage *page)
{
  MsWizardTestPage *self = MS_WIZARD_TEST_PAGE (page);

  if (self->result != NULL && ms_result_is_ok (self->result))
    return FALSE;
  start_test_send (self);
  return TRUE;
}

static void
ms_wizard_test_page_leave (MsWizardPage *page)
{
  MsWizardTestPage *self = MS_WIZARD_TEST_PAGE (page);

  MS_WIZARD_PAGE_CLASS (ms_wizard_test_page_parent_class)->leave (page);
  if (self->running)
    {
      self->running = FALSE;
      gtk_widget_set_visible (GTK_WIDGET (self->progress_group), FALSE);
      update_valid (self);
    }
}

static void
on_to_row_changed_cb (MsWizardTestPage *self)
{
  if (self->result != NULL && ms_result_is_ok (self->result))
    {
      g_clear_pointer (&self->result, ms_result_unref);
      ms_wizard_page_set_main_label (MS_WIZARD_PAGE (self), _("Send Test Message"));
    }
  update_valid (self);
}

static void
on_entry_activated_cb (MsWizardTestPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "wizard.next", NULL);
}

static void
on_copy_clicked_cb (MsWizardTestPage *self)
{
  if (self->result != NULL)
    {
      g_autofree char *report = ms_result_text_report (self->result);

      ms_copy_to_clipboard (GTK_WIDGET (self), report);
    }
}

/* Nothing, least of all the password, stays once the wizard starts again. */
static void
ms_wizard_test_page_clear (MsWizardPage *page)
{
  MsWizardTestPage *self = MS_WIZARD_TEST_PAGE (page);

  g_clear_pointer (&self->request, ms_request_free);
  g_clear_pointer (&self->result, ms_result_unref);
}

static void
ms_wizard_test_page_finalize (GObject *object)
{
  MsWizardTestPage *self = MS_WIZARD_TEST_PAGE (object);

  g_clear_pointer (&self->request, ms_request_free);
  g_clear_pointer (&self->result, ms_result_unref);

  G_OBJECT_CLASS (ms_wizard_test_page_parent_class)->finalize (object);
}

static void
ms_wizard_test_page_class_init (MsWizardTestPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  MsWizardPageClass *page_class = MS_WIZARD_PAGE_CLASS (klass);

  object_class->finalize = ms_wizard_test_page_finalize;
  page_class->clear = ms_wizard_test_page_clear;
  page_class->activate = ms_wizard_test_page_activate;
  page_class->leave = ms_wizard_test_page_leave;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ms-wizard-test-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MsWizardTestPage, to_row);
  gtk_widget_class_bind_template_child (widget_class, MsWizardTestPage, progress_group);
  gtk_widget_class_bind_template_child (widget_class, MsWizardTestPage, steps_list);
  gtk_widget_class_bind_template_child (widget_class, MsWizardTestPage, outcome_group);
  gtk_widget_class_bind_template_child (widget_class, MsWizardTestPage, outcome_row);
  gtk_widget_class_bind_template_child (widget_class, MsWizardTestPage, details_row);
  gtk_widget_class_bind_template_child (widget_class, MsWizardTestPage, transcript_label);
  gtk_widget_class_bind_template_callback (widget_class, on_to_row_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_copy_clicked_cb);
}

static void
ms_wizard_test_page_init (MsWizardTestPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  ms_wizard_page_set_first_field (MS_WIZARD_PAGE (self), GTK_WIDGET (self->to_row));
}

void
ms_wizard_test_page_set_request (MsWizardTestPage *self,
                                 const MsRequest  *request)
{
  g_return_if_fail (MS_IS_WIZARD_TEST_PAGE (self));

  g_clear_pointer (&self->request, ms_request_free);
  g_clear_pointer (&self->result, ms_result_unref);
  self->request = ms_request_copy (request);
  gtk_editable_set_text (GTK_EDITABLE (self->to_row), request->from != NULL ? request->from : "");
  gtk_widget_set_visible (GTK_WIDGET (self->progress_group), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->outcome_group), FALSE);
  ms_wizard_page_set_main_label (MS_WIZARD_PAGE (self), _("Send Test Message"));
  update_valid (self);
}

/* ms_wizard_test_page_get_result:
 * Returns: (transfer none) (nullable): the last test message's result. */
MsResult *
ms_wizard_test_page_get_result (MsWizardTestPage *self)
{
  g_return_val_if_fail (MS_IS_WIZARD_TEST_PAGE (self), NULL);
  return self->result;
}
