/*
 * Structured Field Values (RFC 8941): the parser of section 4.2 and the
 * serialiser of section 4.1, for the types sf.h lists, within its bounds.
 */
#include "compat.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "wire/sf.h"

struct input {
    const char *p, *end;
};

static bool at(const struct input *in, char c)
{
    return in->p < in->end && *in->p == c;
}

static void skip_sp(struct input *in)
{
    while (at(in, ' '))
        in->p++;
}

static void skip_ows(struct input *in)
{
    while (at(in, ' ') || at(in, '\t'))
        in->p++;
}

static bool is_lcalpha(char c)
{
    return c >= 'a' && c <= 'z';
}

static bool is_alpha(char c)
{
    return is_lcalpha(c) || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_tchar(char c)
{
    return is_alpha(c) || is_digit(c) ||
           (c != '\0' && strchr("!#$%&'*+-.^_`|~", c));
}

static int parse_key(struct input *in, char key[PAGLETS__SF_KEY_MAX])
{
    size_t n = 0;
    if (in->p >= in->end || !(is_lcalpha(*in->p) || *in->p == '*'))
        return -EINVAL;
    while (in->p < in->end) {
        char c = *in->p;
        if (!(is_lcalpha(c) || is_digit(c) || c == '_' || c == '-' ||
              c == '.' || c == '*'))
            break;
        if (n + 1 >= PAGLETS__SF_KEY_MAX)
            return -EINVAL;
        key[n++] = c;
        in->p++;
    }
    key[n] = '\0';
    return 0;
}

static int parse_integer(struct input *in, struct paglets__sf_bare *out)
{
    int64_t sign = 1, value = 0;
    if (at(in, '-')) {
        sign = -1;
        in->p++;
    }
    size_t digits = 0;
    while (in->p < in->end && is_digit(*in->p)) {
        if (++digits > 15)
            return -EINVAL;
        value = value * 10 + (*in->p - '0');
        in->p++;
    }
    if (digits == 0 || at(in, '.')) /* a decimal: not supported */
        return -EINVAL;
    out->type = PAGLETS__SF_INTEGER;
    out->integer = sign * value;
    return 0;
}

static int parse_string(struct input *in, struct paglets__sf_bare *out)
{
    size_t n = 0;
    in->p++; /* the opening quote */
    while (in->p < in->end) {
        char c = *in->p++;
        if (c == '\\') {
            if (in->p >= in->end || (*in->p != '"' && *in->p != '\\'))
                return -EINVAL;
            c = *in->p++;
        } else if (c == '"') {
            out->type = PAGLETS__SF_STRING;
            out->text[n] = '\0';
            out->len = n;
            return 0;
        } else if (c < 0x20 || c > 0x7e) {
            return -EINVAL;
        }
        if (n + 1 >= PAGLETS__SF_TEXT_MAX)
            return -EINVAL;
        out->text[n++] = c;
    }
    return -EINVAL; /* no closing quote */
}

static int parse_token(struct input *in, struct paglets__sf_bare *out)
{
    size_t n = 0;
    while (in->p < in->end &&
           (is_tchar(*in->p) || *in->p == ':' || *in->p == '/')) {
        if (n + 1 >= PAGLETS__SF_TEXT_MAX)
            return -EINVAL;
        out->text[n++] = *in->p++;
    }
    out->type = PAGLETS__SF_TOKEN;
    out->text[n] = '\0';
    out->len = n;
    return 0;
}

static int base64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (is_digit(c))
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/*
 * Decode [p, end) into out[PAGLETS__SF_TEXT_MAX]. Padding may be left
 * out (RFC 8941 asks parsers to accept that); when present it must
 * complete the last group of four, and nothing but '=' may follow it.
 */
static int base64_decode(const char *p, const char *end, char *out, size_t *len)
{
    uint32_t acc = 0;
    size_t bits = 0, n = 0, pad = 0, chars = 0;
    for (; p < end; p++) {
        if (*p == '=') {
            pad++;
            continue;
        }
        int v = base64_value(*p);
        if (v < 0 || pad > 0)
            return -EINVAL;
        chars++;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n >= PAGLETS__SF_TEXT_MAX)
                return -EINVAL;
            out[n++] = (char)((acc >> bits) & 0xff);
        }
    }
    /* Six leftover bits (one lone character) cannot encode a byte. */
    if (bits >= 6 || (pad > 0 && (chars + pad) % 4 != 0))
        return -EINVAL;
    *len = n;
    return 0;
}

static int parse_bytes(struct input *in, struct paglets__sf_bare *out)
{
    const char *start = ++in->p; /* after the opening ':' */
    while (in->p < in->end && *in->p != ':')
        in->p++;
    if (in->p >= in->end)
        return -EINVAL;
    int rc = base64_decode(start, in->p, out->text, &out->len);
    in->p++;
    out->type = PAGLETS__SF_BYTES;
    return rc;
}

static int parse_bare(struct input *in, struct paglets__sf_bare *out)
{
    memset(out, 0, sizeof(*out));
    if (in->p >= in->end)
        return -EINVAL;
    char c = *in->p;
    if (c == '-' || is_digit(c))
        return parse_integer(in, out);
    if (c == '"')
        return parse_string(in, out);
    if (is_alpha(c) || c == '*')
        return parse_token(in, out);
    if (c == ':')
        return parse_bytes(in, out);
    if (c == '?') {
        in->p++;
        if (!at(in, '0') && !at(in, '1'))
            return -EINVAL;
        out->type = PAGLETS__SF_BOOLEAN;
        out->integer = *in->p++ == '1';
        return 0;
    }
    return -EINVAL;
}

static void set_true(struct paglets__sf_bare *bare)
{
    memset(bare, 0, sizeof(*bare));
    bare->type = PAGLETS__SF_BOOLEAN;
    bare->integer = 1;
}

static int parse_params(struct input *in, struct paglets__sf_params *params)
{
    params->n = 0;
    while (at(in, ';')) {
        in->p++;
        skip_sp(in);
        struct paglets__sf_param param;
        int rc = parse_key(in, param.key);
        if (rc != 0)
            return rc;
        if (at(in, '=')) {
            in->p++;
            rc = parse_bare(in, &param.value);
            if (rc != 0)
                return rc;
        } else {
            set_true(&param.value);
        }
        /* A repeated key overwrites the value where it first stood. */
        size_t i = 0;
        while (i < params->n && strcmp(params->list[i].key, param.key) != 0)
            i++;
        if (i == params->n && params->n++ >= PAGLETS__SF_MAX_PARAMS)
            return -EINVAL;
        params->list[i] = param;
    }
    return 0;
}

static int parse_item(struct input *in, struct paglets__sf_item *item)
{
    int rc = parse_bare(in, &item->bare);
    return rc ? rc : parse_params(in, &item->params);
}

static int parse_inner(struct input *in, struct paglets__sf_member *m)
{
    in->p++; /* '(' */
    m->inner = true;
    m->n_items = 0;
    for (;;) {
        skip_sp(in);
        if (at(in, ')')) {
            in->p++;
            return parse_params(in, &m->params);
        }
        if (m->n_items >= PAGLETS__SF_MAX_ITEMS)
            return -EINVAL;
        int rc = parse_item(in, &m->items[m->n_items++]);
        if (rc != 0)
            return rc;
        if (!at(in, ' ') && !at(in, ')'))
            return -EINVAL;
    }
}

static int parse_member(struct input *in, struct paglets__sf_member *m)
{
    /* Only what the parse below may leave unset: the struct is large. */
    m->inner = false;
    m->n_items = 0;
    m->params.n = 0;
    m->item.params.n = 0;
    if (!at(in, '=')) { /* a bare key: boolean true, maybe parameters */
        set_true(&m->item.bare);
        return parse_params(in, &m->item.params);
    }
    in->p++;
    if (at(in, '('))
        return parse_inner(in, m);
    return parse_item(in, &m->item);
}

int paglets__sf_dict_find(const char *text, const char *key,
                          struct paglets__sf_member *out)
{
    size_t len = strnlen(text, PAGLETS__SF_FIELD_MAX + 1);
    if (len > PAGLETS__SF_FIELD_MAX)
        return -EINVAL;
    struct input in = {text, text + len};
    struct paglets__sf_member scratch;
    bool found = false;
    size_t members = 0;
    skip_sp(&in);
    while (in.p < in.end) {
        char name[PAGLETS__SF_KEY_MAX];
        if (++members > PAGLETS__SF_MAX_MEMBERS || parse_key(&in, name) != 0)
            return -EINVAL;
        /* The member asked for is parsed in place; others are checked. */
        bool wanted = strcmp(name, key) == 0;
        if (parse_member(&in, wanted ? out : &scratch) != 0)
            return -EINVAL;
        found = found || wanted;
        skip_ows(&in);
        if (in.p >= in.end)
            break;
        if (*in.p++ != ',')
            return -EINVAL;
        skip_ows(&in);
        if (in.p >= in.end) /* a trailing comma */
            return -EINVAL;
    }
    return found ? 0 : -ENOENT;
}

const struct paglets__sf_bare *
paglets__sf_param_get(const struct paglets__sf_params *params, const char *key)
{
    for (size_t i = 0; i < params->n; i++)
        if (strcmp(params->list[i].key, key) == 0)
            return &params->list[i].value;
    return NULL;
}

/* Serialisation: appends that remember when out ran short. */
struct output {
    char *out;
    size_t size, len;
    int rc;
};

static void put(struct output *o, const char *text, size_t n)
{
    if (o->rc == 0 && o->len + n >= o->size)
        o->rc = -ENOSPC;
    if (o->rc != 0)
        return;
    memcpy(o->out + o->len, text, n);
    o->len += n;
    o->out[o->len] = '\0';
}

static void put_str(struct output *o, const char *text)
{
    put(o, text, strlen(text));
}

void paglets__base64_encode(const unsigned char *in, size_t n, char *out)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        out[o++] = alphabet[(v >> 18) & 63];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = i + 1 < n ? alphabet[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? alphabet[v & 63] : '=';
    }
    out[o] = '\0';
}

static void put_bare(struct output *o, const struct paglets__sf_bare *b)
{
    char buf[4 * ((PAGLETS__SF_TEXT_MAX + 2) / 3) + 1];
    switch (b->type) {
    case PAGLETS__SF_INTEGER:
        if (b->integer > 999999999999999 || b->integer < -999999999999999) {
            o->rc = o->rc ? o->rc : -EINVAL;
            return;
        }
        snprintf(buf, sizeof(buf), "%lld", (long long)b->integer);
        put_str(o, buf);
        return;
    case PAGLETS__SF_STRING:
        put(o, "\"", 1);
        for (size_t i = 0, run = 0; i <= b->len; i++) {
            char c = i < b->len ? b->text[i] : '\0';
            if (i < b->len && c >= 0x20 && c <= 0x7e && c != '"' && c != '\\')
                continue;
            put(o, b->text + run, i - run); /* the run before c */
            run = i + 1;
            if (i == b->len)
                break;
            if (c < 0x20 || c > 0x7e)
                o->rc = o->rc ? o->rc : -EINVAL;
            put(o, "\\", 1);
            put(o, &c, 1);
        }
        put(o, "\"", 1);
        return;
    case PAGLETS__SF_TOKEN:
        if (b->len == 0 || !(is_alpha(b->text[0]) || b->text[0] == '*'))
            o->rc = o->rc ? o->rc : -EINVAL;
        put(o, b->text, b->len);
        return;
    case PAGLETS__SF_BYTES:
        paglets__base64_encode(
            (const unsigned char *)b->text,
            b->len < PAGLETS__SF_TEXT_MAX ? b->len : PAGLETS__SF_TEXT_MAX, buf);
        put(o, ":", 1);
        put_str(o, buf);
        put(o, ":", 1);
        return;
    case PAGLETS__SF_BOOLEAN:
        put_str(o, b->integer ? "?1" : "?0");
        return;
    }
    o->rc = o->rc ? o->rc : -EINVAL;
}

static void put_params(struct output *o, const struct paglets__sf_params *p)
{
    for (size_t i = 0; i < p->n; i++) {
        const struct paglets__sf_param *param = &p->list[i];
        put(o, ";", 1);
        put_str(o, param->key);
        if (param->value.type == PAGLETS__SF_BOOLEAN && param->value.integer)
            continue;
        put(o, "=", 1);
        put_bare(o, &param->value);
    }
}

static void put_item(struct output *o, const struct paglets__sf_item *item)
{
    put_bare(o, &item->bare);
    put_params(o, &item->params);
}

static int finish(struct output *o)
{
    return o->rc ? o->rc : (int)o->len;
}

static struct output start(char *out, size_t size)
{
    struct output o = {out, size, 0, size ? 0 : -ENOSPC};
    if (size)
        out[0] = '\0';
    return o;
}

int paglets__sf_write_bare(const struct paglets__sf_bare *bare, char *out,
                           size_t size)
{
    struct output o = start(out, size);
    put_bare(&o, bare);
    return finish(&o);
}

int paglets__sf_write_item(const struct paglets__sf_item *item, char *out,
                           size_t size)
{
    struct output o = start(out, size);
    put_item(&o, item);
    return finish(&o);
}

int paglets__sf_write_inner(const struct paglets__sf_member *member, char *out,
                            size_t size)
{
    struct output o = start(out, size);
    put(&o, "(", 1);
    for (size_t i = 0; i < member->n_items; i++) {
        if (i > 0)
            put(&o, " ", 1);
        put_item(&o, &member->items[i]);
    }
    put(&o, ")", 1);
    put_params(&o, &member->params);
    return finish(&o);
}
