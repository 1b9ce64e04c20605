/* SipHash with a 128-bit result (Aumasson and Bernstein), for the duplicate-row check:
 * a keyed pseudo-random function, so that with a key drawn at random per run nobody
 * can build two records that hash alike, and fast on short inputs: a record of ~150
 * bytes costs about 50 ns, where a SHA-256 through libcrypto's EVP layer cost 3-4 times
 * that. The engine uses SipHash-1-3, as Rust's and Python's hash tables do; the round
 * counts are parameters of eng_siphash128 for the reference test vectors, which are
 * for 2-4. */
#ifndef ENG_SIPHASH_H
#define ENG_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

typedef struct eng_sip_key {
    uint64_t k0, k1;
} eng_sip_key;

/* SipHash-c-d-128 of len bytes at p; out[0] is the first 8 bytes of the reference's
 * output read little-endian, out[1] the next 8. */
void eng_siphash128(const eng_sip_key *key, int c_rounds, int d_rounds, const void *p, size_t len,
                    uint64_t out[2]);

/* SipHash-1-3-128, the engine's. */
void eng_siphash13_128(const eng_sip_key *key, const void *p, size_t len, uint64_t out[2]);

/* eng_siphash13_128 of parts[0 .. n) one after another, without copying them together. */
typedef struct eng_sip_part {
    const void *p;
    size_t len;
} eng_sip_part;
void eng_siphash13_128_parts(const eng_sip_key *key, const eng_sip_part *parts, size_t n,
                             uint64_t out[2]);

/* A key from the system's random source (getrandom), or, when a sandbox refuses it, from
 * the clock and the process id: never one a file could be written against in advance. */
eng_sip_key eng_sip_key_random(void);

#endif
