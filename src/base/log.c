/*
 * Logging to stderr, one line per event with a UTC timestamp and a level.
 * Callers must never pass secrets (passwords, tokens, keys) to it.
 */
#include <stdio.h>

#include "base/base.h"

static enum log_level log_level_min = LOG_INFO;

void log_set_level(enum log_level level)
{
    log_level_min = level;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    if (level < log_level_min)
        return;
    char when[40];
    time_format_rfc3339(time_now_us(), when, sizeof(when));
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s %s %s\n", when, names[level], line);
}
