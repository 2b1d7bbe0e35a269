/*
 * What the host needs from the client beyond the public API: posting a
 * ready-made clone envelope.
 */
#ifndef PAGLETS_REMOTE_CLIENT_INT_H
#define PAGLETS_REMOTE_CLIENT_INT_H

#include <paglets/client.h>

/* POST url/agents with envelope (borrowed); fills *clone from the reply. */
int paglets__client_post_envelope(struct paglets_client *client,
                                  const char *url, const json_t *envelope,
                                  struct paglets_proxy *clone,
                                  struct paglets_err *err);

#endif
