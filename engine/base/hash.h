/* 64-bit hashing of byte strings, for hash tables and the duplicate-row check. Not
 * cryptographic; a seedless, fixed function so that anything derived from it (partition
 * of an order, table layout) is the same on every run. */
#ifndef ENG_HASH_H
#define ENG_HASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t eng_hash_bytes(const void *p, size_t len);

#endif
