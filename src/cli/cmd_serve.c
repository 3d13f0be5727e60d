/*
 * creditd serve: the HTTP server with the API, and the timer (at start and
 * every minute) that expires lots, seals the journal's account chains,
 * forgets failed sign-ins whose window has ended and purges file contents
 * that are due.
 * SIGTERM or SIGINT stops it gracefully: no new connections, requests in
 * flight finish, the store commits and closes.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "http/http.h"

/* Options of serve beyond the HTTP server's own. */
struct serve_options {
    const char *files_dir; /* NULL: the default */
    const char *read_db;   /* NULL: no read replica */
    int jobs_every_s;
    bool webhook_allow_private; /* webhook URLs may name loopback and private addresses */
};

struct serve_timer {
    struct svc *svc;
    void (*run)(struct svc *svc); /* once at start, then every every_s seconds */
    int every_s;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stopping;
};

/* One run of the background jobs, each outcome logged once. */
static void serve_jobs_run(struct svc *svc)
{
    struct svc_jobs_report r;
    enum err rc = svc_jobs_run(svc, 0, &r);
    if (rc != ERR_OK) {
        log_msg(LOG_ERROR, "background jobs cannot start: %s", err_code(rc));
        return;
    }
    if (!r.ran)
        return; /* another server runs them */
    if (r.expire_rc != ERR_OK)
        log_msg(LOG_ERROR, "expiry job failed: %s", err_code(r.expire_rc));
    else if (r.expired > 0)
        log_msg(LOG_INFO, "expiry job expired %lld lots", (long long)r.expired);
    if (r.seal_rc != ERR_OK)
        log_msg(LOG_ERROR, "seal job failed: %s", err_code(r.seal_rc));
    if (r.purge_rc != ERR_OK)
        log_msg(LOG_ERROR, "file purge job failed: %s", err_code(r.purge_rc));
    else if (r.purged > 0)
        log_msg(LOG_INFO, "file purge job removed the contents of %lld files", (long long)r.purged);
    if (r.throttle_rc != ERR_OK)
        log_msg(LOG_ERROR, "sign-in throttle prune failed: %s", err_code(r.throttle_rc));
    if (r.notice_rc != ERR_OK)
        log_msg(LOG_ERROR, "expiry notice job failed: %s", err_code(r.notice_rc));
}

/* One pass of the notifications' dispatcher; failures are logged by it or here. */
static void serve_dispatch_run(struct svc *svc)
{
    struct svc_notify_report r;
    enum err rc = svc_notify_run(svc, &r);
    if (rc != ERR_OK)
        log_msg(LOG_WARN, "notifications: pass ended early: %s (resumed in a second)",
                err_code(rc));
    else if (r.fanned > 0 || r.delivered > 0)
        log_msg(LOG_DEBUG, "notifications: %lld events fanned out, %lld delivered",
                (long long)r.fanned, (long long)r.delivered);
}

/* A timer's thread (the jobs', the dispatcher's): runs its work at start and
 * every every_s seconds until serve stops it. */
static void *serve_timer_main(void *arg)
{
    struct serve_timer *t = arg;
    pthread_mutex_lock(&t->lock);
    while (!t->stopping) {
        pthread_mutex_unlock(&t->lock);
        t->run(t->svc);
        pthread_mutex_lock(&t->lock);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += t->every_s;
        while (!t->stopping && pthread_cond_timedwait(&t->wake, &t->lock, &until) == 0)
            ;
    }
    pthread_mutex_unlock(&t->lock);
    return NULL;
}

/* The dispatcher: mail from the environment, webhooks as the options say;
 * false (reported) when the mail settings are wrong. */
static bool serve_notify_start(struct svc *svc, const struct serve_options *o)
{
    struct err_detail d = {0};
    struct svc_notify_options no = {.webhook_allow_private = o->webhook_allow_private,
                                    .webhook_ca_file = getenv("CREDITD_WEBHOOK_CA_FILE")};
    if (svc_notify_start(svc, &no, http_event_render, NULL, &d) != ERR_OK) {
        cli_fail(CLI_FAILURE, "serve: mail: %s%s%s", d.field, d.field[0] ? ": " : "", d.message);
        return false;
    }
    struct svc_notify_status st;
    svc_notify_status(svc, &st);
    if (st.mail_configured)
        log_msg(LOG_INFO, "mail through %s as %s", st.relay, st.from);
    else
        log_msg(LOG_INFO, "mail is off: set CREDITD_SMTP_URL and CREDITD_MAIL_FROM to send it");
    return true;
}

/* The upload limit: --upload-max-mb N, else CREDITD_UPLOAD_MAX_BYTES. */
static bool cmd_serve_upload_limit(const char *mb, struct http_config *cfg)
{
    int64_t n;
    if (mb != NULL) {
        if (!parse_int64(mb, &n) || n < 1 || n > (int64_t)(UPLOAD_BYTES_LIMIT_MAX >> 20))
            return false;
        cfg->upload_bytes_max = (size_t)n << 20;
        return true;
    }
    const char *bytes = getenv("CREDITD_UPLOAD_MAX_BYTES");
    if (bytes == NULL || bytes[0] == '\0')
        return true;
    if (!parse_int64(bytes, &n) || n < 1 || n > (int64_t)UPLOAD_BYTES_LIMIT_MAX)
        return false;
    cfg->upload_bytes_max = (size_t)n;
    return true;
}

/* One --trusted-proxy CIDR more; CLI_OK or the exit code of a usage error. */
static int cmd_serve_trusted_proxy(const char *text, struct http_config *cfg)
{
    if (cfg->n_trusted_proxies == TRUSTED_PROXIES_MAX)
        return cli_fail(CLI_USAGE, "serve: at most %d --trusted-proxy ranges", TRUSTED_PROXIES_MAX);
    struct err_detail d = {0};
    if (!net_cidr_parse(text, &cfg->trusted_proxies[cfg->n_trusted_proxies], &d))
        return cli_fail(CLI_USAGE, "serve: --trusted-proxy: %s", d.message);
    cfg->n_trusted_proxies++;
    return CLI_OK;
}

/* Reads the options into cfg; CLI_OK or the exit code of a usage error. */
static int cmd_serve_options(struct cli *c, struct http_config *cfg, struct serve_options *o)
{
    const char *threads = NULL, *upload_mb = NULL, *jobs_every = NULL, *proxy = NULL;
    for (int i = 0; i < c->argc; i++) {
        if (cli_option(c, &i, "--trusted-proxy", &proxy)) {
            int code = cmd_serve_trusted_proxy(proxy, cfg);
            if (code != CLI_OK)
                return code;
            continue;
        }
        if (cli_flag(c, &i, "--trusted-proxy"))
            return cli_fail(CLI_USAGE, "serve: --trusted-proxy needs a CIDR (10.0.0.0/8, "
                                       "2001:db8::/32 or an address)");
        if (cli_option(c, &i, "--listen", &cfg->listen) ||
            cli_option(c, &i, "--threads", &threads) ||
            cli_option(c, &i, "--files-dir", &o->files_dir) ||
            cli_option(c, &i, "--read-db", &o->read_db) ||
            cli_option(c, &i, "--jobs-every", &jobs_every) ||
            cli_option(c, &i, "--upload-max-mb", &upload_mb))
            continue;
        if (cli_flag(c, &i, "--test-clock")) {
            cfg->test_clock = true;
            continue;
        }
        if (cli_flag(c, &i, "--secure-cookies")) {
            cfg->secure_cookies = true;
            continue;
        }
        if (cli_flag(c, &i, "--webhook-allow-private")) {
            o->webhook_allow_private = true;
            continue;
        }
        return cli_fail(CLI_USAGE, "serve: unknown argument '%s'", c->argv[i]);
    }
    int64_t n;
    if (threads != NULL && (!parse_int64(threads, &n) || n < 1 || n > 64))
        return cli_fail(CLI_USAGE, "serve: --threads takes 1 to 64");
    if (threads != NULL)
        cfg->threads = (unsigned)n;
    if (jobs_every != NULL && (!parse_int64(jobs_every, &n) || n < 1 || n > 3600))
        return cli_fail(CLI_USAGE, "serve: --jobs-every takes 1 to 3600 seconds");
    o->jobs_every_s = jobs_every != NULL ? (int)n : 60;
    if (o->read_db == NULL || o->read_db[0] == '\0')
        o->read_db = getenv("CREDITD_READ_DB");
    if (o->read_db != NULL && o->read_db[0] == '\0')
        o->read_db = NULL;
    if (!cmd_serve_upload_limit(upload_mb, cfg))
        return cli_fail(CLI_USAGE,
                        "serve: --upload-max-mb takes 1 to %u (CREDITD_UPLOAD_MAX_BYTES: bytes)",
                        UPLOAD_BYTES_LIMIT_MAX >> 20);
    return CLI_OK;
}

/* Each connection is a descriptor: the soft limit (often 1024) is raised
 * towards the hard one, and the connection limit lowered when even that is
 * too small (256 are kept for the database, files, mail and webhooks). */
static void cmd_serve_descriptors(struct http_config *cfg)
{
    enum { RESERVED = 256 };
    struct rlimit lim;
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0)
        return;
    rlim_t want = (rlim_t)cfg->connections_max + RESERVED;
    if (lim.rlim_cur != RLIM_INFINITY && lim.rlim_cur < want) {
        rlim_t cur = lim.rlim_max == RLIM_INFINITY || lim.rlim_max >= want ? want : lim.rlim_max;
        struct rlimit raised = {.rlim_cur = cur, .rlim_max = lim.rlim_max};
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
            lim.rlim_cur = cur;
    }
    if (lim.rlim_cur != RLIM_INFINITY && lim.rlim_cur < want) {
        unsigned fit = lim.rlim_cur > 2 * RESERVED ? (unsigned)(lim.rlim_cur - RESERVED) : 256;
        log_msg(LOG_WARN, "serve: %llu descriptors allowed, so at most %u connections",
                (unsigned long long)lim.rlim_cur, fit);
        cfg->connections_max = fit;
        if (cfg->per_ip_max > fit)
            cfg->per_ip_max = fit;
    }
}

static int cmd_serve_run(struct cli *c)
{
    struct http_config cfg;
    http_config_defaults(&cfg);
    struct serve_options o = {.files_dir = NULL};
    int code = cmd_serve_options(c, &cfg, &o);
    if (code != CLI_OK)
        return code;
    cmd_serve_descriptors(&cfg);
    /* Signals go to the waiting main thread only: block them before any
     * thread starts so every thread inherits the mask. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (!cli_open_server(c) || !cli_open_files(c, o.files_dir, true))
        return CLI_FAILURE;
    if (o.read_db != NULL && !cli_open_replica(c, o.read_db))
        return CLI_FAILURE;
    c->svc.webhook_allow_private = o.webhook_allow_private;
    struct err_detail d = {0};
    /* Payment gateways come from the environment (svc_gateway_start). */
    if (svc_gateway_start(&c->svc) != ERR_OK)
        return cli_fail(CLI_FAILURE, "serve: cannot start the payment gateway client");
    if (!serve_notify_start(&c->svc, &o)) {
        svc_gateway_stop(&c->svc);
        return CLI_FAILURE;
    }
    /* Hosts, keys and sessions are kept in memory (valid per auth epoch). */
    struct svc_cache *cache;
    if (svc_cache_new(&cache) != ERR_OK) {
        svc_notify_stop(&c->svc);
        svc_gateway_stop(&c->svc);
        return cli_fail(CLI_FAILURE, "serve: out of memory");
    }
    svc_use_cache(&c->svc, cache);
    struct http_server *srv;
    enum err rc = http_server_start(&cfg, &c->svc, &srv, &d);
    if (rc != ERR_OK) {
        svc_notify_stop(&c->svc);
        svc_gateway_stop(&c->svc);
        svc_cache_free(cache);
        return cli_fail_err(rc, &d, "serve");
    }
    struct serve_timer timer = {.svc = http_server_svc(srv),
                                .run = serve_jobs_run,
                                .every_s = o.jobs_every_s,
                                .stopping = false};
    struct serve_timer dispatch = {
        .svc = http_server_svc(srv), .run = serve_dispatch_run, .every_s = 1, .stopping = false};
    pthread_mutex_init(&timer.lock, NULL);
    pthread_cond_init(&timer.wake, NULL);
    pthread_mutex_init(&dispatch.lock, NULL);
    pthread_cond_init(&dispatch.wake, NULL);
    pthread_t expiry, dispatcher;
    pthread_create(&expiry, NULL, serve_timer_main, &timer);
    pthread_create(&dispatcher, NULL, serve_timer_main, &dispatch);
    log_msg(LOG_INFO, "creditd serving http://%s (%s, files in %s, uploads up to %zu bytes)%s%s%s",
            cfg.listen, svc_backend_name(&c->svc), blob_store_root(c->blobs), cfg.upload_bytes_max,
            o.read_db ? ", heavy reads on the read replica" : "",
            o.webhook_allow_private ? ", webhooks may reach private addresses" : "",
            cfg.test_clock ? " with the test clock" : "");
    int sig = 0;
    sigwait(&stop, &sig);
    log_msg(LOG_INFO, "signal %d: stopping", sig);
    http_server_stop(srv);
    pthread_mutex_lock(&timer.lock);
    timer.stopping = true;
    pthread_cond_signal(&timer.wake);
    pthread_mutex_unlock(&timer.lock);
    pthread_join(expiry, NULL);
    pthread_mutex_lock(&dispatch.lock);
    dispatch.stopping = true;
    pthread_cond_signal(&dispatch.wake);
    pthread_mutex_unlock(&dispatch.lock);
    pthread_join(dispatcher, NULL);
    svc_notify_stop(&c->svc);
    svc_gateway_stop(&c->svc);
    svc_use_cache(&c->svc, NULL);
    svc_cache_free(cache);
    log_msg(LOG_INFO, "stopped");
    return CLI_OK;
}

const struct cli_command cli_cmd_serve = {
    .name = "serve",
    .summary = "run the HTTP server (API and portal)",
    .usage = "usage: creditd serve [--db URL] [--listen HOST:PORT] [--threads N]\n"
             "                     [--files-dir DIR] [--upload-max-mb N]\n"
             "                     [--read-db URL] [--jobs-every SECONDS]\n"
             "                     [--trusted-proxy CIDR]... [--secure-cookies]\n"
             "                     [--webhook-allow-private] [--test-clock]\n\n"
             "Serves the API on HOST:PORT (default 127.0.0.1:8080), migrates the database\n"
             "first, and at start and every minute (--jobs-every) expires lots, seals the\n"
             "journal, forgets failed sign-ins whose 15 minutes are over and purges file\n"
             "contents that are due (creditd files purge); of several servers on one\n"
             "PostgreSQL database, one at a time runs these jobs. A SQLite database has\n"
             "one server: a second serve on it exits 1.\n"
             "--read-db (or CREDITD_READ_DB) names a PostgreSQL streaming replica for\n"
             "heavy reads (CSV exports, dashboards, reports) once it has caught up with\n"
             "the primary; everything else reads the primary. N threads (default\n"
             "16, at most 64) answer requests; a request waiting for its commit holds one,\n"
             "so more threads let more writes share a commit. Uploaded files go to DIR (or\n"
             "CREDITD_FILES_DIR; default: 'files' beside the SQLite database, ./data/files\n"
             "for PostgreSQL); unfinished uploads left there are deleted at start. An\n"
             "uploaded file may have N MiB (default 32; CREDITD_UPLOAD_MAX_BYTES sets it\n"
             "in bytes). --secure-cookies marks the session cookie Secure (behind TLS).\n"
             "--trusted-proxy CIDR (repeatable; IPv4 or IPv6, a bare address is /32 or\n"
             "/128): a request from such a peer has its client taken from\n"
             "X-Forwarded-For, the first address from the right outside every trusted\n"
             "range; otherwise the header is ignored. The client address is what\n"
             "failed sign-ins are counted under.\n"
             "Every second it delivers notifications: mails through the relay of\n"
             "CREDITD_SMTP_URL as CREDITD_MAIL_FROM (mail is off without them) and\n"
             "signed webhooks; one server of several does it at a time.\n"
             "--webhook-allow-private lets webhook endpoints reach loopback, private\n"
             "(10/8, 172.16/12, 192.168/16, fc00::/7) and shared (100.64/10) addresses,\n"
             "for a receiver on this machine or network; link-local addresses (the\n"
             "cloud metadata service), multicast and reserved ones stay refused.\n"
             "--test-clock lets an admin move the server's clock with\n"
             "POST /api/v1/test/clock (for tests only).\n"
             "SIGTERM or SIGINT stops it after the requests in flight.\n",
    .run = cmd_serve_run,
};
