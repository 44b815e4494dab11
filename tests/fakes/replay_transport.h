// SPDX-License-Identifier: Apache-2.0
// A card that replays captured APDU exchanges: each transmit() must be exactly the next expected command, and gets
// the canned response. Anything else fails loudly: lpad::Error(Internal) with the expected and actual hex, also
// kept in mismatch() for the cases where a caller swallows errors (best-effort channel close).
//
// Frames are hex strings; spaces are ignored so a frame can be written "80 E2 91 00 03 BF2000".
#pragma once

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "libapdu/bytes.h"
#include "libapdu/error.h"
#include "libapdu/transport.h"

namespace lpad::test {

struct ApduExchange {
    std::string_view command_hex;
    std::string_view response_hex;
};

class ReplayTransport : public lpad::ApduTransport {
public:
    explicit ReplayTransport(std::vector<ApduExchange> script, lpad::TransportLimits limits = {})
        : script_(std::move(script)), limits_(limits) {}
    explicit ReplayTransport(std::initializer_list<ApduExchange> script, lpad::TransportLimits limits = {})
        : script_(script), limits_(limits) {}

    void open() override {
        is_open_ = true;
        ++opens_;
    }
    void close() noexcept override {
        is_open_ = false;
        ++closes_;
    }

    lpad::Bytes transmit(lpad::ByteView command_apdu) override {
        if (!is_open_) fail_with("transmit on a closed transport: " + lpad::to_hex(command_apdu));
        const std::string actual = lpad::to_hex(command_apdu);
        if (next_ >= script_.size()) fail_with("unexpected command after the script ended: " + actual);
        const ApduExchange& step = script_[next_];
        const std::string expected = normalize(step.command_hex);
        if (actual != expected)
            fail_with("step " + std::to_string(next_) + ": expected " + expected + ", got " + actual);
        ++next_;
        return lpad::from_hex(normalize(step.response_hex));
    }

    lpad::TransportLimits limits() const override { return limits_; }

    bool exhausted() const { return next_ == script_.size(); }
    std::size_t steps_done() const { return next_; }
    const std::string& mismatch() const { return mismatch_; }
    bool is_open() const { return is_open_; }
    int opens() const { return opens_; }
    int closes() const { return closes_; }

private:
    static std::string normalize(std::string_view hex) {
        std::string out;
        for (char c : hex) {
            if (c == ' ') continue;
            out.push_back((c >= 'A' && c <= 'F') ? static_cast<char>(c - 'A' + 'a') : c);
        }
        return out;
    }

    [[noreturn]] void fail_with(const std::string& what) {
        if (mismatch_.empty()) mismatch_ = what;
        throw lpad::Error(lpad::Errc::Internal, "ReplayTransport: " + what);
    }

    std::vector<ApduExchange> script_;
    lpad::TransportLimits limits_;
    std::size_t next_ = 0;
    bool is_open_ = false;
    int opens_ = 0;
    int closes_ = 0;
    std::string mismatch_;
};

}  // namespace lpad::test
