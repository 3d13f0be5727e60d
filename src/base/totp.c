/*
 * Time-based one-time codes (RFC 6238) for two-factor sign-in, from liboath:
 * secrets are made here (random bytes, base32) and codes are checked against
 * the steps around now, refusing any step not later than the last one
 * accepted, so a code that worked once never works again.
 *
 * Must not: keep a decoded secret after the call (it is wiped), or compare
 * codes in a time that depends on how much of them is right.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <liboath/oath.h>
#include <sodium.h>

#include "base/base.h"

_Static_assert(TOTP_SECRET_TEXT == (TOTP_SECRET_BYTES * 8 + 4) / 5 + 1, "base32 text length");
_Static_assert(TOTP_SECRET_BYTES % 5 == 0, "a secret of whole base32 groups needs no padding");

static pthread_once_t totp_once = PTHREAD_ONCE_INIT;
static bool totp_ready;

static void totp_init(void)
{
    totp_ready = oath_init() == OATH_OK;
}

void totp_secret_new(char out[TOTP_SECRET_TEXT])
{
    uint8_t raw[TOTP_SECRET_BYTES];
    random_bytes(raw, sizeof(raw));
    char *text = NULL;
    size_t len = 0;
    pthread_once(&totp_once, totp_init);
    int rc = oath_base32_encode((const char *)raw, sizeof(raw), &text, &len);
    sodium_memzero(raw, sizeof(raw));
    /* Out of memory is the only way this fails for 20 bytes. */
    ASSERT(totp_ready);
    ASSERT(rc == OATH_OK);
    ASSERT(len == TOTP_SECRET_TEXT - 1);
    memcpy(out, text, len);
    out[len] = '\0';
    sodium_memzero(text, len);
    free(text);
}

int64_t totp_step(int64_t now_s)
{
    return now_s >= 0 ? now_s / TOTP_STEP_S : -1;
}

/* The secret's bytes in a malloc'd buffer (NULL when not base32). */
static char *totp_secret_decode(const char *secret, size_t *len)
{
    pthread_once(&totp_once, totp_init);
    char *raw = NULL;
    *len = 0;
    if (!totp_ready || secret == NULL || secret[0] == '\0' ||
        oath_base32_decode(secret, strlen(secret), &raw, len) != OATH_OK || *len == 0) {
        free(raw);
        return NULL;
    }
    return raw;
}

static void totp_secret_free(char *raw, size_t len)
{
    if (raw != NULL)
        sodium_memzero(raw, len);
    free(raw);
}

static bool totp_code_raw(const char *raw, size_t len, int64_t step, char out[TOTP_DIGITS + 1])
{
    ASSERT(step >= 0);
    return oath_totp_generate(raw, len, (time_t)(step * TOTP_STEP_S), TOTP_STEP_S, 0, TOTP_DIGITS,
                              out) == OATH_OK;
}

bool totp_code(const char *secret, int64_t step, char out[TOTP_DIGITS + 1])
{
    size_t len;
    char *raw = totp_secret_decode(secret, &len);
    bool ok = raw != NULL && step >= 0 && totp_code_raw(raw, len, step, out);
    totp_secret_free(raw, len);
    return ok;
}

static bool totp_code_is_well_formed(const char *code)
{
    if (code == NULL || strlen(code) != TOTP_DIGITS)
        return false;
    for (const char *p = code; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    return true;
}

enum err totp_check(const char *secret, const char *code, int64_t now_s, int64_t after_step,
                    int64_t *step)
{
    ASSERT(step != NULL);
    *step = 0;
    size_t len;
    char *raw = totp_secret_decode(secret, &len);
    if (raw == NULL)
        return ERR_VALIDATION;
    enum err rc = ERR_UNAUTHENTICATED;
    int64_t now = totp_step(now_s);
    /* Every step of the window is computed and compared, matched or not. */
    for (int64_t s = now - TOTP_WINDOW_STEPS; s <= now + TOTP_WINDOW_STEPS; s++) {
        char want[TOTP_DIGITS + 1];
        bool fits = s >= 0 && totp_code_raw(raw, len, s, want) && totp_code_is_well_formed(code);
        bool same = fits && sodium_memcmp(want, code, TOTP_DIGITS) == 0;
        if (same && s > after_step && rc != ERR_OK) {
            *step = s;
            rc = ERR_OK;
        }
        sodium_memzero(want, sizeof(want));
    }
    totp_secret_free(raw, len);
    return rc;
}
