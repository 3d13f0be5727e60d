/*
 * Files on orders through the service layer, against a real database
 * (SQLite, or PostgreSQL when CREDITD_TEST_DB is set) and a real files
 * directory under /tmp: originals waiting for their order and going on it,
 * the duplicate warning of rule 11 (its window, cancelled orders, other
 * customers), uploads to open orders only, delivery completing the order and
 * capturing a hold (rule 14), purges that keep the row, retention, and the
 * promise that no row ever names missing contents and no refused or failed
 * operation leaves contents behind.
 *
 * Method: each test gets a fresh database and directory. Contents are made
 * by the tests, so their SHA-256 is known. Refusals check that nothing
 * changed: balances, file rows and the files on disk. The failure test runs
 * an upload, an order with a file and a delivery through a store that fails
 * its 1st, 2nd, ... statement until the operation gets through, and after
 * every failure counts rows and files.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testdb.h"

#define HOUR  USEC_PER_HOUR
#define DAY   USEC_PER_DAY
#define ACTOR (&(struct svc_actor){.user_id = 0, .label = "staff@test.example"})

struct fixture {
    struct testdb t;
    char root[128];
    struct blob_store *blobs;
    int64_t stage1;
};

static int setup(void **state)
{
    static struct fixture f;
    static int counter;
    testdb_open(&f.t);
    snprintf(f.root, sizeof(f.root), "/tmp/creditd-files-%d-%d", (int)getpid(), ++counter);
    struct err_detail d = {0};
    assert_int_equal(blob_store_open(f.root, true, &f.blobs, &d), ERR_OK);
    svc_use_blobs(&f.t.svc, f.blobs);
    f.stage1 = testdb_service(&f.t, "Stage 1", "base", "tuning", "master", INT64_C(3), NULL);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    blob_store_close(f->blobs);
    testdb_close(&f->t);
    char cmd[200];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->root);
    return system(cmd) == 0 ? 0 : -1;
}

/* Stored contents: every file under root but tmp/. */
static size_t stored_files(const struct fixture *f)
{
    size_t n = 0;
    DIR *root = opendir(f->root);
    assert_non_null(root);
    struct dirent *e;
    while ((e = readdir(root)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "tmp") == 0)
            continue;
        char sub[512];
        snprintf(sub, sizeof(sub), "%s/%s", f->root, e->d_name);
        DIR *d = opendir(sub);
        struct dirent *g;
        while (d != NULL && (g = readdir(d)) != NULL)
            n += g->d_name[0] != '.';
        if (d != NULL)
            closedir(d);
    }
    closedir(root);
    return n;
}

static size_t tmp_files(const struct fixture *f)
{
    char tmp[200];
    snprintf(tmp, sizeof(tmp), "%s/tmp", f->root);
    DIR *d = opendir(tmp);
    assert_non_null(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static enum err count_files_txn(struct store_conn *c, void *arg)
{
    struct store_stmt *s;
    enum err rc = store_prepare(c, "SELECT COUNT(*) FROM files", &s);
    if (rc != ERR_OK)
        return rc;
    if (store_step(s) == STORE_ROW)
        *(int64_t *)arg = store_column_int64(s, 0);
    else
        rc = ERR_STORE;
    store_finish(s);
    return rc;
}

/* An upload of text as a sealed temporary file. */
static void upload_of(struct fixture *f, struct svc *s, const char *text, const char *name,
                      struct svc_upload *up)
{
    assert_int_equal(svc_upload_begin(s, up, name), ERR_OK);
    assert_int_equal(svc_upload_write(up, text, strlen(text)), ERR_OK);
    assert_int_equal(svc_upload_seal(up), ERR_OK);
    (void)f;
}

/* An original of the customer waiting for its order. */
static struct file_row waiting_original(struct fixture *f, int64_t customer, const char *text,
                                        const char **duplicate_of)
{
    struct svc_upload up;
    upload_of(f, &f->t.svc, text, "ecu.bin", &up);
    struct svc_file_input in = {.customer_id = customer};
    struct svc_file_result res;
    struct err_detail d = {0};
    enum err rc =
        svc_file_upload(&f->t.svc, &f->t.arena, f->t.tenant_id, ACTOR, &in, &up, &res, &d);
    svc_upload_discard(&up);
    if (rc != ERR_OK)
        fail_msg("upload: %s %s", err_code(rc), d.message);
    if (duplicate_of != NULL)
        *duplicate_of = res.duplicate_of;
    return res.file;
}

static enum err order_with(struct fixture *f, int64_t customer, int64_t file_id, bool confirm,
                           struct svc_order_result *out, struct err_detail *d)
{
    struct svc_order_input in = {.customer_id = customer,
                                 .credit_type = "master",
                                 .n_services = 1,
                                 .file_id = file_id,
                                 .confirm_duplicate = confirm};
    in.service_ids[0] = f->stage1;
    return svc_order_place(&f->t.svc, &f->t.arena, f->t.tenant_id, ACTOR, &in, out, d);
}

static struct svc_order_view order_view(struct fixture *f, int64_t order_id)
{
    struct svc_orders one;
    assert_int_equal(svc_order_read(&f->t.svc, &f->t.arena, f->t.tenant_id, order_id, 0, &one),
                     ERR_OK);
    return one.items[0];
}

static int64_t balance_of(struct fixture *f, int64_t customer)
{
    int64_t b, a;
    testdb_balance(&f->t, customer, "master", &b, &a);
    return b;
}

static void set_tenant(struct fixture *f, const char *charge_on, int retention_days,
                       int window_hours)
{
    struct tenant_row row;
    struct err_detail d = {0};
    assert_int_equal(svc_tenant_get(&f->t.svc, &f->t.arena, f->t.tenant_id, &row), ERR_OK);
    row.charge_on = charge_on;
    row.file_retention_days = retention_days;
    row.duplicate_window_hours = window_hours;
    assert_int_equal(svc_settings_update(&f->t.svc, &row, &d), ERR_OK);
}

/* ---- tests ------------------------------------------------------------- */

static void an_original_waits_for_its_order_and_goes_on_it_with_the_order(void **state)
{
    struct fixture *f = *state;
    int64_t cus = testdb_customer(&f->t, "Weber");
    testdb_lot(&f->t, cus, "master", 10, 0);
    const char *dup = "x";
    struct file_row file = waiting_original(f, cus, "EDC17 read", &dup);
    assert_null(dup);
    assert_int_equal(file.order_id, 0);
    assert_int_equal(file.size_bytes, 10);
    uint8_t digest[SHA256_BYTES];
    char want[SHA256_HEX];
    sha256("EDC17 read", 10, digest);
    hex_encode(digest, SHA256_BYTES, want);
    assert_string_equal(file.sha256, want);
    assert_int_equal(stored_files(f), 1);
    assert_int_equal(tmp_files(f), 0);
    struct svc_order_result o;
    struct err_detail d = {0};
    assert_int_equal(order_with(f, cus, file.id, false, &o, &d), ERR_OK);
    assert_null(o.quote.duplicate_of);
    struct svc_order_view v = order_view(f, o.order_id);
    assert_int_equal(v.n_files, 1);
    assert_int_equal(v.files[0].id, file.id);
    assert_int_equal(v.files[0].order_id, o.order_id);
    assert_int_equal(v.n_events, 2);
    assert_string_equal(v.events[1].event, "file_attached");
    assert_non_null(strstr(v.events[1].detail, want));
    assert_non_null(strstr(v.events[1].detail, "original 'ecu.bin' 10 bytes"));
    /* On an order now: it cannot go on a second one. */
    assert_int_equal(order_with(f, cus, file.id, false, &o, &d), ERR_VALIDATION);
    assert_string_equal(d.field, "file_id");
    assert_int_equal(balance_of(f, cus), 7);
}

static void a_duplicate_needs_confirmation_and_charges_nothing_without_it(void **state)
{
    struct fixture *f = *state;
    int64_t cus = testdb_customer(&f->t, "Twice");
    testdb_lot(&f->t, cus, "master", 10, 0);
    struct file_row first = waiting_original(f, cus, "same read", NULL);
    struct svc_order_result o1, o2;
    struct err_detail d = {0};
    assert_int_equal(order_with(f, cus, first.id, false, &o1, &d), ERR_OK);
    f->t.now_us += 23 * HOUR;
    const char *dup = NULL;
    struct file_row again = waiting_original(f, cus, "same read", &dup);
    assert_string_equal(dup, o1.reference);
    struct svc_order_input in = {
        .customer_id = cus, .credit_type = "master", .n_services = 1, .file_id = again.id};
    in.service_ids[0] = f->stage1;
    struct svc_quote q;
    assert_int_equal(svc_quote(&f->t.svc, &f->t.arena, f->t.tenant_id, &in, &q, &d), ERR_OK);
    assert_string_equal(q.duplicate_of, o1.reference);
    memset(&d, 0, sizeof(d));
    assert_int_equal(order_with(f, cus, again.id, false, &o2, &d), ERR_DUPLICATE_FILE);
    assert_string_equal(d.reference, o1.reference);
    assert_string_equal(d.field, "file_id");
    assert_int_equal(balance_of(f, cus), 7);
    struct file_row still;
    assert_int_equal(svc_file_get(&f->t.svc, &f->t.arena, f->t.tenant_id, again.id, 0, &still),
                     ERR_OK);
    assert_int_equal(still.order_id, 0);
    assert_int_equal(order_with(f, cus, again.id, true, &o2, &d), ERR_OK);
    assert_string_equal(o2.quote.duplicate_of, o1.reference);
    assert_int_equal(balance_of(f, cus), 4);
    testdb_assert_verified(&f->t);
}

static void duplicates_count_recent_open_or_done_orders_of_the_same_customer_only(void **state)
{
    struct fixture *f = *state;
    int64_t cus = testdb_customer(&f->t, "Window"), other = testdb_customer(&f->t, "Other");
    testdb_lot(&f->t, cus, "master", 20, 0);
    struct svc_order_result o;
    struct err_detail d = {0};
    assert_int_equal(order_with(f, cus, waiting_original(f, cus, "read A", NULL).id, false, &o, &d),
                     ERR_OK);
    const char *dup = "x";
    /* Another customer's order with the same contents is not theirs to see. */
    waiting_original(f, other, "read A", &dup);
    assert_null(dup);
    /* Past the 24 h window: no warning. */
    f->t.now_us += 24 * HOUR + 1;
    waiting_original(f, cus, "read A", &dup);
    assert_null(dup);
    /* A cancelled order does not count. */
    assert_int_equal(order_with(f, cus, waiting_original(f, cus, "read B", NULL).id, false, &o, &d),
                     ERR_OK);
    waiting_original(f, cus, "read B", &dup);
    assert_string_equal(dup, o.reference);
    assert_int_equal(
        svc_order_cancel(&f->t.svc, f->t.tenant_id, ACTOR, o.order_id, "wrong car", false, &d),
        ERR_OK);
    waiting_original(f, cus, "read B", &dup);
    assert_null(dup);
    /* A window of 0 hours turns the warning off; 48 h widens it. */
    assert_int_equal(order_with(f, cus, waiting_original(f, cus, "read C", NULL).id, false, &o, &d),
                     ERR_OK);
    set_tenant(f, "submit", 0, 0);
    waiting_original(f, cus, "read C", &dup);
    assert_null(dup);
    set_tenant(f, "submit", 0, 48);
    f->t.now_us += 30 * HOUR;
    waiting_original(f, cus, "read C", &dup);
    assert_string_equal(dup, o.reference);
}

static void a_file_not_waiting_for_this_customer_is_refused(void **state)
{
    struct fixture *f = *state;
    int64_t cus = testdb_customer(&f->t, "Mine"), other = testdb_customer(&f->t, "Theirs");
    testdb_lot(&f->t, cus, "master", 10, 0);
    struct file_row theirs = waiting_original(f, other, "their read", NULL);
    struct svc_order_result o;
    struct err_detail d = {0};
    assert_int_equal(order_with(f, cus, theirs.id, false, &o, &d), ERR_VALIDATION);
    assert_string_equal(d.field, "file_id");
    assert_int_equal(order_with(f, cus, 999999, false, &o, &d), ERR_VALIDATION);
    struct svc_order_input in = {
        .customer_id = cus, .credit_type = "master", .n_services = 1, .file_id = theirs.id};
    in.service_ids[0] = f->stage1;
    struct svc_quote q;
    assert_int_equal(svc_quote(&f->t.svc, &f->t.arena, f->t.tenant_id, &in, &q, &d),
                     ERR_VALIDATION);
    assert_int_equal(balance_of(f, cus), 10);
    /* A member's read of another customer's file is not found. */
    struct file_row row;
    assert_int_equal(svc_file_get(&f->t.svc, &f->t.arena, f->t.tenant_id, theirs.id, cus, &row),
                     ERR_NOT_FOUND);
    int64_t other_tenant;
    assert_int_equal(svc_tenant_create(&f->t.svc, "Other", "other.example", &other_tenant, &d),
                     ERR_OK);
    assert_int_equal(svc_file_get(&f->t.svc, &f->t.arena, other_tenant, theirs.id, 0, &row),
                     ERR_NOT_FOUND);
}

/* Uploads an original to an order; returns the service's answer. */
static enum err upload_to_order(struct fixture *f, int64_t order_id, int64_t only_customer,
                                const char *text, struct svc_file_result *res, struct err_detail *d)
{
    struct svc_upload up;
    upload_of(f, &f->t.svc, text, "more.bin", &up);
    struct svc_file_input in = {.order_id = order_id, .only_customer_id = only_customer};
    enum err rc = svc_file_upload(&f->t.svc, &f->t.arena, f->t.tenant_id, ACTOR, &in, &up, res, d);
    svc_upload_discard(&up);
    return rc;
}

static void an_upload_to_an_order_needs_it_open_and_in_reach(void **state)
{
    struct fixture *f = *state;
    int64_t cus = testdb_customer(&f->t, "Open"), other = testdb_customer(&f->t, "Else");
    testdb_lot(&f->t, cus, "master", 10, 0);
    struct svc_order_result o;
    struct err_detail d = {0};
    assert_int_equal(order_with(f, cus, 0, false, &o, &d), ERR_OK);
    struct svc_file_result res;
    assert_int_equal(upload_to_order(f, o.order_id, cus, "second read", &res, &d), ERR_OK);
    assert_int_equal(res.file.order_id, o.order_id);
    assert_int_equal(res.file.customer_id, cus);
    assert_int_equal(stored_files(f), 1);
    /* Another customer's member: not found, nothing kept. */
    assert_int_equal(upload_to_order(f, o.order_id, other, "sneaky", &res, &d), ERR_NOT_FOUND);
    assert_int_equal(upload_to_order(f, 999999, 0, "nowhere", &res, &d), ERR_NOT_FOUND);
    assert_int_equal(
        svc_order_set_status(&f->t.svc, f->t.tenant_id, ACTOR, o.order_id, "completed", &d),
        ERR_OK);
    assert_int_equal(upload_to_order(f, o.order_id, cus, "too late", &res, &d), ERR_ORDER_STATE);
    assert_int_equal(stored_files(f), 1);
    assert_int_equal(tmp_files(f), 0);
    int64_t rows = 0;
    assert_int_equal(store_read(f->t.svc.st, count_files_txn, &rows), ERR_OK);
    assert_int_equal(rows, 1);
    struct svc_order_view v = order_view(f, o.order_id);
    assert_string_equal(v.events[1].event, "file_uploaded");
}

static enum err deliver(struct fixture *f, int64_t order_id, const char *text,
                        struct svc_file_result *res, struct err_detail *d)
{
    struct svc_upload up;
    upload_of(f, &f->t.svc, text, "tuned.bin", &up);
    enum err rc =
        svc_order_deliver(&f->t.svc, &f->t.arena, f->t.tenant_id, ACTOR, order_id, &up, res, d);
    svc_upload_discard(&up);
    return rc;
}

static void delivery_completes_the_order_and_captures_a_hold(void **state)
{
    struct fixture *f = *state;
    set_tenant(f, "delivery", 0, 24);
    int64_t cus = testdb_customer(&f->t, "Held");
    testdb_lot(&f->t, cus, "master", 10, 0);
    struct svc_order_result o;
    struct err_detail d = {0};
    assert_int_equal(order_with(f, cus, 0, false, &o, &d), ERR_OK);
    int64_t balance, available;
    testdb_balance(&f->t, cus, "master", &balance, &available);
    assert_int_equal(balance, 10);
    assert_int_equal(available, 7);
    assert_int_equal(
        svc_order_set_status(&f->t.svc, f->t.tenant_id, ACTOR, o.order_id, "in_progress", &d),
        ERR_OK);
    struct svc_file_result res;
    assert_int_equal(deliver(f, o.order_id, "tuned contents", &res, &d), ERR_OK);
    assert_string_equal(res.file.role, "modified");
    testdb_balance(&f->t, cus, "master", &balance, &available);
    assert_int_equal(balance, 7);
    assert_int_equal(available, 7);
    struct svc_order_view v = order_view(f, o.order_id);
    assert_string_equal(v.row.status, "completed");
    assert_string_equal(v.row.charge_mode, "captured");
    assert_int_equal(v.n_files, 1);
    assert_string_equal(v.events[v.n_events - 2].event, "file_delivered");
    assert_string_equal(v.events[v.n_events - 1].to_status, "completed");
    /* The contents come back as delivered. */
    int fd;
    int64_t size;
    assert_int_equal(svc_file_open(&f->t.svc, &v.files[0], &fd, &size), ERR_OK);
    char back[32] = {0};
    assert_int_equal(read(fd, back, sizeof(back)), 14);
    close(fd);
    assert_string_equal(back, "tuned contents");
    /* A closed order takes no delivery, and keeps no contents of one. */
    assert_int_equal(deliver(f, o.order_id, "again", &res, &d), ERR_ORDER_STATE);
    assert_int_equal(stored_files(f), 1);
    assert_int_equal(tmp_files(f), 0);
    testdb_assert_verified(&f->t);
}

static void a_purge_keeps_the_row_and_waits_for_the_order_to_close(void **state)
{
    struct fixture *f = *state;
    int64_t cus = testdb_customer(&f->t, "Purge");
    testdb_lot(&f->t, cus, "master", 10, 0);
    struct file_row file = waiting_original(f, cus, "to be purged", NULL);
    struct svc_order_result o;
    struct err_detail d = {0};
    assert_int_equal(order_with(f, cus, file.id, false, &o, &d), ERR_OK);
    struct file_row after;
    assert_int_equal(
        svc_file_purge(&f->t.svc, &f->t.arena, f->t.tenant_id, ACTOR, file.id, &after, &d),
        ERR_ORDER_OPEN);
    assert_int_equal(stored_files(f), 1);
    struct svc_file_result res;
    assert_int_equal(deliver(f, o.order_id, "result", &res, &d), ERR_OK);
    f->t.now_us += HOUR;
    assert_int_equal(
        svc_file_purge(&f->t.svc, &f->t.arena, f->t.tenant_id, ACTOR, file.id, &after, &d), ERR_OK);
    assert_int_equal(after.purged_at_us, f->t.now_us);
    assert_string_equal(after.purged_by, "staff@test.example");
    assert_string_equal(after.sha256, file.sha256);
    assert_int_equal(after.size_bytes, file.size_bytes);
    assert_int_equal(stored_files(f), 1); /* the delivered file stays */
    int fd;
    int64_t size;
    assert_int_equal(svc_file_open(&f->t.svc, &after, &fd, &size), ERR_FILE_PURGED);
    /* Again: nothing changes, the first purge's time stays. */
    f->t.now_us += HOUR;
    assert_int_equal(
        svc_file_purge(&f->t.svc, &f->t.arena, f->t.tenant_id, ACTOR, file.id, &after, &d), ERR_OK);
    assert_int_equal(after.purged_at_us, f->t.now_us - HOUR);
    struct svc_order_view v = order_view(f, o.order_id);
    assert_string_equal(v.events[v.n_events - 1].event, "file_purged");
    assert_int_equal(v.n_files, 2);
    /* A purged waiting upload cannot be ordered. */
    struct file_row waiting = waiting_original(f, cus, "never ordered", NULL);
    assert_int_equal(
        svc_file_purge(&f->t.svc, &f->t.arena, f->t.tenant_id, ACTOR, waiting.id, &after, &d),
        ERR_OK);
    assert_int_equal(order_with(f, cus, waiting.id, false, &o, &d), ERR_VALIDATION);
}

static void a_file_whose_contents_cannot_be_removed_stays_unpurged_and_is_tried_again(void **state)
{
    struct fixture *f = *state;
    set_tenant(f, "submit", 30, 24);
    int64_t cus = testdb_customer(&f->t, "Stuck");
    struct file_row file = waiting_original(f, cus, "stuck upload", NULL);
    /* A directory where the contents are: unlink fails (EISDIR), even as root. */
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", f->root, file.storage_name);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(mkdir(path, 0700), 0);
    struct file_row after;
    struct err_detail d = {0};
    assert_int_equal(
        svc_file_purge(&f->t.svc, &f->t.arena, f->t.tenant_id, ACTOR, file.id, &after, &d),
        ERR_STORAGE_UNAVAILABLE);
    struct file_row row;
    assert_int_equal(svc_file_get(&f->t.svc, &f->t.arena, f->t.tenant_id, file.id, 0, &row),
                     ERR_OK);
    assert_int_equal(row.purged_at_us, 0);
    /* The job meets it too, keeps it, and does not loop on it. */
    int64_t count = -1;
    assert_int_equal(svc_files_purge_due(&f->t.svc, f->t.now_us + 3 * DAY, &count), ERR_OK);
    assert_int_equal(count, 0);
    assert_int_equal(svc_file_get(&f->t.svc, &f->t.arena, f->t.tenant_id, file.id, 0, &row),
                     ERR_OK);
    assert_int_equal(row.purged_at_us, 0);
    /* Once the contents can go, the next run purges it. */
    assert_int_equal(rmdir(path), 0);
    assert_int_equal(svc_files_purge_due(&f->t.svc, f->t.now_us + 3 * DAY, &count), ERR_OK);
    assert_int_equal(count, 1);
    assert_int_equal(svc_file_get(&f->t.svc, &f->t.arena, f->t.tenant_id, file.id, 0, &row),
                     ERR_OK);
    assert_true(row.purged_at_us != 0);
}

static void retention_purges_closed_orders_files_and_forgotten_uploads(void **state)
{
    struct fixture *f = *state;
    set_tenant(f, "submit", 30, 24);
    int64_t cus = testdb_customer(&f->t, "Retain");
    testdb_lot(&f->t, cus, "master", 20, 0);
    struct svc_order_result done, open, cancelled;
    struct err_detail d = {0};
    assert_int_equal(order_with(f, cus, waiting_original(f, cus, "r1", NULL).id, false, &done, &d),
                     ERR_OK);
    assert_int_equal(order_with(f, cus, waiting_original(f, cus, "r2", NULL).id, false, &open, &d),
                     ERR_OK);
    assert_int_equal(
        order_with(f, cus, waiting_original(f, cus, "r3", NULL).id, false, &cancelled, &d), ERR_OK);
    struct svc_file_result res;
    assert_int_equal(deliver(f, done.order_id, "m1", &res, &d), ERR_OK);
    assert_int_equal(svc_order_cancel(&f->t.svc, f->t.tenant_id, ACTOR, cancelled.order_id,
                                      "unreadable", false, &d),
                     ERR_OK);
    struct file_row forgotten = waiting_original(f, cus, "never ordered", NULL);
    assert_int_equal(stored_files(f), 5);
    int64_t count = -1;
    /* A day later: only the upload that never reached an order (window 24 h
     * + a day) is still young; nothing is due. */
    assert_int_equal(svc_files_purge_due(&f->t.svc, f->t.now_us + 47 * HOUR, &count), ERR_OK);
    assert_int_equal(count, 0);
    assert_int_equal(svc_files_purge_due(&f->t.svc, f->t.now_us + 48 * HOUR, &count), ERR_OK);
    assert_int_equal(count, 1);
    struct file_row row;
    assert_int_equal(svc_file_get(&f->t.svc, &f->t.arena, f->t.tenant_id, forgotten.id, 0, &row),
                     ERR_OK);
    assert_true(row.purged_at_us != 0);
    assert_string_equal(row.purged_by, "system");
    assert_int_equal(svc_files_purge_due(&f->t.svc, f->t.now_us + 30 * DAY - 1, &count), ERR_OK);
    assert_int_equal(count, 0);
    /* 30 days after closing: the done order's two files and the cancelled
     * one's original; the open order keeps its file. */
    assert_int_equal(svc_files_purge_due(&f->t.svc, f->t.now_us + 30 * DAY, &count), ERR_OK);
    assert_int_equal(count, 3);
    assert_int_equal(stored_files(f), 1);
    struct svc_order_view v = order_view(f, done.order_id);
    assert_string_equal(v.events[v.n_events - 1].event, "file_purged");
    assert_string_equal(v.events[v.n_events - 1].actor, "system");
    assert_int_equal(svc_files_purge_due(&f->t.svc, f->t.now_us + 90 * DAY, &count), ERR_OK);
    assert_int_equal(count, 0);
}

/* ---- failures at every statement --------------------------------------- */

struct failing {
    struct fixture *f;
    int64_t customer, order_id, file_id;
};

static int64_t failing_clock(void *ctx)
{
    return ((struct fixture *)ctx)->t.now_us;
}

typedef enum err (*failing_op)(struct svc *s, struct failing *x);

/* Runs op on a store failing its nth statement, n = 1, 2, ... until it gets
 * through; after each failure no row and no contents were added. */
static void through_every_failure(struct fixture *f, failing_op op, struct failing *x)
{
    struct store *faulty_store = store_fault_wrap(f->t.st);
    struct svc faulty;
    struct svc_clock clock = {.now_us = failing_clock, .ctx = f};
    svc_init(&faulty, faulty_store, &clock);
    svc_use_blobs(&faulty, f->blobs);
    int64_t rows_before = 0, rows = 0;
    assert_int_equal(store_read(f->t.svc.st, count_files_txn, &rows_before), ERR_OK);
    size_t stored_before = stored_files(f);
    for (int64_t n = 1;; n++) {
        assert_true(n < 500);
        store_fault_arm(faulty_store, n);
        enum err rc = op(&faulty, x);
        store_fault_arm(faulty_store, 0);
        assert_int_equal(tmp_files(f), 0);
        assert_int_equal(store_read(f->t.svc.st, count_files_txn, &rows), ERR_OK);
        if (rc == ERR_OK) {
            assert_int_equal(rows, rows_before + 1);
            assert_int_equal(stored_files(f), stored_before + 1);
            break;
        }
        assert_int_equal(rows, rows_before);
        assert_int_equal(stored_files(f), stored_before);
    }
    store_close(faulty_store);
}

static enum err failing_upload(struct svc *s, struct failing *x)
{
    struct svc_upload up;
    upload_of(x->f, s, "fragile", "f.bin", &up);
    struct svc_file_input in = {.customer_id = x->customer};
    struct svc_file_result res;
    struct err_detail d = {0};
    enum err rc = svc_file_upload(s, &x->f->t.arena, x->f->t.tenant_id, ACTOR, &in, &up, &res, &d);
    svc_upload_discard(&up);
    x->file_id = res.file.id;
    return rc;
}

static enum err failing_order(struct svc *s, struct failing *x)
{
    struct svc_order_input in = {.customer_id = x->customer,
                                 .credit_type = "master",
                                 .n_services = 1,
                                 .file_id = x->file_id};
    in.service_ids[0] = x->f->stage1;
    struct svc_order_result out;
    struct err_detail d = {0};
    enum err rc = svc_order_place(s, &x->f->t.arena, x->f->t.tenant_id, ACTOR, &in, &out, &d);
    x->order_id = out.order_id;
    return rc;
}

static enum err failing_delivery(struct svc *s, struct failing *x)
{
    struct svc_upload up;
    upload_of(x->f, s, "fragile result", "r.bin", &up);
    struct svc_file_result res;
    struct err_detail d = {0};
    enum err rc =
        svc_order_deliver(s, &x->f->t.arena, x->f->t.tenant_id, ACTOR, x->order_id, &up, &res, &d);
    svc_upload_discard(&up);
    return rc;
}

static void a_failing_statement_leaves_no_row_and_no_contents(void **state)
{
    struct fixture *f = *state;
    set_tenant(f, "delivery", 0, 24);
    struct failing x = {.f = f, .customer = testdb_customer(&f->t, "Fragile")};
    testdb_lot(&f->t, x.customer, "master", 10, 0);
    through_every_failure(f, failing_upload, &x);
    /* The order adds no file: its row changes (order_id), the count stays. */
    int64_t file_id = x.file_id;
    for (int64_t n = 1;; n++) {
        assert_true(n < 500);
        struct store *faulty_store = store_fault_wrap(f->t.st);
        struct svc faulty;
        struct svc_clock clock = {.now_us = failing_clock, .ctx = f};
        svc_init(&faulty, faulty_store, &clock);
        store_fault_arm(faulty_store, n);
        x.file_id = file_id;
        enum err rc = failing_order(&faulty, &x);
        store_close(faulty_store);
        struct file_row row;
        assert_int_equal(svc_file_get(&f->t.svc, &f->t.arena, f->t.tenant_id, file_id, 0, &row),
                         ERR_OK);
        if (rc == ERR_OK) {
            assert_int_equal(row.order_id, x.order_id);
            break;
        }
        assert_int_equal(row.order_id, 0);
        assert_int_equal(balance_of(f, x.customer), 10);
    }
    through_every_failure(f, failing_delivery, &x);
    struct svc_order_view v = order_view(f, x.order_id);
    assert_string_equal(v.row.status, "completed");
    assert_string_equal(v.row.charge_mode, "captured");
    testdb_assert_verified(&f->t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(an_original_waits_for_its_order_and_goes_on_it_with_the_order),
        T(a_duplicate_needs_confirmation_and_charges_nothing_without_it),
        T(duplicates_count_recent_open_or_done_orders_of_the_same_customer_only),
        T(a_file_not_waiting_for_this_customer_is_refused),
        T(an_upload_to_an_order_needs_it_open_and_in_reach),
        T(delivery_completes_the_order_and_captures_a_hold),
        T(a_purge_keeps_the_row_and_waits_for_the_order_to_close),
        T(a_file_whose_contents_cannot_be_removed_stays_unpurged_and_is_tried_again),
        T(retention_purges_closed_orders_files_and_forgotten_uploads),
        T(a_failing_statement_leaves_no_row_and_no_contents),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
