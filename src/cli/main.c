/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mailsetup-cli"

#include "config.h"

#include "ms-cli.h"

int
main (int   argc,
      char *argv[])
{
  return ms_cli_main (argc, argv);
}
