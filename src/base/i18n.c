/*
 * The message catalogues (i18n/<lang>/<area>.json, embedded by
 * scripts/embed_i18n.sh) and the language's way of writing numbers, money
 * and days. A language's files are merged into one table at first use; the
 * tests (tests/unit/base/test_i18n.c) hold every language to the English
 * keys and holes, so a lookup that misses is a programmer's mistake that
 * still shows something: the English text, else the key.
 *
 * Must not: allocate per lookup (texts live as long as the process), or
 * know what a text is for.
 */
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <string.h>

#include "base/base.h"

struct i18n_file {
    const char *lang;
    const char *area;
    const char *json;
};

#include "i18n_catalogues.h"

const char *const i18n_langs[I18N_LANGS_MAX] = {"en", "de"};

struct i18n_lang_table {
    json_t *texts; /* key → string */
    char *json;    /* the whole catalogue, for the portal */
    size_t json_len;
    char etag[24];
};

static struct i18n_lang_table i18n_tables[I18N_LANGS_MAX];
static pthread_once_t i18n_once = PTHREAD_ONCE_INIT;

static int i18n_index(const char *lang)
{
    for (int i = 0; i < I18N_LANGS_MAX; i++)
        if (lang != NULL && strncmp(lang, i18n_langs[i], 2) == 0 &&
            (lang[2] == '\0' || lang[2] == '-' || lang[2] == '_'))
            return i;
    return -1;
}

/* Merges every file of every language; a file that does not parse, or a
 * key in two files, is a build mistake the unit tests catch first. */
static void i18n_load(void)
{
    for (int i = 0; i < I18N_LANGS_MAX; i++)
        i18n_tables[i].texts = json_object();
    for (size_t f = 0; f < sizeof(i18n_files) / sizeof(i18n_files[0]); f++) {
        int i = i18n_index(i18n_files[f].lang);
        json_error_t jerr;
        json_t *texts = json_loads(i18n_files[f].json, 0, &jerr);
        ASSERT(i >= 0 && json_is_object(texts));
        const char *key;
        json_t *v;
        json_object_foreach(texts, key, v)
        {
            ASSERT(json_is_string(v) && json_object_get(i18n_tables[i].texts, key) == NULL);
            json_object_set(i18n_tables[i].texts, key, v);
        }
        json_decref(texts);
    }
    for (int i = 0; i < I18N_LANGS_MAX; i++) {
        struct i18n_lang_table *t = &i18n_tables[i];
        /* What the portal downloads: not the API's error texts, which the
         * server fills in itself (a third of the words). */
        json_t *served = json_object();
        const char *key;
        json_t *v;
        json_object_foreach(t->texts, key, v)
        {
            if (strncmp(key, "errors.", 7) != 0)
                json_object_set(served, key, v);
        }
        t->json = json_dumps(served, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(served);
        ASSERT(t->json != NULL);
        t->json_len = strlen(t->json);
        uint8_t digest[SHA256_BYTES];
        char hex[2 * SHA256_BYTES + 1];
        sha256(t->json, t->json_len, digest);
        hex_encode(digest, SHA256_BYTES, hex);
        snprintf(t->etag, sizeof(t->etag), "\"%.16s\"", hex);
    }
}

const char *i18n_lang(const char *locale)
{
    int i = i18n_index(locale);
    return i18n_langs[i >= 0 ? i : 0];
}

bool i18n_lang_known(const char *locale)
{
    return i18n_index(locale) >= 0;
}

const char *i18n_text(const char *lang, const char *key)
{
    pthread_once(&i18n_once, i18n_load);
    int i = i18n_index(lang);
    const char *text = json_string_value(json_object_get(i18n_tables[i >= 0 ? i : 0].texts, key));
    if (text == NULL)
        text = json_string_value(json_object_get(i18n_tables[0].texts, key));
    return text != NULL ? text : key;
}

const char *i18n_lookup(const char *lang, const char *key)
{
    pthread_once(&i18n_once, i18n_load);
    int i = i18n_index(lang);
    return i < 0 ? NULL : json_string_value(json_object_get(i18n_tables[i].texts, key));
}

/* The q of one Accept-Language item's parameters (";q=0.8"): 1000 times
 * it, 1000 when absent, -1 when it is not a q-value. */
static int i18n_accept_q(const char *params, size_t len)
{
    const char *p = params, *end = params + len;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (p == end)
        return 1000;
    if (end - p < 3 || *p != ';')
        return -1;
    p++;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (end - p < 3 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=')
        return -1;
    p += 2;
    int q = 0, digits = 0;
    if (*p == '0' || *p == '1') {
        q = (*p - '0') * 1000;
        p++;
        if (p < end && *p == '.') {
            p++;
            for (int scale = 100; p < end && *p >= '0' && *p <= '9' && digits < 3; scale /= 10) {
                q += (*p++ - '0') * scale;
                digits++;
            }
        }
    } else {
        return -1;
    }
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    return p == end && q <= 1000 ? q : -1;
}

const char *i18n_accept_language(const char *header)
{
    const char *best = i18n_langs[0];
    int best_q = 0;
    for (const char *p = header; p != NULL && *p != '\0';) {
        size_t len = strcspn(p, ",");
        size_t tag = strspn(p, " \t");
        const char *start = p + tag;
        size_t tag_len = strcspn(start, ",; \t");
        int q = i18n_accept_q(start + tag_len, len - tag - tag_len);
        /* The primary subtag: "de", "de-AT", "DE_de" name German; "deu", "*"
         * name nothing known. */
        size_t primary = strcspn(start, "-_,; \t");
        if (primary == 2 && primary <= tag_len) {
            char lang[3] = {start[0], start[1], '\0'};
            for (size_t i = 0; i < 2; i++)
                if (lang[i] >= 'A' && lang[i] <= 'Z')
                    lang[i] = (char)(lang[i] - 'A' + 'a');
            if (i18n_index(lang) >= 0 && q > best_q) {
                best = i18n_lang(lang);
                best_q = q;
            }
        }
        p += len + (p[len] == ',');
    }
    return best;
}

bool i18n_catalogue_json(const char *lang, const char **json, size_t *len, const char **etag)
{
    pthread_once(&i18n_once, i18n_load);
    int i = i18n_index(lang);
    if (i < 0 || strlen(lang) != 2)
        return false;
    *json = i18n_tables[i].json;
    *len = i18n_tables[i].json_len;
    *etag = i18n_tables[i].etag;
    return true;
}

/* text with its holes filled from the pairs of ap (up to NULL). */
static const char *i18n_fill(struct arena *a, const char *text, const char *count, va_list ap)
{
    const char *names[16], *values[16];
    size_t n = 0;
    if (count != NULL) {
        names[n] = "count";
        values[n++] = count;
    }
    for (const char *name; n < 16 && (name = va_arg(ap, const char *)) != NULL; n++) {
        names[n] = name;
        values[n] = va_arg(ap, const char *);
        if (values[n] == NULL)
            values[n] = "";
    }
    struct buf b;
    buf_init(&b, 64 * 1024);
    enum err rc = ERR_OK;
    for (const char *p = text; *p != '\0' && rc == ERR_OK;) {
        const char *open = strchr(p, '{');
        const char *close = open != NULL ? strchr(open, '}') : NULL;
        if (close == NULL) {
            rc = buf_puts(&b, p);
            break;
        }
        rc = buf_append(&b, p, (size_t)(open - p));
        size_t len = (size_t)(close - open - 1);
        const char *value = NULL;
        for (size_t i = 0; i < n && value == NULL; i++)
            if (strlen(names[i]) == len && memcmp(names[i], open + 1, len) == 0)
                value = values[i];
        if (rc == ERR_OK)
            rc = value != NULL ? buf_puts(&b, value)
                               : buf_append(&b, open, (size_t)(close + 1 - open));
        p = close + 1;
    }
    const char *out = rc == ERR_OK ? arena_strndup(a, b.data != NULL ? b.data : "", b.len) : NULL;
    buf_release(&b);
    return out;
}

const char *i18n_format(struct arena *a, const char *lang, const char *key, ...)
{
    va_list ap;
    va_start(ap, key);
    const char *out = i18n_fill(a, i18n_text(lang, key), NULL, ap);
    va_end(ap);
    return out;
}

const char *i18n_plural(struct arena *a, const char *lang, const char *key, int64_t n, ...)
{
    char full[128], count[24];
    snprintf(full, sizeof(full), "%s_%s", key, n == 1 ? "one" : "other");
    snprintf(count, sizeof(count), "%lld", (long long)n);
    va_list ap;
    va_start(ap, n);
    const char *out = i18n_fill(a, i18n_text(lang, full), i18n_number(a, lang, count), ap);
    va_end(ap);
    return out;
}

const char *i18n_number(struct arena *a, const char *lang, const char *amount)
{
    if (amount == NULL)
        return "";
    const char *digits = amount + (amount[0] == '-');
    size_t int_len = strspn(digits, "0123456789");
    bool frac = digits[int_len] == '.';
    size_t frac_len = frac ? strspn(digits + int_len + 1, "0123456789") : 0;
    if (int_len == 0 || digits[int_len + frac + frac_len] != '\0' || (frac && frac_len == 0))
        return amount;
    bool de = strcmp(i18n_lang(lang), "de") == 0;
    char out[96];
    size_t o = 0;
    if (digits != amount)
        out[o++] = '-';
    for (size_t i = 0; i < int_len && o < sizeof(out) - 8; i++) {
        if (i > 0 && (int_len - i) % 3 == 0)
            out[o++] = de ? '.' : ',';
        out[o++] = digits[i];
    }
    if (frac) {
        out[o++] = de ? ',' : '.';
        for (size_t i = 0; i < frac_len && o < sizeof(out) - 1; i++)
            out[o++] = digits[int_len + 1 + i];
    }
    out[o] = '\0';
    return arena_strdup(a, out);
}

const char *i18n_money(struct arena *a, const char *lang, const char *amount, const char *currency)
{
    const char *number = i18n_number(a, lang, amount);
    if (number == NULL)
        return NULL;
    const char *symbol = strcmp(currency, "EUR") == 0   ? "\xe2\x82\xac"
                         : strcmp(currency, "USD") == 0 ? "$"
                         : strcmp(currency, "GBP") == 0 ? "\xc2\xa3"
                                                        : NULL;
    bool neg = number[0] == '-';
    if (strcmp(i18n_lang(lang), "de") == 0)
        return arena_printf(a, "%s\xc2\xa0%s", number, symbol != NULL ? symbol : currency);
    if (symbol == NULL)
        return arena_printf(a, "%s\xc2\xa0%s", currency, number);
    return arena_printf(a, "%s%s%s", neg ? "-" : "", symbol, number + neg);
}

const char *i18n_date(struct arena *a, const char *lang, const char *day)
{
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (day == NULL || strlen(day) < 10 || day[4] != '-' || day[7] != '-' ||
        strspn(day, "0123456789") != 4 || strspn(day + 5, "0123456789") != 2 ||
        strspn(day + 8, "0123456789") != 2)
        return day;
    int month = (day[5] - '0') * 10 + (day[6] - '0');
    int dom = (day[8] - '0') * 10 + (day[9] - '0');
    if (month < 1 || month > 12 || dom < 1 || dom > 31)
        return day;
    if (strcmp(i18n_lang(lang), "de") == 0)
        return arena_printf(a, "%.2s.%.2s.%.4s", day + 8, day + 5, day);
    return arena_printf(a, "%d %s %.4s", dom, months[month - 1], day);
}
