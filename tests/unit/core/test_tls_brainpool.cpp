// SPDX-License-Identifier: Apache-2.0
// Issue 11 item 10: an SM-DP+ whose TLS certificate (CERT.DP.TLS) is on brainpoolP256r1, as SGP.22 allows and
// osmo-smdpp serves. The handshake is verified as always (test CI anchors, host name); with OpenSSL 3.0 it is TLS 1.2
// with the brainpool curve among the offered groups (lpad/es9p/curl_http_client.cpp kTlsGroups).
#include <doctest/doctest.h>

#include "lpad/core/download.h"
#include "unit/core/core_fixture.h"

using namespace lpad;
using namespace lpad::core;
using namespace lpad::core::testing;

TEST_CASE("core: download from an SM-DP+ whose TLS certificate is on brainpoolP256r1") {
    Server s({pki_dir()}, "BRP");
    REQUIRE(s.server->pki().dp_tls.cert.curve() == crypto::Curve::BrainpoolP256r1);
    Card c("&curve=BRP");
    CurlServerConnector net(s.trust());
    s.order("MID-BRP", "88449911223344556677");
    auto r = download(*c.session, net, s.ac("MID-BRP"));
    CHECK(r.iccid == "88449911223344556677");
    CHECK(c.iccids() == std::vector<std::string>{"88449911223344556677"});
    CHECK(net.stats().tls_handshakes >= 1);
}

TEST_CASE("core: brainpool TLS is verified: without the test CI among the anchors the SM-DP+ is refused") {
    Server s({pki_dir()}, "BRP");
    Card c("&curve=BRP");
    CurlServerConnector net(s.trust(/*test_ci_allowed=*/false));
    s.order("MID-BRP2", "88449911223344556688");
    Error e(Errc::Internal, "");
    CHECK(error_of([&] { download(*c.session, net, s.ac("MID-BRP2")); }, &e) == Errc::TlsError);
    INFO(e.what());
    CHECK(c.iccids().empty());
}
