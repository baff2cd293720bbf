/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "ms-result.h"

G_BEGIN_DECLS

/*
 * How the TLS session reaches the socket: blocking calls that honour the
 * transport's deadline and cancellable. @recv and @send return -1 with errno
 * set on failure, @recv 0 at end of stream; @wait returns > 0 when input is
 * ready, 0 on timeout, -1 on failure. G_MAXUINT for @timeout_ms means "until
 * the deadline".
 */
typedef struct
{
  gssize   (*recv) (gpointer    io,
                    void       *buffer,
                    gsize       length);
  gssize   (*send) (gpointer    io,
                    const void *buffer,
                    gsize       length);
  int      (*wait) (gpointer    io,
                    guint       timeout_ms);
  gpointer io;
} MsTlsIo;

/*
 * MsTlsSession:
 * One client TLS session over an #MsTlsIo: GnuTLS lives in this file only.
 * System trust plus an optional CA file, TLS 1.2 or newer, SNI for names,
 * hostname verification always, an optional SPKI pin.
 */
typedef struct _MsTlsSession MsTlsSession;

MsTlsSession *ms_tls_session_new          (const char      *host,
                                           gboolean         host_is_literal,
                                           const char      *ca_file,
                                           const char      *pin,
                                           const MsTlsIo   *io,
                                           GError         **error);
void          ms_tls_session_free         (MsTlsSession    *session);
gboolean      ms_tls_session_handshake    (MsTlsSession    *session,
                                           GError         **error);
gboolean      ms_tls_session_verify       (MsTlsSession    *session,
                                           GError         **error);
MsTlsInfo    *ms_tls_session_dup_info     (MsTlsSession    *session);
guint         ms_tls_session_get_flights  (MsTlsSession    *session);
gssize        ms_tls_session_recv         (MsTlsSession    *session,
                                           void            *buffer,
                                           gsize            length,
                                           GError         **error);
gboolean      ms_tls_session_send_all     (MsTlsSession    *session,
                                           const void      *buffer,
                                           gsize            length,
                                           GError         **error);
gsize         ms_tls_session_pending      (MsTlsSession    *session);
void          ms_tls_session_bye          (MsTlsSession    *session);
char         *ms_tls_spki_pin_from_pem    (const char      *pem,
                                           GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsTlsSession, ms_tls_session_free)

G_END_DECLS
