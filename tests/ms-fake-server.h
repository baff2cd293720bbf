/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * MsFakeServer: a scriptable SMTP server on loopback, for tests, demos and
 * benchmarks. It runs in its own threads (one accepting, one per
 * connection), speaks real TLS through GnuTLS, and records what the client
 * sent so a test can assert that nothing crossed the wire in clear.
 *
 * Typical use:
 *
 *   g_autoptr(MsFakeServer) server = ms_fake_server_new (MS_FAKE_MODE_STARTTLS);
 *   ms_fake_server_set_certificate (server, chain_pem, key_pem);
 *   ms_fake_server_set_reply (server, MS_FAKE_STEP_STARTTLS,
 *                             "220 Ready\r\n250-x\r\n250 AUTH PLAIN\r\n");
 *   ms_fake_server_start (server, &error);
 *   ... run the client against 127.0.0.1:ms_fake_server_get_port (server) ...
 *   ms_fake_server_wait_finished (server, 1, 5000);
 *   clear = ms_fake_server_dup_clear_bytes (server);
 *
 * Configure everything before ms_fake_server_start(); the setters must not
 * be called while the server runs. Accessors (get_/dup_/wait_) are thread
 * safe and may be called at any time.
 *
 * Default SMTP behaviour (correct, pipelining-safe: it reads whatever
 * arrives and answers each command in order):
 *   greeting  "220 localhost ESMTP fake"
 *   EHLO      "250-localhost" then the capabilities (below)
 *   HELO      "250 localhost" (never overridden: S5 refuses EHLO only)
 *   STARTTLS  "220 2.0.0 Ready to start TLS" then the handshake (STARTTLS
 *             mode, before TLS only; otherwise "503 5.5.1")
 *   AUTH      PLAIN (initial response or "334 " continuation) and LOGIN,
 *             checked against the credentials: "235 2.7.0", else "535 5.7.8";
 *             "*" as a continuation cancels with "501 5.7.0"
 *   MAIL      "250 2.1.0 Ok" ("552 5.3.4" when SIZE=n exceeds the maximum)
 *   RCPT      "250 2.1.5 Ok"
 *   DATA      "354 End data with <CR><LF>.<CR><LF>", then after the final
 *             dot "250 2.0.0 Ok: queued as FAKEn"
 *   BDAT      n [LAST]: reads n octets, "250 2.0.0 Ok" per chunk
 *   RSET/NOOP "250 2.0.0 Ok"; QUIT "221 2.0.0 Bye" then close
 *   anything else "500 5.5.2 Unknown command"
 * The server does not require AUTH before MAIL, and it accepts AUTH in
 * clear: tests check the client, so the server lets it misbehave and
 * records it.
 *
 * Default capabilities (after "250-localhost"): PIPELINING, 8BITMIME,
 * SIZE <max-size>, AUTH PLAIN LOGIN, ENHANCEDSTATUSCODES, and STARTTLS
 * first in STARTTLS mode before TLS. Set your own list with
 * ms_fake_server_set_capabilities(); it is then sent exactly as given.
 */

typedef enum
{
  MS_FAKE_MODE_TLS,       /* implicit TLS: handshake first, then SMTP */
  MS_FAKE_MODE_STARTTLS,  /* plain, STARTTLS offered */
  MS_FAKE_MODE_PLAIN,     /* plain, no TLS at all (STARTTLS answered 502) */
} MsFakeMode;

/*
 * MsFakeStep: the points where a test can replace the server's behaviour.
 * MS_FAKE_STEP_EHLO is EHLO in clear; MS_FAKE_STEP_EHLO_TLS is
 * EHLO over TLS (implicit or after STARTTLS). MS_FAKE_STEP_AUTH is the
 * reply to the AUTH command line itself. MS_FAKE_STEP_DOT is the reply
 * after the message (final dot, or BDAT LAST). MS_FAKE_STEP_HANDSHAKE is
 * the TLS handshake (implicit or after STARTTLS): STALL reads the
 * ClientHello and never answers (F3), CLOSE closes instead of answering.
 */
typedef enum
{
  MS_FAKE_STEP_GREETING,
  MS_FAKE_STEP_EHLO,
  MS_FAKE_STEP_EHLO_TLS,
  MS_FAKE_STEP_STARTTLS,
  MS_FAKE_STEP_HANDSHAKE,
  MS_FAKE_STEP_AUTH,
  MS_FAKE_STEP_MAIL,
  MS_FAKE_STEP_RCPT,
  MS_FAKE_STEP_DATA,
  MS_FAKE_STEP_DOT,
  MS_FAKE_STEP_QUIT,
  MS_FAKE_N_STEPS,
} MsFakeStep;

/*
 * MsFakeAction: what the server does at a step, after sending the reply
 * override (if one is set) or the normal reply (if none is set and the
 * action is MS_FAKE_ACTION_NORMAL).
 *
 * NORMAL: the override bytes (or the normal reply), then carry on.
 * CLOSE:  the override bytes if any (no normal reply), then close the
 *         connection at once (F5: DOT + CLOSE with no override).
 * STALL:  the override bytes if any (no normal reply), then never answer
 *         again; the server keeps reading (and recording) until the client
 *         closes or the server stops (F1: GREETING + STALL; F4: an override
 *         ending mid-line + STALL).
 */
typedef enum
{
  MS_FAKE_ACTION_NORMAL,
  MS_FAKE_ACTION_CLOSE,
  MS_FAKE_ACTION_STALL,
} MsFakeAction;

/*
 * MsFakeMessage: one message the server accepted (final dot or BDAT LAST
 * answered 2xx by the default behaviour or an override).
 */
typedef struct
{
  char    *mail_from;  /* the address between < and >, "" for <> */
  char   **rcpt_to;    /* addresses between < and >, NULL-terminated */
  GBytes  *data;       /* DATA: the exact wire octets after 354, up to and
                        * without the final ".\r\n" (still dot-stuffed);
                        * BDAT: the chunks concatenated */
  GBytes  *content;    /* data with dot-stuffing removed (same as data for BDAT) */
  gboolean bdat;       /* sent with BDAT */
  gboolean over_tls;   /* sent over TLS */
  char    *auth_user;  /* the user that authenticated, or NULL */
} MsFakeMessage;

void ms_fake_message_free (MsFakeMessage *message);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsFakeMessage, ms_fake_message_free)

typedef struct _MsFakeServer MsFakeServer;

#define MS_FAKE_DEFAULT_USER     "user@localhost"
#define MS_FAKE_DEFAULT_PASSWORD "fake-Pa55word-7d1"
#define MS_FAKE_DEFAULT_MAX_SIZE 10485760

/* Create, configure (before start), start, stop. */
MsFakeServer *ms_fake_server_new             (MsFakeMode    mode);
void          ms_fake_server_free            (MsFakeServer *server);

/* PEM files: @cert_file holds the leaf then any chain certificates.
 * Required for MS_FAKE_MODE_TLS and MS_FAKE_MODE_STARTTLS. */
void          ms_fake_server_set_certificate (MsFakeServer *server,
                                              const char   *cert_file,
                                              const char   *key_file);
/* A GnuTLS priority string for the server, e.g.
 * "NORMAL:-VERS-ALL:+VERS-TLS1.1:+VERS-TLS1.0" (T9). Default "NORMAL". */
void          ms_fake_server_set_priority    (MsFakeServer *server,
                                              const char   *priority);
/* Listen address, "127.0.0.1" (default) or "::1". Nothing else is allowed. */
void          ms_fake_server_set_address     (MsFakeServer *server,
                                              const char   *address);
/* A fixed port; 0 (default) picks an ephemeral one. */
void          ms_fake_server_set_port        (MsFakeServer *server,
                                              guint16       port);
/* The credentials AUTH accepts. Default MS_FAKE_DEFAULT_USER and
 * MS_FAKE_DEFAULT_PASSWORD. The server keeps a copy. */
void          ms_fake_server_set_credentials (MsFakeServer *server,
                                              const char   *user,
                                              const char   *password);
/* The one access token AUTH XOAUTH2 and OAUTHBEARER accept (with the user of
 * ms_fake_server_set_credentials()); the default capabilities then offer
 * "AUTH PLAIN LOGIN XOAUTH2 OAUTHBEARER". The response comes with AUTH, or
 * after an empty "334 " when AUTH had none (msmtp). Any other token gets Gmail's
 * answer: 334 with a base64 JSON error, and after the client's empty
 * response 535 5.7.8. Default: none (the mechanisms are refused). */
void          ms_fake_server_set_oauth_token (MsFakeServer *server,
                                              const char   *token);
/* SIZE advertised by the default capabilities and enforced on MAIL SIZE=
 * and on the message itself (552 5.3.4 after the dot). */
void          ms_fake_server_set_max_size    (MsFakeServer *server,
                                              gsize         max_size);
/* The EHLO capability lines after "250-localhost", without codes or CRLF,
 * e.g. { "PIPELINING", "AUTH PLAIN", NULL }. @step is MS_FAKE_STEP_EHLO
 * (in clear) or MS_FAKE_STEP_EHLO_TLS (over TLS). NULL restores the
 * defaults; an empty vector sends "250 localhost" alone. */
void          ms_fake_server_set_capabilities (MsFakeServer      *server,
                                               MsFakeStep         step,
                                               const char *const *capabilities);
/* Raw octets sent instead of the normal reply at @step, in one write; may
 * hold several replies, partial lines, anything (S6-S8). For STARTTLS, the
 * server starts the handshake after the override when it begins with "2"
 * (and the action is NORMAL); otherwise it stays in clear. For AUTH, an
 * override beginning with "334" makes the next client line a continuation:
 * "*" gets "501 5.7.0", anything else "535 5.7.8". NULL removes it. */
void          ms_fake_server_set_reply       (MsFakeServer *server,
                                              MsFakeStep    step,
                                              const char   *raw);
/* As ms_fake_server_set_reply(), for octets that may hold NUL (P3). */
void          ms_fake_server_set_reply_len   (MsFakeServer *server,
                                              MsFakeStep    step,
                                              const char   *raw,
                                              gsize         len);
/* The reply to RCPT TO:<@address> (exact match, case-insensitive), instead
 * of the RCPT step's override or normal reply; for one refused recipient
 * among accepted ones. May be called several times. */
void          ms_fake_server_set_recipient_reply (MsFakeServer *server,
                                                  const char   *address,
                                                  const char   *raw);
/* As a submission server does (Dovecot, Postfix with smtpd_sasl): MAIL
 * before a successful AUTH gets "530 5.7.0 Authentication required", and
 * RCPT, DATA and BDAT outside a transaction "503 5.5.1"; a refused BDAT
 * does not consume its chunk, whose lines are then read as commands. */
void          ms_fake_server_set_require_auth (MsFakeServer *server,
                                               gboolean      require_auth);
void          ms_fake_server_set_action      (MsFakeServer *server,
                                              MsFakeStep    step,
                                              MsFakeAction  action);
/* Wait @delay_ms before answering at @step (before the handshake for
 * MS_FAKE_STEP_HANDSHAKE). */
void          ms_fake_server_set_delay       (MsFakeServer *server,
                                              MsFakeStep    step,
                                              guint         delay_ms);
/* Send every reply one octet per write (TCP_NODELAY, 2 ms apart), so the
 * client reads it in pieces (P7). Off by default. */
void          ms_fake_server_set_trickle     (MsFakeServer *server,
                                              gboolean      trickle);
/* Print every line received and sent to stderr ("C: "/"S: "), with AUTH
 * payloads masked. For the standalone binary. Off by default. */
void          ms_fake_server_set_verbose     (MsFakeServer *server,
                                              gboolean      verbose);

/* Binds, listens and starts the accept thread. Fails with a GIOError or
 * G_IO_ERROR_INVALID_ARGUMENT (no certificate in a TLS mode, a key that
 * does not load, an address that is not loopback). */
gboolean      ms_fake_server_start           (MsFakeServer *server,
                                              GError      **error);
guint16       ms_fake_server_get_port        (MsFakeServer *server);
/* Closes the listener and every connection, joins every thread. Returns
 * promptly even when a connection stalls. Called by _free. */
void          ms_fake_server_stop            (MsFakeServer *server);

/* Recording. Bytes are concatenated over all connections, in order. */
/* Everything received in clear (SMTP before TLS; never TLS records). */
GBytes       *ms_fake_server_dup_clear_bytes (MsFakeServer *server);
/* Everything received over TLS, decrypted. */
GBytes       *ms_fake_server_dup_tls_bytes   (MsFakeServer *server);
/* Connections accepted so far / finished so far. */
guint         ms_fake_server_get_n_connections (MsFakeServer *server);
guint         ms_fake_server_get_n_finished  (MsFakeServer *server);
/* Connections whose TLS handshake completed. */
guint         ms_fake_server_get_n_handshakes (MsFakeServer *server);
/* Times the server had consumed everything the client sent and had to wait
 * for more (once per client round trip; pipelined commands count once). */
guint         ms_fake_server_get_n_waits     (MsFakeServer *server);
/* Commands received (case-insensitive first word, e.g. "EHLO"), clear and
 * TLS together. Continuation lines of AUTH and message data are not
 * commands. */
guint         ms_fake_server_count_command   (MsFakeServer *server,
                                              const char   *verb);
/* Tokens XOAUTH2 or OAUTHBEARER refused. */
guint         ms_fake_server_get_n_oauth_refused (MsFakeServer *server);
/* Successful AUTH exchanges. */
guint         ms_fake_server_get_n_auth_ok   (MsFakeServer *server);
/* The SNI host name of the last handshake, or NULL when the client sent
 * none (or there was no handshake). */
char         *ms_fake_server_dup_sni         (MsFakeServer *server);
/* Whether any handshake so far carried SNI. */
gboolean      ms_fake_server_saw_sni         (MsFakeServer *server);
/* The negotiated TLS version of the last handshake ("TLS1.3"), or NULL. */
char         *ms_fake_server_dup_tls_version (MsFakeServer *server);
/* Messages accepted. */
guint          ms_fake_server_get_n_messages (MsFakeServer *server);
MsFakeMessage *ms_fake_server_dup_message    (MsFakeServer *server,
                                              guint         index);

/* Waits until at least @n_connections connections were accepted and all
 * accepted connections have finished. FALSE on timeout. Call this before
 * asserting on recordings: the client may return before the server has
 * read its last bytes. */
gboolean      ms_fake_server_wait_finished   (MsFakeServer *server,
                                              guint         n_connections,
                                              guint         timeout_ms);

/* The standalone binary's message sink: called from the connection thread
 * for each accepted message. */
typedef void (*MsFakeMessageFunc) (const MsFakeMessage *message,
                                   gpointer             user_data);
void          ms_fake_server_set_message_func (MsFakeServer     *server,
                                               MsFakeMessageFunc func,
                                               gpointer          user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsFakeServer, ms_fake_server_free)

G_END_DECLS
