/*
 * Unit tests of the message catalogues and the languages' ways of writing
 * numbers, money and days (base/i18n.c).
 *
 * Method: the embedded catalogues are compared key by key (every language
 * has every English key, no other, with the same holes, and plurals come in
 * pairs), then lookups, holes and formats written out by hand.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include <jansson.h>
#include <string.h>

#include "base/base.h"

static json_t *catalogue(const char *lang)
{
    const char *json, *etag;
    size_t len;
    assert_true(i18n_catalogue_json(lang, &json, &len, &etag));
    assert_int_equal(strlen(json), len);
    assert_true(etag[0] == '"' && etag[strlen(etag) - 1] == '"');
    json_error_t err;
    json_t *c = json_loadb(json, len, 0, &err);
    assert_non_null(c);
    return c;
}

/* The holes of a text, sorted and joined: "{a}{b}". */
static void holes(const char *text, char *out, size_t n)
{
    const char *found[32];
    size_t lens[32], k = 0;
    for (const char *p = strchr(text, '{'); p != NULL && k < 32; p = strchr(p + 1, '{')) {
        const char *close = strchr(p, '}');
        if (close == NULL)
            break;
        found[k] = p;
        lens[k++] = (size_t)(close - p + 1);
    }
    for (size_t i = 1; i < k; i++)
        for (size_t j = i; j > 0; j--) {
            size_t m = lens[j] < lens[j - 1] ? lens[j] : lens[j - 1];
            int c = memcmp(found[j], found[j - 1], m);
            if (c > 0 || (c == 0 && lens[j] >= lens[j - 1]))
                break;
            const char *tf = found[j];
            found[j] = found[j - 1];
            found[j - 1] = tf;
            size_t tl = lens[j];
            lens[j] = lens[j - 1];
            lens[j - 1] = tl;
        }
    out[0] = '\0';
    for (size_t i = 0; i < k; i++) {
        size_t used = strlen(out);
        /* The same hole twice counts once. */
        if (i > 0 && lens[i] == lens[i - 1] && memcmp(found[i], found[i - 1], lens[i]) == 0)
            continue;
        snprintf(out + used, n - used, "%.*s", (int)lens[i], found[i]);
    }
}

static void every_language_has_the_english_keys_and_holes(void **state)
{
    (void)state;
    json_t *en = catalogue("en");
    assert_true(json_object_size(en) > 50);
    for (size_t l = 1; l < I18N_LANGS_MAX; l++) {
        json_t *other = catalogue(i18n_langs[l]);
        const char *key;
        json_t *v;
        json_object_foreach(en, key, v)
        {
            const char *theirs = json_string_value(json_object_get(other, key));
            if (theirs == NULL)
                fail_msg("'%s' has no '%s'", i18n_langs[l], key);
            if (theirs[0] == '\0')
                fail_msg("'%s' of '%s' is empty", key, i18n_langs[l]);
            char a[512], b[512];
            holes(json_string_value(v), a, sizeof(a));
            holes(theirs, b, sizeof(b));
            if (strcmp(a, b) != 0)
                fail_msg("'%s': holes %s in en, %s in %s", key, a, b, i18n_langs[l]);
        }
        json_object_foreach(other, key, v)
        {
            if (json_object_get(en, key) == NULL)
                fail_msg("'%s' has '%s', English does not", i18n_langs[l], key);
        }
        json_decref(other);
    }
    json_decref(en);
}

static void plurals_come_in_pairs_and_keys_are_named_by_area(void **state)
{
    (void)state;
    json_t *en = catalogue("en");
    const char *key;
    json_t *v;
    json_object_foreach(en, key, v)
    {
        assert_non_null(strchr(key, '.'));
        size_t n = strlen(key);
        char pair[256];
        if (n > 4 && strcmp(key + n - 4, "_one") == 0) {
            snprintf(pair, sizeof(pair), "%.*s_other", (int)(n - 4), key);
            if (json_object_get(en, pair) == NULL)
                fail_msg("'%s' has no '%s'", key, pair);
        }
        if (n > 6 && strcmp(key + n - 6, "_other") == 0) {
            snprintf(pair, sizeof(pair), "%.*s_one", (int)(n - 6), key);
            if (json_object_get(en, pair) == NULL)
                fail_msg("'%s' has no '%s'", key, pair);
        }
    }
    json_decref(en);
}

static void lookups_fall_back_to_english_then_to_the_key(void **state)
{
    (void)state;
    assert_string_equal(i18n_text("de", "mail.greeting_anonymous"), "Guten Tag,");
    assert_string_equal(i18n_text("de-AT", "mail.greeting_anonymous"), "Guten Tag,");
    assert_string_equal(i18n_text("en", "mail.greeting_anonymous"), "Hello,");
    assert_string_equal(i18n_text("fr", "mail.greeting_anonymous"), "Hello,");
    assert_string_equal(i18n_text(NULL, "mail.greeting_anonymous"), "Hello,");
    assert_string_equal(i18n_text("de", "no.such.key"), "no.such.key");
    assert_string_equal(i18n_lang("de-CH"), "de");
    assert_string_equal(i18n_lang("dex"), "en");
    assert_string_equal(i18n_lang(""), "en");
    assert_true(i18n_lang_known("de_DE"));
    assert_false(i18n_lang_known("fr"));
    assert_false(i18n_lang_known(""));
    const char *json, *etag;
    size_t len;
    assert_false(i18n_catalogue_json("de-DE", &json, &len, &etag));
    assert_false(i18n_catalogue_json("fr", &json, &len, &etag));
}

static void accept_language_picks_the_preferred_known_language(void **state)
{
    (void)state;
    assert_string_equal(i18n_accept_language(NULL), "en");
    assert_string_equal(i18n_accept_language(""), "en");
    assert_string_equal(i18n_accept_language("de"), "de");
    assert_string_equal(i18n_accept_language("DE-at;q=0.9"), "de");
    assert_string_equal(i18n_accept_language("de_DE"), "de");
    assert_string_equal(i18n_accept_language("de-CH-1996"), "de");
    assert_string_equal(i18n_accept_language("fr, de;q=0.8"), "de");
    assert_string_equal(i18n_accept_language("fr-FR,fr;q=0.9,en;q=0.8,de;q=0.7"), "en");
    assert_string_equal(i18n_accept_language("en;q=0.5, de"), "de");
    assert_string_equal(i18n_accept_language("en, de"), "en");
    assert_string_equal(i18n_accept_language("de;q=0.5, en;q=0.5"), "de");
    assert_string_equal(i18n_accept_language("de;q=0"), "en");
    assert_string_equal(i18n_accept_language("de ; q=0.3 , fr"), "de");
    assert_string_equal(i18n_accept_language("*"), "en");
    assert_string_equal(i18n_accept_language("deu, dex"), "en");
    assert_string_equal(i18n_accept_language("de;q=2"), "en");
    assert_string_equal(i18n_accept_language("de;level=1"), "en");
    assert_string_equal(i18n_accept_language(",,;;==\xff\x01"
                                             "de"),
                        "en");
    assert_string_equal(i18n_lookup("de", "mail.greeting_anonymous"), "Guten Tag,");
    assert_null(i18n_lookup("de", "no.such.key"));
    assert_null(i18n_lookup("fr", "mail.greeting_anonymous"));
}

static void holes_are_filled_and_unknown_ones_kept(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 1 << 16);
    assert_string_equal(i18n_format(&a, "de", "mail.greeting", "name", "Jan", NULL), "Hallo Jan,");
    assert_string_equal(i18n_format(&a, "en", "mail.greeting", NULL), "Hello {name},");
    assert_string_equal(
        i18n_format(&a, "en", "mail.vehicle", "vehicle", "{name}", "name", "x", NULL),
        "Vehicle: {name}");
    arena_release(&a);
}

static void numbers_money_and_days_follow_the_language(void **state)
{
    (void)state;
    struct arena a;
    arena_init(&a, 1 << 16);
    assert_string_equal(i18n_number(&a, "en", "1234567.50"), "1,234,567.50");
    assert_string_equal(i18n_number(&a, "de", "1234567.50"), "1.234.567,50");
    assert_string_equal(i18n_number(&a, "de", "-999"), "-999");
    assert_string_equal(i18n_number(&a, "en", "-1000"), "-1,000");
    assert_string_equal(i18n_number(&a, "en", "12"), "12");
    assert_string_equal(i18n_number(&a, "en", "1e5"), "1e5");
    assert_string_equal(i18n_number(&a, "en", "1."), "1.");
    assert_string_equal(i18n_number(&a, "en", ""), "");
    assert_string_equal(i18n_money(&a, "en", "1234.50", "EUR"), "\xe2\x82\xac"
                                                                "1,234.50");
    assert_string_equal(i18n_money(&a, "en", "-5.00", "USD"), "-$5.00");
    assert_string_equal(i18n_money(&a, "de", "1234.50", "EUR"), "1.234,50\xc2\xa0\xe2\x82\xac");
    assert_string_equal(i18n_money(&a, "en", "10.00", "CHF"), "CHF\xc2\xa0"
                                                              "10.00");
    assert_string_equal(i18n_money(&a, "de", "10.00", "CHF"), "10,00\xc2\xa0"
                                                              "CHF");
    assert_string_equal(i18n_date(&a, "en", "2026-12-04"), "4 Dec 2026");
    assert_string_equal(i18n_date(&a, "de", "2026-12-04T00:50:00Z"), "04.12.2026");
    assert_string_equal(i18n_date(&a, "de", "2026-13-04"), "2026-13-04");
    assert_string_equal(i18n_date(&a, "en", "soon"), "soon");
    arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_language_has_the_english_keys_and_holes),
        cmocka_unit_test(plurals_come_in_pairs_and_keys_are_named_by_area),
        cmocka_unit_test(lookups_fall_back_to_english_then_to_the_key),
        cmocka_unit_test(accept_language_picks_the_preferred_known_language),
        cmocka_unit_test(holes_are_filled_and_unknown_ones_kept),
        cmocka_unit_test(numbers_money_and_days_follow_the_language),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
