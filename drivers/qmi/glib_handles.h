// SPDX-License-Identifier: Apache-2.0
// RAII for the GLib and libqmi handles the QMI driver holds. Each owns one reference and drops it once.
#pragma once

#include <gio/gio.h>
#include <libqmi-glib.h>

#include <memory>
#include <string>

#include "drivers/glib_context.h"

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

using drivers::ThreadDefaultContext;  // drivers/glib_context.h

}  // namespace lpad::qmi
