/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-outbox-list"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-gui-ops.h"
#include "ms-gui-util.h"
#include "ms-outbox-delivery.h"
#include "ms-outbox-list.h"

/*
 * MsOutboxList:
 * The outbox in the window (docs/ui.md): every kept message with its state,
 * recipients, subject and last error in plain words with its advice, and
 * Send Now and Delete. It follows the outbox folder, so messages that
 * `mailsetup-cli send` keeps while the window is open appear at once, and
 * a desktop notification says when one becomes held or failed.
 */
struct _MsOutboxList
{
  AdwBin         parent_instance;

  GtkListBox    *messages_list;

  GFileMonitor  *monitor;
  GCancellable  *cancellable;
  guint          refresh_id;
  GPtrArray     *entries;     /* MsOutboxEntry, the last listing */
  GHashTable    *states;      /* id → state + 1, to see what changed */
  gboolean       listed_once;
};

G_DEFINE_FINAL_TYPE (MsOutboxList, ms_outbox_list, ADW_TYPE_BIN)

enum
{
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *
state_label (MsOutboxState state)
{
  switch (state)
    {
    case MS_OUTBOX_STATE_QUEUED:
      return _("Waiting to be sent");
    case MS_OUTBOX_STATE_HELD:
      return _("Held until the account works");
    case MS_OUTBOX_STATE_FAILED:
    default:
      return _("Not sent: refused by the server");
    }
}

static char *
describe_entry (const MsOutboxEntry *entry)
{
  g_autofree char *recipients = g_strjoinv (", ", entry->recipients);
  GString *text = g_string_new (NULL);

  /* Translators: a kept message's state, then its recipients */
  g_string_append_printf (text, _("%s · to %s"), state_label (entry->state), recipients);
  if (entry->has_error && entry->error_message != NULL)
    g_string_append_printf (text, "\n%s", entry->error_message);
  if (entry->has_error && entry->error_advice != NULL)
    g_string_append_printf (text, " %s", entry->error_advice);
  for (guint i = 0; entry->error_recipients != NULL && entry->error_recipients[i] != NULL; i++)
    g_string_append_printf (text, "\n%s: %s", entry->error_recipients[i],
                            entry->error_recipient_replies ? entry->error_recipient_replies[i] : "");

  return g_string_free (text, FALSE);
}

static GtkWidget *
create_button (const char *icon,
               const char *label,
               const char *action,
               const char *id)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  label, -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", id);

  return button;
}

static GtkWidget *
create_row (const MsOutboxEntry *entry)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *subtitle = describe_entry (entry);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 entry->subject != NULL ? entry->subject : _("(no subject)"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  if (entry->state != MS_OUTBOX_STATE_FAILED)
    adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                               create_button ("mail-send-symbolic", _("Send Now"),
                                              "outbox.send-now", entry->id));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             create_button ("user-trash-symbolic", _("Delete"),
                                            "outbox.delete", entry->id));
  g_object_set_data_full (G_OBJECT (row), "ms-outbox-id", g_strdup (entry->id), g_free);

  return row;
}

/* A message that became held or failed since the last listing. */
static void
notify_change (MsOutboxList        *self,
               const MsOutboxEntry *entry)
{
  GApplication *application = g_application_get_default ();
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *notification_id = g_strdup_printf ("outbox-%s", entry->id);
  g_autofree char *body = NULL;

  if (application == NULL)
    return;

  notification = g_notification_new (entry->state == MS_OUTBOX_STATE_HELD
                                      ? _("A message is waiting for its account")
                                      : _("A message was not sent"));
  /* Translators: the message's subject, then why it was not sent */
  body = g_strdup_printf (_("“%s”: %s"), entry->subject != NULL ? entry->subject : _("(no subject)"),
                          entry->error_message != NULL ? entry->error_message : "");
  g_notification_set_body (notification, body);
  g_notification_set_default_action (notification, "app.activate");
  g_application_send_notification (application, notification_id, notification);
}

static void
show_entries (MsOutboxList *self,
              GPtrArray    *entries)
{
  g_autoptr(GHashTable) states = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->messages_list))) != NULL)
    gtk_list_box_remove (self->messages_list, child);

  for (guint i = 0; i < entries->len; i++)
    {
      const MsOutboxEntry *entry = g_ptr_array_index (entries, i);
      gpointer before = g_hash_table_lookup (self->states, entry->id);

      gtk_list_box_append (self->messages_list, create_row (entry));
      g_hash_table_insert (states, g_strdup (entry->id), GUINT_TO_POINTER (entry->state + 1));
      if (self->listed_once && entry->state != MS_OUTBOX_STATE_QUEUED
          && GPOINTER_TO_UINT (before) != entry->state + 1)
        notify_change (self, entry);
    }

  g_clear_pointer (&self->states, g_hash_table_unref);
  self->states = g_steal_pointer (&states);
  g_clear_pointer (&self->entries, g_ptr_array_unref);
  self->entries = g_ptr_array_ref (entries);
  self->listed_once = TRUE;
  gtk_widget_set_visible (GTK_WIDGET (self), entries->len > 0);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
on_listed_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(MsOutboxList) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = ms_outbox_list_finish (result, &error);

  if (entries == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("The outbox could not be listed: %s", error->message);
      return;
    }
  show_entries (self, entries);
}

/**
 * ms_outbox_list_refresh:
 * @self: the list
 *
 * Lists the outbox again (in a worker thread).
 */
void
ms_outbox_list_refresh (MsOutboxList *self)
{
  g_return_if_fail (MS_IS_OUTBOX_LIST (self));

  ms_outbox_list_async (ms_gui_get_outbox (), self->cancellable, on_listed_cb,
                        g_object_ref (self));
}

static gboolean
refresh_later_cb (gpointer user_data)
{
  MsOutboxList *self = user_data;

  self->refresh_id = 0;
  ms_outbox_list_refresh (self);

  return G_SOURCE_REMOVE;
}

static void
on_folder_changed_cb (MsOutboxList *self)
{
  /* A kept message is several files written in a row: list once after. */
  if (self->refresh_id == 0)
    self->refresh_id = g_timeout_add (200, refresh_later_cb, self);
}

static MsAccount *
account_of (MsOutboxList *self,
            const char   *id)
{
  for (guint i = 0; self->entries != NULL && i < self->entries->len; i++)
    {
      const MsOutboxEntry *entry = g_ptr_array_index (self->entries, i);

      if (g_str_equal (entry->id, id))
        return ms_account_store_lookup (ms_gui_get_accounts (), entry->account, NULL);
    }

  return NULL;
}

static void
on_sent_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(MsOutboxList) self = user_data;
  g_autoptr(GPtrArray) attempts = ms_outbox_send_now_finish (result, NULL);

  for (guint i = 0; attempts != NULL && i < attempts->len; i++)
    {
      const MsOutboxAttempt *attempt = g_ptr_array_index (attempts, i);

      if (!attempt->delivered && attempt->result != NULL && attempt->result->error != NULL)
        ms_show_toast (GTK_WIDGET (self), attempt->result->error->message);
    }
  ms_outbox_list_refresh (self);
}

static void
send_now_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  MsOutboxList *self = MS_OUTBOX_LIST (widget);
  const char *id = g_variant_get_string (parameter, NULL);
  const char *ids[] = { id, NULL };
  g_autoptr(MsAccount) account = account_of (self, id);

  if (account == NULL)
    {
      ms_show_toast (widget, _("The account of this message no longer exists."));
      return;
    }
  ms_outbox_send_now_async (ms_gui_get_outbox (), account, ids, TRUE, self->cancellable,
                            on_sent_cb, g_object_ref (self));
}

static void
on_dropped_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(MsOutboxList) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ms_outbox_drop_finish (result, &error))
    ms_show_toast (GTK_WIDGET (self), error->message);
  ms_outbox_list_refresh (self);
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  MsOutboxList *self = MS_OUTBOX_LIST (widget);

  ms_outbox_drop_async (ms_gui_get_outbox (), g_variant_get_string (parameter, NULL),
                        self->cancellable, on_dropped_cb, g_object_ref (self));
}

static void
ms_outbox_list_dispose (GObject *object)
{
  MsOutboxList *self = MS_OUTBOX_LIST (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  g_clear_object (&self->monitor);

  G_OBJECT_CLASS (ms_outbox_list_parent_class)->dispose (object);
}

static void
ms_outbox_list_finalize (GObject *object)
{
  MsOutboxList *self = MS_OUTBOX_LIST (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_clear_pointer (&self->states, g_hash_table_unref);

  G_OBJECT_CLASS (ms_outbox_list_parent_class)->finalize (object);
}

static void
ms_outbox_list_class_init (MsOutboxListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ms_outbox_list_dispose;
  object_class->finalize = ms_outbox_list_finalize;

  /* Emitted after each listing: the accounts' counts may have changed. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ms-outbox-list.ui");
  gtk_widget_class_bind_template_child (widget_class, MsOutboxList, messages_list);

  gtk_widget_class_install_action (widget_class, "outbox.send-now", "s", send_now_action);
  gtk_widget_class_install_action (widget_class, "outbox.delete", "s", delete_action);
}

static void
ms_outbox_list_init (MsOutboxList *self)
{
  g_autoptr(GFile) folder = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->states = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  folder = g_file_new_for_path (ms_outbox_get_path (ms_gui_get_outbox ()));
  self->monitor = g_file_monitor_directory (folder, G_FILE_MONITOR_NONE, NULL, NULL);
  if (self->monitor != NULL)
    g_signal_connect_object (self->monitor, "changed", G_CALLBACK (on_folder_changed_cb), self,
                             G_CONNECT_SWAPPED);
  ms_outbox_list_refresh (self);
}

/**
 * ms_outbox_list_count_for:
 * @self: the list
 * @account_id: an account id
 *
 * Returns: how many messages of that account are kept
 */
guint
ms_outbox_list_count_for (MsOutboxList *self,
                          const char   *account_id)
{
  guint count = 0;

  g_return_val_if_fail (MS_IS_OUTBOX_LIST (self), 0);

  for (guint i = 0; self->entries != NULL && i < self->entries->len; i++)
    {
      const MsOutboxEntry *entry = g_ptr_array_index (self->entries, i);

      if (g_strcmp0 (entry->account, account_id) == 0)
        count++;
    }

  return count;
}

guint
ms_outbox_list_get_n_messages (MsOutboxList *self)
{
  g_return_val_if_fail (MS_IS_OUTBOX_LIST (self), 0);

  return self->entries != NULL ? self->entries->len : 0;
}
