/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ms-error.h"
#include "ms-result.h"

G_BEGIN_DECLS

/*
 * The outbox (docs/contract.md, "The outbox: nothing lost, nothing
 * doubled"): messages that `send` accepted and has not delivered yet.
 *
 * Each entry is two files in `outbox/`: `ID.msg`, the message exactly as it
 * goes on the wire (CRLF, not dot-stuffed), written once and never changed,
 * and `ID.meta`, a small key file with the envelope, the state and the last
 * error, replaced as a whole on every change. Both are written crash-safe
 * (temporary file, fsync, rename, fsync of the folder) and the `.meta` is
 * written last: an entry exists once its `.meta` does, so a half-written
 * message is never listed or sent. A lock (flock) on `ID.msg` makes each
 * entry the business of one process at a time. Nothing secret is stored.
 */

typedef enum
{
  MS_OUTBOX_STATE_QUEUED,
  MS_OUTBOX_STATE_HELD,
  MS_OUTBOX_STATE_FAILED,
} MsOutboxState;

const char *ms_outbox_state_to_string   (MsOutboxState  state);
gboolean    ms_outbox_state_from_string (const char    *name,
                                         MsOutboxState *state);

/*
 * MsOutboxEntry:
 * One kept message, as its `.meta` file says. A snapshot: changing it
 * changes nothing on disk.
 */
typedef struct
{
  char           *id;
  char           *account;
  MsOutboxState   state;
  char           *message_id;    /* "<...@...>" */
  char           *from;          /* envelope sender */
  char          **recipients;    /* envelope recipients */
  char           *dsn_notify;    /* the sendmail command line's DSN and body type */
  char           *dsn_ret;       /* requests (nullable), sent only when the server */
  char           *dsn_envid;     /* offers the extension */
  gboolean        body_8bitmime;
  char           *subject;       /* the Subject header as written, or NULL */
  guint64         size;          /* octets of the message file */
  GDateTime      *created;       /* UTC */
  guint           attempts;
  GDateTime      *next_attempt;  /* UTC; NULL unless queued */
  GDateTime      *failed_at;     /* UTC; NULL unless failed */
  gboolean        uncertain;     /* an attempt may have delivered it */
  gboolean        has_error;     /* the last attempt failed: */
  MsErrorCode     error_code;
  char           *error_step;    /* the contract's step name */
  char           *error_message; /* in the language of the attempt */
  char           *error_advice;  /* nullable */
  char           *error_reply;   /* the server's reply, escaped; nullable */
  char          **error_recipients;         /* refused or deferred addresses */
  char          **error_recipient_replies;  /* their replies, in the same order */
} MsOutboxEntry;

#define MS_TYPE_OUTBOX_ENTRY (ms_outbox_entry_get_type ())

GType          ms_outbox_entry_get_type (void) G_GNUC_CONST;
MsOutboxEntry *ms_outbox_entry_new      (void);
MsOutboxEntry *ms_outbox_entry_copy     (const MsOutboxEntry *entry);
void           ms_outbox_entry_free     (MsOutboxEntry       *entry);
gboolean       ms_outbox_entry_is_due   (const MsOutboxEntry *entry,
                                         GDateTime           *now);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsOutboxEntry, ms_outbox_entry_free)

/* The retry rules: the wait before attempt @attempts + 1 (1, 5, 15 and 30
 * minutes, then hourly), how long a queued message is tried, and how long
 * a failed one stays visible. */
#define MS_OUTBOX_LIFETIME      (5 * G_TIME_SPAN_DAY)
#define MS_OUTBOX_FAILED_KEPT   (7 * G_TIME_SPAN_DAY)

GTimeSpan     ms_outbox_retry_delay     (guint        attempts);
MsOutboxState ms_outbox_state_for_error (MsErrorCode  code,
                                         const char  *server_reply);

/* What the caller's clock says now; the outbox asks it for every decision
 * that depends on time, so tests can move time on. Returns a new reference. */
typedef GDateTime *(*MsOutboxClockFunc) (gpointer user_data);

#define MS_TYPE_OUTBOX (ms_outbox_get_type ())

G_DECLARE_FINAL_TYPE (MsOutbox, ms_outbox, MS, OUTBOX, GObject)

typedef struct _MsOutboxDraft MsOutboxDraft;
typedef struct _MsOutboxLock  MsOutboxLock;

char          *ms_outbox_find_state_dir   (const char         *state_dir);
MsOutbox      *ms_outbox_new              (const char         *state_dir);
const char    *ms_outbox_get_path         (MsOutbox           *self);
void           ms_outbox_set_clock        (MsOutbox           *self,
                                           MsOutboxClockFunc   clock_func,
                                           gpointer            user_data);
GDateTime     *ms_outbox_now              (MsOutbox           *self);
GPtrArray     *ms_outbox_list             (MsOutbox           *self,
                                           const char         *account,
                                           GError            **error);
MsOutboxEntry *ms_outbox_lookup           (MsOutbox           *self,
                                           const char         *id,
                                           GError            **error);
gboolean       ms_outbox_drop             (MsOutbox           *self,
                                           const char         *id,
                                           GError            **error);
guint          ms_outbox_release_held     (MsOutbox           *self,
                                           const char         *account,
                                           GError            **error);
gboolean       ms_outbox_validate_id      (const char         *id,
                                           GError            **error);

/* A message being written into the outbox. */
MsOutboxDraft *ms_outbox_draft_new        (MsOutbox           *self,
                                           GError            **error);
gboolean       ms_outbox_draft_write      (MsOutboxDraft      *draft,
                                           const void         *data,
                                           gsize               length,
                                           GError            **error);
GInputStream  *ms_outbox_draft_read       (MsOutboxDraft      *draft,
                                           GError            **error);
GBytes        *ms_outbox_draft_map        (MsOutboxDraft      *draft,
                                           GError            **error);
MsOutboxLock  *ms_outbox_draft_commit     (MsOutboxDraft      *draft,
                                           MsOutboxEntry      *entry,
                                           GError            **error);
void           ms_outbox_draft_free       (MsOutboxDraft      *draft);

/* One entry, held by this process. */
MsOutboxLock  *ms_outbox_lock             (MsOutbox           *self,
                                           const char         *id,
                                           GError            **error);
const MsOutboxEntry *ms_outbox_lock_get_entry (MsOutboxLock   *lock);
GInputStream  *ms_outbox_lock_read        (MsOutboxLock       *lock,
                                           GError            **error);
gboolean       ms_outbox_lock_delivered   (MsOutboxLock       *lock,
                                           GError            **error);
gboolean       ms_outbox_lock_record      (MsOutboxLock       *lock,
                                           const MsResult     *result,
                                           GError            **error);
gboolean       ms_outbox_lock_set_state   (MsOutboxLock       *lock,
                                           MsOutboxState       state,
                                           GError            **error);
void           ms_outbox_lock_free        (MsOutboxLock       *lock);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsOutboxDraft, ms_outbox_draft_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsOutboxLock, ms_outbox_lock_free)

G_END_DECLS
