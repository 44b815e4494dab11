// SPDX-License-Identifier: Apache-2.0
// One connection to a QMI modem through libqmi-glib: the device (cdc-wdm port, through qmi-proxy by default, or a
// QRTR node), a UIM client and, when asked, a DMS client. Blocking: every call runs libqmi's async operation on the
// link's private GMainContext, iterated on the calling thread until it completes (no global main loop; one thread
// at a time, the eUICC's worker). Every request has a timeout; a guard cancels anything libqmi leaves hanging.
//
// Errors (lpad::Error): the proxy or device going away (libqmi's "device-removed", endpoint hangup), a port that
// cannot be opened, no QRTR → Unavailable; a request timing out → Timeout; a QMI error in a response → the
// mapping of qmi_errors.h; other libqmi failures → TransportError. After `removed()` the link is dead: drop it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "drivers/qmi/glib_handles.h"
#include "drivers/qmi/qmi_tlv.h"

namespace lpad::qmi {

struct LinkOptions {
    std::string device;                   // a cdc-wdm (or other QMI) port path; empty for QRTR
    std::optional<std::uint32_t> qrtr_node;  // QRTR node instead of a port
    bool proxy = true;                    // through qmi-proxy (QMI_DEVICE_OPEN_FLAGS_PROXY), sharing with ModemManager
    unsigned timeout_s = 20;              // per request
};

class QmiLink {
public:
    // Opens the device and allocates a UIM client. Throws as above.
    explicit QmiLink(LinkOptions options);
    // Releases the clients (their client ids) and closes the device; never throws.
    ~QmiLink();
    QmiLink(const QmiLink&) = delete;
    QmiLink& operator=(const QmiLink&) = delete;

    // Send a UIM request built by hand (uim_messages.h) and return the response's TLVs. The result TLV is not
    // checked here; a response with another message id or not a response is MalformedData.
    TlvList uim_request(std::uint16_t message_id, const TlvList& tlvs, const char* name);
    // DMS Get IDs → the IMEI; empty when the modem does not say (never throws).
    std::string imei();
    // UIM Switch Slot (typed call): make physical slot `physical` the one behind logical slot 1.
    void switch_slot(std::uint32_t physical);
    bool removed() const { return removed_; }
    const std::string& description() const { return description_; }

private:
    using Start = std::function<void(GCancellable*, GAsyncReadyCallback, gpointer)>;
    // Runs one async operation to completion on the private context. Throws Unavailable if the device went away
    // meanwhile, Timeout when the guard fired.
    GObjectPtr<GAsyncResult> run(const Start& start, const std::string& what);
    void open_device();
    GObjectPtr<QmiClient> allocate(QmiService service);
    void release(GObjectPtr<QmiClient>& client) noexcept;
    [[noreturn]] void raise(const ErrorOut& error, const std::string& what);
    static void on_removed(QmiDevice* device, gpointer self);

    LinkOptions options_;
    std::string description_;
    MainContextPtr context_;
    GObjectPtr<QmiDevice> device_;
    GObjectPtr<QmiClient> uim_;
    GObjectPtr<QmiClient> dms_;
    gulong removed_handler_ = 0;
    bool removed_ = false;
    bool guard_fired_ = false;
    GCancellable* current_ = nullptr;  // the operation running now, cancelled when the device goes away
};

}  // namespace lpad::qmi
