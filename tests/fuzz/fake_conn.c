/*
 * The fake connection of fake_conn.h. Headers are looked up as
 * libmicrohttpd does: the name without regard to case, the first one sent
 * wins, and the iteration goes in the order they were sent.
 */
#include <netinet/in.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "fake_conn.h"

static struct fake_conn fake;
static struct sockaddr_storage fake_peer_sockaddr;
static union MHD_ConnectionInfo fake_info;

struct MHD_Connection *fake_conn_reset(void)
{
    memset(&fake, 0, sizeof(fake));
    return (struct MHD_Connection *)(void *)&fake;
}

struct fake_conn *fake_conn_get(void)
{
    return &fake;
}

bool fake_conn_add(enum MHD_ValueKind kind, const char *key, const char *value)
{
    if (fake.n_values == FAKE_CONN_VALUES_MAX)
        return false;
    fake.values[fake.n_values++] = (struct fake_conn_value){kind, key, value};
    return true;
}

static void fake_conn_is_ours(struct MHD_Connection *connection)
{
    ASSERT(connection == (struct MHD_Connection *)(void *)&fake);
}

const char *__wrap_MHD_lookup_connection_value(struct MHD_Connection *connection,
                                               enum MHD_ValueKind kind, const char *key)
{
    fake_conn_is_ours(connection);
    for (size_t i = 0; i < fake.n_values; i++) {
        const struct fake_conn_value *v = &fake.values[i];
        if ((v->kind & kind) != 0 && key != NULL && strcasecmp(v->key, key) == 0)
            return v->value;
    }
    return NULL;
}

int __wrap_MHD_get_connection_values(struct MHD_Connection *connection, enum MHD_ValueKind kind,
                                     MHD_KeyValueIterator iterator, void *iterator_cls)
{
    fake_conn_is_ours(connection);
    int n = 0;
    for (size_t i = 0; i < fake.n_values; i++) {
        const struct fake_conn_value *v = &fake.values[i];
        if ((v->kind & kind) == 0)
            continue;
        n++;
        if (iterator != NULL && iterator(iterator_cls, v->kind, v->key, v->value) != MHD_YES)
            break;
    }
    return n;
}

const union MHD_ConnectionInfo *
__wrap_MHD_get_connection_info(struct MHD_Connection *connection,
                               enum MHD_ConnectionInfoType info_type, ...)
{
    fake_conn_is_ours(connection);
    if (info_type != MHD_CONNECTION_INFO_CLIENT_ADDRESS || fake.peer.family == 0)
        return NULL;
    memset(&fake_peer_sockaddr, 0, sizeof(fake_peer_sockaddr));
    if (fake.peer.family == 4) {
        struct sockaddr_in *in = (struct sockaddr_in *)(void *)&fake_peer_sockaddr;
        in->sin_family = AF_INET;
        memcpy(&in->sin_addr, fake.peer.bytes, 4);
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)(void *)&fake_peer_sockaddr;
        in6->sin6_family = AF_INET6;
        memcpy(&in6->sin6_addr, fake.peer.bytes, 16);
    }
    fake_info.client_addr = (struct sockaddr *)(void *)&fake_peer_sockaddr;
    return &fake_info;
}

enum MHD_Result __wrap_MHD_queue_response(struct MHD_Connection *connection,
                                          unsigned int status_code, struct MHD_Response *response)
{
    fake_conn_is_ours(connection);
    ASSERT(response != NULL);
    /* libmicrohttpd takes one answer per request. */
    ASSERT(fake.queued == 0);
    fake.queued++;
    fake.status = status_code;
    return MHD_YES;
}
