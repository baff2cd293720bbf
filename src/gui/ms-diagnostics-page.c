/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-diagnostics-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-diagnose.h"
#include "ms-diagnostics-page.h"
#include "ms-header-title.h"

/*
 * MsDiagnosticsPage:
 * "Run Checks" runs the core's diagnose operation for one account and shows
 * its checks, one row each (icon, title, one line of detail); the report and
 * the transcript are one click away. When a result has no checks (an older
 * core), its steps are shown instead and a note says so. The report group
 * follows the "result" property through closures in the .ui file.
 */
struct _MsDiagnosticsPage
{
  AdwBin               parent_instance;

  GtkListBox          *checks_list;

  MsAccount           *account;
  MsResult            *result;
  GCancellable        *cancellable;
};

G_DEFINE_FINAL_TYPE (MsDiagnosticsPage, ms_diagnostics_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_ACCOUNT,
  PROP_RESULT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- the report group (closures in the .ui) ---- */

static gboolean
has_result (MsDiagnosticsPage *self,
            MsResult          *result)
{
  return result != NULL;
}

static gboolean
lacks_checks (MsDiagnosticsPage *self,
              MsResult          *result)
{
  return result != NULL && (result->checks == NULL || result->checks->len == 0);
}

static gboolean
has_transcript (MsDiagnosticsPage *self,
                MsResult          *result)
{
  return result != NULL && result->transcript != NULL && result->transcript->len > 0;
}

static char *
transcript_text (MsDiagnosticsPage *self,
                 MsResult          *result)
{
  return result != NULL ? ms_format_transcript (result) : NULL;
}

static void
set_result (MsDiagnosticsPage *self,
            MsResult          *result)
{
  if (self->result == result)
    return;
  g_clear_pointer (&self->result, ms_result_unref);
  self->result = result != NULL ? ms_result_ref (result) : NULL;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "diagnostics.copy-report", result != NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESULT]);
}

static MsRowState
check_state (const MsCheck *check)
{
  if (check->ok && check->severity == MS_CHECK_INFO)
    return MS_ROW_STATE_OK;
  if (check->severity == MS_CHECK_ERROR)
    return MS_ROW_STATE_ERROR;
  return MS_ROW_STATE_WARNING;
}

static void
fill_checks (MsDiagnosticsPage *self)
{
  ms_list_box_remove_all (self->checks_list);
  for (guint i = 0; i < self->result->checks->len; i++)
    {
      const MsCheck *check = g_ptr_array_index (self->result->checks, i);

      gtk_list_box_append (self->checks_list,
                           ms_status_row_new (check_state (check),
                                              check->title != NULL ? check->title : check->check,
                                              check->message));
    }
}

static void
show_result (MsDiagnosticsPage *self)
{
  gboolean has_checks = !lacks_checks (self, self->result);

  if (has_checks)
    fill_checks (self);
  else
    ms_fill_step_rows (self->checks_list, self->result);
  if (!has_checks && self->result->error != NULL && self->result->error->advice != NULL)
    gtk_list_box_append (self->checks_list,
                         ms_status_row_new (MS_ROW_STATE_NONE, self->result->error->advice, NULL));
}

static void
on_diagnose_done_cb (GObject      *source,
                     GAsyncResult *async_result,
                     gpointer      user_data)
{
  g_autoptr(MsDiagnosticsPage) self = user_data;
  g_autoptr(MsResult) result = ms_gui_diagnose_finish (async_result);

  if (result->error != NULL && result->error->code == MS_ERROR_CANCELLED)
    return;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "diagnostics.run", TRUE);
  set_result (self, result);
  show_result (self);
}

static void
run_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  ms_diagnostics_page_run (MS_DIAGNOSTICS_PAGE (widget));
}

static void
copy_report_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  MsDiagnosticsPage *self = MS_DIAGNOSTICS_PAGE (widget);
  g_autofree char *report = NULL;

  if (self->result == NULL)
    return;
  /* The same report as `mailsetup-cli diagnose -v`. */
  report = ms_result_text_report (self->result);
  ms_copy_to_clipboard (widget, report);
}

static void
ms_diagnostics_page_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  MsDiagnosticsPage *self = MS_DIAGNOSTICS_PAGE (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      g_value_set_object (value, self->account);
      break;
    case PROP_RESULT:
      g_value_set_boxed (value, self->result);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_diagnostics_page_dispose (GObject *object)
{
  MsDiagnosticsPage *self = MS_DIAGNOSTICS_PAGE (object);

  ms_diagnostics_page_cancel (self);

  G_OBJECT_CLASS (ms_diagnostics_page_parent_class)->dispose (object);
}

static void
ms_diagnostics_page_finalize (GObject *object)
{
  MsDiagnosticsPage *self = MS_DIAGNOSTICS_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->account);
  g_clear_pointer (&self->result, ms_result_unref);

  G_OBJECT_CLASS (ms_diagnostics_page_parent_class)->finalize (object);
}

static void
ms_diagnostics_page_class_init (MsDiagnosticsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ms_diagnostics_page_dispose;
  object_class->finalize = ms_diagnostics_page_finalize;
  object_class->get_property = ms_diagnostics_page_get_property;

  /* The account checked; its address is the page's subtitle (in the .ui). */
  properties[PROP_ACCOUNT] =
    g_param_spec_object ("account", NULL, NULL, MS_TYPE_ACCOUNT,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* The last run's result; NULL before the first and while one runs. */
  properties[PROP_RESULT] =
    g_param_spec_boxed ("result", NULL, NULL, MS_TYPE_RESULT,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (MS_TYPE_ACCOUNT);
  g_type_ensure (MS_TYPE_HEADER_TITLE);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ms-diagnostics-page.ui");
  gtk_widget_class_bind_template_child (widget_class, MsDiagnosticsPage, checks_list);
  gtk_widget_class_bind_template_callback (widget_class, has_result);
  gtk_widget_class_bind_template_callback (widget_class, lacks_checks);
  gtk_widget_class_bind_template_callback (widget_class, has_transcript);
  gtk_widget_class_bind_template_callback (widget_class, transcript_text);

  gtk_widget_class_install_action (widget_class, "diagnostics.run", NULL, run_action);
  gtk_widget_class_install_action (widget_class, "diagnostics.copy-report", NULL, copy_report_action);
}

static void
ms_diagnostics_page_init (MsDiagnosticsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "diagnostics.copy-report", FALSE);
}

void
ms_diagnostics_page_set_account (MsDiagnosticsPage *self,
                                 MsAccount         *account)
{
  g_return_if_fail (MS_IS_DIAGNOSTICS_PAGE (self));
  g_return_if_fail (MS_IS_ACCOUNT (account));

  ms_diagnostics_page_cancel (self);
  g_set_object (&self->account, account);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCOUNT]);
  set_result (self, NULL);
  ms_list_box_remove_all (self->checks_list);
}

void
ms_diagnostics_page_run (MsDiagnosticsPage *self)
{
  g_return_if_fail (MS_IS_DIAGNOSTICS_PAGE (self));

  if (self->account == NULL)
    return;
  ms_diagnostics_page_cancel (self);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  ms_list_box_remove_all (self->checks_list);
  gtk_list_box_append (self->checks_list,
                       ms_status_row_new (MS_ROW_STATE_BUSY, _("Running checks…"), NULL));
  set_result (self, NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "diagnostics.run", FALSE);
  ms_gui_diagnose_async (self->account, self->cancellable, on_diagnose_done_cb,
                         g_object_ref (self));
}

void
ms_diagnostics_page_cancel (MsDiagnosticsPage *self)
{
  g_return_if_fail (MS_IS_DIAGNOSTICS_PAGE (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "diagnostics.run", TRUE);
}

/* ms_diagnostics_page_get_result:
 * Returns: (transfer none) (nullable): the last run's result. */
MsResult *
ms_diagnostics_page_get_result (MsDiagnosticsPage *self)
{
  g_return_val_if_fail (MS_IS_DIAGNOSTICS_PAGE (self), NULL);
  return self->result;
}
