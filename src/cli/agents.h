/*
 * Agent types built into `paglets host`.
 */
#ifndef PAGLETS_CLI_AGENTS_H
#define PAGLETS_CLI_AGENTS_H

#include <paglets/agent.h>

/*
 * EchoAgent: a small test and demo type (state: counter, runs, data).
 * Documented in docs/RUNTIME.md.
 */
extern const struct paglets_agent_type cli_echo_agent_type;

#endif
