// SPDX-License-Identifier: GPL-2.0
/* The module's tracepoints are instantiated here (see p2mo_trace.h). */
#define CREATE_TRACE_POINTS
#include "p2mo_trace.h"
