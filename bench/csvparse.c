/* The floor for parsing: a bare libcsv callback parse of a file, counting records and
 * fields and nothing else, the least any CSV reader built on libcsv must do.
 *
 *   csvparse FILE        prints "records fields" */
#include <csv.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

typedef struct counts {
    unsigned long long records, fields;
} counts;

static void on_field(void *s, size_t len, void *data)
{
    (void)s;
    (void)len;
    ((counts *)data)->fields++;
}

static void on_record(int c, void *data)
{
    (void)c;
    ((counts *)data)->records++;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: csvparse FILE\n", stderr);
        return 2;
    }
    int fd = open(argv[1], O_RDONLY);
    if (fd < 0) {
        perror(argv[1]);
        return 1;
    }
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_APPEND_NULL) != 0)
        return 1;
    counts n = {0, 0};
    static char block[1 << 20];
    ssize_t got;
    while ((got = read(fd, block, sizeof block)) > 0)
        if (csv_parse(&p, block, (size_t)got, on_field, on_record, &n) != (size_t)got) {
            fprintf(stderr, "csvparse: %s\n", csv_strerror(csv_error(&p)));
            return 1;
        }
    csv_fini(&p, on_field, on_record, &n);
    csv_free(&p);
    close(fd);
    if (got < 0) {
        perror(argv[1]);
        return 1;
    }
    printf("%llu %llu\n", n.records, n.fields);
    return 0;
}
