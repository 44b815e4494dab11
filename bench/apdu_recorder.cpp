// SPDX-License-Identifier: Apache-2.0
#include "bench/apdu_recorder.h"

#include <cstdio>
#include <string>

#include "libapdu/apdu.h"
#include "libapdu/error.h"

namespace lpad::bench {

namespace {

ApduKind kind_of(ByteView raw) {
    if (raw.size() < 4) return ApduKind::Other;
    switch (raw[1]) {
        case 0x70: return ApduKind::ManageChannel;  // ISO 7816-4 §11.1.2
        case 0xA4: return ApduKind::Select;         // ISO 7816-4 §11.2.2
        case 0xE2: return ApduKind::StoreData;      // GlobalPlatform §11.11, SGP.22 §5.7.2
        case 0xC0: return ApduKind::GetResponse;    // ISO 7816-4 §11.4.2
        default: return ApduKind::Other;
    }
}

tlv::Tag outer_tag(ByteView request) {
    try {
        return tlv::parse_header(request, tlv::Mode::Ber).tag;
    } catch (const Error&) {
        return 0;
    }
}

std::size_t ceil_div(std::size_t a, std::size_t b) { return (a + b - 1) / b; }

}  // namespace

std::string_view name(ApduKind kind) {
    switch (kind) {
        case ApduKind::ManageChannel: return "MANAGE CHANNEL";
        case ApduKind::Select: return "SELECT";
        case ApduKind::StoreData: return "STORE DATA";
        case ApduKind::GetResponse: return "GET RESPONSE";
        case ApduKind::Other: return "other";
    }
    return "?";
}

std::size_t ApduTally::total() const {
    std::size_t n = 0;
    for (auto k : by_kind) n += k;
    return n;
}

Bytes RecordingTransport::transmit(ByteView command_apdu) {
    Bytes answer = inner_.transmit(command_apdu);
    const ApduKind kind = kind_of(command_apdu);
    ++tally_.by_kind[static_cast<std::size_t>(kind)];
    tally_.bytes_to_card += command_apdu.size();
    tally_.bytes_from_card += answer.size();
    const std::size_t data = answer.size() >= 2 ? answer.size() - 2 : 0;
    const std::uint8_t sw1 = answer.size() >= 2 ? answer[answer.size() - 2] : 0;

    switch (kind) {
        case ApduKind::StoreData: {
            answer_open_ = false;
            if (sw1 == 0x6C) break;  // resent with the right Le: this block does not count as sent
            if (sw1 != 0x90 && sw1 != 0x91 && sw1 != 0x61) {
                request_.clear();  // refused (e.g. 6700): the command starts again, perhaps in smaller blocks
                request_blocks_ = 0;
                break;
            }
            const auto cmd = apdu::Command::decode(command_apdu);
            append(request_, cmd.data);
            ++request_blocks_;
            if (cmd.p1 & 0x80) {  // last block: the ES10 function is complete
                exchanges_.push_back({outer_tag(request_), request_.size(), data, request_blocks_, 0});
                answer_open_ = true;
                request_.clear();
                request_blocks_ = 0;
            }
            break;
        }
        case ApduKind::GetResponse:
            if (answer_open_) {
                ++exchanges_.back().get_response_apdus;
                exchanges_.back().response_bytes += data;
            }
            break;
        case ApduKind::ManageChannel:
            if (command_apdu.size() >= 3 && command_apdu[2] == 0x00) ++tally_.channels_opened;
            answer_open_ = false;
            break;
        default:
            answer_open_ = false;
            break;
    }
    return answer;
}

void RecordingTransport::reset() {
    exchanges_.clear();
    tally_ = {};
    request_.clear();
    request_blocks_ = 0;
    answer_open_ = false;
}

bool is_bpp_piece(tlv::Tag tag) {
    switch (tag) {
        case 0xBF36: case 0xA0: case 0xA1: case 0x88: case 0xA2: case 0xA3: case 0x86: return true;
        default: return false;
    }
}

std::string es10_name(tlv::Tag tag) {
    switch (tag) {
        case 0xBF20: return "GetEuiccInfo1";
        case 0xBF22: return "GetEuiccInfo2";
        case 0xBF2E: return "GetEuiccChallenge";
        case 0xBF38: return "AuthenticateServer";
        case 0xBF21: return "PrepareDownload";
        case 0xBF41: return "CancelSession";
        case 0xBF36: return "BPP: InitialiseSecureChannel";
        case 0xA0: return "BPP: ConfigureISDP";
        case 0xA1: return "BPP: StoreMetadata header";
        case 0x88: return "BPP: StoreMetadata segment";
        case 0xA2: return "BPP: ReplaceSessionKeys";
        case 0xA3: return "BPP: LoadProfileElements header";
        case 0x86: return "BPP: ProfileElement segment";
        case 0xBF2D: return "GetProfilesInfo";
        case 0xBF31: return "EnableProfile";
        case 0xBF32: return "DisableProfile";
        case 0xBF33: return "DeleteProfile";
        case 0xBF34: return "eUICCMemoryReset";
        case 0xBF3E: return "GetEID";
        case 0xBF29: return "SetNickname";
        case 0xBF28: return "ListNotification";
        case 0xBF2B: return "RetrieveNotificationsList";
        case 0xBF30: return "NotificationSent";
        case 0xBF3C: return "EuiccConfiguredAddresses";
        case 0xBF3F: return "SetDefaultDpAddress";
        case 0xBF43: return "GetRAT";
        default: {
            char buf[16];
            std::snprintf(buf, sizeof buf, "tag %X", static_cast<unsigned>(tag));
            return buf;
        }
    }
}

Floor floor_of(const std::vector<Es10Exchange>& exchanges, std::size_t channels_opened, std::size_t block) {
    Floor f;
    f.channel = 3 * channels_opened;
    for (const auto& e : exchanges) {
        f.store_data += e.request_bytes == 0 ? 1 : ceil_div(e.request_bytes, block);
        const std::size_t answers = ceil_div(e.response_bytes, 256);
        f.get_response += answers > 0 ? answers - 1 : 0;
        f.get_response_no_le += answers;
    }
    return f;
}

}  // namespace lpad::bench
