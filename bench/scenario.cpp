// SPDX-License-Identifier: Apache-2.0
#include "bench/scenario.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <utility>

#include "drivers/registry.h"
#include "drivers/virtual/virtual_transport.h"
#include "libapdu/error.h"
#include "libapdu/identifiers.h"
#include "lpad/core/card.h"
#include "lpad/core/download.h"
#include "lpad/core/notifications.h"
#include "tests/smdpp/https_front.h"
#include "tests/smdpp/smdp_server.h"

namespace lpad::bench {

namespace {

// The SM-DP+ is reached under its certificate's name, pinned to loopback (CURLOPT_RESOLVE).
const std::string kHost = "testsmdpplus1.example.com";

long peak_rss_kib() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;  // Linux: KiB
}

core::ConnectorStats minus(const core::ConnectorStats& a, const core::ConnectorStats& b) {
    return {a.clients - b.clients, a.requests - b.requests, a.tls_handshakes - b.tls_handshakes,
            a.bytes_up - b.bytes_up, a.bytes_down - b.bytes_down};
}

// 20 digits in doubled pairs (88 44 99 ...): the test SM-DP+ writes the SAIP ProfileHeader ICCID in natural digit
// order and the virtual eUICC compares it with the nibble-swapped metadata ICCID; doubled pairs read the same.
std::string iccid_for(unsigned n) {
    std::string s = "8844991122334455";
    for (unsigned d : {n / 10 % 10, n % 10}) s.append(2, static_cast<char>('0' + d));
    return s;
}

// The card's counters rebuilt from what the LPA side sent and received (same APDUs, same bytes).
virtual_euicc::Counters counters_of(const ApduTally& t) {
    virtual_euicc::Counters c;
    c.apdus = t.total();
    c.manage_channel = t.by_kind[static_cast<std::size_t>(ApduKind::ManageChannel)];
    c.select = t.by_kind[static_cast<std::size_t>(ApduKind::Select)];
    c.store_data = t.by_kind[static_cast<std::size_t>(ApduKind::StoreData)];
    c.get_response = t.by_kind[static_cast<std::size_t>(ApduKind::GetResponse)];
    c.other = t.by_kind[static_cast<std::size_t>(ApduKind::Other)];
    c.bytes_in = t.bytes_to_card;
    c.bytes_out = t.bytes_from_card;
    return c;
}

}  // namespace

Environment::Environment(std::string pki_dir) : pki_dir_(std::move(pki_dir)) {
    smdpp::ServerOptions o;
    o.address = kHost + ":0";
    server_ = std::make_unique<smdpp::SmdpServer>(smdpp::ServerPki::load({pki_dir_}), o);
    front_ = std::make_unique<smdpp::HttpsFrontEnd>(*server_, "127.0.0.1", 0);
    address_ = kHost + ":" + std::to_string(front_->port());
    server_->set_address(address_);
    front_->start();

    core::TrustSettings t;
    t.production_bundle.clear();
    t.test_bundle = pki_dir_ + "/trust/test-ci.pem";
    t.allow_test_ci = true;
    t.resolve = {address_ + ":127.0.0.1"};
    t.connect_timeout = std::chrono::seconds(10);
    t.total_timeout = std::chrono::seconds(120);
    connector_ = std::make_unique<core::CurlServerConnector>(t);
}

Environment::~Environment() {
    if (front_) front_->stop();
}

std::vector<PhaseFigures> Environment::run(const RunSettings& settings) {
    const unsigned n = orders_++;
    smdpp::Order order;
    order.matching_id = "BENCH-" + std::to_string(n);
    order.profile_path = settings.profile_path;
    order.iccid = iccid_for(n);
    order.name = "Bench " + std::to_string(n);
    order.provider = "lpad bench";
    server_->add_order(order);

    auto transport = drivers::create_transport(
        settings.card_uri.empty() ? "virtual:?pki=" + pki_dir_ + "&latency=" + std::to_string(settings.latency_ms)
                                  : settings.card_uri);
    // In this process (virtual:) the card counts for itself; behind another process (pcsc:) the LPA side counts.
    auto* vt = dynamic_cast<virtual_euicc::VirtualTransport*>(transport.get());
    if (!vt && settings.card_uri.empty()) fail(Errc::Internal, "the virtual: driver did not give a VirtualTransport");
    if (!vt) {
        // A card in a reader may not be there yet (a bridge still connecting to vpcd): wait for it, up to 15 s.
        for (auto until = std::chrono::steady_clock::now() + std::chrono::seconds(15);;) {
            try {
                transport->open();
                transport->close();
                break;
            } catch (const Error& e) {
                if (e.code() != Errc::Unavailable || std::chrono::steady_clock::now() > until) throw;
                std::this_thread::sleep_for(std::chrono::milliseconds(200));
            }
        }
    }
    RecordingTransport link(*transport);
    core::CardOptions options;
    options.es10.store_data_block = settings.block;
    options.es10.explicit_le = settings.explicit_le;
    core::CardSession card(link, options);

    std::vector<PhaseFigures> out;
    auto measure = [&](const std::string& phase, const auto& body) {
        if (vt) vt->card()->reset_counters();
        link.reset();
        const auto http_before = connector_->stats();
        const auto t0 = std::chrono::steady_clock::now();
        card.open();
        body();
        card.close();
        const auto t1 = std::chrono::steady_clock::now();
        PhaseFigures f;
        f.phase = phase;
        f.card = vt ? vt->card()->counters() : counters_of(link.tally());
        f.tally = link.tally();
        f.es10 = link.exchanges();
        f.http = minus(connector_->stats(), http_before);
        f.wall_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
        f.peak_rss_kib = peak_rss_kib();
        out.push_back(std::move(f));
    };

    const std::string ac = "LPA:1$" + address_ + "$" + order.matching_id;
    const Bytes iccid = iccid_to_bcd(order.iccid);
    measure("download", [&] {
        auto r = core::download(card, *connector_, ac);
        if (r.iccid != order.iccid) fail(Errc::Internal, "downloaded " + r.iccid + ", ordered " + order.iccid);
    });
    measure("list", [&] {
        auto list = card.profiles();
        if (std::none_of(list.begin(), list.end(), [&](const auto& p) { return p.iccid && equal(*p.iccid, iccid); }))
            fail(Errc::NotFound, "profile " + order.iccid + " is not in the profile list after its download");
    });
    measure("enable", [&] {
        card.enable(es10::ProfileIdentifier::from_iccid(iccid), false);
        core::NotificationSender sender(*connector_);
        for (const auto& o : sender.process(card))
            if (!o.sent || !o.removed)
                fail(Errc::Internal, "notification " + std::to_string(o.seq_number) + " not delivered: " + o.message);
    });

    // Outside the measured phases: the profile really is enabled.
    card.open();
    const auto list = card.profiles();
    card.close();
    const bool enabled = std::any_of(list.begin(), list.end(), [&](const auto& p) {
        return p.iccid && equal(*p.iccid, iccid) && p.profile_state == es10::ProfileState::enabled;
    });
    if (!enabled) fail(Errc::Internal, "profile " + order.iccid + " is not enabled after EnableProfile");
    return out;
}

}  // namespace lpad::bench
