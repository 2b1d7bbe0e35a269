/*
 * What the layers above remote use beyond the public client (client.h):
 * posting a ready-made clone envelope, which only a host builds. The
 * runtime includes this header; nothing in it is API.
 */
#ifndef PAGLETS_REMOTE_TRANSPORT_H
#define PAGLETS_REMOTE_TRANSPORT_H

#include <paglets/client.h>

/*
 * POST url/agents with envelope (borrowed) and fill *clone from the reply.
 * Returns 0 or the client's errors (see paglets_client_create()).
 */
int paglets__client_post_envelope(struct paglets_client *client,
                                  const char *url, const json_t *envelope,
                                  struct paglets_proxy *clone,
                                  struct paglets_err *err);

#endif
