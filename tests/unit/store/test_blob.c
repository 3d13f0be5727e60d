/*
 * Unit tests of the blob store (store/blob.c): file contents on disk under
 * the files directory, written to tmp/, sealed, then renamed into place.
 *
 * Method: each test gets a fresh directory under /tmp. Contents written in
 * pieces must come back byte for byte under "<2 hex>/<sha256>.<16 hex>" with
 * the SHA-256 libsodium computes over the whole; aborted and cut-off uploads
 * must leave nothing in tmp/; the server's start deletes leftovers in tmp/,
 * a CLI command's does not; names that are not of the storage form are
 * refused. A full disk is made for real where the test may mount a 64 KiB
 * tmpfs (as root), and skipped with the reason otherwise.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store.h"

struct fixture {
    char root[128];
    struct blob_store *b;
};

static int rm_tree(const char *path)
{
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
    return system(cmd);
}

static int setup(void **state)
{
    static struct fixture f;
    static int counter;
    assert_int_equal(crypto_init(), ERR_OK);
    log_set_level(LOG_ERROR);
    snprintf(f.root, sizeof(f.root), "/tmp/creditd-blob-%d-%d/files", (int)getpid(), ++counter);
    struct err_detail d = {0};
    assert_int_equal(blob_store_open(f.root, true, &f.b, &d), ERR_OK);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    blob_store_close(f->b);
    char *slash = strrchr(f->root, '/');
    *slash = '\0';
    return rm_tree(f->root) == 0 ? 0 : -1;
}

static size_t entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return 0;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static size_t tmp_entries(const struct fixture *f)
{
    char tmp[200];
    snprintf(tmp, sizeof(tmp), "%s/tmp", f->root);
    return entries(tmp);
}

static void contents_written_in_pieces_come_back_under_their_hash(void **state)
{
    struct fixture *f = *state;
    uint8_t data[70000];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 7 + (i >> 8));
    struct blob_tmp t;
    assert_int_equal(blob_tmp_open(f->b, &t), ERR_OK);
    assert_int_equal(tmp_entries(f), 1);
    for (size_t off = 0; off < sizeof(data); off += 4096) {
        size_t n = sizeof(data) - off < 4096 ? sizeof(data) - off : 4096;
        assert_int_equal(blob_tmp_write(&t, data + off, n), ERR_OK);
    }
    char sha[SHA256_HEX], want[SHA256_HEX], name[BLOB_NAME_BYTES];
    uint8_t digest[SHA256_BYTES];
    sha256(data, sizeof(data), digest);
    hex_encode(digest, SHA256_BYTES, want);
    assert_int_equal(blob_tmp_seal(&t, sha), ERR_OK);
    assert_string_equal(sha, want);
    assert_int_equal(t.size_bytes, (int64_t)sizeof(data));
    assert_int_equal(blob_tmp_commit(&t, sha, name), ERR_OK);
    blob_tmp_abort(&t); /* after a commit: deletes nothing */
    assert_int_equal(tmp_entries(f), 0);
    assert_int_equal(strlen(name), 84);
    assert_memory_equal(name, sha, 2);
    assert_int_equal(name[2], '/');
    assert_memory_equal(name + 3, sha, 64);
    int fd = -1;
    int64_t size = 0;
    assert_int_equal(blob_open_read(f->b, name, &fd, &size), ERR_OK);
    assert_int_equal(size, (int64_t)sizeof(data));
    uint8_t back[sizeof(data)];
    assert_int_equal(read(fd, back, sizeof(back)), (ssize_t)sizeof(back));
    close(fd);
    assert_memory_equal(back, data, sizeof(data));
}

static void the_same_contents_twice_get_two_names(void **state)
{
    struct fixture *f = *state;
    char names[2][BLOB_NAME_BYTES];
    for (int i = 0; i < 2; i++) {
        struct blob_tmp t;
        char sha[SHA256_HEX];
        assert_int_equal(blob_tmp_open(f->b, &t), ERR_OK);
        assert_int_equal(blob_tmp_write(&t, "same", 4), ERR_OK);
        assert_int_equal(blob_tmp_seal(&t, sha), ERR_OK);
        assert_int_equal(blob_tmp_commit(&t, sha, names[i]), ERR_OK);
    }
    assert_string_not_equal(names[0], names[1]);
    assert_int_equal(blob_remove(f->b, names[0]), ERR_OK);
    int fd;
    int64_t size;
    assert_int_equal(blob_open_read(f->b, names[1], &fd, &size), ERR_OK);
    close(fd);
    assert_int_equal(blob_open_read(f->b, names[0], &fd, &size), ERR_STORAGE_UNAVAILABLE);
    /* Removing what is gone is fine. */
    assert_int_equal(blob_remove(f->b, names[0]), ERR_OK);
}

static void an_aborted_upload_leaves_nothing(void **state)
{
    struct fixture *f = *state;
    struct blob_tmp t;
    assert_int_equal(blob_tmp_open(f->b, &t), ERR_OK);
    assert_int_equal(blob_tmp_write(&t, "half", 4), ERR_OK);
    blob_tmp_abort(&t);
    blob_tmp_abort(&t);
    assert_int_equal(tmp_entries(f), 0);
    /* Sealed but never committed: the row did not come, the file goes. */
    char sha[SHA256_HEX];
    assert_int_equal(blob_tmp_open(f->b, &t), ERR_OK);
    assert_int_equal(blob_tmp_write(&t, "sealed", 6), ERR_OK);
    assert_int_equal(blob_tmp_seal(&t, sha), ERR_OK);
    blob_tmp_abort(&t);
    assert_int_equal(tmp_entries(f), 0);
    /* A zeroed struct opened nothing: fd 0 in it is not closed. */
    struct blob_tmp zero;
    memset(&zero, 0, sizeof(zero));
    int before = fcntl(0, F_GETFD);
    blob_tmp_abort(&zero);
    assert_int_equal(fcntl(0, F_GETFD), before);
}

static void only_the_server_start_cleans_tmp(void **state)
{
    struct fixture *f = *state;
    struct blob_tmp t;
    assert_int_equal(blob_tmp_open(f->b, &t), ERR_OK);
    assert_int_equal(blob_tmp_write(&t, "cut off", 7), ERR_OK);
    /* A crash: the temporary file stays. */
    close(t.fd);
    struct blob_store *again;
    struct err_detail d = {0};
    assert_int_equal(blob_store_open(f->root, false, &again, &d), ERR_OK);
    blob_store_close(again);
    assert_int_equal(tmp_entries(f), 1);
    assert_int_equal(blob_store_open(f->root, true, &again, &d), ERR_OK);
    blob_store_close(again);
    assert_int_equal(tmp_entries(f), 0);
}

static void names_not_of_the_storage_form_are_refused(void **state)
{
    struct fixture *f = *state;
    int fd;
    int64_t size;
    const char *bad[] = {"../../etc/passwd",
                         "ab/../../../etc/passwd",
                         "",
                         "tmp/x.part",
                         "AB/AB00000000000000000000000000000000000000000000000000000000000000."
                         "0000000000000000",
                         "cd/ab00000000000000000000000000000000000000000000000000000000000000."
                         "0000000000000000"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(blob_open_read(f->b, bad[i], &fd, &size), ERR_STORAGE_UNAVAILABLE);
        assert_int_equal(blob_remove(f->b, bad[i]), ERR_STORAGE_UNAVAILABLE);
    }
}

static void a_full_disk_is_insufficient_storage_other_failures_unavailable(void **state)
{
    (void)state;
    assert_int_equal(blob_err_from_errno(ENOSPC), ERR_INSUFFICIENT_STORAGE);
    assert_int_equal(blob_err_from_errno(EDQUOT), ERR_INSUFFICIENT_STORAGE);
    assert_int_equal(blob_err_from_errno(EIO), ERR_STORAGE_UNAVAILABLE);
    assert_int_equal(blob_err_from_errno(EACCES), ERR_STORAGE_UNAVAILABLE);
    assert_int_equal(err_http_status(ERR_INSUFFICIENT_STORAGE), 507);
    assert_int_equal(err_http_status(ERR_STORAGE_UNAVAILABLE), 503);
}

static void a_real_full_disk_refuses_and_leaves_nothing(void **state)
{
    (void)state;
    char dir[128];
    snprintf(dir, sizeof(dir), "/tmp/creditd-blob-full-%d", (int)getpid());
    mkdir(dir, 0700);
    if (mount("tmpfs", dir, "tmpfs", 0, "size=64k") != 0) {
        rmdir(dir);
        skip(); /* needs root and a kernel that lets this process mount tmpfs */
    }
    struct blob_store *b;
    struct err_detail d = {0};
    char root[160];
    snprintf(root, sizeof(root), "%s/files", dir);
    assert_int_equal(blob_store_open(root, true, &b, &d), ERR_OK);
    struct blob_tmp t;
    assert_int_equal(blob_tmp_open(b, &t), ERR_OK);
    static uint8_t chunk[16384];
    enum err rc = ERR_OK;
    for (int i = 0; i < 16 && rc == ERR_OK; i++)
        rc = blob_tmp_write(&t, chunk, sizeof(chunk));
    char sha[SHA256_HEX];
    if (rc == ERR_OK)
        rc = blob_tmp_seal(&t, sha);
    assert_int_equal(rc, ERR_INSUFFICIENT_STORAGE);
    blob_tmp_abort(&t);
    char tmp[200];
    snprintf(tmp, sizeof(tmp), "%s/tmp", root);
    assert_int_equal(entries(tmp), 0);
    blob_store_close(b);
    assert_int_equal(umount(dir), 0);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(contents_written_in_pieces_come_back_under_their_hash),
        T(the_same_contents_twice_get_two_names),
        T(an_aborted_upload_leaves_nothing),
        T(only_the_server_start_cleans_tmp),
        T(names_not_of_the_storage_form_are_refused),
        cmocka_unit_test(a_full_disk_is_insufficient_storage_other_failures_unavailable),
        cmocka_unit_test(a_real_full_disk_refuses_and_leaves_nothing),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
