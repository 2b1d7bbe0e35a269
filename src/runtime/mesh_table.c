/*
 * The member table: who we know, whose heartbeat rose when, and the rule
 * that folds received HostRefs into it. Every function here runs with the
 * mesh lock held.
 */
#include "compat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/mesh_int.h"
#include "util/log.h"

/*
 * Members silent this long are forgotten. Kept well past the offline
 * window so GET /hosts shows a dead host as offline for a while, which is
 * what operators look for after a crash.
 */
static double purge_after_s(const struct paglets__mesh *mesh)
{
    double s = 30 * mesh->offline_after_seconds;
    return s < 60 ? 60 : s;
}

struct paglets__mesh_member *paglets__mesh_find(struct paglets__mesh *mesh,
                                                const char *name)
{
    for (size_t i = 0; i < mesh->n_members; i++) {
        if (strcmp(mesh->members[i].name, name) == 0)
            return &mesh->members[i];
    }
    return NULL;
}

static struct paglets__mesh_member *add(struct paglets__mesh *mesh,
                                        const char *name)
{
    if (mesh->n_members == PAGLETS__MESH_MAX_MEMBERS)
        return NULL;
    if (mesh->n_members == mesh->cap_members) {
        size_t cap = mesh->cap_members ? 2 * mesh->cap_members : 16;
        struct paglets__mesh_member *grown =
            realloc(mesh->members, cap * sizeof(*grown));
        if (grown == NULL)
            return NULL;
        mesh->members = grown;
        mesh->cap_members = cap;
    }
    struct paglets__mesh_member *m = &mesh->members[mesh->n_members];
    memset(m, 0, sizeof(*m));
    m->tags = json_array();
    m->properties = json_object();
    if (m->tags == NULL || m->properties == NULL) {
        json_decref(m->tags);
        json_decref(m->properties);
        return NULL;
    }
    snprintf(m->name, sizeof(m->name), "%s", name);
    mesh->n_members++;
    return m;
}

static void remove_at(struct paglets__mesh *mesh, size_t i)
{
    json_decref(mesh->members[i].tags);
    json_decref(mesh->members[i].properties);
    mesh->members[i] = mesh->members[--mesh->n_members];
}

/*
 * text, escaped into buf for a log line. Names and versions come from
 * peers: C0 controls are refused when they arrive, C1 controls and bidi
 * overrides are not (paglets_escape).
 */
#define SHOWN_MAX (4 * PAGLETS__MESH_NAME_MAX)
static const char *shown(char buf[SHOWN_MAX], const char *text)
{
    paglets_escape(buf, SHOWN_MAX, text, strlen(text));
    return buf;
}

static void set_online(struct paglets__mesh_member *m, bool online)
{
    if (m->online == online)
        return;
    m->online = online;
    char name[SHOWN_MAX];
    if (online)
        paglets_log_info("host '%s' at %s is online", shown(name, m->name),
                         m->url);
    else
        paglets_log_info("host '%s' at %s went offline", shown(name, m->name),
                         m->url);
}

void paglets__mesh_expire(struct paglets__mesh *mesh, double mono)
{
    double purge = purge_after_s(mesh);
    for (size_t i = mesh->n_members; i-- > 0;) {
        struct paglets__mesh_member *m = &mesh->members[i];
        double silent = mono - m->fresh_mono;
        set_online(m, silent <= mesh->offline_after_seconds);
        if (silent > purge)
            remove_at(mesh, i);
    }
}

/* Log the first refusal per (name, url); later ones stay quiet. */
static void refuse(struct paglets__mesh *mesh,
                   const struct paglets__mesh_ref *ref)
{
    char key[PAGLETS__MESH_NAME_MAX + PAGLETS_URL_MAX];
    snprintf(key, sizeof(key), "%s %s", ref->name, ref->url);
    for (size_t i = 0; i < mesh->n_refused; i++) {
        if (strcmp(mesh->refused[i], key) == 0)
            return;
    }
    if (mesh->n_refused == PAGLETS__MESH_MAX_REFUSED)
        return;
    snprintf(mesh->refused[mesh->n_refused++], sizeof(key), "%s", key);
    char name[SHOWN_MAX], version[SHOWN_MAX];
    paglets_log_warn("refusing host '%s' at %s: mesh version '%s' is not "
                     "ours ('%s')",
                     shown(name, ref->name), ref->url,
                     shown(version, ref->version), mesh->version);
}

static bool is_newer(const struct paglets__mesh_ref *ref,
                     const struct paglets__mesh_member *m)
{
    if (!ref->has_heartbeat)
        return false;
    if (ref->incarnation != m->incarnation)
        return ref->incarnation > m->incarnation;
    return ref->heartbeat > m->heartbeat;
}

/* Do we know m more recently than ref says? */
static bool is_newer_here(const struct paglets__mesh_member *m,
                          const struct paglets__mesh_ref *ref)
{
    if (!ref->has_heartbeat)
        return true;
    if (ref->incarnation != m->incarnation)
        return m->incarnation > ref->incarnation;
    return m->heartbeat > ref->heartbeat;
}

static void adopt(struct paglets__mesh *mesh, struct paglets__mesh_member *m,
                  const struct paglets__mesh_ref *ref, bool direct, double mono)
{
    snprintf(m->url, sizeof(m->url), "%s", ref->url);
    snprintf(m->version, sizeof(m->version), "%s", ref->version);
    m->active_count = ref->active_count;
    m->inactive_count = ref->inactive_count;
    json_t *tags = ref->tags ? json_deep_copy(ref->tags) : json_array();
    json_t *props =
        ref->properties ? json_deep_copy(ref->properties) : json_object();
    if (tags != NULL && props != NULL) {
        json_decref(m->tags);
        json_decref(m->properties);
        m->tags = tags;
        m->properties = props;
    } else {
        json_decref(tags);
        json_decref(props);
    }
    if (ref->has_heartbeat) {
        m->incarnation = ref->incarnation;
        m->heartbeat = ref->heartbeat;
    }
    if (!ref->online && ref->has_heartbeat) {
        /*
         * A newer heartbeat marked offline: the host said goodbye (or the
         * sender's window ran out), so it is offline now, even in person.
         */
        m->fresh_mono = mono - mesh->offline_after_seconds - ref->age_s - 1;
    } else {
        double fresh = direct ? mono : mono - ref->age_s;
        if (fresh > m->fresh_mono)
            m->fresh_mono = fresh;
    }
    m->error[0] = '\0';
    m->probe_backoff_s = 0;
    m->next_probe_mono = mono;
    set_online(m, mono - m->fresh_mono <= mesh->offline_after_seconds);
}

void paglets__mesh_merge(struct paglets__mesh *mesh,
                         const struct paglets__mesh_ref *ref, bool direct,
                         double mono)
{
    if (strcmp(ref->name, mesh->self_name) == 0)
        return;
    if (strcmp(ref->version, mesh->version) != 0) {
        refuse(mesh, ref);
        return;
    }
    struct paglets__mesh_member *m = paglets__mesh_find(mesh, ref->name);
    if (m != NULL && (direct || !is_newer_here(m, ref)))
        m->news_for_peer = false;
    if (m == NULL) {
        /* Hearsay about a host already silent elsewhere is not news. */
        if (!direct &&
            (!ref->online || ref->age_s > mesh->offline_after_seconds))
            return;
        m = add(mesh, ref->name);
        if (m == NULL)
            return;
        m->fresh_mono = -1e300;
        char name[SHOWN_MAX];
        paglets_log_debug(PAGLETS_LOG_CAT_MESH, "mesh: new member '%s' at %s",
                          shown(name, ref->name), ref->url);
        adopt(mesh, m, ref, direct, mono);
        return;
    }
    if (direct || is_newer(ref, m))
        adopt(mesh, m, ref, direct, mono);
}

static bool is_direct(const struct paglets__mesh_ref *ref, size_t index,
                      const char *direct_url)
{
    if (direct_url == NULL)
        return false;
    if (strcmp(ref->url, direct_url) == 0)
        return true;
    /* Our replies put the answering host first with a fresh heartbeat. */
    return index == 0 && ref->has_heartbeat && ref->age_s == 0;
}

int paglets__mesh_merge_list(struct paglets__mesh *mesh, const json_t *list,
                             const char *direct_url, char *direct_name,
                             double mono)
{
    if (direct_name != NULL)
        direct_name[0] = '\0';
    if (!json_is_array(list))
        return -EPROTO;
    size_t n = json_array_size(list);
    if (n > PAGLETS__MESH_MAX_MEMBERS)
        n = PAGLETS__MESH_MAX_MEMBERS;
    for (size_t i = 0; i < n; i++) {
        struct paglets__mesh_ref ref;
        if (paglets__mesh_ref_parse(json_array_get(list, i), &ref, NULL) < 0)
            continue;
        bool direct = is_direct(&ref, i, direct_url);
        if (direct && direct_name != NULL &&
            strcmp(ref.version, mesh->version) == 0)
            snprintf(direct_name, PAGLETS__MESH_NAME_MAX, "%s", ref.name);
        paglets__mesh_merge(mesh, &ref, direct, mono);
    }
    return 0;
}

json_t *paglets__mesh_list_json(struct paglets__mesh *mesh, size_t active,
                                size_t inactive, bool delta)
{
    double mono = mesh->ops->mono_now(mesh->ops_arg);
    double wall = mesh->ops->wall_now(mesh->ops_arg);
    json_t *hosts = json_array();
    json_t *reply = json_pack("{s:o}", "hosts", hosts);
    if (reply == NULL)
        return NULL;
    int rc = json_array_append_new(
        hosts, paglets__mesh_self_json(mesh, active, inactive, wall));
    for (size_t i = 0; i < mesh->n_members && rc == 0; i++) {
        const struct paglets__mesh_member *m = &mesh->members[i];
        if (!delta || m->news_for_peer)
            rc = json_array_append_new(
                hosts, paglets__mesh_member_json(m, mono, wall, !delta));
    }
    if (rc != 0) {
        json_decref(reply);
        return NULL;
    }
    return reply;
}
