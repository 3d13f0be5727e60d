/*
 * Invoice arithmetic: VAT, reverse charge and how much monetary store credit
 * covers (DESIGN rule 10). Money is int64 minor units of the tenant's
 * currency; VAT rates are basis points (1900 = 19 %). Rounding is half up
 * on the VAT amount, once per invoice, as invoices are printed.
 *
 * Must not: read a clock, allocate, or know where invoices are stored.
 */
#include <string.h>

#include "core/core.h"

/* The EU member states by their VAT prefix (Greece is EL for VAT, GR as a
 * country code: both accepted). */
static const char *const invoice_eu_countries[] = {
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "GR", "ES", "FI", "FR", "HR",
    "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"};

bool invoice_country_is_eu(const char *country)
{
    if (country == NULL)
        return false;
    for (size_t i = 0; i < sizeof(invoice_eu_countries) / sizeof(invoice_eu_countries[0]); i++)
        if (strcmp(country, invoice_eu_countries[i]) == 0)
            return true;
    return false;
}

static bool invoice_same_country(const char *a, const char *b)
{
    bool a_greece = strcmp(a, "GR") == 0 || strcmp(a, "EL") == 0;
    bool b_greece = strcmp(b, "GR") == 0 || strcmp(b, "EL") == 0;
    return strcmp(a, b) == 0 || (a_greece && b_greece);
}

bool invoice_reverse_charge_applies(const char *seller_country, const char *buyer_country,
                                    const char *buyer_vat_id)
{
    if (buyer_vat_id == NULL || buyer_vat_id[0] == '\0' || seller_country == NULL ||
        buyer_country == NULL)
        return false;
    return invoice_country_is_eu(seller_country) && invoice_country_is_eu(buyer_country) &&
           !invoice_same_country(seller_country, buyer_country);
}

enum err invoice_totals_compute(int64_t net_minor, int32_t vat_rate_bp, bool reverse_charge,
                                struct invoice_totals *out)
{
    ASSERT(out != NULL);
    memset(out, 0, sizeof(*out));
    if (net_minor < 0 || net_minor > AMOUNT_MAX_MINOR)
        return ERR_OVERFLOW;
    if (vat_rate_bp < 0 || vat_rate_bp > 10000)
        return ERR_VALIDATION;
    out->net_minor = net_minor;
    out->reverse_charge = reverse_charge;
    out->vat_rate_bp = reverse_charge ? 0 : vat_rate_bp;
    __int128 scaled = (__int128)net_minor * out->vat_rate_bp;
    out->vat_minor = (int64_t)((scaled + 5000) / 10000);
    if (amount_add(out->net_minor, out->vat_minor, &out->gross_minor) != ERR_OK)
        return ERR_OVERFLOW;
    ASSERT(out->gross_minor >= out->net_minor);
    return ERR_OK;
}

enum err invoice_store_credit_plan(int64_t due_money_minor, int64_t available_credits_minor,
                                   int scale, int64_t unit_value_minor,
                                   struct invoice_store_credit *out)
{
    ASSERT(out != NULL);
    memset(out, 0, sizeof(*out));
    if (due_money_minor < 0 || available_credits_minor < 0 || scale < 0 || scale > 6 ||
        unit_value_minor < 0)
        return ERR_VALIDATION;
    if (due_money_minor == 0 || available_credits_minor == 0 || unit_value_minor == 0)
        return ERR_OK;
    int64_t unit = 1;
    for (int i = 0; i < scale; i++)
        unit *= 10;
    /* The most money the credits are worth, then the fewest credits that
     * pay that much: never more credits than the customer has, never less
     * value than the money it stands for. */
    __int128 worth = (__int128)available_credits_minor * unit_value_minor / unit;
    int64_t money = worth < due_money_minor ? (int64_t)worth : due_money_minor;
    __int128 credits = ((__int128)money * unit + unit_value_minor - 1) / unit_value_minor;
    ASSERT(credits <= available_credits_minor);
    out->money_minor = money;
    out->credits_minor = (int64_t)credits;
    return ERR_OK;
}
