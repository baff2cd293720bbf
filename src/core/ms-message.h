/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MS_MESSAGE_MAX_LINE 998   /* octets per line, CRLF excluded (RFC 5322 2.1.1) */

/*
 * Composing the test message of docs/contract.md. Every field is checked for CR, LF
 * and NUL (invalid-input naming the field); the subject is in the user's
 * language, RFC 2047 encoded when not ASCII. The body says which program
 * sent it, when, through which server and port. 8bit only when
 * @eight_bit_ok (the server offers 8BITMIME), else quoted-printable.
 * Returns the message with CRLF line ends, not dot-stuffed.
 */
GBytes *ms_message_compose_test   (const char  *from,
                                   const char  *to,
                                   const char  *host,
                                   guint16      port,
                                   const char  *program,
                                   gboolean     eight_bit_ok,
                                   GDateTime   *now,
                                   char       **message_id,
                                   GError     **error);

/* A fresh Message-ID, "<random@domain>" with the angle brackets. */
char   *ms_message_make_id        (const char  *domain);

/* As ms_message_compose_test(), with the sender's display name in From
 * (RFC 2047 encoded when not ASCII; NULL or "" for none). */
GBytes *ms_message_compose_test_full (const char  *from_name,
                                      const char  *from,
                                      const char  *to,
                                      const char  *host,
                                      guint16      port,
                                      const char  *program,
                                      gboolean     eight_bit_ok,
                                      GDateTime   *now,
                                      char       **message_id,
                                      GError     **error);

/* The wire form for DATA: dot-stuffed, CRLF everywhere (bare LF and bare CR
 * become CRLF), ending in "\r\n.\r\n". A line over MS_MESSAGE_MAX_LINE
 * octets is broken at that length (at a UTF-8 character boundary) as a last
 * resort: the composer and ms_message_normalise() never produce one.
 * For BDAT, use the message unstuffed. */
GBytes *ms_message_dot_stuff      (GBytes      *message);

/* The wire form for BDAT: CRLF everywhere, lines cut as above, not
 * dot-stuffed, no terminator. */
GBytes *ms_message_to_crlf        (GBytes      *message);

/*
 * MsMessageWire: the same wire forms computed piece by piece, so that a
 * message of any size goes out through buffers of fixed size (the engine
 * streams it; ms_message_dot_stuff() and ms_message_to_crlf() are this
 * applied to a whole message). It also notes what the envelope needs:
 * octets >= 0x80, and whether any is in the header section.
 */
typedef struct _MsMessageWire MsMessageWire;

MsMessageWire *ms_message_wire_new      (gboolean       dot_stuff);
void           ms_message_wire_free     (MsMessageWire *wire);
void           ms_message_wire_feed     (MsMessageWire *wire,
                                         const char    *data,
                                         gsize          length,
                                         GByteArray    *out);
void           ms_message_wire_finish   (MsMessageWire *wire,
                                         GByteArray    *out);
guint64        ms_message_wire_get_size (MsMessageWire *wire);
gboolean       ms_message_wire_has_8bit (MsMessageWire *wire,
                                         gboolean      *in_header);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsMessageWire, ms_message_wire_free)

/* Header helpers (RFC 5322 / RFC 2047). Values must be free of CR, LF and
 * NUL already (ms_validate_no_control()). */
char   *ms_message_format_date    (GDateTime   *when);          /* "Sat, 28 Nov 2026 19:46:10 +0000" */
char   *ms_message_encode_text    (const char  *text);          /* unstructured text: as is when ASCII, else
                                                                 * =?UTF-8?B?...?= words folded with CRLF SP */
char   *ms_message_format_mailbox (const char  *display_name,   /* nullable */
                                   const char  *address);       /* "Name <addr>", quoted or encoded as needed */
GBytes *ms_message_encode_quoted_printable (GBytes *body);      /* CRLF-separated lines in, RFC 2045 QP out */

/*
 * sendmail input (mailsetup-cli send).
 *
 * ms_message_parse_sendmail() reads an RFC 5322 message: line ends may be
 * CRLF, bare LF or bare CR, and are all read as line ends (so what is parsed
 * is exactly what is sent: a bare CR cannot hide a header). Unless
 * @ignore_dots (-i / -oi), a line holding a single "." ends the input. A
 * leading mbox "From " line is dropped. The header section ends at the
 * first empty line, or at the first line that is neither a header nor a
 * continuation (that line then starts the body). NUL anywhere is refused.
 *
 * Recipients come from every To, Cc and Bcc header (address lists with
 * display names, groups, quoted strings and comments); entries that are not
 * addresses (a bare "root") are kept as written, so that validation reports
 * them instead of dropping them silently.
 */
typedef struct
{
  char *name;    /* as written ("Subject") */
  char *value;   /* unfolded, trimmed */
  char *raw;     /* the header's lines as read, each ending in CRLF */
} MsMessageHeader;

typedef struct
{
  GPtrArray *headers;      /* (element-type MsMessageHeader), in input order */
  GBytes    *body;         /* lines after the header section, CRLF line ends */
  char     **to;           /* addresses of every To header */
  char     **cc;
  char     **bcc;
  char      *from;         /* the first mailbox of From, or NULL */
  gboolean   eight_bit;    /* an octet >= 0x80 in a header or the body: the
                            * engine needs 8BITMIME (or SMTPUTF8 for headers) */
} MsMessageInput;

MsMessageInput *ms_message_parse_sendmail       (GBytes               *input,
                                                 gboolean              ignore_dots,
                                                 GError              **error);
void            ms_message_input_free           (MsMessageInput       *input);
const char     *ms_message_input_get_header     (const MsMessageInput *input,
                                                 const char           *name);
char          **ms_message_input_get_recipients (const MsMessageInput *input);
char          **ms_message_parse_address_list   (const char           *text);
gsize           ms_message_header_name_length   (const char           *line);

/*
 * ms_message_normalise() gives the message to send: headers as read (Bcc
 * and Resent-Bcc removed when @remove_bcc), then From (@default_from, which
 * must be a valid address when the input has no From), Date (@now, or the
 * current time when NULL) and Message-ID (<random@domain of the sender>)
 * added when missing; CRLF everywhere; not dot-stuffed. A header line over
 * 998 octets is folded at a space, or refused when it has none. A body line
 * over 998 octets makes the body quoted-printable (Content-Transfer-Encoding
 * replaced, MIME-Version and Content-Type added when missing) when the body
 * is a single 7bit/8bit part; a multipart or already-encoded body with such
 * a line is refused. 8-bit bodies are otherwise kept as they are.
 * @message_id_out gets the Message-ID header's value (new or existing).
 * Errors: MS_ERROR_INVALID_INPUT.
 */
GBytes *ms_message_normalise (MsMessageInput  *input,
                              const char      *default_from,
                              gboolean         remove_bcc,
                              GDateTime       *now,
                              char           **message_id_out,
                              GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsMessageInput, ms_message_input_free)

G_END_DECLS
