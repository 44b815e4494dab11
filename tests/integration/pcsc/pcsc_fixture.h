// SPDX-License-Identifier: Apache-2.0
// Helpers for the pcsc: integration tests, which run inside run-in-private-pcscd.sh: a private pcscd with vpcd
// readers fed by lpad-vpcd-bridge (virtual eUICCs made from the build tree's test PKI).
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "drivers/pcsc/pcsc_context.h"
#include "libapdu/es10_client.h"
#include "libapdu/es10c.h"
#include "unit/drivers/euicc_test_rig.h"
#include "libapdu/bytes.h"
#include "libapdu/log.h"

namespace lpad::pcsc::testing {

inline const std::string kReader0 = "Virtual PCD 00 00";
inline const std::string kReader1 = "Virtual PCD 00 01";
// An ISD-R AID that is not SGP.22's, for a card the automatic selection must skip.
inline const char* const kOtherAid = "A0000005591010FFFFFFFF8900000200";

inline nlohmann::json pki_manifest() {
    std::ifstream in(std::string(LPAD_BINARY_DIR) + "/pki/pki.json");
    REQUIRE_MESSAGE(in.good(), "no test PKI: build the test-pki target");
    return nlohmann::json::parse(in);
}

// Wait until `reader` reports a card (or no card, when `present` is false); fails the test after `limit`.
inline ReaderState wait_for_card(const std::string& reader, bool present = true,
                                 std::chrono::milliseconds limit = std::chrono::seconds(15)) {
    ReaderMonitor monitor;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    monitor.list_readers();
    for (;;) {
        for (const auto& r : monitor.readers())
            if (r.name == reader && r.card_present == present) return r;
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        monitor.wait_for_change(left);
    }
    FAIL("reader '" << reader << "' did not report " << (present ? "a card" : "no card") << " in time");
    return {};
}

// Collects the driver's log lines while alive.
struct LogCapture {
    std::mutex mutex;
    std::vector<std::string> lines;
    LogCapture() {
        log::set_sink([this](log::Level, std::string_view component, std::string_view message) {
            std::lock_guard lock(mutex);
            lines.push_back(std::string(component) + ": " + std::string(message));
        }, log::Level::Debug);
    }
    ~LogCapture() { log::set_sink(nullptr, log::Level::Error); }
    bool contains(const std::string& part) {
        std::lock_guard lock(mutex);
        for (const auto& l : lines)
            if (l.find(part) != std::string::npos) return true;
        return false;
    }
};

// The SM-DP+ side of a download (signing and BPP binding from the virtual eUICC's test rig), driven over PC/SC.
inline es10::ProfileInstallationResult download_over(Es10Client& es10, const es10::StoreMetadataRequest& md,
                                              const Bytes& upp) {
    using namespace lpad::virtual_euicc::testing;
    const SmdpKeys k = SmdpKeys::load();
    Bytes tid = crypto::random_bytes(16);
    auto challenge = es10.call(es10::GetEuiccChallengeRequest{}).euicc_challenge;
    auto auth = es10.call(make_authenticate_server(k, challenge, tid));
    auto prep = es10.call(make_prepare_download(k, tid, auth.ok().euicc_signature1));
    auto eid = es10.call(es10::GetEuiccDataRequest{}).eid_value;
    Bytes bpp = bind_profile(k, tid, prep.ok().euicc_signed2.euicc_otpk, eid, md, upp, {});
    Bytes last;
    for (const Bytes& piece : es10::split_for_loading(bpp)) {
        last = es10.transceive(piece);
        if (!last.empty()) break;
    }
    REQUIRE_FALSE(last.empty());
    return es10::ProfileInstallationResult::decode(last);
}

inline std::vector<es10::ProfileInfo> profiles(Es10Client& es10) {
    auto r = es10.call(es10::ProfileInfoListRequest{});
    r.check();
    return r.profiles;
}

// Download the rig's TS.48 test profile; returns its metadata (ICCID).
inline es10::StoreMetadataRequest download_test_profile(Es10Client& es10) {
    Bytes upp = virtual_euicc::testing::load_upp();
    auto md = virtual_euicc::testing::metadata_for(upp);
    REQUIRE(download_over(es10, md, upp).succeeded());
    return md;
}

}  // namespace lpad::pcsc::testing
