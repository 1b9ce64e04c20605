/* HTML text and inline SVG bar charts for report.html (html.h). */
#include "html.h"

#include <string.h>

void fmt_html_text(fmt_buf *b, const char *s, size_t len)
{
    size_t from = 0;
    for (size_t i = 0; i < len; i++) {
        const char *e = NULL;
        switch (s[i]) {
        case '&':
            e = "&amp;";
            break;
        case '<':
            e = "&lt;";
            break;
        case '>':
            e = "&gt;";
            break;
        case '"':
            e = "&quot;";
            break;
        case '\'':
            e = "&#39;";
            break;
        default:
            /* a control byte of a hostile value is shown, not passed on */
            if ((unsigned char)s[i] < 0x20 && s[i] != '\t')
                e = "?";
        }
        if (e) {
            fmt_buf_put(b, s + from, i - from);
            fmt_buf_puts(b, e);
            from = i + 1;
        }
    }
    fmt_buf_put(b, s + from, len - from);
}

void fmt_html_puts(fmt_buf *b, const char *s)
{
    fmt_html_text(b, s, strlen(s));
}

/* Colours of the stacked parts, told apart in greyscale print too (light to dark). */
static const char *const part_colour[FMT_HTML_SEGMENTS] = {
    "#2e7d32", "#f9a825", "#c62828", "#6a1b9a", "#1565c0", "#00838f", "#8d6e63", "#546e7a"};

#define SINGLE_COLOUR "#546e7a"
#define BAR_W 1000 /* viewBox units of a bar's full length */

static uint64_t sum_parts(const fmt_html_bar *bar, size_t n_parts)
{
    uint64_t s = 0;
    for (size_t k = 0; k < n_parts; k++)
        s += bar->part[k];
    return s;
}

/* Each bar a row: its label and value as HTML text (readable at any width, cut by CSS
 * with an ellipsis), the bar itself an SVG stretched over the space between them. */
void fmt_html_bars(fmt_buf *b, const char *title, const fmt_html_bar *bars, size_t n,
                   const char *const *legend, size_t n_parts)
{
    if (n_parts < 1)
        n_parts = 1;
    if (n_parts > FMT_HTML_SEGMENTS)
        n_parts = FMT_HTML_SEGMENTS;
    uint64_t max = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t s = sum_parts(&bars[i], n_parts);
        max = s > max ? s : max;
    }
    fmt_buf_puts(b, "<div class=\"chart\" role=\"figure\" aria-label=\"");
    fmt_html_puts(b, title);
    fmt_buf_puts(b, "\">\n");
    for (size_t i = 0; i < n; i++) {
        fmt_buf_puts(b, "<div class=\"row\"><span class=\"lbl\">");
        fmt_html_puts(b, bars[i].label ? bars[i].label : "");
        fmt_buf_puts(b, "</span><svg viewBox=\"0 0 1000 10\" preserveAspectRatio=\"none\" "
                        "aria-hidden=\"true\">");
        uint64_t total = sum_parts(&bars[i], n_parts), acc = 0;
        for (size_t k = 0; k < n_parts; k++) {
            if (!bars[i].part[k] || !max)
                continue;
            /* ends rounded down from the running sum: parts never overrun the bar */
            uint64_t start = (uint64_t)((unsigned __int128)acc * BAR_W / max);
            acc += bars[i].part[k];
            uint64_t end = (uint64_t)((unsigned __int128)acc * BAR_W / max);
            fmt_buf_puts(b, "<rect x=\"");
            fmt_buf_put_u64(b, start);
            fmt_buf_puts(b, "\" width=\"");
            fmt_buf_put_u64(b, end > start ? end - start : 1);
            fmt_buf_puts(b, "\" height=\"10\" fill=\"");
            /* one part is a plain count, not a status: a neutral colour */
            fmt_buf_puts(b, n_parts == 1 ? SINGLE_COLOUR : part_colour[k]);
            fmt_buf_puts(b, "\"/>");
        }
        fmt_buf_puts(b, "</svg><span class=\"val\">");
        if (bars[i].value_text)
            fmt_html_puts(b, bars[i].value_text);
        else
            fmt_buf_put_u64(b, total);
        fmt_buf_puts(b, "</span></div>\n");
    }
    fmt_buf_puts(b, "</div>\n");
    if (legend && n_parts > 1) { /* in HTML, which wraps on a narrow screen */
        fmt_buf_puts(b, "<p class=\"legend\">");
        for (size_t k = 0; k < n_parts; k++) {
            uint64_t used = 0;
            for (size_t i = 0; i < n; i++)
                used |= bars[i].part[k];
            if (!used)
                continue; /* a part no bar has needs no explaining */
            fmt_buf_puts(b, "<span><i style=\"background:");
            fmt_buf_puts(b, part_colour[k]);
            fmt_buf_puts(b, "\"></i>");
            fmt_html_puts(b, legend[k] ? legend[k] : "");
            fmt_buf_puts(b, "</span> ");
        }
        fmt_buf_puts(b, "</p>\n");
    }
}

/* ---- page parts shared by report.html of run and reconcile ---- */

static const char page_style[] =
    "<style>\n"
    ":root{color-scheme:light}\n"
    "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0 auto;"
    "max-width:980px;padding:12px 16px 40px;color:#1b1b1b;background:#fff}\n"
    "h1{font-size:1.5em;margin:.4em 0 .1em}h2{font-size:1.15em;margin:1.6em 0 .4em;"
    "border-bottom:2px solid #e3e3e3;padding-bottom:.2em}\n"
    "p.sub{color:#555;margin:0 0 1em}\n"
    ".kpis{display:grid;grid-template-columns:repeat(auto-fill,minmax(130px,1fr));gap:8px}\n"
    ".kpi{border:1px solid #ddd;border-radius:6px;padding:8px 10px}.kpi b{display:block;"
    "font-size:1.45em}.kpi span{color:#555;font-size:.9em}\n"
    ".kpi.bad{border-color:#c62828;background:#fdecea}\n"
    "table{border-collapse:collapse;width:100%;margin:.4em 0;font-size:.92em}\n"
    "th,td{text-align:left;padding:3px 6px;border-bottom:1px solid #eee;vertical-align:top}\n"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    ".wrap{overflow-x:auto}\n"
    ".chart{margin:.4em 0}.chart .row{display:grid;grid-template-columns:minmax(6em,26%) 1fr "
    "minmax(4em,auto);gap:8px;align-items:center;margin:3px 0}\n"
    ".chart .lbl{white-space:nowrap;overflow:hidden;text-overflow:ellipsis;min-width:0}\n"
    ".chart .val{white-space:nowrap;font-variant-numeric:tabular-nums}\n"
    ".chart svg{display:block;width:100%;height:14px;background:#f3f3f3}\n"
    "ul.inv{list-style:none;padding:0;margin:.3em 0}ul.inv li{padding:4px 0;border-bottom:1px "
    "solid #eee}ul.inv small{display:block;color:#555}\n"
    "@media (max-width:600px){.chart .row{grid-template-columns:minmax(0,1fr) auto;gap:2px 8px}"
    ".chart svg{grid-column:1/3;grid-row:2}}\n"
    "p.legend span{margin-right:12px;white-space:nowrap;font-size:.9em}p.legend i{display:"
    "inline-block;width:10px;height:10px;margin-right:4px}\n"
    ".holds{color:#2e7d32}.broken{color:#c62828;font-weight:bold}.notrun{color:#777}\n"
    "p.more,p.none{color:#555;font-size:.9em}\n"
    "@media print{body{max-width:none;font-size:11px}h2{break-after:avoid}"
    "table,.chart{break-inside:avoid}.chart svg{print-color-adjust:exact;"
    "-webkit-print-color-adjust:exact}}\n"
    "</style>\n";

void fmt_html_begin(fmt_buf *b, const char *title)
{
    fmt_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                    "<title>");
    fmt_html_puts(b, title);
    fmt_buf_puts(b, "</title>\n");
    fmt_buf_puts(b, page_style);
    fmt_buf_puts(b, "</head>\n<body>\n");
}

void fmt_html_end(fmt_buf *b)
{
    fmt_buf_puts(b, "</body>\n</html>\n");
}

void fmt_html_kpi(fmt_buf *b, const char *key, uint64_t v, const char *label, int bad)
{
    fmt_buf_puts(b,
                 bad ? "<div class=\"kpi bad\"><b data-k=\"" : "<div class=\"kpi\"><b data-k=\"");
    fmt_buf_puts(b, key);
    fmt_buf_puts(b, "\">");
    fmt_buf_put_u64(b, v);
    fmt_buf_puts(b, "</b><span>");
    fmt_html_puts(b, label);
    fmt_buf_puts(b, "</span></div>\n");
}

void fmt_html_cell_text(fmt_buf *b, const char *s, size_t len)
{
    fmt_buf_puts(b, "<td>");
    fmt_html_text(b, s, len);
    fmt_buf_puts(b, "</td>");
}

void fmt_html_cell_u64(fmt_buf *b, uint64_t v)
{
    fmt_buf_puts(b, "<td class=\"n\">");
    fmt_buf_put_u64(b, v);
    fmt_buf_puts(b, "</td>");
}

void fmt_html_cell_i64(fmt_buf *b, int64_t v)
{
    fmt_buf_puts(b, "<td class=\"n\">");
    fmt_buf_put_i64(b, v);
    fmt_buf_puts(b, "</td>");
}

void fmt_html_table_head(fmt_buf *b, const char *const *cols, size_t n, unsigned numeric)
{
    fmt_buf_puts(b, "<div class=\"wrap\"><table><thead><tr>");
    for (size_t i = 0; i < n; i++) {
        fmt_buf_puts(b, numeric >> i & 1 ? "<th class=\"n\">" : "<th>");
        fmt_html_puts(b, cols[i]);
        fmt_buf_puts(b, "</th>");
    }
    fmt_buf_puts(b, "</tr></thead><tbody>\n");
}

void fmt_html_table_end(fmt_buf *b)
{
    fmt_buf_puts(b, "</tbody></table></div>\n");
}

void fmt_html_more(fmt_buf *b, uint64_t shown, uint64_t all, const char *file)
{
    if (all <= shown)
        return;
    fmt_buf_puts(b, "<p class=\"more\">The first ");
    fmt_buf_put_u64(b, shown);
    fmt_buf_puts(b, " of ");
    fmt_buf_put_u64(b, all);
    fmt_buf_puts(b, "; all are in ");
    fmt_buf_puts(b, file);
    fmt_buf_puts(b, ".</p>\n");
}

void fmt_html_none(fmt_buf *b, const char *what)
{
    fmt_buf_puts(b, "<p class=\"none\">");
    fmt_html_puts(b, what);
    fmt_buf_puts(b, "</p>\n");
}
