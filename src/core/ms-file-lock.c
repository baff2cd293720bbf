/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-file-lock"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/file.h>

#include <glib/gi18n-lib.h>

#include "ms-error.h"
#include "ms-file-lock.h"

/*
 * One change at a time of a state or settings file that several programs
 * rewrite (accounts.ini, last-checks.ini): an exclusive flock() on PATH.lock
 * beside it, held while the file is read again, changed and replaced
 * (docs/contract.md, "Where state lives").
 */

/* How long a change waits for another program's change. */
#define MS_LOCK_WAIT_US (60 * G_USEC_PER_SEC)
#define MS_LOCK_POLL_US (10 * G_TIME_SPAN_MILLISECOND)

static int
open_lock_file (const char  *path,
                GError     **error)
{
  g_autofree char *lock_path = g_strconcat (path, ".lock", NULL);
  int fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  int saved_errno = errno;

  if (fd < 0)
    g_set_error (error, MS_ERROR, MS_ERROR_CONFIG_INVALID, _("Could not open %s: %s"), lock_path,
                 g_strerror (saved_errno));
  return fd;
}

/**
 * ms_file_lock:
 * @path: the file to change; its folder must exist
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Takes the exclusive flock() on `@path.lock` (made with mode 0600),
 * waiting up to a minute for another holder. Touches only that file, so it
 * may be called from any thread; it blocks, so not from the main thread.
 *
 * Returns: the lock's file descriptor for ms_file_unlock(), or -1; errors:
 *   config-invalid (the lock file cannot be made, or another program held
 *   it a minute), cancelled
 */
int
ms_file_lock (const char    *path,
              GCancellable  *cancellable,
              GError       **error)
{
  gint64 give_up = g_get_monotonic_time () + MS_LOCK_WAIT_US;
  int fd;

  g_return_val_if_fail (path != NULL, -1);

  fd = open_lock_file (path, error);
  if (fd < 0)
    return -1;

  while (flock (fd, LOCK_EX | LOCK_NB) < 0)
    {
      int saved_errno = errno;

      if (saved_errno != EWOULDBLOCK && saved_errno != EINTR)
        g_set_error (error, MS_ERROR, MS_ERROR_CONFIG_INVALID, _("Could not lock %s: %s"),
                     path, g_strerror (saved_errno));
      else if (g_cancellable_is_cancelled (cancellable))
        g_set_error_literal (error, MS_ERROR, MS_ERROR_CANCELLED, _("Cancelled"));
      else if (g_get_monotonic_time () > give_up)
        g_set_error (error, MS_ERROR, MS_ERROR_CONFIG_INVALID,
                     _("Another program kept %s locked for a minute."), path);
      else
        {
          g_usleep (MS_LOCK_POLL_US);
          continue;
        }
      close (fd);
      return -1;
    }

  return fd;
}

/**
 * ms_file_unlock:
 * @fd: a descriptor from ms_file_lock(), or -1
 *
 * Releases the lock.
 */
void
ms_file_unlock (int fd)
{
  if (fd >= 0)
    close (fd);
}
