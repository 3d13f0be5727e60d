/*
 * The background jobs of a server: expiry (rule 8), journal seals, the
 * purge of file contents that are due and the prune of ended sign-in
 * throttle windows, run by serve at start and every minute. Several servers may share one
 * PostgreSQL database; the store's jobs lock lets one of them run the jobs at a time, and a server
 * that dies loses the lock with its database session, so the next server to try picks the work up.
 * Each job is also safe when run twice at once (expiry re-reads every lot under its account's lock,
 * a seal written meanwhile wins, a purge removes what is still there): the lock saves work,
 * correctness does not rest on it.
 *
 * Must not: log (the caller reports), or hold the lock past one run.
 */
#include "service/service_int.h"

enum err svc_jobs_run(struct svc *s, int64_t now_us, struct svc_jobs_report *out)
{
    ASSERT(s != NULL);
    ASSERT(out != NULL);
    *out = (struct svc_jobs_report){.ran = false};
    bool held = false;
    enum err rc = store_jobs_lock(s->st, STORE_LOCK_JOBS, &held);
    if (rc != ERR_OK || !held)
        return rc;
    out->ran = true;
    out->expire_rc = svc_expire(s, now_us, &out->expired);
    out->seal_rc = svc_seal(s, &out->sealed);
    out->purge_rc = svc_files_purge_due(s, now_us, &out->purged);
    out->throttle_rc = svc_login_throttle_prune(s, now_us);
    out->notice_rc = svc_expiry_notices(s, now_us, &out->noticed);
    store_jobs_unlock(s->st, STORE_LOCK_JOBS);
    return ERR_OK;
}
