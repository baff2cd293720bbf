/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-wizard-test-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-entry-row.h"
#include "ms-wizard-test-page.h"

/*
 * MsWizardTestPage:
 * Step 5: sends the test message, shows progress by step, then the outcome,
 * with the transcript one expander away. The groups, the outcome's words,
 * the main button's label and whether the page may go on follow the "busy",
 * "outcome" and "result" properties through closures in the .ui file.
 */
struct _MsWizardTestPage
{
  MsWizardPage         parent_instance;

  MsEntryRow          *to_row;
  GtkListBox          *steps_list;
  AdwActionRow        *outcome_row;

  MsRequest           *request;
  /* What the wizard goes on with: cleared when the recipient changes after
   * a success, so that the new address gets its own test. */
  MsResult            *result;
  /* What the outcome group shows: it stays when the recipient is edited,
   * so the user still sees what happened to the last test. */
  MsResult            *outcome;
  char                *sent_to;
  gboolean             busy;
};

G_DEFINE_FINAL_TYPE (MsWizardTestPage, ms_wizard_test_page, MS_TYPE_WIZARD_PAGE)

enum {
  PROP_0,
  PROP_BUSY,
  PROP_OUTCOME,
  PROP_RESULT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *
recipient (MsWizardTestPage *self)
{
  return gtk_editable_get_text (GTK_EDITABLE (self->to_row));
}

/* The page's own "valid" and "main-label" follow "busy", "result" and the
 * recipient from here: GTK 4.8 cannot bind a template's property to an
 * expression on the template itself (the watch's weak references collide
 * when the page is finalized). */
static void
update_main_button (MsWizardTestPage *self)
{
  gboolean passed = self->result != NULL && ms_result_is_ok (self->result);

  ms_wizard_page_set_valid (MS_WIZARD_PAGE (self),
                            !self->busy && ms_gui_validate_address (recipient (self)));
  ms_wizard_page_set_main_label (MS_WIZARD_PAGE (self),
                                 passed ? _("Continue") : _("Send Test Message"));
}

/* ---- what the page shows (closures in the .ui) ---- */

static gboolean
shows_progress (MsWizardTestPage *self,
                gboolean          busy,
                MsResult         *outcome)
{
  return busy || outcome != NULL;
}

static gboolean
has_outcome (MsWizardTestPage *self,
             MsResult         *outcome)
{
  return outcome != NULL;
}

static char *
outcome_title (MsWizardTestPage *self,
               MsResult         *outcome)
{
  g_autofree char *seconds = NULL;

  if (outcome == NULL)
    return g_strdup ("");
  if (outcome->error != NULL)
    return g_strdup (outcome->error->message != NULL ? outcome->error->message : "");
  seconds = g_strdup_printf ("%.1f", outcome->total_ms / 1000.0);
  /* Translators: the first %s is an address, the second a number of seconds */
  return g_strdup_printf (_("Sent. Look for “Mail Setup test message” in the inbox of %s. It took %s s."),
                          self->sent_to, seconds);
}

static char *
outcome_advice (MsWizardTestPage *self,
                MsResult         *outcome)
{
  if (outcome == NULL || outcome->error == NULL || outcome->error->advice == NULL)
    return g_strdup ("");
  return g_strdup (outcome->error->advice);
}

static char *
transcript (MsWizardTestPage *self,
            MsResult         *outcome)
{
  return outcome != NULL ? ms_format_transcript (outcome) : g_strdup ("");
}

static gboolean
has_transcript (MsWizardTestPage *self,
                MsResult         *outcome)
{
  g_autofree char *text = transcript (self, outcome);

  return text[0] != '\0';
}

/* ---- state ---- */

static void
set_busy (MsWizardTestPage *self,
          gboolean          busy)
{
  if (self->busy == busy)
    return;
  self->busy = busy;
  update_main_button (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
set_result (MsWizardTestPage *self,
            MsResult         *result)
{
  if (self->result == result)
    return;
  g_clear_pointer (&self->result, ms_result_unref);
  self->result = result != NULL ? ms_result_ref (result) : NULL;
  update_main_button (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESULT]);
}

static void
set_outcome (MsWizardTestPage *self,
             MsResult         *outcome)
{
  if (self->outcome == outcome)
    return;
  g_clear_pointer (&self->outcome, ms_result_unref);
  self->outcome = outcome != NULL ? ms_result_ref (outcome) : NULL;
  /* The row's icon is a prefix widget, not a property to bind. */
  if (outcome != NULL)
    ms_status_row_set_state (self->outcome_row,
                             outcome->error == NULL ? MS_ROW_STATE_OK : MS_ROW_STATE_ERROR);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OUTCOME]);
}

static void
forget (MsWizardTestPage *self)
{
  g_clear_pointer (&self->request, ms_request_free);
  set_busy (self, FALSE);
  set_result (self, NULL);
  set_outcome (self, NULL);
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

  ms_fill_step_rows (self->steps_list, result);
  set_result (self, result);
  set_outcome (self, result);
  set_busy (self, FALSE);
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
  g_free (self->sent_to);
  self->sent_to = g_strdup (recipient (self));

  set_result (self, NULL);
  set_outcome (self, NULL);
  set_busy (self, TRUE);
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
  set_busy (self, FALSE);
}

static void
on_to_row_changed_cb (MsWizardTestPage *self)
{
  if (self->result != NULL && ms_result_is_ok (self->result))
    set_result (self, NULL);
  update_main_button (self);
}

static void
on_entry_activated_cb (MsWizardTestPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "wizard.next", NULL);
}

static void
on_copy_clicked_cb (MsWizardTestPage *self)
{
  /* The outcome shown, even when the recipient changed since. */
  if (self->outcome != NULL)
    {
      g_autofree char *report = ms_result_text_report (self->outcome);

      ms_copy_to_clipboard (GTK_WIDGET (self), report);
    }
}

/* Nothing, least of all the password, stays once the wizard starts again. */
static void
ms_wizard_test_page_clear (MsWizardPage *page)
{
  forget (MS_WIZARD_TEST_PAGE (page));
}

static void
ms_wizard_test_page_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  MsWizardTestPage *self = MS_WIZARD_TEST_PAGE (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    case PROP_OUTCOME:
      g_value_set_boxed (value, self->outcome);
      break;
    case PROP_RESULT:
      g_value_set_boxed (value, self->result);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_wizard_test_page_finalize (GObject *object)
{
  MsWizardTestPage *self = MS_WIZARD_TEST_PAGE (object);

  g_clear_pointer (&self->request, ms_request_free);
  g_clear_pointer (&self->result, ms_result_unref);
  g_clear_pointer (&self->outcome, ms_result_unref);
  g_clear_pointer (&self->sent_to, g_free);

  G_OBJECT_CLASS (ms_wizard_test_page_parent_class)->finalize (object);
}

static void
ms_wizard_test_page_class_init (MsWizardTestPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  MsWizardPageClass *page_class = MS_WIZARD_PAGE_CLASS (klass);

  object_class->finalize = ms_wizard_test_page_finalize;
  object_class->get_property = ms_wizard_test_page_get_property;
  page_class->clear = ms_wizard_test_page_clear;
  page_class->activate = ms_wizard_test_page_activate;
  page_class->leave = ms_wizard_test_page_leave;

  /* A test message is on its way. */
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* The last finished test, as shown; NULL before one and while one runs. */
  properties[PROP_OUTCOME] =
    g_param_spec_boxed ("outcome", NULL, NULL, MS_TYPE_RESULT,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* The test the wizard goes on with; NULL once the recipient changed after a success. */
  properties[PROP_RESULT] =
    g_param_spec_boxed ("result", NULL, NULL, MS_TYPE_RESULT,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (MS_TYPE_ENTRY_ROW);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ms-wizard-test-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MsWizardTestPage, to_row);
  gtk_widget_class_bind_template_child (widget_class, MsWizardTestPage, steps_list);
  gtk_widget_class_bind_template_child (widget_class, MsWizardTestPage, outcome_row);
  gtk_widget_class_bind_template_callback (widget_class, shows_progress);
  gtk_widget_class_bind_template_callback (widget_class, has_outcome);
  gtk_widget_class_bind_template_callback (widget_class, outcome_title);
  gtk_widget_class_bind_template_callback (widget_class, outcome_advice);
  gtk_widget_class_bind_template_callback (widget_class, transcript);
  gtk_widget_class_bind_template_callback (widget_class, has_transcript);
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

  forget (self);
  self->request = ms_request_copy (request);
  gtk_editable_set_text (GTK_EDITABLE (self->to_row), request->from != NULL ? request->from : "");
  update_main_button (self);
}

/* ms_wizard_test_page_get_result:
 * Returns: (transfer none) (nullable): the last test message's result. */
MsResult *
ms_wizard_test_page_get_result (MsWizardTestPage *self)
{
  g_return_val_if_fail (MS_IS_WIZARD_TEST_PAGE (self), NULL);
  return self->result;
}
