// SPDX-License-Identifier: Apache-2.0
// The libmbim side of the mbim: driver: one MbimDevice on a private GMainContext, driven synchronously from the
// calling thread (the eUICC's worker). No global main loop: each blocking call makes the context the thread default,
// starts the libmbim operation and iterates the context until it completes.
//
// Bounded: libmbim times out the open (`timeout`, with a backstop of timeout + 5 s that cancels it); each command is
// cancelled after `timeout` (libmbim's own command timeout, 5 s later, is only a backstop). A hang-up on the link (mbim-proxy gone: libmbim's "device-removed")
// cancels the operation in progress at once instead of waiting for its timeout.
#pragma once

#include <string>
#include <string_view>

#include "drivers/mbim/mbim_glib.h"

namespace lpad::mbim {

class MbimLink {
public:
    MbimLink(std::string device_path, bool proxy, unsigned timeout_seconds);
    ~MbimLink();
    MbimLink(const MbimLink&) = delete;
    MbimLink& operator=(const MbimLink&) = delete;

    // mbim_device_new + mbim_device_open_full (MBIM_DEVICE_OPEN_FLAGS_PROXY when proxy). Any failure (no such
    // device, not a character device, no mbim-proxy and none could be started, the proxy could not open the modem,
    // timeout) throws Error(Unavailable) naming the path and libmbim's reason; the link is left closed.
    void open();
    bool is_open() const { return device_ != nullptr; }

    // Send `request` and return the COMMAND_DONE (its status is the caller's to check). A failed link (timeout,
    // hang-up, message error) throws TransportError, or Unavailable when the proxy went away; the link is closed then.
    MessagePtr command(MbimMessage* request, std::string_view what);

    // MBIM CLOSE when still connected (bounded), then release the device. Never throws.
    void close() noexcept;

    const std::string& path() const { return path_; }

private:
    struct Op;
    void wait(Op& op);
    void release() noexcept;
    static void on_removed(MbimDevice* device, gpointer self);

    std::string path_;
    bool proxy_;
    unsigned timeout_;
    ContextPtr context_;
    GObjectPtr<MbimDevice> device_;
    gulong removed_handler_ = 0;
    bool removed_ = false;
};

}  // namespace lpad::mbim
