/*
 * The per-thread clients agent code calls out with: made on a thread's
 * first paglets_agent_client(), freed when the thread exits or with the
 * host. Each carries the host's API key, its shutdown cancel handle and
 * its cap on how long a call may take; on a host with a key, they reach
 * only members of its mesh.
 */
#include "compat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "remote/transport.h"
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

/*
 * Every call of a keyed host's agents carries the key: agent code (an
 * operation that takes a URL from its caller, say) must not be able to
 * send it, or anything else, to a host outside the mesh.
 */
static int member_only(void *arg, const char *url, struct paglets_err *err)
{
    struct paglets_host *host = arg;
    if (strcmp(url, host->url) == 0)
        return 0;
    struct paglets_host_info *hosts;
    size_t n;
    int rc = paglets_host_members(host, &hosts, &n, err);
    if (rc != 0)
        return rc;
    bool member = false;
    for (size_t i = 0; i < n && !member; i++)
        member = strcmp(hosts[i].url, url) == 0;
    paglets_host_info_free(hosts);
    if (member)
        return 0;
    return paglets_err_set(err, -EPERM,
                           "%s is not a member of the mesh: agents on a "
                           "host with an API key call members only",
                           url);
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
    paglets__client_set_max_timeout(slot->client,
                                    host->config.max_call_timeout_seconds);
    if (host->config.api_key != NULL)
        paglets__client_set_url_check(slot->client, member_only, host);
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
