/*
 * Two-factor sign-in through the service, on every backend: enrolment keeps
 * a pending secret that a right code turns on, handing out ten recovery
 * codes stored hashed; a user with two factors signs in only with a code of
 * a step not used before (no replay) or an unused recovery code; missing and
 * wrong codes count as failed sign-ins; turning it off needs password and
 * code; the tenant's totp_required makes staff enrol first; the CLI's reset
 * ends the user's sessions.
 *
 * Method: the test moves the service's clock and makes the codes itself with
 * totp_code from the secret the enrolment answered.
 */
#include <stdio.h>
#include <string.h>

#include "testdb.h"

#define EMAIL    "boss@test.example"
#define PASSWORD "correct-horse-battery"

static int setup(void **state)
{
    static struct testdb t;
    testdb_open(&t);
    int64_t id;
    struct err_detail d = {0};
    assert_int_equal(svc_user_add(&t.svc, t.tenant_id, EMAIL, PASSWORD, "admin", &id, &d), ERR_OK);
    *state = &t;
    return 0;
}

static int teardown(void **state)
{
    testdb_close(*state);
    return 0;
}

/* The code of secret at the test clock, steps later (or earlier). */
static void code_at(struct testdb *t, const char *secret, int64_t steps, char out[TOTP_DIGITS + 1])
{
    assert_true(totp_code(secret, totp_step(t->now_us / USEC_PER_SEC) + steps, out));
}

static struct svc_actor actor_of(const struct svc_principal *p)
{
    return (struct svc_actor){.user_id = p->user_id, .label = p->email, .address = "192.0.2.1"};
}

static enum err login_from(struct testdb *t, const char *address, const char *password,
                           const char *totp, struct svc_principal *p)
{
    char token[SECRET_HEX];
    int64_t retry;
    struct net_addr client;
    assert_true(net_addr_parse(address, strlen(address), &client));
    return svc_login_with_code(&t->svc, &t->arena, t->tenant_id, EMAIL, password, totp, &client,
                               token, p, &retry);
}

/* Each from another address: the throttle stays out of the way. */
static enum err login(struct testdb *t, const char *password, const char *totp,
                      struct svc_principal *p)
{
    static int n;
    char address[32];
    snprintf(address, sizeof(address), "198.51.100.%d", ++n % 250 + 1);
    return login_from(t, address, password, totp, p);
}

/* Signs in, enrols and confirms: two factors on. */
static void enable(struct testdb *t, char secret[TOTP_SECRET_TEXT], struct svc_totp_codes *codes)
{
    struct svc_principal p;
    assert_int_equal(login(t, PASSWORD, NULL, &p), ERR_OK);
    struct svc_actor who = actor_of(&p);
    struct svc_totp_enrolment e;
    struct err_detail d = {0};
    assert_int_equal(svc_totp_enrol(&t->svc, &t->arena, t->tenant_id, &who, &e, &d), ERR_OK);
    assert_true(str_copy(secret, TOTP_SECRET_TEXT, e.secret));
    char code[TOTP_DIGITS + 1];
    code_at(t, secret, 0, code);
    assert_int_equal(svc_totp_confirm(&t->svc, &t->arena, t->tenant_id, &who, code, codes, &d),
                     ERR_OK);
    /* The confirming code is used: sign-ins start at the next step. */
    t->now_us += TOTP_STEP_S * USEC_PER_SEC;
}

static void enrolment_keeps_a_pending_secret_until_a_right_code_turns_it_on(void **state)
{
    struct testdb *t = *state;
    struct svc_principal p;
    assert_int_equal(login(t, PASSWORD, NULL, &p), ERR_OK);
    assert_false(p.totp_enabled);
    struct svc_actor who = actor_of(&p);
    struct svc_totp_enrolment e;
    struct err_detail d = {0};
    assert_int_equal(svc_totp_enrol(&t->svc, &t->arena, t->tenant_id, &who, &e, &d), ERR_OK);
    assert_int_equal(strlen(e.secret), 32);
    char want[256];
    snprintf(want, sizeof(want),
             "otpauth://totp/Test:boss%%40test.example?secret=%s&issuer=Test&algorithm=SHA1&"
             "digits=6&period=30",
             e.secret);
    assert_string_equal(e.otpauth_uri, want);
    /* Pending: the password alone still signs in. */
    assert_int_equal(login(t, PASSWORD, NULL, &p), ERR_OK);
    struct svc_totp_codes codes;
    assert_int_equal(svc_totp_confirm(&t->svc, &t->arena, t->tenant_id, &who, "000000", &codes, &d),
                     ERR_VALIDATION);
    assert_string_equal(d.field, "code");
    char code[TOTP_DIGITS + 1];
    code_at(t, e.secret, 0, code);
    assert_int_equal(svc_totp_confirm(&t->svc, &t->arena, t->tenant_id, &who, code, &codes, &d),
                     ERR_OK);
    for (size_t i = 0; i < TOTP_RECOVERY_CODES; i++) {
        assert_int_equal(strlen(codes.codes[i]), 12);
        assert_int_equal(codes.codes[i][4], '-');
        assert_int_equal(codes.codes[i][9], '-');
    }
    assert_string_not_equal(codes.codes[0], codes.codes[1]);
    /* Kept as hashes only. */
    assert_int_equal(testdb_query_int(t, "SELECT COUNT(*) FROM totp_recovery_codes "
                                         "WHERE length(code_hash) = 64 AND used_at = 0"),
                     10);
    assert_int_equal(testdb_query_int(t, "SELECT totp_enabled FROM users"), 1);
    assert_int_equal(testdb_query_int(t, "SELECT COUNT(*) FROM security_log "
                                         "WHERE type = 'totp.enabled'"),
                     1);
    /* On: neither a new enrolment nor a second confirmation. */
    assert_int_equal(svc_totp_enrol(&t->svc, &t->arena, t->tenant_id, &who, &e, &d), ERR_CONFLICT);
    assert_int_equal(svc_totp_confirm(&t->svc, &t->arena, t->tenant_id, &who, code, &codes, &d),
                     ERR_CONFLICT);
    /* An API key is no person. */
    struct svc_actor key = {.label = "apikey:x"};
    assert_int_equal(svc_totp_enrol(&t->svc, &t->arena, t->tenant_id, &key, &e, &d), ERR_FORBIDDEN);
}

static void a_user_with_two_factors_signs_in_only_with_a_code_not_used_before(void **state)
{
    struct testdb *t = *state;
    char secret[TOTP_SECRET_TEXT], code[TOTP_DIGITS + 1];
    struct svc_totp_codes codes;
    enable(t, secret, &codes);
    struct svc_principal p;
    assert_int_equal(login(t, PASSWORD, NULL, &p), ERR_TOTP_REQUIRED);
    assert_int_equal(login(t, PASSWORD, "", &p), ERR_TOTP_REQUIRED);
    /* The public svc_login knows no code: refused the same way. */
    char token[SECRET_HEX];
    assert_int_equal(svc_login(&t->svc, &t->arena, t->tenant_id, EMAIL, PASSWORD, token, &p),
                     ERR_TOTP_REQUIRED);
    code_at(t, secret, 0, code);
    /* A wrong password is a wrong password, whatever the code. */
    assert_int_equal(login(t, "wrong-password-1", code, &p), ERR_UNAUTHENTICATED);
    assert_int_equal(login(t, PASSWORD, "123456", &p), ERR_TOTP_REQUIRED);
    assert_int_equal(login(t, PASSWORD, code, &p), ERR_OK);
    assert_true(p.totp_enabled);
    /* Replayed within its window: refused. */
    assert_int_equal(login(t, PASSWORD, code, &p), ERR_TOTP_REQUIRED);
    /* The previous step's code is older than the one used: refused too. */
    char before[TOTP_DIGITS + 1];
    code_at(t, secret, -1, before);
    assert_int_equal(login(t, PASSWORD, before, &p), ERR_TOTP_REQUIRED);
    /* Half a minute later the next code works. */
    t->now_us += TOTP_STEP_S * USEC_PER_SEC;
    code_at(t, secret, 0, code);
    assert_int_equal(login(t, PASSWORD, code, &p), ERR_OK);
    assert_int_equal(testdb_query_int(t, "SELECT totp_last_step FROM users"),
                     totp_step(t->now_us / USEC_PER_SEC));
    assert_int_equal(testdb_query_int(t, "SELECT COUNT(*) FROM security_log WHERE type = "
                                         "'login.failed' AND detail = '{\"reason\":\"totp\"}'"),
                     3);
}

static void a_recovery_code_signs_in_once_in_any_case_with_or_without_dashes(void **state)
{
    struct testdb *t = *state;
    char secret[TOTP_SECRET_TEXT];
    struct svc_totp_codes codes;
    enable(t, secret, &codes);
    char typed[16] = "";
    for (const char *c = codes.codes[3]; *c; c++)
        if (*c != '-')
            typed[strlen(typed)] = (char)(*c >= 'a' && *c <= 'z' ? *c - 'a' + 'A' : *c);
    struct svc_principal p;
    assert_int_equal(login(t, PASSWORD, typed, &p), ERR_OK);
    assert_int_equal(login(t, PASSWORD, codes.codes[3], &p), ERR_TOTP_REQUIRED);
    assert_int_equal(login(t, PASSWORD, "aaaa-bbbb-cc", &p), ERR_TOTP_REQUIRED);
    assert_int_equal(login(t, PASSWORD, codes.codes[4], &p), ERR_OK);
    assert_int_equal(testdb_query_int(t, "SELECT COUNT(*) FROM totp_recovery_codes "
                                         "WHERE used_at = 0"),
                     8);
    assert_int_equal(testdb_query_int(t, "SELECT COUNT(*) FROM security_log "
                                         "WHERE type = 'totp.recovery_code_used'"),
                     2);
}

static void wrong_codes_count_as_failed_sign_ins_and_missing_ones_do_not(void **state)
{
    struct testdb *t = *state;
    char secret[TOTP_SECRET_TEXT], code[TOTP_DIGITS + 1];
    struct svc_totp_codes codes;
    enable(t, secret, &codes);
    struct svc_principal p;
    /* The portal's first step (the password alone) guesses nothing. */
    for (int i = 0; i < 2 * LOGIN_THROTTLE_PAIR_MAX; i++)
        assert_int_equal(login_from(t, "192.0.2.1", PASSWORD, NULL, &p), ERR_TOTP_REQUIRED);
    for (int i = 0; i < LOGIN_THROTTLE_PAIR_MAX; i++)
        assert_int_equal(login_from(t, "192.0.2.1", PASSWORD, "999999", &p), ERR_TOTP_REQUIRED);
    code_at(t, secret, 0, code);
    assert_int_equal(login_from(t, "192.0.2.1", PASSWORD, code, &p), ERR_THROTTLED);
    t->now_us += LOGIN_THROTTLE_WINDOW_US;
    code_at(t, secret, 0, code);
    assert_int_equal(login_from(t, "192.0.2.1", PASSWORD, code, &p), ERR_OK);
}

static void turning_two_factors_off_needs_the_password_and_a_code(void **state)
{
    struct testdb *t = *state;
    char secret[TOTP_SECRET_TEXT], code[TOTP_DIGITS + 1];
    struct svc_totp_codes codes;
    enable(t, secret, &codes);
    struct svc_principal p;
    code_at(t, secret, 0, code);
    assert_int_equal(login(t, PASSWORD, code, &p), ERR_OK);
    struct svc_actor who = actor_of(&p);
    struct err_detail d = {0};
    int64_t retry;
    t->now_us += TOTP_STEP_S * USEC_PER_SEC;
    code_at(t, secret, 0, code);
    assert_int_equal(svc_totp_disable(&t->svc, &t->arena, t->tenant_id, &who, "wrong-password-1",
                                      code, &retry, &d),
                     ERR_VALIDATION);
    assert_string_equal(d.field, "password");
    assert_int_equal(
        svc_totp_disable(&t->svc, &t->arena, t->tenant_id, &who, PASSWORD, "000000", &retry, &d),
        ERR_VALIDATION);
    assert_string_equal(d.field, "code");
    assert_int_equal(testdb_query_int(t, "SELECT totp_enabled FROM users"), 1);
    /* New recovery codes replace the old ones. */
    struct svc_totp_codes fresh;
    assert_int_equal(svc_totp_recovery_renew(&t->svc, &t->arena, t->tenant_id, &who, PASSWORD,
                                             codes.codes[0], &fresh, &retry, &d),
                     ERR_OK);
    assert_int_equal(svc_totp_disable(&t->svc, &t->arena, t->tenant_id, &who, PASSWORD,
                                      codes.codes[1], &retry, &d),
                     ERR_VALIDATION);
    assert_int_equal(svc_totp_disable(&t->svc, &t->arena, t->tenant_id, &who, PASSWORD,
                                      fresh.codes[9], &retry, &d),
                     ERR_OK);
    assert_int_equal(testdb_query_int(t, "SELECT COUNT(*) FROM totp_recovery_codes"), 0);
    assert_int_equal(testdb_query_int(t, "SELECT length(totp_secret) FROM users"), 0);
    assert_int_equal(login(t, PASSWORD, NULL, &p), ERR_OK);
    assert_false(p.totp_enabled);
    assert_int_equal(
        svc_totp_disable(&t->svc, &t->arena, t->tenant_id, &who, PASSWORD, code, &retry, &d),
        ERR_CONFLICT);
}

static void the_tenants_setting_makes_staff_enrol_first_but_not_members(void **state)
{
    struct testdb *t = *state;
    struct err_detail d = {0};
    int64_t cus = testdb_customer(t, "Shop"), user;
    assert_int_equal(svc_member_add(&t->svc, t->tenant_id, cus, "tech@shop.example",
                                    "tech-password-1", "technician", &user, &d),
                     ERR_OK);
    struct tenant_row tenant;
    assert_int_equal(svc_tenant_get(&t->svc, &t->arena, t->tenant_id, &tenant), ERR_OK);
    int64_t epoch = testdb_query_int(t, "SELECT COALESCE(MAX(value), 0) FROM auth_epoch");
    tenant.totp_required = true;
    assert_int_equal(svc_settings_update(&t->svc, &tenant, &d), ERR_OK);
    assert_int_equal(testdb_query_int(t, "SELECT COALESCE(MAX(value), 0) FROM auth_epoch"),
                     epoch + 1);
    struct svc_principal p;
    char token[SECRET_HEX];
    assert_int_equal(login(t, PASSWORD, NULL, &p), ERR_OK);
    assert_true(p.totp_enrolment_required);
    assert_int_equal(svc_login(&t->svc, &t->arena, t->tenant_id, "tech@shop.example",
                               "tech-password-1", token, &p),
                     ERR_OK);
    assert_false(p.totp_enrolment_required);
    char secret[TOTP_SECRET_TEXT], code[TOTP_DIGITS + 1];
    struct svc_totp_codes codes;
    enable(t, secret, &codes);
    code_at(t, secret, 0, code);
    assert_int_equal(login(t, PASSWORD, code, &p), ERR_OK);
    assert_false(p.totp_enrolment_required);
    assert_true(p.totp_enabled);
}

static void the_reset_turns_two_factors_off_and_ends_the_users_sessions(void **state)
{
    struct testdb *t = *state;
    char secret[TOTP_SECRET_TEXT], code[TOTP_DIGITS + 1];
    struct svc_totp_codes codes;
    enable(t, secret, &codes);
    struct svc_principal p;
    char token[SECRET_HEX];
    int64_t retry;
    code_at(t, secret, 0, code);
    assert_int_equal(svc_login_with_code(&t->svc, &t->arena, t->tenant_id, EMAIL, PASSWORD, code,
                                         NULL, token, &p, &retry),
                     ERR_OK);
    struct svc_actor cli = {.label = "cli"};
    struct err_detail d = {0};
    assert_int_equal(
        svc_totp_reset(&t->svc, &t->arena, t->tenant_id, "nobody@test.example", &cli, &d),
        ERR_NOT_FOUND);
    assert_int_equal(svc_totp_reset(&t->svc, &t->arena, t->tenant_id, EMAIL, &cli, &d), ERR_OK);
    assert_int_equal(svc_session_resolve(&t->svc, &t->arena, t->tenant_id, token, &p),
                     ERR_UNAUTHENTICATED);
    assert_int_equal(svc_totp_reset(&t->svc, &t->arena, t->tenant_id, EMAIL, &cli, &d),
                     ERR_CONFLICT);
    assert_int_equal(svc_login(&t->svc, &t->arena, t->tenant_id, EMAIL, PASSWORD, token, &p),
                     ERR_OK);
    assert_false(p.totp_enabled);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(enrolment_keeps_a_pending_secret_until_a_right_code_turns_it_on),
        T(a_user_with_two_factors_signs_in_only_with_a_code_not_used_before),
        T(a_recovery_code_signs_in_once_in_any_case_with_or_without_dashes),
        T(wrong_codes_count_as_failed_sign_ins_and_missing_ones_do_not),
        T(turning_two_factors_off_needs_the_password_and_a_code),
        T(the_tenants_setting_makes_staff_enrol_first_but_not_members),
        T(the_reset_turns_two_factors_off_and_ends_the_users_sessions),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
