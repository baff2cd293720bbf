/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-test-proxy"

#include "config.h"

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "ms-test-proxy.h"

#define PROXY_CHUNK   16384
#define PROXY_RCVBUF  32768
#define POLL_SLICE_MS 50

struct _MsTestProxy
{
  guint16   target_port;
  guint64   rate;
  guint64   stall_after;
  int       listen_fd;
  guint16   port;
  gint      stopping;
  guint64   sent;           /* atomic through the mutex */
  GMutex    mutex;
  GThread  *accept_thread;
  GPtrArray *threads;
  GArray    *fds;           /* the sockets of every connection, closed in _free */
};

typedef struct
{
  MsTestProxy *proxy;
  int          from;
  int          to;
  gboolean     upstream;    /* client to server: throttled */
} Pump;

static gboolean
stopping (MsTestProxy *proxy)
{
  return g_atomic_int_get (&proxy->stopping);
}

/* Waits for @events on @fd in short slices, so that a stop is seen. */
static gboolean
wait_ready (MsTestProxy *proxy,
            int          fd,
            short        events)
{
  while (!stopping (proxy))
    {
      struct pollfd pfd = { fd, events, 0 };
      int n = poll (&pfd, 1, POLL_SLICE_MS);

      if (n > 0)
        return TRUE;
      if (n < 0 && errno != EINTR)
        return FALSE;
    }

  return FALSE;
}

static gboolean
write_all (MsTestProxy *proxy,
           int          fd,
           const char  *data,
           gsize        length)
{
  while (length > 0)
    {
      ssize_t n;

      if (!wait_ready (proxy, fd, POLLOUT))
        return FALSE;
      n = send (fd, data, length, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && (errno == EINTR || errno == EAGAIN))
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      length -= n;
    }

  return TRUE;
}

static void
sleep_slices (MsTestProxy *proxy,
              gint64       us)
{
  gint64 end = g_get_monotonic_time () + us;

  while (!stopping (proxy) && g_get_monotonic_time () < end)
    g_usleep (MIN (end - g_get_monotonic_time (), POLL_SLICE_MS * 1000));
}

/* How much the upstream pump may read now: none once stalled. */
static gsize
upstream_budget (MsTestProxy *proxy)
{
  guint64 sent;

  g_mutex_lock (&proxy->mutex);
  sent = proxy->sent;
  g_mutex_unlock (&proxy->mutex);

  if (proxy->stall_after == 0)
    return PROXY_CHUNK;
  if (sent >= proxy->stall_after)
    return 0;

  return MIN (PROXY_CHUNK, proxy->stall_after - sent);
}

static gpointer
pump_thread (gpointer data)
{
  Pump *pump = data;
  MsTestProxy *proxy = pump->proxy;
  char buffer[PROXY_CHUNK];

  for (;;)
    {
      gsize budget = pump->upstream ? upstream_budget (proxy) : PROXY_CHUNK;
      ssize_t n;

      if (budget == 0)
        {
          sleep_slices (proxy, G_MAXINT64 / 2);
          break;
        }
      if (!wait_ready (proxy, pump->from, POLLIN))
        break;
      n = recv (pump->from, buffer, budget, MSG_DONTWAIT);
      if (n < 0 && (errno == EINTR || errno == EAGAIN))
        continue;
      if (n <= 0 || !write_all (proxy, pump->to, buffer, n))
        break;
      if (pump->upstream)
        {
          g_mutex_lock (&proxy->mutex);
          proxy->sent += n;
          g_mutex_unlock (&proxy->mutex);
          if (proxy->rate > 0)
            sleep_slices (proxy, (gint64) n * G_USEC_PER_SEC / proxy->rate);
        }
    }

  shutdown (pump->to, SHUT_WR);
  g_free (pump);

  return NULL;
}

static int
connect_target (guint16 port)
{
  struct sockaddr_in sin = { 0, };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  sin.sin_port = htons (port);
  if (fd >= 0 && connect (fd, (struct sockaddr *) &sin, sizeof sin) < 0)
    {
      close (fd);
      return -1;
    }

  return fd;
}

static void
start_pump (MsTestProxy *proxy,
            int          from,
            int          to,
            gboolean     upstream)
{
  Pump *pump = g_new0 (Pump, 1);

  pump->proxy = proxy;
  pump->from = from;
  pump->to = to;
  pump->upstream = upstream;
  g_mutex_lock (&proxy->mutex);
  g_ptr_array_add (proxy->threads, g_thread_new ("ms-test-proxy-pump", pump_thread, pump));
  g_mutex_unlock (&proxy->mutex);
}

static gpointer
accept_thread (gpointer data)
{
  MsTestProxy *proxy = data;

  while (wait_ready (proxy, proxy->listen_fd, POLLIN))
    {
      int client = accept4 (proxy->listen_fd, NULL, NULL, SOCK_CLOEXEC);
      int server;

      if (client < 0)
        continue;
      server = connect_target (proxy->target_port);
      if (server < 0)
        {
          close (client);
          continue;
        }
      /* Both pumps share the two sockets. */
      g_mutex_lock (&proxy->mutex);
      g_array_append_val (proxy->fds, client);
      g_array_append_val (proxy->fds, server);
      g_mutex_unlock (&proxy->mutex);
      start_pump (proxy, client, server, TRUE);
      start_pump (proxy, server, client, FALSE);
    }

  return NULL;
}

/**
 * ms_test_proxy_new:
 * @target_port: the server's port on 127.0.0.1
 * @rate: octets a second from the client, 0 for no limit
 * @stall_after: octets after which the client is no longer read, 0 never
 *
 * Returns: (transfer full): a running proxy (aborts the test on failure)
 */
MsTestProxy *
ms_test_proxy_new (guint16 target_port,
                   guint64 rate,
                   guint64 stall_after)
{
  MsTestProxy *proxy = g_new0 (MsTestProxy, 1);
  struct sockaddr_in sin = { 0, };
  socklen_t len = sizeof sin;
  int rcvbuf = PROXY_RCVBUF;

  proxy->target_port = target_port;
  proxy->rate = rate;
  proxy->stall_after = stall_after;
  proxy->threads = g_ptr_array_new ();
  proxy->fds = g_array_new (FALSE, FALSE, sizeof (int));
  g_mutex_init (&proxy->mutex);

  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  proxy->listen_fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (proxy->listen_fd, >=, 0);
  /* Set before listen() so that accepted sockets inherit it (and its
   * window scale): the client's kernel cannot run far ahead. */
  g_assert_cmpint (setsockopt (proxy->listen_fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
                               sizeof rcvbuf), ==, 0);
  g_assert_cmpint (bind (proxy->listen_fd, (struct sockaddr *) &sin, sizeof sin), ==, 0);
  g_assert_cmpint (listen (proxy->listen_fd, 4), ==, 0);
  g_assert_cmpint (getsockname (proxy->listen_fd, (struct sockaddr *) &sin, &len), ==, 0);
  proxy->port = ntohs (sin.sin_port);
  proxy->accept_thread = g_thread_new ("ms-test-proxy", accept_thread, proxy);

  return proxy;
}

guint16
ms_test_proxy_get_port (MsTestProxy *proxy)
{
  return proxy->port;
}

guint64
ms_test_proxy_get_sent (MsTestProxy *proxy)
{
  guint64 sent;

  g_mutex_lock (&proxy->mutex);
  sent = proxy->sent;
  g_mutex_unlock (&proxy->mutex);

  return sent;
}

void
ms_test_proxy_free (MsTestProxy *proxy)
{
  if (proxy == NULL)
    return;

  g_atomic_int_set (&proxy->stopping, TRUE);
  g_thread_join (proxy->accept_thread);
  /* No new entries once the accept thread ended. */
  for (guint i = 0; i < proxy->threads->len; i++)
    g_thread_join (proxy->threads->pdata[i]);
  for (guint i = 0; i < proxy->fds->len; i++)
    close (g_array_index (proxy->fds, int, i));
  close (proxy->listen_fd);
  g_ptr_array_unref (proxy->threads);
  g_array_unref (proxy->fds);
  g_mutex_clear (&proxy->mutex);
  g_free (proxy);
}
