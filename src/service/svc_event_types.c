/*
 * The names of the event types (DESIGN §6): one table, SVC_EVENT_TYPES in
 * service.h, gives the enum and the names that payloads, webhook
 * subscriptions and mail preferences carry. A name is part of the public
 * API: it never changes once published.
 *
 * Must not: know anything of an event beyond its type.
 */
#include <assert.h>
#include <string.h>

#include "service/service.h"

static const char *const svc_event_type_names[] = {
#define SVC_EVENT_NAME(name, text) [name] = text,
    SVC_EVENT_TYPES(SVC_EVENT_NAME)
#undef SVC_EVENT_NAME
};
static_assert(sizeof(svc_event_type_names) / sizeof(svc_event_type_names[0]) == SVC_EVENT__COUNT,
              "every event type has a name");

const char *svc_event_type_name(enum svc_event_type t)
{
    ASSERT((size_t)t < SVC_EVENT__COUNT);
    ASSERT(svc_event_type_names[t] != NULL);
    return svc_event_type_names[t];
}

bool svc_event_type_parse(const char *text, enum svc_event_type *out)
{
    ASSERT(out != NULL);
    if (text == NULL)
        return false;
    for (size_t i = 0; i < SVC_EVENT__COUNT; i++) {
        if (strcmp(svc_event_type_names[i], text) == 0) {
            *out = (enum svc_event_type)i;
            return true;
        }
    }
    return false;
}
