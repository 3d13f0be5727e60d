/*
 * Unit tests of Stripe event parsing (gateway/stripe_event.c): the envelope is
 * required and typed, the checkout session is read for checkout.session.*
 * events only, and nothing is truncated or guessed.
 *
 * Method: event bodies shaped like Stripe's (taken from the documented
 * checkout.session.completed and .expired examples, trimmed) are parsed and
 * every field compared. Then one thing at a time is removed, given the wrong
 * JSON type or made one byte too long for its slot, and the refusal must name
 * that field and leave the event zeroed. Bodies that are not a JSON object
 * are refused whatever they are.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/gateway.h"

static const char completed[] =
    "{\"id\":\"evt_1PqR\",\"object\":\"event\",\"api_version\":\"2024-06-20\","
    "\"created\":1700000100,\"livemode\":false,\"pending_webhooks\":1,"
    "\"type\":\"checkout.session.completed\",\"data\":{\"object\":{"
    "\"id\":\"cs_test_a1B2\",\"object\":\"checkout.session\",\"amount_total\":4250,"
    "\"currency\":\"eur\",\"client_reference_id\":\"inv_42\",\"customer_email\":null,"
    "\"metadata\":{\"tenant\":\"ten_1\",\"invoice\":\"inv_42\"},\"mode\":\"payment\","
    "\"payment_status\":\"paid\",\"status\":\"complete\",\"url\":null}}}";

static const char expired[] =
    "{\"id\":\"evt_2\",\"object\":\"event\",\"created\":1700086400,"
    "\"type\":\"checkout.session.expired\",\"data\":{\"object\":{"
    "\"id\":\"cs_test_a1B2\",\"amount_total\":4250,\"currency\":\"eur\","
    "\"client_reference_id\":\"inv_42\",\"metadata\":{\"tenant\":\"ten_1\","
    "\"invoice\":\"inv_42\"},\"payment_status\":\"unpaid\",\"status\":\"expired\"}}}";

static enum err event_parse(const char *text, struct stripe_event *ev, struct err_detail *d)
{
    return stripe_event_parse(text, strlen(text), ev, d);
}

static bool event_is_zero(const struct stripe_event *ev)
{
    static const struct stripe_event zero;
    return memcmp(ev, &zero, sizeof(zero)) == 0;
}

static void event_assert_refused(const char *text, const char *field)
{
    struct stripe_event ev;
    struct err_detail d = {0};
    memset(&ev, 0x5a, sizeof(ev));
    enum err rc = event_parse(text, &ev, &d);
    if (rc != ERR_VALIDATION)
        fail_msg("%s: got %s, want validation_failed", text, err_code(rc));
    if (strcmp(d.field, field) != 0)
        fail_msg("%s: field '%s' (%s), want '%s'", text, d.field, d.message, field);
    assert_true(event_is_zero(&ev));
}

/* The completed event with the text `from` replaced by `to` (once). */
static char *event_edit(const char *from, const char *to)
{
    const char *at = strstr(completed, from);
    assert_non_null(at);
    size_t n = strlen(completed) - strlen(from) + strlen(to) + 1;
    char *out = malloc(n);
    assert_non_null(out);
    assert_true(
        str_format(out, n, "%.*s%s%s", (int)(at - completed), completed, to, at + strlen(from)));
    return out;
}

static void event_assert_edit_refused(const char *from, const char *to, const char *field)
{
    char *text = event_edit(from, to);
    event_assert_refused(text, field);
    free(text);
}

/* A JSON string of n copies of 'x', quoted. */
static char *event_long_string(size_t n)
{
    char *s = malloc(n + 3);
    assert_non_null(s);
    s[0] = '"';
    memset(s + 1, 'x', n);
    s[n + 1] = '"';
    s[n + 2] = '\0';
    return s;
}

static void a_completed_checkout_event_gives_its_paid_session(void **state)
{
    (void)state;
    struct stripe_event ev;
    struct err_detail d = {0};
    assert_int_equal(event_parse(completed, &ev, &d), ERR_OK);
    assert_string_equal(ev.id, "evt_1PqR");
    assert_string_equal(ev.type, "checkout.session.completed");
    assert_int_equal(ev.created, 1700000100);
    assert_string_equal(ev.session_id, "cs_test_a1B2");
    assert_string_equal(ev.payment_status, "paid");
    assert_string_equal(ev.status, "complete");
    assert_int_equal(ev.amount_total, 4250);
    assert_string_equal(ev.currency, "eur");
    assert_string_equal(ev.client_reference_id, "inv_42");
    assert_string_equal(ev.metadata_tenant, "ten_1");
    assert_string_equal(ev.metadata_invoice, "inv_42");
}

static void an_expired_checkout_event_gives_its_unpaid_session(void **state)
{
    (void)state;
    struct stripe_event ev;
    struct err_detail d = {0};
    assert_int_equal(event_parse(expired, &ev, &d), ERR_OK);
    assert_string_equal(ev.type, "checkout.session.expired");
    assert_string_equal(ev.session_id, "cs_test_a1B2");
    assert_string_equal(ev.status, "expired");
    assert_string_equal(ev.payment_status, "unpaid");
    assert_string_equal(ev.metadata_invoice, "inv_42");
}

static void an_event_of_another_type_leaves_the_session_empty(void **state)
{
    (void)state;
    const char *text = "{\"id\":\"evt_3\",\"type\":\"invoice.paid\",\"created\":1700000000,"
                       "\"data\":{\"object\":{\"id\":\"in_1\",\"amount_total\":\"not read\","
                       "\"status\":\"paid\"}}}";
    struct stripe_event ev;
    struct err_detail d = {0};
    assert_int_equal(event_parse(text, &ev, &d), ERR_OK);
    assert_string_equal(ev.type, "invoice.paid");
    assert_string_equal(ev.session_id, "");
    assert_string_equal(ev.status, "");
    assert_int_equal(ev.amount_total, 0);
    /* A type that only starts like ours is another type. */
    char *near = event_edit("checkout.session.completed", "checkout.sessions.completed");
    assert_int_equal(event_parse(near, &ev, &d), ERR_OK);
    assert_string_equal(ev.session_id, "");
    free(near);
}

static void absent_or_null_session_fields_are_empty(void **state)
{
    (void)state;
    const char *text = "{\"id\":\"evt_4\",\"type\":\"checkout.session.completed\","
                       "\"created\":1700000000,\"data\":{\"object\":{\"id\":\"cs_1\","
                       "\"amount_total\":null,\"client_reference_id\":null,\"metadata\":null}}}";
    struct stripe_event ev;
    struct err_detail d = {0};
    assert_int_equal(event_parse(text, &ev, &d), ERR_OK);
    assert_string_equal(ev.session_id, "cs_1");
    assert_int_equal(ev.amount_total, 0);
    assert_string_equal(ev.client_reference_id, "");
    assert_string_equal(ev.metadata_tenant, "");
    assert_string_equal(ev.payment_status, "");
    const char *bare = "{\"id\":\"evt_5\",\"type\":\"checkout.session.expired\",\"created\":1}";
    assert_int_equal(event_parse(bare, &ev, &d), ERR_OK);
    assert_string_equal(ev.session_id, "");
}

static void missing_envelope_fields_are_named(void **state)
{
    (void)state;
    event_assert_edit_refused("\"id\":\"evt_1PqR\",", "", "id");
    event_assert_edit_refused("\"type\":\"checkout.session.completed\",", "", "type");
    event_assert_edit_refused("\"created\":1700000100,", "", "created");
    event_assert_edit_refused("\"id\":\"evt_1PqR\"", "\"id\":\"\"", "id");
    event_assert_edit_refused("\"id\":\"evt_1PqR\"", "\"id\":null", "id");
}

static void fields_of_the_wrong_type_are_named(void **state)
{
    (void)state;
    event_assert_edit_refused("\"id\":\"evt_1PqR\"", "\"id\":17", "id");
    event_assert_edit_refused("\"type\":\"checkout.session.completed\"", "\"type\":[]", "type");
    event_assert_edit_refused("\"created\":1700000100", "\"created\":\"1700000100\"", "created");
    event_assert_edit_refused("\"created\":1700000100", "\"created\":1700000100.5", "created");
    event_assert_edit_refused("\"created\":1700000100", "\"created\":-1", "created");
    event_assert_edit_refused("\"id\":\"cs_test_a1B2\"", "\"id\":{}", "data.object.id");
    event_assert_edit_refused("\"amount_total\":4250", "\"amount_total\":\"4250\"",
                              "data.object.amount_total");
    event_assert_edit_refused("\"currency\":\"eur\"", "\"currency\":true", "data.object.currency");
    event_assert_edit_refused("\"status\":\"complete\"", "\"status\":1", "data.object.status");
    event_assert_edit_refused("\"metadata\":{\"tenant\":\"ten_1\",\"invoice\":\"inv_42\"}",
                              "\"metadata\":\"ten_1\"", "data.object.metadata");
    event_assert_edit_refused("\"tenant\":\"ten_1\"", "\"tenant\":1",
                              "data.object.metadata.tenant");
    event_assert_edit_refused("\"invoice\":\"inv_42\"", "\"invoice\":[\"inv_42\"]",
                              "data.object.metadata.invoice");
}

static void data_or_its_object_that_is_not_an_object_is_named(void **state)
{
    (void)state;
    event_assert_refused("{\"id\":\"evt_6\",\"type\":\"checkout.session.completed\","
                         "\"created\":1,\"data\":{\"object\":\"cs_1\"}}",
                         "data.object");
    event_assert_refused("{\"id\":\"evt_7\",\"type\":\"checkout.session.completed\","
                         "\"created\":1,\"data\":[{\"object\":{}}]}",
                         "data");
}

static void strings_too_long_for_their_slot_are_refused_not_truncated(void **state)
{
    (void)state;
    struct stripe_event ev;
    const struct {
        const char *from, *field;
        size_t slot;
    } cases[] = {
        {"\"evt_1PqR\"", "id", sizeof(ev.id)},
        {"\"checkout.session.completed\"", "type", sizeof(ev.type)},
        {"\"cs_test_a1B2\"", "data.object.id", sizeof(ev.session_id)},
        {"\"paid\"", "data.object.payment_status", sizeof(ev.payment_status)},
        {"\"eur\"", "data.object.currency", sizeof(ev.currency)},
        {"\"ten_1\"", "data.object.metadata.tenant", sizeof(ev.metadata_tenant)},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *fits = event_long_string(cases[i].slot - 1);
        char *text = event_edit(cases[i].from, fits);
        struct err_detail d = {0};
        /* A long type is no longer a checkout type, which is fine: it fits. */
        assert_int_equal(event_parse(text, &ev, &d), ERR_OK);
        free(text);
        free(fits);
        char *too_long = event_long_string(cases[i].slot);
        event_assert_edit_refused(cases[i].from, too_long, cases[i].field);
        free(too_long);
    }
    char *invoice = event_long_string(sizeof(ev.metadata_invoice));
    char edited[128];
    assert_true(str_format(edited, sizeof(edited), "%s}", invoice));
    event_assert_edit_refused("\"inv_42\"}", edited, "data.object.metadata.invoice");
    free(invoice);
}

static void a_body_that_is_not_a_json_object_is_refused(void **state)
{
    (void)state;
    const char *bodies[] = {
        "",
        "not json",
        "[]",
        "\"event\"",
        "42",
        "null",
        "{\"id\":\"evt_1\"",
        "{\"id\":\"a\",\"id\":\"b\",\"type\":\"t\",\"created\":1}", /* duplicate keys */
        "{\"id\":\"evt_1\",\"type\":\"t\",\"created\":1} trailing",
    };
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++)
        event_assert_refused(bodies[i], "");
    struct stripe_event ev;
    struct err_detail d = {0};
    assert_int_equal(stripe_event_parse(NULL, 0, &ev, &d), ERR_VALIDATION);
    /* A NUL inside the body ends nothing early: the whole length is parsed. */
    const char with_nul[] = "{\"id\":\"evt_1\",\"type\":\"t\",\"created\":1}\0{}";
    assert_int_equal(stripe_event_parse(with_nul, sizeof(with_nul) - 1, &ev, &d), ERR_VALIDATION);
}

static void a_body_over_the_webhook_limit_is_refused_as_too_large(void **state)
{
    (void)state;
    size_t n = GATEWAY_WEBHOOK_BYTES_MAX + 1;
    char *big = malloc(n);
    assert_non_null(big);
    memset(big, ' ', n);
    struct stripe_event ev;
    struct err_detail d = {0};
    assert_int_equal(stripe_event_parse(big, n, &ev, &d), ERR_TOO_LARGE);
    assert_true(event_is_zero(&ev));
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_completed_checkout_event_gives_its_paid_session),
        cmocka_unit_test(an_expired_checkout_event_gives_its_unpaid_session),
        cmocka_unit_test(an_event_of_another_type_leaves_the_session_empty),
        cmocka_unit_test(absent_or_null_session_fields_are_empty),
        cmocka_unit_test(missing_envelope_fields_are_named),
        cmocka_unit_test(fields_of_the_wrong_type_are_named),
        cmocka_unit_test(data_or_its_object_that_is_not_an_object_is_named),
        cmocka_unit_test(strings_too_long_for_their_slot_are_refused_not_truncated),
        cmocka_unit_test(a_body_that_is_not_a_json_object_is_refused),
        cmocka_unit_test(a_body_over_the_webhook_limit_is_refused_as_too_large),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
