/* Escaping helpers, which walk the input with fmt_utf8_valid_prefix so that valid runs
 * are copied whole, and the edit distance behind "did you mean". */
#include "text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/csv.h"
#include "../../formats/num.h"
#include "../../formats/utf8.h"

static const char hex[] = "0123456789ABCDEF";

/* Copy n valid bytes, doubling backslashes. */
static size_t copy_escaping_backslash(char *out, const char *s, size_t n)
{
    size_t o = 0;
    for (size_t k = 0; k < n; k++) {
        if (s[k] == '\\')
            out[o++] = '\\';
        out[o++] = s[k];
    }
    return o;
}

char *eng_text_sanitize(eng_arena *mem, const char *s, size_t len, size_t *out_len)
{
    /* Worst case every byte becomes four. */
    size_t bad = 0, i = 0;
    while (i < len) {
        size_t ok = fmt_utf8_valid_prefix(s + i, len - i);
        i += ok;
        if (i < len) {
            bad++;
            i++;
        }
    }
    size_t backslashes = 0;
    for (size_t k = 0; k < len; k++)
        backslashes += s[k] == '\\';
    char *out = eng_arena_alloc(mem, len + bad * 3 + backslashes + 1, 1);
    if (!out)
        return NULL;
    size_t o = 0;
    i = 0;
    while (i < len) {
        size_t ok = fmt_utf8_valid_prefix(s + i, len - i);
        o += copy_escaping_backslash(out + o, s + i, ok);
        i += ok;
        if (i < len) {
            unsigned char c = (unsigned char)s[i++];
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
    if (out_len)
        *out_len = o;
    return out;
}

void eng_text_quote(char *dst, size_t cap, const char *s, size_t len)
{
    size_t o = 0;
    size_t limit = cap - 6; /* room for closing quote, "..." and NUL */
    dst[o++] = '"';
    size_t i = 0, shown = 0;
    while (i < len && o < limit) {
        unsigned char c = (unsigned char)s[i];
        size_t ok = fmt_utf8_valid_prefix(s + i, len - i);
        /* C0 controls, DEL and the C1 controls (U+0080..U+009F, C2 80..C2 9F) are
         * escaped: a message must not carry invisible or terminal-steering bytes. */
        int control =
            c < 0x20 || c == 0x7F || (c == 0xC2 && ok >= 2 && (unsigned char)s[i + 1] <= 0x9F);
        if (ok > 0 && !control) {
            /* One whole character: ASCII or a multi-byte sequence. */
            size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
            if (n > ok || o + n >= limit || shown >= 40)
                break;
            memcpy(dst + o, s + i, n);
            o += n;
            i += n;
            shown++;
            continue;
        }
        if (o + 4 >= limit || shown >= 40)
            break;
        dst[o++] = '\\';
        if (c == '\n') {
            dst[o++] = 'n';
        } else if (c == '\r') {
            dst[o++] = 'r';
        } else if (c == '\t') {
            dst[o++] = 't';
        } else {
            dst[o++] = 'x';
            dst[o++] = hex[c >> 4];
            dst[o++] = hex[c & 15];
        }
        i++;
        shown++;
    }
    if (i < len) {
        memcpy(dst + o, "...", 3);
        o += 3;
    }
    dst[o++] = '"';
    dst[o] = '\0';
}

int eng_text_unusable_id(const char *s, size_t len, char *why, size_t cap)
{
    if (fmt_is_scientific(s, len)) { /* "4,00638E+12": an EAN a spreadsheet ate */
        snprintf(why, cap,
                 "is a number in scientific notation: a spreadsheet turned it into a "
                 "number and its last digits are lost");
        return 1;
    }
    if (!fmt_csv_needs_guard(s, len))
        return 0;
    fmt_csv_guard_why(why, cap, s, len);
    return 1;
}

eng_rc eng_text_refuse_guarded(eng_err *err, const char *field, const char *s, size_t len,
                               const char *what, const char *file)
{
    char q[64], why[160];
    if (!eng_text_unusable_id(s, len, why, sizeof why))
        return ENG_OK;
    eng_text_quote(q, sizeof q, s, len);
    if (err)
        err->field = field;
    return ENG_FAIL(err, ENG_REFUSED, "%s %s %s; slipway never changes %s, so fix the %s", field, q,
                    why, what, file);
}

static unsigned char fold(unsigned char c, int fold_case)
{
    return fold_case && c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

size_t eng_text_distance(const char *a, size_t la, const char *b, size_t lb, int fold_case)
{
    /* Two rows of the table, the previous and the current, over b. */
    size_t stack[2 * 64];
    size_t *prev = stack, *cur;
    if (lb + 1 > 64) {
        if (lb > SIZE_MAX / (2 * sizeof *prev) - 1 || !(prev = malloc(2 * (lb + 1) * sizeof *prev)))
            return SIZE_MAX;
    }
    cur = prev + lb + 1;
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        unsigned char ca = fold((unsigned char)a[i - 1], fold_case);
        for (size_t j = 1; j <= lb; j++) {
            size_t best = prev[j - 1] + (ca != fold((unsigned char)b[j - 1], fold_case));
            if (prev[j] + 1 < best)
                best = prev[j] + 1;
            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1;
            cur[j] = best;
        }
        size_t *t = prev;
        prev = cur;
        cur = t;
    }
    size_t d = prev[lb];
    if (lb + 1 > 64)
        free(prev < cur ? prev : cur);
    return d;
}

void eng_text_nearest_offer(eng_text_nearest *n, const char *name, size_t name_len,
                            const char *cand, size_t len)
{
    size_t folded = eng_text_distance(name, name_len, cand, len, 1);
    size_t exact = eng_text_distance(name, name_len, cand, len, 0);
    if (n->best) {
        if (folded != n->folded) {
            if (folded > n->folded)
                return;
        } else if (exact != n->exact) {
            if (exact > n->exact)
                return;
        } else {
            int c = memcmp(cand, n->best, len < n->best_len ? len : n->best_len);
            if (c > 0 || (c == 0 && len >= n->best_len))
                return;
        }
    }
    n->best = cand;
    n->best_len = len;
    n->folded = folded;
    n->exact = exact;
}
