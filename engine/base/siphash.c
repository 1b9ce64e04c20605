/* SipHash, as specified in "SipHash: a fast short-input PRF" (Aumasson, Bernstein,
 * 2012), with the 128-bit output of the reference implementation. */
#include "siphash.h"

#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static uint64_t rotl(uint64_t x, int b)
{
    return (x << b) | (x >> (64 - b));
}

static uint64_t load_le64(const unsigned char *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t v;
    memcpy(&v, p, 8); /* one load */
    return v;
#else
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
#endif
}

typedef struct sip_state {
    uint64_t v0, v1, v2, v3;
} sip_state;

static void rounds(sip_state *s, int n)
{
    for (int i = 0; i < n; i++) {
        s->v0 += s->v1;
        s->v1 = rotl(s->v1, 13);
        s->v1 ^= s->v0;
        s->v0 = rotl(s->v0, 32);
        s->v2 += s->v3;
        s->v3 = rotl(s->v3, 16);
        s->v3 ^= s->v2;
        s->v0 += s->v3;
        s->v3 = rotl(s->v3, 21);
        s->v3 ^= s->v0;
        s->v2 += s->v1;
        s->v1 = rotl(s->v1, 17);
        s->v1 ^= s->v2;
        s->v2 = rotl(s->v2, 32);
    }
}

static void absorb(sip_state *s, int c_rounds, uint64_t m)
{
    s->v3 ^= m;
    rounds(s, c_rounds);
    s->v0 ^= m;
}

static inline void siphash128(const eng_sip_key *key, int c_rounds, int d_rounds, const void *p,
                              size_t len, uint64_t out[2])
{
    const unsigned char *in = p;
    sip_state s = {key->k0 ^ UINT64_C(0x736f6d6570736575), key->k1 ^ UINT64_C(0x646f72616e646f6d),
                   key->k0 ^ UINT64_C(0x6c7967656e657261), key->k1 ^ UINT64_C(0x7465646279746573)};
    s.v1 ^= 0xee; /* the 128-bit variant */
    size_t left = len;
    for (; left >= 8; in += 8, left -= 8)
        absorb(&s, c_rounds, load_le64(in));
    unsigned char last[8] = {0};
    memcpy(last, in, left);
    absorb(&s, c_rounds, load_le64(last) | (uint64_t)(len & 0xff) << 56);
    s.v2 ^= 0xee;
    rounds(&s, d_rounds);
    out[0] = s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
    s.v1 ^= 0xdd;
    rounds(&s, d_rounds);
    out[1] = s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

void eng_siphash13_128_parts(const eng_sip_key *key, const eng_sip_part *parts, size_t n,
                             uint64_t out[2])
{
    sip_state s = {key->k0 ^ UINT64_C(0x736f6d6570736575), key->k1 ^ UINT64_C(0x646f72616e646f6d),
                   key->k0 ^ UINT64_C(0x6c7967656e657261), key->k1 ^ UINT64_C(0x7465646279746573)};
    s.v1 ^= 0xee;
    unsigned char word[8]; /* bytes not yet absorbed: fewer than 8, carried across parts */
    size_t have = 0, total = 0;
    for (size_t i = 0; i < n; i++) {
        const unsigned char *in = parts[i].p;
        size_t left = parts[i].len;
        total += left;
        if (have) {
            if (left == 0)
                continue; /* (memcpy's pointers must be valid even for no bytes) */
            size_t take = left < 8 - have ? left : 8 - have;
            memcpy(word + have, in, take);
            have += take;
            in += take;
            left -= take;
            if (have < 8)
                continue;
            absorb(&s, 1, load_le64(word));
            have = 0;
        }
        for (; left >= 8; in += 8, left -= 8)
            absorb(&s, 1, load_le64(in));
        if (left)
            memcpy(word, in, left);
        have = left;
    }
    unsigned char last[8] = {0};
    if (have)
        memcpy(last, word, have);
    absorb(&s, 1, load_le64(last) | (uint64_t)(total & 0xff) << 56);
    s.v2 ^= 0xee;
    rounds(&s, 3);
    out[0] = s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
    s.v1 ^= 0xdd;
    rounds(&s, 3);
    out[1] = s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

void eng_siphash128(const eng_sip_key *key, int c_rounds, int d_rounds, const void *p, size_t len,
                    uint64_t out[2])
{
    siphash128(key, c_rounds, d_rounds, p, len, out);
}

void eng_siphash13_128(const eng_sip_key *key, const void *p, size_t len, uint64_t out[2])
{
    siphash128(key, 1, 3, p, len, out); /* rounds known here: unrolled */
}

eng_sip_key eng_sip_key_random(void)
{
    /* getrandom(2) needs no file descriptor and waits only until the kernel's pool is
     * first seeded; when even it fails (a seccomp filter), the clock and the process id
     * still make a key no file was written against in advance. */
    uint64_t buf[2];
    if (getrandom(buf, sizeof buf, 0) != (ssize_t)sizeof buf) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        buf[0] = ((uint64_t)ts.tv_sec << 30) ^ (uint64_t)ts.tv_nsec ^ UINT64_C(0x9E3779B97F4A7C15);
        buf[1] = ((uint64_t)getpid() << 32) ^ (uint64_t)clock() ^ (uintptr_t)&ts;
    }
    eng_sip_key k = {buf[0], buf[1]};
    return k;
}
