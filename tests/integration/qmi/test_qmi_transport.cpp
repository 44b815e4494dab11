// SPDX-License-Identifier: Apache-2.0
// The qmi: transport through the real libqmi-glib against the fake qmi-proxy + modem (in this process, on its own
// thread), inside run-in-netns.sh (a private network namespace: the abstract socket @qmi-proxy is ours alone).
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "drivers/qmi/qmi_transport.h"
#include "drivers/virtual/euicc_factory.h"
#include "drivers/virtual/virtual_transport.h"
#include "libapdu/apdu.h"
#include "libapdu/error.h"
#include "tests/fakes/qmi_proxy/fake_qmi_proxy.h"

using namespace lpad;

namespace {

const Bytes kIsdr = from_hex("A0000005591010FFFFFFFF8900000100");

// A temp dir with a FIFO standing in for /dev/cdc-wdm0 (libqmi's qmi_device_new wants a special file).
struct Port {
    std::string dir;
    std::string path;
    Port() {
        char tmpl[] = "/tmp/lpad-qmi-port.XXXXXX";
        dir = ::mkdtemp(tmpl);
        path = dir + "/cdc-wdm0";
        REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
    }
    ~Port() {
        ::unlink(path.c_str());
        ::rmdir(dir.c_str());
    }
};

struct Modem {
    Port port;
    std::unique_ptr<fake_qmi::FakeModem> modem;
    std::unique_ptr<fake_qmi::FakeQmiProxy> proxy;
    explicit Modem(fake_qmi::ModemConfig config = {}) {
        virtual_euicc::install_euicc_factory();
        auto card = virtual_euicc::make_virtual_card(
            drivers::DriverUri::parse(std::string("virtual:?pki=") + LPAD_BINARY_DIR + "/pki"));
        config.device = port.path;
        modem = std::make_unique<fake_qmi::FakeModem>(card, config);
        proxy = std::make_unique<fake_qmi::FakeQmiProxy>(*modem);
    }
    std::unique_ptr<qmi::QmiTransport> transport(const std::string& params = "") const {
        return std::make_unique<qmi::QmiTransport>(
            qmi::QmiOptions::from_uri(drivers::DriverUri::parse("qmi:" + port.path + params)));
    }
    std::size_t clients() const {
        std::size_t n = 0;
        for (auto [service, count] : modem->counters().clients) n += count;
        return n;
    }
};

// ES10c GetEID: STORE DATA BF3E 03 5C 01 5A on `channel`.
apdu::Response get_eid(Transport& t, std::uint8_t channel) {
    apdu::Command c;
    c.cla = apdu::cla_for_channel(0x80, channel);
    c.ins = 0xE2;
    c.p1 = 0x91;
    c.p2 = 0x00;
    c.data = from_hex("BF3E035C015A");
    c.le = 256;
    return exchange(t, c);
}

Errc code_of(const std::function<void()>& f, std::string* message = nullptr) {
    try {
        f();
    } catch (const Error& e) {
        if (message) *message = e.what();
        return e.code();
    }
    FAIL("no error");
    return Errc::Internal;
}

}  // namespace

TEST_CASE("qmi: a logical channel, APDUs and the IMEI through libqmi and qmi-proxy") {
    Modem m;
    auto t = m.transport();
    t->open();
    CHECK(t->device_imei() == "356938035643809");
    const std::uint8_t channel = t->open_logical_channel(kIsdr);
    CHECK(channel >= 1);
    CHECK(m.modem->counters().channels == 1);
    auto r = get_eid(*t, channel);
    CHECK(r.sw == 0x9000);
    REQUIRE(r.data.size() > 4);
    CHECK(to_hex(ByteView(r.data).first(2), true) == "BF3E");
    t->close_logical_channel(channel);
    CHECK(m.modem->counters().channels == 0);
    CHECK(m.modem->counters().cla_mismatches == 0);
    CHECK(m.clients() == 2);  // UIM + DMS
    t->close();
    CHECK(m.clients() == 0);
    CHECK(m.modem->counters().messages["ReleaseCid"] == 2);
}

TEST_CASE("qmi: 61xx answers, whether the modem passes them on or fetches the rest itself") {
    for (bool modem_resolves : {false, true}) {
        CAPTURE(modem_resolves);
        fake_qmi::ModemConfig config;
        config.resolve_61xx = modem_resolves;
        Modem m(config);
        auto t = m.transport();
        t->open();
        const std::uint8_t channel = t->open_logical_channel(kIsdr);
        // GetEuiccInfo2 (BF22), sent without Le: the virtual eUICC answers 61xx (T=0 style).
        apdu::Command c;
        c.cla = apdu::cla_for_channel(0x80, channel);
        c.ins = 0xE2;
        c.p1 = 0x91;
        c.data = from_hex("BF2200");
        ExchangeCounters counters;
        auto r = exchange(*t, c, &counters);
        CHECK(r.sw == 0x9000);
        REQUIRE(r.data.size() > 2);
        CHECK(to_hex(ByteView(r.data).first(2), true) == "BF22");
        CHECK((counters.get_response_apdus == 0) == modem_resolves);
        t->close();
        CHECK(m.modem->counters().channels == 0);
    }
}

TEST_CASE("qmi: an AID the card does not have is CardError 6A82, with no channel left") {
    Modem m;
    auto t = m.transport();
    t->open();
    try {
        t->open_logical_channel(from_hex("A0000005591010FFFFFFFF8900000200"));
        FAIL("opened");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::CardError);
        CHECK(e.status_word == std::optional<std::uint16_t>(0x6A82));
    }
    CHECK(m.modem->counters().channels == 0);
}

TEST_CASE("qmi: a QMI error in Send APDU is a typed error naming it, the channel is still closed") {
    fake_qmi::ModemConfig config;
    config.faults.push_back(fake_qmi::Fault::parse("SendApdu#1:error=0x0003"));
    Modem m(config);
    auto t = m.transport();
    t->open();
    const std::uint8_t channel = t->open_logical_channel(kIsdr);
    std::string message;
    CHECK(code_of([&] { get_eid(*t, channel); }, &message) == Errc::TransportError);
    CHECK(message.find("QMI error 0x0003 (Internal)") != std::string::npos);
    CHECK(get_eid(*t, channel).sw == 0x9000);  // the link is still good
    t->close();
    CHECK(m.modem->counters().channels == 0);
    CHECK(m.modem->counters().channels_released_with_client == 0);
    CHECK(m.clients() == 0);
}

TEST_CASE("qmi: the proxy drops the connection: Unavailable, closed, and the next open() reconnects") {
    fake_qmi::ModemConfig config;
    config.faults.push_back(fake_qmi::Fault::parse("SendApdu#2:drop"));
    Modem m(config);
    auto t = m.transport();
    t->open();
    const std::uint8_t channel = t->open_logical_channel(kIsdr);
    CHECK(get_eid(*t, channel).sw == 0x9000);
    CHECK(code_of([&] { get_eid(*t, channel); }) == Errc::Unavailable);
    CHECK_FALSE(t->is_open());
    // The proxy released the dead connection's client ids; the modem closed that client's channel with it.
    CHECK(m.clients() == 0);
    CHECK(m.modem->counters().channels == 0);
    t->open();
    const std::uint8_t again = t->open_logical_channel(kIsdr);
    CHECK(get_eid(*t, again).sw == 0x9000);
    t->close();
    CHECK(m.clients() == 0);
    CHECK(m.modem->counters().channels == 0);
}

TEST_CASE("qmi: a modem that does not answer is Timeout after the configured seconds") {
    fake_qmi::ModemConfig config;
    config.faults.push_back(fake_qmi::Fault::parse("SendApdu#1:silent"));
    Modem m(config);
    auto t = m.transport("?timeout=10");
    t->open();
    const std::uint8_t channel = t->open_logical_channel(kIsdr);
    CHECK(code_of([&] { get_eid(*t, channel); }) == Errc::Timeout);
    t->close();
    CHECK(m.modem->counters().channels == 0);
    CHECK(m.clients() == 0);
}

TEST_CASE("qmi: slot=2 when slot 1 is active: Unavailable naming it, switch=1 switches and says so") {
    fake_qmi::ModemConfig config;
    config.slots = 2;
    config.euicc_slot = 2;
    config.active_slot = 1;
    Modem m(config);
    std::string message;
    auto t = m.transport("?slot=2");
    CHECK(code_of([&] { t->open(); }, &message) == Errc::Unavailable);
    CHECK(message.find("active slot: 1") != std::string::npos);
    CHECK_FALSE(t->is_open());
    CHECK(m.modem->counters().switch_slots == 0);
    CHECK(m.clients() == 0);

    auto s = m.transport("?slot=2&switch=1");
    s->open();
    CHECK(m.modem->counters().switch_slots == 1);
    const std::uint8_t channel = s->open_logical_channel(kIsdr);
    CHECK(get_eid(*s, channel).sw == 0x9000);
    s->close();
    // Slot 1 (no eUICC) asked for explicitly: no card there after the switch back is refused.
    CHECK(code_of([&] { m.transport("?slot=1")->open(); }) == Errc::Unavailable);
}

TEST_CASE("qmi: proxy=0 opens the port itself and syncs: client ids a crashed run left are released") {
    Port dir;  // for the symlink only
    virtual_euicc::install_euicc_factory();
    auto card = virtual_euicc::make_virtual_card(
        drivers::DriverUri::parse(std::string("virtual:?pki=") + LPAD_BINARY_DIR + "/pki"));
    fake_qmi::FakeModem modem(card, {});
    const std::string link = dir.dir + "/ttyQMI";
    fake_qmi::FakeQmiPort port(modem, link);
    auto transport = [&] {
        return std::make_unique<qmi::QmiTransport>(
            qmi::QmiOptions::from_uri(drivers::DriverUri::parse("qmi:" + link + "?proxy=0&timeout=10")));
    };
    auto crashed = transport();
    crashed->open();
    const std::uint8_t channel = crashed->open_logical_channel(kIsdr);
    CHECK(get_eid(*crashed, channel).sw == 0x9000);
    CHECK(modem.counters().syncs == 1);
    CHECK(modem.counters().channels == 1);
    auto t = transport();  // a second run, the first never closed: its UIM client and channel are still held
    t->open();
    CHECK(modem.counters().syncs == 2);
    CHECK(modem.counters().channels_released_with_client == 1);
    CHECK(modem.counters().channels == 0);
    const std::uint8_t again = t->open_logical_channel(kIsdr);
    CHECK(get_eid(*t, again).sw == 0x9000);
    t->close();
    CHECK(modem.counters().channels == 0);
    std::size_t clients = 0;
    for (auto [service, n] : modem.counters().clients) clients += n;
    CHECK(clients == 0);
}

TEST_CASE("qmi: no qmi-proxy and none can be started: Unavailable") {
    Port port;
    qmi::QmiTransport t(qmi::QmiOptions::from_uri(drivers::DriverUri::parse("qmi:" + port.path + "?timeout=10")));
    std::string message;
    CHECK(code_of([&] { t.open(); }, &message) == Errc::Unavailable);
    CHECK(message.find(port.path) != std::string::npos);
}

TEST_CASE("qmi: the proxy refuses another port path (Proxy Open): Unavailable") {
    Modem m;
    Port other;
    qmi::QmiTransport t(qmi::QmiOptions::from_uri(drivers::DriverUri::parse("qmi:" + other.path)));
    CHECK(code_of([&] { t.open(); }) == Errc::Unavailable);
    CHECK(m.clients() == 0);
}
