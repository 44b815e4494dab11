// SPDX-License-Identifier: Apache-2.0
#include "libapdu/es10_client.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "libapdu/error.h"
#include "libapdu/log.h"
#include "libapdu/tlv.h"

namespace lpad {

namespace {

// The ES10 function's tag for messages ("BF2D"); "?" if the request does not start with a TLV header.
std::string function_tag(ByteView request) {
    try {
        return tlv::tag_name(tlv::parse_header(request, tlv::Mode::Ber).tag);
    } catch (const Error&) {
        return "?";
    }
}

constexpr std::string_view kLog = "es10";

// ES10 traces: Debug shows the function, blocks, sizes and status word; Trace adds the bytes, except for the two
// functions whose request and response carry secrets (log.h): AuthenticateServer (BF38: ctxParams1.matchingId)
// and PrepareDownload (BF21: hashCc of the confirmation code), shown by length only.
bool carries_secret(std::string_view tag) { return tag == "BF38" || tag == "BF21"; }

std::string traced_bytes(std::string_view tag, ByteView bytes) {
    if (carries_secret(tag)) return "(" + std::to_string(bytes.size()) + " bytes, not shown: may hold a secret)";
    return to_hex(bytes);
}

}  // namespace

Es10Client::Es10Client(Transport& transport, Es10Options options)
    : transport_(transport), options_(std::move(options)) {
    if (options_.isdr_aids.empty()) fail(Errc::InvalidArgument, "no ISD-R AID configured");
    for (const auto& aid : options_.isdr_aids)
        if (aid.size() < 5 || aid.size() > 16)
            fail(Errc::InvalidArgument, "ISD-R AID " + to_hex(aid, true) + " is not 5 to 16 bytes");
}

Es10Client::~Es10Client() { close(); }

void Es10Client::set_store_data_block(std::size_t block) {
    if (block < 6 || block > 255)
        fail(Errc::InvalidArgument, "STORE DATA block size " + std::to_string(block) + " is not 6..255");
    options_.store_data_block = block;
}

void Es10Client::open() {
    if (open_) return;
    transport_.open();
    std::optional<Error> last;
    for (const auto& aid : options_.isdr_aids) {
        try {
            channel_ = transport_.open_logical_channel(aid);
            isdr_aid_ = aid;
            open_ = true;
            return;
        } catch (const Error& e) {
            if (e.code() != Errc::CardError) {
                transport_.close();
                throw;
            }
            last = e;
        }
    }
    transport_.close();
    throw *last;
}

void Es10Client::close() noexcept {
    if (!open_) return;
    open_ = false;
    try {
        transport_.close_logical_channel(channel_);
    } catch (...) {
        // Closing the link below releases the channel anyway.
    }
    transport_.close();
    channel_ = 0;
    isdr_aid_.clear();
}

Bytes Es10Client::transceive(ByteView es10_request) {
    if (!open_) fail(Errc::Unavailable, "ES10 session is not open");
    proactive_pending_ = false;
    const std::size_t block = std::min(options_.store_data_block, transport_.limits().max_command_data);
    const auto commands = apdu::store_data(es10_request, channel_, block, options_.explicit_le);
    const bool debug = log::enabled(log::Level::Debug);
    const std::string tag = debug ? function_tag(es10_request) : std::string();
    if (debug) {
        log::debug(kLog, "-> " + tag + ": " + std::to_string(es10_request.size()) + " bytes in " +
                             std::to_string(commands.size()) + " STORE DATA block(s) on channel " +
                             std::to_string(channel_));
        log::trace(kLog, "-> " + tag + " " + traced_bytes(tag, es10_request));
    }
    Bytes result;
    for (std::size_t i = 0; i < commands.size(); ++i) {
        apdu::Response r = exchange(transport_, commands[i], &counters_);
        ++store_data_apdus_;
        if (!apdu::is_success(r.sw))
            throw Error::card(r.sw, "STORE DATA block " + std::to_string(i + 1) + " of " +
                                        std::to_string(commands.size()) + " for ES10 function " +
                                        function_tag(es10_request));
        if (r.sw1() == 0x91) proactive_pending_ = true;
        const bool last = i + 1 == commands.size();
        if (!last && !r.data.empty())
            fail(Errc::ProtocolViolation, "eUICC answered data to intermediate STORE DATA block " +
                                              std::to_string(i + 1) + " for ES10 function " +
                                              function_tag(es10_request));
        if (last) result = std::move(r.data);
        if (debug && last) {
            log::debug(kLog, "<- " + tag + ": SW " + to_hex(Bytes{r.sw1(), r.sw2()}, true) + ", " +
                                 std::to_string(result.size()) + " bytes");
            log::trace(kLog, "<- " + tag + " " + traced_bytes(tag, result));
        }
    }
    return result;
}

Es10Client::Stats Es10Client::stats() const {
    return Stats{counters_.apdus, store_data_apdus_, counters_.get_response_apdus, counters_.bytes_sent,
                 counters_.bytes_received};
}

}  // namespace lpad
