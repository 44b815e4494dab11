// SPDX-License-Identifier: Apache-2.0
// A small eUICC application for testing the virtual card's APDU layer (drivers/virtual/card.h): fixed answers per
// outer tag, and a record of what it was handed.
#pragma once

#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "drivers/virtual/es10_handler.h"
#include "libapdu/error.h"
#include "libapdu/tlv.h"

namespace lpad::virtual_euicc::testing {

// Request tags of the test application (private-class tags no ES10 function uses).
constexpr tlv::Tag kGetEuiccData = 0xBF3E;  // -> BF3E { 5A EID }
constexpr tlv::Tag kEcho = 0xBF7E;          // -> the request itself
constexpr tlv::Tag kBig = 0xBF7D;           // value = 2-byte big-endian N -> N bytes, byte i = i % 251
constexpr tlv::Tag kRefuse = 0xBF7C;        // -> 6A80, no data
constexpr tlv::Tag kProactive = 0xBF7B;     // -> the request, with 9110

inline Bytes test_eid() {
    return from_hex("89049032123451234512345678901235");
}
inline Bytes eid_response() { return tlv::make(0xBF3E, tlv::make(0x5A, test_eid())); }
inline Bytes big_payload(std::size_t n) {
    Bytes out(n);
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(i % 251);
    return out;
}
inline Bytes big_request(std::size_t n) {
    return tlv::make(kBig, Bytes{static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)});
}

struct TestLog {
    std::mutex mutex;
    std::vector<std::pair<std::uint8_t, Bytes>> commands;  // (channel, command)
    std::vector<std::uint8_t> session_resets;

    std::size_t command_count() {
        std::lock_guard lock(mutex);
        return commands.size();
    }
    std::vector<std::uint8_t> resets() {
        std::lock_guard lock(mutex);
        return session_resets;
    }
};

class TestApplication : public Es10Handler {
public:
    explicit TestApplication(std::shared_ptr<TestLog> log = std::make_shared<TestLog>()) : log_(std::move(log)) {}

    Es10Reply handle(std::uint8_t channel, ByteView command) override {
        {
            std::lock_guard lock(log_->mutex);
            log_->commands.emplace_back(channel, Bytes(command.begin(), command.end()));
        }
        tlv::Element e;
        try {
            e = tlv::parse_one(command, tlv::Mode::Ber);
        } catch (const Error&) {
            // BPP pieces are headers without their value: accept them as a real ISD-R does (9000, no data).
            return {};
        }
        switch (e.tag) {
        case kGetEuiccData: return {eid_response(), 0x9000};
        case kEcho: return {Bytes(command.begin(), command.end()), 0x9000};
        case kBig:
            if (e.value.size() != 2) return {{}, 0x6A80};
            return {big_payload((std::size_t(e.value[0]) << 8) | e.value[1]), 0x9000};
        case kRefuse: return {{}, 0x6A80};
        case kProactive: return {Bytes(command.begin(), command.end()), 0x9110};
        default: return {};  // BPP pieces and the rest: accepted without data
        }
    }

    void session_reset(std::uint8_t channel) override {
        std::lock_guard lock(log_->mutex);
        log_->session_resets.push_back(channel);
    }

private:
    std::shared_ptr<TestLog> log_;
};

}  // namespace lpad::virtual_euicc::testing
