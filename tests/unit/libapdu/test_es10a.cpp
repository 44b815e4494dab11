// SPDX-License-Identifier: Apache-2.0
// ES10a: configured addresses and SetDefaultDpAddress, from test data of other projects and DER by hand.
#include <doctest/doctest.h>

#include <string>

#include "libapdu/error.h"
#include "libapdu/es10a.h"
#include "unit/test_support.h"

using namespace lpad;
using namespace lpad::test;
using namespace lpad::es10;

TEST_CASE("es10a: EuiccConfiguredAddressesResponse from OpenHarmony telephony_core_service test data") {
    const Bytes der = hex("BF3C148008534D44502E434F4D8108736D64732E636F6D");
    auto r = EuiccConfiguredAddressesResponse::decode(der);
    CHECK(r.default_dp_address == "SMDP.COM");
    CHECK(r.root_ds_address == "smds.com");
    CHECK(r.encode() == der);
}

TEST_CASE("es10a: EuiccConfiguredAddresses without a default SM-DP+, DER by hand") {
    const Bytes der = hex("BF3C11 810F 6c70612e64732e67736d612e636f6d");  // lpa.ds.gsma.com
    auto r = EuiccConfiguredAddressesResponse::decode(der);
    CHECK_FALSE(r.default_dp_address);
    CHECK(r.root_ds_address == "lpa.ds.gsma.com");
    CHECK(r.encode() == der);
    CHECK(EuiccConfiguredAddressesRequest{}.encode() == hex("BF3C00"));
    CHECK_NOTHROW(EuiccConfiguredAddressesRequest::decode(hex("BF3C00")));

    for (const char* bad : {"BF3C0A8008534D44502E434F4D", "BF3C038101FF", "BF3D00", "BF3C00"}) {
        CAPTURE(bad);
        try {
            (void)EuiccConfiguredAddressesResponse::decode(hex(bad));
            FAIL("accepted");
        } catch (const Error& e) {
            CHECK(e.code() == Errc::MalformedData);
            CHECK(std::string(e.what()).find("EuiccConfiguredAddressesResponse") != std::string::npos);
        }
    }
}

TEST_CASE("es10a: SetDefaultDpAddress request and results") {
    SetDefaultDpAddressRequest req{"smdp.example.com"};
    const Bytes der = hex("BF3F12 8010 736d64702e6578616d706c652e636f6d");
    CHECK(req.encode() == der);
    CHECK(SetDefaultDpAddressRequest::decode(der).default_dp_address == "smdp.example.com");
    CHECK(SetDefaultDpAddressRequest{""}.encode() == hex("BF3F028000"));
    CHECK(SetDefaultDpAddressRequest::decode(hex("BF3F028000")).default_dp_address.empty());
    CHECK_THROWS_AS(SetDefaultDpAddressRequest::decode(hex("BF3F00")), Error);

    struct Case {
        const char* hex;
        const char* name;
        int code;
    };
    const Case cases[] = {{"BF3F03800100", "ok", 0}, {"BF3F0380017F", "undefinedError", 127},
                          {"BF3F03800103", "unknown(3)", 3}};
    for (const auto& c : cases) {
        CAPTURE(c.hex);
        auto r = SetDefaultDpAddressResponse::decode(hex(c.hex));
        CHECK(static_cast<int>(r.set_default_dp_address_result) == c.code);
        CHECK(describe(r.set_default_dp_address_result) == c.name);
        CHECK(r.encode() == hex(c.hex));
        if (c.code == 0) {
            CHECK_NOTHROW(r.check());
            continue;
        }
        try {
            r.check();
            FAIL("no throw");
        } catch (const Error& e) {
            CHECK(e.code() == Errc::EuiccError);
            CHECK(e.euicc_function == "SetDefaultDpAddress");
            CHECK(e.euicc_result == c.code);
        }
    }
}
