/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ms-config.h"
#include "ms-password.h"
#include "ms-paths.h"

G_BEGIN_DECLS

/* Called from the worker thread for every transcript line as it happens
 * (already redacted). Used by `mailsetup-cli -v`; the GUI reads the
 * finished result's transcript instead. */
typedef void (*MsTranscriptFunc) (const char *line,
                                  gpointer    user_data);

/*
 * MsAuthMethod:
 * @MS_AUTH_PASSWORD: AUTH PLAIN or LOGIN with a password
 * @MS_AUTH_OAUTH2: AUTH XOAUTH2 (or OAUTHBEARER) with an access token in
 *   the request's password field (docs/contract.md, "Online accounts")
 */
typedef enum
{
  MS_AUTH_PASSWORD,
  MS_AUTH_OAUTH2,
} MsAuthMethod;

/*
 * MsRequest:
 * Everything one operation needs. The operations copy what they keep, so
 * the caller may free the request once the call returns.
 */
typedef struct
{
  MsSmtpConfig     *config;
  MsPassword       *password;      /* login, test-send, send; with MS_AUTH_OAUTH2
                                   * the access token */
  MsAuthMethod      auth;
  char             *online_account; /* a GNOME Online Accounts id: the operations ask it
                                     * for a token per connection; nullable */
  MsOnlineSettings  online_settings; /* what @config still has to take from that account
                                      * (the group leaves it to GOA): filled by
                                      * ms_online_account_complete_request() before connecting */
  MsOnlineSettings  from_online_account; /* after that: which values came from GOA */
  char             *account;       /* the account id, for the result; nullable */
  char             *provider;      /* provider id for advice ("gmail"); nullable */
  MsCredentialStore credential_store; /* where the password came from (diagnose says it) */
  char             *credential_file;  /* a system account's sealed secret; nullable */
  char             *from;          /* envelope and From: address */
  char            **recipients;    /* test-send: one; send: every RCPT */
  GBytes           *message;       /* send: the normalised message, CRLF, unstuffed */
  char             *program;       /* test-send: the program named in the body */
  char             *config_dir;    /* the config folder the account came from; nullable:
                                    * the environment's (diagnose reads `aliases` there) */
  char             *state_dir;     /* the state folder in force, where login, test-send and
                                    * diagnose note the last check; nullable: the
                                    * environment's (ms_last_check_find_dir()) */
  guint16           auto_tls_port;      /* probe --security auto: the implicit TLS
                                         * candidate's port; 0: 465 */
  guint16           auto_starttls_port; /* and the STARTTLS candidate's; 0: 587 */
  /* send, from the sendmail command line: each goes on the wire only when
   * the server offers the extension (DSN, RFC 3461; 8BITMIME, RFC 6152) */
  char             *dsn_notify;    /* NOTIFY= of every RCPT, or NULL */
  char             *dsn_ret;       /* RET= of MAIL, or NULL */
  char             *dsn_envid;     /* ENVID= of MAIL, xtext, or NULL */
  gboolean          body_8bitmime; /* BODY=8BITMIME even for a 7-bit message */
  MsTranscriptFunc  transcript_func;
  gpointer          transcript_data;
} MsRequest;

#define MS_TYPE_REQUEST (ms_request_get_type ())

GType      ms_request_get_type (void) G_GNUC_CONST;
MsRequest *ms_request_new      (const MsSmtpConfig *config);
MsRequest *ms_request_copy     (const MsRequest    *request);
void       ms_request_free     (MsRequest          *request);
void       ms_request_set_auto_ports (MsRequest    *request,
                                      guint16       tls_port,
                                      guint16       starttls_port);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsRequest, ms_request_free)

G_END_DECLS
