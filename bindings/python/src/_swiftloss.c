/*
 * _swiftloss.c — the CPython extension module swiftloss._swiftloss.
 *
 * A thin layer over libswiftloss.so (include/swiftloss.h): one function per C entry point
 * (the forward functions and, under the same names with _backward, their gradients),
 * generic over float32 / float64 (chosen by the input buffer's format). Each function
 *   - takes objects supporting the buffer protocol (C-contiguous, with a format),
 *   - checks every buffer's format and itemsize ('f' float32 or 'd' float64, all float
 *     buffers of one call alike; 'q' or 8-byte 'l' int64 for class-index targets),
 *   - checks that every buffer holds exactly the number of elements the call needs and that
 *     the output does not overlap an input, so a wrong or short buffer never reaches the
 *     library,
 *   - releases the GIL when the call touches more than SWIFTLOSS_GIL_THRESHOLD elements (the
 *     library re-checks each class index where it uses it, so another Python thread writing
 *     into the target array meanwhile cannot make it read or write out of bounds),
 *   - turns a status other than SWIFTLOSS_OK into IndexError (target out of bounds) or
 *     ValueError (anything else) carrying swiftloss_status_string's text.
 * It also binds swiftloss_set_num_threads / swiftloss_get_num_threads.
 * Shapes, defaults, dtype conversion and PyTorch's error wording live in Python
 * (swiftloss/functional.py); this module is the backstop.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>
#include <string.h>

#include "swiftloss.h"

/* Calls touching more elements than this run without the GIL. */
#ifndef SWIFTLOSS_GIL_THRESHOLD
#define SWIFTLOSS_GIL_THRESHOLD 4096

/* Runs the statement `call` with the GIL released when `large` (a call on more elements than
 * SWIFTLOSS_GIL_THRESHOLD), else holding it. */
#define SWIFTLOSS_WITHOUT_GIL(large, call)                                                    \
    do {                                                                                      \
        PyThreadState *swiftloss_saved_ = (large) ? PyEval_SaveThread() : NULL;               \
        call;                                                                                 \
        if (swiftloss_saved_ != NULL)                                                         \
            PyEval_RestoreThread(swiftloss_saved_);                                           \
    } while (0)
#endif

/* ------------------------------------------------------------------------------------------
 * Buffers
 * ------------------------------------------------------------------------------------------ */

typedef enum { KIND_F32, KIND_F64, KIND_I64, KIND_OTHER } buffer_kind;

/* The element kind of a buffer from its format string and itemsize. Accepts the native or
 * standard-size prefixes only when they mean native byte order. */
static buffer_kind
kind_of(const Py_buffer *view)
{
    const char *f = view->format != NULL ? view->format : "B";
    int standard = 0;
    if (f[0] == '@') {
        f++;
    }
    else if (f[0] == '=') {
        f++;
        standard = 1;
    }
    else if (f[0] == '<' || f[0] == '>' || f[0] == '!') {
#if PY_BIG_ENDIAN
        int native = (f[0] == '>' || f[0] == '!');
#else
        int native = (f[0] == '<');
#endif
        if (!native) {
            return KIND_OTHER;
        }
        f++;
        standard = 1;
    }
    if (f[0] == '\0' || f[1] != '\0') {
        return KIND_OTHER;
    }
    switch (f[0]) {
    case 'f':
        return view->itemsize == 4 ? KIND_F32 : KIND_OTHER;
    case 'd':
        return view->itemsize == 8 ? KIND_F64 : KIND_OTHER;
    case 'q':
        return view->itemsize == 8 ? KIND_I64 : KIND_OTHER;
    case 'l':
        /* 'l' is 8 bytes natively on LP64; with a standard-size prefix it is 4. */
        return (!standard && view->itemsize == 8) ? KIND_I64 : KIND_OTHER;
    default:
        return KIND_OTHER;
    }
}

static const char *
kind_name(buffer_kind kind)
{
    switch (kind) {
    case KIND_F32:
        return "float32";
    case KIND_F64:
        return "float64";
    case KIND_I64:
        return "int64";
    default:
        return "other";
    }
}

/* Number of elements in a buffer (len is in bytes). */
static Py_ssize_t
count_of(const Py_buffer *view)
{
    return view->itemsize > 0 ? view->len / view->itemsize : 0;
}

/* A view that is released only if it was acquired. */
typedef struct {
    Py_buffer view;
    int held;
} buffer;

static void
buffer_release(buffer *b)
{
    if (b->held) {
        PyBuffer_Release(&b->view);
        b->held = 0;
    }
}

/* Acquire a C-contiguous buffer of the given kind (KIND_OTHER: a float32 or float64 buffer,
 * whichever it is). Returns the kind acquired, or -1 with an exception set. */
static int
buffer_get(PyObject *obj, buffer *b, const char *name, buffer_kind want, int writable)
{
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, &b->view, flags) != 0) {
        return -1;
    }
    b->held = 1;
    buffer_kind kind = kind_of(&b->view);
    int ok = (want == KIND_OTHER) ? (kind == KIND_F32 || kind == KIND_F64) : (kind == want);
    if (!ok) {
        const char *format = b->view.format != NULL ? b->view.format : "B";
        if (want == KIND_OTHER) {
            PyErr_Format(PyExc_TypeError,
                         "%s: expected a float32 or float64 buffer (format 'f' or 'd'), "
                         "got format '%s' with itemsize %zd",
                         name, format, b->view.itemsize);
        }
        else {
            PyErr_Format(PyExc_TypeError,
                         "%s: expected a %s buffer, got format '%s' with itemsize %zd", name,
                         kind_name(want), format, b->view.itemsize);
        }
        buffer_release(b);
        return -1;
    }
    return (int)kind;
}

/* Acquire an optional float buffer (None: not acquired). Returns 0 or -1. */
static int
buffer_get_optional(PyObject *obj, buffer *b, const char *name, buffer_kind want)
{
    if (obj == Py_None) {
        return 0;
    }
    return buffer_get(obj, b, name, want, 0) < 0 ? -1 : 0;
}

static int
check_count(const buffer *b, const char *name, size_t expected)
{
    size_t have = (size_t)count_of(&b->view);
    if (have != expected) {
        PyErr_Format(PyExc_ValueError, "%s: buffer holds %zu elements, the call needs %zu", name,
                     have, expected);
        return -1;
    }
    return 0;
}

/* 0 when the byte ranges of a and b are disjoint (or one is empty). */
static int
overlaps(const buffer *a, const buffer *b)
{
    if (!a->held || !b->held || a->view.len == 0 || b->view.len == 0) {
        return 0;
    }
    uintptr_t a0 = (uintptr_t)a->view.buf, a1 = a0 + (uintptr_t)a->view.len;
    uintptr_t b0 = (uintptr_t)b->view.buf, b1 = b0 + (uintptr_t)b->view.len;
    return a0 < b1 && b0 < a1;
}

static int
check_no_overlap(const buffer *out, const buffer *in, const char *name)
{
    if (overlaps(out, in)) {
        PyErr_Format(PyExc_ValueError, "output must not overlap %s", name);
        return -1;
    }
    return 0;
}

/* 0 when out and in are disjoint, or when allow_same and they are exactly the same memory. */
static int
check_alias(const buffer *out, const buffer *in, const char *out_name, const char *in_name,
            int allow_same)
{
    if (allow_same && out->held && in->held && out->view.buf == in->view.buf &&
        out->view.len == in->view.len) {
        return 0;
    }
    if (overlaps(out, in)) {
        PyErr_Format(PyExc_ValueError, "%s must not overlap %s%s", out_name, in_name,
                     allow_same ? " (except by being the same buffer)" : "");
        return -1;
    }
    return 0;
}

/* a * b, or -1 with ValueError set when it overflows size_t. */
static int
mul_size(size_t a, size_t b, size_t *out)
{
    if (a != 0 && b > SIZE_MAX / a) {
        PyErr_SetString(PyExc_ValueError, "sizes overflow: the element count does not fit in size_t");
        return -1;
    }
    *out = a * b;
    return 0;
}

static int
to_size(Py_ssize_t value, const char *name, size_t *out)
{
    if (value < 0) {
        PyErr_Format(PyExc_ValueError, "%s must be non-negative, got %zd", name, value);
        return -1;
    }
    *out = (size_t)value;
    return 0;
}

/* Pointer to a buffer's data, or NULL for an optional buffer that was not given. */
static void *
data_of(const buffer *b)
{
    return b->held ? b->view.buf : NULL;
}

static size_t
len_of(const buffer *b)
{
    return b->held ? (size_t)count_of(&b->view) : 0;
}

/* ------------------------------------------------------------------------------------------
 * Status
 * ------------------------------------------------------------------------------------------ */

static PyObject *
status_result(swiftloss_status status)
{
    if (status == SWIFTLOSS_OK) {
        Py_RETURN_NONE;
    }
    PyObject *type = status == SWIFTLOSS_ERROR_TARGET_OUT_OF_BOUNDS ? PyExc_IndexError
                                                                    : PyExc_ValueError;
    PyErr_SetString(type, swiftloss_status_string((int)status));
    return NULL;
}

/* ------------------------------------------------------------------------------------------
 * Version and status strings
 * ------------------------------------------------------------------------------------------ */

static PyObject *
py_version_string(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    return PyUnicode_FromString(swiftloss_version_string());
}

static PyObject *
py_kernels_string(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    return PyUnicode_FromString(swiftloss_kernels_string());
}

static PyObject *
py_version_number(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    return PyLong_FromUnsignedLong(swiftloss_version_number());
}

static PyObject *
py_status_string(PyObject *module, PyObject *arg)
{
    int overflow = 0;
    long value = PyLong_AsLongAndOverflow(arg, &overflow);
    if (value == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (overflow != 0 || value < INT_MIN || value > INT_MAX) {
        return PyUnicode_FromString(swiftloss_status_string(-1));
    }
    return PyUnicode_FromString(swiftloss_status_string((int)value));
}

/* ------------------------------------------------------------------------------------------
 * Threads
 * ------------------------------------------------------------------------------------------ */

/* set_num_threads(n): n an int (bool excluded) >= 0; values above INT_MAX are passed as
 * INT_MAX (the library caps the count at 256 anyway). */
static PyObject *
py_set_num_threads(PyObject *module, PyObject *arg)
{
    if (PyBool_Check(arg) || !PyIndex_Check(arg)) {
        PyObject *name = PyType_GetName(Py_TYPE(arg)); /* the limited API has no tp_name */
        if (name != NULL) {
            PyErr_Format(PyExc_TypeError, "set_num_threads: n must be an int, got %U", name);
            Py_DECREF(name);
        }
        return NULL;
    }
    PyObject *index = PyNumber_Index(arg);
    if (index == NULL) {
        return NULL;
    }
    int overflow = 0;
    long long value = PyLong_AsLongLongAndOverflow(index, &overflow);
    if (value == -1 && PyErr_Occurred()) {
        Py_DECREF(index);
        return NULL;
    }
    if (overflow < 0 || (overflow == 0 && value < 0)) {
        PyErr_Format(PyExc_ValueError,
                     "set_num_threads: n must be >= 0 (0 restores the default), got %S", index);
        Py_DECREF(index);
        return NULL;
    }
    Py_DECREF(index);
    int n = (overflow > 0 || value > INT_MAX) ? INT_MAX : (int)value;
    swiftloss_set_num_threads(n);
    Py_RETURN_NONE;
}

static PyObject *
py_get_num_threads(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    return PyLong_FromLong(swiftloss_get_num_threads());
}

/* ------------------------------------------------------------------------------------------
 * How the entry points are built
 *
 * Each Python entry point is a thin function: it parses its own arguments (a literal format
 * string) and hands them to the worker of its family (softmax, class-axis, element-wise,
 * regression), together with an adapter that calls the library's _f32 or _f64 function. The
 * workers acquire and check the buffers, release the GIL for large calls and turn the status
 * into a Python result.
 * ------------------------------------------------------------------------------------------ */

/* ------------------------------------------------------------------------------------------
 * Softmax: softmax, log_softmax and their backward
 *
 *   NAME(input, outer, dim, inner, output)
 *   NAME_backward(output, grad_output, outer, dim, inner, grad_input)
 * ------------------------------------------------------------------------------------------ */

/* x is the input (forward) or the forward's output (backward); g is NULL for a forward call. */
typedef swiftloss_status (*axis_fn)(int f32, const void *x, const void *g, size_t outer,
                                    size_t dim, size_t inner, void *y);

#define AXIS_ADAPTERS(name)                                                                   \
    static swiftloss_status name##_any(int f32, const void *x, const void *g, size_t o,      \
                                       size_t d, size_t i, void *y)                          \
    {                                                                                         \
        if (g == NULL)                                                                        \
            return f32 ? swiftloss_##name##_f32(x, o, d, i, y)                                \
                       : swiftloss_##name##_f64(x, o, d, i, y);                               \
        return f32 ? swiftloss_##name##_backward_f32(x, g, o, d, i, y)                        \
                   : swiftloss_##name##_backward_f64(x, g, o, d, i, y);                       \
    }

AXIS_ADAPTERS(softmax)
AXIS_ADAPTERS(log_softmax)

/* The shared worker: grad_output_obj is NULL for a forward call. The result may be the same
 * buffer as x (and, backward, as grad_output); any other overlap is refused. */
static PyObject *
axis_call(axis_fn fn, PyObject *x_obj, PyObject *grad_output_obj, Py_ssize_t outer_arg,
          Py_ssize_t dim_arg, Py_ssize_t inner_arg, PyObject *y_obj)
{
    size_t outer, dim, inner, n;
    if (to_size(outer_arg, "outer", &outer) || to_size(dim_arg, "dim", &dim) ||
        to_size(inner_arg, "inner", &inner) || mul_size(outer, dim, &n) ||
        mul_size(n, inner, &n)) {
        return NULL;
    }
    int backward = grad_output_obj != NULL;
    const char *x_name = backward ? "output" : "input";
    const char *y_name = backward ? "grad_input" : "output";
    buffer x = {0}, g = {0}, y = {0};
    PyObject *result = NULL;
    int kind = buffer_get(x_obj, &x, x_name, KIND_OTHER, 0);
    if (kind < 0 ||
        (backward && buffer_get(grad_output_obj, &g, "grad_output", (buffer_kind)kind, 0) < 0) ||
        buffer_get(y_obj, &y, y_name, (buffer_kind)kind, 1) < 0) {
        goto done;
    }
    if (check_count(&x, x_name, n) || (backward && check_count(&g, "grad_output", n)) ||
        check_count(&y, y_name, n) || check_alias(&y, &x, y_name, x_name, 1) ||
        (backward && check_alias(&y, &g, y_name, "grad_output", 1))) {
        goto done;
    }
    swiftloss_status status;
    SWIFTLOSS_WITHOUT_GIL(n > SWIFTLOSS_GIL_THRESHOLD,
        status = fn(kind == KIND_F32, x.view.buf, data_of(&g), outer, dim, inner, y.view.buf));
    result = status_result(status);
done:
    buffer_release(&y);
    buffer_release(&g);
    buffer_release(&x);
    return result;
}

#define AXIS_METHODS(name)                                                                    \
    static PyObject *py_##name(PyObject *module, PyObject *args)                              \
    {                                                                                         \
        PyObject *x, *y;                                                                      \
        Py_ssize_t o, d, i;                                                                   \
        if (!PyArg_ParseTuple(args, "OnnnO:" #name, &x, &o, &d, &i, &y))                      \
            return NULL;                                                                      \
        return axis_call(name##_any, x, NULL, o, d, i, y);                                    \
    }                                                                                         \
    static PyObject *py_##name##_backward(PyObject *module, PyObject *args)                   \
    {                                                                                         \
        PyObject *y, *g, *gx;                                                                 \
        Py_ssize_t o, d, i;                                                                   \
        if (!PyArg_ParseTuple(args, "OOnnnO:" #name "_backward", &y, &g, &o, &d, &i, &gx))    \
            return NULL;                                                                      \
        return axis_call(name##_any, y, g, o, d, i, gx);                                      \
    }

AXIS_METHODS(softmax)
AXIS_METHODS(log_softmax)

/* ------------------------------------------------------------------------------------------
 * Class-axis losses: nll_loss, cross_entropy (class indices), cross_entropy_probs,
 * multi_margin_loss, multilabel_margin_loss
 *
 *   nll_loss(input, target, batch, classes, inner, weight, ignore_index, reduction, output)
 *   cross_entropy[_probs](input, target, batch, classes, inner, weight, ignore_index,
 *                         reduction, label_smoothing, output)
 *   nll_loss_backward(target, batch, classes, inner, weight, ignore_index, reduction,
 *                     grad_output, grad_input)
 *   cross_entropy[_probs]_backward(input, target, ..., label_smoothing, grad_output, grad_input)
 *   cross_entropy_fused(input, target, ..., label_smoothing, grad_output, output, grad_input)
 *   multi_margin_loss(input, target, batch, classes, p, margin, weight, reduction, output)
 *   multi_margin_loss_backward(input, target, ..., reduction, grad_output, grad_input)
 *   multilabel_margin_loss(input, target, batch, classes, reduction, output)
 *   multilabel_margin_loss_backward(input, target, batch, classes, reduction, grad_output,
 *                                   grad_input)
 * ------------------------------------------------------------------------------------------ */

/* The arguments of a class-axis call, parsed by each entry point from its own format. Objects
 * a call does not take are NULL. */
typedef struct {
    PyObject *input, *target, *weight, *grad_output, *output, *grad_input, *z_output;
    Py_ssize_t batch, classes, inner;
    long long ignore_index;
    int reduction, p, ex;
    double label_smoothing, margin, z_loss, softcap;
} class_args;

/* The sizes and pointers the adapters pass on (pointers NULL where a call takes none). */
typedef struct {
    size_t batch, classes, inner, wlen;
    int64_t ignore_index;
    int reduction, p;
    double eps, margin, z_loss, softcap;
    const void *x, *t, *w, *g;
    void *y, *gx, *z;
} class_call;

/* What a call's target holds: one int64 class index per sample, float probabilities of the
 * input's size, or int64 label lists of the input's size (multilabel_margin_loss, whose
 * gradient may not be written over its input). */
typedef enum { TARGET_INDICES, TARGET_PROBABILITIES, TARGET_LABEL_LISTS } target_layout;

typedef swiftloss_status (*class_fn)(int f32, const class_call *c);

#define CLASS_SIZES(c) (c)->batch, (c)->classes, (c)->inner, (c)->w, (c)->wlen, (c)->ignore_index

static swiftloss_status
nll_loss_any(int f32, const class_call *c)
{
    return f32 ? swiftloss_nll_loss_f32(c->x, c->t, CLASS_SIZES(c), c->reduction, c->y)
               : swiftloss_nll_loss_f64(c->x, c->t, CLASS_SIZES(c), c->reduction, c->y);
}

static swiftloss_status
nll_loss_backward_any(int f32, const class_call *c)
{
    return f32 ? swiftloss_nll_loss_backward_f32(c->t, CLASS_SIZES(c), c->reduction, c->g, c->gx)
               : swiftloss_nll_loss_backward_f64(c->t, CLASS_SIZES(c), c->reduction, c->g, c->gx);
}

/* cross_entropy and cross_entropy_probs share their signatures. */
#define CROSS_ENTROPY_ADAPTERS(name)                                                          \
    static swiftloss_status name##_any(int f32, const class_call *c)                         \
    {                                                                                         \
        return f32 ? swiftloss_##name##_f32(c->x, c->t, CLASS_SIZES(c), c->reduction, c->eps, \
                                            c->y)                                             \
                   : swiftloss_##name##_f64(c->x, c->t, CLASS_SIZES(c), c->reduction, c->eps, \
                                            c->y);                                            \
    }                                                                                         \
    static swiftloss_status name##_backward_any(int f32, const class_call *c)                \
    {                                                                                         \
        return f32 ? swiftloss_##name##_backward_f32(c->x, c->t, CLASS_SIZES(c), c->reduction, \
                                                     c->eps, c->g, c->gx)                     \
                   : swiftloss_##name##_backward_f64(c->x, c->t, CLASS_SIZES(c), c->reduction, \
                                                     c->eps, c->g, c->gx);                    \
    }

CROSS_ENTROPY_ADAPTERS(cross_entropy)
CROSS_ENTROPY_ADAPTERS(cross_entropy_probs)

static swiftloss_status
cross_entropy_fused_any(int f32, const class_call *c)
{
    return f32 ? swiftloss_cross_entropy_fused_f32(c->x, c->t, CLASS_SIZES(c), c->reduction,
                                                   c->eps, c->g, c->y, c->gx)
               : swiftloss_cross_entropy_fused_f64(c->x, c->t, CLASS_SIZES(c), c->reduction,
                                                   c->eps, c->g, c->y, c->gx);
}

/* cross_entropy[_probs]_ex: z-loss and softcapping; any of y, z, gx may be NULL. */
#define CROSS_ENTROPY_EX_ADAPTER(name)                                                        \
    static swiftloss_status name##_ex_any(int f32, const class_call *c)                      \
    {                                                                                         \
        return f32 ? swiftloss_##name##_ex_f32(c->x, c->t, CLASS_SIZES(c), c->reduction, c->eps, \
                                               c->z_loss, c->softcap, c->g, c->y, c->z, c->gx) \
                   : swiftloss_##name##_ex_f64(c->x, c->t, CLASS_SIZES(c), c->reduction, c->eps, \
                                               c->z_loss, c->softcap, c->g, c->y, c->z, c->gx); \
    }

CROSS_ENTROPY_EX_ADAPTER(cross_entropy)
CROSS_ENTROPY_EX_ADAPTER(cross_entropy_probs)

#define MARGIN_SIZES(c) (c)->batch, (c)->classes, (c)->p, (c)->margin, (c)->w, (c)->wlen, (c)->reduction

static swiftloss_status
multi_margin_loss_any(int f32, const class_call *c)
{
    return f32 ? swiftloss_multi_margin_loss_f32(c->x, c->t, MARGIN_SIZES(c), c->y)
               : swiftloss_multi_margin_loss_f64(c->x, c->t, MARGIN_SIZES(c), c->y);
}

static swiftloss_status
multi_margin_loss_backward_any(int f32, const class_call *c)
{
    return f32 ? swiftloss_multi_margin_loss_backward_f32(c->x, c->t, MARGIN_SIZES(c), c->g, c->gx)
               : swiftloss_multi_margin_loss_backward_f64(c->x, c->t, MARGIN_SIZES(c), c->g, c->gx);
}

static swiftloss_status
multilabel_margin_loss_any(int f32, const class_call *c)
{
    return f32 ? swiftloss_multilabel_margin_loss_f32(c->x, c->t, c->batch, c->classes, c->reduction, c->y)
               : swiftloss_multilabel_margin_loss_f64(c->x, c->t, c->batch, c->classes, c->reduction, c->y);
}

static swiftloss_status
multilabel_margin_loss_backward_any(int f32, const class_call *c)
{
    return f32 ? swiftloss_multilabel_margin_loss_backward_f32(c->x, c->t, c->batch, c->classes, c->reduction,
                                                               c->g, c->gx)
               : swiftloss_multilabel_margin_loss_backward_f64(c->x, c->t, c->batch, c->classes, c->reduction,
                                                               c->g, c->gx);
}

/* The shared worker. The float kind comes from the input, or from grad_input where there is
 * no input (nll_loss_backward). grad_output is optional for the fused and _ex calls (whose
 * output, z_output and grad_input are each optional too). */
static PyObject *
class_loss(class_fn fn, target_layout layout, const class_args *a)
{
    size_t batch, classes, inner, n_input, n_samples;
    if (to_size(a->batch, "batch", &batch) || to_size(a->classes, "classes", &classes) ||
        to_size(a->inner, "inner", &inner) || mul_size(batch, inner, &n_samples) ||
        mul_size(n_samples, classes, &n_input)) {
        return NULL;
    }
    size_t n_output = a->reduction == SWIFTLOSS_REDUCTION_NONE ? n_samples : 1;
    int fused = a->ex || (a->output != NULL && a->grad_input != NULL);
    buffer input = {0}, target = {0}, weight = {0}, grad_output = {0}, output = {0},
           grad_input = {0}, z_output = {0};
    PyObject *result = NULL;
    int kind = a->input != NULL ? buffer_get(a->input, &input, "input", KIND_OTHER, 0)
                                : buffer_get(a->grad_input, &grad_input, "grad_input", KIND_OTHER, 1);
    if (kind < 0) {
        goto done;
    }
    buffer_kind fk = (buffer_kind)kind;
    if ((a->input != NULL && a->grad_input != NULL &&
         buffer_get(a->grad_input, &grad_input, "grad_input", fk, 1) < 0) ||
        buffer_get(a->target, &target, "target", layout == TARGET_PROBABILITIES ? fk : KIND_I64, 0) < 0 ||
        buffer_get_optional(a->weight, &weight, "weight", fk) < 0 ||
        (a->grad_output != NULL &&
         (fused ? buffer_get_optional(a->grad_output, &grad_output, "grad_output", fk)
                : buffer_get(a->grad_output, &grad_output, "grad_output", fk, 0)) < 0) ||
        (a->output != NULL && buffer_get(a->output, &output, "output", fk, 1) < 0) ||
        (a->z_output != NULL && buffer_get(a->z_output, &z_output, "z_output", fk, 1) < 0)) {
        goto done;
    }
    if ((input.held && check_count(&input, "input", n_input)) ||
        check_count(&target, "target", layout == TARGET_INDICES ? n_samples : n_input) ||
        (grad_output.held && check_count(&grad_output, "grad_output", n_output)) ||
        (output.held && check_count(&output, "output", n_output)) ||
        (grad_input.held && check_count(&grad_input, "grad_input", n_input)) ||
        check_alias(&grad_input, &input, "grad_input", "input", layout != TARGET_LABEL_LISTS) ||
        check_alias(&grad_input, &target, "grad_input", "target", 0) ||
        check_alias(&grad_input, &weight, "grad_input", "weight", 0) ||
        check_alias(&grad_input, &grad_output, "grad_input", "grad_output", 0) ||
        check_alias(&grad_input, &output, "grad_input", "output", 0) ||
        check_alias(&output, &input, "output", "input", 0) ||
        check_alias(&output, &target, "output", "target", 0) ||
        check_alias(&output, &weight, "output", "weight", 0) ||
        check_alias(&output, &grad_output, "output", "grad_output", 0) ||
        (z_output.held &&
         (check_count(&z_output, "z_output", n_output) ||
          check_alias(&z_output, &input, "z_output", "input", 0) ||
          check_alias(&z_output, &target, "z_output", "target", 0) ||
          check_alias(&z_output, &weight, "z_output", "weight", 0) ||
          check_alias(&z_output, &grad_output, "z_output", "grad_output", 0) ||
          check_alias(&z_output, &output, "z_output", "output", 0) ||
          check_alias(&grad_input, &z_output, "grad_input", "z_output", 0)))) {
        goto done;
    }
    class_call c = {batch, classes, inner, len_of(&weight), (int64_t)a->ignore_index,
                    a->reduction, a->p, a->label_smoothing, a->margin, a->z_loss, a->softcap,
                    data_of(&input), target.view.buf, data_of(&weight), data_of(&grad_output),
                    data_of(&output), data_of(&grad_input), data_of(&z_output)};
    swiftloss_status status;
    SWIFTLOSS_WITHOUT_GIL(n_input > SWIFTLOSS_GIL_THRESHOLD, status = fn(kind == KIND_F32, &c));
    result = status_result(status);
done:
    buffer_release(&z_output);
    buffer_release(&grad_input);
    buffer_release(&output);
    buffer_release(&grad_output);
    buffer_release(&weight);
    buffer_release(&target);
    buffer_release(&input);
    return result;
}

static PyObject *
py_nll_loss(PyObject *module, PyObject *args)
{
    class_args a = {0};
    if (!PyArg_ParseTuple(args, "OOnnnOLiO:nll_loss", &a.input, &a.target, &a.batch, &a.classes,
                          &a.inner, &a.weight, &a.ignore_index, &a.reduction, &a.output)) {
        return NULL;
    }
    return class_loss(nll_loss_any, TARGET_INDICES, &a);
}

static PyObject *
py_nll_loss_backward(PyObject *module, PyObject *args)
{
    class_args a = {0};
    if (!PyArg_ParseTuple(args, "OnnnOLiOO:nll_loss_backward", &a.target, &a.batch, &a.classes,
                          &a.inner, &a.weight, &a.ignore_index, &a.reduction, &a.grad_output,
                          &a.grad_input)) {
        return NULL;
    }
    return class_loss(nll_loss_backward_any, TARGET_INDICES, &a);
}

#define CROSS_ENTROPY_METHODS(name, layout)                                                   \
    static PyObject *py_##name(PyObject *module, PyObject *args)                              \
    {                                                                                         \
        class_args a = {0};                                                                   \
        if (!PyArg_ParseTuple(args, "OOnnnOLidO:" #name, &a.input, &a.target, &a.batch,      \
                              &a.classes, &a.inner, &a.weight, &a.ignore_index, &a.reduction, \
                              &a.label_smoothing, &a.output))                                 \
            return NULL;                                                                      \
        return class_loss(name##_any, layout, &a);                                            \
    }                                                                                         \
    static PyObject *py_##name##_backward(PyObject *module, PyObject *args)                   \
    {                                                                                         \
        class_args a = {0};                                                                   \
        if (!PyArg_ParseTuple(args, "OOnnnOLidOO:" #name "_backward", &a.input, &a.target,   \
                              &a.batch, &a.classes, &a.inner, &a.weight, &a.ignore_index,     \
                              &a.reduction, &a.label_smoothing, &a.grad_output,               \
                              &a.grad_input))                                                 \
            return NULL;                                                                      \
        return class_loss(name##_backward_any, layout, &a);                                   \
    }

CROSS_ENTROPY_METHODS(cross_entropy, TARGET_INDICES)
CROSS_ENTROPY_METHODS(cross_entropy_probs, TARGET_PROBABILITIES)

static PyObject *
py_cross_entropy_fused(PyObject *module, PyObject *args)
{
    class_args a = {0};
    if (!PyArg_ParseTuple(args, "OOnnnOLidOOO:cross_entropy_fused", &a.input, &a.target,
                          &a.batch, &a.classes, &a.inner, &a.weight, &a.ignore_index,
                          &a.reduction, &a.label_smoothing, &a.grad_output, &a.output,
                          &a.grad_input)) {
        return NULL;
    }
    return class_loss(cross_entropy_fused_any, TARGET_INDICES, &a);
}

/* cross_entropy_ex(input, target, batch, classes, inner, weight, ignore_index, reduction,
 *                  label_smoothing, z_loss, softcap, grad_output, output, z_output, grad_input,
 *                  probabilities): None for each output not wanted, grad_output None for ones. */
static PyObject *
py_cross_entropy_ex(PyObject *module, PyObject *args)
{
    class_args a = {0};
    int probabilities = 0;
    if (!PyArg_ParseTuple(args, "OOnnnOLidddOOOOp:cross_entropy_ex", &a.input, &a.target,
                          &a.batch, &a.classes, &a.inner, &a.weight, &a.ignore_index,
                          &a.reduction, &a.label_smoothing, &a.z_loss, &a.softcap,
                          &a.grad_output, &a.output, &a.z_output, &a.grad_input, &probabilities)) {
        return NULL;
    }
    a.ex = 1;
    PyObject **optional[] = {&a.grad_output, &a.output, &a.z_output, &a.grad_input};
    for (size_t k = 0; k < sizeof optional / sizeof *optional; k++) {
        if (*optional[k] == Py_None) {
            *optional[k] = NULL;
        }
    }
    return probabilities ? class_loss(cross_entropy_probs_ex_any, TARGET_PROBABILITIES, &a)
                         : class_loss(cross_entropy_ex_any, TARGET_INDICES, &a);
}

static PyObject *
py_multi_margin_loss(PyObject *module, PyObject *args)
{
    class_args a = {0};
    a.inner = 1;
    if (!PyArg_ParseTuple(args, "OOnnidOiO:multi_margin_loss", &a.input, &a.target, &a.batch,
                          &a.classes, &a.p, &a.margin, &a.weight, &a.reduction, &a.output)) {
        return NULL;
    }
    return class_loss(multi_margin_loss_any, TARGET_INDICES, &a);
}

static PyObject *
py_multi_margin_loss_backward(PyObject *module, PyObject *args)
{
    class_args a = {0};
    a.inner = 1;
    if (!PyArg_ParseTuple(args, "OOnnidOiOO:multi_margin_loss_backward", &a.input, &a.target,
                          &a.batch, &a.classes, &a.p, &a.margin, &a.weight, &a.reduction,
                          &a.grad_output, &a.grad_input)) {
        return NULL;
    }
    return class_loss(multi_margin_loss_backward_any, TARGET_INDICES, &a);
}

static PyObject *
py_multilabel_margin_loss(PyObject *module, PyObject *args)
{
    class_args a = {0};
    a.inner = 1;
    a.weight = Py_None;
    if (!PyArg_ParseTuple(args, "OOnniO:multilabel_margin_loss", &a.input, &a.target, &a.batch,
                          &a.classes, &a.reduction, &a.output)) {
        return NULL;
    }
    return class_loss(multilabel_margin_loss_any, TARGET_LABEL_LISTS, &a);
}

static PyObject *
py_multilabel_margin_loss_backward(PyObject *module, PyObject *args)
{
    class_args a = {0};
    a.inner = 1;
    a.weight = Py_None;
    if (!PyArg_ParseTuple(args, "OOnniOO:multilabel_margin_loss_backward", &a.input, &a.target,
                          &a.batch, &a.classes, &a.reduction, &a.grad_output, &a.grad_input)) {
        return NULL;
    }
    return class_loss(multilabel_margin_loss_backward_any, TARGET_LABEL_LISTS, &a);
}

/* ------------------------------------------------------------------------------------------
 * Element-wise losses: binary_cross_entropy, binary_cross_entropy_with_logits, kl_div
 *
 *   binary_cross_entropy(input, target, count, weight, reduction, output)
 *   binary_cross_entropy_with_logits(input, target, count, weight, pos_weight, reduction,
 *                                    output)
 *   kl_div(input, target, count, batch, reduction, log_target, output)
 *   NAME_backward(the same, with grad_output, grad_input for output; kl_div_backward takes
 *                 no input)
 * ------------------------------------------------------------------------------------------ */

typedef struct {
    PyObject *input, *target, *weight, *pos_weight, *grad_output, *out;
    Py_ssize_t count, batch;
    int reduction, log_target;
} element_args;

typedef struct {
    size_t count, batch, wlen, pwlen;
    int reduction, log_target;
    const void *x, *t, *w, *pw, *g;
    void *y;  /* the loss output, or the gradient when g is given */
} element_call;

typedef swiftloss_status (*element_fn)(int f32, const element_call *c);

static swiftloss_status
binary_cross_entropy_any(int f32, const element_call *c)
{
    if (c->g == NULL)
        return f32 ? swiftloss_binary_cross_entropy_f32(c->x, c->t, c->count, c->w, c->wlen,
                                                        c->reduction, c->y)
                   : swiftloss_binary_cross_entropy_f64(c->x, c->t, c->count, c->w, c->wlen,
                                                        c->reduction, c->y);
    return f32 ? swiftloss_binary_cross_entropy_backward_f32(c->x, c->t, c->count, c->w, c->wlen,
                                                             c->reduction, c->g, c->y)
               : swiftloss_binary_cross_entropy_backward_f64(c->x, c->t, c->count, c->w, c->wlen,
                                                             c->reduction, c->g, c->y);
}

static swiftloss_status
binary_cross_entropy_with_logits_any(int f32, const element_call *c)
{
    if (c->g == NULL)
        return f32 ? swiftloss_binary_cross_entropy_with_logits_f32(
                         c->x, c->t, c->count, c->w, c->wlen, c->pw, c->pwlen, c->reduction, c->y)
                   : swiftloss_binary_cross_entropy_with_logits_f64(
                         c->x, c->t, c->count, c->w, c->wlen, c->pw, c->pwlen, c->reduction, c->y);
    return f32 ? swiftloss_binary_cross_entropy_with_logits_backward_f32(
                     c->x, c->t, c->count, c->w, c->wlen, c->pw, c->pwlen, c->reduction, c->g, c->y)
               : swiftloss_binary_cross_entropy_with_logits_backward_f64(
                     c->x, c->t, c->count, c->w, c->wlen, c->pw, c->pwlen, c->reduction, c->g, c->y);
}

static swiftloss_status
kl_div_any(int f32, const element_call *c)
{
    if (c->g == NULL)
        return f32 ? swiftloss_kl_div_f32(c->x, c->t, c->count, c->batch, c->reduction,
                                          c->log_target, c->y)
                   : swiftloss_kl_div_f64(c->x, c->t, c->count, c->batch, c->reduction,
                                          c->log_target, c->y);
    return f32 ? swiftloss_kl_div_backward_f32(c->t, c->count, c->batch, c->reduction,
                                               c->log_target, c->g, c->y)
               : swiftloss_kl_div_backward_f64(c->t, c->count, c->batch, c->reduction,
                                               c->log_target, c->g, c->y);
}

/* The shared worker: a->grad_output NULL for a forward call (a->out is the loss output),
 * else a->out is grad_input. The float kind comes from the input, or from the target where
 * there is no input (kl_div_backward). */
static PyObject *
element_loss(element_fn fn, const element_args *a)
{
    size_t count, batch;
    if (to_size(a->count, "count", &count) || to_size(a->batch, "batch", &batch)) {
        return NULL;
    }
    int backward = a->grad_output != NULL;
    const char *out_name = backward ? "grad_input" : "output";
    size_t n_reduced = a->reduction == SWIFTLOSS_REDUCTION_NONE ? count : 1;
    buffer input = {0}, target = {0}, weight = {0}, pos_weight = {0}, grad_output = {0},
           out = {0};
    PyObject *result = NULL;
    int kind = a->input != NULL ? buffer_get(a->input, &input, "input", KIND_OTHER, 0)
                                : buffer_get(a->target, &target, "target", KIND_OTHER, 0);
    if (kind < 0) {
        goto done;
    }
    buffer_kind fk = (buffer_kind)kind;
    if ((a->input != NULL && buffer_get(a->target, &target, "target", fk, 0) < 0) ||
        (a->weight != NULL && buffer_get_optional(a->weight, &weight, "weight", fk) < 0) ||
        (a->pos_weight != NULL &&
         buffer_get_optional(a->pos_weight, &pos_weight, "pos_weight", fk) < 0) ||
        (backward && buffer_get(a->grad_output, &grad_output, "grad_output", fk, 0) < 0) ||
        buffer_get(a->out, &out, out_name, fk, 1) < 0) {
        goto done;
    }
    if ((input.held && check_count(&input, "input", count)) ||
        check_count(&target, "target", count) ||
        (backward && check_count(&grad_output, "grad_output", n_reduced)) ||
        check_count(&out, out_name, backward ? count : n_reduced) ||
        check_alias(&out, &input, out_name, "input", 0) ||
        check_alias(&out, &target, out_name, "target", 0) ||
        check_alias(&out, &weight, out_name, "weight", 0) ||
        check_alias(&out, &pos_weight, out_name, "pos_weight", 0) ||
        (backward && check_alias(&out, &grad_output, out_name, "grad_output", 0))) {
        goto done;
    }
    element_call c = {count, batch, len_of(&weight), len_of(&pos_weight), a->reduction,
                      a->log_target, data_of(&input), target.view.buf, data_of(&weight),
                      data_of(&pos_weight), data_of(&grad_output), out.view.buf};
    swiftloss_status status;
    SWIFTLOSS_WITHOUT_GIL(count > SWIFTLOSS_GIL_THRESHOLD, status = fn(kind == KIND_F32, &c));
    result = status_result(status);
done:
    buffer_release(&out);
    buffer_release(&grad_output);
    buffer_release(&pos_weight);
    buffer_release(&weight);
    buffer_release(&target);
    buffer_release(&input);
    return result;
}

static PyObject *
py_binary_cross_entropy(PyObject *module, PyObject *args)
{
    element_args a = {0};
    if (!PyArg_ParseTuple(args, "OOnOiO:binary_cross_entropy", &a.input, &a.target, &a.count,
                          &a.weight, &a.reduction, &a.out)) {
        return NULL;
    }
    return element_loss(binary_cross_entropy_any, &a);
}

static PyObject *
py_binary_cross_entropy_backward(PyObject *module, PyObject *args)
{
    element_args a = {0};
    if (!PyArg_ParseTuple(args, "OOnOiOO:binary_cross_entropy_backward", &a.input, &a.target,
                          &a.count, &a.weight, &a.reduction, &a.grad_output, &a.out)) {
        return NULL;
    }
    return element_loss(binary_cross_entropy_any, &a);
}

static PyObject *
py_binary_cross_entropy_with_logits(PyObject *module, PyObject *args)
{
    element_args a = {0};
    if (!PyArg_ParseTuple(args, "OOnOOiO:binary_cross_entropy_with_logits", &a.input, &a.target,
                          &a.count, &a.weight, &a.pos_weight, &a.reduction, &a.out)) {
        return NULL;
    }
    return element_loss(binary_cross_entropy_with_logits_any, &a);
}

static PyObject *
py_binary_cross_entropy_with_logits_backward(PyObject *module, PyObject *args)
{
    element_args a = {0};
    if (!PyArg_ParseTuple(args, "OOnOOiOO:binary_cross_entropy_with_logits_backward", &a.input,
                          &a.target, &a.count, &a.weight, &a.pos_weight, &a.reduction,
                          &a.grad_output, &a.out)) {
        return NULL;
    }
    return element_loss(binary_cross_entropy_with_logits_any, &a);
}

static PyObject *
py_kl_div(PyObject *module, PyObject *args)
{
    element_args a = {0};
    if (!PyArg_ParseTuple(args, "OOnniiO:kl_div", &a.input, &a.target, &a.count, &a.batch,
                          &a.reduction, &a.log_target, &a.out)) {
        return NULL;
    }
    return element_loss(kl_div_any, &a);
}

static PyObject *
py_kl_div_backward(PyObject *module, PyObject *args)
{
    element_args a = {0};
    if (!PyArg_ParseTuple(args, "OnniiOO:kl_div_backward", &a.target, &a.count, &a.batch,
                          &a.reduction, &a.log_target, &a.grad_output, &a.out)) {
        return NULL;
    }
    return element_loss(kl_div_any, &a);
}

/* ------------------------------------------------------------------------------------------
 * Regression losses (mse_loss, l1_loss, smooth_l1_loss, huber_loss, soft_margin_loss,
 * hinge_embedding_loss, and poisson_nll_loss with its own signature below)
 *
 * One Python signature for all of them, forward and backward:
 *   NAME(input, target, count, weight, parameter, reduction, output)
 *   NAME_backward(input, target, count, weight, parameter, reduction, grad_output, grad_input)
 * weight: None or count elements (only for the losses that take one); parameter: beta, delta
 * or margin (ignored by the others). Each loss is one line of adapters and one table entry.
 * ------------------------------------------------------------------------------------------ */

/* A regression entry point as the worker calls it: f32 picks the precision; g is NULL for a
 * forward call. */
/* parameter: beta, delta, margin or eps; log_input and full: poisson_nll_loss's flags (the
 * others ignore them). */
typedef swiftloss_status (*regression_fn)(int f32, const void *x, const void *t, size_t n,
                                          const void *w, size_t wlen, double parameter,
                                          int log_input, int full, int reduction, const void *g,
                                          void *y);

/* Adapters from the C signatures to regression_fn: with a weight (W) or not, with a
 * parameter (P) or not. */
#define REGRESSION_W(name)                                                                    \
    static swiftloss_status name##_any(int f32, const void *x, const void *t, size_t n,       \
                                       const void *w, size_t wl, double p, int li, int fu,   \
                                       int r, const void *g, void *y)                        \
    {                                                                                         \
        (void)p, (void)li, (void)fu;                                                          \
        if (g == NULL)                                                                        \
            return f32 ? swiftloss_##name##_f32(x, t, n, w, wl, r, y)                         \
                       : swiftloss_##name##_f64(x, t, n, w, wl, r, y);                        \
        return f32 ? swiftloss_##name##_backward_f32(x, t, n, w, wl, r, g, y)                 \
                   : swiftloss_##name##_backward_f64(x, t, n, w, wl, r, g, y);                \
    }
#define REGRESSION_WP(name)                                                                   \
    static swiftloss_status name##_any(int f32, const void *x, const void *t, size_t n,       \
                                       const void *w, size_t wl, double p, int li, int fu,   \
                                       int r, const void *g, void *y)                        \
    {                                                                                         \
        if (g == NULL)                                                                        \
            return f32 ? swiftloss_##name##_f32(x, t, n, w, wl, p, r, y)                      \
                       : swiftloss_##name##_f64(x, t, n, w, wl, p, r, y);                     \
        return f32 ? swiftloss_##name##_backward_f32(x, t, n, w, wl, p, r, g, y)              \
                   : swiftloss_##name##_backward_f64(x, t, n, w, wl, p, r, g, y);             \
    }
#define REGRESSION_P(name)                                                                    \
    static swiftloss_status name##_any(int f32, const void *x, const void *t, size_t n,       \
                                       const void *w, size_t wl, double p, int li, int fu,   \
                                       int r, const void *g, void *y)                        \
    {                                                                                         \
        (void)w, (void)wl, (void)li, (void)fu;                                                \
        if (g == NULL)                                                                        \
            return f32 ? swiftloss_##name##_f32(x, t, n, p, r, y)                             \
                       : swiftloss_##name##_f64(x, t, n, p, r, y);                            \
        return f32 ? swiftloss_##name##_backward_f32(x, t, n, p, r, g, y)                     \
                   : swiftloss_##name##_backward_f64(x, t, n, p, r, g, y);                    \
    }
#define REGRESSION(name)                                                                      \
    static swiftloss_status name##_any(int f32, const void *x, const void *t, size_t n,       \
                                       const void *w, size_t wl, double p, int li, int fu,   \
                                       int r, const void *g, void *y)                        \
    {                                                                                         \
        (void)w, (void)wl, (void)p, (void)li, (void)fu;                                       \
        if (g == NULL)                                                                        \
            return f32 ? swiftloss_##name##_f32(x, t, n, r, y)                                \
                       : swiftloss_##name##_f64(x, t, n, r, y);                               \
        return f32 ? swiftloss_##name##_backward_f32(x, t, n, r, g, y)                        \
                   : swiftloss_##name##_backward_f64(x, t, n, r, g, y);                       \
    }

REGRESSION_W(mse_loss)
REGRESSION_W(l1_loss)
REGRESSION_P(smooth_l1_loss)
REGRESSION_WP(huber_loss)
REGRESSION(soft_margin_loss)
REGRESSION_P(hinge_embedding_loss)

/* poisson_nll_loss: parameter is eps; log_input and full are passed on as given (the
 * library refuses values other than 0 and 1). */
static swiftloss_status
poisson_nll_loss_any(int f32, const void *x, const void *t, size_t n, const void *w, size_t wl,
                     double eps, int log_input, int full, int r, const void *g, void *y)
{
    (void)w, (void)wl;
    if (g == NULL)
        return f32 ? swiftloss_poisson_nll_loss_f32(x, t, n, log_input, full, eps, r, y)
                   : swiftloss_poisson_nll_loss_f64(x, t, n, log_input, full, eps, r, y);
    return f32 ? swiftloss_poisson_nll_loss_backward_f32(x, t, n, log_input, full, eps, r, g, y)
               : swiftloss_poisson_nll_loss_backward_f64(x, t, n, log_input, full, eps, r, g, y);
}

typedef struct {
    const char *name;
    regression_fn fn;
    int takes_weight;
} regression_spec;

static const regression_spec MSE_LOSS = {"mse_loss", mse_loss_any, 1};
static const regression_spec L1_LOSS = {"l1_loss", l1_loss_any, 1};
static const regression_spec SMOOTH_L1_LOSS = {"smooth_l1_loss", smooth_l1_loss_any, 0};
static const regression_spec HUBER_LOSS = {"huber_loss", huber_loss_any, 1};
static const regression_spec SOFT_MARGIN_LOSS = {"soft_margin_loss", soft_margin_loss_any, 0};
static const regression_spec HINGE_EMBEDDING_LOSS = {"hinge_embedding_loss", hinge_embedding_loss_any, 0};
static const regression_spec POISSON_NLL_LOSS = {"poisson_nll_loss", poisson_nll_loss_any, 0};

/* The shared worker: grad_output_obj is NULL for a forward call, out_obj the loss output or
 * the gradient. */
static PyObject *
regression(const regression_spec *spec, PyObject *input_obj, PyObject *target_obj,
           Py_ssize_t count_arg, PyObject *weight_obj, double parameter, int log_input, int full,
           int reduction, PyObject *grad_output_obj, PyObject *out_obj)
{
    size_t count;
    if (to_size(count_arg, "count", &count)) {
        return NULL;
    }
    if (!spec->takes_weight && weight_obj != Py_None) {
        PyErr_Format(PyExc_TypeError, "%s takes no weight", spec->name);
        return NULL;
    }
    int backward = grad_output_obj != NULL;
    size_t n_reduced = reduction == SWIFTLOSS_REDUCTION_NONE ? count : 1;
    buffer input = {0}, target = {0}, weight = {0}, grad_output = {0}, out = {0};
    PyObject *result = NULL;
    int kind = buffer_get(input_obj, &input, "input", KIND_OTHER, 0);
    if (kind < 0 || buffer_get(target_obj, &target, "target", (buffer_kind)kind, 0) < 0 ||
        buffer_get_optional(weight_obj, &weight, "weight", (buffer_kind)kind) < 0 ||
        (backward &&
         buffer_get(grad_output_obj, &grad_output, "grad_output", (buffer_kind)kind, 0) < 0) ||
        buffer_get(out_obj, &out, backward ? "grad_input" : "output", (buffer_kind)kind, 1) < 0) {
        goto done;
    }
    const char *out_name = backward ? "grad_input" : "output";
    if (check_count(&input, "input", count) || check_count(&target, "target", count) ||
        (weight.held && check_count(&weight, "weight", count)) ||
        (backward && check_count(&grad_output, "grad_output", n_reduced)) ||
        check_count(&out, out_name, backward ? count : n_reduced) ||
        check_alias(&out, &input, out_name, "input", 0) ||
        check_alias(&out, &target, out_name, "target", 0) ||
        check_alias(&out, &weight, out_name, "weight", 0) ||
        (backward && check_alias(&out, &grad_output, out_name, "grad_output", 1))) {
        goto done;
    }
    swiftloss_status status;
    SWIFTLOSS_WITHOUT_GIL(count > SWIFTLOSS_GIL_THRESHOLD,
        status = spec->fn(kind == KIND_F32, input.view.buf, target.view.buf, count, data_of(&weight),
                          len_of(&weight), parameter, log_input, full, reduction,
                          backward ? grad_output.view.buf : NULL, out.view.buf));
    result = status_result(status);
done:
    buffer_release(&out);
    buffer_release(&grad_output);
    buffer_release(&weight);
    buffer_release(&target);
    buffer_release(&input);
    return result;
}

#define REGRESSION_METHODS(name, SPEC)                                                        \
    static PyObject *py_##name(PyObject *module, PyObject *args)                              \
    {                                                                                         \
        PyObject *x, *t, *w, *y;                                                              \
        Py_ssize_t n;                                                                         \
        double p;                                                                             \
        int r;                                                                                \
        if (!PyArg_ParseTuple(args, "OOnOdiO:" #name, &x, &t, &n, &w, &p, &r, &y))            \
            return NULL;                                                                      \
        return regression(&SPEC, x, t, n, w, p, 0, 0, r, NULL, y);                            \
    }                                                                                         \
    static PyObject *py_##name##_backward(PyObject *module, PyObject *args)                   \
    {                                                                                         \
        PyObject *x, *t, *w, *g, *gx;                                                         \
        Py_ssize_t n;                                                                         \
        double p;                                                                             \
        int r;                                                                                \
        if (!PyArg_ParseTuple(args, "OOnOdiOO:" #name "_backward", &x, &t, &n, &w, &p, &r, &g, \
                              &gx))                                                           \
            return NULL;                                                                      \
        return regression(&SPEC, x, t, n, w, p, 0, 0, r, g, gx);                              \
    }

REGRESSION_METHODS(mse_loss, MSE_LOSS)
REGRESSION_METHODS(l1_loss, L1_LOSS)
REGRESSION_METHODS(smooth_l1_loss, SMOOTH_L1_LOSS)
REGRESSION_METHODS(huber_loss, HUBER_LOSS)
REGRESSION_METHODS(soft_margin_loss, SOFT_MARGIN_LOSS)
REGRESSION_METHODS(hinge_embedding_loss, HINGE_EMBEDDING_LOSS)

/* poisson_nll_loss(input, target, count, log_input, full, eps, reduction, output) and
 * poisson_nll_loss_backward(input, target, count, log_input, full, eps, reduction, grad_output,
 * grad_input). */
/* ------------------------------------------------------------------------------------------
 * multilabel_soft_margin_loss
 *
 *   multilabel_soft_margin_loss(input, target, batch, classes, weight, reduction, output)
 *   multilabel_soft_margin_loss_backward(input, target, batch, classes, weight, reduction,
 *                                        grad_output, grad_input)
 * weight: None, classes elements or batch * classes. grad_input may be the input's buffer.
 * ------------------------------------------------------------------------------------------ */

static PyObject *
multilabel(PyObject *input_obj, PyObject *target_obj, Py_ssize_t batch_arg, Py_ssize_t classes_arg,
           PyObject *weight_obj, int reduction, PyObject *grad_output_obj, PyObject *out_obj)
{
    size_t batch, classes, count;
    if (to_size(batch_arg, "batch", &batch) || to_size(classes_arg, "classes", &classes) ||
        mul_size(batch, classes, &count)) {
        return NULL;
    }
    int backward = grad_output_obj != NULL;
    const char *out_name = backward ? "grad_input" : "output";
    size_t n_reduced = reduction == SWIFTLOSS_REDUCTION_NONE ? batch : 1;
    buffer input = {0}, target = {0}, weight = {0}, grad_output = {0}, out = {0};
    PyObject *result = NULL;
    int kind = buffer_get(input_obj, &input, "input", KIND_OTHER, 0);
    if (kind < 0 || buffer_get(target_obj, &target, "target", (buffer_kind)kind, 0) < 0 ||
        buffer_get_optional(weight_obj, &weight, "weight", (buffer_kind)kind) < 0 ||
        (backward &&
         buffer_get(grad_output_obj, &grad_output, "grad_output", (buffer_kind)kind, 0) < 0) ||
        buffer_get(out_obj, &out, out_name, (buffer_kind)kind, 1) < 0) {
        goto done;
    }
    if (check_count(&input, "input", count) || check_count(&target, "target", count) ||
        (backward && check_count(&grad_output, "grad_output", n_reduced)) ||
        check_count(&out, out_name, backward ? count : n_reduced) ||
        check_alias(&out, &input, out_name, "input", backward) ||
        check_alias(&out, &target, out_name, "target", 0) ||
        check_alias(&out, &weight, out_name, "weight", 0) ||
        (backward && check_alias(&out, &grad_output, out_name, "grad_output", 0))) {
        goto done;
    }
    swiftloss_status status;
    const void *x = input.view.buf, *t = target.view.buf, *w = data_of(&weight);
    size_t wl = len_of(&weight);
    void *y = out.view.buf;
    int f32 = kind == KIND_F32;
    SWIFTLOSS_WITHOUT_GIL(count > SWIFTLOSS_GIL_THRESHOLD,
        status = backward
            ? (f32 ? swiftloss_multilabel_soft_margin_loss_backward_f32(x, t, batch, classes, w, wl, reduction,
                                                                         grad_output.view.buf, y)
                   : swiftloss_multilabel_soft_margin_loss_backward_f64(x, t, batch, classes, w, wl, reduction,
                                                                         grad_output.view.buf, y))
            : (f32 ? swiftloss_multilabel_soft_margin_loss_f32(x, t, batch, classes, w, wl, reduction, y)
                   : swiftloss_multilabel_soft_margin_loss_f64(x, t, batch, classes, w, wl, reduction, y)));
    result = status_result(status);
done:
    buffer_release(&out);
    buffer_release(&grad_output);
    buffer_release(&weight);
    buffer_release(&target);
    buffer_release(&input);
    return result;
}

static PyObject *
py_multilabel_soft_margin_loss(PyObject *module, PyObject *args)
{
    PyObject *x, *t, *w, *y;
    Py_ssize_t b, c;
    int r;
    if (!PyArg_ParseTuple(args, "OOnnOiO:multilabel_soft_margin_loss", &x, &t, &b, &c, &w, &r, &y)) {
        return NULL;
    }
    return multilabel(x, t, b, c, w, r, NULL, y);
}

static PyObject *
py_multilabel_soft_margin_loss_backward(PyObject *module, PyObject *args)
{
    PyObject *x, *t, *w, *g, *gx;
    Py_ssize_t b, c;
    int r;
    if (!PyArg_ParseTuple(args, "OOnnOiOO:multilabel_soft_margin_loss_backward", &x, &t, &b, &c, &w, &r,
                          &g, &gx)) {
        return NULL;
    }
    return multilabel(x, t, b, c, w, r, g, gx);
}

static PyObject *
py_poisson_nll_loss(PyObject *module, PyObject *args)
{
    PyObject *x, *t, *y;
    Py_ssize_t n;
    int log_input, full, r;
    double eps;
    if (!PyArg_ParseTuple(args, "OOniidiO:poisson_nll_loss", &x, &t, &n, &log_input, &full, &eps,
                          &r, &y)) {
        return NULL;
    }
    return regression(&POISSON_NLL_LOSS, x, t, n, Py_None, eps, log_input, full, r, NULL, y);
}

static PyObject *
py_poisson_nll_loss_backward(PyObject *module, PyObject *args)
{
    PyObject *x, *t, *g, *gx;
    Py_ssize_t n;
    int log_input, full, r;
    double eps;
    if (!PyArg_ParseTuple(args, "OOniidiOO:poisson_nll_loss_backward", &x, &t, &n, &log_input,
                          &full, &eps, &r, &g, &gx)) {
        return NULL;
    }
    return regression(&POISSON_NLL_LOSS, x, t, n, Py_None, eps, log_input, full, r, g, gx);
}

/* ------------------------------------------------------------------------------------------
 * Losses of three inputs, two of them learned (margin_ranking_loss; gaussian_nll_loss)
 *
 *   NAME(a, b, c, count, ..., reduction, output)
 *   NAME_backward(a, b, c, count, ..., reduction, grad_output, grad_1, grad_2)
 * a, b, c: count elements each; grad_1 and grad_2, the gradients of the two learned inputs
 * (margin_ranking_loss: a and b; gaussian_nll_loss: input a and var c): None (that gradient is
 * not computed) or count elements, overlapping nothing.
 * ------------------------------------------------------------------------------------------ */

/* A three-input entry point as the worker calls it: g is NULL for a forward call (y1 the
 * output, y2 unused); parameter: margin or eps; flag: gaussian_nll_loss's full. */
typedef swiftloss_status (*three_fn)(int f32, const void *a, const void *b, const void *c,
                                     size_t n, double parameter, int flag, int reduction,
                                     const void *g, void *y1, void *y2);

static swiftloss_status
margin_ranking_loss_any(int f32, const void *a, const void *b, const void *c, size_t n,
                        double margin, int flag, int r, const void *g, void *y1, void *y2)
{
    (void)flag;
    if (g == NULL)
        return f32 ? swiftloss_margin_ranking_loss_f32(a, b, c, n, margin, r, y1)
                   : swiftloss_margin_ranking_loss_f64(a, b, c, n, margin, r, y1);
    return f32 ? swiftloss_margin_ranking_loss_backward_f32(a, b, c, n, margin, r, g, y1, y2)
               : swiftloss_margin_ranking_loss_backward_f64(a, b, c, n, margin, r, g, y1, y2);
}

/* The shared worker: names[0..2] name the inputs and names[3..4] the two gradients. */
static PyObject *
three_input(three_fn fn, const char *const names[5], PyObject *a_obj, PyObject *b_obj,
            PyObject *c_obj, Py_ssize_t count_arg, double parameter, int flag, int reduction,
            PyObject *grad_output_obj, PyObject *out1_obj, PyObject *out2_obj)
{
    size_t count;
    if (to_size(count_arg, "count", &count)) {
        return NULL;
    }
    int backward = grad_output_obj != NULL;
    size_t n_reduced = reduction == SWIFTLOSS_REDUCTION_NONE ? count : 1;
    buffer a = {0}, b = {0}, c = {0}, grad_output = {0}, out1 = {0}, out2 = {0};
    PyObject *result = NULL;
    int kind = buffer_get(a_obj, &a, names[0], KIND_OTHER, 0);
    if (kind < 0 || buffer_get(b_obj, &b, names[1], (buffer_kind)kind, 0) < 0 ||
        buffer_get(c_obj, &c, names[2], (buffer_kind)kind, 0) < 0) {
        goto done;
    }
    if (backward) {
        if (buffer_get(grad_output_obj, &grad_output, "grad_output", (buffer_kind)kind, 0) < 0 ||
            (out1_obj != Py_None && buffer_get(out1_obj, &out1, names[3], (buffer_kind)kind, 1) < 0) ||
            (out2_obj != Py_None && buffer_get(out2_obj, &out2, names[4], (buffer_kind)kind, 1) < 0)) {
            goto done;
        }
    }
    else if (buffer_get(out1_obj, &out1, "output", (buffer_kind)kind, 1) < 0) {
        goto done;
    }
    if (check_count(&a, names[0], count) || check_count(&b, names[1], count) ||
        check_count(&c, names[2], count) ||
        (backward && check_count(&grad_output, "grad_output", n_reduced)) ||
        (out1.held && check_count(&out1, backward ? names[3] : "output", backward ? count : n_reduced)) ||
        (out2.held && check_count(&out2, names[4], count))) {
        goto done;
    }
    const buffer *outs[2] = {&out1, &out2};
    const buffer *ins[4] = {&a, &b, &c, &grad_output};
    const char *in_names[4] = {names[0], names[1], names[2], "grad_output"};
    for (int o = 0; o < 2; o++) {
        const char *out_name = backward ? names[3 + o] : "output";
        for (int i = 0; i < 4; i++) {
            if (check_alias(outs[o], ins[i], out_name, in_names[i], 0)) {
                goto done;
            }
        }
    }
    if (check_alias(&out2, &out1, names[4], names[3], 0)) {
        goto done;
    }
    swiftloss_status status;
    SWIFTLOSS_WITHOUT_GIL(count > SWIFTLOSS_GIL_THRESHOLD,
        status = fn(kind == KIND_F32, a.view.buf, b.view.buf, c.view.buf, count, parameter, flag,
                    reduction, backward ? grad_output.view.buf : NULL, data_of(&out1),
                    data_of(&out2)));
    result = status_result(status);
done:
    buffer_release(&out2);
    buffer_release(&out1);
    buffer_release(&grad_output);
    buffer_release(&c);
    buffer_release(&b);
    buffer_release(&a);
    return result;
}

static const char *const MARGIN_RANKING_NAMES[5] = {"input1", "input2", "target", "grad_input1",
                                                    "grad_input2"};

static PyObject *
py_margin_ranking_loss(PyObject *module, PyObject *args)
{
    PyObject *a, *b, *c, *y;
    Py_ssize_t n;
    double margin;
    int r;
    if (!PyArg_ParseTuple(args, "OOOndiO:margin_ranking_loss", &a, &b, &c, &n, &margin, &r, &y)) {
        return NULL;
    }
    return three_input(margin_ranking_loss_any, MARGIN_RANKING_NAMES, a, b, c, n, margin, 0, r,
                       NULL, y, Py_None);
}

static PyObject *
py_margin_ranking_loss_backward(PyObject *module, PyObject *args)
{
    PyObject *a, *b, *c, *g, *g1, *g2;
    Py_ssize_t n;
    double margin;
    int r;
    if (!PyArg_ParseTuple(args, "OOOndiOOO:margin_ranking_loss_backward", &a, &b, &c, &n, &margin,
                          &r, &g, &g1, &g2)) {
        return NULL;
    }
    return three_input(margin_ranking_loss_any, MARGIN_RANKING_NAMES, a, b, c, n, margin, 0, r,
                       g, g1, g2);
}

static swiftloss_status
gaussian_nll_loss_any(int f32, const void *a, const void *b, const void *c, size_t n, double eps,
                      int full, int r, const void *g, void *y1, void *y2)
{
    if (g == NULL)
        return f32 ? swiftloss_gaussian_nll_loss_f32(a, b, c, n, full, eps, r, y1)
                   : swiftloss_gaussian_nll_loss_f64(a, b, c, n, full, eps, r, y1);
    return f32 ? swiftloss_gaussian_nll_loss_backward_f32(a, b, c, n, full, eps, r, g, y1, y2)
               : swiftloss_gaussian_nll_loss_backward_f64(a, b, c, n, full, eps, r, g, y1, y2);
}

static const char *const GAUSSIAN_NLL_NAMES[5] = {"input", "target", "var", "grad_input", "grad_var"};

static PyObject *
py_gaussian_nll_loss(PyObject *module, PyObject *args)
{
    PyObject *x, *t, *v, *y;
    Py_ssize_t n;
    int full, r;
    double eps;
    if (!PyArg_ParseTuple(args, "OOOnidiO:gaussian_nll_loss", &x, &t, &v, &n, &full, &eps, &r, &y)) {
        return NULL;
    }
    return three_input(gaussian_nll_loss_any, GAUSSIAN_NLL_NAMES, x, t, v, n, eps, full, r, NULL, y,
                       Py_None);
}

static PyObject *
py_gaussian_nll_loss_backward(PyObject *module, PyObject *args)
{
    PyObject *x, *t, *v, *g, *gx, *gv;
    Py_ssize_t n;
    int full, r;
    double eps;
    if (!PyArg_ParseTuple(args, "OOOnidiOOO:gaussian_nll_loss_backward", &x, &t, &v, &n, &full, &eps,
                          &r, &g, &gx, &gv)) {
        return NULL;
    }
    return three_input(gaussian_nll_loss_any, GAUSSIAN_NLL_NAMES, x, t, v, n, eps, full, r, g, gx, gv);
}

/* ------------------------------------------------------------------------------------------
 * Embedding losses: one loss per row of dim elements, every input but cosine's target learned
 *
 *   cosine_embedding_loss(input1, input2, target, batch, dim, margin, reduction, output)
 *   cosine_embedding_loss_backward(input1, input2, target, batch, dim, margin, reduction,
 *                                  grad_output, grad_input1, grad_input2)
 *   triplet_margin_loss(anchor, positive, negative, batch, dim, margin, p, eps, swap, reduction,
 *                       output)
 *   triplet_margin_loss_backward(anchor, positive, negative, batch, dim, margin, p, eps, swap,
 *                                reduction, grad_output, grad_anchor, grad_positive,
 *                                grad_negative)
 * The first two inputs: batch * dim elements; the third batch * dim (triplet) or batch
 * (cosine's target). The gradient buffers: None (not computed) or batch * dim elements,
 * overlapping nothing.
 * ------------------------------------------------------------------------------------------ */

/* The parameters of an embedding loss: margin (both), p, eps and swap (triplet). */
typedef struct {
    double margin, p, eps;
    int swap;
} rows_parameters;

/* An embedding entry point as the worker calls it: g is NULL for a forward call (y[0] the
 * output, y[1] and y[2] unused); y[k] NULL skips that gradient. */
typedef swiftloss_status (*rows_fn)(int f32, const void *a, const void *b, const void *c,
                                    size_t batch, size_t dim, const rows_parameters *q,
                                    int reduction, const void *g, void *const y[3]);

static swiftloss_status
cosine_embedding_loss_any(int f32, const void *a, const void *b, const void *c, size_t batch,
                          size_t dim, const rows_parameters *q, int r, const void *g,
                          void *const y[3])
{
    if (g == NULL)
        return f32 ? swiftloss_cosine_embedding_loss_f32(a, b, c, batch, dim, q->margin, r, y[0])
                   : swiftloss_cosine_embedding_loss_f64(a, b, c, batch, dim, q->margin, r, y[0]);
    return f32 ? swiftloss_cosine_embedding_loss_backward_f32(a, b, c, batch, dim, q->margin, r, g,
                                                              y[0], y[1])
               : swiftloss_cosine_embedding_loss_backward_f64(a, b, c, batch, dim, q->margin, r, g,
                                                              y[0], y[1]);
}

static swiftloss_status
triplet_margin_loss_any(int f32, const void *a, const void *b, const void *c, size_t batch,
                        size_t dim, const rows_parameters *q, int r, const void *g,
                        void *const y[3])
{
    if (g == NULL)
        return f32 ? swiftloss_triplet_margin_loss_f32(a, b, c, batch, dim, q->margin, q->p, q->eps,
                                                       q->swap, r, y[0])
                   : swiftloss_triplet_margin_loss_f64(a, b, c, batch, dim, q->margin, q->p, q->eps,
                                                       q->swap, r, y[0]);
    return f32 ? swiftloss_triplet_margin_loss_backward_f32(a, b, c, batch, dim, q->margin, q->p,
                                                            q->eps, q->swap, r, g, y[0], y[1], y[2])
               : swiftloss_triplet_margin_loss_backward_f64(a, b, c, batch, dim, q->margin, q->p,
                                                            q->eps, q->swap, r, g, y[0], y[1], y[2]);
}

/* The shared worker. names[0..2] name the inputs, names[3..5] the gradients (NULL: a loss
 * with two learned inputs); c_per_row: the third input has batch elements. outs[k]: the
 * output (forward, outs[0] only) or the k-th gradient buffer (backward; Py_None skips it). */
static PyObject *
embedding_rows(rows_fn fn, const char *const names[6], int c_per_row, PyObject *a_obj, PyObject *b_obj,
     PyObject *c_obj, Py_ssize_t batch_arg, Py_ssize_t dim_arg, const rows_parameters *q,
     int reduction, PyObject *grad_output_obj, PyObject *const outs_obj[3])
{
    size_t batch, dim, count;
    if (to_size(batch_arg, "batch", &batch) || to_size(dim_arg, "dim", &dim) ||
        mul_size(batch, dim, &count)) {
        return NULL;
    }
    int backward = grad_output_obj != NULL;
    size_t n_reduced = reduction == SWIFTLOSS_REDUCTION_NONE ? batch : 1;
    buffer a = {0}, b = {0}, c = {0}, grad_output = {0}, out[3] = {{0}, {0}, {0}};
    PyObject *result = NULL;
    const char *out_names[3] = {backward ? names[3] : "output", names[4], names[5]};
    int kind = buffer_get(a_obj, &a, names[0], KIND_OTHER, 0);
    if (kind < 0 || buffer_get(b_obj, &b, names[1], (buffer_kind)kind, 0) < 0 ||
        buffer_get(c_obj, &c, names[2], (buffer_kind)kind, 0) < 0 ||
        (backward &&
         buffer_get(grad_output_obj, &grad_output, "grad_output", (buffer_kind)kind, 0) < 0)) {
        goto done;
    }
    for (int k = 0; k < (backward ? 3 : 1); k++) {
        if (outs_obj[k] != NULL && (!backward || outs_obj[k] != Py_None) &&
            buffer_get(outs_obj[k], &out[k], out_names[k], (buffer_kind)kind, 1) < 0) {
            goto done;
        }
    }
    if (check_count(&a, names[0], count) || check_count(&b, names[1], count) ||
        check_count(&c, names[2], c_per_row ? batch : count) ||
        (backward && check_count(&grad_output, "grad_output", n_reduced))) {
        goto done;
    }
    const buffer *ins[4] = {&a, &b, &c, &grad_output};
    const char *in_names[4] = {names[0], names[1], names[2], "grad_output"};
    for (int k = 0; k < 3; k++) {
        if (!out[k].held) {
            continue;
        }
        if (check_count(&out[k], out_names[k], backward ? count : n_reduced)) {
            goto done;
        }
        for (int i = 0; i < 4; i++) {
            if (check_alias(&out[k], ins[i], out_names[k], in_names[i], 0)) {
                goto done;
            }
        }
        for (int j = 0; j < k; j++) {
            if (check_alias(&out[k], &out[j], out_names[k], out_names[j], 0)) {
                goto done;
            }
        }
    }
    void *y[3] = {data_of(&out[0]), data_of(&out[1]), data_of(&out[2])};
    swiftloss_status status;
    SWIFTLOSS_WITHOUT_GIL(count > SWIFTLOSS_GIL_THRESHOLD,
        status = fn(kind == KIND_F32, a.view.buf, b.view.buf, c.view.buf, batch, dim, q, reduction,
                    backward ? grad_output.view.buf : NULL, y));
    result = status_result(status);
done:
    for (int k = 2; k >= 0; k--) {
        buffer_release(&out[k]);
    }
    buffer_release(&grad_output);
    buffer_release(&c);
    buffer_release(&b);
    buffer_release(&a);
    return result;
}

static const char *const COSINE_EMBEDDING_NAMES[6] = {"input1", "input2", "target", "grad_input1",
                                                      "grad_input2", NULL};
static const char *const TRIPLET_MARGIN_NAMES[6] = {"anchor", "positive", "negative", "grad_anchor",
                                                    "grad_positive", "grad_negative"};

static PyObject *
py_cosine_embedding_loss(PyObject *module, PyObject *args)
{
    PyObject *a, *b, *c, *y;
    Py_ssize_t batch, dim;
    rows_parameters q = {0};
    int r;
    if (!PyArg_ParseTuple(args, "OOOnndiO:cosine_embedding_loss", &a, &b, &c, &batch, &dim,
                          &q.margin, &r, &y)) {
        return NULL;
    }
    PyObject *const outs[3] = {y, NULL, NULL};
    return embedding_rows(cosine_embedding_loss_any, COSINE_EMBEDDING_NAMES, 1, a, b, c, batch, dim, &q, r,
                NULL, outs);
}

static PyObject *
py_cosine_embedding_loss_backward(PyObject *module, PyObject *args)
{
    PyObject *a, *b, *c, *g, *g1, *g2;
    Py_ssize_t batch, dim;
    rows_parameters q = {0};
    int r;
    if (!PyArg_ParseTuple(args, "OOOnndiOOO:cosine_embedding_loss_backward", &a, &b, &c, &batch,
                          &dim, &q.margin, &r, &g, &g1, &g2)) {
        return NULL;
    }
    PyObject *const outs[3] = {g1, g2, NULL};
    return embedding_rows(cosine_embedding_loss_any, COSINE_EMBEDDING_NAMES, 1, a, b, c, batch, dim, &q, r, g,
                outs);
}

static PyObject *
py_triplet_margin_loss(PyObject *module, PyObject *args)
{
    PyObject *a, *b, *c, *y;
    Py_ssize_t batch, dim;
    rows_parameters q = {0};
    int r;
    if (!PyArg_ParseTuple(args, "OOOnndddiiO:triplet_margin_loss", &a, &b, &c, &batch, &dim,
                          &q.margin, &q.p, &q.eps, &q.swap, &r, &y)) {
        return NULL;
    }
    PyObject *const outs[3] = {y, NULL, NULL};
    return embedding_rows(triplet_margin_loss_any, TRIPLET_MARGIN_NAMES, 0, a, b, c, batch, dim, &q, r, NULL,
                outs);
}

static PyObject *
py_triplet_margin_loss_backward(PyObject *module, PyObject *args)
{
    PyObject *a, *b, *c, *g, *ga, *gp, *gn;
    Py_ssize_t batch, dim;
    rows_parameters q = {0};
    int r;
    if (!PyArg_ParseTuple(args, "OOOnndddiiOOOO:triplet_margin_loss_backward", &a, &b, &c, &batch,
                          &dim, &q.margin, &q.p, &q.eps, &q.swap, &r, &g, &ga, &gp, &gn)) {
        return NULL;
    }
    PyObject *const outs[3] = {ga, gp, gn};
    return embedding_rows(triplet_margin_loss_any, TRIPLET_MARGIN_NAMES, 0, a, b, c, batch, dim, &q, r, g,
                outs);
}

PyDoc_STRVAR(regression_doc,
"NAME(input, target, count, weight, parameter, reduction, output) -> None\n\n"
"A regression loss (mse_loss, l1_loss, smooth_l1_loss, huber_loss, soft_margin_loss) over\n"
"count elements of input and target; weight None or count elements (mse_loss, l1_loss and\n"
"huber_loss only); parameter beta (smooth_l1_loss) or delta (huber_loss), else ignored;\n"
"output count elements for 'none', else 1 (swiftloss_NAME_f32 / _f64).");

PyDoc_STRVAR(regression_backward_doc,
"NAME_backward(input, target, count, weight, parameter, reduction, grad_output, grad_input)\n"
"-> None\n\n"
"The gradient of a regression loss with respect to its input (swiftloss_NAME_backward_f32 /\n"
"_f64); grad_input (count elements) may be grad_output itself.");

/* ------------------------------------------------------------------------------------------
 * Module
 * ------------------------------------------------------------------------------------------ */

PyDoc_STRVAR(version_string_doc,
"version_string() -> str\n\n"
"The C library's version string (swiftloss_version_string), e.g. '0.1.0'.");

PyDoc_STRVAR(kernels_string_doc,
"kernels_string() -> str\n\n"
"The build of the kernels the C library runs (swiftloss_kernels_string): 'baseline', 'avx2' or\n"
"'avx2+avx512-gemm' (picked at the first call from the CPU; SWIFTLOSS_ISA may ask for less).");

PyDoc_STRVAR(version_number_doc,
"version_number() -> int\n\n"
"The C library's version number, MAJOR * 10000 + MINOR * 100 + PATCH.");

PyDoc_STRVAR(status_string_doc,
"status_string(status) -> str\n\n"
"The library's description of a status code (swiftloss_status_string).");

PyDoc_STRVAR(set_num_threads_doc,
"set_num_threads(n) -> None\n\n"
"The number of threads a large call may use (swiftloss_set_num_threads): 1 keeps every call\n"
"on the calling thread, 0 restores the default (SWIFTLOSS_NUM_THREADS, else the number of\n"
"online processors, at most 64); counts above 256 act as 256. n must be an int >= 0.");

PyDoc_STRVAR(get_num_threads_doc,
"get_num_threads() -> int\n\n"
"The number of threads a large call uses now (swiftloss_get_num_threads; at least 1).");

PyDoc_STRVAR(softmax_doc,
"softmax(input, outer, dim, inner, output) -> None\n\n"
"softmax over the middle axis of an [outer][dim][inner] float32/float64 buffer,\n"
"y = exp(x - M) / sum(exp(x - M)), M = the maximum along the axis, written to output\n"
"(outer * dim * inner elements each; output may be input itself).");

PyDoc_STRVAR(log_softmax_doc,
"log_softmax(input, outer, dim, inner, output) -> None\n\n"
"log_softmax over the middle axis of an [outer][dim][inner] buffer,\n"
"y = x - M - log(sum(exp(x - M))), written to output (output may be input itself).");

PyDoc_STRVAR(nll_loss_doc,
"nll_loss(input, target, batch, classes, inner, weight, ignore_index, reduction, output)\n"
"-> None\n\n"
"loss(n, i) = -weight[t] * input(n, t, i), t = target(n, i) (int64 buffer of batch * inner),\n"
"input of batch * classes * inner log-probabilities, weight None or a buffer, reduction\n"
"0 none / 1 sum / 2 mean; output holds batch * inner elements for none, else 1.");

PyDoc_STRVAR(cross_entropy_doc,
"cross_entropy(input, target, batch, classes, inner, weight, ignore_index, reduction,\n"
"              label_smoothing, output) -> None\n\n"
"(1 - eps) * nll_loss(log_softmax(input)) + (eps / classes) * smooth, with int64\n"
"class-index targets; sizes and output as nll_loss.");

PyDoc_STRVAR(cross_entropy_probs_doc,
"cross_entropy_probs(input, target, batch, classes, inner, weight, ignore_index, reduction,\n"
"                    label_smoothing, output) -> None\n\n"
"loss(n, i) = -sum_c weight[c] * q'(n, c, i) * log_softmax(input)(n, c, i),\n"
"q' = (1 - eps) * q + eps / classes; target has the input's size and dtype.");

PyDoc_STRVAR(binary_cross_entropy_doc,
"binary_cross_entropy(input, target, count, weight, reduction, output) -> None\n\n"
"loss = -w * (t * max(log x, -100) + (1 - t) * max(log(1 - x), -100)) over count elements;\n"
"weight None or a buffer whose length divides count (element k uses weight[k % len]).");

PyDoc_STRVAR(binary_cross_entropy_with_logits_doc,
"binary_cross_entropy_with_logits(input, target, count, weight, pos_weight, reduction, output)\n"
"-> None\n\n"
"loss = w * (pw * t * softplus(-x) + (1 - t) * softplus(x)) over count elements.");

PyDoc_STRVAR(kl_div_doc,
"kl_div(input, target, count, batch, reduction, log_target, output) -> None\n\n"
"loss = xlogy(t, t) - t * input (log_target 0) or exp(t) * (t - input) (log_target 1);\n"
"reduction 3 (batchmean) divides the sum by batch.");

PyDoc_STRVAR(softmax_backward_doc,
"softmax_backward(output, grad_output, outer, dim, inner, grad_input) -> None\n\n"
"grad_input = y * (g - sum(g * y)) per slice, y = softmax output (grad_input may be output\n"
"or grad_output itself).");

PyDoc_STRVAR(log_softmax_backward_doc,
"log_softmax_backward(output, grad_output, outer, dim, inner, grad_input) -> None\n\n"
"grad_input = g - exp(y) * sum(g) per slice, y = log_softmax output.");

PyDoc_STRVAR(nll_loss_backward_doc,
"nll_loss_backward(target, batch, classes, inner, weight, ignore_index, reduction,\n"
"                  grad_output, grad_input) -> None\n\n"
"grad_input(n, t, i) = -weight[t] * s at each counted target, 0 elsewhere; grad_output has\n"
"the forward output's size; grad_input batch * classes * inner elements.");

PyDoc_STRVAR(cross_entropy_backward_doc,
"cross_entropy_backward(input, target, batch, classes, inner, weight, ignore_index, reduction,\n"
"                       label_smoothing, grad_output, grad_input) -> None\n\n"
"s * ((1 - eps) * w[y] * (p_j - [j == y]) + (eps / C) * (p_j * W - w[j])), p = softmax(input).");

PyDoc_STRVAR(cross_entropy_fused_doc,
"cross_entropy_fused(input, target, batch, classes, inner, weight, ignore_index, reduction,\n"
"                    label_smoothing, grad_output, output, grad_input) -> None\n\n"
"The loss (into output) and its gradient (into grad_input, which may be input itself) in one\n"
"pass; grad_output None means ones.");

PyDoc_STRVAR(cross_entropy_ex_doc,
"cross_entropy_ex(input, target, batch, classes, inner, weight, ignore_index, reduction,\n"
"                 label_smoothing, z_loss, softcap, grad_output, output, z_output, grad_input,\n"
"                 probabilities) -> None\n\n"
"cross_entropy (class indices, or probabilities when probabilities is true) with z-loss and\n"
"logit softcapping (softcap 0: none): any of the loss, the z term and the gradient, each None\n"
"when not wanted; grad_output None means ones.");

PyDoc_STRVAR(cross_entropy_probs_backward_doc,
"cross_entropy_probs_backward(input, target, batch, classes, inner, weight, ignore_index,\n"
"                             reduction, label_smoothing, grad_output, grad_input) -> None\n\n"
"s * (p_j * sum_c w[c] q'_c - w[j] q'_j), q' = (1 - eps) q + eps / C.");

PyDoc_STRVAR(binary_cross_entropy_backward_doc,
"binary_cross_entropy_backward(input, target, count, weight, reduction, grad_output,\n"
"                              grad_input) -> None\n\n"
"s * w * (x - t) / max(x * (1 - x), 1e-12).");

PyDoc_STRVAR(binary_cross_entropy_with_logits_backward_doc,
"binary_cross_entropy_with_logits_backward(input, target, count, weight, pos_weight,\n"
"                                          reduction, grad_output, grad_input) -> None\n\n"
"s * w * ((pw * t + 1 - t) * sigmoid(x) - pw * t).");

PyDoc_STRVAR(kl_div_backward_doc,
"kl_div_backward(target, count, batch, reduction, log_target, grad_output, grad_input) -> None\n\n"
"-t * s (log_target 0) or -exp(t) * s (log_target 1).");

PyDoc_STRVAR(multilabel_soft_margin_loss_doc,
"multilabel_soft_margin_loss(input, target, batch, classes, weight, reduction, output) -> None\n\n"
"Per row: mean over the classes of w * ((1 - t) x - logsigmoid(x)).");

PyDoc_STRVAR(multilabel_soft_margin_loss_backward_doc,
"multilabel_soft_margin_loss_backward(input, target, batch, classes, weight, reduction,\n"
"                                     grad_output, grad_input) -> None\n\n"
"(sigmoid(x) - t) * w * s / classes.");

PyDoc_STRVAR(multi_margin_loss_doc,
"multi_margin_loss(input, target, batch, classes, p, margin, weight, reduction, output) -> None\n\n"
"Per row, y = target[n]: sum over j != y of max(0, margin - x[y] + x[j])^p * w[y], divided by\n"
"classes; target int64 (batch), weight None or classes elements, p 1 or 2.");

PyDoc_STRVAR(multi_margin_loss_backward_doc,
"multi_margin_loss_backward(input, target, batch, classes, p, margin, weight, reduction,\n"
"                           grad_output, grad_input) -> None\n\n"
"PyTorch's gradient; grad_input (batch * classes elements) may be input itself.");

PyDoc_STRVAR(multilabel_margin_loss_doc,
"multilabel_margin_loss(input, target, batch, classes, reduction, output) -> None\n\n"
"Per row: sum over the label list j (up to the first -1) and the non-target classes k of\n"
"max(0, 1 - x[j] + x[k]), divided by classes; target int64, batch * classes entries.");

PyDoc_STRVAR(multilabel_margin_loss_backward_doc,
"multilabel_margin_loss_backward(input, target, batch, classes, reduction, grad_output,\n"
"                                grad_input) -> None\n\n"
"PyTorch's gradient; grad_input (batch * classes elements) may not overlap input.");

PyDoc_STRVAR(poisson_nll_loss_doc,
"poisson_nll_loss(input, target, count, log_input, full, eps, reduction, output) -> None\n\n"
"log_input: exp(x) - t x; else x - t log(x + eps); full adds the Stirling term where t > 1.");

PyDoc_STRVAR(poisson_nll_loss_backward_doc,
"poisson_nll_loss_backward(input, target, count, log_input, full, eps, reduction, grad_output,\n"
"                          grad_input) -> None\n\n"
"(exp(x) - t) * s with log_input, else (1 - t / (x + eps)) * s.");

PyDoc_STRVAR(margin_ranking_loss_doc,
"margin_ranking_loss(input1, input2, target, count, margin, reduction, output) -> None\n\n"
"max(-target * (input1 - input2) + margin, 0) over count elements.");

PyDoc_STRVAR(margin_ranking_loss_backward_doc,
"margin_ranking_loss_backward(input1, input2, target, count, margin, reduction, grad_output,\n"
"                             grad_input1, grad_input2) -> None\n\n"
"-target * s and target * s where the loss is positive, 0 elsewhere; either gradient buffer\n"
"may be None (not computed).");

PyDoc_STRVAR(gaussian_nll_loss_doc,
"gaussian_nll_loss(input, target, var, count, full, eps, reduction, output) -> None\n\n"
"0.5 * (log(v) + (input - target)^2 / v), v = max(var, eps), plus 0.5 * log(2 pi) with full,\n"
"over count elements; a var element below 0 raises ValueError.");

PyDoc_STRVAR(gaussian_nll_loss_backward_doc,
"gaussian_nll_loss_backward(input, target, var, count, full, eps, reduction, grad_output,\n"
"                           grad_input, grad_var) -> None\n\n"
"(h / v) * 2 (input - target) and h / v - h * (q / v), h = s / 2, q = (input - target)^2 / v;\n"
"either gradient buffer may be None (not computed).");

PyDoc_STRVAR(cosine_embedding_loss_doc,
"cosine_embedding_loss(input1, input2, target, batch, dim, margin, reduction, output) -> None\n\n"
"Per row: 1 - cos (target 1), max(cos - margin, 0) (target -1), else 0; cos with the float\n"
"1e-12 added to each squared norm.");

PyDoc_STRVAR(cosine_embedding_loss_backward_doc,
"cosine_embedding_loss_backward(input1, input2, target, batch, dim, margin, reduction,\n"
"                               grad_output, grad_input1, grad_input2) -> None\n\n"
"g / D * input2 - g cos / m1 * input1 (and the same for input2), g the row's gradient with\n"
"respect to cos; either gradient buffer may be None (not computed).");

PyDoc_STRVAR(triplet_margin_loss_doc,
"triplet_margin_loss(anchor, positive, negative, batch, dim, margin, p, eps, swap, reduction,\n"
"                    output) -> None\n\n"
"Per row: max(margin + d(a, p) - d_neg, 0), d(x, y) = ||x - y + eps||_p, d_neg = d(a, n) or\n"
"with swap min(d(a, n), d(p, n)).");

PyDoc_STRVAR(triplet_margin_loss_backward_doc,
"triplet_margin_loss_backward(anchor, positive, negative, batch, dim, margin, p, eps, swap,\n"
"                             reduction, grad_output, grad_anchor, grad_positive,\n"
"                             grad_negative) -> None\n\n"
"The gradients of the three inputs through the p-norms; any gradient buffer may be None (not\n"
"computed).");

/* ------------------------------------------------------------------------------------------
 * The common call in one step: _fast_class and _fast_axis
 *
 *   _fast_class(which, input, target, weight, ignore_index, reduction, parameter, p)
 *     which: FAST_NLL_LOSS, FAST_CROSS_ENTROPY (parameter: label_smoothing; the target holds
 *     class indices or, of the input's shape, probabilities) or FAST_MULTI_MARGIN_LOSS
 *     (parameter: margin; p 1 or 2; ignore_index unused)
 *   _fast_axis(which, input, dim)
 *
 * The Python functions' most frequent call (numpy arrays in, defaults, no gradient, no out=)
 * spent about 2 us in Python-level checks, as long as torch's whole call for small inputs.
 * These take the Python function's own arguments, check in C that the call is the common
 * one, allocate the result through numpy and run the library. Anything else (another type,
 * layout or keyword, a status other than SWIFTLOSS_OK) returns None: the Python function
 * then takes its general path, which gives PyTorch's errors. They need the numpy objects
 * _fast_setup(ndarray, empty, float32, float64) hands them (module state).
 * ------------------------------------------------------------------------------------------ */

typedef struct {
    PyObject *ndarray, *empty, *float32, *float64;
} module_state;

static module_state *
state_of(PyObject *module)
{
    return (module_state *)PyModule_GetState(module);
}

static PyObject *
py_fast_setup(PyObject *module, PyObject *args)
{
    PyObject *ndarray, *empty, *f32, *f64;
    if (!PyArg_ParseTuple(args, "OOOO:_fast_setup", &ndarray, &empty, &f32, &f64)) {
        return NULL;
    }
    module_state *st = state_of(module);
    PyObject *old[4] = {st->ndarray, st->empty, st->float32, st->float64};
    st->ndarray = Py_NewRef(ndarray);
    st->empty = Py_NewRef(empty);
    st->float32 = Py_NewRef(f32);
    st->float64 = Py_NewRef(f64);
    for (int k = 0; k < 4; k++) {
        Py_XDECREF(old[k]);
    }
    Py_RETURN_NONE;
}

/* A C-contiguous buffer of an exact numpy ndarray with ndim dimensions (-1: any number) and
 * the wanted kind (buffer_get's). Returns the kind, or -1 without an exception when the object
 * does not qualify (then nothing is held). */
static int
fast_buffer(const module_state *st, PyObject *obj, buffer *b, int ndim, buffer_kind want)
{
    if (st->ndarray == NULL || (PyObject *)Py_TYPE(obj) != st->ndarray) {
        return -1;
    }
    int kind = buffer_get(obj, b, "input", want, 0);
    if (kind < 0) {
        PyErr_Clear();
        return -1;
    }
    if (ndim >= 0 && b->view.ndim != ndim) {
        buffer_release(b);
        return -1;
    }
    return kind;
}

/* The reduction named by an exact str, or -1. */
static int
fast_reduction(PyObject *obj)
{
    if (!PyUnicode_CheckExact(obj)) {
        return -1;
    }
    if (PyUnicode_CompareWithASCIIString(obj, "mean") == 0) {
        return SWIFTLOSS_REDUCTION_MEAN;
    }
    if (PyUnicode_CompareWithASCIIString(obj, "sum") == 0) {
        return SWIFTLOSS_REDUCTION_SUM;
    }
    if (PyUnicode_CompareWithASCIIString(obj, "none") == 0) {
        return SWIFTLOSS_REDUCTION_NONE;
    }
    return -1;
}

/* A new numpy array of the given shape (an int or a tuple) and kind (numpy.empty(shape,
 * float32/64)), and its data in *data; NULL with an exception on failure. */
static PyObject *
fast_empty(const module_state *st, PyObject *shape, buffer_kind kind, void **data)
{
    PyObject *array = PyObject_CallFunctionObjArgs(st->empty, shape, kind == KIND_F32 ? st->float32 : st->float64,
                                                   NULL);
    Py_buffer view;
    if (array == NULL || PyObject_GetBuffer(array, &view, PyBUF_C_CONTIGUOUS | PyBUF_WRITABLE) != 0) {
        Py_XDECREF(array);
        return NULL;
    }
    *data = view.buf;
    PyBuffer_Release(&view);  /* the array keeps its memory: it is the caller's until returned */
    return array;
}

/* The numpy scalar of the kind holding value (exact: a float32 value is a double). */
static PyObject *
fast_scalar(const module_state *st, double value, buffer_kind kind)
{
    PyObject *v = PyFloat_FromDouble(value);
    if (v == NULL) {
        return NULL;
    }
    PyObject *scalar = PyObject_CallFunctionObjArgs(kind == KIND_F32 ? st->float32 : st->float64, v, NULL);
    Py_DECREF(v);
    return scalar;
}

enum { FAST_NLL_LOSS, FAST_CROSS_ENTROPY, FAST_MULTI_MARGIN_LOSS };

static PyObject *
py_fast_class(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 8) {
        PyErr_SetString(PyExc_TypeError, "_fast_class takes 8 arguments");
        return NULL;
    }
    const module_state *st = state_of(module);
    long which = PyLong_AsLong(args[0]);
    if (which == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (which < FAST_NLL_LOSS || which > FAST_MULTI_MARGIN_LOSS) {
        PyErr_Format(PyExc_ValueError, "_fast_class: unknown function %ld", which);
        return NULL;
    }
    buffer input = {0}, target = {0}, weight = {0};
    PyObject *result = Py_None;
    int reduction = fast_reduction(args[5]);
    long long ignore_index = -100;
    double parameter = 0;
    int p = 1;
    if (reduction < 0) {
        goto done;
    }
    if (which == FAST_MULTI_MARGIN_LOSS) {
        if (!PyLong_CheckExact(args[7]) || !PyFloat_CheckExact(args[6])) {
            goto done;
        }
        long pv = PyLong_AsLong(args[7]);
        if (pv != 1 && pv != 2) {
            PyErr_Clear();  /* an overflow: not the common call */
            goto done;
        }
        p = (int)pv;
        parameter = PyFloat_AsDouble(args[6]);
    }
    else {
        if (!PyLong_CheckExact(args[4])) {
            goto done;
        }
        int overflow = 0;
        ignore_index = PyLong_AsLongLongAndOverflow(args[4], &overflow);
        if (overflow != 0 || (ignore_index == -1 && PyErr_Occurred())) {
            PyErr_Clear();
            goto done;
        }
        if (which == FAST_CROSS_ENTROPY) {
            if (!PyFloat_CheckExact(args[6])) {
                goto done;
            }
            parameter = PyFloat_AsDouble(args[6]);
            if (!(parameter >= 0.0 && parameter <= 1.0)) {
                goto done;
            }
        }
    }
    int kind = fast_buffer(st, args[1], &input, 2, KIND_OTHER);
    if (kind < 0) {
        goto done;
    }
    /* cross_entropy's target: class indices, or probabilities of the input's shape and kind
     * (where PyTorch's class_indices check sees equal shapes). */
    int probabilities = 0;
    if (fast_buffer(st, args[2], &target, 1, KIND_I64) < 0) {
        if (which != FAST_CROSS_ENTROPY || ignore_index >= 0 ||
            fast_buffer(st, args[2], &target, 2, (buffer_kind)kind) < 0) {
            goto done;
        }
        probabilities = 1;
    }
    if (args[3] != Py_None && fast_buffer(st, args[3], &weight, 1, (buffer_kind)kind) < 0) {
        goto done;
    }
    size_t batch = (size_t)input.view.shape[0], classes = (size_t)input.view.shape[1];
    if (classes == 0 || (size_t)target.view.shape[0] != batch ||
        (probabilities && (size_t)target.view.shape[1] != classes) ||
        (weight.held && (size_t)weight.view.shape[0] != classes)) {
        goto done;
    }
    /* The result: a new array for 'none' (written in place), else one value on the stack. */
    PyObject *array = NULL;
    double value = 0;
    float value32 = 0;
    void *out = kind == KIND_F32 ? (void *)&value32 : (void *)&value;
    if (reduction == SWIFTLOSS_REDUCTION_NONE) {
        PyObject *n = PyLong_FromSsize_t((Py_ssize_t)batch);
        array = n != NULL ? fast_empty(st, n, (buffer_kind)kind, &out) : NULL;
        Py_XDECREF(n);
        if (array == NULL) {
            result = NULL;
            goto done;
        }
    }
    class_call c = {.batch = batch, .classes = classes, .inner = 1, .wlen = len_of(&weight),
                    .ignore_index = (int64_t)ignore_index, .reduction = reduction, .p = p,
                    .eps = parameter, .margin = parameter, .x = input.view.buf,
                    .t = target.view.buf, .w = data_of(&weight), .y = out};
    swiftloss_status status;
    int f32 = kind == KIND_F32;
    SWIFTLOSS_WITHOUT_GIL(batch * classes > SWIFTLOSS_GIL_THRESHOLD,
        status = which == FAST_NLL_LOSS ? nll_loss_any(f32, &c)
               : which == FAST_CROSS_ENTROPY ? (probabilities ? cross_entropy_probs_any(f32, &c)
                                                              : cross_entropy_any(f32, &c))
               : multi_margin_loss_any(f32, &c));
    if (status != SWIFTLOSS_OK) {
        Py_XDECREF(array);  /* the general path gives the error */
        goto done;
    }
    result = array != NULL ? array : fast_scalar(st, f32 ? (double)value32 : value, (buffer_kind)kind);
    buffer_release(&weight);
    buffer_release(&target);
    buffer_release(&input);
    return result;
done:
    buffer_release(&weight);
    buffer_release(&target);
    buffer_release(&input);
    return result == Py_None ? Py_NewRef(Py_None) : result;
}

/* _fast_axis(which, input, dim): softmax (0) or log_softmax (1) of a C-contiguous float32 or
 * float64 ndarray along an int dim in range, into a new array; else None. */
static PyObject *
py_fast_axis(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "_fast_axis takes 3 arguments");
        return NULL;
    }
    const module_state *st = state_of(module);
    long which = PyLong_AsLong(args[0]);
    if (which == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (which != 0 && which != 1) {
        PyErr_Format(PyExc_ValueError, "_fast_axis: unknown function %ld", which);
        return NULL;
    }
    buffer x = {0};
    if (!PyLong_CheckExact(args[2])) {
        Py_RETURN_NONE;
    }
    int kind = fast_buffer(st, args[1], &x, -1, KIND_OTHER);
    if (kind < 0) {
        Py_RETURN_NONE;
    }
    int ndim = x.view.ndim;
    long dim = PyLong_AsLong(args[2]);
    if (dim == -1 && PyErr_Occurred()) {
        PyErr_Clear();
        dim = LONG_MAX;  /* out of range: not the common call */
    }
    if (ndim < 1 || dim < -ndim || dim >= ndim) {
        buffer_release(&x);
        Py_RETURN_NONE;
    }
    int axis = (int)(dim < 0 ? dim + ndim : dim);
    size_t outer = 1, inner = 1, n = (size_t)count_of(&x.view);
    for (int k = 0; k < axis; k++) {
        outer *= (size_t)x.view.shape[k];
    }
    for (int k = axis + 1; k < ndim; k++) {
        inner *= (size_t)x.view.shape[k];
    }
    size_t size = (size_t)x.view.shape[axis];
    /* numpy.empty(input.shape, dtype) */
    void *out = NULL;
    PyObject *shape = PyObject_GetAttrString(args[1], "shape");
    PyObject *array = shape != NULL ? fast_empty(st, shape, (buffer_kind)kind, &out) : NULL;
    Py_XDECREF(shape);
    if (array == NULL) {
        buffer_release(&x);
        return NULL;
    }
    swiftloss_status status;
    SWIFTLOSS_WITHOUT_GIL(n > SWIFTLOSS_GIL_THRESHOLD,
        status = (which == 0 ? softmax_any : log_softmax_any)(kind == KIND_F32, x.view.buf, NULL,
                                                                outer, size, inner, out));
    buffer_release(&x);
    if (status != SWIFTLOSS_OK) {
        Py_DECREF(array);
        Py_RETURN_NONE;
    }
    return array;
}

/* ------------------------------------------------------------------------------------------
 * ctc_loss
 *
 *   ctc_loss(log_probs, targets, input_lengths, target_lengths, time, batch, classes,
 *            target_stride, blank, reduction, zero_infinity, output)
 *   ctc_loss_backward(log_probs, ..., zero_infinity, grad_output, grad_log_probs)
 *
 * targets, input_lengths, target_lengths: int64 buffers; target_stride 0 means the targets are
 * concatenated (see the header). The outputs may overlap nothing.
 * ------------------------------------------------------------------------------------------ */

typedef struct {
    PyObject *log_probs, *targets, *input_lengths, *target_lengths, *grad_output, *output;
    Py_ssize_t time, batch, classes, target_stride;
    long long blank;
    int reduction, zero_infinity;
} ctc_args;

/* The shared worker: output is the loss (grad_output NULL) or the gradient. */
static PyObject *
ctc_call(const ctc_args *a)
{
    size_t time, batch, classes, stride, n_input;
    if (to_size(a->time, "time", &time) || to_size(a->batch, "batch", &batch) ||
        to_size(a->classes, "classes", &classes) || to_size(a->target_stride, "target_stride", &stride) ||
        mul_size(time, batch, &n_input) || mul_size(n_input, classes, &n_input)) {
        return NULL;
    }
    int backward = a->grad_output != NULL;
    size_t n_reduced = a->reduction == SWIFTLOSS_REDUCTION_NONE ? batch : 1;
    buffer x = {0}, t = {0}, il = {0}, tl = {0}, g = {0}, y = {0};
    PyObject *result = NULL;
    int kind = buffer_get(a->log_probs, &x, "log_probs", KIND_OTHER, 0);
    if (kind < 0 || buffer_get(a->targets, &t, "targets", KIND_I64, 0) < 0 ||
        buffer_get(a->input_lengths, &il, "input_lengths", KIND_I64, 0) < 0 ||
        buffer_get(a->target_lengths, &tl, "target_lengths", KIND_I64, 0) < 0 ||
        (backward && buffer_get(a->grad_output, &g, "grad_output", (buffer_kind)kind, 0) < 0) ||
        buffer_get(a->output, &y, backward ? "grad_log_probs" : "output", (buffer_kind)kind, 1) < 0) {
        goto done;
    }
    const char *out_name = backward ? "grad_log_probs" : "output";
    if (check_count(&x, "log_probs", n_input) || check_count(&il, "input_lengths", batch) ||
        check_count(&tl, "target_lengths", batch) || (backward && check_count(&g, "grad_output", n_reduced)) ||
        check_count(&y, out_name, backward ? n_input : n_reduced) ||
        check_alias(&y, &x, out_name, "log_probs", 0) || check_alias(&y, &t, out_name, "targets", 0) ||
        check_alias(&y, &il, out_name, "input_lengths", 0) || check_alias(&y, &tl, out_name, "target_lengths", 0) ||
        check_alias(&y, &g, out_name, "grad_output", 0)) {
        goto done;
    }
    swiftloss_status status;
    int f32 = kind == KIND_F32;
    size_t n_targets = (size_t)count_of(&t.view);
    int64_t blank = (int64_t)a->blank;
#define CTC_ARGS(T) (const T *)x.view.buf, time, batch, classes, t.view.buf, n_targets, stride, il.view.buf, \
                    tl.view.buf, blank, a->reduction, a->zero_infinity
    SWIFTLOSS_WITHOUT_GIL(n_input > SWIFTLOSS_GIL_THRESHOLD / 16,
        status = backward
            ? (f32 ? swiftloss_ctc_loss_backward_f32(CTC_ARGS(float), g.view.buf, y.view.buf)
                   : swiftloss_ctc_loss_backward_f64(CTC_ARGS(double), g.view.buf, y.view.buf))
            : (f32 ? swiftloss_ctc_loss_f32(CTC_ARGS(float), y.view.buf)
                   : swiftloss_ctc_loss_f64(CTC_ARGS(double), y.view.buf)));
#undef CTC_ARGS
    result = status_result(status);
done:
    buffer_release(&y);
    buffer_release(&g);
    buffer_release(&tl);
    buffer_release(&il);
    buffer_release(&t);
    buffer_release(&x);
    return result;
}

static PyObject *
py_ctc_loss(PyObject *module, PyObject *args)
{
    ctc_args a = {0};
    if (!PyArg_ParseTuple(args, "OOOOnnnnLiiO:ctc_loss", &a.log_probs, &a.targets, &a.input_lengths,
                          &a.target_lengths, &a.time, &a.batch, &a.classes, &a.target_stride, &a.blank,
                          &a.reduction, &a.zero_infinity, &a.output)) {
        return NULL;
    }
    return ctc_call(&a);
}

static PyObject *
py_ctc_loss_backward(PyObject *module, PyObject *args)
{
    ctc_args a = {0};
    if (!PyArg_ParseTuple(args, "OOOOnnnnLiiOO:ctc_loss_backward", &a.log_probs, &a.targets,
                          &a.input_lengths, &a.target_lengths, &a.time, &a.batch, &a.classes,
                          &a.target_stride, &a.blank, &a.reduction, &a.zero_infinity, &a.grad_output,
                          &a.output)) {
        return NULL;
    }
    return ctc_call(&a);
}

PyDoc_STRVAR(ctc_loss_doc,
"ctc_loss(log_probs, targets, input_lengths, target_lengths, time, batch, classes,\n"
"         target_stride, blank, reduction, zero_infinity, output)\n\n"
"swiftloss_ctc_loss_f32/_f64: log_probs (time, batch, classes) float32/float64; targets,\n"
"input_lengths, target_lengths int64; target_stride 0 for concatenated targets, else the\n"
"padded width. output: batch elements for 'none', else 1.");
PyDoc_STRVAR(ctc_loss_backward_doc,
"ctc_loss_backward(log_probs, targets, input_lengths, target_lengths, time, batch, classes,\n"
"                  target_stride, blank, reduction, zero_infinity, grad_output, grad_log_probs)\n\n"
"swiftloss_ctc_loss_backward_f32/_f64: PyTorch's gradient with respect to log_probs (not the\n"
"plain derivative: it carries an extra exp(log_probs)), into grad_log_probs (log_probs' size).");

/* ------------------------------------------------------------------------------------------
 * linear_cross_entropy
 *
 *   linear_cross_entropy(input, linear_weight, linear_bias, target, probs, batch, hidden,
 *                        classes, weight, ignore_index, reduction, label_smoothing, z_loss,
 *                        softcap, grad_output, output, z_output, grad_input,
 *                        grad_linear_weight, grad_linear_bias)
 *
 * target: int64 class indices (probs 0) or probabilities of the input's kind (probs 1).
 * linear_bias, weight, grad_output, z_output and the three gradients may be None (see the
 * header). The outputs may overlap nothing.
 * ------------------------------------------------------------------------------------------ */

static PyObject *
py_linear_cross_entropy(PyObject *module, PyObject *args)
{
    PyObject *x_obj, *w_obj, *b_obj, *t_obj, *cw_obj, *g_obj, *y_obj, *z_obj, *gx_obj, *gw_obj, *gb_obj;
    Py_ssize_t batch_arg, hidden_arg, classes_arg;
    long long ignore_index;
    int probs, reduction;
    double label_smoothing, z_loss, softcap;
    if (!PyArg_ParseTuple(args, "OOOOinnnOLidddOOOOOO:linear_cross_entropy", &x_obj, &w_obj, &b_obj, &t_obj,
                          &probs, &batch_arg, &hidden_arg, &classes_arg, &cw_obj, &ignore_index, &reduction,
                          &label_smoothing, &z_loss, &softcap, &g_obj, &y_obj, &z_obj, &gx_obj, &gw_obj,
                          &gb_obj)) {
        return NULL;
    }
    size_t batch, hidden, classes, n_input, n_weight, n_target;
    if (to_size(batch_arg, "batch", &batch) || to_size(hidden_arg, "hidden", &hidden) ||
        to_size(classes_arg, "classes", &classes) || mul_size(batch, hidden, &n_input) ||
        mul_size(classes, hidden, &n_weight) || mul_size(batch, probs ? classes : 1, &n_target)) {
        return NULL;
    }
    size_t n_reduced = reduction == SWIFTLOSS_REDUCTION_NONE ? batch : 1;
    buffer x = {0}, w = {0}, b = {0}, t = {0}, cw = {0}, g = {0}, y = {0}, z = {0}, gx = {0}, gw = {0}, gb = {0};
    PyObject *result = NULL;
    int kind = buffer_get(x_obj, &x, "input", KIND_OTHER, 0);
    buffer_kind k = (buffer_kind)kind;
    if (kind < 0 || buffer_get(w_obj, &w, "linear_weight", k, 0) < 0 ||
        buffer_get_optional(b_obj, &b, "linear_bias", k) < 0 ||
        buffer_get(t_obj, &t, "target", probs ? k : KIND_I64, 0) < 0 ||
        buffer_get_optional(cw_obj, &cw, "weight", k) < 0 ||
        buffer_get_optional(g_obj, &g, "grad_output", k) < 0 ||
        buffer_get(y_obj, &y, "output", k, 1) < 0 ||
        (z_obj != Py_None && buffer_get(z_obj, &z, "z_output", k, 1) < 0) ||
        (gx_obj != Py_None && buffer_get(gx_obj, &gx, "grad_input", k, 1) < 0) ||
        (gw_obj != Py_None && buffer_get(gw_obj, &gw, "grad_linear_weight", k, 1) < 0) ||
        (gb_obj != Py_None && buffer_get(gb_obj, &gb, "grad_linear_bias", k, 1) < 0)) {
        goto done;
    }
    if (check_count(&x, "input", n_input) || check_count(&w, "linear_weight", n_weight) ||
        (b.held && check_count(&b, "linear_bias", classes)) || check_count(&t, "target", n_target) ||
        (g.held && check_count(&g, "grad_output", n_reduced)) || check_count(&y, "output", n_reduced) ||
        (z.held && check_count(&z, "z_output", n_reduced)) || (gx.held && check_count(&gx, "grad_input", n_input)) ||
        (gw.held && check_count(&gw, "grad_linear_weight", n_weight)) ||
        (gb.held && check_count(&gb, "grad_linear_bias", classes))) {
        goto done;
    }
    {
        const buffer *outs[5] = {&y, &z, &gx, &gw, &gb};
        const char *out_names[5] = {"output", "z_output", "grad_input", "grad_linear_weight", "grad_linear_bias"};
        const buffer *ins[6] = {&x, &w, &b, &t, &cw, &g};
        const char *in_names[6] = {"input", "linear_weight", "linear_bias", "target", "weight", "grad_output"};
        for (int o = 0; o < 5; o++) {
            for (int i = 0; i < 6; i++) {
                if (check_alias(outs[o], ins[i], out_names[o], in_names[i], 0)) {
                    goto done;
                }
            }
            for (int p = o + 1; p < 5; p++) {
                if (check_alias(outs[p], outs[o], out_names[p], out_names[o], 0)) {
                    goto done;
                }
            }
        }
    }
    swiftloss_status status;
    size_t work = n_weight > n_input ? n_weight : n_input;
#define LCE_ARGS(T, TT) (const T *)x.view.buf, (const T *)w.view.buf, (const T *)data_of(&b), (const TT *)t.view.buf, \
        batch, hidden, classes, (const T *)data_of(&cw), len_of(&cw), (int64_t)ignore_index, reduction, \
        label_smoothing, z_loss, softcap, (const T *)data_of(&g), (T *)y.view.buf, (T *)data_of(&z), \
        (T *)data_of(&gx), (T *)data_of(&gw), (T *)data_of(&gb)
    SWIFTLOSS_WITHOUT_GIL(work > SWIFTLOSS_GIL_THRESHOLD / 16,
        status = kind == KIND_F32
            ? (probs ? swiftloss_linear_cross_entropy_probs_f32(LCE_ARGS(float, float))
                     : swiftloss_linear_cross_entropy_f32(LCE_ARGS(float, int64_t)))
            : (probs ? swiftloss_linear_cross_entropy_probs_f64(LCE_ARGS(double, double))
                     : swiftloss_linear_cross_entropy_f64(LCE_ARGS(double, int64_t))));
#undef LCE_ARGS
    result = status_result(status);
done:
    buffer_release(&gb);
    buffer_release(&gw);
    buffer_release(&gx);
    buffer_release(&z);
    buffer_release(&y);
    buffer_release(&g);
    buffer_release(&cw);
    buffer_release(&t);
    buffer_release(&b);
    buffer_release(&w);
    buffer_release(&x);
    return result;
}

/* ------------------------------------------------------------------------------------------
 * Vocabulary-parallel cross_entropy: the shard-local steps (swiftloss.distributed runs the
 * protocol and the all-reduces between them)
 *
 *   vocab_parallel_max(logits, batch, shard_classes, row_max)
 *   vocab_parallel_stats(logits, batch, shard_classes, vocab_start, classes, target, weight,
 *                        ignore_index, label_smoothing, row_max, stats)
 *   vocab_parallel_loss(target, batch, classes, weight, ignore_index, reduction,
 *                       label_smoothing, row_max, stats, output)
 *   vocab_parallel_backward(logits, batch, shard_classes, vocab_start, classes, target, weight,
 *                           ignore_index, reduction, label_smoothing, row_max, stats,
 *                           grad_output, grad_logits)
 *
 * weight may be None. The library checks every size and alias itself (the outputs may overlap
 * no input; grad_logits may be logits).
 * ------------------------------------------------------------------------------------------ */

typedef struct {
    PyObject *logits, *target, *weight, *row_max, *stats, *grad_output, *output;
    Py_ssize_t batch, shard_classes, vocab_start, classes;
    long long ignore_index;
    int reduction;
    double label_smoothing;
} vocab_parallel_args;

enum { VP_MAX, VP_STATS, VP_LOSS, VP_BACKWARD };

static PyObject *
vocab_parallel_call(int step, const vocab_parallel_args *a)
{
    size_t batch, shard, start, classes;
    if (to_size(a->batch, "batch", &batch) || to_size(a->shard_classes, "shard_classes", &shard) ||
        to_size(a->vocab_start, "vocab_start", &start) || to_size(a->classes, "classes", &classes)) {
        return NULL;
    }
    buffer x = {0}, t = {0}, w = {0}, m = {0}, st = {0}, g = {0}, y = {0};
    PyObject *result = NULL;
    int kind = -1;
    /* The float buffers all have the kind of the first one given. */
    if (step != VP_LOSS) {
        kind = buffer_get(a->logits, &x, "logits", KIND_OTHER, 0);
    }
    else {
        kind = buffer_get(a->row_max, &m, "row_max", KIND_OTHER, 0);
    }
    if (kind < 0) {
        goto done;
    }
    const char *out_name = step == VP_MAX ? "row_max" : step == VP_STATS ? "stats"
                         : step == VP_LOSS ? "output" : "grad_logits";
    if ((step != VP_MAX && buffer_get(a->target, &t, "target", KIND_I64, 0) < 0) ||
        (step != VP_MAX && buffer_get_optional(a->weight, &w, "weight", (buffer_kind)kind) < 0) ||
        (step != VP_MAX && step != VP_LOSS && buffer_get(a->row_max, &m, "row_max", (buffer_kind)kind, 0) < 0) ||
        ((step == VP_LOSS || step == VP_BACKWARD) && buffer_get(a->stats, &st, "stats", (buffer_kind)kind, 0) < 0) ||
        (step == VP_BACKWARD && buffer_get(a->grad_output, &g, "grad_output", (buffer_kind)kind, 0) < 0) ||
        buffer_get(a->output, &y, out_name, (buffer_kind)kind, 1) < 0) {
        goto done;
    }
    /* Element counts the library checks against the sizes: pass what the buffers hold only
     * after checking them here, so a short buffer is a ValueError naming it. */
    size_t n_shard, n_stats, n_reduced = a->reduction == SWIFTLOSS_REDUCTION_NONE ? batch : 1;
    if (mul_size(batch, shard, &n_shard) || mul_size(batch, 3, &n_stats)) {
        goto done;
    }
    if ((step != VP_LOSS && check_count(&x, "logits", n_shard)) ||
        (step != VP_MAX && check_count(&t, "target", batch)) ||
        (step != VP_MAX && check_count(&m, "row_max", batch)) ||
        ((step == VP_LOSS || step == VP_BACKWARD) && check_count(&st, "stats", n_stats)) ||
        (step == VP_BACKWARD && check_count(&g, "grad_output", n_reduced)) ||
        check_count(&y, out_name, step == VP_MAX ? batch : step == VP_STATS ? n_stats
                                  : step == VP_LOSS ? n_reduced : n_shard)) {
        goto done;
    }
    int f32 = kind == KIND_F32;
    int64_t ignore = (int64_t)a->ignore_index;
    size_t wl = len_of(&w);
    swiftloss_status status;
    SWIFTLOSS_WITHOUT_GIL(n_shard > SWIFTLOSS_GIL_THRESHOLD / 4,
        switch (step) {
        case VP_MAX:
            status = f32 ? swiftloss_vocab_parallel_max_f32(x.view.buf, batch, shard, y.view.buf)
                         : swiftloss_vocab_parallel_max_f64(x.view.buf, batch, shard, y.view.buf);
            break;
        case VP_STATS:
            status = f32 ? swiftloss_vocab_parallel_stats_f32(x.view.buf, batch, shard, start, classes, t.view.buf,
                                                               data_of(&w), wl, ignore, a->label_smoothing,
                                                               m.view.buf, y.view.buf)
                         : swiftloss_vocab_parallel_stats_f64(x.view.buf, batch, shard, start, classes, t.view.buf,
                                                               data_of(&w), wl, ignore, a->label_smoothing,
                                                               m.view.buf, y.view.buf);
            break;
        case VP_LOSS:
            status = f32 ? swiftloss_vocab_parallel_loss_f32(t.view.buf, batch, classes, data_of(&w), wl, ignore,
                                                              a->reduction, a->label_smoothing, m.view.buf,
                                                              st.view.buf, y.view.buf)
                         : swiftloss_vocab_parallel_loss_f64(t.view.buf, batch, classes, data_of(&w), wl, ignore,
                                                              a->reduction, a->label_smoothing, m.view.buf,
                                                              st.view.buf, y.view.buf);
            break;
        default:
            status = f32 ? swiftloss_vocab_parallel_backward_f32(x.view.buf, batch, shard, start, classes, t.view.buf,
                                                                  data_of(&w), wl, ignore, a->reduction,
                                                                  a->label_smoothing, m.view.buf, st.view.buf,
                                                                  g.view.buf, y.view.buf)
                         : swiftloss_vocab_parallel_backward_f64(x.view.buf, batch, shard, start, classes, t.view.buf,
                                                                  data_of(&w), wl, ignore, a->reduction,
                                                                  a->label_smoothing, m.view.buf, st.view.buf,
                                                                  g.view.buf, y.view.buf);
            break;
        });
    result = status_result(status);
done:
    buffer_release(&y);
    buffer_release(&g);
    buffer_release(&st);
    buffer_release(&m);
    buffer_release(&w);
    buffer_release(&t);
    buffer_release(&x);
    return result;
}

PyDoc_STRVAR(linear_cross_entropy_doc,
"linear_cross_entropy(input, linear_weight, linear_bias, target, probs, batch, hidden, classes,\n"
"                     weight, ignore_index, reduction, label_smoothing, z_loss, softcap,\n"
"                     grad_output, output, z_output, grad_input, grad_linear_weight,\n"
"                     grad_linear_bias)\n\n"
"swiftloss_linear_cross_entropy[_probs]_f32/_f64: input (batch, hidden), linear_weight\n"
"(classes, hidden); target int64 (batch,) or probabilities (batch, classes) when probs is 1;\n"
"linear_bias, weight, grad_output (None: ones), z_output and the gradients may be None.");

static PyObject *
py_vocab_parallel_max(PyObject *module, PyObject *args)
{
    vocab_parallel_args a = {0};
    if (!PyArg_ParseTuple(args, "OnnO:vocab_parallel_max", &a.logits, &a.batch, &a.shard_classes, &a.output)) {
        return NULL;
    }
    return vocab_parallel_call(VP_MAX, &a);
}

static PyObject *
py_vocab_parallel_stats(PyObject *module, PyObject *args)
{
    vocab_parallel_args a = {0};
    if (!PyArg_ParseTuple(args, "OnnnnOOLdOO:vocab_parallel_stats", &a.logits, &a.batch, &a.shard_classes,
                          &a.vocab_start, &a.classes, &a.target, &a.weight, &a.ignore_index,
                          &a.label_smoothing, &a.row_max, &a.output)) {
        return NULL;
    }
    return vocab_parallel_call(VP_STATS, &a);
}

static PyObject *
py_vocab_parallel_loss(PyObject *module, PyObject *args)
{
    vocab_parallel_args a = {0};
    if (!PyArg_ParseTuple(args, "OnnOLidOOO:vocab_parallel_loss", &a.target, &a.batch, &a.classes, &a.weight,
                          &a.ignore_index, &a.reduction, &a.label_smoothing, &a.row_max, &a.stats,
                          &a.output)) {
        return NULL;
    }
    return vocab_parallel_call(VP_LOSS, &a);
}

static PyObject *
py_vocab_parallel_backward(PyObject *module, PyObject *args)
{
    vocab_parallel_args a = {0};
    if (!PyArg_ParseTuple(args, "OnnnnOOLidOOOO:vocab_parallel_backward", &a.logits, &a.batch,
                          &a.shard_classes, &a.vocab_start, &a.classes, &a.target, &a.weight,
                          &a.ignore_index, &a.reduction, &a.label_smoothing, &a.row_max, &a.stats,
                          &a.grad_output, &a.output)) {
        return NULL;
    }
    return vocab_parallel_call(VP_BACKWARD, &a);
}

PyDoc_STRVAR(vocab_parallel_max_doc,
"vocab_parallel_max(logits, batch, shard_classes, row_max)\n\n"
"swiftloss_vocab_parallel_max_f32/_f64: each row's max over the shard (-inf for an empty one).");
PyDoc_STRVAR(vocab_parallel_stats_doc,
"vocab_parallel_stats(logits, batch, shard_classes, vocab_start, classes, target, weight,\n"
"                     ignore_index, label_smoothing, row_max, stats)\n\n"
"swiftloss_vocab_parallel_stats_f32/_f64: given the all-reduced (MAX) row_max, the shard's\n"
"3 * batch statistics [sum exp | target logit | weighted shifted sum] to all-reduce with SUM.");
PyDoc_STRVAR(vocab_parallel_loss_doc,
"vocab_parallel_loss(target, batch, classes, weight, ignore_index, reduction, label_smoothing,\n"
"                    row_max, stats, output)\n\n"
"swiftloss_vocab_parallel_loss_f32/_f64: the loss from the reduced row_max and stats.");
PyDoc_STRVAR(vocab_parallel_backward_doc,
"vocab_parallel_backward(logits, batch, shard_classes, vocab_start, classes, target, weight,\n"
"                        ignore_index, reduction, label_smoothing, row_max, stats, grad_output,\n"
"                        grad_logits)\n\n"
"swiftloss_vocab_parallel_backward_f32/_f64: the gradient of the shard's logits (grad_logits\n"
"may be logits itself).");

/* ------------------------------------------------------------------------------------------
 * Vocabulary-parallel linear_cross_entropy (a sharded LM head): the shard-local steps
 *
 *   vocab_parallel_linear_stats(input, linear_weight, linear_bias, batch, hidden, shard_classes,
 *                               vocab_start, classes, target, weight, ignore_index,
 *                               label_smoothing, local_max, stats)
 *   vocab_parallel_rescale(local_max, batch, shard_classes, vocab_start, classes, target, weight,
 *                          ignore_index, label_smoothing, row_max, stats)
 *   vocab_parallel_linear_backward(input, linear_weight, linear_bias, batch, hidden,
 *                                  shard_classes, vocab_start, classes, target, weight,
 *                                  ignore_index, reduction, label_smoothing, row_max, stats,
 *                                  grad_output, grad_input, grad_linear_weight, grad_linear_bias)
 *
 * linear_bias, weight and the three gradients may be None. The library checks the aliases.
 * ------------------------------------------------------------------------------------------ */

static PyObject *
py_vocab_parallel_linear(int backward, PyObject *args)
{
    PyObject *x_obj, *w_obj, *b_obj, *t_obj, *cw_obj, *m_obj, *s_obj, *g_obj = Py_None;
    PyObject *gx_obj = Py_None, *gw_obj = Py_None, *gb_obj = Py_None;
    Py_ssize_t batch_arg, hidden_arg, shard_arg, start_arg, classes_arg;
    long long ignore_index;
    int reduction = SWIFTLOSS_REDUCTION_SUM;
    double label_smoothing;
    if (backward ? !PyArg_ParseTuple(args, "OOOnnnnnOOLidOOOOOO:vocab_parallel_linear_backward", &x_obj, &w_obj,
                                     &b_obj, &batch_arg, &hidden_arg, &shard_arg, &start_arg, &classes_arg, &t_obj,
                                     &cw_obj, &ignore_index, &reduction, &label_smoothing, &m_obj, &s_obj, &g_obj,
                                     &gx_obj, &gw_obj, &gb_obj)
                 : !PyArg_ParseTuple(args, "OOOnnnnnOOLdOO:vocab_parallel_linear_stats", &x_obj, &w_obj, &b_obj,
                                     &batch_arg, &hidden_arg, &shard_arg, &start_arg, &classes_arg, &t_obj, &cw_obj,
                                     &ignore_index, &label_smoothing, &m_obj, &s_obj)) {
        return NULL;
    }
    size_t batch, hidden, shard, start, classes, n_input, n_weight, n_stats;
    if (to_size(batch_arg, "batch", &batch) || to_size(hidden_arg, "hidden", &hidden) ||
        to_size(shard_arg, "shard_classes", &shard) || to_size(start_arg, "vocab_start", &start) ||
        to_size(classes_arg, "classes", &classes) || mul_size(batch, hidden, &n_input) ||
        mul_size(shard, hidden, &n_weight) || mul_size(batch, 3, &n_stats)) {
        return NULL;
    }
    size_t n_reduced = reduction == SWIFTLOSS_REDUCTION_NONE ? batch : 1;
    buffer x = {0}, w = {0}, b = {0}, t = {0}, cw = {0}, m = {0}, st = {0}, g = {0}, gx = {0}, gw = {0}, gb = {0};
    PyObject *result = NULL;
    int kind = buffer_get(x_obj, &x, "input", KIND_OTHER, 0);
    buffer_kind k = (buffer_kind)kind;
    if (kind < 0 || buffer_get(w_obj, &w, "linear_weight", k, 0) < 0 ||
        buffer_get_optional(b_obj, &b, "linear_bias", k) < 0 || buffer_get(t_obj, &t, "target", KIND_I64, 0) < 0 ||
        buffer_get_optional(cw_obj, &cw, "weight", k) < 0 ||
        buffer_get(m_obj, &m, backward ? "row_max" : "local_max", k, !backward) < 0 ||
        buffer_get(s_obj, &st, "stats", k, !backward) < 0 ||
        (backward && buffer_get(g_obj, &g, "grad_output", k, 0) < 0) ||
        (gx_obj != Py_None && buffer_get(gx_obj, &gx, "grad_input", k, 1) < 0) ||
        (gw_obj != Py_None && buffer_get(gw_obj, &gw, "grad_linear_weight", k, 1) < 0) ||
        (gb_obj != Py_None && buffer_get(gb_obj, &gb, "grad_linear_bias", k, 1) < 0)) {
        goto done;
    }
    if (check_count(&x, "input", n_input) || check_count(&w, "linear_weight", n_weight) ||
        (b.held && check_count(&b, "linear_bias", shard)) || check_count(&t, "target", batch) ||
        check_count(&m, backward ? "row_max" : "local_max", batch) || check_count(&st, "stats", n_stats) ||
        (backward && check_count(&g, "grad_output", n_reduced)) ||
        (gx.held && check_count(&gx, "grad_input", n_input)) ||
        (gw.held && check_count(&gw, "grad_linear_weight", n_weight)) ||
        (gb.held && check_count(&gb, "grad_linear_bias", shard))) {
        goto done;
    }
    swiftloss_status status;
    int64_t ignore = (int64_t)ignore_index;
#define VPL_HEAD(T) (const T *)x.view.buf, batch, hidden, (const T *)w.view.buf, (const T *)data_of(&b), shard, \
        start, classes, (const int64_t *)t.view.buf, (const T *)data_of(&cw), len_of(&cw), ignore
#define VPL_BACKWARD(T) VPL_HEAD(T), reduction, label_smoothing, (const T *)m.view.buf, (const T *)st.view.buf, \
        (const T *)g.view.buf, (T *)data_of(&gx), (T *)data_of(&gw), (T *)data_of(&gb)
#define VPL_STATS(T) VPL_HEAD(T), label_smoothing, (T *)m.view.buf, (T *)st.view.buf
    SWIFTLOSS_WITHOUT_GIL(n_input + n_weight > SWIFTLOSS_GIL_THRESHOLD / 16,
        status = kind == KIND_F32
            ? (backward ? swiftloss_vocab_parallel_linear_backward_f32(VPL_BACKWARD(float))
                        : swiftloss_vocab_parallel_linear_stats_f32(VPL_STATS(float)))
            : (backward ? swiftloss_vocab_parallel_linear_backward_f64(VPL_BACKWARD(double))
                        : swiftloss_vocab_parallel_linear_stats_f64(VPL_STATS(double))));
#undef VPL_STATS
#undef VPL_BACKWARD
#undef VPL_HEAD
    result = status_result(status);
done:
    buffer_release(&gb);
    buffer_release(&gw);
    buffer_release(&gx);
    buffer_release(&g);
    buffer_release(&st);
    buffer_release(&m);
    buffer_release(&cw);
    buffer_release(&t);
    buffer_release(&b);
    buffer_release(&w);
    buffer_release(&x);
    return result;
}

static PyObject *
py_vocab_parallel_linear_stats(PyObject *module, PyObject *args)
{
    return py_vocab_parallel_linear(0, args);
}

static PyObject *
py_vocab_parallel_linear_backward(PyObject *module, PyObject *args)
{
    return py_vocab_parallel_linear(1, args);
}

static PyObject *
py_vocab_parallel_rescale(PyObject *module, PyObject *args)
{
    PyObject *lm_obj, *t_obj, *cw_obj, *m_obj, *s_obj;
    Py_ssize_t batch_arg, shard_arg, start_arg, classes_arg;
    long long ignore_index;
    double label_smoothing;
    if (!PyArg_ParseTuple(args, "OnnnnOOLdOO:vocab_parallel_rescale", &lm_obj, &batch_arg, &shard_arg, &start_arg,
                          &classes_arg, &t_obj, &cw_obj, &ignore_index, &label_smoothing, &m_obj, &s_obj)) {
        return NULL;
    }
    size_t batch, shard, start, classes, n_stats;
    if (to_size(batch_arg, "batch", &batch) || to_size(shard_arg, "shard_classes", &shard) ||
        to_size(start_arg, "vocab_start", &start) || to_size(classes_arg, "classes", &classes) ||
        mul_size(batch, 3, &n_stats)) {
        return NULL;
    }
    buffer lm = {0}, t = {0}, cw = {0}, m = {0}, st = {0};
    PyObject *result = NULL;
    int kind = buffer_get(lm_obj, &lm, "local_max", KIND_OTHER, 0);
    buffer_kind k = (buffer_kind)kind;
    if (kind < 0 || buffer_get(t_obj, &t, "target", KIND_I64, 0) < 0 ||
        buffer_get_optional(cw_obj, &cw, "weight", k) < 0 || buffer_get(m_obj, &m, "row_max", k, 0) < 0 ||
        buffer_get(s_obj, &st, "stats", k, 1) < 0) {
        goto done;
    }
    if (check_count(&lm, "local_max", batch) || check_count(&t, "target", batch) ||
        check_count(&m, "row_max", batch) || check_count(&st, "stats", n_stats)) {
        goto done;
    }
    swiftloss_status status = kind == KIND_F32
        ? swiftloss_vocab_parallel_rescale_f32(lm.view.buf, batch, shard, start, classes, t.view.buf, data_of(&cw),
                                               len_of(&cw), (int64_t)ignore_index, label_smoothing, m.view.buf,
                                               st.view.buf)
        : swiftloss_vocab_parallel_rescale_f64(lm.view.buf, batch, shard, start, classes, t.view.buf, data_of(&cw),
                                               len_of(&cw), (int64_t)ignore_index, label_smoothing, m.view.buf,
                                               st.view.buf);
    result = status_result(status);
done:
    buffer_release(&st);
    buffer_release(&m);
    buffer_release(&cw);
    buffer_release(&t);
    buffer_release(&lm);
    return result;
}

PyDoc_STRVAR(vocab_parallel_linear_stats_doc,
"vocab_parallel_linear_stats(input, linear_weight, linear_bias, batch, hidden, shard_classes,\n"
"                            vocab_start, classes, target, weight, ignore_index,\n"
"                            label_smoothing, local_max, stats)\n\n"
"swiftloss_vocab_parallel_linear_stats_f32/_f64: the shard's row maxima and its statistics\n"
"relative to them (linear_bias and weight may be None).");
PyDoc_STRVAR(vocab_parallel_rescale_doc,
"vocab_parallel_rescale(local_max, batch, shard_classes, vocab_start, classes, target, weight,\n"
"                       ignore_index, label_smoothing, row_max, stats)\n\n"
"swiftloss_vocab_parallel_rescale_f32/_f64: stats relative to the all-reduced row_max, in place.");
PyDoc_STRVAR(vocab_parallel_linear_backward_doc,
"vocab_parallel_linear_backward(input, linear_weight, linear_bias, batch, hidden, shard_classes,\n"
"                               vocab_start, classes, target, weight, ignore_index, reduction,\n"
"                               label_smoothing, row_max, stats, grad_output, grad_input,\n"
"                               grad_linear_weight, grad_linear_bias)\n\n"
"swiftloss_vocab_parallel_linear_backward_f32/_f64: this rank's part of grad_input and the\n"
"gradients of its weight rows and bias slice (each may be None).");

PyDoc_STRVAR(fast_setup_doc,
"_fast_setup(ndarray, empty, float32, float64)\n\n"
"The numpy objects _fast_class and _fast_axis use (swiftloss.functional passes them).");
PyDoc_STRVAR(fast_class_doc,
"_fast_class(which, input, target, weight, ignore_index, reduction, parameter, p)\n\n"
"nll_loss (which 0), cross_entropy (1, parameter = label_smoothing; class indices or\n"
"probabilities) or multi_margin_loss (2, parameter = margin, p) of (N, C) float ndarray\n"
"logits and (N,) int64 targets in one step; None when the call is not that common call or\n"
"the library refuses it.");
PyDoc_STRVAR(fast_axis_doc,
"_fast_axis(which, input, dim)\n\n"
"softmax (which 0) or log_softmax (1) of a C-contiguous float ndarray along an int dim in\n"
"range, into a new array; None otherwise.");

static PyMethodDef swiftloss_methods[] = {
    {"_fast_setup", py_fast_setup, METH_VARARGS, fast_setup_doc},
    {"_fast_class", (PyCFunction)(void (*)(void))py_fast_class, METH_FASTCALL, fast_class_doc},
    {"_fast_axis", (PyCFunction)(void (*)(void))py_fast_axis, METH_FASTCALL, fast_axis_doc},
    {"version_string", py_version_string, METH_NOARGS, version_string_doc},
    {"kernels_string", py_kernels_string, METH_NOARGS, kernels_string_doc},
    {"version_number", py_version_number, METH_NOARGS, version_number_doc},
    {"status_string", py_status_string, METH_O, status_string_doc},
    {"set_num_threads", py_set_num_threads, METH_O, set_num_threads_doc},
    {"get_num_threads", py_get_num_threads, METH_NOARGS, get_num_threads_doc},
    {"softmax", py_softmax, METH_VARARGS, softmax_doc},
    {"log_softmax", py_log_softmax, METH_VARARGS, log_softmax_doc},
    {"nll_loss", py_nll_loss, METH_VARARGS, nll_loss_doc},
    {"cross_entropy", py_cross_entropy, METH_VARARGS, cross_entropy_doc},
    {"cross_entropy_probs", py_cross_entropy_probs, METH_VARARGS, cross_entropy_probs_doc},
    {"binary_cross_entropy", py_binary_cross_entropy, METH_VARARGS, binary_cross_entropy_doc},
    {"binary_cross_entropy_with_logits", py_binary_cross_entropy_with_logits, METH_VARARGS,
     binary_cross_entropy_with_logits_doc},
    {"kl_div", py_kl_div, METH_VARARGS, kl_div_doc},
    {"softmax_backward", py_softmax_backward, METH_VARARGS, softmax_backward_doc},
    {"log_softmax_backward", py_log_softmax_backward, METH_VARARGS, log_softmax_backward_doc},
    {"nll_loss_backward", py_nll_loss_backward, METH_VARARGS, nll_loss_backward_doc},
    {"cross_entropy_backward", py_cross_entropy_backward, METH_VARARGS,
     cross_entropy_backward_doc},
    {"cross_entropy_fused", py_cross_entropy_fused, METH_VARARGS, cross_entropy_fused_doc},
    {"cross_entropy_ex", py_cross_entropy_ex, METH_VARARGS, cross_entropy_ex_doc},
    {"cross_entropy_probs_backward", py_cross_entropy_probs_backward, METH_VARARGS,
     cross_entropy_probs_backward_doc},
    {"binary_cross_entropy_backward", py_binary_cross_entropy_backward, METH_VARARGS,
     binary_cross_entropy_backward_doc},
    {"binary_cross_entropy_with_logits_backward", py_binary_cross_entropy_with_logits_backward,
     METH_VARARGS, binary_cross_entropy_with_logits_backward_doc},
    {"kl_div_backward", py_kl_div_backward, METH_VARARGS, kl_div_backward_doc},
    {"mse_loss", py_mse_loss, METH_VARARGS, regression_doc},
    {"mse_loss_backward", py_mse_loss_backward, METH_VARARGS, regression_backward_doc},
    {"l1_loss", py_l1_loss, METH_VARARGS, regression_doc},
    {"l1_loss_backward", py_l1_loss_backward, METH_VARARGS, regression_backward_doc},
    {"smooth_l1_loss", py_smooth_l1_loss, METH_VARARGS, regression_doc},
    {"smooth_l1_loss_backward", py_smooth_l1_loss_backward, METH_VARARGS, regression_backward_doc},
    {"huber_loss", py_huber_loss, METH_VARARGS, regression_doc},
    {"huber_loss_backward", py_huber_loss_backward, METH_VARARGS, regression_backward_doc},
    {"soft_margin_loss", py_soft_margin_loss, METH_VARARGS, regression_doc},
    {"soft_margin_loss_backward", py_soft_margin_loss_backward, METH_VARARGS,
     regression_backward_doc},
    {"hinge_embedding_loss", py_hinge_embedding_loss, METH_VARARGS, regression_doc},
    {"hinge_embedding_loss_backward", py_hinge_embedding_loss_backward, METH_VARARGS,
     regression_backward_doc},
    {"poisson_nll_loss", py_poisson_nll_loss, METH_VARARGS, poisson_nll_loss_doc},
    {"multilabel_soft_margin_loss", py_multilabel_soft_margin_loss, METH_VARARGS,
     multilabel_soft_margin_loss_doc},
    {"multilabel_soft_margin_loss_backward", py_multilabel_soft_margin_loss_backward, METH_VARARGS,
     multilabel_soft_margin_loss_backward_doc},
    {"poisson_nll_loss_backward", py_poisson_nll_loss_backward, METH_VARARGS,
     poisson_nll_loss_backward_doc},
    {"margin_ranking_loss", py_margin_ranking_loss, METH_VARARGS, margin_ranking_loss_doc},
    {"margin_ranking_loss_backward", py_margin_ranking_loss_backward, METH_VARARGS,
     margin_ranking_loss_backward_doc},
    {"multi_margin_loss", py_multi_margin_loss, METH_VARARGS, multi_margin_loss_doc},
    {"multi_margin_loss_backward", py_multi_margin_loss_backward, METH_VARARGS,
     multi_margin_loss_backward_doc},
    {"multilabel_margin_loss", py_multilabel_margin_loss, METH_VARARGS, multilabel_margin_loss_doc},
    {"multilabel_margin_loss_backward", py_multilabel_margin_loss_backward, METH_VARARGS,
     multilabel_margin_loss_backward_doc},
    {"gaussian_nll_loss", py_gaussian_nll_loss, METH_VARARGS, gaussian_nll_loss_doc},
    {"gaussian_nll_loss_backward", py_gaussian_nll_loss_backward, METH_VARARGS,
     gaussian_nll_loss_backward_doc},
    {"cosine_embedding_loss", py_cosine_embedding_loss, METH_VARARGS, cosine_embedding_loss_doc},
    {"cosine_embedding_loss_backward", py_cosine_embedding_loss_backward, METH_VARARGS,
     cosine_embedding_loss_backward_doc},
    {"triplet_margin_loss", py_triplet_margin_loss, METH_VARARGS, triplet_margin_loss_doc},
    {"triplet_margin_loss_backward", py_triplet_margin_loss_backward, METH_VARARGS,
     triplet_margin_loss_backward_doc},
    {"ctc_loss", py_ctc_loss, METH_VARARGS, ctc_loss_doc},
    {"ctc_loss_backward", py_ctc_loss_backward, METH_VARARGS, ctc_loss_backward_doc},
    {"linear_cross_entropy", py_linear_cross_entropy, METH_VARARGS, linear_cross_entropy_doc},
    {"vocab_parallel_max", py_vocab_parallel_max, METH_VARARGS, vocab_parallel_max_doc},
    {"vocab_parallel_stats", py_vocab_parallel_stats, METH_VARARGS, vocab_parallel_stats_doc},
    {"vocab_parallel_loss", py_vocab_parallel_loss, METH_VARARGS, vocab_parallel_loss_doc},
    {"vocab_parallel_backward", py_vocab_parallel_backward, METH_VARARGS, vocab_parallel_backward_doc},
    {"vocab_parallel_linear_stats", py_vocab_parallel_linear_stats, METH_VARARGS, vocab_parallel_linear_stats_doc},
    {"vocab_parallel_rescale", py_vocab_parallel_rescale, METH_VARARGS, vocab_parallel_rescale_doc},
    {"vocab_parallel_linear_backward", py_vocab_parallel_linear_backward, METH_VARARGS,
     vocab_parallel_linear_backward_doc},
    {NULL, NULL, 0, NULL},
};

PyDoc_STRVAR(module_doc,
"Low-level bindings to libswiftloss.so (include/swiftloss.h).\n\n"
"Every function takes C-contiguous buffers and explicit sizes, checks formats, itemsizes\n"
"and element counts, and writes its result into the caller's output buffer. Use the\n"
"swiftloss package for the torch.nn.functional-shaped API.");

/* Multi-phase initialisation (PEP 489): the module's state is the numpy objects of the fast
 * path (set by _fast_setup); the checks and constants are set up by the exec slot. */
static int
swiftloss_exec(PyObject *module)
{
    if (swiftloss_version_number() != SWIFTLOSS_VERSION_NUMBER) {
        PyErr_Format(PyExc_ImportError,
                     "swiftloss: the loaded libswiftloss.so is version %s, this extension was "
                     "built against %s",
                     swiftloss_version_string(), SWIFTLOSS_VERSION_STRING);
        return -1;
    }
    if (PyModule_AddStringConstant(module, "HEADER_VERSION", SWIFTLOSS_VERSION_STRING) < 0 ||
        PyModule_AddIntConstant(module, "GIL_THRESHOLD", SWIFTLOSS_GIL_THRESHOLD) < 0 ||
        PyModule_AddIntConstant(module, "REDUCTION_NONE", SWIFTLOSS_REDUCTION_NONE) < 0 ||
        PyModule_AddIntConstant(module, "REDUCTION_SUM", SWIFTLOSS_REDUCTION_SUM) < 0 ||
        PyModule_AddIntConstant(module, "REDUCTION_MEAN", SWIFTLOSS_REDUCTION_MEAN) < 0 ||
        PyModule_AddIntConstant(module, "REDUCTION_BATCHMEAN", SWIFTLOSS_REDUCTION_BATCHMEAN) < 0) {
        return -1;
    }
    return 0;
}

static int
swiftloss_traverse(PyObject *module, visitproc visit, void *arg)
{
    module_state *st = state_of(module);
    Py_VISIT(st->ndarray);
    Py_VISIT(st->empty);
    Py_VISIT(st->float32);
    Py_VISIT(st->float64);
    return 0;
}

static int
swiftloss_clear(PyObject *module)
{
    module_state *st = state_of(module);
    Py_CLEAR(st->ndarray);
    Py_CLEAR(st->empty);
    Py_CLEAR(st->float32);
    Py_CLEAR(st->float64);
    return 0;
}

static void
swiftloss_free(void *module)
{
    swiftloss_clear((PyObject *)module);
}

static PyModuleDef_Slot swiftloss_slots[] = {
    {Py_mod_exec, swiftloss_exec},
    {0, NULL},
};

static struct PyModuleDef swiftloss_module = {
    PyModuleDef_HEAD_INIT,
    "swiftloss._swiftloss",
    module_doc,
    sizeof(module_state),
    swiftloss_methods,
    swiftloss_slots,
    swiftloss_traverse,
    swiftloss_clear,
    swiftloss_free,
};

PyMODINIT_FUNC
PyInit__swiftloss(void)
{
    return PyModuleDef_Init(&swiftloss_module);
}
