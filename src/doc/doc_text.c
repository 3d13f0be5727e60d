/*
 * Every word printed on a document, one table per language, and the names
 * of the countries an address may end with. The keys are those the message
 * catalogues will use (i18n/<lang>/document.json, flat "document.<key>"),
 * and "{name}" holes are filled by the renderer, so moving these tables
 * into the catalogues is mechanical.
 *
 * German is written as a German business writes its invoices (Rechnung,
 * Rechnungsnummer, USt-IdNr., zzgl. 19 % USt., Verwendungszweck).
 *
 * Must not: format numbers or dates (doc_format.c does).
 */
#include <string.h>
#include <strings.h>

#include "doc/doc_int.h"

struct doc_text_entry {
    const char *key;
    const char *text;
};

static const struct doc_text_entry doc_texts_en[] = {
    {"document.invoice", "Invoice"},
    {"document.credit_note", "Credit note"},
    {"document.invoice_number", "Invoice number"},
    {"document.credit_note_number", "Credit note number"},
    {"document.invoice_date", "Invoice date"},
    {"document.credit_note_date", "Date"},
    {"document.due_date", "Due date"},
    {"document.customer_number", "Customer number"},
    {"document.for_invoice", "Relates to invoice"},
    {"document.supply_date", "Date of supply: the invoice date"},
    {"document.intro_invoice", "Thank you for your order. We invoice you as follows:"},
    {"document.intro_credit_note", "We credit you the following for invoice {invoice}:"},
    {"document.vat_id", "VAT ID"},
    {"document.buyer_vat_id", "Your VAT ID"},
    {"document.email", "E-mail"},
    {"document.payable_by", "Payable by {date} without deduction."},
    {"document.column_position", "Item"},
    {"document.column_description", "Description"},
    {"document.column_quantity", "Qty"},
    {"document.column_unit_price", "Unit price"},
    {"document.column_vat", "VAT"},
    {"document.column_amount", "Amount"},
    {"document.net", "Net amount"},
    {"document.vat", "plus {rate} VAT"},
    {"document.gross", "Total"},
    {"document.store_credit", "Paid with store credit"},
    {"document.amount_due", "Amount due"},
    {"document.amount_credited", "Amount credited"},
    {"document.reverse_charge",
     "Reverse charge: VAT to be accounted for by the recipient (Article 196, "
     "Council Directive 2006/112/EC)."},
    {"document.payment_title", "Payment"},
    {"document.payment_request_due", "Please transfer {amount} by {date} to the account below."},
    {"document.payment_request", "Please transfer {amount} to the account below."},
    {"document.payment_terms", "Payment terms"},
    {"document.account_holder", "Account holder"},
    {"document.iban", "IBAN"},
    {"document.bic", "BIC"},
    {"document.payment_reference", "Payment reference"},
    {"document.paid_on", "Paid on {date}. Thank you."},
    {"document.nothing_due", "Nothing is left to pay. Thank you."},
    {"document.voided", "This invoice was voided."},
    {"document.voided_mark", "VOID"},
    {"document.page", "Page {page}/{pages}"},
    {"document.continued", "{title} {number}, continued"},
};

static const struct doc_text_entry doc_texts_de[] = {
    {"document.invoice", "Rechnung"},
    {"document.credit_note", "Gutschrift"},
    {"document.invoice_number", "Rechnungsnummer"},
    {"document.credit_note_number", "Gutschriftsnummer"},
    {"document.invoice_date", "Rechnungsdatum"},
    {"document.credit_note_date", "Datum"},
    {"document.due_date", "Fälligkeitsdatum"},
    {"document.customer_number", "Kundennummer"},
    {"document.for_invoice", "Zur Rechnung"},
    {"document.supply_date", "Leistungsdatum entspricht Rechnungsdatum"},
    {"document.intro_invoice",
     "Vielen Dank für Ihren Auftrag. Wir stellen Ihnen folgende Leistungen in Rechnung:"},
    {"document.intro_credit_note", "Zur Rechnung {invoice} schreiben wir Ihnen gut:"},
    {"document.vat_id", "USt-IdNr."},
    {"document.buyer_vat_id", "Ihre USt-IdNr."},
    {"document.email", "E-Mail"},
    {"document.payable_by", "Zahlbar bis {date} ohne Abzug."},
    {"document.column_position", "Pos."},
    {"document.column_description", "Beschreibung"},
    {"document.column_quantity", "Menge"},
    {"document.column_unit_price", "Einzelpreis"},
    {"document.column_vat", "USt."},
    {"document.column_amount", "Betrag"},
    {"document.net", "Nettobetrag"},
    {"document.vat", "zzgl. {rate} USt."},
    {"document.gross", "Gesamtbetrag"},
    {"document.store_credit", "Mit Guthaben verrechnet"},
    {"document.amount_due", "Zahlbetrag"},
    {"document.amount_credited", "Gutschriftsbetrag"},
    {"document.reverse_charge", "Steuerschuldnerschaft des Leistungsempfängers."},
    {"document.payment_title", "Zahlung"},
    {"document.payment_request_due",
     "Bitte überweisen Sie {amount} bis zum {date} (zahlbar bis {date} ohne Abzug) auf das "
     "unten genannte Konto."},
    {"document.payment_request", "Bitte überweisen Sie {amount} auf das unten genannte Konto."},
    {"document.payment_terms", "Zahlungsbedingungen"},
    {"document.account_holder", "Kontoinhaber"},
    {"document.iban", "IBAN"},
    {"document.bic", "BIC"},
    {"document.payment_reference", "Verwendungszweck"},
    {"document.paid_on", "Bezahlt am {date}. Vielen Dank."},
    {"document.nothing_due", "Es ist nichts mehr zu zahlen. Vielen Dank."},
    {"document.voided", "Diese Rechnung wurde storniert."},
    {"document.voided_mark", "STORNIERT"},
    {"document.page", "Seite {page}/{pages}"},
    {"document.continued", "{title} {number}, Fortsetzung"},
};

static_assert(sizeof(doc_texts_en) == sizeof(doc_texts_de), "every text in both languages");

const char *doc_text(const char *lang, const char *key)
{
    ASSERT(key != NULL);
    bool de = doc_lang_is_german(lang);
    const struct doc_text_entry *t = de ? doc_texts_de : doc_texts_en;
    size_t n = sizeof(doc_texts_en) / sizeof(doc_texts_en[0]);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(t[i].key, key) == 0)
            return t[i].text;
    }
    base_assert_fail(__FILE__, __LINE__, key);
}

/* Countries an address of a European business is likely to end with. */
static const char *const doc_countries[][3] = {
    {"AT", "Austria", "Österreich"},
    {"BE", "Belgium", "Belgien"},
    {"BG", "Bulgaria", "Bulgarien"},
    {"CH", "Switzerland", "Schweiz"},
    {"CY", "Cyprus", "Zypern"},
    {"CZ", "Czechia", "Tschechien"},
    {"DE", "Germany", "Deutschland"},
    {"DK", "Denmark", "Dänemark"},
    {"EE", "Estonia", "Estland"},
    {"ES", "Spain", "Spanien"},
    {"FI", "Finland", "Finnland"},
    {"FR", "France", "Frankreich"},
    {"GB", "United Kingdom", "Vereinigtes Königreich"},
    {"GR", "Greece", "Griechenland"},
    {"HR", "Croatia", "Kroatien"},
    {"HU", "Hungary", "Ungarn"},
    {"IE", "Ireland", "Irland"},
    {"IT", "Italy", "Italien"},
    {"LI", "Liechtenstein", "Liechtenstein"},
    {"LT", "Lithuania", "Litauen"},
    {"LU", "Luxembourg", "Luxemburg"},
    {"LV", "Latvia", "Lettland"},
    {"MT", "Malta", "Malta"},
    {"NL", "Netherlands", "Niederlande"},
    {"NO", "Norway", "Norwegen"},
    {"PL", "Poland", "Polen"},
    {"PT", "Portugal", "Portugal"},
    {"RO", "Romania", "Rumänien"},
    {"SE", "Sweden", "Schweden"},
    {"SI", "Slovenia", "Slowenien"},
    {"SK", "Slovakia", "Slowakei"},
    {"TR", "Türkiye", "Türkei"},
    {"US", "United States", "Vereinigte Staaten"},
};

const char *doc_country_name(const char *lang, const char *code)
{
    if (code == NULL)
        return "";
    int column = doc_lang_is_german(lang) ? 2 : 1;
    for (size_t i = 0; i < sizeof(doc_countries) / sizeof(doc_countries[0]); i++) {
        if (strcasecmp(doc_countries[i][0], code) == 0)
            return doc_countries[i][column];
    }
    return code;
}
