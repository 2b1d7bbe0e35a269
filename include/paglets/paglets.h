/*
 * The whole public surface of libpaglets; declares nothing itself. The
 * benchmark library (libpaglets_perf) has its own header, <paglets/perf.h>.
 */
#ifndef PAGLETS_PAGLETS_H
#define PAGLETS_PAGLETS_H

#include <paglets/agent.h>
#include <paglets/client.h>
#include <paglets/common.h>
#include <paglets/fanout.h>
#include <paglets/host.h>

#endif
