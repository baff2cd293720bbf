/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mailsetup-cli"

#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib-unix.h>
#include <gio/gunixoutputstream.h>

#include "ms-advice.h"
#include "ms-advice.h"
#include "ms-cli-private.h"
#include "ms-outbox.h"
#include "ms-outbox-delivery.h"

/*
 * The outbox on the command line (docs/contract.md, "The outbox"): `send`
 * keeps every message it read until it is delivered, and `queue` lists,
 * sends, shows and drops kept messages.
 */

/* ---- the systemd timers ---- */

static void
run_systemctl (const char * const *argv)
{
  g_spawn_sync (NULL, (char **) argv, NULL,
                G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, NULL, NULL, NULL, NULL);
}

/* Starts the timer that retries the outbox: in system mode the system's
 * mailsetup-outbox-system.timer when the machine runs systemd, else
 * mailsetup-outbox.timer when a systemd user manager is reachable (its
 * private socket exists). Where neither is, nothing happens: the next
 * send, queue flush or the open window delivers. Never waits for it. */
static void
start_outbox_timer (MsCliOptions *options)
{
  const char *runtime_dir = g_getenv ("XDG_RUNTIME_DIR");
  g_autofree char *socket = NULL;
  g_autofree char *systemctl = g_find_program_in_path ("systemctl");

  if (systemctl == NULL)
    return;

  if (ms_cli_paths (options)->mode == MS_CONFIG_MODE_SYSTEM)
    {
      if (g_file_test ("/run/systemd/system", G_FILE_TEST_IS_DIR))
        run_systemctl ((const char *[]) { systemctl, "start", "--no-block",
                                          "mailsetup-outbox-system.timer", NULL });
      return;
    }

  if (runtime_dir == NULL)
    return;
  socket = g_build_filename (runtime_dir, "systemd", "private", NULL);
  if (!g_file_test (socket, G_FILE_TEST_EXISTS))
    return;

  run_systemctl ((const char *[]) { systemctl, "--user", "start", "--no-block",
                                    "mailsetup-outbox.timer", NULL });
}

/* ---- running a delivery with Ctrl+C ---- */

typedef struct
{
  GMainLoop *loop;
  MsResult  *result;
  GPtrArray *attempts;
} DeliverWait;

static void
deliver_done_cb (GObject      *source,
                 GAsyncResult *async_result,
                 gpointer      user_data)
{
  DeliverWait *wait = user_data;

  wait->result = ms_outbox_deliver_finish (async_result, &wait->attempts, NULL);
  g_main_loop_quit (wait->loop);
}

static gboolean
on_signal_cb (gpointer user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));

  return G_SOURCE_CONTINUE;
}

static void
print_transcript_line (const char *line,
                       gpointer    user_data)
{
  fprintf (stderr, "%s\n", line);
  fflush (stderr);
}

/* Delivers @locks (consumed) with the account of @options. */
static MsResult *
deliver_locks (MsCliOptions  *options,
               GPtrArray     *locks,
               GPtrArray    **attempts)
{
  g_autoptr(MsRequest) request = ms_request_new (NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  DeliverWait wait = { loop, NULL, NULL };
  guint sigint_id, sigterm_id;

  if (!ms_cli_load_account_into (options, request, TRUE, &error))
    {
      g_autoptr(MsResult) failure = ms_result_new ("send");
      MsErrorCode code = ms_error_get_code (error);
      MsStepKind step = code == MS_ERROR_CONFIG_INVALID || code == MS_ERROR_UNKNOWN_ACCOUNT
                        ? MS_STEP_CONFIG : MS_STEP_KEYRING;

      failure->account = g_strdup (options->account);
      ms_result_set_error_from_gerror (failure, step, error);
      if (step == MS_STEP_KEYRING)
        ms_advice_fill (failure, NULL);
      *attempts = ms_outbox_record_failure (locks, failure);
      g_ptr_array_unref (locks);
      return g_steal_pointer (&failure);
    }
  request->config->timeout_seconds = options->timeout_seconds;
  if (options->verbose)
    request->transcript_func = print_transcript_line;

  sigint_id = g_unix_signal_add (SIGINT, on_signal_cb, cancellable);
  sigterm_id = g_unix_signal_add (SIGTERM, on_signal_cb, cancellable);
  ms_outbox_deliver_async (request, locks, cancellable, deliver_done_cb, &wait);
  g_main_loop_run (loop);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);

  *attempts = wait.attempts;

  return wait.result;
}

/* ---- send ---- */

static const char *
outcome_name (const MsOutboxAttempt *attempt)
{
  if (attempt->delivered)
    return "sent";

  return ms_outbox_state_to_string (attempt->entry->state);
}

static void
print_send_json (MsResult              *result,
                 const MsOutboxAttempt *attempt)
{
  g_autoptr(JsonNode) node = ms_result_to_json_node (result);
  JsonObject *object = json_node_get_object (node);

  json_object_set_string_member (object, "outcome", outcome_name (attempt));
  if (attempt->delivered)
    json_object_set_null_member (object, "queue_id");
  else
    json_object_set_string_member (object, "queue_id", attempt->entry->id);
  ms_cli_print_json (node);
}

static int
report_send (MsCliOptions          *options,
             MsResult              *result,
             const MsOutboxAttempt *attempt)
{
  const MsOutboxEntry *entry = attempt->entry;

  if (options->json)
    print_send_json (result, attempt);
  fflush (stdout);

  if (attempt->delivered)
    return 0;

  switch (entry->state)
    {
    case MS_OUTBOX_STATE_QUEUED:
      if (!options->json)
        /* Translators: %s is the outbox id, then the reason it was not sent now */
        fprintf (stderr, _("mailsetup-cli: kept in the outbox as %s (%s); it will be sent automatically.\n"),
                 entry->id, result->error && result->error->message ? result->error->message : "");
      return 0;

    case MS_OUTBOX_STATE_HELD:
      if (!options->json)
        {
          ms_cli_print_result (options, result);
          fprintf (stderr, _("The message is kept in the outbox as %s and goes out once the account works (mailsetup-cli queue flush --now).\n"),
                   entry->id);
        }
      return ms_result_exit_status (result);

    case MS_OUTBOX_STATE_FAILED:
    default:
      if (!options->json)
        {
          ms_cli_print_result (options, result);
          fprintf (stderr, _("The message was not sent; it stays visible in the outbox as %s for 7 days.\n"),
                   entry->id);
        }
      return ms_error_code_exit_status (MS_ERROR_INVALID_INPUT);
    }
}

/* The first message's result: the session's steps with its error. */
static MsResult *
first_result (MsResult        *session,
              MsOutboxAttempt *attempt)
{
  MsResult *result = ms_result_ref (attempt->result != NULL ? attempt->result : session);

  g_free (result->command);
  result->command = g_strdup ("send");
  if (attempt->delivered && result->message_id == NULL)
    result->message_id = g_strdup (attempt->entry->message_id);

  return result;
}

static MsOutboxLock *
keep_message (MsOutboxDraft    *draft,
              const MsRequest  *request,
              const char       *message_id,
              const char       *subject,
              GError          **error)
{
  g_autoptr(MsOutboxEntry) entry = ms_outbox_entry_new ();

  entry->account = g_strdup (request->account ? request->account : "");
  entry->from = g_strdup (request->from);
  entry->recipients = g_strdupv (request->recipients);
  entry->dsn_notify = g_strdup (request->dsn_notify);
  entry->dsn_ret = g_strdup (request->dsn_ret);
  entry->dsn_envid = g_strdup (request->dsn_envid);
  entry->body_8bitmime = request->body_8bitmime;
  entry->message_id = g_strdup (message_id);
  entry->subject = g_strdup (subject);
  entry->state = MS_OUTBOX_STATE_QUEUED;

  return ms_outbox_draft_commit (draft, entry, error);
}

/**
 * ms_cli_send_kept:
 * @options: the parsed options (--queue-only)
 * @outbox: the outbox
 * @request: the account's settings and the envelope; no secret
 * @draft: (transfer full): the message as it goes on the wire
 * @message_id: the message's Message-ID
 * @subject: (nullable): its Subject
 * @held_because: (nullable): accounts.ini could not be read: keep it held
 *
 * Keeps the message in the outbox first, then (unless --queue-only) signs
 * in and sends it together with the account's other due messages, and
 * reports the outcome of docs/contract.md's table.
 *
 * Returns: the exit status
 */
int
ms_cli_send_kept (MsCliOptions  *options,
                  MsOutbox      *outbox,
                  MsRequest     *request,
                  MsOutboxDraft *draft_in,
                  const char    *message_id,
                  const char    *subject,
                  const GError  *held_because)
{
  g_autoptr(MsOutboxDraft) draft = draft_in;
  g_autoptr(GPtrArray) locks = g_ptr_array_new_with_free_func ((GDestroyNotify) ms_outbox_lock_free);
  g_autoptr(GPtrArray) attempts = NULL;
  g_autoptr(GPtrArray) due = NULL;
  g_autoptr(MsResult) session = NULL;
  g_autoptr(MsResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  MsOutboxLock *lock;

  lock = keep_message (draft, request, message_id, subject, &error);
  if (lock == NULL)
    return ms_cli_fail (options, "send", error);
  id = g_strdup (ms_outbox_lock_get_entry (lock)->id);

  if (held_because != NULL)
    {
      g_ptr_array_add (locks, lock);
      session = ms_result_new ("send");
      session->account = g_strdup (request->account);
      ms_result_set_error_from_gerror (session, MS_STEP_CONFIG, held_because);
      ms_advice_fill (session, NULL);
      attempts = ms_outbox_record_failure (locks, session);
      return report_send (options, session, g_ptr_array_index (attempts, 0));
    }

  if (options->queue_only)
    {
      g_autoptr(MsOutboxAttempt) kept = g_new0 (MsOutboxAttempt, 1);

      kept->entry = ms_outbox_entry_copy (ms_outbox_lock_get_entry (lock));
      ms_outbox_lock_free (lock);
      start_outbox_timer (options);
      if (options->json)
        {
          g_autoptr(MsResult) queued = ms_result_new ("send");

          queued->account = g_strdup (request->account);
          queued->message_id = g_strdup (message_id);
          print_send_json (queued, kept);
        }
      return 0;
    }

  g_ptr_array_add (locks, lock);
  /* The account's other due messages go along; the new one is locked by
   * this process already, so it is not taken twice. */
  due = ms_outbox_lock_for_sending (outbox, request->account, NULL, FALSE);
  g_ptr_array_extend_and_steal (locks, g_steal_pointer (&due));
  session = deliver_locks (options, g_steal_pointer (&locks), &attempts);
  g_assert (attempts->len > 0);

  result = first_result (session, g_ptr_array_index (attempts, 0));
  if (!((MsOutboxAttempt *) g_ptr_array_index (attempts, 0))->delivered)
    start_outbox_timer (options);

  return report_send (options, result, g_ptr_array_index (attempts, 0));
}

/* ---- queue ---- */

static char *
format_time (GDateTime *when)
{
  return when != NULL ? g_date_time_format_iso8601 (when) : NULL;
}

static void
build_entry_json (JsonBuilder         *builder,
                  const MsOutboxEntry *entry)
{
  g_autofree char *created = format_time (entry->created);
  g_autofree char *next = format_time (entry->next_attempt);

  json_builder_begin_object (builder);
  ms_cli_json_add_string (builder, "id", entry->id);
  ms_cli_json_add_string (builder, "account", entry->account);
  ms_cli_json_add_string (builder, "state", ms_outbox_state_to_string (entry->state));
  ms_cli_json_add_string (builder, "message_id", entry->message_id);
  ms_cli_json_add_string (builder, "from", entry->from);
  json_builder_set_member_name (builder, "recipients");
  json_builder_begin_array (builder);
  for (guint i = 0; entry->recipients[i] != NULL; i++)
    json_builder_add_string_value (builder, entry->recipients[i]);
  json_builder_end_array (builder);
  ms_cli_json_add_string (builder, "subject", entry->subject);
  json_builder_set_member_name (builder, "size");
  json_builder_add_int_value (builder, entry->size);
  ms_cli_json_add_string (builder, "created", created);
  json_builder_set_member_name (builder, "attempts");
  json_builder_add_int_value (builder, entry->attempts);
  ms_cli_json_add_string (builder, "next_attempt", next);
  json_builder_set_member_name (builder, "uncertain");
  json_builder_add_boolean_value (builder, entry->uncertain);
  json_builder_set_member_name (builder, "error");
  if (!entry->has_error)
    json_builder_add_null_value (builder);
  else
    {
      json_builder_begin_object (builder);
      ms_cli_json_add_string (builder, "code", ms_error_code_to_string (entry->error_code));
      ms_cli_json_add_string (builder, "step", entry->error_step);
      ms_cli_json_add_string (builder, "message", entry->error_message);
      ms_cli_json_add_string (builder, "advice", entry->error_advice);
      ms_cli_json_add_string (builder, "server_reply", entry->error_reply);
      json_builder_set_member_name (builder, "recipients");
      json_builder_begin_array (builder);
      for (guint i = 0; entry->error_recipients != NULL && entry->error_recipients[i] != NULL; i++)
        {
          json_builder_begin_object (builder);
          ms_cli_json_add_string (builder, "address", entry->error_recipients[i]);
          ms_cli_json_add_string (builder, "reply", entry->error_recipient_replies
                                                    ? entry->error_recipient_replies[i] : NULL);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);
}

static const char *
state_label (MsOutboxState state)
{
  switch (state)
    {
    /* Translators: the state of a kept message: waiting for its next try */
    case MS_OUTBOX_STATE_QUEUED: return _("queued");
    /* Translators: the state of a kept message: waiting until the account works */
    case MS_OUTBOX_STATE_HELD: return _("held");
    /* Translators: the state of a kept message: refused for good */
    case MS_OUTBOX_STATE_FAILED:
    default: return _("failed");
    }
}

static void
print_entry (const MsOutboxEntry *entry)
{
  g_autofree char *recipients = g_strjoinv (", ", entry->recipients);
  g_autofree char *state = ms_cli_pad (state_label (entry->state), 8);
  g_autoptr(GDateTime) local_next = entry->next_attempt ? g_date_time_to_local (entry->next_attempt)
                                                        : NULL;
  g_autofree char *next = local_next ? g_date_time_format (local_next, "%Y-%m-%d %H:%M") : NULL;

  printf ("%s  %s %-12s %8" G_GUINT64_FORMAT "  %s\n", entry->id, state,
          entry->account[0] ? entry->account : "-", entry->size, recipients);
  if (entry->subject != NULL)
    printf ("    %s %s\n", _("Subject:"), entry->subject);
  if (next != NULL)
    /* Translators: the time of the next try and how many tries were made */
    printf ("    %s %s (%u)\n", _("Next attempt:"), next, entry->attempts);
  if (entry->uncertain)
    printf ("    %s\n", _("An earlier attempt may have delivered it; a second copy has the same Message-ID."));
  if (entry->has_error)
    printf ("    %s %s\n", _("Last error:"), entry->error_message ? entry->error_message : "");
  if (entry->has_error && entry->error_advice != NULL)
    printf ("    %s %s\n", _("What to do:"), entry->error_advice);
  for (guint i = 0; entry->error_recipients != NULL && entry->error_recipients[i] != NULL; i++)
    printf ("    %s %s\n", entry->error_recipients[i],
            entry->error_recipient_replies ? entry->error_recipient_replies[i] : "");
}

static int
queue_list (MsCliOptions *options,
            MsOutbox     *outbox)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = ms_outbox_list (outbox, NULL, &error);

  if (entries == NULL)
    return ms_cli_fail (options, "queue", error);

  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      ms_cli_json_begin_ok (builder, "queue");
      json_builder_set_member_name (builder, "messages");
      json_builder_begin_array (builder);
      for (guint i = 0; i < entries->len; i++)
        build_entry_json (builder, g_ptr_array_index (entries, i));
      json_builder_end_array (builder);
      return ms_cli_json_end_ok (builder);
    }

  if (entries->len == 0)
    printf ("%s\n", _("The outbox is empty."));
  for (guint i = 0; i < entries->len; i++)
    print_entry (g_ptr_array_index (entries, i));

  return 0;
}

static int
queue_show (MsCliOptions *options,
            MsOutbox     *outbox,
            const char   *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsOutboxEntry) entry = ms_outbox_lookup (outbox, id, &error);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GOutputStream) out = g_unix_output_stream_new (STDOUT_FILENO, FALSE);
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;

  if (entry == NULL)
    return ms_cli_fail (options, "queue", error);

  /* The message file never changes once kept, so reading it needs no lock. */
  path = g_strdup_printf ("%s/%s.msg", ms_outbox_get_path (outbox), entry->id);
  file = g_file_new_for_path (path);
  stream = G_INPUT_STREAM (g_file_read (file, NULL, &error));
  if (stream == NULL
      || g_output_stream_splice (out, stream, G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE, NULL, &error) < 0)
    {
      g_autoptr(GError) failure = g_error_new (MS_ERROR, MS_ERROR_INVALID_INPUT,
                                               _("There is no message %s in the outbox."), id);

      return ms_cli_fail (options, "queue", failure);
    }

  return 0;
}

static int
queue_drop (MsCliOptions *options,
            MsOutbox     *outbox,
            char        **ids)
{
  g_autoptr(GError) error = NULL;

  if (ids == NULL || ids[0] == NULL)
    return ms_cli_usage_error (_("queue drop takes the id of a kept message."));

  for (guint i = 0; ids[i] != NULL; i++)
    {
      if (!ms_outbox_drop (outbox, ids[i], &error))
        return ms_cli_fail (options, "queue", error);
    }

  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      ms_cli_json_begin_ok (builder, "queue");
      return ms_cli_json_end_ok (builder);
    }

  return 0;
}

/* The wanted entries, locked and queued, grouped by account. */
static GHashTable *
lock_wanted (MsOutbox  *outbox,
             GPtrArray *entries,
             char     **ids,
             gboolean   now)
{
  GHashTable *by_account = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                  (GDestroyNotify) g_ptr_array_unref);

  for (guint i = 0; i < entries->len; i++)
    {
      const char *account = ((MsOutboxEntry *) g_ptr_array_index (entries, i))->account;
      GPtrArray *locks;

      if (g_hash_table_contains (by_account, account))
        continue;
      locks = ms_outbox_lock_for_sending (outbox, account, (const char * const *) ids, now);
      if (locks->len == 0)
        {
          g_ptr_array_unref (locks);
          locks = g_ptr_array_new ();
        }
      g_hash_table_insert (by_account, g_strdup (account), locks);
    }

  return by_account;
}

static void
print_attempt (const MsOutboxAttempt *attempt)
{
  const MsResultError *error = attempt->result ? attempt->result->error : NULL;

  if (attempt->delivered)
    /* Translators: %s is an outbox id */
    printf (_("%s: sent\n"), attempt->entry->id);
  else if (!attempt->tried)
    /* Translators: %s is an outbox id */
    printf (_("%s: not tried (the connection had failed); kept\n"), attempt->entry->id);
  else
    /* Translators: outbox id, state (queued, held, failed), the reason */
    printf (_("%s: %s: %s\n"), attempt->entry->id, state_label (attempt->entry->state),
            error && error->message ? error->message : "");
}

static void
build_attempt_json (JsonBuilder           *builder,
                    const MsOutboxAttempt *attempt)
{
  const MsResultError *error = attempt->result ? attempt->result->error : NULL;

  json_builder_begin_object (builder);
  ms_cli_json_add_string (builder, "id", attempt->entry->id);
  ms_cli_json_add_string (builder, "account", attempt->entry->account);
  ms_cli_json_add_string (builder, "outcome", outcome_name (attempt));
  ms_cli_json_add_string (builder, "message_id", attempt->entry->message_id);
  json_builder_set_member_name (builder, "uncertain");
  json_builder_add_boolean_value (builder, attempt->entry->uncertain);
  json_builder_set_member_name (builder, "error");
  if (error == NULL || attempt->delivered)
    json_builder_add_null_value (builder);
  else
    {
      json_builder_begin_object (builder);
      ms_cli_json_add_string (builder, "code", ms_error_code_to_string (error->code));
      ms_cli_json_add_string (builder, "message", error->message);
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);
}

static int
queue_flush (MsCliOptions *options,
             MsOutbox     *outbox,
             char        **ids,
             gboolean      now)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = ms_outbox_list (outbox, NULL, &error);
  g_autoptr(GHashTable) by_account = NULL;
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) ms_outbox_attempt_free);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  GHashTableIter iter;
  gpointer account, locks;
  gboolean all_sent = TRUE;

  if (entries == NULL)
    return ms_cli_fail (options, "queue", error);
  for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
    {
      g_autoptr(MsOutboxEntry) entry = ms_outbox_lookup (outbox, ids[i], &error);

      if (entry == NULL)
        return ms_cli_fail (options, "queue", error);
    }

  by_account = lock_wanted (outbox, entries, ids, now);
  g_hash_table_iter_init (&iter, by_account);
  while (g_hash_table_iter_next (&iter, &account, &locks))
    {
      g_autoptr(GPtrArray) attempts = NULL;
      g_autoptr(MsResult) session = NULL;

      if (((GPtrArray *) locks)->len == 0)
        continue;
      g_free (options->account);
      options->account = ((char *) account)[0] ? g_strdup (account) : NULL;
      session = deliver_locks (options, g_ptr_array_ref (locks), &attempts);
      g_hash_table_iter_remove (&iter);
      g_ptr_array_extend_and_steal (all, g_steal_pointer (&attempts));
    }

  for (guint i = 0; i < all->len; i++)
    {
      const MsOutboxAttempt *attempt = g_ptr_array_index (all, i);

      all_sent = all_sent && attempt->delivered;
      if (!options->json)
        print_attempt (attempt);
    }

  if (options->json)
    {
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "ok");
      json_builder_add_boolean_value (builder, all_sent);
      ms_cli_json_add_string (builder, "command", "queue");
      json_builder_set_member_name (builder, "messages");
      json_builder_begin_array (builder);
      for (guint i = 0; i < all->len; i++)
        build_attempt_json (builder, g_ptr_array_index (all, i));
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      ms_cli_print_json (root);
    }

  return all_sent ? 0 : ms_error_code_exit_status (MS_ERROR_TEMPORARY_FAILURE);
}

/**
 * ms_cli_queue:
 * @options: the parsed options; args[0] is list, flush, show or drop
 *
 * Returns: the exit status of docs/contract.md's queue commands
 */
int
ms_cli_queue (MsCliOptions *options)
{
  g_autoptr(MsOutbox) outbox = ms_outbox_new (ms_cli_paths (options)->state_dir);
  const char *action = options->args ? options->args[0] : NULL;
  char **rest = action ? options->args + 1 : NULL;

  if (action == NULL)
    return ms_cli_usage_error (_("queue takes list, flush, show or drop."));
  if (options->now && !g_str_equal (action, "flush"))
    return ms_cli_usage_error (_("--now is for queue flush only."));

  if (g_str_equal (action, "list") && rest[0] == NULL)
    return queue_list (options, outbox);
  if (g_str_equal (action, "flush"))
    return queue_flush (options, outbox, rest, options->now);
  if (g_str_equal (action, "show") && rest[0] != NULL && rest[1] == NULL)
    return queue_show (options, outbox, rest[0]);
  if (g_str_equal (action, "drop"))
    return queue_drop (options, outbox, rest);

  return ms_cli_usage_error (_("queue takes list, flush [--now] [ID ...], show ID or drop ID."));
}
