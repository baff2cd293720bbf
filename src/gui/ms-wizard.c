/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-wizard"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-wizard.h"
#include "ms-wizard-address-page.h"
#include "ms-wizard-done-page.h"
#include "ms-wizard-password-page.h"
#include "ms-wizard-server-page.h"
#include "ms-wizard-sign-in-page.h"
#include "ms-wizard-test-page.h"

#define N_STEPS 6

/*
 * MsWizard:
 * The first-run wizard: six pages in a GtkStack under one header bar with
 * Back, the page's title and step, and the page's main button. The wizard
 * carries what one page found to the next; each page does its own work.
 * A page is built the first time the wizard goes to it, so that start-up
 * only pays for the first one.
 */
struct _MsWizard
{
  AdwBin                parent_instance;

  GtkButton            *back_button;
  AdwWindowTitle       *window_title;
  GtkButton            *main_button;
  GtkStack             *stack;
  MsWizardPage         *pages[N_STEPS];   /* NULL until first shown */
  guint                 step;
  gboolean              can_cancel;
  char                 *server_address;   /* the address the server page was filled for */
  MsRequest            *request;
};

G_DEFINE_FINAL_TYPE (MsWizard, ms_wizard, ADW_TYPE_BIN)

enum {
  FINISHED,
  CANCELLED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static MsWizardPage *ensure_page (MsWizard *self,
                                  guint     step);

static void
update_header (MsWizard *self)
{
  MsWizardPage *page = self->pages[self->step];
  g_autofree char *subtitle = NULL;

  /* Translators: shown under the page title, "Step 2 of 6" */
  subtitle = g_strdup_printf (_("Step %u of %u"), self->step + 1, N_STEPS);
  adw_window_title_set_title (self->window_title, ms_wizard_page_get_title (page));
  adw_window_title_set_subtitle (self->window_title, subtitle);
  gtk_button_set_label (self->main_button, ms_wizard_page_get_main_label (page));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "wizard.next",
                                 ms_wizard_page_get_valid (page));
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), self->step > 0 || self->can_cancel);
}

static void
on_page_changed_cb (MsWizard     *self,
                    GParamSpec   *pspec,
                    MsWizardPage *page)
{
  if (page == self->pages[self->step])
    update_header (self);
}

static const MsGuiDetection *
detection (MsWizard *self)
{
  return ms_wizard_address_page_get_detection (MS_WIZARD_ADDRESS_PAGE (ensure_page (self, 0)));
}

static const char *
address (MsWizard *self)
{
  return ms_wizard_address_page_get_address (MS_WIZARD_ADDRESS_PAGE (ensure_page (self, 0)));
}

static void
prepare_server_page (MsWizard *self)
{
  /* Keep the person's edits when they only went back to look. */
  if (g_strcmp0 (self->server_address, address (self)) == 0)
    return;
  g_free (self->server_address);
  self->server_address = g_strdup (address (self));
  ms_wizard_server_page_set_defaults (MS_WIZARD_SERVER_PAGE (ensure_page (self, 2)),
                                      address (self), detection (self));
}

static void
prepare_request (MsWizard *self)
{
  MsWizardServerPage *server_page = MS_WIZARD_SERVER_PAGE (ensure_page (self, 2));
  MsWizardPasswordPage *password_page = MS_WIZARD_PASSWORD_PAGE (ensure_page (self, 1));
  g_autoptr(MsSmtpConfig) config = ms_wizard_server_page_dup_config (server_page);
  g_autoptr(MsPassword) password = ms_wizard_password_page_dup_password (password_page);
  const MsGuiDetection *found = detection (self);

  g_clear_pointer (&self->request, ms_request_free);
  self->request = ms_request_new (config);
  self->request->password = g_steal_pointer (&password);
  self->request->from = g_strdup (address (self));
  self->request->provider = g_strdup (found != NULL ? found->provider_id : NULL);
  self->request->program = g_strdup (PACKAGE_NAME);
  ms_wizard_sign_in_page_set_request (MS_WIZARD_SIGN_IN_PAGE (ensure_page (self, 3)),
                                      self->request);
}

static void
prepare_done_page (MsWizard *self)
{
  const MsGuiDetection *found = detection (self);
  g_autoptr(MsAccount) account = ms_gui_new_account (address (self),
                                                     found != NULL ? found->provider_id : NULL,
                                                     self->request->config);

  ms_wizard_done_page_set_account (MS_WIZARD_DONE_PAGE (ensure_page (self, 5)), account,
                                   self->request->password,
                                   found != NULL && found->needs_app_password);
}

static void
prepare_page (MsWizard *self,
              guint     step)
{
  switch (step)
    {
    case 1:
      ms_wizard_password_page_set_detection (MS_WIZARD_PASSWORD_PAGE (ensure_page (self, 1)),
                                             detection (self));
      break;
    case 2:
      prepare_server_page (self);
      break;
    case 3:
      prepare_request (self);
      break;
    case 4:
      ms_wizard_test_page_set_request (MS_WIZARD_TEST_PAGE (ensure_page (self, 4)), self->request);
      break;
    case 5:
      prepare_done_page (self);
      break;
    default:
      break;
    }
}

static void
go_to_step (MsWizard *self,
            guint     step,
            gboolean  forward)
{
  g_assert (step < N_STEPS);

  ms_wizard_page_leave (self->pages[self->step]);
  ensure_page (self, step);
  if (forward)
    prepare_page (self, step);
  self->step = step;
  gtk_stack_set_visible_child (self->stack, GTK_WIDGET (self->pages[step]));
  update_header (self);
  ms_wizard_page_enter (self->pages[step]);
}

static void
on_page_finished_cb (MsWizard     *self,
                     MsWizardPage *page)
{
  if (page == self->pages[self->step] && self->step + 1 < N_STEPS)
    go_to_step (self, self->step + 1, TRUE);
}

static void
next_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  MsWizard *self = MS_WIZARD (widget);
  MsWizardPage *page = self->pages[self->step];

  if (!ms_wizard_page_get_valid (page) || ms_wizard_page_activate (page))
    return;
  if (self->step + 1 < N_STEPS)
    go_to_step (self, self->step + 1, TRUE);
  else
    g_signal_emit (self, signals[FINISHED], 0,
                   ms_wizard_done_page_get_account_id (MS_WIZARD_DONE_PAGE (page)));
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  MsWizard *self = MS_WIZARD (widget);

  if (self->step == 0)
    {
      ms_wizard_page_leave (self->pages[0]);
      if (self->can_cancel)
        g_signal_emit (self, signals[CANCELLED], 0);
      return;
    }
  /* Going back from "Sign in" or "Test" also leaves what they were doing. */
  go_to_step (self, self->step - 1, FALSE);
}

static void
open_uri_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  ms_open_uri (widget, g_variant_get_string (parameter, NULL));
}

static void
ms_wizard_dispose (GObject *object)
{
  MsWizard *self = MS_WIZARD (object);

  for (guint i = 0; i < N_STEPS; i++)
    if (self->pages[i] != NULL)
      ms_wizard_page_cancel (self->pages[i]);

  G_OBJECT_CLASS (ms_wizard_parent_class)->dispose (object);
}

static void
ms_wizard_finalize (GObject *object)
{
  MsWizard *self = MS_WIZARD (object);

  g_free (self->server_address);
  g_clear_pointer (&self->request, ms_request_free);

  G_OBJECT_CLASS (ms_wizard_parent_class)->finalize (object);
}

static void
ms_wizard_class_init (MsWizardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ms_wizard_dispose;
  object_class->finalize = ms_wizard_finalize;

  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[CANCELLED] = g_signal_new ("cancelled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ms-wizard.ui");
  gtk_widget_class_bind_template_child (widget_class, MsWizard, back_button);
  gtk_widget_class_bind_template_child (widget_class, MsWizard, window_title);
  gtk_widget_class_bind_template_child (widget_class, MsWizard, main_button);
  gtk_widget_class_bind_template_child (widget_class, MsWizard, stack);

  gtk_widget_class_install_action (widget_class, "wizard.next", NULL, next_action);
  gtk_widget_class_install_action (widget_class, "wizard.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "wizard.open-uri", "s", open_uri_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "wizard.back", NULL);
}

static GType
page_type (guint step)
{
  switch (step)
    {
    case 0:
      return MS_TYPE_WIZARD_ADDRESS_PAGE;
    case 1:
      return MS_TYPE_WIZARD_PASSWORD_PAGE;
    case 2:
      return MS_TYPE_WIZARD_SERVER_PAGE;
    case 3:
      return MS_TYPE_WIZARD_SIGN_IN_PAGE;
    case 4:
      return MS_TYPE_WIZARD_TEST_PAGE;
    default:
      return MS_TYPE_WIZARD_DONE_PAGE;
    }
}

static void
connect_page (MsWizard     *self,
              MsWizardPage *page)
{
  g_signal_connect_object (page, "notify::valid", G_CALLBACK (on_page_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (page, "notify::title", G_CALLBACK (on_page_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (page, "notify::main-label", G_CALLBACK (on_page_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (page, "finished", G_CALLBACK (on_page_finished_cb), self, G_CONNECT_SWAPPED);
}

/* ensure_page:
 * The page of @step, built and added to the stack the first time it is
 * needed, the pages before it first, so the stack keeps the steps' order
 * (its slide transitions go by that order). A new page starts cleared, as
 * ms_wizard_reset() leaves the pages. */
static MsWizardPage *
ensure_page (MsWizard *self,
             guint     step)
{
  g_assert (step < N_STEPS);

  for (guint i = 0; i <= step; i++)
    {
      if (self->pages[i] != NULL)
        continue;
      self->pages[i] = g_object_new (page_type (i), NULL);
      gtk_stack_add_child (self->stack, GTK_WIDGET (self->pages[i]));
      connect_page (self, self->pages[i]);
      ms_wizard_page_clear (self->pages[i]);
    }
  return self->pages[step];
}

static void
ms_wizard_init (MsWizard *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  ensure_page (self, 0);
  update_header (self);
}

MsWizard *
ms_wizard_new (void)
{
  return g_object_new (MS_TYPE_WIZARD, NULL);
}

/* ms_wizard_reset:
 * Back to an empty first page, cancelling whatever ran, and focus its field. */
void
ms_wizard_reset (MsWizard *self)
{
  g_return_if_fail (MS_IS_WIZARD (self));

  ms_wizard_cancel (self);
  for (guint i = 0; i < N_STEPS; i++)
    if (self->pages[i] != NULL)
      ms_wizard_page_clear (self->pages[i]);
  g_clear_pointer (&self->server_address, g_free);
  g_clear_pointer (&self->request, ms_request_free);
  self->step = 0;
  gtk_stack_set_visible_child (self->stack, GTK_WIDGET (self->pages[0]));
  update_header (self);
  ms_wizard_page_enter (self->pages[0]);
}

/* ms_wizard_cancel:
 * Stops whatever any page is doing (the window is closing). */
void
ms_wizard_cancel (MsWizard *self)
{
  g_return_if_fail (MS_IS_WIZARD (self));

  for (guint i = 0; i < N_STEPS; i++)
    if (self->pages[i] != NULL)
      ms_wizard_page_leave (self->pages[i]);
}

void
ms_wizard_set_can_cancel (MsWizard *self,
                          gboolean  can_cancel)
{
  g_return_if_fail (MS_IS_WIZARD (self));

  self->can_cancel = !!can_cancel;
  update_header (self);
}

guint
ms_wizard_get_step (MsWizard *self)
{
  g_return_val_if_fail (MS_IS_WIZARD (self), 0);
  return self->step;
}

/* ms_wizard_get_page:
 * For tests; pages are built when the wizard first goes to them.
 * Returns: (transfer none) (nullable): the page of @step (0 to 5), or NULL
 * when the wizard has not been to it yet. */
GtkWidget *
ms_wizard_get_page (MsWizard *self,
                    guint     step)
{
  g_return_val_if_fail (MS_IS_WIZARD (self), NULL);
  g_return_val_if_fail (step < N_STEPS, NULL);
  return GTK_WIDGET (self->pages[step]);
}
