// SPDX-License-Identifier: Apache-2.0
// CI trust anchor bundles (packaging/trust) and their PEM round trip.
#include <doctest/doctest.h>

#include <algorithm>
#include <mutex>
#include <string>
#include <vector>

#include "libapdu/error.h"
#include "libapdu/log.h"
#include "lpad/es9p/trust.h"
#include "unit/es9p/tls_fixture.h"

using namespace lpad;
using namespace lpad::es9p;

namespace {

const std::string kTrustDir = std::string(LPAD_TEST_DATA) + "/../../packaging/trust/";

std::time_t utc(int year, int month, int day) {
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    return timegm(&tm);
}

bool has_ski(const std::vector<TrustAnchor>& anchors, const std::string& hex) {
    return std::any_of(anchors.begin(), anchors.end(), [&](const auto& a) { return to_hex(a.subject_key_id) == hex; });
}

bool has_subject(const std::vector<TrustAnchor>& anchors, const std::string& part) {
    return std::any_of(anchors.begin(), anchors.end(),
                       [&](const auto& a) { return a.subject.find(part) != std::string::npos; });
}

// Collects warnings while alive.
struct WarningLog {
    std::vector<std::string> lines;
    std::mutex m;
    WarningLog() {
        log::set_sink([this](log::Level, std::string_view, std::string_view msg) {
            std::lock_guard lock(m);
            lines.emplace_back(msg);
        }, log::Level::Warning);
    }
    ~WarningLog() { log::set_sink(nullptr, log::Level::Error); }
};

}  // namespace

TEST_CASE("trust: production bundle skips the SubMan V4.2 CI that expired 2026-08-12") {
    WarningLog warnings;
    auto after = load_trust_anchors(kTrustDir + "gsma-ci-production.pem", utc(2026, 9, 1));
    CHECK(after.size() == 7);
    CHECK_FALSE(has_ski(after, "ea53adef3329b9509afd755fd448b82dc1bcecff"));
    CHECK(has_ski(after, "81370f5125d0b1d408d4c3b232e6d25e795bebfb"));  // GSMA RSP2 Root CI1
    CHECK(has_ski(after, "4c27967ad20c14b391e9601e41e604ad57c0222f"));  // OISTE GSMA CI G1
    REQUIRE(warnings.lines.size() == 1);
    CHECK(warnings.lines[0].find("SubMan V4.2 CI") != std::string::npos);
    CHECK(warnings.lines[0].find("2026-08-12") != std::string::npos);

    auto before = load_trust_anchors(kTrustDir + "gsma-ci-production.pem", utc(2026, 8, 1));
    CHECK(before.size() == 8);
    CHECK(has_ski(before, "ea53adef3329b9509afd755fd448b82dc1bcecff"));
    CHECK(has_subject(before, "SubMan V4.2 CI"));
}

TEST_CASE("trust: test bundle holds the SGP.26 test CIs") {
    auto anchors = load_trust_anchors(kTrustDir + "gsma-ci-test.pem", utc(2026, 11, 21));
    CHECK(anchors.size() == 8);
    CHECK(has_ski(anchors, "34eecf13156518d48d30bdf06853404d115f955d"));  // SGP.26 v3 test CI (NIST)
    CHECK(has_ski(anchors, "f54172bdf98a95d65cbeb88a38a1c11d800a85c3"));  // SGP.26 v1 test CI (NIST)
    for (const auto& a : anchors) CHECK(a.not_after > utc(2026, 11, 21));
}

TEST_CASE("trust: to_pem round-trips the anchors") {
    auto anchors = load_trust_anchors(kTrustDir + "gsma-ci-production.pem", utc(2026, 9, 1));
    auto again = parse_trust_anchors(to_pem(anchors), "round trip", utc(2026, 9, 1));
    REQUIRE(again.size() == anchors.size());
    for (std::size_t i = 0; i < anchors.size(); ++i) {
        CHECK(again[i].der == anchors[i].der);
        CHECK(again[i].subject == anchors[i].subject);
    }
}

TEST_CASE("trust: an expired generated anchor is skipped, a valid one kept") {
    testing::TestCa valid("valid CI");
    testing::TestCa expired("expired CI", testing::Validity{-100000, -1000});
    WarningLog warnings;
    auto anchors = parse_trust_anchors(expired.cert_pem() + valid.cert_pem(), "generated");
    REQUIRE(anchors.size() == 1);
    CHECK(anchors[0].subject.find("valid CI") != std::string::npos);
    CHECK(anchors[0].subject_key_id.size() == 20);
    REQUIRE(warnings.lines.size() == 1);
    CHECK(warnings.lines[0].find("expired CI") != std::string::npos);
}

TEST_CASE("trust: bad bundles") {
    struct Case {
        const char* name;
        std::string pem;
    };
    const Case cases[] = {
        {"empty", ""},
        {"text only", "issuer=CN = nobody\nnot a certificate\n"},
        {"broken base64", "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n"},
        {"truncated DER", "-----BEGIN CERTIFICATE-----\nMIIBkTCB+wIJAK\n-----END CERTIFICATE-----\n"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        try {
            parse_trust_anchors(c.pem, "bundle.pem");
            FAIL("no error");
        } catch (const Error& e) {
            CHECK(e.code() == Errc::MalformedData);
            CHECK(std::string(e.what()).find("bundle.pem") != std::string::npos);
        }
    }
    try {
        load_trust_anchors("/nonexistent/lpad/trust.pem");
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::NotFound);
    }
}
