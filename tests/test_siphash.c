/* Tests of engine/base/siphash: the reference's 128-bit test vectors for SipHash-2-4
 * (key 00..0f, message 00..len-1), and the 1-3 rounds the engine uses against OpenSSL's
 * own SipHash (EVP_MAC "SIPHASH" with C-ROUNDS and D-ROUNDS) on inputs of every length
 * up to 300 bytes. */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "../engine/base/siphash.h"
#include "testutil.h"

static const eng_sip_key ref_key = {UINT64_C(0x0706050403020100), UINT64_C(0x0f0e0d0c0b0a0908)};

static void as_bytes(const uint64_t out[2], unsigned char b[16])
{
    for (int i = 0; i < 16; i++)
        b[i] = (unsigned char)(out[i / 8] >> (8 * (i % 8)));
}

Test(siphash, reference_vectors_2_4_128)
{
    static const unsigned char want[3][16] = {
        {0xa3, 0x81, 0x7f, 0x04, 0xba, 0x25, 0xa8, 0xe6, 0x6d, 0xf6, 0x72, 0x14, 0xc7, 0x55, 0x02,
         0x93},
        {0xda, 0x87, 0xc1, 0xd8, 0x6b, 0x99, 0xaf, 0x44, 0x34, 0x76, 0x59, 0x11, 0x9b, 0x22, 0xfc,
         0x45},
        {0x81, 0x77, 0x22, 0x8d, 0xa4, 0xa4, 0x5d, 0xc7, 0xfc, 0xa3, 0x8b, 0xde, 0xf6, 0x0a, 0xff,
         0xe4},
    };
    unsigned char msg[2] = {0, 1};
    for (size_t len = 0; len < 3; len++) {
        uint64_t out[2];
        unsigned char got[16];
        eng_siphash128(&ref_key, 2, 4, msg, len, out);
        as_bytes(out, got);
        cr_assert_arr_eq(got, want[len], 16, "length %zu", len);
    }
}

/* OpenSSL's SipHash with the given rounds, 16-byte output. */
static void openssl_siphash(const unsigned char key[16], int c, int d, const unsigned char *msg,
                            size_t len, unsigned char out[16])
{
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "SIPHASH", NULL);
    cr_assert_not_null(mac);
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
    cr_assert_not_null(ctx);
    size_t size = 16;
    unsigned int cr = (unsigned)c, dr = (unsigned)d;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size),
        OSSL_PARAM_construct_uint(OSSL_MAC_PARAM_C_ROUNDS, &cr),
        OSSL_PARAM_construct_uint(OSSL_MAC_PARAM_D_ROUNDS, &dr),
        OSSL_PARAM_construct_end(),
    };
    cr_assert_eq(EVP_MAC_init(ctx, key, 16, params), 1);
    cr_assert_eq(EVP_MAC_update(ctx, msg, len), 1);
    size_t got = 0;
    cr_assert_eq(EVP_MAC_final(ctx, out, &got, 16), 1);
    cr_assert_eq(got, 16);
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
}

Test(siphash, one_three_agrees_with_openssl)
{
    unsigned char key[16], msg[300];
    uint64_t seed = 12345;
    for (int i = 0; i < 16; i++)
        key[i] = (unsigned char)(0xA0 + i * 7);
    for (size_t i = 0; i < sizeof msg; i++) {
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        msg[i] = (unsigned char)(seed >> 56);
    }
    eng_sip_key k = {0, 0};
    for (int i = 7; i >= 0; i--) {
        k.k0 = k.k0 << 8 | key[i];
        k.k1 = k.k1 << 8 | key[8 + i];
    }
    for (size_t len = 0; len <= sizeof msg; len++) {
        uint64_t out[2];
        unsigned char got[16], want[16];
        eng_siphash13_128(&k, msg, len, out);
        as_bytes(out, got);
        openssl_siphash(key, 1, 3, msg, len, want);
        cr_assert_arr_eq(got, want, 16, "length %zu", len);
    }
}

Test(siphash, key_changes_the_hash)
{
    eng_sip_key a = ref_key, b = ref_key;
    b.k1 ^= 1;
    uint64_t x[2], y[2];
    eng_siphash13_128(&a, "SKU-1,3,9.99", 12, x);
    eng_siphash13_128(&b, "SKU-1,3,9.99", 12, y);
    cr_assert(x[0] != y[0] || x[1] != y[1]);
    eng_sip_key r1 = eng_sip_key_random(), r2 = eng_sip_key_random();
    cr_assert(r1.k0 != r2.k0 || r1.k1 != r2.k1, "two random keys are the same");
}

/* The hash of parts is the hash of the parts put together, wherever the cuts fall
 * (inside a word, on a word's edge, parts empty or shorter than a word). */
Test(siphash, parts_hash_as_their_concatenation)
{
    eng_sip_key key = {UINT64_C(0x0706050403020100), UINT64_C(0x0f0e0d0c0b0a0908)};
    unsigned char buf[41];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (unsigned char)(i * 37 + 11);
    for (size_t len = 0; len <= sizeof buf; len++)
        for (size_t a = 0; a <= len; a++)
            for (size_t b = a; b <= len; b++) {
                uint64_t whole[2], split[2];
                eng_siphash13_128(&key, buf, len, whole);
                eng_sip_part parts[3] = {{buf, a}, {buf + a, b - a}, {buf + b, len - b}};
                eng_siphash13_128_parts(&key, parts, 3, split);
                cr_assert(whole[0] == split[0] && whole[1] == split[1], "len %zu, cuts %zu %zu",
                          len, a, b);
            }
    uint64_t empty[2], none[2];
    eng_siphash13_128(&key, "", 0, empty);
    eng_sip_part nothing = {NULL, 0};
    eng_siphash13_128_parts(&key, &nothing, 1, none);
    cr_assert(empty[0] == none[0] && empty[1] == none[1]);
    eng_siphash13_128_parts(&key, NULL, 0, none);
    cr_assert(empty[0] == none[0] && empty[1] == none[1]);
}
