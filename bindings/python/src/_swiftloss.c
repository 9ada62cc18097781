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
#include <stdio.h>
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
 * Softmax
 * ------------------------------------------------------------------------------------------ */

static PyObject *
softmax_common(PyObject *args, const char *fname, int log)
{
    PyObject *input_obj, *output_obj;
    Py_ssize_t outer_arg, dim_arg, inner_arg;
    char format[64];
    snprintf(format, sizeof format, "OnnnO:%s", fname);
    if (!PyArg_ParseTuple(args, format, &input_obj, &outer_arg, &dim_arg, &inner_arg,
                          &output_obj)) {
        return NULL;
    }
    size_t outer, dim, inner, n;
    if (to_size(outer_arg, "outer", &outer) || to_size(dim_arg, "dim", &dim) ||
        to_size(inner_arg, "inner", &inner)) {
        return NULL;
    }
    if (mul_size(outer, dim, &n) || mul_size(n, inner, &n)) {
        return NULL;
    }

    buffer input = {0}, output = {0};
    PyObject *result = NULL;
    int kind = buffer_get(input_obj, &input, "input", KIND_OTHER, 0);
    if (kind < 0) {
        goto done;
    }
    if (buffer_get(output_obj, &output, "output", (buffer_kind)kind, 1) < 0) {
        goto done;
    }
    if (check_count(&input, "input", n) || check_count(&output, "output", n)) {
        goto done;
    }
    /* In place (the same memory) is allowed; any other overlap is not. */
    if (!(input.view.buf == output.view.buf && input.view.len == output.view.len) &&
        check_no_overlap(&output, &input, "input")) {
        goto done;
    }

    swiftloss_status status;
    int nogil = n > SWIFTLOSS_GIL_THRESHOLD;
    PyThreadState *save = nogil ? PyEval_SaveThread() : NULL;
    if (kind == KIND_F32) {
        status = log ? swiftloss_log_softmax_f32(input.view.buf, outer, dim, inner,
                                                 output.view.buf)
                     : swiftloss_softmax_f32(input.view.buf, outer, dim, inner, output.view.buf);
    }
    else {
        status = log ? swiftloss_log_softmax_f64(input.view.buf, outer, dim, inner,
                                                 output.view.buf)
                     : swiftloss_softmax_f64(input.view.buf, outer, dim, inner, output.view.buf);
    }
    if (nogil) {
        PyEval_RestoreThread(save);
    }
    result = status_result(status);

done:
    buffer_release(&output);
    buffer_release(&input);
    return result;
}

static PyObject *
py_softmax(PyObject *module, PyObject *args)
{
    return softmax_common(args, "softmax", 0);
}

static PyObject *
py_log_softmax(PyObject *module, PyObject *args)
{
    return softmax_common(args, "log_softmax", 1);
}

/* ------------------------------------------------------------------------------------------
 * Class-axis losses: nll_loss, cross_entropy (class indices), cross_entropy_probs
 * ------------------------------------------------------------------------------------------ */

typedef enum { CLASS_NLL, CLASS_CROSS_ENTROPY, CLASS_PROBS } class_function;

static PyObject *
class_loss(PyObject *args, class_function which)
{
    PyObject *input_obj, *target_obj, *weight_obj, *output_obj;
    Py_ssize_t batch_arg, classes_arg, inner_arg;
    long long ignore_index_arg;
    int reduction;
    double label_smoothing = 0.0;
    int parsed;
    if (which == CLASS_NLL) {
        parsed = PyArg_ParseTuple(args, "OOnnnOLiO:nll_loss", &input_obj, &target_obj,
                                  &batch_arg, &classes_arg, &inner_arg, &weight_obj,
                                  &ignore_index_arg, &reduction, &output_obj);
    }
    else {
        parsed = PyArg_ParseTuple(
            args, which == CLASS_PROBS ? "OOnnnOLidO:cross_entropy_probs" : "OOnnnOLidO:cross_entropy",
            &input_obj, &target_obj, &batch_arg, &classes_arg, &inner_arg, &weight_obj,
            &ignore_index_arg, &reduction, &label_smoothing, &output_obj);
    }
    if (!parsed) {
        return NULL;
    }
    size_t batch, classes, inner, n_input, n_samples;
    if (to_size(batch_arg, "batch", &batch) || to_size(classes_arg, "classes", &classes) ||
        to_size(inner_arg, "inner", &inner)) {
        return NULL;
    }
    if (mul_size(batch, inner, &n_samples) || mul_size(n_samples, classes, &n_input)) {
        return NULL;
    }
    int64_t ignore_index = (int64_t)ignore_index_arg;

    buffer input = {0}, target = {0}, weight = {0}, output = {0};
    PyObject *result = NULL;
    int kind = buffer_get(input_obj, &input, "input", KIND_OTHER, 0);
    if (kind < 0) {
        goto done;
    }
    buffer_kind target_kind = which == CLASS_PROBS ? (buffer_kind)kind : KIND_I64;
    if (buffer_get(target_obj, &target, "target", target_kind, 0) < 0 ||
        buffer_get_optional(weight_obj, &weight, "weight", (buffer_kind)kind) < 0 ||
        buffer_get(output_obj, &output, "output", (buffer_kind)kind, 1) < 0) {
        goto done;
    }
    size_t n_output = reduction == SWIFTLOSS_REDUCTION_NONE ? n_samples : 1;
    if (check_count(&input, "input", n_input) ||
        check_count(&target, "target", which == CLASS_PROBS ? n_input : n_samples) ||
        check_count(&output, "output", n_output) ||
        check_no_overlap(&output, &input, "input") ||
        check_no_overlap(&output, &target, "target") ||
        check_no_overlap(&output, &weight, "weight")) {
        goto done;
    }

    const void *in = input.view.buf, *tg = target.view.buf, *w = data_of(&weight);
    size_t wlen = len_of(&weight);
    void *out = output.view.buf;
    swiftloss_status status;
    int nogil = n_input > SWIFTLOSS_GIL_THRESHOLD;
    PyThreadState *save = nogil ? PyEval_SaveThread() : NULL;
    switch (which) {
    case CLASS_NLL:
        status = kind == KIND_F32
                     ? swiftloss_nll_loss_f32(in, tg, batch, classes, inner, w, wlen,
                                              ignore_index, reduction, out)
                     : swiftloss_nll_loss_f64(in, tg, batch, classes, inner, w, wlen,
                                              ignore_index, reduction, out);
        break;
    case CLASS_CROSS_ENTROPY:
        status = kind == KIND_F32
                     ? swiftloss_cross_entropy_f32(in, tg, batch, classes, inner, w, wlen,
                                                   ignore_index, reduction, label_smoothing, out)
                     : swiftloss_cross_entropy_f64(in, tg, batch, classes, inner, w, wlen,
                                                   ignore_index, reduction, label_smoothing, out);
        break;
    default:
        status = kind == KIND_F32
                     ? swiftloss_cross_entropy_probs_f32(in, tg, batch, classes, inner, w, wlen,
                                                         ignore_index, reduction,
                                                         label_smoothing, out)
                     : swiftloss_cross_entropy_probs_f64(in, tg, batch, classes, inner, w, wlen,
                                                         ignore_index, reduction,
                                                         label_smoothing, out);
        break;
    }
    if (nogil) {
        PyEval_RestoreThread(save);
    }
    result = status_result(status);

done:
    buffer_release(&output);
    buffer_release(&weight);
    buffer_release(&target);
    buffer_release(&input);
    return result;
}

static PyObject *
py_nll_loss(PyObject *module, PyObject *args)
{
    return class_loss(args, CLASS_NLL);
}

static PyObject *
py_cross_entropy(PyObject *module, PyObject *args)
{
    return class_loss(args, CLASS_CROSS_ENTROPY);
}

static PyObject *
py_cross_entropy_probs(PyObject *module, PyObject *args)
{
    return class_loss(args, CLASS_PROBS);
}

/* ------------------------------------------------------------------------------------------
 * Element-wise losses
 * ------------------------------------------------------------------------------------------ */

typedef enum { ELEMENT_BCE, ELEMENT_BCE_LOGITS, ELEMENT_KL_DIV } element_function;

static PyObject *
element_loss(PyObject *args, element_function which)
{
    PyObject *input_obj, *target_obj, *weight_obj = Py_None, *pos_weight_obj = Py_None,
                                      *output_obj;
    Py_ssize_t count_arg, batch_arg = 0;
    int reduction, log_target = 0;
    int parsed;
    switch (which) {
    case ELEMENT_BCE:
        parsed = PyArg_ParseTuple(args, "OOnOiO:binary_cross_entropy", &input_obj, &target_obj,
                                  &count_arg, &weight_obj, &reduction, &output_obj);
        break;
    case ELEMENT_BCE_LOGITS:
        parsed = PyArg_ParseTuple(args, "OOnOOiO:binary_cross_entropy_with_logits", &input_obj,
                                  &target_obj, &count_arg, &weight_obj, &pos_weight_obj,
                                  &reduction, &output_obj);
        break;
    default:
        parsed = PyArg_ParseTuple(args, "OOnniiO:kl_div", &input_obj, &target_obj, &count_arg,
                                  &batch_arg, &reduction, &log_target, &output_obj);
        break;
    }
    if (!parsed) {
        return NULL;
    }
    size_t count, batch;
    if (to_size(count_arg, "count", &count) || to_size(batch_arg, "batch", &batch)) {
        return NULL;
    }

    buffer input = {0}, target = {0}, weight = {0}, pos_weight = {0}, output = {0};
    PyObject *result = NULL;
    int kind = buffer_get(input_obj, &input, "input", KIND_OTHER, 0);
    if (kind < 0) {
        goto done;
    }
    if (buffer_get(target_obj, &target, "target", (buffer_kind)kind, 0) < 0 ||
        buffer_get_optional(weight_obj, &weight, "weight", (buffer_kind)kind) < 0 ||
        buffer_get_optional(pos_weight_obj, &pos_weight, "pos_weight", (buffer_kind)kind) < 0 ||
        buffer_get(output_obj, &output, "output", (buffer_kind)kind, 1) < 0) {
        goto done;
    }
    size_t n_output = reduction == SWIFTLOSS_REDUCTION_NONE ? count : 1;
    if (check_count(&input, "input", count) || check_count(&target, "target", count) ||
        check_count(&output, "output", n_output) ||
        check_no_overlap(&output, &input, "input") ||
        check_no_overlap(&output, &target, "target") ||
        check_no_overlap(&output, &weight, "weight") ||
        check_no_overlap(&output, &pos_weight, "pos_weight")) {
        goto done;
    }

    const void *in = input.view.buf, *tg = target.view.buf;
    const void *w = data_of(&weight), *pw = data_of(&pos_weight);
    size_t wlen = len_of(&weight), pwlen = len_of(&pos_weight);
    void *out = output.view.buf;
    swiftloss_status status;
    int nogil = count > SWIFTLOSS_GIL_THRESHOLD;
    PyThreadState *save = nogil ? PyEval_SaveThread() : NULL;
    switch (which) {
    case ELEMENT_BCE:
        status = kind == KIND_F32
                     ? swiftloss_binary_cross_entropy_f32(in, tg, count, w, wlen, reduction, out)
                     : swiftloss_binary_cross_entropy_f64(in, tg, count, w, wlen, reduction, out);
        break;
    case ELEMENT_BCE_LOGITS:
        status = kind == KIND_F32
                     ? swiftloss_binary_cross_entropy_with_logits_f32(in, tg, count, w, wlen, pw,
                                                                      pwlen, reduction, out)
                     : swiftloss_binary_cross_entropy_with_logits_f64(in, tg, count, w, wlen, pw,
                                                                      pwlen, reduction, out);
        break;
    default:
        status = kind == KIND_F32
                     ? swiftloss_kl_div_f32(in, tg, count, batch, reduction, log_target, out)
                     : swiftloss_kl_div_f64(in, tg, count, batch, reduction, log_target, out);
        break;
    }
    if (nogil) {
        PyEval_RestoreThread(save);
    }
    result = status_result(status);

done:
    buffer_release(&output);
    buffer_release(&pos_weight);
    buffer_release(&weight);
    buffer_release(&target);
    buffer_release(&input);
    return result;
}

static PyObject *
py_binary_cross_entropy(PyObject *module, PyObject *args)
{
    return element_loss(args, ELEMENT_BCE);
}

static PyObject *
py_binary_cross_entropy_with_logits(PyObject *module, PyObject *args)
{
    return element_loss(args, ELEMENT_BCE_LOGITS);
}

static PyObject *
py_kl_div(PyObject *module, PyObject *args)
{
    return element_loss(args, ELEMENT_KL_DIV);
}

/* ------------------------------------------------------------------------------------------
 * Gradients
 * ------------------------------------------------------------------------------------------ */

static PyObject *
softmax_backward_common(PyObject *args, const char *fname, int log)
{
    PyObject *output_obj, *grad_output_obj, *grad_input_obj;
    Py_ssize_t outer_arg, dim_arg, inner_arg;
    char format[64];
    snprintf(format, sizeof format, "OOnnnO:%s", fname);
    if (!PyArg_ParseTuple(args, format, &output_obj, &grad_output_obj, &outer_arg, &dim_arg,
                          &inner_arg, &grad_input_obj)) {
        return NULL;
    }
    size_t outer, dim, inner, n;
    if (to_size(outer_arg, "outer", &outer) || to_size(dim_arg, "dim", &dim) ||
        to_size(inner_arg, "inner", &inner) || mul_size(outer, dim, &n) ||
        mul_size(n, inner, &n)) {
        return NULL;
    }
    buffer output = {0}, grad_output = {0}, grad_input = {0};
    PyObject *result = NULL;
    int kind = buffer_get(output_obj, &output, "output", KIND_OTHER, 0);
    if (kind < 0 ||
        buffer_get(grad_output_obj, &grad_output, "grad_output", (buffer_kind)kind, 0) < 0 ||
        buffer_get(grad_input_obj, &grad_input, "grad_input", (buffer_kind)kind, 1) < 0) {
        goto done;
    }
    if (check_count(&output, "output", n) || check_count(&grad_output, "grad_output", n) ||
        check_count(&grad_input, "grad_input", n) ||
        check_alias(&grad_input, &output, "grad_input", "output", 1) ||
        check_alias(&grad_input, &grad_output, "grad_input", "grad_output", 1)) {
        goto done;
    }
    swiftloss_status status;
    const void *y = output.view.buf, *g = grad_output.view.buf;
    void *gx = grad_input.view.buf;
    int nogil = n > SWIFTLOSS_GIL_THRESHOLD;
    PyThreadState *save = nogil ? PyEval_SaveThread() : NULL;
    if (kind == KIND_F32) {
        status = log ? swiftloss_log_softmax_backward_f32(y, g, outer, dim, inner, gx)
                     : swiftloss_softmax_backward_f32(y, g, outer, dim, inner, gx);
    }
    else {
        status = log ? swiftloss_log_softmax_backward_f64(y, g, outer, dim, inner, gx)
                     : swiftloss_softmax_backward_f64(y, g, outer, dim, inner, gx);
    }
    if (nogil) {
        PyEval_RestoreThread(save);
    }
    result = status_result(status);
done:
    buffer_release(&grad_input);
    buffer_release(&grad_output);
    buffer_release(&output);
    return result;
}

static PyObject *
py_softmax_backward(PyObject *module, PyObject *args)
{
    return softmax_backward_common(args, "softmax_backward", 0);
}

static PyObject *
py_log_softmax_backward(PyObject *module, PyObject *args)
{
    return softmax_backward_common(args, "log_softmax_backward", 1);
}

typedef enum {
    CLASS_GRAD_NLL,
    CLASS_GRAD_CROSS_ENTROPY,
    CLASS_GRAD_FUSED,
    CLASS_GRAD_PROBS
} class_gradient;

static PyObject *
class_loss_backward(PyObject *args, class_gradient which)
{
    PyObject *input_obj = Py_None, *target_obj, *weight_obj, *grad_output_obj,
             *output_obj = Py_None, *grad_input_obj;
    Py_ssize_t batch_arg, classes_arg, inner_arg;
    long long ignore_index_arg;
    int reduction;
    double label_smoothing = 0.0;
    int parsed;
    switch (which) {
    case CLASS_GRAD_NLL:
        parsed = PyArg_ParseTuple(args, "OnnnOLiOO:nll_loss_backward", &target_obj, &batch_arg,
                                  &classes_arg, &inner_arg, &weight_obj, &ignore_index_arg,
                                  &reduction, &grad_output_obj, &grad_input_obj);
        break;
    case CLASS_GRAD_FUSED:
        parsed = PyArg_ParseTuple(args, "OOnnnOLidOOO:cross_entropy_fused", &input_obj,
                                  &target_obj, &batch_arg, &classes_arg, &inner_arg,
                                  &weight_obj, &ignore_index_arg, &reduction, &label_smoothing,
                                  &grad_output_obj, &output_obj, &grad_input_obj);
        break;
    default:
        parsed = PyArg_ParseTuple(
            args,
            which == CLASS_GRAD_PROBS ? "OOnnnOLidOO:cross_entropy_probs_backward"
                                      : "OOnnnOLidOO:cross_entropy_backward",
            &input_obj, &target_obj, &batch_arg, &classes_arg, &inner_arg, &weight_obj,
            &ignore_index_arg, &reduction, &label_smoothing, &grad_output_obj, &grad_input_obj);
        break;
    }
    if (!parsed) {
        return NULL;
    }
    size_t batch, classes, inner, n_input, n_samples;
    if (to_size(batch_arg, "batch", &batch) || to_size(classes_arg, "classes", &classes) ||
        to_size(inner_arg, "inner", &inner) || mul_size(batch, inner, &n_samples) ||
        mul_size(n_samples, classes, &n_input)) {
        return NULL;
    }
    int64_t ignore_index = (int64_t)ignore_index_arg;
    size_t n_output = reduction == SWIFTLOSS_REDUCTION_NONE ? n_samples : 1;

    buffer input = {0}, target = {0}, weight = {0}, grad_output = {0}, output = {0},
           grad_input = {0};
    PyObject *result = NULL;
    int kind;
    /* The float kind comes from the input, or from grad_input for nll_loss_backward. */
    if (which == CLASS_GRAD_NLL) {
        kind = buffer_get(grad_input_obj, &grad_input, "grad_input", KIND_OTHER, 1);
    }
    else {
        kind = buffer_get(input_obj, &input, "input", KIND_OTHER, 0);
        if (kind >= 0 &&
            buffer_get(grad_input_obj, &grad_input, "grad_input", (buffer_kind)kind, 1) < 0) {
            kind = -1;
        }
    }
    if (kind < 0) {
        goto done;
    }
    buffer_kind target_kind = which == CLASS_GRAD_PROBS ? (buffer_kind)kind : KIND_I64;
    if (buffer_get(target_obj, &target, "target", target_kind, 0) < 0 ||
        buffer_get_optional(weight_obj, &weight, "weight", (buffer_kind)kind) < 0) {
        goto done;
    }
    if (which == CLASS_GRAD_FUSED) {
        if (buffer_get_optional(grad_output_obj, &grad_output, "grad_output", (buffer_kind)kind) <
                0 ||
            buffer_get(output_obj, &output, "output", (buffer_kind)kind, 1) < 0) {
            goto done;
        }
    }
    else if (buffer_get(grad_output_obj, &grad_output, "grad_output", (buffer_kind)kind, 0) < 0) {
        goto done;
    }
    if ((input.held && check_count(&input, "input", n_input)) ||
        check_count(&target, "target", which == CLASS_GRAD_PROBS ? n_input : n_samples) ||
        (grad_output.held && check_count(&grad_output, "grad_output", n_output)) ||
        (output.held && check_count(&output, "output", n_output)) ||
        check_count(&grad_input, "grad_input", n_input) ||
        check_alias(&grad_input, &input, "grad_input", "input", 1) ||
        check_alias(&grad_input, &target, "grad_input", "target", 0) ||
        check_alias(&grad_input, &weight, "grad_input", "weight", 0) ||
        check_alias(&grad_input, &grad_output, "grad_input", "grad_output", 0) ||
        check_alias(&grad_input, &output, "grad_input", "output", 0) ||
        check_alias(&output, &input, "output", "input", 0) ||
        check_alias(&output, &target, "output", "target", 0) ||
        check_alias(&output, &weight, "output", "weight", 0) ||
        check_alias(&output, &grad_output, "output", "grad_output", 0)) {
        goto done;
    }

    const void *in = data_of(&input), *tg = target.view.buf, *w = data_of(&weight);
    const void *g = data_of(&grad_output);
    size_t wlen = len_of(&weight);
    void *out = data_of(&output), *gx = grad_input.view.buf;
    double eps = label_smoothing;
    swiftloss_status status;
    int nogil = n_input > SWIFTLOSS_GIL_THRESHOLD;
    PyThreadState *save = nogil ? PyEval_SaveThread() : NULL;
    int f32 = kind == KIND_F32;
    switch (which) {
    case CLASS_GRAD_NLL:
        status = f32 ? swiftloss_nll_loss_backward_f32(tg, batch, classes, inner, w, wlen,
                                                       ignore_index, reduction, g, gx)
                     : swiftloss_nll_loss_backward_f64(tg, batch, classes, inner, w, wlen,
                                                       ignore_index, reduction, g, gx);
        break;
    case CLASS_GRAD_CROSS_ENTROPY:
        status = f32 ? swiftloss_cross_entropy_backward_f32(in, tg, batch, classes, inner, w, wlen,
                                                            ignore_index, reduction, eps, g, gx)
                     : swiftloss_cross_entropy_backward_f64(in, tg, batch, classes, inner, w, wlen,
                                                            ignore_index, reduction, eps, g, gx);
        break;
    case CLASS_GRAD_FUSED:
        status = f32 ? swiftloss_cross_entropy_fused_f32(in, tg, batch, classes, inner, w, wlen,
                                                         ignore_index, reduction, eps, g, out, gx)
                     : swiftloss_cross_entropy_fused_f64(in, tg, batch, classes, inner, w, wlen,
                                                         ignore_index, reduction, eps, g, out, gx);
        break;
    default:
        status = f32 ? swiftloss_cross_entropy_probs_backward_f32(in, tg, batch, classes, inner, w,
                                                                  wlen, ignore_index, reduction,
                                                                  eps, g, gx)
                     : swiftloss_cross_entropy_probs_backward_f64(in, tg, batch, classes, inner, w,
                                                                  wlen, ignore_index, reduction,
                                                                  eps, g, gx);
        break;
    }
    if (nogil) {
        PyEval_RestoreThread(save);
    }
    result = status_result(status);
done:
    buffer_release(&grad_input);
    buffer_release(&output);
    buffer_release(&grad_output);
    buffer_release(&weight);
    buffer_release(&target);
    buffer_release(&input);
    return result;
}

static PyObject *
py_nll_loss_backward(PyObject *module, PyObject *args)
{
    return class_loss_backward(args, CLASS_GRAD_NLL);
}

static PyObject *
py_cross_entropy_backward(PyObject *module, PyObject *args)
{
    return class_loss_backward(args, CLASS_GRAD_CROSS_ENTROPY);
}

static PyObject *
py_cross_entropy_fused(PyObject *module, PyObject *args)
{
    return class_loss_backward(args, CLASS_GRAD_FUSED);
}

static PyObject *
py_cross_entropy_probs_backward(PyObject *module, PyObject *args)
{
    return class_loss_backward(args, CLASS_GRAD_PROBS);
}

static PyObject *
element_loss_backward(PyObject *args, element_function which)
{
    PyObject *input_obj = Py_None, *target_obj, *weight_obj = Py_None, *pos_weight_obj = Py_None,
             *grad_output_obj, *grad_input_obj;
    Py_ssize_t count_arg, batch_arg = 0;
    int reduction, log_target = 0;
    int parsed;
    switch (which) {
    case ELEMENT_BCE:
        parsed = PyArg_ParseTuple(args, "OOnOiOO:binary_cross_entropy_backward", &input_obj,
                                  &target_obj, &count_arg, &weight_obj, &reduction,
                                  &grad_output_obj, &grad_input_obj);
        break;
    case ELEMENT_BCE_LOGITS:
        parsed = PyArg_ParseTuple(args, "OOnOOiOO:binary_cross_entropy_with_logits_backward",
                                  &input_obj, &target_obj, &count_arg, &weight_obj,
                                  &pos_weight_obj, &reduction, &grad_output_obj, &grad_input_obj);
        break;
    default:
        parsed = PyArg_ParseTuple(args, "OnniiOO:kl_div_backward", &target_obj, &count_arg,
                                  &batch_arg, &reduction, &log_target, &grad_output_obj,
                                  &grad_input_obj);
        break;
    }
    if (!parsed) {
        return NULL;
    }
    size_t count, batch;
    if (to_size(count_arg, "count", &count) || to_size(batch_arg, "batch", &batch)) {
        return NULL;
    }
    size_t n_output = reduction == SWIFTLOSS_REDUCTION_NONE ? count : 1;
    buffer input = {0}, target = {0}, weight = {0}, pos_weight = {0}, grad_output = {0},
           grad_input = {0};
    PyObject *result = NULL;
    int kind = which == ELEMENT_KL_DIV
                   ? buffer_get(target_obj, &target, "target", KIND_OTHER, 0)
                   : buffer_get(input_obj, &input, "input", KIND_OTHER, 0);
    if (kind < 0) {
        goto done;
    }
    if ((which != ELEMENT_KL_DIV &&
         buffer_get(target_obj, &target, "target", (buffer_kind)kind, 0) < 0) ||
        buffer_get_optional(weight_obj, &weight, "weight", (buffer_kind)kind) < 0 ||
        buffer_get_optional(pos_weight_obj, &pos_weight, "pos_weight", (buffer_kind)kind) < 0 ||
        buffer_get(grad_output_obj, &grad_output, "grad_output", (buffer_kind)kind, 0) < 0 ||
        buffer_get(grad_input_obj, &grad_input, "grad_input", (buffer_kind)kind, 1) < 0) {
        goto done;
    }
    if ((input.held && check_count(&input, "input", count)) ||
        check_count(&target, "target", count) ||
        check_count(&grad_output, "grad_output", n_output) ||
        check_count(&grad_input, "grad_input", count) ||
        check_alias(&grad_input, &input, "grad_input", "input", 0) ||
        check_alias(&grad_input, &target, "grad_input", "target", 0) ||
        check_alias(&grad_input, &weight, "grad_input", "weight", 0) ||
        check_alias(&grad_input, &pos_weight, "grad_input", "pos_weight", 0) ||
        check_alias(&grad_input, &grad_output, "grad_input", "grad_output", 0)) {
        goto done;
    }
    const void *in = data_of(&input), *tg = target.view.buf, *g = grad_output.view.buf;
    const void *w = data_of(&weight), *pw = data_of(&pos_weight);
    size_t wlen = len_of(&weight), pwlen = len_of(&pos_weight);
    void *gx = grad_input.view.buf;
    swiftloss_status status;
    int nogil = count > SWIFTLOSS_GIL_THRESHOLD;
    PyThreadState *save = nogil ? PyEval_SaveThread() : NULL;
    int f32 = kind == KIND_F32;
    switch (which) {
    case ELEMENT_BCE:
        status = f32 ? swiftloss_binary_cross_entropy_backward_f32(in, tg, count, w, wlen,
                                                                   reduction, g, gx)
                     : swiftloss_binary_cross_entropy_backward_f64(in, tg, count, w, wlen,
                                                                   reduction, g, gx);
        break;
    case ELEMENT_BCE_LOGITS:
        status = f32 ? swiftloss_binary_cross_entropy_with_logits_backward_f32(
                           in, tg, count, w, wlen, pw, pwlen, reduction, g, gx)
                     : swiftloss_binary_cross_entropy_with_logits_backward_f64(
                           in, tg, count, w, wlen, pw, pwlen, reduction, g, gx);
        break;
    default:
        status = f32 ? swiftloss_kl_div_backward_f32(tg, count, batch, reduction, log_target, g, gx)
                     : swiftloss_kl_div_backward_f64(tg, count, batch, reduction, log_target, g, gx);
        break;
    }
    if (nogil) {
        PyEval_RestoreThread(save);
    }
    result = status_result(status);
done:
    buffer_release(&grad_input);
    buffer_release(&grad_output);
    buffer_release(&pos_weight);
    buffer_release(&weight);
    buffer_release(&target);
    buffer_release(&input);
    return result;
}

static PyObject *
py_binary_cross_entropy_backward(PyObject *module, PyObject *args)
{
    return element_loss_backward(args, ELEMENT_BCE);
}

static PyObject *
py_binary_cross_entropy_with_logits_backward(PyObject *module, PyObject *args)
{
    return element_loss_backward(args, ELEMENT_BCE_LOGITS);
}

static PyObject *
py_kl_div_backward(PyObject *module, PyObject *args)
{
    return element_loss_backward(args, ELEMENT_KL_DIV);
}


/* ------------------------------------------------------------------------------------------
 * Regression losses (mse_loss, l1_loss, smooth_l1_loss, huber_loss, soft_margin_loss,
 * hinge_embedding_loss)
 *
 * One Python signature for all of them, forward and backward:
 *   NAME(input, target, count, weight, parameter, reduction, output)
 *   NAME_backward(input, target, count, weight, parameter, reduction, grad_output, grad_input)
 * weight: None or count elements (only for the losses that take one); parameter: beta, delta
 * or margin (ignored by the others). Each loss is one line of adapters and one table entry.
 * ------------------------------------------------------------------------------------------ */

/* A regression entry point as the worker calls it: f32 picks the precision; g is NULL for a
 * forward call. */
typedef swiftloss_status (*regression_fn)(int f32, const void *x, const void *t, size_t n,
                                          const void *w, size_t wlen, double parameter,
                                          int reduction, const void *g, void *y);

/* Adapters from the C signatures to regression_fn: with a weight (W) or not, with a
 * parameter (P) or not. */
#define REGRESSION_W(name)                                                                    \
    static swiftloss_status name##_any(int f32, const void *x, const void *t, size_t n,       \
                                       const void *w, size_t wl, double p, int r,            \
                                       const void *g, void *y)                               \
    {                                                                                         \
        (void)p;                                                                              \
        if (g == NULL)                                                                        \
            return f32 ? swiftloss_##name##_f32(x, t, n, w, wl, r, y)                         \
                       : swiftloss_##name##_f64(x, t, n, w, wl, r, y);                        \
        return f32 ? swiftloss_##name##_backward_f32(x, t, n, w, wl, r, g, y)                 \
                   : swiftloss_##name##_backward_f64(x, t, n, w, wl, r, g, y);                \
    }
#define REGRESSION_WP(name)                                                                   \
    static swiftloss_status name##_any(int f32, const void *x, const void *t, size_t n,       \
                                       const void *w, size_t wl, double p, int r,            \
                                       const void *g, void *y)                               \
    {                                                                                         \
        if (g == NULL)                                                                        \
            return f32 ? swiftloss_##name##_f32(x, t, n, w, wl, p, r, y)                      \
                       : swiftloss_##name##_f64(x, t, n, w, wl, p, r, y);                     \
        return f32 ? swiftloss_##name##_backward_f32(x, t, n, w, wl, p, r, g, y)              \
                   : swiftloss_##name##_backward_f64(x, t, n, w, wl, p, r, g, y);             \
    }
#define REGRESSION_P(name)                                                                    \
    static swiftloss_status name##_any(int f32, const void *x, const void *t, size_t n,       \
                                       const void *w, size_t wl, double p, int r,            \
                                       const void *g, void *y)                               \
    {                                                                                         \
        (void)w, (void)wl;                                                                    \
        if (g == NULL)                                                                        \
            return f32 ? swiftloss_##name##_f32(x, t, n, p, r, y)                             \
                       : swiftloss_##name##_f64(x, t, n, p, r, y);                            \
        return f32 ? swiftloss_##name##_backward_f32(x, t, n, p, r, g, y)                     \
                   : swiftloss_##name##_backward_f64(x, t, n, p, r, g, y);                    \
    }
#define REGRESSION(name)                                                                      \
    static swiftloss_status name##_any(int f32, const void *x, const void *t, size_t n,       \
                                       const void *w, size_t wl, double p, int r,            \
                                       const void *g, void *y)                               \
    {                                                                                         \
        (void)w, (void)wl, (void)p;                                                           \
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

/* The shared worker: grad_output_obj is NULL for a forward call, out_obj the loss output or
 * the gradient. */
static PyObject *
regression(const regression_spec *spec, PyObject *input_obj, PyObject *target_obj,
           Py_ssize_t count_arg, PyObject *weight_obj, double parameter, int reduction,
           PyObject *grad_output_obj, PyObject *out_obj)
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
                          len_of(&weight), parameter, reduction,
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
        return regression(&SPEC, x, t, n, w, p, r, NULL, y);                                  \
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
        return regression(&SPEC, x, t, n, w, p, r, g, gx);                                    \
    }

REGRESSION_METHODS(mse_loss, MSE_LOSS)
REGRESSION_METHODS(l1_loss, L1_LOSS)
REGRESSION_METHODS(smooth_l1_loss, SMOOTH_L1_LOSS)
REGRESSION_METHODS(huber_loss, HUBER_LOSS)
REGRESSION_METHODS(soft_margin_loss, SOFT_MARGIN_LOSS)
REGRESSION_METHODS(hinge_embedding_loss, HINGE_EMBEDDING_LOSS)

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

static PyMethodDef swiftloss_methods[] = {
    {"version_string", py_version_string, METH_NOARGS, version_string_doc},
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
    {NULL, NULL, 0, NULL},
};

PyDoc_STRVAR(module_doc,
"Low-level bindings to libswiftloss.so (include/swiftloss.h).\n\n"
"Every function takes C-contiguous buffers and explicit sizes, checks formats, itemsizes\n"
"and element counts, and writes its result into the caller's output buffer. Use the\n"
"swiftloss package for the torch.nn.functional-shaped API.");

static struct PyModuleDef swiftloss_module = {
    PyModuleDef_HEAD_INIT,
    "swiftloss._swiftloss",
    module_doc,
    0,
    swiftloss_methods,
};

PyMODINIT_FUNC
PyInit__swiftloss(void)
{
    if (swiftloss_version_number() != SWIFTLOSS_VERSION_NUMBER) {
        PyErr_Format(PyExc_ImportError,
                     "swiftloss: the loaded libswiftloss.so is version %s, this extension was "
                     "built against %s",
                     swiftloss_version_string(), SWIFTLOSS_VERSION_STRING);
        return NULL;
    }
    PyObject *module = PyModule_Create(&swiftloss_module);
    if (module == NULL) {
        return NULL;
    }
    if (PyModule_AddStringConstant(module, "HEADER_VERSION", SWIFTLOSS_VERSION_STRING) < 0 ||
        PyModule_AddIntConstant(module, "GIL_THRESHOLD", SWIFTLOSS_GIL_THRESHOLD) < 0 ||
        PyModule_AddIntConstant(module, "REDUCTION_NONE", SWIFTLOSS_REDUCTION_NONE) < 0 ||
        PyModule_AddIntConstant(module, "REDUCTION_SUM", SWIFTLOSS_REDUCTION_SUM) < 0 ||
        PyModule_AddIntConstant(module, "REDUCTION_MEAN", SWIFTLOSS_REDUCTION_MEAN) < 0 ||
        PyModule_AddIntConstant(module, "REDUCTION_BATCHMEAN", SWIFTLOSS_REDUCTION_BATCHMEAN) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
