/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "mailsetup-cli"

#include "config.h"

#include "ms-cli.h"

int
ms_cli_main (int    argc,
             char **argv)
{
  return 64;
}
