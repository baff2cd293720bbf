/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* One run of mailsetup-cli (MS_CLI_PATH) for the CLI tests. */
typedef struct
{
  int    status;
  char  *out;
  char  *err;
} MsCliRun;

void ms_cli_run_clear (MsCliRun *run);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MsCliRun, ms_cli_run_clear)

/* Runs @cli with @config_dir (nullable) as --config-dir, then @argv
 * (NULL-terminated, without the program), @input on standard input. The
 * output goes to the test log unless @log_output is FALSE (a command that
 * prints a secret by design). */
void ms_cli_run (MsCliRun           *run,
                 const char         *cli,
                 const char         *config_dir,
                 const char         *input,
                 gboolean            log_output,
                 const char * const *argv);

/* As ms_cli_run(), for any program: @argv with the program first, started
 * by @launcher (its environment, its working folder); standard input is
 * fed from a thread, standard output and error are read. */
void ms_cli_run_program (MsCliRun            *run,
                         GSubprocessLauncher *launcher,
                         const char          *input,
                         gboolean             log_output,
                         const char * const  *argv);

G_END_DECLS
