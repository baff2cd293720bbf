/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "ms-bench-first-frame"

#include "config.h"

#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gtk/gtk.h>

/*
 * libms-bench-first-frame.so: measures start-up the same way for any GTK 4
 * program that shows its window with gtk_window_present(), without
 * changing the program, so the baseline and the application are measured
 * by the same code. Loaded with LD_PRELOAD, and only active when
 * MS_BENCH_FIRST_FRAME=1:
 *
 *   - after the real gtk_window_present(), it waits for the first
 *     "after-paint" of the window's frame clock (the first frame drawn);
 *   - it then waits MS_BENCH_IDLE_MS (default 500) for the program to
 *     settle, and prints on standard output
 *       first-frame-ms 312.4 rss-kb 61234 hwm-kb 63012
 *     where first-frame-ms counts from MS_BENCH_START_NS (CLOCK_REALTIME
 *     nanoseconds taken just before exec; the process start time when
 *     unset), rss-kb is the idle resident memory and hwm-kb its peak;
 *   - and exits at once with status 0.
 */

static double first_frame_ms = -1;

static double
now_realtime_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_REALTIME, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* Without MS_BENCH_START_NS: the start time in /proc/self/stat (field 22,
 * clock ticks after boot), against the boot time in /proc/stat. */
static double
process_start_ms (void)
{
  g_autofree char *stat = NULL;
  g_autofree char *boot = NULL;
  const char *start = g_getenv ("MS_BENCH_START_NS");
  const char *paren;
  const char *btime;
  unsigned long long ticks = 0;
  int field = 3;

  if (start != NULL)
    return g_ascii_strtoull (start, NULL, 10) / 1e6;
  if (!g_file_get_contents ("/proc/self/stat", &stat, NULL, NULL)
      || !g_file_get_contents ("/proc/stat", &boot, NULL, NULL)
      || (paren = strrchr (stat, ')')) == NULL
      || (btime = strstr (boot, "btime ")) == NULL)
    return now_realtime_ms ();
  for (const char *p = paren + 2; *p != '\0' && field < 22; p++)
    if (*p == ' ' && ++field == 22)
      ticks = g_ascii_strtoull (p + 1, NULL, 10);

  return g_ascii_strtoull (btime + 6, NULL, 10) * 1000.0
         + ticks * 1000.0 / sysconf (_SC_CLK_TCK);
}

static long
status_kb (const char *status,
           const char *key)
{
  const char *line = strstr (status, key);

  return line != NULL ? strtol (line + strlen (key), NULL, 10) : -1;
}

static gboolean
report_and_exit (gpointer user_data)
{
  g_autofree char *status = NULL;

  g_file_get_contents ("/proc/self/status", &status, NULL, NULL);
  printf ("first-frame-ms %.1f rss-kb %ld hwm-kb %ld\n", first_frame_ms,
          status != NULL ? status_kb (status, "VmRSS:") : -1,
          status != NULL ? status_kb (status, "VmHWM:") : -1);
  fflush (stdout);
  _exit (0);

  return G_SOURCE_REMOVE;
}

static void
on_after_paint (GdkFrameClock *clock,
                gpointer       user_data)
{
  const char *idle = g_getenv ("MS_BENCH_IDLE_MS");

  if (first_frame_ms >= 0)
    return;
  first_frame_ms = now_realtime_ms () - process_start_ms ();
  g_signal_handlers_disconnect_by_func (clock, on_after_paint, user_data);
  g_timeout_add (idle != NULL ? (guint) g_ascii_strtoull (idle, NULL, 10) : 500,
                 report_and_exit, NULL);
}

void
gtk_window_present (GtkWindow *window)
{
  static void (*real_present) (GtkWindow *) = NULL;
  GdkFrameClock *clock;

  if (real_present == NULL)
    real_present = (void (*) (GtkWindow *)) dlsym (RTLD_NEXT, "gtk_window_present");
  real_present (window);

  if (g_strcmp0 (g_getenv ("MS_BENCH_FIRST_FRAME"), "1") != 0 || first_frame_ms >= 0)
    return;
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  if (clock != NULL)
    g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), NULL);
  else
    g_printerr ("ms-bench-first-frame: the window has no frame clock\n");
}
