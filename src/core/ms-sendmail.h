/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sys/types.h>

#include <glib.h>

#include "ms-aliases.h"
#include "ms-message.h"
#include "ms-result.h"

G_BEGIN_DECLS

/*
 * The sendmail command line, as cron, mailx, mutt, git send-email, PHP and
 * the rest write it (docs/contract.md, "The system's sendmail"), for
 * `mailsetup-cli send` and the binary started as `sendmail`.
 *
 * ms_sendmail_args_parse() reads the single-dash options of that table:
 * -f/-r ADDR, -F NAME, -B TYPE, -N DSN, -R RET, -V ENVID, -t, -i, -v,
 * -bm, -bp, -q[TIME], -oX (-oi is -i; the rest ignored), -L TAG, in
 * clustered forms too (-FCronDaemon, -oem, -ti). Everything else is kept in
 * order in @rest for the caller's own option parser: long options with
 * their values, the recipients, and "--" with all that follows it.
 *
 * Errors: MS_ERROR_USAGE naming the option, for an option outside the
 * table, a missing value, or a value outside its set; -bs, -bd and -bt
 * say they are not supported.
 */
typedef enum
{
  MS_SENDMAIL_MODE_DELIVER,     /* -bm, the default */
  MS_SENDMAIL_MODE_QUEUE_LIST,  /* -bp: `queue list` */
  MS_SENDMAIL_MODE_QUEUE_FLUSH, /* -q: `queue flush` */
} MsSendmailMode;

typedef struct
{
  MsSendmailMode  mode;
  char           *sender;              /* -f, -r */
  char           *full_name;           /* -F */
  gboolean        body_8bitmime;       /* -B 8BITMIME */
  char           *dsn_notify;          /* -N: "NEVER" or "SUCCESS,FAILURE,DELAY" */
  char           *dsn_ret;             /* -R: "FULL" or "HDRS" */
  char           *dsn_envid;           /* -V, xtext-encoded (RFC 3461 4) */
  gboolean        extract_recipients;  /* -t */
  gboolean        ignore_dots;         /* -i, -oi */
  gboolean        verbose;             /* -v */
  char          **rest;
} MsSendmailArgs;

MsSendmailArgs *ms_sendmail_args_parse (int                 argc,
                                        const char * const *argv,
                                        GError            **error);
void            ms_sendmail_args_free  (MsSendmailArgs     *args);

/*
 * ms_sendmail_rewrite_local_names() gives local names in From, To and Cc an
 * address, keeping display names: a From without a domain becomes
 * @own_address with the header's display name (cron's "root (Cron Daemon)"
 * gives "Cron Daemon <own>"), else @full_name, else the local name; a
 * local To or Cc becomes every address ms_aliases_resolve() gives, with
 * the local name as its display name unless one was written. A message
 * without From gets "@full_name <@sender>" when @full_name is set.
 * The message's recipients and sender are read again from the new headers.
 *
 * Returns: (transfer full): the rewritten message (a new one)
 */
MsMessageInput *ms_sendmail_rewrite_local_names (MsMessageInput *input,
                                                 MsAliases      *aliases,
                                                 const char     *own_address,
                                                 const char     *sender,
                                                 const char     *full_name);

/*
 * Where diagnose looks for the system's sendmail: the path programs call,
 * the folder where `meson setup -Dsendmail-links=true` puts the links, the
 * per-user runtime folders, the user, and the config folder (nullable: the
 * environment's) that holds `aliases`.
 */
#define MS_SENDMAIL_PATH "/usr/sbin/sendmail"

typedef struct
{
  const char *sendmail_path;
  const char *sbindir;
  const char *users_dir;
  uid_t       uid;
  const char *config_dir;
  gboolean    sealed_secret; /* a system account: its jobs need no session bus */
} MsSendmailSystem;

void ms_sendmail_add_check (MsResult               *result,
                            const MsSendmailSystem *system);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsSendmailArgs, ms_sendmail_args_free)

G_END_DECLS
