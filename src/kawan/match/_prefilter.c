/* The prefilter in one pass over a chunk of bytes (C99 and the CPython API only).
 *
 * The same rules as the numpy prefilter in fast.py, which is its test oracle:
 * words are runs of [A-Za-z0-9._-] and bytes >= 0x80, one trailing dot dropped; every
 * word and every part of a word after a dot is hashed (sum of (lower-case byte + 1) *
 * BASE^i, mod 2^64) and looked up in a bitmap of the hashes' top bits, then in the
 * sorted hashes; IPv4-shaped words are parsed and tested against the CIDR tables; a line
 * with a byte >= 0x80 or a backslash is always proposed. The GIL is released during the
 * scan.
 *
 * The bitmaps (of the hashes, of the CIDR tables up to /24) are larger than the caches,
 * so their look-ups wait in a small ring: a bit's cache line is prefetched when the hash
 * or the network is computed, and the bit tested RING look-ups later.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BASE UINT64_C(0x100000001B3)
#define MAX_CIDR 33
#define RING 16 /* a power of two */

#if defined(__GNUC__)
#define PREFETCH(address) __builtin_prefetch(address)
#else
#define PREFETCH(address) ((void)(address))
#endif

static unsigned char lower[256];
static unsigned char host[256]; /* 1: host character, 2: byte >= 0x80 */

typedef struct {
    int length;
    const unsigned char *bitmap; /* 2^length bits, or NULL: search `nets` */
    const uint64_t *nets;        /* sorted networks (address >> (32 - length)) */
    Py_ssize_t size;
} Cidr;

typedef struct {
    const unsigned char *bitmap; /* bit i is bit i & 7 of byte i >> 3 */
    int shift;                   /* 64 - bits of the bitmap */
    const uint64_t *hashes;      /* sorted */
    Py_ssize_t count;
    int cidr_count;
    Cidr cidr[MAX_CIDR];
} Filter;

typedef struct {
    Py_ssize_t line, start, end;
} Span;

typedef struct {
    Span *spans;
    Py_ssize_t count, room;
    int failed;
} Found;

typedef struct {
    const unsigned char *byte; /* the bitmap byte to test, prefetched */
    uint64_t hash;             /* searched in the sorted hashes if the bit is set */
    Py_ssize_t line, start;
    unsigned char bit, search;
} Pending;

typedef struct {
    const Filter *filter;
    const unsigned char *data, *end;
    Found found;
    Pending ring[RING];
    unsigned head, size;
} Scan;

static int sorted_has(const uint64_t *values, Py_ssize_t count, uint64_t wanted) {
    Py_ssize_t lo = 0, hi = count;
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (values[mid] < wanted)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < count && values[lo] == wanted;
}

/* Proposes a line (lines come in ascending order; a repeat is dropped). */
static void propose(Scan *scan, Py_ssize_t line, Py_ssize_t start) {
    Found *found = &scan->found;
    if (found->count && found->spans[found->count - 1].line == line)
        return;
    if (found->count == found->room) {
        Py_ssize_t room = found->room ? 2 * found->room : 256;
        Span *grown = realloc(found->spans, (size_t)room * sizeof(Span));
        if (grown == NULL) {
            found->failed = 1;
            return;
        }
        found->spans = grown;
        found->room = room;
    }
    const unsigned char *at = scan->data + start;
    const unsigned char *newline = memchr(at, '\n', (size_t)(scan->end - at));
    Span span = {line, start, (newline ? newline : scan->end) - scan->data};
    found->spans[found->count++] = span;
}

static void test_oldest(Scan *scan) {
    const Filter *f = scan->filter;
    Pending *p = &scan->ring[(scan->head - scan->size) & (RING - 1)];
    --scan->size;
    if ((*p->byte & p->bit) && (!p->search || sorted_has(f->hashes, f->count, p->hash)))
        propose(scan, p->line, p->start);
}

static void drain(Scan *scan) {
    while (scan->size)
        test_oldest(scan);
}

/* Bit `at` of `bitmap` is tested later; if set, `hash` too when `search`. */
static inline void look_up(Scan *scan, const unsigned char *bitmap, uint64_t at, int search,
                           uint64_t hash, Py_ssize_t line, Py_ssize_t start) {
    const unsigned char *byte = bitmap + (at >> 3);
    PREFETCH(byte);
    if (scan->size == RING)
        test_oldest(scan);
    Pending *p = &scan->ring[scan->head++ & (RING - 1)];
    p->byte = byte;
    p->bit = (unsigned char)(1u << (at & 7));
    p->search = (unsigned char)search;
    p->hash = hash;
    p->line = line;
    p->start = start;
    ++scan->size;
}

static inline void look_up_hash(Scan *scan, uint64_t hash, Py_ssize_t line, Py_ssize_t start) {
    const Filter *f = scan->filter;
    look_up(scan, f->bitmap, hash >> f->shift, 1, hash, line, start);
}

/* An IPv4-shaped word (four dotted runs of 1-3 digits, each <= 255) as an integer. */
static int ipv4_of(const unsigned char *s, const unsigned char *e, uint64_t *out) {
    uint64_t value = 0;
    int parts = 0;
    const unsigned char *p = s;
    while (1) {
        unsigned octet = 0, digits = 0;
        while (p < e && *p >= '0' && *p <= '9') {
            octet = octet * 10 + (unsigned)(*p - '0');
            ++digits;
            ++p;
        }
        if (digits < 1 || digits > 3 || octet > 255)
            return 0;
        value = (value << 8) | octet;
        ++parts;
        if (p == e)
            break;
        if (*p != '.' || parts == 4)
            return 0;
        ++p;
    }
    if (parts != 4)
        return 0;
    *out = value;
    return 1;
}

/* Whether an IPv4 word is in a table without a bitmap; the bitmaps' bits wait in the ring. */
static int cidr_hit(Scan *scan, const unsigned char *s, const unsigned char *e,
                    Py_ssize_t line, Py_ssize_t start) {
    const Filter *f = scan->filter;
    uint64_t address;
    if (e - s < 7 || e - s > 15 || !ipv4_of(s, e, &address))
        return 0;
    for (int i = 0; i < f->cidr_count; ++i) {
        const Cidr *c = &f->cidr[i];
        uint64_t net = address >> (32 - c->length);
        if (c->bitmap)
            look_up(scan, c->bitmap, net, 0, 0, line, start);
        else if (sorted_has(c->nets, c->size, net))
            return 1;
    }
    return 0;
}

static void scan_chunk(Scan *scan) {
    const Filter *f = scan->filter;
    const unsigned char *data = scan->data, *p = data, *end = scan->end;
    Py_ssize_t line = 0, line_start = 0;
    while (p < end && !scan->found.failed) {
        unsigned char c = *p;
        int hit = 0;
        if (c == '\n') {
            ++line;
            line_start = ++p - data;
            continue;
        }
        if (c == '\\') {
            hit = 1;
        } else if (!host[c]) {
            ++p;
            continue;
        } else {
            const unsigned char *s = p;
            unsigned kinds = 0;
            while (p < end && host[*p]) {
                kinds |= host[*p];
                ++p;
            }
            const unsigned char *e = p;
            if (e - s > 1 && e[-1] == '.')
                --e;
            if (kinds & 2) {
                hit = 1;
            } else {
                uint64_t h = 0; /* the word and its parts after a dot, from the right */
                for (const unsigned char *q = e; q > s;) {
                    --q;
                    if (*q == '.' && q + 1 < e)
                        look_up_hash(scan, h, line, line_start);
                    h = h * BASE + (uint64_t)lower[*q] + 1;
                }
                look_up_hash(scan, h, line, line_start);
                hit = f->cidr_count && cidr_hit(scan, s, e, line, line_start);
            }
        }
        if (hit) {
            drain(scan); /* earlier lines first */
            propose(scan, line, line_start);
            const unsigned char *next = memchr(p, '\n', (size_t)(end - p));
            if (next == NULL)
                break;
            p = next; /* the newline itself moves to the next line */
        }
    }
    drain(scan);
}

static int u64_buffer(PyObject *obj, Py_buffer *view, const char *what) {
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS) < 0)
        return -1;
    if (view->len % 8 != 0) {
        PyBuffer_Release(view);
        PyErr_Format(PyExc_ValueError, "%s: not an array of 64-bit integers", what);
        return -1;
    }
    return 0;
}

static PyObject *candidate_spans(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer chunk, bitmap, hashes, views[2 * MAX_CIDR];
    PyObject *hashes_obj, *cidr, *result = NULL;
    int bits, held = 0;
    Filter f;
    Scan scan;
    memset(&f, 0, sizeof f);
    memset(&scan, 0, sizeof scan);
    if (!PyArg_ParseTuple(args, "y*y*iOO!:candidate_spans", &chunk, &bitmap, &bits,
                          &hashes_obj, &PyTuple_Type, &cidr))
        return NULL;
    if (u64_buffer(hashes_obj, &hashes, "hashes") < 0) {
        PyBuffer_Release(&chunk);
        PyBuffer_Release(&bitmap);
        return NULL;
    }
    if (bits < 3 || bits > 40 || bitmap.len * 8 != (Py_ssize_t)1 << bits) {
        PyErr_SetString(PyExc_ValueError, "bitmap: not 2^bits bits");
        goto done;
    }
    if (PyTuple_GET_SIZE(cidr) > MAX_CIDR) {
        PyErr_SetString(PyExc_ValueError, "cidr: more than 33 prefix lengths");
        goto done;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(cidr); ++i) {
        Cidr *c = &f.cidr[i];
        PyObject *nets, *net_bits;
        if (!PyArg_ParseTuple(PyTuple_GET_ITEM(cidr, i), "iOO:cidr", &c->length, &nets,
                              &net_bits))
            goto done;
        if (c->length < 0 || c->length > 32) {
            PyErr_SetString(PyExc_ValueError, "cidr: a prefix length outside 0-32");
            goto done;
        }
        if (u64_buffer(nets, &views[held], "cidr") < 0)
            goto done;
        c->nets = views[held].buf;
        c->size = views[held++].len / 8;
        if (net_bits != Py_None) {
            if (PyObject_GetBuffer(net_bits, &views[held], PyBUF_C_CONTIGUOUS) < 0)
                goto done;
            c->bitmap = views[held].buf;
            if (views[held++].len * 8 != (Py_ssize_t)1 << c->length || c->length < 3) {
                PyErr_SetString(PyExc_ValueError, "cidr: a bitmap not of 2^length bits");
                goto done;
            }
        }
        f.cidr_count = (int)i + 1;
    }
    f.bitmap = bitmap.buf;
    f.shift = 64 - bits;
    f.hashes = hashes.buf;
    f.count = hashes.len / 8;
    scan.filter = &f;
    scan.data = chunk.buf;
    scan.end = scan.data + chunk.len;
    Py_BEGIN_ALLOW_THREADS
    scan_chunk(&scan);
    Py_END_ALLOW_THREADS
    if (scan.found.failed) {
        PyErr_NoMemory();
        goto done;
    }
    result = PyBytes_FromStringAndSize((const char *)scan.found.spans,
                                       scan.found.count * (Py_ssize_t)sizeof(Span));
done:
    free(scan.found.spans);
    for (int i = 0; i < held; ++i)
        PyBuffer_Release(&views[i]);
    PyBuffer_Release(&hashes);
    PyBuffer_Release(&bitmap);
    PyBuffer_Release(&chunk);
    return result;
}

/* How many newlines: a plain loop the compiler vectorises (bytes.count is bytewise). */
static Py_ssize_t count_newlines(const unsigned char *data, Py_ssize_t size) {
    Py_ssize_t total = 0;
    while (size > 0) {
        Py_ssize_t block = size < 65536 ? size : 65536;
        uint32_t count = 0;
        for (Py_ssize_t i = 0; i < block; ++i)
            count += data[i] == '\n';
        total += count;
        data += block;
        size -= block;
    }
    return total;
}

static PyObject *newlines(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer chunk;
    Py_ssize_t total;
    if (!PyArg_ParseTuple(args, "y*:newlines", &chunk))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    total = count_newlines(chunk.buf, chunk.len);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&chunk);
    return PyLong_FromSsize_t(total);
}

/* The arguments of hash_spans, span_codes and ipv4_networks: the data, int64 starts and
 * ends (every span checked to lie within the data), and a writable `out` of `width`-byte
 * items, one per span. 0 with every buffer held (release with spans_release), -1 with an
 * exception set and none held. */
typedef struct {
    Py_buffer data, starts, ends, out;
} Spans;

static int spans_parse(PyObject *args, const char *format, Py_ssize_t width, Spans *v) {
    PyObject *starts_obj, *ends_obj, *out_obj;
    if (!PyArg_ParseTuple(args, format, &v->data, &starts_obj, &ends_obj, &out_obj))
        return -1;
    if (u64_buffer(starts_obj, &v->starts, "starts") < 0)
        goto no_starts;
    if (u64_buffer(ends_obj, &v->ends, "ends") < 0)
        goto no_ends;
    if (PyObject_GetBuffer(out_obj, &v->out, PyBUF_C_CONTIGUOUS | PyBUF_WRITABLE) < 0)
        goto no_out;
    if (v->starts.len != v->ends.len || v->out.len / width != v->starts.len / 8 ||
        v->out.len % width != 0) {
        PyErr_SetString(PyExc_ValueError, "starts, ends (int64) and out: one item per span");
        goto bad;
    }
    {
        const int64_t *s = v->starts.buf, *e = v->ends.buf;
        for (Py_ssize_t i = 0; i < v->starts.len / 8; ++i)
            if (s[i] < 0 || e[i] < s[i] || e[i] > v->data.len) {
                PyErr_SetString(PyExc_ValueError, "a span lies outside the data");
                goto bad;
            }
    }
    return 0;
bad:
    PyBuffer_Release(&v->out);
no_out:
    PyBuffer_Release(&v->ends);
no_ends:
    PyBuffer_Release(&v->starts);
no_starts:
    PyBuffer_Release(&v->data);
    return -1;
}

static void spans_release(Spans *v) {
    PyBuffer_Release(&v->out);
    PyBuffer_Release(&v->ends);
    PyBuffer_Release(&v->starts);
    PyBuffer_Release(&v->data);
}

/* The hash of each span data[starts[i]:ends[i]] (bytes as they are, not lower-cased):
 * sum of (byte + 1) * BASE^j, mod 2^64, as fast.hash_spans_numpy computes it. */
static PyObject *hash_spans(PyObject *self, PyObject *args) {
    (void)self;
    Spans v;
    if (spans_parse(args, "y*OOO:hash_spans", 8, &v) < 0)
        return NULL;
    {
        const unsigned char *bytes = v.data.buf;
        const int64_t *s = v.starts.buf, *e = v.ends.buf;
        uint64_t *h = v.out.buf;
        Py_ssize_t count = v.starts.len / 8;
        Py_BEGIN_ALLOW_THREADS
        for (Py_ssize_t i = 0; i < count; ++i) {
            uint64_t value = 0;
            for (int64_t j = e[i] - 1; j >= s[i]; --j)
                value = value * BASE + (uint64_t)bytes[j] + 1;
            h[i] = value;
        }
        Py_END_ALLOW_THREADS
    }
    spans_release(&v);
    return Py_NewRef(Py_None);
}

/* span_codes(data, starts, ends, out) -> int: equal spans get equal codes, numbered in
 * the order of their first span; an open-addressing table of the first span of each code,
 * compared byte for byte, so two different spans never share a code. */
static PyObject *span_codes(PyObject *self, PyObject *args) {
    (void)self;
    Spans v;
    Py_ssize_t distinct = 0, count, size = 16;
    if (spans_parse(args, "y*OOO:span_codes", 4, &v) < 0)
        return NULL;
    count = v.starts.len / 8;
    while (size < 2 * count)
        size *= 2;
    int64_t *first = calloc((size_t)size, sizeof(int64_t)); /* span index + 1; 0: empty */
    if (first == NULL) {
        spans_release(&v);
        return PyErr_NoMemory();
    }
    {
        const unsigned char *bytes = v.data.buf;
        const int64_t *s = v.starts.buf, *e = v.ends.buf;
        int32_t *code = v.out.buf;
        Py_BEGIN_ALLOW_THREADS
        for (Py_ssize_t i = 0; i < count; ++i) {
            uint64_t h = UINT64_C(0xcbf29ce484222325);
            for (int64_t j = s[i]; j < e[i]; ++j)
                h = (h ^ bytes[j]) * BASE;
            Py_ssize_t at = (Py_ssize_t)(h & (uint64_t)(size - 1));
            for (;;) {
                int64_t k = first[at] - 1;
                if (k < 0) {
                    first[at] = i + 1;
                    code[i] = (int32_t)distinct++;
                    break;
                }
                if (e[k] - s[k] == e[i] - s[i] &&
                    memcmp(bytes + s[k], bytes + s[i], (size_t)(e[i] - s[i])) == 0) {
                    code[i] = code[k];
                    break;
                }
                at = (at + 1) & (size - 1);
            }
        }
        Py_END_ALLOW_THREADS
    }
    free(first);
    spans_release(&v);
    return PyLong_FromSsize_t(distinct);
}

/* One canonical decimal number of at most `max_digits` digits, no leading zero, at most
 * `limit`; the position after it, or NULL. */
static const unsigned char *canonical_number(const unsigned char *p, const unsigned char *e,
                                             int max_digits, unsigned limit, unsigned *out) {
    unsigned value = 0;
    int digits = 0;
    while (p < e && *p >= '0' && *p <= '9' && digits <= max_digits) {
        value = value * 10 + (unsigned)(*p - '0');
        ++digits;
        ++p;
    }
    if (digits < 1 || digits > max_digits || value > limit || (digits > 1 && p[-digits] == '0'))
        return NULL;
    *out = value;
    return p;
}

/* ipv4_networks(data, starts, ends, out): for each span, an IPv4 network in canonical
 * form (`a.b.c.d/n`: decimal, no leading zeros, octets <= 255, n <= 32) as
 * n << 32 | (address >> (32 - n)), or -1 for any other text. */
static PyObject *ipv4_networks(PyObject *self, PyObject *args) {
    (void)self;
    Spans v;
    if (spans_parse(args, "y*OOO:ipv4_networks", 8, &v) < 0)
        return NULL;
    {
        const unsigned char *bytes = v.data.buf;
        const int64_t *s = v.starts.buf, *e = v.ends.buf;
        int64_t *out = v.out.buf;
        Py_ssize_t count = v.starts.len / 8;
        Py_BEGIN_ALLOW_THREADS
        for (Py_ssize_t i = 0; i < count; ++i) {
            const unsigned char *p = bytes + s[i], *end = bytes + e[i];
            uint64_t address = 0;
            unsigned part = 0, bits = 0;
            out[i] = -1;
            for (int n = 0; n < 4 && p != NULL; ++n) {
                p = canonical_number(p, end, 3, 255, &part);
                if (p == NULL || p == end || *p != (n < 3 ? '.' : '/'))
                    p = NULL;
                else
                    ++p;
                address = address << 8 | part;
            }
            if (p == NULL || (p = canonical_number(p, end, 2, 32, &bits)) != end)
                continue;
            out[i] = (int64_t)((uint64_t)bits << 32 | (bits ? address >> (32 - bits) : 0));
        }
        Py_END_ALLOW_THREADS
    }
    spans_release(&v);
    return Py_NewRef(Py_None);
}

static PyMethodDef methods[] = {
    {"newlines", newlines, METH_VARARGS,
     "newlines(chunk) -> int\n\nHow many newline bytes `chunk` holds (as chunk.count(b'\\n'))."},
    {"hash_spans", hash_spans, METH_VARARGS,
     "hash_spans(data, starts, ends, out)\n\n"
     "Write into `out` (uint64) the hash of each span data[starts[i]:ends[i]] (int64)."},
    {"span_codes", span_codes, METH_VARARGS,
     "span_codes(data, starts, ends, out) -> int\n\n"
     "Write into `out` (int32) a code per span data[starts[i]:ends[i]]: equal bytes, equal\n"
     "code, numbered by first occurrence from 0. Returns the number of distinct spans."},
    {"ipv4_networks", ipv4_networks, METH_VARARGS,
     "ipv4_networks(data, starts, ends, out)\n\n"
     "Write into `out` (int64) each span's IPv4 network in canonical form (a.b.c.d/n) as\n"
     "n << 32 | (address >> (32 - n)), or -1 where the span is not one."},
    {"candidate_spans", candidate_spans, METH_VARARGS,
     "candidate_spans(chunk, bitmap, bits, hashes, cidr) -> bytes\n\n"
     "The lines of `chunk` that may hold an indicator, ascending: native-endian signed\n"
     "size_t triples (0-based line number, start, end without the newline).\n"
     "`bitmap`: 2^bits bits, bit `h >> (64 - bits)` (bit i & 7 of byte i >> 3) set for\n"
     "every hash h; `hashes`: the sorted uint64 hashes; `cidr`: (prefix length, sorted\n"
     "uint64 networks, a bitmap of 2^length bits of the same networks or None)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_prefilter",
    "The prefilter in one native pass over a chunk (see fast.py).", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__prefilter(void) {
    for (int c = 0; c < 256; ++c) {
        lower[c] = (unsigned char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        int l = lower[c];
        host[c] = c >= 0x80 ? 2
                  : ((l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '.' ||
                     l == '_' || l == '-');
    }
    return PyModule_Create(&module);
}
