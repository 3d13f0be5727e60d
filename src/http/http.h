/*
 * http: the creditd HTTP server, its JSON API under /api/v1 and the ops
 * endpoints. A client of the service layer, like the CLI: it parses and
 * checks requests, resolves the tenant and the caller, authorizes, calls one
 * service operation and renders the answer (JSON, or RFC 9457 problem+json).
 *
 * Must not: touch the store except through the service, decide ledger rules,
 * or log secrets (passwords, cookies, tokens, keys).
 */
#ifndef CREDITD_HTTP_H
#define CREDITD_HTTP_H

#include "service/service.h"

struct http_config {
    const char *listen;       /* "127.0.0.1:8080" */
    unsigned threads;         /* worker threads of the pool */
    unsigned connections_max; /* open connections in all */
    unsigned per_ip_max;      /* open connections per client address */
    unsigned timeout_s;       /* idle connection timeout */
    size_t memory_per_connection_bytes;
    size_t json_body_bytes_max; /* request bodies of JSON endpoints */
    size_t upload_bytes_max;    /* an uploaded file (multipart routes) */
    bool secure_cookies;        /* add Secure to the session cookie */
    bool test_clock;            /* POST /api/v1/test/clock moves the clock */
    /* Peers whose X-Forwarded-For is believed (serve --trusted-proxy). */
    struct net_cidr trusted_proxies[TRUSTED_PROXIES_MAX];
    size_t n_trusted_proxies;
};

/* Defaults that suit one machine. */
void http_config_defaults(struct http_config *cfg);

struct http_server;

/* Starts listening; the service (and its files directory, for uploads)
 * must outlive the server. ERR_USAGE for a bad listen address, ERR_IO when
 * the port cannot be bound. */
enum err http_server_start(const struct http_config *cfg, struct svc *svc, struct http_server **out,
                           struct err_detail *d) WUR;
/* The service whose clock the server's requests use (the test clock's when
 * started with test_clock), for jobs that must keep the same time. */
struct svc *http_server_svc(struct http_server *srv);
/* Stops accepting, lets requests in flight finish, then frees everything. */
void http_server_stop(struct http_server *srv);

/* The dispatcher's hook (svc_event_render_fn, event_render.c): an event's
 * payload {"id","type","created_at","data"}, where data holds the event's
 * attrs, the customer's id and, for order and invoice events, the object as
 * the API shows it (data.object) when it is still there. ctx is unused. */
enum err http_event_render(void *ctx, struct svc *s, struct arena *a, const struct event_row *e,
                           char **body);

#endif
