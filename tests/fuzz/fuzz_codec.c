/*
 * Fuzz the agent wire shapes of codec.c that peers and clients send: the
 * clone envelope, creation bodies, messages and proxies (a proxy is what a
 * client decodes from a reply). A decoded envelope is encoded again and
 * must decode to the same fields: what a host forwards is what it read.
 */
#include "compat.h"

#include <stdlib.h>
#include <string.h>

#include "wire/codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same(const char *a, const char *b)
{
    if (strcmp(a, b) != 0)
        abort();
}

static void check_envelope(const json_t *json)
{
    struct paglets__envelope e, again;
    if (paglets__envelope_from_json(json, &e, NULL) != 0)
        return;
    json_t *copy = paglets__envelope_to_json(&e);
    if (copy == NULL)
        abort(); /* a decoded envelope always has a state */
    if (paglets__envelope_from_json(copy, &again, NULL) != 0)
        abort();
    same(e.kind, again.kind);
    same(e.agent_id, again.agent_id);
    same(e.agent_class_name, again.agent_class_name);
    same(e.clone_of, again.clone_of);
    same(e.target_host_address, again.target_host_address);
    if (!json_equal((json_t *)e.state, (json_t *)again.state))
        abort();
    json_decref(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *json = json_loadb((const char *)data, size, 0, NULL);
    if (json == NULL)
        return 0;
    struct paglets_err err = {0};
    check_envelope(json);
    (void)paglets__is_envelope(json);
    const char *type;
    const json_t *state;
    (void)paglets__create_from_json(json, &type, &state, &err);
    struct paglets__message m;
    if (paglets__message_from_json(json, &m, &err) == 0) {
        json_t *again = paglets__message_to_json(m.op, m.args, m.oneway);
        json_decref(again);
    }
    struct paglets_proxy proxy;
    if (paglets__proxy_from_json(json, &proxy, &err) == 0) {
        if (!paglets__id_is_valid(proxy.agent_id))
            abort();
        json_decref(paglets__proxy_to_json(&proxy));
    }
    json_decref(json);
    return 0;
}
