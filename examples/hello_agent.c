/*
 * hello_agent: a program that embeds a paglets host with an agent type of
 * its own, HelloAgent, and moves one such agent to another host. The
 * walk-through is docs/agent-author-guide.md.
 *
 *   hello_agent serve NAME          run host NAME until SIGINT or SIGTERM
 *   hello_agent visit NAME URL      start host NAME in the mesh of the
 *                                   host at URL, create a HelloAgent,
 *                                   clone it there, call its "greet"
 *                                   operation there, clean up
 *
 * Both sides must be this program: hosts create only the agent types
 * registered with them, and movement carries a type name and state, never
 * code.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <paglets/paglets.h>

#define MESH_VERSION "hello-example-1"

/* The agent's state; the runtime allocates it zeroed, state_size bytes. */
struct hello_state {
    char *greeting;      /* travels with the agent */
    long greets;         /* travels with the agent */
    char arrived_at[64]; /* set by the run hook on each host; not sent */
};

static int hello_decode(void *state, const json_t *json,
                        struct paglets_err *err)
{
    struct hello_state *s = state;
    const json_t *greeting = json_object_get(json, "greeting");
    const json_t *greets = json_object_get(json, "greets");
    if (!json_is_string(greeting))
        return paglets_err_set(err, -EINVAL, "greeting: expected a string");
    if (greets != NULL && !json_is_integer(greets))
        return paglets_err_set(err, -EINVAL, "greets: expected an integer");
    s->greeting = strdup(json_string_value(greeting));
    if (s->greeting == NULL)
        return paglets_err_set(err, -ENOMEM, "out of memory");
    s->greets = greets ? (long)json_integer_value(greets) : 0;
    return 0;
}

static json_t *hello_encode(const void *state)
{
    const struct hello_state *s = state;
    return json_pack("{s:s, s:I}", "greeting", s->greeting, "greets",
                     (json_int_t)s->greets);
}

static void hello_release(void *state)
{
    struct hello_state *s = state;
    free(s->greeting);
}

/* Runs once on each host the agent lands on, on a thread of its own. */
static void hello_run(struct paglets_agent *agent)
{
    const char *here = paglets_host_name(paglets_agent_host(agent));
    paglets_agent_lock(agent);
    struct hello_state *s = paglets_agent_state(agent);
    snprintf(s->arrived_at, sizeof(s->arrived_at), "%s", here);
    paglets_agent_unlock(agent);
    paglets_agent_notify(agent);
}

static bool has_arrived(void *state, void *arg)
{
    (void)arg;
    return ((struct hello_state *)state)->arrived_at[0] != '\0';
}

/* greet {name} -> {message, greets}: waits (briefly) for the run hook. */
static int hello_greet(struct paglets_agent *agent, const json_t *request,
                       json_t **reply, struct paglets_err *err)
{
    const char *name = json_string_value(json_object_get(request, "name"));
    if (name == NULL)
        return paglets_err_set(err, -EINVAL, "name: expected a string");

    char message[256];
    paglets_agent_lock(agent);
    int rc = paglets_agent_wait(agent, has_arrived, NULL, 5.0);
    struct hello_state *s = paglets_agent_state(agent);
    long greets = ++s->greets;
    snprintf(message, sizeof(message), "%s, %s, from %s", s->greeting, name,
             s->arrived_at);
    paglets_agent_unlock(agent);
    if (rc != 0)
        return paglets_err_set(err, rc, "the agent never arrived");

    *reply = json_pack("{s:s, s:I}", "message", message, "greets",
                       (json_int_t)greets);
    return *reply ? 0 : paglets_err_set(err, -ENOMEM, "out of memory");
}

static const struct paglets_op hello_ops[] = {
    {"greet", hello_greet}, /* sorted by name */
};

static const struct paglets_agent_type hello_type = {
    .name = "HelloAgent",
    .state_name = "HelloState",
    .state_size = sizeof(struct hello_state),
    .state_decode = hello_decode,
    .state_encode = hello_encode,
    .state_release = hello_release,
    .run = hello_run,
    .ops = hello_ops,
    .n_ops = sizeof(hello_ops) / sizeof(hello_ops[0]),
};

/*
 * A started host named `name` on a free loopback port, or NULL; with peer,
 * it joins the mesh through the host at that URL.
 */
static struct paglets_host *start_host(const char *name, const char *peer)
{
    struct paglets_err err = {0};
    struct paglets_host_config config;
    paglets_host_config_init(&config);
    config.name = name;
    config.port = 0;
    config.mesh_version = MESH_VERSION;
    config.api_key = getenv("PAGLETS_API_KEY");
    config.peers = &peer;
    config.n_peers = peer != NULL ? 1 : 0;

    struct paglets_host *host = paglets_host_new(&config, &err);
    if (host == NULL ||
        paglets_host_register_type(host, &hello_type, &err) != 0 ||
        paglets_host_start(host, &err) != 0) {
        fprintf(stderr, "hello_agent: cannot start host '%s': %s\n", name,
                err.message);
        paglets_host_free(host);
        return NULL;
    }
    printf("hello_agent: host '%s' listening on %s\n", name,
           paglets_host_url(host));
    fflush(stdout);
    return host;
}

static int serve(const char *name)
{
    /* Block the signals before any runtime thread exists, then wait. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);

    struct paglets_host *host = start_host(name, NULL);
    if (host == NULL)
        return 2;
    int sig = 0;
    sigwait(&stop, &sig);
    paglets_host_free(host); /* stops: grace for agents, then disposal */
    return 0;
}

/* Create a HelloAgent here, clone it to `target`, greet it there. */
static int greet_remote(struct paglets_client *client, const char *here,
                        const char *target, struct paglets_err *err)
{
    struct paglets_proxy agent, clone;
    json_t *state = json_pack("{s:s}", "greeting", "Hello");
    json_t *request = json_pack("{s:s}", "name", "world");
    json_t *reply = NULL;
    int rc =
        paglets_client_create(client, here, "HelloAgent", state, &agent, err);
    if (rc != 0)
        goto out;
    rc = paglets_client_clone(client, &agent, target, &clone, err);
    if (rc == 0)
        rc = paglets_client_call(client, &clone, "greet", request, -1, &reply,
                                 err);
    if (rc == 0)
        printf("%s (greets: %lld)\n",
               json_string_value(json_object_get(reply, "message")),
               (long long)json_integer_value(json_object_get(reply, "greets")));
    if (rc == 0)
        rc = paglets_client_dispose(client, &clone, err);
    paglets_client_dispose(client, &agent, NULL);
out:
    json_decref(reply);
    json_decref(request);
    json_decref(state);
    return rc;
}

/*
 * Wait up to `seconds` until `url` is an online member of host's mesh: a
 * host with an API key lets its agents reach members only (the key goes
 * with every call), so the clone has to wait for the join.
 */
static int wait_member(struct paglets_host *host, const char *url,
                       double seconds, struct paglets_err *err)
{
    double end = paglets_monotonic_seconds() + seconds;
    do {
        struct paglets_host_info *hosts;
        size_t n;
        if (paglets_host_members(host, &hosts, &n, err) != 0)
            return err->code;
        bool found = false;
        for (size_t i = 0; i < n && !found; i++)
            found = hosts[i].online && strcmp(hosts[i].url, url) == 0;
        paglets_host_info_free(hosts);
        if (found)
            return 0;
        nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
    } while (paglets_monotonic_seconds() < end);
    return paglets_err_set(err, -ETIMEDOUT, "%s did not join the mesh", url);
}

static int visit(const char *name, const char *target)
{
    struct paglets_err err = {0};
    struct paglets_host *host = start_host(name, target);
    if (host == NULL)
        return 2;
    struct paglets_client *client =
        paglets_client_new(getenv("PAGLETS_API_KEY"), &err);
    int rc = client ? wait_member(host, target, 5, &err) : err.code;
    if (rc == 0)
        rc = greet_remote(client, paglets_host_url(host), target, &err);
    if (rc != 0)
        fprintf(stderr, "hello_agent: %s\n", err.message);
    paglets_client_free(client);
    paglets_host_free(host);
    return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "serve") == 0)
        return serve(argv[2]);
    if (argc == 4 && strcmp(argv[1], "visit") == 0)
        return visit(argv[2], argv[3]);
    fprintf(stderr, "usage: hello_agent serve NAME | visit NAME URL\n");
    return 2;
}
