/*
 * The per-thread clients agent code calls out with: made on a thread's
 * first paglets_agent_client(), freed when the thread exits or with the
 * host. Each carries the host's API key and its shutdown cancel handle.
 */
#include "compat.h"

#include <errno.h>
#include <stdlib.h>

#include "runtime/agent_int.h"
#include "runtime/host_int.h"

struct paglets__client_slot {
    struct paglets__client_slot *next, *prev; /* guarded by clients.lock */
    struct paglets_host *host;
    struct paglets_client *client;
};

/* The thread-key destructor: the thread is gone, so is its client. */
static void free_slot(void *arg)
{
    struct paglets__client_slot *slot = arg;
    struct paglets_host *host = slot->host;
    pthread_mutex_lock(&host->clients.lock);
    if (slot->prev != NULL)
        slot->prev->next = slot->next;
    else
        host->clients.list = slot->next;
    if (slot->next != NULL)
        slot->next->prev = slot->prev;
    pthread_mutex_unlock(&host->clients.lock);
    paglets_client_free(slot->client);
    free(slot);
}

int paglets__clients_init(struct paglets_host *host, struct paglets_err *err)
{
    int rc = pthread_key_create(&host->clients.key, free_slot);
    if (rc != 0)
        return paglets_err_set(err, -rc, "cannot create thread key: %s",
                               paglets_strerror(-rc));
    host->clients.list = NULL;
    return 0;
}

void paglets__clients_release(struct paglets_host *host)
{
    while (host->clients.list != NULL) {
        struct paglets__client_slot *slot = host->clients.list;
        host->clients.list = slot->next;
        paglets_client_free(slot->client);
        free(slot);
    }
    pthread_key_delete(host->clients.key);
}

struct paglets_client *paglets__clients_get(struct paglets_host *host,
                                            struct paglets_err *err)
{
    struct paglets__client_slot *slot = pthread_getspecific(host->clients.key);
    if (slot != NULL)
        return slot->client;
    slot = calloc(1, sizeof(*slot));
    if (slot == NULL) {
        paglets_err_set(err, -ENOMEM, "out of memory creating agent client");
        return NULL;
    }
    slot->host = host;
    slot->client = paglets_client_new(host->config.api_key, err);
    if (slot->client != NULL && host->config.tls_ca_file != NULL &&
        paglets_client_set_tls_ca(slot->client, host->config.tls_ca_file,
                                  err) != 0) {
        paglets_client_free(slot->client);
        slot->client = NULL;
    }
    if (slot->client == NULL) {
        free(slot);
        return NULL;
    }
    paglets_client_set_cancel(slot->client, host->shutdown);
    int rc = pthread_setspecific(host->clients.key, slot);
    if (rc != 0) {
        paglets_client_free(slot->client);
        free(slot);
        paglets_err_set(err, -rc, "cannot keep the agent client: %s",
                        paglets_strerror(-rc));
        return NULL;
    }
    pthread_mutex_lock(&host->clients.lock);
    slot->next = host->clients.list;
    if (slot->next != NULL)
        slot->next->prev = slot;
    host->clients.list = slot;
    pthread_mutex_unlock(&host->clients.lock);
    return slot->client;
}

struct paglets_client *paglets_agent_client(struct paglets_agent *agent)
{
    struct paglets_host *host = paglets_agent_host(agent);
    return host != NULL ? paglets__clients_get(host, NULL) : NULL;
}
