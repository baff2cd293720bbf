/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-delay-proxy"

#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>

#include <gio/gio.h>

/*
 * ms-delay-proxy: a loopback TCP proxy for the benchmarks. It listens on
 * 127.0.0.1, forwards every connection to 127.0.0.1:TARGET, and delivers
 * each chunk it reads DELAY ms after it arrived, in both directions, so a
 * round trip costs 2 * DELAY whatever the client does.
 *
 *   ms-delay-proxy --target-port N [--port N] [--delay MS]
 *
 * Prints "listening on PORT", then one line per connection once both
 * directions are closed:
 *
 *   connection 1: round-trips 6 turns 11 client-bytes 812 server-bytes 4711 ms 612
 *
 * round-trips counts the server's bursts (replies with no client data in
 * between): each one ends a wait of the client, so it is the number of
 * round trips whatever the client is. turns counts how often the direction
 * of traffic changed. Both are counted in the order the proxy receives
 * the data, which the delay does not reorder.
 */

typedef enum
{
  DIR_NONE = -1,
  DIR_TO_SERVER = 0,
  DIR_TO_CLIENT = 1,
} Direction;

typedef struct
{
  guint     id;
  GSocket  *sockets[2];   /* [DIR_TO_SERVER] = client side, [DIR_TO_CLIENT] = server side */
  guint     delay_ms;
  gint64    start;
  GMutex    mutex;
  Direction last;
  guint     turns;
  guint     bursts[2];
  guint64   bytes[2];
  gint      pumps_left;   /* writers still running; the last one reports */
} Link;

typedef struct
{
  Link        *link;
  Direction    dir;
  GAsyncQueue *queue;
} Pump;

typedef struct
{
  gint64  due;
  GBytes *bytes;          /* NULL: end of stream */
} Chunk;

#define CHUNK_SIZE 16384

static GSocket *
source_of (Link      *link,
           Direction  dir)
{
  return link->sockets[dir];
}

static GSocket *
destination_of (Link      *link,
                Direction  dir)
{
  return link->sockets[1 - dir];
}

static void
count_chunk (Link      *link,
             Direction  dir,
             gsize      size)
{
  g_mutex_lock (&link->mutex);
  if (link->last != dir)
    {
      if (link->last != DIR_NONE)
        link->turns++;
      link->bursts[dir]++;
      link->last = dir;
    }
  link->bytes[dir] += size;
  g_mutex_unlock (&link->mutex);
}

static void
push_chunk (Pump   *pump,
            GBytes *bytes)
{
  Chunk *chunk = g_new0 (Chunk, 1);

  chunk->due = g_get_monotonic_time () + (gint64) pump->link->delay_ms * 1000;
  chunk->bytes = bytes;
  g_async_queue_push (pump->queue, chunk);
}

static gpointer
reader_thread (gpointer data)
{
  Pump *pump = data;
  GSocket *source = source_of (pump->link, pump->dir);
  char buffer[CHUNK_SIZE];

  for (;;)
    {
      gssize n = g_socket_receive (source, buffer, sizeof buffer, NULL, NULL);

      if (n <= 0)
        break;
      /* Acknowledge at once: a peer that writes its pipelined replies one
       * by one without TCP_NODELAY (the fake server) would otherwise wait
       * for our delayed ACK (40 ms) before each of them, which no client
       * could avoid and real servers do not do (they write the replies to
       * a pipelined group together). */
      g_socket_set_option (source, IPPROTO_TCP, TCP_QUICKACK, 1, NULL);
      count_chunk (pump->link, pump->dir, n);
      push_chunk (pump, g_bytes_new (buffer, n));
    }
  push_chunk (pump, NULL);

  return NULL;
}

static gboolean
send_all (GSocket *socket,
          GBytes  *bytes)
{
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);

  while (size > 0)
    {
      gssize n = g_socket_send (socket, data, size, NULL, NULL);

      if (n <= 0)
        return FALSE;
      data += n;
      size -= n;
    }

  return TRUE;
}

static void
report (Link *link)
{
  printf ("connection %u: round-trips %u turns %u client-bytes %" G_GUINT64_FORMAT
          " server-bytes %" G_GUINT64_FORMAT " ms %" G_GINT64_FORMAT "\n",
          link->id, link->bursts[DIR_TO_CLIENT], link->turns,
          link->bytes[DIR_TO_SERVER], link->bytes[DIR_TO_CLIENT],
          (g_get_monotonic_time () - link->start) / 1000);
  fflush (stdout);
}

static void
link_release (Link *link)
{
  if (!g_atomic_int_dec_and_test (&link->pumps_left))
    return;

  report (link);
  g_socket_close (link->sockets[0], NULL);
  g_socket_close (link->sockets[1], NULL);
  g_object_unref (link->sockets[0]);
  g_object_unref (link->sockets[1]);
  g_mutex_clear (&link->mutex);
  g_free (link);
}

static gpointer
writer_thread (gpointer data)
{
  Pump *pump = data;
  GSocket *destination = destination_of (pump->link, pump->dir);
  gboolean open = TRUE;
  GThread *reader = g_thread_new ("reader", reader_thread, pump);

  for (;;)
    {
      Chunk *chunk = g_async_queue_pop (pump->queue);
      gint64 wait = chunk->due - g_get_monotonic_time ();
      gboolean end = chunk->bytes == NULL;

      if (wait > 0)
        g_usleep (wait);
      if (end)
        g_socket_shutdown (destination, FALSE, TRUE, NULL);
      else if (open && !send_all (destination, chunk->bytes))
        {
          /* The destination is gone: stop the reader, keep draining. */
          open = FALSE;
          g_socket_shutdown (source_of (pump->link, pump->dir), TRUE, FALSE, NULL);
        }
      g_clear_pointer (&chunk->bytes, g_bytes_unref);
      g_free (chunk);
      if (end)
        break;
    }

  g_thread_join (reader);
  g_async_queue_unref (pump->queue);
  link_release (pump->link);
  g_free (pump);

  return NULL;
}

static void
start_pump (Link      *link,
            Direction  dir)
{
  Pump *pump = g_new0 (Pump, 1);

  pump->link = link;
  pump->dir = dir;
  pump->queue = g_async_queue_new ();
  g_thread_unref (g_thread_new ("writer", writer_thread, pump));
}

static GSocket *
connect_target (guint16   port,
                GError  **error)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, error);

  if (socket == NULL || !g_socket_connect (socket, address, NULL, error))
    return NULL;

  return g_steal_pointer (&socket);
}

static void
serve (GSocket *listener,
       guint16  target_port,
       guint    delay_ms)
{
  guint next_id = 1;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocket) client = g_socket_accept (listener, NULL, &error);
      g_autoptr(GSocket) server = NULL;
      Link *link;

      if (client == NULL)
        {
          g_printerr ("accept: %s\n", error->message);
          continue;
        }
      server = connect_target (target_port, &error);
      if (server == NULL)
        {
          g_printerr ("connect to port %u: %s\n", target_port, error->message);
          continue;
        }
      g_socket_set_option (client, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
      g_socket_set_option (server, IPPROTO_TCP, TCP_NODELAY, 1, NULL);

      link = g_new0 (Link, 1);
      link->id = next_id++;
      link->sockets[DIR_TO_SERVER] = g_steal_pointer (&client);
      link->sockets[DIR_TO_CLIENT] = g_steal_pointer (&server);
      link->delay_ms = delay_ms;
      link->start = g_get_monotonic_time ();
      link->last = DIR_NONE;
      link->pumps_left = 2;
      g_mutex_init (&link->mutex);
      start_pump (link, DIR_TO_SERVER);
      start_pump (link, DIR_TO_CLIENT);
    }
}

static GSocket *
listen_loopback (guint16   port,
                 GError  **error)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, error);

  if (socket == NULL
      || !g_socket_bind (socket, address, TRUE, error)
      || !g_socket_listen (socket, error))
    return NULL;

  return g_steal_pointer (&socket);
}

static guint16
local_port (GSocket *socket)
{
  g_autoptr(GSocketAddress) address = g_socket_get_local_address (socket, NULL);

  return address != NULL
         ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)) : 0;
}

int
main (int   argc,
      char *argv[])
{
  int port = 0;
  int target_port = 0;
  int delay_ms = 0;
  GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, "Listen on 127.0.0.1:N (0: any free port)", "N" },
    { "target-port", 't', 0, G_OPTION_ARG_INT, &target_port, "Forward to 127.0.0.1:N", "N" },
    { "delay", 'd', 0, G_OPTION_ARG_INT, &delay_ms, "Delay of each chunk, each way", "MS" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- loopback delay proxy");
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) listener = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (port < 0 || port > 65535 || target_port < 1 || target_port > 65535
      || delay_ms < 0 || delay_ms > 60000)
    {
      g_printerr ("--target-port 1-65535 is required; --port 0-65535; --delay 0-60000\n");
      return 2;
    }

  listener = listen_loopback (port, &error);
  if (listener == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  printf ("listening on %u\n", local_port (listener));
  fflush (stdout);

  serve (listener, target_port, delay_ms);

  return 0;
}
