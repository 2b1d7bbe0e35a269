/*
 * What the layers above remote use beyond the public client (client.h):
 * posting a ready-made clone envelope, which only a host builds. The
 * runtime includes this header; nothing in it is API.
 */
#ifndef PAGLETS_REMOTE_TRANSPORT_H
#define PAGLETS_REMOTE_TRANSPORT_H

#include <paglets/client.h>

/*
 * POST url/agents with envelope (borrowed) within opts (NULL: the
 * client's timeout) and fill *clone from the reply. Returns 0 or the
 * client's errors (see paglets_client_create()).
 */
int paglets__client_post_envelope(struct paglets_client *client,
                                  const char *url, const json_t *envelope,
                                  const struct paglets_call_opts *opts,
                                  struct paglets_proxy *clone,
                                  struct paglets_err *err);

/* Cap every call's limit at seconds (paglets__http_set_max_timeout). */
void paglets__client_set_max_timeout(struct paglets_client *client,
                                     double seconds);

/*
 * Decides whether a client may contact a host: called with the canonical
 * host URL before every request; returns 0, or a negative errno (with the
 * reason in err) that the call then fails with, nothing sent.
 */
typedef int (*paglets__client_url_check_fn)(void *arg, const char *url,
                                            struct paglets_err *err);

/* Install check (NULL: none); arg is borrowed and must outlive the client. */
void paglets__client_set_url_check(struct paglets_client *client,
                                   paglets__client_url_check_fn check,
                                   void *arg);

#endif
