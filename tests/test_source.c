/* Tests of formats/source: plain and zstd input behind one read call, the refusals, the
 * byte order mark, and the raw byte count and SHA-256 that go into manifest.json.
 *
 * Compressed inputs are made here with ZSTD_compress; expected hashes come from OpenSSL
 * directly (tu_sha256_hex) or from the FIPS 180-2 vector for "abc". */
#include <errno.h>
#include <fcntl.h>
#include <zstd.h>

#include "../formats/source.h"
#include "testutil.h"

TestSuite(source, .init = tu_dir_new, .fini = tu_dir_remove);

#define SHA256_ABC   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA256_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* Text of n bytes that is not a repetition of one short pattern. */
static char *make_text(size_t n)
{
    char *p = malloc(n + 1);
    cr_assert_not_null(p);
    uint64_t st = 12345;
    for (size_t i = 0; i < n; i++)
        p[i] = i % 61 == 60 ? '\n' : (char)('a' + tu_below(&st, 26));
    p[n] = '\0';
    return p;
}

/* data compressed as one zstd frame; *out_len its size. */
static char *compress(const void *data, size_t len, size_t *out_len)
{
    size_t cap = ZSTD_compressBound(len);
    char *z = malloc(cap);
    cr_assert_not_null(z);
    size_t n = ZSTD_compress(z, cap, data, len, 3);
    cr_assert(!ZSTD_isError(n), "%s", ZSTD_getErrorName(n));
    *out_len = n;
    return z;
}

/* Everything the source yields, reading cap bytes at a time. Returns the read result of
 * the failing call, or ENG_OK; *out is malloc'd. */
static eng_rc read_all(fmt_source *s, size_t cap, char **out, size_t *len, eng_err *err)
{
    size_t n = 0, room = 4096;
    char *p = malloc(room);
    cr_assert_not_null(p);
    char *chunk = malloc(cap);
    cr_assert_not_null(chunk);
    eng_rc rc;
    for (;;) {
        size_t k = 0;
        rc = fmt_source_read(s, chunk, cap, &k, err);
        if (rc != ENG_OK || k == 0)
            break;
        cr_assert_leq(k, cap);
        while (room - n < k) {
            room *= 2;
            p = realloc(p, room);
            cr_assert_not_null(p);
        }
        memcpy(p + n, chunk, k);
        n += k;
    }
    free(chunk);
    *out = p;
    *len = n;
    return rc;
}

/* Open path, read it all with reads of cap bytes, expect success and want. */
static void assert_reads(const char *path, size_t cap, const char *want, size_t want_len)
{
    fmt_source *s = NULL;
    eng_err err = {0};
    cr_assert_eq(fmt_source_open(path, &s, &err), ENG_OK, "open %s: %s", path, err.msg);
    char *got;
    size_t len;
    eng_rc rc = read_all(s, cap, &got, &len, &err);
    cr_assert_eq(rc, ENG_OK, "read %s with cap %zu: %s", path, cap, err.msg);
    cr_assert_eq(len, want_len, "read %s with cap %zu: %zu bytes, want %zu", path, cap, len,
                 want_len);
    cr_assert(want_len == 0 || memcmp(got, want, want_len) == 0, "read %s: content differs", path);
    free(got);
    fmt_source_close(s);
}

Test(source, plain_file_reads_back_identical)
{
    char path[512];
    char *text = make_text(300000);
    tu_write(tu_path(path, sizeof path, "plain.csv"), text, 300000);
    assert_reads(path, 1 << 16, text, 300000);
    assert_reads(path, 1000, text, 300000);
    assert_reads(path, 3, text, 300000);
    free(text);
}

Test(source, plain_file_is_not_zstd)
{
    char path[512];
    tu_write(tu_path(path, sizeof path, "plain.csv"), "a,b\n", 4);
    fmt_source *s = NULL;
    eng_err err = {0};
    cr_assert_eq(fmt_source_open(path, &s, &err), ENG_OK);
    cr_assert_eq(fmt_source_is_zstd(s), 0);
    fmt_source_close(s);
}

Test(source, empty_file_reads_as_end_of_file)
{
    char path[512];
    tu_write(tu_path(path, sizeof path, "empty.csv"), "", 0);
    assert_reads(path, 100, "", 0);
}

Test(source, file_shorter_than_magic_reads_back)
{
    char path[512];
    tu_write(tu_path(path, sizeof path, "tiny.csv"), "a\n", 2);
    assert_reads(path, 100, "a\n", 2);
}

Test(source, zstd_file_reads_back_identical)
{
    char path[512];
    char *text = make_text(500000);
    size_t zlen;
    char *z = compress(text, 500000, &zlen);
    tu_write(tu_path(path, sizeof path, "orders.csv.zst"), z, zlen);
    assert_reads(path, 1 << 16, text, 500000);
    assert_reads(path, 777, text, 500000);
    free(z);
    free(text);
}

/* Regression, found 2026-11-27: after a frame ended, a decompress call without input
 * returned the next frame's header hint, and end of file then read as "truncated", so every
 * valid .zst input was refused (formats/source.c, zstd_read). */
Test(source, small_zstd_file_reads_back_identical)
{
    /* The whole frame fits in one read: the end of file comes right after the frame. */
    char path[512];
    const char *text = "sku,qty\nA,1\n";
    size_t zlen;
    char *z = compress(text, strlen(text), &zlen);
    tu_write(tu_path(path, sizeof path, "small.csv.zst"), z, zlen);
    assert_reads(path, 4096, text, strlen(text));
    free(z);
}

Test(source, zstd_file_is_flagged_zstd)
{
    char path[512];
    size_t zlen;
    char *z = compress("x\n", 2, &zlen);
    tu_write(tu_path(path, sizeof path, "x.csv.zst"), z, zlen);
    fmt_source *s = NULL;
    eng_err err = {0};
    cr_assert_eq(fmt_source_open(path, &s, &err), ENG_OK, "%s", err.msg);
    cr_assert_eq(fmt_source_is_zstd(s), 1);
    fmt_source_close(s);
    free(z);
}

Test(source, zstd_data_without_zst_suffix_is_decompressed)
{
    char path[512];
    const char *text = "order_id,qty\n1,2\n";
    size_t zlen;
    char *z = compress(text, strlen(text), &zlen);
    tu_write(tu_path(path, sizeof path, "orders.csv"), z, zlen);
    assert_reads(path, 4096, text, strlen(text));
    free(z);
}

Test(source, two_concatenated_zstd_frames_read_as_one_stream)
{
    /* `cat a.zst b.zst` is a valid zstd file; zstd -d gives both contents. */
    char path[512];
    size_t la, lb;
    char *a = compress("first,1\n", 8, &la);
    char *b = compress("second,2\n", 9, &lb);
    char *both = malloc(la + lb);
    cr_assert_not_null(both);
    memcpy(both, a, la);
    memcpy(both + la, b, lb);
    tu_write(tu_path(path, sizeof path, "two.zst"), both, la + lb);
    assert_reads(path, 4096, "first,1\nsecond,2\n", 17);
    free(a);
    free(b);
    free(both);
}

Test(source, zst_name_with_plain_text_is_refused)
{
    char path[512];
    tu_write(tu_path(path, sizeof path, "x.zst"), "a,b\n1,2\n", 8);
    fmt_source *s = NULL;
    eng_err err = {0};
    cr_assert_eq(fmt_source_open(path, &s, &err), ENG_REFUSED);
    cr_assert_null(s);
    cr_assert_str_eq(err.path, path);
    cr_assert_neq(err.msg[0], '\0');
}

Test(source, empty_zst_file_is_refused)
{
    char path[512];
    tu_write(tu_path(path, sizeof path, "empty.zst"), "", 0);
    fmt_source *s = NULL;
    eng_err err = {0};
    cr_assert_eq(fmt_source_open(path, &s, &err), ENG_REFUSED);
}

static void assert_truncated_refused(size_t keep_from_end)
{
    char path[512];
    char *text = make_text(200000);
    size_t zlen;
    char *z = compress(text, 200000, &zlen);
    cr_assert_gt(zlen, keep_from_end + 4);
    tu_write(tu_path(path, sizeof path, "cut.csv.zst"), z, zlen - keep_from_end);
    fmt_source *s = NULL;
    eng_err err = {0};
    cr_assert_eq(fmt_source_open(path, &s, &err), ENG_OK, "%s", err.msg);
    char *got;
    size_t len;
    cr_assert_eq(read_all(s, 1 << 16, &got, &len, &err), ENG_REFUSED,
                 "a zstd file missing its last %zu bytes was read to the end (%zu bytes)",
                 keep_from_end, len);
    cr_assert_neq(err.msg[0], '\0');
    free(got);
    fmt_source_close(s);
    free(z);
    free(text);
}

Test(source, zstd_file_missing_half_is_refused)
{
    char path[512];
    char *text = make_text(200000);
    size_t zlen;
    char *z = compress(text, 200000, &zlen);
    tu_write(tu_path(path, sizeof path, "half.csv.zst"), z, zlen / 2);
    fmt_source *s = NULL;
    eng_err err = {0};
    cr_assert_eq(fmt_source_open(path, &s, &err), ENG_OK, "%s", err.msg);
    char *got;
    size_t len;
    cr_assert_eq(read_all(s, 1 << 16, &got, &len, &err), ENG_REFUSED);
    free(got);
    fmt_source_close(s);
    free(z);
    free(text);
}

Test(source, zstd_file_missing_its_last_byte_is_refused)
{
    assert_truncated_refused(1);
}

Test(source, corrupt_zstd_data_is_refused)
{
    char path[512];
    char *text = make_text(100000);
    size_t zlen;
    char *z = compress(text, 100000, &zlen);
    for (size_t i = 20; i < zlen; i += 7)
        z[i] = (char)(z[i] ^ 0x5A);
    tu_write(tu_path(path, sizeof path, "bad.csv.zst"), z, zlen);
    fmt_source *s = NULL;
    eng_err err = {0};
    cr_assert_eq(fmt_source_open(path, &s, &err), ENG_OK, "%s", err.msg);
    char *got;
    size_t len;
    cr_assert_eq(read_all(s, 1 << 16, &got, &len, &err), ENG_REFUSED);
    free(got);
    fmt_source_close(s);
    free(z);
    free(text);
}

Test(source, directory_is_refused)
{
    char path[512];
    tu_path(path, sizeof path, "adir");
    cr_assert_eq(mkdir(path, 0755), 0);
    fmt_source *s = NULL;
    eng_err err = {0};
    cr_assert_eq(fmt_source_open(path, &s, &err), ENG_REFUSED);
    cr_assert_null(s);
    cr_assert_str_eq(err.path, path);
}

Test(source, missing_file_is_refused_with_errno)
{
    char path[512];
    tu_path(path, sizeof path, "nope.csv");
    fmt_source *s = NULL;
    eng_err err = {0};
    cr_assert_eq(fmt_source_open(path, &s, &err), ENG_REFUSED);
    cr_assert_null(s);
    cr_assert_eq(err.sys_errno, ENOENT);
    cr_assert_str_eq(err.path, path);
}

Test(source, bom_at_start_is_dropped)
{
    char path[512];
    tu_write(tu_path(path, sizeof path, "bom.csv"), "\xEF\xBB\xBFsku,qty\n", 11);
    assert_reads(path, 4096, "sku,qty\n", 8);
    assert_reads(path, 3, "sku,qty\n", 8);
}

Test(source, file_of_only_a_bom_reads_empty)
{
    char path[512];
    tu_write(tu_path(path, sizeof path, "bom.csv"), "\xEF\xBB\xBF", 3);
    assert_reads(path, 4096, "", 0);
}

Test(source, bom_followed_by_one_byte_leaves_that_byte)
{
    char path[512];
    tu_write(tu_path(path, sizeof path, "bom.csv"), "\xEF\xBB\xBFx", 4);
    assert_reads(path, 4096, "x", 1);
}

Test(source, first_two_bom_bytes_alone_are_kept)
{
    char path[512];
    tu_write(tu_path(path, sizeof path, "two.csv"), "\xEF\xBBx\n", 4);
    assert_reads(path, 4096, "\xEF\xBBx\n", 4);
}

Test(source, bom_after_the_start_is_kept)
{
    char path[512];
    tu_write(tu_path(path, sizeof path, "mid.csv"), "a\xEF\xBB\xBF\n", 5);
    assert_reads(path, 4096, "a\xEF\xBB\xBF\n", 5);
}

Test(source, bom_inside_zstd_data_is_dropped)
{
    char path[512];
    const char *text = "\xEF\xBB\xBFsku,qty\nA,1\n";
    size_t zlen;
    char *z = compress(text, strlen(text), &zlen);
    tu_write(tu_path(path, sizeof path, "bom.csv.zst"), z, zlen);
    assert_reads(path, 4096, "sku,qty\nA,1\n", 12);
    free(z);
}

/* Read path to the end; return raw bytes and hash. */
static uint64_t digest_of(const char *path, char hex[65])
{
    fmt_source *s = NULL;
    eng_err err = {0};
    cr_assert_eq(fmt_source_open(path, &s, &err), ENG_OK, "%s", err.msg);
    char *got;
    size_t len;
    cr_assert_eq(read_all(s, 1000, &got, &len, &err), ENG_OK, "%s", err.msg);
    free(got);
    uint64_t n = fmt_source_raw_bytes(s);
    fmt_source_sha256(s, hex);
    fmt_source_close(s);
    return n;
}

Test(source, sha256_and_bytes_of_abc)
{
    char path[512], hex[65];
    tu_write(tu_path(path, sizeof path, "abc.txt"), "abc", 3);
    cr_assert_eq(digest_of(path, hex), 3);
    cr_assert_str_eq(hex, SHA256_ABC);
}

Test(source, sha256_and_bytes_of_empty_file)
{
    char path[512], hex[65];
    tu_write(tu_path(path, sizeof path, "empty.txt"), "", 0);
    cr_assert_eq(digest_of(path, hex), 0);
    cr_assert_str_eq(hex, SHA256_EMPTY);
}

Test(source, sha256_and_bytes_count_the_bom)
{
    /* The manifest describes the file as it is on disk, BOM included. */
    char path[512], hex[65], want[65];
    const char *text = "\xEF\xBB\xBF"
                       "abc";
    tu_write(tu_path(path, sizeof path, "bom.txt"), text, 6);
    tu_sha256_hex(text, 6, want);
    cr_assert_eq(digest_of(path, hex), 6);
    cr_assert_str_eq(hex, want);
}

Test(source, sha256_and_bytes_of_large_plain_file)
{
    char path[512], hex[65], want[65];
    char *text = make_text(1000003);
    tu_write(tu_path(path, sizeof path, "big.csv"), text, 1000003);
    tu_sha256_hex(text, 1000003, want);
    cr_assert_eq(digest_of(path, hex), 1000003);
    cr_assert_str_eq(hex, want);
    free(text);
}

Test(source, sha256_and_bytes_of_zstd_file_describe_compressed_bytes)
{
    char path[512], hex[65], want[65];
    char *text = make_text(300000);
    size_t zlen;
    char *z = compress(text, 300000, &zlen);
    tu_write(tu_path(path, sizeof path, "big.csv.zst"), z, zlen);
    tu_sha256_hex(z, zlen, want);
    cr_assert_eq(digest_of(path, hex), zlen);
    cr_assert_str_eq(hex, want);
    free(z);
    free(text);
}

/* ---- reading a small input whole (policy, mapping; issue 12, 2026-12-06) ---- */

Test(source, slurp_hashes_the_compressed_bytes_and_returns_the_text)
{
    char path[512];
    const char *text = "allocation = partial\nmax_error_rate = 0.1";
    size_t zlen;
    char *z = compress(text, strlen(text), &zlen);
    tu_write(tu_path(path, sizeof path, "policy.conf.zst"), z, zlen);
    fmt_buf b;
    fmt_buf_init(&b);
    fmt_input_info info;
    eng_err err = {0};
    cr_assert_eq(fmt_source_slurp(path, 1u << 20, "policy", &b, &info, &err), ENG_OK, "%s",
                 err.msg);
    cr_assert_eq(b.len, strlen(text));
    cr_assert(memcmp(b.p, text, b.len) == 0);
    char want[65];
    tu_sha256_hex(z, zlen, want);
    cr_assert_eq(info.bytes, zlen);
    cr_assert_str_eq(info.sha256, want);
    cr_assert_eq(info.unended_line, 2, "the line-end check is on the decompressed text");
    fmt_buf_release(&b);
    free(z);
}

Test(source, slurp_refuses_a_text_over_the_limit_naming_it)
{
    char path[512];
    char *text = make_text(5000);
    tu_write(tu_path(path, sizeof path, "big.map"), text, 5000);
    fmt_buf b;
    fmt_buf_init(&b);
    eng_err err = {0};
    cr_assert_eq(fmt_source_slurp(path, 4096, "mapping", &b, NULL, &err), ENG_REFUSED);
    cr_assert(strstr(err.msg, "mapping file is over") != NULL, "%s", err.msg);
    cr_assert_str_eq(err.path, path);
    fmt_buf_release(&b);
    free(text);
}

Test(source, unended_line_counts_lf_crlf_and_lone_cr_as_one_line_each)
{
    cr_assert_eq(fmt_text_unended_line("", 0), 0);
    cr_assert_eq(fmt_text_unended_line("a\n", 2), 0);
    cr_assert_eq(fmt_text_unended_line("a\r", 2), 0);
    cr_assert_eq(fmt_text_unended_line("a", 1), 1);
    cr_assert_eq(fmt_text_unended_line("a\r\nb", 4), 2);
    cr_assert_eq(fmt_text_unended_line("a\rb\n\nc", 7), 4);
}

/* ---- a file that changes while it is read (issue 12, 2026-12-06) ----
 *
 * Regression: a file still being copied in was read as far as it had come and taken as
 * complete (a cut last field shipped quantity 12 as 1). A regular file whose size or
 * modification time differs at the end of reading from what it was at open is refused,
 * naming the file. Each test changes the file between two reads of one source. */

/* Open path, read `first` bytes, call change(path), read to the end: the result. */
static eng_rc read_across_change(const char *path, size_t first, void (*change)(const char *),
                                 eng_err *err)
{
    fmt_source *s = NULL;
    cr_assert_eq(fmt_source_open(path, &s, err), ENG_OK, "%s", err->msg);
    char *buf = malloc(first);
    cr_assert_not_null(buf);
    size_t got = 0;
    while (got < first) {
        size_t k = 0;
        cr_assert_eq(fmt_source_read(s, buf + got, first - got, &k, err), ENG_OK, "%s", err->msg);
        cr_assert_gt(k, 0, "the file ended before the change");
        got += k;
    }
    free(buf);
    change(path);
    char *rest;
    size_t len;
    eng_rc rc = read_all(s, 4096, &rest, &len, err);
    free(rest);
    fmt_source_close(s);
    return rc;
}

static void append_a_row(const char *path)
{
    FILE *f = fopen(path, "ab");
    cr_assert_not_null(f);
    cr_assert_eq(fputs("X-9,2026-11-26,MUG,12,8.00,EUR\n", f) >= 0, 1);
    cr_assert_eq(fclose(f), 0);
}

static void cut_in_half(const char *path)
{
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(truncate(path, st.st_size / 2), 0);
}

/* Same size, new contents: only the modification time tells. Set explicitly, one second
 * on, since the clock may not have ticked since the open. */
static void touch_one_second_on(const char *path)
{
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    struct timespec t[2] = {st.st_atim, st.st_mtim};
    t[1].tv_sec += 1;
    cr_assert_eq(utimensat(AT_FDCWD, path, t, 0), 0);
}

static void append_a_frame(const char *path)
{
    size_t zlen;
    char *z = compress("X-9,2026-11-26,MUG,12,8.00,EUR\n", 31, &zlen);
    FILE *f = fopen(path, "ab");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(z, 1, zlen, f), zlen);
    cr_assert_eq(fclose(f), 0);
    free(z);
}

static void assert_changed_refusal(eng_rc rc, const eng_err *err, const char *path)
{
    cr_assert_eq(rc, ENG_REFUSED, "a file changed while read was accepted");
    cr_assert_str_eq(err->path, path);
    cr_assert(strstr(err->msg, "changed while it was read (a transfer still in progress?); "
                               "wait until it is complete and run again") != NULL,
              "%s", err->msg);
}

Test(source, refuses_a_file_that_grows_while_read)
{
    char path[512];
    char *text = make_text(200000);
    tu_write(tu_path(path, sizeof path, "orders.csv"), text, 200000);
    eng_err err = {0};
    eng_rc rc = read_across_change(path, 50000, append_a_row, &err);
    assert_changed_refusal(rc, &err, path);
    free(text);
}

Test(source, refuses_a_file_that_shrinks_while_read)
{
    char path[512];
    char *text = make_text(200000);
    tu_write(tu_path(path, sizeof path, "orders.csv"), text, 200000);
    eng_err err = {0};
    eng_rc rc = read_across_change(path, 50000, cut_in_half, &err);
    assert_changed_refusal(rc, &err, path);
    free(text);
}

Test(source, refuses_a_file_rewritten_in_place_while_read)
{
    char path[512];
    char *text = make_text(200000);
    tu_write(tu_path(path, sizeof path, "orders.csv"), text, 200000);
    eng_err err = {0};
    eng_rc rc = read_across_change(path, 50000, touch_one_second_on, &err);
    assert_changed_refusal(rc, &err, path);
    free(text);
}

/* A .zst still arriving: the compressed file grows (here by a second frame). */
Test(source, refuses_a_zstd_file_that_grows_while_read)
{
    char path[512];
    char *text = make_text(300000);
    size_t zlen;
    char *z = compress(text, 300000, &zlen);
    tu_write(tu_path(path, sizeof path, "orders.csv.zst"), z, zlen);
    eng_err err = {0};
    eng_rc rc = read_across_change(path, 1000, append_a_frame, &err);
    assert_changed_refusal(rc, &err, path);
    free(z);
    free(text);
}

Test(source, a_file_left_alone_is_read_to_the_end)
{
    char path[512];
    char *text = make_text(200000);
    tu_write(tu_path(path, sizeof path, "orders.csv"), text, 200000);
    assert_reads(path, 4096, text, 200000);
    free(text);
}
