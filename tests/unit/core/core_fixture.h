// SPDX-License-Identifier: Apache-2.0
// Fixture for the core tests: the real virtual eUICC (`virtual:` driver, in memory, test PKI) behind a CardSession,
// and the real test SM-DP+/SM-DS (tests/smdpp) on 127.0.0.1 over HTTPS, reached as testsmdpplus1.example.com:PORT
// (curl resolve pin) and verified against the test CI.
#pragma once

#include <doctest/doctest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "drivers/registry.h"
#include "drivers/virtual/euicc_factory.h"
#include "drivers/virtual/virtual_transport.h"
#include "libapdu/error.h"
#include "libapdu/identifiers.h"
#include "lpad/core/card.h"
#include "lpad/core/server_connector.h"
#include "tests/smdpp/https_front.h"

namespace lpad::core::testing {

inline std::string pki_dir() { return std::string(LPAD_BINARY_DIR) + "/pki"; }
inline std::string test_ci() { return pki_dir() + "/trust/test-ci.pem"; }
inline std::string upp(const std::string& name) { return std::string(LPAD_TEST_DATA) + "/upp/" + name; }
inline const std::string kHost = "testsmdpplus1.example.com";

// The Errc an action throws (FAIL if it throws nothing or something else).
template <class F>
Errc error_of(F&& f, Error* out = nullptr) {
    try {
        f();
    } catch (const Error& e) {
        if (out) *out = e;
        return e.code();
    }
    FAIL("no lpad::Error thrown");
    return Errc::Internal;
}

struct Card {
    virtual_euicc::EuiccFactory previous = virtual_euicc::set_euicc_factory(virtual_euicc::euicc_factory());
    std::unique_ptr<Transport> transport;
    virtual_euicc::VirtualTransport* vt = nullptr;
    std::unique_ptr<CardSession> session;

    explicit Card(const std::string& params = "", CardOptions options = {}) {
        transport = drivers::create_transport("virtual:?pki=" + pki_dir() + params);
        vt = dynamic_cast<virtual_euicc::VirtualTransport*>(transport.get());
        REQUIRE(vt);
        session = std::make_unique<CardSession>(*transport, options);
        session->open();
    }
    ~Card() {
        session.reset();
        transport.reset();
        virtual_euicc::set_euicc_factory(std::move(previous));
    }
    virtual_euicc::VirtualCard& card() { return *vt->card(); }
    void add_fault(const std::string& spec) {
        auto k = card().knobs();
        k.faults.push_back(virtual_euicc::Fault::parse(spec));
        card().set_knobs(k);
    }
    std::vector<std::string> iccids() {
        std::vector<std::string> out;
        for (const auto& p : session->profiles())
            if (p.iccid) out.push_back(iccid_from_bcd(*p.iccid));
        return out;
    }
};

struct Server {
    std::unique_ptr<smdpp::SmdpServer> server;
    std::unique_ptr<smdpp::HttpsFrontEnd> front;
    std::string address;

    // curve: the SM-DP+'s certificates (DPauth, DPpb, DPtls), "NIST" or "BRP" (brainpoolP256r1).
    explicit Server(std::vector<std::string> pki_dirs = {pki_dir()}, const std::string& curve = "NIST") {
        smdpp::ServerOptions o;
        o.address = kHost + ":0";
        server = std::make_unique<smdpp::SmdpServer>(smdpp::ServerPki::load(pki_dirs, curve), o);
        front = std::make_unique<smdpp::HttpsFrontEnd>(*server, "127.0.0.1", 0);
        address = kHost + ":" + std::to_string(front->port());
        server->set_address(address);
        front->start();
    }
    smdpp::Order& order(const std::string& matching_id, const std::string& iccid,
                        const std::string& profile = "TS48v5_SAIP2.3_NoBERTLV.der",
                        std::optional<std::string> code = std::nullopt) {
        smdpp::Order o;
        o.matching_id = matching_id;
        o.profile_path = upp(profile);
        o.iccid = iccid;
        o.confirmation_code = std::move(code);
        o.name = "Test " + matching_id;
        o.provider = "lpad test";
        server->add_order(o);
        last = o;
        return last;
    }
    smdpp::OrderState state(const std::string& matching_id) const {
        auto o = server->order(matching_id);
        REQUIRE(o);
        return o->state;
    }
    std::string ac(const std::string& matching_id) const { return "LPA:1$" + address + "$" + matching_id; }
    void fault(const std::string& spec) { server->add_fault(smdpp::Fault::parse(spec)); }

    TrustSettings trust(bool test_ci_allowed = true) const {
        TrustSettings t;
        t.production_bundle = std::string(LPAD_SOURCE_DIR) + "/packaging/trust/gsma-ci-production.pem";
        t.test_bundle = test_ci();
        t.allow_test_ci = test_ci_allowed;
        t.resolve = {kHost + ":" + std::to_string(front->port()) + ":127.0.0.1"};
        t.connect_timeout = std::chrono::seconds(5);
        t.total_timeout = std::chrono::seconds(10);
        return t;
    }

    smdpp::Order last;
};

}  // namespace lpad::core::testing
