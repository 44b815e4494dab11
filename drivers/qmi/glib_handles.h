// SPDX-License-Identifier: Apache-2.0
// RAII for the GLib and libqmi handles the QMI driver holds. Each owns one reference and drops it once.
#pragma once

#include <gio/gio.h>
#include <libqmi-glib.h>

#include <memory>
#include <string>

namespace lpad::qmi {

struct GObjectUnref {
    void operator()(gpointer p) const noexcept {
        if (p) g_object_unref(p);
    }
};
template <class T>
using GObjectPtr = std::unique_ptr<T, GObjectUnref>;

struct GMainContextUnref {
    void operator()(GMainContext* c) const noexcept {
        if (c) g_main_context_unref(c);
    }
};
using MainContextPtr = std::unique_ptr<GMainContext, GMainContextUnref>;

struct QmiMessageUnref {
    void operator()(QmiMessage* m) const noexcept {
        if (m) qmi_message_unref(m);
    }
};
using MessagePtr = std::unique_ptr<QmiMessage, QmiMessageUnref>;

struct GErrorFree {
    void operator()(GError* e) const noexcept {
        if (e) g_error_free(e);
    }
};
using ErrorPtr = std::unique_ptr<GError, GErrorFree>;

// GError** for a call, owning what it sets: `ErrorOut err; f(..., err.out()); if (err) ...`.
class ErrorOut {
public:
    GError** out() { return &raw_; }
    explicit operator bool() const { return raw_ != nullptr; }
    const GError* get() const { return raw_; }
    std::string message() const { return raw_ ? raw_->message : ""; }
    ~ErrorOut() {
        if (raw_) g_error_free(raw_);
    }
    ErrorOut() = default;
    ErrorOut(const ErrorOut&) = delete;
    ErrorOut& operator=(const ErrorOut&) = delete;

private:
    GError* raw_ = nullptr;
};

// Makes `context` the thread-default main context for the scope (libqmi attaches its sources and task callbacks
// to the thread-default context at call time).
class ThreadDefaultContext {
public:
    explicit ThreadDefaultContext(GMainContext* context) : context_(context) {
        g_main_context_push_thread_default(context_);
    }
    ~ThreadDefaultContext() { g_main_context_pop_thread_default(context_); }
    ThreadDefaultContext(const ThreadDefaultContext&) = delete;
    ThreadDefaultContext& operator=(const ThreadDefaultContext&) = delete;

private:
    GMainContext* context_;
};

}  // namespace lpad::qmi
