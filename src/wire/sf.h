/*
 * Structured Field Values (RFC 8941), the part HTTP Message Signatures
 * (RFC 9421) and Digest Fields (RFC 9530) need: dictionaries whose members
 * are items or inner lists, with parameters; bare items of type integer,
 * string, token, byte sequence and boolean. Decimals are refused: no field
 * we read uses them. Every size is bounded (below), so a hostile header
 * costs a fixed amount of stack and time linear in its length.
 */
#ifndef PAGLETS_WIRE_SF_H
#define PAGLETS_WIRE_SF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest string, token or decoded byte sequence, with room for a NUL. */
#define PAGLETS__SF_TEXT_MAX 128
/* Longest key (dictionary member or parameter), with its NUL. */
#define PAGLETS__SF_KEY_MAX 64
#define PAGLETS__SF_MAX_PARAMS 8
#define PAGLETS__SF_MAX_ITEMS 12 /* in one inner list */
#define PAGLETS__SF_MAX_MEMBERS 32
/* Longest field value parsed at all (RFC 8941 parsers may limit it). */
#define PAGLETS__SF_FIELD_MAX 8192

enum paglets__sf_type {
    PAGLETS__SF_INTEGER,
    PAGLETS__SF_STRING,
    PAGLETS__SF_TOKEN,
    PAGLETS__SF_BYTES,
    PAGLETS__SF_BOOLEAN,
};

struct paglets__sf_bare {
    enum paglets__sf_type type;
    int64_t integer; /* INTEGER; BOOLEAN as 0 or 1 */
    size_t len;      /* STRING, TOKEN, BYTES */
    /* STRING and TOKEN NUL-terminated (no NUL inside); BYTES raw. */
    char text[PAGLETS__SF_TEXT_MAX];
};

struct paglets__sf_param {
    char key[PAGLETS__SF_KEY_MAX];
    struct paglets__sf_bare value;
};

/* Parameters in the order they were given (serialisation keeps it). */
struct paglets__sf_params {
    struct paglets__sf_param list[PAGLETS__SF_MAX_PARAMS];
    size_t n;
};

struct paglets__sf_item {
    struct paglets__sf_bare bare;
    struct paglets__sf_params params;
};

/* A dictionary member's value: one item, or an inner list. */
struct paglets__sf_member {
    bool inner;
    struct paglets__sf_item item;                         /* !inner */
    struct paglets__sf_item items[PAGLETS__SF_MAX_ITEMS]; /* inner */
    size_t n_items;
    struct paglets__sf_params params; /* the inner list's own */
};

/*
 * Parse text as a dictionary and copy the member named key into *out
 * (the last one when the key repeats, as RFC 8941 says). 0 when found,
 * -ENOENT when the dictionary is valid and has no such key, -EINVAL when
 * the text is not a dictionary within the bounds above; *out is
 * meaningful only on 0.
 */
int paglets__sf_dict_find(const char *text, const char *key,
                          struct paglets__sf_member *out);

/* The parameter named key, or NULL. */
const struct paglets__sf_bare *
paglets__sf_param_get(const struct paglets__sf_params *params, const char *key);

/*
 * Serialise (RFC 8941 section 4.1) into out[size], NUL-terminated. Return
 * the length, or -ENOSPC when it does not fit, -EINVAL for a value that
 * cannot be serialised (a string with a byte outside 0x20-0x7e, ...).
 */
int paglets__sf_write_bare(const struct paglets__sf_bare *bare, char *out,
                           size_t size);
int paglets__sf_write_item(const struct paglets__sf_item *item, char *out,
                           size_t size);
int paglets__sf_write_inner(const struct paglets__sf_member *member, char *out,
                            size_t size);

/* Standard base64 with padding; out needs 4 * ((n + 2) / 3) + 1 bytes. */
void paglets__base64_encode(const unsigned char *in, size_t n, char *out);

#endif
