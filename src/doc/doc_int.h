/*
 * Internals shared by the files of src/doc. Nothing outside the directory
 * includes this.
 */
#ifndef CREDITD_DOC_INT_H
#define CREDITD_DOC_INT_H

#include <assert.h>

#include "doc/doc.h"

#endif
