/*
 * The whole public surface of libpaglets; declares nothing itself.
 */
#ifndef PAGLETS_PAGLETS_H
#define PAGLETS_PAGLETS_H

#include <paglets/agent.h>
#include <paglets/client.h>
#include <paglets/common.h>
#include <paglets/fanout.h>
#include <paglets/host.h>
#include <paglets/perf.h>

#endif
