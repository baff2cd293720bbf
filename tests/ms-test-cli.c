/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-test-cli"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib-unix.h>

#include "ms-test-cli.h"

void
ms_cli_run_clear (MsCliRun *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

typedef struct
{
  int         fd;
  const char *input;
} InputWriter;

/* Feeds standard input from a thread while the caller reads the output, so
 * neither side can block the other. A command that refuses its arguments
 * exits before it reads: the broken pipe is its choice, not a test failure
 * (GSubprocess's own stdin pipe would fail the whole run then). */
static gpointer
write_input_thread (gpointer data)
{
  InputWriter *writer = data;
  gsize length = strlen (writer->input), done = 0;

  while (done < length)
    {
      gssize n = write (writer->fd, writer->input + done, length - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        break;
      done += n;
    }
  close (writer->fd);

  return NULL;
}

void
ms_cli_run_program (MsCliRun            *run,
                    GSubprocessLauncher *launcher,
                    const char          *input,
                    gboolean             log_output,
                    const char * const  *argv)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  InputWriter writer;
  GThread *thread;
  int input_fds[2];

  signal (SIGPIPE, SIG_IGN);
  g_assert_true (g_unix_open_pipe (input_fds, FD_CLOEXEC, NULL));
  g_subprocess_launcher_take_stdin_fd (launcher, input_fds[0]);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  writer.fd = input_fds[1];
  writer.input = input ? input : "";
  thread = g_thread_new ("ms-test-cli-input", write_input_thread, &writer);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &run->out, &run->err, &error);
  g_thread_join (thread);
  g_assert_no_error (error);
  run->status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
  g_test_message ("exit %d\nstdout: %s\nstderr: %s", run->status,
                  log_output ? run->out : "(not logged)", run->err);
}

void
ms_cli_run (MsCliRun           *run,
            const char         *cli,
            const char         *config_dir,
            const char         *input,
            gboolean            log_output,
            const char * const *argv)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                                                      | G_SUBPROCESS_FLAGS_STDERR_PIPE);

  g_ptr_array_add (args, (char *) cli);
  if (config_dir != NULL)
    {
      g_ptr_array_add (args, (char *) "--config-dir");
      g_ptr_array_add (args, (char *) config_dir);
    }
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (args, (char *) argv[i]);
  g_ptr_array_add (args, NULL);

  ms_cli_run_program (run, launcher, input, log_output, (const char * const *) args->pdata);
}
