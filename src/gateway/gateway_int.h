/*
 * Internals shared by the files of src/gateway. Nothing outside the directory
 * includes this.
 */
#ifndef CREDITD_GATEWAY_INT_H
#define CREDITD_GATEWAY_INT_H

#include "gateway/gateway.h"

/* Longest API base URL and secret key accepted (with the terminator): far
 * above real ones (Stripe's keys are about 110 characters), small enough for
 * one header line and a URL buffer on the stack. */
enum { GATEWAY_BASE_BYTES_MAX = 1024, GATEWAY_KEY_BYTES_MAX = 512 };

/* True between gateway_init and gateway_release: libcurl may be used. */
bool gateway_is_initialized(void);

#endif
