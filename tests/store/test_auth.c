/*
 * Sessions and API keys through the service: a session opens only with the
 * right password, dies after logout, after two idle hours and after seven
 * days; an API key works only in its tenant; secrets are stored hashed.
 * Failed sign-ins are throttled per account and per address in the database:
 * the limits, the fixed window and its Retry-After, shared by every server
 * on the database and kept across a reopen, no write for a success, pruning,
 * and concurrent failures all counted (the upsert).
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "testdb.h"

static int setup(void **state)
{
    static struct testdb t;
    testdb_open(&t);
    int64_t id;
    struct err_detail d = {0};
    assert_int_equal(svc_user_add(&t.svc, t.tenant_id, "boss@test.example", "correct-horse-battery",
                                  "admin", &id, &d),
                     ERR_OK);
    *state = &t;
    return 0;
}

static int teardown(void **state)
{
    testdb_close(*state);
    return 0;
}

static void login_opens_a_session_only_with_the_right_password(void **state)
{
    struct testdb *t = *state;
    char token[SECRET_HEX];
    struct svc_principal p;
    assert_int_equal(
        svc_login(&t->svc, &t->arena, t->tenant_id, "boss@test.example", "wrong", token, &p),
        ERR_UNAUTHENTICATED);
    assert_int_equal(svc_login(&t->svc, &t->arena, t->tenant_id, "nobody@test.example",
                               "correct-horse-battery", token, &p),
                     ERR_UNAUTHENTICATED);
    assert_int_equal(svc_login(&t->svc, &t->arena, t->tenant_id, "boss@test.example",
                               "correct-horse-battery", token, &p),
                     ERR_OK);
    assert_string_equal(p.role, "admin");
    assert_int_equal(strlen(token), 64);
    assert_int_equal(strlen(p.csrf_token), 64);
    struct svc_principal q;
    assert_int_equal(svc_session_resolve(&t->svc, &t->arena, t->tenant_id, token, &q), ERR_OK);
    assert_int_equal(q.user_id, p.user_id);
    assert_string_equal(q.csrf_token, p.csrf_token);
    /* Another tenant does not know the session. */
    int64_t other;
    struct err_detail d = {0};
    assert_int_equal(svc_tenant_create(&t->svc, "Other", "other.example", &other, &d), ERR_OK);
    assert_int_equal(svc_session_resolve(&t->svc, &t->arena, other, token, &q),
                     ERR_UNAUTHENTICATED);
}

static void a_session_dies_at_logout_and_after_idle_or_absolute_timeouts(void **state)
{
    struct testdb *t = *state;
    char token[SECRET_HEX];
    struct svc_principal p;
    assert_int_equal(svc_login(&t->svc, &t->arena, t->tenant_id, "boss@test.example",
                               "correct-horse-battery", token, &p),
                     ERR_OK);
    assert_int_equal(svc_logout(&t->svc, t->tenant_id, token), ERR_OK);
    assert_int_equal(svc_session_resolve(&t->svc, &t->arena, t->tenant_id, token, &p),
                     ERR_UNAUTHENTICATED);
    /* Idle: used within two hours it lives on; two idle hours end it. */
    assert_int_equal(svc_login(&t->svc, &t->arena, t->tenant_id, "boss@test.example",
                               "correct-horse-battery", token, &p),
                     ERR_OK);
    t->now_us += SESSION_IDLE_US - USEC_PER_MIN;
    assert_int_equal(svc_session_resolve(&t->svc, &t->arena, t->tenant_id, token, &p), ERR_OK);
    t->now_us += SESSION_IDLE_US - USEC_PER_MIN;
    assert_int_equal(svc_session_resolve(&t->svc, &t->arena, t->tenant_id, token, &p), ERR_OK);
    t->now_us += SESSION_IDLE_US;
    assert_int_equal(svc_session_resolve(&t->svc, &t->arena, t->tenant_id, token, &p),
                     ERR_UNAUTHENTICATED);
    /* Absolute: kept busy, it still ends after seven days. */
    assert_int_equal(svc_login(&t->svc, &t->arena, t->tenant_id, "boss@test.example",
                               "correct-horse-battery", token, &p),
                     ERR_OK);
    int64_t end = t->now_us + SESSION_ABSOLUTE_US;
    while (t->now_us + USEC_PER_HOUR < end) {
        t->now_us += USEC_PER_HOUR;
        assert_int_equal(svc_session_resolve(&t->svc, &t->arena, t->tenant_id, token, &p), ERR_OK);
    }
    t->now_us = end;
    assert_int_equal(svc_session_resolve(&t->svc, &t->arena, t->tenant_id, token, &p),
                     ERR_UNAUTHENTICATED);
    assert_int_equal(svc_session_resolve(&t->svc, &t->arena, t->tenant_id, "short", &p),
                     ERR_UNAUTHENTICATED);
}

static void a_member_session_carries_its_customer_and_member_role(void **state)
{
    struct testdb *t = *state;
    int64_t cus = testdb_customer(t, "Shop"), user;
    struct err_detail d = {0};
    assert_int_equal(svc_member_add(&t->svc, t->tenant_id, cus, "tech@shop.example",
                                    "tech-password-1", "technician", &user, &d),
                     ERR_OK);
    char token[SECRET_HEX];
    struct svc_principal p;
    assert_int_equal(svc_login(&t->svc, &t->arena, t->tenant_id, "tech@shop.example",
                               "tech-password-1", token, &p),
                     ERR_OK);
    assert_string_equal(p.role, "technician");
    assert_int_equal(p.customer_id, cus);
    assert_int_equal(p.user_id, user);
}

static void an_api_key_works_once_created_and_only_in_its_tenant(void **state)
{
    struct testdb *t = *state;
    char key[API_KEY_TEXT];
    int64_t id;
    struct err_detail d = {0};
    assert_int_equal(svc_apikey_create(&t->svc, t->tenant_id, &(struct svc_actor){.label = "cli"},
                                       "owner", "x", 0, key, &id, &d),
                     ERR_VALIDATION);
    assert_int_equal(svc_apikey_create(&t->svc, t->tenant_id, &(struct svc_actor){.label = "cli"},
                                       "admin", "ci", 0, key, &id, &d),
                     ERR_OK);
    assert_int_equal(strncmp(key, "cd_", 3), 0);
    struct svc_principal p;
    assert_int_equal(svc_apikey_resolve(&t->svc, &t->arena, t->tenant_id, key, &p), ERR_OK);
    assert_string_equal(p.role, "admin");
    assert_int_equal(p.api_key_id, id);
    assert_string_equal(p.email, "apikey:ci");
    int64_t other;
    assert_int_equal(svc_tenant_create(&t->svc, "Other", "other.example", &other, &d), ERR_OK);
    assert_int_equal(svc_apikey_resolve(&t->svc, &t->arena, other, key, &p), ERR_UNAUTHENTICATED);
    key[10] = key[10] == 'a' ? 'b' : 'a';
    assert_int_equal(svc_apikey_resolve(&t->svc, &t->arena, t->tenant_id, key, &p),
                     ERR_UNAUTHENTICATED);
}

/* ---- the server's caches ------------------------------------------------ */

static enum err role_tamper_txn(struct store_conn *c, void *arg)
{
    (void)arg;
    return store_exec(c, "UPDATE api_keys SET role = 'staff'");
}

/* One request on a server: the tenant by Host first (which reads the auth
 * epoch), then the key. */
static enum err request_with_key(struct svc *s, struct arena *a, const char *key,
                                 struct svc_principal *p)
{
    int64_t tenant_id;
    enum err rc = svc_tenant_by_host(s, "127.0.0.1", &tenant_id);
    return rc != ERR_OK ? rc : svc_apikey_resolve(s, a, tenant_id, key, p);
}

static enum err request_with_session(struct svc *s, struct arena *a, const char *token,
                                     struct svc_principal *p)
{
    int64_t tenant_id;
    enum err rc = svc_tenant_by_host(s, "127.0.0.1", &tenant_id);
    return rc != ERR_OK ? rc : svc_session_resolve(s, a, tenant_id, token, p);
}

static void revoked_keys_and_ended_sessions_are_refused_at_once_on_every_server(void **state)
{
    struct testdb *t = *state;
    /* Two servers on one database, each with its own memory. */
    struct svc_cache *ca, *cb;
    assert_int_equal(svc_cache_new(&ca), ERR_OK);
    assert_int_equal(svc_cache_new(&cb), ERR_OK);
    struct svc a = t->svc, b = t->svc;
    svc_use_cache(&a, ca);
    svc_use_cache(&b, cb);
    char key[API_KEY_TEXT];
    int64_t key_id;
    struct err_detail d = {0};
    assert_int_equal(svc_apikey_create(&a, t->tenant_id,
                                       &(struct svc_actor){.label = "boss@test.example"}, "admin",
                                       "ci", 0, key, &key_id, &d),
                     ERR_OK);
    struct svc_principal p;
    assert_int_equal(request_with_key(&b, &t->arena, key, &p), ERR_OK);
    /* Server b answers from memory now: a change that does not move the auth
     * epoch is not seen. */
    assert_int_equal(store_write(t->st, role_tamper_txn, NULL), ERR_OK);
    assert_int_equal(request_with_key(&b, &t->arena, key, &p), ERR_OK);
    assert_string_equal(p.role, "admin");
    /* Revoked on server a: server b refuses it at its next request. */
    assert_int_equal(svc_apikey_revoke(&a, t->tenant_id, &SVC_SYSTEM, key_id), ERR_OK);
    assert_int_equal(request_with_key(&b, &t->arena, key, &p), ERR_UNAUTHENTICATED);
    assert_int_equal(request_with_key(&a, &t->arena, key, &p), ERR_UNAUTHENTICATED);
    assert_int_equal(svc_apikey_revoke(&a, t->tenant_id, &SVC_SYSTEM, key_id), ERR_NOT_FOUND);
    /* A session used on b, ended on a. */
    char token[SECRET_HEX];
    assert_int_equal(svc_login(&a, &t->arena, t->tenant_id, "boss@test.example",
                               "correct-horse-battery", token, &p),
                     ERR_OK);
    assert_int_equal(request_with_session(&b, &t->arena, token, &p), ERR_OK);
    assert_int_equal(request_with_session(&b, &t->arena, token, &p), ERR_OK);
    assert_int_equal(svc_logout(&a, t->tenant_id, token), ERR_OK);
    assert_int_equal(request_with_session(&b, &t->arena, token, &p), ERR_UNAUTHENTICATED);
    assert_int_equal(request_with_session(&a, &t->arena, token, &p), ERR_UNAUTHENTICATED);
    svc_cache_free(ca);
    svc_cache_free(cb);
}

static void a_new_tenant_ends_the_single_tenant_fallback_at_once(void **state)
{
    struct testdb *t = *state;
    struct svc_cache *cache;
    assert_int_equal(svc_cache_new(&cache), ERR_OK);
    struct svc a = t->svc;
    svc_use_cache(&a, cache);
    int64_t id;
    assert_int_equal(svc_tenant_by_host(&a, "anything.example", &id), ERR_OK);
    assert_int_equal(id, t->tenant_id);
    assert_int_equal(svc_tenant_by_host(&a, "anything.example", &id), ERR_OK);
    /* Another process adds a tenant: unknown hosts reach nobody now. */
    struct svc other = t->svc;
    int64_t second;
    struct err_detail d = {0};
    assert_int_equal(svc_tenant_create(&other, "Second", "second.example", &second, &d), ERR_OK);
    assert_int_equal(svc_tenant_by_host(&a, "anything.example", &id), ERR_NOT_FOUND);
    assert_int_equal(svc_tenant_by_host(&a, "second.example", &id), ERR_OK);
    assert_int_equal(id, second);
    svc_cache_free(cache);
}

static enum err request_at_host(struct svc *s, struct arena *a, const char *host, const char *key,
                                struct svc_principal *p)
{
    int64_t tenant_id;
    enum err rc = svc_tenant_by_host(s, host, &tenant_id);
    return rc != ERR_OK ? rc : svc_apikey_resolve(s, a, tenant_id, key, p);
}

/* Schema 7: each tenant has its own auth epoch, so a logout writes no row
 * that other tenants' requests depend on (on a database distributed by
 * tenant it stays on its tenant's shard). */
static void a_logout_moves_only_its_own_tenants_auth_epoch(void **state)
{
    struct testdb *t = *state;
    struct svc_cache *cache;
    assert_int_equal(svc_cache_new(&cache), ERR_OK);
    struct svc b = t->svc;
    svc_use_cache(&b, cache);
    struct err_detail d = {0};
    int64_t other, id;
    char key_t[API_KEY_TEXT], key_o[API_KEY_TEXT], token[SECRET_HEX];
    assert_int_equal(svc_tenant_create(&t->svc, "Other", "other.example", &other, &d), ERR_OK);
    assert_int_equal(svc_apikey_create(&t->svc, t->tenant_id, &(struct svc_actor){.label = "cli"},
                                       "admin", "t", 0, key_t, &id, &d),
                     ERR_OK);
    assert_int_equal(svc_apikey_create(&t->svc, other, &(struct svc_actor){.label = "cli"}, "admin",
                                       "o", 0, key_o, &id, &d),
                     ERR_OK);
    struct svc_principal p;
    assert_int_equal(request_at_host(&b, &t->arena, "test.example", key_t, &p), ERR_OK);
    assert_int_equal(request_at_host(&b, &t->arena, "other.example", key_o, &p), ERR_OK);
    /* A key is looked up in the tenant of the Host only. */
    assert_int_equal(request_at_host(&b, &t->arena, "other.example", key_t, &p),
                     ERR_UNAUTHENTICATED);
    /* Both keys change behind the server's back; then a logout in Test. */
    assert_int_equal(store_write(t->st, role_tamper_txn, NULL), ERR_OK);
    assert_int_equal(svc_login(&t->svc, &t->arena, t->tenant_id, "boss@test.example",
                               "correct-horse-battery", token, &p),
                     ERR_OK);
    assert_int_equal(svc_logout(&t->svc, t->tenant_id, token), ERR_OK);
    /* Test's callers are read again; Other's stay as they were cached. */
    assert_int_equal(request_at_host(&b, &t->arena, "test.example", key_t, &p), ERR_OK);
    assert_string_equal(p.role, "staff");
    assert_int_equal(request_at_host(&b, &t->arena, "other.example", key_o, &p), ERR_OK);
    assert_string_equal(p.role, "admin");
    assert_int_equal(testdb_query_int(t, "SELECT COUNT(*) FROM auth_epoch WHERE tenant_id = "
                                         "(SELECT MAX(id) FROM tenants)"),
                     0);
    svc_cache_free(cache);
}

/* ---- the throttle of failed sign-ins ------------------------------------ */

static struct net_addr ip(const char *text)
{
    struct net_addr a;
    assert_true(net_addr_parse(text, strlen(text), &a));
    return a;
}

/* One sign-in attempt through the throttle from address from. */
static enum err attempt(struct testdb *t, struct svc *s, const char *email, const char *password,
                        const char *from, int64_t *retry_after_s)
{
    char token[SECRET_HEX];
    struct svc_principal p;
    struct net_addr client = ip(from);
    int64_t unused;
    return svc_login_throttled(s, &t->arena, t->tenant_id, email, password, &client, token, &p,
                               retry_after_s ? retry_after_s : &unused);
}

#define BOSS "boss@test.example"
#define GOOD "correct-horse-battery"

static void after_five_failures_each_wait_doubles_and_a_quiet_window_forgets(void **state)
{
    struct testdb *t = *state;
    int64_t t0 = t->now_us, retry = -1;
    for (int i = 0; i < LOGIN_THROTTLE_PAIR_MAX; i++) {
        assert_int_equal(attempt(t, &t->svc, BOSS, "wrong", "203.0.113.5", &retry),
                         ERR_UNAUTHENTICATED);
        assert_int_equal(retry, 0);
    }
    /* The free failures are spent: even the right password waits a minute. */
    int64_t delay_s = LOGIN_THROTTLE_PAIR_DELAY_US / USEC_PER_SEC;
    assert_int_equal(attempt(t, &t->svc, BOSS, GOOD, "203.0.113.5", &retry), ERR_THROTTLED);
    assert_int_equal(retry, delay_s);
    /* A stranger's failures do not lock the owner out: from another
     * address the right password works. */
    assert_int_equal(attempt(t, &t->svc, BOSS, GOOD, "198.51.100.9", &retry), ERR_OK);
    /* Refused attempts neither count nor move the wait. */
    t->now_us = t0 + 30 * USEC_PER_SEC;
    assert_int_equal(attempt(t, &t->svc, BOSS, "wrong", "203.0.113.5", &retry), ERR_THROTTLED);
    assert_int_equal(retry, delay_s - 30);
    assert_int_equal(testdb_query_int(t, "SELECT MAX(failures) FROM login_throttle"),
                     LOGIN_THROTTLE_PAIR_MAX);
    /* Each further failure doubles the wait: 2, 4, 8 minutes, then at most
     * a window. */
    int64_t now = t0;
    for (int64_t want = 2 * delay_s; want <= 16 * delay_s; want *= 2) {
        int64_t free_at = now + (want / 2) * USEC_PER_SEC;
        t->now_us = free_at - USEC_PER_SEC;
        assert_int_equal(attempt(t, &t->svc, BOSS, "wrong", "203.0.113.5", &retry), ERR_THROTTLED);
        t->now_us = now = free_at;
        assert_int_equal(attempt(t, &t->svc, BOSS, "wrong", "203.0.113.5", &retry),
                         ERR_UNAUTHENTICATED);
        assert_int_equal(attempt(t, &t->svc, BOSS, GOOD, "203.0.113.5", &retry), ERR_THROTTLED);
        int64_t cap = LOGIN_THROTTLE_WINDOW_US / USEC_PER_SEC;
        assert_int_equal(retry, want < cap ? want : cap);
    }
    /* A quiet window after the last failure forgets the run: the right
     * password works, a wrong one starts a new run. */
    t->now_us = now + LOGIN_THROTTLE_WINDOW_US;
    assert_int_equal(attempt(t, &t->svc, BOSS, GOOD, "203.0.113.5", &retry), ERR_OK);
    assert_int_equal(attempt(t, &t->svc, BOSS, "wrong", "203.0.113.5", &retry),
                     ERR_UNAUTHENTICATED);
    assert_int_equal(testdb_query_int(t, "SELECT MAX(failures) FROM login_throttle"), 1);
    assert_int_equal(testdb_query_int(t, "SELECT MIN(window_start) FROM login_throttle"),
                     t->now_us);
}

static void twenty_failures_refuse_the_address_for_every_account(void **state)
{
    struct testdb *t = *state;
    int64_t retry = -1;
    for (int i = 0; i < LOGIN_THROTTLE_ADDRESS_MAX; i++) {
        char email[64];
        snprintf(email, sizeof(email), "guess%d@test.example", i);
        assert_int_equal(attempt(t, &t->svc, email, "wrong", "203.0.113.5", &retry),
                         ERR_UNAUTHENTICATED);
    }
    assert_int_equal(attempt(t, &t->svc, BOSS, GOOD, "203.0.113.5", &retry), ERR_THROTTLED);
    assert_true(retry > 0);
    /* Another address, and the accounts themselves (one failure each), are
     * free. */
    assert_int_equal(attempt(t, &t->svc, BOSS, GOOD, "203.0.113.6", &retry), ERR_OK);
    assert_int_equal(attempt(t, &t->svc, "guess0@test.example", "wrong", "203.0.113.6", &retry),
                     ERR_UNAUTHENTICATED);
    /* Another tenant counts its own sign-ins. */
    int64_t other;
    struct err_detail d = {0};
    assert_int_equal(svc_tenant_create(&t->svc, "Other", "other.example", &other, &d), ERR_OK);
    char token[SECRET_HEX];
    struct svc_principal p;
    struct net_addr client = ip("203.0.113.5");
    assert_int_equal(
        svc_login_throttled(&t->svc, &t->arena, other, BOSS, "wrong", &client, token, &p, &retry),
        ERR_UNAUTHENTICATED);
}

static void ipv6_clients_are_counted_by_their_64(void **state)
{
    struct testdb *t = *state;
    int64_t retry;
    for (int i = 0; i < LOGIN_THROTTLE_ADDRESS_MAX; i++) {
        char email[64], from[64];
        snprintf(email, sizeof(email), "guess%d@test.example", i);
        snprintf(from, sizeof(from), "2001:db8:1:2::%x", i + 1);
        assert_int_equal(attempt(t, &t->svc, email, "wrong", from, &retry), ERR_UNAUTHENTICATED);
    }
    assert_int_equal(attempt(t, &t->svc, BOSS, GOOD, "2001:db8:1:2:ffff::1", &retry),
                     ERR_THROTTLED);
    assert_int_equal(attempt(t, &t->svc, BOSS, GOOD, "2001:db8:1:3::1", &retry), ERR_OK);
    assert_int_equal(attempt(t, &t->svc, BOSS, GOOD, "203.0.113.5", &retry), ERR_OK);
}

static void counts_are_shared_by_servers_and_outlive_a_restart(void **state)
{
    struct testdb *t = *state;
    /* Two servers, each with its own memory, on one database. */
    struct svc_cache *ca, *cb;
    assert_int_equal(svc_cache_new(&ca), ERR_OK);
    assert_int_equal(svc_cache_new(&cb), ERR_OK);
    struct svc a = t->svc, b = t->svc;
    svc_use_cache(&a, ca);
    svc_use_cache(&b, cb);
    for (int i = 0; i < LOGIN_THROTTLE_PAIR_MAX; i++)
        assert_int_equal(attempt(t, i % 2 ? &b : &a, BOSS, "wrong", "203.0.113.5", NULL),
                         ERR_UNAUTHENTICATED);
    assert_int_equal(attempt(t, &a, BOSS, GOOD, "203.0.113.5", NULL), ERR_THROTTLED);
    assert_int_equal(attempt(t, &b, BOSS, GOOD, "203.0.113.5", NULL), ERR_THROTTLED);
    svc_cache_free(ca);
    svc_cache_free(cb);
    testdb_close_keep(t);
    testdb_reopen(t);
    int64_t retry;
    assert_int_equal(attempt(t, &t->svc, BOSS, GOOD, "203.0.113.5", &retry), ERR_THROTTLED);
    assert_int_equal(retry, LOGIN_THROTTLE_PAIR_DELAY_US / USEC_PER_SEC);
}

static void a_successful_sign_in_counts_and_writes_nothing(void **state)
{
    struct testdb *t = *state;
    for (int i = 0; i < 8; i++)
        assert_int_equal(attempt(t, &t->svc, BOSS, GOOD, "203.0.113.5", NULL), ERR_OK);
    assert_int_equal(testdb_query_int(t, "SELECT COUNT(*) FROM login_throttle"), 0);
    /* Nor does it forgive the failures before it. */
    for (int i = 0; i < LOGIN_THROTTLE_PAIR_MAX - 1; i++)
        assert_int_equal(attempt(t, &t->svc, BOSS, "wrong", "203.0.113.5", NULL),
                         ERR_UNAUTHENTICATED);
    assert_int_equal(attempt(t, &t->svc, BOSS, GOOD, "203.0.113.5", NULL), ERR_OK);
    assert_int_equal(attempt(t, &t->svc, BOSS, "wrong", "203.0.113.5", NULL), ERR_UNAUTHENTICATED);
    assert_int_equal(attempt(t, &t->svc, BOSS, GOOD, "203.0.113.5", NULL), ERR_THROTTLED);
}

static void ended_windows_are_pruned_and_live_ones_kept(void **state)
{
    struct testdb *t = *state;
    int64_t t0 = t->now_us;
    assert_int_equal(attempt(t, &t->svc, "a@test.example", "wrong", "203.0.113.5", NULL),
                     ERR_UNAUTHENTICATED);
    t->now_us = t0 + 10 * USEC_PER_MIN;
    assert_int_equal(attempt(t, &t->svc, "b@test.example", "wrong", "198.51.100.9", NULL),
                     ERR_UNAUTHENTICATED);
    assert_int_equal(testdb_query_int(t, "SELECT COUNT(*) FROM login_throttle"), 4);
    t->now_us = t0 + LOGIN_THROTTLE_WINDOW_US - 1;
    assert_int_equal(svc_login_throttle_prune(&t->svc, 0), ERR_OK);
    assert_int_equal(testdb_query_int(t, "SELECT COUNT(*) FROM login_throttle"), 4);
    /* The first pair's window has ended; the second's has not. */
    t->now_us = t0 + LOGIN_THROTTLE_WINDOW_US;
    assert_int_equal(svc_login_throttle_prune(&t->svc, 0), ERR_OK);
    assert_int_equal(testdb_query_int(t, "SELECT COUNT(*) FROM login_throttle"), 2);
    t->now_us = t0 + 10 * USEC_PER_MIN + LOGIN_THROTTLE_WINDOW_US;
    assert_int_equal(svc_login_throttle_prune(&t->svc, 0), ERR_OK);
    assert_int_equal(testdb_query_int(t, "SELECT COUNT(*) FROM login_throttle"), 0);
}

enum { RACERS = 8, RACER_FAILURES = 25 };

struct racer {
    struct testdb *t;
    const char *subjects[2];
};

static enum err racer_txn(struct store_conn *c, void *arg)
{
    struct racer *r = arg;
    return store_login_throttle_fail(c, r->t->tenant_id, r->subjects, 2, r->t->now_us,
                                     r->t->now_us - LOGIN_THROTTLE_WINDOW_US);
}

static void *racer_main(void *arg)
{
    struct racer *r = arg;
    for (int i = 0; i < RACER_FAILURES; i++)
        if (store_write(r->t->st, racer_txn, r) != ERR_OK)
            return (void *)1;
    return NULL;
}

static void concurrent_failures_are_each_counted_once(void **state)
{
    struct testdb *t = *state;
    /* Every racer counts the same address, each its own account. */
    static const char address[] =
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    char accounts[RACERS][SHA256_HEX];
    struct racer racers[RACERS];
    pthread_t threads[RACERS];
    for (int i = 0; i < RACERS; i++) {
        memset(accounts[i], 'b' + i, SHA256_HEX - 1);
        accounts[i][SHA256_HEX - 1] = '\0';
        racers[i] = (struct racer){.t = t, .subjects = {accounts[i], address}};
        assert_int_equal(pthread_create(&threads[i], NULL, racer_main, &racers[i]), 0);
    }
    for (int i = 0; i < RACERS; i++) {
        void *failed;
        pthread_join(threads[i], &failed);
        assert_null(failed);
    }
    assert_int_equal(testdb_query_int(t, "SELECT failures FROM login_throttle WHERE subject_hash "
                                         "= 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                                         "aaaaaaaaaaa'"),
                     RACERS * RACER_FAILURES);
    assert_int_equal(testdb_query_int(t, "SELECT SUM(failures) FROM login_throttle"),
                     2 * RACERS * RACER_FAILURES);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(login_opens_a_session_only_with_the_right_password),
        T(a_session_dies_at_logout_and_after_idle_or_absolute_timeouts),
        T(a_member_session_carries_its_customer_and_member_role),
        T(an_api_key_works_once_created_and_only_in_its_tenant),
        T(revoked_keys_and_ended_sessions_are_refused_at_once_on_every_server),
        T(a_new_tenant_ends_the_single_tenant_fallback_at_once),
        T(a_logout_moves_only_its_own_tenants_auth_epoch),
        T(after_five_failures_each_wait_doubles_and_a_quiet_window_forgets),
        T(twenty_failures_refuse_the_address_for_every_account),
        T(ipv6_clients_are_counted_by_their_64),
        T(counts_are_shared_by_servers_and_outlive_a_restart),
        T(a_successful_sign_in_counts_and_writes_nothing),
        T(ended_windows_are_pruned_and_live_ones_kept),
        T(concurrent_failures_are_each_counted_once),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
