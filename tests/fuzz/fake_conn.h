/*
 * A libmicrohttpd connection without a socket, for the drivers that call
 * the HTTP layer's functions directly (fuzz_json, fuzz_headers). They are
 * linked with -Wl,--wrap for the four MHD functions below, so that
 * src/http reads the request headers, query arguments and peer address set
 * here and queues its answers here; everything else of libmicrohttpd (the
 * response objects) is the real library.
 */
#ifndef CREDITD_FAKE_CONN_H
#define CREDITD_FAKE_CONN_H

#include <stdbool.h>
#include <stddef.h>

#include <microhttpd.h>

#include "base/base.h"

enum { FAKE_CONN_VALUES_MAX = 64 };

struct fake_conn_value {
    enum MHD_ValueKind kind;
    const char *key, *value; /* borrowed: they outlive the request */
};

struct fake_conn {
    struct fake_conn_value values[FAKE_CONN_VALUES_MAX];
    size_t n_values;
    struct net_addr peer; /* family 0: libmicrohttpd knows no peer */
    /* What the code under test queued. */
    int queued;
    unsigned status;
};

/* The one fake connection, emptied; pass it as the request's conn. */
struct MHD_Connection *fake_conn_reset(void);
struct fake_conn *fake_conn_get(void);
/* Adds a header (MHD_HEADER_KIND) or query argument (MHD_GET_ARGUMENT_KIND);
 * false when full. */
bool fake_conn_add(enum MHD_ValueKind kind, const char *key, const char *value);

/* The wrapped functions (-Wl,--wrap=NAME makes the code call __wrap_NAME). */
const char *__wrap_MHD_lookup_connection_value(struct MHD_Connection *connection,
                                               enum MHD_ValueKind kind, const char *key);
int __wrap_MHD_get_connection_values(struct MHD_Connection *connection, enum MHD_ValueKind kind,
                                     MHD_KeyValueIterator iterator, void *iterator_cls);
const union MHD_ConnectionInfo *
__wrap_MHD_get_connection_info(struct MHD_Connection *connection,
                               enum MHD_ConnectionInfoType info_type, ...);
enum MHD_Result __wrap_MHD_queue_response(struct MHD_Connection *connection,
                                          unsigned int status_code, struct MHD_Response *response);

#endif
