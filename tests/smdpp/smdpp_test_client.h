// SPDX-License-Identifier: Apache-2.0
// Test-only LPA for the smdpp suite: drives the virtual eUICC through Es10Client and talks to the test SM-DP+
// through lpad::es9p::Es9pClient over CurlHttpClient (TLS verified against the test CI and the host name
// testsmdpplus1.example.com, pinned to 127.0.0.1 with curl's resolve list). Not lpad's core: just the SGP.22
// §3.1.3 steps in order, each one callable on its own so tests can stop or deviate anywhere.
#pragma once

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "drivers/registry.h"
#include "drivers/virtual/euicc_factory.h"
#include "drivers/virtual/virtual_transport.h"
#include "libapdu/bpp.h"
#include "libapdu/crypto.h"
#include "libapdu/error.h"
#include "libapdu/es10_client.h"
#include "libapdu/es10b.h"
#include "libapdu/es10c.h"
#include "libapdu/euicc_info.h"
#include "libapdu/identifiers.h"
#include "lpad/es9p/curl_http_client.h"
#include "lpad/es9p/es9p_client.h"
#include "tests/smdpp/https_front.h"

namespace lpad::smdpp::testing {

namespace fs = std::filesystem;

inline std::string pki_dir() { return std::string(LPAD_BINARY_DIR) + "/pki"; }
inline std::string upp_path(const std::string& name = "TS48v5_SAIP2.3_NoBERTLV.der") {
    return std::string(LPAD_TEST_DATA) + "/upp/" + name;
}
inline const std::string kHost = "testsmdpplus1.example.com";

// An in-process SM-DP+ + SM-DS on 127.0.0.1 (free port) with the build tree's test PKI.
struct TestServer {
    std::unique_ptr<SmdpServer> server;
    std::unique_ptr<HttpsFrontEnd> front;
    std::string address;

    explicit TestServer(std::vector<std::string> pki_dirs = {pki_dir()}, ServerOptions o = {},
                        const std::string& listen = "127.0.0.1") {
        o.address = kHost + ":0";
        server = std::make_unique<SmdpServer>(ServerPki::load(pki_dirs), o);
        front = std::make_unique<HttpsFrontEnd>(*server, listen, 0);
        // The address carries the port, known only once bound.
        address = kHost + ":" + std::to_string(front->port());
        server->set_address(address);
        front->start();
    }
    int port() const { return front->port(); }

    Order& add_order(const std::string& matching_id, const std::string& iccid,
                     std::optional<std::string> code = std::nullopt) {
        Order o;
        o.matching_id = matching_id;
        o.profile_path = upp_path();
        o.iccid = iccid;
        o.confirmation_code = std::move(code);
        server->add_order(o);
        last_ = o;
        return last_;
    }
    OrderState state(const std::string& matching_id) const {
        auto o = server->order(matching_id);
        REQUIRE(o);
        return o->state;
    }

private:
    Order last_;
};

// The LPA side of one download session.
struct TestLpa {
    virtual_euicc::EuiccFactory previous = virtual_euicc::set_euicc_factory(virtual_euicc::euicc_factory());
    std::shared_ptr<virtual_euicc::VirtualCard> card;
    std::unique_ptr<virtual_euicc::VirtualTransport> transport;
    std::unique_ptr<Es10Client> es10;
    std::unique_ptr<es9p::CurlHttpClient> http;
    std::unique_ptr<es9p::Es9pClient> es9p;
    std::unique_ptr<es9p::Es11Client> es11;

    // Session state, filled step by step.
    std::string transaction_id;
    Bytes transaction_id_bytes;
    Bytes server_signed1_raw;
    es10::AuthenticateServerResponse authenticate_server_response;
    es9p::AuthenticateClientResponse authenticate_client_response;
    Bytes prepare_download_response;
    Bytes bound_profile_package;
    Bytes profile_installation_result;

    TestLpa(const TestServer& srv, const std::string& card_uri = "virtual:?pki=" + pki_dir())
        : TestLpa(srv.port(), srv.address, card_uri) {}
    // Against a server at kHost:port (e.g. an lpad-test-smdpp process) reached on 127.0.0.1.
    TestLpa(int port, const std::string& address, const std::string& card_uri = "virtual:?pki=" + pki_dir()) {
        card = virtual_euicc::make_virtual_card(drivers::DriverUri::parse(card_uri));
        transport = std::make_unique<virtual_euicc::VirtualTransport>(card);
        es10 = std::make_unique<Es10Client>(*transport);
        es10->open();
        es9p::CurlOptions co;
        co.ca_file = pki_dir() + "/trust/test-ci.pem";
        co.resolve.push_back(kHost + ":" + std::to_string(port) + ":127.0.0.1");
        co.total_timeout = std::chrono::seconds(20);
        http = std::make_unique<es9p::CurlHttpClient>(co);
        es9p = std::make_unique<es9p::Es9pClient>(*http, address);
        es11 = std::make_unique<es9p::Es11Client>(*http, address);
    }
    ~TestLpa() {
        es10.reset();
        virtual_euicc::set_euicc_factory(std::move(previous));
    }

    static Bytes tlv_value(ByteView tlv_bytes) {
        auto e = tlv::parse_one(tlv_bytes);
        return Bytes(e.value.begin(), e.value.end());
    }

    // ES10b GetEUICCChallenge + GetEUICCInfo1, ES9+ initiateAuthentication, LPA checks (RSP-NOTES step 4).
    es9p::InitiateAuthenticationResponse initiate(std::optional<std::string> address = std::nullopt) {
        Bytes challenge = es10->call(es10::GetEuiccChallengeRequest{}).euicc_challenge;
        Bytes info1 = es10->transceive(es10::GetEuiccInfo1Request{}.encode());
        auto resp = es9p->initiate_authentication({challenge, info1, address.value_or(es9p->address())});
        auto signed1 = es10::ServerSigned1::decode(resp.server_signed1);
        if (signed1.server_address != es9p->address())
            fail(Errc::ProtocolViolation, "serverSigned1.serverAddress is not the address used");
        if (es9p::transaction_id_hex(signed1.transaction_id) != resp.transaction_id)
            fail(Errc::ProtocolViolation, "serverSigned1.transactionId differs from the JSON transactionId");
        transaction_id = resp.transaction_id;
        transaction_id_bytes = signed1.transaction_id;
        server_signed1_raw = resp.server_signed1;
        last_initiate = resp;
        return resp;
    }

    // ES10b AuthenticateServer with this matching ID (the card's answer is kept raw).
    Bytes authenticate_server(const std::string& matching_id) {
        const auto& r = last_initiate;
        es10::AuthenticateServerRequest req;
        req.server_signed1 = es10::ServerSigned1::decode(r.server_signed1);
        req.server_signature1 = tlv_value(r.server_signature1);
        req.euicc_ci_pkid_to_be_used = tlv_value(r.euicc_ci_pkid_to_be_used);
        req.server_certificate = r.server_certificate;
        req.ctx_params1.matching_id = matching_id;
        req.ctx_params1.device_info.tac = Bytes{0x35, 0x29, 0x06, 0x11};
        Bytes raw = es10->transceive(req.encode());
        authenticate_server_response = es10::AuthenticateServerResponse::decode(raw);
        authenticate_server_response.check();
        return raw;
    }

    es9p::AuthenticateClientResponse authenticate_client(const std::string& matching_id) {
        Bytes asr = authenticate_server(matching_id);
        authenticate_client_response = es9p->authenticate_client({transaction_id, asr});
        auto signed2 = es10::SmdpSigned2::decode(authenticate_client_response.smdp_signed2);
        if (!equal(signed2.transaction_id, transaction_id_bytes))
            fail(Errc::ProtocolViolation, "smdpSigned2.transactionId differs");
        if (authenticate_client_response.transaction_id != transaction_id)
            fail(Errc::ProtocolViolation, "authenticateClient transactionId differs");
        return authenticate_client_response;
    }

    // ES10b PrepareDownload; throws the card's error.
    Bytes prepare_download(std::optional<std::string> confirmation_code = std::nullopt) {
        const auto& r = authenticate_client_response;
        es10::PrepareDownloadRequest req;
        req.smdp_signed2 = es10::SmdpSigned2::decode(r.smdp_signed2);
        req.smdp_signature2 = tlv_value(r.smdp_signature2);
        req.smdp_certificate = r.smdp_certificate;
        if (confirmation_code) req.hash_cc = crypto::hash_cc(*confirmation_code, transaction_id_bytes);
        prepare_download_response = es10->transceive(req.encode());
        es10::PrepareDownloadResponse::decode(prepare_download_response).check();
        return prepare_download_response;
    }

    Bytes get_bound_profile_package() {
        auto resp = es9p->get_bound_profile_package({transaction_id, prepare_download_response});
        if (resp.transaction_id != transaction_id) fail(Errc::ProtocolViolation, "getBoundProfilePackage transactionId differs");
        bound_profile_package = resp.bound_profile_package;
        return bound_profile_package;
    }

    // ES10b LoadBoundProfilePackage piece by piece; returns the ProfileInstallationResult.
    es10::ProfileInstallationResult load_bound_profile_package() {
        Bytes last;
        for (const auto& piece : es10::split_for_loading(bound_profile_package)) {
            last = es10->transceive(piece);
            if (!last.empty()) break;
        }
        profile_installation_result = last;
        return es10::ProfileInstallationResult::decode(last);
    }

    void send_installation_result() { es9p->handle_notification({profile_installation_result}); }

    // ES10b CancelSession then ES9+ cancelSession.
    void cancel(es10::CancelSessionReason reason) {
        es10::CancelSessionRequest req{transaction_id_bytes, reason};
        Bytes raw = es10->transceive(req.encode());
        es9p->cancel_session({transaction_id, raw});
    }

    // The whole download; returns the installation result.
    es10::ProfileInstallationResult download(const std::string& matching_id,
                                             std::optional<std::string> code = std::nullopt) {
        initiate();
        authenticate_client(matching_id);
        prepare_download(code);
        get_bound_profile_package();
        auto pir = load_bound_profile_package();
        send_installation_result();
        return pir;
    }

    std::vector<es10::ProfileInfo> profiles() {
        return es10->call(es10::ProfileInfoListRequest{}).profiles;
    }

    es9p::InitiateAuthenticationResponse last_initiate;
};

// The lpad::Error a call throws (fails the test if it throws nothing).
template <class F>
Error error_of(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return e;
    }
    FAIL("expected an lpad::Error");
    return Error(Errc::Internal, "unreachable");
}

}  // namespace lpad::smdpp::testing
