// SPDX-License-Identifier: Apache-2.0
// RAII for the GLib and libmbim handles the mbim: driver holds.
#pragma once

#include <libmbim-glib.h>

#include <memory>

#include "drivers/glib_context.h"

namespace lpad::mbim {

struct GObjectUnref {
    void operator()(gpointer p) const noexcept { if (p) g_object_unref(p); }
};
template <class T>
using GObjectPtr = std::unique_ptr<T, GObjectUnref>;

struct MessageUnref {
    void operator()(MbimMessage* m) const noexcept { if (m) mbim_message_unref(m); }
};
using MessagePtr = std::unique_ptr<MbimMessage, MessageUnref>;

struct ErrorFree {
    void operator()(GError* e) const noexcept { if (e) g_error_free(e); }
};
using ErrorPtr = std::unique_ptr<GError, ErrorFree>;

struct ContextUnref {
    void operator()(GMainContext* c) const noexcept { if (c) g_main_context_unref(c); }
};
using ContextPtr = std::unique_ptr<GMainContext, ContextUnref>;

struct SlotArrayFree {
    void operator()(MbimSlot** a) const noexcept { if (a) mbim_slot_array_free(a); }
};
using SlotArrayPtr = std::unique_ptr<MbimSlot*, SlotArrayFree>;

struct GFree {
    void operator()(gpointer p) const noexcept { g_free(p); }
};
using GCharPtr = std::unique_ptr<gchar, GFree>;

using drivers::ThreadDefaultContext;  // drivers/glib_context.h

}  // namespace lpad::mbim
