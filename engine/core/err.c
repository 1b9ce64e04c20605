/* Tables behind err.h and the one place that turns an eng_err into a line of text. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    int exit_code;
} rc_table[] = {
#define ENG_RC_ROW(name, exit, text) {#name, exit},
    ENG_RC_MAP(ENG_RC_ROW)
#undef ENG_RC_ROW
};

static const struct {
    const char *name;
    const char *text;
} code_table[] = {
#define ENG_CODE_ROW(name, text) {#name, text},
    ENG_CODE_MAP(ENG_CODE_ROW)
#undef ENG_CODE_ROW
};

const char *eng_rc_name(eng_rc rc)
{
    if ((unsigned)rc >= sizeof rc_table / sizeof rc_table[0])
        return "UNKNOWN";
    return rc_table[rc].name;
}

int eng_rc_exit_code(eng_rc rc)
{
    if ((unsigned)rc >= sizeof rc_table / sizeof rc_table[0])
        return 1;
    return rc_table[rc].exit_code;
}

const char *eng_code_name(eng_code code)
{
    if ((unsigned)code >= ENG_CODE_COUNT || code == ENG_CODE_NONE)
        return "";
    return code_table[code].name;
}

const char *eng_code_text(eng_code code)
{
    if ((unsigned)code >= ENG_CODE_COUNT)
        return "";
    return code_table[code].text;
}

eng_code eng_code_from_name(const char *name)
{
    for (unsigned i = 1; i < ENG_CODE_COUNT; i++)
        if (strcmp(code_table[i].name, name) == 0)
            return (eng_code)i;
    return ENG_CODE_NONE;
}

eng_rc eng__err_set(eng_err *err, eng_rc rc, const char *src, int src_line, const char *fmt, ...)
{
    if (!err)
        return rc;
    err->rc = rc;
    err->src = src;
    err->src_line = src_line;
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(err->msg, sizeof err->msg, fmt, ap); /* truncation is acceptable */
    va_end(ap);
    return rc;
}

void eng_err_print(const eng_err *err)
{
    char where[512] = "";
    size_t n = 0;
    if (err->path) {
        if (err->line)
            n = (size_t)snprintf(where, sizeof where, "%s:%llu: ", err->path,
                                 (unsigned long long)err->line);
        else
            n = (size_t)snprintf(where, sizeof where, "%s: ", err->path);
    }
    if (err->field && n < sizeof where)
        (void)snprintf(where + n, sizeof where - n, "field \"%s\": ", err->field);
    fprintf(stderr, "slipway: %s%s\n", where, err->msg);
}

eng_err *eng_err_fresh(eng_err *err)
{
    err->path = NULL;
    err->line = 0;
    err->field = NULL;
    err->sys_errno = 0;
    err->code = ENG_CODE_NONE;
    return err;
}
