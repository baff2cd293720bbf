/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Placeholder until this unit lands. */
#include "config.h"
typedef int ms_placeholder_ms_smtp_reply;
