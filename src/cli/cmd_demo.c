/*
 * creditd demo: fills an empty tenant with a believable tuning-file business:
 * the packages and services of the seeds, a dozen shops with six months of
 * purchases and orders, a cancellation, adjustments, a transfer, an expired
 * lot, a paused lot and a technician with a monthly limit. Everything goes
 * through the service layer on a clock that walks forward through those six
 * months, so the history is exactly what real use would have written.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

#define DEMO_DAYS     180
#define DEMO_PASSWORD "creditd-demo"

struct demo {
    struct cli *c;
    struct svc svc;
    int64_t now_us;
    int64_t tenant_id;
    uint64_t rng;
    int64_t packages[6]; /* Starter, Pro, Power, Slave Starter, Slave Pro, Store credit */
    int64_t base[3];     /* Stage 1, Stage 2, ECO */
    int64_t addons[4];   /* DPF, EGR, AdBlue, TCU */
    int64_t customers[12];
    int64_t technician;
    int64_t last_order[12];
    int orders, purchases;
    struct svc_actor staff;
};

struct demo_shop {
    const char *name, *email, *country, *tool; /* tool: master or slave */
    int activity;                              /* orders per 100 days, roughly */
};

static const struct demo_shop demo_shops[12] = {
    {"Autotechnik Weber", "owner@weber-autotechnik.example", "DE", "master", 45},
    {"Nordic Remaps", "info@nordicremaps.example", "SE", "master", 35},
    {"Tuning Werkstatt Berger", "werkstatt@berger-tuning.example", "AT", "slave", 30},
    {"DPF Solutions Ltd", "office@dpfsolutions.example", "GB", "master", 25},
    {"Garage Moreau", "contact@garage-moreau.example", "FR", "master", 20},
    {"Hansen Motor", "post@hansenmotor.example", "DK", "slave", 25},
    {"ProChip Milano", "officina@prochip-milano.example", "IT", "master", 30},
    {"Van Dijk Performance", "info@vandijk-performance.example", "NL", "master", 20},
    {"Kowalski Auto Serwis", "serwis@kowalski-auto.example", "PL", "slave", 15},
    {"Celtic Tuning", "hello@celtictuning.example", "IE", "master", 15},
    {"Alpine Diesel", "werkstatt@alpine-diesel.example", "CH", "master", 20},
    {"Speedline Garage", "garage@speedline.example", "BE", "slave", 10},
};

static const char *const demo_vehicles[] = {
    "{\"make\":\"BMW\",\"model\":\"F30 320d\",\"ecu\":\"Bosch EDC17C50\"}",
    "{\"make\":\"Audi\",\"model\":\"A4 B9 2.0 TDI\",\"ecu\":\"Bosch EDC17C64\"}",
    "{\"make\":\"Volkswagen\",\"model\":\"Golf 7 GTI\",\"ecu\":\"Simos 18.1\"}",
    "{\"make\":\"Mercedes-Benz\",\"model\":\"Sprinter 316 CDI\",\"ecu\":\"Delphi CRD3\"}",
    "{\"make\":\"Ford\",\"model\":\"Ranger 3.2 TDCi\",\"ecu\":\"Siemens SID208\"}",
    "{\"make\":\"Skoda\",\"model\":\"Octavia 2.0 TDI\",\"ecu\":\"Bosch EDC17C74\"}",
    "{\"make\":\"Volvo\",\"model\":\"XC60 D4\",\"ecu\":\"Denso\"}",
    "{\"make\":\"Toyota\",\"model\":\"Hilux 2.8 D-4D\",\"ecu\":\"Denso 275700\"}",
};

static int64_t demo_clock(void *ctx)
{
    return ((struct demo *)ctx)->now_us;
}

static uint64_t demo_rand(struct demo *d, uint64_t below)
{
    d->rng ^= d->rng << 13;
    d->rng ^= d->rng >> 7;
    d->rng ^= d->rng << 17;
    return d->rng % below;
}

static bool demo_check(enum err rc, const struct err_detail *e, const char *what)
{
    if (rc == ERR_OK)
        return true;
    cli_fail_err(rc, e, what);
    return false;
}

static bool demo_catalogue(struct demo *d)
{
    struct err_detail e = {0};
    struct credit_type_row eur = {.code = "eur",
                                  .name = "Store credit (EUR)",
                                  .scale = 2,
                                  .kind = CREDIT_MONETARY,
                                  .unit_value_minor = 100,
                                  .spendable = true,
                                  .sort_order = 2};
    int64_t id;
    if (!demo_check(svc_credit_type_create(&d->svc, d->tenant_id, &eur, &id, &e), &e, "demo"))
        return false;
    static const struct {
        const char *name, *type;
        int64_t credits, price;
        int expiry_days;
    } packages[6] = {
        {"Starter", "master", 25, 4900, 0},   {"Pro", "master", 75, 12900, 0},
        {"Power", "master", 200, 29900, 365}, {"Slave Starter", "slave", 20, 2900, 0},
        {"Slave Pro", "slave", 60, 7900, 0},  {"Store credit 100", "eur", 10000, 10000, 0},
    };
    for (int i = 0; i < 6; i++) {
        struct svc_package_input p = {
            .row = {.name = packages[i].name,
                    .price_minor = packages[i].price,
                    .vat_rate_bp = -1,
                    .published = true,
                    .sort_order = i,
                    .validity = {.start = START_IMMEDIATE,
                                 .expiry = packages[i].expiry_days ? EXPIRY_DAYS_FROM_PURCHASE
                                                                   : EXPIRY_NEVER,
                                 .expiry_days = packages[i].expiry_days}},
            .n_credits = 1,
            .credits = {{packages[i].type, packages[i].credits}}};
        if (!demo_check(svc_package_create(&d->svc, d->tenant_id, &p, &d->packages[i], &e), &e,
                        "demo: package"))
            return false;
    }
    static const struct {
        const char *name, *kind;
        int64_t master, slave;
    } services[7] = {{"Stage 1", "base", 6, 4},    {"Stage 2", "base", 10, 7},
                     {"ECO", "base", 4, 3},        {"DPF off", "addon", 2, 1},
                     {"EGR off", "addon", 2, 1},   {"AdBlue off", "addon", 3, 2},
                     {"TCU tuning", "addon", 5, 4}};
    for (int i = 0; i < 7; i++) {
        struct svc_service_input s = {
            .row = {.name = services[i].name,
                    .kind = services[i].kind,
                    .category = "tuning",
                    .sort_order = i},
            .n_costs = 2,
            .costs = {{"master", services[i].master}, {"slave", services[i].slave}}};
        int64_t *slot = i < 3 ? &d->base[i] : &d->addons[i - 3];
        if (!demo_check(svc_service_create(&d->svc, d->tenant_id, &s, slot, &e), &e,
                        "demo: service"))
            return false;
    }
    return true;
}

static bool demo_customers(struct demo *d)
{
    struct err_detail e = {0};
    for (int i = 0; i < 12; i++) {
        const struct demo_shop *shop = &demo_shops[i];
        struct customer_row row = {
            .name = shop->name, .email = shop->email, .country = shop->country};
        int64_t user;
        if (!demo_check(svc_customer_create(&d->svc, d->tenant_id, &row, &d->customers[i], &e), &e,
                        "demo: customer") ||
            !demo_check(svc_member_add(&d->svc, d->tenant_id, d->customers[i], shop->email,
                                       DEMO_PASSWORD, "owner", &user, &e),
                        &e, "demo: member"))
            return false;
        d->now_us += 7 * USEC_PER_MIN;
    }
    /* Weber's technician works under a monthly limit of 40 Master credits. */
    return demo_check(svc_member_add(&d->svc, d->tenant_id, d->customers[0],
                                     "tech@weber-autotechnik.example", DEMO_PASSWORD, "technician",
                                     &d->technician, &e),
                      &e, "demo: technician") &&
           demo_check(svc_member_limit_set(&d->svc, d->tenant_id, d->customers[0], d->technician,
                                           "master", 40, &e),
                      &e, "demo: limit");
}

/* A shop buys a package by bank transfer; the admin marks it paid the same
 * day, which creates its lots. */
static bool demo_buy(struct demo *d, int shop)
{
    bool master = strcmp(demo_shops[shop].tool, "master") == 0;
    int pick = master ? (demo_shops[shop].activity >= 30 ? 1 : (int)demo_rand(d, 2))
                      : 3 + (demo_shops[shop].activity >= 25);
    if (master && demo_shops[shop].activity >= 45 && demo_rand(d, 3) == 0)
        pick = 2;
    struct svc_purchase_input in = {.customer_id = d->customers[shop],
                                    .package_id = d->packages[pick],
                                    .gateway = "manual",
                                    .published_only = true,
                                    .expect_due_minor = -1};
    struct err_detail e = {0};
    struct svc_actor buyer = {.label = demo_shops[shop].email};
    struct svc_actor admin = {.label = "admin@example.com"};
    struct svc_invoice_view v;
    struct arena a;
    arena_init(&a, ARENA_REQUEST_BYTES_MAX);
    d->purchases++;
    bool ok = demo_check(svc_purchase(&d->svc, &a, d->tenant_id, &buyer, &in, &v, &e), &e,
                         "demo: purchase");
    /* Store credit may have paid it already. */
    if (ok && strcmp(v.row.status, "open") == 0)
        ok = demo_check(svc_invoice_mark_paid(&d->svc, &a, d->tenant_id, &admin, v.row.id, &v, &e),
                        &e, "demo: payment");
    arena_release(&a);
    return ok;
}

/* Two bank transfers still to arrive: open invoices for the admin. */
static bool demo_open_invoices(struct demo *d)
{
    struct err_detail e = {0};
    for (int shop = 2; shop <= 3; shop++) {
        struct svc_purchase_input in = {.customer_id = d->customers[shop],
                                        .package_id = d->packages[shop == 2 ? 0 : 3],
                                        .gateway = "manual",
                                        .published_only = true,
                                        .expect_due_minor = -1};
        struct svc_actor buyer = {.label = demo_shops[shop].email};
        struct svc_invoice_view v;
        struct arena a;
        arena_init(&a, ARENA_REQUEST_BYTES_MAX);
        bool ok = demo_check(svc_purchase(&d->svc, &a, d->tenant_id, &buyer, &in, &v, &e), &e,
                             "demo: open invoice");
        arena_release(&a);
        if (!ok)
            return false;
    }
    return true;
}

/* A file of the order: the read the shop uploaded (role original) or the
 * tuned file the workshop delivered (which completes the order). The bytes
 * are made up: a header naming the ECU, then noise. */
static bool demo_file(struct demo *d, int64_t order_id, int shop, const char *ecu, bool deliver)
{
    char name[96];
    snprintf(name, sizeof(name), "%s %s.bin", ecu, deliver ? "stage1" : "full read");
    struct svc_upload up;
    struct err_detail e = {0};
    enum err rc = svc_upload_begin(&d->svc, &up, name);
    unsigned char chunk[4096];
    /* A generator of its own, so the demo's story stays the same. */
    uint64_t v = (uint64_t)order_id * UINT64_C(0x9E3779B97F4A7C15) + (deliver ? 7 : 3);
    for (int k = 0; rc == ERR_OK && k < 16; k++) {
        for (size_t i = 0; i < sizeof(chunk); i += 8) {
            v ^= v << 13;
            v ^= v >> 7;
            v ^= v << 17;
            memcpy(chunk + i, &v, 8);
        }
        if (k == 0)
            snprintf((char *)chunk, 64, "%s %s %lld", ecu, deliver ? "MOD" : "ORI",
                     (long long)order_id);
        rc = svc_upload_write(&up, chunk, sizeof(chunk));
    }
    if (rc == ERR_OK)
        rc = svc_upload_seal(&up);
    struct arena a;
    arena_init(&a, ARENA_REQUEST_BYTES_MAX);
    struct svc_file_result out;
    struct svc_actor shop_actor = {.label = demo_shops[shop].email};
    struct svc_file_input in = {.customer_id = d->customers[shop], .order_id = order_id};
    if (rc == ERR_OK)
        rc = deliver
                 ? svc_order_deliver(&d->svc, &a, d->tenant_id, &d->staff, order_id, &up, &out, &e)
                 : svc_file_upload(&d->svc, &a, d->tenant_id, &shop_actor, &in, &up, &out, &e);
    svc_upload_discard(&up);
    arena_release(&a);
    return demo_check(rc, &e, deliver ? "demo: delivery" : "demo: upload");
}

/* "Bosch EDC17C50" from a demo vehicle's JSON text. */
static const char *demo_ecu(const char *vehicle, char *buf, size_t n)
{
    const char *p = strstr(vehicle, "\"ecu\":\"");
    if (p == NULL)
        return "ECU";
    p += 7;
    size_t len = strcspn(p, "\"");
    snprintf(buf, n, "%.*s", (int)(len < n ? len : n - 1), p);
    return buf;
}

static bool demo_order(struct demo *d, int shop, int day, bool leave_open)
{
    const struct demo_shop *s = &demo_shops[shop];
    struct svc_order_input in = {.customer_id = d->customers[shop],
                                 .credit_type = s->tool,
                                 .n_services = 1,
                                 .vehicle = demo_vehicles[demo_rand(d, 8)]};
    in.service_ids[0] = d->base[demo_rand(d, 10) < 6 ? 0 : demo_rand(d, 3)];
    uint64_t extra = demo_rand(d, 3);
    for (uint64_t k = 0; k < extra; k++) {
        int64_t addon = d->addons[demo_rand(d, 4)];
        bool dup = false;
        for (size_t j = 0; j < in.n_services; j++)
            dup = dup || in.service_ids[j] == addon;
        if (!dup)
            in.service_ids[in.n_services++] = addon;
    }
    if (shop == 0 && demo_rand(d, 3) == 0)
        in.member_user_id = d->technician;
    /* The member who submits is the one on record. */
    struct svc_actor who = {.label =
                                in.member_user_id ? "tech@weber-autotechnik.example" : s->email};
    struct arena a;
    arena_init(&a, ARENA_REQUEST_BYTES_MAX);
    struct svc_order_result out;
    struct err_detail e = {0};
    enum err rc = svc_order_place(&d->svc, &a, d->tenant_id, &who, &in, &out, &e);
    if (rc == ERR_INSUFFICIENT_CREDITS && demo_buy(d, shop)) {
        d->now_us += 3 * USEC_PER_MIN;
        memset(&e, 0, sizeof(e));
        rc = svc_order_place(&d->svc, &a, d->tenant_id, &who, &in, &out, &e);
    }
    arena_release(&a);
    if (rc == ERR_MEMBER_LIMIT_EXCEEDED)
        return true; /* the technician hit the limit: the owner submits later */
    if (!demo_check(rc, &e, "demo: order"))
        return false;
    d->orders++;
    d->last_order[shop] = out.order_id;
    /* The last weeks' orders carry their files: the read, and the tuned
     * file whose delivery completes the order. */
    char ecu[48];
    bool files = day >= DEMO_DAYS - 21 && d->svc.blobs != NULL;
    if (files && !demo_file(d, out.order_id, shop, demo_ecu(in.vehicle, ecu, sizeof(ecu)), false))
        return false;
    /* Work happens the same day; the last few days' orders are still open. */
    if (!leave_open && day < DEMO_DAYS - 3) {
        d->now_us += 40 * USEC_PER_MIN;
        if (files)
            return demo_file(d, out.order_id, shop, ecu, true);
        rc = svc_order_set_status(&d->svc, d->tenant_id, &d->staff, out.order_id, "completed", &e);
        return demo_check(rc, &e, "demo: complete");
    }
    if (day == DEMO_DAYS - 1 && shop % 2 == 0) {
        d->now_us += 10 * USEC_PER_MIN;
        rc =
            svc_order_set_status(&d->svc, d->tenant_id, &d->staff, out.order_id, "in_progress", &e);
        return demo_check(rc, &e, "demo: take");
    }
    return true;
}

/* The events that make the history more than orders and purchases. */
static bool demo_specials(struct demo *d, int day)
{
    struct err_detail e = {0};
    struct svc_actor admin = {.user_id = 0, .label = "admin@example.com"};
    int64_t id;
    if (day == 20) {
        struct svc_lot_input promo = {
            .customer_id = d->customers[4],
            .credit_type = "slave",
            .credits_minor = 10,
            .source = SOURCE_PROMOTION,
            .name = "Spring promotion",
            .reason = "Trial of Slave credits",
            .validity = {.expiry = EXPIRY_DAYS_FROM_PURCHASE, .expiry_days = 60}};
        int64_t ids[PACKAGE_CREDIT_TYPES_MAX];
        size_t n;
        return demo_check(svc_lot_add(&d->svc, d->tenant_id, &admin, &promo, ids, &n, &e), &e,
                          "demo: promotion");
    }
    if (day == 45) {
        struct svc_adjust_input in = {.customer_id = d->customers[2],
                                      .credit_type = "slave",
                                      .amount_minor = 5,
                                      .reason = "goodwill",
                                      .justification = "File needed a second revision"};
        return demo_check(svc_adjust(&d->svc, d->tenant_id, &admin, &in, &id, &e), &e,
                          "demo: goodwill");
    }
    if (day == 60) {
        /* Nordic Remaps sends the wrong read and the order is rejected. */
        if (!demo_order(d, 1, day, true))
            return false;
        d->now_us += 25 * USEC_PER_MIN;
        return demo_check(svc_order_cancel(&d->svc, d->tenant_id, &admin, d->last_order[1],
                                           "Customer uploaded the wrong ECU read", false, &e),
                          &e, "demo: cancel");
    }
    if (day == 90) {
        struct svc_adjust_input in = {.customer_id = d->customers[3],
                                      .credit_type = "master",
                                      .amount_minor = -2,
                                      .reason = "correction",
                                      .justification = "EGR add-on booked twice on one file"};
        return demo_check(svc_adjust(&d->svc, d->tenant_id, &admin, &in, &id, &e), &e,
                          "demo: correction");
    }
    if (day == 100) {
        struct svc_lot_input store = {.customer_id = d->customers[8],
                                      .credit_type = "eur",
                                      .credits_minor = 5000,
                                      .source = SOURCE_GOODWILL,
                                      .name = "Store credit",
                                      .reason = "Delayed delivery in May"};
        int64_t ids[PACKAGE_CREDIT_TYPES_MAX];
        size_t n;
        return demo_check(svc_lot_add(&d->svc, d->tenant_id, &admin, &store, ids, &n, &e), &e,
                          "demo: store credit");
    }
    if (day == 120) {
        struct svc_transfer_input in = {.from_customer_id = d->customers[6],
                                        .to_customer_id = d->customers[7],
                                        .credit_type = "master",
                                        .amount_minor = 10,
                                        .justification = "Sister company moved credits"};
        return demo_check(svc_transfer(&d->svc, d->tenant_id, &admin, &in, &id, &e), &e,
                          "demo: transfer");
    }
    return true;
}

/* Pauses the newest lot of Garage Moreau: the shop is closed for renovation. */
static bool demo_pause(struct demo *d)
{
    struct svc_lots lots;
    if (svc_lots_read(&d->svc, &d->c->arena, d->tenant_id, d->customers[4], &lots) != ERR_OK)
        return true;
    int64_t lot_id = 0;
    for (size_t i = 0; i < lots.n && lot_id == 0; i++)
        if (lots.items[i].lot.status == LOT_ACTIVE)
            lot_id = lots.items[i].lot.id;
    if (lot_id == 0)
        return true;
    struct svc_lot_change ch = {.action = SVC_LOT_PAUSE, .reason = "Shop closed for renovation"};
    struct svc_actor admin = {.user_id = 0, .label = "admin@example.com"};
    struct err_detail e = {0};
    return demo_check(svc_lot_change(&d->svc, d->tenant_id, &admin, lot_id, &ch, &e), &e,
                      "demo: pause");
}

static bool demo_history(struct demo *d, int64_t end_us)
{
    for (int day = 0; day < DEMO_DAYS; day++) {
        /* Shops work from 08:00 local; each event a little after the one before. */
        d->now_us = end_us - (int64_t)(DEMO_DAYS - day) * USEC_PER_DAY + 7 * USEC_PER_HOUR;
        if (!demo_specials(d, day))
            return false;
        for (int shop = 0; shop < 12; shop++) {
            d->now_us += (int64_t)(5 + demo_rand(d, 20)) * USEC_PER_MIN;
            if (day == 2 + shop ||
                (day > 2 + shop && demo_rand(d, 100) < (uint64_t)demo_shops[shop].activity / 2)) {
                if (!demo_order(d, shop, day, false))
                    return false;
            }
        }
        if (day == DEMO_DAYS - 10 && !demo_pause(d))
            return false;
        if (day == DEMO_DAYS - 2 && !demo_open_invoices(d))
            return false;
    }
    return true;
}

static int cmd_demo_run(struct cli *c)
{
    if (c->argc > 0)
        return cli_fail(CLI_USAGE, "demo: unknown argument '%s'", c->argv[0]);
    if (!cli_open(c, true) || !cli_open_files(c, NULL, false))
        return CLI_FAILURE;
    struct demo d = {.c = c,
                     .rng = UINT64_C(0x2545F4914F6CDD1D),
                     .staff = {.label = "files@ecuchipservice.example"}};
    int64_t end_us = time_now_us();
    d.now_us = end_us - (int64_t)(DEMO_DAYS + 1) * USEC_PER_DAY;
    struct svc_clock clock = {.now_us = demo_clock, .ctx = &d};
    svc_init(&d.svc, c->st, &clock);
    svc_use_blobs(&d.svc, c->blobs);
    struct err_detail e = {0};
    if (svc_tenant_default(&d.svc, &d.tenant_id) != ERR_OK &&
        !demo_check(svc_tenant_create(&d.svc, "ECU Chip Service", NULL, &d.tenant_id, &e), &e,
                    "demo"))
        return CLI_FAILURE;
    int64_t customers = 0;
    if (svc_customer_count(&d.svc, d.tenant_id, &customers) != ERR_OK || customers > 0)
        return cli_fail(CLI_FAILURE, "demo: the tenant has customers already; the demo fills "
                                     "an empty tenant");
    struct tenant_row t;
    if (svc_tenant_get(&d.svc, &c->arena, d.tenant_id, &t) != ERR_OK)
        return CLI_FAILURE;
    t.timezone = "Europe/Berlin";
    /* The seller as its invoices show it (a business renamed already keeps
     * its name). */
    if (strcmp(t.name, "My tuning business") == 0)
        t.name = "ECU Chip Service";
    t.country = "DE";
    t.vat_id = "DE298765431";
    t.seller_address = "Industriestr. 12\n70565 Stuttgart\nGermany";
    t.invoice_prefix = "ECS-";
    /* Bank transfers name an account (the IBAN of ISO 13616's example) and
     * are due after the default 14 days. */
    t.bank_iban = "DE89370400440532013000";
    t.bank_bic = "COBADEFFXXX";
    t.bank_account_holder = "ECU Chip Service GmbH";
    if (!demo_check(svc_settings_update(&d.svc, &t, &e), &e, "demo: settings") ||
        !demo_catalogue(&d) || !demo_customers(&d) || !demo_history(&d, end_us))
        return CLI_FAILURE;
    d.now_us = end_us;
    int64_t expired = 0;
    if (svc_expire(&d.svc, end_us, &expired) != ERR_OK)
        return cli_fail(CLI_FAILURE, "demo: expiry failed");
    /* Six invented months are history: they stay in the event log, and
     * nobody is mailed about them. */
    if (svc_events_quiet(&d.svc, d.tenant_id) != ERR_OK)
        return cli_fail(CLI_FAILURE, "demo: cannot settle the demo's events");
    printf("demo: 12 customers, %d orders, %d purchases, %lld expired lot%s\n", d.orders,
           d.purchases, (long long)expired, expired == 1 ? "" : "s");
    printf("demo customer login: %s / %s\n", demo_shops[0].email, DEMO_PASSWORD);
    return CLI_OK;
}

const struct cli_command cli_cmd_demo = {
    .name = "demo",
    .summary = "fill the tenant with a demo tuning-file business",
    .usage = "usage: creditd demo [--db URL]\n\n"
             "Fills the default tenant (created if there is none) with a tuning-file\n"
             "business: Master, Slave and EUR store credits, the packages and services of\n"
             "a typical file service, twelve shops with six months of purchases and\n"
             "orders (the last three weeks' with their files, written to the files\n"
             "directory: CREDITD_FILES_DIR or beside the database), invoices, a\n"
             "cancellation, adjustments, a transfer, an expired and a paused lot.\n"
             "Refuses a tenant that has customers already. Demo logins use the password\n"
             "'" DEMO_PASSWORD "'.\n",
    .run = cmd_demo_run,
};
