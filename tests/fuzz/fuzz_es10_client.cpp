// SPDX-License-Identifier: Apache-2.0
// Fuzz target: Es10Client (libapdu/es10_client.h) against a card that answers with the fuzzer's bytes: logical
// channel opening and ISD-R selection, STORE DATA segmentation, 61xx/6Cxx chains reassembled into one answer,
// 91xx, refusals. Every call must end in an answer or a typed error, and the client must stay usable (close,
// reopen) afterwards.
//
// Input: [store data block][explicit Le, request size selector][answers...] where each answer is a 2-byte
// big-endian length and that many bytes (data || SW1 SW2), consumed one per APDU. When they run out the card
// answers 6F00. Seeds: answers recorded from the virtual card by tests/fuzz/record_seeds.cpp.
#include <cstdint>
#include <cstdlib>

#include "libapdu/error.h"
#include "libapdu/es10_client.h"
#include "libapdu/transport.h"

namespace {

using namespace lpad;

class ScriptedCard final : public ApduTransport {
public:
    explicit ScriptedCard(ByteView script) : script_(script) {}
    void open() override {}
    void close() noexcept override {}
    Bytes transmit(ByteView command) override {
        if (command.size() < 4) std::abort();  // the client never sends less than a header
        if (++apdus_ > 4096) fail(Errc::TransportError, "too many APDUs");
        if (script_.size() < 2) return {0x6F, 0x00};
        std::size_t n = (std::size_t(script_[0]) << 8) | script_[1];
        n = std::min(n, script_.size() - 2);
        Bytes answer(script_.begin() + 2, script_.begin() + 2 + static_cast<std::ptrdiff_t>(n));
        script_ = script_.subspan(2 + n);
        if (answer.size() < 2) fail(Errc::TransportError, "short answer");  // what a link reports for it
        return answer;
    }
    TransportLimits limits() const override { return {}; }
    bool exhausted() const { return script_.size() < 2; }

private:
    ByteView script_;
    std::size_t apdus_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    ScriptedCard card(ByteView(data + 2, size - 2));
    Es10Options options;
    options.store_data_block = 6 + data[0] % 250;
    options.explicit_le = (data[1] & 0x80) != 0;
    // A request of the size the selector asks for: BF38 (AuthenticateServer) with filler, 3 .. ~2 KiB.
    const std::size_t body = std::size_t(data[1] & 0x7F) * 16;
    Bytes request{0xBF, 0x38};
    if (body < 0x80) {
        request.push_back(static_cast<std::uint8_t>(body));
    } else {
        request.push_back(0x82);
        request.push_back(static_cast<std::uint8_t>(body >> 8));
        request.push_back(static_cast<std::uint8_t>(body));
    }
    request.resize(request.size() + body, 0xA5);

    Es10Client client(card, options);
    for (int round = 0; round < 4 && !card.exhausted(); ++round) {
        try {
            if (!client.is_open()) client.open();
            for (int i = 0; i < 16 && !card.exhausted(); ++i) (void)client.transceive(request);
        } catch (const Error&) {
            client.close();
        }
    }
    client.close();
    (void)client.stats();
    return 0;
}
