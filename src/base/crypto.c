/*
 * Hashing, random bytes and password hashing, all from libsodium. The journal's
 * hash chain and API key digests use SHA-256; passwords use argon2id.
 */
#include <string.h>

#include <sodium.h>

#include "base/base.h"

_Static_assert(sizeof(struct sha256_state) >= sizeof(crypto_hash_sha256_state),
               "sha256 state too small");

enum err crypto_init(void)
{
    return sodium_init() < 0 ? ERR_INTERNAL : ERR_OK;
}

void sha256(const void *data, size_t n, uint8_t out[SHA256_BYTES])
{
    crypto_hash_sha256(out, data, n);
}

void sha256_begin(struct sha256_state *s)
{
    crypto_hash_sha256_init((crypto_hash_sha256_state *)s->opaque);
}

void sha256_update(struct sha256_state *s, const void *data, size_t n)
{
    crypto_hash_sha256_update((crypto_hash_sha256_state *)s->opaque, data, n);
}

void sha256_end(struct sha256_state *s, uint8_t out[SHA256_BYTES])
{
    crypto_hash_sha256_final((crypto_hash_sha256_state *)s->opaque, out);
}

void hex_encode(const uint8_t *data, size_t n, char *dst)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        dst[2 * i] = digits[data[i] >> 4];
        dst[2 * i + 1] = digits[data[i] & 15];
    }
    dst[2 * n] = '\0';
}

bool sha256_hex_decode(const char *hex, uint8_t out[SHA256_BYTES])
{
    if (hex == NULL || strlen(hex) != 2 * SHA256_BYTES)
        return false;
    for (size_t i = 0; i < 2 * SHA256_BYTES; i++) {
        char ch = hex[i];
        unsigned d = ch >= '0' && ch <= '9'   ? (unsigned)(ch - '0')
                     : ch >= 'a' && ch <= 'f' ? (unsigned)(ch - 'a' + 10)
                                              : 16u;
        if (d == 16u)
            return false;
        out[i / 2] = (uint8_t)(i % 2 == 0 ? d << 4 : (out[i / 2] | d));
    }
    return true;
}

void random_bytes(void *dst, size_t n)
{
    randombytes_buf(dst, n);
}

void random_hex(char *dst, size_t n_bytes)
{
    uint8_t raw[64];
    ASSERT(n_bytes <= sizeof(raw));
    randombytes_buf(raw, n_bytes);
    hex_encode(raw, n_bytes, dst);
}

/* 19 MiB and 2 passes: the OWASP floor for argon2id. */
enum { PASSWORD_MEMORY_BYTES = 19 * 1024 * 1024, PASSWORD_PASSES = 2 };

enum err password_hash(const char *password, char *out, size_t out_len)
{
    ASSERT(out_len >= crypto_pwhash_STRBYTES);
    if (crypto_pwhash_str_alg(out, password, strlen(password), PASSWORD_PASSES,
                              PASSWORD_MEMORY_BYTES, crypto_pwhash_ALG_ARGON2ID13) != 0)
        return ERR_INTERNAL;
    return ERR_OK;
}

bool password_verify(const char *hash, const char *password)
{
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}
