// SPDX-License-Identifier: Apache-2.0
#include "drivers/mbim/mbim_link.h"

#include <chrono>

#include "libapdu/error.h"
#include "libapdu/log.h"

namespace lpad::mbim {
namespace {
constexpr const char* kTag = "mbim";
constexpr unsigned kBackstopExtraSeconds = 5;
constexpr unsigned kCloseTimeoutSeconds = 5;
}  // namespace

struct MbimLink::Op {
    GObjectPtr<GCancellable> cancellable{g_cancellable_new()};
    GAsyncResult* result = nullptr;  // owned once set
    unsigned timeout = 0;            // seconds until wait() cancels the operation
    bool timed_out = false;          // wait() cancelled it for taking longer

    ~Op() { if (result) g_object_unref(result); }
    static void ready(GObject*, GAsyncResult* res, gpointer self) {
        static_cast<Op*>(self)->result = G_ASYNC_RESULT(g_object_ref(res));
    }
};

MbimLink::MbimLink(std::string device_path, bool proxy, unsigned timeout_seconds)
    : path_(std::move(device_path)), proxy_(proxy), timeout_(timeout_seconds) {}

MbimLink::~MbimLink() { close(); }

void MbimLink::on_removed(MbimDevice*, gpointer self) {
    auto* link = static_cast<MbimLink*>(self);
    link->removed_ = true;
    log::warning(kTag, link->path_ + ": the link hung up (mbim-proxy or modem gone)");
}

// Iterate the private context until the operation's callback ran. Cancels the operation on hang-up and after
// op.timeout; libmbim then completes it with an "aborted" error, which is what ends the loop.
void MbimLink::wait(Op& op) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(op.timeout);
    GSource* tick = g_timeout_source_new_seconds(1);  // wakes the loop to look at the deadline
    g_source_set_callback(tick, [](gpointer) -> gboolean { return G_SOURCE_CONTINUE; }, nullptr, nullptr);
    g_source_attach(tick, context_.get());
    while (!op.result) {
        if (!g_cancellable_is_cancelled(op.cancellable.get()) &&
            (removed_ || std::chrono::steady_clock::now() >= deadline)) {
            op.timed_out = !removed_;
            g_cancellable_cancel(op.cancellable.get());
        }
        g_main_context_iteration(context_.get(), TRUE);
    }
    g_source_destroy(tick);
    g_source_unref(tick);
}

void MbimLink::open() {
    if (device_) return;
    removed_ = false;
    context_.reset(g_main_context_new());
    ThreadDefaultContext current(context_.get());
    GObjectPtr<GFile> file(g_file_new_for_path(path_.c_str()));
    GError* raw = nullptr;
    {
        Op op;
        op.timeout = timeout_;
        mbim_device_new(file.get(), op.cancellable.get(), &Op::ready, &op);
        wait(op);
        device_.reset(mbim_device_new_finish(op.result, &raw));
    }
    if (!device_) {
        ErrorPtr error(raw);
        std::string why = error ? error->message : "unknown error";
        release();
        fail(Errc::Unavailable, "mbim: " + path_ + ": " + why + " (expected the modem's MBIM control port, e.g. "
                                "/dev/cdc-wdm0)");
    }
    removed_handler_ = g_signal_connect(device_.get(), MBIM_DEVICE_SIGNAL_REMOVED, G_CALLBACK(&MbimLink::on_removed),
                                        this);
    bool opened = false;
    {
        Op op;
        op.timeout = timeout_ + kBackstopExtraSeconds;  // libmbim times the open out itself
        mbim_device_open_full(device_.get(), proxy_ ? MBIM_DEVICE_OPEN_FLAGS_PROXY : MBIM_DEVICE_OPEN_FLAGS_NONE,
                              timeout_, op.cancellable.get(), &Op::ready, &op);
        wait(op);
        opened = mbim_device_open_finish(device_.get(), op.result, &raw);
    }
    if (!opened) {
        ErrorPtr error(raw);
        std::string why = error ? error->message : "unknown error";
        release();
        fail(Errc::Unavailable, "mbim: cannot open " + path_ + (proxy_ ? " through mbim-proxy: " : ": ") + why);
    }
    log::debug(kTag, "opened " + path_ + (proxy_ ? " through mbim-proxy" : ""));
}

MessagePtr MbimLink::command(MbimMessage* request, std::string_view what) {
    if (!device_) fail(Errc::Unavailable, "mbim: " + path_ + " is not open");
    if (removed_) {
        release();
        fail(Errc::Unavailable, "mbim: " + std::string(what) + ": the link to " + path_ + " hung up");
    }
    ThreadDefaultContext current(context_.get());
    MessagePtr response;
    GError* raw = nullptr;
    bool timed_out = false;
    {
        // The command's timeout is ours (wait() cancels it); libmbim's own, later, is only a backstop. Cancelling
        // also avoids libmbim 1.28's timeout path, which leaks the transaction's timeout GSource.
        Op op;
        op.timeout = timeout_;
        mbim_device_command(device_.get(), request, timeout_ + kBackstopExtraSeconds, op.cancellable.get(),
                            &Op::ready, &op);
        wait(op);
        response.reset(mbim_device_command_finish(device_.get(), op.result, &raw));
        timed_out = op.timed_out;
    }
    ErrorPtr error(raw);
    if (!response) {
        const bool gone = removed_;
        std::string why = error ? error->message : "no response";
        if (timed_out || (error && g_error_matches(error.get(), MBIM_CORE_ERROR, MBIM_CORE_ERROR_TIMEOUT)))
            why = "no answer within " + std::to_string(timeout_) + " s";
        if (timed_out) log::warning(kTag, path_ + ": " + std::string(what) + ": " + why);
        release();
        fail(gone ? Errc::Unavailable : Errc::TransportError,
             "mbim: " + std::string(what) + ": " + (gone ? "the link to " + path_ + " hung up" : why));
    }
    return response;
}

void MbimLink::close() noexcept {
    if (!device_) {
        release();
        return;
    }
    if (!removed_ && mbim_device_is_open(device_.get())) {
        ThreadDefaultContext current(context_.get());
        Op op;
        op.timeout = kCloseTimeoutSeconds;
        mbim_device_close(device_.get(), kCloseTimeoutSeconds, op.cancellable.get(), &Op::ready, &op);
        wait(op);
        GError* raw = nullptr;
        if (!mbim_device_close_finish(device_.get(), op.result, &raw)) {
            ErrorPtr error(raw);
            log::debug(kTag, path_ + ": close: " + (error ? error->message : "failed") + " (ignored)");
        }
    }
    release();
}

void MbimLink::release() noexcept {
    if (device_) {
        ThreadDefaultContext current(context_.get());
        if (removed_handler_) g_signal_handler_disconnect(device_.get(), removed_handler_);
        removed_handler_ = 0;
        mbim_device_close_force(device_.get(), nullptr);
        device_.reset();
        // Let anything the device left behind (finished tasks) run before the context goes.
        while (g_main_context_iteration(context_.get(), FALSE)) {
        }
    }
    context_.reset();
    removed_ = false;
}

}  // namespace lpad::mbim
