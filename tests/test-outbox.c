/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-outbox"

#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <utime.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "ms-outbox.h"

typedef struct
{
  char      *state_dir;
  MsOutbox  *outbox;
  GDateTime *now;
} Fixture;

static GDateTime *
fixture_clock (gpointer user_data)
{
  Fixture *fixture = user_data;

  return g_date_time_ref (fixture->now);
}

static void
fixture_advance (Fixture   *fixture,
                 GTimeSpan  span)
{
  GDateTime *later = g_date_time_add (fixture->now, span);

  g_date_time_unref (fixture->now);
  fixture->now = later;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->state_dir = g_dir_make_tmp ("test-outbox-XXXXXX", NULL);
  fixture->outbox = ms_outbox_new (fixture->state_dir);
  fixture->now = g_date_time_new_utc (2026, 12, 6, 8, 0, 0);
  ms_outbox_set_clock (fixture->outbox, fixture_clock, fixture);
}

static void
remove_tree (const char *path)
{
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", path);

  g_assert_cmpint (system (command), ==, 0);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_assert_finalize_object (fixture->outbox);
  remove_tree (fixture->state_dir);
  g_free (fixture->state_dir);
  g_date_time_unref (fixture->now);
}

static const char message_text[] =
  "From: me@example.org\r\nTo: you@example.org\r\nSubject: Backup done\r\n"
  "Message-ID: <abc@example.org>\r\n\r\nAll files saved.\r\n";

static MsOutboxLock *
keep_message (Fixture       *fixture,
              MsOutboxState  state)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsOutboxDraft) draft = ms_outbox_draft_new (fixture->outbox, &error);
  g_autoptr(MsOutboxEntry) entry = ms_outbox_entry_new ();
  const char *recipients[] = { "you@example.org", "other@example.org", NULL };
  MsOutboxLock *lock;

  g_assert_no_error (error);
  g_assert_true (ms_outbox_draft_write (draft, message_text, 40, &error));
  g_assert_true (ms_outbox_draft_write (draft, message_text + 40, strlen (message_text) - 40,
                                        &error));
  entry->account = g_strdup ("backup");
  entry->from = g_strdup ("me@example.org");
  entry->recipients = g_strdupv ((char **) recipients);
  entry->message_id = g_strdup ("<abc@example.org>");
  entry->subject = g_strdup ("Backup done");
  entry->state = state;
  lock = ms_outbox_draft_commit (draft, entry, &error);
  g_assert_no_error (error);
  g_assert_nonnull (lock);

  return lock;
}

static char *
read_stream (GInputStream *stream)
{
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  g_output_stream_splice (memory, stream, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (memory)) < 4096);
  g_output_stream_write (memory, "", 1, NULL, NULL);

  return g_strdup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (memory)));
}

static char *
read_entry_text (MsOutboxLock *lock)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) stream = ms_outbox_lock_read (lock, &error);
  GOutputStream *memory = g_memory_output_stream_new_resizable ();
  char *text;

  g_assert_no_error (error);
  g_output_stream_splice (memory, stream, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error);
  g_assert_no_error (error);
  text = g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (memory)),
                    g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (memory)));
  g_object_unref (memory);

  return text;
}

static GPtrArray *
list_all (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *entries = ms_outbox_list (fixture->outbox, NULL, &error);

  g_assert_no_error (error);

  return entries;
}

static guint
count_files (Fixture *fixture)
{
  g_autoptr(GDir) dir = g_dir_open (ms_outbox_get_path (fixture->outbox), 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;

  return n;
}

static void
test_keep_and_read (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(MsOutboxLock) lock = keep_message (fixture, MS_OUTBOX_STATE_QUEUED);
  const MsOutboxEntry *kept = ms_outbox_lock_get_entry (lock);
  g_autoptr(GPtrArray) entries = list_all (fixture);
  g_autoptr(GError) error = NULL;
  g_autoptr(MsOutboxEntry) found = NULL;
  g_autofree char *text = read_entry_text (lock);
  g_autofree char *meta = NULL;
  g_autofree char *meta_text = NULL;
  GStatBuf st;

  g_assert_cmpstr (text, ==, message_text);
  g_assert_cmpuint (kept->size, ==, strlen (message_text));
  g_assert_true (ms_outbox_validate_id (kept->id, NULL));
  g_assert_cmpuint (entries->len, ==, 1);

  found = ms_outbox_lookup (fixture->outbox, kept->id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found->account, ==, "backup");
  g_assert_cmpstr (found->from, ==, "me@example.org");
  g_assert_cmpstr (found->recipients[1], ==, "other@example.org");
  g_assert_cmpstr (found->message_id, ==, "<abc@example.org>");
  g_assert_cmpstr (found->subject, ==, "Backup done");
  g_assert_cmpint (found->state, ==, MS_OUTBOX_STATE_QUEUED);
  g_assert_cmpint (found->attempts, ==, 0);
  g_assert_false (found->uncertain);
  g_assert_true (g_date_time_equal (found->created, fixture->now));
  g_assert_true (ms_outbox_entry_is_due (found, fixture->now));

  /* Private folders and files. */
  g_assert_cmpint (g_stat (ms_outbox_get_path (fixture->outbox), &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_cmpint (g_stat (fixture->state_dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  meta = g_strdup_printf ("%s/%s.meta", ms_outbox_get_path (fixture->outbox), kept->id);
  g_assert_cmpint (g_stat (meta, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (meta, &meta_text, NULL, NULL));
  g_assert_null (strstr (meta_text, "password"));

  g_assert_true (ms_outbox_lock_delivered (lock, &error));
  g_assert_no_error (error);
  g_clear_pointer (&entries, g_ptr_array_unref);
  entries = list_all (fixture);
  g_assert_cmpuint (entries->len, ==, 0);
  g_assert_cmpuint (count_files (fixture), ==, 0);
}

static void
test_draft_never_listed (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  MsOutboxDraft *draft = ms_outbox_draft_new (fixture->outbox, &error);
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  g_assert_true (ms_outbox_draft_write (draft, message_text, strlen (message_text), &error));
  stream = ms_outbox_draft_read (draft, &error);
  g_assert_no_error (error);
  text = read_stream (stream);
  g_assert_cmpstr (text, ==, message_text);

  /* A draft in progress is neither listed nor removed by a listing. */
  entries = list_all (fixture);
  g_assert_cmpuint (entries->len, ==, 0);
  g_assert_cmpuint (count_files (fixture), ==, 1);

  ms_outbox_draft_free (draft);
  g_assert_cmpuint (count_files (fixture), ==, 0);
}

/* A writer killed at any point leaves no listed entry, and the next
 * listing removes what it left. */
static void
test_killed_writer (Fixture       *fixture,
                    gconstpointer  data)
{
  for (int stage = 0; stage < 3; stage++)
    {
      g_autoptr(GPtrArray) entries = NULL;
      pid_t pid = fork ();
      int status;

      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        {
          MsOutboxDraft *draft = ms_outbox_draft_new (fixture->outbox, NULL);
          g_autofree char *msg = NULL;

          ms_outbox_draft_write (draft, message_text, 10, NULL);
          if (stage == 1)
            {
              /* As if killed between the message's rename and the .meta. */
              MsOutboxLock *lock = keep_message (fixture, MS_OUTBOX_STATE_QUEUED);

              msg = g_strdup_printf ("%s/%s.meta", ms_outbox_get_path (fixture->outbox),
                                     ms_outbox_lock_get_entry (lock)->id);
              g_unlink (msg);
            }
          if (stage == 2)
            {
              msg = g_build_filename (ms_outbox_get_path (fixture->outbox), ".meta-abcdef", NULL);
              g_file_set_contents (msg, "[entry]\n", -1, NULL);
            }
          _exit (0);
        }
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      g_assert_true (WIFEXITED (status));
      g_assert_cmpuint (count_files (fixture), >, 0);

      if (stage == 2)
        {
          /* A .meta being written is left alone, unless it is old. */
          g_autofree char *temp = g_build_filename (ms_outbox_get_path (fixture->outbox),
                                                    ".meta-abcdef", NULL);
          struct utimbuf times;

          times.actime = times.modtime = g_date_time_to_unix (fixture->now) - 600;
          g_assert_cmpint (g_utime (temp, &times), ==, 0);
          entries = list_all (fixture);
          g_assert_cmpuint (entries->len, ==, 0);
          g_assert_cmpuint (count_files (fixture), ==, 1);
          g_clear_pointer (&entries, g_ptr_array_unref);
          fixture_advance (fixture, 2 * G_TIME_SPAN_HOUR);
        }
      entries = list_all (fixture);
      g_assert_cmpuint (entries->len, ==, 0);
      g_assert_cmpuint (count_files (fixture), ==, 0);
    }
}

static void
test_lock_is_exclusive (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(MsOutboxLock) lock = keep_message (fixture, MS_OUTBOX_STATE_QUEUED);
  g_autofree char *id = g_strdup (ms_outbox_lock_get_entry (lock)->id);
  g_autoptr(GError) error = NULL;
  g_autoptr(MsOutboxLock) again = NULL;

  g_assert_null (ms_outbox_lock (fixture->outbox, id, &error));
  g_assert_no_error (error);
  g_assert_false (ms_outbox_drop (fixture->outbox, id, &error));
  g_assert_error (error, MS_ERROR, MS_ERROR_TEMPORARY_FAILURE);
  g_clear_error (&error);

  g_clear_pointer (&lock, ms_outbox_lock_free);
  again = ms_outbox_lock (fixture->outbox, id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);
  g_assert_true (ms_outbox_lock_delivered (again, &error));

  /* Gone: a second sender that waited finds nothing to send. */
  g_assert_null (ms_outbox_lock (fixture->outbox, id, &error));
  g_assert_no_error (error);
  g_assert_null (ms_outbox_lock (fixture->outbox, "../etc", &error));
  g_assert_error (error, MS_ERROR, MS_ERROR_INVALID_INPUT);
}

static MsResult *
failure (MsErrorCode  code,
         const char  *reply)
{
  MsResult *result = ms_result_new ("send");
  MsResultError *error = ms_result_set_error (result, code, MS_STEP_DATA, "It went wrong.");

  error->server_reply = g_strdup (reply);

  return result;
}

static void
test_backoff (Fixture       *fixture,
              gconstpointer  data)
{
  static const int minutes[] = { 1, 5, 15, 30, 60, 60, 60 };
  g_autoptr(MsOutboxLock) lock = keep_message (fixture, MS_OUTBOX_STATE_QUEUED);
  g_autofree char *id = g_strdup (ms_outbox_lock_get_entry (lock)->id);
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&lock, ms_outbox_lock_free);
  for (guint i = 0; i < G_N_ELEMENTS (minutes); i++)
    {
      g_autoptr(MsResult) result = failure (i == 2 ? MS_ERROR_DELIVERY_UNKNOWN
                                                   : MS_ERROR_CONNECTION_LOST, NULL);
      g_autoptr(MsOutboxEntry) entry = NULL;
      g_autoptr(GDateTime) expected = g_date_time_add_minutes (fixture->now, minutes[i]);

      lock = ms_outbox_lock (fixture->outbox, id, &error);
      g_assert_nonnull (lock);
      g_assert_true (ms_outbox_lock_record (lock, result, &error));
      g_assert_no_error (error);
      g_clear_pointer (&lock, ms_outbox_lock_free);

      entry = ms_outbox_lookup (fixture->outbox, id, &error);
      g_assert_cmpuint (entry->attempts, ==, i + 1);
      g_assert_cmpint (entry->state, ==, MS_OUTBOX_STATE_QUEUED);
      g_assert_true (g_date_time_equal (entry->next_attempt, expected));
      g_assert_false (ms_outbox_entry_is_due (entry, fixture->now));
      g_assert_cmpint (entry->uncertain, ==, i >= 2);
      g_assert_cmpstr (entry->error_message, ==, "It went wrong.");
      g_assert_cmpstr (entry->error_step, ==, "data");
      fixture_advance (fixture, minutes[i] * G_TIME_SPAN_MINUTE);
      g_assert_true (ms_outbox_entry_is_due (entry, fixture->now));
    }
}

static void
test_states_for_errors (void)
{
  g_assert_cmpint (ms_outbox_state_for_error (MS_ERROR_DELIVERY_UNKNOWN, NULL), ==,
                   MS_OUTBOX_STATE_QUEUED);
  g_assert_cmpint (ms_outbox_state_for_error (MS_ERROR_KEYRING_LOCKED, NULL), ==,
                   MS_OUTBOX_STATE_QUEUED);
  g_assert_cmpint (ms_outbox_state_for_error (MS_ERROR_DNS_FAILED, NULL), ==,
                   MS_OUTBOX_STATE_QUEUED);
  g_assert_cmpint (ms_outbox_state_for_error (MS_ERROR_GREETING_REJECTED, "421 busy"), ==,
                   MS_OUTBOX_STATE_QUEUED);
  g_assert_cmpint (ms_outbox_state_for_error (MS_ERROR_GREETING_REJECTED, "554 go away"), ==,
                   MS_OUTBOX_STATE_HELD);
  g_assert_cmpint (ms_outbox_state_for_error (MS_ERROR_APP_PASSWORD_REQUIRED, NULL), ==,
                   MS_OUTBOX_STATE_HELD);
  g_assert_cmpint (ms_outbox_state_for_error (MS_ERROR_CERTIFICATE_EXPIRED, NULL), ==,
                   MS_OUTBOX_STATE_HELD);
  g_assert_cmpint (ms_outbox_state_for_error (MS_ERROR_RECIPIENT_REJECTED, NULL), ==,
                   MS_OUTBOX_STATE_FAILED);
  g_assert_cmpint (ms_outbox_state_for_error (MS_ERROR_MESSAGE_TOO_LARGE, NULL), ==,
                   MS_OUTBOX_STATE_FAILED);
}

static void
test_held_and_released (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(MsOutboxLock) lock = keep_message (fixture, MS_OUTBOX_STATE_QUEUED);
  g_autofree char *id = g_strdup (ms_outbox_lock_get_entry (lock)->id);
  g_autoptr(MsResult) result = failure (MS_ERROR_AUTH_FAILED, "535 5.7.8 no");
  g_autoptr(GError) error = NULL;
  g_autoptr(MsOutboxEntry) held = NULL;
  g_autoptr(MsOutboxEntry) released = NULL;

  g_assert_true (ms_outbox_lock_record (lock, result, &error));
  g_clear_pointer (&lock, ms_outbox_lock_free);
  held = ms_outbox_lookup (fixture->outbox, id, &error);
  g_assert_cmpint (held->state, ==, MS_OUTBOX_STATE_HELD);
  g_assert_null (held->next_attempt);
  g_assert_cmpstr (held->error_reply, ==, "535 5.7.8 no");
  g_assert_cmpint (held->error_code, ==, MS_ERROR_AUTH_FAILED);
  fixture_advance (fixture, 10 * G_TIME_SPAN_DAY);
  g_assert_false (ms_outbox_entry_is_due (held, fixture->now));

  g_assert_cmpuint (ms_outbox_release_held (fixture->outbox, "other", &error), ==, 0);
  g_assert_cmpuint (ms_outbox_release_held (fixture->outbox, "backup", &error), ==, 1);
  g_assert_no_error (error);
  released = ms_outbox_lookup (fixture->outbox, id, &error);
  g_assert_cmpint (released->state, ==, MS_OUTBOX_STATE_QUEUED);
  g_assert_true (ms_outbox_entry_is_due (released, fixture->now));
}

static void
test_refused_recipients_kept (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(MsOutboxLock) lock = keep_message (fixture, MS_OUTBOX_STATE_QUEUED);
  g_autofree char *id = g_strdup (ms_outbox_lock_get_entry (lock)->id);
  g_autoptr(MsResult) result = failure (MS_ERROR_RECIPIENT_REJECTED, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(MsOutboxEntry) failed = NULL;
  g_autoptr(GPtrArray) entries = NULL;

  ms_result_error_add_recipient (result->error, "other@example.org", "550 5.1.1 no such user");
  g_assert_true (ms_outbox_lock_record (lock, result, &error));
  g_clear_pointer (&lock, ms_outbox_lock_free);
  failed = ms_outbox_lookup (fixture->outbox, id, &error);
  g_assert_cmpint (failed->state, ==, MS_OUTBOX_STATE_FAILED);
  g_assert_cmpstr (failed->error_recipients[0], ==, "other@example.org");
  g_assert_cmpstr (failed->error_recipient_replies[0], ==, "550 5.1.1 no such user");
  g_assert_null (failed->error_recipients[1]);

  /* Visible for 7 days, then removed. */
  fixture_advance (fixture, 7 * G_TIME_SPAN_DAY - G_TIME_SPAN_MINUTE);
  entries = list_all (fixture);
  g_assert_cmpuint (entries->len, ==, 1);
  g_clear_pointer (&entries, g_ptr_array_unref);
  fixture_advance (fixture, G_TIME_SPAN_MINUTE);
  entries = list_all (fixture);
  g_assert_cmpuint (entries->len, ==, 0);
  g_assert_cmpuint (count_files (fixture), ==, 0);
}

static void
test_lifetime (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(MsOutboxLock) lock = keep_message (fixture, MS_OUTBOX_STATE_QUEUED);
  g_autofree char *id = g_strdup (ms_outbox_lock_get_entry (lock)->id);
  g_autoptr(GPtrArray) entries = NULL;
  MsOutboxEntry *entry;

  g_clear_pointer (&lock, ms_outbox_lock_free);
  fixture_advance (fixture, 5 * G_TIME_SPAN_DAY - G_TIME_SPAN_MINUTE);
  entries = list_all (fixture);
  g_assert_cmpint (((MsOutboxEntry *) entries->pdata[0])->state, ==, MS_OUTBOX_STATE_QUEUED);
  g_clear_pointer (&entries, g_ptr_array_unref);

  fixture_advance (fixture, G_TIME_SPAN_MINUTE);
  entries = list_all (fixture);
  g_assert_cmpuint (entries->len, ==, 1);
  entry = entries->pdata[0];
  g_assert_cmpint (entry->state, ==, MS_OUTBOX_STATE_FAILED);
  g_assert_true (entry->has_error);
  g_assert_nonnull (entry->error_message);
  g_assert_true (g_date_time_equal (entry->failed_at, fixture->now));
}

static void
test_list_filters_and_sorts (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(MsOutboxLock) first = keep_message (fixture, MS_OUTBOX_STATE_QUEUED);
  g_autoptr(MsOutboxLock) second = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;

  fixture_advance (fixture, G_TIME_SPAN_SECOND);
  second = keep_message (fixture, MS_OUTBOX_STATE_HELD);
  entries = list_all (fixture);
  g_assert_cmpuint (entries->len, ==, 2);
  g_assert_cmpstr (((MsOutboxEntry *) entries->pdata[0])->id, ==,
                   ms_outbox_lock_get_entry (first)->id);
  g_assert_cmpint (((MsOutboxEntry *) entries->pdata[1])->state, ==, MS_OUTBOX_STATE_HELD);
  g_clear_pointer (&entries, g_ptr_array_unref);

  entries = ms_outbox_list (fixture->outbox, "nobody", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 0);

  g_assert_null (ms_outbox_lookup (fixture->outbox, "0123abcd", &error));
  g_assert_error (error, MS_ERROR, MS_ERROR_INVALID_INPUT);
}

static void
test_folder_not_writable (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsOutboxDraft) draft = NULL;

  /* A state folder that is a file: nothing can be kept there. */
  g_assert_true (g_file_set_contents (ms_outbox_get_path (fixture->outbox), "", 0, NULL));
  draft = ms_outbox_draft_new (fixture->outbox, &error);
  g_assert_null (draft);
  g_assert_error (error, MS_ERROR, MS_ERROR_CONFIG_INVALID);
  g_assert_nonnull (strstr (error->message, "outbox"));
  g_unlink (ms_outbox_get_path (fixture->outbox));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/ms/outbox/keep-and-read", test_keep_and_read);
  ADD ("/ms/outbox/draft-never-listed", test_draft_never_listed);
  ADD ("/ms/outbox/killed-writer", test_killed_writer);
  ADD ("/ms/outbox/lock-is-exclusive", test_lock_is_exclusive);
  ADD ("/ms/outbox/backoff", test_backoff);
  ADD ("/ms/outbox/held-and-released", test_held_and_released);
  ADD ("/ms/outbox/refused-recipients-kept", test_refused_recipients_kept);
  ADD ("/ms/outbox/lifetime", test_lifetime);
  ADD ("/ms/outbox/list-filters-and-sorts", test_list_filters_and_sorts);
  ADD ("/ms/outbox/folder-not-writable", test_folder_not_writable);
#undef ADD
  g_test_add_func ("/ms/outbox/states-for-errors", test_states_for_errors);

  return g_test_run ();
}
