// SPDX-License-Identifier: Apache-2.0
#include "drivers/virtual/knobs.h"

#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <optional>

#include "libapdu/error.h"

namespace lpad::virtual_euicc {

namespace {

struct Step {
    std::string_view name;
    tlv::Tag tag;
};

// ES10a/b/c functions by their request's outer tag (rsp.asn).
constexpr std::array<Step, 27> kSteps{{
    {"GetEuiccConfiguredAddresses", 0xBF3C},
    {"SetDefaultDpAddress", 0xBF3F},
    {"GetEuiccChallenge", 0xBF2E},
    {"GetEuiccInfo1", 0xBF20},
    {"GetEuiccInfo2", 0xBF22},
    {"AuthenticateServer", 0xBF38},
    {"PrepareDownload", 0xBF21},
    {"LoadBoundProfilePackage", 0xBF36},
    {"CancelSession", 0xBF41},
    {"ListNotification", 0xBF28},
    {"RetrieveNotificationsList", 0xBF2B},
    {"RemoveNotificationFromList", 0xBF30},
    {"NotificationSent", 0xBF30},
    {"LoadCRL", 0xBF35},
    {"GetProfilesInfo", 0xBF2D},
    {"EnableProfile", 0xBF31},
    {"DisableProfile", 0xBF32},
    {"DeleteProfile", 0xBF33},
    {"EuiccMemoryReset", 0xBF34},
    {"GetEuiccData", 0xBF3E},
    {"GetEID", 0xBF3E},
    {"SetNickname", 0xBF29},
    {"GetRAT", 0xBF43},
    {"LpaeActivation", 0xBF42},
    {"InitialiseSecureChannel", 0xBF36},
    {"StoreMetadata", 0x88},
    {"ProfileElement", 0x86},
}};

// RSP-NOTES "Bound Profile Package loading": every piece the LPA sends as its own ES10 command.
constexpr std::array<tlv::Tag, 7> kBppPieces{0xBF36, 0xA0, 0xA1, 0x88, 0xA2, 0xA3, 0x86};

bool equal_nocase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

std::optional<std::size_t> parse_size(std::string_view s) {
    std::size_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

std::optional<std::uint32_t> parse_hex(std::string_view s, std::size_t max_digits) {
    if (s.empty() || s.size() > max_digits) return std::nullopt;
    std::uint32_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

}  // namespace

std::vector<tlv::Tag> es10_step_tags(std::string_view step) {
    if (equal_nocase(step, "LoadBoundProfilePackage")) return {kBppPieces.begin(), kBppPieces.end()};
    for (const auto& s : kSteps)
        if (equal_nocase(step, s.name)) return {s.tag};
    // A tag in hex: an even number of digits, at most 4 bytes.
    if (step.size() % 2 == 0)
        if (auto tag = parse_hex(step, 8)) return {*tag};
    std::string known;
    for (const auto& s : kSteps) known += (known.empty() ? "" : ", ") + std::string(s.name);
    fail(Errc::InvalidArgument, "unknown ES10 step '" + std::string(step) + "' (known: " + known + ", or a hex tag)");
}

Fault Fault::parse(std::string_view text) {
    auto bad = [&](const std::string& why) -> Fault {
        fail(Errc::InvalidArgument, "fault '" + std::string(text) + "': " + why +
                                        " (expected ACTION@WHERE[#N][+], e.g. drop@12 or 6A88@PrepareDownload#2)");
    };
    Fault f;
    auto at = text.find('@');
    if (at == std::string_view::npos) return bad("no '@'");
    std::string_view action = text.substr(0, at);
    std::string_view where = text.substr(at + 1);
    if (equal_nocase(action, "drop")) {
        f.action = FaultAction::DropLink;
    } else if (auto sw = action.size() == 4 ? parse_hex(action, 4) : std::nullopt) {
        f.action = FaultAction::StatusWord;
        f.sw = static_cast<std::uint16_t>(*sw);
    } else {
        return bad("action must be 'drop' or a 4-digit status word");
    }
    if (!where.empty() && where.back() == '+') {
        f.persistent = true;
        where.remove_suffix(1);
    }
    if (auto hash = where.find('#'); hash != std::string_view::npos) {
        auto n = parse_size(where.substr(hash + 1));
        if (!n || *n == 0) return bad("occurrence after '#' must be a number from 1");
        f.occurrence = *n;
        where = where.substr(0, hash);
    }
    if (where.empty()) return bad("nothing after '@'");
    if (auto n = parse_size(where)) {
        if (*n == 0) return bad("APDU numbers start at 1");
        f.at_apdu = *n;
    } else {
        (void)es10_step_tags(where);  // validates the name
        f.at_step = std::string(where);
    }
    return f;
}

std::string Fault::to_string() const {
    char sw_text[8];
    std::snprintf(sw_text, sizeof sw_text, "%04X", sw);
    std::string out = action == FaultAction::DropLink ? "drop" : sw_text;
    out += "@" + (at_apdu ? std::to_string(at_apdu) : at_step);
    if (!at_apdu && occurrence != 1) out += "#" + std::to_string(occurrence);
    if (persistent) out += "+";
    return out;
}

void Knobs::validate() const {
    if (latency_ms > 60'000) fail(Errc::InvalidArgument, "virtual card latency must be at most 60000 ms");
    if (max_block < 1 || max_block > 65535)
        fail(Errc::InvalidArgument, "virtual card STORE DATA block limit must be 1..65535, got " +
                                        std::to_string(max_block));
    if (chunk < 1 || chunk > 256)
        fail(Errc::InvalidArgument, "virtual card response chunk must be 1..256, got " + std::to_string(chunk));
    for (const auto& f : faults) {
        if (f.at_apdu == 0 && f.at_step.empty())
            fail(Errc::InvalidArgument, "virtual card fault needs an APDU number or an ES10 step");
        if (f.at_apdu == 0) (void)es10_step_tags(f.at_step);
        if (f.occurrence == 0) fail(Errc::InvalidArgument, "virtual card fault occurrence starts at 1");
    }
}

}  // namespace lpad::virtual_euicc
