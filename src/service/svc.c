/*
 * Tenants, settings, people and the catalogue: the operations that set a
 * business up. Each is one transaction; validation happens before any write.
 */
#include <string.h>

#include "notify/notify.h"
#include "service/service_int.h"

static int64_t svc_wall_clock(void *ctx)
{
    (void)ctx;
    return time_now_us();
}

void svc_init(struct svc *s, struct store *st, const struct svc_clock *clock)
{
    ASSERT(st != NULL);
    s->st = st;
    s->clock = clock ? *clock : (struct svc_clock){.now_us = svc_wall_clock, .ctx = NULL};
    s->blobs = NULL;
    s->cache = NULL;
    s->gateway = NULL;
    s->replica = NULL;
    s->webhook_allow_private = false;
}

void svc_use_blobs(struct svc *s, struct blob_store *b)
{
    s->blobs = b;
}

int64_t svc_now(const struct svc *s)
{
    return s->clock.now_us(s->clock.ctx);
}

/* ---- tenants ----------------------------------------------------------- */

struct tenant_create_ctx {
    const char *name;
    const char *host;
    int64_t now_us;
    int64_t tenant_id;
};

static enum err svc_tenant_create_txn(struct store_conn *c, void *arg)
{
    struct tenant_create_ctx *x = arg;
    enum err rc = store_tenant_insert(c, x->name, x->now_us, &x->tenant_id);
    if (rc == ERR_OK && x->host != NULL)
        rc = store_tenant_host_add(c, x->tenant_id, x->host);
    static const char *const codes[] = {"master", "slave"};
    static const char *const names[] = {"Master credits", "Slave credits"};
    for (int i = 0; rc == ERR_OK && i < 2; i++) {
        struct credit_type_row t = {.tenant_id = x->tenant_id,
                                    .code = codes[i],
                                    .name = names[i],
                                    .scale = 0,
                                    .kind = CREDIT_UNIT,
                                    .unit_value_minor = 0,
                                    .spendable = true,
                                    .sort_order = i,
                                    .created_at_us = x->now_us};
        int64_t id;
        rc = store_credit_type_insert(c, &t, &id);
    }
    return rc;
}

static bool svc_host_is_valid(const char *host)
{
    size_t n = strlen(host);
    if (n == 0 || n > 253)
        return false;
    for (const char *p = host; *p; p++) {
        char ch = *p;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
              ch == ':'))
            return false;
    }
    return true;
}

enum err svc_tenant_create(struct svc *s, const char *name, const char *host, int64_t *tenant_id,
                           struct err_detail *d)
{
    enum err rc = svc_text_check(name, "name", NAME_BYTES_MAX, true, d);
    if (rc != ERR_OK)
        return rc;
    if (host != NULL && !svc_host_is_valid(host))
        return err_set(d, ERR_VALIDATION, "host", "must be a lower-case host name");
    struct tenant_create_ctx x = {.name = name, .host = host, .now_us = svc_now(s)};
    rc = store_write(s->st, svc_tenant_create_txn, &x);
    if (rc == ERR_DUPLICATE)
        return err_set(d, ERR_DUPLICATE, "host", "host '%s' already belongs to a tenant", host);
    if (rc == ERR_OK)
        *tenant_id = x.tenant_id;
    return rc;
}

struct host_add_ctx {
    int64_t tenant_id;
    const char *host;
};

static enum err svc_tenant_host_add_txn(struct store_conn *c, void *arg)
{
    struct host_add_ctx *x = arg;
    struct arena a;
    arena_init(&a, 64 * 1024);
    struct tenant_row t;
    enum err rc = store_tenant_get(c, &a, x->tenant_id, &t);
    arena_release(&a);
    return rc != ERR_OK ? rc : store_tenant_host_add(c, x->tenant_id, x->host);
}

enum err svc_tenant_host_add(struct svc *s, int64_t tenant_id, const char *host,
                             struct err_detail *d)
{
    if (host == NULL || !svc_host_is_valid(host))
        return err_set(d, ERR_VALIDATION, "host", "must be a lower-case host name");
    struct host_add_ctx x = {.tenant_id = tenant_id, .host = host};
    enum err rc = store_write(s->st, svc_tenant_host_add_txn, &x);
    if (rc == ERR_DUPLICATE)
        return err_set(d, ERR_DUPLICATE, "host", "host '%s' already belongs to a tenant", host);
    return rc;
}

static enum err svc_tenant_default_txn(struct store_conn *c, void *arg)
{
    int64_t count;
    enum err rc = store_tenant_count(c, &count);
    if (rc != ERR_OK)
        return rc;
    if (count == 0)
        return ERR_NOT_FOUND;
    return store_tenant_first(c, arg);
}

enum err svc_tenant_default(struct svc *s, int64_t *tenant_id)
{
    return store_read(s->st, svc_tenant_default_txn, tenant_id);
}

struct tenant_get_ctx {
    struct arena *a;
    int64_t tenant_id;
    struct tenant_row *out;
};

static enum err svc_tenant_get_txn(struct store_conn *c, void *arg)
{
    struct tenant_get_ctx *x = arg;
    return store_tenant_get(c, x->a, x->tenant_id, x->out);
}

enum err svc_tenant_get(struct svc *s, struct arena *a, int64_t tenant_id, struct tenant_row *out)
{
    struct tenant_get_ctx x = {.a = a, .tenant_id = tenant_id, .out = out};
    return store_read(s->st, svc_tenant_get_txn, &x);
}

static enum err svc_tenant_update_txn(struct store_conn *c, void *arg)
{
    const struct tenant_row *t = arg;
    struct arena a;
    arena_init(&a, 64 * 1024);
    struct tenant_row current;
    enum err rc = store_tenant_get(c, &a, t->id, &current);
    arena_release(&a);
    if (rc == ERR_OK)
        rc = store_tenant_update(c, t);
    /* Who must enrol in two factors is part of every cached principal. */
    if (rc == ERR_OK && current.totp_required != t->totp_required)
        rc = store_auth_epoch_bump(c, t->id);
    return rc;
}

/* Two capital letters, as ISO 3166 alpha-2 codes are written. */
bool svc_locale_is_valid(const char *locale)
{
    /* The languages with texts: English and German, with or without a region. */
    if (locale == NULL || locale[0] == '\0')
        return true;
    bool lang = strncmp(locale, "en", 2) == 0 || strncmp(locale, "de", 2) == 0;
    size_t n = strlen(locale);
    bool region = n == 5 && locale[2] == '-' && locale[3] >= 'A' && locale[3] <= 'Z' &&
                  locale[4] >= 'A' && locale[4] <= 'Z';
    return lang && (n == 2 || region);
}

bool svc_country_is_valid(const char *country)
{
    return iso_country_is_known(country);
}

/* The notification settings: a sender's name fit for a From line, a
 * reply-to that is an address, the portal's address for links in mails. */
static enum err svc_settings_mail_check(const struct tenant_row *t, struct err_detail *d)
{
    enum err rc =
        svc_text_check(t->mail_sender_name, "mail_sender_name", MAIL_NAME_BYTES_MAX, false, d);
    if (rc != ERR_OK)
        return rc;
    if (t->mail_reply_to != NULL && t->mail_reply_to[0] != '\0' &&
        (rc = notify_mail_address_check(t->mail_reply_to, "mail_reply_to", d)) != ERR_OK)
        return rc;
    const char *url = t->portal_url != NULL ? t->portal_url : "";
    bool web = strncmp(url, "https://", 8) == 0 || strncmp(url, "http://", 7) == 0;
    const char *host = web ? strstr(url, "//") + 2 : url;
    if (url[0] != '\0' &&
        (!web || host[0] == '\0' || host[0] == '/' || strpbrk(url, " \"<>\\?#@") != NULL ||
         strlen(url) > PORTAL_URL_BYTES_MAX))
        return err_set(d, ERR_VALIDATION, "portal_url",
                       "must be the portal's address, like 'https://portal.example.com'");
    if (t->expiry_notice_days < 0 || t->expiry_notice_days > 365)
        return err_set(d, ERR_VALIDATION, "expiry_notice_days",
                       "must be between 0 (no notice) and 365");
    const char *reg = t->registration != NULL ? t->registration : "";
    if (strcmp(reg, "off") != 0 && strcmp(reg, "open") != 0 && strcmp(reg, "approval") != 0)
        return err_set(d, ERR_VALIDATION, "registration", "must be 'off', 'open' or 'approval'");
    return ERR_OK;
}

enum err svc_settings_update(struct svc *s, const struct tenant_row *t, struct err_detail *d)
{
    enum err rc = svc_text_check(t->name, "name", NAME_BYTES_MAX, true, d);
    if (rc != ERR_OK)
        return rc;
    if (!iso_currency_is_known(t->currency))
        return err_set(d, ERR_VALIDATION, "currency", "must be an ISO 4217 code like 'EUR'");
    if (t->vat_rate_bp < 0 || t->vat_rate_bp > 10000)
        return err_set(d, ERR_VALIDATION, "vat_rate", "must be between 0 and 100 percent");
    struct tz tz;
    if (svc_tz_get(t->timezone, &tz) != ERR_OK)
        return err_set(d, ERR_VALIDATION, "timezone", "unknown time zone '%s'", t->timezone);
    if (t->refund_validity_days < 1 || t->refund_validity_days > 3660)
        return err_set(d, ERR_VALIDATION, "refund_validity_days", "must be between 1 and 3660");
    if (strcmp(t->charge_on, "submit") != 0 && strcmp(t->charge_on, "delivery") != 0)
        return err_set(d, ERR_VALIDATION, "charge_on", "must be 'submit' or 'delivery'");
    if (t->file_retention_days < 0 || t->file_retention_days > 3660)
        return err_set(d, ERR_VALIDATION, "file_retention_days",
                       "must be between 0 (keep forever) and 3660");
    if (t->duplicate_window_hours < 0 || t->duplicate_window_hours > 8760)
        return err_set(d, ERR_VALIDATION, "duplicate_window_hours",
                       "must be between 0 (no warning) and 8760");
    if ((rc = svc_text_check(t->invoice_prefix, "invoice_prefix", 16, false, d)) != ERR_OK ||
        (rc = svc_text_check(t->locale, "locale", 16, true, d)) != ERR_OK ||
        (rc = svc_text_check(t->vat_id, "vat_id", 32, false, d)) != ERR_OK ||
        (rc = svc_text_check(t->seller_address, "seller_address", NOTE_BYTES_MAX, false, d)) !=
            ERR_OK)
        return rc;
    if (!svc_country_is_valid(t->country))
        return err_set(d, ERR_VALIDATION, "country", "must be an ISO 3166 code like 'DE'");
    if (strcmp(t->manual_grant, "payment") != 0 && strcmp(t->manual_grant, "invoice") != 0)
        return err_set(d, ERR_VALIDATION, "manual_grant", "must be 'payment' or 'invoice'");
    if ((rc = svc_settings_mail_check(t, d)) != ERR_OK)
        return rc;
    char iban[BANK_IBAN_BYTES], bic[BANK_BIC_BYTES];
    if ((rc = svc_settings_bank_check(t, iban, bic, d)) != ERR_OK)
        return rc;
    struct tenant_row row = *t;
    row.bank_iban = iban;
    row.bank_bic = bic;
    row.bank_account_holder = t->bank_account_holder != NULL ? t->bank_account_holder : "";
    return store_write(s->st, svc_tenant_update_txn, &row);
}

/* ---- people ------------------------------------------------------------ */

enum err svc_email_check(const char *email, struct err_detail *d)
{
    enum err rc = svc_text_check(email, "email", NAME_BYTES_MAX, true, d);
    if (rc != ERR_OK)
        return rc;
    const char *at = strchr(email, '@');
    if (at == NULL || at == email || at[1] == '\0' || strchr(at + 1, '@') != NULL ||
        strpbrk(email, " \t\n,;<>") != NULL)
        return err_set(d, ERR_VALIDATION, "email", "is not an e-mail address");
    for (const char *p = email; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            return err_set(d, ERR_VALIDATION, "email", "must be lower case");
    return ERR_OK;
}

struct user_add_ctx {
    struct user_row user;
    int64_t customer_id; /* members */
    const char *member_role;
    bool unverified;               /* self-registered: the e-mail is not verified yet */
    const struct svc_actor *actor; /* named in the security log; NULL: the CLI */
    int64_t user_id;
    int64_t *out; /* set inside the transaction */
};

static enum err svc_user_add_txn(struct store_conn *c, void *arg)
{
    struct user_add_ctx *x = arg;
    enum err rc = ERR_OK;
    if (x->customer_id != 0) {
        struct arena a;
        arena_init(&a, 64 * 1024);
        rc = svc_customer_check(c, &a, x->user.tenant_id, x->customer_id);
        arena_release(&a);
    }
    if (rc == ERR_OK)
        rc = store_user_insert(c, &x->user, &x->user_id);
    if (rc == ERR_OK && x->customer_id != 0) {
        struct member_row m = {.customer_id = x->customer_id,
                               .user_id = x->user_id,
                               .role = x->member_role,
                               .created_at_us = x->user.created_at_us};
        rc = store_member_insert(c, x->user.tenant_id, &m);
    }
    const struct svc_actor cli = {.label = "cli"};
    const char *detail = x->customer_id != 0 ? x->member_role : x->user.role;
    char json[48];
    str_format(json, sizeof(json), "{\"role\":\"%s\"}", detail);
    if (rc == ERR_OK)
        rc = svc_seclog(c, x->user.tenant_id, x->actor != NULL ? x->actor : &cli,
                        x->customer_id != 0 ? "member.added" : "user.created", x->user_id,
                        x->user.email, x->customer_id, json, x->user.created_at_us);
    if (rc == ERR_OK && x->out != NULL)
        *x->out = x->user_id;
    return rc;
}

static enum err svc_user_insert(struct svc *s, struct user_add_ctx *x, const char *password,
                                struct err_detail *d)
{
    enum err rc = svc_email_check(x->user.email, d);
    if (rc != ERR_OK)
        return rc;
    if ((rc = svc_password_check(password, x->user.email, "password", d)) != ERR_OK)
        return rc;
    char hash[PASSWORD_HASH_BYTES];
    if ((rc = password_hash(password, hash, sizeof(hash))) != ERR_OK)
        return rc;
    x->user.password_hash = hash;
    x->user.created_at_us = svc_now(s);
    x->user.email_verified = !x->unverified;
    rc = store_write(s->st, svc_user_add_txn, x);
    if (rc == ERR_DUPLICATE)
        return err_set(d, ERR_DUPLICATE, "email", "a user with this e-mail exists");
    if (rc == ERR_NOT_FOUND)
        return err_set(d, ERR_NOT_FOUND, "customer_id", "no such customer");
    return rc;
}

enum err svc_user_add(struct svc *s, int64_t tenant_id, const char *email, const char *password,
                      const char *role, int64_t *user_id, struct err_detail *d)
{
    return svc_user_add_by(s, tenant_id, NULL, email, password, role, user_id, d);
}

enum err svc_user_add_by(struct svc *s, int64_t tenant_id, const struct svc_actor *actor,
                         const char *email, const char *password, const char *role,
                         int64_t *user_id, struct err_detail *d)
{
    if (role == NULL || (strcmp(role, "admin") != 0 && strcmp(role, "staff") != 0))
        return err_set(d, ERR_VALIDATION, "role", "must be 'admin' or 'staff'");
    struct user_add_ctx x = {.user = {.tenant_id = tenant_id, .email = email, .role = role},
                             .actor = actor,
                             .out = user_id};
    return svc_user_insert(s, &x, password, d);
}

enum err svc_member_add(struct svc *s, int64_t tenant_id, int64_t customer_id, const char *email,
                        const char *password, const char *role, int64_t *user_id,
                        struct err_detail *d)
{
    return svc_member_add_by(s, tenant_id, NULL, customer_id, email, password, role, user_id, d);
}

enum err svc_member_add_by(struct svc *s, int64_t tenant_id, const struct svc_actor *actor,
                           int64_t customer_id, const char *email, const char *password,
                           const char *role, int64_t *user_id, struct err_detail *d)
{
    if (role == NULL || (strcmp(role, "owner") != 0 && strcmp(role, "technician") != 0))
        return err_set(d, ERR_VALIDATION, "role", "must be 'owner' or 'technician'");
    struct user_add_ctx x = {.user = {.tenant_id = tenant_id, .email = email, .role = "member"},
                             .customer_id = customer_id,
                             .member_role = role,
                             .actor = actor,
                             .out = user_id};
    return svc_user_insert(s, &x, password, d);
}

struct limit_ctx {
    int64_t tenant_id, customer_id, user_id;
    const struct svc_amount *limits;
    size_t n;
    struct err_detail *d;
};

static enum err svc_member_limit_txn(struct store_conn *c, void *arg)
{
    struct limit_ctx *x = arg;
    struct arena a;
    arena_init(&a, 64 * 1024);
    struct member_row m;
    enum err rc = svc_customer_check(c, &a, x->tenant_id, x->customer_id);
    if (rc == ERR_OK)
        rc = store_member_get(c, &a, x->tenant_id, x->customer_id, x->user_id, &m);
    for (size_t i = 0; rc == ERR_OK && i < x->n; i++) {
        struct credit_type_row type;
        rc = svc_type_by_code(c, &a, x->tenant_id, x->limits[i].credit_type, &type, x->d);
        if (rc == ERR_OK)
            rc = store_member_limit_set(c, x->tenant_id, x->customer_id, x->user_id, type.id,
                                        x->limits[i].amount_minor);
    }
    arena_release(&a);
    return rc;
}

enum err svc_member_limits_set(struct svc *s, int64_t tenant_id, int64_t customer_id,
                               int64_t user_id, const struct svc_amount *limits, size_t n,
                               struct err_detail *d)
{
    for (size_t i = 0; i < n; i++)
        if (limits[i].amount_minor > AMOUNT_MAX_MINOR)
            return err_set(d, ERR_OVERFLOW, "limit", "is too large");
    struct limit_ctx x = {.tenant_id = tenant_id,
                          .customer_id = customer_id,
                          .user_id = user_id,
                          .limits = limits,
                          .n = n,
                          .d = d};
    return store_write(s->st, svc_member_limit_txn, &x);
}

enum err svc_member_limit_set(struct svc *s, int64_t tenant_id, int64_t customer_id,
                              int64_t user_id, const char *credit_type, int64_t limit_minor,
                              struct err_detail *d)
{
    struct svc_amount one = {.credit_type = credit_type,
                             .amount_minor = limit_minor < 0 ? -1 : limit_minor};
    return svc_member_limits_set(s, tenant_id, customer_id, user_id, &one, 1, d);
}

struct customer_create_ctx {
    struct customer_row row;
    int64_t *id;
};

static enum err svc_customer_create_txn(struct store_conn *c, void *arg)
{
    struct customer_create_ctx *x = arg;
    return store_customer_insert(c, &x->row, x->id);
}

enum err svc_address_check(const char *address, const char *field, struct err_detail *d)
{
    enum err rc = svc_text_check(address, field, ADDRESS_BYTES_MAX, false, d);
    size_t lines = 1;
    for (const char *p = address; rc == ERR_OK && p != NULL && *p != '\0'; p++)
        lines += *p == '\n';
    if (rc == ERR_OK && lines > ADDRESS_LINES_MAX)
        return err_set(d, ERR_VALIDATION, field, "must have at most %d lines", ADDRESS_LINES_MAX);
    return rc;
}

enum err svc_customer_input_check(const struct customer_row *in, struct err_detail *d)
{
    enum err rc;
    if ((rc = svc_text_check(in->name, "name", NAME_BYTES_MAX, true, d)) != ERR_OK ||
        (rc = svc_text_check(in->vat_id, "vat_id", 32, false, d)) != ERR_OK ||
        (rc = svc_text_check(in->country, "country", 2, false, d)) != ERR_OK)
        return rc;
    if (in->country != NULL && in->country[0] != '\0' && !svc_country_is_valid(in->country))
        return err_set(d, ERR_VALIDATION, "country", "must be an ISO 3166 code like 'AT'");
    if (in->email != NULL && in->email[0] != '\0' && (rc = svc_email_check(in->email, d)) != ERR_OK)
        return rc;
    if (!svc_locale_is_valid(in->locale))
        return err_set(d, ERR_VALIDATION, "locale",
                       "must be 'en' or 'de' (or '' for the business's)");
    return svc_address_check(in->address, "address", d);
}

enum err svc_customer_create(struct svc *s, int64_t tenant_id, const struct customer_row *in,
                             int64_t *customer_id, struct err_detail *d)
{
    enum err rc = svc_customer_input_check(in, d);
    if (rc != ERR_OK)
        return rc;
    struct customer_create_ctx x = {.row = *in, .id = customer_id};
    x.row.tenant_id = tenant_id;
    x.row.created_at_us = svc_now(s);
    return store_write(s->st, svc_customer_create_txn, &x);
}

/* ---- catalogue --------------------------------------------------------- */

struct type_ctx {
    struct credit_type_row row;
    int64_t id;
    bool update;
    struct err_detail *d;
};

static enum err svc_credit_type_txn(struct store_conn *c, void *arg)
{
    struct type_ctx *x = arg;
    if (!x->update)
        return store_credit_type_insert(c, &x->row, &x->id);
    struct arena a;
    arena_init(&a, 64 * 1024);
    struct credit_type_row current;
    enum err rc = store_credit_type_by_code(c, &a, x->row.tenant_id, x->row.code, &current);
    if (rc == ERR_OK) {
        x->row.id = current.id;
        rc = store_credit_type_update(c, &x->row);
    }
    arena_release(&a);
    return rc;
}

struct type_find_ctx {
    struct arena *a;
    int64_t tenant_id;
    const char *code;
    struct credit_type_row *out;
};

static enum err svc_credit_type_find_txn(struct store_conn *c, void *arg)
{
    struct type_find_ctx *x = arg;
    return store_credit_type_by_code(c, x->a, x->tenant_id, x->code, x->out);
}

enum err svc_credit_type_find(struct svc *s, struct arena *a, int64_t tenant_id, const char *code,
                              struct credit_type_row *out)
{
    if (code == NULL || !code_is_valid(code))
        return ERR_NOT_FOUND;
    struct type_find_ctx x = {.a = a, .tenant_id = tenant_id, .code = code, .out = out};
    return store_read(s->st, svc_credit_type_find_txn, &x);
}

static enum err svc_credit_type_check(const struct credit_type_row *in, struct err_detail *d)
{
    if (in->code == NULL || !code_is_valid(in->code))
        return err_set(d, ERR_VALIDATION, "code", "1-31 of a-z, 0-9 and _, starting with a letter");
    enum err rc = svc_text_check(in->name, "name", NAME_BYTES_MAX, true, d);
    if (rc != ERR_OK)
        return rc;
    if (in->scale < 0 || in->scale > CREDIT_SCALE_MAX)
        return err_set(d, ERR_VALIDATION, "scale", "must be between 0 and %d", CREDIT_SCALE_MAX);
    if (in->unit_value_minor < 0 || in->unit_value_minor > AMOUNT_MAX_MINOR)
        return err_set(d, ERR_VALIDATION, "unit_value", "must be zero or positive");
    return ERR_OK;
}

enum err svc_credit_type_create(struct svc *s, int64_t tenant_id, const struct credit_type_row *in,
                                int64_t *id, struct err_detail *d)
{
    enum err rc = svc_credit_type_check(in, d);
    if (rc != ERR_OK)
        return rc;
    struct type_ctx x = {.row = *in, .d = d};
    x.row.tenant_id = tenant_id;
    x.row.created_at_us = svc_now(s);
    rc = store_write(s->st, svc_credit_type_txn, &x);
    if (rc == ERR_DUPLICATE)
        return err_set(d, ERR_DUPLICATE, "code", "credit type '%s' exists", in->code);
    if (rc == ERR_OK)
        *id = x.id;
    return rc;
}

enum err svc_credit_type_update(struct svc *s, int64_t tenant_id, const struct credit_type_row *in,
                                struct err_detail *d)
{
    enum err rc = svc_credit_type_check(in, d);
    if (rc != ERR_OK)
        return rc;
    struct type_ctx x = {.row = *in, .update = true, .d = d};
    x.row.tenant_id = tenant_id;
    return store_write(s->st, svc_credit_type_txn, &x);
}

/* Resolves amounts given by type code into type ids; each type once, each
 * amount positive (costs may be zero). */
static enum err svc_amounts_resolve(struct store_conn *c, struct arena *a, int64_t tenant_id,
                                    const struct svc_amount *in, size_t n, bool zero_ok,
                                    const char *field, int64_t *ids, int64_t *amounts,
                                    struct err_detail *d)
{
    for (size_t i = 0; i < n; i++) {
        struct credit_type_row type;
        enum err rc = store_credit_type_by_code(c, a, tenant_id, in[i].credit_type, &type);
        if (rc == ERR_NOT_FOUND)
            return err_set(d, ERR_VALIDATION, field, "unknown credit type '%s'", in[i].credit_type);
        if (rc != ERR_OK)
            return rc;
        for (size_t k = 0; k < i; k++)
            if (ids[k] == type.id)
                return err_set(d, ERR_VALIDATION, field, "credit type '%s' given twice",
                               in[i].credit_type);
        if (in[i].amount_minor < 0 || (!zero_ok && in[i].amount_minor == 0) ||
            in[i].amount_minor > AMOUNT_MAX_MINOR)
            return err_set(d, ERR_VALIDATION, field, "amount of '%s' must be %s", in[i].credit_type,
                           zero_ok ? "zero or more" : "positive");
        ids[i] = type.id;
        amounts[i] = in[i].amount_minor;
    }
    return ERR_OK;
}

struct package_ctx {
    const struct svc_package_input *in;
    struct package_row row;
    int64_t *id;
    struct err_detail *d;
};

static enum err svc_package_create_txn(struct store_conn *c, void *arg)
{
    struct package_ctx *x = arg;
    struct arena a;
    arena_init(&a, 64 * 1024);
    x->row.n_credits = x->in->n_credits;
    enum err rc =
        svc_amounts_resolve(c, &a, x->row.tenant_id, x->in->credits, x->in->n_credits, false,
                            "credits", x->row.credit_type_ids, x->row.credit_amounts_minor, x->d);
    struct package_row current;
    if (rc == ERR_OK && x->row.id != 0) {
        rc = store_package_get(c, &a, x->row.tenant_id, x->row.id, &current);
        if (rc == ERR_OK) {
            x->row.created_at_us = current.created_at_us;
            rc = store_package_update(c, &x->row);
        }
    } else if (rc == ERR_OK) {
        rc = store_package_insert(c, &x->row, x->id);
    }
    arena_release(&a);
    return rc;
}

/* Checks the restrictions and the peak rule shared by packages and lots. */
enum err svc_lot_rules_check(const char *categories, const char *provider, const char *peak,
                             struct err_detail *d)
{
    enum err rc;
    if ((rc = svc_text_check(categories, "categories", NAME_BYTES_MAX, false, d)) != ERR_OK ||
        (rc = svc_text_check(provider, "provider", NAME_BYTES_MAX, false, d)) != ERR_OK)
        return rc;
    struct peak_rule rule;
    return peak_rule_parse(peak, &rule, d);
}

enum err svc_package_create(struct svc *s, int64_t tenant_id, const struct svc_package_input *in,
                            int64_t *id, struct err_detail *d)
{
    const struct package_row *p = &in->row;
    enum err rc;
    if ((rc = svc_text_check(p->name, "name", NAME_BYTES_MAX, true, d)) != ERR_OK ||
        (rc = svc_text_check(p->description, "description", NOTE_BYTES_MAX, false, d)) != ERR_OK)
        return rc;
    if (in->n_credits == 0 || in->n_credits > PACKAGE_CREDIT_TYPES_MAX)
        return err_set(d, ERR_VALIDATION, "credits", "a package holds 1 to %d credit types",
                       PACKAGE_CREDIT_TYPES_MAX);
    if (p->price_minor < 0 || p->price_minor > AMOUNT_MAX_MINOR)
        return err_set(d, ERR_VALIDATION, "price", "must be zero or positive");
    if (p->vat_rate_bp < -1 || p->vat_rate_bp > 10000)
        return err_set(d, ERR_VALIDATION, "vat_rate", "must be between 0 and 100 percent");
    if ((rc = svc_lot_rules_check(p->categories, p->provider, p->peak, d)) != ERR_OK)
        return rc;
    /* The rule must hold for a lot created now. */
    struct lot probe = {0};
    int64_t now = svc_now(s);
    if (p->validity.expiry != EXPIRY_FIXED &&
        (rc = validity_apply(&p->validity, now, &probe, d)) != ERR_OK)
        return rc;
    struct package_ctx x = {.in = in, .row = *p, .id = id, .d = d};
    x.row.tenant_id = tenant_id;
    x.row.created_at_us = x.row.updated_at_us = now;
    return store_write(s->st, svc_package_create_txn, &x);
}

enum err svc_package_update(struct svc *s, int64_t tenant_id, const struct svc_package_input *in,
                            struct err_detail *d)
{
    ASSERT(in->row.id != 0);
    int64_t id = in->row.id;
    return svc_package_create(s, tenant_id, in, &id, d);
}

struct service_ctx {
    const struct svc_service_input *in;
    struct service_row row;
    int64_t *id;
    struct err_detail *d;
};

static enum err svc_service_create_txn(struct store_conn *c, void *arg)
{
    struct service_ctx *x = arg;
    struct arena a;
    arena_init(&a, 64 * 1024);
    x->row.n_costs = x->in->n_costs;
    enum err rc =
        svc_amounts_resolve(c, &a, x->row.tenant_id, x->in->costs, x->in->n_costs, true, "costs",
                            x->row.cost_type_ids, x->row.cost_amounts_minor, x->d);
    struct service_row current;
    if (rc == ERR_OK && x->row.id != 0) {
        rc = store_service_get(c, &a, x->row.tenant_id, x->row.id, &current);
        if (rc == ERR_OK) {
            x->row.created_at_us = current.created_at_us;
            rc = store_service_update(c, &x->row);
        }
    } else if (rc == ERR_OK) {
        rc = store_service_insert(c, &x->row, x->id);
    }
    arena_release(&a);
    return rc;
}

enum err svc_service_create(struct svc *s, int64_t tenant_id, const struct svc_service_input *in,
                            int64_t *id, struct err_detail *d)
{
    const struct service_row *r = &in->row;
    enum err rc;
    if ((rc = svc_text_check(r->name, "name", NAME_BYTES_MAX, true, d)) != ERR_OK ||
        (rc = svc_text_check(r->category, "category", NAME_BYTES_MAX, false, d)) != ERR_OK ||
        (rc = svc_text_check(r->provider, "provider", NAME_BYTES_MAX, false, d)) != ERR_OK)
        return rc;
    if (r->kind == NULL || (strcmp(r->kind, "base") != 0 && strcmp(r->kind, "addon") != 0))
        return err_set(d, ERR_VALIDATION, "kind", "must be 'base' or 'addon'");
    if (in->n_costs == 0 || in->n_costs > SERVICE_COST_TYPES_MAX)
        return err_set(d, ERR_VALIDATION, "costs", "a service costs 1 to %d credit types",
                       SERVICE_COST_TYPES_MAX);
    if (r->category != NULL && strchr(r->category, ',') != NULL)
        return err_set(d, ERR_VALIDATION, "category", "must not contain ','");
    struct service_ctx x = {.in = in, .row = *r, .id = id, .d = d};
    x.row.tenant_id = tenant_id;
    x.row.created_at_us = x.row.updated_at_us = svc_now(s);
    if (r->id == 0)
        x.row.active = true;
    return store_write(s->st, svc_service_create_txn, &x);
}

enum err svc_service_update(struct svc *s, int64_t tenant_id, const struct svc_service_input *in,
                            struct err_detail *d)
{
    ASSERT(in->row.id != 0);
    int64_t id = in->row.id;
    return svc_service_create(s, tenant_id, in, &id, d);
}

struct customer_update_ctx {
    const struct customer_row *row;
};

static enum err svc_customer_update_txn(struct store_conn *c, void *arg)
{
    struct customer_update_ctx *x = arg;
    struct arena a;
    arena_init(&a, 64 * 1024);
    struct customer_row current;
    enum err rc = store_customer_get(c, &a, x->row->tenant_id, x->row->id, &current);
    if (rc == ERR_OK)
        rc = store_customer_update(c, x->row);
    arena_release(&a);
    return rc;
}

enum err svc_customer_update(struct svc *s, int64_t tenant_id, const struct customer_row *in,
                             struct err_detail *d)
{
    enum err rc;
    if ((rc = svc_text_check(in->name, "name", NAME_BYTES_MAX, true, d)) != ERR_OK ||
        (rc = svc_text_check(in->vat_id, "vat_id", 32, false, d)) != ERR_OK ||
        (rc = svc_text_check(in->country, "country", 2, false, d)) != ERR_OK)
        return rc;
    if (in->country != NULL && in->country[0] != '\0' && !svc_country_is_valid(in->country))
        return err_set(d, ERR_VALIDATION, "country", "must be an ISO 3166 code like 'AT'");
    if (in->email != NULL && in->email[0] != '\0' && (rc = svc_email_check(in->email, d)) != ERR_OK)
        return rc;
    if (!svc_locale_is_valid(in->locale))
        return err_set(d, ERR_VALIDATION, "locale",
                       "must be 'en' or 'de' (or '' for the business's)");
    if ((rc = svc_address_check(in->address, "address", d)) != ERR_OK)
        return rc;
    struct customer_row row = *in;
    row.tenant_id = tenant_id;
    row.email = row.email ? row.email : "";
    row.vat_id = row.vat_id ? row.vat_id : "";
    row.country = row.country ? row.country : "";
    struct customer_update_ctx x = {.row = &row};
    return store_write(s->st, svc_customer_update_txn, &x);
}

struct customer_exists_ctx {
    int64_t tenant_id, customer_id;
};

static enum err svc_customer_exists_txn(struct store_conn *c, void *arg)
{
    struct customer_exists_ctx *x = arg;
    struct arena a;
    arena_init(&a, 64 * 1024);
    enum err rc = svc_customer_check(c, &a, x->tenant_id, x->customer_id);
    arena_release(&a);
    return rc;
}

bool svc_customer_exists(struct svc *s, int64_t tenant_id, int64_t customer_id)
{
    struct customer_exists_ctx x = {.tenant_id = tenant_id, .customer_id = customer_id};
    return store_read(s->st, svc_customer_exists_txn, &x) == ERR_OK;
}
