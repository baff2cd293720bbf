/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-outbox"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "ms-outbox.h"
#include "ms-paths.h"

/*
 * Files in outbox/ (docs/contract.md, "The outbox"):
 *   ID.msg          the message, written once; its flock is the entry's lock
 *   ID.meta         key file [entry]; the entry exists once this exists
 *   .tmp-XXXXXX     a message being written (flock'd by its writer)
 *   .meta-XXXXXX    a .meta being written (lives for microseconds)
 * Anything else is left alone.
 */

#define META_GROUP        "entry"
#define META_VERSION      1
#define STALE_META_TEMP   (G_TIME_SPAN_HOUR)
#define ID_MAX_LENGTH     32

struct _MsOutbox
{
  GObject            parent_instance;

  char              *state_dir;
  char              *path;
  MsOutboxClockFunc  clock_func;
  gpointer           clock_data;
};

G_DEFINE_FINAL_TYPE (MsOutbox, ms_outbox, G_TYPE_OBJECT)

struct _MsOutboxDraft
{
  MsOutbox      *outbox;
  char          *tmp_path;
  int            fd;
};

struct _MsOutboxLock
{
  MsOutbox      *outbox;
  int            fd;
  MsOutboxEntry *entry;
};

G_DEFINE_BOXED_TYPE (MsOutboxEntry, ms_outbox_entry, ms_outbox_entry_copy, ms_outbox_entry_free)

static const char *state_names[] = {
  [MS_OUTBOX_STATE_QUEUED] = "queued",
  [MS_OUTBOX_STATE_HELD] = "held",
  [MS_OUTBOX_STATE_FAILED] = "failed",
};

const char *
ms_outbox_state_to_string (MsOutboxState state)
{
  g_return_val_if_fail (state <= MS_OUTBOX_STATE_FAILED, "queued");

  return state_names[state];
}

gboolean
ms_outbox_state_from_string (const char    *name,
                             MsOutboxState *state)
{
  g_return_val_if_fail (state != NULL, FALSE);

  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (state_names); i++)
    {
      if (g_str_equal (name, state_names[i]))
        {
          *state = i;
          return TRUE;
        }
    }

  return FALSE;
}

/* ---- entries ---- */

MsOutboxEntry *
ms_outbox_entry_new (void)
{
  return g_new0 (MsOutboxEntry, 1);
}

static GDateTime *
date_time_ref_or_null (GDateTime *when)
{
  return when != NULL ? g_date_time_ref (when) : NULL;
}

MsOutboxEntry *
ms_outbox_entry_copy (const MsOutboxEntry *entry)
{
  MsOutboxEntry *copy;

  g_return_val_if_fail (entry != NULL, NULL);

  copy = g_memdup2 (entry, sizeof *entry);
  copy->id = g_strdup (entry->id);
  copy->account = g_strdup (entry->account);
  copy->message_id = g_strdup (entry->message_id);
  copy->from = g_strdup (entry->from);
  copy->recipients = g_strdupv (entry->recipients);
  copy->dsn_notify = g_strdup (entry->dsn_notify);
  copy->dsn_ret = g_strdup (entry->dsn_ret);
  copy->dsn_envid = g_strdup (entry->dsn_envid);
  copy->subject = g_strdup (entry->subject);
  copy->created = date_time_ref_or_null (entry->created);
  copy->next_attempt = date_time_ref_or_null (entry->next_attempt);
  copy->failed_at = date_time_ref_or_null (entry->failed_at);
  copy->error_step = g_strdup (entry->error_step);
  copy->error_message = g_strdup (entry->error_message);
  copy->error_advice = g_strdup (entry->error_advice);
  copy->error_reply = g_strdup (entry->error_reply);
  copy->error_recipients = g_strdupv (entry->error_recipients);
  copy->error_recipient_replies = g_strdupv (entry->error_recipient_replies);

  return copy;
}

void
ms_outbox_entry_free (MsOutboxEntry *entry)
{
  if (entry == NULL)
    return;

  g_free (entry->id);
  g_free (entry->account);
  g_free (entry->message_id);
  g_free (entry->from);
  g_strfreev (entry->recipients);
  g_free (entry->dsn_notify);
  g_free (entry->dsn_ret);
  g_free (entry->dsn_envid);
  g_free (entry->subject);
  g_clear_pointer (&entry->created, g_date_time_unref);
  g_clear_pointer (&entry->next_attempt, g_date_time_unref);
  g_clear_pointer (&entry->failed_at, g_date_time_unref);
  g_free (entry->error_step);
  g_free (entry->error_message);
  g_free (entry->error_advice);
  g_free (entry->error_reply);
  g_strfreev (entry->error_recipients);
  g_strfreev (entry->error_recipient_replies);
  g_free (entry);
}

/**
 * ms_outbox_entry_is_due:
 * @entry: an entry
 * @now: the current time
 *
 * Returns: whether @entry is queued and its next attempt has come
 */
gboolean
ms_outbox_entry_is_due (const MsOutboxEntry *entry,
                        GDateTime           *now)
{
  g_return_val_if_fail (entry != NULL, FALSE);
  g_return_val_if_fail (now != NULL, FALSE);

  return entry->state == MS_OUTBOX_STATE_QUEUED
         && (entry->next_attempt == NULL || g_date_time_compare (entry->next_attempt, now) <= 0);
}

/**
 * ms_outbox_retry_delay:
 * @attempts: how many attempts failed so far (at least 1)
 *
 * Returns: the wait before the next attempt: 1, 5, 15 and 30 minutes after
 *   the first four attempts, an hour after every later one
 */
GTimeSpan
ms_outbox_retry_delay (guint attempts)
{
  static const int minutes[] = { 1, 5, 15, 30 };

  if (attempts == 0)
    return 0;
  if (attempts <= G_N_ELEMENTS (minutes))
    return minutes[attempts - 1] * G_TIME_SPAN_MINUTE;

  return G_TIME_SPAN_HOUR;
}

/**
 * ms_outbox_state_for_error:
 * @code: why an attempt failed
 * @server_reply: (nullable): the server's reply that made it fail
 *
 * Sorts a failure into the contract's outcomes: queued (a temporary cause,
 * retried automatically), held (the user must fix the account first) or
 * failed (the server refused this message for good).
 *
 * Returns: the state the message is kept in
 */
MsOutboxState
ms_outbox_state_for_error (MsErrorCode  code,
                           const char  *server_reply)
{
  switch (code)
    {
    case MS_ERROR_SENDER_REJECTED:
    case MS_ERROR_RECIPIENT_REJECTED:
    case MS_ERROR_MESSAGE_REJECTED:
    case MS_ERROR_MESSAGE_TOO_LARGE:
    case MS_ERROR_INVALID_INPUT:
      return MS_OUTBOX_STATE_FAILED;

    case MS_ERROR_GREETING_REJECTED:
      return server_reply != NULL && g_str_has_prefix (server_reply, "421")
             ? MS_OUTBOX_STATE_QUEUED : MS_OUTBOX_STATE_HELD;

    case MS_ERROR_AUTH_UNSUPPORTED:
    case MS_ERROR_AUTH_FAILED:
    case MS_ERROR_APP_PASSWORD_REQUIRED:
    case MS_ERROR_WEB_LOGIN_REQUIRED:
    case MS_ERROR_SECRET_MISSING:
    case MS_ERROR_CREDENTIAL_UNAVAILABLE:
    case MS_ERROR_CONFIG_INVALID:
    case MS_ERROR_ONLINE_ACCOUNT_UNAVAILABLE:
    case MS_ERROR_ONLINE_ACCOUNT_NEEDS_ATTENTION:
    case MS_ERROR_UNKNOWN_ACCOUNT:
    case MS_ERROR_USAGE:
    case MS_ERROR_WRONG_SECURITY_MODE:
    case MS_ERROR_TLS_HANDSHAKE_FAILED:
    case MS_ERROR_CERTIFICATE_UNTRUSTED:
    case MS_ERROR_CERTIFICATE_EXPIRED:
    case MS_ERROR_CERTIFICATE_NOT_YET_VALID:
    case MS_ERROR_CERTIFICATE_NAME_MISMATCH:
    case MS_ERROR_PIN_MISMATCH:
    case MS_ERROR_STARTTLS_UNAVAILABLE:
    case MS_ERROR_STARTTLS_INJECTION:
      return MS_OUTBOX_STATE_HELD;

    default:
      /* Every exit-75 code, connection-lost, dns-failed, connect-refused,
       * the keyring's, and anything unexpected: retrying loses nothing. */
      return MS_OUTBOX_STATE_QUEUED;
    }
}

/* ---- the outbox object ---- */

static void
ms_outbox_finalize (GObject *object)
{
  MsOutbox *self = MS_OUTBOX (object);

  g_free (self->state_dir);
  g_free (self->path);

  G_OBJECT_CLASS (ms_outbox_parent_class)->finalize (object);
}

static void
ms_outbox_class_init (MsOutboxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ms_outbox_finalize;
}

static void
ms_outbox_init (MsOutbox *self)
{
}

/**
 * ms_outbox_find_state_dir:
 * @state_dir: (nullable): a folder the caller chose
 *
 * Returns: (transfer full): @state_dir when given, else the state folder
 *   in force (ms_paths_new()): `$MAILSETUP_STATE_DIR`, else
 *   `$XDG_STATE_HOME/mailsetup`, or /var/spool/mailsetup in system mode
 */
char *
ms_outbox_find_state_dir (const char *state_dir)
{
  return ms_paths_find_state_dir (state_dir);
}

/**
 * ms_outbox_new:
 * @state_dir: (nullable): the state folder; see ms_outbox_find_state_dir()
 *
 * Creates nothing on disk until a message is kept.
 *
 * Returns: (transfer full): the outbox in `outbox/` of the state folder
 */
MsOutbox *
ms_outbox_new (const char *state_dir)
{
  MsOutbox *self = g_object_new (MS_TYPE_OUTBOX, NULL);

  self->state_dir = ms_outbox_find_state_dir (state_dir);
  self->path = g_build_filename (self->state_dir, "outbox", NULL);

  return self;
}

const char *
ms_outbox_get_path (MsOutbox *self)
{
  g_return_val_if_fail (MS_IS_OUTBOX (self), NULL);

  return self->path;
}

/**
 * ms_outbox_set_clock:
 * @self: the outbox
 * @clock_func: (nullable): the clock, or %NULL for the system's
 * @user_data: data for @clock_func
 */
void
ms_outbox_set_clock (MsOutbox          *self,
                     MsOutboxClockFunc  clock_func,
                     gpointer           user_data)
{
  g_return_if_fail (MS_IS_OUTBOX (self));

  self->clock_func = clock_func;
  self->clock_data = user_data;
}

/**
 * ms_outbox_now:
 * @self: the outbox
 *
 * Returns: (transfer full): the current time, UTC, by the outbox's clock
 */
GDateTime *
ms_outbox_now (MsOutbox *self)
{
  g_autoptr(GDateTime) now = NULL;

  g_return_val_if_fail (MS_IS_OUTBOX (self), NULL);

  now = self->clock_func != NULL ? self->clock_func (self->clock_data)
                                 : g_date_time_new_now_utc ();

  return g_date_time_to_utc (now);
}

/* ---- files ---- */

static MsErrorCode
code_for_errno (int saved_errno)
{
  switch (saved_errno)
    {
    case EACCES:
    case EPERM:
    case EROFS:
    case ENOTDIR:
      return MS_ERROR_CONFIG_INVALID;
    default:
      /* ENOSPC, EDQUOT, EIO: the caller keeps its message and tries later. */
      return MS_ERROR_TEMPORARY_FAILURE;
    }
}

static gboolean
set_file_error (GError     **error,
                int          saved_errno,
                const char  *path)
{
  g_set_error (error, MS_ERROR, code_for_errno (saved_errno),
               _("Could not keep the message in the outbox (%s): %s"),
               path, g_strerror (saved_errno));
  return FALSE;
}

static gboolean
ensure_folder (MsOutbox  *self,
               GError   **error)
{
  if (g_mkdir_with_parents (self->state_dir, 0700) != 0
      || (g_mkdir (self->path, 0700) != 0 && errno != EEXIST))
    return set_file_error (error, errno, self->path);

  return TRUE;
}

static gboolean
sync_folder (MsOutbox  *self,
             GError   **error)
{
  int fd = open (self->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int saved_errno;

  if (fd < 0)
    return set_file_error (error, errno, self->path);
  if (fsync (fd) == 0)
    {
      close (fd);
      return TRUE;
    }

  saved_errno = errno;
  close (fd);

  return set_file_error (error, saved_errno, self->path);
}

static gboolean
write_all (int          fd,
           const void  *data,
           gsize        length,
           const char  *path,
           GError     **error)
{
  const char *p = data;

  while (length > 0)
    {
      gssize n = write (fd, p, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return set_file_error (error, errno, path);
      p += n;
      length -= n;
    }

  return TRUE;
}

static char *
entry_path (MsOutbox   *self,
            const char *id,
            const char *suffix)
{
  g_autofree char *name = g_strconcat (id, suffix, NULL);

  return g_build_filename (self->path, name, NULL);
}

static char *
make_id (GDateTime *now)
{
  return g_strdup_printf ("%010" G_GINT64_MODIFIER "x%06x",
                          g_date_time_to_unix (now), g_random_int () & 0xffffff);
}

/**
 * ms_outbox_validate_id:
 * @id: what the user typed as an outbox id
 * @error: return location for an error
 *
 * Returns: %TRUE when @id has the form of an outbox id; errors: invalid-input
 */
gboolean
ms_outbox_validate_id (const char  *id,
                       GError     **error)
{
  gsize length = id != NULL ? strlen (id) : 0;

  for (gsize i = 0; i < length; i++)
    {
      if (!g_ascii_isxdigit (id[i]) || g_ascii_isupper (id[i]))
        length = 0;
    }

  if (length == 0 || length > ID_MAX_LENGTH)
    {
      g_set_error (error, MS_ERROR, MS_ERROR_INVALID_INPUT,
                   _("“%s” is not an outbox id (see mailsetup-cli queue list)."),
                   id != NULL ? id : "");
      return FALSE;
    }

  return TRUE;
}

/* ---- .meta files ---- */

static void
set_time (GKeyFile   *key_file,
          const char *key,
          GDateTime  *when)
{
  g_autofree char *text = NULL;

  if (when == NULL)
    return;
  text = g_date_time_format_iso8601 (when);
  g_key_file_set_string (key_file, META_GROUP, key, text);
}

static void
set_optional_string (GKeyFile   *key_file,
                     const char *key,
                     const char *value)
{
  if (value != NULL)
    g_key_file_set_string (key_file, META_GROUP, key, value);
}

static void
set_optional_list (GKeyFile           *key_file,
                   const char         *key,
                   const char * const *values)
{
  if (values != NULL)
    g_key_file_set_string_list (key_file, META_GROUP, key, values, g_strv_length ((char **) values));
}

static char *
entry_to_data (const MsOutboxEntry *entry,
               gsize               *length)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();

  g_key_file_set_integer (key_file, META_GROUP, "version", META_VERSION);
  g_key_file_set_string (key_file, META_GROUP, "account", entry->account);
  g_key_file_set_string (key_file, META_GROUP, "state", ms_outbox_state_to_string (entry->state));
  set_optional_string (key_file, "message-id", entry->message_id);
  g_key_file_set_string (key_file, META_GROUP, "from", entry->from);
  set_optional_list (key_file, "recipients", (const char * const *) entry->recipients);
  set_optional_string (key_file, "dsn-notify", entry->dsn_notify);
  set_optional_string (key_file, "dsn-ret", entry->dsn_ret);
  set_optional_string (key_file, "dsn-envid", entry->dsn_envid);
  if (entry->body_8bitmime)
    g_key_file_set_boolean (key_file, META_GROUP, "body-8bitmime", TRUE);
  set_optional_string (key_file, "subject", entry->subject);
  g_key_file_set_uint64 (key_file, META_GROUP, "size", entry->size);
  set_time (key_file, "created", entry->created);
  g_key_file_set_integer (key_file, META_GROUP, "attempts", entry->attempts);
  set_time (key_file, "next-attempt", entry->next_attempt);
  set_time (key_file, "failed-at", entry->failed_at);
  g_key_file_set_boolean (key_file, META_GROUP, "uncertain", entry->uncertain);
  if (entry->has_error)
    {
      g_key_file_set_string (key_file, META_GROUP, "error-code",
                             ms_error_code_to_string (entry->error_code));
      set_optional_string (key_file, "error-step", entry->error_step);
      set_optional_string (key_file, "error-message", entry->error_message);
      set_optional_string (key_file, "error-advice", entry->error_advice);
      set_optional_string (key_file, "error-reply", entry->error_reply);
      set_optional_list (key_file, "error-recipients",
                         (const char * const *) entry->error_recipients);
      set_optional_list (key_file, "error-recipient-replies",
                         (const char * const *) entry->error_recipient_replies);
    }

  return g_key_file_to_data (key_file, length, NULL);
}

static GDateTime *
get_time (GKeyFile   *key_file,
          const char *key)
{
  g_autofree char *text = g_key_file_get_string (key_file, META_GROUP, key, NULL);
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();

  return text != NULL ? g_date_time_new_from_iso8601 (text, utc) : NULL;
}

static char *
get_string (GKeyFile   *key_file,
            const char *key)
{
  return g_key_file_get_string (key_file, META_GROUP, key, NULL);
}

static char **
get_list (GKeyFile   *key_file,
          const char *key)
{
  return g_key_file_get_string_list (key_file, META_GROUP, key, NULL, NULL);
}

static void
entry_read_error (MsOutboxEntry *entry,
                  GKeyFile      *key_file)
{
  g_autofree char *code = get_string (key_file, "error-code");

  entry->has_error = code != NULL && ms_error_code_from_string (code, &entry->error_code);
  if (!entry->has_error)
    return;

  entry->error_step = get_string (key_file, "error-step");
  entry->error_message = get_string (key_file, "error-message");
  entry->error_advice = get_string (key_file, "error-advice");
  entry->error_reply = get_string (key_file, "error-reply");
  entry->error_recipients = get_list (key_file, "error-recipients");
  entry->error_recipient_replies = get_list (key_file, "error-recipient-replies");
}

/* NULL (with errno set) when the file is missing or not a valid entry. */
static MsOutboxEntry *
read_entry (MsOutbox   *self,
            const char *id)
{
  g_autofree char *path = entry_path (self, id, ".meta");
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(MsOutboxEntry) entry = ms_outbox_entry_new ();
  g_autofree char *state = NULL;

  if (!g_key_file_load_from_file (key_file, path, G_KEY_FILE_NONE, NULL))
    {
      if (errno != ENOENT)
        errno = EINVAL;
      return NULL;
    }

  errno = EINVAL;
  entry->id = g_strdup (id);
  entry->account = get_string (key_file, "account");
  entry->from = get_string (key_file, "from");
  entry->recipients = get_list (key_file, "recipients");
  state = get_string (key_file, "state");
  entry->created = get_time (key_file, "created");
  if (entry->account == NULL || entry->from == NULL || entry->recipients == NULL
      || entry->created == NULL || !ms_outbox_state_from_string (state, &entry->state))
    return NULL;

  entry->message_id = get_string (key_file, "message-id");
  entry->subject = get_string (key_file, "subject");
  entry->dsn_notify = get_string (key_file, "dsn-notify");
  entry->dsn_ret = get_string (key_file, "dsn-ret");
  entry->dsn_envid = get_string (key_file, "dsn-envid");
  entry->body_8bitmime = g_key_file_get_boolean (key_file, META_GROUP, "body-8bitmime", NULL);
  entry->size = g_key_file_get_uint64 (key_file, META_GROUP, "size", NULL);
  entry->attempts = g_key_file_get_integer (key_file, META_GROUP, "attempts", NULL);
  entry->next_attempt = get_time (key_file, "next-attempt");
  entry->failed_at = get_time (key_file, "failed-at");
  entry->uncertain = g_key_file_get_boolean (key_file, META_GROUP, "uncertain", NULL);
  entry_read_error (entry, key_file);

  return g_steal_pointer (&entry);
}

/* The crash-safe write: a temporary file, fsync, rename over ID.meta, fsync
 * of the folder. A crash leaves the old .meta or the new one, never half. */
static gboolean
write_entry (MsOutbox            *self,
             const MsOutboxEntry *entry,
             GError             **error)
{
  g_autofree char *tmp_path = g_build_filename (self->path, ".meta-XXXXXX", NULL);
  g_autofree char *path = entry_path (self, entry->id, ".meta");
  gsize length;
  g_autofree char *data = entry_to_data (entry, &length);
  int fd = g_mkstemp_full (tmp_path, O_WRONLY | O_CLOEXEC, 0600);
  int saved_errno;

  if (fd < 0)
    return set_file_error (error, errno, self->path);

  if (!write_all (fd, data, length, self->path, error))
    {
      close (fd);
      g_unlink (tmp_path);
      return FALSE;
    }

  if (fsync (fd) != 0 || close (fd) != 0 || g_rename (tmp_path, path) != 0)
    {
      saved_errno = errno;
      g_unlink (tmp_path);
      return set_file_error (error, saved_errno, self->path);
    }

  return sync_folder (self, error);
}

/* ---- locks ---- */

static MsOutboxLock *
lock_new (MsOutbox      *self,
          int            fd,
          MsOutboxEntry *entry)
{
  MsOutboxLock *lock = g_new0 (MsOutboxLock, 1);

  lock->outbox = g_object_ref (self);
  lock->fd = fd;
  lock->entry = entry;

  return lock;
}

/**
 * ms_outbox_lock:
 * @self: the outbox
 * @id: an entry's id
 * @error: return location for an error
 *
 * Takes the entry for this process, without waiting: while the lock lives,
 * no other process sends, changes or drops it.
 *
 * Returns: (transfer full) (nullable): the lock, or %NULL without an error
 *   when another process holds the entry or it no longer exists;
 *   errors: invalid-input (not an id)
 */
MsOutboxLock *
ms_outbox_lock (MsOutbox    *self,
                const char  *id,
                GError     **error)
{
  g_autofree char *path = NULL;
  MsOutboxEntry *entry;
  int fd;

  g_return_val_if_fail (MS_IS_OUTBOX (self), NULL);

  if (!ms_outbox_validate_id (id, error))
    return NULL;

  path = entry_path (self, id, ".msg");
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      close (fd);
      return NULL;
    }

  /* Read after locking: the holder before us may have delivered it. */
  entry = read_entry (self, id);
  if (entry == NULL)
    {
      close (fd);
      return NULL;
    }

  return lock_new (self, fd, entry);
}

const MsOutboxEntry *
ms_outbox_lock_get_entry (MsOutboxLock *lock)
{
  g_return_val_if_fail (lock != NULL, NULL);

  return lock->entry;
}

/* A seekable stream: the engine reads a message twice (measure, send). */
static GInputStream *
open_for_reading (const char  *path,
                  GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) local_error = NULL;
  GFileInputStream *stream = g_file_read (file, NULL, &local_error);

  if (stream == NULL)
    g_set_error (error, MS_ERROR, MS_ERROR_INTERNAL,
                 _("Could not read the kept message (%s): %s"), path, local_error->message);

  return G_INPUT_STREAM (stream);
}

/**
 * ms_outbox_lock_read:
 * @lock: a held entry
 * @error: return location for an error
 *
 * Returns: (transfer full): the message as it goes on the wire (CRLF, not
 *   dot-stuffed), from its first octet; errors: internal
 */
GInputStream *
ms_outbox_lock_read (MsOutboxLock  *lock,
                     GError       **error)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (lock != NULL && lock->fd >= 0, NULL);

  path = entry_path (lock->outbox, lock->entry->id, ".msg");

  return open_for_reading (path, error);
}

static gboolean
remove_entry_files (MsOutbox    *self,
                    const char  *id,
                    GError     **error)
{
  g_autofree char *meta = entry_path (self, id, ".meta");
  g_autofree char *msg = entry_path (self, id, ".msg");

  /* The .meta first: without it the entry is gone, even if the .msg
   * outlives a crash (the next listing removes it). */
  if (g_unlink (meta) != 0 && errno != ENOENT)
    return set_file_error (error, errno, self->path);
  g_unlink (msg);

  return sync_folder (self, error);
}

/**
 * ms_outbox_lock_delivered:
 * @lock: a held entry
 * @error: return location for an error
 *
 * Removes the entry: it was delivered (or the user dropped it). The lock
 * is spent; free it.
 *
 * Returns: %TRUE on success; errors: temporary-failure, config-invalid
 */
gboolean
ms_outbox_lock_delivered (MsOutboxLock  *lock,
                          GError       **error)
{
  gboolean removed;

  g_return_val_if_fail (lock != NULL && lock->fd >= 0, FALSE);

  removed = remove_entry_files (lock->outbox, lock->entry->id, error);
  close (lock->fd);
  lock->fd = -1;

  return removed;
}

static void
entry_set_error (MsOutboxEntry       *entry,
                 const MsResultError *result_error)
{
  g_clear_pointer (&entry->error_step, g_free);
  g_clear_pointer (&entry->error_message, g_free);
  g_clear_pointer (&entry->error_advice, g_free);
  g_clear_pointer (&entry->error_reply, g_free);
  g_clear_pointer (&entry->error_recipients, g_strfreev);
  g_clear_pointer (&entry->error_recipient_replies, g_strfreev);

  entry->has_error = TRUE;
  entry->error_code = result_error->code;
  entry->error_step = g_strdup (ms_step_kind_to_string (result_error->step));
  entry->error_message = g_strdup (result_error->message);
  entry->error_advice = g_strdup (result_error->advice);
  entry->error_reply = g_strdup (result_error->server_reply);
  if (result_error->recipients != NULL && result_error->recipients->len > 0)
    {
      guint n = result_error->recipients->len;

      entry->error_recipients = g_new0 (char *, n + 1);
      entry->error_recipient_replies = g_new0 (char *, n + 1);
      for (guint i = 0; i < n; i++)
        {
          const MsRecipientReply *refused = g_ptr_array_index (result_error->recipients, i);

          entry->error_recipients[i] = g_strdup (refused->address);
          entry->error_recipient_replies[i] = g_strdup (refused->reply ? refused->reply : "");
        }
    }
}

static void
entry_set_state (MsOutboxEntry *entry,
                 MsOutboxState  state,
                 GDateTime     *next_attempt,
                 GDateTime     *now)
{
  entry->state = state;
  g_clear_pointer (&entry->next_attempt, g_date_time_unref);
  g_clear_pointer (&entry->failed_at, g_date_time_unref);
  if (state == MS_OUTBOX_STATE_QUEUED)
    entry->next_attempt = g_date_time_ref (next_attempt);
  else if (state == MS_OUTBOX_STATE_FAILED)
    entry->failed_at = g_date_time_ref (now);
}

static gboolean
entry_expired (const MsOutboxEntry *entry,
               GDateTime           *now)
{
  return g_date_time_difference (now, entry->created) >= MS_OUTBOX_LIFETIME;
}

/**
 * ms_outbox_lock_record:
 * @lock: a held entry
 * @result: the failed attempt (result->error set)
 * @error: return location for an error
 *
 * Records a failed attempt: one more attempt, the error, and the state it
 * leads to (ms_outbox_state_for_error()). A queued message gets its next
 * attempt from the backoff schedule, or becomes failed once it is older
 * than the lifetime. delivery-unknown marks it uncertain for good.
 *
 * Returns: %TRUE when the entry was written; errors: temporary-failure,
 *   config-invalid
 */
gboolean
ms_outbox_lock_record (MsOutboxLock    *lock,
                       const MsResult  *result,
                       GError         **error)
{
  MsOutboxEntry *entry;
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GDateTime) next = NULL;
  MsOutboxState state;

  g_return_val_if_fail (lock != NULL && lock->fd >= 0, FALSE);
  g_return_val_if_fail (result != NULL && result->error != NULL, FALSE);

  entry = lock->entry;
  now = ms_outbox_now (lock->outbox);
  entry->attempts++;
  entry_set_error (entry, result->error);
  if (result->error->code == MS_ERROR_DELIVERY_UNKNOWN)
    entry->uncertain = TRUE;

  state = ms_outbox_state_for_error (result->error->code, result->error->server_reply);
  if (state == MS_OUTBOX_STATE_QUEUED && entry_expired (entry, now))
    state = MS_OUTBOX_STATE_FAILED;
  next = g_date_time_add (now, ms_outbox_retry_delay (entry->attempts));
  entry_set_state (entry, state, next, now);

  return write_entry (lock->outbox, entry, error);
}

/**
 * ms_outbox_lock_set_state:
 * @lock: a held entry
 * @state: the new state
 * @error: return location for an error
 *
 * Moves the entry to @state by hand: queued means due now (a held message
 * released, or `queue flush --now`).
 *
 * Returns: %TRUE when the entry was written; errors: temporary-failure,
 *   config-invalid
 */
gboolean
ms_outbox_lock_set_state (MsOutboxLock   *lock,
                          MsOutboxState   state,
                          GError        **error)
{
  g_autoptr(GDateTime) now = NULL;

  g_return_val_if_fail (lock != NULL && lock->fd >= 0, FALSE);

  now = ms_outbox_now (lock->outbox);
  entry_set_state (lock->entry, state, now, now);

  return write_entry (lock->outbox, lock->entry, error);
}

void
ms_outbox_lock_free (MsOutboxLock *lock)
{
  if (lock == NULL)
    return;

  if (lock->fd >= 0)
    close (lock->fd);
  ms_outbox_entry_free (lock->entry);
  g_object_unref (lock->outbox);
  g_free (lock);
}

/* ---- drafts ---- */

/**
 * ms_outbox_draft_new:
 * @self: the outbox
 * @error: return location for an error
 *
 * Starts a message: a temporary file in the outbox, mode 0600, that no
 * listing shows and that is removed unless committed.
 *
 * Returns: (transfer full) (nullable): the draft; errors: temporary-failure
 *   (a full disk and the like), config-invalid (the folder is not writable)
 */
MsOutboxDraft *
ms_outbox_draft_new (MsOutbox  *self,
                     GError   **error)
{
  g_autofree char *tmp_path = NULL;
  MsOutboxDraft *draft;
  int fd;

  g_return_val_if_fail (MS_IS_OUTBOX (self), NULL);

  if (!ensure_folder (self, error))
    return NULL;

  tmp_path = g_build_filename (self->path, ".tmp-XXXXXX", NULL);
  fd = g_mkstemp_full (tmp_path, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      set_file_error (error, errno, self->path);
      return NULL;
    }
  /* Held from now on, across the rename: a concurrent listing sees a
   * locked file and leaves it alone. */
  flock (fd, LOCK_EX);

  draft = g_new0 (MsOutboxDraft, 1);
  draft->outbox = g_object_ref (self);
  draft->tmp_path = g_steal_pointer (&tmp_path);
  draft->fd = fd;

  return draft;
}

/**
 * ms_outbox_draft_write:
 * @draft: a draft
 * @data: (array length=length): octets of the message
 * @length: how many
 * @error: return location for an error
 *
 * Returns: %TRUE on success; errors: temporary-failure, config-invalid
 */
gboolean
ms_outbox_draft_write (MsOutboxDraft  *draft,
                       const void     *data,
                       gsize           length,
                       GError        **error)
{
  g_return_val_if_fail (draft != NULL && draft->fd >= 0, FALSE);

  return write_all (draft->fd, data, length, draft->outbox->path, error);
}

/**
 * ms_outbox_draft_read:
 * @draft: a draft
 * @error: return location for an error
 *
 * Returns: (transfer full): what was written so far, from its first octet
 *   (for a message sent without being kept); errors: internal
 */
GInputStream *
ms_outbox_draft_read (MsOutboxDraft  *draft,
                      GError        **error)
{
  g_return_val_if_fail (draft != NULL && draft->tmp_path != NULL, NULL);

  return open_for_reading (draft->tmp_path, error);
}

/**
 * ms_outbox_draft_map:
 * @draft: a draft
 * @error: return location for an error
 *
 * Returns: (transfer full): what was written so far, mapped from the file
 *   (pages are read as they are used); errors: internal
 */
GBytes *
ms_outbox_draft_map (MsOutboxDraft  *draft,
                     GError        **error)
{
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (draft != NULL && draft->tmp_path != NULL, NULL);

  mapped = g_mapped_file_new (draft->tmp_path, FALSE, &local_error);
  if (mapped == NULL)
    {
      g_set_error (error, MS_ERROR, MS_ERROR_INTERNAL,
                   _("Could not read the kept message (%s): %s"), draft->tmp_path,
                   local_error->message);
      return NULL;
    }

  return g_mapped_file_get_bytes (mapped);
}

/**
 * ms_outbox_draft_commit:
 * @draft: a draft holding the whole message
 * @entry: (transfer none): the envelope and state: account, from,
 *   recipients, message_id, subject, state; the id, size, creation time and
 *   (when queued and unset) the next attempt are filled in
 * @error: return location for an error
 *
 * Keeps the message: fsync, rename to `ID.msg`, fsync of the folder, then
 * the `.meta`. Until it returns, a crash leaves no entry. The draft is
 * spent either way; free it.
 *
 * Returns: (transfer full) (nullable): the new entry, locked by this
 *   process; errors: temporary-failure, config-invalid
 */
MsOutboxLock *
ms_outbox_draft_commit (MsOutboxDraft  *draft,
                        MsOutboxEntry  *entry,
                        GError        **error)
{
  MsOutbox *self;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *msg_path = NULL;
  struct stat st;
  int fd;

  g_return_val_if_fail (draft != NULL && draft->fd >= 0, NULL);
  g_return_val_if_fail (entry != NULL && entry->account != NULL && entry->from != NULL, NULL);

  self = draft->outbox;
  now = ms_outbox_now (self);
  g_free (entry->id);
  entry->id = make_id (now);
  if (entry->created == NULL)
    entry->created = g_date_time_ref (now);
  if (entry->state == MS_OUTBOX_STATE_QUEUED && entry->next_attempt == NULL)
    entry->next_attempt = g_date_time_ref (now);

  msg_path = entry_path (self, entry->id, ".msg");
  if (fsync (draft->fd) != 0 || fstat (draft->fd, &st) != 0
      || g_rename (draft->tmp_path, msg_path) != 0)
    {
      set_file_error (error, errno, self->path);
      return NULL;
    }
  g_clear_pointer (&draft->tmp_path, g_free);
  entry->size = st.st_size;

  if (!sync_folder (self, error) || !write_entry (self, entry, error))
    {
      g_unlink (msg_path);
      return NULL;
    }

  fd = draft->fd;
  draft->fd = -1;

  return lock_new (self, fd, ms_outbox_entry_copy (entry));
}

void
ms_outbox_draft_free (MsOutboxDraft *draft)
{
  if (draft == NULL)
    return;

  if (draft->tmp_path != NULL)
    g_unlink (draft->tmp_path);
  if (draft->fd >= 0)
    close (draft->fd);
  g_free (draft->tmp_path);
  g_object_unref (draft->outbox);
  g_free (draft);
}

/* ---- listing and housekeeping ---- */

/* A file that only a crashed writer could have left: a draft nobody holds,
 * a message without its .meta, a .meta being written an hour ago. */
static void
remove_if_abandoned (MsOutbox   *self,
                     const char *name,
                     GDateTime  *now)
{
  g_autofree char *path = g_build_filename (self->path, name, NULL);
  g_autofree char *id = NULL;
  g_autofree char *meta = NULL;
  GStatBuf st;
  int fd;

  if (g_str_has_prefix (name, ".meta-"))
    {
      if (g_stat (path, &st) == 0
          && g_date_time_to_unix (now) - st.st_mtime > STALE_META_TEMP / G_TIME_SPAN_SECOND)
        g_unlink (path);
      return;
    }

  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return;
  if (flock (fd, LOCK_EX | LOCK_NB) == 0)
    {
      id = g_str_has_suffix (name, ".msg") ? g_strndup (name, strlen (name) - 4) : NULL;
      meta = id != NULL ? entry_path (self, id, ".meta") : NULL;
      if (meta == NULL || !g_file_test (meta, G_FILE_TEST_EXISTS))
        g_unlink (path);
    }
  close (fd);
}

/* Applies the lifetime rules to an entry nobody holds. Returns FALSE when
 * the entry went away. */
static gboolean
apply_lifetime (MsOutbox      *self,
                MsOutboxEntry *entry,
                GDateTime     *now)
{
  g_autoptr(MsOutboxLock) lock = NULL;
  gboolean too_old_failed = entry->state == MS_OUTBOX_STATE_FAILED && entry->failed_at != NULL
                            && g_date_time_difference (now, entry->failed_at) >= MS_OUTBOX_FAILED_KEPT;
  gboolean too_old_queued = entry->state == MS_OUTBOX_STATE_QUEUED && entry_expired (entry, now);

  if (!too_old_failed && !too_old_queued)
    return TRUE;

  lock = ms_outbox_lock (self, entry->id, NULL);
  if (lock == NULL)
    return TRUE;

  if (too_old_failed)
    {
      ms_outbox_lock_delivered (lock, NULL);
      return FALSE;
    }

  if (!lock->entry->has_error)
    {
      lock->entry->has_error = TRUE;
      lock->entry->error_code = MS_ERROR_TEMPORARY_FAILURE;
      lock->entry->error_message = g_strdup (_("The message could not be delivered within 5 days."));
    }
  entry_set_state (lock->entry, MS_OUTBOX_STATE_FAILED, NULL, now);
  if (write_entry (self, lock->entry, NULL))
    {
      entry->state = lock->entry->state;
      g_clear_pointer (&entry->next_attempt, g_date_time_unref);
      entry->failed_at = g_date_time_ref (now);
      if (!entry->has_error)
        {
          entry->has_error = TRUE;
          entry->error_code = lock->entry->error_code;
          entry->error_message = g_strdup (lock->entry->error_message);
        }
    }

  return TRUE;
}

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  const MsOutboxEntry *x = *(const MsOutboxEntry * const *) a;
  const MsOutboxEntry *y = *(const MsOutboxEntry * const *) b;
  int order = g_date_time_compare (x->created, y->created);

  return order != 0 ? order : strcmp (x->id, y->id);
}

/* Only whole entries: a .meta that parses and a .msg of the size it says. */
static MsOutboxEntry *
read_listed_entry (MsOutbox   *self,
                   const char *name)
{
  g_autofree char *id = g_strndup (name, strlen (name) - 5);
  g_autofree char *msg = NULL;
  g_autoptr(MsOutboxEntry) entry = NULL;
  GStatBuf st;

  if (!ms_outbox_validate_id (id, NULL))
    return NULL;
  entry = read_entry (self, id);
  if (entry == NULL)
    return NULL;
  msg = entry_path (self, id, ".msg");
  if (g_stat (msg, &st) != 0 || (guint64) st.st_size != entry->size)
    return NULL;

  return g_steal_pointer (&entry);
}

/**
 * ms_outbox_list:
 * @self: the outbox
 * @account: (nullable): only this account's messages
 * @error: return location for an error
 *
 * Every kept message, oldest first. On the way it applies the lifetime
 * rules (a queued message older than 5 days becomes failed; a failed one
 * is removed after 7 days) and removes what crashed writers left behind.
 *
 * Returns: (transfer full) (element-type MsOutboxEntry): the entries;
 *   errors: config-invalid (the folder cannot be read)
 */
GPtrArray *
ms_outbox_list (MsOutbox    *self,
                const char  *account,
                GError     **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) ms_outbox_entry_free);
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_return_val_if_fail (MS_IS_OUTBOX (self), NULL);

  dir = g_dir_open (self->path, 0, &local_error);
  if (dir == NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&entries);
      g_set_error (error, MS_ERROR, MS_ERROR_CONFIG_INVALID,
                   _("Could not read the outbox: %s"), local_error->message);
      return NULL;
    }

  now = ms_outbox_now (self);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      MsOutboxEntry *entry;

      if (name[0] == '.' || g_str_has_suffix (name, ".msg"))
        {
          remove_if_abandoned (self, name, now);
          continue;
        }
      if (!g_str_has_suffix (name, ".meta") || (entry = read_listed_entry (self, name)) == NULL)
        continue;
      if ((account != NULL && g_strcmp0 (entry->account, account) != 0)
          || !apply_lifetime (self, entry, now))
        {
          ms_outbox_entry_free (entry);
          continue;
        }
      g_ptr_array_add (entries, entry);
    }

  g_ptr_array_sort (entries, compare_entries);

  return g_steal_pointer (&entries);
}

/**
 * ms_outbox_lookup:
 * @self: the outbox
 * @id: an entry's id
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the entry; errors: invalid-input
 *   (not an id, or no such entry)
 */
MsOutboxEntry *
ms_outbox_lookup (MsOutbox    *self,
                  const char  *id,
                  GError     **error)
{
  g_autofree char *name = NULL;
  MsOutboxEntry *entry;

  g_return_val_if_fail (MS_IS_OUTBOX (self), NULL);

  if (!ms_outbox_validate_id (id, error))
    return NULL;

  name = g_strconcat (id, ".meta", NULL);
  entry = read_listed_entry (self, name);
  if (entry == NULL)
    g_set_error (error, MS_ERROR, MS_ERROR_INVALID_INPUT,
                 _("There is no message %s in the outbox."), id);

  return entry;
}

/**
 * ms_outbox_drop:
 * @self: the outbox
 * @id: an entry's id
 * @error: return location for an error
 *
 * Deletes a kept message that no process is sending.
 *
 * Returns: %TRUE when it was deleted; errors: invalid-input (no such
 *   entry), temporary-failure (being sent right now)
 */
gboolean
ms_outbox_drop (MsOutbox    *self,
                const char  *id,
                GError     **error)
{
  g_autoptr(MsOutboxLock) lock = NULL;
  g_autoptr(MsOutboxEntry) entry = NULL;

  g_return_val_if_fail (MS_IS_OUTBOX (self), FALSE);

  entry = ms_outbox_lookup (self, id, error);
  if (entry == NULL)
    return FALSE;

  lock = ms_outbox_lock (self, id, error);
  if (lock == NULL)
    {
      g_set_error (error, MS_ERROR, MS_ERROR_TEMPORARY_FAILURE,
                   _("Message %s is being sent right now; look again in a moment."), id);
      return FALSE;
    }

  return ms_outbox_lock_delivered (lock, error);
}

/**
 * ms_outbox_release_held:
 * @self: the outbox
 * @account: (nullable): only this account's messages
 * @error: return location for an error
 *
 * Makes every held message queued and due now: the account works again.
 *
 * Returns: how many were released; errors: as ms_outbox_list()
 */
guint
ms_outbox_release_held (MsOutbox    *self,
                        const char  *account,
                        GError     **error)
{
  g_autoptr(GPtrArray) entries = ms_outbox_list (self, account, error);
  guint released = 0;

  if (entries == NULL)
    return 0;

  for (guint i = 0; i < entries->len; i++)
    {
      MsOutboxEntry *entry = g_ptr_array_index (entries, i);
      g_autoptr(MsOutboxLock) lock = NULL;

      if (entry->state != MS_OUTBOX_STATE_HELD)
        continue;
      lock = ms_outbox_lock (self, entry->id, NULL);
      if (lock != NULL && lock->entry->state == MS_OUTBOX_STATE_HELD
          && ms_outbox_lock_set_state (lock, MS_OUTBOX_STATE_QUEUED, NULL))
        released++;
    }

  return released;
}
