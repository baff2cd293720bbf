/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * MsTestProxy: a loopback TCP proxy in front of a test server, for a slow
 * uplink. Octets from the client to the server go at most @rate octets a
 * second (0: as fast as they come); after @stall_after octets (0: never)
 * it stops reading from the client altogether, as a link that died
 * without a reset. The server's octets come back at once. Its receive
 * buffer is small, so the client's kernel cannot take megabytes ahead of
 * the proxy: what the client sees acknowledged is what the proxy forwarded.
 * One connection at a time; runs in its own threads.
 */
typedef struct _MsTestProxy MsTestProxy;

MsTestProxy *ms_test_proxy_new       (guint16      target_port,
                                      guint64      rate,
                                      guint64      stall_after);
guint16      ms_test_proxy_get_port  (MsTestProxy *proxy);
/* Octets forwarded from the client to the server so far. */
guint64      ms_test_proxy_get_sent  (MsTestProxy *proxy);
void         ms_test_proxy_free      (MsTestProxy *proxy);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsTestProxy, ms_test_proxy_free)

G_END_DECLS
