/* Tests of formats/wire and formats/exchange: numbers and texts come back as written
 * (zigzag, the widest varints), a truncated or overlong value turns `bad` on and reads
 * zeros instead of running past the end, an exchange file reads back what was written,
 * and one with other bytes on disk, of another kind, or missing is refused by name. */
#include <fcntl.h>
#include <unistd.h>

#include "../formats/exchange.h"
#include "../formats/wire.h"
#include "testutil.h"

TestSuite(exchange, .init = tu_dir_new, .fini = tu_dir_remove);

Test(exchange, numbers_and_texts_round_trip)
{
    fmt_buf b;
    fmt_buf_init(&b);
    const uint64_t u[] = {0, 1, 127, 128, 300, UINT32_MAX, UINT64_MAX};
    const int64_t i[] = {0, -1, 1, -64, 64, INT64_MIN, INT64_MAX};
    for (size_t k = 0; k < 7; k++) {
        wire_put_u64(&b, u[k]);
        wire_put_i64(&b, i[k]);
    }
    wire_put_bytes(&b, "abc", 3);
    wire_put_text_or_null(&b, NULL);
    wire_put_text_or_null(&b, "");
    /* pairs (u, zigzag i): 1+1, 1+1, 1+1, 2+1 (-64 is 127), 2+2 (64 is 128), 5+10, 10+10;
     * "abc" 1+3; NULL 1; "" 1 */
    cr_assert_eq(b.len, 2 + 2 + 2 + 3 + 4 + 15 + 20 + 4 + 1 + 1);
    wire_in in;
    wire_in_init(&in, b.p, b.len);
    for (size_t k = 0; k < 7; k++) {
        cr_assert_eq(wire_get_u64(&in), u[k]);
        cr_assert_eq(wire_get_i64(&in), i[k]);
    }
    size_t len;
    int is_null;
    const char *s = wire_get_bytes(&in, &len);
    cr_assert(len == 3 && memcmp(s, "abc", 3) == 0);
    wire_get_text_or_null(&in, &len, &is_null);
    cr_assert(is_null);
    wire_get_text_or_null(&in, &len, &is_null);
    cr_assert(!is_null && len == 0);
    cr_assert(!in.bad && wire_in_done(&in));
    fmt_buf_release(&b);
}

Test(exchange, overruns_read_zeros)
{
    const unsigned char cut[] = {0x80, 0x80}; /* a varint that never ends */
    wire_in in;
    wire_in_init(&in, cut, sizeof cut);
    cr_assert_eq(wire_get_u64(&in), 0);
    cr_assert(in.bad);
    cr_assert_eq(wire_get_u64(&in), 0); /* stays bad, never reads past the end */
    const unsigned char eleven[11] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                      0xff, 0xff, 0xff, 0xff, 0x01};
    wire_in_init(&in, eleven, sizeof eleven);
    wire_get_u64(&in);
    cr_assert(in.bad, "a varint over 64 bits is refused");
    const unsigned char long_text[] = {5, 'a', 'b'}; /* says 5 bytes, has 2 */
    wire_in_init(&in, long_text, sizeof long_text);
    size_t len = 99;
    wire_get_bytes(&in, &len);
    cr_assert(in.bad && len == 0);
    const unsigned char big[] = {200, 1};
    wire_in_init(&in, big, sizeof big);
    cr_assert_eq(wire_get_max(&in, 199), 0);
    cr_assert(in.bad);
}

static int open_dir(void)
{
    int fd = open(tu_dir, O_RDONLY | O_DIRECTORY);
    cr_assert_geq(fd, 0);
    return fd;
}

Test(exchange, file_round_trip_and_refusals)
{
    int dir = open_dir();
    fmt_buf b, back;
    fmt_buf_init(&b);
    fmt_buf_init(&back);
    for (int k = 0; k < 100000; k++)
        wire_put_u64(&b, (uint64_t)k * 7919u);
    fmt_exchange_file f;
    eng_err err = {0};
    cr_assert_eq(fmt_exchange_write(dir, tu_dir, "a.zst", "map-bucket", &b, &f, &err), ENG_OK, "%s",
                 err.msg);
    cr_assert_str_eq(f.name, "a.zst");
    cr_assert_eq(f.payload, b.len);
    cr_assert_eq(strlen(f.sha256), 64);
    cr_assert_eq(
        fmt_exchange_read(dir, tu_dir, "a.zst", "map-bucket", f.sha256, f.payload, &back, &err),
        ENG_OK, "%s", err.msg);
    cr_assert(back.len == b.len && memcmp(back.p, b.p, b.len) == 0);
    /* nothing left aside under a temporary name */
    char path[512];
    snprintf(path, sizeof path, "%s/.a.zst.%ld.tmp", tu_dir, (long)getpid());
    cr_assert_neq(access(path, F_OK), 0);
    /* another kind */
    cr_assert_eq(fmt_exchange_read(dir, tu_dir, "a.zst", "map-facts", NULL, 0, &back, &err),
                 ENG_REFUSED);
    cr_assert(strstr(err.msg, "a.zst") && strstr(err.msg, "map-facts"), "%s", err.msg);
    /* other bytes on disk than recorded */
    char other[65];
    memcpy(other, f.sha256, 65);
    other[0] = other[0] == '0' ? '1' : '0';
    cr_assert_eq(fmt_exchange_read(dir, tu_dir, "a.zst", "map-bucket", other, 0, &back, &err),
                 ENG_REFUSED);
    cr_assert(strstr(err.msg, "SHA-256"), "%s", err.msg);
    /* missing */
    cr_assert_eq(fmt_exchange_read(dir, tu_dir, "none.zst", "map-bucket", NULL, 0, &back, &err),
                 ENG_REFUSED);
    cr_assert(strstr(err.msg, "none.zst"), "%s", err.msg);
    /* written again: the same bytes replace the file whole */
    fmt_exchange_file g;
    cr_assert_eq(fmt_exchange_write(dir, tu_dir, "a.zst", "map-bucket", &b, &g, &err), ENG_OK);
    cr_assert_str_eq(g.sha256, f.sha256);
    /* written a buffer at a time: the same file as written at once */
    fmt_exchange_out *x = NULL;
    cr_assert_eq(fmt_exchange_create(dir, tu_dir, "c.zst", "map-bucket", &x, &err), ENG_OK);
    fmt_buf part;
    fmt_buf_init(&part);
    for (size_t at = 0; at < b.len; at += 1000) {
        fmt_buf_put(&part, b.p + at, b.len - at < 1000 ? b.len - at : 1000);
        cr_assert_eq(fmt_exchange_append(x, &part, &err), ENG_OK);
        cr_assert_eq(part.len, 0);
    }
    fmt_exchange_file c;
    cr_assert_eq(fmt_exchange_finish(x, &c, &err), ENG_OK);
    cr_assert_str_eq(c.sha256, f.sha256);
    cr_assert_eq(c.payload, b.len);
    /* abandoned: nothing left behind */
    cr_assert_eq(fmt_exchange_create(dir, tu_dir, "d.zst", "map-bucket", &x, &err), ENG_OK);
    fmt_exchange_abandon(x);
    snprintf(path, sizeof path, "%s/.d.zst.%ld.tmp", tu_dir, (long)getpid());
    cr_assert_neq(access(path, F_OK), 0);
    snprintf(path, sizeof path, "%s/d.zst", tu_dir);
    cr_assert_neq(access(path, F_OK), 0);
    fmt_buf_release(&part);
    fmt_buf_release(&b);
    fmt_buf_release(&back);
    close(dir);
}
