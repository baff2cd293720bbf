/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "ms-config.h"
#include "ms-error.h"
#include "ms-paths.h"

G_BEGIN_DECLS

/* The "steps" of the JSON result (docs/contract.md), in wire order. */
typedef enum
{
  MS_STEP_CONFIG,
  MS_STEP_KEYRING,
  MS_STEP_RESOLVE,
  MS_STEP_CONNECT,
  MS_STEP_GREETING,
  MS_STEP_EHLO,
  MS_STEP_STARTTLS,
  MS_STEP_TLS,
  MS_STEP_AUTH,
  MS_STEP_MAIL,
  MS_STEP_RCPT,
  MS_STEP_DATA,
  MS_STEP_QUIT,
} MsStepKind;

const char *ms_step_kind_to_string (MsStepKind kind);

typedef struct
{
  MsStepKind  kind;
  gboolean    ok;
  gint64      ms;
  char       *reply;       /* the server's reply, already escaped and capped */
  char      **addresses;   /* resolve: every address found */
  char       *address;     /* connect: the address that answered */
  char       *detail;      /* a short technical note (not translated) */
} MsStep;

typedef struct
{
  char      *version;        /* "TLS1.3" */
  char      *cipher;         /* "TLS_AES_256_GCM_SHA384" */
  char      *subject;        /* RFC 4514 DN of the leaf */
  char      *issuer;
  GDateTime *not_before;     /* UTC */
  GDateTime *not_after;
  char      *spki_sha256;    /* "sha256//BASE64" */
  gboolean   verified;       /* the chain and name checked out */
  gboolean   pinned;         /* trusted through the configured pin */
  char      *verify_detail;  /* GnuTLS's words when verification failed */
  char      *chain_pem;      /* the server's chain, for the certificate dialog */
} MsTlsInfo;

MsTlsInfo *ms_tls_info_copy (const MsTlsInfo *info);
void       ms_tls_info_free (MsTlsInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsTlsInfo, ms_tls_info_free)

/* A recipient the server refused (5xx) or deferred (4xx), with its reply. */
typedef struct
{
  char *address;
  char *reply;   /* escaped and capped */
} MsRecipientReply;

typedef struct
{
  MsErrorCode  code;
  MsStepKind   step;
  char        *message;       /* what happened, in the user's language */
  char        *advice;        /* what to do, in the user's language, or NULL */
  char        *action_url;    /* a page that fixes it, or NULL */
  char        *server_reply;  /* escaped and capped, or NULL */
  char        *detail;        /* technical detail (GnuTLS text...), or NULL */
  gboolean     has_suggestion;
  guint16      suggestion_port;
  MsSecurity   suggestion_security;
  GPtrArray   *recipients;    /* nullable; MsRecipientReply, for recipient-rejected
                               * and a deferred recipient */
} MsResultError;

typedef enum
{
  MS_CHECK_INFO,
  MS_CHECK_WARNING,
  MS_CHECK_ERROR,
} MsCheckSeverity;

typedef struct
{
  char            *check;    /* stable name: "settings", "keyring", "dns", ... */
  gboolean         ok;
  MsCheckSeverity  severity;
  char            *title;    /* translated */
  char            *message;  /* translated */
} MsCheck;

typedef struct _MsResult MsResult;

/*
 * MsResult:
 * What an operation found, as data: the surfaces render it, the CLI prints it
 * as text or JSON. Reference counted and immutable once the operation that
 * made it has finished.
 */
struct _MsResult
{
  /*< private >*/
  gatomicrefcount  ref_count;

  /*< public >*/
  char          *command;         /* "probe", "login", "test-send", ... */
  char          *account;         /* nullable */
  char          *host;
  guint16        port;
  MsSecurity     security;
  MsOnlineSettings from_online_account; /* which of host, port, security and user
                                         * came from GNOME Online Accounts */
  MsCredentialStore credential_store;  /* where the password was read or saved: the
                                        * keyring, or a system account's sealed
                                        * credential (names the "keyring" step) */
  GPtrArray     *steps;           /* MsStep */
  MsTlsInfo     *tls;             /* nullable */
  char         **capabilities;    /* nullable; EHLO lines after the domain */
  char         **auth_mechanisms; /* nullable; upper case */
  char          *message_id;      /* nullable */
  MsResultError *error;           /* NULL when ok */
  GPtrArray     *candidates;      /* nullable; MsResult, for probe auto */
  gboolean       has_recommended;
  guint16        recommended_port;
  MsSecurity     recommended_security;
  GPtrArray     *checks;          /* nullable; MsCheck, for diagnose */
  GPtrArray     *transcript;      /* char*, "C: ...", "S: ...", "* ..." */
  gint64         total_ms;
  guint          round_trips;     /* times the client waited for the server */
};

#define MS_TYPE_RESULT (ms_result_get_type ())

GType          ms_result_get_type      (void) G_GNUC_CONST;
MsResult      *ms_result_new           (const char     *command);
MsResult      *ms_result_ref           (MsResult       *result);
void           ms_result_unref         (MsResult       *result);
gboolean       ms_result_is_ok         (const MsResult *result);
MsStep        *ms_result_add_step      (MsResult       *result,
                                        MsStepKind      kind,
                                        gboolean        ok,
                                        gint64          ms);
MsStep        *ms_result_find_step     (const MsResult *result,
                                        MsStepKind      kind);
MsResultError *ms_result_set_error     (MsResult       *result,
                                        MsErrorCode     code,
                                        MsStepKind      step,
                                        const char     *message);
void           ms_result_error_add_recipient (MsResultError *error,
                                              const char    *address,
                                              const char    *reply);
void           ms_result_clear_error   (MsResult       *result);
void           ms_result_set_error_from_gerror (MsResult     *result,
                                                MsStepKind    step,
                                                const GError *error);
MsCheck       *ms_result_add_check     (MsResult       *result,
                                        const char     *check,
                                        MsCheckSeverity severity,
                                        gboolean        ok,
                                        const char     *title,
                                        const char     *message);
void           ms_result_add_transcript (MsResult      *result,
                                         const char    *line);
int            ms_result_exit_status   (const MsResult *result);
JsonNode      *ms_result_to_json_node  (const MsResult *result);
void           ms_json_add_string_or_null (JsonBuilder *builder,
                                           const char  *name,
                                           const char  *value);
char          *ms_result_to_json       (const MsResult *result,
                                        gboolean        pretty);
char          *ms_escape_server_text   (const char     *text,
                                        gssize          length);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsResult, ms_result_unref)

G_END_DECLS
