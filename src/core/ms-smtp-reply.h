/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Hard limits (RFC 5321 4.5.3.1 allows 512-octet reply lines; we are
 * lenient up to these, and fail with protocol-error past them). */
#define MS_SMTP_MAX_LINE   4096   /* octets in one reply line, CRLF included */
#define MS_SMTP_MAX_LINES  128    /* lines in one reply */

typedef struct
{
  guint    code;        /* 200..599 */
  char    *enhanced;    /* "5.7.9", or NULL when the text has none */
  char   **lines;       /* the text of each line, after "250-" / "250 " */
} MsSmtpReply;

void   ms_smtp_reply_free        (MsSmtpReply       *reply);
char  *ms_smtp_reply_to_wire     (const MsSmtpReply *reply);
char  *ms_smtp_reply_to_display  (const MsSmtpReply *reply);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsSmtpReply, ms_smtp_reply_free)

typedef enum
{
  MS_SMTP_PARSE_NEED_MORE,
  MS_SMTP_PARSE_DONE,
  MS_SMTP_PARSE_ERROR,
} MsSmtpParseStatus;

/*
 * Incremental reply parser (RFC 5321 4.2). Feed bytes in any split:
 * NEED_MORE: every byte was used, the reply is not complete yet.
 * DONE: *consumed is the number of bytes up to and including the line end
 *   of the reply's last line; the rest of the buffer is NOT used and stays
 *   with the caller (after a STARTTLS 220, a non-empty rest is an injection).
 *   Take the reply with ms_smtp_reply_parser_take_reply(), which also makes
 *   the parser ready for the next reply.
 * ERROR: MS_ERROR_PROTOCOL_ERROR (bad code, mixed codes, NUL, bare CR in a
 *   line, a line over MS_SMTP_MAX_LINE octets, more than MS_SMTP_MAX_LINES
 *   lines); sticky until ms_smtp_reply_parser_reset().
 * Line ends: CRLF or bare LF. ms_smtp_reply_to_wire() gives the lines as
 * received ("250-a" CRLF "250 b", no final CRLF); _to_display() an escaped
 * one-line form for people.
 */
typedef struct _MsSmtpReplyParser MsSmtpReplyParser;

MsSmtpReplyParser *ms_smtp_reply_parser_new        (void);
void               ms_smtp_reply_parser_free       (MsSmtpReplyParser *parser);
void               ms_smtp_reply_parser_reset      (MsSmtpReplyParser *parser);
MsSmtpParseStatus  ms_smtp_reply_parser_feed       (MsSmtpReplyParser *parser,
                                                    const char        *data,
                                                    gsize              length,
                                                    gsize             *consumed,
                                                    GError           **error);
MsSmtpReply       *ms_smtp_reply_parser_take_reply (MsSmtpReplyParser *parser);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsSmtpReplyParser, ms_smtp_reply_parser_free)

/*
 * EHLO capabilities: the first reply line is the server's domain, every
 * other line "KEYWORD params". Keywords match exactly, ignoring ASCII case;
 * "AUTH=" lines count as AUTH. auth_mechanisms() is upper case, each once;
 * get_size() is 0 when SIZE is absent or gives no limit; to_strv() is the
 * lines as received without the domain line (for the JSON result).
 */
typedef struct _MsSmtpCapabilities MsSmtpCapabilities;

MsSmtpCapabilities *ms_smtp_capabilities_parse          (const MsSmtpReply        *ehlo_reply);
void                ms_smtp_capabilities_free           (MsSmtpCapabilities       *caps);
gboolean            ms_smtp_capabilities_has            (const MsSmtpCapabilities *caps,
                                                         const char               *keyword);
const char         *ms_smtp_capabilities_get_params     (const MsSmtpCapabilities *caps,
                                                         const char               *keyword);
gboolean            ms_smtp_capabilities_has_auth       (const MsSmtpCapabilities *caps,
                                                         const char               *mechanism);
char              **ms_smtp_capabilities_auth_mechanisms (const MsSmtpCapabilities *caps);
guint64             ms_smtp_capabilities_get_size       (const MsSmtpCapabilities *caps);
char              **ms_smtp_capabilities_to_strv        (const MsSmtpCapabilities *caps);
const char         *ms_smtp_capabilities_get_domain     (const MsSmtpCapabilities *caps);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsSmtpCapabilities, ms_smtp_capabilities_free)

G_END_DECLS
