// SPDX-License-Identifier: Apache-2.0
// The qmi: driver's URI options, its error table, and QRTR where the kernel has none.
#include <doctest/doctest.h>

#include <libqmi-glib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "drivers/qmi/qmi_errors.h"
#include "drivers/qmi/qmi_transport.h"
#include "drivers/registry.h"
#include "libapdu/error.h"

using namespace lpad;
using lpad::drivers::DriverUri;

TEST_CASE("qmi: URIs: port, slot, switch, proxy, timeout, qrtr node") {
    auto o = qmi::QmiOptions::from_uri(DriverUri::parse("qmi:/dev/cdc-wdm0"));
    CHECK(o.link.device == "/dev/cdc-wdm0");
    CHECK(o.link.proxy);
    CHECK(o.slot == 1);
    CHECK_FALSE(o.switch_slot);
    CHECK(o.link.timeout_s == 20);
    o = qmi::QmiOptions::from_uri(DriverUri::parse("qmi:/dev/cdc-wdm1?slot=2&switch=1&proxy=0&timeout=30"));
    CHECK(o.slot == 2);
    CHECK(o.switch_slot);
    CHECK_FALSE(o.link.proxy);
    CHECK(o.link.timeout_s == 30);
    o = qmi::QmiOptions::from_uri(DriverUri::parse("qmi:qrtr?node=3"));
    CHECK(o.link.qrtr_node == std::optional<std::uint32_t>(3));
    CHECK(o.link.device.empty());

    for (const char* bad : {"qmi:", "qmi:cdc-wdm0", "qmi:/dev/cdc-wdm0?slot=0", "qmi:/dev/cdc-wdm0?timeout=5",
                            "qmi:/dev/cdc-wdm0?sloot=1", "qmi:qrtr", "qmi:qrtr?node=1&proxy=1"}) {
        CAPTURE(bad);
        try {
            qmi::QmiOptions::from_uri(DriverUri::parse(bad));
            FAIL("accepted");
        } catch (const Error& e) {
            CHECK(e.code() == Errc::InvalidArgument);
        }
    }
}

TEST_CASE("qmi: is in the registry with a summary") {
    bool found = false;
    for (const auto& d : drivers::registry())
        if (d.scheme == "qmi") found = !d.summary.empty();
    CHECK(found);
    CHECK(drivers::create_transport("qmi:/dev/cdc-wdm0") != nullptr);
}

TEST_CASE("QMI error codes map to typed errors that carry libqmi's name") {
    auto e = qmi::qmi_error(QMI_PROTOCOL_ERROR_INTERNAL, "UIM Send APDU");
    CHECK(e.code() == Errc::TransportError);
    CHECK(std::string(e.what()) == "qmi: UIM Send APDU: QMI error 0x0003 (Internal)");
    CHECK(qmi::errc_for_qmi_error(QMI_PROTOCOL_ERROR_DEVICE_NOT_READY) == Errc::Unavailable);
    CHECK(qmi::errc_for_qmi_error(QMI_PROTOCOL_ERROR_INSUFFICIENT_RESOURCES) == Errc::Busy);
    CHECK(qmi::errc_for_qmi_error(QMI_PROTOCOL_ERROR_ABORTED) == Errc::Cancelled);
}

TEST_CASE("qmi:qrtr on a kernel without AF_QIPCRTR: Unavailable, naming QRTR") {
    const int fd = ::socket(42 /* AF_QIPCRTR */, SOCK_DGRAM, 0);
    if (fd >= 0) {
        ::close(fd);
        MESSAGE("this kernel has AF_QIPCRTR: the no-QRTR path is not exercised here");
        return;
    }
    qmi::QmiOptions o = qmi::QmiOptions::from_uri(DriverUri::parse("qmi:qrtr?node=0&timeout=10"));
    qmi::QmiTransport t(o);
    try {
        t.open();
        FAIL("opened");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::Unavailable);
        CHECK(std::string(e.what()).find("QRTR") != std::string::npos);
    }
    CHECK_FALSE(t.is_open());
}
