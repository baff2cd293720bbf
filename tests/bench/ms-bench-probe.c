/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-bench-probe"

#include "config.h"

#include <stdio.h>

#include "ms-probe.h"

/*
 * ms-bench-probe: the core's probe, as `mailsetup-cli probe` runs it, for
 * the benchmarks. Unlike the command line it can point the two candidates
 * of --security auto at the benchmark's proxies (ms_request_set_auto_ports()).
 *
 *   ms-bench-probe --host H --ca-file F --security tls|starttls|auto
 *                  [--port N] [--tls-port N] [--starttls-port N]
 *
 * Prints "ok" and exits 0 when the probe succeeded, else the error code and 1.
 */

int
main (int    argc,
      char **argv)
{
  g_autofree char *host = NULL, *ca_file = NULL, *security = NULL;
  int port = 0, tls_port = 0, starttls_port = 0;
  GOptionEntry entries[] = {
    { "host", 0, 0, G_OPTION_ARG_STRING, &host, "Server", "HOST" },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &ca_file, "Trusted CA", "FILE" },
    { "security", 0, 0, G_OPTION_ARG_STRING, &security, "tls, starttls or auto", "MODE" },
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "Port", "N" },
    { "tls-port", 0, 0, G_OPTION_ARG_INT, &tls_port, "auto: the TLS candidate", "N" },
    { "starttls-port", 0, 0, G_OPTION_ARG_INT, &starttls_port, "auto: STARTTLS", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(MsRequest) request = NULL;
  g_autoptr(MsResult) result = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error)
      || host == NULL || security == NULL)
    {
      fprintf (stderr, "%s\n", error ? error->message : "--host and --security are needed");
      return 2;
    }

  request = ms_request_new (NULL);
  request->config->host = g_steal_pointer (&host);
  request->config->ca_file = g_steal_pointer (&ca_file);
  request->config->port = port;
  if (!ms_security_from_string (security, &request->config->security))
    {
      fprintf (stderr, "unknown security %s\n", security);
      return 2;
    }
  ms_request_set_auto_ports (request, tls_port, starttls_port);

  result = ms_probe_run (request, NULL);
  if (!ms_result_is_ok (result))
    {
      printf ("%s\n", ms_error_code_to_string (result->error->code));
      return 1;
    }
  printf ("ok\n");
  return 0;
}
