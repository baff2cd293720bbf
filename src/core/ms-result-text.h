/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "ms-result.h"

G_BEGIN_DECLS

/*
 * A result in words, the same for every surface: the steps' names and
 * one-line descriptions, dates, the transcript, and the plain-text report
 * (the window's Copy Report and `mailsetup-cli diagnose -v`). Translated;
 * nothing here holds a secret, since results never do.
 */
const char *ms_step_label          (MsStepKind      kind);
const char *ms_result_step_label   (const MsResult *result,
                                    MsStepKind      kind);
const char *ms_step_failed_title   (MsStepKind      kind);
char       *ms_step_describe       (const MsResult *result,
                                    const MsStep   *step);
char       *ms_format_date         (GDateTime      *date);
char       *ms_format_transcript   (const MsResult *result);
char       *ms_result_text_report  (const MsResult *result);
char       *ms_result_text_from_online_account (MsOnlineSettings settings);

G_END_DECLS
