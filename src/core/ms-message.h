/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MS_MESSAGE_MAX_LINE 998   /* octets per line, CRLF excluded (RFC 5322 2.1.1) */

/*
 * Composing CONTRACT.md's test message. Every field is checked for CR, LF
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

/* The wire form for DATA: dot-stuffed, CRLF everywhere, ending in
 * "\r\n.\r\n". For BDAT, use the message unstuffed. */
GBytes *ms_message_dot_stuff      (GBytes      *message);

G_END_DECLS
