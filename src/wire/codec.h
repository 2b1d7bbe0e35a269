/*
 * The JSON shapes agents travel in: proxies, the clone envelope, creation
 * requests and messages (reference notes §6). Decoders never trust their
 * input: every field is type-checked and every string bounded.
 */
#ifndef PAGLETS_WIRE_CODEC_H
#define PAGLETS_WIRE_CODEC_H

#include <jansson.h>

#include <paglets/agent.h>

#include "wire/id.h"

#define PAGLETS_ENVELOPE_KIND_CLONE "clone"

/* {"host_url", "agent_id"}: new reference, NULL on allocation failure. */
json_t *paglets__proxy_to_json(const struct paglets_proxy *proxy);

/*
 * Fill proxy from JSON: host_url must be a host URL (wire/url.h) and is
 * stored in canonical form, agent_id a valid id. -EINVAL naming the field;
 * proxy is unchanged on failure.
 */
int paglets__proxy_from_json(const json_t *json, struct paglets_proxy *proxy,
                             struct paglets_err *err);

/*
 * A clone in flight. Strings and JSON values borrow from the decoded
 * document (or from the caller when encoding); "" means unknown.
 */
struct paglets__envelope {
    const char *kind;
    const char *agent_id;
    const char *agent_class_name;
    const char *state_class_name;
    const json_t *state;
    const char *source_host_name;
    const char *source_host_address;
    const char *target_host_name;
    const char *target_host_address;
    const char *clone_of;
    const json_t *metadata; /* object; NULL encodes {} */
};

/* New reference, NULL on allocation failure. */
json_t *paglets__envelope_to_json(const struct paglets__envelope *envelope);

/*
 * Decode an envelope; the result borrows from json. -EINVAL naming the
 * first missing or mistyped field.
 */
int paglets__envelope_from_json(const json_t *json,
                                struct paglets__envelope *envelope,
                                struct paglets_err *err);

/* True when a POST /agents body is a clone envelope rather than a create. */
bool paglets__is_envelope(const json_t *body);

/*
 * POST /agents create body {"agent_class_name", "state"?}. *type_name and
 * *state borrow from body; a missing state is NULL (the type's default).
 */
int paglets__create_from_json(const json_t *body, const char **type_name,
                              const json_t **state, struct paglets_err *err);

/* A decoded POST /agents/{id}/messages body; borrows from the body. */
struct paglets__message {
    const char *op;
    const json_t *args; /* NULL when absent */
    bool oneway;
};

int paglets__message_from_json(const json_t *body,
                               struct paglets__message *message,
                               struct paglets_err *err);

/* The message body for op/args (args borrowed, NULL = {}). New reference. */
json_t *paglets__message_to_json(const char *op, const json_t *args,
                                 bool oneway);

#endif
