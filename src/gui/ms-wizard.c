/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-wizard"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-gui-enums.h"
#include "ms-header-title.h"
#include "ms-wizard.h"
#include "ms-wizard-address-page.h"
#include "ms-wizard-done-page.h"
#include "ms-wizard-password-page.h"
#include "ms-wizard-server-page.h"
#include "ms-wizard-sign-in-page.h"
#include "ms-wizard-test-page.h"

/*
 * MsWizard:
 * The first-run wizard: six pages (MsWizardStep) in a GtkStack, each named
 * by its step's nick, under one header bar with Back, the page's title and
 * step, and the page's main button; the header follows the "page", "step"
 * and "can-go-back" properties through bindings in ms-wizard.ui. The wizard
 * carries what one page found to the next; each page does its own work.
 * A page is built the first time the wizard goes to it, so that start-up
 * only pays for the first one.
 */
struct _MsWizard
{
  AdwBin                parent_instance;

  GtkStack             *stack;
  MsWizardPage         *pages[MS_WIZARD_N_STEPS];   /* NULL until first shown */
  MsWizardStep          step;
  gboolean              can_cancel;
  char                 *server_address;   /* the address the server page was filled for */
  char                 *server_online;    /* and the online account it was filled from */
  MsRequest            *request;
};

G_DEFINE_FINAL_TYPE (MsWizard, ms_wizard, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_STEP,
  PROP_PAGE,
  PROP_CAN_GO_BACK,
  PROP_SKIPS_PASSWORD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  FINISHED,
  CANCELLED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static MsWizardPage *ensure_page (MsWizard     *self,
                                  MsWizardStep  step);
static const MsOnlineAccount *online_account (MsWizard *self);

/* Signing in through GNOME Online Accounts skips the password page. */
static gboolean
skips_password (MsWizard *self)
{
  return online_account (self) != NULL;
}

/* The header's subtitle (a closure in ms-wizard.ui). */
static char *
describe_step (MsWizard     *self,
               MsWizardStep  step,
               gboolean      skips)
{
  guint number = (guint) step + 1;
  guint total = MS_WIZARD_N_STEPS;

  if (skips)
    {
      total--;
      if (step > MS_WIZARD_STEP_PASSWORD)
        number--;
    }
  /* Translators: shown under the page title, "Step 2 of 6" */
  return g_strdup_printf (_("Step %u of %u"), number, total);
}

/* Continue is the page's to allow. */
static void
update_next (MsWizard *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "wizard.next",
                                 ms_wizard_page_get_valid (self->pages[self->step]));
}

static void
on_page_valid_cb (MsWizard     *self,
                  GParamSpec   *pspec,
                  MsWizardPage *page)
{
  if (page == self->pages[self->step])
    update_next (self);
}

static void
set_step (MsWizard     *self,
          MsWizardStep  step)
{
  gboolean could_go_back = self->step > 0 || self->can_cancel;

  self->step = step;
  gtk_stack_set_visible_child (self->stack, GTK_WIDGET (self->pages[step]));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STEP]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAGE]);
  if (could_go_back != (self->step > 0 || self->can_cancel))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_GO_BACK]);
  update_next (self);
}

static const MsDetection *
detection (MsWizard *self)
{
  return ms_wizard_address_page_get_detection (MS_WIZARD_ADDRESS_PAGE (ensure_page (self, MS_WIZARD_STEP_ADDRESS)));
}

static const char *
address (MsWizard *self)
{
  return ms_wizard_address_page_get_address (MS_WIZARD_ADDRESS_PAGE (ensure_page (self, MS_WIZARD_STEP_ADDRESS)));
}

/* Returns: (nullable): the account from Online Accounts the person chose */
static const MsOnlineAccount *
online_account (MsWizard *self)
{
  /* The header's step closure runs while the template is built, before
   * any page is. */
  if (self->pages[MS_WIZARD_STEP_ADDRESS] == NULL)
    return NULL;
  return ms_wizard_address_page_get_online_account (MS_WIZARD_ADDRESS_PAGE (self->pages[MS_WIZARD_STEP_ADDRESS]));
}

static void
prepare_server_page (MsWizard *self)
{
  const MsOnlineAccount *online = online_account (self);

  /* Keep the person's edits when they only went back to look. */
  if (g_strcmp0 (self->server_address, address (self)) == 0
      && g_strcmp0 (self->server_online, online != NULL ? online->id : NULL) == 0)
    return;
  g_free (self->server_address);
  self->server_address = g_strdup (address (self));
  g_free (self->server_online);
  self->server_online = online != NULL ? g_strdup (online->id) : NULL;
  if (online != NULL)
    {
      g_autoptr(MsSmtpConfig) config = ms_gui_online_account_config (address (self), online);
      const char *label = ms_gui_online_words ()->server_label;

      ms_wizard_server_page_set_online_defaults (MS_WIZARD_SERVER_PAGE (ensure_page (self, MS_WIZARD_STEP_SERVER)),
                                                 config,
                                                 label != NULL ? ms_provider_get_text (label) : NULL);
      return;
    }
  ms_wizard_server_page_set_defaults (MS_WIZARD_SERVER_PAGE (ensure_page (self, MS_WIZARD_STEP_SERVER)),
                                      address (self), detection (self));
}

static void
prepare_request (MsWizard *self)
{
  MsWizardServerPage *server_page =
    MS_WIZARD_SERVER_PAGE (ensure_page (self, MS_WIZARD_STEP_SERVER));
  MsWizardPasswordPage *password_page =
    MS_WIZARD_PASSWORD_PAGE (ensure_page (self, MS_WIZARD_STEP_PASSWORD));
  g_autoptr(MsSmtpConfig) config = ms_wizard_server_page_dup_config (server_page);
  const MsOnlineAccount *online = online_account (self);
  g_autoptr(MsPassword) password = NULL;
  const MsDetection *found = detection (self);

  /* An online account asks Online Accounts for a token: no password. */
  if (online == NULL)
    password = ms_wizard_password_page_dup_password (password_page);
  g_clear_pointer (&self->request, ms_request_free);
  self->request = ms_request_new (config);
  self->request->password = g_steal_pointer (&password);
  if (online != NULL)
    {
      self->request->online_account = g_strdup (online->id);
      self->request->auth = MS_AUTH_OAUTH2;
    }
  self->request->from = g_strdup (address (self));
  self->request->provider = g_strdup (ms_gui_detection_provider_id (found));
  self->request->program = g_strdup (PACKAGE_NAME);
  ms_wizard_sign_in_page_set_request (MS_WIZARD_SIGN_IN_PAGE (ensure_page (self, MS_WIZARD_STEP_SIGN_IN)),
                                      self->request);
}

/* The test message's result, else the sign-in's. */
static MsResult *
last_check (MsWizard *self)
{
  MsResult *result = NULL;

  if (self->pages[MS_WIZARD_STEP_TEST] != NULL)
    result = ms_wizard_test_page_get_result (MS_WIZARD_TEST_PAGE (self->pages[MS_WIZARD_STEP_TEST]));
  if (result == NULL && self->pages[MS_WIZARD_STEP_SIGN_IN] != NULL)
    result = ms_wizard_sign_in_page_get_result (
      MS_WIZARD_SIGN_IN_PAGE (self->pages[MS_WIZARD_STEP_SIGN_IN]));
  return result;
}

static void
prepare_done_page (MsWizard *self)
{
  const MsDetection *found = detection (self);
  const MsOnlineAccount *online = online_account (self);
  g_autoptr(MsAccount) account = NULL;

  /* The same account `account add --online-account` stores. */
  if (online != NULL)
    account = ms_gui_new_online_account (address (self), ms_gui_detection_provider_id (found),
                                         online, self->request->config);
  if (account == NULL)
    account = ms_gui_new_account (address (self), ms_gui_detection_provider_id (found),
                                  self->request->config);

  ms_wizard_done_page_set_account (MS_WIZARD_DONE_PAGE (ensure_page (self, MS_WIZARD_STEP_DONE)),
                                   account,
                                   self->request->password,
                                   ms_gui_detection_has_secret_kind (found, MS_SECRET_APP_PASSWORD));
  if (online != NULL && ms_account_get_online_account (account) != NULL)
    {
      g_autoptr(MsAccount) shown = ms_gui_show_online_account (account, online);

      ms_wizard_done_page_set_shown (MS_WIZARD_DONE_PAGE (ensure_page (self, MS_WIZARD_STEP_DONE)),
                                     shown);
    }
  ms_wizard_done_page_set_check (MS_WIZARD_DONE_PAGE (ensure_page (self, MS_WIZARD_STEP_DONE)),
                                 last_check (self));
}

static void
prepare_page (MsWizard     *self,
              MsWizardStep  step)
{
  switch (step)
    {
    case MS_WIZARD_STEP_PASSWORD:
      ms_wizard_password_page_set_detection (MS_WIZARD_PASSWORD_PAGE (ensure_page (self, step)),
                                             address (self), detection (self));
      break;
    case MS_WIZARD_STEP_SERVER:
      prepare_server_page (self);
      break;
    case MS_WIZARD_STEP_SIGN_IN:
      prepare_request (self);
      break;
    case MS_WIZARD_STEP_TEST:
      ms_wizard_test_page_set_request (MS_WIZARD_TEST_PAGE (ensure_page (self, step)),
                                       self->request);
      break;
    case MS_WIZARD_STEP_DONE:
      prepare_done_page (self);
      break;
    case MS_WIZARD_STEP_ADDRESS:
    default:
      break;
    }
}

static void
go_to_step (MsWizard     *self,
            MsWizardStep  step,
            gboolean      forward)
{
  g_assert (step < MS_WIZARD_N_STEPS);

  ms_wizard_page_leave (self->pages[self->step]);
  ensure_page (self, step);
  if (forward)
    prepare_page (self, step);
  set_step (self, step);
  ms_wizard_page_enter (self->pages[step]);
}

static void
on_page_finished_cb (MsWizard     *self,
                     MsWizardPage *page)
{
  if (page == self->pages[self->step] && self->step != MS_WIZARD_STEP_DONE)
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
  if (self->step == MS_WIZARD_STEP_ADDRESS && skips_password (self))
    go_to_step (self, MS_WIZARD_STEP_SERVER, TRUE);
  else if (self->step != MS_WIZARD_STEP_DONE)
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

  if (self->step == MS_WIZARD_STEP_ADDRESS)
    {
      ms_wizard_page_leave (self->pages[MS_WIZARD_STEP_ADDRESS]);
      if (self->can_cancel)
        g_signal_emit (self, signals[CANCELLED], 0);
      return;
    }
  /* Going back from "Sign in" or "Test" also leaves what they were doing. */
  if (self->step == MS_WIZARD_STEP_SERVER && skips_password (self))
    go_to_step (self, MS_WIZARD_STEP_ADDRESS, FALSE);
  else
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

  for (guint i = 0; i < MS_WIZARD_N_STEPS; i++)
    if (self->pages[i] != NULL)
      ms_wizard_page_cancel (self->pages[i]);

  G_OBJECT_CLASS (ms_wizard_parent_class)->dispose (object);
}

static void
ms_wizard_finalize (GObject *object)
{
  MsWizard *self = MS_WIZARD (object);

  g_free (self->server_address);
  g_free (self->server_online);
  g_clear_pointer (&self->request, ms_request_free);

  G_OBJECT_CLASS (ms_wizard_parent_class)->finalize (object);
}

static void
ms_wizard_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  MsWizard *self = MS_WIZARD (object);

  switch (prop_id)
    {
    case PROP_STEP:
      g_value_set_enum (value, self->step);
      break;
    case PROP_PAGE:
      g_value_set_object (value, self->pages[self->step]);
      break;
    case PROP_CAN_GO_BACK:
      g_value_set_boolean (value, self->step > 0 || self->can_cancel);
      break;
    case PROP_SKIPS_PASSWORD:
      g_value_set_boolean (value, skips_password (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_wizard_class_init (MsWizardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ms_wizard_dispose;
  object_class->finalize = ms_wizard_finalize;
  object_class->get_property = ms_wizard_get_property;

  properties[PROP_STEP] =
    g_param_spec_enum ("step", NULL, NULL, MS_TYPE_WIZARD_STEP, MS_WIZARD_STEP_ADDRESS,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PAGE] =
    g_param_spec_object ("page", NULL, NULL, MS_TYPE_WIZARD_PAGE,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* Back is there on every page but the first, and on the first when
   * there are accounts to go back to. */
  properties[PROP_CAN_GO_BACK] =
    g_param_spec_boolean ("can-go-back", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* Signing in through GNOME Online Accounts: no password page, and the
   * header counts one step less. */
  properties[PROP_SKIPS_PASSWORD] =
    g_param_spec_boolean ("skips-password", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[CANCELLED] = g_signal_new ("cancelled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (MS_TYPE_WIZARD_PAGE);
  g_type_ensure (MS_TYPE_HEADER_TITLE);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ms-wizard.ui");
  gtk_widget_class_bind_template_child (widget_class, MsWizard, stack);
  gtk_widget_class_bind_template_callback (widget_class, describe_step);

  gtk_widget_class_install_action (widget_class, "wizard.next", NULL, next_action);
  gtk_widget_class_install_action (widget_class, "wizard.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "wizard.open-uri", "s", open_uri_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "wizard.back", NULL);
}

static GType
page_type (MsWizardStep step)
{
  switch (step)
    {
    case MS_WIZARD_STEP_ADDRESS:
      return MS_TYPE_WIZARD_ADDRESS_PAGE;
    case MS_WIZARD_STEP_PASSWORD:
      return MS_TYPE_WIZARD_PASSWORD_PAGE;
    case MS_WIZARD_STEP_SERVER:
      return MS_TYPE_WIZARD_SERVER_PAGE;
    case MS_WIZARD_STEP_SIGN_IN:
      return MS_TYPE_WIZARD_SIGN_IN_PAGE;
    case MS_WIZARD_STEP_TEST:
      return MS_TYPE_WIZARD_TEST_PAGE;
    case MS_WIZARD_STEP_DONE:
    default:
      return MS_TYPE_WIZARD_DONE_PAGE;
    }
}

static const char *
step_name (MsWizardStep step)
{
  g_autoptr(GEnumClass) steps = g_type_class_ref (MS_TYPE_WIZARD_STEP);

  /* The nicks are static strings; the class stays registered. */
  return g_enum_get_value (steps, step)->value_nick;
}

static void
on_online_chosen_cb (MsWizard *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SKIPS_PASSWORD]);
}

static void
connect_page (MsWizard     *self,
              MsWizardPage *page)
{
  if (MS_IS_WIZARD_ADDRESS_PAGE (page))
    g_signal_connect_object (page, "notify::online-chosen", G_CALLBACK (on_online_chosen_cb),
                             self, G_CONNECT_SWAPPED);
  g_signal_connect_object (page, "notify::valid", G_CALLBACK (on_page_valid_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (page, "finished", G_CALLBACK (on_page_finished_cb), self, G_CONNECT_SWAPPED);
}

/* ensure_page:
 * The page of @step, built and added to the stack the first time it is
 * needed, the pages before it first, so the stack keeps the steps' order
 * (its slide transitions go by that order). A new page starts cleared, as
 * ms_wizard_reset() leaves the pages. */
static MsWizardPage *
ensure_page (MsWizard     *self,
             MsWizardStep  step)
{
  g_assert (step < MS_WIZARD_N_STEPS);

  for (guint i = 0; i <= step; i++)
    {
      if (self->pages[i] != NULL)
        continue;
      self->pages[i] = g_object_new (page_type (i), NULL);
      gtk_stack_add_named (self->stack, GTK_WIDGET (self->pages[i]), step_name (i));
      connect_page (self, self->pages[i]);
      ms_wizard_page_clear (self->pages[i]);
    }
  return self->pages[step];
}

static void
ms_wizard_init (MsWizard *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  ensure_page (self, MS_WIZARD_STEP_ADDRESS);
  set_step (self, MS_WIZARD_STEP_ADDRESS);
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
  for (guint i = 0; i < MS_WIZARD_N_STEPS; i++)
    if (self->pages[i] != NULL)
      ms_wizard_page_clear (self->pages[i]);
  g_clear_pointer (&self->server_address, g_free);
  g_clear_pointer (&self->server_online, g_free);
  g_clear_pointer (&self->request, ms_request_free);
  set_step (self, MS_WIZARD_STEP_ADDRESS);
  ms_wizard_page_enter (self->pages[MS_WIZARD_STEP_ADDRESS]);
}

/* ms_wizard_cancel:
 * Stops whatever any page is doing (the window is closing). */
void
ms_wizard_cancel (MsWizard *self)
{
  g_return_if_fail (MS_IS_WIZARD (self));

  for (guint i = 0; i < MS_WIZARD_N_STEPS; i++)
    if (self->pages[i] != NULL)
      ms_wizard_page_leave (self->pages[i]);
}

void
ms_wizard_set_can_cancel (MsWizard *self,
                          gboolean  can_cancel)
{
  g_return_if_fail (MS_IS_WIZARD (self));

  if (self->can_cancel == !!can_cancel)
    return;
  self->can_cancel = !!can_cancel;
  if (self->step == MS_WIZARD_STEP_ADDRESS)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_GO_BACK]);
}

MsWizardStep
ms_wizard_get_step (MsWizard *self)
{
  g_return_val_if_fail (MS_IS_WIZARD (self), 0);
  return self->step;
}

/* ms_wizard_get_page:
 * For tests; pages are built when the wizard first goes to them.
 * Returns: (transfer none) (nullable): the page of @step, or NULL when the
 * wizard has not been to it yet. */
GtkWidget *
ms_wizard_get_page (MsWizard     *self,
                    MsWizardStep  step)
{
  g_return_val_if_fail (MS_IS_WIZARD (self), NULL);
  g_return_val_if_fail (step < MS_WIZARD_N_STEPS, NULL);
  return GTK_WIDGET (self->pages[step]);
}
