/* Eight bytes at a time, each word mixed with a multiply and a rotate, finished with the
 * murmur3 avalanche. Fast on the short keys we hash (SKUs, order ids) and on whole
 * records. */
#include "hash.h"

#include <string.h>

static uint64_t rotl(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

static uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return h;
}

uint64_t eng_hash_bytes(const void *p, size_t len)
{
    const unsigned char *s = p;
    const uint64_t k = UINT64_C(0x9E3779B97F4A7C15);
    uint64_t h = UINT64_C(0x243F6A8885A308D3) ^ (len * k);
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = rotl(h ^ (w * k), 29) * UINT64_C(0xBF58476D1CE4E5B9);
        s += 8;
        len -= 8;
    }
    uint64_t tail = 0;
    memcpy(&tail, s, len);
    h = rotl(h ^ (tail * k), 29) * UINT64_C(0xBF58476D1CE4E5B9);
    return mix(h);
}
