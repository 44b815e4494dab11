// SPDX-License-Identifier: Apache-2.0
// The `qmi:` driver: the eUICC behind a Qualcomm modem's QMI UIM service, through libqmi-glib (docs/drivers/qmi.md).
//
//   qmi:/dev/cdc-wdm0[?slot=N][&switch=1][&proxy=0][&timeout=S]      qmi:qrtr?node=N[&slot=N][&switch=1][&timeout=S]
//
// - proxy (default 1): reach the port through qmi-proxy, so ModemManager (which also opens it through the proxy)
//   keeps working. proxy=0 opens the port exclusively. QRTR nodes are shared natively and take no proxy.
// - slot (default 1): the physical UIM slot. When the modem reports slot status (UIM Get Slot Status) and that slot
//   is not the active one, open() fails with Unavailable naming the active slot, unless switch=1: then the driver
//   switches it (UIM Switch Slot) and logs that it did. Switching makes the modem drop the other slot's SIM.
// - timeout (10..120 s, default 20): per QMI request; a request that runs out is Error(Timeout).
//
// One logical channel per ISD-R session (UIM Open Logical Channel with the AID; the modem selects it); APDUs go
// through UIM Send APDU with the channel id; channels are closed (UIM Logical Channel) by close_logical_channel and
// by close() on every path. Limits: short APDUs (255), 61xx/6Cxx resolved by exchange() (GET RESPONSE through Send
// APDU), which also works with modems that resolve them themselves. device_imei(): DMS Get IDs.
// Errors: proxy or port gone, no card in the slot, wrong active slot → Unavailable (the transport closes; the next
// open() connects again); QMI error codes → qmi_errors.h; a card refusing the SELECT → CardError with its SW.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>

#include "drivers/qmi/qmi_link.h"
#include "drivers/registry.h"
#include "libapdu/transport.h"

namespace lpad::qmi {

struct QmiOptions {
    LinkOptions link;
    std::uint8_t slot = 1;     // physical slot
    bool switch_slot = false;  // make `slot` active when it is not

    // From the driver URI; unknown parameters and bad values → Error(InvalidArgument).
    static QmiOptions from_uri(const drivers::DriverUri& uri);
};

class QmiTransport : public Transport {
public:
    explicit QmiTransport(QmiOptions options);
    ~QmiTransport() override;

    void open() override;
    void close() noexcept override;
    std::uint8_t open_logical_channel(ByteView aid) override;
    void close_logical_channel(std::uint8_t channel) override;
    Bytes transmit(ByteView command_apdu) override;
    TransportLimits limits() const override { return TransportLimits{255, false, true, false}; }
    std::string device_imei() override;

    bool is_open() const { return link_ != nullptr; }
    const QmiOptions& options() const { return options_; }

private:
    void select_slot();
    void request_close(std::uint8_t channel);  // UIM Logical Channel; throws
    QmiLink& link();
    // An Unavailable/Transport failure closes the transport before it propagates.
    template <class F>
    auto guarded(F&& f) -> decltype(f());

    QmiOptions options_;
    std::unique_ptr<QmiLink> link_;
    std::uint8_t uim_slot_ = 1;  // the slot number UIM requests carry (the logical slot of options_.slot)
    std::set<std::uint8_t> channels_;
};

}  // namespace lpad::qmi
