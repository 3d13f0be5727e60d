/*
 * Sessions and API keys through the service: a session opens only with the
 * right password, dies after logout, after two idle hours and after seven
 * days; an API key works only in its tenant; secrets are stored hashed.
 */
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
    assert_int_equal(svc_apikey_create(&t->svc, t->tenant_id, "owner", "x", "cli", key, &id, &d),
                     ERR_VALIDATION);
    assert_int_equal(svc_apikey_create(&t->svc, t->tenant_id, "admin", "ci", "cli", key, &id, &d),
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
    assert_int_equal(
        svc_apikey_create(&a, t->tenant_id, "admin", "ci", "boss@test.example", key, &key_id, &d),
        ERR_OK);
    struct svc_principal p;
    assert_int_equal(request_with_key(&b, &t->arena, key, &p), ERR_OK);
    /* Server b answers from memory now: a change that does not move the auth
     * epoch is not seen. */
    assert_int_equal(store_write(t->st, role_tamper_txn, NULL), ERR_OK);
    assert_int_equal(request_with_key(&b, &t->arena, key, &p), ERR_OK);
    assert_string_equal(p.role, "admin");
    /* Revoked on server a: server b refuses it at its next request. */
    assert_int_equal(svc_apikey_revoke(&a, t->tenant_id, key_id), ERR_OK);
    assert_int_equal(request_with_key(&b, &t->arena, key, &p), ERR_UNAUTHENTICATED);
    assert_int_equal(request_with_key(&a, &t->arena, key, &p), ERR_UNAUTHENTICATED);
    assert_int_equal(svc_apikey_revoke(&a, t->tenant_id, key_id), ERR_NOT_FOUND);
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
    assert_int_equal(svc_apikey_create(&t->svc, t->tenant_id, "admin", "t", "cli", key_t, &id, &d),
                     ERR_OK);
    assert_int_equal(svc_apikey_create(&t->svc, other, "admin", "o", "cli", key_o, &id, &d),
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
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
