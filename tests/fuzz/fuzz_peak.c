/*
 * Fuzz target: peak pricing rules (peak_rule_parse in src/core/peak.c), the
 * text a lot or package carries in "peak".
 *
 * Input: the rule text.
 *
 * Properties: a rule taken is within its bounds (multiplier above 1 and at
 * most 10, 1 to PEAK_WINDOWS_MAX windows, each on some days and ending
 * after it starts, by 24:00), and its canonical text from peak_rule_format
 * fits its buffer, parses back to the same rule, and is its own canonical
 * text; peak_rule_multiplier gives the rule's multiplier exactly inside its
 * windows and 1 outside; a refusal names the field and leaves "no rule".
 */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

#include "fuzz.h"

static bool fuzz_peak_same(const struct peak_rule *a, const struct peak_rule *b)
{
    if (a->multiplier_permille != b->multiplier_permille || a->count != b->count)
        return false;
    for (uint32_t i = 0; i < a->count; i++) {
        const struct peak_window *x = &a->windows[i], *y = &b->windows[i];
        if (x->days_mask != y->days_mask || x->start_minute != y->start_minute ||
            x->end_minute != y->end_minute)
            return false;
    }
    return true;
}

static void fuzz_peak_bounds(const struct peak_rule *r, const char *text)
{
    FUZZ_CHECK(r->count >= 1 && r->count <= PEAK_WINDOWS_MAX, "'%s': %u windows", text, r->count);
    FUZZ_CHECK(r->multiplier_permille > 1000 && r->multiplier_permille <= 10000,
               "'%s': multiplier %d", text, r->multiplier_permille);
    for (uint32_t i = 0; i < r->count; i++) {
        const struct peak_window *w = &r->windows[i];
        FUZZ_CHECK(w->days_mask != 0 && (w->days_mask & ~PEAK_ALL_DAYS) == 0, "'%s': days %#x",
                   text, w->days_mask);
        FUZZ_CHECK(w->start_minute < w->end_minute && w->end_minute <= 24 * 60,
                   "'%s': window %u-%u", text, w->start_minute, w->end_minute);
    }
}

static void fuzz_peak_multiplier(const struct peak_rule *r)
{
    for (unsigned day = 0; day < 7; day++) {
        for (unsigned minute = 0; minute < 24 * 60; minute += 7) {
            bool inside = false;
            for (uint32_t i = 0; i < r->count; i++) {
                const struct peak_window *w = &r->windows[i];
                inside |= (w->days_mask >> day & 1) && minute >= w->start_minute &&
                          minute < w->end_minute;
            }
            int32_t m = peak_rule_multiplier(r, day, minute);
            FUZZ_CHECK(m == (inside ? r->multiplier_permille : 1000),
                       "day %u minute %u: multiplier %d", day, minute, m);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    char *text = fuzz_take_rest(&in, NULL);
    struct peak_rule rule;
    struct err_detail d = {0};
    enum err rc = peak_rule_parse(text, &rule, &d);
    if (rc != ERR_OK) {
        FUZZ_CHECK(rc == ERR_VALIDATION && strcmp(d.field, "peak") == 0, "'%s' gave %s", text,
                   err_code(rc));
        goto out;
    }
    if (text[0] == '\0') {
        FUZZ_CHECK(rule.count == 0 && rule.multiplier_permille == 1000, "empty text is a rule");
        goto out;
    }
    fuzz_peak_bounds(&rule, text);
    char canonical[PEAK_TEXT_BYTES + 1];
    memset(canonical, 0x55, sizeof(canonical));
    peak_rule_format(&rule, canonical, PEAK_TEXT_BYTES);
    FUZZ_CHECK(canonical[PEAK_TEXT_BYTES] == 0x55 && strlen(canonical) < PEAK_TEXT_BYTES,
               "'%s' formats past its buffer", text);
    struct peak_rule back;
    struct err_detail d2 = {0};
    FUZZ_CHECK(peak_rule_parse(canonical, &back, &d2) == ERR_OK,
               "'%s' formats as '%s', which is refused: %s", text, canonical, d2.message);
    FUZZ_CHECK(fuzz_peak_same(&rule, &back), "'%s' formats as '%s', another rule", text, canonical);
    char again[PEAK_TEXT_BYTES];
    peak_rule_format(&back, again, sizeof(again));
    FUZZ_CHECK(strcmp(again, canonical) == 0, "canonical '%s' formats as '%s'", canonical, again);
    fuzz_peak_multiplier(&rule);
out:
    free(text);
    return 0;
}
