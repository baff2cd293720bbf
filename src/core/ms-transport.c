/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-transport"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <glib/gi18n-lib.h>

#include "ms-error.h"
#include "ms-tls-session.h"
#include "ms-transport.h"

#define MS_TRANSPORT_BUFFER 16384

/* One black-holed address must not eat the whole connect budget (F2): every
 * address but the last gets its share, at most this long. */
#define MS_CONNECT_PER_ADDRESS_MAX_US (5 * G_USEC_PER_SEC)

/* Enough of the first bytes a TLS handshake received to recognise an SMTP
 * greeting ("220 ", "554-") sent by a server that does not speak TLS. */
#define MS_FIRST_BYTES 8

/* How often a wait with an idle timeout looks at the send queue. */
#define MS_PROGRESS_POLL_US (100 * G_TIME_SPAN_MILLISECOND)

struct _MsTransport
{
  int            fd;
  GCancellable  *cancellable;
  gint64         deadline;
  gint64         idle_timeout;   /* 0: the deadline rules */
  gint64         last_progress;
  int            last_queued;
  GInetAddress  *address;
  MsTlsSession  *tls;
  gboolean       tls_trusted;
  GError        *io_error;
  guint8         first_bytes[MS_FIRST_BYTES];
  gsize          n_first_bytes;
  gsize          start;
  gsize          end;
  char           buffer[MS_TRANSPORT_BUFFER];
};

/* Waits for @events on @fd, or the cancellable, until @deadline (monotonic
 * microseconds): a cancel is seen at once, not at the next timeout. */
static gboolean
wait_fd (int            fd,
         short          events,
         gint64         deadline,
         GCancellable  *cancellable,
         MsErrorCode    timeout_code,
         GError       **error)
{
  for (;;)
    {
      GPollFD fds[2] = { { fd, events, 0 }, { -1, G_IO_IN, 0 } };
      gboolean has_cancel_fd = g_cancellable_make_pollfd (cancellable, &fds[1]);
      gint64 remaining = deadline - g_get_monotonic_time ();
      int timeout_ms = remaining > 0 ? (int) MIN ((remaining + 999) / 1000, G_MAXINT) : 0;
      int ret;

      if (g_cancellable_is_cancelled (cancellable))
        ret = -2;
      else
        ret = g_poll (fds, has_cancel_fd ? 2 : 1, timeout_ms);
      if (has_cancel_fd)
        g_cancellable_release_fd (cancellable);

      if (ret == -1 && errno == EINTR)
        continue;
      if (ret == -2 || g_cancellable_is_cancelled (cancellable))
        {
          g_set_error (error, MS_ERROR, MS_ERROR_CANCELLED, "%s", _("Cancelled"));
          return FALSE;
        }
      if (ret < 0)
        {
          g_set_error (error, MS_ERROR, MS_ERROR_INTERNAL, "poll: %s", g_strerror (errno));
          return FALSE;
        }
      if (ret > 0 && fds[0].revents != 0)
        return TRUE;
      if (g_get_monotonic_time () >= deadline)
        {
          g_set_error (error, MS_ERROR, timeout_code, "%s", _("The server did not answer in time"));
          return FALSE;
        }
    }
}

/**
 * ms_transport_resolve:
 * @host: a normalised host name or address literal
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Errors: dns-failed, cancelled.
 *
 * Returns: (transfer full) (element-type GInetAddress): every address, in
 *   the resolver's order
 */
GList *
ms_transport_resolve (const char    *host,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(GResolver) resolver = NULL;
  g_autoptr(GError) local_error = NULL;
  GInetAddress *literal = g_inet_address_new_from_string (host);
  GList *addresses;

  if (literal != NULL)
    return g_list_prepend (NULL, literal);

  resolver = g_resolver_get_default ();
  addresses = g_resolver_lookup_by_name (resolver, host, cancellable, &local_error);
  if (addresses != NULL)
    return addresses;

  if (g_cancellable_is_cancelled (cancellable))
    g_set_error (error, MS_ERROR, MS_ERROR_CANCELLED, "%s", _("Cancelled"));
  else
    g_set_error (error, MS_ERROR, MS_ERROR_DNS_FAILED, "%s",
                 local_error ? local_error->message : host);

  return NULL;
}

/**
 * ms_transport_all_loopback:
 * @addresses: (element-type GInetAddress): resolved addresses
 *
 * Returns: %TRUE when there is at least one address and all are loopback
 */
gboolean
ms_transport_all_loopback (GList *addresses)
{
  if (addresses == NULL)
    return FALSE;

  for (GList *l = addresses; l != NULL; l = l->next)
    if (!g_inet_address_get_is_loopback (l->data))
      return FALSE;

  return TRUE;
}

static int
open_socket (GInetAddress  *address,
             guint16        port,
             gint64         deadline,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GSocketAddress) sockaddr = g_inet_socket_address_new (address, port);
  struct sockaddr_storage native;
  gsize native_len = g_socket_address_get_native_size (sockaddr);
  int saved_errno = 0;
  socklen_t errlen = sizeof saved_errno;
  int fd;

  if (!g_socket_address_to_native (sockaddr, &native, sizeof native, error))
    return -1;

  fd = socket (native.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    {
      g_set_error (error, MS_ERROR, MS_ERROR_CONNECT_REFUSED, "socket: %s", g_strerror (errno));
      return -1;
    }

  if (connect (fd, (struct sockaddr *) &native, native_len) < 0 && errno != EINPROGRESS)
    saved_errno = errno;
  else if (!wait_fd (fd, G_IO_OUT, deadline, cancellable, MS_ERROR_CONNECT_TIMEOUT, error))
    {
      close (fd);
      return -1;
    }
  else if (getsockopt (fd, SOL_SOCKET, SO_ERROR, &saved_errno, &errlen) < 0)
    saved_errno = errno;

  if (saved_errno != 0)
    {
      close (fd);
      g_set_error (error, MS_ERROR,
                   saved_errno == ETIMEDOUT ? MS_ERROR_CONNECT_TIMEOUT : MS_ERROR_CONNECT_REFUSED,
                   "%s", g_strerror (saved_errno));
      return -1;
    }

  /* Every command group goes out in one write already; Nagle would only
   * hold back the last segment of a message body waiting for an ACK that
   * the server delays. */
  (void) setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &(int) { 1 }, sizeof (int));

  return fd;
}

static MsTransport *
transport_new (int            fd,
               GInetAddress  *address,
               GCancellable  *cancellable)
{
  MsTransport *self = g_new0 (MsTransport, 1);

  self->fd = fd;
  self->address = g_object_ref (address);
  self->cancellable = cancellable ? g_object_ref (cancellable) : NULL;
  self->deadline = g_get_monotonic_time () + MS_DEFAULT_TIMEOUT_SECONDS * G_USEC_PER_SEC;

  return self;
}

static gint64
address_deadline (gint64 deadline,
                  guint  remaining_addresses)
{
  gint64 now = g_get_monotonic_time ();
  gint64 share;

  if (remaining_addresses <= 1)
    return deadline;

  share = MIN ((deadline - now) / remaining_addresses, MS_CONNECT_PER_ADDRESS_MAX_US);

  return now + MAX (share, 0);
}

/**
 * ms_transport_connect:
 * @addresses: (element-type GInetAddress): the addresses to try, in order
 * @port: the TCP port
 * @deadline: monotonic time by which some address must have answered
 * @cancellable: (nullable): a #GCancellable, also used for every later call
 * @error: return location for an error
 *
 * Tries each address in turn; every address but the last gets a share of
 * the time left, so a black-holed address does not eat it all.
 *
 * Errors: connect-refused (every address refused or was unreachable),
 *   connect-timeout (some address did not answer), cancelled.
 *
 * Returns: (transfer full) (nullable): the connection
 */
MsTransport *
ms_transport_connect (GList         *addresses,
                      guint16        port,
                      gint64         deadline,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(GString) detail = g_string_new (NULL);
  gboolean timed_out = FALSE;
  guint left = g_list_length (addresses);

  for (GList *l = addresses; l != NULL; l = l->next, left--)
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *text = g_inet_address_to_string (l->data);
      int fd = open_socket (l->data, port, address_deadline (deadline, left),
                            cancellable, &local_error);

      if (fd >= 0)
        return transport_new (fd, l->data, cancellable);

      if (g_error_matches (local_error, MS_ERROR, MS_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      timed_out |= g_error_matches (local_error, MS_ERROR, MS_ERROR_CONNECT_TIMEOUT);
      g_string_append_printf (detail, "%s%s: %s", detail->len ? "; " : "", text,
                              local_error->message);
    }

  g_set_error (error, MS_ERROR,
               timed_out ? MS_ERROR_CONNECT_TIMEOUT : MS_ERROR_CONNECT_REFUSED,
               "%s", detail->len ? detail->str : _("No address to connect to"));

  return NULL;
}

/**
 * ms_transport_close:
 * @self: an #MsTransport
 *
 * Ends TLS politely (close_notify, without waiting for the server's) and
 * closes the socket. Safe to call twice.
 */
void
ms_transport_close (MsTransport *self)
{
  g_return_if_fail (self != NULL);

  if (self->tls != NULL && self->tls_trusted && self->fd >= 0)
    ms_tls_session_bye (self->tls);
  g_clear_pointer (&self->tls, ms_tls_session_free);
  if (self->fd >= 0)
    close (self->fd);
  self->fd = -1;
}

void
ms_transport_free (MsTransport *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->tls, ms_tls_session_free);
  if (self->fd >= 0)
    close (self->fd);
  g_clear_object (&self->address);
  g_clear_object (&self->cancellable);
  g_clear_error (&self->io_error);
  g_free (self);
}

GInetAddress *
ms_transport_get_address (MsTransport *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->address;
}

/**
 * ms_transport_set_deadline:
 * @self: an #MsTransport
 * @deadline: monotonic time (g_get_monotonic_time()) after which every
 *   blocking call fails with timeout
 */
void
ms_transport_set_deadline (MsTransport *self,
                           gint64       deadline)
{
  g_return_if_fail (self != NULL);

  self->deadline = deadline;
}

/* Octets the peer has not acknowledged yet (SIOCOUTQ): they shrink only
 * when the server's side takes them, whereas a send() returns as soon as
 * the kernel has room. -1 when the kernel does not say. */
static int
unacknowledged (MsTransport *self)
{
  int queued = 0;

  if (ioctl (self->fd, SIOCOUTQ, &queued) < 0)
    return -1;

  return queued;
}

static void
note_progress (MsTransport *self)
{
  int queued = unacknowledged (self);

  if (queued >= 0 && queued < self->last_queued)
    self->last_progress = g_get_monotonic_time ();
  self->last_queued = queued;
}

/* Like wait_fd(), with the transport's limit: the step deadline, or with
 * an idle timeout, that long without progress. @limit caps it further. */
static gboolean
transport_wait (MsTransport  *self,
                short         events,
                gint64        limit,
                GError      **error)
{
  if (self->idle_timeout == 0)
    return wait_fd (self->fd, events, MIN (self->deadline, limit), self->cancellable,
                    MS_ERROR_TIMEOUT, error);

  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      gint64 idle_deadline = self->last_progress + self->idle_timeout;
      gint64 slice = MIN (MIN (g_get_monotonic_time () + MS_PROGRESS_POLL_US, idle_deadline),
                          limit);

      if (wait_fd (self->fd, events, slice, self->cancellable, MS_ERROR_TIMEOUT, &local_error))
        return TRUE;
      if (!g_error_matches (local_error, MS_ERROR, MS_ERROR_TIMEOUT))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      note_progress (self);
      if (g_get_monotonic_time () >= MIN (self->last_progress + self->idle_timeout, limit))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }
}

/**
 * ms_transport_set_idle_timeout:
 * @self: an #MsTransport
 * @timeout_us: microseconds without progress after which a blocking call
 *   fails with timeout; 0 to go back to the deadline
 *
 * For a message body and its final reply: a large message on a slow link
 * may take far longer than any fixed deadline while it moves. Progress is
 * the server taking octets (the kernel's count of unacknowledged octets
 * going down, not a send() returning: the kernel takes megabytes at once)
 * or octets arriving from the server.
 */
void
ms_transport_set_idle_timeout (MsTransport *self,
                               gint64       timeout_us)
{
  g_return_if_fail (self != NULL);

  self->idle_timeout = MAX (timeout_us, 0);
  self->last_progress = g_get_monotonic_time ();
  self->last_queued = unacknowledged (self);
}

static gssize
raw_recv (MsTransport  *self,
          void         *buffer,
          gsize         length,
          GError      **error)
{
  for (;;)
    {
      gssize n = recv (self->fd, buffer, length, 0);

      if (n > 0)
        self->last_progress = g_get_monotonic_time ();
      if (n >= 0)
        return n;
      if (errno == EINTR)
        continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK)
        {
          g_set_error (error, MS_ERROR, MS_ERROR_CONNECTION_LOST, "%s", g_strerror (errno));
          return -1;
        }
      if (!transport_wait (self, G_IO_IN, G_MAXINT64, error))
        return -1;
    }
}

static gboolean
raw_send_all (MsTransport  *self,
              const char   *data,
              gsize         length,
              GError      **error)
{
  while (length > 0)
    {
      gssize n = send (self->fd, data, length, MSG_NOSIGNAL);

      if (n >= 0)
        {
          data += n;
          length -= n;
          /* Progress is the queue going down from what we left in it. */
          if (self->idle_timeout != 0)
            self->last_queued = unacknowledged (self);
          continue;
        }
      if (errno == EINTR)
        continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK)
        {
          g_set_error (error, MS_ERROR, MS_ERROR_CONNECTION_LOST, "%s", g_strerror (errno));
          return FALSE;
        }
      if (!transport_wait (self, G_IO_OUT, G_MAXINT64, error))
        return FALSE;
    }

  return TRUE;
}

/* The TLS session's view of the socket: failures are kept so that the
 * caller reports "timeout" or "cancelled" rather than GnuTLS's pull error. */
static gssize
tls_io_recv (gpointer  io,
             void     *buffer,
             gsize     length)
{
  MsTransport *self = io;
  gssize n;

  g_clear_error (&self->io_error);
  n = raw_recv (self, buffer, length, &self->io_error);
  if (n < 0)
    {
      errno = EIO;
      return -1;
    }

  if (self->n_first_bytes < MS_FIRST_BYTES)
    {
      gsize take = MIN ((gsize) n, MS_FIRST_BYTES - self->n_first_bytes);

      memcpy (self->first_bytes + self->n_first_bytes, buffer, take);
      self->n_first_bytes += take;
    }

  return n;
}

static gssize
tls_io_send (gpointer    io,
             const void *buffer,
             gsize       length)
{
  MsTransport *self = io;

  g_clear_error (&self->io_error);
  if (!raw_send_all (self, buffer, length, &self->io_error))
    {
      errno = EIO;
      return -1;
    }

  return length;
}

static int
tls_io_wait (gpointer io,
             guint    timeout_ms)
{
  MsTransport *self = io;
  gint64 limit = G_MAXINT64;
  g_autoptr(GError) local_error = NULL;

  if (timeout_ms != G_MAXUINT)
    limit = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  if (transport_wait (self, G_IO_IN, limit, &local_error))
    return 1;
  if (g_error_matches (local_error, MS_ERROR, MS_ERROR_TIMEOUT))
    return 0;

  g_clear_error (&self->io_error);
  self->io_error = g_steal_pointer (&local_error);
  errno = EIO;

  return -1;
}

/**
 * ms_transport_write_all:
 * @self: an #MsTransport
 * @data: what to send
 * @length: its length
 * @error: return location for an error
 *
 * Errors: timeout, connection-lost, cancelled.
 *
 * Returns: %TRUE when everything was sent before the deadline
 */
gboolean
ms_transport_write_all (MsTransport  *self,
                        const void   *data,
                        gsize         length,
                        GError      **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (self != NULL, FALSE);

  if (self->tls == NULL)
    return raw_send_all (self, data, length, error);

  if (ms_tls_session_send_all (self->tls, data, length, &local_error))
    return TRUE;

  g_propagate_error (error, self->io_error ? g_steal_pointer (&self->io_error)
                                           : g_steal_pointer (&local_error));
  return FALSE;
}

static gboolean
fill_buffer (MsTransport  *self,
             GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  gssize n;

  if (self->start == self->end)
    self->start = self->end = 0;
  else if (self->start > 0)
    {
      memmove (self->buffer, self->buffer + self->start, self->end - self->start);
      self->end -= self->start;
      self->start = 0;
    }

  if (self->end == sizeof self->buffer)
    {
      g_set_error (error, MS_ERROR, MS_ERROR_PROTOCOL_ERROR, "%s",
                   _("The server sent a reply that is too long"));
      return FALSE;
    }

  if (self->tls != NULL)
    n = ms_tls_session_recv (self->tls, self->buffer + self->end,
                             sizeof self->buffer - self->end, &local_error);
  else
    n = raw_recv (self, self->buffer + self->end, sizeof self->buffer - self->end, &local_error);

  if (n < 0 && self->tls != NULL && self->io_error != NULL)
    g_propagate_error (error, g_steal_pointer (&self->io_error));
  else if (n < 0)
    g_propagate_error (error, g_steal_pointer (&local_error));
  else if (n == 0)
    g_set_error (error, MS_ERROR, MS_ERROR_CONNECTION_LOST, "%s",
                 _("The server closed the connection"));
  else
    self->end += n;

  return n > 0;
}

/**
 * ms_transport_read_reply:
 * @self: an #MsTransport
 * @parser: the reply parser (reset here)
 * @error: return location for an error
 *
 * Reads one complete reply; bytes after it stay buffered for the next call
 * (pipelined replies) or for ms_transport_has_pending_input().
 *
 * Errors: protocol-error, timeout, connection-lost, cancelled.
 *
 * Returns: (transfer full) (nullable): the reply
 */
MsSmtpReply *
ms_transport_read_reply (MsTransport        *self,
                         MsSmtpReplyParser  *parser,
                         GError            **error)
{
  g_return_val_if_fail (self != NULL, NULL);

  ms_smtp_reply_parser_reset (parser);

  for (;;)
    {
      if (self->end > self->start)
        {
          g_autoptr(GError) local_error = NULL;
          gsize consumed = 0;
          MsSmtpParseStatus status;

          status = ms_smtp_reply_parser_feed (parser, self->buffer + self->start,
                                              self->end - self->start, &consumed, &local_error);
          self->start += MIN (consumed, self->end - self->start);

          if (status == MS_SMTP_PARSE_DONE)
            return ms_smtp_reply_parser_take_reply (parser);
          if (status == MS_SMTP_PARSE_ERROR)
            {
              g_set_error (error, MS_ERROR, MS_ERROR_PROTOCOL_ERROR, "%s",
                           local_error ? local_error->message : _("Malformed reply"));
              return NULL;
            }
        }

      if (!fill_buffer (self, error))
        return NULL;
    }
}

/**
 * ms_transport_wait_input:
 * @self: an #MsTransport
 * @deadline: how long to wait (monotonic time); may be shorter than the
 *   transport's deadline
 * @error: return location for an error
 *
 * Errors: timeout, cancelled.
 *
 * Returns: %TRUE when input is waiting
 */
gboolean
ms_transport_wait_input (MsTransport  *self,
                         gint64        deadline,
                         GError      **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (self->end > self->start || (self->tls && ms_tls_session_pending (self->tls) > 0))
    return TRUE;

  return wait_fd (self->fd, G_IO_IN, deadline, self->cancellable, MS_ERROR_TIMEOUT, error);
}

/**
 * ms_transport_has_pending_input:
 * @self: an #MsTransport
 *
 * The STARTTLS injection check: after the 220 to STARTTLS, any byte that
 * is buffered or already readable on the socket came from someone else.
 *
 * Returns: %TRUE when any input is buffered or readable right now
 */
gboolean
ms_transport_has_pending_input (MsTransport *self)
{
  struct pollfd fds = { self->fd, POLLIN, 0 };

  g_return_val_if_fail (self != NULL, TRUE);

  if (self->end > self->start)
    return TRUE;
  if (self->tls != NULL && ms_tls_session_pending (self->tls) > 0)
    return TRUE;

  return poll (&fds, 1, 0) != 0;
}

/**
 * ms_transport_has_buffered_input:
 * @self: an #MsTransport
 *
 * Whether bytes beyond the last reply were already read (and decrypted),
 * without looking at the socket: TLS 1.3 session tickets may sit there
 * legitimately.
 *
 * Returns: %TRUE when input is buffered
 */
gboolean
ms_transport_has_buffered_input (MsTransport *self)
{
  g_return_val_if_fail (self != NULL, TRUE);

  return self->end > self->start
         || (self->tls != NULL && ms_tls_session_pending (self->tls) > 0);
}

static gboolean
looks_like_smtp_reply (const guint8 *bytes,
                       gsize         length)
{
  return length >= 4
         && bytes[0] >= '2' && bytes[0] <= '5'
         && g_ascii_isdigit (bytes[1]) && g_ascii_isdigit (bytes[2])
         && (bytes[3] == ' ' || bytes[3] == '-' || bytes[3] == '\r');
}

static MsTlsSession *
new_tls_session (MsTransport  *self,
                 const char   *host,
                 gboolean      host_is_literal,
                 const char   *ca_file,
                 const char   *pin,
                 GError      **error)
{
  MsTlsIo io = { tls_io_recv, tls_io_send, tls_io_wait, self };

  self->n_first_bytes = 0;

  return ms_tls_session_new (host, host_is_literal, ca_file, pin, &io, error);
}

static void
handshake_failed (MsTransport  *self,
                  GError       *tls_error,
                  GError      **error)
{
  if (self->io_error != NULL && !g_error_matches (self->io_error, MS_ERROR,
                                                  MS_ERROR_CONNECTION_LOST))
    g_propagate_error (error, g_steal_pointer (&self->io_error));
  else if (looks_like_smtp_reply (self->first_bytes, self->n_first_bytes))
    g_set_error (error, MS_ERROR, MS_ERROR_WRONG_SECURITY_MODE, "%s",
                 _("The server answered the TLS handshake with a plain SMTP greeting"));
  else
    g_propagate_error (error, g_error_copy (tls_error));
}

/**
 * ms_transport_start_tls:
 * @self: an #MsTransport with nothing buffered
 * @host: the normalised host, for SNI and the certificate check
 * @host_is_literal: whether @host is an address
 * @ca_file: (nullable): extra trusted CA certificates
 * @pin: (nullable): "sha256//BASE64"
 * @error: return location for an error
 *
 * Runs the handshake and checks the certificate; the TLS details stay
 * available from ms_transport_dup_tls_info() even when the check failed.
 *
 * Errors: tls-handshake-failed, wrong-security-mode (the server greeted in
 *   clear), certificate-*, pin-mismatch, timeout, cancelled, invalid-input
 *   (unreadable CA file).
 *
 * Returns: %TRUE when the session is up and trusted
 */
gboolean
ms_transport_start_tls (MsTransport  *self,
                        const char   *host,
                        gboolean      host_is_literal,
                        const char   *ca_file,
                        const char   *pin,
                        GError      **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (self->tls == NULL, FALSE);

  self->tls = new_tls_session (self, host, host_is_literal, ca_file, pin, error);
  if (self->tls == NULL)
    return FALSE;

  if (!ms_tls_session_handshake (self->tls, &local_error))
    {
      handshake_failed (self, local_error, error);
      return FALSE;
    }

  self->tls_trusted = ms_tls_session_verify (self->tls, error);

  return self->tls_trusted;
}

gboolean
ms_transport_is_tls (MsTransport *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->tls != NULL;
}

/**
 * ms_transport_dup_tls_info:
 * @self: an #MsTransport
 *
 * Returns: (transfer full) (nullable): the TLS details, when a handshake
 *   got as far as the certificate
 */
MsTlsInfo *
ms_transport_dup_tls_info (MsTransport *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->tls ? ms_tls_session_dup_info (self->tls) : NULL;
}

guint
ms_transport_get_tls_flights (MsTransport *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->tls ? ms_tls_session_get_flights (self->tls) : 0;
}

/**
 * ms_transport_speaks_tls:
 * @address: the address to try
 * @port: the port
 * @host: the normalised host (SNI)
 * @host_is_literal: whether @host is an address
 * @deadline: when to give up
 * @cancellable: (nullable): a #GCancellable
 *
 * Whether a port that sent no greeting waits for a ClientHello instead: a
 * TLS handshake on a fresh connection. The certificate is not checked and
 * nothing is sent after the handshake: this only names the mode.
 *
 * Returns: %TRUE when the handshake completed
 */
gboolean
ms_transport_speaks_tls (GInetAddress *address,
                         guint16       port,
                         const char   *host,
                         gboolean      host_is_literal,
                         gint64        deadline,
                         GCancellable *cancellable)
{
  GList addresses = { address, NULL, NULL };
  g_autoptr(MsTransport) self = ms_transport_connect (&addresses, port, deadline,
                                                      cancellable, NULL);
  gboolean ok;

  if (self == NULL)
    return FALSE;

  self->deadline = deadline;
  self->tls = new_tls_session (self, host, host_is_literal, NULL, NULL, NULL);
  if (self->tls == NULL)
    return FALSE;

  ok = ms_tls_session_handshake (self->tls, NULL);
  ms_transport_close (self);

  return ok;
}
