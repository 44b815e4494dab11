// SPDX-License-Identifier: Apache-2.0
// Shared by the GLib-based drivers (qmi, mbim): each transport owns a private GMainContext and runs its GLib work on
// the calling worker thread, never on a global main loop.
#pragma once

#include <glib.h>

namespace lpad::drivers {

// Makes `context` the calling thread's default for the guard's lifetime (libqmi and libmbim attach their sources
// and GTask callbacks to the thread-default context at call time).
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

}  // namespace lpad::drivers
