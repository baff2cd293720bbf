/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-accounts-view"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-account-page.h"
#include "ms-accounts-view.h"
#include "ms-diagnostics-page.h"
#include "ms-gui-ops.h"
#include "ms-header-title.h"
#include "ms-last-check.h"
#include "ms-outbox-list.h"

/*
 * MsAccountsView:
 * The main page after the first run: the stored accounts, each opening its
 * account page, and from there the diagnostics page. Those two pages are
 * built the first time they are shown.
 */
struct _MsAccountsView
{
  AdwBin             parent_instance;

  GtkStack          *stack;
  GtkWidget         *list_page;
  GtkListBox        *accounts_list;
  MsOutboxList      *outbox_list;
  MsAccountPage     *account_page;       /* NULL until first shown */
  MsDiagnosticsPage *diagnostics_page;   /* NULL until first shown */

  GHashTable        *last_checks;    /* id → MsResult, from this session */
};

G_DEFINE_FINAL_TYPE (MsAccountsView, ms_accounts_view, ADW_TYPE_BIN)

static char *describe_last_check (MsAccountsView *self,
                                  MsAccount      *account,
                                  const char     *host);

/* The last check, and how many of the account's messages the outbox keeps. */
static char *
describe_account (MsAccountsView *self,
                  MsAccount      *account,
                  const char     *host)
{
  g_autofree char *check = describe_last_check (self, account, host);
  guint kept = ms_outbox_list_count_for (self->outbox_list, ms_account_get_id (account));

  if (kept == 0)
    return g_steal_pointer (&check);
  /* Translators: the account's last check, then how many messages wait in the outbox */
  return g_strdup_printf (ngettext ("%s · %u message in the outbox", "%s · %u messages in the outbox",
                                    kept), check, kept);
}

static char *
describe_last_check (MsAccountsView *self,
                     MsAccount      *account,
                     const char     *host)
{
  MsResult *result = g_hash_table_lookup (self->last_checks, ms_account_get_id (account));
  /* Whoever ran it: the wizard, this window, or mailsetup-cli. */
  g_autoptr(MsLastCheck) last = ms_last_check_lookup (NULL, ms_account_get_id (account));

  if (last != NULL)
    {
      if (last->ok)
        /* Translators: "smtp.gmail.com · last check: all fine" */
        return g_strdup_printf (_("%s · last check: all fine"), host);
      /* Translators: "smtp.gmail.com · last check: " and what failed */
      return g_strdup_printf (_("%s · last check: %s"), host,
                              last->message != NULL ? last->message : last->code);
    }
  if (result == NULL)
    /* Translators: "smtp.gmail.com · not checked yet" */
    return g_strdup_printf (_("%s · not checked yet"), host);
  if (ms_result_is_ok (result))
    return g_strdup_printf (_("%s · last check: all fine"), host);
  return g_strdup_printf (_("%s · last check: %s"), host,
                          result->error != NULL ? result->error->message : "");
}

/* An account of GNOME Online Accounts says so, whether its group names a
 * server or leaves it to GOA (which is asked on the account page and when
 * connecting, not for the list): the same words as the account page's
 * online row and diagnose. */
static const char *
account_host (MsAccount  *account,
              const char *host)
{
  if (ms_account_get_online_account (account) != NULL)
    return _("Online Accounts");
  return host != NULL ? host : "";
}

/* The row's subtitle follows the account's host and this session's check. */
static gboolean
host_to_subtitle (GBinding     *binding,
                  const GValue *from,
                  GValue       *to,
                  gpointer      user_data)
{
  g_autoptr(GObject) account = g_binding_dup_source (binding);

  if (account == NULL)
    return FALSE;
  g_value_take_string (to, describe_account (MS_ACCOUNTS_VIEW (user_data),
                                                MS_ACCOUNT (account),
                                                account_host (MS_ACCOUNT (account),
                                                              g_value_get_string (from))));
  return TRUE;
}

static GtkWidget *
create_account_row (gpointer item,
                    gpointer user_data)
{
  MsAccount *account = item;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *arrow = gtk_image_new_from_icon_name ("go-next-symbolic");

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  g_object_bind_property (account, "address", row, "title", G_BINDING_SYNC_CREATE);
  g_object_bind_property_full (account, "host", row, "subtitle", G_BINDING_SYNC_CREATE,
                               host_to_subtitle, NULL, user_data, NULL);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (arrow), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Open"), -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), arrow);
  g_object_set_data_full (G_OBJECT (row), "ms-account", g_object_ref (account), g_object_unref);
  return row;
}

/* One row per account of the store; binding again brings the last checks
 * up to date. */
static void
fill_rows (MsAccountsView *self)
{
  gtk_list_box_bind_model (self->accounts_list, G_LIST_MODEL (ms_gui_get_accounts ()),
                           create_account_row, self, NULL);
}

/* New counts in place: rebuilding the rows would take the focus away. */
static void
on_outbox_changed_cb (MsAccountsView *self)
{
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->accounts_list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      MsAccount *account = g_object_get_data (G_OBJECT (row), "ms-account");
      g_autofree char *subtitle = NULL;

      if (account == NULL)
        continue;
      subtitle = describe_account (self, account,
                                   account_host (account, ms_account_get_host (account)));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
    }
}

static void
show_list (MsAccountsView *self)
{
  fill_rows (self);
  ms_outbox_list_refresh (self->outbox_list);
  ms_accounts_view_cancel (self);
  gtk_stack_set_visible_child (self->stack, self->list_page);
}

static void on_account_removed_cb (MsAccountsView *self);

static MsAccountPage *
ensure_account_page (MsAccountsView *self)
{
  if (self->account_page != NULL)
    return self->account_page;
  self->account_page = g_object_new (MS_TYPE_ACCOUNT_PAGE, NULL);
  g_signal_connect_object (self->account_page, "removed",
                           G_CALLBACK (on_account_removed_cb), self, G_CONNECT_SWAPPED);
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->account_page), "account");
  return self->account_page;
}

static MsDiagnosticsPage *
ensure_diagnostics_page (MsAccountsView *self)
{
  if (self->diagnostics_page != NULL)
    return self->diagnostics_page;
  /* After the account page: the stack slides by its children's order. */
  ensure_account_page (self);
  self->diagnostics_page = g_object_new (MS_TYPE_DIAGNOSTICS_PAGE, NULL);
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->diagnostics_page), "diagnostics");
  return self->diagnostics_page;
}

static MsAccount *
shown_account (MsAccountsView *self)
{
  return self->account_page != NULL ? ms_account_page_get_account (self->account_page) : NULL;
}

static void
on_account_row_activated_cb (MsAccountsView *self,
                             GtkListBoxRow  *row)
{
  MsAccount *account = g_object_get_data (G_OBJECT (row), "ms-account");

  ms_account_page_set_account (ensure_account_page (self), account);
  gtk_stack_set_visible_child (self->stack, GTK_WIDGET (self->account_page));
}

static void
on_account_removed_cb (MsAccountsView *self)
{
  if (ms_accounts_view_reload (self) == 0)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.add-account", NULL);
  else
    show_list (self);
}


static void
show_list_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  show_list (MS_ACCOUNTS_VIEW (widget));
}

static void
show_account_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  MsAccountsView *self = MS_ACCOUNTS_VIEW (widget);

  if (self->diagnostics_page != NULL)
    ms_diagnostics_page_cancel (self->diagnostics_page);
  gtk_stack_set_visible_child (self->stack, GTK_WIDGET (ensure_account_page (self)));
}

static void
on_diagnose_result_cb (MsAccountsView *self)
{
  MsResult *result;
  MsAccount *account = shown_account (self);

  if (self->diagnostics_page == NULL)
    return;
  result = ms_diagnostics_page_get_result (self->diagnostics_page);
  if (result != NULL && account != NULL)
    g_hash_table_replace (self->last_checks, g_strdup (ms_account_get_id (account)),
                          ms_result_ref (result));
}

static void
show_diagnostics_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  MsAccountsView *self = MS_ACCOUNTS_VIEW (widget);
  MsAccount *account = shown_account (self);

  if (account == NULL)
    return;
  ms_diagnostics_page_set_account (ensure_diagnostics_page (self), account);
  gtk_stack_set_visible_child (self->stack, GTK_WIDGET (self->diagnostics_page));
}

static void
on_stack_child_changed_cb (MsAccountsView *self)
{
  /* Coming back from diagnostics: remember what it found for the list. */
  on_diagnose_result_cb (self);
}

static void
ms_accounts_view_finalize (GObject *object)
{
  MsAccountsView *self = MS_ACCOUNTS_VIEW (object);

  g_clear_pointer (&self->last_checks, g_hash_table_unref);

  G_OBJECT_CLASS (ms_accounts_view_parent_class)->finalize (object);
}

static void
ms_accounts_view_class_init (MsAccountsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = ms_accounts_view_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ms-accounts-view.ui");
  gtk_widget_class_bind_template_child (widget_class, MsAccountsView, stack);
  gtk_widget_class_bind_template_child (widget_class, MsAccountsView, list_page);
  gtk_widget_class_bind_template_child (widget_class, MsAccountsView, accounts_list);
  gtk_widget_class_bind_template_child (widget_class, MsAccountsView, outbox_list);
  gtk_widget_class_bind_template_callback (widget_class, on_account_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_outbox_changed_cb);

  gtk_widget_class_install_action (widget_class, "accounts.show-list", NULL, show_list_action);
  gtk_widget_class_install_action (widget_class, "accounts.show-account", NULL, show_account_action);
  gtk_widget_class_install_action (widget_class, "accounts.show-diagnostics", NULL, show_diagnostics_action);
}

static void
ms_accounts_view_init (MsAccountsView *self)
{
  g_type_ensure (MS_TYPE_OUTBOX_LIST);
  g_type_ensure (MS_TYPE_HEADER_TITLE);
  gtk_widget_init_template (GTK_WIDGET (self));

  self->last_checks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) ms_result_unref);
  g_signal_connect_object (self->stack, "notify::visible-child",
                           G_CALLBACK (on_stack_child_changed_cb), self, G_CONNECT_SWAPPED);
}

/* ms_accounts_view_reload:
 * Reads the accounts again (the list follows) and shows the list.
 * Returns: how many accounts there are. */
guint
ms_accounts_view_reload (MsAccountsView *self)
{
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (MS_IS_ACCOUNTS_VIEW (self), 0);

  if (!ms_gui_reload_accounts (&error))
    ms_show_toast (GTK_WIDGET (self), error->message);
  show_list (self);
  return ms_accounts_view_get_n_accounts (self);
}

/* ms_accounts_view_cancel:
 * Stops the account page's and the diagnostics page's work. */
void
ms_accounts_view_cancel (MsAccountsView *self)
{
  g_return_if_fail (MS_IS_ACCOUNTS_VIEW (self));

  if (self->account_page != NULL)
    ms_account_page_cancel (self->account_page);
  if (self->diagnostics_page != NULL)
    ms_diagnostics_page_cancel (self->diagnostics_page);
}

guint
ms_accounts_view_get_n_accounts (MsAccountsView *self)
{
  g_return_val_if_fail (MS_IS_ACCOUNTS_VIEW (self), 0);
  return g_list_model_get_n_items (G_LIST_MODEL (ms_gui_get_accounts ()));
}

/* ms_accounts_view_get_account_page:
 * For tests. Returns: (transfer none) (nullable): the account page, NULL
 * until an account was first opened. */
GtkWidget *
ms_accounts_view_get_account_page (MsAccountsView *self)
{
  g_return_val_if_fail (MS_IS_ACCOUNTS_VIEW (self), NULL);
  return GTK_WIDGET (self->account_page);
}

/* ms_accounts_view_get_diagnostics_page:
 * For tests. Returns: (transfer none) (nullable): the diagnostics page, NULL
 * until it was first shown. */
GtkWidget *
ms_accounts_view_get_diagnostics_page (MsAccountsView *self)
{
  g_return_val_if_fail (MS_IS_ACCOUNTS_VIEW (self), NULL);
  return GTK_WIDGET (self->diagnostics_page);
}
