/*
 * The blob store: file contents on disk under the files directory, named by
 * their SHA-256 and a random suffix (store.h describes the layout and the
 * order of durable steps). It knows paths, bytes and hashes, nothing of
 * customers or orders, and it never builds a path from a client's file name.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store.h"

struct blob_store {
    char root[FILE_PATH_BYTES_MAX];
};

/* Room the longest name under root needs: "/tmp/" + 32 hex + ".part", or
 * "/" + a storage name. */
#define BLOB_SUFFIX_BYTES (BLOB_NAME_BYTES + 8)

enum err blob_err_from_errno(int errnum)
{
    return errnum == ENOSPC || errnum == EDQUOT ? ERR_INSUFFICIENT_STORAGE
                                                : ERR_STORAGE_UNAVAILABLE;
}

/* Logs a failed file operation once, where it happened; returns its kind. */
static enum err blob_fail(const char *what, const char *path, int errnum)
{
    char text[128];
    const char *reason = strerror_r(errnum, text, sizeof(text));
    log_msg(LOG_ERROR, "cannot %s '%s': %s", what, path, reason);
    return blob_err_from_errno(errnum);
}

/* mkdir -p with mode 0700: the files are customers' property. */
static int blob_mkdirs(const char *path)
{
    char buf[FILE_PATH_BYTES_MAX];
    if (!str_copy(buf, sizeof(buf), path))
        return ENAMETOOLONG;
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(buf, 0700) != 0 && errno != EEXIST)
            return errno;
        *p = saved;
        if (saved == '\0')
            return 0;
    }
}

static int blob_fsync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    int rc = fsync(fd) == 0 ? 0 : errno;
    close(fd);
    return rc;
}

/* Deletes what an earlier run left in tmp/: uploads cut off by a crash. */
static void blob_clean_tmp(const char *tmp)
{
    DIR *dir = opendir(tmp);
    if (dir == NULL)
        return;
    int dfd = dirfd(dir);
    struct dirent *e;
    size_t removed = 0;
    while ((e = readdir(dir)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (unlinkat(dfd, e->d_name, 0) == 0)
            removed++;
    }
    closedir(dir);
    if (removed > 0)
        log_msg(LOG_INFO, "removed %zu unfinished uploads from '%s'", removed, tmp);
}

enum err blob_store_open(const char *root, bool clean_tmp, struct blob_store **out,
                         struct err_detail *d)
{
    ASSERT(root != NULL);
    ASSERT(out != NULL);
    if (root[0] == '\0' || strlen(root) + BLOB_SUFFIX_BYTES >= FILE_PATH_BYTES_MAX)
        return err_set(d, ERR_USAGE, "files_dir", "the files directory path is empty or too long");
    struct blob_store *b = calloc(1, sizeof(*b));
    if (b == NULL)
        return ERR_INTERNAL;
    str_copy(b->root, sizeof(b->root), root);
    size_t n = strlen(b->root);
    while (n > 1 && b->root[n - 1] == '/')
        b->root[--n] = '\0';
    char tmp[FILE_PATH_BYTES_MAX];
    str_format(tmp, sizeof(tmp), "%s/tmp", b->root);
    int errnum = blob_mkdirs(tmp);
    if (errnum != 0) {
        enum err rc = blob_fail("create the files directory", tmp, errnum);
        free(b);
        return err_set(d, rc, "files_dir", "cannot create the files directory '%s'", tmp);
    }
    if (clean_tmp)
        blob_clean_tmp(tmp);
    *out = b;
    return ERR_OK;
}

void blob_store_close(struct blob_store *b)
{
    free(b);
}

const char *blob_store_root(const struct blob_store *b)
{
    return b->root;
}

enum err blob_tmp_open(struct blob_store *b, struct blob_tmp *t)
{
    ASSERT(b != NULL);
    memset(t, 0, sizeof(*t));
    t->b = b;
    char id[33];
    random_hex(id, 16);
    str_format(t->path, sizeof(t->path), "%s/tmp/%s.part", b->root, id);
    t->fd = open(t->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (t->fd < 0) {
        enum err rc = blob_fail("create", t->path, errno);
        t->path[0] = '\0';
        return rc;
    }
    sha256_begin(&t->hash);
    return ERR_OK;
}

enum err blob_tmp_write(struct blob_tmp *t, const void *data, size_t n)
{
    ASSERT(t->fd >= 0);
    const char *p = data;
    size_t left = n;
    while (left > 0) {
        ssize_t w = write(t->fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return blob_fail("write", t->path, errno);
        p += w;
        left -= (size_t)w;
    }
    sha256_update(&t->hash, data, n);
    t->size_bytes += (int64_t)n;
    return ERR_OK;
}

enum err blob_tmp_seal(struct blob_tmp *t, char sha256_hex[SHA256_HEX])
{
    ASSERT(t->fd >= 0);
    int fd = t->fd;
    t->fd = -1;
    /* Delayed allocation reports a full disk at fsync or close, not write. */
    if (fsync(fd) != 0) {
        enum err rc = blob_fail("write", t->path, errno);
        close(fd);
        return rc;
    }
    if (close(fd) != 0)
        return blob_fail("write", t->path, errno);
    uint8_t digest[SHA256_BYTES];
    sha256_end(&t->hash, digest);
    hex_encode(digest, SHA256_BYTES, sha256_hex);
    return ERR_OK;
}

enum err blob_tmp_commit(struct blob_tmp *t, const char *sha256_hex,
                         char storage_name[BLOB_NAME_BYTES])
{
    ASSERT(t->fd < 0);
    ASSERT(t->path[0] != '\0');
    ASSERT(strlen(sha256_hex) == SHA256_HEX - 1);
    char suffix[17], dir[FILE_PATH_BYTES_MAX], final[FILE_PATH_BYTES_MAX];
    random_hex(suffix, 8);
    str_format(storage_name, BLOB_NAME_BYTES, "%.2s/%s.%s", sha256_hex, sha256_hex, suffix);
    str_format(dir, sizeof(dir), "%s/%.2s", t->b->root, sha256_hex);
    str_format(final, sizeof(final), "%s/%s", t->b->root, storage_name);
    bool created = mkdir(dir, 0700) == 0;
    if (!created && errno != EEXIST)
        return blob_fail("create", dir, errno);
    if (rename(t->path, final) != 0)
        return blob_fail("move into place", final, errno);
    t->committed = true;
    int errnum = blob_fsync_dir(dir);
    if (errnum == 0 && created)
        errnum = blob_fsync_dir(t->b->root);
    if (errnum != 0) {
        enum err rc = blob_fail("sync the directory", dir, errnum);
        unlink(final);
        return rc;
    }
    return ERR_OK;
}

enum err blob_tmp_read(const struct blob_tmp *t, void *buf, size_t n)
{
    ASSERT(t->fd < 0);
    ASSERT(!t->committed);
    ASSERT((int64_t)n == t->size_bytes);
    int fd = open(t->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return blob_fail("read", t->path, errno);
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, (char *)buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            int errnum = r < 0 ? errno : EIO;
            close(fd);
            return blob_fail("read", t->path, errnum);
        }
        got += (size_t)r;
    }
    close(fd);
    return ERR_OK;
}

void blob_tmp_abort(struct blob_tmp *t)
{
    /* A zeroed struct (fd 0) opened nothing: its path is empty. */
    if (t->path[0] == '\0')
        return;
    if (t->fd >= 0)
        close(t->fd);
    t->fd = -1;
    if (!t->committed)
        unlink(t->path);
    t->path[0] = '\0';
}

/* "ab/<64 hex>.<16 hex>" whose first two digits are the hash's. */
static bool blob_name_is_valid(const char *name)
{
    size_t n = strlen(name);
    if (n != 2 + 1 + 64 + 1 + 16 || name[2] != '/' || name[67] != '.' ||
        strncmp(name, name + 3, 2) != 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = name[i];
        if (i != 2 && i != 67 && !((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')))
            return false;
    }
    return true;
}

enum err blob_open_read(struct blob_store *b, const char *storage_name, int *fd,
                        int64_t *size_bytes)
{
    char path[FILE_PATH_BYTES_MAX];
    str_format(path, sizeof(path), "%s/%s", b->root, storage_name);
    if (!blob_name_is_valid(storage_name)) {
        log_msg(LOG_ERROR, "refusing the storage name '%s'", storage_name);
        return ERR_STORAGE_UNAVAILABLE;
    }
    *fd = open(path, O_RDONLY | O_CLOEXEC);
    if (*fd < 0)
        return blob_fail("open", path, errno);
    struct stat st;
    if (fstat(*fd, &st) != 0) {
        enum err rc = blob_fail("open", path, errno);
        close(*fd);
        *fd = -1;
        return rc;
    }
    *size_bytes = (int64_t)st.st_size;
    return ERR_OK;
}

enum err blob_remove(struct blob_store *b, const char *storage_name)
{
    char path[FILE_PATH_BYTES_MAX];
    str_format(path, sizeof(path), "%s/%s", b->root, storage_name);
    if (!blob_name_is_valid(storage_name)) {
        log_msg(LOG_ERROR, "refusing the storage name '%s'", storage_name);
        return ERR_STORAGE_UNAVAILABLE;
    }
    if (unlink(path) != 0 && errno != ENOENT)
        return blob_fail("remove", path, errno);
    return ERR_OK;
}
