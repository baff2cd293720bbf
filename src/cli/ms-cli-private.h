/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ms-account.h"
#include "ms-aliases.h"
#include "ms-config.h"
#include "ms-message.h"
#include "ms-outbox.h"
#include "ms-password.h"
#include "ms-paths.h"
#include "ms-request.h"
#include "ms-result.h"
#include "ms-sendmail.h"

G_BEGIN_DECLS

/* --port was not given (0 is a value, and not a valid one). */
#define MS_CLI_PORT_UNSET G_MININT

/* The global options of docs/contract.md plus the connection options, parsed
 * once for every command. */
typedef struct
{
  char      *config_dir;
  gboolean   system;
  MsPaths   *paths;       /* ms_cli_paths() */
  gboolean   json;
  gboolean   verbose;
  int        timeout_seconds;

  char      *account;
  char      *host;
  int        port;
  char      *security;
  char      *ca_file;
  char      *pin;
  char      *user;
  gboolean   password_stdin;
  char      *from;
  char      *to;

  /* account add */
  char      *address;
  char      *provider;
  char      *display_name;
  gboolean   no_verify;
  char      *online_account;
  /* send */
  gboolean   extract_recipients;
  gboolean   ignore_dots;
  gboolean   no_queue;
  gboolean   queue_only;
  /* queue flush */
  gboolean   now;
  /* diagnose */
  gboolean   send;
  /* export */
  char      *format;

  /* send: the sendmail command line, local names (ms-cli-sendmail.c) */
  MsSendmailArgs *sendmail;
  MsAliases      *aliases;
  char           *own_address;

  const char *command;
  char      **args;       /* what is left after the options, command excluded */
} MsCliOptions;

/* Which option groups a command takes. */
typedef enum
{
  MS_CLI_OPTIONS_CONNECTION = 1 << 0,
  MS_CLI_OPTIONS_TEST_SEND  = 1 << 1,
  MS_CLI_OPTIONS_ADD        = 1 << 2,
  MS_CLI_OPTIONS_SEND       = 1 << 3,
  MS_CLI_OPTIONS_DIAGNOSE   = 1 << 4,
  MS_CLI_OPTIONS_EXPORT     = 1 << 5,
  MS_CLI_OPTIONS_QUEUE      = 1 << 6,
} MsCliOptionSet;

typedef int (*MsCliCommandFunc) (MsCliOptions *options);

/* ms-cli.c */
const MsPaths *ms_cli_paths            (MsCliOptions *options);
char        *ms_cli_pad                (const char   *text,
                                        guint         columns);
int          ms_cli_fail               (MsCliOptions *options,
                                        const char   *command,
                                        const GError *error);
gboolean     ms_cli_check_port         (MsCliOptions *options,
                                        GError      **error);
int          ms_cli_usage_error        (const char   *format,
                                        ...) G_GNUC_PRINTF (1, 2);
MsResult    *ms_cli_run_operation      (MsCliOptions *options,
                                        const char   *command,
                                        MsRequest    *request);
int          ms_cli_finish             (MsCliOptions *options,
                                        MsResult     *result);
void         ms_cli_print_json         (JsonNode     *node);
void         ms_cli_json_add_string    (JsonBuilder  *builder,
                                        const char   *name,
                                        const char   *value);
void         ms_cli_json_begin_ok      (JsonBuilder  *builder,
                                        const char   *command);
int          ms_cli_json_end_ok        (JsonBuilder  *builder);
void         ms_cli_print_result       (MsCliOptions *options,
                                        const MsResult *result);

/* ms-cli-smtp.c */
int          ms_cli_probe              (MsCliOptions *options);
int          ms_cli_login              (MsCliOptions *options);
int          ms_cli_test_send          (MsCliOptions *options);
int          ms_cli_send               (MsCliOptions *options);
gboolean     ms_cli_build_request      (MsCliOptions *options,
                                        gboolean      needs_password,
                                        MsRequest   **request_out,
                                        GError      **error);

/* ms-cli-account.c */
gboolean     ms_cli_load_account_into  (MsCliOptions *options,
                                        MsRequest    *request,
                                        gboolean      with_secret,
                                        GError      **error);
int          ms_cli_account            (MsCliOptions *options);
int          ms_cli_online_accounts    (MsCliOptions *options);
int          ms_cli_token              (MsCliOptions *options);
MsAccount   *ms_cli_online_account_new (MsCliOptions *options,
                                        const char   *id,
                                        GError      **error);
int          ms_cli_password           (MsCliOptions *options);
int          ms_cli_export             (MsCliOptions *options);

/* ms-cli-input.c: a sendmail message read as a stream */
typedef struct _MsCliInput MsCliInput;

MsCliInput     *ms_cli_input_read      (MsOutbox      *outbox,
                                        int            fd,
                                        gboolean       ignore_dots,
                                        GError       **error);
MsMessageInput *ms_cli_input_parse     (MsCliInput    *input,
                                        GError       **error);
MsOutboxDraft  *ms_cli_input_compose   (MsCliInput    *input,
                                        GBytes        *normalised,
                                        MsOutbox      *outbox,
                                        GError       **error);
void            ms_cli_input_close     (MsCliInput    *input);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsCliInput, ms_cli_input_close)

/* ms-cli-queue.c */
int          ms_cli_send_kept          (MsCliOptions  *options,
                                        MsOutbox      *outbox,
                                        MsRequest     *request,
                                        MsOutboxDraft *draft,
                                        const char    *message_id,
                                        const char    *subject,
                                        const GError  *held_because);
int          ms_cli_queue              (MsCliOptions *options);

/* ms-cli-sendmail.c */
char       **ms_cli_sendmail_parse     (MsCliOptions *options,
                                        int           argc,
                                        char        **argv,
                                        GError      **error);
void         ms_cli_sendmail_apply     (MsCliOptions *options);
int          ms_cli_sendmail_queue     (MsCliOptions *options);
char        *ms_cli_sendmail_take_sender (MsCliOptions *options);
gboolean     ms_cli_sendmail_prepare   (MsCliOptions *options,
                                        MsRequest    *request,
                                        const char   *sender,
                                        GError      **error);
MsMessageInput *ms_cli_sendmail_rewrite (MsCliOptions  *options,
                                         MsRequest     *request,
                                         MsMessageInput *input);
void         ms_cli_sendmail_resolve   (MsCliOptions *options,
                                        GPtrArray    *recipients);

/* ms-cli-info.c */
int          ms_cli_providers          (MsCliOptions *options);
int          ms_cli_detect             (MsCliOptions *options);
int          ms_cli_diagnose           (MsCliOptions *options);

G_END_DECLS
