/* Result codes, SPEC exception codes and the error record every fallible call fills.
 *
 * Two kinds of failure travel through slipway. A *system* failure (no memory, a write
 * error, a refused input) ends the run and maps to an exit code. A *data* failure
 * concerns one record: it becomes a row of exceptions.csv and the run goes on. Both are
 * described by one eng_err so that stderr and exceptions.csv say the same thing.
 *
 * Uses libc only: formats/ may include it. */
#ifndef ENG_ERR_H
#define ENG_ERR_H

#include <stdint.h>

/* name, exit code, text */
#define ENG_RC_MAP(X)                 \
    X(OK, 0, "ok")                    \
    X(NOMEM, 1, "out of memory")      \
    X(IO, 1, "I/O failure")           \
    X(INTERNAL, 1, "internal error")  \
    X(USAGE, 2, "usage error")        \
    X(REFUSED, 3, "input refused")    \
    X(DATA, 3, "bad record")          \
    X(STOCK, 0, "insufficient stock") \
    X(BROKEN, 4, "invariant broken")

typedef enum eng_rc {
#define ENG_RC_ENUM(name, exit, text) ENG_##name,
    ENG_RC_MAP(ENG_RC_ENUM)
#undef ENG_RC_ENUM
} eng_rc;

/* SPEC's exception codes. The order of the order codes is SPEC's tie-break order, so the
 * enum value is the rank used when one row carries several codes. Codes are stable: never
 * renamed; a new one goes where its rank belongs (only names are written, never values).
 * UNSAFE_TEXT (issue 15) ranks with the codes for a value that cannot be read as given,
 * right after BAD_ENCODING: an id a spreadsheet would run as a formula is wrong at the
 * source, whatever else the row has. ORDER_AMENDED and ORDER_CHANGED_AFTER_SHIPMENT (issue
 * 15) rank with DUPLICATE_ORDER, after it: they too judge a copy of an order as a whole. */
#define ENG_CODE_MAP(X)                                                                  \
    X(NONE, "")                                                                          \
    X(MALFORMED_ROW, "the row is not well-formed CSV or has the wrong number of fields") \
    X(BAD_ENCODING, "the text is not valid UTF-8")                                       \
    X(UNSAFE_TEXT, "an id, SKU or postal code a spreadsheet would run or has mangled")   \
    X(MISSING_FIELD, "a required value is blank")                                        \
    X(BAD_NUMBER, "not a valid amount")                                                  \
    X(BAD_QTY, "quantity is not a positive whole number")                                \
    X(BAD_DATE, "not a valid ISO 8601 date in 1970-2099")                                \
    X(UNKNOWN_SKU, "the SKU is not in the catalog")                                      \
    X(SKU_INACTIVE, "the SKU is not active in the catalog")                              \
    X(PRICE_BELOW_MIN, "the unit price is below the catalog minimum")                    \
    X(CURRENCY_MISMATCH, "the SKU has no catalog price in the order's currency")         \
    X(INCONSISTENT_ORDER, "the rows of the order disagree")                              \
    X(TOTAL_MISMATCH, "the stated order total does not add up")                          \
    X(DUPLICATE_ROW, "the row repeats an earlier row of its order")                      \
    X(DUPLICATE_ORDER, "the order was already received")                                 \
    X(ORDER_AMENDED, "another copy of the order changes it and goes on instead")         \
    X(ORDER_CHANGED_AFTER_SHIPMENT, "the order changed after it had fully shipped")      \
    X(INSUFFICIENT_STOCK, "not enough stock to ship")                                    \
    X(NO_ALLOWED_WAREHOUSE, "no warehouse the order may ship from stocks the SKU")       \
    X(AFTER_CUTOFF, "ordered after tonight's cut-off: ships tomorrow")                   \
    X(SUPERSEDED_ROW, "a later row of the same marketplace line replaces this one")      \
    X(RETURN_UNKNOWN_ORDER, "no shipped order with this id")                             \
    X(RETURN_SKU_NOT_IN_ORDER, "the SKU was not shipped in this order")                  \
    X(RETURN_QTY_EXCEEDS, "more units than shipped and not yet returned")                \
    X(RETURN_WINDOW_EXPIRED, "the return window has expired")                            \
    X(RETURN_NOT_RETURNABLE, "the product is not returnable")                            \
    X(RETURN_DUPLICATE, "the return request was already received")                       \
    X(RETURN_DAMAGED, "refunded, not restocked")                                         \
    X(BAD_VALUE, "not one of the allowed values")                                        \
    X(STOCKOUT, "out of stock for tonight's demand")                                     \
    X(LOW_STOCK, "at or below the reorder point")

typedef enum eng_code {
#define ENG_CODE_ENUM(name, text) ENG_CODE_##name,
    ENG_CODE_MAP(ENG_CODE_ENUM)
#undef ENG_CODE_ENUM
        ENG_CODE_COUNT
} eng_code;

typedef struct eng_err {
    eng_rc rc;
    eng_code code;     /* SPEC exception code for data errors, else ENG_CODE_NONE */
    const char *path;  /* input file as given; borrowed, valid for the run */
    uint64_t line;     /* 1-based physical line where the record starts; 0 if none */
    const char *field; /* column name; NULL for the whole record or file */
    int sys_errno;     /* errno for ENG_IO and refused unreadable files, else 0 */
    const char *src;   /* __FILE__ and __LINE__ that raised it */
    int src_line;
    char msg[320]; /* one line, no trailing newline; quotes the offending value */
} eng_err;

/* Name of a result code ("IO") and the exit code SPEC assigns to it. */
const char *eng_rc_name(eng_rc rc);
int eng_rc_exit_code(eng_rc rc);

/* SPEC name of an exception code ("BAD_QTY"), its default message, and the reverse
 * lookup (ENG_CODE_NONE when the name is unknown). */
const char *eng_code_name(eng_code code);
const char *eng_code_text(eng_code code);
eng_code eng_code_from_name(const char *name);

/* Fill err (may be NULL) and return rc. Used through ENG_FAIL so that the raising
 * source line is recorded. */
eng_rc eng__err_set(eng_err *err, eng_rc rc, const char *src, int src_line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

#define ENG_FAIL(err, rc, ...) eng__err_set((err), (rc), __FILE__, __LINE__, __VA_ARGS__)

#define ENG_TRY(expr)                \
    do {                             \
        eng_rc eng_try_rc_ = (expr); \
        if (eng_try_rc_ != ENG_OK)   \
            return eng_try_rc_;      \
    } while (0)

/* err, cleared of where the last error was (path, line, field, errno, code): each stage
 * gets it so, and names the file, line and field its own errors concern, or none. A
 * shared record once kept the path of whatever was read last, and a later failure
 * (history amounts overflowing, the output folder already existing, out of memory) was
 * said to be in the inventory, a returns file or the mapping. Returns err. */
eng_err *eng_err_fresh(eng_err *err);

/* Write err as one line on stderr: "slipway: orders.csv:42: field "qty": not a whole
 * number ("1O")". */
void eng_err_print(const eng_err *err);

#endif
