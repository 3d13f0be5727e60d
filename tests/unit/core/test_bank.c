/*
 * Unit tests of the bank details on invoices (core/bank.c): IBANs checked
 * by ISO 13616 (country, length, BBAN form, mod 97), BICs by ISO 9362, the
 * grouping in fours, and the EPC QR code's text (EPC069-12).
 *
 * Method: the published example IBANs of Germany, Austria, the Netherlands,
 * France and Switzerland; each of them broken one way at a time (a digit
 * changed, one left out or added, a letter where a digit belongs with check
 * digits that are right for it, an unknown country); and the payload of a
 * known transfer compared byte by byte.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/core.h"

static void published_ibans_are_valid_and_normalized(void **state)
{
    (void)state;
    char out[BANK_IBAN_BYTES];
    assert_int_equal(bank_iban_normalize("DE89 3704 0044 0532 0130 00", out), BANK_OK);
    assert_string_equal(out, "DE89370400440532013000");
    assert_int_equal(bank_iban_normalize("at61 1904 3002 3457 3201", out), BANK_OK);
    assert_string_equal(out, "AT611904300234573201");
    assert_int_equal(bank_iban_normalize("NL91ABNA0417164300", out), BANK_OK);
    assert_int_equal(bank_iban_normalize("FR14 2004 1010 0505 0001 3M02 606", out), BANK_OK);
    assert_int_equal(bank_iban_normalize("CH93 0076 2011 6238 5295 7", out), BANK_OK);
}

static void broken_ibans_are_refused_with_the_reason(void **state)
{
    (void)state;
    char out[BANK_IBAN_BYTES];
    /* one digit changed */
    assert_int_equal(bank_iban_normalize("DE89370400440532013001", out), BANK_BAD_CHECKSUM);
    /* a digit left out, one added */
    assert_int_equal(bank_iban_normalize("DE8937040044053201300", out), BANK_BAD_LENGTH);
    assert_int_equal(bank_iban_normalize("DE893704004405320130000", out), BANK_BAD_LENGTH);
    assert_int_equal(bank_iban_normalize("NL91ABNA04171643001", out), BANK_BAD_LENGTH);
    /* a letter in a German account number, with check digits right for it */
    assert_int_equal(bank_iban_normalize("DE0537040044053201300A", out), BANK_BAD_FORM);
    /* a digit in a Dutch bank code, with check digits right for it */
    assert_int_equal(bank_iban_normalize("NL251BNA0417164300", out), BANK_BAD_FORM);
    /* letters as check digits, a digit as the country */
    assert_int_equal(bank_iban_normalize("DEAB370400440532013000", out), BANK_BAD_FORM);
    assert_int_equal(bank_iban_normalize("D189370400440532013000", out), BANK_BAD_FORM);
    assert_int_equal(bank_iban_normalize("XX89370400440532013000", out), BANK_BAD_COUNTRY);
    assert_int_equal(bank_iban_normalize("DE89-3704-0044", out), BANK_BAD_CHARACTER);
    assert_int_equal(bank_iban_normalize("", out), BANK_BAD_FORM);
    assert_int_equal(bank_iban_normalize("DE8937040044053201300012345678901234567", out),
                     BANK_BAD_LENGTH);
    assert_string_not_equal(bank_check_text(BANK_BAD_CHECKSUM), "");
}

static void ibans_are_shown_in_groups_of_four(void **state)
{
    (void)state;
    char out[BANK_IBAN_GROUPED_BYTES];
    bank_iban_group("DE89370400440532013000", out);
    assert_string_equal(out, "DE89 3704 0044 0532 0130 00");
    bank_iban_group("NL91ABNA0417164300", out);
    assert_string_equal(out, "NL91 ABNA 0417 1643 00");
    bank_iban_group("", out);
    assert_string_equal(out, "");
}

static void bics_have_eight_or_eleven_characters_of_their_form(void **state)
{
    (void)state;
    char out[BANK_BIC_BYTES];
    assert_int_equal(bank_bic_normalize("cobadeffxxx", out), BANK_OK);
    assert_string_equal(out, "COBADEFFXXX");
    assert_int_equal(bank_bic_normalize("INGDDEFF", out), BANK_OK);
    assert_int_equal(bank_bic_normalize("BKAUATWW", out), BANK_OK);
    assert_int_equal(bank_bic_normalize("INGDDEF", out), BANK_BAD_LENGTH);
    assert_int_equal(bank_bic_normalize("INGDDEFF1", out), BANK_BAD_LENGTH);
    assert_int_equal(bank_bic_normalize("INGDDEFFXXXX", out), BANK_BAD_LENGTH);
    assert_int_equal(bank_bic_normalize("1NGDDEFF", out), BANK_BAD_FORM);
    assert_int_equal(bank_bic_normalize("INGD1EFF", out), BANK_BAD_FORM);
    assert_int_equal(bank_bic_normalize("INGD-EFF", out), BANK_BAD_CHARACTER);
}

static void epc_payload_is_the_girocode_text(void **state)
{
    (void)state;
    char out[BANK_EPC_BYTES_MAX + 1];
    struct bank_transfer t = {.name = "Weber Autotechnik GmbH",
                              .iban = "DE89370400440532013000",
                              .bic = "COBADEFFXXX",
                              .amount_minor = 1234,
                              .remittance = "2026-000042"};
    assert_int_equal(bank_epc_payload(&t, out, sizeof(out)), ERR_OK);
    assert_string_equal(out, "BCD\n002\n1\nSCT\nCOBADEFFXXX\nWeber Autotechnik GmbH\n"
                             "DE89370400440532013000\nEUR12.34\n\n\n2026-000042");
    t.amount_minor = 29631;
    t.bic = "";
    assert_int_equal(bank_epc_payload(&t, out, sizeof(out)), ERR_OK);
    assert_string_equal(out, "BCD\n002\n1\nSCT\n\nWeber Autotechnik GmbH\n"
                             "DE89370400440532013000\nEUR296.31\n\n\n2026-000042");
    /* The name is cut to 70 characters, counting an umlaut as one. */
    char name[200] = "";
    for (int i = 0; i < 80; i++)
        strcat(name, "\xc3\xbc");
    t.name = name;
    assert_int_equal(bank_epc_payload(&t, out, sizeof(out)), ERR_OK);
    const char *line = strstr(out, "SCT\n\n") + 5;
    assert_int_equal(strchr(line, '\n') - line, 140);
    t.amount_minor = 0;
    assert_int_equal(bank_epc_payload(&t, out, sizeof(out)), ERR_VALIDATION);
    t.amount_minor = 100;
    assert_int_equal(bank_epc_payload(&t, out, 20), ERR_TOO_LARGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(published_ibans_are_valid_and_normalized),
        cmocka_unit_test(broken_ibans_are_refused_with_the_reason),
        cmocka_unit_test(ibans_are_shown_in_groups_of_four),
        cmocka_unit_test(bics_have_eight_or_eleven_characters_of_their_form),
        cmocka_unit_test(epc_payload_is_the_girocode_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
