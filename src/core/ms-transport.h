/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "ms-result.h"
#include "ms-smtp-reply.h"

G_BEGIN_DECLS

/*
 * MsTransport:
 * One TCP connection with a deadline and a cancellable: every blocking call
 * waits with poll() on the socket and the cancellable's fd, until the
 * deadline set with ms_transport_set_deadline(). Plain at first, TLS after
 * ms_transport_start_tls(). Reads are buffered and feed the reply parser,
 * so the caller can tell whether any byte is waiting beyond a reply.
 */
typedef struct _MsTransport MsTransport;

GList        *ms_transport_resolve            (const char          *host,
                                               GCancellable        *cancellable,
                                               GError             **error);
gboolean      ms_transport_all_loopback       (GList               *addresses);
MsTransport  *ms_transport_connect            (GList               *addresses,
                                               guint16              port,
                                               gint64               deadline,
                                               GCancellable        *cancellable,
                                               GError             **error);
void          ms_transport_free               (MsTransport         *transport);
void          ms_transport_close              (MsTransport         *transport);
GInetAddress *ms_transport_get_address        (MsTransport         *transport);
void          ms_transport_set_deadline       (MsTransport         *transport,
                                               gint64               deadline);
void          ms_transport_set_idle_timeout   (MsTransport         *transport,
                                               gint64               timeout_us);
gboolean      ms_transport_write_all          (MsTransport         *transport,
                                               const void          *data,
                                               gsize                length,
                                               GError             **error);
MsSmtpReply  *ms_transport_read_reply         (MsTransport         *transport,
                                               MsSmtpReplyParser   *parser,
                                               GError             **error);
gboolean      ms_transport_wait_input         (MsTransport         *transport,
                                               gint64               deadline,
                                               GError             **error);
gboolean      ms_transport_has_pending_input  (MsTransport         *transport);
gboolean      ms_transport_has_buffered_input (MsTransport         *transport);
gboolean      ms_transport_start_tls          (MsTransport         *transport,
                                               const char          *host,
                                               gboolean             host_is_literal,
                                               const char          *ca_file,
                                               const char          *pin,
                                               GError             **error);
gboolean      ms_transport_is_tls             (MsTransport         *transport);
MsTlsInfo    *ms_transport_dup_tls_info       (MsTransport         *transport);
guint         ms_transport_get_tls_flights    (MsTransport         *transport);
gboolean      ms_transport_speaks_tls         (GInetAddress        *address,
                                               guint16              port,
                                               const char          *host,
                                               gboolean             host_is_literal,
                                               gint64               deadline,
                                               GCancellable        *cancellable);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsTransport, ms_transport_free)

G_END_DECLS
