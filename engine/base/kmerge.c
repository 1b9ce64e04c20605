/* Parallel k-way merge behind kmerge.h.
 *
 * Slice j of the output holds the elements e with split[j] <= e < split[j + 1] (split[0]
 * below everything, split[n_slices] above); bound[j][r] is the first element of run r
 * not below split[j], so run r gives slice j its elements [bound[j][r], bound[j + 1][r]).
 * Runs are sorted, so bounds grow with j and the slices cover every element once. */
#include "kmerge.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* Slices per merge: a few per thread, so that a slow thread does not hold up the rest;
 * nights under MIN_PER_SLICE elements a slice are merged in one. */
#define SLICES        16
#define MIN_PER_SLICE 4096

typedef struct plan {
    const eng_kmerge *m;
    const void *split[SLICES];
    size_t n_slices;
    size_t *bound; /* (n_slices + 1) rows of n_runs */
    size_t out_at[SLICES + 1];
    char *out;
} plan;

static int before(const eng_kmerge *m, const void *a, const void *b)
{
    return m->cmp(a, b) < 0;
}

/* The first element of run r not below x. */
static size_t lower_bound(const eng_kmerge *m, size_t r, const void *x)
{
    size_t lo = 0, hi = m->run_len[r];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (before(m, m->at(m->ctx, r, mid), x))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static eng_rc bound_task(void *ctx, size_t i, unsigned worker, eng_err *err)
{
    (void)worker;
    (void)err;
    plan *p = ctx;
    size_t j = i + 1;
    for (size_t r = 0; r < p->m->n_runs; r++)
        p->bound[j * p->m->n_runs + r] = lower_bound(p->m, r, p->split[j]);
    return ENG_OK;
}

/* The heap of one slice: per run its next element and that element's key. */
typedef struct node {
    uint64_t key[2];
    const void *elem;
    size_t at, end;
} node;

static int node_before(const eng_kmerge *m, const node *a, const node *b)
{
    if (a->key[0] != b->key[0])
        return a->key[0] < b->key[0];
    if (a->key[1] != b->key[1])
        return a->key[1] < b->key[1];
    return before(m, a->elem, b->elem);
}

static void sift_down(const eng_kmerge *m, const node *nodes, unsigned *heap, size_t n, size_t j)
{
    for (;;) {
        size_t c = 2 * j + 1;
        if (c >= n)
            break;
        if (c + 1 < n && node_before(m, &nodes[heap[c + 1]], &nodes[heap[c]]))
            c++;
        if (!node_before(m, &nodes[heap[c]], &nodes[heap[j]]))
            break;
        unsigned t = heap[c];
        heap[c] = heap[j];
        heap[j] = t;
        j = c;
    }
}

static void load(const eng_kmerge *m, node *nd, size_t r)
{
    nd->elem = m->at(m->ctx, r, nd->at);
    m->key(nd->elem, nd->key);
    if (m->ahead && nd->at + 1 < nd->end)
        m->ahead(m->at(m->ctx, r, nd->at + 1),
                 nd->at + 2 < nd->end ? m->at(m->ctx, r, nd->at + 2) : NULL);
}

static eng_rc merge_task(void *ctx, size_t j, unsigned worker, eng_err *err)
{
    (void)worker;
    const plan *p = ctx;
    const eng_kmerge *m = p->m;
    size_t n_runs = m->n_runs;
    node *nodes = malloc((n_runs ? n_runs : 1) * sizeof *nodes);
    unsigned *heap = malloc((n_runs ? n_runs : 1) * sizeof *heap);
    if (!nodes || !heap) {
        free(nodes);
        free(heap);
        return ENG_FAIL(err, ENG_NOMEM, "out of memory merging sorted lists");
    }
    size_t n = 0;
    for (size_t r = 0; r < n_runs; r++) {
        nodes[r].at = p->bound[j * n_runs + r];
        nodes[r].end = p->bound[(j + 1) * n_runs + r];
        if (nodes[r].at < nodes[r].end) {
            load(m, &nodes[r], r);
            heap[n++] = (unsigned)r;
        }
    }
    for (size_t i = n / 2; i-- > 0;)
        sift_down(m, nodes, heap, n, i);
    char *out = p->out + p->out_at[j] * sizeof(void *);
    size_t k = 0;
    while (n > 0) {
        unsigned r = heap[0];
        node *nd = &nodes[r];
        memcpy(out + k++ * sizeof(void *), &nd->elem, sizeof(void *));
        if (++nd->at == nd->end)
            heap[0] = heap[--n];
        else
            load(m, nd, r);
        sift_down(m, nodes, heap, n, 0);
    }
    assert(k == p->out_at[j + 1] - p->out_at[j]);
    free(nodes);
    free(heap);
    return ENG_OK;
}

eng_rc eng_kmerge_run(eng_pool *pool, const eng_kmerge *m, void *out, eng_err *err)
{
    plan p;
    p.m = m;
    p.out = out;
    size_t total = 0, longest = 0;
    for (size_t r = 0; r < m->n_runs; r++) {
        total += m->run_len[r];
        if (m->run_len[r] > m->run_len[longest])
            longest = r;
    }
    p.n_slices = total / MIN_PER_SLICE < SLICES ? total / MIN_PER_SLICE : SLICES;
    if (p.n_slices == 0)
        p.n_slices = 1;
    p.bound = malloc((p.n_slices + 1) * (m->n_runs ? m->n_runs : 1) * sizeof *p.bound);
    if (!p.bound)
        return ENG_FAIL(err, ENG_NOMEM, "out of memory merging sorted lists");
    /* The longest run's quantiles: the runs are the night spread by a hash, so each is a
     * fair sample of the whole and its quantiles cut the output into even slices. */
    for (size_t j = 1; j < p.n_slices; j++)
        p.split[j] = m->at(m->ctx, longest, m->run_len[longest] * j / p.n_slices);
    for (size_t r = 0; r < m->n_runs; r++) {
        p.bound[r] = 0;
        p.bound[p.n_slices * m->n_runs + r] = m->run_len[r];
    }
    eng_rc rc = ENG_OK;
    if (p.n_slices > 1)
        rc = eng_pool_for(pool, p.n_slices - 1, bound_task, &p, err);
    if (rc == ENG_OK) {
        p.out_at[0] = 0;
        for (size_t j = 0; j < p.n_slices; j++) {
            size_t in_slice = 0;
            for (size_t r = 0; r < m->n_runs; r++) {
                assert(p.bound[(j + 1) * m->n_runs + r] >= p.bound[j * m->n_runs + r]);
                in_slice += p.bound[(j + 1) * m->n_runs + r] - p.bound[j * m->n_runs + r];
            }
            p.out_at[j + 1] = p.out_at[j] + in_slice;
        }
        assert(p.out_at[p.n_slices] == total);
        rc = eng_pool_for(pool, p.n_slices, merge_task, &p, err);
    }
    free(p.bound);
    return rc;
}
